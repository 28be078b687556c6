//! The bad-input catalogue: named bad inputs across every command, each
//! refused with the right code and a message naming the field (validation
//! messages start with it) or the thing concerned, and each leaving the
//! database as it was: the same `PRAGMA data_version` seen from a second
//! connection (nothing committed) and the same dump of every table.
//!
//! `core/tests/validation.rs` goes deeper rule by rule; this is the one list
//! a reviewer can read top to bottom.

mod common;

use bookrun::harness::Observer;
use common::{cars, Db};
use serde_json::{json, Value};

/// One named bad input: command, arguments, expected code, and what the
/// message names (the field for `validation`, else a fragment it contains).
struct Bad {
    name: &'static str,
    command: &'static str,
    args: Value,
    code: &'static str,
    names: &'static str,
}

macro_rules! bad {
    ($name:literal, $command:literal, $args:expr, $code:literal, $names:expr) => {
        Bad {
            name: $name,
            command: $command,
            args: $args,
            code: $code,
            names: $names,
        }
    };
}

/// `args` with `key` set to `value` (top level).
fn set(mut args: Value, key: &str, value: Value) -> Value {
    args[key] = value;
    args
}

fn deal() -> Value {
    let mut d = cars(json!({"mode": "full"}));
    d["stock"] = json!(4);
    d["max_per_participant"] = json!(5);
    d["allowed_domains"] = json!(["example.org"]);
    d["pickup_points"] = json!(["Depot"]);
    d
}

fn book(quantity: Value) -> Value {
    json!({"deal_id": 1, "participant_id": 1, "item": "model #1", "quantity": quantity})
}

fn pay(amount: Value) -> Value {
    json!({"participant_id": 1, "currency": "USD", "amount": amount})
}

/// `record_delivery` arguments for the settled deal.
fn delivered(delivered: Value) -> Value {
    json!({"deal_id": SETTLED, "delivered": delivered})
}

fn tiered(tiers: Value) -> Value {
    set(deal(), "tiers", tiers)
}

/// Ids of the seeded database.
const OPEN: i64 = 1; // Cars: auto, full, stock 4, max 5, example.org only
const DRAFT: i64 = 2;
const SETTLED: i64 = 3;
const ANN: i64 = 1; // ann@example.org
const BEN: i64 = 2; // ben@elsewhere.net
const CLEO: i64 = 3; // cleo@example.org
const ANN_BOOKING: i64 = 1; // 2 x model #1, approved
const REVERSED: i64 = 2; // a payment already reversed

fn seeded() -> Db {
    let mut db = Db::new();
    assert_eq!(db.open(deal()), OPEN);
    assert_eq!(db.ok("create_deal", deal())["id"], DRAFT);
    let settled = db.open(set(
        cars(json!({"mode": "full"})),
        "approval",
        json!("auto"),
    ));
    assert_eq!(settled, SETTLED);
    for (name, email) in [
        ("Ann", "ann@example.org"),
        ("Ben", "ben@elsewhere.net"),
        ("Cleo", "cleo@example.org"),
    ] {
        db.ok("add_participant", json!({"name": name, "email": email}));
    }
    db.ok("record_payment", pay(json!("10.00")));
    let p = db.ok("record_payment", pay(json!("20.00")))["id"].clone();
    assert_eq!(p, REVERSED);
    db.ok("reverse_entry", json!({"entry_id": REVERSED}));
    let b = db.book(OPEN, ANN, "model #1", 2);
    assert_eq!(b["booking"]["id"], ANN_BOOKING);
    db.book(SETTLED, BEN, "model #5", 3);
    db.ok("end_deal", json!({"deal_id": SETTLED}));
    // Cleo must pay before booking (SPEC section 10).
    db.ok(
        "set_credit_limit",
        json!({"participant_id": CLEO, "currency": "USD", "limit": "0.00"}),
    );
    db
}

