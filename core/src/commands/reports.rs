//! The organizer's reports and pickup tracking: who collects what at each
//! pickup point, the merchant's order with the organizer's commission, a
//! participant's settlement arithmetic for a deal, who owes what across
//! deals (with a reminder to copy), the text to share in the participants'
//! chat, and the exports of these (and of the ledger) to CSV or PDF.

use super::bookings;
use super::bookings::BookingView;
pub use super::deals::DealId;
use super::deals::{self, Deal, Status};
use super::deliveries;
use super::{ledger, participants, Ctx};
use crate::args::{Bool, Choice, CurrencyCode, Id, Line, Opt, Str};
use crate::charges;
use crate::error::{Error, Result};
use crate::export::Exported;
use crate::export::{self, Format, Table};
use crate::money::{self, Currency};
use crate::store::pickups::{self, PickupRow};
use crate::store::reports::{self as report_rows, DealBalance, Side};
use serde::Serialize;

// ---------------------------------------------------------------------------
// Pickup

crate::request! {
    pub struct MarkCollected { booking_id: Id, collected: Bool }
}

crate::request! {
    pub struct PickupList { deal_id: Id, pickup_point: Opt<Line> }
}

crate::request! {
    pub struct DealStatementOf { participant_id: Id, deal_id: Id }
}

crate::request! {
    /// A report over every currency, or one.
    pub struct ByCurrency { currency: Opt<CurrencyCode> }
}

crate::request! {
    pub struct ExportMerchantOrder {
        deal_id: Id,
        format: Choice<Format>,
        path: Str,
        overwrite: Bool,
    }
}

crate::request! {
    pub struct ExportPickupLists {
        deal_id: Id,
        pickup_point: Opt<Line>,
        format: Choice<Format>,
        path: Str,
        overwrite: Bool,
    }
}

crate::request! {
    pub struct ExportStatement {
        participant_id: Id,
        deal_id: Id,
        format: Choice<Format>,
        path: Str,
        overwrite: Bool,
    }
}

crate::request! {
    pub struct ExportLedger {
        currency: CurrencyCode,
        deal_id: Opt<Id>,
        participant_id: Opt<Id>,
        format: Choice<Format>,
        path: Str,
        overwrite: Bool,
    }
}

/// Who collects what at each pickup point of a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickupLists {
    pub deal_id: i64,
    pub title: String,
    pub currency: &'static str,
    pub points: Vec<PickupPoint>,
}

/// One pickup point's list (`pickup_point` null: no point chosen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickupPoint {
    pub pickup_point: Option<String>,
    pub quantity: i64,
    pub collected: usize,
    /// The units delivered, once the deal's delivery is recorded.
    pub delivered: Option<i64>,
    pub bookings: Vec<PickupBooking>,
}

/// One approved booking on a pickup list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickupBooking {
    pub booking_id: i64,
    pub participant_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub item: String,
    pub quantity: i64,
    pub delivered: Option<i64>,
    pub nothing_delivered: bool,
    pub collected: bool,
    pub collected_at: Option<String>,
    /// The participant's wallet in the deal's currency.
    pub balance: String,
    pub owes: String,
    pub paid: bool,
}

/// The order to send the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MerchantOrder {
    pub deal_id: i64,
    pub title: String,
    pub merchant: Option<String>,
    pub status: &'static str,
    pub level: i64,
    pub currency: &'static str,
    pub items: Vec<OrderItem>,
    pub quantity: i64,
    pub total: String,
    pub commission_percent: Option<String>,
    pub commission: Option<String>,
    /// Once the deal's delivery is recorded.
    #[serde(flatten)]
    pub delivery: Option<OrderDelivery>,
}

/// An item of the merchant order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderItem {
    pub item: String,
    pub quantity: i64,
    pub unit_price: String,
    pub total: String,
    /// Once the deal's delivery is recorded.
    #[serde(flatten)]
    pub delivery: Option<ItemDelivery>,
}

/// What an item's delivery brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemDelivery {
    pub delivered: i64,
    pub delivered_total: String,
}

/// A merchant order's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderDelivery {
    pub delivery_recorded_at: String,
    pub delivered_quantity: i64,
    pub delivered_total: String,
}

