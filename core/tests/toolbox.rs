//! The organizer's toolbox (issue 6): the waitlist, pickup tracking, who
//! owes what, share text, sign-up and bank statement imports, and exports.
//! Amounts are checked to the cent; refusals change nothing (`Db::refused`).

mod common;
use common::{cars, kinds, Db};
use serde_json::{json, Value};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

fn booking_id(outcome: &Value) -> i64 {
    outcome["booking"]["id"].as_i64().unwrap()
}

fn statuses(db: &mut Db, deal: i64) -> Vec<String> {
    db.ok("list_bookings", json!({ "deal_id": deal }))
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["status"].as_str().unwrap().to_string())
        .collect()
}

/// "Cars" with a stock of 4 (the tier threshold), full payment, auto.
fn capped_cars(db: &mut Db) -> i64 {
    let mut args = cars(json!({"mode": "full"}));
    args["stock"] = json!(4);
    db.open(args)
}

// ---------------------------------------------------------------------------
// Waitlist
// ---------------------------------------------------------------------------

#[test]
fn a_cancellation_promotes_the_first_waiting_booking_in_auto_mode() {
    let mut db = Db::new();
    let deal = capped_cars(&mut db);
    let p: Vec<i64> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|n| db.add(n))
        .collect();
    let a = booking_id(&db.book(deal, p[0], "model #1", 1));
    let b = booking_id(&db.book(deal, p[1], "model #5", 1));
    for &q in &p[2..4] {
        db.book(deal, q, "model #5", 1);
    }
    // Level 1 at 4 = stock. E (2) and F (1) wait, in that order.
    let e = db.book(deal, p[4], "model #5", 2);
    assert_eq!(e["booking"]["status"], "waitlisted");
    let f = db.book(deal, p[5], "model #5", 1);
    assert_eq!(f["booking"]["status"], "waitlisted");
    assert_eq!(
        statuses(&mut db, deal),
        [
            "approved",
            "approved",
            "approved",
            "approved",
            "waitlisted",
            "waitlisted"
        ]
    );
    // A cancels 1: E needs 2, so nobody moves (F does not overtake E); the
    // level steps down 1 -> 0 and A gets one penalty.
    let o = db.ok("cancel_booking", json!({"booking_id": a}));
    assert_eq!(kinds(&o), ["tier_stepped_down"]);
    assert_eq!(db.balance(p[0], "USD"), "0.00");
    assert_eq!(db.balance(p[4], "USD"), "0.00");
    assert_eq!(
        db.ok("reputation", json!({"participant_id": p[0]}))["score"],
        -1
    );
    // B cancels 1: 2 free, E moves up and is approved and charged at the
    // base price; the level is back to 1 (0 -> 1), so B is not penalised.
    let o = db.ok("cancel_booking", json!({"booking_id": b}));
    assert_eq!(kinds(&o), ["waitlist_promoted", "tier_reached"]);
    assert_eq!(o["events"][0]["booking_id"], booking_id(&e));
    assert_eq!(o["deal"]["approved_qty"], 4);
    assert_eq!(o["deal"]["level"], 1);
    assert_eq!(db.balance(p[4], "USD"), "-50000.00");
    assert_eq!(db.balance(p[5], "USD"), "0.00");
    let rep = db.ok("reputation", json!({"participant_id": p[1]}));
    assert_eq!(rep["score"], 0);
    // The promotion is in the notification history, with its message.
    let n = db.ok("notifications", json!({"limit": 2}));
    assert_eq!(n[0]["kind"], "tier_reached");
    assert_eq!(n[1]["kind"], "waitlist_promoted");
    assert_eq!(n[1]["title"], "Off the waitlist");
    let msg = n[1]["message"].as_str().unwrap();
    assert!(msg.contains("E (2 x model #5)"), "{msg}");
    assert!(msg.contains("approved"), "{msg}");
    // Settlement at level 1: E is refunded 2 x 200.00; F expires unpaid.
    db.ok("end_deal", json!({ "deal_id": deal }));
    assert_eq!(db.balance(p[4], "USD"), "-49600.00");
    assert_eq!(db.balance(p[5], "USD"), "0.00");
    assert_eq!(
        statuses(&mut db, deal),
        [
            "cancelled",
            "cancelled",
            "approved",
            "approved",
            "approved",
            "expired"
        ]
    );
    db.assert_invariants();
}

#[test]
fn a_waiting_booking_can_be_cancelled_and_the_next_one_moves_up_if_it_fits() {
    let mut db = Db::new();
    let deal = capped_cars(&mut db);
    let (a, b, c) = (db.add("A"), db.add("B"), db.add("C"));
    db.book(deal, a, "model #5", 3);
    let wb = booking_id(&db.book(deal, b, "model #5", 2));
    let wc = db.book(deal, c, "model #1", 1);
    assert_eq!(wc["booking"]["status"], "waitlisted");
    // B gives up: C (1) fits the last unit and is approved at once; the
    // deal reaches tier 1. B is not penalised (nothing was approved).
    let o = db.ok("cancel_booking", json!({"booking_id": wb}));
    assert_eq!(kinds(&o), ["waitlist_promoted", "tier_reached"]);
    assert_eq!(o["booking"]["status"], "cancelled");
    assert_eq!(o["booking"]["charged"], "0.00");
    assert_eq!(db.balance(c, "USD"), "-30000.00");
    assert_eq!(
        db.ok("reputation", json!({"participant_id": b}))["score"],
        0
    );
    db.refused("conflict", "cancel_booking", json!({"booking_id": wb}));
    db.assert_invariants();
}

#[test]
fn cancelling_a_deal_cancels_its_waitlist_and_list_bookings_filters_it() {
    let mut db = Db::new();
    let deal = capped_cars(&mut db);
    let (a, b) = (db.add("A"), db.add("B"));
    db.book(deal, a, "model #5", 4);
    db.book(deal, b, "model #5", 1);
    let w = db.ok(
        "list_bookings",
        json!({"deal_id": deal, "status": "waitlisted"}),
    );
    assert_eq!(w.as_array().unwrap().len(), 1);
    assert_eq!(w[0]["participant_id"], b);
    db.ok("cancel_deal", json!({ "deal_id": deal }));
    assert_eq!(statuses(&mut db, deal), ["cancelled", "cancelled"]);
    db.assert_invariants();
}
