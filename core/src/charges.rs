//! The settlement rule, in one place (SPEC section 5): which bookings take
//! part in a deal's ending, the final unit price and total of each, what it
//! was charged before, and the refund or amount due. `end_deal`,
//! `cancel_deal`, `preview_settlement`, `deal_statement` and its export all
//! take their lines from [`for_each_line`]; what "charged" means is in
//! `store::entries`.
//!
//! An open deal's lines are what ending it now would write. An ended deal's
//! lines are those of its recorded settlement, with the refund or amount due
//! its settlement entry wrote (not what would be computed today).

use crate::deal::Deal;
use crate::error::{Error, Result};
use crate::money;
use crate::store::settlements::{self, Participation, Settlement};
use crate::words::Words;
use rusqlite::Connection;

crate::words! {
    /// How a deal ended (or would end now).
    pub enum Outcome("settlement outcome") {
        Settled = "settled",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

/// How many bookings are read at a time.
const CHUNK: i64 = 10_000;

/// One participating booking's settlement arithmetic, in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub booking_id: i64,
    pub participant_id: i64,
    pub item: usize,
    pub quantity: i64,
    /// The final unit price (none when nothing is sold).
    pub final_unit_price: Option<i64>,
    /// What approval charged.
    pub charged_before: i64,
    pub final_total: i64,
    pub refund: i64,
    pub due: i64,
    /// Units delivered, once the deal's delivery is recorded.
    pub delivered: Option<i64>,
    /// The refund of the units not delivered (SPEC section 12): after
    /// settlement, and not part of it.
    pub delivery_refund: i64,
}

/// The terms a deal's lines are computed on: its outcome and level, now or
/// as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub outcome: Outcome,
    pub level: i64,
    pub approved_qty: i64,
    /// The recorded settlement's time; `None` for "if it ended now".
    pub ended_at: Option<String>,
}

impl Basis {
    /// What ending an open (or draft) deal now would decide.
    pub fn now(deal: &Deal) -> Basis {
        let level = deal.level();
        Basis {
            outcome: if level < 0 {
                Outcome::Failed
            } else {
                Outcome::Settled
            },
            level,
            approved_qty: deal.approved_qty,
            ended_at: None,
        }
    }

    /// The recorded settlement of an ended deal, if any.
    pub fn recorded(conn: &Connection, deal_id: i64) -> Result<Option<Basis>> {
        settlements::get(conn, deal_id)?
            .map(|s| {
                Ok(Basis {
                    outcome: Outcome::stored(&s.outcome)?,
                    level: s.level,
                    approved_qty: s.approved_qty,
                    ended_at: Some(s.ended_at),
                })
            })
            .transpose()
    }

    /// An ended deal's recorded settlement, else what ending it now would decide.
    pub fn of(conn: &Connection, deal: &Deal) -> Result<Basis> {
        if !deal.status.is_ended() {
            return Ok(Basis::now(deal));
        }
        Basis::required(conn, deal.id)
    }

    /// The recorded settlement of a deal, which must have one.
    pub fn required(conn: &Connection, deal_id: i64) -> Result<Basis> {
        Basis::recorded(conn, deal_id)?
            .ok_or_else(|| Error::not_found(format!("deal {deal_id} has no recorded settlement")))
    }

    /// Whether this basis is a recorded settlement.
    pub fn is_recorded(&self) -> bool {
        self.ended_at.is_some()
    }

    /// The final level, when something is sold.
    pub fn final_level(&self) -> Option<i64> {
        (self.outcome == Outcome::Settled).then_some(self.level)
    }
}

/// Records the settlement of `deal` ending now with `outcome` at `level`.
pub fn record(
    conn: &Connection,
    deal: &Deal,
    outcome: Outcome,
    level: i64,
    now: &str,
) -> Result<()> {
    settlements::insert(
        conn,
        &Settlement {
            deal_id: deal.id,
            outcome: outcome.as_str().into(),
            level,
            approved_qty: deal.approved_qty,
            ended_at: now.into(),
        },
    )
}

impl Line {
    fn compute(deal: &Deal, basis: &Basis, p: &Participation) -> Result<Line> {
        let final_unit_price = basis
            .final_level()
            .map(|l| deal.terms.unit_price(p.item, l));
        let final_total = match final_unit_price {
            Some(u) => money::times("quantity", u, p.quantity)?,
            None => 0,
        };
        let (refund, due) = if basis.is_recorded() {
            // What settlement wrote.
            (p.settled_signed.max(0), (-p.settled_signed).max(0))
        } else {
            let diff = final_total - p.charged_before;
            ((-diff).max(0), diff.max(0))
        };
        Ok(Line {
            booking_id: p.booking_id,
            participant_id: p.participant_id,
            item: p.item,
            quantity: p.quantity,
            final_unit_price,
            charged_before: p.charged_before,
            final_total,
            refund,
            due,
            delivered: p.delivered,
            delivery_refund: p.delivery_refund,
        })
    }
}

/// Calls `each` on the line of every booking taking part in the deal's
/// ending on `basis` (of one participant, if given), in booking order, a
/// chunk at a time so a deal of any size takes bounded memory.
pub fn for_each_line(
    conn: &Connection,
    deal: &Deal,
    basis: &Basis,
    participant_id: Option<i64>,
    mut each: impl FnMut(Line) -> Result<()>,
) -> Result<()> {
    // A cancellation being made now reads the approved bookings; once
    // recorded, they are those it cancelled.
    let cancelled = basis.outcome == Outcome::Cancelled && basis.is_recorded();
    let mut after = 0;
    loop {
        let rows = settlements::participation_after(
            conn,
            deal.id,
            participant_id,
            cancelled,
            after,
            CHUNK,
        )?;
        for p in &rows {
            each(Line::compute(deal, basis, p)?)?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == CHUNK => after = last.booking_id,
            _ => return Ok(()),
        }
    }
}

/// Totals of lines: charged before, final total, refund, due, delivery refund.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub charged_before: i64,
    pub final_total: i64,
    pub refund: i64,
    pub due: i64,
    pub delivery_refund: i64,
}

impl Totals {
    pub fn add(&mut self, l: &Line) -> Result<()> {
        self.charged_before = money::add(self.charged_before, l.charged_before)?;
        self.final_total = money::add(self.final_total, l.final_total)?;
        self.refund = money::add(self.refund, l.refund)?;
        self.due = money::add(self.due, l.due)?;
        self.delivery_refund = money::add(self.delivery_refund, l.delivery_refund)?;
        Ok(())
    }
}