fn catalogue() -> Vec<Bad> {
    let long = "x".repeat(100_000);
    vec![
        // Wrong JSON types
        bad!("title as a number", "create_deal", set(deal(), "title", json!(5)), "validation", "title"),
        bad!("min_qty as a string", "create_deal", set(deal(), "min_qty", json!("3")), "validation", "min_qty"),
        bad!("items as an object", "create_deal", set(deal(), "items", json!({"name": "x"})), "validation", "items"),
        bad!("payment as a string", "create_deal", set(deal(), "payment", json!("full")), "validation", "payment"),
        bad!("quantity as a string", "book", book(json!("2")), "validation", "quantity"),
        bad!("deal_id as a string", "get_deal", json!({"deal_id": "1"}), "validation", "deal_id"),
        bad!("approve with a booking_id array", "approve_booking", json!({"booking_id": [1]}), "validation", "booking_id"),
        bad!("status as a boolean", "list_deals", json!({"status": true}), "validation", "status"),
        // Missing fields
        bad!("deal without a title", "create_deal", { let mut d = deal(); d.as_object_mut().unwrap().remove("title"); d }, "validation", "title"),
        bad!("item without a base price", "create_deal", set(deal(), "items", json!([{"name": "x"}])), "validation", "items[0].base_price"),
        bad!("booking without a quantity", "book", json!({"deal_id": 1, "participant_id": 1, "item": "model #1"}), "validation", "quantity"),
        bad!("payment without a currency", "record_payment", json!({"participant_id": 1, "amount": "1.00"}), "validation", "currency"),
        bad!("statement without a participant", "statement", json!({"currency": "USD"}), "validation", "participant_id"),
        // Money that is not a plain decimal string
        bad!("float for money", "record_payment", pay(json!(10.5)), "validation", "amount"),
        bad!("integer for money", "record_payment", pay(json!(10)), "validation", "amount"),
        bad!("exponent 1e5", "record_payment", pay(json!("1e5")), "validation", "amount"),
        bad!("NaN", "record_payment", pay(json!("NaN")), "validation", "amount"),
        bad!("Infinity", "record_payment", pay(json!("Infinity")), "validation", "amount"),
        bad!("plus sign +5", "record_payment", pay(json!("+5")), "validation", "amount"),
        bad!("leading space ' 5'", "record_payment", pay(json!(" 5")), "validation", "amount"),
        bad!("trailing dot '5.'", "record_payment", pay(json!("5.")), "validation", "amount"),
        bad!("ambiguous thousands separator", "record_payment", pay(json!("1,000")), "validation", "amount"),
        bad!("misplaced group separators", "record_payment", pay(json!("1,00,000.00")), "validation", "amount"),
        bad!("too many decimals for USD", "record_payment", pay(json!("10.001")), "validation", "amount"),
        bad!("decimals for JPY", "record_payment", set(pay(json!("2500.5")), "currency", json!("JPY")), "validation", "amount"),
        bad!("negative amount", "record_payment", pay(json!("-5.00")), "validation", "amount"),
        bad!("zero payment", "record_payment", pay(json!("0.00")), "validation", "amount"),
        bad!("zero base price", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "0"}])), "validation", "items[0].base_price"),
        bad!("amount beyond the limit", "record_payout", pay(json!("99999999999999999999.00")), "validation", "amount"),
        bad!("more digits than a decimal holds", "record_payment", pay(json!("999999999999953.9999999999999519")), "validation", "amount"),
        // Quantities
        bad!("quantity 0", "book", book(json!(0)), "validation", "quantity"),
        bad!("negative quantity", "book", book(json!(-1)), "validation", "quantity"),
        bad!("fractional quantity", "book", book(json!(2.5)), "validation", "quantity"),
        bad!("quantity beyond i64", "book", book(json!(9_223_372_036_854_775_808_u64)), "validation", "quantity"),
        bad!("quantity 1e20", "book", book(json!(1e20)), "validation", "quantity"),
        bad!("min_qty 0", "create_deal", set(deal(), "min_qty", json!(0)), "validation", "min_qty"),
        bad!("price x stock overflows", "create_deal",
            set(set(deal(), "items", json!([{"name": "x", "base_price": "1000000000000.00"}])), "stock", json!(9_000_000_000_000_000_000_i64)),
            "validation", "stock"),
        bad!("deal id beyond i64", "get_deal", json!({"deal_id": 18_446_744_073_709_551_615_u64}), "validation", "deal_id"),
        // Text
        bad!("100 kB title", "create_deal", set(deal(), "title", json!(long)), "validation", "title"),
        bad!("100 kB participant name", "add_participant", json!({"name": long}), "validation", "name"),
        bad!("100 kB booking note", "book", set(book(json!(1)), "note", json!(long)), "validation", "note"),
        bad!("control character in a title", "create_deal", set(deal(), "title", json!("Cars\u{7}")), "validation", "title"),
        bad!("newline in a name", "add_participant", json!({"name": "Ann\nBen"}), "validation", "name"),
        bad!("NUL in a memo", "record_payment", set(pay(json!("1.00")), "memo", json!("a\u{0}b")), "validation", "memo"),
        bad!("empty title", "create_deal", set(deal(), "title", json!("")), "validation", "title"),
        bad!("blank name", "add_participant", json!({"name": "   "}), "validation", "name"),
        bad!("e-mail without @", "add_participant", json!({"name": "Cleo", "email": "cleo.example.org"}), "validation", "email"),
        bad!("currency that is not ISO 4217", "create_deal", set(deal(), "currency", json!("ZZZ")), "validation", "currency"),
        bad!("gold is not a currency", "balances", json!({"currency": "XAU"}), "validation", "currency"),
        bad!("unknown field (typo)", "create_deal", set(deal(), "titel", json!("Cars")), "validation", "titel"),
        bad!("unknown field in an item", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "1.00", "colour": "red"}])), "validation", "items[0].colour"),
        // Unknown ids
        bad!("unknown deal", "get_deal", json!({"deal_id": 999}), "not_found", "deal with id 999"),
        bad!("negative deal id", "open_deal", json!({"deal_id": -4}), "not_found", "deal with id -4"),
        bad!("unknown participant", "book", set(book(json!(1)), "participant_id", json!(77)), "not_found", "participant with id 77"),
        bad!("unknown booking", "approve_booking", json!({"booking_id": 4242}), "not_found", "booking with id 4242"),
        bad!("unknown entry", "reverse_entry", json!({"entry_id": 31337}), "not_found", "entry with id 31337"),
        bad!("unknown item", "book", set(book(json!(1)), "item", json!("model #9")), "validation", "item"),
        bad!("unknown pickup point", "book", set(book(json!(1)), "pickup_point", json!("Harbour")), "validation", "pickup_point"),
        // Wrong states
        bad!("booking a settled deal", "book", set(book(json!(1)), "deal_id", json!(SETTLED)), "conflict", "settled"),
        bad!("booking a draft", "book", set(book(json!(1)), "deal_id", json!(DRAFT)), "conflict", "draft"),
        bad!("opening an open deal", "open_deal", json!({"deal_id": OPEN}), "conflict", "open"),
        bad!("ending a draft", "end_deal", json!({"deal_id": DRAFT}), "conflict", "draft"),
        bad!("cancelling a settled deal", "cancel_deal", json!({"deal_id": SETTLED}), "conflict", "settled"),
        bad!("approving an approved booking", "approve_booking", json!({"booking_id": ANN_BOOKING}), "conflict", "approved"),
        bad!("reversing twice", "reverse_entry", json!({"entry_id": REVERSED}), "conflict", "reversed"),
        bad!("changing the currency of an open deal", "update_deal", json!({"deal_id": OPEN, "currency": "EUR"}), "conflict", "currency"),
        // Tier rules
        bad!("tier thresholds not increasing", "create_deal",
            tiered(json!([{"min_qty": 5, "prices": ["29000.00", "24000.00"]}, {"min_qty": 5, "prices": ["28000.00", "23000.00"]}])),
            "validation", "tiers[1].min_qty"),
        bad!("tier price above the base price", "create_deal",
            tiered(json!([{"min_qty": 4, "prices": ["31000.00", "24000.00"]}])), "validation", "tiers[0].prices[0]"),
        bad!("tier with a price missing", "create_deal",
            tiered(json!([{"min_qty": 4, "prices": ["29000.00"]}])), "validation", "tiers[0].prices"),
        bad!("six tiers", "create_deal",
            tiered(json!((0..6).map(|i| json!({"min_qty": 4 + i, "prices": [format!("{}.00", 29000 - i * 100), format!("{}.00", 24000 - i * 100)]})).collect::<Vec<_>>())),
            "validation", "tiers"),
        bad!("deposit percent above 100", "create_deal", set(deal(), "payment", json!({"mode": "deposit", "percent": "150"})), "validation", "payment.percent"),
        bad!("unknown approval mode", "create_deal", set(deal(), "approval", json!("sometimes")), "validation", "approval"),
        // Domain and limit rules
        bad!("e-mail outside the allowed domains", "book", set(book(json!(1)), "participant_id", json!(BEN)), "policy", "e-mail addresses at example.org"),
        bad!("past the per-participant maximum", "book", book(json!(4)), "policy", "maximum"),
        bad!("more than the whole stock", "book", set(set(book(json!(5)), "participant_id", json!(CLEO)), "item", json!("model #5")), "policy", "whole stock"),
        bad!("malformed allowed domain", "create_deal", set(deal(), "allowed_domains", json!(["not a domain"])), "validation", "allowed_domains[0]"),
        // Dates
        bad!("unparsable closes_at", "create_deal", set(deal(), "closes_at", json!("next Friday")), "validation", "closes_at"),
        bad!("month 13", "create_deal", set(deal(), "closes_at", json!("2026-13-01T00:00:00Z")), "validation", "closes_at"),
        bad!("closes_at without an offset", "create_deal", set(deal(), "closes_at", json!("2026-12-01T00:00:00")), "validation", "closes_at"),
        bad!("opens_at after closes_at", "create_deal", set(deal(), "opens_at", json!("2026-12-02T00:00:00Z")), "validation", "opens_at"),
        bad!("closes_at as a number", "create_deal", set(deal(), "closes_at", json!(1_790_000_000)), "validation", "closes_at"),
        // Credit limits and tier economics (SPEC sections 10 and 11)
        bad!("negative credit limit", "set_credit_limit", json!({"participant_id": ANN, "currency": "USD", "limit": "-5.00"}), "validation", "limit"),
        bad!("credit limit with 3 decimals", "set_credit_limit", json!({"participant_id": ANN, "currency": "USD", "limit": "5.001"}), "validation", "limit"),
        bad!("credit limit as a number", "set_credit_limit", json!({"participant_id": ANN, "currency": "USD", "limit": 5}), "validation", "limit"),
        bad!("credit limit left out", "set_credit_limit", json!({"participant_id": ANN, "currency": "USD"}), "validation", "limit"),
        bad!("credit limit of nobody", "set_credit_limit", json!({"participant_id": 99, "currency": "USD", "limit": "5"}), "not_found", "participant"),
        bad!("booking past the credit limit", "book", set(set(book(json!(1)), "participant_id", json!(CLEO)), "item", json!("model #5")), "policy", "25,000.00 USD more on the wallet"),
        bad!("pack of size 1", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "1", "cost": {"packs": [{"size": 1, "price": "1"}]}}])), "validation", "items[0].cost.packs[0].size"),
        bad!("pack of size 0", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "1", "cost": {"packs": [{"size": 0, "price": "1"}]}}])), "validation", "items[0].cost.packs[0].size"),
        bad!("pack price of zero", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "1", "cost": {"packs": [{"size": 2, "price": "0.00"}]}}])), "validation", "items[0].cost.packs[0].price"),
        bad!("cost without unit or packs", "create_deal", set(deal(), "items", json!([{"name": "x", "base_price": "1", "cost": {}}])), "validation", "items[0].cost"),
        bad!("check_tiers up_to past 100,000", "check_tiers", json!({"deal_id": OPEN, "up_to": 100_001}), "validation", "up_to"),
        bad!("check_tiers of no deal", "check_tiers", json!({"deal_id": 99}), "not_found", "deal"),
        // Other choices and ranges
        bad!("unknown deal status", "list_deals", json!({"status": "done"}), "validation", "status"),
        bad!("cancelled by the merchant", "cancel_booking", json!({"booking_id": ANN_BOOKING, "by": "merchant"}), "validation", "by"),
        bad!("page limit 0", "list_bookings", json!({"deal_id": OPEN, "limit": 0}), "validation", "limit"),
        bad!("negative page offset", "list_bookings", json!({"deal_id": OPEN, "offset": -1}), "validation", "offset"),
        bad!("notifications limit as text", "notifications", json!({"limit": "ten"}), "validation", "limit"),
        // Deliveries (SPEC section 12) and repeating a deal (section 13)
        bad!("delivering more than approved", "record_delivery", delivered(json!([{"item": "model #5", "quantity": 4}])), "validation", "delivered[0].quantity"),
        bad!("a negative delivered quantity", "record_delivery", delivered(json!([{"item": "model #5", "quantity": -1}])), "validation", "delivered[0].quantity"),
        bad!("delivering an unknown item", "record_delivery", delivered(json!([{"item": "model #9", "quantity": 0}])), "validation", "delivered[0].item"),
        bad!("an item delivered twice", "record_delivery", delivered(json!([{"item": "model #5", "quantity": 1}, {"item": "Model #5", "quantity": 2}])), "validation", "delivered[1].item"),
        bad!("delivered as an object", "record_delivery", delivered(json!({"item": "model #5", "quantity": 1})), "validation", "delivered"),
        bad!("an unknown shortfall rule", "record_delivery", set(delivered(json!([])), "rule", json!("lottery")), "validation", "rule"),
        bad!("a delivery for an open deal", "record_delivery", set(delivered(json!([])), "deal_id", json!(OPEN)), "conflict", "open"),
        bad!("previewing more than approved", "preview_delivery", delivered(json!([{"item": "model #5", "quantity": 4}])), "validation", "delivered[0].quantity"),
        bad!("previewing a draft's delivery", "preview_delivery", set(delivered(json!([])), "deal_id", json!(DRAFT)), "conflict", "draft"),
        bad!("a delivery for an unknown deal", "record_delivery", set(delivered(json!([])), "deal_id", json!(999)), "not_found", "deal with id 999"),
        bad!("cloning with an empty title", "clone_deal", json!({"deal_id": SETTLED, "title": " "}), "validation", "title"),
        bad!("cloning with an unparsable closes_at", "clone_deal", json!({"deal_id": SETTLED, "closes_at": "next month"}), "validation", "closes_at"),
        bad!("cloning with opens_at after closes_at", "clone_deal", json!({"deal_id": SETTLED, "opens_at": "2027-01-01T00:00:00Z"}), "validation", "opens_at"),
        bad!("cloning with another stock", "clone_deal", json!({"deal_id": SETTLED, "stock": 3}), "validation", "stock"),
        bad!("cloning an unknown deal", "clone_deal", json!({"deal_id": 999}), "not_found", "deal with id 999"),
        bad!("backup to an empty path", "backup", json!({"path": ""}), "validation", "path"),
        bad!("restore from nowhere", "restore", json!({"path": "/nonexistent/bookrun.bak"}), "validation", "path"),
    ]
}

