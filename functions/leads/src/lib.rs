//! Sales leads: create (with duplicate detection), read, change, delete, list with filters, counts,
//! merge duplicates, convert into a customer, notes, activities, and the workspace's lead statuses; and
//! changing or deleting an activity on any sales record.

use lambda_http::{Body, Request, http::StatusCode};
use shared::App;
use shared::api::{
    ActivityList, ActivityView, ConversionView, ConvertLeadRequest, CreateActivityRequest, CreateLeadRequest,
    CreateNoteRequest, EventList, LeadBulkRequest, LeadBulkResult, LeadCounts, LeadList, LeadListParams,
    LeadStatusesView, LeadView, MergeLeadRequest, NoteList, NoteView, UpdateActivityRequest, UpdateLeadRequest,
    UpdateLeadStatusesRequest,
};
use shared::auth::MemberPrincipal;
use shared::domain::{
    ids::{ActivityId, LeadId},
    rbac::Permission,
    records::RecordRef,
};
use shared::http::{self, HandlerResult, PageParams, Problem, ProblemBody};
use shared::services::activities;
use shared::services::leads::{self, OnDuplicate};

pub const LEADS: &str = "/api/v1/leads";
pub const BULK: &str = "/api/v1/leads/bulk";
pub const COUNTS: &str = "/api/v1/leads/counts";
pub const STATUSES: &str = "/api/v1/leads/statuses";
pub const LEAD: &str = "/api/v1/leads/{id}";
pub const MERGE: &str = "/api/v1/leads/{id}/merge";
pub const CONVERT: &str = "/api/v1/leads/{id}/convert";
pub const NOTES: &str = "/api/v1/leads/{id}/notes";
pub const TIMELINE: &str = "/api/v1/leads/{id}/timeline";
pub const ACTIVITIES: &str = "/api/v1/leads/{id}/activities";
/// One activity, whichever record it is on (leads, customers or deals).
pub const ACTIVITY: &str = "/api/v1/activities/{id}";

pub const ROUTES: &[http::Route] = shared::routes![
    GET LEADS => list,
    POST LEADS => create,
    POST BULK => bulk_update,
    GET COUNTS => counts,
    GET STATUSES => statuses,
    PUT STATUSES => set_statuses,
    GET LEAD => get,
    PATCH LEAD => update,
    DELETE LEAD => delete,
    POST MERGE => merge,
    POST CONVERT => convert,
    GET NOTES => notes,
    POST NOTES => add_note,
    GET TIMELINE => timeline,
    GET ACTIVITIES => activities,
    POST ACTIVITIES => add_activity,
    PATCH ACTIVITY => update_activity,
    DELETE ACTIVITY => delete_activity,
];

fn lead_id(req: &Request) -> Result<LeadId, Problem> {
    http::path_id(req, "id", "The lead")
}

