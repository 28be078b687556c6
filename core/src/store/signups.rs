//! What the sign-up import reads and writes besides bookings: participants
//! found by e-mail or by name, or created, and a deal's running quantities.
//! (The participant queries belong with `participants` and the quantities
//! with `deals` once those tables have their own store modules.)

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection};

/// The participant with this e-mail, ignoring case.
pub fn participant_by_email(conn: &Connection, email: &str) -> Result<Option<i64>> {
    try_query_row(
        conn,
        "SELECT id FROM participants WHERE email_key = ?1",
        [email.to_lowercase()],
        |r| r.get(0),
    )
}

/// Up to two participants without an e-mail named `name` (ignoring case).
pub fn participants_named(conn: &Connection, name: &str) -> Result<Vec<i64>> {
    query_rows(
        conn,
        "SELECT id FROM participants WHERE email IS NULL AND lower(name) = lower(?1)
         LIMIT 2",
        [name],
        |r| r.get(0),
    )
}

/// Adds a participant with a name and an optional e-mail. Returns its id.
pub fn insert_participant(
    conn: &Connection,
    name: &str,
    email: Option<&str>,
    created_at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO participants (name, email, email_key, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        name,
        email,
        email.map(str::to_lowercase),
        created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A deal's approved and pending quantities, as they stand.
pub fn deal_quantities(conn: &Connection, deal_id: i64) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached("SELECT approved_qty, pending_qty FROM deals WHERE id = ?1")?
        .query_row([deal_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
