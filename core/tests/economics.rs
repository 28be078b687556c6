//! SPEC sections 10 (wallet credit limits) and 11 (tier economics), to the
//! cent, through the public API: every path that approves a booking
//! respects the limit, settlement never refuses, `buy_more` and
//! `check_tiers` give the SPEC's examples exactly.

mod common;
use common::{kinds, Db};
use serde_json::{json, Value};

/// One item "Jar" at 64.00 EUR, auto approval, closing 2026-12-01.
fn jars(extra: Value) -> Value {
    let mut v = json!({
        "title": "Honey", "currency": "EUR", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "Jar", "base_price": "64.00"}],
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

fn limit(db: &mut Db, p: i64, amount: Value) -> Value {
    db.ok(
        "set_credit_limit",
        json!({"participant_id": p, "currency": "EUR", "limit": amount}),
    )
}

fn book_args(deal: i64, p: i64, qty: i64) -> Value {
    json!({"deal_id": deal, "participant_id": p, "item": "Jar", "quantity": qty})
}

#[test]
fn set_credit_limit_shows_on_the_participant_and_null_removes_it() {
    let mut db = Db::new();
    let ann = db.add("Ann");
    let p = limit(&mut db, ann, json!("100"));
    assert_eq!(p["credit_limits"], json!({"EUR": "100.00"}));
    db.ok(
        "set_credit_limit",
        json!({"participant_id": ann, "currency": "usd", "limit": "0"}),
    );
    let p = limit(&mut db, ann, json!("150.50"));
    assert_eq!(p["credit_limits"], json!({"EUR": "150.50", "USD": "0.00"}));
    let p = limit(&mut db, ann, Value::Null);
    assert_eq!(p["credit_limits"], json!({"USD": "0.00"}));
    let listed = db.ok("list_participants", json!({}));
    assert_eq!(listed[0]["credit_limits"], json!({"USD": "0.00"}));
}

#[test]
fn auto_booking_past_the_limit_is_refused_naming_the_amount_missing() {
    let mut db = Db::new();
    let deal = db.open(jars(json!({})));
    let ann = db.add("Ann");
    limit(&mut db, ann, json!("100.00"));
    db.book(deal, ann, "Jar", 1); // -64.00
    let msg = db.refused("policy", "book", book_args(deal, ann, 1));
    assert!(msg.contains("needs 28.00 EUR more on the wallet"), "{msg}");
    // The organizer reads who: the name, with the id for the command line.
    assert!(
        msg.starts_with(&format!("Ann (participant {ann}) needs")),
        "{msg}"
    );
    // Exactly -limit is allowed: with 128.00 the same booking passes.
    limit(&mut db, ann, json!("128.00"));
    let o = db.book(deal, ann, "Jar", 1);
    assert_eq!(o["booking"]["status"], "approved");
    assert_eq!(db.balance(ann, "EUR"), "-128.00");
    // Without a limit nothing changes.
    limit(&mut db, ann, Value::Null);
    db.book(deal, ann, "Jar", 3);
    assert_eq!(db.balance(ann, "EUR"), "-320.00");
    db.assert_invariants();
}

#[test]
fn a_zero_limit_means_pay_before_booking() {
    let mut db = Db::new();
    let deal = db.open(jars(json!({})));
    let bob = db.add("Bob");
    limit(&mut db, bob, json!("0.00"));
    let msg = db.refused("policy", "book", book_args(deal, bob, 2));
    assert!(msg.contains("needs 128.00 EUR more"), "{msg}");
    db.ok(
        "record_payment",
        json!({"participant_id": bob, "currency": "EUR", "amount": "128.00"}),
    );
    db.book(deal, bob, "Jar", 2);
    assert_eq!(db.balance(bob, "EUR"), "0.00");
}

#[test]
fn approve_booking_past_the_limit_leaves_it_pending() {
    let mut db = Db::new();
    let deal = db.open(jars(json!({"approval": "manual"})));
    let ann = db.add("Ann");
    limit(&mut db, ann, json!("100.00"));
    let o = db.book(deal, ann, "Jar", 2);
    assert_eq!(o["booking"]["status"], "pending");
    let id = o["booking"]["id"].clone();
    let msg = db.refused("policy", "approve_booking", json!({"booking_id": id}));
    assert!(msg.contains("needs 28.00 EUR more"), "{msg}");
    let b = db.ok("list_bookings", json!({"deal_id": deal}));
    assert_eq!(b[0]["status"], "pending");
    db.ok(
        "record_payment",
        json!({"participant_id": ann, "currency": "EUR", "amount": "28.00"}),
    );
    let o = db.ok("approve_booking", json!({"booking_id": id}));
    assert_eq!(o["booking"]["status"], "approved");
    assert_eq!(db.balance(ann, "EUR"), "-100.00");
}

#[test]
fn a_deposit_is_what_the_limit_is_checked_against_and_settlement_never_refuses() {
    let mut db = Db::new();
    let deal = db.open(jars(
        json!({"payment": {"mode": "deposit", "percent": "25"}}),
    ));
    let ann = db.add("Ann");
    limit(&mut db, ann, json!("32.00"));
    // Two jars: a deposit of 32.00, exactly the limit.
    db.book(deal, ann, "Jar", 2);
    assert_eq!(db.balance(ann, "EUR"), "-32.00");
    let msg = db.refused("policy", "book", book_args(deal, ann, 1));
    assert!(msg.contains("needs 16.00 EUR more"), "{msg}");
    // The remainder at the end takes the wallet past its limit: the deal is binding.
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["outcome"], "settled");
    assert_eq!(s["lines"][0]["due"], "96.00");
    assert_eq!(db.balance(ann, "EUR"), "-128.00");
    db.assert_invariants();
}

