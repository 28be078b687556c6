//! `backup` and `restore`: commands on the whole file rather than inside one
//! transaction, so they get the connection itself (see `api::Handler`).

use crate::args::Args;
use crate::clock::Time;
use crate::error::{Error, Result};
use crate::files;
use crate::store::backup;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn path_arg(args: &mut Args) -> Result<String> {
    let p = args.req_str("path")?;
    files::check_path_text(&args.field("path"), &p)?;
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

/// Copies the whole database, as it is now, to a file at `path`: never one
/// of the database's own files; an existing file only with `overwrite`.
pub fn backup(conn: &mut Connection, args: &mut Args, _now: Time) -> Result<Value> {
    let dest = path_arg(args)?;
    let overwrite = args.opt_bool("overwrite")?.unwrap_or(false);
    args.finish()?;
    let db = live_path(conn)?;
    // The exports' rules: a file name, in a folder that exists, not the
    // database's, and not an existing file unless `overwrite`.
    let dest = files::check_target("path", &dest, Some(&db), overwrite)?;
    let copied = backup::copy_to(conn, &dest, overwrite)?;
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
