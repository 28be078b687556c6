//! Every validation and refusal rule of the SPEC (sections 1-6 and 8),
//! table-driven: each refused call must return the right code
//! (`validation`, `not_found`, `conflict`, `policy`, `usage`), a message that
//! names what it concerns (a validation message starts with the field:
//! `items[0].base_price: ...`), and leave the database exactly as it was
//! (`Db::refused` compares a dump of every table). Boundaries that must be
//! accepted are checked next to the refusals.

mod common;
use common::{cars, Db};
use serde_json::{json, Value};

/// One refusal: the arguments, the expected code, and what the message must
/// name: for `validation` the field it starts with (`"payment.percent"`),
/// otherwise a fragment it contains (case-insensitively).
type Case = (Value, &'static str, &'static str);

/// Runs every case of a table against `command`.
#[track_caller]
fn refuse_all(db: &mut Db, command: &str, cases: Vec<Case>) {
    for (args, code, names) in cases {
        let msg = db.refused(code, command, args.clone());
        check_message(command, &args, code, names, &msg);
    }
}

#[track_caller]
fn check_message(command: &str, args: &Value, code: &str, names: &str, msg: &str) {
    if code == "validation" {
        let prefix = format!("{names}: ");
        assert!(
            msg.starts_with(&prefix) && msg.len() > prefix.len(),
            "{command} {args}: message {msg:?} should start with {prefix:?}"
        );
    } else {
        assert!(
            msg.to_lowercase().contains(&names.to_lowercase()),
            "{command} {args}: message {msg:?} should mention {names:?}"
        );
    }
}

/// `v` with the value at JSON pointer `at` set to `new` (the last step of the
/// pointer may be a new key of an object).
fn with(mut v: Value, at: &str, new: Value) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("a JSON pointer");
    match v.pointer_mut(parent).expect("parent exists") {
        Value::Object(m) => {
            m.insert(key.to_string(), new);
        }
        Value::Array(a) => a[key.parse::<usize>().expect("an index")] = new,
        other => panic!("cannot set {at} in {other}"),
    }
    v
}

/// `v` without the value at JSON pointer `at`.
fn without(mut v: Value, at: &str) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("a JSON pointer");
    match v.pointer_mut(parent).expect("parent exists") {
        Value::Object(m) => {
            m.remove(key).expect("key exists");
        }
        Value::Array(a) => {
            a.remove(key.parse::<usize>().expect("an index"));
        }
        other => panic!("cannot remove {at} from {other}"),
    }
    v
}

/// The SPEC's "Cars" deal in full payment mode (USD, 2 items, 1 tier at 4).
fn base() -> Value {
    cars(json!({"mode": "full"}))
}

/// A JPY deal (no minor unit): one item at 2500, one tier at 5 for 2400.
fn yen() -> Value {
    json!({
        "title": "Rice cookers", "currency": "JPY", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "cooker", "base_price": "2500"}],
        "tiers": [{"min_qty": 5, "prices": ["2400"]}]
    })
}

/// `n` items named `item 0`, `item 1`, ... at 10.00 each.
fn items(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"name": format!("item {i}"), "base_price": "10.00"}))
        .collect()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

fn add_with_email(db: &mut Db, name: &str, email: &str) -> i64 {
    id(&db.ok("add_participant", json!({"name": name, "email": email})))
}

fn booking_id(outcome: &Value) -> i64 {
    outcome["booking"]["id"].as_i64().expect("a booking id")
}

