//! The `events` table: the notification outbox and history (SPEC section
//! 7). Rows are written in the transaction of the change that caused them;
//! the desktop shell marks them delivered.

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection, Row};

crate::words! {
    /// What an event tells (its title and text are in `crate::events`).
    pub enum EventKind("event kind") {
        MinimumReached = "minimum_reached",
        TierReached = "tier_reached",
        TierSteppedDown = "tier_stepped_down",
        MinimumLost = "minimum_lost",
        DealSettled = "deal_settled",
        DealFailed = "deal_failed",
        DealCancelled = "deal_cancelled",
        /// A cancellation freed stock and the first waitlisted booking moved up.
        WaitlistPromoted = "waitlist_promoted",
        /// A recorded delivery fell short of the approved quantities (SPEC section 12).
        DeliveryShort = "delivery_short",
    }
}

/// A row of `events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub id: i64,
    pub kind: EventKind,
    pub deal_id: i64,
    pub from_level: i64,
    pub to_level: i64,
    pub message: String,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

const COLUMNS: &str = "id, kind, deal_id, from_level, to_level, message, created_at, delivered_at";

fn from_row(r: &Row) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        kind: super::rows::word(r, 1)?,
        deal_id: r.get(2)?,
        from_level: r.get(3)?,
        to_level: r.get(4)?,
        message: r.get(5)?,
        created_at: r.get(6)?,
        delivered_at: r.get(7)?,
    })
}

/// Appends an event. Returns its id.
pub fn insert(
    conn: &Connection,
    kind: EventKind,
    deal_id: i64,
    from: i64,
    to: i64,
    message: &str,
    created_at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (kind, deal_id, from_level, to_level, message, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        kind.as_str(),
        deal_id,
        from,
        to,
        message,
        created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The latest event that ended a deal (settled, failed or cancelled).
pub fn ending(conn: &Connection, deal_id: i64) -> Result<Option<EventRow>> {
    try_query_row(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM events WHERE deal_id = ?1
               AND kind IN ('deal_settled', 'deal_failed', 'deal_cancelled')
             ORDER BY id DESC LIMIT 1"
        ),
        [deal_id],
        from_row,
    )
}

/// The latest `limit` events, newest first.
pub fn latest(conn: &Connection, limit: i64) -> Result<Vec<EventRow>> {
    query_rows(
        conn,
        &format!("SELECT {COLUMNS} FROM events ORDER BY id DESC LIMIT ?1"),
        [limit],
        from_row,
    )
}

/// Events not yet delivered, oldest first.
pub fn undelivered(conn: &Connection) -> Result<Vec<EventRow>> {
    query_rows(
        conn,
        &format!("SELECT {COLUMNS} FROM events WHERE delivered_at IS NULL ORDER BY id"),
        [],
        from_row,
    )
}

/// Marks an event delivered; false if it already was.
pub fn mark_delivered(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE events SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL",
        )?
        .execute(params![id, at])?
        == 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn an_unknown_kind_in_the_database_is_a_storage_error() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(&dir.path().join("t.db")).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             INSERT INTO events (kind, deal_id, from_level, to_level, message, created_at)
             VALUES ('bogus', 1, 0, 0, 'm', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        match undelivered(&conn) {
            Err(Error::Storage(m)) => assert!(m.contains("unknown event kind \"bogus\""), "{m}"),
            other => panic!("expected a storage error, got {other:?}"),
        }
    }
}
