//! The notification outbox and history (SPEC section 7). Events are written
//! in the transaction of the change that caused them; the desktop shell
//! delivers the undelivered ones and marks them.

use super::deals::Deal;
use super::Ctx;
use crate::args::{IntIn, Opt};
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

/// A recorded event (a notification), as the commands, the shell's native
/// notifications and the window's `bookrun://notification` see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    /// The notification's title, from its kind.
    pub title: &'static str,
    pub kind: String,
    pub deal_id: i64,
    pub from_level: i64,
    pub to_level: i64,
    pub message: String,
    pub created_at: String,
    pub delivered: bool,
}

fn event_from_row(r: &Row) -> rusqlite::Result<Event> {
    let kind: String = r.get(1)?;
    Ok(Event {
        id: r.get(0)?,
        title: EventKind::parse(&kind).map_or("Book & Run", EventKind::title),
        kind,
        deal_id: r.get(2)?,
        from_level: r.get(3)?,
        to_level: r.get(4)?,
        message: r.get(5)?,
        created_at: r.get(6)?,
        delivered: r.get::<_, Option<String>>(7)?.is_some(),
    })
}

fn to_json(r: &Row) -> rusqlite::Result<Value> {
    event_from_row(r).map(|e| serde_json::to_value(e).expect("an event encodes"))
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

crate::request! {
    pub struct Notifications { limit: Opt<IntIn<1, 10_000>> }
}

/// Events, newest first.
pub type EventList = Value;

pub fn notifications(ctx: &Ctx, req: Notifications) -> Result<EventList> {
    let limit = req.limit.unwrap_or(100);
    let mut stmt = ctx.tx.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = stmt
        .query_map([limit], to_json)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Value::Array(rows))
}

/// Events not yet shown natively, oldest first (for the desktop shell).
pub fn undelivered(conn: &Connection) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM events WHERE delivered_at IS NULL ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([], event_from_row)?
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
