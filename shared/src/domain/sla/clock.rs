//! A ticket's SLA clocks, derived from its status history rather than stored, so they are never stale
//! and a policy change applies to every ticket at once.
//!
//! Rules:
//! - Both clocks start when the ticket is created and count business time only (the policy's calendar),
//!   so a ticket created on Saturday starts counting when the office opens on Monday.
//! - First response is met by the first agent reply (public, not a note). It never pauses: waiting on
//!   the customer does not excuse an unanswered ticket. Time while the ticket is solved or closed does
//!   not count, because nothing is waiting for an answer then.
//! - Resolution pauses while the ticket is in one of the policy's pause statuses (pending and on_hold by
//!   default), stops when it is solved or closed (met at that moment) and resumes if it is reopened;
//!   the time spent solved does not count.
//! - Targets come from the ticket's *current* priority and category, measured from creation. Raising
//!   the priority therefore recomputes the deadline as if the ticket had always had it: if the new,
//!   shorter target has already passed, the clock is breached at once, with `due` in the past.

use jiff::{SignedDuration, Timestamp};

use super::policy::SlaPolicy;
use crate::domain::ticket::{Priority, Status};

/// What the clocks need to know about a ticket.
#[derive(Debug, Clone, Copy)]
pub struct TicketSlaFacts<'a> {
    /// Status changes in time order; the first entry is the creation (usually `new`).
    pub history: &'a [(Timestamp, Status)],
    pub priority: Priority,
    pub category: Option<&'a str>,
    pub subcategory: Option<&'a str>,
    /// The first public agent reply, if any.
    pub first_response_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaClocks {
    /// None when the policy sets no first-response target for this ticket.
    pub first_response: Option<ClockState>,
    /// None when the policy sets no resolution target for this ticket.
    pub resolution: Option<ClockState>,
}

/// A stretch of wall time in a pause status; `until` is None while the pause lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockState {
    /// Business time allowed.
    pub target: SignedDuration,
    /// When the target runs out: projected from now while the clock runs, the past instant it ran out
    /// once breached. None while paused or stopped before running out (the deadline would move).
    pub due: Option<Timestamp>,
    /// Business time counted so far.
    pub elapsed_business: SignedDuration,
    /// `target - elapsed_business`; negative once breached.
    pub remaining: SignedDuration,
    /// Counting right now (not paused, met or stopped).
    pub running: bool,
    pub paused: bool,
    /// Wall time spent in pause statuses so far.
    pub paused_for: SignedDuration,
    pub pauses: Vec<Pause>,
    /// When the clock was met: first reply, or solved/closed for resolution. Cleared by a reopen.
    pub met_at: Option<Timestamp>,
    /// The target ran out before the clock was met.
    pub breached: bool,
    /// Not met, not breached, and past the policy's at-risk point (share of the target used, or
    /// little time left).
    pub at_risk: bool,
    /// When the clock will turn at risk if it keeps running: projected while it runs and is neither at
    /// risk nor breached yet; None otherwise (already at risk, breached, paused, met or stopped).
    pub at_risk_at: Option<Timestamp>,
}

/// Both clocks of a ticket as of `now`. Changes after `now` are ignored; an empty history has no clocks.
pub fn sla_clocks(policy: &SlaPolicy, ticket: &TicketSlaFacts<'_>, now: Timestamp) -> SlaClocks {
    let segments = status_segments(ticket.history, now);
    if segments.is_empty() {
        return SlaClocks { first_response: None, resolution: None };
    }
    let targets = policy.targets_for(ticket.priority, ticket.category, ticket.subcategory);
    SlaClocks {
        first_response: targets
            .first_response
            .map(|target| first_response_clock(policy, &segments, ticket.first_response_at, target, now)),
        resolution: targets.resolution.map(|target| resolution_clock(policy, &segments, target, now)),
    }
}

/// The history as back-to-back stretches `[from, until)` up to `now`, each in one status.
#[derive(Debug, Clone, Copy)]
struct Segment {
    from: Timestamp,
    until: Timestamp,
    status: Status,
}

fn status_segments(history: &[(Timestamp, Status)], now: Timestamp) -> Vec<Segment> {
    let mut changes: Vec<(Timestamp, Status)> = history.iter().copied().filter(|(at, _)| *at <= now).collect();
    changes.sort_by_key(|(at, _)| *at);
    changes
        .iter()
        .enumerate()
        .map(|(index, &(from, status))| {
            let until = changes.get(index + 1).map_or(now, |(next, _)| *next);
            Segment { from, until, status }
        })
        .collect()
}

