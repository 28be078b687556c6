//! Deliveries and shortfalls (SPEC section 12): after a deal is settled the
//! organizer records what the merchant delivered; the units missing are taken
//! from the item's approved bookings by a rule, and each booking that loses
//! units is refunded the final unit price of each, in the same transaction,
//! through the ledger's bulk posting that settlement uses.
//!
//! The shortfall split is pure arithmetic ([`split`]), so it is tested on its
//! own; the commands read the bookings, split, write and report.

use super::deals;
use super::ledger::EntryView;
use super::ledger::{self, Kind, NewEntry};
use super::notifications::Event;
use super::{notifications, Ctx};
use crate::args::{Arg, Args, Choice, Field, Id, Opt, Raw, Request, Shape};
use crate::deal::MAX_QTY;
use crate::deal::{Deal, Status};
use crate::error::{Error, Result};
use crate::events::EventKind;
use crate::money;
use crate::store;
use serde::Serialize;

crate::words! {
    /// How a shortfall is taken from an item's approved bookings.
    pub enum Rule("delivery rule") {
        /// The latest booking (highest id) loses units first.
        BookingOrder = "booking_order",
        /// Each keeps `floor(quantity x delivered / approved)`; the units left
        /// go one each to the largest fractional remainders (lower id on a tie).
        Proportional = "proportional",
    }
}

/// The units each booking keeps when `delivered` units of an item arrive
/// for `bookings` (`(id, quantity)`, in booking order, summing to the
/// approved quantity). `delivered` is at most that sum. The result is in
/// the order of `bookings`.
pub fn split(rule: Rule, bookings: &[(i64, i64)], delivered: i64) -> Vec<i64> {
    let approved: i64 = bookings.iter().map(|b| b.1).sum();
    debug_assert!((0..=approved).contains(&delivered));
    match rule {
        Rule::BookingOrder => {
            let mut short = approved - delivered;
            let mut kept: Vec<i64> = bookings.iter().map(|b| b.1).collect();
            for k in kept.iter_mut().rev() {
                if short == 0 {
                    break;
                }
                let lose = (*k).min(short);
                *k -= lose;
                short -= lose;
            }
            kept
        }
        Rule::Proportional => {
            if approved == 0 {
                return vec![0; bookings.len()];
            }
            // Exact integers: quantity x delivered may exceed i64.
            let (a, d) = (i128::from(approved), i128::from(delivered));
            let mut kept = Vec::with_capacity(bookings.len());
            let mut remainders = Vec::with_capacity(bookings.len());
            for (i, &(id, q)) in bookings.iter().enumerate() {
                let share = i128::from(q) * d;
                kept.push(i64::try_from(share / a).expect("a share fits its quantity"));
                remainders.push((share % a, id, i));
            }
            let left = delivered - kept.iter().sum::<i64>();
            // Largest remainder first, the lower booking id on a tie.
            remainders.sort_unstable_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            for &(_, _, i) in remainders.iter().take(usize::try_from(left).unwrap_or(0)) {
                kept[i] += 1;
            }
            kept
        }
    }
}

/// What the merchant delivered for a deal (`record_delivery`,
/// `preview_delivery`).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub deal_id: i64,
    pub rule: Rule,
    /// `(field, item, quantity)` per item listed.
    pub delivered: Vec<(String, String, i64)>,
}

pub struct DeliveredShape;
impl Shape for DeliveredShape {
    const TY: &'static str = "[{item, quantity}] (items not listed arrived in full)";
}

impl Request for Delivery {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("deal_id"),
            Field::of::<Raw<DeliveredShape>>("delivered"),
            Field::of::<Opt<Choice<Rule>>>("rule"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let deal_id = args.req_id("deal_id")?;
        let rule = <Opt<Choice<Rule>>>::read(args, "rule")?.unwrap_or(Rule::BookingOrder);
        let field = args.field("delivered");
        let delivered = args
            .opt_array("delivered", |f, v| {
                let mut e = Args::element(f, v)?;
                let item = e.req_line("item")?;
                let quantity = e.req_int_in("quantity", 0, MAX_QTY)?;
                e.finish()?;
                Ok((f.to_string(), item, quantity))
            })?
            .ok_or_else(|| Error::validation(&field, "is required (an empty list: all arrived)"))?;
        Ok(Delivery {
            deal_id,
            rule,
            delivered,
        })
    }
}

