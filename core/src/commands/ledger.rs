//! The append-only, double-entry wallet ledger (SPEC section 4): posting
//! entries, payments, payouts, reversals, statements and balances.
//!
//! Every entry moves its amount between one participant's wallet and a
//! counterparty account: `organizer` for purchases and refunds (what the
//! participant owes the organizer, or is owed), `outside` for money that
//! really changed hands (payments in, payouts out). The running balances in
//! `wallets` and `accounts` change in the same statement batch as the entry,
//! so per currency they always sum to zero.

use super::{participants, Ctx, OptionalRow};
use crate::args::{Args, CurrencyCode, Field, Id, Line, Money, Opt, Request, Text};
use crate::error::{Error, Result};
use crate::money::Currency;
use rusqlite::{params, Row, Transaction};
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Purchase,
    Refund,
    Payment,
    Payout,
    Reversal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Purchase => "purchase",
            Kind::Refund => "refund",
            Kind::Payment => "payment",
            Kind::Payout => "payout",
            Kind::Reversal => "reversal",
        }
    }
}

/// An entry to append.
pub struct NewEntry<'a> {
    pub kind: Kind,
    pub participant_id: i64,
    pub deal_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub currency: Currency,
    /// Positive, minor units.
    pub amount: i64,
    /// Written by settlement (or a deal's cancellation).
    pub settlement: bool,
    pub method: Option<&'a str>,
    pub memo: Option<&'a str>,
}

impl NewEntry<'_> {
    /// A system entry of a booking: a purchase or a refund.
    pub fn booking(
        kind: Kind,
        participant_id: i64,
        deal_id: i64,
        booking_id: i64,
        currency: Currency,
        amount: i64,
    ) -> NewEntry<'static> {
        NewEntry {
            kind,
            participant_id,
            deal_id: Some(deal_id),
            booking_id: Some(booking_id),
            currency,
            amount,
            settlement: false,
            method: None,
            memo: None,
        }
    }
}

/// Appends an entry and moves the running balances. Returns its id.
pub fn post(ctx: &Ctx, e: &NewEntry) -> Result<i64> {
    let (sign, counterparty) = signed_and_counterparty(e.kind);
    append(ctx, e, sign * e.amount, counterparty, None)
}

/// How an entry of `kind` moves the wallet (+1 or -1), and its counterparty.
fn signed_and_counterparty(kind: Kind) -> (i64, &'static str) {
    match kind {
        Kind::Purchase => (-1, "organizer"),
        Kind::Refund => (1, "organizer"),
        Kind::Payment => (1, "outside"),
        Kind::Payout => (-1, "outside"),
        Kind::Reversal => unreachable!("reversals are posted by reverse_entry"),
    }
}

fn append(
    ctx: &Ctx,
    e: &NewEntry,
    signed: i64,
    counterparty: &str,
    reverses: Option<i64>,
) -> Result<i64> {
    let id = insert(ctx, e, signed, counterparty, reverses)?;
    let code = e.currency.code();
    move_wallet(ctx.tx, e.participant_id, code, signed)?;
    move_account(ctx.tx, counterparty, code, -signed)?;
    Ok(id)
}

/// Appends the entry row alone; the caller moves the running balances.
fn insert(
    ctx: &Ctx,
    e: &NewEntry,
    signed: i64,
    counterparty: &str,
    reverses: Option<i64>,
) -> Result<i64> {
    debug_assert!(e.amount > 0 && signed.abs() == e.amount);
    let tx = ctx.tx;
    tx.prepare_cached(
        "INSERT INTO entries (kind, participant_id, counterparty, deal_id, booking_id, currency,
            amount, signed, settlement, method, memo, reverses, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        e.kind.as_str(),
        e.participant_id,
        counterparty,
        e.deal_id,
        e.booking_id,
        e.currency.code(),
        e.amount,
        signed,
        e.settlement,
        e.method,
        e.memo,
        reverses,
        ctx.now_text(),
    ])?;
    Ok(tx.last_insert_rowid())
}

