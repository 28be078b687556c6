//! Copies of the database file: backups (SQLite's online backup API, so a
//! consistent snapshot even while another process writes), the automatic
//! copy taken before a migration, and restoring a backup into the live file.
//!
//! A copy is written to a temporary file next to its destination, checked,
//! synced and then renamed, so the destination is either the whole copy or
//! absent, never half a file.

use super::{check_ours, schema_version, SCHEMA_VERSION};
use crate::error::{Error, Result};
use crate::files;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a finished copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: i64,
}

/// Copies every page of `from`'s main database into `to` in one step (one
/// read snapshot of `from`; `to`'s busy handler waits for its write lock).
fn copy_pages(from: &Connection, to: &mut Connection) -> Result<()> {
    let backup = Backup::new(from, to)?;
    for _ in 0..100 {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            // Locked/busy past the busy timeout: try again shortly.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(Error::Storage(
        "the database stayed locked; the copy was not made".into(),
    ))
}

/// `PRAGMA integrity_check` of a connection: `Ok` or the problems found.
pub fn integrity(conn: &Connection) -> Result<std::result::Result<(), String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check(20)")?;
    let lines: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if lines.len() == 1 && lines[0] == "ok" {
        Ok(Ok(()))
    } else {
        Ok(Err(lines.join("; ")))
    }
}

/// Removes what SQLite may leave beside a temporary database (its journal,
/// WAL and shared memory) when dropped, on every path out, a panic included;
/// the temporary file itself is a `tempfile::TempPath`, deleted on drop too.
struct Siblings(PathBuf);

impl Drop for Siblings {
    fn drop(&mut self) {
        for suffix in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(files::with_suffix(&self.0, suffix));
        }
    }
}

/// Opens a temporary database file that `files::temp_beside` created (it
/// exists, is empty and private; a link there is not followed).
fn open_temp(path: &Path) -> Result<Connection> {
    super::connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
}

/// Writes a checked copy of `conn`'s database to `dest`: replacing an
/// existing file only with `overwrite` (else `conflict`). The copy is a
/// rollback-journal file, complete in itself, private (0600).
pub fn copy_to(conn: &Connection, dest: &Path, overwrite: bool) -> Result<Copied> {
    let tmp = files::temp_beside(dest)?.into_temp_path();
    let _siblings = Siblings(tmp.to_path_buf());
    let version = {
        let mut out = open_temp(&tmp)?;
        copy_pages(conn, &mut out)?;
        // One self-contained file: no -wal beside it.
        out.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        if let Err(problems) = integrity(&out)? {
            return Err(Error::Storage(format!(
                "the copy failed its integrity check: {problems}"
            )));
        }
        schema_version(&out)?
    };
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::Storage(format!("cannot sync {}: {e}", tmp.display())))?;
    files::persist(tmp, dest, overwrite)?;
    let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
    Ok(Copied {
        path: dest.to_path_buf(),
        bytes,
        schema_version: version,
    })
}

/// `<file>.<label>-<UTC time>.bak` next to the database, not yet taken.
pub fn sibling_name(db: &Path, label: &str) -> PathBuf {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bookrun.db".into());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let mut n = 0;
    loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let p = db.with_file_name(format!("{name}.{label}-{stamp}{suffix}.bak"));
        if !p.exists() {
            return p;
        }
        n += 1;
    }
}

/// The copy taken before migrating a database at `version`: kept beside it.
pub fn before_migration(conn: &Connection, db: &Path, version: i64) -> Result<Copied> {
    let copied = copy_to(conn, &sibling_name(db, &format!("v{version}")), false).map_err(|e| {
        Error::Storage(format!(
            "the database was not upgraded, because the copy taken before upgrading failed: {e}"
        ))
    })?;
    files::prune_copies(db, "v", files::KEEP_COPIES);
    Ok(copied)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The file the restore replaced, kept as it was.
    pub replaced_kept_at: PathBuf,
    pub schema_version: i64,
}

