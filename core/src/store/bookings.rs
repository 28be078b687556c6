//! The `bookings` table as the booking commands read and write it: a
//! booking's row (with its participant's name), placing one, moving its
//! status, the waitlist's head, a deal's bookings with what each was
//! charged, and the approved quantities a cancellation's preview prices.

use super::entries::CHARGED_SQL;
use super::rows::{query_rows, try_query_row, word};
use crate::error::Result;
use rusqlite::{params, Connection, Row};

crate::words! {
    /// A booking's state (SPEC section 3, and the waitlist).
    pub enum BookingStatus("booking status") {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
        Cancelled = "cancelled",
        Expired = "expired",
        Waitlisted = "waitlisted",
    }
}

impl BookingStatus {
    /// The states a booking holds its quantity in and a cancellation
    /// applies to (SPEC section 3, and the waitlist): pending, approved,
    /// waitlisted. The one place that says so; the window reads
    /// `can_cancel`, SQL uses [`ACTIVE_IN`].
    pub fn is_active(self) -> bool {
        matches!(
            self,
            BookingStatus::Pending | BookingStatus::Approved | BookingStatus::Waitlisted
        )
    }
}

/// [`BookingStatus::is_active`] as an SQL list, for `status IN ...`.
pub const ACTIVE_IN: &str = "('pending', 'approved', 'waitlisted')";

/// A row of `bookings`, with its participant's name.
#[derive(Debug, Clone)]
pub struct Booking {
    pub id: i64,
    pub deal_id: i64,
    pub participant_id: i64,
    pub item: usize,
    pub quantity: i64,
    pub status: BookingStatus,
    pub pickup_point: Option<String>,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub collected_at: Option<String>,
    /// The units it kept once the deal's delivery was recorded (else None).
    pub delivered: Option<i64>,
    /// The participant's name, so a list of bookings needs no other call.
    pub participant_name: String,
}

const COLUMNS: &str = "b.id, b.deal_id, b.participant_id, b.item, b.quantity, b.status,
    b.pickup_point, b.note, b.reason, b.cancelled_by, b.created_at, b.updated_at, b.collected_at,
    b.delivered, (SELECT p.name FROM participants p WHERE p.id = b.participant_id)";

fn from_row(r: &Row) -> rusqlite::Result<Booking> {
    Ok(Booking {
        id: r.get(0)?,
        deal_id: r.get(1)?,
        participant_id: r.get(2)?,
        item: r.get::<_, i64>(3)? as usize,
        quantity: r.get(4)?,
        status: word(r, 5)?,
        pickup_point: r.get(6)?,
        note: r.get(7)?,
        reason: r.get(8)?,
        cancelled_by: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        collected_at: r.get(12)?,
        delivered: r.get(13)?,
        participant_name: r.get(14)?,
    })
}

/// A booking by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Booking>> {
    try_query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM bookings b WHERE b.id = ?1"),
        [id],
        from_row,
    )
}

/// A booking to place (pending or waitlisted).
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub deal_id: i64,
    pub participant_id: i64,
    pub item: usize,
    pub quantity: i64,
    pub status: BookingStatus,
    pub pickup_point: Option<&'a str>,
    pub note: Option<&'a str>,
    pub created_at: &'a str,
}

/// Appends a booking. Returns its id.
pub fn insert(conn: &Connection, b: &NewBooking) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO bookings (deal_id, participant_id, item, quantity, status, pickup_point,
            note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        b.deal_id,
        b.participant_id,
        b.item as i64,
        b.quantity,
        b.status.as_str(),
        b.pickup_point,
        b.note,
        b.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Moves a booking to `status` at `now`, keeping the reason and canceller it
/// had when none is given; the first approval is stamped `approved_at`.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: BookingStatus,
    reason: Option<&str>,
    by: Option<&str>,
    now: &str,
) -> Result<()> {
    let approved_at = (status == BookingStatus::Approved).then_some(now);
    conn.prepare_cached(
        "UPDATE bookings SET status = ?2, reason = coalesce(?3, reason),
            cancelled_by = coalesce(?4, cancelled_by),
            approved_at = coalesce(approved_at, ?5), updated_at = ?6
         WHERE id = ?1",
    )?
    .execute(params![id, status.as_str(), reason, by, approved_at, now])?;
    Ok(())
}

