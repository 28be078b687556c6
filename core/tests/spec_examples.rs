//! SPEC section 9's worked examples, to the cent, through the public API.

mod common;
use common::{cars, delivery_lines, kinds, Db};
use serde_json::json;

/// Example 1's four participants with their bookings approved; returns
/// (deal, [A, B, C, D], [booking ids]).
fn four_bookings(db: &mut Db, payment: serde_json::Value) -> (i64, Vec<i64>, Vec<i64>) {
    let deal = db.open(cars(payment));
    let people: Vec<i64> = ["A", "B", "C", "D"].iter().map(|n| db.add(n)).collect();
    let mut bookings = vec![];
    let first = db.book(deal, people[0], "model #1", 1);
    assert_eq!(kinds(&first), Vec::<String>::new());
    assert_eq!(first["deal"]["level"], -1);
    bookings.push(first["booking"]["id"].as_i64().unwrap());
    let mut levels = vec![];
    let mut events = vec![];
    for &p in &people[1..] {
        let o = db.book(deal, p, "model #5", 1);
        assert_eq!(o["booking"]["status"], "approved");
        levels.push(o["deal"]["level"].as_i64().unwrap());
        events.push(kinds(&o));
        bookings.push(o["booking"]["id"].as_i64().unwrap());
    }
    assert_eq!(levels, [-1, 0, 1]);
    assert_eq!(
        events,
        [
            vec![],
            vec!["minimum_reached".to_string()],
            vec!["tier_reached".to_string()]
        ]
    );
    (deal, people, bookings)
}

#[test]
fn example_1_full_payment() {
    let mut db = Db::new();
    let (deal, p, _) = four_bookings(&mut db, json!({"mode": "full"}));
    let st = db.ok(
        "statement",
        json!({"participant_id": p[0], "currency": "USD"}),
    );
    assert_eq!(st["entries"][0]["kind"], "purchase");
    assert_eq!(st["entries"][0]["amount"], "30000.00");
    assert_eq!(st["entries"][0]["signed_amount"], "-30000.00");
    assert_eq!(st["balance"], "-30000.00");
    for &x in &p[1..] {
        let st = db.ok("statement", json!({"participant_id": x, "currency": "USD"}));
        assert_eq!(st["entries"][0]["kind"], "purchase");
        assert_eq!(st["entries"][0]["amount"], "25000.00");
        assert_eq!(st["balance"], "-25000.00");
    }
    let d = db.ok("get_deal", json!({"deal_id": deal}));
    assert_eq!(d["current_prices"], json!(["29500.00", "24800.00"]));
    assert_eq!(d["next_tier"], json!(null));
    db.ok(
        "record_payment",
        json!({"participant_id": p[0], "currency": "USD", "amount": "30000.00"}),
    );
    assert_eq!(db.balance(p[0], "USD"), "0.00");

    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["outcome"], "settled");
    assert_eq!(s["level"], 1);
    assert_eq!(s["lines"][0]["refund"], "500.00");
    assert_eq!(s["lines"][0]["final_unit_price"], "29500.00");
    assert_eq!(s["lines"][0]["final_total"], "29500.00");
    assert_eq!(s["lines"][0]["charged_before"], "30000.00");
    assert_eq!(s["lines"][1]["refund"], "200.00");
    assert_eq!(s["lines"][1]["due"], "0.00");
    assert_eq!(s["entries"].as_array().unwrap().len(), 4);
    assert_eq!(db.balance(p[0], "USD"), "500.00");
    for &x in &p[1..] {
        assert_eq!(db.balance(x, "USD"), "-24800.00");
    }
    let refund = &db.ok(
        "statement",
        json!({"participant_id": p[0], "currency": "USD"}),
    )["entries"][2];
    assert_eq!(
        (refund["kind"].as_str(), refund["amount"].as_str()),
        (Some("refund"), Some("500.00"))
    );
    assert_eq!(refund["balance_after"], "500.00");
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": deal}))["status"],
        "settled"
    );
    let rep = db.ok("reputation", json!({"participant_id": p[1]}));
    assert_eq!(rep["score"], 1);
    assert_eq!(rep["events"][0]["kind"], "completed");
    let notes = db.ok("notifications", json!({}));
    assert_eq!(notes[0]["kind"], "deal_settled");

    // Ending it again changes nothing and reports the settlement made.
    let before = db.dump();
    let again = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(db.dump(), before);
    assert_eq!(
        again, s,
        "a second end_deal reports the settlement made, event included"
    );
    // A preview of an ended deal shows the same lines, and writes nothing.
    let preview = db.ok("preview_settlement", json!({"deal_id": deal}));
    assert_eq!(preview["lines"], s["lines"]);
    assert_eq!(preview["entries"], json!([]));
    assert_eq!(db.dump(), before);
    // A page of the lines: the totals and the count still cover them all.
    let page = db.ok(
        "preview_settlement",
        json!({"deal_id": deal, "offset": 1, "limit": 2}),
    );
    assert_eq!(page["lines"], json!(s["lines"].as_array().unwrap()[1..3]));
    assert_eq!(
        (&page["line_count"], &s["line_count"]),
        (&json!(4), &json!(4))
    );
    assert_eq!(page["totals"], s["totals"]);
    // An ended deal refuses any change for its state, even an invalid one.
    db.refused(
        "conflict",
        "update_deal",
        json!({"deal_id": deal, "min_qty": 0}),
    );
    db.assert_invariants();
}