fn booking_status(db: &mut Db, deal: i64, booking: i64) -> String {
    db.ok("list_bookings", json!({"deal_id": deal}))
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == booking)
        .expect("the booking is listed")["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An open "Cars" deal settled at level 0 by three approved bookings and
/// `end_deal`; returns (deal, the three booking ids).
fn settled_deal(db: &mut Db) -> (i64, Vec<i64>) {
    let deal = db.open(base());
    let mut bookings = vec![];
    for name in ["S1", "S2", "S3"] {
        let p = db.add(name);
        bookings.push(booking_id(&db.book(deal, p, "model #5", 1)));
    }
    assert_eq!(
        db.ok("end_deal", json!({"deal_id": deal}))["outcome"],
        "settled"
    );
    (deal, bookings)
}

/// An open "Cars" deal that failed (no bookings) at `end_deal`.
fn failed_deal(db: &mut Db) -> i64 {
    let deal = db.open(base());
    assert_eq!(
        db.ok("end_deal", json!({"deal_id": deal}))["outcome"],
        "failed"
    );
    deal
}

/// A cancelled "Cars" deal (cancelled while open).
fn cancelled_deal(db: &mut Db) -> i64 {
    let deal = db.open(base());
    db.ok("cancel_deal", json!({"deal_id": deal}));
    deal
}

// ---------------------------------------------------------------------------
// create_deal
// ---------------------------------------------------------------------------

#[test]
fn create_deal_refuses_each_missing_required_field() {
    let mut db = Db::new();
    let mut cases: Vec<Case> = [
        "title",
        "currency",
        "closes_at",
        "min_qty",
        "payment",
        "approval",
        "items",
    ]
    .iter()
    .map(|f| (without(base(), &format!("/{f}")), "validation", *f))
    .collect();
    // A null is the same as a missing field.
    cases.push((with(base(), "/title", json!(null)), "validation", "title"));
    cases.push((with(base(), "/items", json!(null)), "validation", "items"));
    cases.extend([
        (
            with(base(), "/payment", json!({})),
            "validation",
            "payment.mode",
        ),
        (
            without(base(), "/items/0/name"),
            "validation",
            "items[0].name",
        ),
        (
            without(base(), "/items/1/base_price"),
            "validation",
            "items[1].base_price",
        ),
        (
            without(base(), "/tiers/0/min_qty"),
            "validation",
            "tiers[0].min_qty",
        ),
        (
            without(base(), "/tiers/0/prices"),
            "validation",
            "tiers[0].prices",
        ),
    ]);
    refuse_all(&mut db, "create_deal", cases);
}

#[test]
fn create_deal_refuses_wrong_json_types() {
    let mut db = Db::new();
    let cases: Vec<Case> = vec![
        (with(base(), "/title", json!(5)), "validation", "title"),
        (
            with(base(), "/currency", json!(840)),
            "validation",
            "currency",
        ),
        (
            with(base(), "/closes_at", json!(1_796_083_200)),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/opens_at", json!(true)),
            "validation",
            "opens_at",
        ),
        (
            with(base(), "/min_qty", json!("3")),
            "validation",
            "min_qty",
        ),
        (
            with(base(), "/min_qty", json!(3.5)),
            "validation",
            "min_qty",
        ),
        (
            with(base(), "/min_qty", json!(3.0)),
            "validation",
            "min_qty",
        ),
        (
            with(base(), "/payment", json!("full")),
            "validation",
            "payment",
        ),
        (
            with(base(), "/payment/mode", json!(1)),
            "validation",
            "payment.mode",
        ),
        (
            with(base(), "/approval", json!(true)),
            "validation",
            "approval",
        ),
        (with(base(), "/items", json!({})), "validation", "items"),
        (
            with(base(), "/items", json!("model #1")),
            "validation",
            "items",
        ),
        (
            with(base(), "/items/0", json!("model #1")),
            "validation",
            "items[0]",
        ),
        (
            with(base(), "/items/0/name", json!(1)),
            "validation",
            "items[0].name",
        ),
        (with(base(), "/tiers", json!({})), "validation", "tiers"),
        (
            with(base(), "/tiers/0", json!([4])),
            "validation",
            "tiers[0]",
        ),
        (
            with(base(), "/tiers/0/min_qty", json!("4")),
            "validation",
            "tiers[0].min_qty",
        ),
        (
            with(base(), "/tiers/0/prices", json!("29500.00")),
            "validation",
            "tiers[0].prices",
        ),
        (
            with(base(), "/tiers/0/reward", json!(5)),
            "validation",
            "tiers[0].reward",
        ),
        (
            with(base(), "/description", json!(5)),
            "validation",
            "description",
        ),
        (
            with(base(), "/merchant", json!(["a"])),
            "validation",
            "merchant",
        ),
        (
            with(base(), "/allowed_domains", json!("acme.com")),
            "validation",
            "allowed_domains",
        ),
        (
            with(base(), "/allowed_domains", json!([5])),
            "validation",
            "allowed_domains[0]",
        ),
        (
            with(base(), "/pickup_points", json!(["North gate", 5])),
            "validation",
            "pickup_points[1]",
        ),
        (
            with(base(), "/max_per_participant", json!("2")),
            "validation",
            "max_per_participant",
        ),
        (with(base(), "/stock", json!(true)), "validation", "stock"),
        (
            with(base(), "/commission_percent", json!(5)),
            "validation",
            "commission_percent",
        ),
        (
            with(base(), "/min_qty", json!(u64::MAX)),
            "validation",
            "min_qty",
        ),
    ];
    refuse_all(&mut db, "create_deal", cases);
}

/// Texts that are not a plain decimal amount, refused wherever money is read.
const NOT_MONEY: [&str; 18] = [
    "1e5",
    "NaN",
    "Infinity",
    "+5",
    " 5",
    "5 ",
    "-1",
    "-0",
    "",
    "5.",
    ".5",
    "1,000",
    "1,00,000.00",
    "0x10",
    "12.50 USD",
    "$5",
    "１",
    "5..0",
];

#[test]
fn create_deal_refuses_money_that_is_not_a_decimal_string() {
    let mut db = Db::new();
    let mut cases: Vec<Case> = vec![];
    for bad in NOT_MONEY {
        cases.push((
            with(base(), "/items/0/base_price", json!(bad)),
            "validation",
            "items[0].base_price",
        ));
        cases.push((
            with(base(), "/tiers/0/prices/1", json!(bad)),
            "validation",
            "tiers[0].prices[1]",
        ));
    }
    for number in [json!(30000), json!(30000.5), json!(1e5)] {
        cases.push((
            with(base(), "/items/0/base_price", number.clone()),
            "validation",
            "items[0].base_price",
        ));
        cases.push((
            with(base(), "/tiers/0/prices/0", number),
            "validation",
            "tiers[0].prices[0]",
        ));
    }
    cases.extend([
        (
            with(base(), "/items/0/base_price", json!(null)),
            "validation",
            "items[0].base_price",
        ),
        (
            with(base(), "/items/0/base_price", json!(["30000.00"])),
            "validation",
            "items[0].base_price",
        ),
        (
            with(base(), "/tiers/0/prices/0", json!(null)),
            "validation",
            "tiers[0].prices[0]",
        ),
        // too large for the ledger
        (
            with(base(), "/items/0/base_price", json!("99999999999999999999")),
            "validation",
            "items[0].base_price",
        ),
    ]);
    refuse_all(&mut db, "create_deal", cases);
}

#[test]
fn create_deal_refuses_zero_and_negative_prices() {
    let mut db = Db::new();
    let mut cases: Vec<Case> = vec![];
    for bad in ["0", "0.00", "0.0", "-1", "-30000.00", "-0.01"] {
        cases.push((
            with(base(), "/items/1/base_price", json!(bad)),
            "validation",
            "items[1].base_price",
        ));
        cases.push((
            with(base(), "/tiers/0/prices/0", json!(bad)),
            "validation",
            "tiers[0].prices[0]",
        ));
    }
    refuse_all(&mut db, "create_deal", cases);
}

#[test]
fn create_deal_refuses_more_decimals_than_the_currency_allows() {
    let mut db = Db::new();
    let kwd = with(
        with(yen(), "/currency", json!("KWD")),
        "/items/0/base_price",
        json!("2.500"),
    );
    let kwd = with(kwd, "/tiers/0/prices/0", json!("2.400"));
    let cases: Vec<Case> = vec![
        (
            with(base(), "/items/0/base_price", json!("30000.001")),
            "validation",
            "items[0].base_price",
        ),
        (
            with(base(), "/items/0/base_price", json!("30000.005")),
            "validation",
            "items[0].base_price",
        ),
        (
            with(base(), "/tiers/0/prices/1", json!("24800.999")),
            "validation",
            "tiers[0].prices[1]",
        ),
        (
            with(yen(), "/items/0/base_price", json!("2500.5")),
            "validation",
            "items[0].base_price",
        ),
        (
            with(yen(), "/items/0/base_price", json!("2500.05")),
            "validation",
            "items[0].base_price",
        ),
        (
            with(yen(), "/tiers/0/prices/0", json!("2400.1")),
            "validation",
            "tiers[0].prices[0]",
        ),
        (
            with(kwd.clone(), "/items/0/base_price", json!("2.5001")),
            "validation",
            "items[0].base_price",
        ),
    ];
    refuse_all(&mut db, "create_deal", cases);
    // The deal itself is fine.
    assert_eq!(db.ok("create_deal", kwd)["items"][0]["base_price"], "2.500");
}

#[test]
fn create_deal_accepts_extra_zero_decimals_and_prints_the_minor_units() {
    let mut db = Db::new();
    let d = db.ok(
        "create_deal",
        with(
            with(yen(), "/items/0/base_price", json!("2500.00")),
            "/tiers/0/prices/0",
            json!("2400.000"),
        ),
    );
    assert_eq!(d["currency"], "JPY");
    assert_eq!(d["items"][0]["base_price"], "2500");
    assert_eq!(d["tiers"][0]["prices"][0], "2400");
    let d = db.ok(
        "create_deal",
        with(
            with(base(), "/items/0/base_price", json!("30000.010")),
            "/items/1/base_price",
            json!("25000"),
        ),
    );
    assert_eq!(d["items"][0]["base_price"], "30000.01");
    assert_eq!(d["items"][1]["base_price"], "25000.00");
    // A lower-case code is the same currency; the smallest amount is fine.
    let d = db.ok(
        "create_deal",
        with(
            with(with(base(), "/currency", json!("usd")), "/tiers", json!([])),
            "/items/1/base_price",
            json!("0.01"),
        ),
    );
    assert_eq!(d["currency"], "USD");
    assert_eq!(d["items"][1]["base_price"], "0.01");
    db.assert_invariants();
}

#[test]
fn create_deal_refuses_unknown_currencies() {
    let mut db = Db::new();
    let cases: Vec<Case> = ["ZZZ", "US", "USDD", "", " USD", "XAU", "XDR", "dollar"]
        .iter()
        .map(|c| {
            (
                with(base(), "/currency", json!(c)),
                "validation",
                "currency",
            )
        })
        .collect();
    refuse_all(&mut db, "create_deal", cases);
}

#[test]
fn create_deal_item_rules() {
    let mut db = Db::new();
    let no_tiers = with(base(), "/tiers", json!([]));
    let cases: Vec<Case> = vec![
        (
            with(no_tiers.clone(), "/items", json!([])),
            "validation",
            "items",
        ),
        (
            with(no_tiers.clone(), "/items", items(51)),
            "validation",
            "items",
        ),
        (
            with(base(), "/items/1/name", json!("model #1")),
            "validation",
            "items[1].name",
        ),
        (
            with(base(), "/items/1/name", json!("MODEL #1")),
            "validation",
            "items[1].name",
        ),
        (
            with(base(), "/items/1/name", json!("  model #1 ")),
            "validation",
            "items[1].name",
        ),
        (
            with(base(), "/items/0/name", json!("")),
            "validation",
            "items[0].name",
        ),
        (
            with(base(), "/items/0/name", json!("   ")),
            "validation",
            "items[0].name",
        ),
        (
            with(base(), "/items/0/name", json!("x".repeat(201))),
            "validation",
            "items[0].name",
        ),
        (
            with(base(), "/items/0/price", json!("30000.00")),
            "validation",
            "items[0].price",
        ),
    ];
    refuse_all(&mut db, "create_deal", cases);
    // 1 and 50 items are accepted.
    let d = db.ok("create_deal", with(no_tiers.clone(), "/items", items(1)));
    assert_eq!(d["items"].as_array().unwrap().len(), 1);
    let d = db.ok("create_deal", with(no_tiers, "/items", items(50)));
    assert_eq!(d["items"].as_array().unwrap().len(), 50);
}

/// `n` tiers at thresholds 4, 5, 6, ... with prices falling by 1.00 each.
fn tiers(n: usize) -> Value {
    (0..n)
        .map(|t| {
            json!({"min_qty": 4 + t, "prices": [
                format!("{}.00", 29_500 - t), format!("{}.00", 24_800 - t)
            ]})
        })
        .collect()
}

#[test]
fn create_deal_tier_rules() {
    let mut db = Db::new();
    let two = with(base(), "/tiers", tiers(2));
    let cases: Vec<Case> = vec![
        (with(base(), "/tiers", tiers(6)), "validation", "tiers"),
        // thresholds strictly increase
        (
            with(two.clone(), "/tiers/1/min_qty", json!(4)),
            "validation",
            "tiers[1].min_qty",
        ),
        (
            with(two.clone(), "/tiers/1/min_qty", json!(3)),
            "validation",
            "tiers[1].min_qty",
        ),
        // each threshold is >= 1
        (
            with(base(), "/tiers/0/min_qty", json!(0)),
            "validation",
            "tiers[0].min_qty",
        ),
        (
            with(base(), "/tiers/0/min_qty", json!(-4)),
            "validation",
            "tiers[0].min_qty",
        ),
        // one price per item
        (
            with(base(), "/tiers/0/prices", json!(["29500.00"])),
            "validation",
            "tiers[0].prices",
        ),
        (
            with(
                base(),
                "/tiers/0/prices",
                json!(["29500.00", "24800.00", "1.00"]),
            ),
            "validation",
            "tiers[0].prices",
        ),
        (
            with(base(), "/tiers/0/prices", json!([])),
            "validation",
            "tiers[0].prices",
        ),
        // tier 1 <= base price, tier k <= tier k-1
        (
            with(base(), "/tiers/0/prices/0", json!("30000.01")),
            "validation",
            "tiers[0].prices[0]",
        ),
        (
            with(base(), "/tiers/0/prices/1", json!("25000.01")),
            "validation",
            "tiers[0].prices[1]",
        ),
        (
            with(two.clone(), "/tiers/1/prices/1", json!("24800.01")),
            "validation",
            "tiers[1].prices[1]",
        ),
        (
            with(two.clone(), "/tiers/1/prices/0", json!("29999.00")),
            "validation",
            "tiers[1].prices[0]",
        ),
        (
            with(base(), "/tiers/0/rewards", json!("a hat")),
            "validation",
            "tiers[0].rewards",
        ),
    ];
    refuse_all(&mut db, "create_deal", cases);

    // 0 and 5 tiers are accepted; equal prices (milestones) too, with rewards.
    let d = db.ok("create_deal", with(base(), "/tiers", json!([])));
    assert_eq!(d["tiers"], json!([]));
    let d = db.ok("create_deal", with(base(), "/tiers", tiers(5)));
    assert_eq!(d["tiers"].as_array().unwrap().len(), 5);
    let d = db.ok(
        "create_deal",
        with(
            base(),
            "/tiers",
            json!([
                {"min_qty": 1, "prices": ["30000.00", "25000.00"], "reward": "a hat"},
                {"min_qty": 2, "prices": ["30000.00", "25000.00"]},
                {"min_qty": 10, "prices": ["30000", "24000"], "reward": "a car wash"}
            ]),
        ),
    );
    assert_eq!(d["tiers"][0]["prices"], json!(["30000.00", "25000.00"]));
    assert_eq!(d["tiers"][0]["reward"], "a hat");
    assert_eq!(d["tiers"][2]["prices"], json!(["30000.00", "24000.00"]));
}

#[test]
fn create_deal_payment_rules() {
    let mut db = Db::new();
    let deposit = |p: Value| with(base(), "/payment", json!({"mode": "deposit", "percent": p}));
    let mut cases: Vec<Case> = [
        json!("0"),
        json!("0.0"),
        json!("100"),
        json!("100.00"),
        json!("100.5"),
        json!("250"),
        json!("abc"),
        json!("-5"),
        json!("+5"),
        json!("1e1"),
        json!(""),
        json!(" 10"),
        json!("10%"),
        json!("0.0000001"),
        json!(10),
        json!(10.5),
        json!(null),
    ]
    .into_iter()
    .map(|p| (deposit(p), "validation", "payment.percent"))
    .collect();
    cases.extend([
        (
            with(base(), "/payment", json!({"mode": "deposit"})),
            "validation",
            "payment.percent",
        ),
        (
            with(base(), "/payment", json!({"mode": "half"})),
            "validation",
            "payment.mode",
        ),
        (
            with(base(), "/payment", json!({"mode": "Full"})),
            "validation",
            "payment.mode",
        ),
        (
            with(base(), "/payment", json!({"percent": "10"})),
            "validation",
            "payment.mode",
        ),
        (
            with(base(), "/payment", json!({"mode": "full", "percent": "10"})),
            "validation",
            "payment.percent",
        ),
        (
            with(
                base(),
                "/payment",
                json!({"mode": "deposit", "percent": "10", "due": "later"}),
            ),
            "validation",
            "payment.due",
        ),
    ]);
    refuse_all(&mut db, "create_deal", cases);
    // Strictly between 0 and 100: the closest values are accepted.
    for (given, shown) in [
        ("0.000001", "0.000001"),
        ("99.999999", "99.999999"),
        ("12.50", "12.5"),
        ("50", "50"),
    ] {
        let d = db.ok("create_deal", deposit(json!(given)));
        assert_eq!(
            d["payment"],
            json!({"mode": "deposit", "percent": shown}),
            "{given}"
        );
    }
}

#[test]
fn create_deal_other_field_rules() {
    let mut db = Db::new();
    let cases: Vec<Case> = vec![
        // approval is auto or manual
        (
            with(base(), "/approval", json!("Auto")),
            "validation",
            "approval",
        ),
        (
            with(base(), "/approval", json!("automatic")),
            "validation",
            "approval",
        ),
        (
            with(base(), "/approval", json!("")),
            "validation",
            "approval",
        ),
        // dates
        (
            with(base(), "/opens_at", json!("2026-12-02T00:00:00Z")),
            "validation",
            "opens_at",
        ),
        (
            with(base(), "/opens_at", json!("2026-12-01T00:00:00Z")),
            "validation",
            "opens_at",
        ),
        (
            with(base(), "/opens_at", json!("2026-12-01T01:00:00-02:00")),
            "validation",
            "opens_at",
        ),
        (
            with(base(), "/closes_at", json!("2026-12-01")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/closes_at", json!("2026-12-01T00:00:00")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/closes_at", json!("2026-13-01T00:00:00Z")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/closes_at", json!("2026-02-30T00:00:00Z")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/closes_at", json!("next friday")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/closes_at", json!("")),
            "validation",
            "closes_at",
        ),
        (
            with(base(), "/opens_at", json!("yesterday")),
            "validation",
            "opens_at",
        ),
        (
            with(base(), "/opens_at", json!("1 Dec 2026")),
            "validation",
            "opens_at",
        ),
        // min_qty >= 1
        (with(base(), "/min_qty", json!(0)), "validation", "min_qty"),
        (with(base(), "/min_qty", json!(-3)), "validation", "min_qty"),
        (
            with(base(), "/min_qty", json!(1_000_000_001_i64)),
            "validation",
            "min_qty",
        ),
        // optional limits
        (
            with(base(), "/max_per_participant", json!(0)),
            "validation",
            "max_per_participant",
        ),
        (with(base(), "/stock", json!(0)), "validation", "stock"),
        (with(base(), "/stock", json!(-1)), "validation", "stock"),
        (
            with(base(), "/commission_percent", json!("100.01")),
            "validation",
            "commission_percent",
        ),
        (
            with(base(), "/commission_percent", json!("-1")),
            "validation",
            "commission_percent",
        ),
        (
            with(base(), "/commission_percent", json!("ten")),
            "validation",
            "commission_percent",
        ),
        // allowed domains and pickup points
        (
            with(base(), "/allowed_domains", json!(["acme"])),
            "validation",
            "allowed_domains[0]",
        ),
        (
            with(base(), "/allowed_domains", json!([""])),
            "validation",
            "allowed_domains[0]",
        ),
        (
            with(
                base(),
                "/allowed_domains",
                json!(["acme.com", "ann@acme.com"]),
            ),
            "validation",
            "allowed_domains[1]",
        ),
        (
            with(base(), "/allowed_domains", json!(["acme.com", "ACME.com"])),
            "validation",
            "allowed_domains[1]",
        ),
        (
            with(
                base(),
                "/pickup_points",
                json!(["North gate", "north gate"]),
            ),
            "validation",
            "pickup_points[1]",
        ),
        (
            with(base(), "/pickup_points", json!([""])),
            "validation",
            "pickup_points[0]",
        ),
        // texts
        (with(base(), "/title", json!("")), "validation", "title"),
        (
            with(base(), "/title", json!("  \t ")),
            "validation",
            "title",
        ),
        (
            with(base(), "/title", json!("Cars\u{7}")),
            "validation",
            "title",
        ),
        (
            with(base(), "/title", json!("x".repeat(201))),
            "validation",
            "title",
        ),
        (
            with(base(), "/merchant", json!("Line\nbreak")),
            "validation",
            "merchant",
        ),
        // unknown fields (typos) are refused, not ignored
        (with(base(), "/titel", json!("Cars")), "validation", "titel"),
        (with(base(), "/deal_id", json!(1)), "validation", "deal_id"),
        (
            with(base(), "/status", json!("open")),
            "validation",
            "status",
        ),
        (with(base(), "/opens", json!(null)), "validation", "opens"),
    ];
    refuse_all(&mut db, "create_deal", cases);
}

#[test]
fn create_deal_accepts_boundaries_of_the_other_fields() {
    let mut db = Db::new();
    let d = db.ok(
        "create_deal",
        json!({
            "title": "x".repeat(200), "currency": "EUR",
            "opens_at": "2026-11-30T23:59:59Z", "closes_at": "2026-12-01T01:00:00+01:00",
            "min_qty": 1, "payment": {"mode": "full"}, "approval": "manual",
            "items": [{"name": "a", "base_price": "1"}], "tiers": [{"min_qty": 1, "prices": ["1"]}],
            "stock": 1, "max_per_participant": 1, "commission_percent": "100",
            "allowed_domains": ["@Acme.COM", "mail.acme.com"], "pickup_points": ["North gate"],
            "description": "two\nlines", "merchant": ""
        }),
    );
    assert_eq!(d["status"], "draft");
    assert_eq!(
        d["closes_at"], "2026-12-01T01:00:00+01:00",
        "printed as written"
    );
    assert_eq!(d["allowed_domains"], json!(["acme.com", "mail.acme.com"]));
    assert_eq!(d["commission_percent"], "100");
    assert_eq!(d["merchant"], json!(null));
    assert_eq!(d["tiers"][0]["prices"], json!(["1.00"]));
    let d = db.ok(
        "create_deal",
        with(base(), "/commission_percent", json!("0")),
    );
    assert_eq!(d["commission_percent"], "0");
    // A stock equal to min_qty and to the top threshold is fine.
    let d = db.ok("create_deal", with(base(), "/stock", json!(4)));
    assert_eq!(d["stock"], 4);
    // A closes_at in the past is fine for a draft (opening refuses it).
    db.ok(
        "create_deal",
        with(base(), "/closes_at", json!("2020-01-01T00:00:00Z")),
    );
    db.assert_invariants();
}

// ---------------------------------------------------------------------------
// update_deal
// ---------------------------------------------------------------------------

#[test]
fn update_deal_changes_anything_in_a_draft() {
    let mut db = Db::new();
    let deal = id(&db.ok("create_deal", base()));
    let d = db.ok(
        "update_deal",
        json!({"deal_id": deal,
            "items": [{"name": "model #1", "base_price": "30000.00"},
                      {"name": "model #5", "base_price": "25000.00"},
                      {"name": "model #9", "base_price": "40000.00"}],
            "tiers": [{"min_qty": 5, "prices": ["29000.00", "24000.00", "39000.00"]}],
            "min_qty": 2, "payment": {"mode": "deposit", "percent": "10"},
            "approval": "manual", "currency": "EUR", "stock": 10, "max_per_participant": 2,
            "opens_at": "2026-11-25T00:00:00Z", "allowed_domains": ["acme.com"],
            "commission_percent": "5"}),
    );
    assert_eq!(d["status"], "draft");
    assert_eq!(d["items"].as_array().unwrap().len(), 3);
    assert_eq!(d["tiers"][0]["prices"][2], "39000.00");
    assert_eq!(d["min_qty"], 2);
    assert_eq!(d["currency"], "EUR");
    assert_eq!(d["approval"], "manual");
    assert_eq!(d["payment"], json!({"mode": "deposit", "percent": "10"}));
    // null clears an optional field
    let d = db.ok(
        "update_deal",
        json!({"deal_id": deal, "stock": null, "opens_at": null}),
    );
    assert_eq!(d["stock"], json!(null));
    assert_eq!(d["opens_at"], json!(null));
    // A draft may move closes_at earlier, even into the past.
    let d = db.ok(
        "update_deal",
        json!({"deal_id": deal, "closes_at": "2026-11-01T00:00:00Z"}),
    );
    assert_eq!(d["closes_at"], "2026-11-01T00:00:00Z");
}

#[test]
fn update_deal_validates_the_result_and_refuses_unknown_deals() {
    let mut db = Db::new();
    let deal = id(&db.ok("create_deal", base()));
    let cases: Vec<Case> = vec![
        (json!({}), "validation", "deal_id"),
        (json!({"deal_id": "1"}), "validation", "deal_id"),
        (json!({"deal_id": 0}), "not_found", "id 0"),
        (json!({"deal_id": 999, "title": "x"}), "not_found", "999"),
        (json!({"deal_id": deal, "title": ""}), "validation", "title"),
        (
            json!({"deal_id": deal, "title": null}),
            "validation",
            "title",
        ),
        (
            json!({"deal_id": deal, "min_qty": 0}),
            "validation",
            "min_qty",
        ),
        (
            json!({"deal_id": deal, "items": [{"name": "a", "base_price": "1.00"},
                {"name": "b", "base_price": "1.00"}, {"name": "c", "base_price": "1.00"}]}),
            "validation",
            "tiers[0].prices",
        ),
        (
            json!({"deal_id": deal, "items": [{"name": "model #1", "base_price": "20000.00"},
                {"name": "model #5", "base_price": "25000.00"}]}),
            "validation",
            "tiers[0].prices[0]",
        ),
        (
            json!({"deal_id": deal, "currency": "JPY",
                "items": [{"name": "a", "base_price": "0.50"}], "tiers": []}),
            "validation",
            "items[0].base_price",
        ),
        (
            json!({"deal_id": deal, "payment": {"mode": "deposit", "percent": "100"}}),
            "validation",
            "payment.percent",
        ),
        (
            json!({"deal_id": deal, "opens_at": "2026-12-05T00:00:00Z"}),
            "validation",
            "opens_at",
        ),
        (
            json!({"deal_id": deal, "closes_at": "soon"}),
            "validation",
            "closes_at",
        ),
        (
            json!({"deal_id": deal, "base_price": "1.00"}),
            "validation",
            "base_price",
        ),
        (
            json!({"deal_id": deal, "status": "open"}),
            "validation",
            "status",
        ),
    ];
    refuse_all(&mut db, "update_deal", cases);
}

#[test]
fn update_deal_of_an_open_deal_changes_only_what_the_spec_allows() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/pickup_points", json!(["North gate"])));
    let a = db.add("A");
    db.book(deal, a, "model #1", 1);
    let open = |v: Value| with(v, "/deal_id", json!(deal));
    let cases: Vec<Case> = vec![
        (
            open(
                json!({"items": [{"name": "model #1", "base_price": "31000.00"},
                {"name": "model #5", "base_price": "25000.00"}]}),
            ),
            "conflict",
            "items",
        ),
        (
            open(
                json!({"items": [{"name": "model #1", "base_price": "30000.00"},
                {"name": "model #7", "base_price": "25000.00"}]}),
            ),
            "conflict",
            "items",
        ),
        (
            open(
                json!({"items": [{"name": "model #1", "base_price": "30000.00"},
                    {"name": "model #5", "base_price": "25000.00"},
                    {"name": "model #9", "base_price": "9000.00"}],
                "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00", "9000.00"]}]}),
            ),
            "conflict",
            "items",
        ),
        (open(json!({"min_qty": 2})), "conflict", "min_qty"),
        (
            open(json!({"payment": {"mode": "deposit", "percent": "10"}})),
            "conflict",
            "payment",
        ),
        (
            open(json!({"tiers": [{"min_qty": 5, "prices": ["29500.00", "24800.00"]}]})),
            "conflict",
            "tiers",
        ),
        (
            open(json!({"tiers": [{"min_qty": 4, "prices": ["29000.00", "24800.00"]}]})),
            "conflict",
            "tiers",
        ),
        (open(json!({"tiers": []})), "conflict", "tiers"),
        (
            open(
                json!({"tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00"],
                "reward": "a hat"}]}),
            ),
            "conflict",
            "tiers",
        ),
        (open(json!({"approval": "manual"})), "conflict", "approval"),
        (open(json!({"currency": "EUR"})), "conflict", "currency"),
        (
            open(json!({"opens_at": "2026-11-20T00:00:00Z"})),
            "conflict",
            "opens_at",
        ),
        (
            open(json!({"allowed_domains": ["acme.com"]})),
            "conflict",
            "allowed_domains",
        ),
        (
            open(json!({"max_per_participant": 5})),
            "conflict",
            "max_per_participant",
        ),
        (open(json!({"stock": 100})), "conflict", "stock"),
        (
            open(json!({"commission_percent": "3"})),
            "conflict",
            "commission_percent",
        ),
        // closes_at never earlier than its current value (still in the future)
        (
            open(json!({"closes_at": "2026-11-30T23:59:59Z"})),
            "conflict",
            "closes_at",
        ),
        (
            open(json!({"closes_at": "2026-11-24T00:00:00Z", "title": "Cars!"})),
            "conflict",
            "closes_at",
        ),
        // an allowed change does not carry a forbidden one
        (
            open(json!({"title": "Cheap cars", "min_qty": 1})),
            "conflict",
            "min_qty",
        ),
        // the validation of the whole still comes first
        (open(json!({"title": ""})), "validation", "title"),
        (
            open(json!({"closes_at": "later"})),
            "validation",
            "closes_at",
        ),
    ];
    refuse_all(&mut db, "update_deal", cases);

    // What may change while open: title, description, merchant, pickup
    // points, a later closes_at; repeating an unchanged value is no change.
    let d = db.ok(
        "update_deal",
        open(
            json!({"title": "Cheap cars", "description": "Two models", "merchant": "Dealer",
            "pickup_points": ["North gate", "South gate"], "closes_at": "2026-12-15T00:00:00Z",
            "min_qty": 3, "currency": "usd", "payment": {"mode": "full"},
            "items": [{"name": "model #1", "base_price": "30000"},
                      {"name": "model #5", "base_price": "25000.00"}],
            "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800"]}]}),
        ),
    );
    assert_eq!(d["status"], "open");
    assert_eq!(d["title"], "Cheap cars");
    assert_eq!(d["merchant"], "Dealer");
    assert_eq!(d["closes_at"], "2026-12-15T00:00:00Z");
    assert_eq!(d["pickup_points"], json!(["North gate", "South gate"]));
    let d = db.ok(
        "update_deal",
        open(json!({"closes_at": "2026-12-15T00:00:00Z", "description": null})),
    );
    assert_eq!(d["closes_at"], "2026-12-15T00:00:00Z");
    assert_eq!(d["description"], json!(null));
    db.assert_invariants();
}

