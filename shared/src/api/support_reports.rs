//! The support report and agent performance (docs/reports.md defines every figure).

use serde::Serialize;
use utoipa::ToSchema;

/// One time metric on one clock over a period, in seconds: exact count and average, median and 90th
/// percentile within 1% (from the merged daily sketches). Nulls when nothing was measured.
#[derive(Debug, Default, Clone, PartialEq, Serialize, ToSchema)]
pub struct DurationStats {
    pub count: u64,
    pub average_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
    pub p90_seconds: Option<f64>,
}

/// A time metric in calendar time and in business time (null where no SLA policy measured any).
#[derive(Debug, Default, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimeMetric {
    pub calendar: DurationStats,
    pub business: Option<DurationStats>,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, ToSchema)]
pub struct TimeMetrics {
    pub first_reply: TimeMetric,
    pub first_resolution: TimeMetric,
    pub full_resolution: TimeMetric,
    pub requester_wait: TimeMetric,
    pub agent_wait: TimeMetric,
    pub on_hold: TimeMetric,
}

/// The counts, rates and times of a period (or a day, or a breakdown value).
#[derive(Debug, Default, Clone, PartialEq, Serialize, ToSchema)]
pub struct SupportFigures {
    pub created: i64,
    pub solved: i64,
    pub reopened: i64,
    /// Solves with fewer than two public agent replies.
    pub one_touch: i64,
    /// Public agent replies.
    pub replies: i64,
    /// one_touch / solved; null without solves.
    pub one_touch_rate: Option<f64>,
    /// reopened / solved; null without solves.
    pub reopen_rate: Option<f64>,
    pub sla_first_response: SlaOutcomes,
    pub sla_resolution: SlaOutcomes,
    pub times: TimeMetrics,
}

/// SLA clocks met within target and breached, and the share met.
#[derive(Debug, Default, Clone, PartialEq, Serialize, ToSchema)]
pub struct SlaOutcomes {
    pub met: i64,
    pub breached: i64,
    /// met / (met + breached); null without outcomes.
    pub compliance: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupportDayFigures {
    /// YYYY-MM-DD in the report time zone.
    pub date: String,
    /// Tickets not solved or closed at the end of the day.
    pub backlog: i64,
    pub figures: SupportFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownRow {
    /// The channel, category (`none`), priority or agent id (`unassigned`).
    pub value: String,
    pub figures: SupportFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupportBreakdown {
    /// channel, category, priority or agent
    pub dimension: String,
    /// Values with anything in the range, most tickets created first.
    pub rows: Vec<BreakdownRow>,
}

/// The period before the range, as long as it, for comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupportPeriod {
    pub from: String,
    pub to: String,
    pub backlog_end: i64,
    pub totals: SupportFigures,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SupportReport {
    pub from: String,
    pub to: String,
    /// The IANA time zone report days are counted in (the workspace's setting; UTC by default).
    pub time_zone: String,
    /// The backlog at the end of the range's last day.
    pub backlog_end: i64,
    pub totals: SupportFigures,
    /// Every day of the range, oldest first.
    pub days: Vec<SupportDayFigures>,
    pub breakdown: Option<SupportBreakdown>,
    /// With `compare=previous`.
    pub previous: Option<SupportPeriod>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentPerformance {
    pub user_id: String,
    /// The member's name (null for someone no longer a member).
    pub name: Option<String>,
    pub solved: i64,
    /// Public replies this member wrote.
    pub replies: i64,
    pub one_touch: i64,
    pub reopened: i64,
    pub first_reply: TimeMetric,
    pub first_resolution: TimeMetric,
    pub full_resolution: TimeMetric,
    pub sla_first_response: SlaOutcomes,
    pub sla_resolution: SlaOutcomes,
    /// Unsolved tickets assigned to them now (live).
    pub open_assigned: i64,
    /// Connected to the app now (presence).
    pub online: bool,
    /// Seconds online over the range, from presence (connected with the app open and heartbeating),
    /// counted per report day.
    pub online_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentReport {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    /// Managers, admins and owners see every member who can work tickets and anyone with figures in
    /// the range; everyone else sees their own row only. Most solved first.
    pub agents: Vec<AgentPerformance>,
}