fn move_wallet(tx: &Transaction, participant_id: i64, currency: &str, by: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO wallets (participant_id, currency, balance) VALUES (?1, ?2, ?3)
         ON CONFLICT DO UPDATE SET balance = balance + excluded.balance",
    )?
    .execute(params![participant_id, currency, by])?;
    Ok(())
}

fn move_account(tx: &Transaction, name: &str, currency: &str, by: i64) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO accounts (name, currency, balance) VALUES (?1, ?2, ?3)
         ON CONFLICT DO UPDATE SET balance = balance + excluded.balance",
    )?
    .execute(params![name, currency, by])?;
    Ok(())
}

/// Entries posted in bulk (settlement, a deal's cancellation). Each entry is
/// appended at once; the running balances it moves are added up and written
/// by [`Batch::finish`], once per wallet and account, in the same
/// transaction: no one can look between the two, so per currency the
/// balances still sum to zero whenever anyone can see them.
#[derive(Default)]
pub struct Batch {
    wallets: HashMap<(i64, &'static str), i64>,
    accounts: HashMap<(&'static str, &'static str), i64>,
}

impl Batch {
    /// Like [`post`]: appends the entry, and remembers what it moves.
    pub fn post(&mut self, ctx: &Ctx, e: &NewEntry) -> Result<i64> {
        let (signed, counterparty) = signed_and_counterparty(e.kind);
        let signed = signed * e.amount;
        let id = insert(ctx, e, signed, counterparty, None)?;
        let code = e.currency.code();
        let w = self.wallets.entry((e.participant_id, code)).or_default();
        *w = crate::money::add(*w, signed)?;
        let a = self.accounts.entry((counterparty, code)).or_default();
        *a = crate::money::add(*a, -signed)?;
        Ok(id)
    }

    /// Moves the running balances by everything posted.
    pub fn finish(self, ctx: &Ctx) -> Result<()> {
        let mut wallets: Vec<_> = self.wallets.into_iter().collect();
        // In key order: the wallets' b-tree is written front to back.
        wallets.sort_unstable();
        for ((participant_id, code), by) in wallets {
            move_wallet(ctx.tx, participant_id, code, by)?;
        }
        for ((name, code), by) in self.accounts {
            move_account(ctx.tx, name, code, by)?;
        }
        Ok(())
    }
}

const ENTRY_COLUMNS: &str = "e.id, e.kind, e.participant_id, e.deal_id, e.booking_id, e.currency,
    e.amount, e.signed, e.method, e.memo, e.reverses, e.created_at, r.id, e.settlement";

const ENTRY_FROM: &str = "entries e LEFT JOIN entries r ON r.reverses = e.id";

/// An entry as JSON, from a row of `ENTRY_COLUMNS`.
fn entry_json(r: &Row) -> rusqlite::Result<Value> {
    let code: String = r.get(5)?;
    let c = Currency::stored(&code).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(json!({
        "id": r.get::<_, i64>(0)?,
        "kind": r.get::<_, String>(1)?,
        "participant_id": r.get::<_, i64>(2)?,
        "deal_id": r.get::<_, Option<i64>>(3)?,
        "booking_id": r.get::<_, Option<i64>>(4)?,
        "currency": code,
        "amount": c.format(r.get(6)?),
        "signed_amount": c.format(r.get(7)?),
        "method": r.get::<_, Option<String>>(8)?,
        "memo": r.get::<_, Option<String>>(9)?,
        "reverses": r.get::<_, Option<i64>>(10)?,
        "reversed_by": r.get::<_, Option<i64>>(12)?,
        "settlement": r.get::<_, bool>(13)?,
        "created_at": r.get::<_, String>(11)?,
    }))
}

/// Entries as JSON, by id, in id order.
pub fn entries_json(tx: &Transaction, ids: &[i64]) -> Result<Vec<Value>> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM {ENTRY_FROM} WHERE e.id = ?1"
    ))?;
    ids.iter()
        .map(|id| Ok(stmt.query_row([id], entry_json)?))
        .collect()
}

fn one_entry(tx: &Transaction, id: i64) -> Result<Value> {
    Ok(entries_json(tx, &[id])?.remove(0))
}