#[test]
fn update_deal_cannot_remove_a_pickup_point_that_active_bookings_chose() {
    let mut db = Db::new();
    let deal = db.open(with(
        base(),
        "/pickup_points",
        json!(["North gate", "South gate"]),
    ));
    let a = db.add("A");
    let b = db.ok(
        "book",
        json!({"deal_id": deal, "participant_id": a, "item": "model #1", "quantity": 1,
            "pickup_point": "North gate"}),
    );
    refuse_all(
        &mut db,
        "update_deal",
        vec![
            (
                json!({"deal_id": deal, "pickup_points": ["South gate"]}),
                "conflict",
                "North gate",
            ),
            (
                json!({"deal_id": deal, "pickup_points": null}),
                "conflict",
                "North gate",
            ),
        ],
    );
    // An unused one may go; once the booking is cancelled, so may the other.
    db.ok(
        "update_deal",
        json!({"deal_id": deal, "pickup_points": ["North gate"]}),
    );
    db.ok("cancel_booking", json!({"booking_id": booking_id(&b)}));
    db.ok("update_deal", json!({"deal_id": deal, "pickup_points": []}));
}

#[test]
fn update_deal_of_an_ended_deal_is_a_conflict() {
    let mut db = Db::new();
    let (settled, _) = settled_deal(&mut db);
    let failed = failed_deal(&mut db);
    let cancelled = cancelled_deal(&mut db);
    let mut cases: Vec<Case> = vec![];
    for deal in [settled, failed, cancelled] {
        cases.push((json!({"deal_id": deal, "title": "New"}), "conflict", "deal"));
        cases.push((
            json!({"deal_id": deal, "closes_at": "2027-01-01T00:00:00Z"}),
            "conflict",
            "deal",
        ));
        cases.push((json!({"deal_id": deal}), "conflict", "deal"));
    }
    cases.push((
        json!({"deal_id": settled, "title": "Settled"}),
        "conflict",
        "settled",
    ));
    refuse_all(&mut db, "update_deal", cases);
}

