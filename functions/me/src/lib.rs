//! The caller's own profile: user, workspace, role, permissions and plan usage; and their tasks.

use lambda_http::{Request, http::StatusCode};
use shared::api::{ActivityList, MeResponse};
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{
    App,
    services::{activities, members},
};

pub const ME: &str = "/api/v1/me";
pub const TASKS: &str = "/api/v1/me/tasks";

pub const ROUTES: &[http::Route] = shared::routes![
    GET ME => me,
    GET TASKS => tasks,
];

/// Who am I
///
/// The caller's user, workspace, role, the permissions that role grants, and the plan with its usage.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, body = MeResponse),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn me(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    Ok(http::json(StatusCode::OK, &members::me(app, &caller).await?))
}

/// My tasks
///
/// The activities assigned to the caller, on any lead, customer or deal. `status=open` (the default):
/// by due time, overdue first, undated last. `status=done`: latest done first. One index Query per page.
#[utoipa::path(get, path = "/api/v1/me/tasks", tag = "activities", security(("bearer" = [])),
    params(
        ("status" = Option<String>, Query, pattern = "^(open|done)$", description = "`open` (default) or `done`"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ActivityList),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn tasks(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let status = activities::TaskStatus::parse(http::query_param(req, "status").as_deref())?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &activities::my_tasks(app, &caller, status, page).await?))
}