#[test]
fn the_sign_up_import_respects_the_limit_row_by_row() {
    let mut db = Db::new();
    let deal = db.open(jars(json!({})));
    let ann = db.ok(
        "add_participant",
        json!({"name": "Ann", "email": "ann@example.com"}),
    )["id"]
        .as_i64()
        .unwrap();
    limit(&mut db, ann, json!("100.00"));
    let csv = "name,email,item,quantity\nAnn,ann@example.com,Jar,1\nAnn,ann@example.com,Jar,1\n";
    let p = db.ok("preview_signups", json!({"deal_id": deal, "csv": csv}));
    let rows = p["rows"].as_array().unwrap();
    assert!(rows[0].get("error").is_none_or(Value::is_null), "{p}");
    let err = rows[1]["error"].to_string();
    assert!(err.contains("needs 28.00 EUR more"), "{p}");
    db.refused(
        "validation",
        "import_signups",
        json!({"deal_id": deal, "csv": csv}),
    );
}

#[test]
fn a_waitlisted_booking_past_its_limit_moves_up_as_pending() {
    let mut db = Db::new();
    let deal = db.open(jars(json!({"stock": 2})));
    let (ann, bob, cat) = (db.add("Ann"), db.add("Bob"), db.add("Cat"));
    let first = db.book(deal, ann, "Jar", 2);
    let waiting = db.book(deal, bob, "Jar", 1);
    assert_eq!(waiting["booking"]["status"], "waitlisted");
    let behind = db.book(deal, cat, "Jar", 1);
    assert_eq!(behind["booking"]["status"], "waitlisted");
    limit(&mut db, bob, json!("10.00"));
    let o = db.ok(
        "cancel_booking",
        json!({"booking_id": first["booking"]["id"]}),
    );
    assert!(kinds(&o).contains(&"waitlist_promoted".to_string()), "{o}");
    let promoted = o["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "waitlist_promoted")
        .unwrap();
    assert!(
        promoted["message"]
            .as_str()
            .unwrap()
            .contains("needs 54.00 EUR more"),
        "{promoted}"
    );
    let b = db.ok("list_bookings", json!({"deal_id": deal}));
    // Bob keeps his place, pending the organizer; Cat is promoted too (the
    // stock of 2 holds both), in order, and approved.
    assert_eq!(b[1]["status"], "pending");
    assert_eq!(b[2]["status"], "approved");
    assert_eq!(db.balance(bob, "EUR"), "0.00");
    db.assert_invariants();
}

/// SPEC section 11's book deal: one item at 10.00, a tier at 10 for 8.00,
/// and the merchant's box of 10 at 80.00.
fn books() -> Value {
    json!({
        "title": "Books", "currency": "EUR", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "Book", "base_price": "10.00",
                   "cost": {"unit": "10.00", "packs": [{"size": 10, "price": "80.00"}]}}],
        "tiers": [{"min_qty": 10, "prices": ["8.00"]}],
    })
}

#[test]
fn buy_more_spec_example() {
    let mut db = Db::new();
    let id = db.ok("create_deal", books())["id"].clone();
    let d = db.ok("get_deal", json!({"deal_id": id}));
    assert_eq!(d["buy_more"], Value::Null, "a draft proposes nothing");
    assert_eq!(
        d["items"][0]["cost"],
        json!({"unit": "10.00", "packs": [{"size": 10, "price": "80.00"}]})
    );
    db.ok("open_deal", json!({"deal_id": id}));
    let deal = id.as_i64().unwrap();
    let ann = db.add("Ann");
    let o = db.book(deal, ann, "Book", 9);
    assert_eq!(
        o["deal"]["buy_more"],
        json!({"item": "Book", "units": 1, "level": 1, "total_now": "90.00",
               "total_after": "80.00", "saving": "10.00"})
    );
    let share = db.ok("share_text", json!({"deal_id": deal}));
    assert!(
        share["text"].as_str().unwrap().contains(
            "Buying 1 more Book brings the group's total down from 90.00 EUR to 80.00 EUR: 10.00 EUR less"
        ),
        "{share}"
    );
    let listed = db.ok("list_deals", json!({"status": "open"}));
    assert_eq!(listed[0]["buy_more"]["saving"], "10.00");
    let o = db.book(deal, ann, "Book", 1);
    assert_eq!(o["deal"]["buy_more"], Value::Null, "the top level");
}

