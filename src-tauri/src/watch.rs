//! The background task: twice a second it settles deals whose `closes_at`
//! has passed, and notices commits made to the database by other processes
//! (the `bookrun` CLI) through `PRAGMA data_version`. Either way the window
//! is told to refresh (`bookrun://changed`) and new events are notified.
//! Then it checkpoints the WAL on its own connection, so no command's
//! commit does (`bookrun::store::WAL_AUTOCHECKPOINT_PAGES`).

use crate::{db, notify};
use std::time::Duration;
use tauri::{AppHandle, Emitter, Runtime};

pub const INTERVAL: Duration = Duration::from_millis(500);

/// The event that tells the window to refresh what it shows.
pub const CHANGED: &str = "bookrun://changed";

pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut last_version = None;
        loop {
            tokio::time::sleep(INTERVAL).await;
            let handle = app.clone();
            let result = tauri::async_runtime::spawn_blocking(move || {
                let changed = tick(&handle, &mut last_version);
                (changed, last_version)
            })
            .await;
            match result {
                Ok((changed, version)) => {
                    last_version = version;
                    if changed {
                        let _ = app.emit(CHANGED, ());
                    }
                }
                Err(e) => eprintln!("watch: {e}"),
            }
        }
    });
}

/// One look at the database; true when the window should refresh.
fn tick<R: Runtime>(app: &AppHandle<R>, last_version: &mut Option<i64>) -> bool {
    let (settled, version) = {
        let state = db(app);
        let mut conn = state.lock();
        let now = bookrun::clock::system_now();
        let settled = match bookrun::commands::settlement::settle_overdue(&mut conn, now) {
            Ok(done) => !done.is_empty(),
            Err(e) => {
                eprintln!("watch: settling overdue deals failed: {e}");
                false
            }
        };
        let version: Option<i64> = conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok();
        (settled, version)
    };
    let external = last_version.is_some() && version != *last_version;
    *last_version = version;
    if settled || external {
        notify::deliver(app);
    }
    db(app).checkpoint();
    settled || external
}
