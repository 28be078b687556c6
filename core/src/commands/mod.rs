//! The command bodies. Each runs inside the one transaction `api::execute`
//! opened for it, reads its arguments through `Args`, and returns JSON.

pub mod backups;
pub mod bookings;
pub mod credit;
pub mod deals;
pub mod deliveries;
pub mod economics;
pub mod imports;
pub mod ledger;
pub mod notifications;
pub mod participants;
pub mod repeat;
pub mod reports;
pub mod reputation;
pub mod settlement;

use crate::clock::{self, Time};
use rusqlite::Transaction;

/// What a command body gets: the open transaction and the injected clock.
pub struct Ctx<'a> {
    pub tx: &'a Transaction<'a>,
    pub now: Time,
}

impl Ctx<'_> {
    /// `now` as stored: RFC 3339 UTC.
    pub fn now_text(&self) -> String {
        clock::format(self.now)
    }
}

/// Maps "no row" to `not_found` with a message naming what was looked for.
pub(crate) trait OptionalRow<T> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> crate::error::Result<T>;
}

impl<T> OptionalRow<T> for rusqlite::Result<T> {
    fn or_not_found(self, what: impl FnOnce() -> String) -> crate::error::Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                Err(crate::error::Error::not_found(what()))
            }
            Err(e) => Err(e.into()),
        }
    }
}