// ---------------------------------------------------------------------------
// open_deal, end_deal, cancel_deal, get_deal, list_deals, preview_settlement
// ---------------------------------------------------------------------------

#[test]
fn open_deal_needs_a_draft_closing_in_the_future() {
    let mut db = Db::new();
    let past = id(&db.ok(
        "create_deal",
        with(base(), "/closes_at", json!("2026-11-01T00:00:00Z")),
    ));
    let now = id(&db.ok(
        "create_deal",
        with(base(), "/closes_at", json!("2026-11-23T10:00:00Z")),
    ));
    let open = db.open(base());
    let (settled, _) = settled_deal(&mut db);
    let failed = failed_deal(&mut db);
    let cancelled = cancelled_deal(&mut db);
    let cancelled_draft = id(&db.ok("create_deal", base()));
    db.ok("cancel_deal", json!({"deal_id": cancelled_draft}));
    let cases: Vec<Case> = vec![
        (json!({"deal_id": past}), "conflict", "closes"),
        (json!({"deal_id": now}), "conflict", "closes"),
        (json!({"deal_id": open}), "conflict", "open"),
        (json!({"deal_id": settled}), "conflict", "settled"),
        (json!({"deal_id": failed}), "conflict", "failed"),
        (json!({"deal_id": cancelled}), "conflict", "cancelled"),
        (json!({"deal_id": cancelled_draft}), "conflict", "cancelled"),
        (json!({"deal_id": 999}), "not_found", "999"),
        (json!({}), "validation", "deal_id"),
        (json!({"deal_id": -1}), "not_found", "id -1"),
        (json!({"deal_id": 1.5}), "validation", "deal_id"),
        (json!({"deal_id": past, "now": true}), "validation", "now"),
    ];
    refuse_all(&mut db, "open_deal", cases);
    // Moving closes_at later makes the draft openable.
    db.ok(
        "update_deal",
        json!({"deal_id": past, "closes_at": "2026-11-23T10:00:01Z"}),
    );
    assert_eq!(
        db.ok("open_deal", json!({"deal_id": past}))["status"],
        "open"
    );
}

