//! The `settlements` table (one row per ended deal: how it ended, at which
//! level) and the participation query settlement and statements share: the
//! bookings that take part in a deal's ending, with what their entries
//! charged, split by who wrote them (see `store::entries`).

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use rusqlite::{params, Connection};

/// A row of `settlements`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub deal_id: i64,
    /// "settled", "failed" or "cancelled".
    pub outcome: String,
    pub level: i64,
    pub approved_qty: i64,
    pub ended_at: String,
}

pub fn insert(conn: &Connection, s: &Settlement) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settlements (deal_id, outcome, level, approved_qty, ended_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        s.deal_id,
        s.outcome,
        s.level,
        s.approved_qty,
        s.ended_at
    ])?;
    Ok(())
}

/// The settlement recorded for a deal, if it has ended.
pub fn get(conn: &Connection, deal_id: i64) -> Result<Option<Settlement>> {
    try_query_row(
        conn,
        "SELECT outcome, level, approved_qty, ended_at FROM settlements WHERE deal_id = ?1",
        [deal_id],
        |r| {
            Ok(Settlement {
                deal_id,
                outcome: r.get(0)?,
                level: r.get(1)?,
                approved_qty: r.get(2)?,
                ended_at: r.get(3)?,
            })
        },
    )
}

/// A booking taking part in a deal's ending, with its entries' sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    pub booking_id: i64,
    pub participant_id: i64,
    pub item: usize,
    pub quantity: i64,
    /// Units delivered, once the deal's delivery is recorded.
    pub delivered: Option<i64>,
    /// What approval's entries charged (not settlement's, not a delivery's refund).
    pub charged_before: i64,
    /// The wallet effect of its settlement entry, if written.
    pub settled_signed: i64,
    /// The wallet effect of its delivery's refund, if any.
    pub delivery_refund: i64,
}

/// Which bookings take part: the approved ones, or for a deal cancelled
/// (`cancelled`) those that were approved when it was cancelled.
fn filter(cancelled: bool) -> &'static str {
    if cancelled {
        "b.status = 'cancelled' AND b.cancelled_by = 'deal' AND b.approved_at IS NOT NULL"
    } else {
        "b.status = 'approved'"
    }
}

/// Up to `limit` bookings of a deal taking part in its ending (of one
/// participant, if given), with ids above `after`, in booking order.
pub fn participation_after(
    conn: &Connection,
    deal_id: i64,
    participant_id: Option<i64>,
    cancelled: bool,
    after: i64,
    limit: i64,
) -> Result<Vec<Participation>> {
    // One pass over each booking's entries (a join, not subqueries).
    query_rows(
        conn,
        &format!(
            "SELECT b.id, b.participant_id, b.item, b.quantity, b.delivered,
                -coalesce(sum(e.signed) FILTER (WHERE e.settlement = 0 AND dr.entry_id IS NULL), 0),
                coalesce(sum(e.signed) FILTER (WHERE e.settlement = 1 AND dr.entry_id IS NULL), 0),
                coalesce(sum(e.signed) FILTER (WHERE dr.entry_id IS NOT NULL), 0)
             FROM bookings b LEFT JOIN entries e ON e.booking_id = b.id
                 LEFT JOIN delivery_refunds dr ON dr.entry_id = e.id
             WHERE b.deal_id = ?1 AND b.id > ?2 AND {} AND {}
             GROUP BY b.id ORDER BY b.id LIMIT ?4",
            // Spelled out, so a participant's bookings are read by index.
            match participant_id {
                Some(_) => "b.participant_id = ?3",
                None => "?3 IS NULL",
            },
            filter(cancelled)
        ),
        params![deal_id, after, participant_id, limit],
        |r| {
            Ok(Participation {
                booking_id: r.get(0)?,
                participant_id: r.get(1)?,
                item: r.get::<_, i64>(2)? as usize,
                quantity: r.get(3)?,
                delivered: r.get(4)?,
                charged_before: r.get(5)?,
                settled_signed: r.get(6)?,
                delivery_refund: r.get(7)?,
            })
        },
    )
}

/// At a deal's settlement: its pending and waitlisted bookings expire.
pub fn expire_waiting(conn: &Connection, deal_id: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE bookings SET status = 'expired', updated_at = ?2
         WHERE deal_id = ?1 AND status IN ('pending', 'waitlisted')",
        params![deal_id, now],
    )?;
    Ok(())
}

/// At a deal's cancellation: its pending, approved and waitlisted bookings
/// are cancelled by the deal (keeping a reason they already had).
pub fn cancel_bookings(conn: &Connection, deal_id: i64, reason: &str, now: &str) -> Result<()> {
    conn.execute(
        &format!(
            "UPDATE bookings SET status = 'cancelled', cancelled_by = 'deal',
                reason = coalesce(reason, ?2), updated_at = ?3
             WHERE deal_id = ?1 AND status IN {}",
            super::bookings::ACTIVE_IN
        ),
        params![deal_id, reason, now],
    )?;
    Ok(())
}