/// List leads
///
/// Newest first, or by score (`sort=score`: highest first, unscored last). Filters combine: `status`,
/// `owner` (a member id, `me` or `none`), `source`, `tag`, and a creation range (`created_from`,
/// `created_to`, RFC 3339, inclusive; newest-first order only, 422 with `sort=score`). One Query per
/// page; docs/data-model.md says which index answers which filter. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", security(("bearer" = [])),
    params(
        ("status" = Option<String>, Query, description = "a status key of the workspace's set"),
        ("owner" = Option<shared::api::schema::MemberFilter>, Query, description = "a member id, `me`, or `none`"),
        ("source" = Option<String>, Query, pattern = "^(web_form|typeform|zapier|import|manual|referral|other)$", description = "web_form, typeform, zapier, import, manual, referral, other"),
        ("tag" = Option<String>, Query),
        ("created_from" = Option<String>, Query, format = DateTime, description = "RFC 3339, inclusive"),
        ("created_to" = Option<String>, Query, format = DateTime, description = "RFC 3339, inclusive"),
        ("sort" = Option<String>, Query, pattern = "^(newest|score)$", description = "`newest` (default) or `score`"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = LeadList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let page = PageParams::from_request(req)?;
    let params = LeadListParams {
        status: http::query_param(req, "status"),
        owner: http::query_param(req, "owner"),
        source: http::query_param(req, "source"),
        tag: http::query_param(req, "tag"),
        created_from: http::query_param(req, "created_from"),
        created_to: http::query_param(req, "created_to"),
        sort: http::query_param(req, "sort"),
    };
    Ok(http::json(StatusCode::OK, &leads::list(app, &caller, &params, page).await?))
}

/// Create a lead
///
/// E-mails are unique among a workspace's leads: a second lead with the same e-mail is 409
/// `duplicate-lead` naming the existing one (`existing_lead_id`), unless `?on_duplicate=merge`, which
/// adds what is new (empty fields, tags, attributes) to the existing lead and answers 200 with it.
/// Setting `owner_id` to someone else needs `sales:manage`. Needs `sales:write`. A new lead counts in
/// the month's new leads: past the plan's `leads_per_month`, 402 `plan-limit-reached`.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", security(("bearer" = [])),
    params(("on_duplicate" = Option<String>, Query, pattern = "^merge$", description = "`merge`: enrich the existing lead instead of 409")),
    request_body = CreateLeadRequest,
    responses(
        (status = 201, description = "Created", body = LeadView),
        (status = 200, description = "An existing lead with this e-mail, enriched (`on_duplicate=merge`)", body = LeadView),
        (status = 402, description = "The plan's new leads for the month are used up", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate-lead`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let on_duplicate = match http::query_param(req, "on_duplicate").as_deref() {
        None => OnDuplicate::Refuse,
        Some("merge") => OnDuplicate::Merge,
        Some(_) => return Err(Problem::field("on_duplicate", "must be merge, or left out")),
    };
    let body = http::json_body(req)?;
    let created = leads::create(app, &caller, body, on_duplicate).await?;
    let status = if created.new { StatusCode::CREATED } else { StatusCode::OK };
    Ok(http::json(status, &created.lead))
}

/// Change many leads
///
/// The same change (status, owner, tags to add or remove) to up to 100 leads, each at the version
/// you saw. Each lead is its own change: a stale version, a lead you may not change or reassign, or
/// one not found leaves the others changed, and its result says why (`problem`, as the single
/// change would have answered). Answers 200 with every lead's outcome and a summary. Needs
/// `sales:write` (and `sales:manage` to reassign leads others own).
#[utoipa::path(post, path = "/api/v1/leads/bulk", tag = "leads", security(("bearer" = [])),
    request_body = LeadBulkRequest,
    responses(
        (status = 200, body = LeadBulkResult),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn bulk_update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let body = http::json_body(req)?;
    let outcomes = leads::bulk_update(app, &caller, body).await?;
    Ok(http::json(StatusCode::OK, &http::lead_bulk_result(outcomes)))
}

/// Lead counts
///
/// Exact counts (one read): total, per status, per source, per owner. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/counts", tag = "leads", security(("bearer" = [])),
    responses(
        (status = 200, body = LeadCounts),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn counts(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    Ok(http::json(StatusCode::OK, &leads::counts(app, &caller).await?))
}

/// The workspace's lead statuses
///
/// In display order, each with its meaning (`open`, `converted`, `unqualified`). Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/statuses", tag = "leads", security(("bearer" = [])),
    responses(
        (status = 200, body = LeadStatusesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn statuses(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    Ok(http::json(StatusCode::OK, &leads::statuses(app, &caller).await?))
}

/// Replace the lead statuses
///
/// The whole set: 3 to 20 statuses, exactly one meaning `converted` and one `unqualified`. A status
/// still holding leads cannot be removed (409 `conflict`); a stale `version` is 409
/// `version-conflict`. Needs `sales:manage`.
#[utoipa::path(put, path = "/api/v1/leads/statuses", tag = "leads", security(("bearer" = [])),
    request_body = UpdateLeadStatusesRequest,
    responses(
        (status = 200, body = LeadStatusesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_statuses(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &leads::set_statuses(app, &caller, body).await?))
}

/// A lead
///
/// A lead merged into another still answers, with `merged_into`. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    responses(
        (status = 200, body = LeadView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    Ok(http::json(StatusCode::OK, &leads::get(app, &caller, lead_id(req)?).await?))
}

/// Change a lead
///
/// Only the fields present change; `null` clears one. `status` takes any status of the set but the
/// converted one (converting does that). `owner_id`: with `sales:write` only yourself, on a lead nobody
/// owns; `sales:manage` assigns anyone or releases (`null`). With `sales:write` you change your own
/// leads and unowned ones (403 otherwise). A stale `version` is 409 `version-conflict` with `current`;
/// an e-mail another lead has is 409 `duplicate-lead`; a merged or converted lead is 409 `conflict`.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    request_body = UpdateLeadRequest,
    responses(
        (status = 200, body = LeadView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id = lead_id(req)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &leads::update(app, &caller, id, body).await?))
}

/// Delete a lead
///
/// Its e-mail is free again and it leaves the counts. A converted or merged lead stays (409).
/// Needs `sales:write` on your own or unowned leads, `sales:manage` on any.
#[utoipa::path(delete, path = "/api/v1/leads/{id}", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    leads::delete(app, &caller, lead_id(req)?).await?;
    Ok(http::no_content())
}

/// Merge a duplicate into this lead
///
/// In one transaction: this lead keeps its fields and gains the duplicate's tags, the duplicate's notes
/// move here, and the duplicate leaves the lists and counts (it still answers, with `merged_into`), its
/// e-mail finding this lead from now on. Both must be leads you may change. Answers with this lead.
#[utoipa::path(post, path = "/api/v1/leads/{id}/merge", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "The lead that absorbs the duplicate")),
    request_body = MergeLeadRequest,
    responses(
        (status = 200, body = LeadView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Merged, converted, or changed meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn merge(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id = lead_id(req)?;
    let body: MergeLeadRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &leads::merge(app, &caller, id, body).await?))
}

/// Convert a lead into a customer
///
/// In one transaction: the customer named by `customer_id`, else the customer with the lead's e-mail,
/// else a new customer from the lead's details; the lead takes the converted status and `customer_id`,
/// the customer lists the lead in `converted_from_leads` (its notes stay on the lead). The body is
/// optional. Converting twice is 409 `conflict`; a stale `version` (or a change racing the conversion)
/// is 409 `version-conflict`. Needs `sales:write` (on a lead you may change) and `customers:write`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    request_body(content = Option<ConvertLeadRequest>),
    responses(
        (status = 200, body = ConversionView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn convert(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let id = lead_id(req)?;
    let empty = match req.body() {
        Body::Empty => true,
        Body::Text(text) => text.trim().is_empty(),
        Body::Binary(bytes) => bytes.iter().all(u8::is_ascii_whitespace),
        _ => true,
    };
    let body: ConvertLeadRequest = if empty { ConvertLeadRequest::default() } else { http::json_body(req)? };
    Ok(http::json(StatusCode::OK, &leads::convert(app, &caller, id, body).await?))
}

/// The lead a notes or activities route is about.
fn lead(req: &Request) -> Result<RecordRef, http::Problem> {
    Ok(RecordRef::Lead(lead_id(req)?))
}

/// A lead's notes
///
/// Oldest first. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/{id}/notes", tag = "leads", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Lead id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = NoteList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn notes(app: &App, req: &Request) -> HandlerResult {
    http::records::notes_page(app, req, Permission::SalesRead, lead).await
}

/// Add a note to a lead
///
/// Any seller may note any lead (notes change nothing on it). A merged lead takes no notes (409).
/// Needs `sales:write`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/notes", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    request_body = CreateNoteRequest,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_note(app: &App, req: &Request) -> HandlerResult {
    http::records::add_note(app, req, Permission::SalesWrite, lead).await
}

/// A lead's timeline
///
/// Every event about the lead (created, changed, assigned, status, notes, merges), newest first; its
/// conversion is in the customer's timeline. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/{id}/timeline", tag = "leads", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Lead id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = EventList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn timeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id = lead_id(req)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &leads::timeline(app, &caller, id, page).await?))
}

/// A lead's activities
///
/// Calls, meetings, tasks and e-mails logged on the lead, newest logged first. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/leads/{id}/activities", tag = "leads", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Lead id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ActivityList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn activities(app: &App, req: &Request) -> HandlerResult {
    http::records::activities_page(app, req, Permission::SalesRead, lead).await
}

/// Log an activity on a lead
///
/// A call, meeting, task or e-mail (`kind`), with a `subject`, an optional `due_at` (RFC 3339) and an
/// assignee (an active member who can write to the lead; default the caller); `done: true` logs one
/// that already happened. `activity.created` joins the lead's timeline. Needs `sales:write`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/activities", tag = "leads", security(("bearer" = [])),
    params(("id" = String, Path, description = "Lead id")),
    request_body = CreateActivityRequest,
    responses(
        (status = 201, body = ActivityView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The record was merged away", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_activity(app: &App, req: &Request) -> HandlerResult {
    http::records::add_activity(app, req, Permission::SalesWrite, lead).await
}

/// Change an activity
///
/// At the version read (409 with the current activity when stale): reword (`subject`, `body`, `kind`),
/// reschedule (`due_at`, null for none), reassign (`assignee_id`: an active member who can write to the
/// record), tick done (`done: true`, event `activity.completed`) or reopen (`done: false`). Any other
/// change is `activity.updated`; a change that changes nothing answers the activity as it is. Needs the
/// record's write permission (`sales:write`, `customers:write` for customers), and the activity must be
/// one the caller logged or is assigned (any, with `sales:manage`).
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = String, Path, description = "Activity id")),
    request_body = UpdateActivityRequest,
    responses(
        (status = 200, body = ActivityView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version: `current` holds the activity as it is", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update_activity(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    require_some_record_write(&caller)?;
    let id: ActivityId = http::path_id(req, "id", "The activity")?;
    let body: UpdateActivityRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &activities::update(app, &caller, id, body).await?))
}

/// A member whose role writes to no kind of record (a viewer) changes no activity: refused before the
/// activity is looked up or the body read, as every other route checks its permission first.
fn require_some_record_write(caller: &MemberPrincipal) -> Result<(), Problem> {
    if caller.can(Permission::CustomersWrite) {
        return Ok(());
    }
    http::require(caller, Permission::SalesWrite)
}

/// Delete an activity
///
/// `activity.deleted` joins the record's timeline. The same permissions as changing it.
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = String, Path, description = "Activity id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Changed while being deleted", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete_activity(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    require_some_record_write(&caller)?;
    let id: ActivityId = http::path_id(req, "id", "The activity")?;
    activities::delete(app, &caller, id).await?;
    Ok(http::no_content())
}
