//! Deals and pipelines: the sales pipeline's stages, deals moving through them, and the kanban board.

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    ActivityList, ActivityView, BoardView, CreateActivityRequest, CreateDealRequest, CreateNoteRequest,
    CreatePipelineRequest, DealList, DealListQuery, DealView, LoseDealRequest, MoveDealRequest, NoteList, NoteView,
    PipelineList, PipelineView, ReopenDealRequest, ReplacePipelineRequest, UpdateDealRequest, WinDealRequest,
};
use shared::domain::{
    ids::{DealId, PipelineId, StageId},
    rbac::Permission,
    records::RecordRef,
};
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{
    App,
    services::{deals, pipelines},
};

pub const PIPELINES: &str = "/api/v1/pipelines";
pub const PIPELINE: &str = "/api/v1/pipelines/{id}";
pub const PIPELINE_BOARD: &str = "/api/v1/pipelines/{id}/board";
pub const STAGE_DEALS: &str = "/api/v1/pipelines/{id}/stages/{stage_id}/deals";
pub const DEALS: &str = "/api/v1/deals";
pub const DEAL: &str = "/api/v1/deals/{id}";
pub const DEAL_MOVE: &str = "/api/v1/deals/{id}/move";
pub const DEAL_WON: &str = "/api/v1/deals/{id}/won";
pub const DEAL_LOST: &str = "/api/v1/deals/{id}/lost";
pub const DEAL_REOPEN: &str = "/api/v1/deals/{id}/reopen";
pub const DEAL_NOTES: &str = "/api/v1/deals/{id}/notes";
pub const DEAL_ACTIVITIES: &str = "/api/v1/deals/{id}/activities";

pub const ROUTES: &[http::Route] = shared::routes![
    GET PIPELINES => list_pipelines,
    POST PIPELINES => create_pipeline,
    GET PIPELINE => get_pipeline,
    PUT PIPELINE => replace_pipeline,
    GET PIPELINE_BOARD => board,
    GET STAGE_DEALS => stage_deals,
    GET DEALS => list,
    POST DEALS => create,
    GET DEAL => get,
    PATCH DEAL => update,
    DELETE DEAL => delete,
    POST DEAL_MOVE => move_deal,
    POST DEAL_WON => win,
    POST DEAL_LOST => lose,
    POST DEAL_REOPEN => reopen,
    GET DEAL_NOTES => notes,
    POST DEAL_NOTES => add_note,
    GET DEAL_ACTIVITIES => activities,
    POST DEAL_ACTIVITIES => add_activity,
];

