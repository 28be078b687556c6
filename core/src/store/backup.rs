//! Copies of the database file: backups (SQLite's online backup API, so a
//! consistent snapshot even while another process writes), the automatic
//! copy taken before a migration, and restoring a backup into the live file.
//!
//! A copy is written to a temporary file next to its destination, checked,
//! synced and then renamed, so the destination is either the whole copy or
//! absent, never half a file.

use super::{check_ours, schema_version, SCHEMA_VERSION};
use crate::error::{Error, Result};
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

/// A sibling temporary name for `dest`, hidden, unique to this process.
fn partial_name(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dest.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

fn sync_dir(dir: &Path) {
    // Makes the rename durable; a failure here (some file systems refuse to
    // open a folder) does not undo the copy, which is already synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn remove_partial(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// Writes a checked copy of `conn`'s database to `dest` (which must not
/// exist). The copy is a rollback-journal file, complete in itself.
pub fn copy_to(conn: &Connection, dest: &Path) -> Result<Copied> {
    let partial = partial_name(dest);
    remove_partial(&partial);
    let result = (|| {
        let mut out = Connection::open(&partial)
            .map_err(|e| Error::Storage(format!("cannot create {}: {e}", partial.display())))?;
        copy_pages(conn, &mut out)?;
        // One self-contained file: no -wal beside it.
        out.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        if let Err(problems) = integrity(&out)? {
            return Err(Error::Storage(format!(
                "the copy failed its integrity check: {problems}"
            )));
        }
        let version = schema_version(&out)?;
        drop(out);
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::Storage(format!("cannot sync {}: {e}", partial.display())))?;
        if dest.exists() {
            return Err(Error::validation(
                "path",
                format!("a file already exists at {}", dest.display()),
            ));
        }
        std::fs::rename(&partial, dest)
            .map_err(|e| Error::Storage(format!("cannot write {}: {e}", dest.display())))?;
        if let Some(dir) = dest.parent() {
            sync_dir(dir);
        }
        let bytes = std::fs::metadata(dest).map(|m| m.len()).unwrap_or(0);
        Ok(Copied {
            path: dest.to_path_buf(),
            bytes,
            schema_version: version,
        })
    })();
    remove_partial(&partial);
    result
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
    copy_to(conn, &sibling_name(db, &format!("v{version}"))).map_err(|e| {
        Error::Storage(format!(
            "the database was not upgraded, because the copy taken before upgrading failed: {e}"
        ))
    })
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
        e @ Error::Validation { .. } => e,
        e => Error::validation("path", format!("is damaged or unreadable ({e})")),
    })
}

fn checked_candidate_inner(src: &Path, work: &Path) -> Result<Connection> {
    let refuse = |why: String| Error::validation("path", why);
    {
        let probe = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| refuse(format!("cannot be opened ({e})")))?;
        // Copy through the backup API: a -wal beside the file is included.
        let mut out = Connection::open(work)?;
        copy_pages(&probe, &mut out)
            .map_err(|e| refuse(format!("cannot be read as a Book & Run backup: {e}")))?;
    }
    let conn = Connection::open(work)?;
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
    drop(conn);
    // Bring an older backup up to this version, then check its ledger.
    let mut conn = super::open_unbacked(work).map_err(|e| refuse(e.to_string()))?;
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })?;
    if fk > 0 {
        return Err(refuse(format!("has {fk} row(s) pointing at missing rows")));
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
/// after checking the backup's integrity and ledger. The replaced content is
/// first copied to a kept file beside the database. Nothing changes on refusal.
pub fn restore(conn: &mut Connection, db: &Path, src: &Path) -> Result<Restored> {
    if !src.is_file() {
        return Err(Error::validation(
            "path",
            format!("no file at {}", src.display()),
        ));
    }
    if same_file(src, db) {
        return Err(Error::validation(
            "path",
            "is the database in use; choose a backup file",
        ));
    }
    let work = partial_name(&db.with_file_name(format!(
        "{}.restore",
        db.file_name().unwrap_or_default().to_string_lossy()
    )));
    remove_partial(&work);
    let result = (|| {
        let candidate = checked_candidate(src, &work)?;
        let kept = copy_to(conn, &sibling_name(db, "replaced"))?;
        copy_pages(&candidate, conn)?;
        Ok(Restored {
            replaced_kept_at: kept.path,
            schema_version: schema_version(conn)?,
        })
    })();
    remove_partial(&work);
    result
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
