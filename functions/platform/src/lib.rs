//! The platform console's API, for staff outside every workspace.

use lambda_http::{Request, http::StatusCode};
use shared::api::{StaffLoginRequest, StaffSessionResponse, WorkspaceDirectory};
use shared::auth::Principal;
use shared::http::{self, HandlerResult, PageParams, Problem, ProblemBody};
use shared::{App, services::platform};

pub const LOGIN: &str = "/api/v1/platform/auth/login";
pub const WORKSPACES: &str = "/api/v1/platform/workspaces";

pub const ROUTES: &[http::Route] = shared::routes![
    POST LOGIN => login,
    GET WORKSPACES => workspaces,
];

/// Staff login
#[utoipa::path(post, path = "/api/v1/platform/auth/login", tag = "platform", request_body = StaffLoginRequest,
    responses(
        (status = 200, body = StaffSessionResponse),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn login(app: &App, req: &Request) -> HandlerResult {
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &platform::login(app, body).await?))
}

/// All workspaces
///
/// Staff only: workspace members get 403.
#[utoipa::path(get, path = "/api/v1/platform/workspaces", tag = "platform", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = WorkspaceDirectory),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn workspaces(app: &App, req: &Request) -> HandlerResult {
    let Principal::Staff { .. } = http::principal(req)? else {
        return Err(Problem::forbidden("Only platform staff can list workspaces."));
    };
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &platform::directory(app, page).await?))
}
