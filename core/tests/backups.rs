//! Backups, restores and upgrades of the database file: the `backup` and
//! `restore` commands, and the checked-in fixture of schema version 1 opened
//! by the `bookrun` binary.

mod common;

use bookrun::store;
use common::{cars, dump, Db};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A database with a deal, bookings past a tier, a payment and a reversal.
fn busy_db() -> Db {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let (ann, ben) = (db.add("Ann"), db.add("Ben"));
    db.book(deal, ann, "model #1", 2);
    db.book(deal, ben, "model #5", 2);
    db.ok(
        "record_payment",
        json!({"participant_id": ann, "currency": "USD", "amount": "1000.00"}),
    );
    let pay = db.ok(
        "record_payment",
        json!({"participant_id": ben, "currency": "USD", "amount": "7.00"}),
    )["id"]
        .clone();
    db.ok("reverse_entry", json!({"entry_id": pay}));
    db
}

fn path_str(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn backup_then_restore_brings_back_exactly_the_backed_up_state() {
    let mut db = busy_db();
    let at_backup = db.dump();
    let file = db.path_in("monday.bookrun");
    let done = db.ok("backup", json!({"path": path_str(&file)}));
    assert_eq!(done["path"], path_str(&file));
    assert_eq!(done["schema_version"], store::SCHEMA_VERSION);
    assert_eq!(done["bytes"], std::fs::metadata(&file).unwrap().len());
    // The backup is a complete file by itself (no -wal beside it).
    assert!(!db.path_in("monday.bookrun-wal").exists());
    assert_eq!(dump(&Connection::open(&file).unwrap()), at_backup);

    // Work goes on, then the organizer restores Monday's backup.
    let cleo = db.add("Cleo");
    db.book(1, cleo, "model #1", 1);
    let after_backup = db.dump();
    assert_ne!(after_backup, at_backup);
    let r = db.ok("restore", json!({"path": path_str(&file)}));
    assert_eq!(db.dump(), at_backup);
    assert_eq!(r["restored_from"], path_str(&file));
    assert_eq!(r["schema_version"], store::SCHEMA_VERSION);
    // The replaced state is kept, whole, beside the database.
    let kept = PathBuf::from(r["replaced_kept_at"].as_str().unwrap());
    assert_eq!(kept.parent(), db.path_in("test.db").parent());
    assert!(kept
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("test.db.replaced-"));
    assert_eq!(dump(&Connection::open(&kept).unwrap()), after_backup);
    db.assert_invariants();
    // The restored database takes commands again, with its own ids.
    let dan = db.add("Dan");
    assert_eq!(dan, cleo, "ids continue from the restored state");
    db.book(1, dan, "model #5", 1);
    db.assert_invariants();
}

#[test]
fn another_connection_sees_the_restored_state() {
    let mut db = busy_db();
    let file = db.path_in("b.bak");
    db.ok("backup", json!({"path": path_str(&file)}));
    let mut other = store::open(&db.path_in("test.db")).unwrap();
    let count = |c: &Connection| -> i64 {
        c.query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
            .unwrap()
    };
    db.add("Cleo");
    assert_eq!(count(&other), 3);
    db.ok("restore", json!({"path": path_str(&file)}));
    assert_eq!(count(&other), 2);
    // And it can write on top of it.
    bookrun::execute(
        &mut other,
        "add_participant",
        json!({"name": "Eve"}),
        db.now,
    )
    .unwrap();
    assert_eq!(count(&db.conn), 3);
}

#[test]
fn backup_refusals_name_the_path_and_change_nothing() {
    let mut db = busy_db();
    let existing = db.path_in("taken.bak");
    std::fs::write(&existing, b"mine").unwrap();
    let files = files_in(&db.path_in(""));
    // An existing file is replaced only when asked (`overwrite`).
    let m = db.refused("conflict", "backup", json!({"path": path_str(&existing)}));
    assert!(
        m.starts_with("path: ") && m.contains("already exists"),
        "{m}"
    );
    for (args, says) in [
        (
            json!({"path": path_str(&db.path_in("no/such/dir/x.bak"))}),
            "does not exist",
        ),
        (json!({"path": path_str(&db.path_in(""))}), "not a folder"),
        (json!({"path": ""}), "must not be empty"),
        (json!({"path": "   "}), "must not be empty"),
        (json!({"path": 7}), "must be"),
        (json!({}), "is required"),
        (json!({"path": "a\u{0}b"}), "NUL"),
        (json!({"path": "x".repeat(5000)}), "at most 4096"),
    ] {
        let m = db.refused("validation", "backup", args.clone());
        assert!(m.starts_with("path: "), "{args}: {m}");
        assert!(m.contains(says), "{args}: {m}");
    }
    let m = db.refused("validation", "backup", json!({"path": "x.bak", "to": "y"}));
    assert!(m.starts_with("to: "), "{m}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"mine");
    assert_eq!(files_in(&db.path_in("")), files);
}

/// Writes a modified copy of a good backup for a restore refusal.
fn spoiled(db: &mut Db, name: &str, spoil: impl FnOnce(&Path)) -> PathBuf {
    let file = db.path_in(name);
    db.ok("backup", json!({"path": path_str(&file)}));
    spoil(&file);
    file
}

#[test]
fn restore_refuses_anything_but_a_sound_backup_and_changes_nothing() {
    let mut db = busy_db();
    let text = db.path_in("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just some notes\n".repeat(200),
    )
    .unwrap();
    let foreign = db.path_in("foreign.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let empty = db.path_in("empty.db");
    Connection::open(&empty)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    let newer = spoiled(&mut db, "newer.bak", |f| {
        Connection::open(f)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap()
    });
    let unbalanced = spoiled(&mut db, "unbalanced.bak", |f| {
        Connection::open(f)
            .unwrap()
            .execute_batch("UPDATE wallets SET balance = balance + 1 WHERE participant_id = 1")
            .unwrap()
    });
    let orphan = spoiled(&mut db, "orphan.bak", |f| {
        Connection::open(f)
            .unwrap()
            .execute_batch(
                "PRAGMA foreign_keys = OFF; DROP TRIGGER IF EXISTS entries_no_delete;
                 UPDATE bookings SET participant_id = 999 WHERE id = 1",
            )
            .unwrap()
    });
    let torn = spoiled(&mut db, "torn.bak", |f| {
        // Garbage over the middle of the file: a torn or bit-rotted copy.
        let mut bytes = std::fs::read(f).unwrap();
        let mid = bytes.len() / 2;
        let end = (mid + 8192).min(bytes.len());
        for (i, b) in bytes[mid..end].iter_mut().enumerate() {
            *b = (i * 151 % 256) as u8;
        }
        std::fs::write(f, bytes).unwrap();
    });
    let cut = spoiled(&mut db, "cut.bak", |f| {
        let bytes = std::fs::read(f).unwrap();
        std::fs::write(f, &bytes[..bytes.len() / 3]).unwrap();
    });
    let live = db.path_in("test.db");
    let files = files_in(&db.path_in(""));
    for (file, says) in [
        (db.path_in("missing.bak"), "no file at"),
        (db.path_in(""), "not a regular file"),
        (text, "not"),
        (foreign, "another program"),
        (empty, "empty database"),
        (newer, "newer"),
        (unbalanced, "inconsistent ledger"),
        (orphan, "missing rows"),
        (torn, "damaged"),
        (cut, "cannot be read"),
        (live, "in use"),
    ] {
        let m = db.refused("validation", "restore", json!({"path": path_str(&file)}));
        assert!(m.starts_with("path: "), "{}: {m}", file.display());
        assert!(m.contains(says), "{}: {m}", file.display());
        // No kept copy, no leftover working file.
        assert_eq!(files_in(&db.path_in("")), files, "{}", file.display());
    }
    db.assert_invariants();
}

#[test]
fn a_backup_taken_while_another_process_writes_is_consistent() {
    let db = busy_db();
    let path = db.path_in("test.db");
    let now = db.now;
    let writer = std::thread::spawn(move || {
        let mut c = store::open(&path).unwrap();
        for i in 0..300 {
            bookrun::execute(
                &mut c,
                "add_participant",
                json!({"name": format!("P{i}")}),
                now,
            )
            .unwrap();
            bookrun::execute(
                &mut c,
                "record_payment",
                json!({"participant_id": 1, "currency": "USD", "amount": "1.00"}),
                now,
            )
            .unwrap();
        }
    });
    let mut reader = store::open(&db.path_in("test.db")).unwrap();
    let mut taken = 0;
    while !writer.is_finished() || taken < 3 {
        let file = db.path_in(&format!("live-{taken}.bak"));
        bookrun::execute(&mut reader, "backup", json!({"path": path_str(&file)}), now).unwrap();
        let mut copy = store::open(&file).unwrap();
        let broken = store::invariants::check(&mut copy).unwrap();
        assert!(broken.is_empty(), "backup {taken}: {broken:?}");
        taken += 1;
    }
    writer.join().unwrap();
    assert!(taken >= 3);
}

// --- The schema-version-1 fixture, opened by the binary --------------------

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/schema-v1.db");
const FIXTURE_VERSION: i64 = 1;

fn bookrun(db: &Path, command: &str, args: Value) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "--now",
            "2026-11-23T10:00:00Z",
        ])
        .args([command, &args.to_string()])
        .env_remove("BOOKRUN_DB")
        .output()
        .unwrap()
}

