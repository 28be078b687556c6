//! The `reputation_events` table: one row per event (SPEC section 6); a
//! score is the sum of the deltas. `participant_id` None is the organizer.

use super::rows::query_rows;
use crate::error::Result;
use rusqlite::{params, Connection, Row};

crate::words! {
    /// What a reputation event records.
    pub enum Kind("reputation kind") {
        Completed = "completed",
        TierStepDown = "tier_step_down",
        OrganizerCancelled = "organizer_cancelled",
    }
}

impl Kind {
    /// What the event adds to the score.
    pub fn delta(self) -> i64 {
        match self {
            Kind::Completed => 1,
            Kind::TierStepDown | Kind::OrganizerCancelled => -1,
        }
    }
}

/// A row of `reputation_events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReputationEvent {
    pub id: i64,
    pub participant_id: Option<i64>,
    pub deal_id: i64,
    pub booking_id: Option<i64>,
    pub kind: Kind,
    pub delta: i64,
    pub reason: String,
    pub created_at: String,
}

/// Appends an event; its delta follows from its kind.
pub fn insert(
    conn: &Connection,
    participant_id: Option<i64>,
    deal_id: i64,
    booking_id: Option<i64>,
    kind: Kind,
    reason: &str,
    created_at: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO reputation_events (participant_id, deal_id, booking_id, kind, delta, reason, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        participant_id,
        deal_id,
        booking_id,
        kind.as_str(),
        kind.delta(),
        reason,
        created_at
    ])?;
    Ok(())
}

/// A participant's score (or the organizer's, for None).
pub fn score(conn: &Connection, participant_id: Option<i64>) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(sum(delta), 0) FROM reputation_events WHERE participant_id IS ?1",
        )?
        .query_row([participant_id], |r| r.get(0))?)
}

fn from_row(r: &Row) -> rusqlite::Result<ReputationEvent> {
    Ok(ReputationEvent {
        id: r.get(0)?,
        participant_id: r.get(1)?,
        deal_id: r.get(2)?,
        booking_id: r.get(3)?,
        kind: super::rows::word(r, 4)?,
        delta: r.get(5)?,
        reason: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// A participant's events (or the organizer's, for None), oldest first.
pub fn of(conn: &Connection, participant_id: Option<i64>) -> Result<Vec<ReputationEvent>> {
    query_rows(
        conn,
        "SELECT id, participant_id, deal_id, booking_id, kind, delta, reason, created_at
         FROM reputation_events WHERE participant_id IS ?1 ORDER BY id",
        [participant_id],
        from_row,
    )
}
