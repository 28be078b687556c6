//! Bench data, generated straight into the schema: deals, participants,
//! bookings and ledger entries written with prepared INSERTs in one
//! transaction, then the maintained totals (deal quantities, wallets,
//! accounts) computed from them, so the database is what the commands would
//! have built (`store::invariants::check` agrees; the smoke run checks it).
//! Money is integer minor units throughout; deterministic, seeded data.
#![allow(dead_code)]

// Through bookrun's re-export, so the desktop bench can include this file too.
use bookrun::rusqlite::{params, Connection};
use bookrun::{clock, money, store};
use std::path::Path;

/// The clock of the generated history, and the deals' `closes_at`.
pub const NOW: &str = "2026-11-23T10:00:00Z";
pub const CLOSES_AT: &str = "2027-06-30T18:00:00Z";
/// A moment after `CLOSES_AT`: a command run then settles the open deals first.
pub const AFTER_CLOSE: &str = "2027-07-01T00:00:00Z";

/// Two items, and two tiers (at 50 and 200), in minor units.
const ITEMS: [(&str, i64); 2] = [("Item A", 1999), ("Item B", 4950)];
const TIERS: [(i64, &str); 2] = [(50, "[1899,4700]"), (200, "[1799,4500]")];
const MIN_QTY: i64 = 10;

/// The size of the latency database.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub deals: i64,
    pub bookings: i64,
    pub entries: i64,
    pub participants: i64,
}

impl Scale {
    /// Issue 5's database: 100,000 bookings over 100 deals, 1,000,000 entries.
    pub const FULL: Scale = Scale {
        deals: 100,
        bookings: 100_000,
        entries: 1_000_000,
        participants: 10_000,
    };
    pub const SMOKE: Scale = Scale {
        deals: 10,
        bookings: 2_000,
        entries: 20_000,
        participants: 200,
    };
}

/// xorshift64*: the same data on every run, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// 0 <= n < bound.
    pub fn below(&mut self, bound: i64) -> i64 {
        (self.next() % bound as u64) as i64
    }
}

/// A new, empty database at `path` (any old one removed), with the schema,
/// and synchronous writes off while it is filled.
fn fresh(path: &Path) -> Connection {
    for ext in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(p);
    }
    let conn = store::open(path).expect("create the bench database");
    conn.execute_batch("PRAGMA synchronous = OFF").unwrap();
    conn
}

fn add_participants(conn: &Connection, n: i64) {
    let mut ins = conn
        .prepare(
            "INSERT INTO participants (id, name, email, email_key, phone, created_at)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5)",
        )
        .unwrap();
    for id in 1..=n {
        ins.execute(params![
            id,
            format!("Participant {id:06}"),
            format!("p{id}@example.com"),
            format!("+1555{id:07}"),
            NOW
        ])
        .unwrap();
    }
}

/// An open deal in USD with the two items and tiers.
fn add_deal(conn: &Connection, id: i64, manual: bool, deposit: bool) {
    conn.execute(
        "INSERT INTO deals (id, title, currency, closes_at, closes_at_ms, payment_mode,
            deposit_percent, min_qty, approval, status, created_at, updated_at)
         VALUES (?1, ?2, 'USD', ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9, ?9)",
        params![
            id,
            format!("Deal {id}"),
            CLOSES_AT,
            clock::to_ms(clock::parse("closes_at", CLOSES_AT).unwrap()),
            if deposit { "deposit" } else { "full" },
            deposit.then_some("10"),
            MIN_QTY,
            if manual { "manual" } else { "auto" },
            NOW
        ],
    )
    .unwrap();
    for (pos, (name, price)) in ITEMS.iter().enumerate() {
        conn.execute(
            "INSERT INTO deal_items (deal_id, position, name, base_price) VALUES (?1, ?2, ?3, ?4)",
            params![id, pos as i64, name, price],
        )
        .unwrap();
    }
    for (pos, (min, prices)) in TIERS.iter().enumerate() {
        conn.execute(
            "INSERT INTO deal_tiers (deal_id, position, min_qty, prices) VALUES (?1, ?2, ?3, ?4)",
            params![id, pos as i64 + 1, min, prices],
        )
        .unwrap();
    }
}

