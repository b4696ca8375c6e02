//! Business hours: when the clock of an SLA runs.
//!
//! Hours are written in local wall-clock time ("09:00–17:00 in Europe/Berlin") and turned into
//! instants one day at a time, so a 09:00–17:00 day is 8 hours on the days the clocks change too.
//! A wall time that does not exist (the hour skipped in spring) means the instant the clock jumps
//! over it; a wall time that happens twice (the hour repeated in autumn) means its first occurrence.
//! Arithmetic walks whole days, a few conversions each, so a 90-day span is about 90 steps.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::FieldError;

pub const MAX_SHIFTS_PER_DAY: usize = 8;
pub const MAX_HOLIDAYS: usize = 500;

/// How far `add` looks ahead before giving up. Valid calendars open every week, so only a pathological
/// calendar (say, hours that always fall in a skipped DST hour) gets near it.
const MAX_SEARCH_DAYS: usize = 366 * 20;

const DAY_NAMES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// The calendar as an admin sends it; [`BusinessCalendar::parse`] turns it into a valid one.
///
/// ```json
/// {"time_zone": "Europe/Berlin",
///  "business_hours": {"monday": [["09:00", "12:00"], ["13:00", "17:00"]]},
///  "holidays": ["2026-12-25"]}
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawBusinessCalendar {
    pub time_zone: String,
    /// Shifts per weekday name; a day left out is closed. Absent altogether: open around the clock.
    #[serde(default)]
    pub business_hours: Option<BTreeMap<String, Vec<[String; 2]>>>,
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// One opening on a weekday, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub start: Time,
    /// None: until midnight at the end of the day (written `24:00`).
    pub end: Option<Time>,
}

impl Shift {
    fn start_seconds(self) -> i32 {
        seconds_of_day(self.start)
    }

    fn end_seconds(self) -> i32 {
        self.end.map_or(SECONDS_PER_DAY, seconds_of_day)
    }
}

const SECONDS_PER_DAY: i32 = 24 * 60 * 60;

fn seconds_of_day(time: Time) -> i32 {
    i32::from(time.hour()) * 3600 + i32::from(time.minute()) * 60 + i32::from(time.second())
}

/// A valid calendar: a known time zone, non-overlapping shifts that open at least once a week, and
/// distinct holidays (whole local dates on which the business is closed).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    time_zone_name: String,
    /// Shifts per weekday, Monday first, sorted by start.
    weekly: [Vec<Shift>; 7],
    holidays: BTreeSet<Date>,
}

impl BusinessCalendar {
    /// Open around the clock: business time equals wall time.
    pub fn always_open(time_zone_name: &str) -> Result<Self, FieldError> {
        let time_zone = TimeZone::get(time_zone_name)
            .map_err(|_| FieldError::new("time_zone", "must be an IANA time zone such as Europe/Berlin"))?;
        Ok(Self {
            time_zone,
            time_zone_name: time_zone_name.to_owned(),
            weekly: std::array::from_fn(|_| vec![Shift { start: Time::midnight(), end: None }]),
            holidays: BTreeSet::new(),
        })
    }

    /// Checks everything at once, naming each problem by its path, e.g. `business_hours.monday[1]`.
    pub fn parse(raw: &RawBusinessCalendar) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = raw.time_zone.trim();
        let time_zone = if name.is_empty() {
            errors.push(FieldError::new("time_zone", "is required"));
            None
        } else {
            match TimeZone::get(name) {
                Ok(zone) => Some(zone),
                Err(_) => {
                    errors.push(FieldError::new("time_zone", "must be an IANA time zone such as Europe/Berlin"));
                    None
                }
            }
        };

        let weekly = match &raw.business_hours {
            None => std::array::from_fn(|_| vec![Shift { start: Time::midnight(), end: None }]),
            Some(days) => parse_weekly(days, &mut errors),
        };
        let holidays = parse_holidays(&raw.holidays, &mut errors);

