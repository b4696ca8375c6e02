//! Workspace settings: the ticket category taxonomy.

use lambda_http::{Request, http::StatusCode};
use shared::api::{CategoriesView, ReplaceCategoriesRequest};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::settings};

pub const CATEGORIES: &str = "/api/v1/settings/categories";

pub const ROUTES: &[http::Route] = shared::routes![
    GET CATEGORIES => categories,
    PUT CATEGORIES => replace_categories,
];

/// The category taxonomy
///
/// The workspace's ticket categories, each with its subcategories. Empty (version 0) when none is
/// configured: then ticket categories are free labels. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/settings/categories", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, body = CategoriesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn categories(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    Ok(http::json(StatusCode::OK, &settings::categories(app, &caller).await?))
}

/// Replace the category taxonomy
///
/// Replaces the whole taxonomy; an empty list removes it. Names are trimmed, 1 to 64 characters, and
/// unique without regard to case (categories, and subcategories within a category); at most 100
/// categories of at most 50 subcategories. A stale `version` answers 409 `version-conflict` with
/// `current`. Needs `settings:manage`.
#[utoipa::path(put, path = "/api/v1/settings/categories", tag = "settings", security(("bearer" = [])),
    request_body = ReplaceCategoriesRequest,
    responses(
        (status = 200, body = CategoriesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replace_categories(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &settings::replace_categories(app, &caller, body).await?))
}