/// List pipelines
///
/// Oldest first; a workspace without any gets its first pipeline (five stages) on this call.
/// Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "deals", security(("bearer" = [])),
    responses(
        (status = 200, body = PipelineList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list_pipelines(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    Ok(http::json(StatusCode::OK, &pipelines::list(app, &caller).await?))
}

/// Create a pipeline
///
/// Stages in board order, each with a name (unique in the pipeline), a probability (0 to 100) and
/// optional `rotting_days`. Needs `sales:manage`.
#[utoipa::path(post, path = "/api/v1/pipelines", tag = "deals", security(("bearer" = [])),
    request_body = CreatePipelineRequest,
    responses(
        (status = 201, body = PipelineView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create_pipeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &pipelines::create(app, &caller, body).await?))
}

/// A pipeline and its stages
#[utoipa::path(get, path = "/api/v1/pipelines/{id}", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Pipeline id")),
    responses(
        (status = 200, body = PipelineView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get_pipeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: PipelineId = http::path_id(req, "id", "The pipeline")?;
    Ok(http::json(StatusCode::OK, &pipelines::get(app, &caller, id).await?))
}

/// Replace a pipeline's name and stages
///
/// The stages as they should be, in order: listed with their `id` they are kept (renamed, reordered,
/// new probability for deals entering from now on), without one they are added, left out they are
/// removed. Removing a stage that holds open deals is 409 `conflict` with `open_deals`; a stale
/// `version` is 409 `version-conflict`. Needs `sales:manage`.
#[utoipa::path(put, path = "/api/v1/pipelines/{id}", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Pipeline id")),
    request_body = ReplacePipelineRequest,
    responses(
        (status = 200, body = PipelineView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or a removed stage holds open deals", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replace_pipeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesManage)?;
    let id: PipelineId = http::path_id(req, "id", "The pipeline")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &pipelines::replace(app, &caller, id, body).await?))
}

/// The kanban board
///
/// Per stage: the open deals' count, their value and weighted value per currency (exact counters kept
/// by every deal change), and the first page of the stage's deals with a cursor for the column.
/// Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/pipelines/{id}/board", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Pipeline id")),
    responses(
        (status = 200, body = BoardView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn board(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: PipelineId = http::path_id(req, "id", "The pipeline")?;
    Ok(http::json(StatusCode::OK, &pipelines::board(app, &caller, id).await?))
}

/// One column of the board
///
/// The stage's deals, newest first: open ones by default, or `status=won|lost`. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/pipelines/{id}/stages/{stage_id}/deals", tag = "deals", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Pipeline id"),
        ("stage_id" = String, Path, description = "Stage id"),
        ("status" = Option<String>, Query, pattern = "^(open|won|lost)$", description = "open (default), won or lost"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = DealList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn stage_deals(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: PipelineId = http::path_id(req, "id", "The pipeline")?;
    let stage: StageId = http::path_id(req, "stage_id", "The stage")?;
    let page = PageParams::from_request(req)?;
    let status = http::query_param(req, "status");
    Ok(http::json(StatusCode::OK, &pipelines::stage_deals(app, &caller, id, stage, status, page).await?))
}

/// List deals
///
/// One index answers each list: `sort=newest` (default) with at most one of `pipeline_id`, `stage_id`,
/// `owner_id` (`me`, `none` or a member id); `sort=value` (highest first) with a `currency` and an
/// optional `min_value`/`max_value`; `sort=expected_close` (soonest first, deals with a date) with an
/// optional `close_from`/`close_to`. `status` is open (default), won or lost; `tag` narrows any of
/// them. Other combinations are 422 naming the field. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/deals", tag = "deals", security(("bearer" = [])),
    params(
        ("status" = Option<String>, Query, pattern = "^(open|won|lost)$", description = "open (default), won or lost"),
        ("sort" = Option<String>, Query, pattern = "^(newest|value|expected_close)$", description = "newest (default), value or expected_close"),
        ("pipeline_id" = Option<shared::api::schema::RawId>, Query), ("stage_id" = Option<shared::api::schema::RawId>, Query),
        ("owner_id" = Option<shared::api::schema::MemberFilter>, Query, description = "me, none or a member id"),
        ("tag" = Option<String>, Query),
        ("currency" = Option<shared::api::schema::CurrencyCode>, Query, description = "with sort=value"),
        ("min_value" = Option<i64>, Query, description = "minor units, with sort=value"),
        ("max_value" = Option<i64>, Query, description = "minor units, with sort=value"),
        ("close_from" = Option<String>, Query, format = Date, description = "YYYY-MM-DD, with sort=expected_close"),
        ("close_to" = Option<String>, Query, format = Date, description = "YYYY-MM-DD, with sort=expected_close"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = DealList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let page = PageParams::from_request(req)?;
    let param = |name: &str| http::query_param(req, name).filter(|value| !value.is_empty());
    let query = DealListQuery {
        status: param("status"),
        sort: param("sort"),
        pipeline_id: param("pipeline_id"),
        stage_id: param("stage_id"),
        owner_id: param("owner_id"),
        tag: param("tag"),
        currency: param("currency"),
        min_value: param("min_value"),
        max_value: param("max_value"),
        close_from: param("close_from"),
        close_to: param("close_to"),
    };
    Ok(http::json(StatusCode::OK, &deals::list(app, &caller, &query, page).await?))
}

/// Create a deal
///
/// In the workspace's first pipeline and its first stage unless named; owned by the caller unless
/// `owner_id` names someone else (which needs `sales:manage`). Contacts must be customers of the
/// workspace, the owner an active member (422 naming the field). Needs `sales:write`.
#[utoipa::path(post, path = "/api/v1/deals", tag = "deals", security(("bearer" = [])),
    request_body = CreateDealRequest,
    responses(
        (status = 201, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The pipeline changed meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &deals::create(app, &caller, body).await?))
}

/// A deal, with its stage history
///
/// `time_in_stage_seconds` and `stuck` (open longer than the stage's `rotting_days`) as of now, and
/// `stage_history`: every stage it was in, from its event log. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    Ok(http::json(StatusCode::OK, &deals::get(app, &caller, id).await?))
}

/// Change a deal
///
/// Only the fields present change, at `version` (stale: 409 with `current`). Reps change their own
/// and unowned deals; another member's, or giving one to someone else, needs `sales:manage`.
#[utoipa::path(patch, path = "/api/v1/deals/{id}", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = UpdateDealRequest,
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &deals::update(app, &caller, id, body).await?))
}

