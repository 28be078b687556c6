//! The one database connection of the window, behind a mutex: commands and
//! the watch task take it in turn, never across an `.await`.

use bookrun::clock;
use bookrun::rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub struct Db {
    conn: Mutex<Connection>,
    /// A second connection, only for the background task's checkpoints, so
    /// a command never waits behind one.
    checkpointer: Mutex<Connection>,
    pub path: PathBuf,
}

impl Db {
    /// Opens the file, settles deals that closed meanwhile, and creates the
    /// demo deal if asked and the database has none.
    pub fn open(path: &Path, demo: bool) -> bookrun::Result<Db> {
        let mut conn = bookrun::store::open(path)?;
        let now = clock::system_now();
        bookrun::commands::settlement::settle_overdue(&mut conn, now)?;
        if demo {
            bookrun::demo::seed_if_empty(&mut conn, now)?;
        }
        let checkpointer = bookrun::store::open_checkpointer(path)?;
        Ok(Db {
            conn: Mutex::new(conn),
            checkpointer: Mutex::new(checkpointer),
            path: path.to_path_buf(),
        })
    }

    /// Copies the WAL into the database file (passive: it waits for nobody),
    /// off the commands' path; commits never checkpoint by themselves.
    pub fn checkpoint(&self) {
        let conn = self.checkpointer.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = bookrun::store::checkpoint(&conn) {
            eprintln!("checkpoint: {e}");
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction open
        // (rusqlite rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}