        match time_zone {
            Some(time_zone) if errors.is_empty() => {
                Ok(Self { time_zone, time_zone_name: name.to_owned(), weekly, holidays })
            }
            _ => Err(errors),
        }
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    pub fn time_zone_name(&self) -> &str {
        &self.time_zone_name
    }

    pub fn shifts(&self, weekday: Weekday) -> &[Shift] {
        &self.weekly[weekday_index(weekday)]
    }

    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    /// Open every minute of every day: lets the arithmetic skip the calendar entirely.
    pub fn is_always_open(&self) -> bool {
        self.holidays.is_empty()
            && self
                .weekly
                .iter()
                .all(|shifts| shifts.len() == 1 && shifts[0].start == Time::midnight() && shifts[0].end.is_none())
    }

    /// The instant at which `duration` of business time has passed since `start`. The earliest such
    /// instant, so a deadline that uses up a day's last hour is at closing time, not at next opening.
    /// A duration of zero or less gives `start`.
    pub fn add(&self, start: Timestamp, duration: SignedDuration) -> Timestamp {
        if duration <= SignedDuration::ZERO {
            return start;
        }
        if self.is_always_open() {
            return start.checked_add(duration).unwrap_or(Timestamp::MAX);
        }
        let mut left = duration;
        let mut date = self.local_date(start);
        for _ in 0..MAX_SEARCH_DAYS {
            for (open, close) in self.open_intervals(date) {
                let from = open.max(start);
                if close <= from {
                    continue;
                }
                let available = close.duration_since(from);
                if left <= available {
                    return from.checked_add(left).unwrap_or(Timestamp::MAX);
                }
                left -= available;
            }
            date = match date.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        Timestamp::MAX
    }

    /// Business time in `[from, until)`; zero when `until` is not after `from`.
    pub fn between(&self, from: Timestamp, until: Timestamp) -> SignedDuration {
        if until <= from {
            return SignedDuration::ZERO;
        }
        if self.is_always_open() {
            return until.duration_since(from);
        }
        let last = self.local_date(until);
        let mut total = SignedDuration::ZERO;
        let mut date = self.local_date(from);
        while date <= last {
            for (open, close) in self.open_intervals(date) {
                let (clipped_open, clipped_close) = (open.max(from), close.min(until));
                if clipped_close > clipped_open {
                    total += clipped_close.duration_since(clipped_open);
                }
            }
            date = match date.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        total
    }

    fn local_date(&self, at: Timestamp) -> Date {
        self.time_zone.to_datetime(at).date()
    }

    /// The day's shifts as instants; none on a holiday. A shift inside a skipped hour comes out empty.
    fn open_intervals(&self, date: Date) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let shifts: &[Shift] = if self.holidays.contains(&date) { &[] } else { self.shifts(date.weekday()) };
        shifts.iter().map(move |shift| {
            let open = self.instant(date.to_datetime(shift.start));
            let close = match shift.end {
                Some(end) => self.instant(date.to_datetime(end)),
                None => match date.tomorrow() {
                    Ok(next) => self.instant(next.to_datetime(Time::midnight())),
                    Err(_) => Timestamp::MAX,
                },
            };
            (open, close)
        })
    }

    /// The instant a wall-clock reading stands for: in a skipped hour, the moment of the jump; in a
    /// repeated hour, the first time the clock shows it.
    fn instant(&self, local: DateTime) -> Timestamp {
        let saturate = |result: Result<Timestamp, jiff::Error>| result.unwrap_or(Timestamp::MAX);
        match self.time_zone.to_ambiguous_timestamp(local).offset() {
            AmbiguousOffset::Unambiguous { offset } => saturate(offset.to_timestamp(local)),
            AmbiguousOffset::Fold { before, .. } => saturate(before.to_timestamp(local)),
            AmbiguousOffset::Gap { after, .. } => {
                // Read with the later (larger) offset the local time lands before the jump; the
                // next transition after that is the jump itself.
                let before_jump = saturate(after.to_timestamp(local));
                self.time_zone.following(before_jump).next().map_or(before_jump, |jump| jump.timestamp())
            }
        }
    }
}

fn weekday_index(weekday: Weekday) -> usize {
    usize::try_from(weekday.to_monday_zero_offset()).unwrap_or(0)
}

fn parse_weekly(days: &BTreeMap<String, Vec<[String; 2]>>, errors: &mut Vec<FieldError>) -> [Vec<Shift>; 7] {
    let mut weekly: [Vec<Shift>; 7] = Default::default();
    for (day, raw_shifts) in days {
        let key = day.trim().to_lowercase();
        let Some(index) = DAY_NAMES.iter().position(|name| *name == key) else {
            errors.push(FieldError::new(
                format!("business_hours.{day}"),
                format!("must be a weekday: {}", DAY_NAMES.join(", ")),
            ));
            continue;
        };
        if raw_shifts.len() > MAX_SHIFTS_PER_DAY {
            errors.push(FieldError::new(
                format!("business_hours.{key}"),
                format!("must have at most {MAX_SHIFTS_PER_DAY} shifts"),
            ));
            continue;
        }
        weekly[index] = parse_day(&key, raw_shifts, errors);
    }
    if errors.iter().all(|error| !error.field.starts_with("business_hours"))
        && weekly.iter().all(|shifts| shifts.is_empty())
    {
        errors.push(FieldError::new("business_hours", "must open at least once a week"));
    }
    weekly
}

/// Shifts of one day, sorted; each inverted, empty or overlapping shift is reported at its index.
fn parse_day(day: &str, raw_shifts: &[[String; 2]], errors: &mut Vec<FieldError>) -> Vec<Shift> {
    let mut shifts: Vec<(usize, Shift)> = Vec::new();
    for (index, [raw_start, raw_end]) in raw_shifts.iter().enumerate() {
        let field = format!("business_hours.{day}[{index}]");
        let start = parse_wall_time(raw_start, false);
        let end = parse_wall_time(raw_end, true);
        match (start, end) {
            (Ok(start), Ok(end)) => {
                let shift = Shift { start: start.unwrap_or(Time::midnight()), end };
                if shift.end_seconds() <= shift.start_seconds() {
                    errors.push(FieldError::new(field, "must end after it starts"));
                } else {
                    shifts.push((index, shift));
                }
            }
            (Err(message), _) | (_, Err(message)) => errors.push(FieldError::new(field, message)),
        }
    }
    shifts.sort_by_key(|(_, shift)| shift.start_seconds());
    // Compare each shift with the one reaching furthest so far, so a long shift is caught by all it covers.
    let mut furthest: Option<(usize, Shift)> = None;
    for &(index, shift) in &shifts {
        if let Some((earlier_index, earlier)) = furthest
            && shift.start_seconds() < earlier.end_seconds()
        {
            errors.push(FieldError::new(
                format!("business_hours.{day}[{index}]"),
                format!("overlaps business_hours.{day}[{earlier_index}]"),
            ));
        }
        if furthest.is_none_or(|(_, earlier)| shift.end_seconds() > earlier.end_seconds()) {
            furthest = Some((index, shift));
        }
    }
    shifts.into_iter().map(|(_, shift)| shift).collect()
}

/// `HH:MM`, 00:00 to 23:59; `24:00` (None: end of day) only where a shift ends.
fn parse_wall_time(raw: &str, is_end: bool) -> Result<Option<Time>, String> {
    let message = || {
        if is_end { "must be times HH:MM (00:00 to 24:00)" } else { "must be times HH:MM (00:00 to 23:59)" }.to_owned()
    };
    let (hours, minutes) = raw.trim().split_once(':').ok_or_else(message)?;
    let two_digits = |part: &str| {
        if part.len() == 2 && part.bytes().all(|byte| byte.is_ascii_digit()) { part.parse::<i8>().ok() } else { None }
    };
    let (hour, minute) = two_digits(hours).zip(two_digits(minutes)).ok_or_else(message)?;
    if is_end && hour == 24 && minute == 0 {
        return Ok(None);
    }
    Time::new(hour, minute, 0, 0).map(Some).map_err(|_| message())
}

fn parse_holidays(raw: &[String], errors: &mut Vec<FieldError>) -> BTreeSet<Date> {
    if raw.len() > MAX_HOLIDAYS {
        errors.push(FieldError::new("holidays", format!("must have at most {MAX_HOLIDAYS} dates")));
        return BTreeSet::new();
    }
    let mut first_seen: BTreeMap<Date, usize> = BTreeMap::new();
    for (index, text) in raw.iter().enumerate() {
        let field = format!("holidays[{index}]");
        match parse_date(text) {
            Ok(date) => {
                if let Some(first) = first_seen.get(&date) {
                    errors.push(FieldError::new(field, format!("repeats holidays[{first}]")));
                } else {
                    first_seen.insert(date, index);
                }
            }
            Err(message) => errors.push(FieldError::new(field, message)),
        }
    }
    first_seen.into_keys().collect()
}

fn parse_date(raw: &str) -> Result<Date, String> {
    let raw = raw.trim();
    let well_formed = raw.len() == 10 && raw.bytes().enumerate().all(|(i, b)| (i == 4 || i == 7) == (b == b'-'));
    let digits_ok = raw.bytes().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !well_formed || !digits_ok {
        return Err("must be a date YYYY-MM-DD".to_owned());
    }
    raw.parse::<Date>().map_err(|_| "must be a real date YYYY-MM-DD".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn hours(count: i64) -> SignedDuration {
        SignedDuration::from_hours(count)
    }

    fn calendar(json: &str) -> BusinessCalendar {
        BusinessCalendar::parse(&serde_json::from_str(json).unwrap()).unwrap()
    }

    fn errors(json: &str) -> Vec<String> {
        let raw: RawBusinessCalendar = serde_json::from_str(json).unwrap();
        BusinessCalendar::parse(&raw).unwrap_err().into_iter().map(|error| error.field).collect()
    }

    /// Monday to Friday 09:00–17:00 in `zone`.
    fn office(zone: &str) -> BusinessCalendar {
        let day = r#"[["09:00","17:00"]]"#;
        calendar(&format!(
            r#"{{"time_zone":"{zone}","business_hours":{{"monday":{day},"tuesday":{day},"wednesday":{day},"thursday":{day},"friday":{day}}}}}"#
        ))
    }

    #[test]
    fn a_start_outside_hours_waits_for_opening() {
        let berlin = office("Europe/Berlin");
        // Tuesday 2026-03-10 06:00 Berlin (05:00Z): the first hour ends at 10:00 local.
        assert_eq!(berlin.add(at("2026-03-10T05:00:00Z"), hours(1)), at("2026-03-10T09:00:00Z"));
        // Tuesday 20:00 local: nothing more that day; next opening Wednesday 09:00.
        assert_eq!(berlin.add(at("2026-03-10T19:00:00Z"), hours(2)), at("2026-03-11T10:00:00Z"));
        assert_eq!(berlin.between(at("2026-03-10T05:00:00Z"), at("2026-03-10T08:00:00Z")), SignedDuration::ZERO);
    }

    #[test]
    fn split_shifts_skip_the_lunch_break() {
        let split =
            calendar(r#"{"time_zone":"UTC","business_hours":{"monday":[["13:00","17:00"],["09:00","12:00"]]}}"#);
        // Monday 2026-03-09: 09:00 + 4h = 3h in the morning, 1h after lunch.
        assert_eq!(split.add(at("2026-03-09T09:00:00Z"), hours(4)), at("2026-03-09T14:00:00Z"));
        assert_eq!(split.between(at("2026-03-09T00:00:00Z"), at("2026-03-10T00:00:00Z")), hours(7));
        // A deadline that takes exactly the morning is due at 12:00, not at 13:00.
        assert_eq!(split.add(at("2026-03-09T09:00:00Z"), hours(3)), at("2026-03-09T12:00:00Z"));
        // The next 7 hours are the following Monday.
        assert_eq!(split.add(at("2026-03-09T17:00:00Z"), hours(7)), at("2026-03-16T17:00:00Z"));
    }

    #[test]
    fn weekends_and_holidays_are_closed() {
        let day = r#"[["09:00","17:00"]]"#;
        let with_holiday = calendar(&format!(
            r#"{{"time_zone":"UTC","holidays":["2026-12-25"],"business_hours":{{"thursday":{day},"friday":{day},"monday":{day}}}}}"#
        ));
        // Thursday 24 Dec 16:00 + 2h: 1h Thursday, Friday 25 is a holiday, weekend, 1h Monday 28.
        assert_eq!(with_holiday.add(at("2026-12-24T16:00:00Z"), hours(2)), at("2026-12-28T10:00:00Z"));
        assert_eq!(with_holiday.between(at("2026-12-24T00:00:00Z"), at("2026-12-29T00:00:00Z")), hours(16));
        // Friday 2026-03-13 16:00 + 2h lands on Monday 10:00.
        let utc = office("UTC");
        assert_eq!(utc.add(at("2026-03-13T16:00:00Z"), hours(2)), at("2026-03-16T10:00:00Z"));
        assert_eq!(utc.between(at("2026-03-13T16:00:00Z"), at("2026-03-16T10:00:00Z")), hours(2));
    }

    #[test]
    fn office_days_keep_their_hours_across_daylight_saving_changes() {
        let berlin = office("Europe/Berlin");
        // Berlin springs forward on Sunday 2026-03-29 and falls back on Sunday 2026-10-25; office days
        // around them are 8 hours, and a Friday-to-Monday deadline is right in both offsets.
        assert_eq!(berlin.add(at("2026-03-27T15:00:00Z"), hours(2)), at("2026-03-30T08:00:00Z"));
        assert_eq!(berlin.between(at("2026-03-27T00:00:00Z"), at("2026-03-31T00:00:00Z")), hours(16));
        assert_eq!(berlin.add(at("2026-10-23T14:00:00Z"), hours(2)), at("2026-10-26T09:00:00Z"));

        let new_york = office("America/New_York");
        // New York springs forward on 2026-03-08 and falls back on 2026-11-01 (both Sundays).
        assert_eq!(new_york.add(at("2026-03-06T21:00:00Z"), hours(2)), at("2026-03-09T14:00:00Z"));
        assert_eq!(new_york.add(at("2026-10-30T20:00:00Z"), hours(2)), at("2026-11-02T15:00:00Z"));
    }

    #[test]
    fn shifts_on_the_change_days_measure_real_time() {
        let day = r#"[["00:00","24:00"]]"#;
        let sundays =
            |zone: &str| calendar(&format!(r#"{{"time_zone":"{zone}","business_hours":{{"sunday":{day}}}}}"#));
        // The whole Sunday is 23 hours in spring and 25 in autumn.
        let berlin = sundays("Europe/Berlin");
        assert_eq!(berlin.between(at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z")), hours(23));
        assert_eq!(berlin.between(at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z")), hours(25));
        let new_york = sundays("America/New_York");
        assert_eq!(new_york.between(at("2026-03-08T00:00:00Z"), at("2026-03-10T00:00:00Z")), hours(23));
        assert_eq!(new_york.between(at("2026-11-01T00:00:00Z"), at("2026-11-03T00:00:00Z")), hours(25));

        // A night shift inside the skipped hour is empty; one across it opens at the jump.
        let nights = calendar(
            r#"{"time_zone":"Europe/Berlin","business_hours":{"sunday":[["02:00","03:00"],["03:30","04:30"]]}}"#,
        );
        let spring_sunday = (at("2026-03-29T00:00:00Z"), at("2026-03-30T00:00:00Z"));
        assert_eq!(nights.between(spring_sunday.0, spring_sunday.1), hours(1));
        let across = calendar(r#"{"time_zone":"Europe/Berlin","business_hours":{"sunday":[["02:30","05:00"]]}}"#);
        // 02:30 does not exist: the shift opens at the jump (01:00Z = 03:00 CEST) and runs to 05:00.
        assert_eq!(across.between(spring_sunday.0, spring_sunday.1), hours(2));
        assert_eq!(across.add(spring_sunday.0, SignedDuration::from_mins(1)), at("2026-03-29T01:01:00Z"));

        // New York repeats 01:00–02:00 on 2026-11-01: a 01:00–03:00 shift lasts 3 real hours.
        let repeated = calendar(r#"{"time_zone":"America/New_York","business_hours":{"sunday":[["01:00","03:00"]]}}"#);
        assert_eq!(repeated.between(at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z")), hours(3));
        assert_eq!(repeated.add(at("2026-11-01T00:00:00Z"), hours(1)), at("2026-11-01T06:00:00Z"));
    }

    #[test]
    fn always_open_is_wall_time() {
        let always = BusinessCalendar::always_open("America/New_York").unwrap();
        assert!(always.is_always_open());
        let (from, until) = (at("2026-03-07T10:00:00Z"), at("2026-03-09T10:00:00Z"));
        assert_eq!(always.between(from, until), until.duration_since(from));
        assert_eq!(always.add(from, hours(48)), until);
        // Parsed without business hours is the same calendar; with a holiday it is not always open.
        assert_eq!(calendar(r#"{"time_zone":"America/New_York"}"#), always);
        let closed_once = calendar(r#"{"time_zone":"America/New_York","holidays":["2026-03-08"]}"#);
        assert!(!closed_once.is_always_open());
        assert_eq!(closed_once.between(from, until), hours(48 - 23), "the spring-forward day is 23 hours");
        assert!(BusinessCalendar::always_open("Mars/Olympus").is_err());
    }

    #[test]
    fn long_spans_are_walked_by_day() {
        let utc = office("UTC");
        // 90 days from Monday 2026-01-05: 12 whole weeks and 6 days (Mon–Sat) = 12*40 + 5*8 hours.
        let start = at("2026-01-05T00:00:00Z");
        let end = start.checked_add(hours(24 * 90)).unwrap();
        assert_eq!(utc.between(start, end), hours(12 * 40 + 5 * 8));
        assert_eq!(utc.add(start, hours(12 * 40 + 5 * 8)), at("2026-04-03T17:00:00Z"));
        let ten_years = utc.between(start, at("2036-01-05T00:00:00Z"));
        assert!(ten_years > hours(20_000) && ten_years < hours(21_000));
    }

    #[test]
    fn invalid_calendars_name_each_field() {
        assert_eq!(errors(r#"{"time_zone":"Europe/Atlantis"}"#), ["time_zone"]);
        assert_eq!(errors(r#"{"time_zone":" "}"#), ["time_zone"]);
        assert_eq!(
            errors(
                r#"{"time_zone":"UTC","business_hours":{
                    "monday":[["09:00","17:00"],["10:00","11:00"],["12:00","13:00"]],
                    "tuesday":[["17:00","09:00"]],
                    "wednesday":[["9am","12:00"],["10:00","10:00"]],
                    "thursday":[["24:00","24:00"]],
                    "caturday":[["09:00","17:00"]]}}"#
            ),
            [
                "business_hours.caturday",
                "business_hours.monday[1]",
                "business_hours.monday[2]",
                "business_hours.thursday[0]",
                "business_hours.tuesday[0]",
                "business_hours.wednesday[0]",
                "business_hours.wednesday[1]",
            ]
        );
        assert_eq!(errors(r#"{"time_zone":"UTC","business_hours":{}}"#), ["business_hours"]);
        assert_eq!(
            errors(r#"{"time_zone":"UTC","holidays":["2026-12-25","2026-02-30","25.12.2026","2026-12-25"]}"#),
            ["holidays[1]", "holidays[2]", "holidays[3]"]
        );
    }

    #[test]
    fn shifts_may_touch_and_run_to_midnight() {
        let touching =
            calendar(r#"{"time_zone":"UTC","business_hours":{"friday":[["12:00","24:00"],["08:00","12:00"]]}}"#);
        assert_eq!(touching.shifts(Weekday::Friday).len(), 2);
        assert_eq!(touching.between(at("2026-03-13T00:00:00Z"), at("2026-03-14T00:00:00Z")), hours(16));
    }
}
