//! The notification outbox and history (SPEC section 7). Events are written
//! in the transaction of the change that caused them; the desktop shell
//! delivers the undelivered ones and marks them.

use super::deals::Deal;
use super::Ctx;
use crate::args::Args;
use crate::error::Result;
use crate::events::{self, EventKind};
use rusqlite::{params, Connection, Row};
use serde_json::{json, Value};

/// Records the event of a level change, if it is one. Returns its JSON.
pub fn level_changed(ctx: &Ctx, deal: &Deal, from: i64, to: i64) -> Result<Option<Value>> {
    match events::level_change(from, to) {
        Some(kind) => record(ctx, deal, kind, from, to).map(Some),
        None => Ok(None),
    }
}

/// Records an event of `deal` and returns it as JSON.
pub fn record(ctx: &Ctx, deal: &Deal, kind: EventKind, from: i64, to: i64) -> Result<Value> {
    let message = events::message(
        kind,
        &deal.terms.title,
        from,
        to,
        &deal.terms.prices_text(to),
    );
    record_message(ctx, deal, kind, from, to, message)
}

/// Records an event of `deal` with its own message text.
pub fn record_message(
    ctx: &Ctx,
    deal: &Deal,
    kind: EventKind,
    from: i64,
    to: i64,
    message: String,
) -> Result<Value> {
    let now = ctx.now_text();
    ctx.tx
        .prepare_cached(
            "INSERT INTO events (kind, deal_id, from_level, to_level, message, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![kind.as_str(), deal.id, from, to, message, now])?;
    Ok(json!({
        "id": ctx.tx.last_insert_rowid(),
        "kind": kind.as_str(),
        "title": kind.title(),
        "deal_id": deal.id,
        "from_level": from,
        "to_level": to,
        "message": message,
        "created_at": now,
        "delivered": false,
    }))
}

const COLUMNS: &str = "id, kind, deal_id, from_level, to_level, message, created_at, delivered_at";

fn to_json(r: &Row) -> rusqlite::Result<Value> {
    let kind: String = r.get(1)?;
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "title": EventKind::parse(&kind).map_or("Book & Run", EventKind::title),
        "kind": kind,
        "deal_id": r.get::<_, i64>(2)?,
        "from_level": r.get::<_, i64>(3)?,
        "to_level": r.get::<_, i64>(4)?,
        "message": r.get::<_, String>(5)?,
        "created_at": r.get::<_, String>(6)?,
        "delivered": r.get::<_, Option<String>>(7)?.is_some(),
    }))
}

/// The event that ended a deal (settled, failed or cancelled), if any.
pub fn ending_event(tx: &rusqlite::Transaction, deal_id: i64) -> Result<Option<Value>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE deal_id = ?1
           AND kind IN ('deal_settled', 'deal_failed', 'deal_cancelled')
         ORDER BY id DESC LIMIT 1"
    ))?;
    let mut rows = stmt.query_map([deal_id], to_json)?;
    Ok(rows.next().transpose()?)
}

/// The history, newest first.
pub fn notifications(ctx: &Ctx, args: &mut Args) -> Result<Value> {
    let limit = args.opt_int_in("limit", 1, 10_000)?.unwrap_or(100);
    args.finish()?;
    let mut stmt = ctx.tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt
        .query_map([limit], to_json)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Value::Array(rows))
}

/// Events not yet shown natively, oldest first (for the desktop shell).
pub fn undelivered(conn: &Connection) -> Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE delivered_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([], to_json)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Marks an event delivered; false if it already was (so it is shown once).
pub fn mark_delivered(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE events SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL",
        params![id, at],
    )? == 1)
}