/// The quantity a participant holds of a deal: its pending, approved and
/// waitlisted bookings.
pub fn held(conn: &Connection, deal_id: i64, participant_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce(sum(quantity), 0) FROM bookings
             WHERE deal_id = ?1 AND participant_id = ?2 AND status IN {ACTIVE_IN}"
        ))?
        .query_row(params![deal_id, participant_id], |r| r.get(0))?)
}

/// The first waitlisted booking of a deal, if any.
pub fn waitlist_head(conn: &Connection, deal_id: i64) -> Result<Option<Booking>> {
    try_query_row(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM bookings b WHERE b.deal_id = ?1 AND b.status = 'waitlisted'
             ORDER BY b.id LIMIT 1"
        ),
        [deal_id],
        from_row,
    )
}

/// A deal's bookings (in one status, if given) in booking order, `limit`
/// (-1: all) from `offset`, each with what its entries charged so far.
pub fn of_deal(
    conn: &Connection,
    deal_id: i64,
    status: Option<BookingStatus>,
    limit: i64,
    offset: i64,
) -> Result<Vec<(Booking, i64)>> {
    // Two statements, not `?2 IS NULL OR status = ?2`: SQLite plans a
    // statement once, and that clause would keep it off the status index.
    let sql = match status {
        Some(_) => of_deal_sql("AND b.status = ?2"),
        None => of_deal_sql("AND ?2 IS NULL"),
    };
    query_rows(
        conn,
        &sql,
        params![deal_id, status.map(BookingStatus::as_str), limit, offset],
        |r| Ok((from_row(r)?, r.get(15)?)),
    )
}

fn of_deal_sql(filter: &str) -> String {
    format!(
        "SELECT {COLUMNS}, {CHARGED_SQL}
         FROM bookings b
         WHERE b.deal_id = ?1 {filter}
         ORDER BY b.id LIMIT ?3 OFFSET ?4"
    )
}

/// The approved quantities of a deal but one booking, per participant and
/// item, in participant order: participant id, name, item, quantity.
pub fn approved_quantities_but(
    conn: &Connection,
    deal_id: i64,
    booking_id: i64,
) -> Result<Vec<(i64, String, usize, i64)>> {
    query_rows(
        conn,
        "SELECT b.participant_id, p.name, b.item, sum(b.quantity) FROM bookings b
         JOIN participants p ON p.id = b.participant_id
         WHERE b.deal_id = ?1 AND b.status = 'approved' AND b.id != ?2
         GROUP BY b.participant_id, b.item ORDER BY b.participant_id",
        params![deal_id, booking_id],
        |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get::<_, i64>(2)? as usize,
                r.get(3)?,
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query plan of `sql` on a fresh database, one line per step.
    fn plan(sql: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(&dir.path().join("plan.db")).unwrap();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params![1, Option::<&str>::None, -1, 0], |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join("\n")
    }

    /// A deal's bookings in one status are found through the status index,
    /// not by reading every booking of the deal (a 100,000-booking deal's
    /// pending list took 26 ms with `?2 IS NULL OR status = ?2`).
    #[test]
    fn a_status_list_reads_the_status_index() {
        let p = plan(&of_deal_sql("AND b.status = ?2"));
        assert!(
            p.contains("bookings_by_deal (deal_id=? AND status=?)"),
            "{p}"
        );
        let p = plan(&of_deal_sql("AND ?2 IS NULL"));
        assert!(p.contains("bookings_in_order (deal_id=?)"), "{p}");
    }

    #[test]
    fn the_sql_list_of_active_states_is_is_active() {
        let listed: Vec<String> = BookingStatus::ALL
            .iter()
            .filter(|s| s.is_active())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(ACTIVE_IN, format!("({})", listed.join(", ")));
    }
}