/// The currency of an optional `deal_id`, which must exist and match.
pub(crate) fn check_deal_currency(ctx: &Ctx, deal_id: Option<i64>, c: Currency) -> Result<()> {
    if let Some(d) = deal_id {
        let code: String = ctx
            .tx
            .query_row("SELECT currency FROM deals WHERE id = ?1", [d], |r| {
                r.get(0)
            })
            .or_not_found(|| format!("no deal with id {d}"))?;
        if code != c.code() {
            return Err(Error::validation(
                "currency",
                format!("deal {d} is in {code}, not {}", c.code()),
            ));
        }
    }
    Ok(())
}

/// Money received from a participant.
#[derive(Debug, Clone)]
pub struct RecordPayment {
    pub participant_id: i64,
    pub currency: Currency,
    /// Minor units, > 0.
    pub amount: i64,
    pub method: Option<String>,
    pub memo: Option<String>,
    pub deal_id: Option<i64>,
}

impl Request for RecordPayment {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("participant_id"),
            Field::of::<CurrencyCode>("currency"),
            Field::of::<Money>("amount"),
            Field::of::<Opt<Line>>("method"),
            Field::of::<Text>("memo"),
            Field::of::<Opt<Id>>("deal_id"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let participant_id = args.req_id("participant_id")?;
        let currency = args.req_currency("currency")?;
        let amount = args.req_money("amount", currency)?;
        Ok(RecordPayment {
            participant_id,
            currency,
            amount,
            method: args.opt_line("method")?,
            memo: args.opt_text("memo")?,
            deal_id: args.opt_id("deal_id")?,
        })
    }
}

/// Money handed back to a participant (no deal, no method).
#[derive(Debug, Clone)]
pub struct RecordPayout {
    pub participant_id: i64,
    pub currency: Currency,
    pub amount: i64,
    pub memo: Option<String>,
}

impl Request for RecordPayout {
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("participant_id"),
            Field::of::<CurrencyCode>("currency"),
            Field::of::<Money>("amount"),
            Field::of::<Text>("memo"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let participant_id = args.req_id("participant_id")?;
        let currency = args.req_currency("currency")?;
        let amount = args.req_money("amount", currency)?;
        Ok(RecordPayout {
            participant_id,
            currency,
            amount,
            memo: args.opt_text("memo")?,
        })
    }
}

crate::request! {
    pub struct ReverseEntry { entry_id: Id, memo: Text }
}

crate::request! {
    pub struct StatementOf { participant_id: Id, currency: CurrencyCode }
}

crate::request! {
    pub struct Balances { currency: CurrencyCode, deal_id: Opt<Id> }
}

/// An entry as the commands return it.
pub type EntryView = Value;
/// A participant's wallet entries with the running balance.
pub type Statement = Value;
pub type BalanceList = Value;

pub fn record_payment(ctx: &Ctx, req: RecordPayment) -> Result<EntryView> {
    record(ctx, req, Kind::Payment)
}

pub fn record_payout(ctx: &Ctx, req: RecordPayout) -> Result<EntryView> {
    record(
        ctx,
        RecordPayment {
            participant_id: req.participant_id,
            currency: req.currency,
            amount: req.amount,
            method: None,
            memo: req.memo,
            deal_id: None,
        },
        Kind::Payout,
    )
}

fn record(ctx: &Ctx, req: RecordPayment, kind: Kind) -> Result<EntryView> {
    let RecordPayment {
        participant_id,
        currency,
        amount,
        method,
        memo,
        deal_id,
    } = req;
    participants::require(ctx.tx, participant_id)?;
    check_deal_currency(ctx, deal_id, currency)?;
    let id = post(
        ctx,
        &NewEntry {
            kind,
            participant_id,
            deal_id,
            booking_id: None,
            currency,
            amount,
            settlement: false,
            method: method.as_deref(),
            memo: memo.as_deref(),
        },
    )?;
    one_entry(ctx.tx, id)
}

