//! The `deals` table and its items and tiers: a deal loaded whole (terms
//! and live state), its terms written, its maintained totals and status,
//! and what the ledger side and settlement read of it.

use super::rows::{exists, query_rows, try_query_row};
use crate::clock::{self, Moment};
use crate::deal::{Approval, Deal, Item, Payment, PaymentMode, Status, Terms, Tier};
use crate::economics::Cost;
use crate::error::{Error, Result};
use crate::money::Currency;
use crate::words::Words;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;
use std::str::FromStr;

/// The currency of a deal, if it exists.
pub fn deal_currency(conn: &Connection, deal_id: i64) -> Result<Option<String>> {
    try_query_row(
        conn,
        "SELECT currency FROM deals WHERE id = ?1",
        [deal_id],
        |r| r.get(0),
    )
}

const OVERDUE: &str = "FROM deals WHERE status = 'open' AND closes_at_ms <= ?1";

/// Whether any open deal closes at or before `now_ms`.
pub fn any_overdue(conn: &Connection, now_ms: i64) -> Result<bool> {
    exists(conn, &format!("SELECT 1 {OVERDUE}"), [now_ms])
}

/// The open deal that closed first at or before `now_ms`, if any.
pub fn next_overdue(conn: &Connection, now_ms: i64) -> Result<Option<i64>> {
    try_query_row(
        conn,
        &format!("SELECT id {OVERDUE} ORDER BY closes_at_ms, id LIMIT 1"),
        [now_ms],
        |r| r.get(0),
    )
}

