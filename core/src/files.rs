//! The file boundary: every file the core writes for the organizer (exports,
//! backups) or reads from them (imports, restores) passes through here.
//!
//! - A target is never one of the app's own files: the database, its
//!   `-wal`, `-shm` or `-journal`, a copy it keeps (`<db>.*.bak`) or one of
//!   its temporaries (`.<db>...`), compared after resolving links. An
//!   existing target is replaced only with `overwrite` (else `conflict`).
//! - Files are written to a temporary file created exclusively (`O_EXCL`,
//!   no link followed; the `tempfile` crate) in the target's folder, synced,
//!   then renamed; without `overwrite` the rename refuses an existing file.
//! - Files the app writes are private on Unix: `0600`, folders it creates
//!   `0700`.
//! - Reading is bounded: a regular file only, at most a limit of bytes.
//! - CSV cells that a spreadsheet would run as a formula are neutralised.

use crate::error::{Error, Result};
use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The longest path accepted (Linux's PATH_MAX).
pub const MAX_PATH: usize = 4096;

/// How many copies of each kind (pre-upgrade, replaced by a restore) the app
/// keeps beside the database; older ones are deleted.
pub const KEEP_COPIES: usize = 5;

/// Creates `dir` (and its parents) private to the user: `0700` on Unix for
/// every folder created here; existing folders are left as they are.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

/// Makes a file the app owns readable by its user only (`0600`). Failures
/// (a file of another user, a file system without modes) are ignored: the
/// file stays usable.
pub fn make_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::symlink_metadata(path) {
            if m.is_file() && m.permissions().mode() & 0o077 != 0 {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// `path` with `suffix` appended to its file name (`b.db` -> `b.db-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p: OsString = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The folder of `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `path` with its folder resolved (links, `..`), its own name kept; and,
/// when `path` itself is a link, also where it points.
fn resolved(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let (Ok(dir), Some(name)) = (folder_of(path).canonicalize(), path.file_name()) {
        out.push(dir.join(name));
    }
    if let Ok(target) = path.canonicalize() {
        out.push(target);
    }
    out
}

/// Whether `path` is one of the files of the database at `db`: the file,
/// its `-wal`, `-shm`, `-journal`, a copy the app keeps (`<db>.*.bak`) or a
/// temporary of it (`.<db>...`), after resolving links; or the same file
/// as the database (a hard link).
pub fn is_app_file(path: &Path, db: &Path) -> bool {
    let Some(db_name) = db.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return false;
    };
    let mut db_forms = resolved(db);
    if db_forms.is_empty() {
        db_forms.push(db.to_path_buf());
    }
    let hidden = format!(".{db_name}");
    for target in resolved(path) {
        for db_form in &db_forms {
            let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
                continue;
            };
            if Some(dir) != db_form.parent() {
                continue;
            }
            let name = name.to_string_lossy();
            let live = db_form
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let own = |base: &str| {
                name == base
                    || ["-wal", "-shm", "-journal"]
                        .iter()
                        .any(|s| name == format!("{base}{s}"))
                    || (name.starts_with(&format!("{base}.")) && name.ends_with(".bak"))
            };
            if own(&live) || own(&db_name) || name.starts_with(&hidden) {
                return true;
            }
        }
    }
    same_inode(path, db)
}

#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// A path argument: non-empty, at most `MAX_PATH` bytes, no NUL.
pub fn check_path_text(field: &str, path: &str) -> Result<()> {
    if path.trim().is_empty() {
        return Err(Error::validation(field, "must not be empty"));
    }
    if path.len() > MAX_PATH || path.contains('\0') {
        return Err(Error::validation(
            field,
            format!("must be a file path of at most {MAX_PATH} bytes without NUL"),
        ));
    }
    Ok(())
}

/// Checks where a file is to be written: a file name (not a folder) in a
/// folder that exists (`validation`), not one of the database's own files
/// (`validation`), and, unless `overwrite`, no file there yet (`conflict`).
pub fn check_target(
    field: &str,
    path: &str,
    db: Option<&Path>,
    overwrite: bool,
) -> Result<PathBuf> {
    check_path_text(field, path)?;
    let p = PathBuf::from(path);
    if p.file_name().is_none() || path.ends_with('/') {
        return Err(Error::validation(field, "must name a file, not a folder"));
    }
    if p.is_dir() {
        return Err(Error::validation(field, format!("{path} is a folder")));
    }
    let dir = folder_of(&p);
    if !dir.is_dir() {
        return Err(Error::validation(
            field,
            format!("the folder {} does not exist", dir.display()),
        ));
    }
    if let Some(db) = db {
        if is_app_file(&p, db) {
            return Err(Error::validation(
                field,
                format!(
                    "{path} is the database or one of the files Book & Run keeps beside it; choose another name"
                ),
            ));
        }
    }
    let exists = std::fs::symlink_metadata(&p).is_ok();
    if exists {
        let is_file = std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file());
        if !is_file {
            return Err(Error::validation(
                field,
                format!("{path} exists and is not a regular file"),
            ));
        }
        if !overwrite {
            return Err(Error::conflict(format!(
                "path: a file already exists at {path}; choose a new name, or pass \"overwrite\": true to replace it"
            )));
        }
    }
    Ok(p)
}

