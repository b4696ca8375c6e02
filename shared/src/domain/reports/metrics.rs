//! The support metrics of one ticket, as Zendesk Explore and Freshdesk Analytics define them (each rule
//! is documented in docs/reports.md). Pure: the caller passes the ticket's history and the moment it
//! measures at, so a metric is the same whenever it is computed.
//!
//! Every duration comes in calendar time and, where the workspace has an SLA policy, in business time
//! counted on the policy's calendar (the same arithmetic the SLA clocks use).

use jiff::{SignedDuration, Timestamp};

use crate::domain::sla::BusinessCalendar;
use crate::domain::ticket::Status;

/// What the metrics need to know about a ticket.
#[derive(Debug, Clone, Copy)]
pub struct TicketTimeline<'a> {
    pub created_at: Timestamp,
    /// A member opened it (on the requester's behalf, or outbound) rather than the requester.
    pub opened_by_agent: bool,
    /// Status changes in time order; the first entry is the creation.
    pub statuses: &'a [(Timestamp, Status)],
    /// When each public agent reply was written, in time order (internal notes are not replies).
    pub public_agent_replies: &'a [Timestamp],
}

/// A duration in calendar time and, with a business calendar, in business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    pub calendar: SignedDuration,
    pub business: Option<SignedDuration>,
}

impl Elapsed {
    pub const ZERO: Elapsed = Elapsed { calendar: SignedDuration::ZERO, business: None };

    /// `[from, until)` on the wall clock and, given one, on the business calendar.
    pub fn between(from: Timestamp, until: Timestamp, calendar: Option<&BusinessCalendar>) -> Elapsed {
        let wall = if until > from { until.duration_since(from) } else { SignedDuration::ZERO };
        Elapsed { calendar: wall, business: calendar.map(|calendar| calendar.between(from, until)) }
    }

    fn plus(self, other: Elapsed) -> Elapsed {
        Elapsed {
            calendar: self.calendar + other.calendar,
            business: match (self.business, other.business) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            },
        }
    }
}

/// The reply that ends the wait for a first answer: the first public agent reply, or for a ticket an
/// agent opened the second (Zendesk: the agent's own opening words are its first public comment).
pub fn first_reply_at(ticket: &TicketTimeline<'_>) -> Option<Timestamp> {
    let nth = usize::from(ticket.opened_by_agent);
    ticket.public_agent_replies.iter().filter(|at| **at >= ticket.created_at).nth(nth).copied()
}

/// First reply time: creation to [`first_reply_at`]; None while unanswered.
pub fn first_reply_time(ticket: &TicketTimeline<'_>, calendar: Option<&BusinessCalendar>) -> Option<Elapsed> {
    first_reply_at(ticket).map(|at| Elapsed::between(ticket.created_at, at, calendar))
}

/// The moments the ticket became solved (from another status), up to `as_of`, oldest first.
fn solves<'a>(ticket: &TicketTimeline<'a>, as_of: Timestamp) -> impl Iterator<Item = Timestamp> + 'a {
    let mut previous = None;
    let statuses: &'a [(Timestamp, Status)] = ticket.statuses;
    statuses.iter().filter(move |(at, _)| *at <= as_of).filter_map(move |&(at, status)| {
        let entered = status == Status::Solved && previous != Some(Status::Solved);
        previous = Some(status);
        entered.then_some(at)
    })
}

/// First resolution time: creation to the first time the ticket was solved, as of `as_of`.
pub fn first_resolution_time(
    ticket: &TicketTimeline<'_>,
    calendar: Option<&BusinessCalendar>,
    as_of: Timestamp,
) -> Option<Elapsed> {
    solves(ticket, as_of).next().map(|at| Elapsed::between(ticket.created_at, at, calendar))
}

/// Full resolution time: creation to the latest time the ticket was solved, as of `as_of`.
pub fn full_resolution_time(
    ticket: &TicketTimeline<'_>,
    calendar: Option<&BusinessCalendar>,
    as_of: Timestamp,
) -> Option<Elapsed> {
    solves(ticket, as_of).last().map(|at| Elapsed::between(ticket.created_at, at, calendar))
}

/// Whether the ticket has been solved before `as_of` already (so a solve at `as_of` is a re-solve).
pub fn solved_before(ticket: &TicketTimeline<'_>, as_of: Timestamp) -> bool {
    solves(ticket, as_of).any(|at| at < as_of)
}

