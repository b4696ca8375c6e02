//! Platform staff: logging in (with the second factor), the workspace directory and one workspace's
//! page, the limits staff grant beyond a plan, and seeding staff accounts.

use super::sign_in_throttle::{Attempt, throttled};
use super::staff_secret;
use super::{ServiceError, ServiceResult};
use std::collections::HashMap;

use crate::api::{
    ApiCallsDay, ApiCallsReport, ConfirmTotpRequest, DirectoryEntry, LimitExtrasRequest, LimitExtrasView,
    StaffLoginRequest, StaffSessionResponse, StaffView, TotpEnrolmentView, WorkspaceDetailView, WorkspaceDirectory,
    WorkspaceUsageView,
};
use crate::app::App;
use crate::auth::{
    passwords,
    tokens::{Audience, TokenSubject},
    totp::TotpSecret,
};
use crate::domain::{
    FieldError,
    email::Email,
    ids::{EventId, StaffId, WorkspaceId},
    names::PersonName,
    password::NewPassword,
    plan::{LimitExtras, Plan, PlanId},
};
use crate::storage::{
    PageParams, TenantScope,
    plans::AuditEntry,
    staff::{Staff, TotpWriteError},
    workspaces::Workspace,
};

const BAD_CREDENTIALS: &str = "The e-mail or password is wrong.";

/// Staff login; failures back off per e-mail ([`super::sign_in_throttle`]).
pub async fn login(app: &App, request: StaffLoginRequest) -> ServiceResult<StaffSessionResponse> {
    let email = request.email.clone();
    throttled(app, Attempt::StaffLogin, &email, check_credentials(app, request)).await
}

async fn check_credentials(app: &App, request: StaffLoginRequest) -> ServiceResult<StaffSessionResponse> {
    let staff = match Email::parse(&request.email) {
        Ok(email) => app.store.staff_by_email(&email).await?,
        Err(_) => None,
    };
    let Some(staff) = staff.filter(|staff| staff.active) else {
        passwords::verify_against_dummy(&request.password);
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    };
    if !passwords::verify(&request.password, &staff.password_hash) {
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    }
    let now = app.clock.now();
    if staff.has_second_factor() {
        check_second_factor(app, &staff, request.totp_code.as_deref(), now).await?;
    }
    Ok(StaffSessionResponse {
        access_token: app.tokens.issue(Audience::Staff, &TokenSubject::Staff { staff_id: staff.id }, now).await?,
        token_type: "Bearer".to_owned(),
        expires_in: app.tokens.ttl_secs(Audience::Staff),
        staff: staff_view(&staff),
    })
}

fn staff_view(staff: &Staff) -> StaffView {
    StaffView {
        id: staff.id,
        email: staff.email.to_string(),
        name: staff.name.to_string(),
        second_factor: staff.has_second_factor(),
    }
}

/// The code of an enrolled staff member: missing, wrong or already used, the login is refused (and
/// counts as a failed attempt, so the password cannot be tried unthrottled by leaving the code out).
async fn check_second_factor(app: &App, staff: &Staff, code: Option<&str>, now: jiff::Timestamp) -> ServiceResult<()> {
    let Some(code) = code.filter(|code| !code.trim().is_empty()) else {
        return Err(ServiceError::SecondFactorRequired);
    };
    let secret = staff_secret::open(app, staff).await?.ok_or_else(|| {
        crate::storage::StoreError::Corrupt(format!("staff {} is enrolled without a TOTP secret", staff.id))
    })?;
    let Some(step) = secret.matched_step(code, now) else {
        return Err(ServiceError::Unauthenticated("The authenticator code is wrong or has expired."));
    };
    let sealing = staff_secret::sealing_of_clear(app, staff, &secret).await?;
    if !app.store.use_staff_totp_step(staff.id, step, sealing.as_ref()).await? {
        return Err(ServiceError::Unauthenticated(
            "This authenticator code was used already: wait for the next one (at most 30 seconds).",
        ));
    }
    Ok(())
}

async fn signed_in_staff(app: &App, staff_id: StaffId) -> ServiceResult<Staff> {
    app.store
        .get_staff(staff_id)
        .await?
        .filter(|staff| staff.active)
        .ok_or(ServiceError::Unauthenticated("This staff account is no longer active."))
}

