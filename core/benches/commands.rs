//! Criterion benchmarks of single commands through `bookrun::execute`, on a
//! generated database (the smoke size; `BENCH_FULL=1` for issue 5's 100,000
//! bookings and 1,000,000 entries). `bench/run` runs them; the percentiles
//! of the figures come from `benches/figures.rs`.

mod support;

use bookrun::{clock, execute, store};
use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use support::{Rng, Scale};

fn commands(c: &mut Criterion) {
    let scale = if std::env::var_os("BENCH_FULL").is_some() {
        Scale::FULL
    } else {
        Scale::SMOKE
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    drop(support::latency_db(&db, scale));
    let mut conn = store::open(&db).unwrap();
    let now = clock::parse("now", support::NOW).unwrap();
    let mut rng = Rng::new(3);
    let mut run = |name: &str, args: serde_json::Value| {
        execute(&mut conn, name, args, now).unwrap();
    };
    c.bench_function("get_deal", |b| {
        b.iter(|| run("get_deal", json!({"deal_id": rng.below(scale.deals) + 1})))
    });
    c.bench_function("statement", |b| {
        b.iter(|| {
            let p = rng.below(scale.participants) + 1;
            run("statement", json!({"participant_id": p, "currency": "USD"}))
        })
    });
    c.bench_function("balances", |b| {
        b.iter(|| run("balances", json!({"currency": "USD"})))
    });
    c.bench_function("list_bookings_page", |b| {
        b.iter(|| {
            let d = rng.below(scale.deals) + 1;
            run(
                "list_bookings",
                json!({"deal_id": d, "limit": 50, "offset": 0}),
            )
        })
    });
    c.bench_function("book", |b| {
        b.iter(|| {
            let d = 2 * rng.below(scale.deals / 2) + 1;
            let p = rng.below(scale.participants) + 1;
            run(
                "book",
                json!({"deal_id": d, "participant_id": p, "item": "Item A", "quantity": 1}),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = commands
}
criterion_main!(benches);
