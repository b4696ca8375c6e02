//! The plan catalog: what a workspace's plan allows (read on every limited write, so a change to the
//! catalog or to a workspace's plan applies to the next request), staff managing the catalog and
//! moving workspaces between plans, and an owner's usage against the plan.

use std::collections::HashMap;

use jiff::{Timestamp, tz::TimeZone};

use super::{ServiceError, ServiceResult};
use crate::api::{
    AuditLogView, BillingUsageView, CatalogPlanView, ChangePlanRequest, CreatePlanRequest, PlanCatalogView,
    ReplacePlanRequest, StorageUsageView, UsageLine, WorkspacePlanView,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::ids::{EventId, StaffId, WorkspaceId};
use crate::domain::plan::{Feature, LimitExceeded, LimitKind, Plan, PlanId, PlanLimits, seed_catalog, seed_plan};
use crate::domain::rbac::Permission;
use crate::domain::text::parse_line;
use crate::domain::{FieldError, Gather, field, rule};
use crate::storage::plans::{AuditEntry, PlanWriteError, SetPlanError};
use crate::storage::workspaces::Workspace;
use crate::storage::{PageParams, StoreError, TenantScope, events::Event};

/// The permission `GET /api/v1/billing/usage` needs.
pub const USAGE: Permission = Permission::BillingManage;

const NAME_MAX_CHARS: usize = 60;
const PRICE_MAX_CHARS: usize = 255;

/// The month (`YYYY-MM`, UTC) a ticket opened at `at` counts against.
pub fn month_of(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).strftime("%Y-%m").to_string()
}

/// A plan by id, for reading its limits. A seed plan not yet in the table reads as its seed, without a
/// write: the authorizer and `/me` may only read the table.
pub async fn get(app: &App, id: &PlanId) -> Result<Option<Plan>, StoreError> {
    match app.store.get_plan(id).await? {
        Some(plan) => Ok(Some(plan)),
        None => Ok(seed_plan(id, app.clock.now())),
    }
}

/// A plan by id as stored, for staff changes (their conditions need the item). A seed plan not yet in
/// the table is written first (idempotently), so a new deployment needs no seeding step and staff
/// edits, once made, always win.
async fn get_stored(app: &App, id: &PlanId) -> Result<Option<Plan>, StoreError> {
    if let Some(plan) = app.store.get_plan(id).await? {
        return Ok(Some(plan));
    }
    let Some(seed) = seed_plan(id, app.clock.now()) else { return Ok(None) };
    if app.store.seed_plan_if_absent(&seed).await? {
        return Ok(Some(seed));
    }
    app.store.get_plan(id).await
}

/// The plan whose limits apply to `workspace`, with the extras staff granted it added to its limits
/// (so every limit check honours them). Plans are retired, never deleted, so a missing one is corrupt
/// data.
pub async fn of_workspace(app: &App, workspace: &Workspace) -> Result<Plan, StoreError> {
    let mut plan = catalog_plan_of(app, workspace).await?;
    plan.limits = workspace.limit_extras.apply(&plan.limits);
    Ok(plan)
}

/// The catalog's plan of `workspace`, as configured (without the workspace's extras).
pub async fn catalog_plan_of(app: &App, workspace: &Workspace) -> Result<Plan, StoreError> {
    get(app, &workspace.plan).await?.ok_or_else(|| {
        StoreError::Corrupt(format!(
            "workspace {} is on plan {:?}, which is not in the catalog",
            workspace.id, workspace.plan
        ))
    })
}

