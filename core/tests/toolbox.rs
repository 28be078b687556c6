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

/// Each case refused by each command with its code, a validation message
/// starting with the field named, others containing the fragment named.
#[track_caller]
fn refuse_all(db: &mut Db, commands: &[&str], cases: &[(Value, &str, &str)]) {
    for cmd in commands {
        for (args, code, names) in cases {
            let msg = db.refused(code, cmd, args.clone());
            if *code == "validation" {
                assert!(
                    msg.starts_with(&format!("{names}: ")),
                    "{cmd} {args}: {msg}"
                );
            } else {
                assert!(msg.contains(names), "{cmd} {args}: {msg}");
            }
        }
    }
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
fn the_step_down_warning_counts_the_waiting_booking_that_would_move_up() {
    let mut db = Db::new();
    let deal = capped_cars(&mut db);
    let p: Vec<i64> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|n| db.add(n))
        .collect();
    let a = booking_id(&db.book(deal, p[0], "model #1", 1));
    for &q in &p[1..4] {
        db.book(deal, q, "model #5", 1);
    }
    let e = db.book(deal, p[4], "model #5", 1);
    assert_eq!(e["booking"]["status"], "waitlisted");
    // Cancelling A frees one unit: E moves up, the deal stays at level 1,
    // nobody pays more and A loses no reputation.
    let before = db.dump();
    let w = db.ok(
        "preview_cancel",
        json!({"booking_id": a, "by": "participant"}),
    );
    assert_eq!(db.dump(), before, "a preview writes nothing");
    assert_eq!(
        (w["from_level"].clone(), w["to_level"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(w["event"], Value::Null);
    assert_eq!(w["others"], json!([]));
    assert_eq!(w["total_more"], "0.00");
    assert_eq!(w["reputation_events"], 0);
    assert_eq!(w["refund"], "30000.00");
    let o = db.ok(
        "cancel_booking",
        json!({"booking_id": a, "by": "participant"}),
    );
    assert_eq!(kinds(&o), ["waitlist_promoted"]);
    assert_eq!(o["deal"]["level"], w["to_level"]);
    assert_eq!(
        db.ok("reputation", json!({"participant_id": p[0]}))["score"],
        0
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

// ---------------------------------------------------------------------------
// Sign-up import
// ---------------------------------------------------------------------------

/// A sign-up sheet as organizers export it from a form: a byte order mark,
/// semicolons, headers in any case, a column we do not use, a comma inside
/// a quoted note.
const SHEET: &str = "\u{feff}Timestamp;NAME;E-Mail;Item;Qty;Pickup Point;Note\n\
    2026-11-20;Ann;ANN@example.com;model #1;1;Town hall;\"blue, please\"\n\
    2026-11-20;Ben;ben@example.com;model #5;1;;\n\
    2026-11-21;Cid;;MODEL #5;2;School;\n\
    \n\
    2026-11-21;Ben;Ben@Example.com;model #5;1;School;second car\n";

fn pickup_cars(db: &mut Db) -> i64 {
    let mut args = cars(json!({"mode": "full"}));
    args["pickup_points"] = json!(["Town hall", "School"]);
    args["commission_percent"] = json!("2.5");
    db.open(args)
}

#[test]
fn a_pickup_point_a_waitlisted_booking_chose_cannot_be_removed() {
    // A waitlisted booking holds its place and moves up by itself: were its
    // pickup point removed, it would be approved with a point the deal no
    // longer has (the check counted only pending and approved bookings).
    let mut db = Db::new();
    let mut args = cars(json!({"mode": "full"}));
    args["pickup_points"] = json!(["Town hall", "School"]);
    args["stock"] = json!(1);
    let deal = db.open(args);
    let (ann, ben) = (db.add("Ann"), db.add("Ben"));
    db.book(deal, ann, "model #1", 1);
    let waiting = db.ok(
        "book",
        json!({"deal_id": deal, "participant_id": ben, "item": "model #1", "quantity": 1,
               "pickup_point": "School"}),
    );
    assert_eq!(waiting["booking"]["status"], "waitlisted");
    let msg = db.refused(
        "conflict",
        "update_deal",
        json!({"deal_id": deal, "pickup_points": ["Town hall"]}),
    );
    assert!(msg.contains("\"School\""), "{msg}");
    // A point nobody chose still goes.
    let d = db.ok(
        "update_deal",
        json!({"deal_id": deal, "pickup_points": ["School"]}),
    );
    assert_eq!(d["pickup_points"], json!(["School"]));
    db.assert_invariants();
}

#[test]
fn a_sign_up_sheet_is_previewed_row_by_row_then_imported_whole() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let ann = db.ok(
        "add_participant",
        json!({"name": "Ann", "email": "ann@example.com"}),
    );
    let before = db.dump();
    let p = db.ok("preview_signups", json!({"deal_id": deal, "csv": SHEET}));
    assert_eq!(db.dump(), before, "a preview writes nothing");
    assert_eq!(p["imported"], false);
    assert_eq!(p["ignored_columns"], json!(["timestamp"]));
    let rows = p["rows"].as_array().unwrap();
    let st: Vec<(i64, &str)> = rows
        .iter()
        .map(|r| (r["line"].as_i64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        st,
        [(2, "existing"), (3, "new"), (4, "new"), (6, "existing")]
    );
    assert_eq!(rows[0]["participant_id"], id(&ann));
    assert_eq!(rows[3]["added_on_line"], 3);
    assert_eq!(rows[2]["item"], "model #5");
    assert_eq!(
        p["summary"],
        json!({"rows": 4, "new_participants": 2, "existing_participants": 2, "errors": 0,
               "waitlisted": 0, "quantity": 5})
    );
    // The preview shows the deal as the import would leave it.
    assert_eq!(p["deal"]["approved_qty"], 5);
    assert_eq!(p["deal"]["level"], 1);

    let o = db.ok("import_signups", json!({"deal_id": deal, "csv": SHEET}));
    assert_eq!(o["imported"], true);
    assert_eq!(o["summary"], p["summary"]);
    let people = db.ok("list_participants", json!({}));
    let names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ann", "Ben", "Cid"]);
    let ben = people[1]["id"].as_i64().unwrap();
    let cid = people[2]["id"].as_i64().unwrap();
    assert_eq!(people[1]["email"], "ben@example.com");
    assert_eq!(db.balance(id(&ann), "USD"), "-30000.00");
    assert_eq!(db.balance(ben, "USD"), "-50000.00");
    assert_eq!(db.balance(cid, "USD"), "-50000.00");
    let b = db.ok("list_bookings", json!({ "deal_id": deal }));
    assert_eq!(b[0]["pickup_point"], "Town hall");
    assert_eq!(b[0]["note"], "blue, please");
    assert_eq!(b[1]["pickup_point"], Value::Null);
    assert_eq!(b[3]["note"], "second car");
    db.assert_invariants();
}

#[test]
fn one_bad_row_lets_nothing_of_the_sheet_in_and_the_preview_says_why() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let sheet = "name,email,item,quantity,pickup point\n\
        Ann,ann@example.com,model #1,1,\n\
        Ben,ben@example.com,bicycle,1,\n\
        Cid,not-an-email,model #5,1,\n\
        Dee,,model #5,zero,\n\
        Eve,,model #5,1,Moon\n\
        ,,model #5,1,\n";
    let p = db.ok("preview_signups", json!({"deal_id": deal, "csv": sheet}));
    let errors: Vec<(i64, &str)> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "error")
        .map(|r| (r["line"].as_i64().unwrap(), r["error"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 5, "{errors:?}");
    assert!(
        errors[0]
            .1
            .starts_with("item: deal 1 has no item \"bicycle\""),
        "{errors:?}"
    );
    assert!(errors[1].1.starts_with("email: "), "{errors:?}");
    assert!(errors[2].1.starts_with("quantity: \"zero\""), "{errors:?}");
    assert!(errors[3].1.starts_with("pickup_point: "), "{errors:?}");
    assert!(
        errors[4].1.starts_with("name: must not be empty"),
        "{errors:?}"
    );
    assert_eq!(p["rows"][0]["status"], "new");
    let msg = db.refused(
        "validation",
        "import_signups",
        json!({"deal_id": deal, "csv": sheet}),
    );
    assert!(
        msg.starts_with("csv: line 3: item: ") && msg.contains("and 4 more rows with errors"),
        "{msg}"
    );
    // Policy refusals are row errors too (a domain rule here).
    let mut args = cars(json!({"mode": "full"}));
    args["allowed_domains"] = json!(["acme.com"]);
    let d2 = db.open(args);
    let sheet =
        "name,email,item,quantity\nAnn,ann@acme.com,model #1,1\nBen,ben@other.com,model #1,1\n";
    let p = db.ok("preview_signups", json!({"deal_id": d2, "csv": sheet}));
    assert_eq!(p["rows"][1]["status"], "error");
    assert!(p["rows"][1]["error"].as_str().unwrap().contains("acme.com"));
    db.refused(
        "validation",
        "import_signups",
        json!({"deal_id": d2, "csv": sheet}),
    );
}

#[test]
fn sign_up_import_refuses_bad_arguments_and_files_naming_the_field() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let ok_sheet = "name,item,quantity\nAnn,model #1,1\n";
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"deal_id": deal}), "validation", "csv"),
        (json!({"csv": ok_sheet}), "validation", "deal_id"),
        (json!({"deal_id": deal, "csv": 5}), "validation", "csv"),
        (
            json!({"deal_id": deal, "csv": ok_sheet, "path": "/x"}),
            "validation",
            "path",
        ),
        (
            json!({"deal_id": deal, "path": "/nonexistent/file.csv"}),
            "validation",
            "path",
        ),
        (
            json!({"deal_id": deal, "csv": ok_sheet, "dry": true}),
            "validation",
            "dry",
        ),
        (json!({"deal_id": deal, "csv": ""}), "validation", "csv"),
        (
            json!({"deal_id": deal, "csv": "name,quantity\nAnn,1\n"}),
            "validation",
            "csv",
        ),
        (
            json!({"deal_id": deal, "csv": "item,quantity\nx,1\n"}),
            "validation",
            "csv",
        ),
        (json!({"deal_id": 999, "csv": ok_sheet}), "not_found", "999"),
    ];
    refuse_all(&mut db, &["preview_signups", "import_signups"], &cases);
    // A missing column is named.
    let msg = db.refused(
        "validation",
        "import_signups",
        json!({"deal_id": deal, "csv": "name,quantity\nAnn,1\n"}),
    );
    assert!(msg.contains("no \"item\" column"), "{msg}");
    // A draft deal cannot take bookings.
    let draft = id(&db.ok("create_deal", cars(json!({"mode": "full"}))));
    db.refused(
        "conflict",
        "import_signups",
        json!({"deal_id": draft, "csv": ok_sheet}),
    );
    // A file given by path is read (UTF-8, comma separated, no BOM).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signups.csv");
    std::fs::write(&path, ok_sheet).unwrap();
    let o = db.ok(
        "import_signups",
        json!({"deal_id": deal, "path": path.to_str().unwrap()}),
    );
    assert_eq!(o["summary"]["new_participants"], 1);
    std::fs::write(&path, b"name,item,quantity\n\xff,model #1,1\n").unwrap();
    let msg = db.refused(
        "validation",
        "import_signups",
        json!({"deal_id": deal, "path": path.to_str().unwrap()}),
    );
    assert!(msg.contains("not UTF-8"), "{msg}");
}