/// Time the ticket spent in any of `statuses` from creation to `until`.
pub fn time_in(
    ticket: &TicketTimeline<'_>,
    statuses: &[Status],
    calendar: Option<&BusinessCalendar>,
    until: Timestamp,
) -> Elapsed {
    let changes = ticket.statuses;
    let mut total = Elapsed { calendar: SignedDuration::ZERO, business: calendar.map(|_| SignedDuration::ZERO) };
    for (index, &(from, status)) in changes.iter().enumerate() {
        if from >= until {
            break;
        }
        let end = changes.get(index + 1).map_or(until, |(next, _)| (*next).min(until));
        if statuses.contains(&status) {
            total = total.plus(Elapsed::between(from, end, calendar));
        }
    }
    total
}

/// Requester wait time: time the requester waited on the team (new, open and on hold; Zendesk).
pub const REQUESTER_WAIT: &[Status] = &[Status::New, Status::Open, Status::OnHold];
/// Agent wait time: time the team waited on the requester (pending).
pub const AGENT_WAIT: &[Status] = &[Status::Pending];
/// On-hold time: time the team waited on a third party (on hold).
pub const ON_HOLD: &[Status] = &[Status::OnHold];

/// One-touch resolution: the ticket is solved at `as_of` with fewer than two public agent replies
/// written up to then (Zendesk's "one-touch tickets", Freshdesk's "first contact resolution").
pub fn one_touch(ticket: &TicketTimeline<'_>, as_of: Timestamp) -> bool {
    let solved_now = ticket.statuses.iter().rev().find(|(at, _)| *at <= as_of).map(|(_, status)| *status);
    solved_now == Some(Status::Solved) && ticket.public_agent_replies.iter().filter(|at| **at <= as_of).count() < 2
}

