//! Bookings: book, approve, reject, cancel, list (SPEC section 3), with the
//! purchases and refunds they write and the level events they cause.

use super::deals::{self, Deal};
use super::ledger::{self, Kind, NewEntry};
use super::notifications::{self, Event};
use super::{credit, participants, reputation, Ctx};
use crate::args::{Choice, Id, IntIn, Line, Opt, Text};
use crate::deal::{Approval, Payment, MAX_QTY};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::money;
use crate::store::bookings::{self as table, NewBooking};
use crate::store::rows::rolled_back;
use rusqlite::Transaction;
use serde::Serialize;

pub use crate::store::bookings::{Booking, BookingStatus};

crate::words! {
    /// Who cancels a booking.
    pub enum CancelledBy("canceller") {
        Participant = "participant",
        Organizer = "organizer",
    }
}

crate::request! {
    pub struct Book {
        deal_id: Id,
        participant_id: Id,
        item: Line,
        quantity: IntIn<1, MAX_QTY>,
        pickup_point: Opt<Line>,
        note: Text,
    }
}

crate::request! {
    /// A command on one booking.
    pub struct BookingId { booking_id: Id }
}

crate::request! {
    pub struct RejectBooking { booking_id: Id, reason: Text }
}

crate::request! {
    pub struct CancelBooking { booking_id: Id, reason: Text, by: Opt<Choice<CancelledBy>> }
}

crate::request! {
    pub struct PreviewCancel { booking_id: Id, by: Opt<Choice<CancelledBy>> }
}

crate::request! {
    pub struct ListBookings {
        deal_id: Id,
        status: Opt<Choice<BookingStatus>>,
        offset: Opt<IntIn<0, { i64::MAX }>>,
        limit: Opt<IntIn<1, { i64::MAX }>>,
    }
}

/// A booking, its deal and the events a change caused, read back after
/// the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub booking: BookingView,
    pub deal: deals::DealView,
    pub events: Vec<BookingEvent>,
}

/// An event a booking change caused; a waitlist promotion names the
/// booking it moved up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingEvent {
    #[serde(flatten)]
    pub event: Event,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_id: Option<i64>,
}

impl From<Event> for BookingEvent {
    fn from(event: Event) -> BookingEvent {
        BookingEvent {
            event,
            booking_id: None,
        }
    }
}

/// A booking as the commands return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingView {
    pub id: i64,
    pub deal_id: i64,
    pub participant_id: i64,
    /// The item's name.
    pub item: String,
    pub quantity: i64,
    pub status: &'static str,
    pub pickup_point: Option<String>,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub charged: String,
    pub created_at: String,
    pub updated_at: String,
    pub collected_at: Option<String>,
    pub can_cancel: bool,
    pub delivered: Option<i64>,
    pub participant_name: String,
    pub current_total: String,
}

pub type BookingList = Vec<BookingView>;

/// What cancelling a booking would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancelPreview {
    pub booking_id: i64,
    pub deal_id: i64,
    pub participant_id: i64,
    pub refund: String,
    pub from_level: i64,
    pub to_level: i64,
    /// The level event it would cause, if any.
    pub event: Option<&'static str>,
    /// Each item's unit price at `to_level`.
    pub prices_after: Vec<String>,
    pub reputation_events: i64,
    /// Who would pay more, most first.
    pub others: Vec<PaysMore>,
    pub total_more: String,
}

/// What another participant would pay more after a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaysMore {
    pub participant_id: i64,
    pub name: String,
    pub pays_more: String,
}

pub fn load(tx: &Transaction, id: i64) -> Result<Booking> {
    table::get(tx, id)?.ok_or_else(|| Error::not_found(format!("no booking with id {id}")))
}

pub use crate::store::entries::charged;

impl Booking {
    /// Whether `cancel_booking` would accept it: a cancellable state in an
    /// open deal.
    pub fn can_cancel(&self, deal: &Deal) -> bool {
        self.status.is_active() && deal.status == deals::Status::Open
    }

    /// What it costs at the deal's price now (the final price once settled),
    /// beside `charged`: what the participant will pay for it. Nothing for a
    /// booking that was not taken (rejected, cancelled, expired) or a deal
    /// that failed or was cancelled.
    pub fn current_total(&self, deal: &Deal) -> i128 {
        let taken = self.status.is_active();
        let sold = !matches!(
            deal.status,
            deals::Status::Failed | deals::Status::Cancelled
        );
        if !(taken && sold) {
            return 0;
        }
        i128::from(deal.terms.unit_price(self.item, deal.level())) * i128::from(self.quantity)
    }

