//! The workspace activity log: every event, newest first (admins, managers and owners).

use lambda_http::{Request, http::StatusCode};
use shared::api::EventList;
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{App, services::tickets};

pub const ACTIVITY: &str = "/api/v1/activity";

pub const ROUTES: &[http::Route] = shared::routes![
    GET ACTIVITY => activity,
];

/// The activity log
///
/// Every event of the workspace, newest first. Needs `activity:read`.
#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", security(("bearer" = [])),
    params(("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query)),
    responses(
        (status = 200, body = EventList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn activity(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ActivityRead)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &tickets::activity(app, &caller, page).await?))
}
