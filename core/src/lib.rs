//! Book & Run core: group-buy deals with quantity tiers, bookings, an
//! append-only double-entry wallet ledger and settlement, over one SQLite
//! file. No windowing code lives here: the `bookrun` command line and the
//! desktop shell both call [`api::execute`] with a command name and JSON.

pub mod api;
pub mod args;
pub mod charges;
pub mod clock;
pub mod commands;
pub mod deal;
pub mod demo;
pub mod economics;
pub mod error;
pub mod events;
pub mod export;
pub mod files;
#[cfg(feature = "harness")]
pub mod harness;
pub mod money;
pub mod store;
pub mod words;

pub use api::{execute, COMMANDS};
pub use error::{Error, Result};
/// The SQLite binding the core is built with, for the desktop shell.
pub use rusqlite;
