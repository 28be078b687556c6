//! The SQLite store: one file, WAL, `synchronous=FULL`, foreign keys on,
//! STRICT tables, migrations applied all-or-nothing, and a refusal to open a
//! database written by a newer Book & Run.

pub mod backup;
pub mod bank_rows;
pub mod bookings;
pub mod credit_limits;
pub mod deals;
pub mod deliveries;
pub mod entries;
pub mod events;
pub mod invariants;
pub mod participants;
pub mod pickups;
pub mod reports;
pub mod reputation_events;
pub mod rows;
pub mod settlements;

use crate::error::{Error, Result};
use crate::files;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The migrations, in order; a database's `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/001_initial.sql"),
    include_str!("../../migrations/002_toolbox.sql"),
    include_str!("../../migrations/003_economics.sql"),
    include_str!("../../migrations/004_deliveries.sql"),
    include_str!("../../migrations/005_indexes.sql"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// `application_id` stamped on our files ("BkRn"), to recognise foreign ones.
const APPLICATION_ID: i64 = 0x426b_526e;

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The identifier of the desktop app; its data folder holds the database.
pub const APP_IDENTIFIER: &str = "org.bookrun.desktop";

/// The database both the window and the CLI use by default: `BOOKRUN_DB`,
/// else `bookrun.db` in the platform's app-data folder for the identifier
/// (on Linux `~/.local/share/org.bookrun.desktop/bookrun.db`).
pub fn default_path() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("BOOKRUN_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER).join("bookrun.db"))
        .ok_or_else(|| Error::Storage("no app-data folder on this system; pass --db PATH".into()))
}

/// Opens (creating if needed) the database at `path` and brings its schema
/// up to date, after copying an older database aside (see `backup`).
pub fn open(path: &Path) -> Result<Connection> {
    open_with(path, MIGRATIONS, true)
}

/// `open` without the copy before migrating: for private working copies.
pub(crate) fn open_unbacked(path: &Path) -> Result<Connection> {
    open_with(path, MIGRATIONS, false)
}

fn open_with(path: &Path, migrations: &[&str], backup_first: bool) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // A folder the app creates is private (0700 on Unix).
        files::create_private_dir(dir).map_err(|e| {
            Error::Storage(format!("cannot create the folder {}: {e}", dir.display()))
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = connect(path, flags)?;
    // The database and the WAL and shared memory SQLite creates beside it
    // (with the database's mode) are private: 0600 on Unix.
    files::make_private(path);
    // Refuse a newer or foreign file before anything (WAL included) touches it.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let version = schema_version(&conn)
        .map_err(|e| Error::Storage(format!("cannot read {}: {e}", path.display())))?;
    check_ours(&conn, version, migrations.len() as i64)?;
    configure(&conn)?;
    for suffix in ["-wal", "-shm"] {
        files::make_private(&files::with_suffix(path, suffix));
    }
    migrate(&mut conn, migrations, backup_first.then_some(path))?;
    Ok(conn)
}

/// Opens an SQLite connection with the guards every connection of the app
/// gets before its first statement: `SQLITE_DBCONFIG_DEFENSIVE` (no writing
/// the schema by hand, no corrupting pragmas) and `trusted_schema = OFF` (a
/// file's own views and triggers cannot call functions with side effects).
pub(crate) fn connect(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::Storage(format!("cannot open the database {}: {e}", path.display())))?;
    harden(&conn)?;
    Ok(conn)
}

/// The guards of `connect`, for a connection opened elsewhere.
pub fn harden(conn: &Connection) -> Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.execute_batch("PRAGMA trusted_schema = OFF")?;
    Ok(())
}

/// WAL pages after which a commit checkpoints by itself. Checkpoints are
/// kept off the command path (a commit that crosses SQLite's default of
/// 1,000 pages copies them into the file and syncs it, 20-35 ms here): the
/// window's background task and the CLI, after it has answered, run
/// [`checkpoint`]. This bound (about 40 MB of 4 KiB pages) only catches a
/// process that never checkpoints, so the WAL stays bounded.
pub const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// A passive checkpoint: copies what it can of the WAL into the database
/// without waiting for readers or writers. Returns `(wal pages, pages
/// checkpointed)`.
pub fn checkpoint(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get(1)?, r.get(2)?))
    })?)
}

