//! The `bookrun` binary, black-box: SPEC example 1 through the command line,
//! and SPEC section 8's output, error and exit-status contract.

mod common;

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const NOW: &str = "2026-11-23T10:00:00Z";

struct Cli {
    db: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        Cli {
            db: dir.path().join("cli.db"),
            _dir: dir,
        }
    }

    fn raw(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_bookrun"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("BOOKRUN_DB")
            .output()
            .unwrap()
    }

    /// Runs `bookrun --db DB args...` with `input` on standard input.
    fn with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_bookrun"))
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("BOOKRUN_DB")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed; returns its JSON result.
    fn ok(&self, command: &str, args: Value) -> Value {
        let out = self.raw(&["--now", NOW, command, &args.to_string()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{command} {args}: {stderr}");
        assert!(stderr.is_empty(), "{stderr}");
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Runs a command that must fail; returns (exit status, error JSON).
    fn err(&self, args: &[&str]) -> (i32, Value) {
        let out = self.raw(args);
        assert!(
            out.stdout.is_empty(),
            "stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let e: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|_| {
            panic!(
                "stderr is not JSON: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap(), e)
    }
}

/// Every row of the database at `p` (through a connection of our own).
fn file_dump(p: &Path) -> String {
    common::dump(&rusqlite::Connection::open(p).unwrap())
}

#[test]
fn example_1_through_the_command_line() {
    let cli = Cli::new();
    let deal = cli.ok(
        "create_deal",
        json!({
            "title": "Cars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z", "min_qty": 3,
            "payment": {"mode": "full"}, "approval": "auto",
            "items": [{"name": "model #1", "base_price": "30000.00"},
                      {"name": "model #5", "base_price": "25000.00"}],
            "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00"]}]
        }),
    );
    assert_eq!(deal["status"], "draft");
    let id = deal["id"].as_i64().unwrap();
    assert_eq!(
        cli.ok("open_deal", json!({"deal_id": id}))["status"],
        "open"
    );
    let people: Vec<i64> = ["A", "B", "C", "D"]
        .iter()
        .map(|n| {
            cli.ok("add_participant", json!({"name": n}))["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let o = cli.ok(
        "book",
        json!({"deal_id": id, "participant_id": people[0], "item": "model #1", "quantity": 1}),
    );
    assert_eq!(o["booking"]["charged"], "30000.00");
    let mut kinds = vec![];
    for &p in &people[1..] {
        let o = cli.ok(
            "book",
            json!({"deal_id": id, "participant_id": p, "item": "model #5", "quantity": 1}),
        );
        kinds.extend(
            o["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["kind"].clone()),
        );
    }
    assert_eq!(kinds, [json!("minimum_reached"), json!("tier_reached")]);
    let st = cli.ok(
        "statement",
        json!({"participant_id": people[0], "currency": "USD"}),
    );
    assert_eq!(st["balance"], "-30000.00");
    let pay = cli.ok("record_payment", json!({"participant_id": people[0], "currency": "USD", "amount": "30000.00", "method": "cash"}));
    assert_eq!(pay["signed_amount"], "30000.00");
    let s = cli.ok("end_deal", json!({"deal_id": id}));
    assert_eq!(s["outcome"], "settled");
    let balances = cli.ok("balances", json!({"currency": "USD"}));
    let got: Vec<&str> = balances
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["balance"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["500.00", "-24800.00", "-24800.00", "-24800.00"]);
}

#[test]
fn now_after_closes_at_settles_first() {
    let cli = Cli::new();
    let id = cli.ok("create_deal", json!({
        "title": "Pens", "currency": "JPY", "closes_at": "2026-11-30T00:00:00+09:00", "min_qty": 1,
        "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "pen", "base_price": "120"}], "tiers": [{"min_qty": 2, "prices": ["100"]}]
    }))["id"].as_i64().unwrap();
    cli.ok("open_deal", json!({"deal_id": id}));
    let a = cli.ok("add_participant", json!({"name": "A"}))["id"]
        .as_i64()
        .unwrap();
    cli.ok(
        "book",
        json!({"deal_id": id, "participant_id": a, "item": "pen", "quantity": 2}),
    );
    let out = cli.raw(&[
        "--now",
        "2026-11-30T00:00:00+09:00",
        "get_deal",
        &json!({"deal_id": id}).to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["status"], "settled");
    assert_eq!(
        d["closes_at"], "2026-11-30T00:00:00+09:00",
        "times are printed as written"
    );
    assert_eq!(
        cli.ok("statement", json!({"participant_id": a, "currency": "JPY"}))["balance"],
        "-200"
    );
}

#[test]
fn refusals_are_coded_json_on_stderr_with_exit_1_and_write_nothing() {
    let cli = Cli::new();
    cli.ok("add_participant", json!({"name": "A"}));
    let before = file_dump(&cli.db);
    let (code, e) = cli.err(&[
        "--now",
        NOW,
        "record_payment",
        r#"{"participant_id":1,"currency":"USD","amount":12.5}"#,
    ]);
    assert_eq!(code, 1);
    assert_eq!(e["error"]["code"], "validation");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("amount"),
        "{e}"
    );
    let (code, e) = cli.err(&["--now", NOW, "get_deal", r#"{"deal_id":42}"#]);
    assert_eq!((code, e["error"]["code"].as_str()), (1, Some("not_found")));
    let (code, e) = cli.err(&["--now", NOW, "reverse_entry", r#"{"entry_id":1}"#]);
    assert_eq!((code, e["error"]["code"].as_str()), (1, Some("not_found")));
    assert_eq!(file_dump(&cli.db), before);
}

#[test]
fn usage_errors_exit_2() {
    let cli = Cli::new();
    for args in [
        vec![],
        vec!["no_such_command"],
        vec!["get_deal", "not json"],
        vec!["get_deal", "[1, 2]"],
        vec!["get_deal", "7"],
        vec!["--now", "yesterday", "list_deals"],
        vec!["--bogus", "list_deals"],
        vec!["list_deals", "{}", "extra"],
    ] {
        let (code, e) = cli.err(&args);
        assert_eq!(code, 2, "{args:?}: {e}");
        assert_eq!(e["error"]["code"], "usage", "{args:?}");
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn help_lists_every_command_with_its_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for c in bookrun::COMMANDS {
        assert!(help.contains(c.name), "--help misses {}", c.name);
        assert!(
            help.contains(c.args),
            "--help misses the arguments of {}",
            c.name
        );
    }
    assert!(help.contains("--db") && help.contains("--now"));
}

/// `bookrun --help | head` closes the pipe before the help is written: that
/// is the reader's choice, not a crash (no panic, no exit 101).
#[test]
fn help_into_a_closed_pipe_is_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .arg("--help")
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101));
}

#[test]
fn bookrun_db_sets_the_default_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let out = Command::new(env!("CARGO_BIN_EXE_bookrun"))
        .env("BOOKRUN_DB", &db)
        .args(["add_participant", r#"{"name":"Env"}"#])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(db.exists());
}

#[test]
fn arguments_can_come_from_standard_input() {
    let cli = Cli::new();
    let out = cli.with_stdin(&["add_participant", "-"], br#"{"name":"Stdin"}"#);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "Stdin");
}

#[test]
fn a_sign_up_sheet_can_come_from_standard_input_and_exports_write_files() {
    let cli = Cli::new();
    let deal = cli.ok("create_deal", common::cars(json!({"mode": "full"})))["id"]
        .as_i64()
        .unwrap();
    cli.ok("open_deal", json!({ "deal_id": deal }));
    let args = json!({"deal_id": deal, "path": "-"}).to_string();
    let out = cli.with_stdin(
        &["--now", NOW, "import_signups", &args],
        b"name;item;quantity\nAnn;model #1;1\nBen;model #5;3\n",
    );
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["new_participants"], 2);
    assert_eq!(v["deal"]["level"], 1);
    let order = cli.db.with_file_name("order.csv");
    let r = cli.ok(
        "export_merchant_order",
        json!({"deal_id": deal, "format": "csv", "path": order.to_str().unwrap()}),
    );
    assert_eq!(r["rows"], 2);
    assert_eq!(
        std::fs::read_to_string(&order).unwrap(),
        "item,quantity,unit price,total\nmodel #1,1,29500.00,29500.00\nmodel #5,3,24800.00,74400.00\ntotal,4,,103900.00\n"
    );
}

#[test]
fn a_shortfall_and_a_repeat_through_the_command_line() {
    let cli = Cli::new();
    let id = cli.ok("create_deal", json!({
        "title": "Jars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z", "min_qty": 1,
        "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "jar", "base_price": "4.00"}], "tiers": [{"min_qty": 10, "prices": ["3.50"]}]
    }))["id"].as_i64().unwrap();
    cli.ok("open_deal", json!({"deal_id": id}));
    let mut bookings = vec![];
    for (name, q) in [("A", 5), ("B", 3), ("C", 2)] {
        let p = cli.ok("add_participant", json!({"name": name}))["id"]
            .as_i64()
            .unwrap();
        let o = cli.ok(
            "book",
            json!({"deal_id": id, "participant_id": p, "item": "jar", "quantity": q}),
        );
        bookings.push(o["booking"]["id"].as_i64().unwrap());
    }
    // Not settled yet: a conflict on stderr, exit 1, nothing written.
    let args = json!({"deal_id": id, "delivered": [{"item": "jar", "quantity": 7}], "rule": "proportional"}).to_string();
    let before = file_dump(&cli.db);
    let (code, e) = cli.err(&["--now", NOW, "record_delivery", &args]);
    assert_eq!((code, e["error"]["code"].clone()), (1, json!("conflict")));
    assert_eq!(file_dump(&cli.db), before);
    cli.ok("end_deal", json!({"deal_id": id}));
    let preview = cli.ok("preview_delivery", serde_json::from_str(&args).unwrap());
    let r = cli.ok("record_delivery", serde_json::from_str(&args).unwrap());
    // Proportional: 4, 2 and 1 kept, each refunded one jar at 3.50.
    let line = |b: i64, kept| (b, kept, 1, "3.50".to_string(), json!("3.50"));
    assert_eq!(
        common::delivery_lines(&r),
        [
            line(bookings[0], 4),
            line(bookings[1], 2),
            line(bookings[2], 1)
        ]
    );
    assert_eq!(preview["totals"], r["totals"]);
    assert_eq!(r["events"][0]["kind"], "delivery_short");
    let (code, e) = cli.err(&["--now", NOW, "record_delivery", &args]);
    assert_eq!((code, e["error"]["code"].clone()), (1, json!("conflict")));
    let copy = cli.ok(
        "clone_deal",
        json!({"deal_id": id, "closes_at": "2027-01-01T00:00:00Z"}),
    );
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["title"], "Jars");
    assert_eq!(copy["tiers"], json!([{"min_qty": 10, "prices": ["3.50"]}]));
}
