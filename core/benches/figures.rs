//! The figures of issue 5 (run by `bench/run`): latency percentiles of the
//! commands, settlement of a deal of 1,000,000 approved bookings against a
//! plain prepared INSERT of as many ledger rows, balances against `hledger
//! balance`, the cold start of the `bookrun` CLI, and the recording of a
//! delivery of a 100,000-booking deal against its settlement. Each figure is one
//! line, `figure value unit baseline ratio` (`-` when there is none; ratio
//! is value / baseline), printed and appended to `target/bench/figures.txt`.
//!
//!     cargo bench -p bookrun --profile perf --bench figures -- [--smoke]
//!
//! Settlement and its baseline run in child processes (this binary with
//! `settle-child` / `insert-child`) so their peak memory is their own.
//! Timings are measured, never asserted: no run fails on a time.
// Durations and ratios are floats here; money never is (minor units).
#![allow(clippy::float_arithmetic)]

mod support;

use bookrun::{clock, execute, store};
use serde_json::{json, Value};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Rng, Scale};

struct Run {
    smoke: bool,
    out: PathBuf,
}

impl Run {
    /// Prints a figure and appends it to figures.txt.
    fn figure(&self, name: &str, value: f64, unit: &str, baseline: Option<f64>) {
        let ratio = baseline.map(|b| value / b);
        let line = format!(
            "{name} {} {unit} {} {}",
            num(value),
            baseline.map_or("-".into(), num),
            ratio.map_or("-".into(), num)
        );
        println!("{line}");
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.out.join("figures.txt"))
            .expect("figures.txt");
        writeln!(f, "{line}").unwrap();
    }

    fn data(&self, name: &str) -> PathBuf {
        let dir = self.out.join("data");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }
}

