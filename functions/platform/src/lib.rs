//! The platform console's API, for staff outside every workspace: staff login and second factor, the
//! workspace directory and one workspace's page, the plan catalog, moving workspaces between plans and
//! granting them extras, and the audit log of staff actions.

use lambda_http::{Request, http::StatusCode};
use shared::adapters::health::{HealthMetrics, HealthReadings, LocalCounters};
use shared::api::{
    AuditLogView, CatalogPlanView, ChangePlanRequest, ConfirmTotpRequest, CreatePlanRequest, LimitExtrasRequest,
    LimitExtrasView, PlanCatalogView, ReplacePlanRequest, StaffLoginRequest, StaffSessionResponse, StaffView,
    SuspendWorkspaceRequest, TotpEnrolmentView, WorkspaceDetailView, WorkspaceDirectory, WorkspacePlanView,
    WorkspaceStandingView,
};
use shared::auth::Principal;
use shared::domain::ids::{StaffId, WorkspaceId};
use shared::domain::plan::PlanId;
use shared::http::{self, HandlerResult, PageParams, Problem, ProblemBody};
use shared::{
    App,
    services::{plans, platform, standing},
};

pub const LOGIN: &str = "/api/v1/platform/auth/login";
pub const TOTP: &str = "/api/v1/platform/auth/totp";
pub const TOTP_CONFIRM: &str = "/api/v1/platform/auth/totp/confirm";
pub const WORKSPACES: &str = "/api/v1/platform/workspaces";
pub const WORKSPACE: &str = "/api/v1/platform/workspaces/{id}";
pub const WORKSPACE_PLAN: &str = "/api/v1/platform/workspaces/{id}/plan";
pub const SUSPEND: &str = "/api/v1/platform/workspaces/{id}/suspend";
pub const REACTIVATE: &str = "/api/v1/platform/workspaces/{id}/reactivate";
pub const WORKSPACE_LIMIT_EXTRAS: &str = "/api/v1/platform/workspaces/{id}/limit-extras";
pub const PLANS: &str = "/api/v1/platform/plans";
pub const PLAN: &str = "/api/v1/platform/plans/{id}";
pub const AUDIT: &str = "/api/v1/platform/audit";
pub const HEALTH: &str = "/api/v1/platform/health";

pub const ROUTES: &[http::Route] = shared::routes![
    POST LOGIN => login,
    POST TOTP => begin_totp,
    POST TOTP_CONFIRM => confirm_totp,
    GET WORKSPACES => workspaces,
    GET WORKSPACE => workspace,
    PUT WORKSPACE_PLAN => change_workspace_plan,
    POST SUSPEND => suspend_workspace,
    POST REACTIVATE => reactivate_workspace,
    PUT WORKSPACE_LIMIT_EXTRAS => set_limit_extras,
    GET PLANS => list_plans,
    POST PLANS => create_plan,
    GET PLAN => get_plan,
    PUT PLAN => replace_plan,
    GET AUDIT => audit_log,
    GET HEALTH => system_health,
];

mod cloudwatch;

/// Platform staff only: members, API keys and anyone else get 403.
fn staff(req: &Request) -> Result<StaffId, Problem> {
    match http::principal(req)? {
        Principal::Staff { staff_id } => Ok(staff_id),
        _ => Err(Problem::forbidden("Only platform staff can use the platform console.")),
    }
}

/// The prologue of every staff action on one workspace (`/workspaces/{id}/...`): who acts, on which.
fn staff_action(req: &Request) -> Result<(StaffId, WorkspaceId), Problem> {
    let staff = staff(req)?;
    Ok((staff, http::path_id(req, "id", "The workspace")?))
}

/// Staff login
///
/// Once the second factor is enrolled, `totp_code` is required: without it the answer is 401
/// `second-factor-required`; a wrong, expired or already used code is 401 `unauthenticated`. Both
/// count as failed attempts.
#[utoipa::path(post, path = "/api/v1/platform/auth/login", tag = "platform", request_body = StaffLoginRequest,
    responses(
        (status = 200, body = StaffSessionResponse),
        (status = 401, description = "Wrong credentials (`unauthenticated`), or the code is missing (`second-factor-required`)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this e-mail lately (or from this address): wait `Retry-After` seconds", body = ProblemBody, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds until the next attempt is taken"))),
    ))]
pub async fn login(app: &App, req: &Request) -> HandlerResult {
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &platform::login(app, body).await?))
}