    /// As the commands return it, with what its entries charged.
    pub fn view(&self, deal: &Deal, charged: i64) -> BookingView {
        let c = deal.currency();
        BookingView {
            id: self.id,
            deal_id: self.deal_id,
            participant_id: self.participant_id,
            item: deal.terms.items[self.item].name.clone(),
            quantity: self.quantity,
            status: self.status.as_str(),
            pickup_point: self.pickup_point.clone(),
            note: self.note.clone(),
            reason: self.reason.clone(),
            cancelled_by: self.cancelled_by.clone(),
            charged: c.format(charged),
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            collected_at: self.collected_at.clone(),
            can_cancel: self.can_cancel(deal),
            delivered: self.delivered,
            participant_name: self.participant_name.clone(),
            current_total: c.format_wide(self.current_total(deal)),
        }
    }
}

/// `{booking, deal, events}`, read back after the change.
fn outcome(ctx: &Ctx, booking_id: i64, events: Vec<BookingEvent>) -> Result<Outcome> {
    let b = load(ctx.tx, booking_id)?;
    let deal = deals::load(ctx.tx, b.deal_id)?;
    Ok(Outcome {
        booking: b.view(&deal, charged(ctx.tx, b.id)?),
        deal: deal.view(),
        events,
    })
}

fn set_status(
    ctx: &Ctx,
    b: &Booking,
    status: BookingStatus,
    reason: Option<&str>,
    by: Option<&str>,
) -> Result<()> {
    table::set_status(ctx.tx, b.id, status, reason, by, &ctx.now_text())
}

/// What approval charges: the full price, or the rounded deposit.
fn charge_at_approval(deal: &Deal, b: &Booking) -> Result<i64> {
    let full = money::times("quantity", deal.terms.items[b.item].base_price, b.quantity)?;
    Ok(match deal.terms.payment {
        Payment::Full => full,
        Payment::Deposit(pct) => money::percent_of(full, pct),
    })
}

/// Approves a pending (or just inserted) booking: stock check, purchase
/// entry, totals, level event. Returns the events.
fn approve(ctx: &Ctx, deal: &Deal, b: &Booking, was_pending: bool) -> Result<Vec<BookingEvent>> {
    admit(ctx, deal, b, was_pending)?;
    let (from, to) = (
        deal.level(),
        deal.terms.level(deal.approved_qty + b.quantity),
    );
    Ok(notifications::level_changed(ctx, deal, from, to)?
        .into_iter()
        .map(BookingEvent::from)
        .collect())
}

/// The approval itself, without its level event: stock check, status,
/// purchase entry, the deal's totals (`was_pending`: it counted as pending).
fn admit(ctx: &Ctx, deal: &Deal, b: &Booking, was_pending: bool) -> Result<()> {
    if let Some(stock) = deal.terms.stock {
        if deal.approved_qty + b.quantity > stock {
            return Err(Error::policy(format!(
                "approving {} more would take deal {} past its stock of {stock} ({} approved already)",
                b.quantity, deal.id, deal.approved_qty
            )));
        }
    }
    let charge = charge_at_approval(deal, b)?;
    if charge > 0 {
        credit::room_for(ctx, b.participant_id, deal.currency(), charge)?;
    }
    set_status(ctx, b, BookingStatus::Approved, None, None)?;
    if charge > 0 {
        ledger::post(
            ctx,
            &NewEntry::booking(
                Kind::Purchase,
                b.participant_id,
                deal.id,
                b.id,
                deal.currency(),
                charge,
            ),
        )?;
    }
    let pending = if was_pending { -b.quantity } else { 0 };
    deals::add_quantities(ctx.tx, deal.id, b.item, b.quantity, pending)
}

pub fn book(ctx: &Ctx, req: Book) -> Result<Outcome> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let (id, events) = place(ctx, &deal, &req)?;
    outcome(ctx, id, events)
}

/// The quantity a deal's stock is claimed by: approved and pending bookings.
fn claimed(deal: &Deal) -> i64 {
    deal.approved_qty + deal.pending_qty
}

