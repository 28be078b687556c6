//! Reputation (SPEC section 6): a list of events; the score is derived.

use super::{participants, Ctx};
use crate::args::{Id, Opt};
use crate::error::Result;
use crate::store::reputation_events;
use serde::Serialize;

pub use crate::store::reputation_events::Kind;

/// Records one event; `participant_id` None is the organizer.
pub fn record(
    ctx: &Ctx,
    participant_id: Option<i64>,
    deal_id: i64,
    booking_id: Option<i64>,
    kind: Kind,
    reason: &str,
) -> Result<()> {
    reputation_events::insert(
        ctx.tx,
        participant_id,
        deal_id,
        booking_id,
        kind,
        reason,
        &ctx.now_text(),
    )
}

/// A participant's score (or the organizer's, for None).
pub fn score(tx: &rusqlite::Transaction, participant_id: Option<i64>) -> Result<i64> {
    reputation_events::score(tx, participant_id)
}

crate::request! {
    /// A participant's reputation (none: the organizer's).
    pub struct ReputationOf { participant_id: Opt<Id> }
}

/// One reputation event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub id: i64,
    pub kind: Kind,
    pub deal_id: i64,
    pub booking_id: Option<i64>,
    pub reason: String,
    pub delta: i64,
    pub created_at: String,
}

/// Reputation events and score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reputation {
    pub participant_id: Option<i64>,
    pub score: i64,
    pub events: Vec<EventView>,
}

pub fn reputation(ctx: &Ctx, req: ReputationOf) -> Result<Reputation> {
    let participant_id = req.participant_id;
    if let Some(id) = participant_id {
        participants::require(ctx.tx, id)?;
    }
    let events = reputation_events::of(ctx.tx, participant_id)?
        .into_iter()
        .map(|e| EventView {
            id: e.id,
            kind: e.kind,
            deal_id: e.deal_id,
            booking_id: e.booking_id,
            reason: e.reason,
            delta: e.delta,
            created_at: e.created_at,
        })
        .collect();
    Ok(Reputation {
        participant_id,
        score: score(ctx.tx, participant_id)?,
        events,
    })
}
