//! The notification outbox and history (SPEC section 7). Events are written
//! in the transaction of the change that caused them; the desktop shell
//! delivers the undelivered ones and marks them.

use super::Ctx;
use crate::args::{IntIn, Opt};
use crate::deal::Deal;
use crate::error::Result;
use crate::events::{self, EventKind};
use crate::store;
use rusqlite::Connection;

/// Records the event of a level change, if it is one; returns it.
pub fn level_changed(ctx: &Ctx, deal: &Deal, from: i64, to: i64) -> Result<Option<Event>> {
    match events::level_change(from, to) {
        Some(kind) => record(ctx, deal, kind, from, to).map(Some),
        None => Ok(None),
    }
}

/// Records an event of `deal`; returns it.
pub fn record(ctx: &Ctx, deal: &Deal, kind: EventKind, from: i64, to: i64) -> Result<Event> {
    let message = events::message(
        kind,
        &deal.terms.title,
        from,
        to,
        &deal.terms.prices_text(to),
    );
    record_event(ctx, deal, kind, from, to, message)
}

/// Records an event of `deal` with its own message text; returns it.
pub fn record_event(
    ctx: &Ctx,
    deal: &Deal,
    kind: EventKind,
    from: i64,
    to: i64,
    message: String,
) -> Result<Event> {
    let now = ctx.now_text();
    let id = store::events::insert(ctx.tx, kind, deal.id, from, to, &message, &now)?;
    Ok(Event {
        id,
        title: kind.title(),
        kind: kind.as_str().into(),
        deal_id: deal.id,
        from_level: from,
        to_level: to,
        message,
        created_at: now,
        delivered: false,
    })
}

/// A recorded event (a notification), as the commands, the shell's native
/// notifications and the window's `bookrun://notification` see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    /// The notification's title, from its kind.
    pub title: &'static str,
    pub kind: String,
    pub deal_id: i64,
    pub from_level: i64,
    pub to_level: i64,
    pub message: String,
    pub created_at: String,
    pub delivered: bool,
}

impl From<store::events::EventRow> for Event {
    fn from(r: store::events::EventRow) -> Event {
        Event {
            id: r.id,
            title: r.kind.title(),
            kind: r.kind.as_str().into(),
            deal_id: r.deal_id,
            from_level: r.from_level,
            to_level: r.to_level,
            message: r.message,
            created_at: r.created_at,
            delivered: r.delivered_at.is_some(),
        }
    }
}

/// The event that ended a deal (settled, failed or cancelled), if any.
pub fn ending_event(tx: &rusqlite::Transaction, deal_id: i64) -> Result<Option<Event>> {
    Ok(store::events::ending(tx, deal_id)?.map(Event::from))
}

crate::request! {
    pub struct Notifications { limit: Opt<IntIn<1, 10_000>> }
}

/// Events, newest first.
pub type EventList = Vec<Event>;

pub fn notifications(ctx: &Ctx, req: Notifications) -> Result<EventList> {
    let limit = req.limit.unwrap_or(100);
    Ok(store::events::latest(ctx.tx, limit)?
        .into_iter()
        .map(Event::from)
        .collect())
}

/// Events not yet shown natively, oldest first (for the desktop shell).
pub fn undelivered(conn: &Connection) -> Result<Vec<Event>> {
    Ok(store::events::undelivered(conn)?
        .into_iter()
        .map(Event::from)
        .collect())
}

/// Marks an event delivered; false if it already was (so it is shown once).
pub fn mark_delivered(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    store::events::mark_delivered(conn, id, at)
}
