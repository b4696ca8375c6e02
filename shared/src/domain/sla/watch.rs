//! Watching a ticket's clocks: which SLA moments to record now, when to look again, and where the
//! ticket stands on the radar. The scheduled scan and the recomputation after each ticket change both
//! call [`plan`] with the marks already recorded, so a moment is recorded exactly once whoever sees it
//! first.
//!
//! Marks (each becomes an event in the outbox):
//! - `sla.at_risk`: an unmet clock passed its at-risk point. Once per clock *and target*: if a priority
//!   change moves the deadline, the new deadline gets its own warning.
//! - `sla.breached`: an unmet clock ran out. Once per clock, ever, even if a later priority change makes
//!   the target longer again; also when the clock was met late before any scan saw it run out.
//! - `sla.met`: the clock was met (first reply; solved or closed). Once per clock, ever, saying whether
//!   it was within the target; a reopened and solved-again ticket does not count twice.
//!
//! Each clock has one outcome for compliance, the first one recorded: met in time, or breached. A breach
//! after a met clock (reopened, then late) is recorded for the people watching but not counted again.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::clock::{ClockState, SlaClocks};
use crate::domain::events::EventKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    FirstResponse,
    Resolution,
}

impl ClockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClockKind::FirstResponse => "first_response",
            ClockKind::Resolution => "resolution",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    AtRisk,
    Breached,
    Met,
}

impl MarkKind {
    /// The kind of outbox event recording it.
    pub fn event_kind(self) -> EventKind {
        match self {
            MarkKind::AtRisk => EventKind::SlaAtRisk,
            MarkKind::Breached => EventKind::SlaBreached,
            MarkKind::Met => EventKind::SlaMet,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            MarkKind::AtRisk => "at_risk",
            MarkKind::Breached => "breached",
            MarkKind::Met => "met",
        }
    }
}

/// Marks already recorded for a ticket: `"<clock>.<mark>"` (at-risk ones `"<clock>.at_risk.<target>"`)
/// → the target (seconds) it was recorded for.
pub type Marks = BTreeMap<String, i64>;

/// A moment to record now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub clock: ClockKind,
    pub kind: MarkKind,
    pub target_secs: i64,
    /// The deadline: when the clock ran out, or would run out.
    pub due: Option<Timestamp>,
    /// For `met`: within the target (and not breached before).
    pub within_target: bool,
    /// Whether it is the clock's outcome for compliance (see the module notes).
    pub counted: bool,
}

impl Mark {
    pub fn key(&self) -> String {
        mark_key(self.clock, self.kind, self.target_secs)
    }
}

fn mark_key(clock: ClockKind, kind: MarkKind, target_secs: i64) -> String {
    match kind {
        MarkKind::AtRisk => format!("{}.{}.{target_secs}", clock.as_str(), kind.as_str()),
        _ => format!("{}.{}", clock.as_str(), kind.as_str()),
    }
}

/// Where a ticket stands on the radar; the order is the radar's (most urgent first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RadarState {
    Breached,
    AtRisk,
    OnTrack,
}

impl RadarState {
    pub fn as_str(self) -> &'static str {
        match self {
            RadarState::Breached => "breached",
            RadarState::AtRisk => "at_risk",
            RadarState::OnTrack => "on_track",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "breached" => Ok(RadarState::Breached),
            "at_risk" => Ok(RadarState::AtRisk),
            "on_track" => Ok(RadarState::OnTrack),
            _ => Err("must be breached, at_risk or on_track".to_owned()),
        }
    }
}

/// The clock that puts a ticket on the radar: its worst unmet clock (breached before at risk before on
/// track, then the earlier deadline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RadarPosition {
    pub state: RadarState,
    pub clock: ClockKind,
    /// When it ran out (breached) or runs out if nothing changes.
    pub due: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchPlan {
    pub marks: Vec<Mark>,
    /// When something will next need recording if nothing changes; None: nothing will.
    pub next_check: Option<Timestamp>,
    /// None: not on the radar (no unmet running clock, and no breach to act on).
    pub radar: Option<RadarPosition>,
}

/// What to record for `clocks` given the marks already recorded.
pub fn plan(clocks: &SlaClocks, recorded: &Marks) -> WatchPlan {
    let mut plan = WatchPlan { marks: Vec::new(), next_check: None, radar: None };
    let each = [(ClockKind::FirstResponse, &clocks.first_response), (ClockKind::Resolution, &clocks.resolution)];
    for (kind, state) in each {
        let Some(state) = state else { continue };
        watch_clock(kind, state, recorded, &mut plan);
    }
    plan
}

