//! Reports: ticket activity per day, SLA compliance, the sales dashboard.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyTotal;

/// One day of ticket statistics (a report day: a date in the workspace's report time zone), kept from the event log.
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
    /// The time zone the days are dates in: the workspace's report time zone (`UTC` until one is set).
    pub time_zone: String,
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
    /// The time zone the days are dates in: the workspace's report time zone (`UTC` until one is set).
    pub time_zone: String,
    pub first_response: ClockCompliance,
    pub resolution: ClockCompliance,
    /// Every day of the range, oldest first.
    pub days: Vec<SlaDay>,
}

/// The sales dashboard: leads, the pipeline's open deals and closed deals, every figure from counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesReport {
    pub from: String,
    pub to: String,
    /// The time zone the days are dates in: the workspace's report time zone (`UTC` until one is set).
    pub time_zone: String,
    pub leads: SalesLeads,
    pub pipeline: SalesPipeline,
    pub deals: SalesDeals,
    pub activities: SalesActivities,
}

/// Activities logged and done within the range (from the daily counters): in all, per kind, per rep.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesActivities {
    pub logged: i64,
    pub done: i64,
    /// Every kind (call, meeting, task, email), in that order.
    pub by_kind: Vec<ActivityKindCount>,
    /// Each member who logged or completed an activity in the range: logged counts the activities they
    /// logged, done the ones they ticked done (or logged as done).
    pub by_rep: Vec<RepActivityCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityKindCount {
    pub kind: String,
    pub logged: i64,
    pub done: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RepActivityCount {
    /// The member; null for activities logged by no member.
    pub user_id: Option<String>,
    pub logged: i64,
    pub done: i64,
    /// Every kind, in the same order as `by_kind`.
    pub by_kind: Vec<ActivityKindCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesLeads {
    /// Leads now in each status (every status of the workspace's set).
    pub by_status: Vec<StatusCount>,
    /// Leads now from each source (every source).
    pub by_source: Vec<SourceCount>,
    /// Leads now per owner (null: nobody); owners without leads are left out.
    pub by_owner: Vec<OwnerCount>,
    /// Leads created on each day of the range, oldest first.
    pub created_per_day: Vec<DayCount>,
    /// Created and converted within the range, per source (every source).
    pub conversion_by_source: Vec<SourceConversion>,
    /// Created (owner at creation) and converted (owner at conversion) within the range, per owner.
    pub conversion_by_owner: Vec<OwnerConversion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceCount {
    pub source: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerCount {
    pub owner_id: Option<String>,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DayCount {
    /// YYYY-MM-DD (UTC)
    pub day: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SourceConversion {
    pub source: String,
    pub created: i64,
    pub converted: i64,
    /// converted / created, to four decimals; null when none was created in the range.
    pub rate: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerConversion {
    pub owner_id: Option<String>,
    pub created: i64,
    pub converted: i64,
    /// converted / created, to four decimals; null when none was created in the range.
    pub rate: Option<f64>,
}

/// The open deals of one pipeline, now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesPipeline {
    pub pipeline_id: String,
    /// Every stage, in board order.
    pub by_stage: Vec<StageTotals>,
    /// Per owner (null: unowned) with open deals.
    pub by_owner: Vec<OwnerTotals>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageTotals {
    pub stage_id: String,
    pub name: String,
    pub count: i64,
    pub totals: Vec<MoneyTotal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerTotals {
    pub owner_id: Option<String>,
    pub count: i64,
    pub totals: Vec<MoneyTotal>,
}

/// An amount in one currency, in minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyValue {
    pub currency: String,
    pub value: i64,
}

/// Deals won and lost within the range.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesDeals {
    /// Every day of the range, oldest first.
    pub per_period: Vec<DealsDay>,
    pub won: i64,
    pub lost: i64,
    /// won / (won + lost), to four decimals; null when none closed.
    pub win_rate: Option<f64>,
    /// Per currency: the won value over the deals won in it, in whole minor units.
    pub average_won_value: Vec<CurrencyValue>,
    /// Days from creation to the win, averaged over the deals won (two decimals); null when none.
    pub average_cycle_days: Option<f64>,
    /// Deals won and lost per owner (the owner when the deal closed; `owner_id` null for none), most
    /// won first; owners without a close in the range are left out.
    pub by_owner: Vec<OwnerDeals>,
}

/// One owner's closed deals over the range.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerDeals {
    pub owner_id: Option<String>,
    pub won: i64,
    pub lost: i64,
    /// won / (won + lost), to four decimals.
    pub win_rate: Option<f64>,
    /// The value won per currency, in minor units (never added across currencies).
    pub won_value: Vec<CurrencyValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealsDay {
    /// YYYY-MM-DD (a report day, in the report time zone)
    pub day: String,
    pub won: i64,
    pub lost: i64,
    pub won_value: Vec<CurrencyValue>,
}