#[test]
fn imported_sign_ups_past_the_stock_join_the_waitlist() {
    let mut db = Db::new();
    let deal = capped_cars(&mut db);
    let sheet = "name,item,quantity\nA,model #5,3\nB,model #5,2\nC,model #5,1\n";
    let o = db.ok("import_signups", json!({"deal_id": deal, "csv": sheet}));
    let st: Vec<&str> = o["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["booking_status"].as_str().unwrap())
        .collect();
    assert_eq!(st, ["approved", "waitlisted", "waitlisted"]);
    assert_eq!(o["summary"]["waitlisted"], 2);
    db.assert_invariants();
}

// ---------------------------------------------------------------------------
// Bank statement import
// ---------------------------------------------------------------------------

/// Ann (model #1) and Ben, Cid, Dee (model #5) owe for "Cars"; returns their ids.
fn four_owing(db: &mut Db) -> (i64, Vec<i64>) {
    let deal = db.open(cars(json!({"mode": "full"})));
    let p: Vec<i64> = ["Ann", "Ben", "Cid", "Dee"]
        .iter()
        .map(|n| db.add(n))
        .collect();
    db.book(deal, p[0], "model #1", 1);
    db.book(deal, p[1], "model #5", 1);
    db.book(deal, p[2], "model #5", 2);
    db.book(deal, p[3], "model #5", 2);
    (deal, p)
}

fn reference(db: &mut Db, participant: i64) -> String {
    db.ok(
        "statement",
        json!({"participant_id": participant, "currency": "USD"}),
    )["reference"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn bank_credits_match_by_reference_then_by_amount_due_and_are_recorded_once() {
    let mut db = Db::new();
    let (deal, p) = four_owing(&mut db);
    let ref_ben = reference(&mut db, p[1]);
    assert!(ref_ben.starts_with(&format!("BR{}", p[1])));
    // Ann owes 30000.00 exactly (matched by amount); Ben pays part with his
    // reference; Cid and Dee both owe 50000.00 (ambiguous); a debit; a
    // payment from a stranger.
    let statement = format!(
        "Date;Amount;Reference;Name\n\
         2026-11-24;30000,00;car;ANN SMITH\n\
         2026-11-24;+10000.00;Thanks {ref_ben} car;B. Jones\n\
         2026-11-25;50000.00;car;Somebody\n\
         2026-11-25;-12.00;bank fee;\n\
         2026-11-26;7.00;refund;Shop\n"
    );
    let args = json!({"currency": "USD", "csv": statement});
    let before = db.dump();
    let r = db.ok("preview_bank_import", args.clone());
    assert_eq!(db.dump(), before, "a review writes nothing");
    let rows = r["rows"].as_array().unwrap();
    let st: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(
        st,
        ["matched", "matched", "unmatched", "debit", "unmatched"]
    );
    assert_eq!(rows[0]["participant_id"], p[0]);
    assert_eq!(rows[0]["matched_by"], "amount_due");
    assert_eq!(rows[0]["amount"], "30000.00");
    assert_eq!(rows[0]["balance_after"], "0.00");
    assert_eq!(rows[1]["participant_id"], p[1]);
    assert_eq!(rows[1]["matched_by"], "reference");
    assert_eq!(rows[1]["balance_after"], "-15000.00");
    assert!(rows[2]["reason"]
        .as_str()
        .unwrap()
        .contains("several participants owe exactly 50000.00 USD"));
    assert_eq!(r["summary"]["amount"], "40000.00");

    let o = db.ok("import_bank", args.clone());
    assert_eq!(o["summary"]["matched"], 2);
    assert_eq!(db.balance(p[0], "USD"), "0.00");
    assert_eq!(db.balance(p[1], "USD"), "-15000.00");
    assert_eq!(db.balance(p[2], "USD"), "-50000.00");
    let s = db.ok(
        "statement",
        json!({"participant_id": p[1], "currency": "USD"}),
    );
    let last = s["entries"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "payment");
    assert_eq!(last["method"], "bank transfer");
    assert_eq!(last["amount"], "10000.00");

    // The same file again: every credit already recorded is a duplicate,
    // nothing is recorded twice.
    let again = db.ok("import_bank", args.clone());
    let st: Vec<&str> = again["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        st,
        ["duplicate", "duplicate", "unmatched", "debit", "unmatched"]
    );
    assert_eq!(db.balance(p[0], "USD"), "0.00");
    assert_eq!(db.balance(p[1], "USD"), "-15000.00");

    // The review step: the organizer assigns the ambiguous row to Cid and
    // skips the stranger's.
    let args = json!({"currency": "USD", "csv": statement, "deal_id": deal,
                      "assign": [{"line": 4, "participant_id": p[2]}], "skip": [6]});
    let o = db.ok("import_bank", args);
    assert_eq!(o["rows"][2]["status"], "matched");
    assert_eq!(o["rows"][2]["matched_by"], "assigned");
    assert_eq!(o["rows"][4]["status"], "skipped");
    assert_eq!(db.balance(p[2], "USD"), "0.00");
    assert_eq!(db.balance(p[3], "USD"), "-50000.00");
    let n: i64 = db
        .conn
        .query_row("SELECT count(*) FROM bank_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
    db.assert_invariants();
}

#[test]
fn two_identical_transfers_in_one_file_are_two_payments_and_a_bad_row_stops_the_import() {
    let mut db = Db::new();
    let (_, p) = four_owing(&mut db);
    let r = reference(&mut db, p[2]);
    let statement =
        format!("date,amount,reference\n2026-11-24,100.00,{r}\n2026-11-24,100.00,{r}\n");
    let o = db.ok("import_bank", json!({"currency": "USD", "csv": statement}));
    assert_eq!(o["summary"]["matched"], 2, "{o}");
    assert_eq!(db.balance(p[2], "USD"), "-49800.00");
    let o = db.ok("import_bank", json!({"currency": "USD", "csv": statement}));
    assert_eq!(o["summary"]["duplicates"], 2);
    assert_eq!(db.balance(p[2], "USD"), "-49800.00");
    // A third identical transfer, added to the same statement later, is new.
    let longer = format!("{statement}2026-11-24,100.00,{r}\n");
    let o = db.ok("import_bank", json!({"currency": "USD", "csv": longer}));
    assert_eq!(o["summary"]["matched"], 1);
    assert_eq!(db.balance(p[2], "USD"), "-49700.00");

    let bad = format!(
        "date,amount,reference\n2026-11-27,5.00,{r}\n2026-11-27,1.234,{r}\n2026-11-27,1.2.3,{r}\n"
    );
    let msg = db.refused(
        "validation",
        "import_bank",
        json!({"currency": "USD", "csv": bad}),
    );
    assert!(msg.starts_with("csv: line 3: amount: "), "{msg}");
    let pv = db.ok(
        "preview_bank_import",
        json!({"currency": "USD", "csv": bad}),
    );
    assert_eq!(pv["summary"]["errors"], 2);
    // Skipping the bad rows lets the rest in.
    db.ok(
        "import_bank",
        json!({"currency": "USD", "csv": bad, "skip": [3, 4]}),
    );
    assert_eq!(db.balance(p[2], "USD"), "-49695.00");
    db.assert_invariants();
}

#[test]
fn bank_import_refuses_bad_arguments_naming_the_field() {
    let mut db = Db::new();
    let (deal, p) = four_owing(&mut db);
    let csv = "date,amount,reference\n2026-11-24,1.00,x\n";
    let jpy = db.open({
        let mut a = cars(json!({"mode": "full"}));
        a["currency"] = json!("JPY");
        a["items"] = json!([{"name": "model #1", "base_price": "30000"},
                            {"name": "model #5", "base_price": "25000"}]);
        a["tiers"] = json!([]);
        a
    });
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"csv": csv}), "validation", "currency"),
        (
            json!({"currency": "XYZ", "csv": csv}),
            "validation",
            "currency",
        ),
        (json!({"currency": "USD"}), "validation", "csv"),
        (
            json!({"currency": "USD", "csv": "date,amount\n1,2\n"}),
            "validation",
            "csv",
        ),
        (
            json!({"currency": "USD", "csv": "amount,reference\n1,2\n"}),
            "validation",
            "csv",
        ),
        (
            json!({"currency": "USD", "csv": csv, "deal_id": jpy}),
            "validation",
            "currency",
        ),
        (
            json!({"currency": "USD", "csv": csv, "deal_id": 999}),
            "not_found",
            "999",
        ),
        (
            json!({"currency": "USD", "csv": csv, "assign": [{"line": 9, "participant_id": p[0]}]}),
            "validation",
            "assign[0].line",
        ),
        (
            json!({"currency": "USD", "csv": csv, "assign": [{"line": 2}]}),
            "validation",
            "assign[0].participant_id",
        ),
        (
            json!({"currency": "USD", "csv": csv, "assign": [{"line": 2, "participant_id": 999}]}),
            "not_found",
            "999",
        ),
        (
            json!({"currency": "USD", "csv": csv, "assign": [{"line": 2, "participant_id": 1, "x": 1}]}),
            "validation",
            "assign[0].x",
        ),
        (
            json!({"currency": "USD", "csv": csv, "skip": ["2"]}),
            "validation",
            "skip[0]",
        ),
        (
            json!({"currency": "USD", "csv": csv, "skip": [7]}),
            "validation",
            "skip[0]",
        ),
        (
            json!({"currency": "USD", "csv": csv, "deal": deal}),
            "validation",
            "deal",
        ),
    ];
    refuse_all(&mut db, &["preview_bank_import", "import_bank"], &cases);
}