/// The caller's workspace and the plan that applies to it.
pub async fn workspace_and_plan(app: &App, scope: &TenantScope) -> ServiceResult<(Workspace, Plan)> {
    let workspace = app.store.get_workspace(scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let plan = of_workspace(app, &workspace).await?;
    Ok((workspace, plan))
}

/// The plan's storage limit as a write of files meets it. The limit counts the files and the search
/// index together ([`Workspace::storage_used`]); the index is derived data its writer publishes
/// asynchronously and is never refused, so files get the room the index leaves, as last published
/// when the workspace was read.
pub struct StorageLimit {
    limit: Option<u64>,
    search_index_bytes: u64,
    plan: PlanId,
}

impl StorageLimit {
    pub fn of(workspace: &Workspace, plan: &Plan) -> Self {
        Self {
            limit: plan.limits.storage_bytes,
            search_index_bytes: workspace.search_index_bytes,
            plan: plan.id.clone(),
        }
    }

    /// The most bytes of files the workspace may hold (None: unlimited), for the store's condition.
    pub fn for_files(&self) -> Option<u64> {
        self.limit.map(|limit| limit.saturating_sub(self.search_index_bytes))
    }

    /// The problem for a refused write, from the files' bytes the refusing condition saw.
    pub fn reached(&self, files_bytes: u64) -> ServiceError {
        ServiceError::PlanLimit(LimitExceeded {
            kind: LimitKind::StorageBytes,
            limit: self.limit.unwrap_or(u64::MAX),
            used: files_bytes.saturating_add(self.search_index_bytes),
            plan: self.plan.clone(),
        })
    }
}

/// Usage against the plan's limits, for the owner's billing screen.
pub async fn usage(app: &App, caller: &MemberPrincipal) -> ServiceResult<BillingUsageView> {
    let scope = caller.scope();
    let month = month_of(app.clock.now());
    let ((workspace, plan), tickets, leads, api_calls) = futures::future::try_join4(
        workspace_and_plan(app, &scope),
        async { Ok(app.store.tickets_in_month(&scope, &month).await?) },
        async { Ok(app.store.leads_in_month(&scope, &month).await?) },
        async { Ok(app.store.api_calls_in_month_of(&[scope.workspace_id()], &month).await?) },
    )
    .await?;
    let api_calls_this_month = api_calls.get(&scope.workspace_id()).copied().unwrap_or(0);
    let used = |kind: LimitKind| match kind {
        LimitKind::Seats => Some(workspace.seats_used),
        LimitKind::TicketsPerMonth => Some(tickets),
        LimitKind::StorageBytes => Some(workspace.storage_used()),
        LimitKind::Webhooks => Some(workspace.webhooks_used),
        LimitKind::ApiRequestsPerMinute => None,
        LimitKind::LeadCaptureEndpoints => Some(workspace.lead_capture_endpoints_used),
        LimitKind::LeadsPerMonth => Some(leads),
    };
    let usage = LimitKind::ALL
        .into_iter()
        .map(|kind| {
            let (used, limit) = (used(kind), plan.limits.get(kind));
            UsageLine { kind, used, limit, over_limit: matches!((used, limit), (Some(u), Some(l)) if u > l) }
        })
        .collect();
    let storage =
        StorageUsageView { files_bytes: workspace.storage_bytes, search_index_bytes: workspace.search_index_bytes };
    Ok(BillingUsageView {
        plan: plan.id,
        plan_name: plan.name,
        features: plan.features,
        month,
        usage,
        storage,
        api_calls_this_month,
    })
}

/// The whole catalog, seed plans included, in id order.
pub async fn catalog(app: &App) -> ServiceResult<PlanCatalogView> {
    let mut plans = app.store.list_plans().await?;
    let missing: Vec<Plan> =
        seed_catalog(app.clock.now()).into_iter().filter(|seed| plans.iter().all(|plan| plan.id != seed.id)).collect();
    if !missing.is_empty() {
        for seed in missing {
            app.store.seed_plan_if_absent(&seed).await?;
        }
        plans = app.store.list_plans().await?;
    }
    Ok(PlanCatalogView { items: plans.iter().map(CatalogPlanView::from).collect() })
}

pub async fn get_for_staff(app: &App, id: &PlanId) -> ServiceResult<CatalogPlanView> {
    let plan = get_stored(app, id).await?.ok_or(ServiceError::NotFound("The plan"))?;
    Ok((&plan).into())
}

/// The configurable part of a plan, parsed: every field error at once.
struct PlanConfig {
    name: String,
    stripe_price_id: Option<String>,
    limits: PlanLimits,
    features: Vec<Feature>,
}

fn parse_price(raw: Option<&str>) -> Result<Option<String>, String> {
    let Some(raw) = raw else { return Ok(None) };
    let ok = raw.starts_with("price_")
        && raw.len() <= PRICE_MAX_CHARS
        && raw.len() > "price_".len()
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(Some(raw.to_owned())) } else { Err("must be a Stripe Price id (price_…)".to_owned()) }
}