/// A reopen: a solved ticket moved back to a status that waits on someone (new, open, pending, on
/// hold). Closing a solved ticket is not a reopen.
pub fn is_reopen(before: Status, after: Status) -> bool {
    before == Status::Solved && !matches!(after, Status::Solved | Status::Closed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sla::RawBusinessCalendar;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn minutes(n: i64) -> SignedDuration {
        SignedDuration::from_mins(n)
    }

    /// Weekdays 09:00-17:00 in Berlin.
    fn office() -> BusinessCalendar {
        let weekday = vec![["09:00".to_owned(), "17:00".to_owned()]];
        let hours = ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .into_iter()
            .map(|day| (day.to_owned(), weekday.clone()))
            .collect();
        BusinessCalendar::parse(&RawBusinessCalendar {
            time_zone: "Europe/Berlin".to_owned(),
            business_hours: Some(hours),
            holidays: vec![],
        })
        .unwrap()
    }

    fn timeline<'a>(
        statuses: &'a [(Timestamp, Status)],
        replies: &'a [Timestamp],
        opened_by_agent: bool,
    ) -> TicketTimeline<'a> {
        TicketTimeline { created_at: statuses[0].0, opened_by_agent, statuses, public_agent_replies: replies }
    }

    #[test]
    fn first_reply_is_the_first_public_agent_reply() {
        let statuses = [(at("2026-12-07T10:00:00Z"), Status::New)];
        let replies = [at("2026-12-07T10:30:00Z"), at("2026-12-07T11:00:00Z")];
        let ticket = timeline(&statuses, &replies, false);
        assert_eq!(first_reply_time(&ticket, None).unwrap().calendar, minutes(30));
        assert_eq!(first_reply_time(&timeline(&statuses, &[], false), None), None, "unanswered");
    }

    #[test]
    fn a_ticket_an_agent_opened_counts_from_its_second_public_agent_reply() {
        let statuses = [(at("2026-12-07T10:00:00Z"), Status::New)];
        let replies = [at("2026-12-07T10:00:00Z"), at("2026-12-07T12:00:00Z")];
        let ticket = timeline(&statuses, &replies, true);
        assert_eq!(first_reply_at(&ticket), Some(at("2026-12-07T12:00:00Z")));
        assert_eq!(first_reply_time(&ticket, None).unwrap().calendar, minutes(120));
        assert_eq!(first_reply_time(&timeline(&statuses, &replies[..1], true), None), None);
    }

    #[test]
    fn business_first_reply_skips_the_weekend() {
        // Friday 16:30 Berlin (15:30 UTC) to Monday 09:30 Berlin: 30 minutes on Friday, 30 on Monday.
        let statuses = [(at("2026-12-04T15:30:00Z"), Status::New)];
        let replies = [at("2026-12-07T08:30:00Z")];
        let office = office();
        let time = first_reply_time(&timeline(&statuses, &replies, false), Some(&office)).unwrap();
        assert_eq!(time.business, Some(minutes(60)));
        assert_eq!(time.calendar, minutes(65 * 60));
        assert_eq!(first_reply_time(&timeline(&statuses, &replies, false), None).unwrap().business, None);
    }

    #[test]
    fn business_time_across_a_dst_change_counts_office_hours_not_wall_hours() {
        // Berlin leaves summer time on Sunday 2026-10-25. Friday 16:00 CEST (14:00 UTC) to Monday
        // 10:00 CET (09:00 UTC): 1 h on Friday + 1 h on Monday; the wall clock says 67 h (one extra hour).
        let statuses = [(at("2026-10-23T14:00:00Z"), Status::New), (at("2026-10-26T09:00:00Z"), Status::Solved)];
        let office = office();
        let ticket = timeline(&statuses, &[], false);
        let resolution = full_resolution_time(&ticket, Some(&office), at("2026-10-26T09:00:00Z")).unwrap();
        assert_eq!(resolution.business, Some(minutes(120)));
        assert_eq!(resolution.calendar, minutes(67 * 60));
    }

    #[test]
    fn first_and_full_resolution_differ_after_a_reopen() {
        let statuses = [
            (at("2026-12-07T10:00:00Z"), Status::New),
            (at("2026-12-07T11:00:00Z"), Status::Solved),
            (at("2026-12-07T12:00:00Z"), Status::Open),
            (at("2026-12-07T14:00:00Z"), Status::Solved),
        ];
        let ticket = timeline(&statuses, &[], false);
        let now = at("2026-12-07T15:00:00Z");
        assert_eq!(first_resolution_time(&ticket, None, now).unwrap().calendar, minutes(60));
        assert_eq!(full_resolution_time(&ticket, None, now).unwrap().calendar, minutes(240));
        // As of the first solve, both are that solve.
        let first = at("2026-12-07T11:00:00Z");
        assert_eq!(full_resolution_time(&ticket, None, first).unwrap().calendar, minutes(60));
        assert!(!solved_before(&ticket, first));
        assert!(solved_before(&ticket, at("2026-12-07T14:00:00Z")));
        assert!(is_reopen(Status::Solved, Status::Open));
        assert!(is_reopen(Status::Solved, Status::Pending));
        assert!(!is_reopen(Status::Solved, Status::Closed));
        assert!(!is_reopen(Status::Open, Status::Pending));
    }

    #[test]
    fn waits_split_by_who_is_waiting() {
        let statuses = [
            (at("2026-12-07T10:00:00Z"), Status::New),
            (at("2026-12-07T10:10:00Z"), Status::Open),
            (at("2026-12-07T10:30:00Z"), Status::Pending),
            (at("2026-12-07T11:30:00Z"), Status::Open),
            (at("2026-12-07T11:40:00Z"), Status::OnHold),
            (at("2026-12-07T12:10:00Z"), Status::Solved),
        ];
        let ticket = timeline(&statuses, &[], false);
        let until = at("2026-12-07T12:10:00Z");
        // new 10 + open 20 + open 10 + on hold 30
        assert_eq!(time_in(&ticket, REQUESTER_WAIT, None, until).calendar, minutes(70));
        assert_eq!(time_in(&ticket, AGENT_WAIT, None, until).calendar, minutes(60));
        assert_eq!(time_in(&ticket, ON_HOLD, None, until).calendar, minutes(30));
        // Measured earlier, a stretch still running counts up to then.
        assert_eq!(time_in(&ticket, AGENT_WAIT, None, at("2026-12-07T11:00:00Z")).calendar, minutes(30));
        // Pending over a weekend in business time: Friday 16:00 Berlin to Monday 10:00 Berlin.
        let weekend = [
            (at("2026-12-04T14:00:00Z"), Status::Open),
            (at("2026-12-04T15:00:00Z"), Status::Pending),
            (at("2026-12-07T09:00:00Z"), Status::Solved),
        ];
        let office = office();
        let pending = time_in(&timeline(&weekend, &[], false), AGENT_WAIT, Some(&office), at("2026-12-07T09:00:00Z"));
        assert_eq!(pending.business, Some(minutes(60 + 60)));
        assert_eq!(pending.calendar, minutes(66 * 60));
    }

    #[test]
    fn one_touch_is_solved_with_fewer_than_two_public_agent_replies() {
        let statuses = [(at("2026-12-07T10:00:00Z"), Status::New), (at("2026-12-07T11:00:00Z"), Status::Solved)];
        let one = [at("2026-12-07T10:30:00Z")];
        let two = [at("2026-12-07T10:30:00Z"), at("2026-12-07T10:50:00Z")];
        let solved = at("2026-12-07T11:00:00Z");
        assert!(one_touch(&timeline(&statuses, &one, false), solved));
        assert!(one_touch(&timeline(&statuses, &[], false), solved), "solved without a reply");
        assert!(!one_touch(&timeline(&statuses, &two, false), solved));
        assert!(!one_touch(&timeline(&statuses, &one, false), at("2026-12-07T10:40:00Z")), "not solved yet");
    }
}
