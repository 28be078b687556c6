//! The demo deal a newcomer sees on an empty database: SPEC example 1's
//! "Cars", open for a week, with four participants whose bookings reached
//! tier 1, and one payment recorded.

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
    Ok(Some(deal))
}
