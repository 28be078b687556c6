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
