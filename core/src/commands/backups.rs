//! `backup` and `restore`: commands on the whole file rather than inside one
//! transaction, so they get the connection itself (see `api::Handler`).

use crate::args::{Args, Bool, Field, Request, Str};
use crate::clock::Time;
use crate::error::{Error, Result};
use crate::files;
use crate::store::backup;
use rusqlite::Connection;
use serde::Serialize;
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
/// Where to copy the database.
#[derive(Debug, Clone)]
pub struct Backup {
    pub path: String,
    pub overwrite: bool,
}

impl Request for Backup {
    fn fields() -> Vec<Field> {
        vec![Field::of::<Str>("path"), Field::of::<Bool>("overwrite")]
    }
    fn read(args: &mut Args) -> Result<Self> {
        Ok(Backup {
            path: path_arg(args)?,
            overwrite: args.opt_bool("overwrite")?.unwrap_or(false),
        })
    }
}

/// The backup file to restore.
#[derive(Debug, Clone)]
pub struct Restore {
    pub path: String,
}

impl Request for Restore {
    fn fields() -> Vec<Field> {
        vec![Field::of::<Str>("path")]
    }
    fn read(args: &mut Args) -> Result<Self> {
        Ok(Restore {
            path: path_arg(args)?,
        })
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackedUp {
    pub path: String,
    pub bytes: u64,
    pub schema_version: i64,
}

/// What a restore did.
#[derive(Debug, Clone, Serialize)]
pub struct Restored {
    pub restored_from: String,
    pub replaced_kept_at: String,
    pub schema_version: i64,
}

pub fn backup(conn: &mut Connection, req: Backup, _now: Time) -> Result<BackedUp> {
    let Backup {
        path: dest,
        overwrite,
    } = req;
    let db = live_path(conn)?;
    // The exports' rules: a file name, in a folder that exists, not the
    // database's, and not an existing file unless `overwrite`.
    let dest = files::check_target("path", &dest, Some(&db), overwrite)?;
    let copied = backup::copy_to(conn, &dest, overwrite)?;
    Ok(BackedUp {
        path: display(&copied.path),
        bytes: copied.bytes,
        schema_version: copied.schema_version,
    })
}

/// Replaces the database with the backup at `path`, after checking it; the
/// replaced database is kept in a file beside it.
pub fn restore(conn: &mut Connection, req: Restore, _now: Time) -> Result<Restored> {
    let src = PathBuf::from(req.path);
    let db = live_path(conn)?;
    let done = backup::restore(conn, &db, &src)?;
    Ok(Restored {
        restored_from: display(&src),
        replaced_kept_at: display(&done.replaced_kept_at),
        schema_version: done.schema_version,
    })
}