#[test]
fn ending_cancelling_and_reading_deals_refuse_bad_states_and_ids() {
    let mut db = Db::new();
    let draft = id(&db.ok("create_deal", base()));
    let (settled, _) = settled_deal(&mut db);
    let failed = failed_deal(&mut db);
    let cancelled = cancelled_deal(&mut db);
    refuse_all(
        &mut db,
        "end_deal",
        vec![
            (json!({"deal_id": draft}), "conflict", "draft"),
            (json!({"deal_id": 999}), "not_found", "999"),
            (json!({"deal_id": "1"}), "validation", "deal_id"),
        ],
    );
    refuse_all(
        &mut db,
        "cancel_deal",
        vec![
            (json!({"deal_id": settled}), "conflict", "settled"),
            (json!({"deal_id": failed}), "conflict", "failed"),
            (json!({"deal_id": cancelled}), "conflict", "cancelled"),
            (json!({"deal_id": 999}), "not_found", "999"),
            (
                json!({"deal_id": draft, "reason": 5}),
                "validation",
                "reason",
            ),
            (json!({"reason": "x"}), "validation", "deal_id"),
        ],
    );
    refuse_all(
        &mut db,
        "get_deal",
        vec![
            (json!({"deal_id": 999}), "not_found", "999"),
            (json!({"deal_id": 0}), "not_found", "id 0"),
            (json!({"deal_id": "1"}), "validation", "deal_id"),
            (json!({}), "validation", "deal_id"),
            (json!({"deal_id": 1, "id": 1}), "validation", "id"),
        ],
    );
    refuse_all(
        &mut db,
        "preview_settlement",
        vec![
            (json!({"deal_id": 999}), "not_found", "999"),
            (json!({"deal_id": null}), "validation", "deal_id"),
        ],
    );
    refuse_all(
        &mut db,
        "list_deals",
        vec![
            (json!({"status": "closed"}), "validation", "status"),
            (json!({"status": "OPEN"}), "validation", "status"),
            (json!({"status": 1}), "validation", "status"),
            (json!({"state": "open"}), "validation", "state"),
        ],
    );
    // Ending an ended deal again reports it; a draft can be cancelled.
    db.ok("end_deal", json!({"deal_id": cancelled}));
    assert_eq!(
        db.ok("cancel_deal", json!({"deal_id": draft}))["status"],
        "cancelled"
    );
    assert_eq!(
        db.ok("list_deals", json!({"status": "settled"}))[0]["id"],
        settled
    );
}

// ---------------------------------------------------------------------------
// book
// ---------------------------------------------------------------------------

#[test]
fn book_refuses_unknown_ids_bad_states_and_bad_arguments() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/pickup_points", json!(["North gate"])));
    let other = db.open(with(base(), "/pickup_points", json!(["South gate"])));
    let draft = id(&db.ok("create_deal", base()));
    let (settled, _) = settled_deal(&mut db);
    let failed = failed_deal(&mut db);
    let cancelled = cancelled_deal(&mut db);
    let later = db.open(with(base(), "/opens_at", json!("2026-11-25T00:00:00Z")));
    let plain = db.open(base());
    let a = db.add("A");
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": other}))["pickup_points"],
        json!(["South gate"])
    );
    let args =
        |d: i64| json!({"deal_id": d, "participant_id": a, "item": "model #1", "quantity": 1});
    let cases: Vec<Case> = vec![
        (args(999), "not_found", "999"),
        (
            with(args(deal), "/participant_id", json!(999)),
            "not_found",
            "999",
        ),
        (args(draft), "conflict", "draft"),
        (args(settled), "conflict", "settled"),
        (args(failed), "conflict", "failed"),
        (args(cancelled), "conflict", "cancelled"),
        (args(later), "conflict", "2026-11-25T00:00:00Z"),
        (
            with(args(deal), "/item", json!("model #2")),
            "validation",
            "item",
        ),
        (with(args(deal), "/item", json!("")), "validation", "item"),
        (with(args(deal), "/item", json!(0)), "validation", "item"),
        (without(args(deal), "/item"), "validation", "item"),
        (
            with(args(deal), "/quantity", json!(0)),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/quantity", json!(-1)),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/quantity", json!(1.5)),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/quantity", json!("2")),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/quantity", json!(null)),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/quantity", json!(1_000_000_001_i64)),
            "validation",
            "quantity",
        ),
        (
            with(args(deal), "/pickup_point", json!("South gate")),
            "validation",
            "pickup_point",
        ),
        (
            with(args(deal), "/pickup_point", json!("Nowhere")),
            "validation",
            "pickup_point",
        ),
        (
            with(args(draft), "/pickup_point", json!("North gate")),
            "conflict",
            "draft",
        ),
        (
            with(args(plain), "/pickup_point", json!("North gate")),
            "validation",
            "pickup_point",
        ),
        (
            with(args(deal), "/pickup_point", json!(1)),
            "validation",
            "pickup_point",
        ),
        (
            with(args(deal), "/note", json!(["x"])),
            "validation",
            "note",
        ),
        (
            with(args(deal), "/deal_id", json!("1")),
            "validation",
            "deal_id",
        ),
        (
            without(args(deal), "/participant_id"),
            "validation",
            "participant_id",
        ),
        (with(args(deal), "/qty", json!(1)), "validation", "qty"),
    ];
    refuse_all(&mut db, "book", cases);

    // Accepted: at opens_at exactly, an item named in another case, a pickup
    // point of the deal, and an empty pickup point (none).
    db.set_now("2026-11-25T00:00:00Z");
    db.ok("book", args(later));
    let o = db.ok(
        "book",
        json!({"deal_id": deal, "participant_id": a, "item": "MODEL #5", "quantity": 2,
            "pickup_point": "North gate", "note": "blue"}),
    );
    assert_eq!(o["booking"]["item"], "model #5");
    assert_eq!(o["booking"]["pickup_point"], "North gate");
    let o = db.ok("book", with(args(deal), "/pickup_point", json!("")));
    assert_eq!(o["booking"]["pickup_point"], json!(null));
    db.assert_invariants();
}

#[test]
fn book_after_closes_at_is_a_conflict_and_the_settlement_it_triggers_stays() {
    let mut db = Db::new();
    let deal = db.open(base());
    let a = db.add("A");
    db.set_now("2026-12-01T00:00:00Z");
    let e = db
        .call(
            "book",
            json!({"deal_id": deal, "participant_id": a, "item": "model #1", "quantity": 1}),
        )
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{}", e.to_json());
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": deal}))["status"],
        "failed"
    );
    // Now that it is settled, the refusal changes nothing.
    db.refused(
        "conflict",
        "book",
        json!({"deal_id": deal, "participant_id": a, "item": "model #1", "quantity": 1}),
    );
}