/// A deal's part of a wallet's balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealPart {
    pub deal_id: i64,
    pub title: String,
    pub balance: String,
}

impl DealPart {
    fn of(d: &DealBalance, c: Currency) -> DealPart {
        DealPart {
            deal_id: d.deal_id,
            title: d.title.clone(),
            balance: c.format(d.balance),
        }
    }
}

/// A participant who owes, with a reminder to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DebtView {
    pub participant_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub currency: &'static str,
    pub owes: String,
    pub owing_since: String,
    pub reference: String,
    pub deals: Vec<DealPart>,
    pub reminder: String,
}

pub type Debts = Vec<DebtView>;

/// A wallet the organizer owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutDue {
    pub participant_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub currency: &'static str,
    pub owed: String,
    pub deals: Vec<DealPart>,
}

pub type PayoutsDue = Vec<PayoutDue>;

/// The message for the participants' chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareText {
    pub deal_id: i64,
    pub text: String,
    pub level: i64,
    pub next_tier: Option<crate::deal::NextTier>,
}

/// Marks an approved booking collected (or, with `collected: false`, not).
pub fn mark_collected(ctx: &Ctx, req: MarkCollected) -> Result<BookingView> {
    let booking_id = req.booking_id;
    let collected = req.collected.unwrap_or(true);
    let b = bookings::load(ctx.tx, booking_id)?;
    let deal = deals::load(ctx.tx, b.deal_id)?;
    if b.status != bookings::BookingStatus::Approved {
        return Err(Error::conflict(format!(
            "booking {booking_id} is {}: only an approved booking is collected",
            b.status.as_str()
        )));
    }
    if matches!(deal.status, Status::Failed | Status::Cancelled) {
        return Err(Error::conflict(format!(
            "deal {} is {}: there is nothing to collect",
            deal.id,
            deal.status.as_str()
        )));
    }
    if collected && b.delivered == Some(0) {
        return Err(Error::conflict(format!(
            "nothing of booking {booking_id} was delivered (it was refunded): there is nothing to collect"
        )));
    }
    pickups::set_collected(ctx.tx, booking_id, collected, &ctx.now_text())?;
    let b = bookings::load(ctx.tx, booking_id)?;
    Ok(b.view(&deal, bookings::charged(ctx.tx, b.id)?))
}

fn pickup_rows(ctx: &Ctx, deal: &Deal) -> Result<Vec<PickupRow>> {
    pickups::rows(ctx.tx, deal.id, deal.currency().code())
}

/// The pickup points of a deal's list, in the deal's order, then `None`
/// (no point chosen) when a booking has none; only `only` when given.
fn points(deal: &Deal, rows: &[PickupRow], only: Option<&str>) -> Vec<Option<String>> {
    let mut pts: Vec<Option<String>> = deal
        .terms
        .pickup_points
        .iter()
        .filter(|p| rows.iter().any(|r| r.pickup_point.as_ref() == Some(*p)))
        .cloned()
        .map(Some)
        .collect();
    // A point removed from the deal but chosen by a booking still shows.
    for r in rows {
        if r.pickup_point.is_some() && !pts.contains(&r.pickup_point) {
            pts.push(r.pickup_point.clone());
        }
    }
    if rows.iter().any(|r| r.pickup_point.is_none()) {
        pts.push(None);
    }
    if let Some(o) = only {
        pts.retain(|p| p.as_deref() == Some(o));
    }
    pts
}

fn check_pickup_point(only: Option<String>, deal: &Deal) -> Result<Option<String>> {
    if let Some(p) = &only {
        if !deal.terms.pickup_points.contains(p) {
            return Err(Error::validation(
                "pickup_point",
                format!("{p:?} is not one of the deal's pickup points"),
            ));
        }
    }
    Ok(only)
}

