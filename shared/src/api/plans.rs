//! The plan catalog (platform staff), a workspace's usage against its plan, and the platform audit log.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{StaffId, WorkspaceId};
use crate::domain::plan::{Feature, LimitKind, Plan, PlanId, PlanLimits};
use crate::storage::plans::AuditEntry;

/// A plan of the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogPlanView {
    pub id: PlanId,
    pub name: String,
    pub stripe_price_id: Option<String>,
    pub limits: PlanLimits,
    pub features: Vec<Feature>,
    /// Whether workspaces can be moved onto it; a retired plan keeps the workspaces already on it.
    pub available: bool,
    pub version: u64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&Plan> for CatalogPlanView {
    fn from(plan: &Plan) -> Self {
        Self {
            id: plan.id.clone(),
            name: plan.name.clone(),
            stripe_price_id: plan.stripe_price_id.clone(),
            limits: plan.limits.clone(),
            features: plan.features.clone(),
            available: plan.available,
            version: plan.version,
            updated_at: plan.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanCatalogView {
    pub items: Vec<CatalogPlanView>,
}

/// A new plan. Every limit must be given: a number, or `null` for unlimited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    /// 2 to 40 of a-z, 0-9 and `-`, starting with a letter; fixed once created.
    pub id: String,
    pub name: String,
    /// `price_…` of the Stripe Price that bills this plan, or null.
    #[serde(default)]
    pub stripe_price_id: Option<String>,
    /// `seats`, `tickets_per_month`, `storage_bytes`, `webhooks`, `api_requests_per_minute`: each a number or null.
    #[schema(value_type = HashMap<String, Option<u64>>)]
    pub limits: HashMap<LimitKind, Option<u64>>,
    pub features: Vec<Feature>,
    /// Default true.
    #[serde(default)]
    pub available: Option<bool>,
}

/// A plan's new configuration, replacing the old one whole, made to `version`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacePlanRequest {
    pub version: u64,
    pub name: String,
    #[serde(default)]
    pub stripe_price_id: Option<String>,
    #[schema(value_type = HashMap<String, Option<u64>>)]
    pub limits: HashMap<LimitKind, Option<u64>>,
    pub features: Vec<Feature>,
    pub available: bool,
}

/// Moves a workspace onto another plan of the catalog.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePlanRequest {
    pub plan: String,
}

/// One limited quantity: what is used against what the plan allows.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageLine {
    pub kind: LimitKind,
    /// None where usage is not counted per workspace (API requests per minute are throttled by the gateway).
    pub used: Option<u64>,
    /// None: unlimited.
    pub limit: Option<u64>,
    /// Used is above the limit (the plan was changed to a smaller one): nothing was removed, but no
    /// more can be added until usage is back under the limit.
    pub over_limit: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingUsageView {
    pub plan: PlanId,
    pub plan_name: String,
    pub features: Vec<Feature>,
    /// The month (`YYYY-MM`, UTC) the ticket count is for.
    pub month: String,
    pub usage: Vec<UsageLine>,
    /// What the `storage_bytes` line's `used` is made of.
    pub storage: StorageUsageView,
    /// Requests in `month` by the workspace's people and API keys that reached the API (throttled
    /// ones are not counted).
    pub api_calls_this_month: u64,
}

/// The workspace's storage by what holds it; the plan's storage limit counts their sum.
#[derive(Debug, Serialize, ToSchema)]
pub struct StorageUsageView {
    /// Attachments: confirmed files and announced uploads' reserved bytes.
    pub files_bytes: u64,
    /// The search index, as its writer last published it (it follows changes by seconds).
    pub search_index_bytes: u64,
}

/// A workspace as the platform console shows it after a plan change.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspacePlanView {
    pub workspace_id: WorkspaceId,
    pub plan: PlanId,
}

/// One staff action.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub staff_id: StaffId,
    pub action: String,
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl From<&AuditEntry> for AuditEntryView {
    fn from(entry: &AuditEntry) -> Self {
        Self {
            id: entry.id.to_string(),
            at: entry.at,
            staff_id: entry.staff_id,
            action: entry.action.clone(),
            target: entry.target.clone(),
            before: entry.before.clone(),
            after: entry.after.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLogView {
    pub items: Vec<AuditEntryView>,
    pub next_cursor: Option<String>,
}