/// Places one booking on `deal` (loaded by the caller): every check of
/// `book`, then the booking, approved at once in auto mode, pending in
/// manual mode, or waitlisted when the stock is claimed or others wait.
/// Returns the booking id and the events.
pub fn place(ctx: &Ctx, deal: &Deal, req: &Book) -> Result<(i64, Vec<BookingEvent>)> {
    let deal_id = deal.id;
    let participant = participants::require(ctx.tx, req.participant_id)?;
    deal.require_open("book")?;
    if let Some(opens) = deal.terms.opens_at.as_ref().filter(|o| ctx.now < o.at()) {
        return Err(Error::conflict(format!(
            "deal {deal_id} opens for bookings at {}",
            opens.text()
        )));
    }
    let item = deal.terms.item_index(&req.item).ok_or_else(|| {
        let names: Vec<_> = deal.terms.items.iter().map(|i| i.name.as_str()).collect();
        Error::validation(
            "item",
            format!(
                "deal {deal_id} has no item {:?} (its items: {})",
                req.item,
                names.join(", ")
            ),
        )
    })?;
    if let Some(p) = &req.pickup_point {
        if !deal.terms.pickup_points.contains(p) {
            return Err(Error::validation(
                "pickup_point",
                format!("{p:?} is not one of the deal's pickup points"),
            ));
        }
    }
    let quantity = req.quantity;
    money::times("quantity", deal.terms.items[item].base_price, quantity)?;
    if !deal.terms.admits_email(participant.email.as_deref()) {
        return Err(Error::policy(format!(
            "deal {deal_id} is open only to e-mail addresses at {}; participant {} has {}",
            deal.terms.allowed_domains.join(", "),
            participant.id,
            participant.email.as_deref().unwrap_or("no e-mail")
        )));
    }
    if let Some(max) = deal.terms.max_per_participant {
        let held = table::held(ctx.tx, deal_id, req.participant_id)?;
        if held + quantity > max {
            return Err(Error::policy(format!(
                "participant {} would hold {} of deal {deal_id}, past its maximum of {max} per participant ({held} booked already)",
                req.participant_id,
                held + quantity
            )));
        }
    }
    let waitlisted = match deal.terms.stock {
        Some(stock) if quantity > stock => {
            return Err(Error::policy(format!(
                "a booking of {quantity} is more than the whole stock of deal {deal_id} ({stock})"
            )));
        }
        Some(stock) => {
            claimed(deal) + quantity > stock || table::waitlist_head(ctx.tx, deal_id)?.is_some()
        }
        None => false,
    };
    let id = table::insert(
        ctx.tx,
        &NewBooking {
            deal_id,
            participant_id: req.participant_id,
            item,
            quantity,
            status: if waitlisted {
                BookingStatus::Waitlisted
            } else {
                BookingStatus::Pending
            },
            pickup_point: req.pickup_point.as_deref(),
            note: req.note.as_deref(),
            created_at: &ctx.now_text(),
        },
    )?;
    let booking = load(ctx.tx, id)?;
    let events = match (waitlisted, deal.terms.approval) {
        (true, _) => vec![],
        (false, Approval::Auto) => approve(ctx, deal, &booking, false)?,
        (false, Approval::Manual) => {
            deals::add_quantities(ctx.tx, deal_id, item, 0, quantity)?;
            vec![]
        }
    };
    Ok((booking.id, events))
}

