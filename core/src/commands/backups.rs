//! `backup` and `restore`: commands on the whole file rather than inside one
//! transaction, so they get the connection itself (see `api::Handler`).

use crate::args::Args;
use crate::clock::Time;
use crate::error::{Error, Result};
use crate::report;
use crate::store::backup;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The longest path accepted (Linux's PATH_MAX).
const MAX_PATH: usize = 4096;

fn path_arg(args: &mut Args) -> Result<String> {
    let p = args.req_str("path")?;
    if p.trim().is_empty() {
        return Err(Error::validation("path", "must not be empty"));
    }
    if p.len() > MAX_PATH || p.contains('\0') {
        return Err(Error::validation(
            "path",
            format!("must be a file path of at most {MAX_PATH} bytes without NUL"),
        ));
    }
    Ok(p)
}

fn live_path(conn: &Connection) -> Result<PathBuf> {
    conn.path()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| Error::Storage("the database has no file (in memory)".into()))
}

fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Copies the whole database, as it is now, to a new file at `path`.
pub fn backup(conn: &mut Connection, args: &mut Args, _now: Time) -> Result<Value> {
    let dest = path_arg(args)?;
    args.finish()?;
    // The exports' rules: a file name, in a folder that exists.
    let dest = report::check_path("path", &dest)?;
    if dest.exists() {
        return Err(Error::validation(
            "path",
            format!(
                "a file already exists at {}; choose a new name",
                dest.display()
            ),
        ));
    }
    let copied = backup::copy_to(conn, &dest)?;
    Ok(json!({
        "path": display(&copied.path),
        "bytes": copied.bytes,
        "schema_version": copied.schema_version,
    }))
}

/// Replaces the database with the backup at `path`, after checking it; the
/// replaced database is kept in a file beside it.
pub fn restore(conn: &mut Connection, args: &mut Args, _now: Time) -> Result<Value> {
    let src = PathBuf::from(path_arg(args)?);
    args.finish()?;
    let db = live_path(conn)?;
    let done = backup::restore(conn, &db, &src)?;
    Ok(json!({
        "restored_from": display(&src),
        "replaced_kept_at": display(&done.replaced_kept_at),
        "schema_version": done.schema_version,
    }))
}