/// Checks a candidate backup (a private copy of it, upgraded if it is older)
/// and returns the checked copy's connection. Refusals name the `path` field.
fn checked_candidate(src: &Path, work: &Path) -> Result<Connection> {
    checked_candidate_inner(src, work).map_err(|e| match e {
        e @ (Error::Validation { .. } | Error::Invalid(_)) => e,
        e => Error::validation("path", format!("is damaged or unreadable ({e})")),
    })
}

/// `sqlite_schema` as (type, name, tbl_name, sql), in a stable order.
fn schema_rows(conn: &Connection) -> Result<Vec<[Option<String>; 4]>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name, tbl_name, sql",
    )?;
    let rows = stmt
        .query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The schema of a database freshly created at `version`.
fn fresh_schema(version: i64) -> Result<Vec<[Option<String>; 4]>> {
    let conn = Connection::open_in_memory()?;
    super::harden(&conn)?;
    for sql in super::MIGRATIONS.iter().take(version.max(0) as usize) {
        conn.execute_batch(sql)?;
    }
    schema_rows(&conn)
}

/// Refuses a schema that is not exactly the one Book & Run creates at
/// `version`, naming the first difference.
fn same_schema(conn: &Connection, version: i64) -> Result<()> {
    let have = schema_rows(conn)?;
    let want = fresh_schema(version)?;
    if have == want {
        return Ok(());
    }
    let describe = |r: &[Option<String>; 4]| {
        format!(
            "{} {}",
            r[0].as_deref().unwrap_or("?"),
            r[1].as_deref().unwrap_or("?")
        )
    };
    let extra = have.iter().find(|r| !want.contains(r));
    let missing = want.iter().find(|r| !have.contains(r));
    let what = match (extra, missing) {
        (Some(e), Some(m)) if e[1] == m[1] => format!("{} differs", describe(e)),
        (Some(e), _) => format!("{} is not Book & Run's", describe(e)),
        (None, Some(m)) => format!("{} is missing", describe(m)),
        (None, None) => "the order of its definitions differs".into(),
    };
    Err(Error::validation(
        "path",
        format!(
            "does not have the schema of a Book & Run database of version {version} ({what}); it is not restored"
        ),
    ))
}

/// Data that the schema admits but the program could not use: an item
/// position past a deal's items, a tier with a price list of another
/// length, a settlement level past the deal's tiers.
fn misfits(conn: &Connection) -> Result<Vec<String>> {
    let checks = [
        (
            "deals without items",
            "SELECT count(*) FROM deals d WHERE NOT EXISTS (SELECT 1 FROM deal_items i WHERE i.deal_id = d.id)",
        ),
        (
            "deal items out of order",
            "SELECT count(*) FROM deal_items i WHERE i.position >= (SELECT count(*) FROM deal_items j WHERE j.deal_id = i.deal_id)",
        ),
        (
            "bookings of an item the deal does not have",
            "SELECT count(*) FROM bookings b WHERE b.item < 0 OR b.item >= (SELECT count(*) FROM deal_items i WHERE i.deal_id = b.deal_id)",
        ),
        (
            "tiers whose price list does not fit the deal's items",
            "SELECT count(*) FROM deal_tiers t WHERE json_valid(t.prices) = 0 OR json_type(t.prices) <> 'array' OR json_array_length(t.prices) <> (SELECT count(*) FROM deal_items i WHERE i.deal_id = t.deal_id) OR EXISTS (SELECT 1 FROM json_each(t.prices) p WHERE p.type <> 'integer')",
        ),
        (
            "tiers out of order",
            "SELECT count(*) FROM deal_tiers t WHERE t.position > (SELECT count(*) FROM deal_tiers u WHERE u.deal_id = t.deal_id)",
        ),
        (
            "settlements at a level the deal does not have",
            "SELECT count(*) FROM settlements s WHERE s.level < -1 OR s.level > (SELECT count(*) FROM deal_tiers t WHERE t.deal_id = s.deal_id)",
        ),
    ];
    let mut found = vec![];
    for (what, sql) in checks {
        let n: i64 = conn.query_row(sql, [], |r| r.get(0))?;
        if n > 0 {
            found.push(format!("{n} {what}"));
        }
    }
    Ok(found)
}

