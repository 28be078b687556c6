//! The `entries` table (the append-only ledger) as the rest of the core
//! reads it: the one definition of what a booking has been charged.
//!
//! An entry's `signed` is its effect on the participant's wallet, so what a
//! booking has been charged is minus the sum of its entries' `signed`
//! (purchases minus refunds). Settlement and statements split that sum by
//! who wrote the entry: approval (`settlement = 0`), settlement
//! (`settlement = 1`), or a delivery's refund (a `delivery_refunds` row).

use super::rows::{query_rows, try_query_row};
use crate::error::Result;
use crate::words::Words;
use rusqlite::{params, Connection, Row};

/// SQL over `bookings b`: what booking `b` has been charged so far by all
/// its entries (purchases minus refunds).
pub const CHARGED_SQL: &str =
    "(SELECT -coalesce(sum(e.signed), 0) FROM entries e WHERE e.booking_id = b.id)";

/// SQL: whether entry `e` is a delivery's refund (to tell it from what
/// settlement and approval wrote).
pub const IS_DELIVERY_REFUND: &str =
    "EXISTS (SELECT 1 FROM delivery_refunds dr WHERE dr.entry_id = e.id)";

/// What a booking's entries have charged so far (purchases minus refunds).
pub fn charged(conn: &Connection, booking_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CHARGED_SQL} FROM bookings b WHERE b.id = ?1"
        ))?
        .query_row([booking_id], |r| r.get(0))?)
}

/// The ids of the entries a deal's settlement wrote, in order.
pub fn settlement_ids(conn: &Connection, deal_id: i64) -> Result<Vec<i64>> {
    query_rows(
        conn,
        "SELECT id FROM entries WHERE deal_id = ?1 AND settlement = 1 ORDER BY id",
        [deal_id],
        |r| r.get(0),
    )
}

crate::words! {
    /// What an entry records.
    pub enum Kind("entry kind") {
        Purchase = "purchase",
        Refund = "refund",
        Payment = "payment",
        Payout = "payout",
        Reversal = "reversal",
    }
}

/// An entry to append: the row as written, with its wallet effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRow<'a> {
    pub kind: Kind,
    pub participant_id: i64,
    /// `organizer` or `outside`.
    pub counterparty: &'a str,
    pub deal_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub currency: &'a str,
    pub amount: i64,
    pub signed: i64,
    pub settlement: bool,
    pub method: Option<&'a str>,
    pub memo: Option<&'a str>,
    pub reverses: Option<i64>,
    pub created_at: &'a str,
}

/// Appends the entry row alone (the caller moves the running balances).
/// Returns its id.
pub fn insert(conn: &Connection, e: &NewRow) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO entries (kind, participant_id, counterparty, deal_id, booking_id, currency,
            amount, signed, settlement, method, memo, reverses, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        e.kind.as_str(),
        e.participant_id,
        e.counterparty,
        e.deal_id,
        e.booking_id,
        e.currency,
        e.amount,
        e.signed,
        e.settlement,
        e.method,
        e.memo,
        e.reverses,
        e.created_at,
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Moves a participant's running wallet balance (`wallets`).
pub fn move_wallet(conn: &Connection, participant_id: i64, currency: &str, by: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO wallets (participant_id, currency, balance) VALUES (?1, ?2, ?3)
         ON CONFLICT DO UPDATE SET balance = balance + excluded.balance",
    )?
    .execute(params![participant_id, currency, by])?;
    Ok(())
}

/// Moves a counterparty account's running balance (`accounts`).
pub fn move_account(conn: &Connection, name: &str, currency: &str, by: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO accounts (name, currency, balance) VALUES (?1, ?2, ?3)
         ON CONFLICT DO UPDATE SET balance = balance + excluded.balance",
    )?
    .execute(params![name, currency, by])?;
    Ok(())
}

/// A row of `entries`, with the id of the entry reversing it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub kind: Kind,
    pub participant_id: i64,
    pub counterparty: String,
    pub deal_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub currency: String,
    pub amount: i64,
    pub signed: i64,
    pub method: Option<String>,
    pub memo: Option<String>,
    pub reverses: Option<i64>,
    pub reversed_by: Option<i64>,
    pub settlement: bool,
    pub created_at: String,
}

const COLUMNS: &str = "e.id, e.kind, e.participant_id, e.counterparty, e.deal_id, e.booking_id,
    e.currency, e.amount, e.signed, e.method, e.memo, e.reverses, r.id, e.settlement, e.created_at";

const FROM: &str = "entries e LEFT JOIN entries r ON r.reverses = e.id";

fn from_row(r: &Row) -> rusqlite::Result<Entry> {
    let kind: String = r.get(1)?;
    Ok(Entry {
        id: r.get(0)?,
        kind: Kind::stored(&kind).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
        })?,
        participant_id: r.get(2)?,
        counterparty: r.get(3)?,
        deal_id: r.get(4)?,
        booking_id: r.get(5)?,
        currency: r.get(6)?,
        amount: r.get(7)?,
        signed: r.get(8)?,
        method: r.get(9)?,
        memo: r.get(10)?,
        reverses: r.get(11)?,
        reversed_by: r.get(12)?,
        settlement: r.get(13)?,
        created_at: r.get(14)?,
    })
}

/// An entry by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Entry>> {
    try_query_row(
        conn,
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = ?1"),
        [id],
        from_row,
    )
}

/// A participant's entries in a currency, oldest first.
pub fn of_wallet(conn: &Connection, participant_id: i64, currency: &str) -> Result<Vec<Entry>> {
    query_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM {FROM}
             WHERE e.participant_id = ?1 AND e.currency = ?2 ORDER BY e.id"
        ),
        params![participant_id, currency],
        from_row,
    )
}

/// A participant's wallet balance in a currency (0 for a wallet never used).
pub fn wallet_balance(conn: &Connection, participant_id: i64, currency: &str) -> Result<i64> {
    Ok(try_query_row(
        conn,
        "SELECT balance FROM wallets WHERE participant_id = ?1 AND currency = ?2",
        params![participant_id, currency],
        |r| r.get(0),
    )?
    .unwrap_or(0))
}

/// Per participant: id, name and balance in a currency, of the wallets
/// (`deal_id` None) or of the entries of one deal.
pub fn balances(
    conn: &Connection,
    currency: &str,
    deal_id: Option<i64>,
) -> Result<Vec<(i64, String, i64)>> {
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
    query_rows(conn, sql, params![currency, deal_id], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
}

/// Up to `limit` participants whose wallet in a currency stands at exactly
/// `balance`, by id.
pub fn wallets_at(conn: &Connection, currency: &str, balance: i64, limit: i64) -> Result<Vec<i64>> {
    query_rows(
        conn,
        "SELECT participant_id FROM wallets WHERE currency = ?1 AND balance = ?2
         ORDER BY participant_id LIMIT ?3",
        params![currency, balance, limit],
        |r| r.get(0),
    )
}
