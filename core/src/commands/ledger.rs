//! The append-only, double-entry wallet ledger (SPEC section 4): posting
//! entries, payments, payouts, reversals, statements and balances.
//!
//! Every entry moves its amount between one participant's wallet and a
//! counterparty account: `organizer` for purchases and refunds (what the
//! participant owes the organizer, or is owed), `outside` for money that
//! really changed hands (payments in, payouts out). The running balances in
//! `wallets` and `accounts` change in the same statement batch as the entry,
//! so per currency they always sum to zero.

use super::{participants, Ctx};
use crate::args::{Args, CurrencyCode, Field, Id, Line, Money, Opt, Request, Text};
use crate::error::{Collect, Error, Result};
use crate::money::Currency;
use crate::store::{self, entries};
use rusqlite::Transaction;
use serde::Serialize;
use std::collections::HashMap;

pub use crate::store::entries::Kind;

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
    entries::move_wallet(ctx.tx, e.participant_id, code, signed)?;
    entries::move_account(ctx.tx, counterparty, code, -signed)?;
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
    entries::insert(
        ctx.tx,
        &entries::NewRow {
            kind: e.kind,
            participant_id: e.participant_id,
            counterparty,
            deal_id: e.deal_id,
            booking_id: e.booking_id,
            currency: e.currency.code(),
            amount: e.amount,
            signed,
            settlement: e.settlement,
            method: e.method,
            memo: e.memo,
            reverses,
            created_at: &ctx.now_text(),
        },
    )
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
            entries::move_wallet(ctx.tx, participant_id, code, by)?;
        }
        for ((name, code), by) in self.accounts {
            entries::move_account(ctx.tx, name, code, by)?;
        }
        Ok(())
    }
}

/// An entry as the commands return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryView {
    pub id: i64,
    pub kind: Kind,
    pub participant_id: i64,
    pub deal_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub currency: &'static str,
    pub amount: String,
    pub signed_amount: String,
    pub method: Option<String>,
    pub memo: Option<String>,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub settlement: bool,
    pub created_at: String,
    /// The wallet's balance after it (in a statement only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_after: Option<String>,
}

impl EntryView {
    fn of(e: entries::Entry) -> Result<EntryView> {
        let c = Currency::stored(&e.currency)?;
        Ok(EntryView {
            id: e.id,
            kind: e.kind,
            participant_id: e.participant_id,
            deal_id: e.deal_id,
            booking_id: e.booking_id,
            currency: c.code(),
            amount: c.format(e.amount),
            signed_amount: c.format(e.signed),
            method: e.method,
            memo: e.memo,
            reverses: e.reverses,
            reversed_by: e.reversed_by,
            settlement: e.settlement,
            created_at: e.created_at,
            balance_after: None,
        })
    }
}

fn require_entry(tx: &Transaction, id: i64) -> Result<entries::Entry> {
    entries::get(tx, id)?.ok_or_else(|| Error::not_found(format!("no ledger entry with id {id}")))
}

/// Entries, by id, in id order.
pub fn entry_views(tx: &Transaction, ids: &[i64]) -> Result<Vec<EntryView>> {
    ids.iter()
        .map(|&id| EntryView::of(require_entry(tx, id)?))
        .collect()
}

fn one_entry(tx: &Transaction, id: i64) -> Result<EntryView> {
    EntryView::of(require_entry(tx, id)?)
}

/// The currency of an optional `deal_id`, which must exist and match.
pub(crate) fn check_deal_currency(ctx: &Ctx, deal_id: Option<i64>, c: Currency) -> Result<()> {
    if let Some(d) = deal_id {
        let code = store::deals::deal_currency(ctx.tx, d)?
            .ok_or_else(|| Error::not_found(format!("no deal with id {d}")))?;
        if code != c.code() {
            return Err(Error::validation(
                "currency",
                format!("deal {d} is in {code}, not {}", c.code()),
            ));
        }
    }
    Ok(())
}

/// Money moved between a participant and the organizer: who, in which
/// currency, how much, and why. A payout is just this; a payment adds how
/// it was paid and the deal it is for.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub participant_id: i64,
    pub currency: Currency,
    /// Minor units, > 0.
    pub amount: i64,
    pub memo: Option<String>,
}

