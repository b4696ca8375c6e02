//! Support reports: ticket activity per day, SLA compliance.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// One day of ticket statistics (UTC days), kept from the event log.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DayStats {
    /// YYYY-MM-DD
    pub date: String,
    pub tickets_created: i64,
    pub tickets_solved: i64,
    pub tickets_reopened: i64,
    pub agent_replies: i64,
    pub internal_notes: i64,
    pub customer_messages: i64,
    pub customers_created: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DailyTicketReport {
    pub from: String,
    pub to: String,
    /// Every day of the range, oldest first (zeros where nothing happened).
    pub days: Vec<DayStats>,
}

/// Met within target and breached counts.
#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct MetBreached {
    pub met: i64,
    pub breached: i64,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ClockCompliance {
    pub overall: MetBreached,
    /// met / (met + breached); null without outcomes.
    pub compliance: Option<f64>,
    /// Per priority name.
    pub by_priority: BTreeMap<String, MetBreached>,
    /// Per assignee id (`unassigned` for none).
    pub by_agent: BTreeMap<String, MetBreached>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaDay {
    /// YYYY-MM-DD (UTC)
    pub date: String,
    pub first_response: MetBreached,
    pub resolution: MetBreached,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaComplianceReport {
    pub from: String,
    pub to: String,
    pub first_response: ClockCompliance,
    pub resolution: ClockCompliance,
    /// Every day of the range, oldest first.
    pub days: Vec<SlaDay>,
}