// ---------------------------------------------------------------------------
// Pickup, merchant order, statements, who owes what, share text
// ---------------------------------------------------------------------------

#[test]
fn pickup_lists_group_by_point_and_track_collection_and_payment() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let sheet = "name,item,quantity,pickup point\nAnn,model #1,1,School\nBen,model #5,2,Town hall\nCid,model #5,1,\n";
    db.ok("import_signups", json!({"deal_id": deal, "csv": sheet}));
    db.ok(
        "record_payment",
        json!({"participant_id": 1, "currency": "USD", "amount": "30000.00"}),
    );
    let l = db.ok("pickup_list", json!({ "deal_id": deal }));
    let pts: Vec<Value> = l["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pickup_point"].clone())
        .collect();
    assert_eq!(pts, [json!("Town hall"), json!("School"), Value::Null]);
    let ben = &l["points"][0]["bookings"][0];
    assert_eq!(ben["name"], "Ben");
    assert_eq!(ben["quantity"], 2);
    assert_eq!(ben["owes"], "50000.00");
    assert_eq!(ben["paid"], false);
    let ann = &l["points"][1]["bookings"][0];
    assert_eq!(
        (ann["paid"].clone(), ann["owes"].clone()),
        (json!(true), json!("0.00"))
    );
    let ann_booking = ann["booking_id"].as_i64().unwrap();
    let b = db.ok("mark_collected", json!({"booking_id": ann_booking}));
    assert_eq!(b["collected_at"], "2026-11-23T10:00:00Z");
    let l = db.ok(
        "pickup_list",
        json!({"deal_id": deal, "pickup_point": "School"}),
    );
    assert_eq!(l["points"].as_array().unwrap().len(), 1);
    assert_eq!(l["points"][0]["collected"], 1);
    assert_eq!(l["points"][0]["bookings"][0]["collected"], true);
    let b = db.ok(
        "mark_collected",
        json!({"booking_id": ann_booking, "collected": false}),
    );
    assert_eq!(b["collected_at"], Value::Null);
    // Refusals.
    db.refused(
        "validation",
        "pickup_list",
        json!({"deal_id": deal, "pickup_point": "Moon"}),
    );
    db.refused(
        "validation",
        "mark_collected",
        json!({"booking_id": ann_booking, "collected": "yes"}),
    );
    db.refused("not_found", "mark_collected", json!({"booking_id": 999}));
    let c = db.ok(
        "cancel_booking",
        json!({"booking_id": ann_booking, "by": "organizer"}),
    );
    assert_eq!(c["booking"]["status"], "cancelled");
    db.refused(
        "conflict",
        "mark_collected",
        json!({"booking_id": ann_booking}),
    );
    db.assert_invariants();
}