impl Request for Transfer {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        vec![
            Field::of::<Id>("participant_id"),
            Field::of::<CurrencyCode>("currency"),
            Field::of::<Money>("amount"),
            Field::of::<Text>("memo"),
        ]
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let participant_id = all.take(args.req_id("participant_id"))?;
        let currency = all.take(args.req_currency("currency"))?;
        // An amount is read in its currency's minor units: without a
        // currency it is only marked as read.
        let amount = match currency {
            Some(c) => all.take(args.req_money("amount", c))?,
            None => args.raw("amount").and(None),
        };
        let memo = all.take(args.opt_text("memo"))?;
        all.finish()?;
        Ok(Transfer {
            participant_id: Collect::kept(participant_id)?,
            currency: Collect::kept(currency)?,
            amount: Collect::kept(amount)?,
            memo: Collect::kept(memo)?,
        })
    }
}

/// Money handed back to a participant (no deal, no method).
pub type RecordPayout = Transfer;

/// Money received from a participant.
#[derive(Debug, Clone)]
pub struct RecordPayment {
    pub transfer: Transfer,
    pub method: Option<String>,
    pub deal_id: Option<i64>,
}

impl Request for RecordPayment {
    const READS_EVERY_FIELD: bool = true;
    fn fields() -> Vec<Field> {
        let mut f = Transfer::fields();
        f.push(Field::of::<Opt<Line>>("method"));
        f.push(Field::of::<Opt<Id>>("deal_id"));
        f
    }
    fn read(args: &mut Args) -> Result<Self> {
        let mut all = Collect::default();
        let transfer = all.take(Transfer::read(args))?;
        let method = all.take(args.opt_line("method"))?;
        let deal_id = all.take(args.opt_id("deal_id"))?;
        all.finish()?;
        Ok(RecordPayment {
            transfer: Collect::kept(transfer)?,
            method: Collect::kept(method)?,
            deal_id: Collect::kept(deal_id)?,
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

/// A participant's wallet entries with the running balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    pub participant_id: i64,
    pub reference: String,
    pub currency: &'static str,
    pub balance: String,
    pub entries: Vec<EntryView>,
}

/// A participant's balance in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub participant_id: i64,
    pub name: String,
    pub balance: String,
}

pub type BalanceList = Vec<Balance>;

pub fn record_payment(ctx: &Ctx, req: RecordPayment) -> Result<EntryView> {
    record(ctx, req, Kind::Payment)
}

pub fn record_payout(ctx: &Ctx, req: RecordPayout) -> Result<EntryView> {
    record(
        ctx,
        RecordPayment {
            transfer: req,
            method: None,
            deal_id: None,
        },
        Kind::Payout,
    )
}

fn record(ctx: &Ctx, req: RecordPayment, kind: Kind) -> Result<EntryView> {
    let RecordPayment {
        transfer:
            Transfer {
                participant_id,
                currency,
                amount,
                memo,
            },
        method,
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
    let entries::Entry {
        kind,
        participant_id,
        counterparty,
        deal_id,
        currency,
        amount,
        signed,
        reversed_by,
        ..
    } = require_entry(ctx.tx, entry_id)?;
    if !matches!(kind, Kind::Payment | Kind::Payout) {
        let kind = kind.as_str();
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
    let mut balance = 0i64;
    let entries = entries::of_wallet(ctx.tx, participant_id, currency.code())?
        .into_iter()
        .map(|e| {
            balance = balance.checked_add(e.signed).ok_or_else(|| {
                Error::Storage(format!("the balance after entry {} is too large", e.id))
            })?;
            let mut v = EntryView::of(e)?;
            v.balance_after = Some(currency.format(balance));
            Ok(v)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Statement {
        participant_id,
        reference: participants::reference(participant_id),
        currency: currency.code(),
        balance: currency.format(balance),
        entries,
    })
}

/// A participant's wallet balance in a currency, in minor units.
pub fn wallet_balance(tx: &Transaction, participant_id: i64, currency: Currency) -> Result<i64> {
    entries::wallet_balance(tx, participant_id, currency.code())
}

pub fn balances(ctx: &Ctx, req: Balances) -> Result<BalanceList> {
    let Balances { currency, deal_id } = req;
    check_deal_currency(ctx, deal_id, currency)?;
    Ok(entries::balances(ctx.tx, currency.code(), deal_id)?
        .into_iter()
        .map(|(participant_id, name, balance)| Balance {
            participant_id,
            name,
            balance: currency.format(balance),
        })
        .collect())
}
