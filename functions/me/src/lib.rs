//! The caller's own profile: user, workspace, role, permissions and plan usage.

use lambda_http::{Request, http::StatusCode};
use shared::api::MeResponse;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::members};

pub const ME: &str = "/api/v1/me";

pub const ROUTES: &[http::Route] = shared::routes![
    GET ME => me,
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