const ENROLLED: &str =
    "The second factor is enrolled already; to move it to a new device, follow the recovery in docs/operations.md.";

/// Starts second-factor enrolment: a new secret, shown this once. Logins need no code until a code
/// confirms it ([`confirm_totp`]); starting again replaces an unconfirmed secret.
pub async fn begin_totp_enrolment(app: &App, staff_id: StaffId) -> ServiceResult<TotpEnrolmentView> {
    let staff = signed_in_staff(app, staff_id).await?;
    if staff.has_second_factor() {
        return Err(ServiceError::Conflict(ENROLLED.to_owned()));
    }
    let secret = TotpSecret::generate();
    let otpauth_uri = secret
        .otpauth_uri(staff.email.as_str())
        .ok_or_else(|| ServiceError::Conflict("The authenticator URI could not be made.".to_owned()))?;
    let sealed = staff_secret::seal(app, staff_id, &secret).await?;
    match app.store.begin_staff_totp(staff_id, &sealed).await {
        Ok(()) => Ok(TotpEnrolmentView { otpauth_uri, secret: secret.as_base32().to_owned() }),
        Err(TotpWriteError::Refused) => Err(ServiceError::Conflict(ENROLLED.to_owned())),
        Err(TotpWriteError::Store(err)) => Err(err.into()),
    }
}

/// Confirms enrolment with a current code of the new secret; from then on every login needs a code.
/// The confirming code counts as used. Audited (`staff.second_factor_enrolled`).
pub async fn confirm_totp(app: &App, staff_id: StaffId, request: ConfirmTotpRequest) -> ServiceResult<StaffView> {
    let staff = signed_in_staff(app, staff_id).await?;
    if staff.has_second_factor() {
        return Err(ServiceError::Conflict(ENROLLED.to_owned()));
    }
    let (Some(held), Some(secret)) = (staff.held_secret(), staff_secret::open(app, &staff).await?) else {
        return Err(ServiceError::Conflict(
            "No enrolment is under way: start one with POST /api/v1/platform/auth/totp.".to_owned(),
        ));
    };
    let now = app.clock.now();
    let Some(step) = secret.matched_step(&request.code, now) else {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "code",
            "is not the authenticator's current code for the new secret (check the device's clock)",
        )]));
    };
    let audit = AuditEntry {
        id: EventId::generate(),
        at: now,
        staff_id,
        action: "staff.second_factor_enrolled".to_owned(),
        target: format!("staff:{staff_id}"),
        before: Some(serde_json::json!({"second_factor": false})),
        after: Some(serde_json::json!({"second_factor": true})),
    };
    let sealing = staff_secret::sealing_of_clear(app, &staff, &secret).await?;
    match app.store.confirm_staff_totp(staff_id, held, sealing.as_ref(), step, now, &audit).await {
        Ok(()) => Ok(StaffView { second_factor: true, ..staff_view(&staff) }),
        Err(TotpWriteError::Refused) => Err(ServiceError::Conflict(
            "The enrolment changed meanwhile (started again elsewhere): use the newest secret.".to_owned(),
        )),
        Err(TotpWriteError::Store(err)) => Err(err.into()),
    }
}

/// The recovery of a lost authenticator (docs/operations.md): removes the staff member's second
/// factor so the next login needs the password only, and the member enrols again. Audited as done by
/// the member it was done for (`staff.second_factor_reset`). Whether the e-mail had an account.
pub async fn reset_second_factor(app: &App, email: &str) -> Result<bool, String> {
    let email = Email::parse(email).map_err(|err| format!("email {err}"))?;
    let Some(staff) = app.store.staff_by_email(&email).await.map_err(|err| err.to_string())? else {
        return Ok(false);
    };
    let audit = AuditEntry {
        id: EventId::generate(),
        at: app.clock.now(),
        staff_id: staff.id,
        action: "staff.second_factor_reset".to_owned(),
        target: format!("staff:{}", staff.id),
        before: Some(serde_json::json!({"second_factor": staff.has_second_factor()})),
        after: Some(serde_json::json!({"second_factor": false})),
    };
    app.store.reset_staff_totp(staff.id, &audit).await.map_err(|err| err.to_string())?;
    Ok(true)
}

