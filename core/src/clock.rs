//! Time: parsing and printing RFC 3339, and the injected clock. Domain code
//! never reads the system clock; commands receive `now`.

use crate::error::{Error, Result};
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

pub type Time = DateTime<Utc>;

/// Parses an RFC 3339 time (any offset), naming `field` when it does not parse.
pub fn parse(field: &str, text: &str) -> Result<Time> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::validation(
                field,
                format!("{text:?} is not an RFC 3339 time like \"2026-12-01T18:00:00Z\""),
            )
        })
}

/// A time as the organizer wrote it: the instant, for comparisons, and the
/// RFC 3339 text, printed back unchanged (with its offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    at: Time,
    text: String,
}

impl Moment {
    /// Parses RFC 3339 text, keeping it as written.
    pub fn parse(field: &str, text: &str) -> Result<Moment> {
        Ok(Moment {
            at: parse(field, text)?,
            text: text.to_string(),
        })
    }

    /// A moment from the clock, printed in UTC.
    pub fn from_time(at: Time) -> Moment {
        Moment {
            at,
            text: format(at),
        }
    }

    pub fn at(&self) -> Time {
        self.at
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Prints a time in UTC: `2026-12-01T16:00:00Z` (fractions only when present).
pub fn format(t: Time) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Milliseconds since the epoch, the form stored for ordering and indexes.
pub fn to_ms(t: Time) -> i64 {
    t.timestamp_millis()
}

/// The real clock, to the millisecond, for callers that were not given `--now`.
pub fn system_now() -> Time {
    Utc::now().trunc_subsecs(3)
}