/// Four significant digits, no exponent.
fn num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let decimals = (3 - v.abs().log10().floor() as i32).clamp(0, 9) as usize;
    format!("{v:.decimals$}")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p`-th percentile (nearest rank) of `samples`.
fn percentile(samples: &mut [Duration], p: usize) -> Duration {
    samples.sort_unstable();
    let rank = (samples.len() * p).div_ceil(100).max(1);
    samples[rank - 1]
}

fn now(text: &str) -> clock::Time {
    clock::parse("now", text).unwrap()
}

/// Peak resident memory of this process so far (VmHWM), in kB.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn shuffled(mut ids: Vec<i64>, rng: &mut Rng) -> Vec<i64> {
    for i in (1..ids.len()).rev() {
        ids.swap(i, rng.below(i as i64 + 1) as usize);
    }
    ids
}

fn ids(conn: &rusqlite::Connection, sql: &str) -> Vec<i64> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// p50 and p99 of each command, one call timed at a time, through
/// `bookrun::execute` as the window and the CLI call it.
/// The disk's own `fsync` of a small file, in the folder of the databases:
/// the reference for the writes' latency (a durable commit syncs the WAL).
fn fsync(run: &Run) {
    let path = run.data("fsync.probe");
    let mut f = std::fs::File::create(&path).unwrap();
    let n = if run.smoke { 50 } else { 500 };
    let mut samples = vec![];
    for i in 0..n {
        f.write_all(&[i as u8; 512]).unwrap();
        let start = Instant::now();
        f.sync_all().unwrap();
        samples.push(start.elapsed());
    }
    drop(f);
    let _ = std::fs::remove_file(&path);
    run.figure("fsync_p50", ms(percentile(&mut samples, 50)), "ms", None);
    run.figure("fsync_p99", ms(percentile(&mut samples, 99)), "ms", None);
}

/// What the window's background task does: a passive checkpoint every half
/// second on a connection of its own, until `stop`.
fn background_checkpoints(
    db: &Path,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    let conn = store::open_checkpointer(db).unwrap();
    std::thread::spawn(move || {
        while !stop.load(std::sync::atomic::Ordering::Relaxed) {
            store::checkpoint(&conn).unwrap();
            std::thread::sleep(Duration::from_millis(500));
        }
    })
}

fn latencies(run: &Run, db: &Path, scale: Scale) {
    fsync(run);
    let mut conn = store::open(db).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let checkpoints = background_checkpoints(db, stop.clone());
    let at = now(support::NOW);
    let (warmup, n) = if run.smoke { (10, 100) } else { (50, 2000) };
    let mut rng = Rng::new(11);
    let per = warmup + n;
    // A random sample of the bookings in `status`, as `{"booking_id"}`
    // arguments: two sets, for the two passes of the writes below.
    let mut bookings = |status: &str| -> Vec<Value> {
        let all = ids(
            &conn,
            &format!("SELECT id FROM bookings WHERE status = '{status}' ORDER BY id"),
        );
        shuffled(all, &mut rng)
            .into_iter()
            .take(2 * per)
            .map(|id| json!({ "booking_id": id }))
            .collect()
    };
    let mut approve = bookings("pending");
    let mut cancel = bookings("approved");
    let book: Vec<Value> = (0..2 * per)
        .map(|_| {
            json!({"deal_id": 2 * rng.below(scale.deals / 2) + 1,
                   "participant_id": rng.below(scale.participants) + 1,
                   "item": "Item A", "quantity": 1})
        })
        .collect();
    let get = (0..per)
        .map(|_| json!({"deal_id": rng.below(scale.deals) + 1}))
        .collect();
    let statement = (0..per)
        .map(|_| json!({"participant_id": rng.below(scale.participants) + 1, "currency": "USD"}))
        .collect();
    let writes_again = vec![
        ("book", book[per..].to_vec()),
        ("approve_booking", approve.split_off(per.min(approve.len()))),
        ("cancel_booking", cancel.split_off(per.min(cancel.len()))),
    ];
    let args = vec![
        ("book", book[..per].to_vec()),
        ("approve_booking", approve),
        ("cancel_booking", cancel),
        ("get_deal", get),
        ("statement", statement),
    ];
    let measure = |conn: &mut rusqlite::Connection, suffix: &str, args: Vec<(&str, Vec<Value>)>| {
        for (name, calls) in args {
            let mut samples = vec![];
            for (i, a) in calls.into_iter().enumerate() {
                let start = Instant::now();
                let result = execute(conn, name, a, at);
                let took = start.elapsed();
                if let Err(e) = result {
                    panic!("{name} failed: {e}");
                }
                if i >= warmup {
                    samples.push(took);
                }
            }
            let p50 = percentile(&mut samples, 50);
            let p99 = percentile(&mut samples, 99);
            run.figure(&format!("{name}{suffix}_p50"), ms(p50), "ms", None);
            run.figure(&format!("{name}{suffix}_p99"), ms(p99), "ms", None);
        }
    };
    measure(&mut conn, "", args);
    // The writes again without waiting for the disk at commit (what the
    // durable commit's fsync costs on this machine; the product keeps
    // synchronous=FULL).
    conn.execute_batch("PRAGMA synchronous = NORMAL").unwrap();
    measure(&mut conn, "_nosync", writes_again);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    checkpoints.join().unwrap();
}

/// Runs `cmd` `n` times, returning each run's wall time; fails on a failed run.
fn wall_times(n: usize, mut cmd: impl FnMut() -> Command) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let mut c = cmd();
            let start = Instant::now();
            let status = c
                .stdout(Stdio::null())
                .status()
                .unwrap_or_else(|e| panic!("cannot run {c:?}: {e}"));
            let took = start.elapsed();
            assert!(status.success(), "{c:?} failed");
            took
        })
        .collect()
}

/// The `bookrun` binary: `BOOKRUN_BIN` (bench/run builds the release one),
/// else the one cargo built with this bench.
fn bookrun_bin() -> PathBuf {
    std::env::var_os("BOOKRUN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_bookrun")))
}

fn cli_cold(run: &Run, db: &Path) {
    let bin = bookrun_bin();
    let runs = if run.smoke { 5 } else { 50 };
    wall_times(3, || cli(&bin, db, "get_deal", r#"{"deal_id":1}"#));
    let mut t = wall_times(runs, || cli(&bin, db, "get_deal", r#"{"deal_id":1}"#));
    run.figure("cli_get_deal_p50", ms(percentile(&mut t, 50)), "ms", None);
}

fn cli(bin: &Path, db: &Path, command: &str, args: &str) -> Command {
    let mut c = Command::new(bin);
    c.arg("--db").arg(db).args([command, args]);
    c
}

/// Every ledger entry as an hledger transaction: the wallet and the
/// counterparty account, amounts printed from minor units.
fn write_journal(conn: &rusqlite::Connection, path: &Path) {
    let usd = bookrun::money::Currency::stored("USD").unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut stmt = conn
        .prepare("SELECT id, kind, participant_id, counterparty, signed FROM entries ORDER BY id")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        let (id, kind, p, cp, signed): (i64, String, i64, String, i64) = (
            r.get(0).unwrap(),
            r.get(1).unwrap(),
            r.get(2).unwrap(),
            r.get(3).unwrap(),
            r.get(4).unwrap(),
        );
        writeln!(
            out,
            "2026-11-23 entry {id} {kind}\n    wallet:p{p}  {} USD\n    {cp}  {} USD\n",
            usd.format(signed),
            usd.format(-signed)
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// Balances of all participants: our `balances` (maintained wallets), the
/// same sums recomputed from every entry, and the CLI process, against
/// `hledger balance` of the same entries.
fn balances(run: &Run, db: &Path) {
    let mut conn = store::open(db).unwrap();
    let at = now(support::NOW);
    let n = if run.smoke { 5 } else { 20 };
    let journal = run.data("ledger.journal");
    write_journal(&conn, &journal);
    let hledger = {
        let runs = if run.smoke { 3 } else { 1 };
        let cmd = || {
            let mut c = Command::new("hledger");
            c.arg("-f")
                .arg(&journal)
                .args(["balance", "-N", "^wallet:"]);
            c
        };
        let installed = Command::new("hledger")
            .arg("--version")
            .stdout(Stdio::null())
            .status();
        match installed {
            Ok(s) if s.success() => Some(ms(percentile(&mut wall_times(runs, cmd), 50))),
            _ => {
                eprintln!("hledger is not installed (apt-get install hledger): no baseline");
                None
            }
        }
    };
    let mut t: Vec<Duration> = (0..n + 2)
        .map(|_| {
            let start = Instant::now();
            let v = execute(&mut conn, "balances", json!({"currency": "USD"}), at).unwrap();
            assert!(v.as_array().is_some_and(|a| !a.is_empty()));
            start.elapsed()
        })
        .skip(2)
        .collect();
    run.figure("balances", ms(percentile(&mut t, 50)), "ms", hledger);
    let mut t: Vec<Duration> = (0..n + 2)
        .map(|_| {
            let start = Instant::now();
            let rows: i64 = conn
                .query_row(
                    "SELECT count(*) FROM (SELECT participant_id, sum(signed) FROM entries
                     WHERE currency = 'USD' GROUP BY participant_id)",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(rows > 0);
            start.elapsed()
        })
        .skip(2)
        .collect();
    run.figure(
        "balances_from_entries",
        ms(percentile(&mut t, 50)),
        "ms",
        hledger,
    );
    let bin = bookrun_bin();
    let mut t = wall_times(n, || cli(&bin, db, "balances", r#"{"currency":"USD"}"#));
    run.figure("balances_cli", ms(percentile(&mut t, 50)), "ms", hledger);
}

/// Runs this binary as a child (`settle-child` or `insert-child`); returns
/// its `(seconds, peak MB)`.
fn child(args: &[&str]) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "child {args:?} failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|v| v.parse::<f64>().unwrap());
    let secs = parts.next().unwrap();
    let peak_kb = parts.next().unwrap();
    (secs, peak_kb / 1024.0)
}

fn settlement(run: &Run) {
    let (bookings, participants) = if run.smoke {
        (10_000, 1_000)
    } else {
        (1_000_000, 100_000)
    };
    let db = run.data("settle.db");
    support::settlement_db(&db, bookings, participants);
    let base = run.data("settle-baseline.db");
    std::fs::copy(&db, &base).unwrap();
    let (base_s, base_mb) = child(&[
        "insert-child",
        base.to_str().unwrap(),
        &bookings.to_string(),
    ]);
    let (s, mb) = child(&["settle-child", db.to_str().unwrap()]);
    run.figure("settlement", s, "s", Some(base_s));
    run.figure("settlement_peak_rss", mb, "MiB", None);
    run.figure("insert_baseline_peak_rss", base_mb, "MiB", None);
}

/// Child: settles the deal of `db` through `execute` (the first command
/// after `closes_at` settles it), prints `seconds peak_kB`, then checks the
/// invariants and the outcome.
fn settle_child(db: &Path) {
    let mut conn = store::open(db).unwrap();
    let start = Instant::now();
    let deal = execute(
        &mut conn,
        "get_deal",
        json!({"deal_id": 1}),
        now(support::AFTER_CLOSE),
    )
    .unwrap();
    let took = start.elapsed();
    println!("{} {}", took.as_secs_f64(), peak_rss_kb());
    assert_eq!(deal["status"], "settled");
    let broken = store::invariants::check(&mut conn).unwrap();
    assert!(broken.is_empty(), "invariants broken: {broken:?}");
}

/// Recording a delivery on a settled deal of 100,000 approved bookings, a
/// tenth of each item missing under the `proportional` rule (every booking's
/// share computed, most bookings refunded), against the settlement of the
/// same deal (issue 13: under 2x).
fn delivery(run: &Run) {
    let (bookings, participants) = if run.smoke {
        (10_000, 1_000)
    } else {
        (100_000, 10_000)
    };
    let db = run.data("deliver.db");
    support::settlement_db(&db, bookings, participants);
    let (settle_s, _) = child(&["settle-child", db.to_str().unwrap()]);
    let (s, mb) = child(&["deliver-child", db.to_str().unwrap()]);
    run.figure("record_delivery", s, "s", Some(settle_s));
    run.figure("record_delivery_peak_rss", mb, "MiB", None);
}

/// Child: records the delivery of the settled deal of `db` (9/10 of each
/// item, proportional), prints `seconds peak_kB`, then checks the ledger.
fn deliver_child(db: &Path) {
    let mut conn = store::open(db).unwrap();
    let at = now(support::AFTER_CLOSE);
    let order = execute(&mut conn, "merchant_order", json!({"deal_id": 1}), at).unwrap();
    let delivered: Vec<Value> = order["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({"item": i["item"], "quantity": i["quantity"].as_i64().unwrap() * 9 / 10}))
        .collect();
    let args = json!({"deal_id": 1, "delivered": delivered, "rule": "proportional"});
    let start = Instant::now();
    let r = execute(&mut conn, "record_delivery", args, at).unwrap();
    let took = start.elapsed();
    println!("{} {}", took.as_secs_f64(), peak_rss_kb());
    assert!(r["totals"]["bookings_refunded"].as_u64().unwrap() > 0);
    let broken = store::invariants::check(&mut conn).unwrap();
    assert!(broken.is_empty(), "invariants broken: {broken:?}");
}

/// Child: the baseline, one ledger row per approved booking of the deal
/// (the entries settlement writes: a refund of each booking, to the
/// booking's own participant, in booking order) with one prepared INSERT in
/// one transaction, on a copy of the same database. The bookings are read
/// before the clock starts.
fn insert_child(db: &Path, n: i64) {
    let mut conn = store::open(db).unwrap();
    let bookings: Vec<(i64, i64)> = conn
        .prepare(
            "SELECT id, participant_id FROM bookings WHERE deal_id = 1 AND status = 'approved'
             ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(bookings.len() as i64, n, "the deal's approved bookings");
    let start = Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .unwrap();
    {
        let mut ins = tx
            .prepare(
                "INSERT INTO entries (kind, participant_id, counterparty, deal_id, booking_id,
                    currency, amount, signed, settlement, created_at)
                 VALUES ('refund', ?1, 'organizer', 1, ?2, 'USD', ?3, ?3, 1, ?4)",
            )
            .unwrap();
        for (booking, participant) in bookings {
            ins.execute(rusqlite::params![
                participant,
                booking,
                100 + booking % 250,
                support::AFTER_CLOSE
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    let took = start.elapsed();
    println!("{} {}", took.as_secs_f64(), peak_rss_kb());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("settle-child") => return settle_child(Path::new(&args[1])),
        Some("deliver-child") => return deliver_child(Path::new(&args[1])),
        // For profiling: the settlement database alone, to settle with `settle-child`.
        Some("settle-db") => {
            return support::settlement_db(
                Path::new(&args[1]),
                args[2].parse().unwrap(),
                args[3].parse().unwrap(),
            )
        }
        Some("insert-child") => return insert_child(Path::new(&args[1]), args[2].parse().unwrap()),
        _ => {}
    }
    let smoke = args.iter().any(|a| a == "--smoke");
    let only: Vec<&str> = args
        .iter()
        .filter_map(|a| a.strip_prefix("--only="))
        .collect();
    let wanted = |part: &str| only.is_empty() || only.contains(&part);
    // target/perf/deps/figures-* -> target/bench
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let out = std::env::var_os("BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("bench"));
    std::fs::create_dir_all(&out).unwrap();
    let run = Run { smoke, out };
    let scale = if smoke { Scale::SMOKE } else { Scale::FULL };
    if wanted("latency") || wanted("cli") || wanted("balances") {
        let db = run.data("latency.db");
        let started = Instant::now();
        let mut conn = support::latency_db(&db, scale);
        eprintln!(
            "generated {scale:?} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if smoke {
            let broken = store::invariants::check(&mut conn).unwrap();
            assert!(broken.is_empty(), "generated data broken: {broken:?}");
        }
        drop(conn);
        if wanted("balances") {
            balances(&run, &db);
        }
        if wanted("cli") {
            cli_cold(&run, &db);
        }
        if wanted("latency") {
            latencies(&run, &db, scale);
        }
    }
    if wanted("settlement") {
        settlement(&run);
    }
    if wanted("delivery") {
        delivery(&run);
    }
    if wanted("check_tiers") {
        check_tiers(&run);
    }
}

/// `check_tiers` over 100,000 quantities of a 50-item deal whose items each
/// have a unit cost and 3 pack sizes (SPEC section 11; goal under 200 ms).
fn check_tiers(run: &Run) {
    let db = run.data("check_tiers.db");
    let _ = std::fs::remove_file(&db);
    let mut conn = store::open(&db).unwrap();
    let at = now("2026-11-23T10:00:00Z");
    let items: Vec<Value> = (0..50)
        .map(|i| {
            json!({"name": format!("item {i}"), "base_price": format!("{}.00", 100 + i),
                   "cost": {"unit": format!("{}.00", 90 + i), "packs": [
                       {"size": 6, "price": format!("{}.00", 500 + i)},
                       {"size": 24, "price": format!("{}.00", 1900 + i)},
                       {"size": 144, "price": format!("{}.00", 10_800 + i)}]}})
        })
        .collect();
    let tiers: Vec<Value> = [100, 1_000, 5_000, 20_000, 60_000]
        .iter()
        .enumerate()
        .map(|(k, q)| {
            json!({"min_qty": q, "prices": (0..50)
                .map(|i| format!("{}.00", 100 + i - 2 * (k as i64 + 1)))
                .collect::<Vec<_>>()})
        })
        .collect();
    let deal = execute(
        &mut conn,
        "create_deal",
        json!({"title": "Fifty", "currency": "EUR", "closes_at": "2026-12-01T00:00:00Z",
               "min_qty": 10, "payment": {"mode": "full"}, "approval": "auto",
               "items": items, "tiers": tiers}),
        at,
    )
    .unwrap()["id"]
        .as_i64()
        .unwrap();
    let runs = if run.smoke { 3 } else { 20 };
    let mut t = vec![];
    for _ in 0..runs {
        let started = Instant::now();
        let r = execute(
            &mut conn,
            "check_tiers",
            json!({"deal_id": deal, "up_to": 100_000}),
            at,
        )
        .unwrap();
        t.push(started.elapsed());
        assert_eq!(r["items"].as_array().unwrap().len(), 50);
    }
    run.figure(
        "check_tiers_100k_p50",
        ms(percentile(&mut t, 50)),
        "ms",
        None,
    );
    run.figure(
        "check_tiers_100k_max",
        ms(percentile(&mut t, 100)),
        "ms",
        None,
    );
}