fn watch_clock(clock: ClockKind, state: &ClockState, recorded: &Marks, plan: &mut WatchPlan) {
    let target_secs = state.target.as_secs();
    let recorded_already = |kind: MarkKind| recorded.contains_key(&mark_key(clock, kind, target_secs));
    let (breach_recorded, met_recorded) = (recorded_already(MarkKind::Breached), recorded_already(MarkKind::Met));
    let mut record = |kind: MarkKind, due: Option<Timestamp>, within_target: bool, counted: bool| {
        plan.marks.push(Mark { clock, kind, target_secs, due, within_target, counted });
    };
    if state.met_at.is_some() {
        // Met late before any scan saw the clock run out: the breach still happened.
        if state.breached && !breach_recorded && !met_recorded {
            record(MarkKind::Breached, state.due, false, true);
        }
        if !met_recorded {
            let in_time = !state.breached && !breach_recorded;
            record(MarkKind::Met, None, in_time, in_time);
        }
        return;
    }
    if state.breached {
        if !breach_recorded {
            record(MarkKind::Breached, state.due, false, !met_recorded);
        }
    } else if state.at_risk && !recorded_already(MarkKind::AtRisk) {
        record(MarkKind::AtRisk, state.due, false, false);
    }

    // Look again at the next moment to record: the at-risk point, then the deadline.
    let next = [state.at_risk_at, if state.breached { None } else { state.due }].into_iter().flatten().min();
    plan.next_check = [plan.next_check, next].into_iter().flatten().min();

    let position = match (state.breached, state.at_risk, state.running, state.due) {
        // Breached and still waiting (running or paused); a clock stopped by solving is done.
        (true, _, _, Some(due)) if state.running || state.paused => {
            Some(RadarPosition { state: RadarState::Breached, clock, due })
        }
        (false, true, true, Some(due)) => Some(RadarPosition { state: RadarState::AtRisk, clock, due }),
        (false, false, true, Some(due)) => Some(RadarPosition { state: RadarState::OnTrack, clock, due }),
        // Paused or stopped before running out: nothing to act on until it runs again.
        _ => None,
    };
    if let Some(position) = position {
        let worse = |a: &RadarPosition, b: &RadarPosition| (a.state, a.due) < (b.state, b.due);
        if plan.radar.is_none_or(|current| worse(&position, &current)) {
            plan.radar = Some(position);
        }
    }
}