#[test]
fn book_domain_rule_is_exact_and_case_insensitive() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/allowed_domains", json!(["acme.com"])));
    let upper = db.open(with(base(), "/allowed_domains", json!(["@ACME.Com"])));
    let sub = add_with_email(&mut db, "Sub", "bob@mail.acme.com");
    let suffix = add_with_email(&mut db, "Suffix", "carl@acme.com.evil.org");
    let lookalike = add_with_email(&mut db, "Lookalike", "dan@notacme.com");
    let other = add_with_email(&mut db, "Other", "eve@example.org");
    let none = db.add("No e-mail");
    let ann = add_with_email(&mut db, "Ann", "ann@acme.com");
    let shouting = add_with_email(&mut db, "Shouting", "FRED@ACME.COM");
    let book = |d: i64, p: i64| json!({"deal_id": d, "participant_id": p, "item": "model #1", "quantity": 1});
    let mut cases: Vec<Case> = vec![];
    for d in [deal, upper] {
        for p in [sub, suffix, lookalike, other] {
            cases.push((book(d, p), "policy", "acme.com"));
        }
        cases.push((book(d, none), "policy", "no e-mail"));
    }
    refuse_all(&mut db, "book", cases);
    for d in [deal, upper] {
        for p in [ann, shouting] {
            assert_eq!(db.ok("book", book(d, p))["booking"]["status"], "approved");
        }
    }
    // A deal with several domains admits each of them, and only them.
    let two = db.open(with(
        base(),
        "/allowed_domains",
        json!(["acme.com", "mail.acme.com"]),
    ));
    db.ok("book", book(two, sub));
    db.ok("book", book(two, ann));
    db.refused("policy", "book", book(two, suffix));
    db.assert_invariants();
}

#[test]
fn book_per_participant_maximum_counts_pending_and_approved_across_items() {
    let mut db = Db::new();
    let deal = db.open(with(
        with(base(), "/max_per_participant", json!(3)),
        "/approval",
        json!("manual"),
    ));
    let a = db.add("A");
    let b = db.add("B");
    let book = |p: i64, item: &str, q: i64| json!({"deal_id": deal, "participant_id": p, "item": item, "quantity": q});
    db.refused("policy", "book", book(a, "model #1", 4));
    let first = booking_id(&db.ok("book", book(a, "model #1", 2)));
    refuse_all(
        &mut db,
        "book",
        vec![
            (book(a, "model #5", 2), "policy", "maximum"),
            (book(a, "model #1", 2), "policy", "maximum"),
        ],
    );
    let second = booking_id(&db.ok("book", book(a, "model #5", 1)));
    db.ok("approve_booking", json!({"booking_id": first}));
    // 2 approved + 1 pending: nothing more, of either item.
    refuse_all(
        &mut db,
        "book",
        vec![
            (book(a, "model #5", 1), "policy", "maximum"),
            (book(a, "model #1", 1), "policy", "maximum"),
        ],
    );
    // Another participant has a maximum of their own.
    db.ok("book", book(b, "model #5", 3));
    db.refused("policy", "book", book(b, "model #1", 1));
    // A rejected booking no longer counts; a cancelled one neither.
    db.ok("reject_booking", json!({"booking_id": second}));
    db.ok("book", book(a, "model #5", 1));
    db.refused("policy", "book", book(a, "model #5", 1));
    db.ok("cancel_booking", json!({"booking_id": first}));
    db.ok("book", book(a, "model #1", 2));
    db.refused("policy", "book", book(a, "model #1", 1));
    // Another deal is counted on its own.
    let elsewhere = db.open(with(base(), "/max_per_participant", json!(1)));
    db.ok(
        "book",
        json!({"deal_id": elsewhere, "participant_id": a, "item": "model #1", "quantity": 1}),
    );
    db.assert_invariants();
}

#[test]
fn book_past_the_stock_cap_joins_the_waitlist_and_more_than_the_stock_is_refused() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/stock", json!(4)));
    let (a, b, c) = (db.add("A"), db.add("B"), db.add("C"));
    let book = |p: i64, q: i64| json!({"deal_id": deal, "participant_id": p, "item": "model #5", "quantity": q});
    // More than the whole stock can never be approved: refused.
    let msg = db.refused("policy", "book", book(a, 5));
    assert!(msg.contains("stock"), "{msg}");
    db.ok("book", book(a, 3));
    // Past the stock: waitlisted, nothing charged, the deal unchanged.
    let w = db.ok("book", book(b, 2));
    assert_eq!(w["booking"]["status"], "waitlisted");
    assert_eq!(w["booking"]["charged"], "0.00");
    assert_eq!(w["deal"]["approved_qty"], 3);
    assert_eq!(w["events"], json!([]));
    assert_eq!(db.balance(b, "USD"), "0.00");
    // Someone waits: a booking that would fit waits behind them.
    let o = db.ok("book", book(c, 1));
    assert_eq!(o["booking"]["status"], "waitlisted");
    assert_eq!(o["deal"]["approved_qty"], 3);
    db.assert_invariants();
}

// ---------------------------------------------------------------------------
// approve_booking, reject_booking, cancel_booking, list_bookings
// ---------------------------------------------------------------------------

#[test]
fn manual_bookings_past_the_claimed_stock_wait_and_approval_stays_capped() {
    let mut db = Db::new();
    let deal = db.open(with(
        with(base(), "/stock", json!(4)),
        "/approval",
        json!("manual"),
    ));
    let (a, b, c) = (db.add("A"), db.add("B"), db.add("C"));
    let ba = booking_id(&db.book(deal, a, "model #1", 3));
    // Pending bookings claim the stock: past it, a booking waits.
    let ob = db.book(deal, b, "model #5", 2);
    assert_eq!(ob["booking"]["status"], "waitlisted");
    let bb = booking_id(&ob);
    let bc = booking_id(&db.book(deal, c, "model #5", 1));
    assert_eq!(booking_status(&mut db, deal, bc), "waitlisted");
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": deal}))["pending_qty"],
        3
    );
    // A waitlisted booking is not pending: it cannot be approved or rejected.
    db.refused("conflict", "approve_booking", json!({"booking_id": bb}));
    db.refused("conflict", "reject_booking", json!({"booking_id": bb}));
    db.ok("approve_booking", json!({"booking_id": ba}));
    assert_eq!(db.balance(a, "USD"), "-90000.00");
    assert_eq!(db.balance(b, "USD"), "0.00");
    // It can be cancelled, and the next one moves up when it fits (1 of 4 left).
    let o = db.ok("cancel_booking", json!({"booking_id": bb}));
    assert_eq!(o["booking"]["status"], "cancelled");
    assert_eq!(o["events"][0]["kind"], "waitlist_promoted");
    assert_eq!(booking_status(&mut db, deal, bc), "pending");
    db.ok("approve_booking", json!({"booking_id": bc}));
    assert_eq!(db.balance(c, "USD"), "-25000.00");
    db.assert_invariants();
}

