//! Crash safety: `bookrun` processes killed with SIGKILL at random moments.
//!
//! A database holds a deal of 10,000 approved bookings (deposit paid, so its
//! settlement writes an entry per booking) and a small manual-approval deal
//! that takes a stream of bookings, approvals, cancellations and payments.
//! Each round runs a stream of `bookrun` commands (sometimes starting with
//! the big settlement) and kills the running one at a random moment. After
//! every kill:
//! - `PRAGMA integrity_check` is ok and the ledger invariants hold (zero sum
//!   per currency, wallets and accounts equal their entries, deal totals and
//!   so levels equal the approved bookings, a settled deal charged exactly
//!   final price x quantity);
//! - the big deal is either settled with all 10,000 lines or not at all;
//! - every command that printed its result before the kill is in the file;
//!   only the killed command may or may not have happened.
//!
//! CI runs 20 kills; the full run is 200 or more:
//! `BOOKRUN_CRASH_KILLS=250 cargo test --profile perf -p bookrun --test crash -- --nocapture`
//! (`BOOKRUN_CRASH_SEED=N` repeats a run).

mod common;

use bookrun::store::{self, backup};
use bookrun::{clock, execute};
use common::cars;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-23T10:00:00Z";
const BIG: i64 = 1;
const SMALL: i64 = 2;
const BIG_BOOKINGS: i64 = 10_000;
/// Participants of the stream (ids 1..=STREAM_PEOPLE book the small deal too).
const STREAM_PEOPLE: i64 = 50;

/// xorshift64*: reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The template: the big deal with its bookings, the small deal, people.
fn template(dir: &Path) -> PathBuf {
    let path = dir.join("template.db");
    let mut conn = store::open(&path).unwrap();
    // Building the template fast; the rounds run with the app's settings.
    conn.execute_batch("PRAGMA synchronous = OFF").unwrap();
    let now = clock::parse("now", NOW).unwrap();
    let mut run = |name: &str, args: Value| execute(&mut conn, name, args, now).unwrap();
    let mut big = cars(json!({"mode": "deposit", "percent": "12.5"}));
    big["tiers"] = json!([
        {"min_qty": 5000, "prices": ["29500.00", "24800.00"]},
        {"min_qty": 9000, "prices": ["29000.25", "24600.50"]}
    ]);
    assert_eq!(run("create_deal", big)["id"], BIG);
    run("open_deal", json!({"deal_id": BIG}));
    let mut small = cars(json!({"mode": "full"}));
    small["approval"] = json!("manual");
    small["title"] = json!("Bikes");
    assert_eq!(run("create_deal", small)["id"], SMALL);
    run("open_deal", json!({"deal_id": SMALL}));
    for i in 0..BIG_BOOKINGS {
        let p = run("add_participant", json!({"name": format!("Person {i}")}))["id"].clone();
        let item = if i % 3 == 0 { "model #5" } else { "model #1" };
        run(
            "book",
            json!({"deal_id": BIG, "participant_id": p, "item": item, "quantity": 1}),
        );
    }
    drop(conn);
    let conn = store::open(&path).unwrap();
    let copy = dir.join("template-checked.db");
    backup::copy_to(&conn, &copy, false).unwrap();
    copy
}

/// A command of the stream.
#[derive(Clone, Debug)]
enum Op {
    Book { who: i64, qty: i64 },
    Approve(i64),
    Cancel(i64),
    Pay { who: i64, cents: i64 },
    Settle,
}

impl Op {
    fn command(&self) -> (&'static str, Value) {
        match self {
            Op::Book { who, qty } => (
                "book",
                json!({"deal_id": SMALL, "participant_id": who, "item": "model #5", "quantity": qty}),
            ),
            Op::Approve(b) => ("approve_booking", json!({"booking_id": b})),
            Op::Cancel(b) => (
                "cancel_booking",
                json!({"booking_id": b, "by": "participant"}),
            ),
            Op::Pay { who, cents } => (
                "record_payment",
                json!({"participant_id": who, "currency": "USD",
                       "amount": format!("{}.{:02}", cents / 100, cents % 100)}),
            ),
            Op::Settle => ("end_deal", json!({"deal_id": BIG})),
        }
    }
}

/// What the file must hold: everything acknowledged so far.
#[derive(Default)]
struct Expected {
    /// Small-deal bookings and their acknowledged status.
    bookings: BTreeMap<i64, String>,
    /// Payments: entry id and amount in cents.
    payments: BTreeMap<i64, i64>,
    settled: bool,
}

#[derive(Default)]
struct Counts {
    kills: usize,
    mid_settlement: usize,
    acknowledged: usize,
    refused: usize,
    integrity_errors: usize,
    invariant_errors: usize,
    half_settled: usize,
    lost: usize,
    generations: usize,
}

