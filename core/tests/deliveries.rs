//! Deliveries and shortfalls (SPEC section 12) and repeating a deal
//! (section 13): the states a delivery needs, what it leaves in reports and
//! settlement reports, the shortfall property over random bookings, and
//! `clone_deal`.

mod common;

use common::{cars, Db};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Cars settled at tier 1 (1 model #1, 4 model #5: final prices 29500.00
/// and 24800.00), with a commission and pickup points. Returns (deal,
/// participants, bookings).
fn settled_cars(db: &mut Db) -> (i64, Vec<i64>, Vec<i64>) {
    let mut args = cars(json!({"mode": "full"}));
    args["commission_percent"] = json!("5");
    args["pickup_points"] = json!(["Depot"]);
    let deal = db.open(args);
    let people: Vec<i64> = ["Ann", "Ben", "Cid"].iter().map(|n| db.add(n)).collect();
    let mut bookings = vec![db.book(deal, people[0], "model #1", 1)["booking"]["id"]
        .as_i64()
        .unwrap()];
    for (p, q) in [(people[1], 3), (people[2], 1)] {
        bookings.push(
            db.book(deal, p, "model #5", q)["booking"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(db.ok("end_deal", json!({"deal_id": deal}))["level"], 1);
    (deal, people, bookings)
}

fn deliver(deal: i64, item: &str, quantity: i64) -> Value {
    json!({"deal_id": deal, "delivered": [{"item": item, "quantity": quantity}]})
}

#[test]
fn only_a_settled_deal_takes_a_delivery_and_only_once() {
    let mut db = Db::new();
    let draft = db.ok("create_deal", cars(json!({"mode": "full"})))["id"]
        .as_i64()
        .unwrap();
    let open = db.open(cars(json!({"mode": "full"})));
    let failed = db.open(cars(json!({"mode": "full"})));
    let cancelled = db.open(cars(json!({"mode": "full"})));
    let a = db.add("A");
    db.book(failed, a, "model #1", 1);
    db.book(cancelled, a, "model #1", 1);
    assert_eq!(
        db.ok("end_deal", json!({"deal_id": failed}))["outcome"],
        "failed"
    );
    db.ok("cancel_deal", json!({"deal_id": cancelled}));
    for (deal, state) in [
        (draft, "draft"),
        (open, "open"),
        (failed, "failed"),
        (cancelled, "cancelled"),
    ] {
        for command in ["record_delivery", "preview_delivery"] {
            let m = db.refused("conflict", command, deliver(deal, "model #1", 0));
            assert!(m.contains(state), "{m}");
        }
    }
    db.refused("not_found", "record_delivery", deliver(999, "model #1", 0));
    let (deal, _, _) = settled_cars(&mut db);
    db.ok("record_delivery", deliver(deal, "model #5", 4));
    let m = db.refused("conflict", "record_delivery", deliver(deal, "model #5", 4));
    assert!(m.contains("already recorded"), "{m}");
    db.refused("conflict", "preview_delivery", deliver(deal, "model #5", 2));
    db.assert_invariants();
}

#[test]
fn a_full_delivery_records_the_units_and_refunds_nothing() {
    let mut db = Db::new();
    let (deal, _, b) = settled_cars(&mut db);
    let before = db.ok("list_bookings", json!({"deal_id": deal}));
    assert!(before
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["delivered"].is_null()));
    let r = db.ok("record_delivery", json!({"deal_id": deal, "delivered": []}));
    assert_eq!(r["lines"], json!([]));
    assert_eq!(r["events"], json!([]));
    assert_eq!(r["totals"]["missing"], 0);
    assert_eq!(r["totals"]["refund"], "0.00");
    assert_eq!(db.delivered(deal), [json!(1), json!(3), json!(1)]);
    assert_eq!(b.len(), 3);
    let kinds: Vec<Value> = db
        .ok("notifications", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].clone())
        .collect();
    assert!(!kinds.contains(&json!("delivery_short")));
    db.assert_invariants();
}

#[test]
fn reports_show_what_was_delivered_and_settlement_reports_stay_as_they_were() {
    let mut db = Db::new();
    let (deal, p, b) = settled_cars(&mut db);
    let ended = db.ok("end_deal", json!({"deal_id": deal}));
    let preview = db.ok("preview_settlement", json!({"deal_id": deal}));
    let statement = db.ok(
        "deal_statement",
        json!({"participant_id": p[1], "deal_id": deal}),
    );
    // Before a delivery, reports have no delivery fields.
    assert!(statement["lines"][0].get("delivered").is_none());
    assert!(statement["totals"].get("delivery_refund").is_none());
    let order = db.ok("merchant_order", json!({"deal_id": deal}));
    assert!(order["items"][0].get("delivered").is_none());
    assert!(order.get("delivered_total").is_none());
    // 2 of the 4 model #5 come (Cid's 1, the latest booking, and 1 of Ben's
    // 3 are missing); Ann's model #1 does not come at all.
    let r = db.ok(
        "record_delivery",
        json!({"deal_id": deal, "delivered": [{"item": "model #5", "quantity": 2},
                                              {"item": "MODEL #1", "quantity": 0}]}),
    );
    assert_eq!(r["totals"]["missing"], 3);
    assert_eq!(r["totals"]["refund"], "79100.00"); // 29500 + 2 x 24800
                                                   // Settlement is reported exactly as before.
    assert_eq!(
        without_standing(db.ok("end_deal", json!({"deal_id": deal}))),
        without_standing(ended)
    );
    // (Its lines' `owes`/`owed` say where each wallet stands now, so they
    // follow the delivery's refunds; the settlement's own figures do not.)
    assert_eq!(
        without_standing(db.ok("preview_settlement", json!({"deal_id": deal}))),
        without_standing(preview)
    );

    // The statement keeps its settlement arithmetic and adds the shortfall.
    let s = db.ok(
        "deal_statement",
        json!({"participant_id": p[1], "deal_id": deal}),
    );
    let l = &s["lines"][0];
    assert_eq!(
        l["charged_at_approval"],
        statement["lines"][0]["charged_at_approval"]
    );
    assert_eq!(l["refund"], "600.00");
    assert_eq!(
        (l["delivered"].clone(), l["not_delivered"].clone()),
        (json!(2), json!(1))
    );
    assert_eq!(l["delivery_refund"], "24800.00");
    assert_eq!(s["totals"]["delivery_refund"], "24800.00");
    assert_eq!(s["balance"], "-49600.00");

    // Pickup: delivered units, and Ann's booking marked, not dropped.
    let list = db.ok("pickup_list", json!({"deal_id": deal}));
    let rows = list["points"][0]["bookings"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["name"], "Ann");
    assert_eq!(
        (
            rows[0]["delivered"].clone(),
            rows[0]["nothing_delivered"].clone()
        ),
        (json!(0), json!(true))
    );
    assert_eq!(rows[1]["delivered"], 2);
    assert_eq!(rows[2]["nothing_delivered"], true);
    assert_eq!(list["points"][0]["delivered"], 2);
    let m = db.refused("conflict", "mark_collected", json!({"booking_id": b[0]}));
    assert!(m.contains("nothing of booking"), "{m}");
    db.ok(
        "mark_collected",
        json!({"booking_id": b[0], "collected": false}),
    );
    db.ok("mark_collected", json!({"booking_id": b[1]}));

    // The merchant order: ordered and delivered side by side; the
    // commission on what was delivered.
    let o = db.ok("merchant_order", json!({"deal_id": deal}));
    assert_eq!(o["items"][0]["quantity"], 1);
    assert_eq!(o["items"][0]["delivered"], 0);
    assert_eq!(o["items"][1]["quantity"], 4);
    assert_eq!(o["items"][1]["delivered"], 2);
    assert_eq!(o["total"], "128700.00");
    assert_eq!(o["delivered_total"], "49600.00");
    assert_eq!(o["commission"], "2480.00");

    // And the exports.
    let dir = db.path_in("");
    let at = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let (order, pickup, stmt) = (at("order.csv"), at("pickup.csv"), at("statement.csv"));
    db.ok(
        "export_merchant_order",
        json!({"deal_id": deal, "format": "csv", "path": order}),
    );
    assert_eq!(
        std::fs::read_to_string(&order).unwrap(),
        "item,quantity,delivered,unit price,total,delivered total\n\
         model #1,1,0,29500.00,29500.00,0.00\n\
         model #5,4,2,24800.00,99200.00,49600.00\n\
         total,5,2,,128700.00,49600.00\n"
    );
    db.ok(
        "export_pickup_lists",
        json!({"deal_id": deal, "format": "csv", "path": pickup}),
    );
    let text = std::fs::read_to_string(&pickup).unwrap();
    assert!(
        text.starts_with("participant,phone,item,quantity,delivered,paid or owing,collected\n"),
        "{text}"
    );
    assert!(
        text.contains("Ann,,model #1,1,0,paid,nothing delivered\n"),
        "{text}"
    );
    db.ok(
        "export_statement",
        json!({"participant_id": p[1], "deal_id": deal, "format": "csv", "path": stmt}),
    );
    let text = std::fs::read_to_string(&stmt).unwrap();
    assert!(text.contains(",delivered,refund not delivered\n"), "{text}");
    assert!(text.contains(",2,24800.00\n"), "{text}");
    for (command, mut args) in [
        ("export_merchant_order", json!({"deal_id": deal})),
        ("export_pickup_lists", json!({"deal_id": deal})),
        (
            "export_statement",
            json!({"deal_id": deal, "participant_id": p[1]}),
        ),
    ] {
        let path = at(&format!("{command}.pdf"));
        args["format"] = json!("pdf");
        args["path"] = json!(path);
        db.ok(command, args);
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{command}");
        assert!(
            String::from_utf8_lossy(&bytes).contains("delivered"),
            "{command}"
        );
    }
    db.assert_invariants();
}

#[test]
fn bad_delivery_arguments_are_named_and_change_nothing() {
    let mut db = Db::new();
    let (deal, _, _) = settled_cars(&mut db);
    let cases = [
        (deliver(deal, "model #5", 5), "delivered[0].quantity"),
        (deliver(deal, "model #5", -1), "delivered[0].quantity"),
        (deliver(deal, "model #9", 1), "delivered[0].item"),
        (
            json!({"deal_id": deal, "delivered": [{"item": "model #5", "quantity": 1},
                                                   {"item": "model #5", "quantity": 2}]}),
            "delivered[1].item",
        ),
        (json!({"deal_id": deal}), "delivered"),
        (
            json!({"deal_id": deal, "delivered": {"item": "model #5"}}),
            "delivered",
        ),
        (
            json!({"deal_id": deal, "delivered": [{"item": "model #5"}]}),
            "delivered[0].quantity",
        ),
        (
            json!({"deal_id": deal, "delivered": [{"item": "model #5", "quantity": 1, "colour": 1}]}),
            "delivered[0].colour",
        ),
        (
            json!({"deal_id": deal, "delivered": [], "rule": "fair"}),
            "rule",
        ),
        (
            json!({"deal_id": deal, "delivered": [], "when": "now"}),
            "when",
        ),
    ];
    for (args, field) in cases {
        for command in ["record_delivery", "preview_delivery"] {
            let m = db.refused("validation", command, args.clone());
            assert!(
                m.starts_with(&format!("{field}: ")),
                "{command} {args}: {m}"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The shortfall property

/// Random bookings of one item (3 or 2 items), a settled deal, and a random
/// delivered quantity per item, under either rule.
#[derive(Debug, Clone)]
struct Case {
    /// (item, quantity) in booking order.
    bookings: Vec<(usize, i64)>,
    /// Per item, a fraction of the approved quantity delivered (0..=100 %).
    delivered_pct: Vec<i64>,
    proportional: bool,
    deposit: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((0usize..3, 1i64..20), 1..25),
        prop::collection::vec(0i64..=100, 3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(bookings, delivered_pct, proportional, deposit)| Case {
            bookings,
            delivered_pct,
            proportional,
            deposit,
        })
}

const PRICES: [(&str, &str, &str); 3] = [
    ("tea", "3.33", "2.99"),
    ("rice", "10.00", "9.50"),
    ("oil", "0.07", "0.05"),
];

fn check(c: &Case) -> Result<(), TestCaseError> {
    let mut db = Db::new();
    let payment = if c.deposit {
        json!({"mode": "deposit", "percent": "12.5"})
    } else {
        json!({"mode": "full"})
    };
    let deal = db.open(json!({
        "title": "Co-op", "currency": "USD", "closes_at": "2026-12-01T00:00:00Z",
        "min_qty": 1, "payment": payment, "approval": "auto",
        "items": PRICES.iter().map(|p| json!({"name": p.0, "base_price": p.1})).collect::<Vec<_>>(),
        "tiers": [{"min_qty": 30, "prices": PRICES.iter().map(|p| p.2).collect::<Vec<_>>()}]
    }));
    let people: Vec<i64> = (0..4).map(|i| db.add(&format!("P{i}"))).collect();
    let mut booked = vec![];
    for (n, &(item, q)) in c.bookings.iter().enumerate() {
        let o = db.book(deal, people[n % 4], PRICES[item].0, q);
        booked.push((o["booking"]["id"].as_i64().unwrap(), item, q));
    }
    let s = db.ok("end_deal", json!({"deal_id": deal}));
    let level = s["level"].as_i64().unwrap();
    let approved: Vec<i64> = (0..3)
        .map(|i| booked.iter().filter(|b| b.1 == i).map(|b| b.2).sum())
        .collect();
    let delivered: Vec<i64> = (0..3)
        .map(|i| approved[i] * c.delivered_pct[i] / 100)
        .collect();
    let wallets_before: Vec<i64> = people
        .iter()
        .map(|&p| minor(&db.balance(p, "USD")))
        .collect();
    let args = json!({
        "deal_id": deal,
        "rule": if c.proportional { "proportional" } else { "booking_order" },
        "delivered": (0..3).map(|i| json!({"item": PRICES[i].0, "quantity": delivered[i]})).collect::<Vec<_>>(),
    });
    let preview = db.ok("preview_delivery", args.clone());
    let r = db.ok("record_delivery", args);
    prop_assert_eq!(&preview["totals"], &r["totals"]);
    let rows = db.ok("list_bookings", json!({"deal_id": deal}));
    let mut kept_per_item = [0i64; 3];
    let mut refunded = vec![0i64; people.len()];
    for (row, &(id, item, q)) in rows.as_array().unwrap().iter().zip(&booked) {
        prop_assert_eq!(row["id"].as_i64(), Some(id));
        let kept = row["delivered"].as_i64().unwrap();
        prop_assert!(
            (0..=q).contains(&kept),
            "booking {} keeps {} of {}",
            id,
            kept,
            q
        );
        kept_per_item[item] += kept;
        let price = minor(if level >= 1 {
            PRICES[item].2
        } else {
            PRICES[item].1
        });
        let line = r["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["booking_id"] == id);
        match line {
            None => prop_assert_eq!(kept, q),
            Some(l) => {
                prop_assert_eq!(l["lost"].as_i64(), Some(q - kept));
                prop_assert_eq!(minor(l["refund"].as_str().unwrap()), price * (q - kept));
                prop_assert_eq!(
                    minor(l["entry"]["amount"].as_str().unwrap()),
                    price * (q - kept)
                );
                prop_assert_eq!(&l["entry"]["kind"], "refund");
                let who = people
                    .iter()
                    .position(|&p| Some(p) == l["participant_id"].as_i64())
                    .unwrap();
                refunded[who] += price * (q - kept);
            }
        }
        // What the booking is charged now: the final price of what arrived.
        prop_assert_eq!(minor(row["charged"].as_str().unwrap()), price * kept);
    }
    prop_assert_eq!(kept_per_item.to_vec(), delivered);
    for (i, &p) in people.iter().enumerate() {
        prop_assert_eq!(
            minor(&db.balance(p, "USD")),
            wallets_before[i] + refunded[i]
        );
    }
    let broken = bookrun::store::invariants::check(&mut db.conn).unwrap();
    prop_assert!(broken.is_empty(), "invariants broken: {:?}", broken);
    Ok(())
}

/// "12.34" -> 1234 (USD).
fn minor(s: &str) -> i64 {
    let (whole, frac) = s.split_once('.').unwrap();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + frac.parse::<i64>().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn shortfalls_keep_units_refunds_and_the_ledger_straight(c in case()) {
        check(&c)?;
    }
}

// ---------------------------------------------------------------------------
// Repeating a deal

#[test]
fn clone_deal_makes_a_draft_with_the_same_terms_and_no_bookings() {
    let mut db = Db::new();
    let mut args = cars(json!({"mode": "deposit", "percent": "10"}));
    args["description"] = json!("Monthly order");
    args["merchant"] = json!("Dealer");
    args["approval"] = json!("manual");
    args["allowed_domains"] = json!(["example.org"]);
    args["max_per_participant"] = json!(3);
    args["stock"] = json!(9);
    args["pickup_points"] = json!(["Depot", "School"]);
    args["commission_percent"] = json!("2.5");
    args["opens_at"] = json!("2026-11-20T00:00:00Z");
    args["tiers"][0]["reward"] = json!("free mats");
    let deal = db.open(args);
    let a = db.ok(
        "add_participant",
        json!({"name": "A", "email": "a@example.org"}),
    )["id"]
        .as_i64()
        .unwrap();
    db.book(deal, a, "model #1", 1);
    let original = db.ok("get_deal", json!({"deal_id": deal}));

    let copy = db.ok("clone_deal", json!({"deal_id": deal}));
    assert_ne!(copy["id"], original["id"]);
    assert_eq!(copy["status"], "draft");
    assert_eq!(
        (copy["approved_qty"].clone(), copy["pending_qty"].clone()),
        (json!(0), json!(0))
    );
    for k in bookrun::deal::FIELDS {
        assert_eq!(copy[k], original[k], "{k}");
    }
    let id = copy["id"].as_i64().unwrap();
    assert_eq!(db.ok("list_bookings", json!({"deal_id": id})), json!([]));

    // A new title and dates; opens_at null drops the original's.
    let next = db.ok(
        "clone_deal",
        json!({"deal_id": deal, "title": "Cars, January", "closes_at": "2027-01-31T00:00:00+01:00",
               "opens_at": null}),
    );
    assert_eq!(next["title"], "Cars, January");
    assert_eq!(next["closes_at"], "2027-01-31T00:00:00+01:00");
    assert_eq!(next["opens_at"], json!(null));
    assert_eq!(next["items"], original["items"]);
    let next_id = next["id"].as_i64().unwrap();
    db.ok("open_deal", json!({"deal_id": next_id}));

    // Ended deals can be repeated too; bad input is named and writes nothing.
    db.ok("cancel_deal", json!({"deal_id": deal}));
    db.ok("clone_deal", json!({"deal_id": deal, "title": "Again"}));
    for (args, field) in [
        (json!({"deal_id": deal, "title": ""}), "title"),
        (json!({"deal_id": deal, "closes_at": "soon"}), "closes_at"),
        (
            json!({"deal_id": deal, "opens_at": "2026-12-05T00:00:00Z"}),
            "opens_at",
        ),
        (
            json!({"deal_id": deal, "closes_at": "2026-11-01T00:00:00Z"}),
            "opens_at",
        ),
        (json!({"deal_id": deal, "stock": 3}), "stock"),
    ] {
        let m = db.refused("validation", "clone_deal", args.clone());
        assert!(m.starts_with(&format!("{field}: ")), "{args}: {m}");
    }
    db.refused("not_found", "clone_deal", json!({"deal_id": 999}));
    db.assert_invariants();
}

/// A settlement report without its lines' live standing (`owes`, `owed`).
fn without_standing(mut report: Value) -> Value {
    for l in report["lines"].as_array_mut().unwrap() {
        let l = l.as_object_mut().unwrap();
        l.remove("owes");
        l.remove("owed");
    }
    report
}