/// A deal's approved and pending quantities, as they stand.
pub fn quantities(conn: &Connection, deal_id: i64) -> Result<(i64, i64)> {
    try_query_row(
        conn,
        "SELECT approved_qty, pending_qty FROM deals WHERE id = ?1",
        [deal_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?
    .ok_or_else(|| Error::not_found(format!("no deal with id {deal_id}")))
}

/// Records why a deal was cancelled.
pub fn set_cancel_reason(conn: &Connection, deal_id: i64, reason: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE deals SET cancel_reason = ?2 WHERE id = ?1",
        params![deal_id, reason],
    )?;
    Ok(())
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
pub fn load(conn: &Connection, id: i64) -> Result<Deal> {
    let (id, p) = try_query_row(
        conn,
        &format!("SELECT {DEAL_COLUMNS} FROM deals WHERE id = ?1"),
        [id],
        from_row,
    )?
    .ok_or_else(|| Error::not_found(format!("no deal with id {id}")))?;
    assemble(conn, id, p)
}

/// Every deal, or those in `status`, in id order.
pub fn list(conn: &Connection, status: Option<Status>) -> Result<Vec<Deal>> {
    let rows = query_rows(
        conn,
        &format!("SELECT {DEAL_COLUMNS} FROM deals WHERE ?1 IS NULL OR status = ?1 ORDER BY id"),
        [status.map(Status::as_str)],
        from_row,
    )?;
    rows.into_iter()
        .map(|(id, p)| assemble(conn, id, p))
        .collect()
}

fn assemble(conn: &Connection, id: i64, p: RowParts) -> Result<Deal> {
    let rows = query_rows(
        conn,
        "SELECT name, base_price, cost, approved_qty FROM deal_items WHERE deal_id = ?1
         ORDER BY position",
        [id],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, i64>(3)?,
            ))
        },
    )?;
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
    let tiers = query_rows(
        conn,
        "SELECT min_qty, prices, reward FROM deal_tiers WHERE deal_id = ?1 ORDER BY position",
        [id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?)),
    )?
    .into_iter()
    .map(|(min_qty, prices, reward)| {
        Ok(Tier {
            min_qty,
            prices: stored("tier prices", serde_json::from_str::<Vec<i64>>(&prices))?,
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
        status: Status::stored(&p.status)?,
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

/// The `deals` columns the terms are written to; `term_values` gives their
/// values in this order (the array types keep the two the same length).
const TERM_COLUMNS: [&str; 17] = [
    "title",
    "description",
    "merchant",
    "currency",
    "opens_at",
    "opens_at_ms",
    "closes_at",
    "closes_at_ms",
    "payment_mode",
    "deposit_percent",
    "min_qty",
    "approval",
    "allowed_domains",
    "max_per_participant",
    "stock",
    "pickup_points",
    "commission_percent",
];

fn term_values(t: &Terms) -> [rusqlite::types::Value; TERM_COLUMNS.len()] {
    use rusqlite::types::Value as V;
    fn text(s: impl Into<String>) -> V {
        V::Text(s.into())
    }
    fn opt<T>(v: Option<T>, f: impl FnOnce(T) -> V) -> V {
        v.map_or(V::Null, f)
    }
    let deposit = match &t.payment {
        Payment::Full => None,
        Payment::Deposit(p) => Some(p.to_string()),
    };
    [
        text(t.title.clone()),
        opt(t.description.clone(), text),
        opt(t.merchant.clone(), text),
        text(t.currency.code()),
        opt(t.opens_at.as_ref(), |o| text(o.text())),
        opt(t.opens_at.as_ref(), |o| V::Integer(clock::to_ms(o.at()))),
        text(t.closes_at.text()),
        V::Integer(clock::to_ms(t.closes_at.at())),
        text(t.payment.mode().as_str()),
        opt(deposit, text),
        V::Integer(t.min_qty),
        text(t.approval.as_str()),
        text(serde_json::to_string(&t.allowed_domains).expect("json")),
        opt(t.max_per_participant, V::Integer),
        opt(t.stock, V::Integer),
        text(serde_json::to_string(&t.pickup_points).expect("json")),
        opt(t.commission_percent.map(|p| p.to_string()), text),
    ]
}

/// Inserts a new draft deal with `terms`, created at `now`; returns its id.
/// Parameters: the term columns, then `now`.
pub fn insert(conn: &Connection, terms: &Terms, now: &str) -> Result<i64> {
    let n = TERM_COLUMNS.len();
    let marks = (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>();
    conn.prepare_cached(&format!(
        "INSERT INTO deals ({}, status, created_at, updated_at)
         VALUES ({}, 'draft', ?{now}, ?{now})",
        TERM_COLUMNS.join(", "),
        marks.join(", "),
        now = n + 1
    ))?
    .execute(rusqlite::params_from_iter(
        term_values(terms)
            .into_iter()
            .chain([rusqlite::types::Value::Text(now.to_string())]),
    ))?;
    let id = conn.last_insert_rowid();
    write_items_and_tiers(conn, id, terms)?;
    Ok(id)
}

/// Writes new terms over deal `id`'s, at `now`. Items are updated in place
/// (an open deal keeps its items and their maintained approved totals;
/// only a draft's may change). Parameters: the term columns, `now`, `id`.
pub fn update_terms(conn: &Connection, id: i64, terms: &Terms, now: &str) -> Result<()> {
    let n = TERM_COLUMNS.len();
    let sets = TERM_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect::<Vec<_>>();
    conn.prepare_cached(&format!(
        "UPDATE deals SET {}, updated_at = ?{} WHERE id = ?{}",
        sets.join(", "),
        n + 1,
        n + 2
    ))?
    .execute(rusqlite::params_from_iter(
        term_values(terms).into_iter().chain([
            rusqlite::types::Value::Text(now.to_string()),
            rusqlite::types::Value::Integer(id),
        ]),
    ))?;
    write_items_and_tiers(conn, id, terms)
}

fn write_items_and_tiers(conn: &Connection, id: i64, t: &Terms) -> Result<()> {
    conn.prepare_cached("DELETE FROM deal_items WHERE deal_id = ?1 AND position >= ?2")?
        .execute(params![id, t.items.len() as i64])?;
    conn.prepare_cached("DELETE FROM deal_tiers WHERE deal_id = ?1")?
        .execute([id])?;
    let mut ins = conn.prepare_cached(
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
    let mut ins = conn.prepare_cached(
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

/// Whether active bookings of the deal (pending, approved or waitlisted:
/// [`BookingStatus::is_active`](super::bookings::BookingStatus::is_active))
/// chose `point`.
pub fn pickup_in_use(conn: &Connection, deal_id: i64, point: &str) -> Result<bool> {
    exists(
        conn,
        &format!(
            "SELECT 1 FROM bookings WHERE deal_id = ?1 AND pickup_point = ?2
             AND status IN {}",
            super::bookings::ACTIVE_IN
        ),
        params![deal_id, point],
    )
}

/// Adds to a deal's maintained approved and pending totals, and to the
/// approved total of its item `item`.
pub fn add_quantities(
    conn: &Connection,
    deal_id: i64,
    item: usize,
    approved: i64,
    pending: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deals SET approved_qty = approved_qty + ?2, pending_qty = pending_qty + ?3 WHERE id = ?1",
    )?
    .execute(params![deal_id, approved, pending])?;
    if approved != 0 {
        conn.prepare_cached(
            "UPDATE deal_items SET approved_qty = approved_qty + ?3
             WHERE deal_id = ?1 AND position = ?2",
        )?
        .execute(params![deal_id, item as i64, approved])?;
    }
    Ok(())
}

/// Sets a deal's maintained totals to nothing approved and nothing pending
/// (a cancelled deal's bookings are all cancelled).
pub fn clear_quantities(conn: &Connection, deal_id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE deals SET approved_qty = 0, pending_qty = 0 WHERE id = ?1")?
        .execute([deal_id])?;
    conn.prepare_cached("UPDATE deal_items SET approved_qty = 0 WHERE deal_id = ?1")?
        .execute([deal_id])?;
    Ok(())
}

/// Sets a deal's status, updated at `now`.
pub fn set_status(conn: &Connection, deal_id: i64, status: Status, now: &str) -> Result<()> {
    conn.prepare_cached("UPDATE deals SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![deal_id, status.as_str(), now])?;
    Ok(())
}
