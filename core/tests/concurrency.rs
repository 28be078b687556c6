//! Concurrent writers on one database file: several `bookrun` processes,
//! and the library from several threads, booking and paying at once. No
//! write may be lost, no "busy" error may reach the user under a few seconds
//! of contention, and the stock cap and per-participant maximum hold.

mod common;

use bookrun::{execute, store};
use common::cars;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const NOW: &str = "2026-11-23T10:00:00Z";
const STOCK: i64 = 60;
const MAX: i64 = 3;
const PEOPLE: i64 = 30;

/// What one worker saw: bookings accepted (id, participant, quantity,
/// status: approved, or waitlisted past the stock), policy refusals,
/// payments accepted (cents).
#[derive(Default)]
struct Seen {
    booked: Vec<(i64, i64, i64, String)>,
    refused: usize,
    paid: Vec<(i64, i64)>,
}

fn setup(dir: &Path) -> (PathBuf, i64) {
    let path = dir.join("shared.db");
    let mut conn = store::open(&path).unwrap();
    let now = bookrun::clock::parse("now", NOW).unwrap();
    let mut deal = cars(json!({"mode": "deposit", "percent": "10"}));
    deal["stock"] = json!(STOCK);
    deal["max_per_participant"] = json!(MAX);
    let id = execute(&mut conn, "create_deal", deal, now).unwrap()["id"]
        .as_i64()
        .unwrap();
    execute(&mut conn, "open_deal", json!({"deal_id": id}), now).unwrap();
    for i in 0..PEOPLE {
        execute(
            &mut conn,
            "add_participant",
            json!({"name": format!("P{i}")}),
            now,
        )
        .unwrap();
    }
    (path, id)
}

/// A cheap deterministic sequence per worker.
fn pick(worker: u64, step: u64, modulo: i64) -> i64 {
    let mut x =
        worker.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ step.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    (x % modulo as u64) as i64
}

/// One unit of work: a booking of 1-2 units, or a payment of 1.01-9.99.
fn work(worker: u64, step: u64, deal: i64) -> (&'static str, Value) {
    let who = 1 + pick(worker, step, PEOPLE);
    if step % 3 == 2 {
        let cents = 101 + pick(worker, step + 1000, 899);
        let amount = format!("{}.{:02}", cents / 100, cents % 100);
        (
            "record_payment",
            json!({"participant_id": who, "currency": "USD", "amount": amount}),
        )
    } else {
        let qty = 1 + pick(worker, step + 7, 2);
        (
            "book",
            json!({"deal_id": deal, "participant_id": who, "item": "model #1", "quantity": qty}),
        )
    }
}

fn record(seen: &mut Seen, command: &str, args: &Value, result: Result<Value, (String, String)>) {
    match (command, result) {
        ("book", Ok(v)) => seen.booked.push((
            v["booking"]["id"].as_i64().unwrap(),
            args["participant_id"].as_i64().unwrap(),
            args["quantity"].as_i64().unwrap(),
            v["booking"]["status"].as_str().unwrap().to_string(),
        )),
        ("record_payment", Ok(v)) => seen.paid.push((
            v["id"].as_i64().unwrap(),
            v["amount"]
                .as_str()
                .unwrap()
                .replace('.', "")
                .parse()
                .unwrap(),
        )),
        ("book", Err((code, _))) if code == "policy" => seen.refused += 1,
        (_, Err((code, message))) => panic!("{command} {args}: {code}: {message}"),
        (_, Ok(v)) => panic!("unexpected {v}"),
    }
}

