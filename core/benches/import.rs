//! Importing a 5,000-row sign-up sheet (issue 6: under 2 seconds), from the
//! CSV text to the committed participants and bookings, through the command
//! table as the window and the CLI call it.
//!
//!     cargo bench -p bookrun --bench import
//!
//! prints one timed run first ("import of 5000 sign-up rows: ..."), then
//! criterion's statistics over fresh databases.

use bookrun::{clock, execute, store};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ROWS: usize = 5_000;

/// A sign-up sheet of `n` rows: semicolons, a byte order mark, every row a
/// new participant (every tenth without e-mail), three items, two pickup points.
fn sheet(n: usize) -> String {
    let mut s = String::from("\u{feff}Name;E-mail;Item;Quantity;Pickup point;Note\n");
    for i in 0..n {
        let email = if i % 10 == 0 {
            String::new()
        } else {
            format!("person{i}@example.com")
        };
        let item = ["rice", "oil", "tea"][i % 3];
        let point = ["Town hall", "School", ""][i % 3];
        s.push_str(&format!(
            "Person {i};{email};{item};{};{point};row {i}\n",
            1 + i % 4
        ));
    }
    s
}

/// A fresh database with one open deal; returns it and the deal id.
fn fresh() -> (tempfile::TempDir, rusqlite::Connection, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = store::open(&dir.path().join("bench.db")).unwrap();
    let now = clock::parse("now", "2026-11-23T10:00:00Z").unwrap();
    let deal = execute(
        &mut conn,
        "create_deal",
        json!({"title": "Pantry", "currency": "EUR", "closes_at": "2026-12-01T00:00:00Z",
               "min_qty": 10, "payment": {"mode": "deposit", "percent": "20"}, "approval": "auto",
               "items": [{"name": "rice", "base_price": "12.40"}, {"name": "oil", "base_price": "8.99"},
                         {"name": "tea", "base_price": "4.10"}],
               "tiers": [{"min_qty": 500, "prices": ["11.00", "8.50", "3.90"]},
                         {"min_qty": 5000, "prices": ["10.00", "8.00", "3.50"]}],
               "pickup_points": ["Town hall", "School"]}),
        now,
    )
    .unwrap()["id"]
        .as_i64()
        .unwrap();
    execute(&mut conn, "open_deal", json!({ "deal_id": deal }), now).unwrap();
    (dir, conn, deal)
}

fn import(conn: &mut rusqlite::Connection, deal: i64, csv: &str) -> Value {
    let now = clock::parse("now", "2026-11-23T11:00:00Z").unwrap();
    execute(
        conn,
        "import_signups",
        json!({"deal_id": deal, "csv": csv}),
        now,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let csv = sheet(ROWS);
    let (_dir, mut conn, deal) = fresh();
    let start = Instant::now();
    let out = import(&mut conn, deal, &csv);
    let took = start.elapsed();
    assert_eq!(out["summary"]["rows"], ROWS);
    assert_eq!(out["summary"]["errors"], 0);
    println!(
        "import of {ROWS} sign-up rows: {took:?} (goal: under 2 s) {}",
        if took < Duration::from_secs(2) {
            "OK"
        } else {
            "TOO SLOW"
        }
    );
    let mut g = c.benchmark_group("import");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("import_signups_5000_rows", |b| {
        b.iter_batched(
            fresh,
            |(_dir, mut conn, deal)| import(&mut conn, deal, &csv),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
