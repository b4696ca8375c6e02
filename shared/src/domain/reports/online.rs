//! Online time from presence: a member's presence ticks (connect, each heartbeat, disconnect) are
//! joined into online time. The time between two ticks counts when it is no longer than the presence
//! TTL (the member stayed present throughout: a socket without a heartbeat for longer has dropped out
//! of presence); a longer gap counts nothing. Ticks are per member, not per socket, so two tabs open
//! at once count the time once.

use jiff::{Timestamp, tz::TimeZone};

use super::report_day;

/// The online seconds between the member's previous tick (`last_seen`, epoch seconds) and this one
/// (`now`), per report day: a gap across midnight in `time_zone` is split at midnight.
pub fn online_spans(last_seen: Option<i64>, now: i64, ttl_seconds: i64, time_zone: &TimeZone) -> Vec<(String, i64)> {
    let Some(last_seen) = last_seen else { return Vec::new() };
    let gap = now - last_seen;
    if gap <= 0 || gap > ttl_seconds {
        return Vec::new();
    }
    let (Ok(start), Ok(end)) = (Timestamp::from_second(last_seen), Timestamp::from_second(now)) else {
        return Vec::new();
    };
    let (first_day, last_day) = (report_day(start, time_zone), report_day(end, time_zone));
    if first_day == last_day {
        return vec![(last_day, gap)];
    }
    // The gap is shorter than a day: it crosses one midnight, the start of `now`'s day.
    let midnight = end.to_zoned(time_zone.clone()).start_of_day().map(|day| day.timestamp().as_second());
    match midnight {
        Ok(midnight) if midnight > last_seen && midnight <= now => {
            [(first_day, midnight - last_seen), (last_day, now - midnight)]
                .into_iter()
                .filter(|(_, seconds)| *seconds > 0)
                .collect()
        }
        _ => vec![(last_day, gap)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> i64 {
        raw.parse::<Timestamp>().unwrap().as_second()
    }

    #[test]
    fn a_gap_within_the_ttl_counts_and_a_longer_one_or_a_first_tick_does_not() {
        let now = at("2026-12-07T10:00:40Z");
        assert_eq!(online_spans(Some(now - 20), now, 60, &TimeZone::UTC), [("2026-12-07".to_owned(), 20)]);
        assert_eq!(online_spans(Some(now - 60), now, 60, &TimeZone::UTC), [("2026-12-07".to_owned(), 60)]);
        assert!(online_spans(Some(now - 61), now, 60, &TimeZone::UTC).is_empty(), "dropped out of presence");
        assert!(online_spans(None, now, 60, &TimeZone::UTC).is_empty(), "the first tick starts the count");
        assert!(online_spans(Some(now), now, 60, &TimeZone::UTC).is_empty(), "two ticks in one second");
        assert!(online_spans(Some(now + 5), now, 60, &TimeZone::UTC).is_empty(), "never backwards");
    }

    #[test]
    fn a_gap_across_midnight_is_split_between_the_report_days() {
        // 23:59:50 UTC to 00:00:20 UTC: 10 s on the 7th and 20 s on the 8th in UTC…
        let (before, after) = (at("2026-12-07T23:59:50Z"), at("2026-12-08T00:00:20Z"));
        assert_eq!(
            online_spans(Some(before), after, 60, &TimeZone::UTC),
            [("2026-12-07".to_owned(), 10), ("2026-12-08".to_owned(), 20)]
        );
        // …and all of it on the 8th in Berlin, where midnight was an hour earlier.
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(online_spans(Some(before), after, 60, &berlin), [("2026-12-08".to_owned(), 30)]);
        let (before, after) = (at("2026-12-07T22:59:30Z"), at("2026-12-07T23:00:10Z"));
        assert_eq!(
            online_spans(Some(before), after, 60, &berlin),
            [("2026-12-07".to_owned(), 30), ("2026-12-08".to_owned(), 10)]
        );
    }
}
