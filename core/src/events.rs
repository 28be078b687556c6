//! The domain events of SPEC section 7: which level changes are notified,
//! and the text a person reads. The window never decides this.

pub use crate::store::events::EventKind;

impl EventKind {
    /// The short title a notification shows.
    pub fn title(self) -> &'static str {
        match self {
            EventKind::MinimumReached => "Minimum reached",
            EventKind::TierReached => "Tier reached",
            EventKind::TierSteppedDown => "Tier lost",
            EventKind::MinimumLost => "Below the minimum",
            EventKind::DealSettled => "Deal settled",
            EventKind::DealFailed => "Deal failed",
            EventKind::DealCancelled => "Deal cancelled",
            EventKind::WaitlistPromoted => "Off the waitlist",
            EventKind::DeliveryShort => "Delivery short",
        }
    }
}

/// The event a change of level from `from` to `to` causes, if any. A change
/// that skips levels is one event naming both levels.
pub fn level_change(from: i64, to: i64) -> Option<EventKind> {
    use std::cmp::Ordering::*;
    match to.cmp(&from) {
        Equal => None,
        Greater if from < 0 => Some(EventKind::MinimumReached),
        Greater => Some(EventKind::TierReached),
        Less if to < 0 => Some(EventKind::MinimumLost),
        Less => Some(EventKind::TierSteppedDown),
    }
}

fn level_name(level: i64) -> String {
    match level {
        l if l < 0 => "below the minimum".to_string(),
        0 => "the minimum".to_string(),
        l => format!("tier {l}"),
    }
}

/// What the notification says, e.g. `"Cars" reached tier 1: model #1 now 29500.00 USD`.
/// `prices` are the item names with their prices at `to`.
pub fn message(kind: EventKind, title: &str, from: i64, to: i64, prices: &str) -> String {
    match kind {
        EventKind::MinimumReached if to > 0 => {
            format!(
                "\"{title}\" reached its minimum and {}: {prices}",
                level_name(to)
            )
        }
        EventKind::MinimumReached => {
            format!("\"{title}\" reached its minimum quantity: {prices}")
        }
        EventKind::TierReached => format!("\"{title}\" reached {}: {prices}", level_name(to)),
        EventKind::TierSteppedDown => format!(
            "\"{title}\" stepped down from {} to {}: {prices}",
            level_name(from),
            level_name(to)
        ),
        EventKind::MinimumLost => format!(
            "\"{title}\" fell below its minimum quantity (was at {})",
            level_name(from)
        ),
        EventKind::DealSettled => {
            format!("\"{title}\" was settled at {}: {prices}", level_name(to))
        }
        EventKind::DealFailed => {
            format!("\"{title}\" failed: the minimum quantity was not reached; everything charged was refunded")
        }
        EventKind::DealCancelled => {
            format!("\"{title}\" was cancelled; everything charged was refunded")
        }
        // Its message is written where it happens (it names the booking).
        EventKind::WaitlistPromoted => format!("\"{title}\": a booking left the waitlist"),
        // Its message is written where it happens (it names the units and bookings).
        EventKind::DeliveryShort => format!("\"{title}\": the delivery fell short"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EventKind::*;

    #[test]
    fn level_changes_follow_spec_section_7() {
        assert_eq!(level_change(-1, 0), Some(MinimumReached));
        assert_eq!(level_change(-1, 2), Some(MinimumReached));
        assert_eq!(level_change(0, 1), Some(TierReached));
        assert_eq!(level_change(1, 3), Some(TierReached));
        assert_eq!(level_change(2, 1), Some(TierSteppedDown));
        assert_eq!(level_change(1, 0), Some(TierSteppedDown));
        assert_eq!(level_change(0, -1), Some(MinimumLost));
        assert_eq!(level_change(3, -1), Some(MinimumLost));
        assert_eq!(level_change(1, 1), None);
        assert_eq!(level_change(-1, -1), None);
    }

    #[test]
    fn kinds_parse_back_and_have_titles() {
        for &k in EventKind::ALL {
            assert_eq!(
                <EventKind as crate::words::Words>::parse(k.as_str()),
                Some(k)
            );
            assert!(!k.title().is_empty());
        }
        assert_eq!(<EventKind as crate::words::Words>::parse("nope"), None);
    }
}
