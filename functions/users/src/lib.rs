//! Workspace members: list, add (takes a seat), view, rename, change role, deactivate, reactivate; and
//! the member directory every member reads.

use lambda_http::{Request, http::StatusCode};
use shared::api::{CreateUserRequest, Directory, UpdateUserRequest, UserList, UserView};
use shared::domain::ids::UserId;
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{App, services::members};

pub const USERS: &str = "/api/v1/users";
pub const USER: &str = "/api/v1/users/{id}";
pub const DIRECTORY: &str = "/api/v1/directory";

pub const ROUTES: &[http::Route] = shared::routes![
    GET USERS => list,
    POST USERS => create,
    GET USER => get,
    PATCH USER => update,
    GET DIRECTORY => directory,
];

/// The member directory
///
/// Every member of the caller's workspace by name, with avatar initials, role and whether they are
/// active (deactivated members stay listed so history keeps their names). No e-mail addresses. Needs
/// `directory:read`, which every role holds; an API key needs the scope `directory:read`.
#[utoipa::path(get, path = "/api/v1/directory", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, body = Directory),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn directory(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, members::DIRECTORY)?;
    Ok(http::json(StatusCode::OK, &members::directory(app, &caller).await?))
}

/// List members
///
/// Needs `users:read` (managers, admins, owners).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = UserList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, members::READ)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &members::list(app, &caller, page).await?))
}

/// Add a member
///
/// Needs `users:manage`; only owners can add owners. Takes a seat: past the plan's seat limit the
/// answer is 402 `plan-limit-reached` with `limit` and `used`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, body = UserView),
        (status = 402, description = "Seat limit reached", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "E-mail already in this workspace", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, members::MANAGE)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &members::create(app, &caller, body).await?))
}

/// Get a member
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, body = UserView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let user: UserId = http::path_id(req, "id", "The user")?;
    if user != caller.user_id() {
        http::require(&caller, members::READ)?;
    }
    Ok(http::json(StatusCode::OK, &members::get(app, &caller, user).await?))
}

/// Change a member
///
/// Rename, change role, deactivate (`status: "deactivated"`: their tokens stop working within the
/// authorizer cache TTL, 30 s) or reactivate. Needs `users:manage`. The last active owner cannot be
/// demoted or deactivated (409 `last-owner`).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, body = UserView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Last owner, or changed meanwhile", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, members::MANAGE)?;
    let user: UserId = http::path_id(req, "id", "The user")?;
    let body: UpdateUserRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &members::update(app, &caller, user, body).await?))
}
