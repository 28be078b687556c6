//! Ending deals (SPEC section 5): settlement, failure, cancellation, the
//! preview, and the settlement of overdue deals that precedes every command.
//!
//! Settlement is one transaction and happens once: the `settlements` row is
//! written with it, and asking again reports what was written. Bookings are
//! read in keyset-paged chunks so a deal of any size settles in bounded
//! memory.

use super::deals;
use super::ledger::EntryView;
use super::ledger::{self, Kind, NewEntry};
use super::notifications::Event;
use super::{notifications, reputation, Ctx};
use crate::args::{Id, IntIn, Opt, Text};
use crate::charges::{self, Basis, Totals};
use crate::clock::{self, Time};
use crate::deal::{Deal, DealView, Status};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::store::{self, settlements};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use std::collections::BTreeSet;

pub use crate::charges::{Line, Outcome};

/// A settlement's line, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineView {
    pub booking_id: i64,
    pub participant_id: i64,
    pub item: String,
    pub quantity: i64,
    pub final_unit_price: Option<String>,
    pub charged_before: String,
    pub final_total: String,
    pub refund: String,
    pub due: String,
    /// Where the participant's wallet in the deal's currency stands once
    /// this settlement is written (for an ended deal: now), every deal and
    /// payment counted: what they still owe, or what is owed to them ("0.00"
    /// both when square). Live figures, unlike the rest of the line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owed: Option<String>,
}

impl LineView {
    fn of(l: &Line, deal: &Deal) -> LineView {
        let c = deal.currency();
        LineView {
            booking_id: l.booking_id,
            participant_id: l.participant_id,
            item: deal.terms.items[l.item].name.clone(),
            quantity: l.quantity,
            final_unit_price: l.final_unit_price.map(|p| c.format(p)),
            charged_before: c.format(l.charged_before),
            final_total: c.format(l.final_total),
            refund: c.format(l.refund),
            due: c.format(l.due),
            owes: None,
            owed: None,
        }
    }
}

/// Adds to the page's lines where each participant's wallet stands after
/// the settlement: the balance now, plus (for a deal not ended yet) what
/// their lines in this deal would refund or charge.
fn add_standing(tx: &Transaction, deal: &Deal, basis: &Basis, report: &mut Report) -> Result<()> {
    let c = deal.currency();
    let mut after: std::collections::BTreeMap<i64, i64> = Default::default();
    for p in report.lines.iter().map(|l| l.participant_id) {
        if after.contains_key(&p) {
            continue;
        }
        let mut balance = store::entries::wallet_balance(tx, p, c.code())?;
        if !basis.is_recorded() {
            charges::for_each_line(tx, deal, basis, Some(p), |l| {
                balance = crate::money::add(balance, l.refund - l.due)?;
                Ok(())
            })?;
        }
        after.insert(p, balance);
    }
    for l in &mut report.lines {
        let b = after[&l.participant_id];
        l.owes = Some(c.format((-b).max(0)));
        l.owed = Some(c.format(b.max(0)));
    }
    Ok(())
}

/// The totals of every line of a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportTotals {
    pub charged_before: String,
    pub final_total: String,
    pub refund: String,
    pub due: String,
}

/// A settlement: its outcome, level, lines, totals, entries and events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub deal_id: i64,
    pub outcome: Outcome,
    pub level: i64,
    pub approved_qty: i64,
    pub currency: &'static str,
    /// Each item's final unit price (none when nothing is sold).
    pub final_prices: Option<Vec<String>>,
    /// None for "if it ended now".
    pub ended_at: Option<String>,
    /// The page of lines asked for.
    pub lines: Vec<LineView>,
    pub line_count: usize,
    pub totals: ReportTotals,
    pub entries: Vec<EntryView>,
    pub events: Vec<Event>,
}

/// The lines of a report: every line counts in the totals, and the lines of
/// the page asked for (all of them unless `limit` is given) are kept, so a
/// page of a large deal's report takes little memory.
struct Lines {
    offset: usize,
    limit: usize,
    count: usize,
    page: Vec<Line>,
    totals: Totals,
}

impl Lines {
    fn all() -> Lines {
        Lines::page(0, usize::MAX)
    }

    fn page(offset: usize, limit: usize) -> Lines {
        Lines {
            offset,
            limit,
            count: 0,
            page: vec![],
            totals: Totals::default(),
        }
    }

    fn push(&mut self, l: Line) -> Result<()> {
        self.totals.add(&l)?;
        if self.count >= self.offset && self.count - self.offset < self.limit {
            self.page.push(l);
        }
        self.count += 1;
        Ok(())
    }
}