fn parse_limits(raw: &HashMap<LimitKind, Option<u64>>) -> Result<PlanLimits, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut get = |kind: LimitKind| match raw.get(&kind) {
        Some(limit) => *limit,
        None => {
            errors.push(FieldError::new(
                format!("limits.{}", kind.as_str()),
                "is required: a number, or null for unlimited",
            ));
            None
        }
    };
    let limits = PlanLimits {
        seats: get(LimitKind::Seats),
        tickets_per_month: get(LimitKind::TicketsPerMonth),
        storage_bytes: get(LimitKind::StorageBytes),
        webhooks: get(LimitKind::Webhooks),
        api_requests_per_minute: get(LimitKind::ApiRequestsPerMinute),
        // Added after plans were configurable: left out, they are unlimited (as for stored plans).
        lead_capture_endpoints: raw.get(&LimitKind::LeadCaptureEndpoints).copied().flatten(),
        leads_per_month: raw.get(&LimitKind::LeadsPerMonth).copied().flatten(),
    };
    if limits.seats == Some(0) {
        errors.push(FieldError::new("limits.seats", "must be at least 1: the owner holds a seat"));
    }
    if limits.api_requests_per_minute == Some(0) {
        errors.push(FieldError::new("limits.api_requests_per_minute", "must be at least 1, or null for unlimited"));
    }
    if errors.is_empty() { Ok(limits) } else { Err(errors) }
}

fn parse_config(
    name: &str,
    price: Option<&str>,
    limits: &HashMap<LimitKind, Option<u64>>,
    features: &[Feature],
) -> Result<PlanConfig, Vec<FieldError>> {
    let mut unique = features.to_vec();
    unique.sort_by_key(|feature| format!("{feature:?}"));
    unique.dedup();
    let (name, stripe_price_id, limits, ()) = (
        field("name", parse_line(name, NAME_MAX_CHARS)),
        field("stripe_price_id", parse_price(price)),
        parse_limits(limits),
        rule("features", unique.len() == features.len(), "must not repeat a feature"),
    )
        .gather()?;
    Ok(PlanConfig { name, stripe_price_id, limits, features: features.to_vec() })
}

fn audit(staff: StaffId, action: &str, target: String, before: Option<&Plan>, after: Option<&Plan>) -> AuditEntry {
    let json =
        |plan: Option<&Plan>| plan.map(|plan| serde_json::to_value(CatalogPlanView::from(plan)).unwrap_or_default());
    AuditEntry {
        id: EventId::generate(),
        at: after.map(|plan| plan.updated_at).unwrap_or_else(Timestamp::now),
        staff_id: staff,
        action: action.to_owned(),
        target,
        before: json(before),
        after: json(after),
    }
}

pub async fn create(app: &App, staff: StaffId, request: CreatePlanRequest) -> ServiceResult<CatalogPlanView> {
    let (id, config) = (
        field("id", PlanId::parse(&request.id)),
        parse_config(&request.name, request.stripe_price_id.as_deref(), &request.limits, &request.features),
    )
        .gather()?;
    // A seed id is taken even before its plan is first written.
    if seed_plan(&id, app.clock.now()).is_some() {
        return Err(ServiceError::Conflict(format!("Plan {id} exists already.")));
    }
    let plan = Plan {
        id,
        name: config.name,
        stripe_price_id: config.stripe_price_id,
        limits: config.limits,
        features: config.features,
        available: request.available.unwrap_or(true),
        version: 1,
        updated_at: app.clock.now(),
    };
    let entry = audit(staff, "plan.created", format!("plan:{}", plan.id), None, Some(&plan));
    match app.store.create_plan(&plan, &entry).await {
        Ok(()) => Ok((&plan).into()),
        Err(PlanWriteError::Exists) => Err(ServiceError::Conflict(format!("Plan {} exists already.", plan.id))),
        Err(PlanWriteError::VersionConflict) => Err(ServiceError::VersionConflict { what: "The plan", current: None }),
        Err(PlanWriteError::Store(err)) => Err(err.into()),
    }
}