#[test]
fn the_merchant_order_has_final_prices_totals_and_the_commission_to_the_cent() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let sheet = "name,item,quantity\nA,model #1,1\nB,model #5,3\nC,model #5,1\n";
    db.ok("import_signups", json!({"deal_id": deal, "csv": sheet}));
    db.ok("end_deal", json!({ "deal_id": deal }));
    let o = db.ok("merchant_order", json!({ "deal_id": deal }));
    assert_eq!(
        o["items"],
        json!([
            {"item": "model #1", "quantity": 1, "unit_price": "29500.00", "total": "29500.00"},
            {"item": "model #5", "quantity": 4, "unit_price": "24800.00", "total": "99200.00"}
        ])
    );
    assert_eq!(o["total"], "128700.00");
    // 2.5% of 128700.00 = 3217.50
    assert_eq!(o["commission"], "3217.50");
    assert_eq!(o["level"], 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("order.csv");
    let r = db.ok(
        "export_merchant_order",
        json!({"deal_id": deal, "format": "csv", "path": path.to_str().unwrap()}),
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text,
        "item,quantity,unit price,total\nmodel #1,1,29500.00,29500.00\nmodel #5,4,24800.00,99200.00\ntotal,5,,128700.00\n"
    );
    assert_eq!(r["rows"], 2);
    assert_eq!(r["bytes"], text.len());
    assert_eq!(r["format"], "csv");
    let pdf = dir.path().join("order.pdf");
    let r = db.ok(
        "export_merchant_order",
        json!({"deal_id": deal, "format": "pdf", "path": pdf.to_str().unwrap()}),
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(r["bytes"], bytes.len());
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        // On paper the amounts are grouped (issue 15), in the CSV plain.
        text.contains("(128,700.00)") && text.contains("3,217.50"),
        "pdf text"
    );
}