/// Checks everything the workers were told against the database.
fn verify(path: &Path, deal: i64, seen: Vec<Seen>) {
    let mut conn = store::open(path).unwrap();
    let broken = store::invariants::check(&mut conn).unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let booked: Vec<_> = seen.iter().flat_map(|s| s.booked.iter().cloned()).collect();
    let refused: usize = seen.iter().map(|s| s.refused).sum();
    let total: i64 = booked
        .iter()
        .filter(|b| b.3 == "approved")
        .map(|b| b.2)
        .sum();
    let waitlisted = booked.iter().filter(|b| b.3 == "waitlisted").count();
    assert!(
        refused > 0,
        "the run should reach a per-participant maximum"
    );
    assert!(waitlisted > 0, "the run should reach the stock cap");
    // Every acknowledged booking is there as acknowledged, and nothing else is.
    let in_db: BTreeMap<i64, (i64, i64, String)> = conn
        .prepare("SELECT id, participant_id, quantity, status FROM bookings WHERE deal_id = ?1")
        .unwrap()
        .query_map([deal], |r| {
            Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(in_db.len(), booked.len(), "bookings lost or invented");
    for (id, who, qty, status) in &booked {
        assert_eq!(in_db[id], (*who, *qty, status.clone()), "booking {id}");
    }
    let approved: i64 = conn
        .query_row(
            "SELECT approved_qty FROM deals WHERE id = ?1",
            [deal],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(approved, total);
    assert!(total <= STOCK, "stock cap exceeded: {total}");
    let mut per: BTreeMap<i64, i64> = BTreeMap::new();
    for (_, who, qty, _) in &booked {
        *per.entry(*who).or_default() += qty;
    }
    assert!(
        per.values().all(|q| *q <= MAX),
        "a maximum was exceeded: {per:?}"
    );
    // Every acknowledged payment is there with its amount.
    let paid: Vec<(i64, i64)> = seen.iter().flat_map(|s| s.paid.iter().copied()).collect();
    for (id, cents) in &paid {
        let amount: i64 = conn
            .query_row("SELECT amount FROM entries WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(amount, *cents, "payment {id}");
    }
    let payments: i64 = conn
        .query_row(
            "SELECT count(*) FROM entries WHERE kind = 'payment'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(payments as usize, paid.len());
    eprintln!(
        "{} bookings ({total} units of {STOCK} approved, {waitlisted} waiting), {refused} refused by policy, {} payments",
        booked.len(),
        paid.len()
    );
}

#[test]
fn several_bookrun_processes_write_at_once_without_losing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let (path, deal) = setup(dir.path());
    let path = Arc::new(path);
    let workers: Vec<_> = (0..4u64)
        .map(|w| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                let mut seen = Seen::default();
                for step in 0..30 {
                    let (command, args) = work(w, step, deal);
                    let out = Command::new(env!("CARGO_BIN_EXE_bookrun"))
                        .args(["--db", path.to_str().unwrap(), "--now", NOW, command])
                        .arg(args.to_string())
                        .env_remove("BOOKRUN_DB")
                        .output()
                        .unwrap();
                    let result = if out.status.success() {
                        Ok(serde_json::from_slice(&out.stdout).unwrap())
                    } else {
                        let e: Value = serde_json::from_slice(&out.stderr)
                            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
                        Err((
                            e["error"]["code"].as_str().unwrap().to_string(),
                            e["error"]["message"].as_str().unwrap().to_string(),
                        ))
                    };
                    record(&mut seen, command, &args, result);
                }
                seen
            })
        })
        .collect();
    let seen = workers.into_iter().map(|w| w.join().unwrap()).collect();
    verify(&path, deal, seen);
}

#[test]
fn several_threads_with_their_own_connections_write_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, deal) = setup(dir.path());
    let path = Arc::new(path);
    let now = bookrun::clock::parse("now", NOW).unwrap();
    let workers: Vec<_> = (0..6u64)
        .map(|w| {
            let path = Arc::clone(&path);
            std::thread::spawn(move || {
                let mut conn = store::open(&path).unwrap();
                let mut seen = Seen::default();
                for step in 0..60 {
                    let (command, args) = work(w + 100, step, deal);
                    let result = execute(&mut conn, command, args.clone(), now)
                        .map_err(|e| (e.code().to_string(), e.to_string()));
                    record(&mut seen, command, &args, result);
                }
                seen
            })
        })
        .collect();
    let seen = workers.into_iter().map(|w| w.join().unwrap()).collect();
    verify(&path, deal, seen);
}