fn report(
    deal: &Deal,
    basis: &Basis,
    lines: &Lines,
    entries: Vec<EntryView>,
    events: Vec<Event>,
) -> Report {
    let c = deal.currency();
    let t = &lines.totals;
    Report {
        deal_id: deal.id,
        outcome: basis.outcome,
        level: basis.level,
        approved_qty: basis.approved_qty,
        currency: c.code(),
        final_prices: basis.final_level().map(|l| {
            (0..deal.terms.items.len())
                .map(|i| c.format(deal.terms.unit_price(i, l)))
                .collect()
        }),
        ended_at: basis.ended_at.clone(),
        lines: lines.page.iter().map(|l| LineView::of(l, deal)).collect(),
        line_count: lines.count,
        totals: ReportTotals {
            charged_before: c.format(t.charged_before),
            final_total: c.format(t.final_total),
            refund: c.format(t.refund),
            due: c.format(t.due),
        },
        entries,
        events,
    }
}

/// The settlement already recorded for an ended deal, as `end_deal` reported
/// it (with its entries and event), or as a preview (nothing written now, so
/// no entries).
fn recorded(tx: &Transaction, deal: &Deal, preview: bool, mut lines: Lines) -> Result<Report> {
    let basis = Basis::required(tx, deal.id)?;
    charges::for_each_line(tx, deal, &basis, None, |l| lines.push(l))?;
    if preview {
        let mut r = report(deal, &basis, &lines, vec![], vec![]);
        add_standing(tx, deal, &basis, &mut r)?;
        return Ok(r);
    }
    let ids = crate::store::entries::settlement_ids(tx, deal.id)?;
    let events = notifications::ending_event(tx, deal.id)?
        .into_iter()
        .collect();
    let mut r = report(deal, &basis, &lines, ledger::entry_views(tx, &ids)?, events);
    add_standing(tx, deal, &basis, &mut r)?;
    Ok(r)
}

/// Writes one line's settlement entry (a refund or the remaining purchase).
fn post_line(ctx: &Ctx, batch: &mut ledger::Batch, deal: &Deal, line: &Line) -> Result<()> {
    let (kind, amount) = match (line.refund, line.due) {
        (r, _) if r > 0 => (Kind::Refund, r),
        (_, d) if d > 0 => (Kind::Purchase, d),
        _ => return Ok(()),
    };
    let mut e = NewEntry::booking(
        kind,
        line.participant_id,
        deal.id,
        line.booking_id,
        deal.currency(),
        amount,
    );
    e.settlement = true;
    batch.post(ctx, &e)?;
    Ok(())
}

fn record_settlement(ctx: &Ctx, deal: &Deal, outcome: Outcome, level: i64) -> Result<()> {
    charges::record(ctx.tx, deal, outcome, level, &ctx.now_text())
}

/// Ends an open deal now: the whole of SPEC section 5, in the caller's
/// transaction. It streams the approved bookings a chunk at a time and keeps
/// only the participants' ids and wallet totals, so a deal of any size
/// settles in bounded memory; `end_deal` then reports it from what was
/// written, as it reports it ever after.
fn settle(ctx: &Ctx, deal: &Deal) -> Result<()> {
    settlements::expire_waiting(ctx.tx, deal.id, &ctx.now_text())?;
    deals::add_quantities(ctx.tx, deal.id, 0, 0, -deal.pending_qty)?;
    let basis = Basis::now(deal);
    let (outcome, level) = (basis.outcome, basis.level);
    let mut batch = ledger::Batch::default();
    let mut participants = BTreeSet::new();
    charges::for_each_line(ctx.tx, deal, &basis, None, |line| {
        post_line(ctx, &mut batch, deal, &line)?;
        participants.insert(line.participant_id);
        Ok(())
    })?;
    batch.finish(ctx)?;
    if outcome == Outcome::Settled {
        for p in participants {
            reputation::record(
                ctx,
                Some(p),
                deal.id,
                None,
                reputation::Kind::Completed,
                &format!(
                    "took part in deal {} \"{}\", settled",
                    deal.id, deal.terms.title
                ),
            )?;
        }
    }
    let status = match outcome {
        Outcome::Settled => Status::Settled,
        _ => Status::Failed,
    };
    deals::set_status(ctx, deal.id, status)?;
    record_settlement(ctx, deal, outcome, level)?;
    let kind = match outcome {
        Outcome::Settled => EventKind::DealSettled,
        _ => EventKind::DealFailed,
    };
    notifications::record(ctx, deal, kind, level, level)?;
    Ok(())
}