/// Replaces a plan's configuration. Workspaces on it get the new limits on their next request; if
/// they now use more than a limit, their records stay and only new use is refused.
pub async fn replace(
    app: &App,
    staff: StaffId,
    id: &PlanId,
    request: ReplacePlanRequest,
) -> ServiceResult<CatalogPlanView> {
    let config = parse_config(&request.name, request.stripe_price_id.as_deref(), &request.limits, &request.features)?;
    let before = get_stored(app, id).await?.ok_or(ServiceError::NotFound("The plan"))?;
    let stale = || ServiceError::VersionConflict {
        what: "The plan",
        current: serde_json::to_value(CatalogPlanView::from(&before)).ok(),
    };
    if request.version != before.version {
        return Err(stale());
    }
    let plan = Plan {
        id: before.id.clone(),
        name: config.name,
        stripe_price_id: config.stripe_price_id,
        limits: config.limits,
        features: config.features,
        available: request.available,
        version: before.version + 1,
        updated_at: app.clock.now(),
    };
    if plan == (Plan { version: plan.version, updated_at: plan.updated_at, ..before.clone() }) {
        return Ok((&before).into());
    }
    let entry = audit(staff, "plan.updated", format!("plan:{}", plan.id), Some(&before), Some(&plan));
    match app.store.update_plan(before.version, &plan, &entry).await {
        Ok(()) => Ok((&plan).into()),
        Err(PlanWriteError::VersionConflict) => Err(stale()),
        Err(PlanWriteError::Exists) => Err(stale()),
        Err(PlanWriteError::Store(err)) => Err(err.into()),
    }
}

/// Who moves a workspace between plans.
pub enum PlanChanger {
    Staff(StaffId),
    /// Operations tooling (demo seeding, benchmarks): the workspace's event only.
    Operations,
    /// The workspace's Stripe subscription (Checkout, or a change in the Billing Portal): its event only.
    Payments,
}

/// Moves a workspace onto a plan of the catalog; it applies at once.
pub async fn change_workspace_plan(
    app: &App,
    by: PlanChanger,
    workspace_id: WorkspaceId,
    request: ChangePlanRequest,
) -> ServiceResult<WorkspacePlanView> {
    let scope = TenantScope::new(workspace_id);
    let plan_id = field("plan", PlanId::parse(&request.plan)).map_err(|err| ServiceError::Validation(vec![err]))?;
    let unavailable =
        || ServiceError::Validation(vec![FieldError::new("plan", "must be an available plan of the catalog")]);
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let plan = get_stored(app, &plan_id).await?.filter(|plan| plan.available).ok_or_else(unavailable)?;
    if workspace.plan == plan.id {
        return Ok(WorkspacePlanView { workspace_id, plan: plan.id });
    }
    let now = app.clock.now();
    let change = |plan: &PlanId| Some(serde_json::json!({ "plan": plan }));
    let event = Event::new(EventKind::WorkspacePlanChanged, None, format!("workspace/{workspace_id}"), now)
        .with_change(change(&workspace.plan), change(&plan.id));
    let entry = match by {
        PlanChanger::Staff(staff) => Some(AuditEntry {
            id: EventId::generate(),
            at: now,
            staff_id: staff,
            action: "workspace.plan_changed".to_owned(),
            target: format!("workspace:{workspace_id}"),
            before: change(&workspace.plan),
            after: change(&plan.id),
        }),
        PlanChanger::Operations | PlanChanger::Payments => None,
    };
    match app.store.set_plan(&scope, &plan.id, &event, entry.as_ref()).await {
        Ok(()) => Ok(WorkspacePlanView { workspace_id, plan: plan.id }),
        Err(SetPlanError::WorkspaceNotFound) => Err(ServiceError::NotFound("The workspace")),
        Err(SetPlanError::PlanUnavailable) => Err(unavailable()),
        Err(SetPlanError::Store(err)) => Err(err.into()),
    }
}

pub async fn audit_log(app: &App, page: PageParams) -> ServiceResult<AuditLogView> {
    let page = app.store.list_audit(page.limit, page.cursor.as_deref()).await?;
    Ok(AuditLogView { items: page.items.iter().map(Into::into).collect(), next_cursor: page.next_cursor })
}
