//! Ending deals (SPEC section 5): settlement, failure, cancellation, the
//! preview, and the settlement of overdue deals that precedes every command.
//!
//! Settlement is one transaction and happens once: the `settlements` row is
//! written with it, and asking again reports what was written. Bookings are
//! read in keyset-paged chunks so a deal of any size settles in bounded
//! memory.

use super::deals::DealView;
use super::deals::{self, Deal, Status};
use super::deliveries::IS_DELIVERY_REFUND;
use super::ledger::{self, Kind, NewEntry};
use super::{notifications, reputation, Ctx, OptionalRow};
use crate::args::{Id, IntIn, Opt, Text};
use crate::clock::{self, Time};
use crate::error::{Error, Result};
use crate::events::EventKind;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// How many bookings settlement reads at a time.
const CHUNK: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Settled,
    Failed,
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Settled => "settled",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Result<Outcome> {
        match s {
            "settled" => Ok(Outcome::Settled),
            "failed" => Ok(Outcome::Failed),
            "cancelled" => Ok(Outcome::Cancelled),
            o => Err(Error::Storage(format!("unknown settlement outcome {o:?}"))),
        }
    }
}

/// One approved booking's settlement arithmetic, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub booking_id: i64,
    pub participant_id: i64,
    pub item: usize,
    pub quantity: i64,
    pub final_unit_price: Option<i64>,
    pub charged_before: i64,
    pub final_total: i64,
    pub refund: i64,
    pub due: i64,
}

impl Line {
    /// The line of a booking that had `charged_before` charged, at `outcome` and `level`.
    fn compute(deal: &Deal, outcome: Outcome, level: i64, row: &Row) -> Result<Line> {
        let (final_unit_price, final_total) = match outcome {
            Outcome::Settled => {
                let p = deal.terms.unit_price(row.item, level);
                (Some(p), crate::money::times("quantity", p, row.quantity)?)
            }
            _ => (None, 0),
        };
        let diff = final_total - row.charged_before;
        Ok(Line {
            booking_id: row.booking_id,
            participant_id: row.participant_id,
            item: row.item,
            quantity: row.quantity,
            final_unit_price,
            charged_before: row.charged_before,
            final_total,
            refund: (-diff).max(0),
            due: diff.max(0),
        })
    }

    fn to_json(&self, deal: &Deal) -> Value {
        let c = deal.currency();
        json!({
            "booking_id": self.booking_id,
            "participant_id": self.participant_id,
            "item": deal.terms.items[self.item].name,
            "quantity": self.quantity,
            "final_unit_price": self.final_unit_price.map(|p| c.format(p)),
            "charged_before": c.format(self.charged_before),
            "final_total": c.format(self.final_total),
            "refund": c.format(self.refund),
            "due": c.format(self.due),
        })
    }
}

/// A booking as settlement sees it.
struct Row {
    booking_id: i64,
    participant_id: i64,
    item: usize,
    quantity: i64,
    /// What its entries charged before settlement.
    charged_before: i64,
    /// The wallet effect of its settlement entry, if written.
    settled_signed: i64,
}

