//! Deals: create, update, open, read and list (SPEC section 2).

use super::{Ctx, OptionalRow};
use crate::args::{Args, Choice, Field, Id, Opt, Request};
use crate::clock::{self, Moment};
use crate::deal::{Approval, Item, Payment, PaymentMode, Terms, Tier};
use crate::economics::{self, Cost};
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::words::Words;
use rusqlite::{params, Row, Transaction};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::str::FromStr;

crate::words! {
    /// A deal's state.
    pub enum Status("deal status") {
        Draft = "draft",
        Open = "open",
        Settled = "settled",
        Failed = "failed",
        Cancelled = "cancelled",
    }
}

impl Status {
    fn parse(s: &str) -> Result<Status> {
        Status::stored(s)
    }

    pub fn is_ended(self) -> bool {
        matches!(self, Status::Settled | Status::Failed | Status::Cancelled)
    }
}

/// A deal as stored: its terms and its live state.
#[derive(Debug, Clone)]
pub struct Deal {
    pub id: i64,
    pub terms: Terms,
    pub status: Status,
    pub approved_qty: i64,
    /// The approved quantity of each item, in item order (sums to `approved_qty`).
    pub item_approved: Vec<i64>,
    pub pending_qty: i64,
    pub created_at: String,
    pub updated_at: String,
    pub cancel_reason: Option<String>,
    /// When it was settled, failed or was cancelled.
    pub ended_at: Option<String>,
}

impl Deal {
    pub fn level(&self) -> i64 {
        self.terms.level(self.approved_qty)
    }

    pub fn currency(&self) -> Currency {
        self.terms.currency
    }

    /// Refuses anything but an open deal, naming the state.
    pub fn require_open(&self, action: &str) -> Result<()> {
        match self.status {
            Status::Open => Ok(()),
            Status::Draft => Err(Error::conflict(format!(
                "deal {} is a draft: open it before you {action}",
                self.id
            ))),
            s => Err(Error::conflict(format!(
                "deal {} is {}: you cannot {action} any more",
                self.id,
                s.as_str()
            ))),
        }
    }

    /// SPEC section 11's `buy_more`: only an open deal proposes it.
    pub fn buy_more(&self) -> Option<economics::BuyMore> {
        (self.status == Status::Open)
            .then(|| economics::buy_more(&self.terms, &self.item_approved))
            .flatten()
    }