fn broken_references(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?,
    )
}

fn checked_candidate_inner(src: &Path, work: &Path) -> Result<Connection> {
    let refuse = |why: String| Error::validation("path", why);
    {
        let probe = super::connect(
            src,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| refuse(format!("cannot be opened ({e})")))?;
        // Copy through the backup API: a -wal beside the file is included.
        let mut out = open_temp(work)?;
        copy_pages(&probe, &mut out)
            .map_err(|e| refuse(format!("cannot be read as a Book & Run backup: {e}")))?;
    }
    let conn = open_temp(work)?;
    let unreadable = |e: Error| refuse(format!("is not an SQLite database ({e})"));
    let version = schema_version(&conn).map_err(unreadable)?;
    check_ours(&conn, version, SCHEMA_VERSION).map_err(|e| refuse(e.to_string()))?;
    if version == 0 {
        return Err(refuse(
            "is an empty database, not a Book & Run backup".into(),
        ));
    }
    if let Err(problems) = integrity(&conn).map_err(|e| refuse(format!("is damaged ({e})")))? {
        return Err(refuse(format!("failed the integrity check: {problems}")));
    }
    // Exactly our schema at its version: no trigger, view, table, index or
    // CHECK of its own, none of ours missing.
    same_schema(&conn, version)?;
    let fk = broken_references(&conn)?;
    if fk > 0 {
        return Err(refuse(format!("has {fk} row(s) pointing at missing rows")));
    }
    drop(conn);
    // Bring an older backup up to this version, then check it again.
    let mut conn = super::open_unbacked(work).map_err(|e| refuse(e.to_string()))?;
    if version < SCHEMA_VERSION {
        same_schema(&conn, SCHEMA_VERSION)?;
    }
    let fk = broken_references(&conn)?;
    if fk > 0 {
        return Err(refuse(format!("has {fk} row(s) pointing at missing rows")));
    }
    let misfit = misfits(&conn)?;
    if !misfit.is_empty() {
        return Err(refuse(format!(
            "holds data Book & Run cannot use: {}",
            misfit.join("; ")
        )));
    }
    let broken = super::invariants::check(&mut conn)?;
    if !broken.is_empty() {
        return Err(refuse(format!(
            "has an inconsistent ledger: {}",
            broken.join("; ")
        )));
    }
    Ok(conn)
}

/// Replaces the live database of `conn` (at `db`) with the backup at `src`,
/// after checking the backup's schema, integrity and ledger. The replaced
/// content is first copied to a kept file beside the database (the newest
/// `files::KEEP_COPIES` are kept). Nothing changes on refusal, and no work
/// file is left behind.
pub fn restore(conn: &mut Connection, db: &Path, src: &Path) -> Result<Restored> {
    match std::fs::metadata(src) {
        Ok(m) if m.is_file() => {}
        Ok(_) => {
            return Err(Error::validation(
                "path",
                format!(
                    "{} is not a regular file; choose a backup file",
                    src.display()
                ),
            ))
        }
        Err(_) => {
            return Err(Error::validation(
                "path",
                format!("no file at {}", src.display()),
            ))
        }
    }
    let live_file = ["", "-wal", "-shm", "-journal"]
        .iter()
        .any(|s| same_file(src, &files::with_suffix(db, s)));
    if live_file {
        return Err(Error::validation(
            "path",
            "is the database in use (or its journal); choose a backup file",
        ));
    }
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = match db.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let work = tempfile::Builder::new()
        .prefix(&format!(".{name}.restore-"))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| {
            Error::Storage(format!(
                "cannot create a work file in {}: {e}",
                dir.display()
            ))
        })?
        .into_temp_path();
    let _siblings = Siblings(work.to_path_buf());
    let candidate = checked_candidate(src, &work)?;
    let kept = copy_to(conn, &sibling_name(db, "replaced"), false)?;
    copy_pages(&candidate, conn)?;
    drop(candidate);
    files::prune_copies(db, "replaced-", files::KEEP_COPIES);
    Ok(Restored {
        replaced_kept_at: kept.path,
        schema_version: schema_version(conn)?,
    })
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
