//! The `deliveries` table (one row per settled deal whose delivery is
//! recorded, SPEC section 12) and `delivery_refunds` (the refund entry of
//! each booking that lost units), with the `delivered` column of bookings
//! they set.

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection};

/// A row of `deliveries`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery<'a> {
    pub deal_id: i64,
    pub rule: &'a str,
    pub missing: i64,
    pub refunded: i64,
    pub recorded_at: &'a str,
}

/// When the delivery of a deal was recorded, if it was.
pub fn recorded_at(conn: &Connection, deal_id: i64) -> Result<Option<String>> {
    try_query_row(
        conn,
        "SELECT recorded_at FROM deliveries WHERE deal_id = ?1",
        [deal_id],
        |r| r.get(0),
    )
}

/// A deal's approved bookings in booking order: id, participant, item, quantity.
pub fn approved_bookings(conn: &Connection, deal_id: i64) -> Result<Vec<(i64, i64, i64, i64)>> {
    query_rows(
        conn,
        "SELECT id, participant_id, item, quantity FROM bookings
         WHERE deal_id = ?1 AND status = 'approved' ORDER BY id",
        [deal_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
}

/// Records a delivery, and marks every approved booking of the deal
/// delivered in full (then [`set_kept`] lowers those that lost units).
pub fn insert(conn: &Connection, d: &NewDelivery) -> Result<()> {
    conn.execute(
        "INSERT INTO deliveries (deal_id, rule, missing, refunded, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![d.deal_id, d.rule, d.missing, d.refunded, d.recorded_at],
    )?;
    conn.execute(
        "UPDATE bookings SET delivered = quantity, updated_at = ?2
         WHERE deal_id = ?1 AND status = 'approved'",
        params![d.deal_id, d.recorded_at],
    )?;
    Ok(())
}

/// A booking's units delivered.
pub fn set_kept(conn: &Connection, booking_id: i64, kept: i64) -> Result<()> {
    conn.prepare_cached("UPDATE bookings SET delivered = ?2 WHERE id = ?1")?
        .execute(params![booking_id, kept])?;
    Ok(())
}

/// Links a refund entry to the delivery and booking it refunds.
pub fn link_refund(
    conn: &Connection,
    entry_id: i64,
    deal_id: i64,
    booking_id: i64,
    lost: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO delivery_refunds (entry_id, deal_id, booking_id, lost) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![entry_id, deal_id, booking_id, lost])?;
    Ok(())
}