#[test]
fn example_2_deposit_ten_percent() {
    let mut db = Db::new();
    let (deal, p, _) = four_bookings(&mut db, json!({"mode": "deposit", "percent": "10"}));
    let st = db.ok(
        "statement",
        json!({"participant_id": p[0], "currency": "USD"}),
    );
    assert_eq!(st["entries"][0]["amount"], "3000.00");
    assert_eq!(db.balance(p[1], "USD"), "-2500.00");
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["lines"][0]["due"], "26500.00");
    assert_eq!(s["lines"][0]["refund"], "0.00");
    let st = db.ok(
        "statement",
        json!({"participant_id": p[0], "currency": "USD"}),
    );
    assert_eq!(st["entries"][1]["kind"], "purchase");
    assert_eq!(st["entries"][1]["amount"], "26500.00");
    assert_eq!(st["balance"], "-29500.00");
    assert_eq!(db.balance(p[1], "USD"), "-24800.00");
    let b = db.ok("list_bookings", json!({"deal_id": deal}));
    assert_eq!(b[0]["charged"], "29500.00");
    db.assert_invariants();
}

#[test]
fn example_3_cancellation_steps_down() {
    let mut db = Db::new();
    let (deal, p, bookings) = four_bookings(&mut db, json!({"mode": "full"}));
    let preview = db.ok("preview_settlement", json!({"deal_id": deal}));
    assert_eq!(preview["level"], 1);
    let o = db.ok("cancel_booking", json!({"booking_id": bookings[3]}));
    assert_eq!(kinds(&o), ["tier_stepped_down"]);
    assert_eq!(
        (
            o["events"][0]["from_level"].as_i64(),
            o["events"][0]["to_level"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(o["deal"]["level"], 0);
    assert_eq!(o["booking"]["status"], "cancelled");
    let st = db.ok(
        "statement",
        json!({"participant_id": p[3], "currency": "USD"}),
    );
    assert_eq!(st["entries"][1]["kind"], "refund");
    assert_eq!(st["entries"][1]["amount"], "25000.00");
    assert_eq!(st["balance"], "0.00");
    let rep = db.ok("reputation", json!({"participant_id": p[3]}));
    assert_eq!(rep["score"], -1);
    assert_eq!(rep["events"].as_array().unwrap().len(), 1);
    assert_eq!(rep["events"][0]["kind"], "tier_step_down");

    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["outcome"], "settled");
    assert_eq!(s["level"], 0);
    assert!(
        s["entries"].as_array().unwrap().is_empty(),
        "no refunds at level 0"
    );
    assert_eq!(db.balance(p[0], "USD"), "-30000.00");
    // D took part in no settled booking: no completed event.
    assert_eq!(
        db.ok("reputation", json!({"participant_id": p[3]}))["score"],
        -1
    );
    db.assert_invariants();
}

#[test]
fn example_4_failed_deal_refunds_everything() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let a = db.add("A");
    let b = db.add("B");
    db.ok(
        "record_payment",
        json!({"participant_id": a, "currency": "USD", "amount": "100.00"}),
    );
    let before = [db.balance(a, "USD"), db.balance(b, "USD")];
    db.book(deal, a, "model #1", 1);
    db.book(deal, b, "model #5", 1);
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["outcome"], "failed");
    assert_eq!(s["lines"][0]["refund"], "30000.00");
    assert_eq!(s["lines"][0]["final_unit_price"], json!(null));
    assert_eq!(s["lines"][0]["final_total"], "0.00");
    assert_eq!(s["lines"][1]["refund"], "25000.00");
    assert_eq!([db.balance(a, "USD"), db.balance(b, "USD")], before);
    let d = db.ok("get_deal", json!({"deal_id": deal}));
    assert_eq!(d["status"], "failed");
    let bk = db.ok("list_bookings", json!({"deal_id": deal}));
    assert_eq!(
        bk[0]["status"], "approved",
        "approved bookings stay approved when a deal fails"
    );
    assert_eq!(
        db.ok("notifications", json!({"limit": 1}))[0]["kind"],
        "deal_failed"
    );
    assert_eq!(
        db.ok("reputation", json!({"participant_id": a}))["score"],
        0
    );
    db.assert_invariants();
}

