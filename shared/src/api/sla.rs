//! SLAs: the workspace's policy, a ticket's clocks, the radar of tickets that need attention first.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{
    ids::{TicketId, UserId},
    sla::ClockState,
    ticket::{Priority, Status},
};

/// The workspace's SLA policy as set (see docs/api.md for its fields), with its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// None until an admin sets a policy: tickets then have no SLA clocks.
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
    /// Send it back as `If-Match` when replacing the policy.
    pub version: u64,
}

/// One SLA clock of a ticket, as of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaClockView {
    /// Business minutes allowed.
    pub target_minutes: i64,
    /// When the target runs out (projected while running; the past instant once breached); null while
    /// paused or met.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<Timestamp>,
    pub elapsed_business_seconds: i64,
    /// Negative once breached.
    pub remaining_business_seconds: i64,
    pub running: bool,
    pub paused: bool,
    pub paused_seconds: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub met_at: Option<Timestamp>,
    pub breached: bool,
    pub at_risk: bool,
    /// When it turns at risk if it keeps running; null once at risk, breached, paused or met.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at_risk_at: Option<Timestamp>,
}

impl From<&ClockState> for SlaClockView {
    fn from(clock: &ClockState) -> Self {
        Self {
            target_minutes: clock.target.as_secs() / 60,
            due: clock.due,
            elapsed_business_seconds: clock.elapsed_business.as_secs(),
            remaining_business_seconds: clock.remaining.as_secs(),
            running: clock.running,
            paused: clock.paused,
            paused_seconds: clock.paused_for.as_secs(),
            met_at: clock.met_at,
            breached: clock.breached,
            at_risk: clock.at_risk,
            at_risk_at: clock.at_risk_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSlaView {
    pub first_response: Option<SlaClockView>,
    pub resolution: Option<SlaClockView>,
}

/// The SLA radar: what needs attention first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaRadarView {
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: Timestamp,
    /// How far ahead on-track tickets are listed (`due_soon`).
    pub within_minutes: i64,
    pub counts: RadarCounts,
    /// Breached, at risk and due soon together, least time left first (breached ones are negative).
    pub tickets: Vec<RadarTicketView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RadarCounts {
    pub breached: usize,
    pub at_risk: usize,
    /// On track, but due within `within_minutes`.
    pub due_soon: usize,
    /// False when a state has more tickets than the radar counts (500): the numbers are lower bounds.
    pub exact: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RadarTicketView {
    pub ticket_id: TicketId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Option<String>,
    pub assignee_id: Option<UserId>,
    /// `breached`, `at_risk` or `on_track`
    pub state: String,
    /// The clock that puts it here: `first_response` or `resolution`.
    pub clock: String,
    /// When that clock ran out or runs out.
    #[schema(value_type = String, format = DateTime)]
    pub due: Timestamp,
    /// Wall-clock seconds until `due`; negative once breached.
    pub seconds_left: i64,
}
