//! What the ledger side and settlement read and write of the `deals` table
//! (the deal itself is loaded by `commands::deals`).

use super::rows::{exists, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection};

/// The currency of a deal, if it exists.
pub fn deal_currency(conn: &Connection, deal_id: i64) -> Result<Option<String>> {
    try_query_row(
        conn,
        "SELECT currency FROM deals WHERE id = ?1",
        [deal_id],
        |r| r.get(0),
    )
}

const OVERDUE: &str = "FROM deals WHERE status = 'open' AND closes_at_ms <= ?1";

/// Whether any open deal closes at or before `now_ms`.
pub fn any_overdue(conn: &Connection, now_ms: i64) -> Result<bool> {
    exists(conn, &format!("SELECT 1 {OVERDUE}"), [now_ms])
}

/// The open deal that closed first at or before `now_ms`, if any.
pub fn next_overdue(conn: &Connection, now_ms: i64) -> Result<Option<i64>> {
    try_query_row(
        conn,
        &format!("SELECT id {OVERDUE} ORDER BY closes_at_ms, id LIMIT 1"),
        [now_ms],
        |r| r.get(0),
    )
}

/// Records why a deal was cancelled.
pub fn set_cancel_reason(conn: &Connection, deal_id: i64, reason: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE deals SET cancel_reason = ?2 WHERE id = ?1",
        params![deal_id, reason],
    )?;
    Ok(())
}