#[test]
fn buy_more_proposes_the_cheapest_item_and_only_when_it_saves() {
    let mut db = Db::new();
    let deal = db.open(json!({
        "title": "Two", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "A", "base_price": "100.00"}, {"name": "B", "base_price": "20.00"}],
        "tiers": [{"min_qty": 10, "prices": ["80.00", "19.00"]}],
    }));
    let p = db.add("P");
    db.book(deal, p, "A", 6);
    let o = db.book(deal, p, "B", 2);
    // now 6 x 100 + 2 x 20 = 640.00; 2 more A: 8 x 80 + 2 x 19 = 678.00;
    // 2 more B: 6 x 80 + 4 x 19 = 556.00.
    assert_eq!(
        o["deal"]["buy_more"],
        json!({"item": "B", "units": 2, "level": 1, "total_now": "640.00",
               "total_after": "556.00", "saving": "84.00"})
    );
    let deal2 = db.open(json!({
        "title": "No", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "A", "base_price": "100.00"}],
        "tiers": [{"min_qty": 10, "prices": ["99.00"]}],
    }));
    let o = db.book(deal2, p, "A", 5);
    assert_eq!(
        o["deal"]["buy_more"],
        Value::Null,
        "5 more cost more than they save"
    );
}

#[test]
fn check_tiers_spec_example() {
    let mut db = Db::new();
    let deal = db.open(books());
    let r = db.ok("check_tiers", json!({"deal_id": deal}));
    assert_eq!(r["up_to"], 20);
    assert_eq!(
        r["items"][0]["losses"],
        json!([{"from": 11, "to": 19, "worst": {"quantity": 18, "revenue": "144.00",
                 "cost": "160.00", "margin": "-16.00"}}])
    );
    // Further up, 21 to 29 lose too (two boxes and singles, at 8.00).
    let r = db.ok("check_tiers", json!({"deal_id": deal, "up_to": 30}));
    assert_eq!(r["items"][0]["losses"][1]["from"], 21);
    assert_eq!(r["items"][0]["losses"][1]["to"], 29);
    // The margin now: 12 books sold at 8.00 = 96.00 against a box and 2 singles.
    let ann = db.add("Ann");
    db.book(deal, ann, "Book", 12);
    let r = db.ok("check_tiers", json!({"deal_id": deal}));
    assert_eq!(
        r["items"][0]["current"],
        json!({"quantity": 12, "revenue": "96.00", "cost": "100.00", "margin": "-4.00"})
    );
    assert_eq!(r["margin_now"]["margin"], "-4.00");
    assert_eq!(r["margin_now"]["complete"], true);
}

#[test]
fn check_tiers_reads_terms_being_edited_without_writing() {
    let mut db = Db::new();
    let before = db.dump();
    let r = db.ok("check_tiers", json!({"terms": books()}));
    assert_eq!(r["items"][0]["losses"][0]["worst"]["quantity"], 18);
    assert_eq!(r["deal_id"], Value::Null);
    assert_eq!(db.dump(), before);
    // An item without a cost is not checked.
    let mut t = books();
    t["items"][0].as_object_mut().unwrap().remove("cost");
    let r = db.ok("check_tiers", json!({"terms": t}));
    assert_eq!(r["items"], json!([]));
    assert_eq!(r["margin_now"], Value::Null);
}

#[test]
fn a_cost_is_a_term_only_a_draft_may_change() {
    let mut db = Db::new();
    let deal = db.open(books());
    let mut items = books()["items"].clone();
    items[0]["cost"]["unit"] = json!("9.00");
    let msg = db.refused(
        "conflict",
        "update_deal",
        json!({"deal_id": deal, "items": items}),
    );
    assert!(msg.contains("items cannot change"), "{msg}");
    // The open deal's title still changes, and its approved totals stay.
    let ann = db.add("Ann");
    db.book(deal, ann, "Book", 9);
    db.ok("update_deal", json!({"deal_id": deal, "title": "Books!"}));
    let d = db.ok("get_deal", json!({"deal_id": deal}));
    assert_eq!(d["buy_more"]["total_now"], "90.00");
    db.assert_invariants();
}

