//! The fuzz targets' stand-in for CI: arbitrary JSON (and arbitrary command
//! names) fed to every command of the table, on a database with open,
//! draft and settled deals. No input may panic, reach SQLite unchecked, or
//! write anything when it is refused (`bookrun::harness::call_checked_in`, with any `path` moved into the
//! database's folder);
//! after each sequence the ledger invariants hold.
//!
//! `PROPTEST_CASES=5000 cargo test -p bookrun --test arbitrary_json` for a
//! longer run; `fuzz/` has the coverage-guided cargo fuzz targets.

mod common;

use bookrun::harness::{call_checked_in, Observer};
use bookrun::COMMANDS;
use common::{cars, Db};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Every argument name of the table (read from its `args` column), plus the
/// nested ones, so that random objects often hit real fields.
fn field_names() -> Vec<String> {
    let mut names: Vec<String> = COMMANDS
        .iter()
        .flat_map(|c| {
            c.args
                .split(|ch: char| !(ch.is_ascii_lowercase() || ch == '_'))
        })
        .filter(|w| w.len() > 1)
        .map(str::to_string)
        .collect();
    for nested in ["mode", "percent", "name", "base_price", "min_qty", "prices"] {
        names.push(nested.into());
    }
    names.sort();
    names.dedup();
    names
}

fn commands() -> Vec<String> {
    COMMANDS.iter().map(|c| c.name.to_string()).collect()
}

const WORDS: &[&str] = &[
    "USD",
    "JPY",
    "KWD",
    "usd",
    "XAU",
    "model #1",
    "model #5",
    "Depot",
    "10.00",
    "0.01",
    "2500.5",
    "30000.00",
    "1e5",
    "NaN",
    "Infinity",
    "+5",
    " 5",
    "5.",
    ".5",
    "-1.00",
    "0",
    "99999999999999999999.99",
    "2026-12-01T00:00:00Z",
    "2026-11-23T10:00:00+02:00",
    "2026-13-45T99:00:00Z",
    "auto",
    "manual",
    "full",
    "deposit",
    "approved",
    "pending",
    "organizer",
    "participant",
    "open",
    "draft",
    "settled",
    "ann@example.org",
    "example.org",
    "",
    "   ",
    "\u{0}",
    "\u{7}",
    "line\nbreak",
    "Zoë",
    "'; DROP TABLE deals; --",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..12).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e21).prop_map(|f| json!(f)),
        prop::sample::select(WORDS).prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        (1usize..3).prop_map(|k| Value::from("é".repeat(k * 6000))),
    ]
}

fn value(names: Vec<String>) -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 5, move |inner| {
        let key = prop_oneof![
            4 => prop::sample::select(names.clone()),
            1 => "\\PC{0,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// One call: a command of the table (sometimes an unknown name) and
/// arguments (usually an object of known field names).
fn call() -> impl Strategy<Value = (String, Value)> {
    let names = field_names();
    let name = prop_oneof![
        9 => prop::sample::select(commands()),
        1 => "[a-z_]{0,16}",
    ];
    let key = prop_oneof![
        6 => prop::sample::select(names.clone()),
        1 => "\\PC{0,10}",
    ];
    let object = prop::collection::btree_map(key, value(names.clone()), 0..7)
        .prop_map(|m| Value::Object(m.into_iter().collect()));
    let args = prop_oneof![9 => object, 1 => value(names)];
    (name, args)
}

/// Open (auto, deposit, stock), draft and settled deals, three people.
fn seeded() -> Db {
    let mut db = Db::new();
    let mut open = cars(json!({"mode": "deposit", "percent": "12.5"}));
    open["stock"] = json!(8);
    open["pickup_points"] = json!(["Depot"]);
    let deal = db.open(open);
    db.ok("create_deal", cars(json!({"mode": "full"})));
    let settled = db.open(cars(json!({"mode": "full"})));
    let ann = db.add("Ann");
    let ben = db.add("Ben");
    db.add("Cleo");
    db.book(deal, ann, "model #1", 2);
    db.book(settled, ben, "model #5", 3);
    db.ok("end_deal", json!({"deal_id": settled}));
    db.ok(
        "record_payment",
        json!({"participant_id": ann, "currency": "USD", "amount": "100.00"}),
    );
    db
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_json_to_any_command_is_answered_without_harm(
        calls in prop::collection::vec(call(), 1..8)
    ) {
        let mut db = seeded();
        let observer = Observer::new(&db.path_in("test.db")).unwrap();
        for (name, args) in calls {
            let now = db.now;
            let sandbox = db.path_in("");
            if let Err(bug) = call_checked_in(&mut db.conn, &observer, &sandbox, &name, args, now) {
                prop_assert!(false, "{}", bug);
            }
        }
        let broken = bookrun::store::invariants::check(&mut db.conn).unwrap();
        prop_assert!(broken.is_empty(), "invariants broken: {:?}", broken);
    }
}
