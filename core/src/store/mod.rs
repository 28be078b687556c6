//! The SQLite store: one file, WAL, `synchronous=FULL`, foreign keys on,
//! STRICT tables, migrations applied all-or-nothing, and a refusal to open a
//! database written by a newer Book & Run.

pub mod invariants;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The migrations, in order; a database's `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/001_initial.sql")];

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
/// up to date.
pub fn open(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::Storage(format!("cannot create the folder {}: {e}", dir.display()))
        })?;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let mut conn = Connection::open_with_flags(path, flags)
        .map_err(|e| Error::Storage(format!("cannot open the database {}: {e}", path.display())))?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// The settings every connection needs.
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
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
         PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -65536;",
    )?;
    Ok(())
}

/// The schema version recorded in the file.
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Applies every pending migration in one IMMEDIATE transaction: all or
/// nothing. Refuses a database newer than this binary, or not ours.
fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version = schema_version(&tx)?;
    let app_id: i64 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::Storage(format!(
            "the database has schema version {version}, newer than this Book & Run understands ({SCHEMA_VERSION}); upgrade Book & Run to open it"
        )));
    }
    if version == 0 {
        let tables: i64 = tx.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(Error::Storage(
                "the file is an SQLite database of another program, not of Book & Run".into(),
            ));
        }
    } else if app_id != APPLICATION_ID {
        return Err(Error::Storage(
            "the file is an SQLite database of another program, not of Book & Run".into(),
        ));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    for sql in &MIGRATIONS[version as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.execute_batch(&format!(
        "PRAGMA user_version = {SCHEMA_VERSION}; PRAGMA application_id = {APPLICATION_ID};"
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
}