/// Who collects what at each pickup point, paid or owing.
pub fn pickup_list(ctx: &Ctx, req: PickupList) -> Result<PickupLists> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let only = check_pickup_point(req.pickup_point, &deal)?;
    let c = deal.currency();
    let rows = pickup_rows(ctx, &deal)?;
    let points = points(&deal, &rows, only.as_deref())
        .into_iter()
        .map(|pt| {
            let mine: Vec<&PickupRow> = rows.iter().filter(|r| r.pickup_point == pt).collect();
            PickupPoint {
                pickup_point: pt,
                quantity: mine.iter().map(|r| r.quantity).sum::<i64>(),
                collected: mine.iter().filter(|r| r.collected_at.is_some()).count(),
                delivered: delivered_sum(&mine),
                bookings: mine
                    .iter()
                    .map(|r| PickupBooking {
                        booking_id: r.booking_id,
                        participant_id: r.participant_id,
                        name: r.name.clone(),
                        phone: r.phone.clone(),
                        item: deal.terms.items[r.item].name.clone(),
                        quantity: r.quantity,
                        delivered: r.delivered,
                        nothing_delivered: r.delivered == Some(0),
                        collected: r.collected_at.is_some(),
                        collected_at: r.collected_at.clone(),
                        balance: c.format(r.balance),
                        owes: c.format((-r.balance).max(0)),
                        paid: r.balance >= 0,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(PickupLists {
        deal_id: deal.id,
        title: deal.terms.title.clone(),
        currency: c.code(),
        points,
    })
}

/// The units delivered to `rows`, once the delivery is recorded.
fn delivered_sum(rows: &[&PickupRow]) -> Option<i64> {
    rows.iter()
        .map(|r| r.delivered)
        .try_fold(0, |sum, d| d.map(|d| sum + d))
        .filter(|_| !rows.is_empty())
}

fn pickup_tables(ctx: &Ctx, deal: &Deal, only: Option<&str>) -> Result<Vec<Table>> {
    let c = deal.currency();
    let rows = pickup_rows(ctx, deal)?;
    // Once the delivery is recorded, what each booking gets.
    let delivery = deliveries::recorded_at(ctx.tx, deal.id)?.is_some();
    Ok(points(deal, &rows, only)
        .into_iter()
        .map(|pt| {
            let name = pt
                .clone()
                .unwrap_or_else(|| "No pickup point chosen".into());
            let mut columns = vec![
                ("participant", false),
                ("phone", false),
                ("item", false),
                ("quantity", true),
            ];
            if delivery {
                columns.push(("delivered", true));
            }
            columns.extend([("paid or owing", false), ("collected", false)]);
            let mut t = Table::new(format!("{}: pickup at {name}", deal.terms.title), &columns);
            let mine: Vec<&PickupRow> = rows.iter().filter(|r| r.pickup_point == pt).collect();
            t.notes.push(format!(
                "{} bookings, {} units{}, {} collected",
                mine.len(),
                mine.iter().map(|r| r.quantity).sum::<i64>(),
                delivered_sum(&mine)
                    .map(|d| format!(" ordered, {d} delivered"))
                    .unwrap_or_default(),
                mine.iter().filter(|r| r.collected_at.is_some()).count()
            ));
            for r in &mine {
                let mut row = vec![
                    r.name.clone(),
                    r.phone.clone().unwrap_or_default(),
                    deal.terms.items[r.item].name.clone(),
                    r.quantity.to_string(),
                ];
                if delivery {
                    row.push(r.delivered.map(|d| d.to_string()).unwrap_or_default());
                }
                row.push(if r.balance >= 0 {
                    "paid".into()
                } else {
                    format!("owes {} {}", c.format(-r.balance), c.code())
                });
                row.push(
                    if r.collected_at.is_some() {
                        "yes"
                    } else if r.delivered == Some(0) {
                        "nothing delivered"
                    } else {
                        "[  ]"
                    }
                    .into(),
                );
                t.rows.push(row);
            }
            t
        })
        .collect())
}

// ---------------------------------------------------------------------------
// Merchant order

/// The order to send the merchant: per item the approved quantity, the
/// unit price at the deal's level, the total, and the organizer's commission.
fn merchant_table(ctx: &Ctx, deal: &Deal) -> Result<(Table, MerchantOrder)> {
    let c = deal.currency();
    let level = deal.level();
    // Once the delivery is recorded: ordered and delivered side by side.
    let delivery = deliveries::recorded_at(ctx.tx, deal.id)?;
    // The approved quantity of each item is kept with the deal; what was
    // delivered is read from the bookings, once there is a delivery.
    let qty = &deal.item_approved;
    let mut got = vec![0i64; deal.terms.items.len()];
    if delivery.is_some() {
        for (i, d) in report_rows::delivered_per_item(ctx.tx, deal.id)? {
            let Some(gi) = got.get_mut(i) else {
                return Err(Error::Storage(format!(
                    "corrupt booking of deal {}: item {i} out of range",
                    deal.id
                )));
            };
            *gi = d;
        }
    }
    let mut columns = vec![("item", false), ("quantity", true)];
    if delivery.is_some() {
        columns.push(("delivered", true));
    }
    columns.extend([("unit price", true), ("total", true)]);
    if delivery.is_some() {
        columns.push(("delivered total", true));
    }
    let mut t = Table::new(format!("Order for {}", deal.terms.title), &columns);
    t.notes.push(format!(
        "Merchant: {}. Status: {}, level {}, {} units approved. Currency {}.",
        deal.terms.merchant.as_deref().unwrap_or("not set"),
        deal.status.as_str(),
        level_name(level),
        deal.approved_qty,
        c.code()
    ));
    let mut items = vec![];
    let (mut total, mut delivered_total) = (0i64, 0i64);
    for (i, item) in deal.terms.items.iter().enumerate() {
        let unit = deal.terms.unit_price(i, level);
        let line = money::times("quantity", unit, qty[i])?;
        let got_line = money::times("quantity", unit, got[i])?;
        total = money::add(total, line)?;
        delivered_total = money::add(delivered_total, got_line)?;
        let mut row = vec![item.name.clone(), qty[i].to_string()];
        if delivery.is_some() {
            row.push(got[i].to_string());
        }
        row.extend([c.format(unit), c.format(line)]);
        if delivery.is_some() {
            row.push(c.format(got_line));
        }
        t.rows.push(row);
        items.push(OrderItem {
            item: item.name.clone(),
            quantity: qty[i],
            unit_price: c.format(unit),
            total: c.format(line),
            delivery: delivery.is_some().then(|| ItemDelivery {
                delivered: got[i],
                delivered_total: c.format(got_line),
            }),
        });
    }
    // The commission is on what the merchant sold: the delivered total once
    // the delivery is recorded.
    let base = if delivery.is_some() {
        delivered_total
    } else {
        total
    };
    let commission = deal
        .terms
        .commission_percent
        .map(|p| money::percent_of(base, p));
    let mut totals = vec![String::new(), deal.approved_qty.to_string()];
    if delivery.is_some() {
        totals.push(got.iter().sum::<i64>().to_string());
    }
    totals.extend([String::new(), c.format(total)]);
    if delivery.is_some() {
        totals.push(c.format(delivered_total));
        t.notes.push(format!(
            "Delivery recorded at {}: {} of {} units delivered.",
            delivery.as_deref().unwrap_or_default(),
            got.iter().sum::<i64>(),
            deal.approved_qty
        ));
    }
    t.totals = Some(totals);
    if let (Some(p), Some(cm)) = (deal.terms.commission_percent, commission) {
        t.notes.push(format!(
            "Organizer commission: {p}% of {} = {} {}",
            c.format(base),
            c.format(cm),
            c.code()
        ));
    }
    let order = MerchantOrder {
        deal_id: deal.id,
        title: deal.terms.title.clone(),
        merchant: deal.terms.merchant.clone(),
        status: deal.status.as_str(),
        level,
        currency: c.code(),
        items,
        quantity: deal.approved_qty,
        total: c.format(total),
        commission_percent: deal.terms.commission_percent.map(|p| p.to_string()),
        commission: commission.map(|m| c.format(m)),
        delivery: delivery.map(|at| OrderDelivery {
            delivery_recorded_at: at,
            delivered_quantity: got.iter().sum::<i64>(),
            delivered_total: c.format(delivered_total),
        }),
    };
    Ok((t, order))
}

fn level_name(level: i64) -> String {
    match level {
        l if l < 0 => "below the minimum".into(),
        0 => "minimum (base prices)".into(),
        l => format!("tier {l}"),
    }
}

pub fn merchant_order(ctx: &Ctx, req: DealId) -> Result<MerchantOrder> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    Ok(merchant_table(ctx, &deal)?.1)
}

// ---------------------------------------------------------------------------
// A participant's statement for a deal: the settlement arithmetic

struct Arithmetic {
    table: Table,
    json: DealStatement,
}

/// A participant's settlement arithmetic in a deal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealStatement {
    pub deal_id: i64,
    pub participant_id: i64,
    pub name: String,
    pub currency: &'static str,
    pub status: &'static str,
    /// "settled", "failed", "cancelled", "if it ended now" or "if it ended now: failed".
    pub outcome: &'static str,
    pub final_level: Option<i64>,
    pub lines: Vec<StatementLine>,
    pub totals: StatementTotals,
    pub balance: String,
    pub reference: String,
}

/// One booking's line in a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub booking_id: i64,
    pub item: String,
    pub quantity: i64,
    pub base_price: String,
    pub final_level: Option<i64>,
    pub final_unit_price: Option<String>,
    pub final_total: String,
    pub charged_at_approval: String,
    pub refund: String,
    pub due: String,
    /// Once the deal's delivery is recorded.
    #[serde(flatten)]
    pub delivery: Option<LineDelivery>,
}

/// A statement line's delivery (SPEC section 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineDelivery {
    pub delivered: Option<i64>,
    pub not_delivered: Option<i64>,
    pub delivery_refund: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementTotals {
    pub final_total: String,
    pub charged_at_approval: String,
    pub refund: String,
    pub due: String,
    /// Once the deal's delivery is recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_refund: Option<String>,
}

fn deal_statement_of(ctx: &Ctx, deal: &Deal, participant_id: i64) -> Result<Arithmetic> {
    let person = participants::require(ctx.tx, participant_id)?;
    let c = deal.currency();
    // Ended deals use what was recorded; an open one "if it ended now".
    let basis = charges::Basis::of(ctx.tx, deal)?;
    let final_level = basis.final_level();
    let outcome = match deal.status {
        Status::Settled | Status::Failed | Status::Cancelled => basis.outcome.as_str(),
        _ if final_level.is_none() => "if it ended now: failed",
        _ => "if it ended now",
    };
    let delivery = deliveries::recorded_at(ctx.tx, deal.id)?.is_some();
    let mut columns = vec![
        ("item", false),
        ("quantity", true),
        ("base price", true),
        ("final tier", false),
        ("final price", true),
        ("final total", true),
        ("charged at approval", true),
        // What the final price takes off what approval charged: it goes
        // back to the wallet whether or not anything was paid, so it is a
        // price reduction, not a refund of money handed over.
        ("price reduction", true),
        ("charged at the end", true),
    ];
    if delivery {
        columns.extend([("delivered", true), ("refund not delivered", true)]);
    }
    let mut t = Table::new(
        format!("{}: statement of {}", deal.terms.title, person.name),
        &columns,
    );
    let mut lines = vec![];
    let mut sum = charges::Totals::default();
    charges::for_each_line(ctx.tx, deal, &basis, Some(participant_id), |l| {
        sum.add(&l)?;
        let (item, qty, unit) = (l.item, l.quantity, l.final_unit_price);
        let base = deal.terms.items[item].base_price;
        let tier = final_level.map_or("none (no sale)".to_string(), level_name);
        let mut row = vec![
            deal.terms.items[item].name.clone(),
            qty.to_string(),
            c.format(base),
            tier.clone(),
            unit.map(|u| c.format(u)).unwrap_or_default(),
            c.format(l.final_total),
            c.format(l.charged_before),
            c.format(l.refund),
            c.format(l.due),
        ];
        if delivery {
            row.extend([
                l.delivered.map(|d| d.to_string()).unwrap_or_default(),
                c.format(l.delivery_refund),
            ]);
        }
        t.rows.push(row);
        lines.push(StatementLine {
            booking_id: l.booking_id,
            item: deal.terms.items[item].name.clone(),
            quantity: qty,
            base_price: c.format(base),
            final_level,
            final_unit_price: unit.map(|u| c.format(u)),
            final_total: c.format(l.final_total),
            charged_at_approval: c.format(l.charged_before),
            refund: c.format(l.refund),
            due: c.format(l.due),
            delivery: delivery.then(|| LineDelivery {
                delivered: l.delivered,
                not_delivered: l.delivered.map(|d| qty - d),
                delivery_refund: c.format(l.delivery_refund),
            }),
        });
        Ok(())
    })?;
    let (sum_final, sum_charged, sum_refund, sum_due, sum_short) = (
        sum.final_total,
        sum.charged_before,
        sum.refund,
        sum.due,
        sum.delivery_refund,
    );
    let mut totals = vec![String::new(); 5];
    totals.extend([
        c.format(sum_final),
        c.format(sum_charged),
        c.format(sum_refund),
        c.format(sum_due),
    ]);
    if delivery {
        totals.extend([String::new(), c.format(sum_short)]);
        t.notes.push(format!(
            "Not delivered: refunded {} {} at the final price.",
            c.format(sum_short),
            c.code()
        ));
    }
    t.totals = Some(totals);
    let balance = ledger::wallet_balance(ctx.tx, participant_id, c)?;
    let reference = participants::reference(participant_id);
    t.notes.push(format!(
        "Deal status: {} ({outcome}). Payment: {}.",
        deal.status.as_str(),
        match &deal.terms.payment {
            crate::deal::Payment::Full => "full price at approval".to_string(),
            crate::deal::Payment::Deposit(p) => format!("deposit of {p}% at approval"),
        }
    ));
    t.notes.push(format!(
        "{}, every deal and payment counted. Your payment reference: {reference}",
        match balance {
            b if b < 0 => format!("You owe {} {}", c.format(-b), c.code()),
            b if b > 0 => format!("You are owed {} {}", c.format(b), c.code()),
            _ => format!("You are square in {}", c.code()),
        }
    ));
    let json = DealStatement {
        deal_id: deal.id,
        participant_id,
        name: person.name,
        currency: c.code(),
        status: deal.status.as_str(),
        outcome,
        final_level,
        lines,
        totals: StatementTotals {
            final_total: c.format(sum_final),
            charged_at_approval: c.format(sum_charged),
            refund: c.format(sum_refund),
            due: c.format(sum_due),
            delivery_refund: delivery.then(|| c.format(sum_short)),
        },
        balance: c.format(balance),
        reference,
    };
    Ok(Arithmetic { table: t, json })
}

pub fn deal_statement(ctx: &Ctx, req: DealStatementOf) -> Result<DealStatement> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    Ok(deal_statement_of(ctx, &deal, req.participant_id)?.json)
}

