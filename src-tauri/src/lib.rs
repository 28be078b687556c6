//! The Book & Run desktop shell: thin Tauri commands over the core's command
//! table, native notifications from the core's event outbox, and a clock
//! task that settles overdue deals and notices changes made by the CLI.

pub mod commands;
pub mod dialogs;
pub mod notify;
pub mod painting;
pub mod state;
pub mod watch;

use clap::Parser;
use state::Db;
use std::path::PathBuf;
use tauri::{Builder, Manager, Runtime};

/// The desktop binary's options (the CLI's `--db` and `BOOKRUN_DB`).
#[derive(Parser, Debug, Default)]
#[command(
    name = "bookrun-desktop",
    version,
    about = "Book & Run: the organizer's window"
)]
pub struct Options {
    /// The database file (default: $BOOKRUN_DB, else the app's own database)
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// On a database with no deals, create the demo deal (SPEC example 1's "Cars")
    #[arg(long)]
    pub demo: bool,
}

/// Adds the app's plugins, state, commands and background task to a builder
/// (generic so tests can pass tauri's mock builder).
pub fn build<R: Runtime>(builder: Builder<R>, db: Db) -> Builder<R> {
    builder
        .plugin(tauri_plugin_notification::init())
        // Its dialogs are opened from Rust only (`dialogs`): the capability
        // grants the page none of the plugin's commands.
        .plugin(tauri_plugin_dialog::init())
        .manage(db)
        .invoke_handler(commands::handler())
        .setup(|app| {
            let handle = app.handle().clone();
            // Deals that closed while the app was not running are settled
            // (by Db::open); their events are delivered now, then watched.
            notify::deliver(&handle);
            watch::spawn(handle);
            Ok(())
        })
}

/// Opens the database named by the options, creating the demo if asked.
pub fn open_db(opts: &Options) -> bookrun::Result<Db> {
    let path = match &opts.db {
        Some(p) => p.clone(),
        None => bookrun::store::default_path()?,
    };
    Db::open(&path, opts.demo)
}

/// The page's own script, before any other: the process's start time (ms
/// since the epoch), so the window can tell how long it took from the
/// start to its first painted deal list (`window.bookrunStartupMs`).
fn start_script(started: std::time::SystemTime) -> String {
    let ms = started
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "Object.defineProperty(window, '__bookrunProcessStart', {{ value: {ms}, writable: false }});"
    )
}

pub fn run(started: std::time::SystemTime) {
    let opts = Options::parse();
    let db = match open_db(&opts) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{}", e.to_json());
            std::process::exit(1);
        }
    };
    let builder =
        tauri::Builder::default().append_invoke_initialization_script(start_script(started));
    build(builder, db)
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Book & Run could not start: {e}");
            std::process::exit(1);
        });
}

/// The window's state, reachable from any handle.
pub fn db<R: Runtime>(app: &tauri::AppHandle<R>) -> tauri::State<'_, Db> {
    app.state::<Db>()
}
