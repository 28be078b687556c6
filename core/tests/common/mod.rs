//! Shared test support: a fresh database, a clock, command calls, and a
//! dump of every table to prove that a refused command changed nothing.
#![allow(dead_code)]

use bookrun::clock::{self, Time};
use bookrun::{execute, store, Error};
use rusqlite::Connection;
use serde_json::{json, Value};

pub struct Db {
    pub conn: Connection,
    pub now: Time,
    _dir: tempfile::TempDir,
}

impl Db {
    /// An empty database, with the clock at 2026-11-23T10:00:00Z.
    pub fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let conn = store::open(&dir.path().join("test.db")).unwrap();
        Db {
            conn,
            now: clock::parse("now", "2026-11-23T10:00:00Z").unwrap(),
            _dir: dir,
        }
    }

    /// A path in the database's own temporary folder.
    pub fn path_in(&self, name: &str) -> std::path::PathBuf {
        self._dir.path().join(name)
    }

    pub fn set_now(&mut self, rfc3339: &str) {
        self.now = clock::parse("now", rfc3339).unwrap();
    }

    pub fn call(&mut self, name: &str, args: Value) -> Result<Value, Error> {
        execute(&mut self.conn, name, args, self.now)
    }

    /// Runs a command that must succeed.
    #[track_caller]
    pub fn ok(&mut self, name: &str, args: Value) -> Value {
        match self.call(name, args.clone()) {
            Ok(v) => v,
            Err(e) => panic!("{name} {args} failed: {}", e.to_json()),
        }
    }

    /// Runs a command that must be refused with `code`, changing nothing;
    /// returns the message.
    #[track_caller]
    pub fn refused(&mut self, code: &str, name: &str, args: Value) -> String {
        let before = self.dump();
        let e = match self.call(name, args.clone()) {
            Ok(v) => panic!("{name} {args} should be refused with {code}, got {v}"),
            Err(e) => e,
        };
        assert_eq!(e.code(), code, "{name} {args}: {}", e.to_json());
        assert_eq!(
            self.dump(),
            before,
            "{name} {args} was refused but changed the database"
        );
        e.to_string()
    }

    /// Every row of every table, as text, in a stable order.
    pub fn dump(&self) -> String {
        dump(&self.conn)
    }

    /// Asserts the ledger and deal invariants hold.
    #[track_caller]
    pub fn assert_invariants(&mut self) {
        let broken = store::invariants::check(&mut self.conn).unwrap();
        assert!(broken.is_empty(), "invariants broken: {broken:#?}");
    }

    pub fn add(&mut self, name: &str) -> i64 {
        self.ok("add_participant", json!({ "name": name }))["id"]
            .as_i64()
            .unwrap()
    }

    pub fn balance(&mut self, participant: i64, currency: &str) -> String {
        self.ok(
            "statement",
            json!({"participant_id": participant, "currency": currency}),
        )["balance"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates and opens a deal from `create_deal` arguments; returns its id.
    pub fn open(&mut self, args: Value) -> i64 {
        let id = self.ok("create_deal", args)["id"].as_i64().unwrap();
        self.ok("open_deal", json!({ "deal_id": id }));
        id
    }

    /// The `delivered` field of a deal's bookings, in booking order.
    pub fn delivered(&mut self, deal: i64) -> Vec<Value> {
        self.ok("list_bookings", json!({ "deal_id": deal }))
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["delivered"].clone())
            .collect()
    }

    /// Books and returns the outcome.
    pub fn book(&mut self, deal: i64, participant: i64, item: &str, qty: i64) -> Value {
        self.ok(
            "book",
            json!({"deal_id": deal, "participant_id": participant, "item": item, "quantity": qty}),
        )
    }
}

/// `(booking_id, kept, lost, refund, entry amount)` of a delivery's lines
/// (`record_delivery` or `preview_delivery`: its entries are null).
pub fn delivery_lines(r: &Value) -> Vec<(i64, i64, i64, String, Value)> {
    r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["booking_id"].as_i64().unwrap(),
                l["kept"].as_i64().unwrap(),
                l["lost"].as_i64().unwrap(),
                l["refund"].as_str().unwrap().to_string(),
                l["entry"]["amount"].clone(),
            )
        })
        .collect()
}

/// SPEC section 9's "Cars" deal, closing 2026-12-01; `payment` as given.
pub fn cars(payment: Value) -> Value {
    json!({
        "title": "Cars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 3, "payment": payment, "approval": "auto",
        "items": [{"name": "model #1", "base_price": "30000.00"},
                  {"name": "model #5", "base_price": "25000.00"}],
        "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00"]}]
    })
}

/// The kinds of an outcome's events.
pub fn kinds(outcome: &Value) -> Vec<String> {
    outcome["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Every row of every table of a database, as text, in a stable order.
pub fn dump(conn: &Connection) -> String {
    let mut out = String::new();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in tables {
        out.push_str(&format!("## {t}\n"));
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1, 2"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n)
                    .map(|i| {
                        r.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for r in rows {
            out.push_str(&r.unwrap().join("|"));
            out.push('\n');
        }
    }
    out
}