#[test]
fn every_bad_input_is_refused_by_name_and_changes_nothing() {
    let mut db = seeded();
    let observer = Observer::new(&db.path_in("test.db")).unwrap();
    let table = catalogue();
    let mut failures = vec![];
    let mut names = std::collections::BTreeSet::new();
    for bad in &table {
        assert!(names.insert(bad.name), "two entries named {:?}", bad.name);
        let before = (observer.version(), db.dump());
        let got = db.call(bad.command, bad.args.clone());
        let after = (observer.version(), db.dump());
        let problem = match got {
            Ok(v) => Some(format!("accepted: {}", truncate(&v.to_string()))),
            Err(e) => {
                let msg = e.to_string();
                let named = if bad.code == "validation" {
                    msg.starts_with(&format!("{}: ", bad.names))
                } else {
                    msg.to_lowercase().contains(&bad.names.to_lowercase())
                };
                if e.code() != bad.code {
                    Some(format!(
                        "code {} (want {}): {}",
                        e.code(),
                        bad.code,
                        truncate(&msg)
                    ))
                } else if !named {
                    Some(format!(
                        "message does not name {:?}: {}",
                        bad.names,
                        truncate(&msg)
                    ))
                } else if before.0 != after.0 {
                    Some("refused, but a write was committed".into())
                } else if before.1 != after.1 {
                    Some("refused, but the database changed".into())
                } else {
                    None
                }
            }
        };
        if let Some(p) = problem {
            failures.push(format!("{:40} {} -> {p}", bad.name, bad.command));
        }
    }
    db.assert_invariants();
    let commands: std::collections::BTreeSet<&str> = table.iter().map(|b| b.command).collect();
    eprintln!(
        "catalogue: {} bad inputs over {} commands, {} failed",
        table.len(),
        commands.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert!(table.len() >= 50);
}

fn truncate(s: &str) -> String {
    s.chars().take(160).collect()
}

/// Issue 15: a command with several bad fields names them all at once, in
/// the order of its fields (the first is also `field`), and changes nothing.
#[test]
fn several_bad_fields_are_named_together() {
    let mut db = seeded();
    let mut args = deal();
    args["title"] = json!("  ");
    args["min_qty"] = json!(-3);
    args["payment"] = json!({"mode": "deposit"});
    args["items"][0]["base_price"] = json!("30000.001");
    let before = db.dump();
    let e = db.call("create_deal", args).unwrap_err();
    assert_eq!(db.dump(), before);
    let j = e.to_json();
    assert_eq!(j["error"]["code"], "validation");
    assert_eq!(j["error"]["field"], "title");
    let fields: Vec<&str> = j["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["title", "min_qty", "payment.percent", "items[0].base_price"]
    );
    assert_eq!(
        j["error"]["errors"][1]["message"], "must be at least 1",
        "the rule, not the type"
    );
    // With the items right, the tiers' bad fields are named too.
    let mut args = deal();
    args["title"] = json!("");
    args["tiers"] = json!([{"min_qty": 0, "prices": ["29500.00", "x"]}]);
    let e = db.call("update_deal", {
        let mut a = args.clone();
        a["deal_id"] = json!(DRAFT);
        a
    });
    let fields: Vec<String> = e
        .unwrap_err()
        .fields()
        .into_iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, ["title", "tiers[0].min_qty", "tiers[0].prices[1]"]);
    // One bad field is still one error, as before.
    let e = db
        .call("create_deal", set(deal(), "min_qty", json!(0)))
        .unwrap_err();
    assert_eq!(e.fields().len(), 1);
    assert_eq!(e.to_string(), "min_qty: must be at least 1");
}