fn schema(path: &Path) -> Vec<(String, String, Option<String>)> {
    let c = Connection::open(path).unwrap();
    let mut rows: Vec<_> = c
        .prepare("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.sort();
    rows
}

fn pragmas(path: &Path) -> (i64, i64) {
    let c = Connection::open(path).unwrap();
    let v = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let a = c
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    (v, a)
}

#[test]
fn the_version_1_fixture_is_upgraded_by_the_binary_to_the_fresh_schema() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.db");
    std::fs::copy(FIXTURE, &old).unwrap();
    assert_eq!(pragmas(&old).0, FIXTURE_VERSION);
    let original = dump(&Connection::open(&old).unwrap());

    let out = bookrun(&old, "get_deal", json!({"deal_id": 2}));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bikes: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bikes["title"], "Bikes");
    assert_eq!(bikes["status"], "settled");
    assert_eq!(bikes["closes_at"], "2026-11-21T18:00:00+01:00");

    // Same schema, version and application id as a database made today.
    let fresh = dir.path().join("fresh.db");
    assert!(bookrun(&fresh, "list_deals", json!({})).status.success());
    assert_eq!(schema(&old), schema(&fresh));
    assert_eq!(pragmas(&old), pragmas(&fresh));

    // The data came through: the settlement arithmetic of SPEC 5 (deposit
    // 12.5% of 410.00 = 51.25 a unit; final tier 1 price 389.99).
    let statement = |who: i64| -> Value {
        let out = bookrun(
            &old,
            "statement",
            json!({"participant_id": who, "currency": "EUR"}),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    assert_eq!(
        statement(5)["balance"],
        "-677.48",
        "Zoë: 2 x 389.99 - 102.50 paid"
    );
    assert_eq!(
        statement(6)["balance"],
        "-389.99",
        "Yann: 1 x 389.99, his payment reversed"
    );
    let mut conn = store::open(&old).unwrap();
    let broken = store::invariants::check(&mut conn).unwrap();
    assert!(broken.is_empty(), "{broken:?}");

    // An upgrade keeps a copy of the old file; opening at the current version does not.
    let baks: Vec<String> = files_in(dir.path())
        .into_iter()
        .filter(|f| f.ends_with(".bak"))
        .collect();
    if store::SCHEMA_VERSION > FIXTURE_VERSION {
        assert_eq!(baks.len(), 1, "{baks:?}");
        assert!(baks[0].starts_with(&format!("old.db.v{FIXTURE_VERSION}-")));
        let copy = dir.path().join(&baks[0]);
        assert_eq!(dump(&Connection::open(copy).unwrap()), original);
    } else {
        assert!(baks.is_empty(), "{baks:?}");
    }
}

#[test]
fn restoring_the_version_1_fixture_upgrades_it_in_place() {
    let mut db = busy_db();
    db.ok("restore", json!({"path": FIXTURE}));
    assert_eq!(
        store::schema_version(&db.conn).unwrap(),
        store::SCHEMA_VERSION
    );
    assert_eq!(db.ok("get_deal", json!({"deal_id": 2}))["title"], "Bikes");
    assert_eq!(db.balance(5, "EUR"), "-677.48");
    db.assert_invariants();
    // The fixture itself is never written.
    assert_eq!(pragmas(Path::new(FIXTURE)).0, FIXTURE_VERSION);
}

#[test]
fn a_database_newer_than_the_binary_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    std::fs::copy(FIXTURE, &db).unwrap();
    Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 1000")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = bookrun(&db, "list_deals", json!({}));
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "storage");
    let m = e["error"]["message"].as_str().unwrap();
    assert!(
        m.contains("schema version 1000, newer than this Book & Run"),
        "{m}"
    );
    assert!(m.contains("upgrade Book & Run"), "{m}");
    assert_eq!(std::fs::read(&db).unwrap(), before);
    assert_eq!(files_in(dir.path()), vec!["new.db".to_string()]);
}
