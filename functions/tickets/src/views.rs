//! Saved views of the inbox: a member's own and the team's shared ones, with live counts.

use lambda_http::{Request, http::StatusCode};
use shared::api::{CreateViewRequest, UpdateViewRequest, ViewList, ViewView};
use shared::domain::{ids::ViewId, rbac::Permission};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::views};

pub const VIEWS: &str = "/api/v1/views";
pub const VIEW: &str = "/api/v1/views/{id}";

/// Saved views
///
/// The caller's own views, then those shared with the team, each by name, with the number of tickets
/// each shows now. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/views", tag = "views", security(("bearer" = [])),
    responses((status = 200, body = ViewList)))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    Ok(http::json(StatusCode::OK, &views::list(app, &caller).await?))
}

/// Save a view
///
/// A name and the inbox filters it keeps (they must make a valid inbox query). Personal by default;
/// `shared: true` needs `settings:manage`. Needs `tickets:read`.
#[utoipa::path(post, path = "/api/v1/views", tag = "views", security(("bearer" = [])),
    request_body = CreateViewRequest,
    responses(
        (status = 201, body = ViewView),
        (status = 403, description = "Sharing needs settings:manage", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &views::create(app, &caller, body).await?))
}

/// Change a view
///
/// Its name or filters, based on the version you saw. Your own views, or shared ones with
/// `settings:manage`; another member's personal view is not found.
#[utoipa::path(patch, path = "/api/v1/views/{id}", tag = "views", security(("bearer" = [])),
    params(("id" = String, Path, description = "View id")),
    request_body = UpdateViewRequest,
    responses(
        (status = 200, body = ViewView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: ViewId = http::path_id(req, "id", "The view")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &views::update(app, &caller, id, body).await?))
}

/// Delete a view
///
/// Your own views, or shared ones with `settings:manage`.
#[utoipa::path(delete, path = "/api/v1/views/{id}", tag = "views", security(("bearer" = [])),
    params(("id" = String, Path, description = "View id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: ViewId = http::path_id(req, "id", "The view")?;
    views::delete(app, &caller, id).await?;
    Ok(http::no_content())
}