#[test]
fn a_deposit_statement_shows_the_settlement_arithmetic() {
    let mut db = Db::new();
    // SPEC example 2: deposit 10%, A books model #1 and the deal reaches tier 1.
    let deal = db.open(cars(json!({"mode": "deposit", "percent": "10"})));
    let p: Vec<i64> = ["A", "B", "C", "D"].iter().map(|n| db.add(n)).collect();
    db.book(deal, p[0], "model #1", 1);
    for &q in &p[1..] {
        db.book(deal, q, "model #5", 1);
    }
    let s = db.ok(
        "deal_statement",
        json!({"participant_id": p[0], "deal_id": deal}),
    );
    assert_eq!(s["outcome"], "if it ended now");
    assert_eq!(
        s["lines"],
        json!([{"booking_id": 1, "item": "model #1", "quantity": 1, "base_price": "30000.00",
                "final_level": 1, "final_unit_price": "29500.00", "final_total": "29500.00",
                "charged_at_approval": "3000.00", "refund": "0.00", "due": "26500.00"}])
    );
    assert_eq!(s["balance"], "-3000.00");
    db.ok("end_deal", json!({ "deal_id": deal }));
    let s = db.ok(
        "deal_statement",
        json!({"participant_id": p[0], "deal_id": deal}),
    );
    assert_eq!(s["outcome"], "settled");
    assert_eq!(s["totals"]["due"], "26500.00");
    assert_eq!(s["balance"], "-29500.00");
    assert_eq!(s["reference"], reference(&mut db, p[0]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    db.ok(
        "export_statement",
        json!({"participant_id": p[0], "deal_id": deal, "format": "csv", "path": path.to_str().unwrap()}),
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "item,quantity,base price,final tier,final price,final total,charged at approval,price reduction,charged at the end\n\
         model #1,1,30000.00,tier 1,29500.00,29500.00,3000.00,0.00,26500.00\n\
         total,,,,,29500.00,3000.00,0.00,26500.00\n"
    );
    db.refused(
        "not_found",
        "deal_statement",
        json!({"participant_id": 999, "deal_id": deal}),
    );
}

#[test]
fn who_owes_what_lists_debts_oldest_first_with_a_reminder() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let (a, b, c) = (db.add("Ann"), db.add("Ben"), db.add("Cid"));
    db.book(deal, b, "model #5", 1);
    db.set_now("2026-11-24T09:00:00Z");
    db.book(deal, a, "model #1", 1);
    db.book(deal, c, "model #5", 1);
    db.ok(
        "record_payment",
        json!({"participant_id": c, "currency": "USD", "amount": "25000.00"}),
    );
    db.ok(
        "record_payment",
        json!({"participant_id": b, "currency": "USD", "amount": "5000.00"}),
    );
    let o = db.ok("outstanding", json!({"currency": "usd"}));
    let who: Vec<(i64, &str, &str)> = o
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["participant_id"].as_i64().unwrap(),
                d["owes"].as_str().unwrap(),
                d["owing_since"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            (b, "20000.00", "2026-11-23T10:00:00Z"),
            (a, "30000.00", "2026-11-24T09:00:00Z")
        ]
    );
    let reminder = o[0]["reminder"].as_str().unwrap();
    let r = reference(&mut db, b);
    assert_eq!(
        reminder,
        format!("Hi Ben, a friendly reminder from your group buy: you owe 20,000.00 USD for \"Cars\", since Mon 23 Nov. Please pay with the reference {r} so your payment is matched to you. Thank you!")
    );
    assert_eq!(db.ok("outstanding", json!({})), o);
    assert_eq!(db.ok("outstanding", json!({"currency": "EUR"})), json!([]));
    db.refused("validation", "outstanding", json!({"currency": "nope"}));
}