/// Delete a deal
///
/// With `?version=`, only if the deal is still at that version (409 otherwise). Its events stay in the
/// activity log. Needs `sales:write` on one's own or an unowned deal, `sales:manage` on others'.
#[utoipa::path(delete, path = "/api/v1/deals/{id}", tag = "deals", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Deal id"),
        ("version" = Option<u64>, Query, description = "the version the caller saw"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let version = http::version_query(req, "the deal's")?;
    deals::delete(app, &caller, id, version).await?;
    Ok(http::no_content())
}

/// Move a deal to another stage
///
/// An open deal, at `version`; `pipeline_id` moves it to another pipeline. It takes the stage's
/// probability unless its own was set, and the move joins its stage history. Needs `sales:write`
/// (own or unowned deals) or `sales:manage`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/move", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = MoveDealRequest,
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the deal is won or lost", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn move_deal(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &deals::move_to_stage(app, &caller, id, body).await?))
}

/// Mark a deal won
///
/// An open deal, at `version`; it leaves the board's open totals. Needs `sales:write` (own or unowned
/// deals) or `sales:manage`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/won", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = WinDealRequest,
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or already won or lost", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn win(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &deals::win(app, &caller, id, body).await?))
}

/// Reopen a won or lost deal
///
/// Back to open, in `stage_id` of its pipeline or the stage it closed in, at `version`; it is back in
/// the board's open totals and `deal.reopened` joins its history. 409 when the deal is open or the
/// version is stale. Needs `sales:write` (own or unowned deals) or `sales:manage`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/reopen", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = ReopenDealRequest,
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the deal is open", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn reopen(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &deals::reopen(app, &caller, id, body).await?))
}

/// Mark a deal lost
///
/// An open deal, at `version`, with the `reason` (required). Needs `sales:write` (own or unowned
/// deals) or `sales:manage`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/lost", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = LoseDealRequest,
    responses(
        (status = 200, body = DealView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or already won or lost", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn lose(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesWrite)?;
    let id: DealId = http::path_id(req, "id", "The deal")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &deals::lose(app, &caller, id, body).await?))
}

/// The deal a notes or activities route is about.
fn deal(req: &Request) -> Result<RecordRef, http::Problem> {
    Ok(RecordRef::Deal(http::path_id(req, "id", "The deal")?))
}

/// A deal's notes
///
/// Oldest first. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/deals/{id}/notes", tag = "deals", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Deal id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = NoteList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn notes(app: &App, req: &Request) -> HandlerResult {
    http::records::notes_page(app, req, Permission::SalesRead, deal).await
}

/// Add a note to a deal
///
/// The note changes nothing on the deal; `deal.note_added` joins its timeline.
/// Needs `sales:write`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/notes", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = CreateNoteRequest,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_note(app: &App, req: &Request) -> HandlerResult {
    http::records::add_note(app, req, Permission::SalesWrite, deal).await
}

/// A deal's activities
///
/// Calls, meetings, tasks and e-mails logged on the deal, newest logged first. Needs `sales:read`.
#[utoipa::path(get, path = "/api/v1/deals/{id}/activities", tag = "deals", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Deal id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ActivityList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn activities(app: &App, req: &Request) -> HandlerResult {
    http::records::activities_page(app, req, Permission::SalesRead, deal).await
}

/// Log an activity on a deal
///
/// A call, meeting, task or e-mail (`kind`), with a `subject`, an optional `due_at` (RFC 3339) and an
/// assignee (an active member who can write to the deal; default the caller); `done: true` logs one
/// that already happened. `activity.created` joins the deal's timeline. Needs `sales:write`.
#[utoipa::path(post, path = "/api/v1/deals/{id}/activities", tag = "deals", security(("bearer" = [])),
    params(("id" = String, Path, description = "Deal id")),
    request_body = CreateActivityRequest,
    responses(
        (status = 201, body = ActivityView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_activity(app: &App, req: &Request) -> HandlerResult {
    http::records::add_activity(app, req, Permission::SalesWrite, deal).await
}