/// Moves waitlisted bookings up, in booking order, while the first one fits
/// the stock that approved and pending bookings leave: approved at once in
/// auto mode, pending in manual mode, each with a `waitlist_promoted` event.
/// Stops at the first that does not fit (nobody is overtaken). Returns the
/// events; the caller reports the level change of the whole operation.
fn promote_waitlist(ctx: &Ctx, deal_id: i64) -> Result<Vec<BookingEvent>> {
    let mut events = vec![];
    loop {
        let deal = deals::load(ctx.tx, deal_id)?;
        let Some(stock) = deal.terms.stock else {
            return Ok(events);
        };
        let Some(b) = table::waitlist_head(ctx.tx, deal_id)? else {
            return Ok(events);
        };
        if claimed(&deal) + b.quantity > stock {
            return Ok(events);
        }
        // In auto mode a booking its owner's credit limit cannot cover
        // waits for the organizer's approval instead (docs/rules.md): it
        // keeps its place and its stock, and nobody overtakes it.
        let charge = charge_at_approval(&deal, &b)?;
        let over_limit = match deal.terms.approval {
            Approval::Auto if charge > 0 => {
                credit::shortfall(ctx, b.participant_id, deal.currency(), charge)?
            }
            _ => None,
        };
        let now_state = match (deal.terms.approval, over_limit) {
            (Approval::Auto, None) => {
                admit(ctx, &deal, &b, false)?;
                "approved".to_string()
            }
            (_, missing) => {
                set_status(ctx, &b, BookingStatus::Pending, None, None)?;
                deals::add_quantities(ctx.tx, deal_id, b.item, 0, b.quantity)?;
                match missing {
                    None => "pending your approval".to_string(),
                    Some(m) => format!(
                        "pending your approval: it needs {} {} more on the wallet within the credit limit",
                        deal.currency().format_grouped(m),
                        deal.currency().code()
                    ),
                }
            }
        };
        let level = deals::load(ctx.tx, deal_id)?.level();
        let message = format!(
            "\"{}\": booking {} of {} ({} x {}) left the waitlist and is {now_state}",
            deal.terms.title, b.id, b.participant_name, b.quantity, deal.terms.items[b.item].name
        );
        let event = notifications::record_event(
            ctx,
            &deal,
            EventKind::WaitlistPromoted,
            level,
            level,
            message,
        )?;
        events.push(BookingEvent {
            event,
            booking_id: Some(b.id),
        });
    }
}

/// A booking and its open deal, refusing other booking states.
fn pending_booking(ctx: &Ctx, booking_id: i64, action: &str) -> Result<(Booking, Deal)> {
    let b = load(ctx.tx, booking_id)?;
    let deal = deals::load(ctx.tx, b.deal_id)?;
    if b.status != BookingStatus::Pending {
        return Err(Error::conflict(format!(
            "booking {booking_id} is {}: only a pending booking can be {action}",
            b.status.as_str()
        )));
    }
    deal.require_open(&format!("have bookings {action}"))?;
    Ok((b, deal))
}

pub fn approve_booking(ctx: &Ctx, req: BookingId) -> Result<Outcome> {
    let booking_id = req.booking_id;
    let (b, deal) = pending_booking(ctx, booking_id, "approved")?;
    let events = approve(ctx, &deal, &b, true)?;
    outcome(ctx, booking_id, events)
}

pub fn reject_booking(ctx: &Ctx, req: RejectBooking) -> Result<Outcome> {
    let RejectBooking { booking_id, reason } = req;
    let (b, deal) = pending_booking(ctx, booking_id, "rejected")?;
    set_status(ctx, &b, BookingStatus::Rejected, reason.as_deref(), None)?;
    deals::add_quantities(ctx.tx, deal.id, b.item, 0, -b.quantity)?;
    let events = promote_waitlist(ctx, deal.id)?;
    outcome(ctx, booking_id, events)
}

/// A booking that can be cancelled (pending or approved, of an open deal),
/// with its deal.
fn cancellable(ctx: &Ctx, booking_id: i64) -> Result<(Booking, Deal)> {
    let b = load(ctx.tx, booking_id)?;
    let deal = deals::load(ctx.tx, b.deal_id)?;
    if !b.status.is_active() {
        return Err(Error::conflict(format!(
            "booking {booking_id} is {}: only a pending, approved or waitlisted booking can be cancelled",
            b.status.as_str()
        )));
    }
    deal.require_open("cancel its bookings")?;
    Ok((b, deal))
}