#[test]
fn share_text_says_how_many_more_units_unlock_the_next_tier() {
    let mut db = Db::new();
    let mut args = cars(json!({"mode": "full"}));
    args["merchant"] = json!("Dealer");
    args["stock"] = json!(6);
    args["tiers"][0]["reward"] = json!("free mats");
    let deal = db.open(args);
    let p: Vec<i64> = ["A", "B", "C"].iter().map(|n| db.add(n)).collect();
    let t = db.ok("share_text", json!({ "deal_id": deal }));
    assert_eq!(
        t["text"],
        "Group buy \"Cars\" from Dealer: 0 units booked, price now model #1 30,000.00 USD, model #5 25,000.00 USD.\n\
         3 more units and the deal goes ahead (minimum 3).\n\
         Only 6 left.\n\
         Book before Tue 1 Dec, 00:00 UTC."
    );
    db.book(deal, p[0], "model #1", 1);
    db.book(deal, p[1], "model #5", 1);
    db.book(deal, p[2], "model #5", 1);
    let t = db.ok("share_text", json!({ "deal_id": deal }));
    assert_eq!(
        t["text"],
        "Group buy \"Cars\" from Dealer: 3 units booked, price now model #1 30,000.00 USD, model #5 25,000.00 USD.\n\
         1 more unit unlocks tier 1 at model #1 29,500.00 USD, model #5 24,800.00 USD (bonus: free mats).\n\
         Only 3 left.\n\
         Book before Tue 1 Dec, 00:00 UTC."
    );
    assert_eq!(t["next_tier"]["missing"], 1);
    db.refused("not_found", "share_text", json!({"deal_id": 99}));
}

// ---------------------------------------------------------------------------
// Exports
// ---------------------------------------------------------------------------