/// Start second-factor enrolment
///
/// A new TOTP secret for the calling staff member, shown this once as an `otpauth://` URI (and in
/// base32). Logins need no code until `POST /api/v1/platform/auth/totp/confirm` proves it; calling this
/// again replaces an unconfirmed secret. Once confirmed: 409 (the recovery in docs/operations.md
/// removes it). Staff only.
#[utoipa::path(post, path = "/api/v1/platform/auth/totp", tag = "platform", security(("bearer" = [])),
    responses(
        (status = 201, body = TotpEnrolmentView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The second factor is enrolled already", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn begin_totp(app: &App, req: &Request) -> HandlerResult {
    let staff = staff(req)?;
    Ok(http::json(StatusCode::CREATED, &platform::begin_totp_enrolment(app, staff).await?))
}

/// Confirm second-factor enrolment
///
/// A current code of the new secret (422 `code` otherwise) turns the second factor on: every later
/// login needs a code. Audited. Staff only.
#[utoipa::path(post, path = "/api/v1/platform/auth/totp/confirm", tag = "platform", security(("bearer" = [])),
    request_body = ConfirmTotpRequest,
    responses(
        (status = 200, body = StaffView),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Enrolled already, or no enrolment under way", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn confirm_totp(app: &App, req: &Request) -> HandlerResult {
    let staff = staff(req)?;
    let body: ConfirmTotpRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &platform::confirm_totp(app, staff, body).await?))
}