// ---------------------------------------------------------------------------
// Who owes what

struct Debt {
    participant_id: i64,
    name: String,
    email: Option<String>,
    currency: Currency,
    owes: i64,
    since: String,
    /// The deals whose entries leave the wallet owing.
    deals: Vec<DealBalance>,
}

fn debts(ctx: &Ctx, currency: Option<Currency>) -> Result<Vec<Debt>> {
    let wallets = report_rows::wallets(ctx.tx, Side::Owes, currency.map(|c| c.code()))?;
    let mut out = vec![];
    for w in wallets {
        // Owing since the entry that last took the balance below zero.
        let mut running = 0i64;
        let mut since = String::new();
        for (signed, at) in report_rows::wallet_moves(ctx.tx, w.participant_id, &w.currency)? {
            let next = money::add(running, signed)?;
            if running >= 0 && next < 0 {
                since = at;
            }
            running = next;
        }
        let deals = report_rows::deal_balances(ctx.tx, w.participant_id, &w.currency, Side::Owes)?;
        out.push(Debt {
            participant_id: w.participant_id,
            name: w.name,
            email: w.email,
            currency: Currency::stored(&w.currency)?,
            owes: -w.balance,
            since,
            deals,
        });
    }
    out.sort_by(|a, b| {
        a.since
            .cmp(&b.since)
            .then(a.participant_id.cmp(&b.participant_id))
            .then(a.currency.code().cmp(b.currency.code()))
    });
    Ok(out)
}