#[test]
fn exports_write_pickup_lists_and_the_ledger_and_refuse_bad_targets() {
    let mut db = Db::new();
    let deal = pickup_cars(&mut db);
    let sheet =
        "name,item,quantity,pickup point\nAnn,model #1,1,School\nBen,model #5,2,Town hall\n";
    db.ok("import_signups", json!({"deal_id": deal, "csv": sheet}));
    let dir = tempfile::tempdir().unwrap();
    let at = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    db.ok(
        "export_pickup_lists",
        json!({"deal_id": deal, "format": "csv", "path": at("pickup.csv")}),
    );
    assert_eq!(
        std::fs::read_to_string(at("pickup.csv")).unwrap(),
        "section,participant,phone,item,quantity,paid or owing,collected\n\
         Cars: pickup at Town hall,Ben,,model #5,2,owes 50000.00 USD,[  ]\n\
         Cars: pickup at School,Ann,,model #1,1,owes 30000.00 USD,[  ]\n"
    );
    let r = db.ok(
        "export_ledger",
        json!({"currency": "USD", "format": "csv", "path": at("ledger.csv")}),
    );
    assert_eq!(r["rows"], 2);
    let ledger = std::fs::read_to_string(at("ledger.csv")).unwrap();
    assert_eq!(
        ledger,
        "entry,date,participant,kind,deal,booking,amount,wallet after,memo\n\
         1,2026-11-23T10:00:00Z,Ann,purchase,Cars,1,-30000.00,-30000.00,\n\
         2,2026-11-23T10:00:00Z,Ben,purchase,Cars,2,-50000.00,-50000.00,\n"
    );
    let r = db.ok(
        "export_ledger",
        json!({"currency": "USD", "participant_id": 2, "format": "pdf", "path": at("ben.pdf")}),
    );
    assert_eq!(r["rows"], 1);
    let missing = dir.path().join("no/such/dir/x.csv");
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"deal_id": deal, "format": "xls", "path": at("x")}),
            "format",
        ),
        (json!({"deal_id": deal, "path": at("x")}), "format"),
        (json!({"deal_id": deal, "format": "csv"}), "path"),
        (
            json!({"deal_id": deal, "format": "csv", "path": ""}),
            "path",
        ),
        (
            json!({"deal_id": deal, "format": "csv", "path": missing.to_str().unwrap()}),
            "path",
        ),
        (
            json!({"deal_id": deal, "format": "csv", "path": dir.path().to_str().unwrap()}),
            "path",
        ),
        (
            json!({"deal_id": deal, "format": "csv", "path": at("x"), "pickup_point": "Moon"}),
            "pickup_point",
        ),
    ];
    for (args, field) in cases {
        let msg = db.refused("validation", "export_pickup_lists", args.clone());
        assert!(msg.starts_with(&format!("{field}: ")), "{args}: {msg}");
    }
    db.refused(
        "validation",
        "export_ledger",
        json!({"currency": "EUR", "deal_id": deal, "format": "csv", "path": at("l.csv")}),
    );
    db.refused(
        "not_found",
        "export_merchant_order",
        json!({"deal_id": 99, "format": "csv", "path": at("m.csv")}),
    );
    assert!(!missing.exists());
    // Nothing but the files asked for (no temporary files left behind).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["ben.pdf", "ledger.csv", "pickup.csv"]);
}

#[test]
fn a_booking_says_whether_cancel_booking_would_take_it() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let p = db.add("A");
    let b = db.book(deal, p, "model #1", 1)["booking"].clone();
    assert_eq!(b["can_cancel"], true);
    let id = b["id"].clone();
    let o = db.ok("cancel_booking", json!({ "booking_id": id }));
    assert_eq!(o["booking"]["can_cancel"], false, "cancelled already");
    let b = db.book(deal, p, "model #5", 1)["booking"]["id"].clone();
    db.ok("end_deal", json!({ "deal_id": deal }));
    let list = db.ok("list_bookings", json!({ "deal_id": deal }));
    assert_eq!(list[1]["id"], b);
    assert_eq!(list[1]["status"], "approved");
    assert_eq!(list[1]["can_cancel"], false, "the deal has ended");
    db.refused("conflict", "cancel_booking", json!({ "booking_id": b }));
}

#[test]
fn payouts_due_lists_whom_the_organizer_owes() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let p: Vec<i64> = ["A", "B", "C", "D"].iter().map(|n| db.add(n)).collect();
    db.book(deal, p[0], "model #1", 1);
    for &x in &p[1..] {
        db.book(deal, x, "model #5", 1);
    }
    db.ok(
        "record_payment",
        json!({"participant_id": p[0], "currency": "USD", "amount": "30000.00", "deal_id": deal}),
    );
    assert_eq!(db.ok("payouts_due", json!({})), json!([]));
    db.ok("end_deal", json!({ "deal_id": deal }));
    // SPEC example 1: the organizer owes A 500.00; B, C and D owe 24800.00.
    let due = db.ok("payouts_due", json!({"currency": "USD"}));
    assert_eq!(
        due,
        json!([{"participant_id": p[0], "name": "A", "email": null, "currency": "USD",
                "owed": "500.00", "deals": [{"deal_id": deal, "title": "Cars", "balance": "500.00"}]}])
    );
    let owing = db.ok("outstanding", json!({"currency": "USD"}));
    assert_eq!(owing.as_array().unwrap().len(), 3);
    db.ok(
        "record_payout",
        json!({"participant_id": p[0], "currency": "USD", "amount": "500.00"}),
    );
    assert_eq!(db.ok("payouts_due", json!({})), json!([]));
    db.refused("validation", "payouts_due", json!({"currency": "XX"}));
}