#[test]
fn example_5_deposit_rounding() {
    let mut db = Db::new();
    let deal = db.open(json!({
        "title": "Pens", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z", "min_qty": 1,
        "payment": {"mode": "deposit", "percent": "12.5"}, "approval": "auto",
        "items": [{"name": "pen", "base_price": "0.99"}], "tiers": []
    }));
    let a = db.add("A");
    let o = db.book(deal, a, "pen", 3);
    assert_eq!(o["booking"]["charged"], "0.37");
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["lines"][0]["due"], "2.60");
    assert_eq!(s["lines"][0]["final_total"], "2.97");
    assert_eq!(db.balance(a, "USD"), "-2.97");
    db.assert_invariants();
}

#[test]
fn overdue_deal_settles_before_the_next_command() {
    let mut db = Db::new();
    let (deal, p, _) = four_bookings(&mut db, json!({"mode": "full"}));
    db.set_now("2026-12-01T00:00:00Z");
    // Any command, even a refused one, first settles the overdue deal.
    db.call("get_deal", json!({"deal_id": 999})).unwrap_err();
    assert_eq!(db.balance(p[0], "USD"), "-29500.00");
    assert_eq!(
        db.ok("get_deal", json!({"deal_id": deal}))["status"],
        "settled"
    );
    db.assert_invariants();
}