/// "Mon 23 Nov" from a stored UTC time (as it is, if it does not parse).
fn since_day(since: &str, now: crate::clock::Time) -> String {
    crate::clock::Moment::parse("since", since)
        .map(|m| m.human_day(now))
        .unwrap_or_else(|_| since.to_string())
}

fn reminder(d: &Debt, now: crate::clock::Time) -> String {
    let c = d.currency;
    let what = if d.deals.is_empty() {
        String::new()
    } else {
        format!(
            " for {}",
            d.deals
                .iter()
                .map(|d| format!("\"{}\"", d.title))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "Hi {}, a friendly reminder from your group buy: you owe {} {}{what}, since {}. \
         Please pay with the reference {} so your payment is matched to you. Thank you!",
        d.name,
        c.format_grouped(d.owes),
        c.code(),
        since_day(&d.since, now),
        participants::reference(d.participant_id)
    )
}

/// Outstanding balances across deals, oldest debt first, with a reminder.
pub fn outstanding(ctx: &Ctx, req: ByCurrency) -> Result<Debts> {
    let currency = req.currency;
    Ok(debts(ctx, currency)?
        .iter()
        .map(|d| {
            let c = d.currency;
            DebtView {
                participant_id: d.participant_id,
                name: d.name.clone(),
                email: d.email.clone(),
                currency: c.code(),
                owes: c.format(d.owes),
                owing_since: d.since.clone(),
                reference: participants::reference(d.participant_id),
                deals: d.deals.iter().map(|b| DealPart::of(b, c)).collect(),
                reminder: reminder(d, ctx.now),
            }
        })
        .collect())
}

/// `payouts_due`: the other direction of `outstanding`, every wallet the
/// organizer owes (a positive balance: a refund after settlement, an
/// overpayment), by name, with the deals it comes from.
pub fn payouts_due(ctx: &Ctx, req: ByCurrency) -> Result<PayoutsDue> {
    let currency = req.currency;
    report_rows::wallets(ctx.tx, Side::Owed, currency.map(|c| c.code()))?
        .into_iter()
        .map(|w| {
            let c = Currency::stored(&w.currency)?;
            let deals =
                report_rows::deal_balances(ctx.tx, w.participant_id, &w.currency, Side::Owed)?;
            Ok(PayoutDue {
                participant_id: w.participant_id,
                name: w.name,
                email: w.email,
                currency: c.code(),
                owed: c.format(w.balance),
                deals: deals.iter().map(|b| DealPart::of(b, c)).collect(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Share text

/// The message for the participants' chat: the deal, its current price, and
/// what the next tier needs.
pub fn share_text(ctx: &Ctx, req: DealId) -> Result<ShareText> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let t = &deal.terms;
    let level = deal.level();
    let units = |n: i64| if n == 1 { "unit" } else { "units" };
    let prices = |l: i64| -> String {
        t.items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let p = format!(
                    "{} {}",
                    t.currency.format_grouped(t.unit_price(i, l)),
                    t.currency.code()
                );
                if t.items.len() == 1 {
                    p
                } else {
                    format!("{} {p}", it.name)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = vec![format!(
        "Group buy \"{}\"{}: {} {} booked, price now {}.",
        t.title,
        t.merchant
            .as_deref()
            .map(|m| format!(" from {m}"))
            .unwrap_or_default(),
        deal.approved_qty,
        units(deal.approved_qty),
        prices(level)
    )];
    let next = t.next_tier(deal.approved_qty);
    match (&next, deal.status) {
        (_, s) if s != Status::Open => {
            lines.push(format!("Bookings are closed: the deal is {}.", s.as_str()));
        }
        (Some(n), _) if n.level == 0 => lines.push(format!(
            "{} more {} and the deal goes ahead (minimum {}).",
            n.missing,
            units(n.missing),
            t.min_qty
        )),
        (Some(n), _) => lines.push(format!(
            "{} more {} tier {} at {}{}.",
            n.missing,
            if n.missing == 1 {
                "unit unlocks"
            } else {
                "units unlock"
            },
            n.level,
            prices(n.level),
            t.tiers[n.level as usize - 1]
                .reward
                .as_deref()
                .map(|r| format!(" (bonus: {r})"))
                .unwrap_or_default()
        )),
        (None, _) => lines.push("The best price is unlocked for everyone.".into()),
    }
    if let Some(b) = deal.buy_more() {
        let c = t.currency;
        lines.push(format!(
            "Buying {} more {} brings the group's total down from {} {code} to {} {code}: {} {code} less, with more to take home.",
            b.units,
            t.items[b.item].name,
            money::group_digits(&c.format_wide(b.total_now)),
            money::group_digits(&c.format_wide(b.total_after)),
            money::group_digits(&c.format_wide(b.total_now - b.total_after)),
            code = c.code(),
        ));
    }
    if deal.status == Status::Open {
        if let Some(stock) = t.stock {
            let left = (stock - deal.approved_qty - deal.pending_qty).max(0);
            lines.push(if left == 0 {
                "Sold out: new bookings join the waitlist.".into()
            } else {
                format!("Only {left} left.")
            });
        }
        lines.push(format!("Book before {}.", t.closes_at.human(ctx.now)));
    }
    Ok(ShareText {
        deal_id: deal.id,
        text: lines.join("\n"),
        level,
        next_tier: next,
    })
}

// ---------------------------------------------------------------------------
// Exports

/// `format` (csv or pdf), `path` and `overwrite` of an export: never one of
/// the database's own files; an existing file only with `overwrite`.
/// The checked target of an export (never one of the database's files).
fn target(ctx: &Ctx, path: &str, overwrite: Option<bool>) -> Result<export::Target> {
    let db = ctx
        .tx
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::Path::new);
    export::Target::check("path", path, db, overwrite.unwrap_or(false))
}

pub fn export_merchant_order(ctx: &Ctx, req: ExportMerchantOrder) -> Result<Exported> {
    let (format, path) = (req.format, target(ctx, &req.path, req.overwrite)?);
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let (table, _) = merchant_table(ctx, &deal)?;
    export::write(&path, format, &table.title.clone(), &[table])
}

pub fn export_pickup_lists(ctx: &Ctx, req: ExportPickupLists) -> Result<Exported> {
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let only = check_pickup_point(req.pickup_point, &deal)?;
    let (format, path) = (req.format, target(ctx, &req.path, req.overwrite)?);
    let tables = pickup_tables(ctx, &deal, only.as_deref())?;
    export::write(
        &path,
        format,
        &format!("{}: pickup lists", deal.terms.title),
        &tables,
    )
}

pub fn export_statement(ctx: &Ctx, req: ExportStatement) -> Result<Exported> {
    let (format, path) = (req.format, target(ctx, &req.path, req.overwrite)?);
    let deal = deals::load(ctx.tx, req.deal_id)?;
    let a = deal_statement_of(ctx, &deal, req.participant_id)?;
    export::write(&path, format, &a.table.title.clone(), &[a.table])
}

/// The ledger: every entry of a currency (optionally of one deal or one
/// participant), oldest first, with the running wallet balance.
pub fn export_ledger(ctx: &Ctx, req: ExportLedger) -> Result<Exported> {
    let ExportLedger {
        currency,
        deal_id,
        participant_id,
        ..
    } = req;
    let (format, path) = (req.format, target(ctx, &req.path, req.overwrite)?);
    ledger::check_deal_currency(ctx, deal_id, currency)?;
    if let Some(p) = participant_id {
        participants::require(ctx.tx, p)?;
    }
    let mut t = Table::new(
        format!("Ledger in {}", currency.code()),
        &[
            ("entry", true),
            ("date", false),
            ("participant", false),
            ("kind", false),
            ("deal", false),
            ("booking", true),
            ("amount", true),
            ("wallet after", true),
            ("memo", false),
        ],
    );
    let mut total = 0i64;
    for r in report_rows::ledger(ctx.tx, currency.code())? {
        if participant_id.is_some_and(|p| p != r.participant_id)
            || deal_id.is_some_and(|d| r.deal_id != Some(d))
        {
            continue;
        }
        total = money::add(total, r.signed)?;
        t.rows.push(vec![
            r.id.to_string(),
            r.created_at,
            r.name,
            r.kind,
            r.deal_title.unwrap_or_default(),
            r.booking_id.map(|b| b.to_string()).unwrap_or_default(),
            currency.format(r.signed),
            currency.format(r.wallet_after),
            r.memo,
        ]);
    }
    t.notes.push(format!(
        "{} entries; amounts as they move the participant's wallet (negative: owed to the organizer). Sum: {} {}",
        t.rows.len(),
        currency.format(total),
        currency.code()
    ));
    let title = t.title.clone();
    export::write(&path, format, &title, &[t])
}