/// Writes bookings of deals (given as `(id, manual, deposit)`), each
/// approved one with its purchase entry. Returns how many entries it wrote.
fn add_bookings(
    conn: &Connection,
    rng: &mut Rng,
    deals: &[(i64, bool, bool)],
    bookings: i64,
    participants: i64,
) -> i64 {
    let mut book = conn
        .prepare(
            "INSERT INTO bookings (deal_id, participant_id, item, quantity, status, approved_at,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )
        .unwrap();
    let mut purchase = conn
        .prepare(
            "INSERT INTO entries (kind, participant_id, counterparty, deal_id, booking_id,
                currency, amount, signed, created_at)
             VALUES ('purchase', ?1, 'organizer', ?2, ?3, 'USD', ?4, -?4, ?5)",
        )
        .unwrap();
    let ten = money::parse_percent("percent", "10").unwrap();
    let mut written = 0;
    for i in 0..bookings {
        let (deal, manual, deposit) = deals[(i % deals.len() as i64) as usize];
        let participant = rng.below(participants) + 1;
        let item = rng.below(ITEMS.len() as i64);
        let quantity = 1 + rng.below(3);
        let approved = !manual || rng.below(10) >= 3;
        book.execute(params![
            deal,
            participant,
            item,
            quantity,
            if approved { "approved" } else { "pending" },
            approved.then_some(NOW),
            NOW
        ])
        .unwrap();
        if approved {
            let full = ITEMS[item as usize].1 * quantity;
            let charge = if deposit {
                money::percent_of(full, ten)
            } else {
                full
            };
            purchase
                .execute(params![
                    participant,
                    deal,
                    conn.last_insert_rowid(),
                    charge,
                    NOW
                ])
                .unwrap();
            written += 1;
        }
    }
    written
}

/// Payments (four in five) and payouts, outside any deal.
fn add_payments(conn: &Connection, rng: &mut Rng, n: i64, participants: i64) {
    let mut ins = conn
        .prepare(
            "INSERT INTO entries (kind, participant_id, counterparty, currency, amount, signed,
                method, created_at)
             VALUES (?1, ?2, 'outside', 'USD', ?3, ?4, ?5, ?6)",
        )
        .unwrap();
    for _ in 0..n {
        let payout = rng.below(5) == 0;
        let amount = 100 + rng.below(500_000);
        ins.execute(params![
            if payout { "payout" } else { "payment" },
            rng.below(participants) + 1,
            amount,
            if payout { -amount } else { amount },
            (!payout).then_some("bank transfer"),
            NOW
        ])
        .unwrap();
    }
}

/// The maintained aggregates, from the rows written.
fn derive_totals(conn: &Connection) {
    conn.execute_batch(
        "UPDATE deals SET
            approved_qty = coalesce((SELECT sum(quantity) FROM bookings b
                WHERE b.deal_id = deals.id AND b.status = 'approved'), 0),
            pending_qty = coalesce((SELECT sum(quantity) FROM bookings b
                WHERE b.deal_id = deals.id AND b.status = 'pending'), 0);
         UPDATE deal_items SET approved_qty = coalesce((SELECT sum(quantity) FROM bookings b
                WHERE b.deal_id = deal_items.deal_id AND b.item = deal_items.position
                  AND b.status = 'approved'), 0);
         INSERT INTO wallets (participant_id, currency, balance)
            SELECT participant_id, currency, sum(signed) FROM entries GROUP BY 1, 2;
         INSERT INTO accounts (name, currency, balance)
            SELECT counterparty, currency, -sum(signed) FROM entries GROUP BY 1, 2;",
    )
    .unwrap();
}

/// The latency database: `scale.deals` open deals (odd ids approve
/// automatically, even ones manually, every fourth takes a 10% deposit),
/// bookings spread over them, and payments and payouts up to
/// `scale.entries` ledger entries in all.
pub fn latency_db(path: &Path, scale: Scale) -> Connection {
    let mut conn = fresh(path);
    let tx = conn.transaction().unwrap();
    let mut rng = Rng::new(5);
    add_participants(&tx, scale.participants);
    let deals: Vec<(i64, bool, bool)> = (1..=scale.deals)
        .map(|id| (id, id % 2 == 0, id % 4 == 0))
        .collect();
    for &(id, manual, deposit) in &deals {
        add_deal(&tx, id, manual, deposit);
    }
    let purchases = add_bookings(&tx, &mut rng, &deals, scale.bookings, scale.participants);
    add_payments(&tx, &mut rng, scale.entries - purchases, scale.participants);
    derive_totals(&tx);
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    conn
}

/// The settlement database: one open deal (automatic approval, full
/// payment) with `bookings` approved bookings by `participants` people,
/// each charged at approval. It reaches tier 2, so settlement refunds every
/// booking the difference.
pub fn settlement_db(path: &Path, bookings: i64, participants: i64) {
    let mut conn = fresh(path);
    let tx = conn.transaction().unwrap();
    let mut rng = Rng::new(7);
    add_participants(&tx, participants);
    add_deal(&tx, 1, false, false);
    add_bookings(&tx, &mut rng, &[(1, false, false)], bookings, participants);
    derive_totals(&tx);
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}
