//! Any command name, any JSON, against a database with a demo deal: no
//! panic, no hang, and a refusal writes nothing (see `bookrun::harness`).
//!
//! File commands get their `path` inside the database's folder (only the
//! file name is kept; `bookrun::harness::sandboxed`), so exports, backups,
//! restores and imports are fuzzed too, next to the files they must never
//! replace.
//!
//! Input: the first byte picks a command of the table (or, past its end, a
//! name read up to the first newline); the rest is the JSON arguments.
#![no_main]

use bookrun::clock::{self, Time};
use bookrun::harness::{call_checked_in, Observer};
use bookrun::{demo, store, COMMANDS};
use libfuzzer_sys::fuzz_target;
use bookrun::rusqlite::Connection;
use std::sync::{Mutex, OnceLock};

struct State {
    conn: Connection,
    observer: Observer,
    now: Time,
    calls: u64,
    dir: tempfile::TempDir,
}

fn state() -> &'static Mutex<State> {
    static STATE: OnceLock<Mutex<State>> = OnceLock::new();
    STATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.db");
        let mut conn = store::open(&path).unwrap();
        // Speed only: durability is not under test here.
        conn.execute_batch("PRAGMA synchronous = OFF").unwrap();
        let now = clock::parse("now", "2026-11-23T10:00:00Z").unwrap();
        demo::seed_if_empty(&mut conn, now).unwrap();
        Mutex::new(State {
            observer: Observer::new(&path).unwrap(),
            conn,
            now,
            calls: 0,
            dir,
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let (name, json) = match COMMANDS.get(pick as usize % (COMMANDS.len() + 1)) {
        Some(c) => (c.name.to_string(), rest),
        None => {
            let cut = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let json = rest.get(cut + 1..).unwrap_or(&[]);
            (String::from_utf8_lossy(&rest[..cut]).into_owned(), json)
        }
    };
    let Ok(args) = serde_json::from_slice(json) else {
        return;
    };
    let mut s = state().lock().unwrap();
    let s = &mut *s;
    let sandbox = s.dir.path().to_path_buf();
    if let Err(bug) = call_checked_in(&mut s.conn, &s.observer, &sandbox, &name, args, s.now) {
        panic!("{bug}");
    }
    s.calls += 1;
    if s.calls % 256 == 0 {
        let broken = store::invariants::check(&mut s.conn).unwrap();
        assert!(broken.is_empty(), "invariants broken: {broken:?}");
    }
});