#[test]
fn booking_transitions_of_the_wrong_state_are_conflicts() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/approval", json!("manual")));
    let p: Vec<i64> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|n| db.add(n))
        .collect();
    let approved = booking_id(&db.book(deal, p[0], "model #1", 1));
    db.ok("approve_booking", json!({"booking_id": approved}));
    let rejected = booking_id(&db.book(deal, p[1], "model #1", 1));
    db.ok("reject_booking", json!({"booking_id": rejected}));
    let cancelled = booking_id(&db.book(deal, p[2], "model #1", 1));
    db.ok("cancel_booking", json!({"booking_id": cancelled}));
    let cancelled_approved = booking_id(&db.book(deal, p[3], "model #1", 1));
    db.ok("approve_booking", json!({"booking_id": cancelled_approved}));
    db.ok(
        "cancel_booking",
        json!({"booking_id": cancelled_approved, "by": "organizer"}),
    );
    let pending = booking_id(&db.book(deal, p[4], "model #5", 1));

    // A deal that ended: its pending booking expired, its approved one stays.
    let ended = db.open(with(base(), "/approval", json!("manual")));
    let expired = booking_id(&db.book(ended, p[0], "model #1", 1));
    let kept = booking_id(&db.book(ended, p[1], "model #1", 1));
    db.ok("approve_booking", json!({"booking_id": kept}));
    db.ok("end_deal", json!({"deal_id": ended}));
    assert_eq!(booking_status(&mut db, ended, expired), "expired");
    assert_eq!(booking_status(&mut db, ended, kept), "approved");
    // A cancelled deal's bookings are cancelled.
    let gone = db.open(with(base(), "/approval", json!("manual")));
    let gone_pending = booking_id(&db.book(gone, p[0], "model #1", 1));
    db.ok("cancel_deal", json!({"deal_id": gone}));

    let b = |id: i64| json!({ "booking_id": id });
    refuse_all(
        &mut db,
        "approve_booking",
        vec![
            (b(approved), "conflict", "approved"),
            (b(rejected), "conflict", "rejected"),
            (b(cancelled), "conflict", "cancelled"),
            (b(cancelled_approved), "conflict", "cancelled"),
            (b(expired), "conflict", "expired"),
            (b(kept), "conflict", "approved"),
            (b(gone_pending), "conflict", "cancelled"),
            (b(999), "not_found", "999"),
            (json!({"booking_id": "1"}), "validation", "booking_id"),
            (json!({}), "validation", "booking_id"),
            (
                json!({"booking_id": pending, "reason": "x"}),
                "validation",
                "reason",
            ),
        ],
    );
    refuse_all(
        &mut db,
        "reject_booking",
        vec![
            (b(approved), "conflict", "approved"),
            (b(rejected), "conflict", "rejected"),
            (b(cancelled), "conflict", "cancelled"),
            (b(expired), "conflict", "expired"),
            (b(kept), "conflict", "approved"),
            (b(999), "not_found", "999"),
            (
                json!({"booking_id": pending, "reason": 1}),
                "validation",
                "reason",
            ),
        ],
    );
    refuse_all(
        &mut db,
        "cancel_booking",
        vec![
            (b(rejected), "conflict", "rejected"),
            (b(cancelled), "conflict", "cancelled"),
            (b(cancelled_approved), "conflict", "cancelled"),
            (b(expired), "conflict", "expired"),
            (b(gone_pending), "conflict", "cancelled"),
            // approved, but its deal has ended: settlement has its own rules
            (b(kept), "conflict", "failed"),
            (b(999), "not_found", "999"),
            (
                json!({"booking_id": approved, "by": "deal"}),
                "validation",
                "by",
            ),
            (
                json!({"booking_id": approved, "by": "Organizer"}),
                "validation",
                "by",
            ),
            (
                json!({"booking_id": approved, "by": "merchant"}),
                "validation",
                "by",
            ),
            (json!({"booking_id": approved, "by": 1}), "validation", "by"),
            (
                json!({"booking_id": approved, "reason": false}),
                "validation",
                "reason",
            ),
            (
                json!({"booking_id": approved, "who": "organizer"}),
                "validation",
                "who",
            ),
        ],
    );
    // The right states are accepted.
    let o = db.ok(
        "cancel_booking",
        json!({"booking_id": approved, "by": "participant", "reason": "changed my mind"}),
    );
    assert_eq!(o["booking"]["status"], "cancelled");
    let o = db.ok(
        "reject_booking",
        json!({"booking_id": pending, "reason": "no"}),
    );
    assert_eq!(o["booking"]["status"], "rejected");
    db.assert_invariants();
}

#[test]
fn list_bookings_refuses_bad_filters() {
    let mut db = Db::new();
    let deal = db.open(base());
    let cases: Vec<Case> = vec![
        (
            json!({"deal_id": deal, "status": "approve"}),
            "validation",
            "status",
        ),
        (
            json!({"deal_id": deal, "status": "Approved"}),
            "validation",
            "status",
        ),
        (
            json!({"deal_id": deal, "status": ["approved"]}),
            "validation",
            "status",
        ),
        (json!({"deal_id": deal, "limit": 0}), "validation", "limit"),
        (json!({"deal_id": deal, "limit": -1}), "validation", "limit"),
        (
            json!({"deal_id": deal, "limit": "10"}),
            "validation",
            "limit",
        ),
        (
            json!({"deal_id": deal, "offset": -1}),
            "validation",
            "offset",
        ),
        (
            json!({"deal_id": deal, "offset": 0.5}),
            "validation",
            "offset",
        ),
        (json!({"deal_id": 999}), "not_found", "999"),
        (json!({}), "validation", "deal_id"),
        (json!({"deal_id": deal, "page": 2}), "validation", "page"),
    ];
    refuse_all(&mut db, "list_bookings", cases);
    for status in ["pending", "approved", "rejected", "cancelled", "expired"] {
        db.ok(
            "list_bookings",
            json!({"deal_id": deal, "status": status, "limit": 1, "offset": 0}),
        );
    }
}

// ---------------------------------------------------------------------------
// Ledger: record_payment, record_payout, reverse_entry, statement, balances
// ---------------------------------------------------------------------------

#[test]
fn record_payment_and_payout_refuse_bad_amounts_currencies_and_ids() {
    let mut db = Db::new();
    let usd_deal = id(&db.ok("create_deal", base()));
    let yen_deal = id(&db.ok("create_deal", yen()));
    let a = db.add("A");
    let pay = |amount: Value| json!({"participant_id": a, "currency": "USD", "amount": amount});
    let mut cases: Vec<Case> = vec![];
    for bad in NOT_MONEY {
        cases.push((pay(json!(bad)), "validation", "amount"));
    }
    cases.extend([
        (pay(json!("0")), "validation", "amount"),
        (pay(json!("0.00")), "validation", "amount"),
        (pay(json!("-5")), "validation", "amount"),
        (pay(json!("-5.00")), "validation", "amount"),
        (pay(json!(5)), "validation", "amount"),
        (pay(json!(5.25)), "validation", "amount"),
        (pay(json!("5.001")), "validation", "amount"),
        (pay(json!(null)), "validation", "amount"),
        (pay(json!({"value": "5"})), "validation", "amount"),
        (pay(json!("10000000000000.01")), "validation", "amount"),
        (
            json!({"participant_id": a, "currency": "JPY", "amount": "100.5"}),
            "validation",
            "amount",
        ),
        (
            json!({"participant_id": a, "currency": "ZZZ", "amount": "5"}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "currency": "XAU", "amount": "5"}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "amount": "5"}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "currency": 840, "amount": "5"}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "currency": "EUR", "amount": "5", "deal_id": usd_deal}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "currency": "USD", "amount": "5", "deal_id": yen_deal}),
            "validation",
            "currency",
        ),
        (
            json!({"participant_id": a, "currency": "USD", "amount": "5", "deal_id": 999}),
            "not_found",
            "999",
        ),
        (
            json!({"participant_id": 999, "currency": "USD", "amount": "5"}),
            "not_found",
            "999",
        ),
        (
            json!({"currency": "USD", "amount": "5"}),
            "validation",
            "participant_id",
        ),
        (
            json!({"participant_id": a, "currency": "USD", "amount": "5", "method": 1}),
            "validation",
            "method",
        ),
        (
            json!({"participant_id": a, "currency": "USD", "amount": "5", "memo": true}),
            "validation",
            "memo",
        ),
        (
            json!({"participant_id": a, "currency": "USD", "amount": "5", "deal": 1}),
            "validation",
            "deal",
        ),
    ]);
    refuse_all(&mut db, "record_payment", cases);

    let out = |amount: &str| json!({"participant_id": a, "currency": "USD", "amount": amount});
    refuse_all(
        &mut db,
        "record_payout",
        vec![
            (out("0"), "validation", "amount"),
            (out("-5"), "validation", "amount"),
            (out("1e2"), "validation", "amount"),
            (with(out("5"), "/amount", json!(5)), "validation", "amount"),
            (
                with(out("5"), "/currency", json!("??")),
                "validation",
                "currency",
            ),
            (
                with(out("5"), "/participant_id", json!(999)),
                "not_found",
                "999",
            ),
            // a payout has no deal and no method
            (
                with(out("5"), "/deal_id", json!(usd_deal)),
                "validation",
                "deal_id",
            ),
            (
                with(out("5"), "/method", json!("cash")),
                "validation",
                "method",
            ),
        ],
    );

    // Accepted: the deal's currency (any case), extra zeros, the smallest unit.
    let e = db.ok(
        "record_payment",
        json!({"participant_id": a, "currency": "jpy", "amount": "100.00", "deal_id": yen_deal,
            "method": "cash"}),
    );
    assert_eq!(
        (e["currency"].as_str(), e["amount"].as_str()),
        (Some("JPY"), Some("100"))
    );
    let e = db.ok("record_payout", out("0.01"));
    assert_eq!(e["signed_amount"], "-0.01");
    db.assert_invariants();
}