pub fn reverse_entry(ctx: &Ctx, req: ReverseEntry) -> Result<EntryView> {
    let ReverseEntry { entry_id, memo } = req;
    let (kind, participant_id, counterparty, deal_id, currency, amount, signed, reversed_by): (
        String,
        i64,
        String,
        Option<i64>,
        String,
        i64,
        i64,
        Option<i64>,
    ) = ctx
        .tx
        .query_row(
            "SELECT e.kind, e.participant_id, e.counterparty, e.deal_id, e.currency, e.amount,
                    e.signed, r.id
             FROM entries e LEFT JOIN entries r ON r.reverses = e.id WHERE e.id = ?1",
            [entry_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .or_not_found(|| format!("no ledger entry with id {entry_id}"))?;
    if !matches!(kind.as_str(), "payment" | "payout") {
        return Err(Error::conflict(format!(
            "entry {entry_id} is a {kind}: only payments and payouts can be reversed (purchases and refunds follow from bookings and settlement)"
        )));
    }
    if let Some(r) = reversed_by {
        return Err(Error::conflict(format!(
            "entry {entry_id} was already reversed by entry {r}"
        )));
    }
    let memo = memo.unwrap_or_else(|| format!("reversal of entry {entry_id}"));
    let id = append(
        ctx,
        &NewEntry {
            kind: Kind::Reversal,
            participant_id,
            deal_id,
            booking_id: None,
            currency: Currency::stored(&currency)?,
            amount,
            settlement: false,
            method: None,
            memo: Some(&memo),
        },
        -signed,
        &counterparty,
        Some(entry_id),
    )?;
    one_entry(ctx.tx, id)
}

pub fn statement(ctx: &Ctx, req: StatementOf) -> Result<Statement> {
    let StatementOf {
        participant_id,
        currency,
    } = req;
    participants::require(ctx.tx, participant_id)?;
    let mut stmt = ctx.tx.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM {ENTRY_FROM}
         WHERE e.participant_id = ?1 AND e.currency = ?2 ORDER BY e.id"
    ))?;
    let mut balance = 0i64;
    let entries = stmt
        .query_map(params![participant_id, currency.code()], |r| {
            let mut v = entry_json(r)?;
            let signed = r.get::<_, i64>(7)?;
            balance = balance
                .checked_add(signed)
                .ok_or(rusqlite::Error::IntegralValueOutOfRange(7, signed))?;
            v["balance_after"] = json!(currency.format(balance));
            Ok(v)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(json!({
        "participant_id": participant_id,
        "reference": participants::reference(participant_id),
        "currency": currency.code(),
        "balance": currency.format(balance),
        "entries": entries,
    }))
}

/// A participant's wallet balance in a currency, in minor units.
pub fn wallet_balance(tx: &Transaction, participant_id: i64, currency: Currency) -> Result<i64> {
    Ok(tx
        .prepare_cached("SELECT balance FROM wallets WHERE participant_id = ?1 AND currency = ?2")?
        .query_row(params![participant_id, currency.code()], |r| r.get(0))
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(0),
            e => Err(e),
        })?)
}

pub fn balances(ctx: &Ctx, req: Balances) -> Result<BalanceList> {
    let Balances { currency, deal_id } = req;
    check_deal_currency(ctx, deal_id, currency)?;
    let sql = match deal_id {
        None => {
            "SELECT w.participant_id, p.name, w.balance FROM wallets w
             JOIN participants p ON p.id = w.participant_id
             WHERE w.currency = ?1 AND ?2 IS NULL ORDER BY w.participant_id"
        }
        Some(_) => {
            "SELECT e.participant_id, p.name, sum(e.signed) FROM entries e
             JOIN participants p ON p.id = e.participant_id
             WHERE e.deal_id = ?2 AND e.currency = ?1
             GROUP BY e.participant_id ORDER BY e.participant_id"
        }
    };
    let mut stmt = ctx.tx.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params![currency.code(), deal_id], |r| {
            Ok(json!({
                "participant_id": r.get::<_, i64>(0)?,
                "name": r.get::<_, String>(1)?,
                "balance": currency.format(r.get(2)?),
            }))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Value::Array(rows))
}
