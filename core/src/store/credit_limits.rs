//! The `credit_limits` table: how far below zero a participant's wallet in
//! a currency may go because of bookings (SPEC section 10).

use super::rows::try_query_row;
use crate::error::Result;
use rusqlite::{params, Connection};

/// The limit, minor units (`None`: no limit).
pub fn get(conn: &Connection, participant_id: i64, currency: &str) -> Result<Option<i64>> {
    try_query_row(
        conn,
        "SELECT credit_limit FROM credit_limits WHERE participant_id = ?1 AND currency = ?2",
        params![participant_id, currency],
        |r| r.get(0),
    )
}

/// Sets the limit (`None` removes it).
pub fn set(
    conn: &Connection,
    participant_id: i64,
    currency: &str,
    limit: Option<i64>,
) -> Result<()> {
    match limit {
        Some(l) => conn.execute(
            "INSERT INTO credit_limits (participant_id, currency, credit_limit) VALUES (?1, ?2, ?3)
             ON CONFLICT (participant_id, currency) DO UPDATE SET credit_limit = excluded.credit_limit",
            params![participant_id, currency, l],
        )?,
        None => conn.execute(
            "DELETE FROM credit_limits WHERE participant_id = ?1 AND currency = ?2",
            params![participant_id, currency],
        )?,
    };
    Ok(())
}