/// Opens a second connection to an open database, for a background
/// checkpoint (not the command connection, so a command never waits for it).
pub fn open_checkpointer(path: &Path) -> Result<Connection> {
    let conn = connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// The settings every connection needs.
fn configure(conn: &Connection) -> Result<()> {
    // journal_mode answers with a row; a read-only or foreign file fails here.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Storage(format!(
            "the database could not switch to WAL mode (it is in {mode} mode)"
        )));
    }
    // A 64 MiB page cache (SQLite's default is 2 MiB): pages are allocated
    // as they are read, and a large deal's settlement or a year of ledger
    // stays in memory instead of being read again from the file.
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -65536;",
    )?;
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)?;
    Ok(())
}

/// The schema version recorded in the file.
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a database newer than `target` (written by a newer Book & Run) or
/// of another program, without touching it.
pub(crate) fn check_ours(conn: &Connection, version: i64, target: i64) -> Result<()> {
    if version < 0 {
        return Err(Error::Storage(format!(
            "the file has schema version {version}, which no Book & Run ever wrote"
        )));
    }
    if version > target {
        return Err(Error::Storage(format!(
            "the database has schema version {version}, newer than this Book & Run understands ({target}); upgrade Book & Run to open it"
        )));
    }
    let foreign = if version == 0 {
        conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get::<_, i64>(0),
        )? > 0
    } else {
        conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i64>(0))? != APPLICATION_ID
    };
    if foreign {
        return Err(Error::Storage(
            "the file is an SQLite database of another program, not of Book & Run".into(),
        ));
    }
    Ok(())
}