/// The most a search answers: searches are for finding a workspace, not for paging through many.
const SEARCH_MAX: usize = 50;

/// The directory, oldest first, or (with `search`) the workspaces whose id is it, or whose name or
/// founding owner's e-mail starts with it (case-insensitive; up to 50, no cursor). Each row carries its
/// plan, usage and payment state: one Query (or a search), then one BatchGetItem each for the month's
/// ticket counters and the plans.
pub async fn directory(app: &App, page: PageParams, search: Option<&str>) -> ServiceResult<WorkspaceDirectory> {
    let search = search.map(str::trim).filter(|search| !search.is_empty());
    let (workspaces, next_cursor) = match search {
        None => {
            let page = app.store.list_workspaces(page.limit, page.cursor.as_deref()).await?;
            (page.items, page.next_cursor)
        }
        Some(search) => {
            (search_workspaces(app, search, usize::try_from(page.limit).unwrap_or(SEARCH_MAX)).await?, None)
        }
    };
    Ok(WorkspaceDirectory { items: directory_entries(app, workspaces).await?, next_cursor })
}

async fn search_workspaces(app: &App, search: &str, limit: usize) -> ServiceResult<Vec<Workspace>> {
    let limit = limit.clamp(1, SEARCH_MAX);
    if let Ok(id) = search.parse::<WorkspaceId>() {
        return Ok(app.store.workspaces_by_id(&[id]).await?);
    }
    let needle = search.to_lowercase();
    let (name_prefix, owner_prefix) = (format!("name:{needle}"), format!("owner:{needle}"));
    let (by_name, by_owner) = futures::try_join!(
        app.store.search_workspaces(&name_prefix, limit),
        app.store.search_workspaces(&owner_prefix, limit),
    )?;
    let mut found = by_name;
    for workspace in by_owner {
        if !found.iter().any(|seen| seen.id == workspace.id) {
            found.push(workspace);
        }
    }
    found.truncate(limit);
    Ok(found)
}

async fn directory_entries(app: &App, workspaces: Vec<Workspace>) -> ServiceResult<Vec<DirectoryEntry>> {
    let month = super::plans::month_of(app.clock.now());
    let ids: Vec<WorkspaceId> = workspaces.iter().map(|workspace| workspace.id).collect();
    let (tickets, api_calls) = if ids.is_empty() {
        Default::default()
    } else {
        futures::try_join!(app.store.tickets_in_month_of(&ids, &month), app.store.api_calls_in_month_of(&ids, &month))?
    };
    let mut plans: HashMap<PlanId, Plan> = HashMap::new();
    for workspace in &workspaces {
        if !plans.contains_key(&workspace.plan) {
            plans.insert(workspace.plan.clone(), super::plans::catalog_plan_of(app, workspace).await?);
        }
    }
    Ok(workspaces
        .into_iter()
        .map(|workspace| {
            let limits = workspace.limit_extras.apply(&plans[&workspace.plan].limits);
            let month_usage = MonthUsage {
                tickets: tickets.get(&workspace.id).copied().unwrap_or(0),
                api_calls: api_calls.get(&workspace.id).copied().unwrap_or(0),
            };
            entry(&workspace, limits.seats, month_usage)
        })
        .collect())
}

/// The month's counts a directory row shows.
struct MonthUsage {
    tickets: u64,
    api_calls: u64,
}

fn entry(workspace: &Workspace, seat_limit: Option<u64>, month: MonthUsage) -> DirectoryEntry {
    DirectoryEntry {
        id: workspace.id,
        name: workspace.name.to_string(),
        plan: workspace.plan.clone(),
        seats_used: workspace.seats_used,
        seat_limit,
        tickets_this_month: month.tickets,
        storage_bytes: workspace.storage_used(),
        api_calls_this_month: month.api_calls,
        subscription_status: workspace.subscription_status.clone(),
        standing: workspace.standing.clone(),
        created_at: workspace.created_at,
    }
}