/// What a delivery does: per item, per booking that loses units, totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub deal_id: i64,
    pub rule: &'static str,
    pub level: i64,
    pub currency: &'static str,
    pub items: Vec<DeliveredItem>,
    pub lines: Vec<DeliveryLine>,
    pub totals: DeliveryTotals,
    pub events: Vec<Event>,
}

/// An item's approved and delivered units, and its refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveredItem {
    pub item: String,
    pub approved: i64,
    pub delivered: i64,
    pub missing: i64,
    pub final_unit_price: String,
    pub refund: String,
}

/// A booking that lost units, with its refund entry once written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryLine {
    pub booking_id: i64,
    pub participant_id: i64,
    pub item: String,
    pub quantity: i64,
    pub kept: i64,
    pub lost: i64,
    pub final_unit_price: String,
    pub refund: String,
    pub entry: Option<EntryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryTotals {
    pub approved: i64,
    pub delivered: i64,
    pub missing: i64,
    pub bookings_refunded: usize,
    pub refund: String,
}

/// One approved booking that loses units.
struct Line {
    booking_id: i64,
    participant_id: i64,
    item: usize,
    quantity: i64,
    kept: i64,
    unit_price: i64,
    refund: i64,
}

/// Per item: approved and delivered units.
struct ItemTotal {
    approved: i64,
    delivered: i64,
    refund: i64,
}

/// What a delivery does to a deal, computed and not yet written.
struct Plan {
    deal: Deal,
    rule: Rule,
    level: i64,
    items: Vec<ItemTotal>,
    lines: Vec<Line>,
}

impl Plan {
    fn missing(&self) -> i64 {
        self.items.iter().map(|i| i.approved - i.delivered).sum()
    }

    fn refunded(&self) -> i64 {
        self.lines.iter().map(|l| l.refund).sum()
    }
}

/// Reads the arguments, checks the deal, and computes the delivery.
fn plan(ctx: &Ctx, req: Delivery) -> Result<Plan> {
    let Delivery {
        deal_id,
        rule,
        delivered: given,
    } = req;
    let deal = deals::load(ctx.tx, deal_id)?;
    match deal.status {
        Status::Settled => {}
        Status::Failed | Status::Cancelled => {
            return Err(Error::conflict(format!(
                "deal {deal_id} is {}: nothing was bought, so nothing is delivered",
                deal.status.as_str()
            )))
        }
        s => {
            return Err(Error::conflict(format!(
                "deal {deal_id} is {}: a delivery is recorded once the deal is settled",
                s.as_str()
            )))
        }
    }
    if let Some(at) = recorded_at(ctx.tx, deal_id)? {
        return Err(Error::conflict(format!(
            "the delivery of deal {deal_id} was already recorded at {at}: it is recorded once"
        )));
    }
    let level = store::settlements::get(ctx.tx, deal_id)?
        .ok_or_else(|| Error::not_found(format!("deal {deal_id} has no recorded settlement")))?
        .level;

    // The approved bookings, per item, in booking order.
    let n = deal.terms.items.len();
    let mut bookings: Vec<Vec<(i64, i64, i64)>> = vec![vec![]; n];
    for (id, participant, item, quantity) in store::deliveries::approved_bookings(ctx.tx, deal_id)?
    {
        let list = usize::try_from(item)
            .ok()
            .and_then(|i| bookings.get_mut(i))
            .ok_or_else(|| Error::Storage(format!("booking {id} has no item {item}")))?;
        list.push((id, participant, quantity));
    }
    let mut items: Vec<ItemTotal> = bookings
        .iter()
        .map(|b| {
            let approved = b.iter().map(|x| x.2).sum();
            ItemTotal {
                approved,
                delivered: approved,
                refund: 0,
            }
        })
        .collect();
    let mut named = vec![false; n];
    for (f, name, quantity) in given {
        let i = deal.terms.item_index(&name).ok_or_else(|| {
            Error::validation(
                format!("{f}.item"),
                format!("deal {deal_id} has no item {name:?}"),
            )
        })?;
        if std::mem::replace(&mut named[i], true) {
            return Err(Error::validation(
                format!("{f}.item"),
                format!("item {:?} is listed twice", deal.terms.items[i].name),
            ));
        }
        let approved = items[i].approved;
        if quantity > approved {
            return Err(Error::validation(
                format!("{f}.quantity"),
                format!(
                    "{quantity} is more than the {approved} approved of {:?}",
                    deal.terms.items[i].name
                ),
            ));
        }
        items[i].delivered = quantity;
    }

    let mut lines = vec![];
    for (i, list) in bookings.iter().enumerate() {
        let total = &mut items[i];
        if total.delivered == total.approved {
            continue;
        }
        let ids: Vec<(i64, i64)> = list.iter().map(|b| (b.0, b.2)).collect();
        let kept = split(rule, &ids, total.delivered);
        let unit_price = deal.terms.unit_price(i, level);
        for (&(booking_id, participant_id, quantity), kept) in list.iter().zip(kept) {
            if kept == quantity {
                continue;
            }
            let refund = money::times("delivered", unit_price, quantity - kept)?;
            total.refund += refund;
            lines.push(Line {
                booking_id,
                participant_id,
                item: i,
                quantity,
                kept,
                unit_price,
                refund,
            });
        }
    }
    lines.sort_unstable_by_key(|l| l.booking_id);
    Ok(Plan {
        deal,
        rule,
        level,
        items,
        lines,
    })
}

