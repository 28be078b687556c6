//! The hostile-file catalogue: crafted backups, special files to import and
//! export targets near the database, each given to the `bookrun` binary.
//! Every case must answer exit 1 with a clean JSON error of its code (no
//! panic, no hang) in under a second, leave the live database as it was (a
//! dump of every table compared) and leave no file behind.
//!
//!     cargo test -p bookrun --test hostile_files -- --nocapture
//!
//! prints the number of cases and the slowest answer.

use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

const NOW: &str = "--now=2026-11-23T10:00:00Z";

struct Setup {
    _dir: tempfile::TempDir,
    db: PathBuf,
    work: PathBuf,
}

impl Setup {
    fn data(&self, name: &str) -> PathBuf {
        self.db.parent().unwrap().join(name)
    }
    fn work(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }
}

fn run(db: &Path, command: &str, args: &Value) -> (Option<i32>, String, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .arg("--db")
        .arg(db)
        .arg(NOW)
        .arg(command)
        .arg(args.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A hang is a failure: never wait more than 20 s.
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command} {args}: no answer after 20 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let out = child.wait_with_output().unwrap();
    let took = start.elapsed();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

fn ok(db: &Path, command: &str, args: Value) -> Value {
    let (code, out, err, _) = run(db, command, &args);
    assert_eq!(code, Some(0), "{command} {args}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// The database with a deal, participants whose names and memos are
/// formulas, a payment; a good backup, and one restore done (so a kept
/// `.replaced-*.bak` is beside the database).
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data").join("bookrun.db");
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    ok(&db, "create_deal", common::cars(json!({"mode": "full"})));
    ok(&db, "open_deal", json!({"deal_id": 1}));
    for name in [
        "=HYPERLINK(\"http://x.example\")",
        "Ann",
        "@SUM(1+1)",
        "-2+3",
    ] {
        ok(&db, "add_participant", json!({"name": name}));
    }
    ok(
        &db,
        "book",
        json!({"deal_id": 1, "participant_id": 1, "item": "model #1", "quantity": 1}),
    );
    ok(
        &db,
        "record_payment",
        json!({"participant_id": 1, "currency": "USD", "amount": "100.00", "memo": "@SUM(1+1)"}),
    );
    let s = Setup {
        _dir: dir,
        db,
        work,
    };
    ok(&s.db, "backup", json!({"path": p(&s.work("good.bak"))}));
    ok(&s.db, "restore", json!({"path": p(&s.work("good.bak"))}));
    s
}

/// A copy of the good backup, changed by `sql` (run with the schema writable).
fn crafted(s: &Setup, name: &str, sql: &str) -> PathBuf {
    let path = s.work(name);
    std::fs::copy(s.work("good.bak"), &path).unwrap();
    let c = Connection::open(&path).unwrap();
    c.execute_batch(sql).unwrap();
    drop(c);
    path
}

fn triggers(s: &Setup) -> Vec<String> {
    let c = Connection::open(s.work("good.bak")).unwrap();
    let mut stmt = c
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap();
    let names = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<Vec<String>, _>>()
        .unwrap();
    names
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // SQLite's own WAL and shared memory come and go with connections.
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    v.sort();
    v
}

fn live_dump(db: &Path) -> String {
    let c = Connection::open(db).unwrap();
    common::dump(&c)
}

struct Case {
    name: String,
    command: &'static str,
    args: Value,
    code: &'static str,
}

fn case(name: impl Into<String>, command: &'static str, args: Value, code: &'static str) -> Case {
    Case {
        name: name.into(),
        command,
        args,
        code,
    }
}

#[test]
fn every_hostile_file_is_refused_quickly_with_its_code_and_changes_nothing() {
    let s = setup();
    let mut cases = vec![];

    // Crafted backups: only our schema, at a version we know, is restored.
    let dropped: String = triggers(&s)
        .iter()
        .map(|t| format!("DROP TRIGGER \"{t}\";"))
        .collect();
    assert!(!dropped.is_empty(), "the schema has triggers to drop");
    let backups = [
        ("triggers dropped", dropped.clone()),
        (
            "an extra trigger",
            "CREATE TRIGGER wipe AFTER INSERT ON participants BEGIN DELETE FROM bookings; END;"
                .into(),
        ),
        ("an extra table", "CREATE TABLE extra (x INTEGER);".into()),
        (
            "an extra view",
            "CREATE VIEW v AS SELECT * FROM participants;".into(),
        ),
        (
            "an extra index",
            "CREATE INDEX extra_ix ON participants (note);".into(),
        ),
        (
            "a changed CHECK",
            "PRAGMA writable_schema = ON;
             UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (', 'CHECK (1 OR ')
              WHERE type = 'table' AND name = 'bookings';
             PRAGMA writable_schema = OFF;"
                .into(),
        ),
        ("user_version -1", "PRAGMA user_version = -1;".into()),
        ("user_version too high", "PRAGMA user_version = 99;".into()),
        (
            "a foreign application_id",
            "PRAGMA application_id = 1;".into(),
        ),
        (
            "a booking of an item the deal does not have",
            "UPDATE bookings SET item = 7;".into(),
        ),
    ];
    for (i, (name, sql)) in backups.iter().enumerate() {
        let path = crafted(&s, &format!("crafted-{i}.bak"), sql);
        cases.push(case(
            format!("restore: {name}"),
            "restore",
            json!({"path": p(&path)}),
            "validation",
        ));
    }
    // A short price list (the schema admits it, the program could not use it).
    let short = s.work("short-prices.bak");
    std::fs::copy(s.work("good.bak"), &short).unwrap();
    {
        let c = Connection::open(&short).unwrap();
        c.execute_batch(
            "INSERT INTO deal_tiers (deal_id, position, min_qty, prices) VALUES (1, 2, 9, '[1]')",
        )
        .unwrap_or_else(|e| panic!("crafting the short price list: {e}"));
    }
    cases.push(case(
        "restore: a tier with a short price list",
        "restore",
        json!({"path": p(&short)}),
        "validation",
    ));
    let good = std::fs::read(s.work("good.bak")).unwrap();
    let truncated = s.work("truncated.bak");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    cases.push(case(
        "restore: a truncated file",
        "restore",
        json!({"path": p(&truncated)}),
        "validation",
    ));
    let renamed = s.work("sheet.bak");
    std::fs::write(&renamed, "name,item,quantity\nAnn,model #1,1\n").unwrap();
    cases.push(case(
        "restore: a CSV renamed .bak",
        "restore",
        json!({"path": p(&renamed)}),
        "validation",
    ));
    for (name, file) in [
        ("the database itself", s.db.clone()),
        ("the database's WAL", s.data("bookrun.db-wal")),
        ("/dev/zero", PathBuf::from("/dev/zero")),
        ("a folder", s.work.clone()),
    ] {
        cases.push(case(
            format!("restore: {name}"),
            "restore",
            json!({"path": p(&file)}),
            "validation",
        ));
    }

    // Special files to import: refused at once, before any lock is taken.
    let fifo = s.work("pipe.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let folder = s.work("a-folder.csv");
    std::fs::create_dir(&folder).unwrap();
    let big = s.work("big.csv");
    {
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(21 * 1024 * 1024).unwrap();
    }
    for (name, file) in [
        ("/dev/zero", PathBuf::from("/dev/zero")),
        ("/dev/urandom", PathBuf::from("/dev/urandom")),
        ("a FIFO", fifo.clone()),
        ("a folder", folder.clone()),
        ("a 21 MB file", big.clone()),
    ] {
        cases.push(case(
            format!("import_signups: {name}"),
            "import_signups",
            json!({"deal_id": 1, "path": p(&file)}),
            "validation",
        ));
        cases.push(case(
            format!("preview_bank_import: {name}"),
            "preview_bank_import",
            json!({"currency": "USD", "path": p(&file)}),
            "validation",
        ));
    }

    // Export and backup targets near the database.
    let kept = files_in(s.db.parent().unwrap())
        .into_iter()
        .find(|n| n.ends_with(".bak"))
        .expect("a kept copy beside the database");
    let link = s.work("link-to-db.csv");
    std::os::unix::fs::symlink(&s.db, &link).unwrap();
    let existing = s.work("existing.csv");
    std::fs::write(&existing, "mine").unwrap();
    let dotted = s.work.join("..").join("data").join("bookrun.db");
    let targets: Vec<(String, PathBuf, &str)> = vec![
        ("the database".into(), s.db.clone(), "validation"),
        ("its -wal".into(), s.data("bookrun.db-wal"), "validation"),
        ("its -shm".into(), s.data("bookrun.db-shm"), "validation"),
        (
            "its -journal".into(),
            s.data("bookrun.db-journal"),
            "validation",
        ),
        ("a kept .bak".into(), s.data(&kept), "validation"),
        (
            "a symlink to the database".into(),
            link.clone(),
            "validation",
        ),
        ("the database through ..".into(), dotted, "validation"),
        ("an existing file".into(), existing.clone(), "conflict"),
    ];
    for (name, file, code) in &targets {
        cases.push(case(
            format!("export_ledger to {name}"),
            "export_ledger",
            json!({"currency": "USD", "format": "csv", "path": p(file)}),
            code,
        ));
        cases.push(case(
            format!("export_merchant_order pdf to {name}"),
            "export_merchant_order",
            json!({"deal_id": 1, "format": "pdf", "path": p(file), "overwrite": *code != "conflict"}),
            code,
        ));
        cases.push(case(
            format!("backup to {name}"),
            "backup",
            json!({"path": p(file)}),
            code,
        ));
    }
    // With overwrite, the app's files are still refused.
    for (name, file) in [
        ("the database", s.db.clone()),
        ("a symlink to it", link.clone()),
    ] {
        cases.push(case(
            format!("backup (overwrite) to {name}"),
            "backup",
            json!({"path": p(&file), "overwrite": true}),
            "validation",
        ));
    }

    let data_files = files_in(s.db.parent().unwrap());
    let work_files = files_in(&s.work);
    let before = live_dump(&s.db);
    let mut slowest = (Duration::ZERO, String::new());
    for c in &cases {
        let (code, out, err, took) = run(&s.db, c.command, &c.args);
        assert_eq!(
            code,
            Some(1),
            "{}: exit {code:?}, stdout {out}, stderr {err}",
            c.name
        );
        assert!(out.is_empty(), "{}: printed {out}", c.name);
        let e: Value = serde_json::from_str(err.trim())
            .unwrap_or_else(|_| panic!("{}: stderr is not one JSON error: {err}", c.name));
        assert_eq!(e["error"]["code"], c.code, "{}: {err}", c.name);
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("path: "), "{}: {message}", c.name);
        assert!(
            took < Duration::from_secs(1),
            "{}: answered in {took:?}",
            c.name
        );
        println!(
            "{:>5} ms  {:<10} {:<55} {}",
            took.as_millis(),
            c.code,
            c.name,
            message.chars().take(110).collect::<String>()
        );
        if took > slowest.0 {
            slowest = (took, c.name.clone());
        }
        assert_eq!(live_dump(&s.db), before, "{}: the database changed", c.name);
        assert_eq!(files_in(s.db.parent().unwrap()), data_files, "{}", c.name);
        assert_eq!(files_in(&s.work), work_files, "{}", c.name);
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"mine");
    // The database still answers.
    ok(&s.db, "get_deal", json!({"deal_id": 1}));
    println!(
        "hostile files: {} cases, each refused with its code and the database unchanged; slowest answer {} ms ({})",
        cases.len(),
        slowest.0.as_millis(),
        slowest.1
    );
}

#[test]
fn csv_exports_neutralise_formulas_and_keep_numbers() {
    let s = setup();
    let out = s.work("ledger.csv");
    ok(
        &s.db,
        "export_ledger",
        json!({"currency": "USD", "format": "csv", "path": p(&out)}),
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("'@SUM(1+1)"), "{text}");
    assert!(!text.contains(",@SUM"), "{text}");
    assert!(text.contains("'=HYPERLINK("), "{text}");
    assert!(text.contains(",-30000.00"), "amounts stay numbers: {text}");
    // Files the app writes are private.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), 0o600);
    assert_eq!(mode(&s.db), 0o600);
    assert_eq!(mode(s.db.parent().unwrap()), 0o700);
    assert_eq!(mode(&s.work("good.bak")), 0o600);
    // And replacing an export needs `overwrite`.
    let (code, _, err, _) = run(
        &s.db,
        "export_ledger",
        &json!({"currency": "USD", "format": "csv", "path": p(&out)}),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"conflict\""), "{err}");
    ok(
        &s.db,
        "export_ledger",
        json!({"currency": "USD", "format": "csv", "path": p(&out), "overwrite": true}),
    );
}

#[test]
fn restoring_prunes_replaced_copies_to_the_newest_five() {
    let s = setup();
    for _ in 0..7 {
        ok(&s.db, "restore", json!({"path": p(&s.work("good.bak"))}));
    }
    let kept: Vec<String> = files_in(s.db.parent().unwrap())
        .into_iter()
        .filter(|n| n.contains(".replaced-") && n.ends_with(".bak"))
        .collect();
    assert_eq!(kept.len(), 5, "{kept:?}");
}

/// A live database changed behind the app's back (by hand, or by an older
/// restore that checked less) answers `storage`, never a panic (exit 101).
#[test]
fn a_live_database_that_does_not_fit_answers_storage_not_a_panic() {
    let s = setup();
    let c = Connection::open(&s.db).unwrap();
    // Two payments whose sum leaves i64: the statement's running balance.
    c.execute_batch(
        "INSERT INTO entries (kind, participant_id, counterparty, currency, amount, signed, created_at)
         VALUES ('payment', 2, 'outside', 'USD', 9000000000000000000, 9000000000000000000, 'x'),
                ('payment', 2, 'outside', 'USD', 9000000000000000000, 9000000000000000000, 'x');
         UPDATE deal_tiers SET prices = '[1]' WHERE deal_id = 1;",
    )
    .unwrap();
    drop(c);
    for (command, args) in [
        ("statement", json!({"participant_id": 2, "currency": "USD"})),
        ("get_deal", json!({"deal_id": 1})),
    ] {
        let (code, out, err, _) = run(&s.db, command, &args);
        assert_eq!(code, Some(1), "{command}: {out} {err}");
        let e: Value = serde_json::from_str(err.trim()).unwrap_or_else(|_| panic!("{err}"));
        assert_eq!(e["error"]["code"], "storage", "{command}: {err}");
    }
}

/// The file of an import is read before the write transaction: while
/// another process holds the write lock, a bad file is refused at once
/// instead of waiting for the lock (up to 10 s) first.
#[test]
fn an_import_file_is_checked_before_the_write_lock_is_taken() {
    let s = setup();
    let holder = Connection::open(&s.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (code, _, err, took) = run(
        &s.db,
        "import_signups",
        &json!({"deal_id": 1, "path": "/dev/zero"}),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"validation\""), "{err}");
    assert!(
        took < Duration::from_secs(2),
        "waited {took:?} for the lock"
    );
    holder.execute_batch("ROLLBACK").unwrap();
}