#[test]
fn bad_credit_limits_and_costs_are_refused_naming_the_field() {
    let mut db = Db::new();
    let ann = db.add("Ann");
    let cases = [
        (
            json!({"participant_id": ann, "currency": "EUR", "limit": "-5.00"}),
            "limit",
        ),
        (
            json!({"participant_id": ann, "currency": "EUR", "limit": "1.005"}),
            "limit",
        ),
        (
            json!({"participant_id": ann, "currency": "EUR", "limit": 5}),
            "limit",
        ),
        (json!({"participant_id": ann, "currency": "EUR"}), "limit"),
        (
            json!({"participant_id": ann, "currency": "EURO", "limit": "5"}),
            "currency",
        ),
    ];
    for (args, field) in cases {
        let before = db.dump();
        let e = db.call("set_credit_limit", args.clone()).unwrap_err();
        assert_eq!(e.code(), "validation", "{args}");
        assert!(
            e.to_string().starts_with(&format!("{field}:")),
            "{args}: {e}"
        );
        assert_eq!(db.dump(), before);
    }
    db.refused(
        "not_found",
        "set_credit_limit",
        json!({"participant_id": 99, "currency": "EUR", "limit": "5"}),
    );
    let cost = |c: Value| {
        let mut d = books();
        d["items"][0]["cost"] = c;
        d
    };
    let cases = [
        (
            cost(json!({"packs": [{"size": 1, "price": "5.00"}]})),
            "items[0].cost.packs[0].size",
        ),
        (
            cost(json!({"packs": [{"size": 0, "price": "5.00"}]})),
            "items[0].cost.packs[0].size",
        ),
        (
            cost(json!({"packs": [{"size": 3, "price": "0.00"}]})),
            "items[0].cost.packs[0].price",
        ),
        (cost(json!({"unit": "0"})), "items[0].cost.unit"),
        (cost(json!({"unit": "1.001"})), "items[0].cost.unit"),
        (cost(json!({})), "items[0].cost"),
        (cost(json!({"packs": []})), "items[0].cost"),
        (
            cost(json!({"packs": [{"size": 3, "price": "5"}, {"size": 3, "price": "4"}]})),
            "items[0].cost.packs[1].size",
        ),
        (cost(json!({"unit": "1", "box": 3})), "items[0].cost.box"),
        (cost(json!("10.00")), "items[0].cost"),
    ];
    for (args, field) in cases {
        let before = db.dump();
        let e = db.call("create_deal", args.clone()).unwrap_err();
        assert_eq!(e.code(), "validation", "{args}");
        assert!(
            e.to_string().starts_with(&format!("{field}:")),
            "{args}: {e}"
        );
        assert_eq!(db.dump(), before);
    }
    let deal = db.open(books());
    for (args, field) in [
        (json!({"deal_id": deal, "up_to": 100_001}), "up_to"),
        (json!({"deal_id": deal, "up_to": 0}), "up_to"),
        (json!({}), "deal_id"),
        (json!({"deal_id": deal, "terms": books()}), "terms"),
        (json!({"terms": {"title": "x"}}), "terms.currency"),
    ] {
        let e = db.call("check_tiers", args.clone()).unwrap_err();
        assert_eq!(e.code(), "validation", "{args}");
        assert!(
            e.to_string().starts_with(&format!("{field}:")),
            "{args}: {e}"
        );
    }
}

/// Issue 15: amounts as people write them are read exactly, in every
/// command that takes money.
#[test]
fn amounts_with_digit_groups_are_read_exactly() {
    let mut db = Db::new();
    let ann = db.add("Ann");
    let e = db.ok(
        "record_payment",
        json!({"participant_id": ann, "currency": "USD", "amount": "1,000.00"}),
    );
    assert_eq!(e["amount"], "1000.00");
    db.ok(
        "record_payment",
        json!({"participant_id": ann, "currency": "EUR", "amount": "1 234,50"}),
    );
    assert_eq!(db.balance(ann, "EUR"), "1234.50");
    let d = db.ok(
        "create_deal",
        json!({"title": "Cars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
               "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
               "items": [{"name": "model #1", "base_price": "30,000.00"}],
               "tiers": [{"min_qty": 4, "prices": ["29 500.00"]}]}),
    );
    assert_eq!(d["items"][0]["base_price"], "30000.00");
    assert_eq!(d["tiers"][0]["prices"][0], "29500.00");
    let msg = db.refused(
        "validation",
        "record_payment",
        json!({"participant_id": ann, "currency": "USD", "amount": "1,000"}),
    );
    assert!(msg.contains("ambiguous"), "{msg}");
}
