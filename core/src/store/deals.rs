//! What the ledger side reads of the `deals` table (the deal itself is
//! loaded by `commands::deals`).

use super::rows::try_query_row;
use crate::error::Result;
use rusqlite::Connection;

/// The currency of a deal, if it exists.
pub fn deal_currency(conn: &Connection, deal_id: i64) -> Result<Option<String>> {
    try_query_row(
        conn,
        "SELECT currency FROM deals WHERE id = ?1",
        [deal_id],
        |r| r.get(0),
    )
}
