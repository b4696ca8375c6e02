//! The platform console: staff sessions and the directory of workspaces.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::DailyTicketReport;
use crate::domain::{
    ids::{StaffId, WorkspaceId},
    plan::{LimitExtras, PlanId, PlanLimits},
    standing::Standing,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub email: String,
    pub password: String,
    /// The authenticator app's current 6-digit code; required once the second factor is enrolled
    /// (without it: 401 `second-factor-required`). Each code is accepted once.
    #[serde(default)]
    pub totp_code: Option<String>,
}

/// The start of second-factor enrolment: the secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentView {
    /// `otpauth://totp/Switchboard:<e-mail>?secret=…&issuer=Switchboard&algorithm=SHA1&digits=6&period=30`,
    /// for an authenticator app (as a QR code or pasted).
    pub otpauth_uri: String,
    /// The same secret in base32, for apps that take it typed.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpRequest {
    /// A current code from the authenticator app holding the new secret.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSessionResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub staff: StaffView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    /// Whether logins need an authenticator code.
    pub second_factor: bool,
}

/// One workspace in the platform console: its plan, usage and payment state.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryEntry {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanId,
    pub seats_used: u64,
    /// The plan's seat limit plus any extra seats staff granted; null: unlimited.
    pub seat_limit: Option<u64>,
    /// Tickets opened this UTC month (the counter the monthly limit is enforced on).
    pub tickets_this_month: u64,
    /// Files and the search index, as the storage limit counts them.
    pub storage_bytes: u64,
    /// Requests this UTC month by the workspace's people and API keys that reached the API (those the
    /// gateway throttled are not counted).
    pub api_calls_this_month: u64,
    /// The Stripe subscription's status (`active`, `trialing`, `past_due`, `unpaid`, `canceled`);
    /// null for a workspace without a subscription.
    pub subscription_status: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Active, past due (with its grace deadline) or suspended (with its reason).
    pub standing: Standing,
}

/// One workspace's page in the platform console: the directory's columns, its limits, and its
/// activity per day.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDetailView {
    pub workspace: DirectoryEntry,
    pub usage: WorkspaceUsageView,
    /// The plan's limits as configured in the catalog.
    pub plan_limits: PlanLimits,
    /// What staff granted beyond the plan.
    pub limit_extras: LimitExtras,
    /// The limits that apply: the plan's plus the extras.
    pub limits: PlanLimits,
    /// Tickets per report day over `from`..`to` (default: the last 30 days), from the report counters.
    pub activity: DailyTicketReport,
    /// API calls per UTC day over the same days.
    pub api_calls: ApiCallsReport,
}

/// API calls per UTC day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiCallsReport {
    pub from: String,
    pub to: String,
    /// The calls of all the days.
    pub total: u64,
    /// Every day of the range, oldest first (zeros where there were none).
    pub days: Vec<ApiCallsDay>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiCallsDay {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub calls: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceUsageView {
    /// `YYYY-MM` (UTC) of `tickets`.
    pub month: String,
    pub tickets: u64,
    pub seats: u64,
    pub storage_bytes: u64,
    pub webhooks: u64,
    pub lead_capture_endpoints: u64,
    /// API calls in `month`.
    pub api_calls: u64,
}

/// What staff grant one workspace beyond its plan: each is added to the plan's limit (an unlimited
/// limit stays unlimited). Every field must be given (0 for none); the whole grant is replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitExtrasRequest {
    pub seats: u64,
    pub tickets_per_month: u64,
    pub storage_bytes: u64,
    pub webhooks: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LimitExtrasView {
    pub workspace_id: WorkspaceId,
    pub limit_extras: LimitExtras,
    /// The limits that apply from the next request on.
    pub limits: PlanLimits,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDirectory {
    pub items: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendWorkspaceRequest {
    /// Why (1 to 500 characters), kept with the suspension and in the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceStandingView {
    pub workspace_id: WorkspaceId,
    pub standing: Standing,
}