/// A temporary file created exclusively (`O_EXCL`, mode `0600`, no link
/// followed) in the folder of `dest`, deleted when dropped.
pub fn temp_beside(dest: &Path) -> Result<tempfile::NamedTempFile> {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(folder_of(dest))
        .map_err(|e| {
            Error::Storage(format!(
                "cannot create a temporary file beside {}: {e}",
                dest.display()
            ))
        })
}

/// Moves the finished temporary `tmp` to `dest`: over an existing file only
/// with `overwrite`, else `conflict` if one appeared meanwhile. Syncs the
/// folder afterwards.
pub fn persist(tmp: tempfile::TempPath, dest: &Path, overwrite: bool) -> Result<()> {
    let done = if overwrite {
        tmp.persist(dest)
    } else {
        tmp.persist_noclobber(dest)
    };
    done.map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            Error::conflict(format!(
                "path: a file already exists at {}; choose a new name, or pass \"overwrite\": true to replace it",
                dest.display()
            ))
        } else {
            Error::Storage(format!("cannot write {}: {}", dest.display(), e.error))
        }
    })?;
    sync_dir(&folder_of(dest));
    Ok(())
}

/// Makes a rename durable; a failure (some file systems refuse to open a
/// folder) does not undo the file, which is already synced.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` atomically through an exclusive temporary file
/// beside it (see `persist` for `overwrite`). A failure leaves `path` as it was.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<()> {
    let mut tmp = temp_beside(path)?;
    let io = |e: std::io::Error| Error::Storage(format!("cannot write {}: {e}", path.display()));
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    persist(tmp.into_temp_path(), path, overwrite)
}

/// Reads the regular file at `path`, at most `limit` bytes: its metadata is
/// checked first (a folder, a device or a pipe is refused at once, and so is
/// a file larger than `limit`), then at most `limit + 1` bytes are read.
/// Refusals are `validation` on `field`.
pub fn read_bounded(field: &str, path: &str, limit: u64) -> Result<Vec<u8>> {
    check_path_text(field, path)?;
    let refuse = |why: String| Error::validation(field, why);
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot read {path}: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "{path} is not a regular file ({}); choose a file",
            kind_of(&meta)
        )));
    }
    if meta.len() > limit {
        return Err(refuse(format!(
            "{path} is larger than {}",
            size_text(limit)
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Never wait on a pipe that replaced the file since the check above.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|e| refuse(format!("cannot read {path}: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| refuse(format!("cannot read {path}: {e}")))?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "{path} is not a regular file ({}); choose a file",
            kind_of(&meta)
        )));
    }
    let mut bytes = vec![];
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| refuse(format!("cannot read {path}: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(refuse(format!(
            "{path} is larger than {}",
            size_text(limit)
        )));
    }
    Ok(bytes)
}