    pub fn to_json(&self) -> Value {
        let t = &self.terms;
        let c = t.currency;
        let level = self.level();
        let next = t
            .next_tier(self.approved_qty)
            .map(|n| json!({"level": n.level, "min_qty": n.min_qty, "missing": n.missing}));
        let buy_more = self.buy_more().map(|b| {
            json!({
                "item": t.items[b.item].name,
                "units": b.units,
                "level": b.level,
                "total_now": c.format_wide(b.total_now),
                "total_after": c.format_wide(b.total_after),
                "saving": c.format_wide(b.total_now - b.total_after),
            })
        });
        json!({
            "id": self.id,
            "title": t.title,
            "description": t.description,
            "merchant": t.merchant,
            "status": self.status.as_str(),
            "currency": c.code(),
            "opens_at": t.opens_at.as_ref().map(Moment::text),
            "closes_at": t.closes_at.text(),
            "min_qty": t.min_qty,
            "payment": t.payment_json(),
            "approval": t.approval.as_str(),
            "allowed_domains": t.allowed_domains,
            "max_per_participant": t.max_per_participant,
            "stock": t.stock,
            "pickup_points": t.pickup_points,
            "commission_percent": t.commission_percent.map(|p| p.to_string()),
            "items": t.items_json(),
            "tiers": t.tiers_json(),
            "approved_qty": self.approved_qty,
            "pending_qty": self.pending_qty,
            "level": level,
            "current_prices": (0..t.items.len()).map(|i| c.format(t.unit_price(i, level))).collect::<Vec<_>>(),
            "next_tier": next,
            "buy_more": buy_more,
            "cancel_reason": self.cancel_reason,
            "ended_at": self.ended_at,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

const DEAL_COLUMNS: &str = "id, title, description, merchant, currency, opens_at, closes_at,
    payment_mode, deposit_percent, min_qty, approval, allowed_domains, max_per_participant,
    stock, pickup_points, commission_percent, status, approved_qty, pending_qty, created_at,
    updated_at, cancel_reason,
    (SELECT s.ended_at FROM settlements s WHERE s.deal_id = deals.id)";

fn stored<T>(what: &str, r: std::result::Result<T, impl std::fmt::Display>) -> Result<T> {
    r.map_err(|e| Error::Storage(format!("corrupt {what} in the database: {e}")))
}

fn decimal(what: &str, s: Option<String>) -> Result<Option<Decimal>> {
    s.map(|s| stored(what, Decimal::from_str(&s))).transpose()
}

fn time(what: &str, s: Option<String>) -> Result<Option<Moment>> {
    s.map(|s| Moment::parse(what, &s).map_err(|e| Error::Storage(e.to_string())))
        .transpose()
}

/// The deals row, before its items and tiers are added.
fn from_row(r: &Row) -> rusqlite::Result<(i64, RowParts)> {
    Ok((
        r.get(0)?,
        RowParts {
            title: r.get(1)?,
            description: r.get(2)?,
            merchant: r.get(3)?,
            currency: r.get(4)?,
            opens_at: r.get(5)?,
            closes_at: r.get(6)?,
            payment_mode: r.get(7)?,
            deposit_percent: r.get(8)?,
            min_qty: r.get(9)?,
            approval: r.get(10)?,
            allowed_domains: r.get(11)?,
            max_per_participant: r.get(12)?,
            stock: r.get(13)?,
            pickup_points: r.get(14)?,
            commission_percent: r.get(15)?,
            status: r.get(16)?,
            approved_qty: r.get(17)?,
            pending_qty: r.get(18)?,
            created_at: r.get(19)?,
            updated_at: r.get(20)?,
            cancel_reason: r.get(21)?,
            ended_at: r.get(22)?,
        },
    ))
}

struct RowParts {
    title: String,
    description: Option<String>,
    merchant: Option<String>,
    currency: String,
    opens_at: Option<String>,
    closes_at: String,
    payment_mode: String,
    deposit_percent: Option<String>,
    min_qty: i64,
    approval: String,
    allowed_domains: String,
    max_per_participant: Option<i64>,
    stock: Option<i64>,
    pickup_points: String,
    commission_percent: Option<String>,
    status: String,
    approved_qty: i64,
    pending_qty: i64,
    created_at: String,
    updated_at: String,
    cancel_reason: Option<String>,
    ended_at: Option<String>,
}

/// Loads a deal with its items and tiers, or `not_found`.
pub fn load(tx: &Transaction, id: i64) -> Result<Deal> {
    let (id, p) = tx
        .query_row(
            &format!("SELECT {DEAL_COLUMNS} FROM deals WHERE id = ?1"),
            [id],
            from_row,
        )
        .or_not_found(|| format!("no deal with id {id}"))?;
    assemble(tx, id, p)
}

fn assemble(tx: &Transaction, id: i64, p: RowParts) -> Result<Deal> {
    let mut stmt = tx.prepare_cached(
        "SELECT name, base_price, cost, approved_qty FROM deal_items WHERE deal_id = ?1
         ORDER BY position",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut items = Vec::with_capacity(rows.len());
    let mut item_approved = Vec::with_capacity(rows.len());
    for (name, base_price, cost, approved) in rows {
        items.push(Item {
            name,
            base_price,
            cost: cost.map(|c| stored_cost(&c)).transpose()?,
        });
        item_approved.push(approved);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT min_qty, prices, reward FROM deal_tiers WHERE deal_id = ?1 ORDER BY position",
    )?;
    let tiers = stmt
        .query_map([id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?
        .map(|row| {
            let (min_qty, prices, reward) = row?;
            Ok(Tier {
                min_qty,
                prices: stored("tier prices", serde_json::from_str(&prices))?,
                reward,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Prices are read by item position: a list that does not fit is a
    // damaged file (`storage`), never an index out of range.
    if items.is_empty() || tiers.iter().any(|t: &Tier| t.prices.len() != items.len()) {
        return Err(Error::Storage(format!(
            "corrupt deal {id} in the database: its tiers' price lists do not match its {} item(s)",
            items.len()
        )));
    }
    let payment = match PaymentMode::stored(&p.payment_mode)? {
        PaymentMode::Deposit => Payment::Deposit(
            decimal("deposit percent", p.deposit_percent)?
                .ok_or_else(|| Error::Storage("deposit deal without a percent".into()))?,
        ),
        PaymentMode::Full => Payment::Full,
    };
    let terms = Terms {
        title: p.title,
        description: p.description,
        merchant: p.merchant,
        currency: Currency::stored(&p.currency)?,
        opens_at: time("opens_at", p.opens_at)?,
        closes_at: time("closes_at", Some(p.closes_at))?.expect("some"),
        payment,
        min_qty: p.min_qty,
        approval: Approval::stored(&p.approval)?,
        allowed_domains: stored("allowed domains", serde_json::from_str(&p.allowed_domains))?,
        max_per_participant: p.max_per_participant,
        stock: p.stock,
        pickup_points: stored("pickup points", serde_json::from_str(&p.pickup_points))?,
        commission_percent: decimal("commission percent", p.commission_percent)?,
        items,
        tiers,
    };
    Ok(Deal {
        id,
        terms,
        status: Status::parse(&p.status)?,
        approved_qty: p.approved_qty,
        item_approved,
        pending_qty: p.pending_qty,
        created_at: p.created_at,
        updated_at: p.updated_at,
        cancel_reason: p.cancel_reason,
        ended_at: p.ended_at,
    })
}

/// An item's cost as stored: `{"unit": minor or null, "packs": [[size, price]]}`.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredCost {
    unit: Option<i64>,
    packs: Vec<(i64, i64)>,
}

fn stored_cost(text: &str) -> Result<Cost> {
    let c: StoredCost = stored("item cost", serde_json::from_str(text))?;
    Ok(Cost {
        unit: c.unit,
        packs: c.packs,
    })
}

fn cost_text(cost: &Cost) -> String {
    serde_json::to_string(&StoredCost {
        unit: cost.unit,
        packs: cost.packs.clone(),
    })
    .expect("json")
}

/// Writes the terms of deal `id` (its row's columns, items and tiers).
/// Items are updated in place (an open deal keeps its items and their
/// maintained approved totals; only a draft's may change).
fn write_terms(ctx: &Ctx, id: i64, t: &Terms) -> Result<()> {
    let mode = t.payment.mode().as_str();
    let pct = match &t.payment {
        Payment::Full => None,
        Payment::Deposit(p) => Some(p.to_string()),
    };
    ctx.tx.execute(
        "UPDATE deals SET title = ?2, description = ?3, merchant = ?4, currency = ?5,
            opens_at = ?6, opens_at_ms = ?7, closes_at = ?8, closes_at_ms = ?9,
            payment_mode = ?10, deposit_percent = ?11, min_qty = ?12, approval = ?13,
            allowed_domains = ?14, max_per_participant = ?15, stock = ?16,
            pickup_points = ?17, commission_percent = ?18, updated_at = ?19
         WHERE id = ?1",
        params![
            id,
            t.title,
            t.description,
            t.merchant,
            t.currency.code(),
            t.opens_at.as_ref().map(Moment::text),
            t.opens_at.as_ref().map(|o| clock::to_ms(o.at())),
            t.closes_at.text(),
            clock::to_ms(t.closes_at.at()),
            mode,
            pct,
            t.min_qty,
            t.approval.as_str(),
            serde_json::to_string(&t.allowed_domains).expect("json"),
            t.max_per_participant,
            t.stock,
            serde_json::to_string(&t.pickup_points).expect("json"),
            t.commission_percent.map(|p| p.to_string()),
            ctx.now_text(),
        ],
    )?;
    ctx.tx.execute(
        "DELETE FROM deal_items WHERE deal_id = ?1 AND position >= ?2",
        params![id, t.items.len() as i64],
    )?;
    ctx.tx
        .execute("DELETE FROM deal_tiers WHERE deal_id = ?1", [id])?;
    let mut ins = ctx.tx.prepare_cached(
        "INSERT INTO deal_items (deal_id, position, name, base_price, cost) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (deal_id, position) DO UPDATE
         SET name = excluded.name, base_price = excluded.base_price, cost = excluded.cost",
    )?;
    for (i, it) in t.items.iter().enumerate() {
        ins.execute(params![
            id,
            i as i64,
            it.name,
            it.base_price,
            it.cost.as_ref().map(cost_text)
        ])?;
    }
    let mut ins = ctx.tx.prepare_cached(
        "INSERT INTO deal_tiers (deal_id, position, min_qty, prices, reward) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (i, tier) in t.tiers.iter().enumerate() {
        ins.execute(params![
            id,
            i as i64 + 1,
            tier.min_qty,
            serde_json::to_string(&tier.prices).expect("json"),
            tier.reward
        ])?;
    }
    Ok(())
}

/// Adds to a deal's maintained approved and pending totals, and to the
/// approved total of its item `item`.
pub fn add_quantities(
    tx: &Transaction,
    deal_id: i64,
    item: usize,
    approved: i64,
    pending: i64,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE deals SET approved_qty = approved_qty + ?2, pending_qty = pending_qty + ?3 WHERE id = ?1",
    )?
    .execute(params![deal_id, approved, pending])?;
    if approved != 0 {
        tx.prepare_cached(
            "UPDATE deal_items SET approved_qty = approved_qty + ?3
             WHERE deal_id = ?1 AND position = ?2",
        )?
        .execute(params![deal_id, item as i64, approved])?;
    }
    Ok(())
}

/// Sets a deal's maintained totals to nothing approved and nothing pending
/// (a cancelled deal's bookings are all cancelled).
pub fn clear_quantities(tx: &Transaction, deal_id: i64) -> Result<()> {
    tx.prepare_cached("UPDATE deals SET approved_qty = 0, pending_qty = 0 WHERE id = ?1")?
        .execute([deal_id])?;
    tx.prepare_cached("UPDATE deal_items SET approved_qty = 0 WHERE deal_id = ?1")?
        .execute([deal_id])?;
    Ok(())
}

pub fn set_status(ctx: &Ctx, deal_id: i64, status: Status) -> Result<()> {
    ctx.tx
        .prepare_cached("UPDATE deals SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![deal_id, status.as_str(), ctx.now_text()])?;
    Ok(())
}

crate::request! {
    /// A command on one deal.
    pub struct DealId { deal_id: Id }
}

crate::request! {
    pub struct ListDeals { status: Opt<Choice<Status>> }
}

/// `create_deal`'s request: the terms, read and validated.
#[derive(Debug, Clone)]
pub struct CreateDeal {
    pub terms: Terms,
}

impl Request for CreateDeal {
    fn fields() -> Vec<Field> {
        crate::deal::term_fields()
    }
    fn read(args: &mut Args) -> Result<Self> {
        Ok(CreateDeal {
            terms: Terms::parse(args)?,
        })
    }
}

/// `update_deal`'s request: the deal and the fields to change, laid over
/// its terms once it is loaded (`null` clears an optional one).
#[derive(Debug, Clone)]
pub struct UpdateDeal {
    pub deal_id: i64,
    pub patch: serde_json::Map<String, Value>,
}

impl Request for UpdateDeal {
    fn fields() -> Vec<Field> {
        let mut f = vec![Field::of::<Id>("deal_id")];
        f.extend(crate::deal::term_fields().into_iter().map(|mut t| {
            t.optional = true;
            t
        }));
        f
    }
    fn read(args: &mut Args) -> Result<Self> {
        let deal_id = args.req_id("deal_id")?;
        let mut patch = serde_json::Map::new();
        for f in crate::deal::FIELDS {
            if let Some(v) = args.raw(f) {
                patch.insert(f.to_string(), v);
            }
        }
        Ok(UpdateDeal { deal_id, patch })
    }
}

/// A deal as the commands return it.
pub type DealView = Value;
/// Deals in id order.
pub type DealList = Vec<DealView>;

pub fn create_deal(ctx: &Ctx, req: CreateDeal) -> Result<DealView> {
    let id = insert(ctx, &req.terms)?;
    Ok(load(ctx.tx, id)?.to_json())
}

/// Inserts a new draft deal with `terms`; returns its id.
pub(crate) fn insert(ctx: &Ctx, terms: &Terms) -> Result<i64> {
    let now = ctx.now_text();
    ctx.tx.execute(
        "INSERT INTO deals (title, currency, closes_at, closes_at_ms, payment_mode, min_qty,
            approval, created_at, updated_at)
         VALUES ('', 'USD', '', 0, 'full', 1, 'auto', ?1, ?1)",
        [&now],
    )?;
    let id = ctx.tx.last_insert_rowid();
    write_terms(ctx, id, terms)?;
    Ok(id)
}

pub fn update_deal(ctx: &Ctx, req: UpdateDeal) -> Result<DealView> {
    let UpdateDeal { deal_id: id, patch } = req;
    // Overlay the given fields on the current terms and validate the whole.
    let deal = load(ctx.tx, id)?;
    if deal.status.is_ended() {
        return Err(Error::conflict(format!(
            "deal {id} is {}: it can no longer change",
            deal.status.as_str()
        )));
    }
    let terms = overlay(&deal.terms, patch)?;
    match deal.status {
        Status::Draft => {}
        Status::Open => {
            if let Some(why) = deal.terms.open_change_refused(&terms) {
                return Err(Error::conflict(format!("deal {id} is open: {why}")));
            }
            for p in &deal.terms.pickup_points {
                if !terms.pickup_points.contains(p) && pickup_in_use(ctx.tx, id, p)? {
                    return Err(Error::conflict(format!(
                        "pickup point {p:?} is chosen by active bookings of deal {id}; it cannot be removed"
                    )));
                }
            }
        }
        _ => unreachable!("ended deals were refused above"),
    }
    write_terms(ctx, id, &terms)?;
    Ok(load(ctx.tx, id)?.to_json())
}

/// `terms` with the fields of `patch` laid over them (`null` clears an
/// optional one), validated as a whole as `create_deal` validates.
pub(crate) fn overlay(terms: &Terms, patch: serde_json::Map<String, Value>) -> Result<Terms> {
    let mut merged = terms.to_args();
    for (k, v) in patch {
        if v.is_null() {
            merged.as_object_mut().expect("object").remove(&k);
        } else {
            merged[k] = v;
        }
    }
    let mut margs = Args::new(merged)?;
    let terms = Terms::parse(&mut margs)?;
    margs.finish()?;
    Ok(terms)
}

fn pickup_in_use(tx: &Transaction, deal_id: i64, point: &str) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE deal_id = ?1 AND pickup_point = ?2
             AND status IN ('pending', 'approved'))",
        params![deal_id, point],
        |r| r.get(0),
    )?)
}

pub fn open_deal(ctx: &Ctx, req: DealId) -> Result<DealView> {
    let id = req.deal_id;
    let deal = load(ctx.tx, id)?;
    if deal.status != Status::Draft {
        return Err(Error::conflict(format!(
            "deal {id} is {}: only a draft can be opened",
            deal.status.as_str()
        )));
    }
    if deal.terms.closes_at.at() <= ctx.now {
        return Err(Error::conflict(format!(
            "deal {id} closes at {}, which is not in the future: move closes_at later first",
            deal.terms.closes_at.text()
        )));
    }
    set_status(ctx, id, Status::Open)?;
    Ok(load(ctx.tx, id)?.to_json())
}

pub fn get_deal(ctx: &Ctx, req: DealId) -> Result<DealView> {
    Ok(load(ctx.tx, req.deal_id)?.to_json())
}

pub fn list_deals(ctx: &Ctx, req: ListDeals) -> Result<DealList> {
    let status = req.status.map(Status::as_str);
    let mut stmt = ctx.tx.prepare_cached(&format!(
        "SELECT {DEAL_COLUMNS} FROM deals WHERE ?1 IS NULL OR status = ?1 ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([status], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, p)| assemble(ctx.tx, id, p).map(|d| d.to_json()))
        .collect::<Result<Vec<_>>>()
}
