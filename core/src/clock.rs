//! Time: parsing and printing RFC 3339, and the injected clock. Domain code
//! never reads the system clock; commands receive `now`.

use crate::error::{Error, Result};
use chrono::Datelike;
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

    /// The moment as people read it, at the offset it was written with:
    /// "Wed 9 Dec, 12:30" (the year only when it is not `now`'s; "UTC" when
    /// it was written in UTC).
    pub fn human(&self, now: Time) -> String {
        self.human_with(now, true)
    }

    /// The day alone: "Mon 23 Nov" (with the year when it is not `now`'s).
    pub fn human_day(&self, now: Time) -> String {
        self.human_with(now, false)
    }

    fn human_with(&self, now: Time, time_of_day: bool) -> String {
        let Ok(local) = chrono::DateTime::parse_from_rfc3339(&self.text) else {
            return self.text.clone();
        };
        let year = if local.year() == now.with_timezone(local.offset()).year() {
            ""
        } else {
            " %Y"
        };
        let utc = if local.offset().local_minus_utc() == 0 {
            " UTC"
        } else {
            ""
        };
        let pattern = if time_of_day {
            format!("%a %-d %b{year}, %H:%M{utc}")
        } else {
            format!("%a %-d %b{year}")
        };
        local.format(&pattern).to_string()
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

#[cfg(test)]
mod human_tests {
    use super::*;

    #[test]
    fn moments_as_people_read_them() {
        let now = parse("now", "2026-11-23T10:00:00Z").unwrap();
        let m = |t: &str| Moment::parse("t", t).unwrap();
        assert_eq!(
            m("2026-12-09T12:30:00+01:00").human(now),
            "Wed 9 Dec, 12:30"
        );
        assert_eq!(m("2026-12-09T12:30:00Z").human(now), "Wed 9 Dec, 12:30 UTC");
        assert_eq!(
            m("2027-01-05T09:00:00+01:00").human(now),
            "Tue 5 Jan 2027, 09:00"
        );
        assert_eq!(m("2026-11-23T10:00:00Z").human_day(now), "Mon 23 Nov");
    }
}