fn size_text(limit: u64) -> String {
    if limit.is_multiple_of(1024 * 1024) {
        format!("{} MB", limit / (1024 * 1024))
    } else {
        format!("{limit} bytes")
    }
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a folder";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a pipe";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "not a file"
}

/// A CSV cell a spreadsheet cannot run: text beginning with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'`. With `numeric` (an
/// amount or quantity column), a plain number (`-12.50`) stays as it is.
pub fn csv_cell(cell: &str, numeric: bool) -> Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if !risky || (numeric && is_plain_number(cell)) {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(format!("'{cell}"))
    }
}

/// `-?digits(.digits)?`
fn is_plain_number(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Deletes the oldest copies named `<db>.<label><anything>.bak` beside the
/// database, keeping the newest `keep` (by modification time, then name).
pub fn prune_copies(db: &Path, label: &str, keep: usize) {
    let Some(name) = db.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!("{name}.{label}");
    let Ok(entries) = std::fs::read_dir(folder_of(db)) else {
        return;
    };
    let mut copies: Vec<(std::time::SystemTime, String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let m = e.metadata().ok()?;
            (m.is_file() && n.starts_with(&prefix) && n.ends_with(".bak"))
                .then(|| (m.modified().unwrap_or(std::time::UNIX_EPOCH), n, e.path()))
        })
        .collect();
    copies.sort();
    let excess = copies.len().saturating_sub(keep);
    for (_, _, path) in copies.into_iter().take(excess) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_a_quote_and_numbers_stay_numbers() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")", false), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(1+1)", false), "'@SUM(1+1)");
        assert_eq!(csv_cell("+1", false), "'+1");
        assert_eq!(csv_cell("-5", false), "'-5");
        assert_eq!(csv_cell("\tx", false), "'\tx");
        assert_eq!(csv_cell("\rx", false), "'\rx");
        assert_eq!(csv_cell("Ann", false), "Ann");
        assert_eq!(csv_cell("-30000.00", true), "-30000.00");
        assert_eq!(csv_cell("-=1", true), "'-=1");
        assert_eq!(csv_cell("-", true), "'-");
        assert_eq!(csv_cell("12", true), "12");
    }

    #[test]
    fn app_files_are_recognised_through_links() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("b.db");
        std::fs::write(&db, b"x").unwrap();
        for n in [
            "b.db",
            "b.db-wal",
            "b.db-shm",
            "b.db-journal",
            "b.db.v1-20260101T000000.000Z.bak",
            ".b.db.restore.x",
        ] {
            assert!(is_app_file(&dir.path().join(n), &db), "{n}");
        }
        assert!(!is_app_file(&dir.path().join("ledger.csv"), &db));
        assert!(!is_app_file(&dir.path().join("b.dbx"), &db));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.csv");
            std::os::unix::fs::symlink(&db, &link).unwrap();
            assert!(is_app_file(&link, &db));
            let sub = dir.path().join("sub");
            std::fs::create_dir(&sub).unwrap();
            let dots = sub.join("..").join("b.db-wal");
            assert!(is_app_file(&dots, &db));
        }
    }

    #[test]
    fn prune_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("b.db");
        for i in 0..8 {
            let p = dir.path().join(format!("b.db.replaced-2026010{i}.bak"));
            std::fs::write(&p, b"x").unwrap();
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + i);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        std::fs::write(dir.path().join("b.db.v1-x.bak"), b"x").unwrap();
        prune_copies(&db, "replaced-", 5);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), 6, "{left:?}");
        assert!(left.contains(&"b.db.v1-x.bak".to_string()));
        assert!(!left.contains(&"b.db.replaced-20260102.bak".to_string()));
        assert!(left.contains(&"b.db.replaced-20260103.bak".to_string()));
    }
}