/// The report of a delivery: per item, per booking that lost units (with its
/// refund entry once written), the totals and the event.
fn report(plan: &Plan, entries: Option<Vec<EntryView>>, events: Vec<Event>) -> DeliveryReport {
    let deal = &plan.deal;
    let c = deal.currency();
    let mut entries = entries.map(Vec::into_iter);
    DeliveryReport {
        deal_id: deal.id,
        rule: plan.rule.as_str(),
        level: plan.level,
        currency: c.code(),
        items: plan
            .items
            .iter()
            .enumerate()
            .map(|(i, t)| DeliveredItem {
                item: deal.terms.items[i].name.clone(),
                approved: t.approved,
                delivered: t.delivered,
                missing: t.approved - t.delivered,
                final_unit_price: c.format(deal.terms.unit_price(i, plan.level)),
                refund: c.format(t.refund),
            })
            .collect(),
        lines: plan
            .lines
            .iter()
            .map(|l| DeliveryLine {
                booking_id: l.booking_id,
                participant_id: l.participant_id,
                item: deal.terms.items[l.item].name.clone(),
                quantity: l.quantity,
                kept: l.kept,
                lost: l.quantity - l.kept,
                final_unit_price: c.format(l.unit_price),
                refund: c.format(l.refund),
                entry: entries.as_mut().and_then(Iterator::next),
            })
            .collect(),
        totals: DeliveryTotals {
            approved: plan.items.iter().map(|t| t.approved).sum(),
            delivered: plan.items.iter().map(|t| t.delivered).sum(),
            missing: plan.missing(),
            bookings_refunded: plan.lines.len(),
            refund: c.format(plan.refunded()),
        },
        events,
    }
}