fn is_end_state(status: Status) -> bool {
    matches!(status, Status::Solved | Status::Closed)
}

fn first_response_clock(
    policy: &SlaPolicy,
    segments: &[Segment],
    first_response_at: Option<Timestamp>,
    target: SignedDuration,
    now: Timestamp,
) -> ClockState {
    let created = segments[0].from;
    let met_at = first_response_at.filter(|at| *at <= now).map(|at| at.max(created));
    let counted_until = met_at.unwrap_or(now);
    let counting: Vec<(Timestamp, Timestamp)> = segments
        .iter()
        .filter(|segment| !is_end_state(segment.status))
        .map(|segment| (segment.from, segment.until.min(counted_until)))
        .filter(|(from, until)| from < until)
        .collect();
    let running = met_at.is_none() && segments.last().is_some_and(|segment| !is_end_state(segment.status));
    settle(policy, target, &counting, Progress { running, paused: false, met_at, pauses: Vec::new(), now })
}

fn resolution_clock(policy: &SlaPolicy, segments: &[Segment], target: SignedDuration, now: Timestamp) -> ClockState {
    let mut counting = Vec::new();
    let mut pauses: Vec<Pause> = Vec::new();
    let mut met_at = None;
    for segment in segments {
        if is_end_state(segment.status) {
            // Solved then closed stays met at the solve.
            met_at = met_at.or(Some(segment.from));
            continue;
        }
        met_at = None;
        if policy.pauses(segment.status) {
            match pauses.last_mut() {
                // Pending then on_hold is one pause.
                Some(pause) if pause.until == Some(segment.from) => pause.until = Some(segment.until),
                _ => pauses.push(Pause { from: segment.from, until: Some(segment.until) }),
            }
        } else if segment.from < segment.until {
            counting.push((segment.from, segment.until));
        }
    }
    let last_status = segments.last().map(|segment| segment.status);
    let paused = last_status.is_some_and(|status| policy.pauses(status));
    if paused && let Some(ongoing) = pauses.last_mut() {
        ongoing.until = None;
    }
    let running = last_status.is_some_and(|status| !is_end_state(status) && !policy.pauses(status));
    settle(policy, target, &counting, Progress { running, paused, met_at, pauses, now })
}

/// Where a clock stands, besides the business time it has counted.
struct Progress {
    running: bool,
    paused: bool,
    met_at: Option<Timestamp>,
    pauses: Vec<Pause>,
    now: Timestamp,
}