/// The bad fields of a call, in the order the error names them.
fn bad_fields(db: &mut Db, command: &str, args: Value) -> Vec<String> {
    let before = db.dump();
    let e = db.call(command, args).unwrap_err();
    assert_eq!(db.dump(), before, "{command} changed the database");
    assert_eq!(e.code(), "validation");
    e.fields().into_iter().map(|f| f.field).collect()
}

/// Every command's request names all its bad fields at once, in the order
/// of its fields, with a field no command knows last; it named only the
/// first (the Book form showed one error, then the next after a fix).
#[test]
fn every_command_names_all_its_bad_fields() {
    let mut db = seeded();
    assert_eq!(
        bad_fields(
            &mut db,
            "book",
            json!({"deal_id": "one", "participant_id": ANN, "item": " ", "quantity": 0, "colour": "red"}),
        ),
        ["deal_id", "item", "quantity", "colour"]
    );
    assert_eq!(
        bad_fields(
            &mut db,
            "add_participant",
            json!({"name": "", "email": "not an address", "phone": 12}),
        ),
        ["name", "email", "phone"]
    );
    assert_eq!(
        bad_fields(
            &mut db,
            "record_payment",
            json!({"participant_id": "x", "currency": "USD", "amount": "1.001", "deal_id": "x"}),
        ),
        ["participant_id", "amount", "deal_id"]
    );
    // Without a currency, an amount cannot be read in its minor units: the
    // currency is named, the amount is not called unknown.
    assert_eq!(
        bad_fields(
            &mut db,
            "record_payout",
            json!({"participant_id": ANN, "currency": "dollars", "amount": "1.00"}),
        ),
        ["currency"]
    );
    // A good request with an unknown field: only that field.
    assert_eq!(
        bad_fields(
            &mut db,
            "get_deal",
            json!({"deal_id": OPEN, "verbose": true}),
        ),
        ["verbose"]
    );
}