/// SPEC section 12's example: bookings of 5, 3 and 2 jars (in that order)
/// at a final price of 3.50 (tier 1 at 10 units), 7 delivered. Returns the
/// database, the deal, the three bookings and their participants.
fn jars_settled() -> (Db, i64, Vec<i64>, Vec<i64>) {
    let mut db = Db::new();
    let deal = db.open(json!({
        "title": "Jars", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": {"mode": "full"}, "approval": "auto",
        "items": [{"name": "jar", "base_price": "4.00"}],
        "tiers": [{"min_qty": 10, "prices": ["3.50"]}]
    }));
    let people: Vec<i64> = ["A", "B", "C"].iter().map(|n| db.add(n)).collect();
    let bookings: Vec<i64> = people
        .iter()
        .zip([5, 3, 2])
        .map(|(&p, q)| {
            db.book(deal, p, "jar", q)["booking"]["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    assert_eq!(s["level"], 1);
    // Settlement refunded 0.50 a jar: balances -17.50, -10.50, -7.00.
    let balances: Vec<String> = people.iter().map(|&p| db.balance(p, "USD")).collect();
    assert_eq!(balances, ["-17.50", "-10.50", "-7.00"]);
    (db, deal, bookings, people)
}

#[test]
fn section_12_delivery_by_booking_order() {
    let (mut db, deal, b, p) = jars_settled();
    let args = json!({"deal_id": deal, "delivered": [{"item": "jar", "quantity": 7}]});
    let preview = db.ok("preview_delivery", args.clone());
    let r = db.ok("record_delivery", args);
    assert_eq!(r["rule"], "booking_order");
    assert_eq!(
        delivery_lines(&r),
        [
            (b[1], 2, 1, "3.50".into(), json!("3.50")),
            (b[2], 0, 2, "7.00".into(), json!("7.00")),
        ]
    );
    // The preview foresaw the same lines, without entries.
    assert_eq!(preview["lines"].as_array().unwrap().len(), 2);
    for (pl, rl) in preview["lines"]
        .as_array()
        .unwrap()
        .iter()
        .zip(r["lines"].as_array().unwrap())
    {
        assert_eq!(pl["entry"], json!(null));
        for k in ["booking_id", "kept", "lost", "refund", "final_unit_price"] {
            assert_eq!(pl[k], rl[k], "{k}");
        }
    }
    assert_eq!(preview["totals"], r["totals"]);
    assert_eq!(r["totals"]["missing"], 3);
    assert_eq!(r["totals"]["refund"], "10.50");
    assert_eq!(r["items"][0]["missing"], 3);
    assert_eq!(r["lines"][0]["entry"]["kind"], "refund");
    assert_eq!(r["lines"][0]["entry"]["memo"], "not delivered: 1 of 3 jar");
    let balances: Vec<String> = p.iter().map(|&x| db.balance(x, "USD")).collect();
    assert_eq!(balances, ["-17.50", "-7.00", "0.00"]);
    assert_eq!(db.delivered(deal), [json!(5), json!(2), json!(0)]);
    // The level and prices did not change.
    let d = db.ok("get_deal", json!({"deal_id": deal}));
    assert_eq!(
        (d["level"].clone(), d["current_prices"].clone()),
        (json!(1), json!(["3.50"]))
    );
    // The notification names the units missing and the bookings refunded.
    let n = &db.ok("notifications", json!({"limit": 1}))[0];
    assert_eq!(n["kind"], "delivery_short");
    assert_eq!(
        (n["from_level"].clone(), n["to_level"].clone()),
        (json!(1), json!(1))
    );
    let m = n["message"].as_str().unwrap();
    assert!(
        m.contains("3 units short") && m.contains("jar 7 of 10 delivered"),
        "{m}"
    );
    assert!(
        m.contains(&format!("booking {} (1 unit)", b[1]))
            && m.contains(&format!("booking {} (2 units)", b[2])),
        "{m}"
    );
    db.assert_invariants();
}

#[test]
fn section_12_delivery_proportional() {
    let (mut db, deal, b, p) = jars_settled();
    let r = db.ok(
        "record_delivery",
        json!({"deal_id": deal, "delivered": [{"item": "jar", "quantity": 7}], "rule": "proportional"}),
    );
    assert_eq!(
        delivery_lines(&r),
        [
            (b[0], 4, 1, "3.50".into(), json!("3.50")),
            (b[1], 2, 1, "3.50".into(), json!("3.50")),
            (b[2], 1, 1, "3.50".into(), json!("3.50")),
        ]
    );
    let balances: Vec<String> = p.iter().map(|&x| db.balance(x, "USD")).collect();
    assert_eq!(balances, ["-14.00", "-7.00", "-3.50"]);
    db.assert_invariants();
}