/// Issue 15: what the window shows comes with the data: the participant's
/// name and what a booking costs at the price now, when a deal ended, the
/// deals a debt comes from, and a short participant search.
#[test]
fn bookings_and_deals_carry_what_the_window_shows() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let p: Vec<i64> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|n| db.add(n))
        .collect();
    db.book(deal, p[0], "model #1", 1);
    for &x in &p[1..4] {
        db.book(deal, x, "model #5", 1);
    }
    let e = db.book(deal, p[4], "model #5", 1)["booking"]["id"].clone();
    db.ok("cancel_booking", json!({ "booking_id": e }));
    let list = db.ok("list_bookings", json!({ "deal_id": deal }));
    // Tier 1: B was charged the base price and will pay the tier's.
    assert_eq!(list[1]["participant_name"], "B");
    assert_eq!(list[1]["charged"], "25000.00");
    assert_eq!(list[1]["current_total"], "24800.00");
    assert_eq!(list[4]["status"], "cancelled");
    assert_eq!(list[4]["current_total"], "0.00");
    assert_eq!(
        db.ok("get_deal", json!({ "deal_id": deal }))["ended_at"],
        Value::Null
    );
    let s = db.ok("end_deal", json!({ "deal_id": deal }));
    let d = db.ok("get_deal", json!({ "deal_id": deal }));
    assert_eq!(d["ended_at"], "2026-11-23T10:00:00Z", "{s}");
    let owing = db.ok("outstanding", json!({"currency": "USD"}));
    // A owes the most for the longest; each debt names the deal to link to.
    assert_eq!(owing[0]["name"], "A");
    assert_eq!(
        owing[0]["deals"],
        json!([{"deal_id": deal, "title": "Cars", "balance": "-29500.00"}])
    );
    let first_two = db.ok("list_participants", json!({"limit": 2}));
    assert_eq!(first_two.as_array().unwrap().len(), 2);
    assert_eq!(first_two[0]["name"], "A");
    db.refused("validation", "list_participants", json!({"limit": 0}));
}

/// Issue 15: the demo on an empty database has something for every screen.
#[test]
fn the_demo_fills_every_screen() {
    let mut db = Db::new();
    let now = db.now;
    assert!(bookrun::demo::seed_if_empty(&mut db.conn, now)
        .unwrap()
        .is_some());
    let deals = db.ok("list_deals", json!({}));
    let shape: Vec<(String, i64)> = deals
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["status"].as_str().unwrap().to_string(),
                d["level"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("open".into(), 1),
            ("open".into(), 0),
            ("settled".into(), 1),
            ("draft".into(), -1)
        ]
    );
    // The open deal one unit short of its tier, where one more saves money.
    assert_eq!(deals[1]["next_tier"]["missing"], 1);
    assert_eq!(deals[1]["buy_more"]["saving"], "2.00");
    assert!(
        !db.ok("check_tiers", json!({"deal_id": deals[1]["id"]}))["items"][0]["losses"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Money both ways.
    assert_eq!(db.ok("payouts_due", json!({}))[0]["owed"], "3.00");
    assert!(!db
        .ok("outstanding", json!({}))
        .as_array()
        .unwrap()
        .is_empty());
    db.assert_invariants();
    assert!(bookrun::demo::seed_if_empty(&mut db.conn, now)
        .unwrap()
        .is_none());
}

/// Issue 15: the settlement says what each participant still owes or is
/// owed, not "due 0.00" for someone who paid nothing (SPEC example 1).
#[test]
fn settlement_lines_say_who_owes_and_who_is_owed() {
    let mut db = Db::new();
    let deal = db.open(cars(json!({"mode": "full"})));
    let p: Vec<i64> = ["A", "B", "C", "D"].iter().map(|n| db.add(n)).collect();
    db.book(deal, p[0], "model #1", 1);
    for &x in &p[1..] {
        db.book(deal, x, "model #5", 1);
    }
    db.ok(
        "record_payment",
        json!({"participant_id": p[0], "currency": "USD", "amount": "30000.00"}),
    );
    let standing = |s: &Value| -> Vec<(String, String, String)> {
        s["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["due"].as_str().unwrap().to_string(),
                    l["owes"].as_str().unwrap().to_string(),
                    l["owed"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let want = vec![
        ("0.00".to_string(), "0.00".to_string(), "500.00".to_string()),
        ("0.00".into(), "24800.00".into(), "0.00".into()),
        ("0.00".into(), "24800.00".into(), "0.00".into()),
        ("0.00".into(), "24800.00".into(), "0.00".into()),
    ];
    // If it ended now, and once it has: the same standing.
    let before = db.ok("preview_settlement", json!({ "deal_id": deal }));
    assert_eq!(standing(&before), want);
    db.ok("end_deal", json!({ "deal_id": deal }));
    let after = db.ok("preview_settlement", json!({ "deal_id": deal }));
    assert_eq!(standing(&after), want);
    // A page of one line still knows its participant's whole standing.
    let page = db.ok(
        "preview_settlement",
        json!({"deal_id": deal, "offset": 1, "limit": 1}),
    );
    assert_eq!(page["lines"][0]["owes"], "24800.00");
}
