//! The `entries` table (the append-only ledger) as the rest of the core
//! reads it: the one definition of what a booking has been charged.
//!
//! An entry's `signed` is its effect on the participant's wallet, so what a
//! booking has been charged is minus the sum of its entries' `signed`
//! (purchases minus refunds). Settlement and statements split that sum by
//! who wrote the entry: approval (`settlement = 0`), settlement
//! (`settlement = 1`), or a delivery's refund (a `delivery_refunds` row).

use super::rows::query_rows;
use crate::error::Result;
use rusqlite::Connection;

/// SQL over `bookings b`: what booking `b` has been charged so far by all
/// its entries (purchases minus refunds).
pub const CHARGED_SQL: &str =
    "(SELECT -coalesce(sum(e.signed), 0) FROM entries e WHERE e.booking_id = b.id)";

/// SQL: whether entry `e` is a delivery's refund (to tell it from what
/// settlement and approval wrote).
pub const IS_DELIVERY_REFUND: &str =
    "EXISTS (SELECT 1 FROM delivery_refunds dr WHERE dr.entry_id = e.id)";

/// What a booking's entries have charged so far (purchases minus refunds).
pub fn charged(conn: &Connection, booking_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CHARGED_SQL} FROM bookings b WHERE b.id = ?1"
        ))?
        .query_row([booking_id], |r| r.get(0))?)
}

/// The ids of the entries a deal's settlement wrote, in order.
pub fn settlement_ids(conn: &Connection, deal_id: i64) -> Result<Vec<i64>> {
    query_rows(
        conn,
        "SELECT id FROM entries WHERE deal_id = ?1 AND settlement = 1 ORDER BY id",
        [deal_id],
        |r| r.get(0),
    )
}