/// Which bookings take part in a deal's settlement: the approved ones, or
/// for a cancelled deal those that were approved when it was cancelled.
fn rows_after(tx: &Transaction, deal_id: i64, after: i64, cancelled: bool) -> Result<Vec<Row>> {
    let filter = if cancelled {
        "b.status = 'cancelled' AND b.cancelled_by = 'deal' AND b.approved_at IS NOT NULL"
    } else {
        "b.status = 'approved'"
    };
    // One pass over each booking's entries (a join, not two subqueries).
    // A delivery's refunds come after settlement and are not part of it.
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT b.id, b.participant_id, b.item, b.quantity,
            -coalesce(sum(e.signed) FILTER (WHERE e.settlement = 0), 0),
            coalesce(sum(e.signed) FILTER (WHERE e.settlement = 1), 0)
         FROM bookings b LEFT JOIN entries e ON e.booking_id = b.id
             AND NOT {IS_DELIVERY_REFUND}
         WHERE b.deal_id = ?1 AND b.id > ?2 AND {filter}
         GROUP BY b.id ORDER BY b.id LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(params![deal_id, after, CHUNK], |r| {
            Ok(Row {
                booking_id: r.get(0)?,
                participant_id: r.get(1)?,
                item: r.get::<_, i64>(2)? as usize,
                quantity: r.get(3)?,
                charged_before: r.get(4)?,
                settled_signed: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Calls `each` on every settlement row of a deal, in booking order, a chunk at a time.
fn for_each_row(
    tx: &Transaction,
    deal_id: i64,
    cancelled: bool,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let mut after = 0;
    loop {
        let rows = rows_after(tx, deal_id, after, cancelled)?;
        for r in &rows {
            each(r)?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == CHUNK => after = last.booking_id,
            _ => return Ok(()),
        }
    }
}

/// The lines of a report: every line counts in the totals, and the lines of
/// the page asked for (all of them unless `limit` is given) are kept, so a
/// page of a large deal's report takes little memory.
struct Lines {
    offset: usize,
    limit: usize,
    count: usize,
    page: Vec<Line>,
    /// charged_before, final_total, refund, due
    totals: [i64; 4],
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
            totals: [0; 4],
        }
    }

    fn push(&mut self, l: Line) -> Result<()> {
        for (t, v) in self
            .totals
            .iter_mut()
            .zip([l.charged_before, l.final_total, l.refund, l.due])
        {
            *t = crate::money::add(*t, v)?;
        }
        if self.count >= self.offset && self.count - self.offset < self.limit {
            self.page.push(l);
        }
        self.count += 1;
        Ok(())
    }
}

/// What a settlement report says besides its lines.
struct Head {
    outcome: Outcome,
    level: i64,
    approved_qty: i64,
    ended_at: Option<String>,
}

fn report(
    deal: &Deal,
    head: Head,
    lines: &Lines,
    entries: Vec<Value>,
    events: Vec<Value>,
) -> Value {
    let Head {
        outcome,
        level,
        approved_qty,
        ended_at,
    } = head;
    let c = deal.currency();
    let [charged_before, final_total, refund, due] = lines.totals.map(|t| c.format(t));
    json!({
        "deal_id": deal.id,
        "outcome": outcome.as_str(),
        "level": level,
        "approved_qty": approved_qty,
        "currency": c.code(),
        "final_prices": match outcome {
            Outcome::Settled => Value::from((0..deal.terms.items.len())
                .map(|i| c.format(deal.terms.unit_price(i, level))).collect::<Vec<_>>()),
            _ => Value::Null,
        },
        "ended_at": ended_at,
        "lines": lines.page.iter().map(|l| l.to_json(deal)).collect::<Vec<_>>(),
        "line_count": lines.count,
        "totals": {"charged_before": charged_before, "final_total": final_total,
                   "refund": refund, "due": due},
        "entries": entries,
        "events": events,
    })
}

/// The settlement already recorded for an ended deal, as `end_deal` reported
/// it (with its entries and event), or as a preview (nothing written now, so
/// no entries).
fn recorded(tx: &Transaction, deal: &Deal, preview: bool, mut lines: Lines) -> Result<Value> {
    let (outcome, level, approved_qty, ended_at): (String, i64, i64, String) = tx
        .query_row(
            "SELECT outcome, level, approved_qty, ended_at FROM settlements WHERE deal_id = ?1",
            [deal.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .or_not_found(|| format!("deal {} has no recorded settlement", deal.id))?;
    let outcome = Outcome::parse(&outcome)?;
    for_each_row(tx, deal.id, outcome == Outcome::Cancelled, |r| {
        let mut line = Line::compute(deal, outcome, level, r)?;
        // Report what was written, not what would be computed today.
        line.refund = r.settled_signed.max(0);
        line.due = (-r.settled_signed).max(0);
        lines.push(line)
    })?;
    if preview {
        let head = Head {
            outcome,
            level,
            approved_qty,
            ended_at: Some(ended_at),
        };
        return Ok(report(deal, head, &lines, vec![], vec![]));
    }
    let ids = tx
        .prepare_cached("SELECT id FROM entries WHERE deal_id = ?1 AND settlement = 1 ORDER BY id")?
        .query_map([deal.id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    let events = notifications::ending_event(tx, deal.id)?
        .into_iter()
        .collect();
    Ok(report(
        deal,
        Head {
            outcome,
            level,
            approved_qty,
            ended_at: Some(ended_at),
        },
        &lines,
        ledger::entries_json(tx, &ids)?,
        events,
    ))
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
    ctx.tx.execute(
        "INSERT INTO settlements (deal_id, outcome, level, approved_qty, ended_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![deal.id, outcome.as_str(), level, deal.approved_qty, ctx.now_text()],
    )?;
    Ok(())
}

/// Ends an open deal now: the whole of SPEC section 5, in the caller's
/// transaction. It streams the approved bookings a chunk at a time and keeps
/// only the participants' ids and wallet totals, so a deal of any size
/// settles in bounded memory; `end_deal` then reports it from what was
/// written, as it reports it ever after.
fn settle(ctx: &Ctx, deal: &Deal) -> Result<()> {
    ctx.tx.execute(
        "UPDATE bookings SET status = 'expired', updated_at = ?2
         WHERE deal_id = ?1 AND status IN ('pending', 'waitlisted')",
        params![deal.id, ctx.now_text()],
    )?;
    deals::add_quantities(ctx.tx, deal.id, 0, 0, -deal.pending_qty)?;
    let level = deal.level();
    let outcome = if level < 0 {
        Outcome::Failed
    } else {
        Outcome::Settled
    };
    let mut batch = ledger::Batch::default();
    let mut participants = BTreeSet::new();
    for_each_row(ctx.tx, deal.id, false, |r| {
        let line = Line::compute(deal, outcome, level, r)?;
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

/// A settlement: its outcome, level, lines, totals, entries and events.
pub type Report = Value;

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
    let level = deal.level();
    let outcome = if level < 0 {
        Outcome::Failed
    } else {
        Outcome::Settled
    };
    for_each_row(ctx.tx, deal.id, false, |r| {
        lines.push(Line::compute(&deal, outcome, level, r)?)
    })?;
    let head = Head {
        outcome,
        level,
        approved_qty: deal.approved_qty,
        ended_at: None,
    };
    Ok(report(&deal, head, &lines, vec![], vec![]))
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
    let mut approved = 0usize;
    let mut batch = ledger::Batch::default();
    for_each_row(ctx.tx, deal.id, false, |r| {
        approved += 1;
        let line = Line::compute(&deal, Outcome::Cancelled, level, r)?;
        post_line(ctx, &mut batch, &deal, &line)?;
        Ok(())
    })?;
    batch.finish(ctx)?;
    ctx.tx.execute(
        "UPDATE bookings SET status = 'cancelled', cancelled_by = 'deal', reason = coalesce(reason, ?2),
            updated_at = ?3
         WHERE deal_id = ?1 AND status IN ('pending', 'approved', 'waitlisted')",
        params![deal.id, reason.as_deref().unwrap_or("the deal was cancelled"), ctx.now_text()],
    )?;
    deals::clear_quantities(ctx.tx, deal.id)?;
    ctx.tx.execute(
        "UPDATE deals SET cancel_reason = ?2 WHERE id = ?1",
        params![deal.id, reason],
    )?;
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
    Ok(deals::load(ctx.tx, deal_id)?.to_json())
}

/// Settles every open deal whose `closes_at` is at or before `now`, each in
/// its own committed transaction. Returns the ids of the deals it ended
/// (`end_deal` reports any of them).
pub fn settle_overdue(conn: &mut Connection, now: Time) -> Result<Vec<i64>> {
    let mut done = vec![];
    // A cheap read first, so that most calls never take the write lock.
    let any: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM deals WHERE status = 'open' AND closes_at_ms <= ?1)",
        )?
        .query_row([clock::to_ms(now)], |r| r.get(0))?;
    if !any {
        return Ok(done);
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let next: Option<i64> = tx
            .query_row(
                "SELECT id FROM deals WHERE status = 'open' AND closes_at_ms <= ?1
                 ORDER BY closes_at_ms, id LIMIT 1",
                [clock::to_ms(now)],
                |r| r.get(0),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let Some(id) = next else {
            return Ok(done);
        };
        let ctx = Ctx { tx: &tx, now };
        let deal = deals::load(&tx, id)?;
        settle(&ctx, &deal)?;
        tx.commit()?;
        done.push(id);
    }
}
