//! The `bank_rows` table: every bank statement row recorded as a payment,
//! by the hash of the row, so an imported row is never recorded twice.

use super::rows::try_query_row;
use crate::error::Result;
use rusqlite::{params, Connection};

/// A row of `bank_rows`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankRow<'a> {
    pub hash: &'a str,
    /// The payment entry the row was recorded as.
    pub entry_id: i64,
    /// The row's date, as the bank wrote it.
    pub booked_on: &'a str,
    pub currency: &'a str,
    pub amount: i64,
    pub reference: &'a str,
    pub imported_at: &'a str,
}

/// When the row with this hash was imported, if it was.
pub fn imported_at(conn: &Connection, hash: &str) -> Result<Option<String>> {
    try_query_row(
        conn,
        "SELECT imported_at FROM bank_rows WHERE hash = ?1",
        [hash],
        |r| r.get(0),
    )
}

/// Records an imported row.
pub fn insert(conn: &Connection, b: &NewBankRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO bank_rows (hash, entry_id, booked_on, currency, amount, reference,
            imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        b.hash,
        b.entry_id,
        b.booked_on,
        b.currency,
        b.amount,
        b.reference,
        b.imported_at
    ])?;
    Ok(())
}
