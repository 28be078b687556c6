//! Pickup: the `collected_at` column of `bookings`, and the pickup list (a
//! deal's approved bookings with who collects them and their wallet).

use super::rows::query_rows;
use crate::error::Result;
use rusqlite::{params, Connection};

/// One approved booking on a pickup list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupRow {
    pub booking_id: i64,
    pub participant_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub item: usize,
    pub quantity: i64,
    pub pickup_point: Option<String>,
    pub collected_at: Option<String>,
    /// The participant's wallet in the deal's currency (negative: owes).
    pub balance: i64,
    /// The units it kept, once the deal's delivery is recorded.
    pub delivered: Option<i64>,
}

/// A deal's approved bookings, by participant name, with the wallets in
/// `currency` (the deal's).
pub fn rows(conn: &Connection, deal_id: i64, currency: &str) -> Result<Vec<PickupRow>> {
    query_rows(
        conn,
        "SELECT b.id, b.participant_id, p.name, p.phone, b.item, b.quantity, b.pickup_point,
                b.collected_at, coalesce(w.balance, 0), b.delivered
         FROM bookings b JOIN participants p ON p.id = b.participant_id
         LEFT JOIN wallets w ON w.participant_id = b.participant_id AND w.currency = ?2
         WHERE b.deal_id = ?1 AND b.status = 'approved'
         ORDER BY p.name COLLATE NOCASE, p.id, b.id",
        params![deal_id, currency],
        |r| {
            Ok(PickupRow {
                booking_id: r.get(0)?,
                participant_id: r.get(1)?,
                name: r.get(2)?,
                phone: r.get(3)?,
                item: r.get::<_, i64>(4)? as usize,
                quantity: r.get(5)?,
                pickup_point: r.get(6)?,
                collected_at: r.get(7)?,
                balance: r.get(8)?,
                delivered: r.get(9)?,
            })
        },
    )
}

/// Marks a booking collected at `now` (keeping an earlier time), or not
/// collected.
pub fn set_collected(conn: &Connection, booking_id: i64, collected: bool, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE bookings SET collected_at = CASE WHEN ?2 THEN coalesce(collected_at, ?3) END,
            updated_at = ?3 WHERE id = ?1",
        params![booking_id, collected, now],
    )?;
    Ok(())
}