/// A command whose reader stops at its first bad field (its later fields
/// depend on it) names that field, and never calls the fields it did not
/// read unknown (the bank import with a bad currency named `assign` as
/// "not a known field" beside it); the window's import and credit-limit
/// forms name all their bad fields.
#[test]
fn fields_a_reader_did_not_reach_are_not_called_unknown() {
    let mut db = seeded();
    assert_eq!(
        bad_fields(
            &mut db,
            "preview_delivery",
            json!({"deal_id": "x", "rule": "nonsense", "delivered": [{"item": "model #1", "quantity": -1}]}),
        ),
        ["deal_id"]
    );
    assert_eq!(
        bad_fields(
            &mut db,
            "preview_bank_import",
            json!({"currency": "EURO", "csv": "date,amount,reference\n", "assign": [], "skip": ["x"]}),
        ),
        ["currency", "skip[0]"]
    );
    assert_eq!(
        bad_fields(
            &mut db,
            "preview_signups",
            json!({"deal_id": "x", "csv": 4}),
        ),
        ["deal_id", "csv"]
    );
    assert_eq!(
        bad_fields(
            &mut db,
            "set_credit_limit",
            json!({"participant_id": "x", "currency": "dollars", "limit": "10.00"}),
        ),
        ["participant_id", "currency"]
    );
}
