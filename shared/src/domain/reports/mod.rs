//! Support reporting rules: what each metric of a ticket is ([`metrics`]), how a day's durations are
//! summarised so that any period is the merge of its days ([`sketch`]), how presence becomes online
//! time ([`online`]), and which day an instant belongs to ([`report_day`]).

pub mod metrics;
pub mod online;
pub mod sketch;

use jiff::{Timestamp, tz::TimeZone};

/// The report day of `at`: its date in the workspace's report time zone. Every report's day counters
/// (volume, SLA compliance, sales, the support cells) are keyed by this one rule, so the same instant
/// lands on the same day in each of them.
pub fn report_day(at: Timestamp, time_zone: &TimeZone) -> String {
    at.to_zoned(time_zone.clone()).date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_belongs_to_its_date_in_the_report_time_zone() {
        let late: Timestamp = "2026-12-07T23:30:00Z".parse().unwrap();
        assert_eq!(report_day(late, &TimeZone::UTC), "2026-12-07");
        // Berlin is UTC+1 in winter: half past midnight on the 8th there.
        assert_eq!(report_day(late, &TimeZone::get("Europe/Berlin").unwrap()), "2026-12-08");
        // And UTC+2 in summer, across the DST change.
        let summer: Timestamp = "2026-07-07T22:30:00Z".parse().unwrap();
        assert_eq!(report_day(summer, &TimeZone::get("Europe/Berlin").unwrap()), "2026-07-08");
        assert_eq!(report_day(late, &TimeZone::get("America/New_York").unwrap()), "2026-12-07");
    }
}