/// Measures the counted stretches against the target and fills in the state.
fn settle(
    policy: &SlaPolicy,
    target: SignedDuration,
    counting: &[(Timestamp, Timestamp)],
    progress: Progress,
) -> ClockState {
    let calendar = policy.calendar();
    let mut elapsed = SignedDuration::ZERO;
    let mut ran_out_at = None;
    for &(from, until) in counting {
        let stretch = calendar.between(from, until);
        if ran_out_at.is_none() && elapsed + stretch >= target {
            ran_out_at = Some(calendar.add(from, target - elapsed));
        }
        elapsed += stretch;
    }
    let remaining = target - elapsed;
    // Reaching the target unmet is a breach: a reply exactly at the deadline is already late.
    let breached = elapsed >= target;
    let due = match ran_out_at {
        Some(at) => Some(at),
        None if progress.running => Some(calendar.add(progress.now, remaining)),
        None => None,
    };
    let paused_for = progress
        .pauses
        .iter()
        .map(|pause| pause.until.unwrap_or(progress.now).duration_since(pause.from))
        .fold(SignedDuration::ZERO, |total, each| total + each);
    let at_risk_after = policy.at_risk_after(target);
    let at_risk = progress.met_at.is_none() && !breached && elapsed >= at_risk_after;
    let at_risk_at = match (progress.running, at_risk || breached) {
        (true, false) => Some(calendar.add(progress.now, at_risk_after - elapsed)),
        _ => None,
    };
    ClockState {
        target,
        due,
        elapsed_business: elapsed,
        remaining,
        running: progress.running,
        paused: progress.paused,
        paused_for,
        pauses: progress.pauses,
        met_at: progress.met_at,
        breached,
        at_risk,
        at_risk_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sla::policy::RawSlaPolicy;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn hours(count: i64) -> SignedDuration {
        SignedDuration::from_hours(count)
    }

    /// Berlin office hours Monday–Friday 09:00–17:00; normal: reply in 2h, resolve in 8h; urgent: reply
    /// in 1h, resolve in 4h; billing tickets: reply in 30 minutes.
    fn office_policy() -> SlaPolicy {
        let day = r#"[["09:00","17:00"]]"#;
        let json = format!(
            r#"{{"time_zone":"Europe/Berlin",
                "business_hours":{{"monday":{day},"tuesday":{day},"wednesday":{day},"thursday":{day},"friday":{day}}},
                "targets":{{"normal":{{"first_response_minutes":120,"resolution_minutes":480}},
                            "urgent":{{"first_response_minutes":60,"resolution_minutes":240}}}},
                "overrides":[{{"category":"Billing","targets":{{"normal":{{"first_response_minutes":30,"resolution_minutes":480}}}}}}]}}"#
        );
        let raw: RawSlaPolicy = serde_json::from_str(&json).unwrap();
        SlaPolicy::parse(&raw).unwrap()
    }

    fn ticket(history: &[(Timestamp, Status)], priority: Priority) -> TicketSlaFacts<'_> {
        TicketSlaFacts { history, priority, category: None, subcategory: None, first_response_at: None }
    }

    #[test]
    fn a_ticket_created_on_saturday_starts_counting_on_monday() {
        // Saturday 2026-03-14 10:00 Berlin (09:00Z); Monday opens at 09:00 local (08:00Z).
        let history = [(at("2026-03-14T09:00:00Z"), Status::New)];
        let clocks = sla_clocks(&office_policy(), &ticket(&history, Priority::Normal), at("2026-03-15T12:00:00Z"));
        let first = clocks.first_response.unwrap();
        assert_eq!(first.elapsed_business, SignedDuration::ZERO);
        assert_eq!(first.due, Some(at("2026-03-16T10:00:00Z")));
        assert!(first.running && !first.breached && !first.at_risk);
        assert_eq!(clocks.resolution.unwrap().due, Some(at("2026-03-16T16:00:00Z")));
    }

    #[test]
    fn first_response_is_met_by_the_reply_and_never_pauses() {
        // Monday 2026-03-09 09:00 Berlin; pending at 09:30 (the agent asked something), replied at 10:45.
        let history = [(at("2026-03-09T08:00:00Z"), Status::New), (at("2026-03-09T08:30:00Z"), Status::Pending)];
        let facts = TicketSlaFacts {
            first_response_at: Some(at("2026-03-09T09:45:00Z")),
            ..ticket(&history, Priority::Normal)
        };
        let clocks = sla_clocks(&office_policy(), &facts, at("2026-03-09T14:00:00Z"));
        let first = clocks.first_response.unwrap();
        assert_eq!(first.met_at, Some(at("2026-03-09T09:45:00Z")));
        assert_eq!(first.elapsed_business, SignedDuration::from_mins(105));
        assert!(!first.breached && !first.running && !first.paused && !first.at_risk);
        assert_eq!(first.due, None);
        // Past 75% of the two hours, unanswered, it is at risk.
        let unanswered = sla_clocks(&office_policy(), &ticket(&history, Priority::Normal), at("2026-03-09T09:45:00Z"));
        let first = unanswered.first_response.unwrap();
        assert!(first.at_risk && first.running && !first.paused);
        assert_eq!(first.due, Some(at("2026-03-09T10:00:00Z")));
    }

    #[test]
    fn pending_pauses_resolution_until_resumed() {
        // Monday 09:00 Berlin created; pending 11:00–Tuesday 10:00 local; open again since.
        let history = [
            (at("2026-03-09T08:00:00Z"), Status::New),
            (at("2026-03-09T10:00:00Z"), Status::Pending),
            (at("2026-03-10T09:00:00Z"), Status::Open),
        ];
        let policy = office_policy();
        let while_paused = sla_clocks(&policy, &ticket(&history[..2], Priority::Normal), at("2026-03-10T08:00:00Z"));
        let resolution = while_paused.resolution.unwrap();
        assert!(resolution.paused && !resolution.running);
        assert_eq!(resolution.due, None);
        assert_eq!(resolution.elapsed_business, hours(2));
        assert_eq!(resolution.pauses, [Pause { from: at("2026-03-09T10:00:00Z"), until: None }]);
        assert_eq!(resolution.paused_for, hours(22));

        let resumed = sla_clocks(&policy, &ticket(&history, Priority::Normal), at("2026-03-10T10:00:00Z"));
        let resolution = resumed.resolution.unwrap();
        assert!(resolution.running && !resolution.paused);
        assert_eq!(resolution.elapsed_business, hours(3));
        assert_eq!(resolution.paused_for, hours(23));
        // 5 of the 8 hours left from Tuesday 11:00 local: due at 16:00 local (15:00Z).
        assert_eq!(resolution.due, Some(at("2026-03-10T15:00:00Z")));
        assert_eq!(
            resolution.pauses,
            [Pause { from: at("2026-03-09T10:00:00Z"), until: Some(at("2026-03-10T09:00:00Z")) }]
        );
    }

    #[test]
    fn reopening_resumes_resolution_without_the_solved_time() {
        let history = [
            (at("2026-03-09T08:00:00Z"), Status::New),
            (at("2026-03-09T09:00:00Z"), Status::Open),
            (at("2026-03-09T11:00:00Z"), Status::Solved),
            (at("2026-03-11T08:00:00Z"), Status::Open),
        ];
        let policy = office_policy();
        let solved = sla_clocks(&policy, &ticket(&history[..3], Priority::Normal), at("2026-03-10T12:00:00Z"));
        let resolution = solved.resolution.unwrap();
        assert_eq!(resolution.met_at, Some(at("2026-03-09T11:00:00Z")));
        assert_eq!(resolution.elapsed_business, hours(3));
        assert!(!resolution.running && !resolution.breached && resolution.due.is_none());

        // Reopened on Wednesday 09:00 local; at 12:00 local 3 + 3 hours have counted.
        let reopened = sla_clocks(&policy, &ticket(&history, Priority::Normal), at("2026-03-11T11:00:00Z"));
        let resolution = reopened.resolution.unwrap();
        assert_eq!(resolution.met_at, None);
        assert_eq!(resolution.elapsed_business, hours(6));
        assert!(resolution.running && resolution.at_risk);
        assert_eq!(resolution.due, Some(at("2026-03-11T13:00:00Z")));
    }

    #[test]
    fn raising_the_priority_after_the_deadline_breaches_at_once() {
        // Created Monday 09:00 local as normal (resolve in 8h); on Monday 15:00 local, 6 hours in, it
        // becomes urgent (4h): the urgent deadline was 13:00 local, so it is breached, due in the past.
        let history = [(at("2026-03-09T08:00:00Z"), Status::New)];
        let now = at("2026-03-09T14:00:00Z");
        let normal = sla_clocks(&office_policy(), &ticket(&history, Priority::Normal), now).resolution.unwrap();
        assert!(!normal.breached);
        let urgent = sla_clocks(&office_policy(), &ticket(&history, Priority::Urgent), now).resolution.unwrap();
        assert!(urgent.breached && !urgent.at_risk && urgent.running);
        assert_eq!(urgent.due, Some(at("2026-03-09T12:00:00Z")));
        assert_eq!(urgent.remaining, hours(-2));
    }

    #[test]
    fn a_category_override_beats_the_priority_default() {
        let history = [(at("2026-03-09T08:00:00Z"), Status::New)];
        let facts = TicketSlaFacts { category: Some("billing"), ..ticket(&history, Priority::Normal) };
        let first = sla_clocks(&office_policy(), &facts, at("2026-03-09T08:40:00Z")).first_response.unwrap();
        assert_eq!(first.target, SignedDuration::from_mins(30));
        assert!(first.breached);
        assert_eq!(first.due, Some(at("2026-03-09T08:30:00Z")));
    }

    #[test]
    fn a_ticket_solved_without_a_reply_stops_the_first_response_clock() {
        let history = [(at("2026-03-09T08:00:00Z"), Status::New), (at("2026-03-09T09:00:00Z"), Status::Solved)];
        let first = sla_clocks(&office_policy(), &ticket(&history, Priority::Normal), at("2026-03-12T08:00:00Z"))
            .first_response
            .unwrap();
        assert_eq!(first.elapsed_business, hours(1));
        assert!(!first.running && !first.breached && first.met_at.is_none() && first.due.is_none());
    }

    #[test]
    fn daylight_saving_changes_do_not_move_business_deadlines() {
        // New York: created Friday 2026-03-06 16:00 EST, resolve in 8 business hours: 1h Friday and
        // 7h on Monday after the change to EDT, so due Monday 16:00 EDT (20:00Z).
        let always_policy = |zone: &str, hours_json: &str| {
            let json =
                format!(r#"{{"time_zone":"{zone}",{hours_json}"targets":{{"normal":{{"resolution_minutes":480}}}}}}"#);
            SlaPolicy::parse(&serde_json::from_str(&json).unwrap()).unwrap()
        };
        let day = r#"[["09:00","17:00"]]"#;
        let weekdays = format!(r#""business_hours":{{"monday":{day},"friday":{day}}},"#);
        let new_york = always_policy("America/New_York", &weekdays);
        let history = [(at("2026-03-06T21:00:00Z"), Status::New)];
        let resolution =
            sla_clocks(&new_york, &ticket(&history, Priority::Normal), at("2026-03-07T00:00:00Z")).resolution.unwrap();
        assert_eq!(resolution.due, Some(at("2026-03-09T20:00:00Z")));

        // Around the clock in Berlin, the clock is wall time: 8 hours across the autumn change.
        let around_the_clock = always_policy("Europe/Berlin", "");
        let history = [(at("2026-10-24T22:00:00Z"), Status::New)];
        let resolution = sla_clocks(&around_the_clock, &ticket(&history, Priority::Normal), at("2026-10-25T03:00:00Z"))
            .resolution
            .unwrap();
        assert_eq!(resolution.elapsed_business, hours(5));
        assert_eq!(resolution.due, Some(at("2026-10-25T06:00:00Z")));
    }

    #[test]
    fn no_history_or_no_target_means_no_clock() {
        let empty = sla_clocks(&office_policy(), &ticket(&[], Priority::Normal), at("2026-03-09T08:00:00Z"));
        assert_eq!(empty, SlaClocks { first_response: None, resolution: None });
        let history = [(at("2026-03-09T08:00:00Z"), Status::New)];
        let low = sla_clocks(&office_policy(), &ticket(&history, Priority::Low), at("2026-03-09T09:00:00Z"));
        assert_eq!(low, SlaClocks { first_response: None, resolution: None });
    }

    #[test]
    fn a_clock_is_also_at_risk_when_little_time_is_left() {
        // Resolution in 8h with a 75% share turns at risk after 6h; with "30 minutes left" added, the
        // earlier of the two wins: 6h. For a 1h first response: 45 minutes by share, 30 by minutes left.
        let day = r#"[["09:00","17:00"]]"#;
        let json = format!(
            r#"{{"time_zone":"Europe/Berlin","at_risk_minutes":30,
                "business_hours":{{"monday":{day},"tuesday":{day}}},
                "targets":{{"normal":{{"first_response_minutes":60,"resolution_minutes":480}}}}}}"#
        );
        let policy = SlaPolicy::parse(&serde_json::from_str(&json).unwrap()).unwrap();
        let history = [(at("2026-03-09T08:00:00Z"), Status::New)];
        let clocks = sla_clocks(&policy, &ticket(&history, Priority::Normal), at("2026-03-09T08:10:00Z"));
        let first = clocks.first_response.unwrap();
        assert!(!first.at_risk);
        // Projected: at risk at 09:30 local (08:30Z), due at 10:00 local.
        assert_eq!(first.at_risk_at, Some(at("2026-03-09T08:30:00Z")));
        assert_eq!(clocks.resolution.unwrap().at_risk_at, Some(at("2026-03-09T14:00:00Z")));
        let later = sla_clocks(&policy, &ticket(&history, Priority::Normal), at("2026-03-09T08:30:00Z"));
        let first = later.first_response.unwrap();
        assert!(first.at_risk && first.at_risk_at.is_none());
    }

    #[test]
    fn the_at_risk_point_is_projected_over_closed_hours() {
        // Created Monday 16:00 local with 2h to reply: 90 minutes (75%) run out Tuesday 09:30 local.
        let history = [(at("2026-03-09T15:00:00Z"), Status::New)];
        let first = sla_clocks(&office_policy(), &ticket(&history, Priority::Normal), at("2026-03-09T15:00:00Z"))
            .first_response
            .unwrap();
        assert_eq!(first.at_risk_at, Some(at("2026-03-10T08:30:00Z")));
        assert_eq!(first.due, Some(at("2026-03-10T09:00:00Z")));
    }
}