fn next_op(rng: &mut Rng, exp: &Expected) -> Op {
    let with = |status: &str| -> Vec<i64> {
        exp.bookings
            .iter()
            .filter(|(_, s)| s.as_str() == status)
            .map(|(b, _)| *b)
            .collect()
    };
    loop {
        match rng.below(10) {
            0..=2 => {
                return Op::Book {
                    who: 1 + rng.below(STREAM_PEOPLE as u64) as i64,
                    qty: 1 + rng.below(3) as i64,
                }
            }
            3..=5 => {
                let pending = with("pending");
                if !pending.is_empty() {
                    return Op::Approve(pending[rng.below(pending.len() as u64) as usize]);
                }
            }
            6 => {
                let approved = with("approved");
                if !approved.is_empty() {
                    return Op::Cancel(approved[rng.below(approved.len() as u64) as usize]);
                }
            }
            _ => {
                return Op::Pay {
                    who: 1 + rng.below(STREAM_PEOPLE as u64) as i64,
                    cents: 1 + rng.below(500_000) as i64,
                }
            }
        }
    }
}

/// Runs one `bookrun` command, killing it at `deadline`. Some(output) when
/// it finished (exit status, stdout, stderr), None when it was killed.
fn run_until(
    db: &Path,
    out: &Path,
    op: &Op,
    deadline: Instant,
) -> Option<(bool, Vec<u8>, Vec<u8>)> {
    let (name, args) = op.command();
    let stdout = std::fs::File::create(out).unwrap();
    let stderr_path = out.with_extension("err");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "--now",
            NOW,
            name,
            &args.to_string(),
        ])
        .env_remove("BOOKRUN_DB")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some((
                status.success(),
                std::fs::read(out).unwrap(),
                std::fs::read(&stderr_path).unwrap(),
            ));
        }
        if Instant::now() >= deadline {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Takes an acknowledged result into the expectations.
fn acknowledge(exp: &mut Expected, op: &Op, v: &Value) {
    match op {
        Op::Book { .. } => {
            let b = &v["booking"];
            exp.bookings.insert(
                b["id"].as_i64().unwrap(),
                b["status"].as_str().unwrap().into(),
            );
        }
        Op::Approve(b) => {
            exp.bookings.insert(*b, "approved".into());
        }
        Op::Cancel(b) => {
            exp.bookings.insert(*b, "cancelled".into());
        }
        Op::Pay { cents, .. } => {
            exp.payments.insert(v["id"].as_i64().unwrap(), *cents);
        }
        Op::Settle => {
            assert_eq!(v["outcome"], "settled", "{v}");
            assert_eq!(v["lines"].as_array().unwrap().len() as i64, BIG_BOOKINGS);
            exp.settled = true;
        }
    }
}

/// Checks the file after a kill; `killed` may or may not have happened.
/// Adopts the killed command's effect into `exp` when it did.
fn verify(db: &Path, exp: &mut Expected, killed: Option<&Op>, counts: &mut Counts) -> Vec<String> {
    let mut problems = vec![];
    let mut conn = store::open(db).unwrap();
    if let Err(p) = backup::integrity(&conn).unwrap() {
        counts.integrity_errors += 1;
        problems.push(format!("integrity: {p}"));
    }
    let broken = store::invariants::check(&mut conn).unwrap();
    if !broken.is_empty() {
        counts.invariant_errors += 1;
        problems.push(format!("invariants: {broken:?}"));
    }
    // The big deal: settled whole, or not at all.
    let status: String = conn
        .query_row("SELECT status FROM deals WHERE id = ?1", [BIG], |r| {
            r.get(0)
        })
        .unwrap();
    let (lines, settlement_entries): (i64, i64) = (
        conn.query_row(
            "SELECT count(*) FROM bookings WHERE deal_id = ?1 AND status = 'approved'",
            [BIG],
            |r| r.get(0),
        )
        .unwrap(),
        conn.query_row(
            "SELECT count(*) FROM entries WHERE deal_id = ?1 AND settlement = 1",
            [BIG],
            |r| r.get(0),
        )
        .unwrap(),
    );
    let recorded: i64 = conn
        .query_row(
            "SELECT count(*) FROM settlements WHERE deal_id = ?1",
            [BIG],
            |r| r.get(0),
        )
        .unwrap();
    match status.as_str() {
        "open" if settlement_entries == 0 && recorded == 0 && !exp.settled => {}
        "settled"
            if settlement_entries == BIG_BOOKINGS && recorded == 1 && lines == BIG_BOOKINGS =>
        {
            if !exp.settled {
                if matches!(killed, Some(Op::Settle)) {
                    exp.settled = true;
                } else {
                    problems.push("the big deal settled without being asked".into());
                }
            }
        }
        _ => {
            counts.half_settled += 1;
            problems.push(format!(
                "big deal {status}: {settlement_entries} settlement entries, {recorded} records, acknowledged {}",
                exp.settled
            ));
        }
    }
    // Acknowledged small-deal bookings, in their acknowledged status (the
    // killed command's booking may be one step further).
    let in_db: BTreeMap<i64, String> = conn
        .prepare("SELECT id, status FROM bookings WHERE deal_id = ?1")
        .unwrap()
        .query_map([SMALL], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (b, want) in exp.bookings.clone() {
        let got = in_db.get(&b).cloned();
        let next = match killed {
            Some(Op::Approve(k)) if *k == b => Some("approved"),
            Some(Op::Cancel(k)) if *k == b => Some("cancelled"),
            _ => None,
        };
        match got {
            Some(g) if g == want => {}
            Some(g) if Some(g.as_str()) == next => {
                exp.bookings.insert(b, g);
            }
            g => {
                counts.lost += 1;
                problems.push(format!("booking {b}: acknowledged {want}, file has {g:?}"));
            }
        }
    }
    let unknown: Vec<_> = in_db
        .keys()
        .filter(|b| !exp.bookings.contains_key(b))
        .copied()
        .collect();
    match (unknown.as_slice(), killed) {
        ([], _) => {}
        ([b], Some(Op::Book { .. })) => {
            exp.bookings.insert(*b, in_db[b].clone());
        }
        (u, _) => problems.push(format!("bookings nobody made: {u:?}")),
    }
    // Acknowledged payments, with their amounts.
    for (id, cents) in &exp.payments {
        let got: Option<i64> = conn
            .query_row(
                "SELECT amount FROM entries WHERE id = ?1 AND kind = 'payment'",
                [id],
                |r| r.get(0),
            )
            .ok();
        if got != Some(*cents) {
            counts.lost += 1;
            problems.push(format!("payment {id} of {cents} cents: file has {got:?}"));
        }
    }
    problems
}

#[test]
fn killed_at_random_moments_the_file_stays_whole() {
    let kills: usize = std::env::var("BOOKRUN_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("BOOKRUN_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash harness: {kills} kills, BOOKRUN_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let template = template(dir.path());
    eprintln!(
        "template of {BIG_BOOKINGS} bookings built in {:.1?}",
        started.elapsed()
    );
    let db = dir.path().join("crash.db");
    let out = dir.path().join("out.json");

    // How long a settlement takes here, to aim kills inside it.
    std::fs::copy(&template, &db).unwrap();
    let t = Instant::now();
    let far = Instant::now() + Duration::from_secs(600);
    assert!(run_until(&db, &out, &Op::Settle, far).unwrap().0);
    let mut settle_time = t.elapsed();
    eprintln!(
        "one settlement of {BIG_BOOKINGS} bookings: {settle_time:.1?} (process start to exit)"
    );

    let mut counts = Counts::default();
    let mut exp = Expected::default();
    let mut fresh = true;
    let mut failures = vec![];
    while counts.kills < kills {
        if fresh {
            std::fs::copy(&template, &db).unwrap();
            exp = Expected::default();
            counts.generations += 1;
            fresh = false;
        }
        // Half the rounds aim at the settlement, the others at the stream.
        let aim_settlement = !exp.settled && rng.below(2) == 0;
        let window = if aim_settlement {
            settle_time.mul_f64(1.2)
        } else {
            Duration::from_millis(20 + rng.below(400))
        };
        let deadline = Instant::now() + window.mul_f64(rng.below(1000) as f64 / 1000.0);
        let mut killed = None;
        for step in 0..40 {
            let op = if aim_settlement && step == 0 {
                Op::Settle
            } else {
                next_op(&mut rng, &exp)
            };
            let began = Instant::now();
            let result = run_until(&db, &out, &op, deadline);
            if matches!((&op, &result), (Op::Settle, Some((true, _, _)))) {
                // Aim the next kills at how long a settlement takes now
                // (the machine's load changes).
                settle_time = began.elapsed();
            }
            match result {
                None => {
                    killed = Some(op);
                    break;
                }
                Some((true, stdout, _)) => {
                    let v: Value = serde_json::from_slice(&stdout).unwrap();
                    acknowledge(&mut exp, &op, &v);
                    counts.acknowledged += 1;
                }
                Some((false, _, stderr)) => {
                    // Refusals are normal (a maximum, a stale booking); a
                    // storage error is not.
                    let e: Value = serde_json::from_slice(&stderr).unwrap();
                    let code = e["error"]["code"].as_str().unwrap();
                    assert_ne!(code, "storage", "{op:?}: {e}");
                    counts.refused += 1;
                }
            }
        }
        let Some(op) = killed else { continue };
        counts.kills += 1;
        if matches!(op, Op::Settle) {
            counts.mid_settlement += 1;
        }
        let problems = verify(&db, &mut exp, Some(&op), &mut counts);
        if !problems.is_empty() {
            failures.push(format!("kill {} during {op:?}: {problems:?}", counts.kills));
        }
        if exp.settled {
            fresh = true;
        }
    }
    eprintln!(
        "kills {}, of them during the {BIG_BOOKINGS}-booking settlement {}, integrity errors {}, \
         invariant errors {}, half-settled deals {}, acknowledged commands lost {} \
         ({} acknowledged, {} refused, {} databases, {:.1?})",
        counts.kills,
        counts.mid_settlement,
        counts.integrity_errors,
        counts.invariant_errors,
        counts.half_settled,
        counts.lost,
        counts.acknowledged,
        counts.refused,
        counts.generations,
        started.elapsed()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(
        counts.mid_settlement > 0 || kills < 4,
        "no kill landed in a settlement"
    );
}
