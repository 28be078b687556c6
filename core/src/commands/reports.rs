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
use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Value};

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

pub type PickupLists = Value;
pub type MerchantOrder = Value;
pub type Debts = Value;
pub type PayoutsDue = Value;
pub type ShareText = Value;

/// Marks an approved booking collected (or, with `collected: false`, not).
pub fn mark_collected(ctx: &Ctx, req: MarkCollected) -> Result<BookingView> {
    let booking_id = req.booking_id;
    let collected = req.collected.unwrap_or(true);
    let b = bookings::load(ctx.tx, booking_id)?;
    let deal = deals::load(ctx.tx, b.deal_id)?;
    if b.status != "approved" {
        return Err(Error::conflict(format!(
            "booking {booking_id} is {}: only an approved booking is collected",
            b.status
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
    ctx.tx.execute(
        "UPDATE bookings SET collected_at = CASE WHEN ?2 THEN coalesce(collected_at, ?3) END,
            updated_at = ?3 WHERE id = ?1",
        params![booking_id, collected, ctx.now_text()],
    )?;
    let b = bookings::load(ctx.tx, booking_id)?;
    Ok(b.to_json(&deal, bookings::charged(ctx.tx, b.id)?))
}

/// One approved booking on a pickup list.
struct PickupRow {
    booking_id: i64,
    participant_id: i64,
    name: String,
    phone: Option<String>,
    item: usize,
    quantity: i64,
    pickup_point: Option<String>,
    collected_at: Option<String>,
    /// The participant's wallet in the deal's currency (negative: owes).
    balance: i64,
    /// The units it kept, once the deal's delivery is recorded.
    delivered: Option<i64>,
}

fn pickup_rows(ctx: &Ctx, deal: &Deal) -> Result<Vec<PickupRow>> {
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT b.id, b.participant_id, p.name, p.phone, b.item, b.quantity, b.pickup_point,
                b.collected_at, coalesce(w.balance, 0), b.delivered
         FROM bookings b JOIN participants p ON p.id = b.participant_id
         LEFT JOIN wallets w ON w.participant_id = b.participant_id AND w.currency = ?2
         WHERE b.deal_id = ?1 AND b.status = 'approved'
         ORDER BY p.name COLLATE NOCASE, p.id, b.id",
    )?;
    let rows = stmt
        .query_map(params![deal.id, deal.currency().code()], |r| {
            Ok(PickupRow {
                booking_id: r.get(0)?,
                participant_id: r.get(1)?,
                name: r.get(2)?,
                phone: r.get(3)?,
                item: r.get::<_, i64>(4)? as usize,
                quantity: r.get(5)?,
                pickup_point: r.get(6)?,
                collected_at: r.get(7)?,
                balance: r.get(8)?,
                delivered: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
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
    let lists: Vec<Value> = points(&deal, &rows, only.as_deref())
        .into_iter()
        .map(|pt| {
            let mine: Vec<&PickupRow> = rows.iter().filter(|r| r.pickup_point == pt).collect();
            json!({
                "pickup_point": pt,
                "quantity": mine.iter().map(|r| r.quantity).sum::<i64>(),
                "collected": mine.iter().filter(|r| r.collected_at.is_some()).count(),
                "delivered": delivered_sum(&mine),
                "bookings": mine.iter().map(|r| json!({
                    "booking_id": r.booking_id,
                    "participant_id": r.participant_id,
                    "name": r.name,
                    "phone": r.phone,
                    "item": deal.terms.items[r.item].name,
                    "quantity": r.quantity,
                    "delivered": r.delivered,
                    "nothing_delivered": r.delivered == Some(0),
                    "collected": r.collected_at.is_some(),
                    "collected_at": r.collected_at,
                    "balance": c.format(r.balance),
                    "owes": c.format((-r.balance).max(0)),
                    "paid": r.balance >= 0,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(
        json!({"deal_id": deal.id, "title": deal.terms.title, "currency": c.code(),
              "points": lists}),
    )
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
fn merchant_table(ctx: &Ctx, deal: &Deal) -> Result<(Table, Value)> {
    let c = deal.currency();
    let level = deal.level();
    let mut qty = vec![0i64; deal.terms.items.len()];
    let mut got = vec![0i64; deal.terms.items.len()];
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT item, sum(quantity), coalesce(sum(delivered), 0) FROM bookings
         WHERE deal_id = ?1 AND status = 'approved' GROUP BY item",
    )?;
    for r in stmt.query_map([deal.id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })? {
        let (i, q, d) = r?;
        qty[i as usize] = q;
        got[i as usize] = d;
    }
    // Once the delivery is recorded: ordered and delivered side by side.
    let delivery = deliveries::recorded_at(ctx.tx, deal.id)?;
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
        let mut v = json!({
            "item": item.name, "quantity": qty[i], "unit_price": c.format(unit),
            "total": c.format(line),
        });
        if delivery.is_some() {
            v["delivered"] = got[i].into();
            v["delivered_total"] = c.format(got_line).into();
        }
        items.push(v);
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
    let mut v = json!({
        "deal_id": deal.id, "title": deal.terms.title, "merchant": deal.terms.merchant,
        "status": deal.status.as_str(), "level": level, "currency": c.code(),
        "items": items, "quantity": deal.approved_qty, "total": c.format(total),
        "commission_percent": deal.terms.commission_percent.map(|p| p.to_string()),
        "commission": commission.map(|m| c.format(m)),
    });
    if let Some(at) = delivery {
        v["delivery_recorded_at"] = at.into();
        v["delivered_quantity"] = got.iter().sum::<i64>().into();
        v["delivered_total"] = c.format(delivered_total).into();
    }
    Ok((t, v))
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
    /// (deal id, title, what the deal's entries leave owing).
    deals: Vec<(i64, String, i64)>,
}

fn debts(ctx: &Ctx, currency: Option<Currency>) -> Result<Vec<Debt>> {
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT w.participant_id, p.name, p.email, w.currency, w.balance FROM wallets w
         JOIN participants p ON p.id = w.participant_id
         WHERE w.balance < 0 AND (?1 IS NULL OR w.currency = ?1)",
    )?;
    let wallets = stmt
        .query_map([currency.map(|c| c.code())], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut entries = ctx.tx.prepare_cached(
        "SELECT signed, created_at FROM entries WHERE participant_id = ?1 AND currency = ?2
         ORDER BY id",
    )?;
    let mut by_deal = ctx.tx.prepare_cached(
        "SELECT d.id, d.title, sum(e.signed) FROM entries e JOIN deals d ON d.id = e.deal_id
         WHERE e.participant_id = ?1 AND e.currency = ?2
         GROUP BY e.deal_id HAVING sum(e.signed) < 0 ORDER BY min(e.id)",
    )?;
    let mut out = vec![];
    for (pid, name, email, code, balance) in wallets {
        // Owing since the entry that last took the balance below zero.
        let mut running = 0i64;
        let mut since = String::new();
        for r in entries.query_map(params![pid, code], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })? {
            let (signed, at) = r?;
            let next = money::add(running, signed)?;
            if running >= 0 && next < 0 {
                since = at;
            }
            running = next;
        }
        let deals = by_deal
            .query_map(params![pid, code], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    -r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(Debt {
            participant_id: pid,
            name,
            email,
            currency: Currency::stored(&code)?,
            owes: -balance,
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
                .map(|(_, t, _)| format!("\"{t}\""))
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
            json!({
                "participant_id": d.participant_id, "name": d.name, "email": d.email,
                "currency": c.code(), "owes": c.format(d.owes), "owing_since": d.since,
                "reference": participants::reference(d.participant_id),
                "deals": d.deals.iter().map(|(id, t, m)| json!({"deal_id": id, "title": t, "balance": c.format(-*m)}))
                    .collect::<Vec<_>>(),
                "reminder": reminder(d, ctx.now),
            })
        })
        .collect())
}

/// `payouts_due`: the other direction of `outstanding`, every wallet the
/// organizer owes (a positive balance: a refund after settlement, an
/// overpayment), by name, with the deals it comes from.
pub fn payouts_due(ctx: &Ctx, req: ByCurrency) -> Result<PayoutsDue> {
    let currency = req.currency;
    let mut stmt = ctx.tx.prepare_cached(
        "SELECT w.participant_id, p.name, p.email, w.currency, w.balance FROM wallets w
         JOIN participants p ON p.id = w.participant_id
         WHERE w.balance > 0 AND (?1 IS NULL OR w.currency = ?1)
         ORDER BY p.name COLLATE NOCASE, w.participant_id, w.currency",
    )?;
    let wallets = stmt
        .query_map([currency.map(|c| c.code())], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut by_deal = ctx.tx.prepare_cached(
        "SELECT d.id, d.title, sum(e.signed) FROM entries e JOIN deals d ON d.id = e.deal_id
         WHERE e.participant_id = ?1 AND e.currency = ?2
         GROUP BY e.deal_id HAVING sum(e.signed) > 0 ORDER BY min(e.id)",
    )?;
    let mut out = vec![];
    for (pid, name, email, code, balance) in wallets {
        let c = Currency::stored(&code)?;
        let deals = by_deal
            .query_map(params![pid, code], |r| {
                Ok(
                    json!({"deal_id": r.get::<_, i64>(0)?, "title": r.get::<_, String>(1)?,
                          "balance": c.format(r.get(2)?)}),
                )
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push(json!({
            "participant_id": pid, "name": name, "email": email, "currency": c.code(),
            "owed": c.format(balance), "deals": deals,
        }));
    }
    Ok(Value::Array(out))
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
    Ok(json!({
        "deal_id": deal.id,
        "text": lines.join("\n"),
        "level": level,
        "next_tier": next.map(|n| json!({"level": n.level, "min_qty": n.min_qty, "missing": n.missing})),
    }))
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
    let mut stmt = ctx.tx.prepare(
        "SELECT e.id, e.created_at, p.name, e.participant_id, e.kind, d.title, e.booking_id,
                e.signed, coalesce(e.memo, e.method, ''),
                sum(e.signed) OVER (PARTITION BY e.participant_id ORDER BY e.id), e.deal_id
         FROM entries e JOIN participants p ON p.id = e.participant_id
         LEFT JOIN deals d ON d.id = e.deal_id
         WHERE e.currency = ?1",
    )?;
    let mut total = 0i64;
    let rows = stmt.query_map([currency.code()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, i64>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, i64>(9)?,
            r.get::<_, Option<i64>>(10)?,
        ))
    })?;
    let mut all = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    all.sort_by_key(|r| r.0);
    for (id, at, name, pid, kind, title, booking, signed, memo, after, of_deal) in all {
        if participant_id.is_some_and(|p| p != pid) || deal_id.is_some_and(|d| of_deal != Some(d)) {
            continue;
        }
        total = money::add(total, signed)?;
        t.rows.push(vec![
            id.to_string(),
            at,
            name,
            kind,
            title.unwrap_or_default(),
            booking.map(|b| b.to_string()).unwrap_or_default(),
            currency.format(signed),
            currency.format(after),
            memo,
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
