//! Native notifications from the core's event outbox. Every event the core
//! recorded (by a window command, by the CLI, by settlement at start) is
//! shown once and then marked delivered; an event whose delivery did not
//! finish stays in the outbox and is shown at the next chance, so none is
//! lost if the app dies between commit and notify.

use crate::db;
use bookrun::commands::notifications::{mark_delivered, undelivered};
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_notification::NotificationExt;

/// Shows every undelivered event natively, oldest first, and marks it.
pub fn deliver<R: Runtime>(app: &AppHandle<R>) {
    let state = db(app);
    let conn = state.lock();
    let events = match undelivered(&conn) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("notifications: cannot read the outbox: {e}");
            return;
        }
    };
    for ev in events {
        if let Err(e) = app
            .notification()
            .builder()
            .title(ev.title)
            .body(&ev.message)
            .show()
        {
            eprintln!("notifications: cannot show event {}: {e}", ev.id);
            return;
        }
        let id = ev.id;
        let now = bookrun::clock::format(bookrun::clock::system_now());
        match mark_delivered(&conn, id, &now) {
            Ok(_) => {
                let _ = app.emit("bookrun://notification", &ev);
            }
            Err(e) => eprintln!("notifications: cannot mark event {id} delivered: {e}"),
        }
    }
}