pub use super::deals::DealId;

crate::request! {
    pub struct PreviewSettlement {
        deal_id: Id,
        offset: Opt<IntIn<0, { i64::MAX }>>,
        limit: Opt<IntIn<1, { i64::MAX }>>,
    }
}

crate::request! {
    pub struct CancelDeal { deal_id: Id, reason: Text }
}

pub fn end_deal(ctx: &Ctx, req: DealId) -> Result<Report> {
    let deal_id = req.deal_id;
    let deal = deals::load(ctx.tx, deal_id)?;
    match deal.status {
        Status::Draft => Err(Error::conflict(format!(
            "deal {deal_id} is a draft: open it first, or cancel it"
        ))),
        Status::Open => {
            settle(ctx, &deal)?;
            recorded(ctx.tx, &deal, false, Lines::all())
        }
        _ => recorded(ctx.tx, &deal, false, Lines::all()),
    }
}

/// The settlement ending the deal now would make (or the one made). With
/// `offset` and `limit`, only that page of lines (the totals and
/// `line_count` cover them all).
pub fn preview_settlement(ctx: &Ctx, req: PreviewSettlement) -> Result<Report> {
    let deal_id = req.deal_id;
    let offset = req.offset.unwrap_or(0);
    let limit = req.limit;
    let to_usize = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    let mut lines = Lines::page(to_usize(offset), limit.map_or(usize::MAX, to_usize));
    let deal = deals::load(ctx.tx, deal_id)?;
    if deal.status.is_ended() {
        return recorded(ctx.tx, &deal, true, lines);
    }
    let basis = Basis::now(&deal);
    charges::for_each_line(ctx.tx, &deal, &basis, None, |l| lines.push(l))?;
    let mut report = report(&deal, &basis, &lines, vec![], vec![]);
    add_standing(ctx.tx, &deal, &basis, &mut report)?;
    Ok(report)
}

pub fn cancel_deal(ctx: &Ctx, req: CancelDeal) -> Result<DealView> {
    let CancelDeal { deal_id, reason } = req;
    let deal = deals::load(ctx.tx, deal_id)?;
    if deal.status.is_ended() {
        return Err(Error::conflict(format!(
            "deal {deal_id} is already {}",
            deal.status.as_str()
        )));
    }
    let level = deal.level();
    let basis = Basis {
        outcome: Outcome::Cancelled,
        ..Basis::now(&deal)
    };
    let mut approved = 0usize;
    let mut batch = ledger::Batch::default();
    charges::for_each_line(ctx.tx, &deal, &basis, None, |line| {
        approved += 1;
        post_line(ctx, &mut batch, &deal, &line)?;
        Ok(())
    })?;
    batch.finish(ctx)?;
    settlements::cancel_bookings(
        ctx.tx,
        deal.id,
        reason.as_deref().unwrap_or("the deal was cancelled"),
        &ctx.now_text(),
    )?;
    deals::clear_quantities(ctx.tx, deal.id)?;
    store::deals::set_cancel_reason(ctx.tx, deal.id, reason.as_deref())?;
    deals::set_status(ctx, deal.id, Status::Cancelled)?;
    record_settlement(ctx, &deal, Outcome::Cancelled, level)?;
    if approved > 0 {
        reputation::record(
            ctx,
            None,
            deal.id,
            None,
            reputation::Kind::OrganizerCancelled,
            &format!(
                "cancelled deal {} \"{}\" with {approved} approved bookings{}",
                deal.id,
                deal.terms.title,
                reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        )?;
    }
    notifications::record(ctx, &deal, EventKind::DealCancelled, level, level)?;
    Ok(deals::load(ctx.tx, deal_id)?.view())
}

/// Settles every open deal whose `closes_at` is at or before `now`, each in
/// its own committed transaction. Returns the ids of the deals it ended
/// (`end_deal` reports any of them).
pub fn settle_overdue(conn: &mut Connection, now: Time) -> Result<Vec<i64>> {
    let mut done = vec![];
    // A cheap read first, so that most calls never take the write lock.
    if !store::deals::any_overdue(conn, clock::to_ms(now))? {
        return Ok(done);
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(id) = store::deals::next_overdue(&tx, clock::to_ms(now))? else {
            return Ok(done);
        };
        let ctx = Ctx { tx: &tx, now };
        let deal = deals::load(&tx, id)?;
        settle(&ctx, &deal)?;
        tx.commit()?;
        done.push(id);
    }
}
