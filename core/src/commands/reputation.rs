//! Reputation (SPEC section 6): a list of events; the score is derived.

use super::{participants, Ctx};
use crate::args::{Id, Opt};
use crate::error::Result;
use rusqlite::params;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Completed,
    TierStepDown,
    OrganizerCancelled,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Completed => "completed",
            Kind::TierStepDown => "tier_step_down",
            Kind::OrganizerCancelled => "organizer_cancelled",
        }
    }

    fn delta(self) -> i64 {
        match self {
            Kind::Completed => 1,
            Kind::TierStepDown | Kind::OrganizerCancelled => -1,
        }
    }
}

/// Records one event; `participant_id` None is the organizer.
pub fn record(
    ctx: &Ctx,
    participant_id: Option<i64>,
    deal_id: i64,
    booking_id: Option<i64>,
    kind: Kind,
    reason: &str,
) -> Result<()> {
    ctx.tx
        .prepare_cached(
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
            ctx.now_text()
        ])?;
    Ok(())
}

/// A participant's score (or the organizer's, for None).
pub fn score(tx: &rusqlite::Transaction, participant_id: Option<i64>) -> Result<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT coalesce(sum(delta), 0) FROM reputation_events WHERE participant_id IS ?1",
        )?
        .query_row([participant_id], |r| r.get(0))?)
}

crate::request! {
    /// A participant's reputation (none: the organizer's).
    pub struct ReputationOf { participant_id: Opt<Id> }
}

/// Reputation events and score.
pub type Reputation = Value;

pub fn reputation(ctx: &Ctx, req: ReputationOf) -> Result<Reputation> {
    let participant_id = req.participant_id;
    if let Some(id) = participant_id {
        participants::require(ctx.tx, id)?;
    }
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT id, kind, deal_id, booking_id, reason, delta, created_at FROM reputation_events
         WHERE participant_id IS ?1 ORDER BY id",
    )?;
    let events = stmt
        .query_map([participant_id], |r| {
            Ok(json!({
                "id": r.get::<_, i64>(0)?,
                "kind": r.get::<_, String>(1)?,
                "deal_id": r.get::<_, i64>(2)?,
                "booking_id": r.get::<_, Option<i64>>(3)?,
                "reason": r.get::<_, String>(4)?,
                "delta": r.get::<_, i64>(5)?,
                "created_at": r.get::<_, String>(6)?,
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(json!({
        "participant_id": participant_id,
        "score": score(ctx.tx, participant_id)?,
        "events": events,
    }))
}