/// Applies every pending migration in one IMMEDIATE transaction: all or
/// nothing. A database that already has data (version > 0) is first copied
/// beside itself when `backup_at` names its file; without that copy the
/// upgrade does not start.
///
/// Foreign keys are off while migrations run (a migration may rebuild a
/// table, which SQLite allows only that way; `PRAGMA foreign_keys` cannot
/// change inside a transaction) and `PRAGMA foreign_key_check` must find
/// nothing before the migrations commit.
fn migrate(conn: &mut Connection, migrations: &[&str], backup_at: Option<&Path>) -> Result<()> {
    let target = migrations.len() as i64;
    let version = schema_version(conn)?;
    if version == target {
        return Ok(());
    }
    if let (Some(path), true) = (backup_at, version > 0) {
        backup::before_migration(conn, path, version)?;
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let result = migrate_locked(conn, migrations);
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    result
}

fn migrate_locked(conn: &mut Connection, migrations: &[&str]) -> Result<()> {
    let target = migrations.len() as i64;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated while we waited for the lock.
    let version = schema_version(&tx)?;
    check_ours(&tx, version, target)?;
    if version == target {
        return Ok(());
    }
    for sql in &migrations[version as usize..] {
        tx.execute_batch(sql)?;
    }
    let broken: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if broken > 0 {
        return Err(Error::Storage(format!(
            "the schema upgrade would break {broken} references between rows; the database was left as it was"
        )));
    }
    tx.execute_batch(&format!(
        "PRAGMA user_version = {target}; PRAGMA application_id = {APPLICATION_ID};"
    ))?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_reopens_at_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/b.db");
        let conn = open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!((fk, sync), (1, 2));
        drop(conn);
        open(&path).unwrap();
    }

    #[test]
    fn refuses_a_newer_database_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let e = open(&path).unwrap_err();
        assert_eq!(e.code(), "storage");
        assert!(e.to_string().contains("newer"), "{e}");
        let c = Connection::open(&path).unwrap();
        assert_eq!(schema_version(&c).unwrap(), 99);
    }

    #[test]
    fn refuses_a_negative_schema_version_without_panicking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        open(&path)
            .unwrap()
            .execute_batch("PRAGMA user_version = -1")
            .unwrap();
        let e = open(&path).unwrap_err();
        assert_eq!(e.code(), "storage");
        assert!(e.to_string().contains("-1"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_the_database_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/b.db");
        let conn = open(&path).unwrap();
        conn.execute_batch("CREATE TEMP TABLE t (x); INSERT INTO participants (name, created_at) VALUES ('A', 'x')")
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&files::with_suffix(&path, "-wal")), 0o600);
    }

    #[test]
    fn refuses_a_foreign_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert!(open(&path)
            .unwrap_err()
            .to_string()
            .contains("another program"));
    }

    #[test]
    fn a_failing_migration_leaves_nothing_behind() {
        let mut conn = Connection::open_in_memory().unwrap();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        let r = tx.execute_batch(&format!("{}\nCREATE TABLE deals (x);", MIGRATIONS[0]));
        assert!(r.is_err());
        drop(tx);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    fn backups_beside(path: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "bak"))
            .collect();
        v.sort();
        v
    }

    const V2: &str = "CREATE TABLE extra (id INTEGER PRIMARY KEY) STRICT;";

    #[test]
    fn copies_an_older_database_aside_before_upgrading_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        let conn = open_with(&path, &MIGRATIONS[..1], true).unwrap();
        conn.execute(
            "INSERT INTO participants (name, created_at) VALUES ('Ann', '2026-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
        drop(conn);
        // A fresh database is created without any copy.
        assert!(backups_beside(&path).is_empty());
        let conn = open_with(&path, &[MIGRATIONS[0], V2], true).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 2);
        let baks = backups_beside(&path);
        assert_eq!(baks.len(), 1, "{baks:?}");
        let name = baks[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("b.db.v1-"), "{name}");
        let copy = Connection::open(&baks[0]).unwrap();
        assert_eq!(schema_version(&copy).unwrap(), 1);
        let who: String = copy
            .query_row("SELECT name FROM participants", [], |r| r.get(0))
            .unwrap();
        assert_eq!(who, "Ann");
        // Reopening at the new version copies nothing more.
        drop(conn);
        open_with(&path, &[MIGRATIONS[0], V2], true).unwrap();
        assert_eq!(backups_beside(&path).len(), 1);
    }

    #[test]
    fn a_failing_upgrade_leaves_the_old_version_and_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        open_with(&path, &MIGRATIONS[..1], true)
            .unwrap()
            .execute(
                "INSERT INTO participants (name, created_at) VALUES ('Ann', '2026-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
        let bad = "CREATE TABLE extra (id INTEGER PRIMARY KEY) STRICT; DELETE FROM participants; CREATE TABLE deals (x);";
        assert!(open_with(&path, &[MIGRATIONS[0], bad], true).is_err());
        let conn = open_with(&path, &MIGRATIONS[..1], true).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 1);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM participants", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        let extra: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'extra'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(extra, 0);
    }

    #[test]
    fn a_newer_database_is_refused_byte_for_byte_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.db");
        let conn = open(&path).unwrap();
        conn.execute_batch("PRAGMA user_version = 7; PRAGMA journal_mode = DELETE;")
            .unwrap();
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let e = open(&path).unwrap_err();
        assert!(e.to_string().contains("schema version 7, newer"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("b.db-wal").exists());
        assert!(backups_beside(&path).is_empty());
    }

    fn schema(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
            .unwrap()
            .query_map([], |r| {
                Ok(format!(
                    "{} {} {:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?
                ))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn a_version_1_database_with_bookings_and_entries_upgrades_to_the_fresh_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.execute_batch(&format!(
                "PRAGMA user_version = 1; PRAGMA application_id = {APPLICATION_ID};
                 INSERT INTO deals (id, title, currency, closes_at, closes_at_ms, payment_mode,
                     min_qty, approval, status, approved_qty, created_at, updated_at)
                 VALUES (1, 'Cars', 'USD', '2026-12-01T00:00:00Z', 0, 'full', 1, 'auto', 'open',
                     1, 'x', 'x');
                 INSERT INTO participants (id, name, created_at) VALUES (1, 'A', 'x');
                 INSERT INTO bookings (id, deal_id, participant_id, item, quantity, status,
                     created_at, updated_at) VALUES (7, 1, 1, 0, 1, 'approved', 'x', 'x');
                 INSERT INTO entries (kind, participant_id, counterparty, deal_id, booking_id,
                     currency, amount, signed, created_at)
                 VALUES ('purchase', 1, 'organizer', 1, 7, 'USD', 100, -100, 'x');"
            ))
            .unwrap();
        }
        let conn = open(&path).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let (status, collected): (String, Option<String>) = conn
            .query_row(
                "SELECT status, collected_at FROM bookings WHERE id = 7",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((status.as_str(), collected), ("approved", None));
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        // The entry still references the booking through the rebuilt table.
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM entries e JOIN bookings b ON b.id = e.booking_id",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
        let fresh = open(&dir.path().join("fresh.db")).unwrap();
        assert_eq!(schema(&conn), schema(&fresh));
    }
}