/// One workspace's page: its row, usage, limits (the plan's, the extras, what applies) and its
/// tickets and API calls per day over `from`..`to`.
pub async fn workspace_detail(
    app: &App,
    id: WorkspaceId,
    from: Option<String>,
    to: Option<String>,
) -> ServiceResult<WorkspaceDetailView> {
    let scope = TenantScope::for_system(id);
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let month = super::plans::month_of(app.clock.now());
    // API calls are counted per UTC day; the range defaults to the 30 UTC days up to today.
    let (first, last) = super::reports::report_range(app, &jiff::tz::TimeZone::UTC, from, to)?;
    let (plan, tickets, activity, calls_per_day, calls_this_month) = futures::try_join!(
        async { Ok::<_, ServiceError>(super::plans::catalog_plan_of(app, &workspace).await?) },
        async { Ok(app.store.tickets_in_month(&scope, &month).await?) },
        super::reports::daily_tickets_of(app, &scope, Some(first.to_string()), Some(last.to_string())),
        async { Ok(app.store.api_calls_per_day(&scope, first, last).await?) },
        async { Ok(app.store.api_calls_in_month_of(&[id], &month).await?) },
    )?;
    let api_calls_this_month = calls_this_month.get(&id).copied().unwrap_or(0);
    let limits = workspace.limit_extras.apply(&plan.limits);
    let days: Vec<ApiCallsDay> = super::reports::days_of(first, last)
        .map(|day| ApiCallsDay { date: day.to_string(), calls: calls_per_day.get(&day).copied().unwrap_or(0) })
        .collect();
    let api_calls = ApiCallsReport {
        from: first.to_string(),
        to: last.to_string(),
        total: days.iter().map(|day| day.calls).sum(),
        days,
    };
    Ok(WorkspaceDetailView {
        workspace: entry(&workspace, limits.seats, MonthUsage { tickets, api_calls: api_calls_this_month }),
        usage: WorkspaceUsageView {
            month,
            tickets,
            seats: workspace.seats_used,
            storage_bytes: workspace.storage_used(),
            webhooks: workspace.webhooks_used,
            lead_capture_endpoints: workspace.lead_capture_endpoints_used,
            api_calls: api_calls_this_month,
        },
        plan_limits: plan.limits,
        limit_extras: workspace.limit_extras,
        limits,
        activity,
        api_calls,
    })
}

/// Replaces what staff grant the workspace beyond its plan; every limit check honours it from the
/// next request on. Audited (`workspace.limit_extras_changed`, before and after).
pub async fn set_limit_extras(
    app: &App,
    staff: StaffId,
    id: WorkspaceId,
    request: LimitExtrasRequest,
) -> ServiceResult<LimitExtrasView> {
    let scope = TenantScope::for_system(id);
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let extras = LimitExtras {
        seats: request.seats,
        tickets_per_month: request.tickets_per_month,
        storage_bytes: request.storage_bytes,
        webhooks: request.webhooks,
    };
    let audit = AuditEntry {
        id: EventId::generate(),
        at: app.clock.now(),
        staff_id: staff,
        action: "workspace.limit_extras_changed".to_owned(),
        target: format!("workspace:{id}"),
        before: serde_json::to_value(workspace.limit_extras).ok(),
        after: serde_json::to_value(extras).ok(),
    };
    if !app.store.set_limit_extras(&scope, &extras, &audit).await? {
        return Err(ServiceError::NotFound("The workspace"));
    }
    let plan = super::plans::catalog_plan_of(app, &workspace).await?;
    Ok(LimitExtrasView { workspace_id: id, limit_extras: extras, limits: extras.apply(&plan.limits) })
}

/// Adds a staff account unless the e-mail has one (operations seed staff this way; see docs/operations.md).
pub async fn ensure_staff(app: &App, email: &str, name: &str, password: &str) -> Result<bool, String> {
    let staff = Staff {
        id: StaffId::generate(),
        email: Email::parse(email).map_err(|err| format!("email {err}"))?,
        name: PersonName::parse(name).map_err(|err| format!("name {err}"))?,
        password_hash: passwords::hash(&NewPassword::parse(password).map_err(|err| format!("password {err}"))?),
        active: true,
        created_at: app.clock.now(),
        totp_sealed: None,
        totp_secret: None,
        totp_confirmed_at: None,
        totp_last_step: None,
    };
    app.store.create_staff_if_absent(&staff).await.map_err(|err| err.to_string())
}