/// All workspaces, or a search
///
/// Oldest first, with plan, seats, tickets this month, storage, API calls, subscription status and
/// created date. With `q`: the workspace with that id, or those whose name or founding owner's e-mail
/// starts with `q` (case-insensitive), at most `limit` (50 at most) and no cursor. Staff only:
/// workspace members get 403.
#[utoipa::path(get, path = "/api/v1/platform/workspaces", tag = "platform", security(("bearer" = [])),
    params(
        ("q" = Option<String>, Query, description = "A workspace id, or the start of a name or an owner's e-mail"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page (not with `q`)"),
    ),
    responses(
        (status = 200, body = WorkspaceDirectory),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn workspaces(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    let page = PageParams::from_request(req)?;
    let search = http::query_param(req, "q");
    Ok(http::json(StatusCode::OK, &platform::directory(app, page, search.as_deref()).await?))
}

/// One workspace
///
/// The directory's columns, usage against the limits (the plan's, the extras staff granted, and what
/// applies), tickets per report day (the workspace's report time zone) over `from`..`to` (default:
/// the last 30 days; at most 366), read from the report counters (one Query for the range), and API
/// calls per UTC day over the same dates. Staff only.
#[utoipa::path(get, path = "/api/v1/platform/workspaces/{id}", tag = "platform", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Workspace id"),
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today, UTC)"),
    ),
    responses(
        (status = 200, body = WorkspaceDetailView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn workspace(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    let workspace: WorkspaceId = http::path_id(req, "id", "The workspace")?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    Ok(http::json(StatusCode::OK, &platform::workspace_detail(app, workspace, from, to).await?))
}

/// Grant a workspace more than its plan
///
/// Replaces the extras (seats, tickets per month, storage bytes, webhooks) added to the plan's limits
/// for this workspace; every limit check honours them from the next request on, and they stay across
/// plan changes. All four must be given (0 for none). Audited. Staff only.
#[utoipa::path(put, path = "/api/v1/platform/workspaces/{id}/limit-extras", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Workspace id")),
    request_body = LimitExtrasRequest,
    responses(
        (status = 200, body = LimitExtrasView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_limit_extras(app: &App, req: &Request) -> HandlerResult {
    let (staff, workspace) = staff_action(req)?;
    let body: LimitExtrasRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &platform::set_limit_extras(app, staff, workspace, body).await?))
}

/// Move a workspace to another plan
///
/// Takes effect on the workspace's next request. Moving to a smaller plan removes nothing: where usage
/// is above a new limit, new use is refused (402 `plan-limit-reached` with `records_kept: true`) until
/// usage is under it. The plan must be an available plan of the catalog (422 `plan` otherwise).
/// Written to the workspace's events and the platform audit log. Staff only.
#[utoipa::path(put, path = "/api/v1/platform/workspaces/{id}/plan", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Workspace id")),
    request_body = ChangePlanRequest,
    responses(
        (status = 200, body = WorkspacePlanView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn change_workspace_plan(app: &App, req: &Request) -> HandlerResult {
    let (staff, workspace) = staff_action(req)?;
    let body = http::json_body(req)?;
    let changed = plans::change_workspace_plan(app, plans::PlanChanger::Staff(staff), workspace, body).await?;
    Ok(http::json(StatusCode::OK, &changed))
}

/// Suspend a workspace
///
/// Every tenant route of the workspace answers 403 `workspace-suspended` (within the authorizer's cache
/// time, 30 s), its WebSocket connections are closed and new ones refused, its API keys stop and its
/// webhook deliveries are held (sent after reactivation). Nothing is removed. A suspension for payment
/// becomes a staff one, which payments no longer lift. `reason` (1 to 500 characters) is kept with it.
/// Audited with before/after. Staff only.
#[utoipa::path(post, path = "/api/v1/platform/workspaces/{id}/suspend", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Workspace id")),
    request_body = SuspendWorkspaceRequest,
    responses(
        (status = 200, body = WorkspaceStandingView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The standing kept changing meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn suspend_workspace(app: &App, req: &Request) -> HandlerResult {
    let (staff, workspace) = staff_action(req)?;
    let body: SuspendWorkspaceRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &standing::suspend(app, staff, workspace, body).await?))
}

/// Reactivate a workspace
///
/// Lifts any suspension (staff or payment) or a running grace period: the workspace is active again,
/// its held webhook deliveries are queued. Audited with before/after. Staff only.
#[utoipa::path(post, path = "/api/v1/platform/workspaces/{id}/reactivate", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Workspace id")),
    responses(
        (status = 200, body = WorkspaceStandingView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The standing kept changing meanwhile", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn reactivate_workspace(app: &App, req: &Request) -> HandlerResult {
    let (staff, workspace) = staff_action(req)?;
    Ok(http::json(StatusCode::OK, &standing::reactivate(app, staff, workspace).await?))
}

/// The plan catalog
///
/// Every plan, in id order, the seed plans (free, starter, growth, enterprise) included. Staff only.
#[utoipa::path(get, path = "/api/v1/platform/plans", tag = "platform", security(("bearer" = [])),
    responses(
        (status = 200, body = PlanCatalogView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list_plans(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    Ok(http::json(StatusCode::OK, &plans::catalog(app).await?))
}

/// Create a plan
///
/// Every limit must be given (a number, or null for unlimited). An id in use answers 409. Audited.
/// Staff only.
#[utoipa::path(post, path = "/api/v1/platform/plans", tag = "platform", security(("bearer" = [])),
    request_body = CreatePlanRequest,
    responses(
        (status = 201, body = CatalogPlanView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The id is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create_plan(app: &App, req: &Request) -> HandlerResult {
    let staff = staff(req)?;
    let body: CreatePlanRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &plans::create(app, staff, body).await?))
}

/// One plan
///
/// Staff only.
#[utoipa::path(get, path = "/api/v1/platform/plans/{id}", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")),
    responses(
        (status = 200, body = CatalogPlanView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get_plan(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    let id: PlanId = http::path_id(req, "id", "The plan")?;
    Ok(http::json(StatusCode::OK, &plans::get_for_staff(app, &id).await?))
}

/// Replace a plan's configuration
///
/// Replaces name, Stripe price, limits, features and availability, made to `version` (stale: 409
/// `version-conflict` with `current`). Workspaces on the plan get the new limits on their next
/// request; a smaller limit removes nothing, it only refuses new use above it. `available: false`
/// retires the plan: no workspace can be moved onto it, those on it stay. Audited. Staff only.
#[utoipa::path(put, path = "/api/v1/platform/plans/{id}", tag = "platform", security(("bearer" = [])),
    params(("id" = String, Path, description = "Plan id")),
    request_body = ReplacePlanRequest,
    responses(
        (status = 200, body = CatalogPlanView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replace_plan(app: &App, req: &Request) -> HandlerResult {
    let staff = staff(req)?;
    let id: PlanId = http::path_id(req, "id", "The plan")?;
    let body: ReplacePlanRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &plans::replace(app, staff, &id, body).await?))
}

/// The platform audit log
///
/// Every staff change (plans created and changed, workspaces moved between plans), newest first, with
/// who, when, what, and before/after. Staff only.
#[utoipa::path(get, path = "/api/v1/platform/audit", tag = "platform", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = AuditLogView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn audit_log(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &plans::audit_log(app, page).await?))
}

/// The longest window the health overview reads (the local counters keep a day).
const HEALTH_WINDOW_MAX_MINUTES: i64 = 1_440;

/// System health
///
/// Over the last `minutes` (default 60, at most 1440): dead-letter queue depths, the webhook attempt
/// failure rate, the SLA scan's runs, failures and lag (seconds since its last run; it runs every
/// minute), the API's 5xx and throttle (429) rates, and the outbox stream's iterator age. In AWS read
/// from CloudWatch (`source: cloudwatch`, one GetMetricData call), in the local stack from its own
/// counters (`source: local`). Staff only.
#[utoipa::path(get, path = "/api/v1/platform/health", tag = "platform", security(("bearer" = [])),
    params(("minutes" = Option<i64>, Query, minimum = 1, maximum = 1440, description = "The window, in minutes (default 60)")),
    responses(
        (status = 200, body = HealthReadings),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn system_health(app: &App, req: &Request) -> HandlerResult {
    staff(req)?;
    let minutes = match http::query_param(req, "minutes") {
        None => 60,
        Some(raw) => match raw.parse::<i64>() {
            Ok(minutes) if (1..=HEALTH_WINDOW_MAX_MINUTES).contains(&minutes) => minutes,
            _ => {
                return Err(Problem::field(
                    "minutes",
                    format!("must be a whole number from 1 to {HEALTH_WINDOW_MAX_MINUTES}"),
                ));
            }
        },
    };
    let window = jiff::SignedDuration::from_mins(minutes);
    // Metrics are stamped with the wall clock (CloudWatch's and the local counters'), not the app's.
    let now = jiff::Timestamp::now();
    let readings = if LocalCounters::installed() {
        LocalCounters::new(&app.aws, app.config.dead_letter_queues.clone()).read(window, now).await
    } else {
        cloudwatch::CloudWatchHealth::of(app).read(window, now).await
    };
    match readings {
        Ok(readings) => Ok(http::json(StatusCode::OK, &readings)),
        Err(err) => {
            tracing::error!(error = %err, "health readings failed");
            Err(Problem::internal())
        }
    }
}
