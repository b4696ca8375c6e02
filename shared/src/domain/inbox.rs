//! What an inbox row says about a ticket without reading anything but the ticket: a one-line preview
//! of the latest public message and where its SLA clocks stand. The ticket item carries both, written
//! by the changes that move them (docs/data-model.md, "Inbox rows").

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sla::{ClockState, SlaClocks};

/// The longest preview, in characters (an ellipsis included).
pub const PREVIEW_CHARS: usize = 140;

/// One line of a message: whitespace (new lines included) collapsed to single spaces, trimmed, and cut
/// at [`PREVIEW_CHARS`] characters with an ellipsis.
pub fn preview(body: &str) -> String {
    let line = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= PREVIEW_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(PREVIEW_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Where a ticket's nearest open SLA clock stands, for an inbox row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaRowState {
    /// A clock ran out and the ticket still waits.
    Breached,
    /// A clock is past the policy's at-risk point.
    AtRisk,
    /// A clock is counting, on track.
    Running,
    /// Every open clock is paused by the ticket's status.
    Paused,
    /// Every clock is met (or stopped by solving).
    Met,
    /// No policy, or no target for this ticket.
    None,
}

/// The SLA part of an inbox row: the state, and when the clock runs out (the past moment it ran out,
/// once breached; null while paused, met or without a clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SlaRow {
    pub state: SlaRowState,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
}

impl SlaRow {
    pub const NONE: SlaRow = SlaRow { state: SlaRowState::None, due_at: None };
}

/// The row's SLA from the ticket's clocks: the worst open clock (breached, then at risk, then running
/// with the earlier deadline), else paused if one waits, else met if any clock exists.
pub fn sla_row(clocks: &SlaClocks) -> SlaRow {
    let open: Vec<&ClockState> =
        [&clocks.first_response, &clocks.resolution].into_iter().flatten().filter(|c| c.met_at.is_none()).collect();
    let worst = |state: SlaRowState, pick: fn(&ClockState) -> bool| {
        open.iter()
            .filter(|clock| pick(clock))
            .filter_map(|clock| clock.due)
            .min()
            .map(|due| SlaRow { state, due_at: Some(due) })
    };
    let breached = worst(SlaRowState::Breached, |c| c.breached && (c.running || c.paused));
    let at_risk = || worst(SlaRowState::AtRisk, |c| !c.breached && c.at_risk && c.running);
    let running = || worst(SlaRowState::Running, |c| !c.breached && c.running);
    if let Some(row) = breached.or_else(at_risk).or_else(running) {
        return row;
    }
    if open.iter().any(|clock| clock.paused) {
        return SlaRow { state: SlaRowState::Paused, due_at: None };
    }
    match (&clocks.first_response, &clocks.resolution) {
        (None, None) => SlaRow::NONE,
        _ => SlaRow { state: SlaRowState::Met, due_at: None },
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    #[test]
    fn a_preview_is_one_line_of_at_most_140_characters() {
        assert_eq!(preview("  Hello,\n\n  my printer\tis on fire  "), "Hello, my printer is on fire");
        let cut = preview(&"word ".repeat(60));
        assert_eq!(cut.chars().count(), PREVIEW_CHARS);
        assert!(cut.ends_with("word…"), "{cut}");
        let cut = preview(&format!("{} tail of the message", "x".repeat(138)));
        assert_eq!(cut, format!("{}…", "x".repeat(138)), "no space before the ellipsis");
        assert_eq!(preview(&"é".repeat(140)), "é".repeat(140), "exactly the limit stays whole");
    }

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn clock(due: Option<i64>) -> ClockState {
        ClockState {
            target: SignedDuration::from_hours(1),
            due: due.map(at),
            elapsed_business: SignedDuration::ZERO,
            remaining: SignedDuration::from_hours(1),
            running: true,
            paused: false,
            paused_for: SignedDuration::ZERO,
            pauses: vec![],
            met_at: None,
            breached: false,
            at_risk: false,
            at_risk_at: None,
        }
    }

    #[test]
    fn the_worst_open_clock_names_the_row() {
        let breached = ClockState { breached: true, ..clock(Some(-60)) };
        let clocks = SlaClocks { first_response: Some(breached), resolution: Some(clock(Some(600))) };
        assert_eq!(sla_row(&clocks), SlaRow { state: SlaRowState::Breached, due_at: Some(at(-60)) });

        let at_risk = ClockState { at_risk: true, ..clock(Some(900)) };
        let clocks = SlaClocks { first_response: Some(at_risk), resolution: Some(clock(Some(600))) };
        assert_eq!(sla_row(&clocks).state, SlaRowState::AtRisk);

        let clocks = SlaClocks { first_response: Some(clock(Some(900))), resolution: Some(clock(Some(600))) };
        assert_eq!(sla_row(&clocks), SlaRow { state: SlaRowState::Running, due_at: Some(at(600)) });
    }

    #[test]
    fn met_paused_and_no_clock_rows() {
        let met = ClockState { met_at: Some(at(0)), running: false, ..clock(None) };
        let paused = ClockState { running: false, paused: true, ..clock(None) };
        let clocks = SlaClocks { first_response: Some(met.clone()), resolution: Some(paused) };
        assert_eq!(sla_row(&clocks), SlaRow { state: SlaRowState::Paused, due_at: None });
        let clocks = SlaClocks { first_response: Some(met.clone()), resolution: Some(met) };
        assert_eq!(sla_row(&clocks).state, SlaRowState::Met);
        assert_eq!(sla_row(&SlaClocks { first_response: None, resolution: None }), SlaRow::NONE);
    }
}