/// The notification text: the units missing per item and the bookings refunded.
fn message(plan: &Plan) -> String {
    let deal = &plan.deal;
    let c = deal.currency();
    let missing = plan.missing();
    let per_item = plan
        .items
        .iter()
        .enumerate()
        .filter(|(_, t)| t.delivered < t.approved)
        .map(|(i, t)| {
            format!(
                "{} {} of {} delivered",
                deal.terms.items[i].name, t.delivered, t.approved
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    const NAMED: usize = 5;
    let mut refunded = plan
        .lines
        .iter()
        .take(NAMED)
        .map(|l| {
            format!(
                "booking {} ({} {})",
                l.booking_id,
                l.quantity - l.kept,
                if l.quantity - l.kept == 1 {
                    "unit"
                } else {
                    "units"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if plan.lines.len() > NAMED {
        refunded.push_str(&format!(" and {} more", plan.lines.len() - NAMED));
    }
    format!(
        "\"{}\": the delivery was {missing} {} short ({per_item}); refunded {} {} to {} {}: {refunded}",
        deal.terms.title,
        if missing == 1 { "unit" } else { "units" },
        c.format(plan.refunded()),
        c.code(),
        plan.lines.len(),
        if plan.lines.len() == 1 { "booking" } else { "bookings" },
    )
}

/// Records what the merchant delivered for a settled deal, once: the
/// bookings' kept units, a refund for each unit not delivered, the event.
pub fn record_delivery(ctx: &Ctx, req: Delivery) -> Result<DeliveryReport> {
    let plan = plan(ctx, req)?;
    let deal = &plan.deal;
    let now = ctx.now_text();
    store::deliveries::insert(
        ctx.tx,
        &store::deliveries::NewDelivery {
            deal_id: deal.id,
            rule: plan.rule.as_str(),
            missing: plan.missing(),
            refunded: plan.refunded(),
            recorded_at: &now,
        },
    )?;
    let mut batch = ledger::Batch::default();
    let mut ids = Vec::with_capacity(plan.lines.len());
    for l in &plan.lines {
        store::deliveries::set_kept(ctx.tx, l.booking_id, l.kept)?;
        let lost = l.quantity - l.kept;
        let memo = format!(
            "not delivered: {lost} of {} {}",
            l.quantity, deal.terms.items[l.item].name
        );
        let mut e = NewEntry::booking(
            Kind::Refund,
            l.participant_id,
            deal.id,
            l.booking_id,
            deal.currency(),
            l.refund,
        );
        e.memo = Some(&memo);
        let id = batch.post(ctx, &e)?;
        store::deliveries::link_refund(ctx.tx, id, deal.id, l.booking_id, lost)?;
        ids.push(id);
    }
    batch.finish(ctx)?;
    let events = if plan.missing() > 0 {
        let level = plan.level;
        vec![notifications::record_event(
            ctx,
            deal,
            EventKind::DeliveryShort,
            level,
            level,
            message(&plan),
        )?]
    } else {
        vec![]
    };
    let entries = ledger::entry_views(ctx.tx, &ids)?;
    Ok(report(&plan, Some(entries), events))
}

/// What `record_delivery` with the same arguments would do; nothing is written.
pub fn preview_delivery(ctx: &Ctx, req: Delivery) -> Result<DeliveryReport> {
    let plan = plan(ctx, req)?;
    Ok(report(&plan, None, vec![]))
}

/// When the delivery of a deal was recorded, if it was.
pub fn recorded_at(tx: &rusqlite::Transaction, deal_id: i64) -> Result<Option<String>> {
    store::deliveries::recorded_at(tx, deal_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(q: &[i64]) -> Vec<(i64, i64)> {
        q.iter()
            .enumerate()
            .map(|(i, &q)| (i as i64 + 1, q))
            .collect()
    }

    #[test]
    fn spec_section_12_example() {
        assert_eq!(split(Rule::BookingOrder, &ids(&[5, 3, 2]), 7), [5, 2, 0]);
        assert_eq!(split(Rule::Proportional, &ids(&[5, 3, 2]), 7), [4, 2, 1]);
    }

    #[test]
    fn edges() {
        for rule in [Rule::BookingOrder, Rule::Proportional] {
            assert_eq!(split(rule, &ids(&[5, 3, 2]), 10), [5, 3, 2]);
            assert_eq!(split(rule, &ids(&[5, 3, 2]), 0), [0, 0, 0]);
            assert_eq!(split(rule, &ids(&[]), 0), Vec::<i64>::new());
        }
        // Equal remainders: the lower booking id wins.
        assert_eq!(split(Rule::Proportional, &ids(&[1, 1, 1]), 2), [1, 1, 0]);
        assert_eq!(
            split(Rule::Proportional, &[(9, 1), (4, 1), (7, 1)], 1),
            [0, 1, 0]
        );
        // No overflow at the largest quantities.
        let big = [(1, MAX_QTY), (2, MAX_QTY), (3, 1)];
        let kept = split(Rule::Proportional, &big, 2 * MAX_QTY);
        assert_eq!(kept.iter().sum::<i64>(), 2 * MAX_QTY);
        assert!(kept.iter().zip(big).all(|(k, b)| *k <= b.1));
    }
}