#[test]
fn reverse_entry_undoes_only_payments_and_payouts_once() {
    let mut db = Db::new();
    let deal = db.open(base());
    let a = db.add("A");
    let booked = db.book(deal, a, "model #1", 1);
    db.ok("cancel_booking", json!({"booking_id": booking_id(&booked)}));
    let payment = id(&db.ok(
        "record_payment",
        json!({"participant_id": a, "currency": "USD", "amount": "10.00"}),
    ));
    let payout = id(&db.ok(
        "record_payout",
        json!({"participant_id": a, "currency": "USD", "amount": "3.00"}),
    ));
    let reversal = id(&db.ok("reverse_entry", json!({"entry_id": payment})));
    let st = db.ok("statement", json!({"participant_id": a, "currency": "USD"}));
    let of_kind = |k: &str| {
        st["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == k)
            .map(id)
            .unwrap_or_else(|| panic!("a {k} entry"))
    };
    let (purchase, refund) = (of_kind("purchase"), of_kind("refund"));
    refuse_all(
        &mut db,
        "reverse_entry",
        vec![
            (json!({"entry_id": purchase}), "conflict", "purchase"),
            (json!({"entry_id": refund}), "conflict", "refund"),
            (json!({"entry_id": reversal}), "conflict", "reversal"),
            (json!({"entry_id": payment}), "conflict", "already reversed"),
            (json!({"entry_id": 999}), "not_found", "999"),
            (json!({"entry_id": 0}), "not_found", "id 0"),
            (json!({"entry_id": "1"}), "validation", "entry_id"),
            (json!({}), "validation", "entry_id"),
            (json!({"entry_id": payout, "memo": 3}), "validation", "memo"),
            (
                json!({"entry_id": payout, "amount": "3.00"}),
                "validation",
                "amount",
            ),
        ],
    );
    let r = db.ok("reverse_entry", json!({"entry_id": payout, "memo": "typo"}));
    assert_eq!(r["kind"], "reversal");
    assert_eq!(r["reverses"], payout);
    db.refused("conflict", "reverse_entry", json!({"entry_id": payout}));
    assert_eq!(db.balance(a, "USD"), "0.00");
    db.assert_invariants();
}

#[test]
fn statement_and_balances_refuse_bad_currencies_and_ids() {
    let mut db = Db::new();
    let deal = id(&db.ok("create_deal", base()));
    let a = db.add("A");
    refuse_all(
        &mut db,
        "statement",
        vec![
            (
                json!({"participant_id": a, "currency": "ZZZ"}),
                "validation",
                "currency",
            ),
            (
                json!({"participant_id": a, "currency": "US"}),
                "validation",
                "currency",
            ),
            (
                json!({"participant_id": a, "currency": ""}),
                "validation",
                "currency",
            ),
            (
                json!({"participant_id": a, "currency": "XAU"}),
                "validation",
                "currency",
            ),
            (
                json!({"participant_id": a, "currency": 840}),
                "validation",
                "currency",
            ),
            (json!({"participant_id": a}), "validation", "currency"),
            (
                json!({"participant_id": 999, "currency": "USD"}),
                "not_found",
                "999",
            ),
            (
                json!({"participant_id": "a", "currency": "USD"}),
                "validation",
                "participant_id",
            ),
            (
                json!({"participant_id": a, "currency": "USD", "deal_id": deal}),
                "validation",
                "deal_id",
            ),
        ],
    );
    refuse_all(
        &mut db,
        "balances",
        vec![
            (json!({"currency": "ZZZ"}), "validation", "currency"),
            (json!({"currency": "dollars"}), "validation", "currency"),
            (json!({}), "validation", "currency"),
            (
                json!({"currency": "EUR", "deal_id": deal}),
                "validation",
                "currency",
            ),
            (
                json!({"currency": "USD", "deal_id": 999}),
                "not_found",
                "999",
            ),
            (
                json!({"currency": "USD", "deal_id": 0}),
                "not_found",
                "id 0",
            ),
            (
                json!({"currency": "USD", "participant_id": a}),
                "validation",
                "participant_id",
            ),
        ],
    );
    assert_eq!(
        db.ok("statement", json!({"participant_id": a, "currency": "eur"}))["balance"],
        "0.00"
    );
    db.ok("balances", json!({"currency": "usd", "deal_id": deal}));
}

// ---------------------------------------------------------------------------
// Participants, reputation, notifications
// ---------------------------------------------------------------------------

#[test]
fn add_participant_refuses_bad_names_and_emails_and_duplicate_emails() {
    let mut db = Db::new();
    add_with_email(&mut db, "Ann", "ann@acme.com");
    let mut cases: Vec<Case> = vec![
        (json!({}), "validation", "name"),
        (json!({"name": ""}), "validation", "name"),
        (json!({"name": "   "}), "validation", "name"),
        (json!({"name": null}), "validation", "name"),
        (json!({"name": 5}), "validation", "name"),
        (json!({"name": "x".repeat(201)}), "validation", "name"),
        (json!({"name": "Bo\u{0}b"}), "validation", "name"),
        (json!({"name": "Bob", "email": 5}), "validation", "email"),
        (json!({"name": "Bob", "phone": 5}), "validation", "phone"),
        (json!({"name": "Bob", "note": {}}), "validation", "note"),
        (
            json!({"name": "Bob", "mail": "bob@acme.com"}),
            "validation",
            "mail",
        ),
    ];
    for bad in [
        "bob",
        "bob@",
        "@acme.com",
        "bob@acme",
        "bob@@acme.com",
        "bob@acme@com.org",
        "bob smith@acme.com",
        "bob@.acme.com",
        "bob@acme.com.",
    ] {
        cases.push((json!({"name": "Bob", "email": bad}), "validation", "email"));
    }
    for dup in [
        "ann@acme.com",
        "ANN@ACME.COM",
        "Ann@Acme.com",
        " ann@acme.com ",
    ] {
        cases.push((json!({"name": "Ann 2", "email": dup}), "conflict", "e-mail"));
    }
    refuse_all(&mut db, "add_participant", cases);
    // Accepted: no e-mail (several times), an empty e-mail (none), trimmed names.
    db.add("Bob");
    db.add("Bob");
    let p = db.ok("add_participant", json!({"name": "  Carl ", "email": ""}));
    assert_eq!(p["name"], "Carl");
    assert_eq!(p["email"], json!(null));
    let p = db.ok(
        "add_participant",
        json!({"name": "Dora", "email": "Dora@Mail.Acme.com", "phone": "+1 555", "note": "vip"}),
    );
    assert_eq!(p["email"], "Dora@Mail.Acme.com");
    db.refused(
        "conflict",
        "add_participant",
        json!({"name": "Dora 2", "email": "dora@mail.acme.com"}),
    );
    refuse_all(
        &mut db,
        "list_participants",
        vec![
            (json!({"query": 5}), "validation", "query"),
            (json!({"name": "Bob"}), "validation", "name"),
        ],
    );
}

#[test]
fn reputation_and_notifications_refuse_bad_arguments() {
    let mut db = Db::new();
    refuse_all(
        &mut db,
        "reputation",
        vec![
            (json!({"participant_id": 999}), "not_found", "999"),
            (
                json!({"participant_id": "x"}),
                "validation",
                "participant_id",
            ),
            (json!({"participant_id": 0}), "not_found", "id 0"),
            (json!({"deal_id": 1}), "validation", "deal_id"),
        ],
    );
    refuse_all(
        &mut db,
        "notifications",
        vec![
            (json!({"limit": 0}), "validation", "limit"),
            (json!({"limit": -5}), "validation", "limit"),
            (json!({"limit": "5"}), "validation", "limit"),
            (json!({"limit": 2.5}), "validation", "limit"),
            (json!({"limit": 10_001}), "validation", "limit"),
            (json!({"since": 1}), "validation", "since"),
        ],
    );
    db.ok("notifications", json!({"limit": 1}));
    db.ok("notifications", json!({"limit": 10_000}));
    db.ok("reputation", json!({}));
}

// ---------------------------------------------------------------------------
// Usage: arguments that are not an object, unknown commands
// ---------------------------------------------------------------------------

#[test]
fn arguments_that_are_not_an_object_are_a_usage_error() {
    let mut db = Db::new();
    let deal = db.open(base());
    let not_objects = [
        json!([]),
        json!([{"deal_id": deal}]),
        json!("{\"deal_id\": 1}"),
        json!(1),
        json!(true),
        json!(2.5),
        json!(null),
    ];
    for command in [
        "create_deal",
        "get_deal",
        "book",
        "record_payment",
        "notifications",
        "list_deals",
    ] {
        for args in &not_objects {
            let msg = db.refused("usage", command, args.clone());
            assert!(msg.contains("object"), "{command} {args}: {msg}");
        }
    }
    for command in ["", "getDeal", "get_deal ", "GET_DEAL", "delete_deal"] {
        let msg = db.refused("usage", command, json!({"deal_id": deal}));
        assert!(msg.contains("unknown command"), "{command:?}: {msg}");
    }
}

/// A usage error comes before anything else, even the settlement of overdue deals.
#[test]
fn a_usage_error_settles_nothing() {
    let mut db = Db::new();
    let deal = db.open(base());
    db.set_now("2026-12-02T00:00:00Z");
    db.refused("usage", "get_deal", json!([deal]));
    db.refused("usage", "no_such_command", json!({}));
    db.set_now("2026-11-23T10:00:00Z");
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": deal}))["status"],
        "open"
    );
}

/// The SPEC allows 0 tiers and any stock cap: a deal without `tiers`, or with
/// a stock below its minimum or a tier, is created (the cap is enforced at
/// approval, with `policy`).
#[test]
fn deals_without_tiers_or_with_a_small_stock_are_accepted() {
    let mut db = Db::new();
    let d = db.ok("create_deal", without(base(), "/tiers"));
    assert_eq!(d["tiers"], json!([]));
    let d = db.ok("create_deal", with(base(), "/stock", json!(2)));
    assert_eq!(d["stock"], 2);
    let d = db.ok("create_deal", with(base(), "/tiers", json!(null)));
    assert_eq!(d["tiers"], json!([]));
}

/// An open deal's opens_at written with another offset is the same moment:
/// no change, so no conflict; a different moment is a conflict.
#[test]
fn open_deal_times_compare_as_instants() {
    let mut db = Db::new();
    let deal = db.open(with(base(), "/opens_at", json!("2026-11-23T09:00:00Z")));
    let d = db.ok(
        "update_deal",
        json!({"deal_id": deal, "opens_at": "2026-11-23T10:00:00+01:00"}),
    );
    assert_eq!(d["opens_at"], "2026-11-23T10:00:00+01:00");
    db.refused(
        "conflict",
        "update_deal",
        json!({"deal_id": deal, "opens_at": "2026-11-23T08:00:00Z"}),
    );
}
