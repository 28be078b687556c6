//! What the organizer's reports read across tables: a deal's approved
//! quantities per item (the merchant order), the wallets that owe or are
//! owed with the deals their balances come from (who owes what, payouts
//! due), and the ledger of a currency with the running wallet balance
//! (its export).

use super::rows::query_rows;
use crate::error::Result;
use rusqlite::{params, Connection};

/// Per item of a deal with approved bookings: the item's index and the
/// units its approved bookings kept at the delivery (0 before one). The
/// approved quantities themselves are kept with the deal (`Deal::item_approved`).
pub fn delivered_per_item(conn: &Connection, deal_id: i64) -> Result<Vec<(usize, i64)>> {
    query_rows(
        conn,
        "SELECT item, coalesce(sum(delivered), 0) FROM bookings
         WHERE deal_id = ?1 AND status = 'approved' GROUP BY item",
        [deal_id],
        |r| Ok((r.get::<_, i64>(0)? as usize, r.get(1)?)),
    )
}

/// Which side of the organizer a wallet is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A negative balance: the participant owes the organizer.
    Owes,
    /// A positive balance: the organizer owes the participant.
    Owed,
}

/// A wallet with its participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    pub participant_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub currency: String,
    pub balance: i64,
}

/// The wallets on `side` (of one currency, if given): those that owe in no
/// particular order, those owed by name.
pub fn wallets(conn: &Connection, side: Side, currency: Option<&str>) -> Result<Vec<Wallet>> {
    let (filter, order) = match side {
        Side::Owes => ("w.balance < 0", ""),
        Side::Owed => (
            "w.balance > 0",
            "ORDER BY p.name COLLATE NOCASE, w.participant_id, w.currency",
        ),
    };
    let sql = format!(
        "SELECT w.participant_id, p.name, p.email, w.currency, w.balance FROM wallets w
         JOIN participants p ON p.id = w.participant_id
         WHERE {filter} AND (?1 IS NULL OR w.currency = ?1)
         {order}"
    );
    query_rows(conn, &sql, [currency], |r| {
        Ok(Wallet {
            participant_id: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            currency: r.get(3)?,
            balance: r.get(4)?,
        })
    })
}

/// What one deal's entries leave in a wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealBalance {
    pub deal_id: i64,
    pub title: String,
    /// The sum of the entries' wallet effects (negative: owed to the organizer).
    pub balance: i64,
}

/// The deals whose entries leave a participant's wallet in a currency on
/// `side`, in the order of their first entry.
pub fn deal_balances(
    conn: &Connection,
    participant_id: i64,
    currency: &str,
    side: Side,
) -> Result<Vec<DealBalance>> {
    let sign = match side {
        Side::Owes => "<",
        Side::Owed => ">",
    };
    let sql = format!(
        "SELECT d.id, d.title, sum(e.signed) FROM entries e JOIN deals d ON d.id = e.deal_id
         WHERE e.participant_id = ?1 AND e.currency = ?2
         GROUP BY e.deal_id HAVING sum(e.signed) {sign} 0 ORDER BY min(e.id)"
    );
    query_rows(conn, &sql, params![participant_id, currency], |r| {
        Ok(DealBalance {
            deal_id: r.get(0)?,
            title: r.get(1)?,
            balance: r.get(2)?,
        })
    })
}

/// A wallet's entries, oldest first: each one's wallet effect and time.
pub fn wallet_moves(
    conn: &Connection,
    participant_id: i64,
    currency: &str,
) -> Result<Vec<(i64, String)>> {
    query_rows(
        conn,
        "SELECT signed, created_at FROM entries WHERE participant_id = ?1 AND currency = ?2
         ORDER BY id",
        params![participant_id, currency],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// An entry of the ledger as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub id: i64,
    pub created_at: String,
    pub name: String,
    pub participant_id: i64,
    pub kind: String,
    pub deal_id: Option<i64>,
    pub deal_title: Option<String>,
    pub booking_id: Option<i64>,
    pub signed: i64,
    /// The memo, else the method, else empty.
    pub memo: String,
    /// The participant's wallet after the entry.
    pub wallet_after: i64,
}

/// Every entry in a currency, oldest first, with the running balance of
/// its wallet.
pub fn ledger(conn: &Connection, currency: &str) -> Result<Vec<LedgerRow>> {
    let mut rows = query_rows(
        conn,
        "SELECT e.id, e.created_at, p.name, e.participant_id, e.kind, d.title, e.booking_id,
                e.signed, coalesce(e.memo, e.method, ''),
                sum(e.signed) OVER (PARTITION BY e.participant_id ORDER BY e.id), e.deal_id
         FROM entries e JOIN participants p ON p.id = e.participant_id
         LEFT JOIN deals d ON d.id = e.deal_id
         WHERE e.currency = ?1",
        [currency],
        |r| {
            Ok(LedgerRow {
                id: r.get(0)?,
                created_at: r.get(1)?,
                name: r.get(2)?,
                participant_id: r.get(3)?,
                kind: r.get(4)?,
                deal_title: r.get(5)?,
                booking_id: r.get(6)?,
                signed: r.get(7)?,
                memo: r.get(8)?,
                wallet_after: r.get(9)?,
                deal_id: r.get(10)?,
            })
        },
    )?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}