pub fn cancel_booking(ctx: &Ctx, req: CancelBooking) -> Result<Outcome> {
    let CancelBooking {
        booking_id,
        reason,
        by,
    } = req;
    let by = by.unwrap_or(CancelledBy::Participant).as_str();
    let (b, deal) = cancellable(ctx, booking_id)?;
    set_status(
        ctx,
        &b,
        BookingStatus::Cancelled,
        reason.as_deref(),
        Some(by),
    )?;
    match b.status {
        BookingStatus::Waitlisted => {}
        BookingStatus::Pending => deals::add_quantities(ctx.tx, deal.id, b.item, 0, -b.quantity)?,
        _ => {
            let refund = charged(ctx.tx, b.id)?;
            if refund > 0 {
                ledger::post(
                    ctx,
                    &NewEntry::booking(
                        Kind::Refund,
                        b.participant_id,
                        deal.id,
                        b.id,
                        deal.currency(),
                        refund,
                    ),
                )?;
            }
            deals::add_quantities(ctx.tx, deal.id, b.item, -b.quantity, 0)?;
        }
    }
    // Stock the cancellation freed goes to the waitlist first; the level
    // change (and any step-down penalty) is that of the whole operation.
    let promoted = promote_waitlist(ctx, deal.id)?;
    let from = deal.level();
    let to = deals::load(ctx.tx, deal.id)?.level();
    let mut events = promoted;
    events.extend(notifications::level_changed(ctx, &deal, from, to)?.map(BookingEvent::from));
    if by == "participant" && b.status == BookingStatus::Approved {
        for lost in (to + 1..=from).rev() {
            reputation::record(
                ctx,
                Some(b.participant_id),
                deal.id,
                Some(b.id),
                reputation::Kind::TierStepDown,
                &format!(
                    "cancelling booking {} took deal {} \"{}\" down from level {lost} to {}",
                    b.id,
                    deal.id,
                    deal.terms.title,
                    lost - 1
                ),
            )?;
        }
    }
    outcome(ctx, booking_id, events)
}

pub fn list_bookings(ctx: &Ctx, req: ListBookings) -> Result<BookingList> {
    let offset = req.offset.unwrap_or(0);
    let limit = req.limit.unwrap_or(-1);
    let deal = deals::load(ctx.tx, req.deal_id)?;
    Ok(table::of_deal(ctx.tx, deal.id, req.status, limit, offset)?
        .into_iter()
        .map(|(b, charged)| b.view(&deal, charged))
        .collect())
}

/// What cancelling a booking would do, without doing it: the refund, the
/// level after, the event, the reputation events, and what every other
/// participant would pay more at the lower level (the window's step-down
/// warning).
/// The deal's level after cancelling approved booking `b`, waiting bookings
/// moved up included: the cancellation's own steps run in a savepoint that
/// is rolled back, so the preview cannot drift from `cancel_booking`.
fn level_after_cancelling(ctx: &Ctx, b: &Booking, deal: &Deal) -> Result<i64> {
    rolled_back(ctx.tx, "preview_cancel", || {
        set_status(
            ctx,
            b,
            BookingStatus::Cancelled,
            None,
            Some(CancelledBy::Participant.as_str()),
        )?;
        deals::add_quantities(ctx.tx, deal.id, b.item, -b.quantity, 0)?;
        promote_waitlist(ctx, deal.id)?;
        Ok(deals::load(ctx.tx, deal.id)?.level())
    })
}

pub fn preview_cancel(ctx: &Ctx, req: PreviewCancel) -> Result<CancelPreview> {
    let booking_id = req.booking_id;
    let by = req.by.unwrap_or(CancelledBy::Participant).as_str();
    let (b, deal) = cancellable(ctx, booking_id)?;
    let approved = b.status == BookingStatus::Approved;
    let from = deal.level();
    let to = if approved {
        level_after_cancelling(ctx, &b, &deal)?
    } else {
        from
    };
    let c = deal.currency();
    let mut others: Vec<(i64, String, i64)> = vec![];
    if to < from {
        for (pid, name, item, qty) in table::approved_quantities_but(ctx.tx, deal.id, b.id)? {
            let more = (deal.terms.unit_price(item, to) - deal.terms.unit_price(item, from)) * qty;
            match others.last_mut() {
                Some(last) if last.0 == pid => last.2 = money::add(last.2, more)?,
                _ => others.push((pid, name, more)),
            }
        }
        others.retain(|o| o.2 > 0);
        others.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    }
    let penalties = if by == "participant" {
        (from - to).max(0)
    } else {
        0
    };
    let refund = c.format(if approved { charged(ctx.tx, b.id)? } else { 0 });
    let total_more = c.format(money::sum(others.iter().map(|o| o.2))?);
    Ok(CancelPreview {
        booking_id: b.id,
        deal_id: deal.id,
        participant_id: b.participant_id,
        refund,
        from_level: from,
        to_level: to,
        event: crate::events::level_change(from, to).map(|k| k.as_str()),
        prices_after: (0..deal.terms.items.len())
            .map(|i| c.format(deal.terms.unit_price(i, to)))
            .collect(),
        reputation_events: penalties,
        others: others
            .into_iter()
            .map(|(participant_id, name, more)| PaysMore {
                participant_id,
                name,
                pays_more: c.format(more),
            })
            .collect(),
        total_more,
    })
}