/// Adds the marks of `plan` to `recorded`.
pub fn record_marks(recorded: &mut Marks, marks: &[Mark]) {
    for mark in marks {
        recorded.insert(mark.key(), mark.target_secs);
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::domain::sla::clock::Pause;

    fn at(minute: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + minute * 60).unwrap()
    }

    fn running(target_mins: i64, elapsed_mins: i64, now: i64) -> ClockState {
        let target = SignedDuration::from_mins(target_mins);
        let elapsed = SignedDuration::from_mins(elapsed_mins);
        let breached = elapsed >= target;
        let at_risk = !breached && elapsed_mins * 4 >= target_mins * 3;
        ClockState {
            target,
            due: Some(at(now + target_mins - elapsed_mins)),
            elapsed_business: elapsed,
            remaining: target - elapsed,
            running: true,
            paused: false,
            paused_for: SignedDuration::ZERO,
            pauses: Vec::<Pause>::new(),
            met_at: None,
            breached,
            at_risk,
            at_risk_at: (!at_risk && !breached).then(|| at(now + target_mins * 3 / 4 - elapsed_mins)),
        }
    }

    fn only_first(state: ClockState) -> SlaClocks {
        SlaClocks { first_response: Some(state), resolution: None }
    }

    #[test]
    fn a_fresh_clock_is_looked_at_again_at_its_at_risk_point() {
        let plan = plan(&only_first(running(60, 0, 0)), &Marks::new());
        assert!(plan.marks.is_empty());
        assert_eq!(plan.next_check, Some(at(45)));
        assert_eq!(plan.radar.map(|r| (r.state, r.due)), Some((RadarState::OnTrack, at(60))));
    }

    #[test]
    fn at_risk_is_recorded_once_then_the_deadline_is_next() {
        let clocks = only_first(running(60, 50, 50));
        let first = plan(&clocks, &Marks::new());
        assert_eq!(first.marks.len(), 1);
        assert_eq!(first.marks[0].kind, MarkKind::AtRisk);
        assert_eq!(first.next_check, Some(at(60)));
        assert_eq!(first.radar.unwrap().state, RadarState::AtRisk);

        let mut recorded = Marks::new();
        record_marks(&mut recorded, &first.marks);
        let again = plan(&clocks, &recorded);
        assert!(again.marks.is_empty(), "the same moment is never recorded twice");
        assert_eq!(again.next_check, Some(at(60)));
    }

    #[test]
    fn a_breach_is_recorded_once_ever_and_stays_on_the_radar() {
        let clocks = only_first(running(60, 70, 70));
        let first = plan(&clocks, &Marks::new());
        assert_eq!(first.marks.iter().map(|m| m.kind).collect::<Vec<_>>(), [MarkKind::Breached]);
        assert_eq!(first.next_check, None, "nothing more to record for a breached clock");
        assert_eq!(first.radar.map(|r| (r.state, r.due)), Some((RadarState::Breached, at(60))));

        let mut recorded = Marks::new();
        record_marks(&mut recorded, &first.marks);
        // A longer target later (priority lowered), breached again: still recorded only once.
        let relaxed = only_first(running(65, 70, 70));
        assert!(plan(&relaxed, &recorded).marks.is_empty());
    }

    #[test]
    fn a_moved_deadline_gets_its_own_warning() {
        let mut recorded = Marks::new();
        record_marks(&mut recorded, &plan(&only_first(running(60, 50, 50)), &Marks::new()).marks);
        // The priority went up: 56 of 64 minutes used under the new target.
        let moved = plan(&only_first(running(64, 56, 56)), &recorded);
        assert_eq!(moved.marks.iter().map(|m| m.kind).collect::<Vec<_>>(), [MarkKind::AtRisk]);
    }

    #[test]
    fn met_is_recorded_once_with_whether_it_was_in_time_and_leaves_the_radar() {
        let mut state = running(60, 30, 30);
        state.met_at = Some(at(30));
        state.running = false;
        state.due = None;
        state.at_risk_at = None;
        let plan_met = plan(&only_first(state.clone()), &Marks::new());
        assert_eq!(plan_met.marks.len(), 1);
        assert!(plan_met.marks[0].within_target && plan_met.marks[0].kind == MarkKind::Met);
        assert_eq!((plan_met.next_check, plan_met.radar), (None, None));

        let mut late = running(60, 70, 70);
        late.met_at = Some(at(70));
        assert!(!plan(&only_first(late), &Marks::new()).marks[0].within_target);
    }

    #[test]
    fn the_worst_clock_places_the_ticket_and_the_earliest_moment_is_next() {
        let clocks = SlaClocks { first_response: Some(running(60, 10, 10)), resolution: Some(running(480, 400, 10)) };
        let plan = plan(&clocks, &Marks::new());
        let radar = plan.radar.unwrap();
        assert_eq!((radar.state, radar.clock), (RadarState::AtRisk, ClockKind::Resolution));
        // First response turns at risk at minute 45; resolution is due at minute 90.
        assert_eq!(plan.next_check, Some(at(45)));
    }

    #[test]
    fn a_late_reply_before_any_scan_still_records_the_breach_and_counts_it_once() {
        let mut late = running(60, 70, 70);
        late.met_at = Some(at(70));
        late.running = false;
        let plan = plan(&only_first(late.clone()), &Marks::new());
        let kinds: Vec<(MarkKind, bool)> = plan.marks.iter().map(|m| (m.kind, m.counted)).collect();
        assert_eq!(kinds, [(MarkKind::Breached, true), (MarkKind::Met, false)]);
        assert!(!plan.marks[1].within_target);
        let mut recorded = Marks::new();
        record_marks(&mut recorded, &plan.marks);
        assert!(super::plan(&only_first(late), &recorded).marks.is_empty());
    }

    #[test]
    fn a_clock_met_in_time_then_reopened_and_late_is_not_counted_twice() {
        let mut met = running(480, 100, 100);
        met.met_at = Some(at(100));
        let mut recorded = Marks::new();
        record_marks(&mut recorded, &plan(&only_first(met), &Marks::new()).marks);
        let late_after_reopen = plan(&only_first(running(480, 500, 500)), &recorded);
        assert_eq!(late_after_reopen.marks.len(), 1);
        assert_eq!(late_after_reopen.marks[0].kind, MarkKind::Breached);
        assert!(!late_after_reopen.marks[0].counted, "the clock's outcome was met");
    }

    #[test]
    fn a_solved_ticket_whose_reply_clock_ran_out_leaves_the_radar() {
        let mut stopped = running(60, 70, 70);
        stopped.running = false;
        let plan = plan(&only_first(stopped), &Marks::new());
        assert_eq!(plan.radar, None);
        assert_eq!(plan.marks.iter().map(|m| m.kind).collect::<Vec<_>>(), [MarkKind::Breached]);
    }

    #[test]
    fn a_warning_is_not_repeated_when_the_target_comes_back() {
        let mut recorded = Marks::new();
        record_marks(&mut recorded, &plan(&only_first(running(60, 50, 50)), &Marks::new()).marks);
        let moved = plan(&only_first(running(64, 56, 56)), &recorded).marks;
        record_marks(&mut recorded, &moved);
        assert!(plan(&only_first(running(60, 50, 50)), &recorded).marks.is_empty());
    }

    #[test]
    fn a_paused_clock_waits_for_the_ticket_to_change() {
        let mut paused = running(480, 100, 100);
        paused.running = false;
        paused.paused = true;
        paused.due = None;
        paused.at_risk_at = None;
        let plan = plan(&SlaClocks { first_response: None, resolution: Some(paused) }, &Marks::new());
        assert_eq!((plan.next_check, plan.radar, plan.marks.len()), (None, None, 0));
    }
}
