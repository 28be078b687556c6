//! The demo a newcomer sees on an empty database, so every screen has
//! something to show: SPEC example 1's "Cars", open for a week, with four
//! participants whose bookings reached tier 1 and one payment recorded; an
//! open deal one unit short of its first tier (where buying one more costs
//! the group less, and the merchant's costs show a loss range); a settled
//! deal with a payment, a debt and a refund to pay out; and a draft.

use crate::api::execute;
use crate::clock::{self, Time};
use crate::error::Result;
use rusqlite::Connection;
use serde_json::json;

/// Creates the demo deal if the database has no deal at all. Returns its id.
pub fn seed_if_empty(conn: &mut Connection, now: Time) -> Result<Option<i64>> {
    let deals: i64 = conn.query_row("SELECT count(*) FROM deals", [], |r| r.get(0))?;
    if deals > 0 {
        return Ok(None);
    }
    let closes = clock::format(now + chrono::Duration::days(7));
    let deal = execute(
        conn,
        "create_deal",
        json!({
            "title": "Cars", "currency": "USD", "closes_at": closes, "min_qty": 3,
            "merchant": "Riverside Motors",
            "description": "Group purchase of city cars: the more we buy, the less each pays.",
            "payment": {"mode": "full"}, "approval": "auto",
            "items": [{"name": "model #1", "base_price": "30000.00"},
                      {"name": "model #5", "base_price": "25000.00"}],
            "tiers": [{"min_qty": 4, "prices": ["29500.00", "24800.00"], "reward": "Free winter tyres"}],
            "pickup_points": ["Riverside Motors showroom"]
        }),
        now,
    )?["id"]
        .as_i64()
        .expect("deal id");
    execute(conn, "open_deal", json!({ "deal_id": deal }), now)?;
    let people = [
        ("Ann Archer", "ann@example.org", "model #1"),
        ("Ben Brook", "ben@example.org", "model #5"),
        ("Cleo Cruz", "cleo@example.org", "model #5"),
        ("Dev Dalton", "dev@example.org", "model #5"),
    ];
    for (i, (name, email, item)) in people.iter().enumerate() {
        let p = execute(
            conn,
            "add_participant",
            json!({"name": name, "email": email}),
            now,
        )?["id"]
            .as_i64()
            .expect("participant id");
        execute(
            conn,
            "book",
            json!({"deal_id": deal, "participant_id": p, "item": item, "quantity": 1,
                   "pickup_point": "Riverside Motors showroom"}),
            now,
        )?;
        if i == 0 {
            execute(
                conn,
                "record_payment",
                json!({"participant_id": p, "currency": "USD", "amount": "30000.00",
                       "method": "bank transfer", "deal_id": deal}),
                now,
            )?;
        }
    }
    more_deals(conn, now)?;
    Ok(Some(deal))
}

/// Runs a command of the demo and returns the id it answers.
fn id_of(conn: &mut Connection, name: &str, args: serde_json::Value, now: Time) -> Result<i64> {
    Ok(execute(conn, name, args, now)?["id"]
        .as_i64()
        .unwrap_or_default())
}

/// The honey deal (open, one jar short of tier 1), the coffee deal
/// (settled: one paid, one owing, one owed a refund) and a helmet draft.
fn more_deals(conn: &mut Connection, now: Time) -> Result<()> {
    let closes = clock::format(now + chrono::Duration::days(10));
    let honey = id_of(
        conn,
        "create_deal",
        json!({
            "title": "Honey from the Lind farm", "currency": "EUR", "closes_at": closes,
            "min_qty": 6, "merchant": "Lind farm", "payment": {"mode": "full"}, "approval": "auto",
            "items": [{"name": "Jar 500 g", "base_price": "8.00",
                       "cost": {"unit": "7.20", "packs": [{"size": 12, "price": "78.00"}]}}],
            "tiers": [{"min_qty": 10, "prices": ["7.00"]}, {"min_qty": 24, "prices": ["6.50"]}],
        }),
        now,
    )?;
    execute(conn, "open_deal", json!({ "deal_id": honey }), now)?;
    for (name, qty) in [("Eva Eng", 4), ("Finn Frost", 3), ("Gus Green", 2)] {
        let p = id_of(conn, "add_participant", json!({ "name": name }), now)?;
        execute(
            conn,
            "book",
            json!({"deal_id": honey, "participant_id": p, "item": "Jar 500 g", "quantity": qty}),
            now,
        )?;
    }
    let coffee = id_of(
        conn,
        "create_deal",
        json!({
            "title": "Coffee beans", "currency": "EUR", "closes_at": closes, "min_qty": 3,
            "merchant": "Roastery Nord", "payment": {"mode": "deposit", "percent": "20"},
            "approval": "auto",
            "items": [{"name": "1 kg bag", "base_price": "24.00"}],
            "tiers": [{"min_qty": 5, "prices": ["21.00"]}],
        }),
        now,
    )?;
    execute(conn, "open_deal", json!({ "deal_id": coffee }), now)?;
    let mut people = vec![];
    for (name, qty) in [("Hana Holm", 2), ("Ivo Ilic", 2), ("Jo Jensen", 1)] {
        let p = id_of(conn, "add_participant", json!({ "name": name }), now)?;
        execute(
            conn,
            "book",
            json!({"deal_id": coffee, "participant_id": p, "item": "1 kg bag", "quantity": qty}),
            now,
        )?;
        people.push(p);
    }
    // Hana paid everything up front, Jo more than his share: after the
    // settlement Hana is square, Ivo owes the rest, Jo is owed a refund.
    execute(
        conn,
        "record_payment",
        json!({"participant_id": people[0], "currency": "EUR", "amount": "42.00",
               "method": "cash", "deal_id": coffee}),
        now,
    )?;
    execute(
        conn,
        "record_payment",
        json!({"participant_id": people[2], "currency": "EUR", "amount": "24.00",
               "method": "bank transfer", "deal_id": coffee}),
        now,
    )?;
    execute(conn, "end_deal", json!({ "deal_id": coffee }), now)?;
    execute(
        conn,
        "create_deal",
        json!({
            "title": "Bike helmets", "currency": "EUR", "closes_at": closes, "min_qty": 5,
            "payment": {"mode": "full"}, "approval": "manual",
            "items": [{"name": "Helmet M", "base_price": "45.00"},
                      {"name": "Helmet L", "base_price": "45.00"}],
            "tiers": [{"min_qty": 10, "prices": ["39.00", "39.00"]}],
        }),
        now,
    )?;
    Ok(())
}
