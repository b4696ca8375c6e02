//! The caller's own profile: user, workspace, role, permissions and plan usage; their tasks; their
//! notifications and notification preferences.

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    ActivityList, MeResponse, NotificationList, NotificationPreferences, NotificationReadResponse,
    NotificationsReadAllResponse, SocketTokenResponse, UpdateNotificationPreferencesRequest,
};
use shared::domain::ids::EventId;
use shared::http::{self, HandlerResult, PageParams, Problem, ProblemBody};
use shared::{
    App,
    services::{accounts, activities, members, notifications},
};

pub const ME: &str = "/api/v1/me";
pub const TASKS: &str = "/api/v1/me/tasks";
pub const NOTIFICATIONS: &str = "/api/v1/me/notifications";
pub const NOTIFICATION_READ: &str = "/api/v1/me/notifications/{id}/read";
pub const NOTIFICATIONS_READ_ALL: &str = "/api/v1/me/notifications/read-all";
pub const PREFERENCES: &str = "/api/v1/me/notification-preferences";
pub const SOCKET_TOKEN: &str = "/api/v1/me/socket-token";

pub const ROUTES: &[http::Route] = shared::routes![
    GET ME => me,
    GET TASKS => tasks,
    GET NOTIFICATIONS => list_notifications,
    POST NOTIFICATIONS_READ_ALL => read_all,
    POST NOTIFICATION_READ => read_one,
    GET PREFERENCES => preferences,
    PUT PREFERENCES => set_preferences,
    POST SOCKET_TOKEN => socket_token,
];

/// A token for the live connection
///
/// A one-minute token to open the WebSocket API with (`?token=` on the handshake, which cannot carry
/// an Authorization header). The handshake accepts no access token and nothing else accepts this one.
/// For signed-in members only: API keys have no live connection.
#[utoipa::path(post, path = "/api/v1/me/socket-token", tag = "identity", security(("bearer" = [])),
    responses(
        (status = 200, body = SocketTokenResponse),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn socket_token(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    Ok(http::json(StatusCode::OK, &accounts::socket_token(app, &caller).await?))
}

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

/// My notifications
///
/// The caller's notifications, newest first (`unread=true`: only the unread ones), a page at a time,
/// with the unread count. One Query per page and one GetItem for the count.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", security(("bearer" = [])),
    params(
        ("unread" = Option<bool>, Query, description = "`true`: only unread ones; `false` (default): all"),
        ("limit" = Option<i32>, Query, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = NotificationList),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list_notifications(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let unread = match http::query_param(req, "unread").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Problem::field("unread", "must be true or false")),
    };
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &notifications::list(app, &caller, unread, page).await?))
}

/// Mark a notification read
///
/// Marks one of the caller's notifications read (one already read stays as it was); another member's
/// notification is not found.
#[utoipa::path(post, path = "/api/v1/me/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = EventId, Path, description = "The notification's id")),
    responses(
        (status = 200, body = NotificationReadResponse),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn read_one(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let id: EventId = http::path_id(req, "id", "The notification")?;
    Ok(http::json(StatusCode::OK, &notifications::mark_read(app, &caller, id).await?))
}

/// Mark all notifications read
#[utoipa::path(post, path = "/api/v1/me/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, body = NotificationsReadAllResponse),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn read_all(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    Ok(http::json(StatusCode::OK, &notifications::mark_all_read(app, &caller).await?))
}

/// My notification preferences
///
/// Every kind of notification and whether the caller gets it (all are on until turned off).
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn preferences(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    Ok(http::json(StatusCode::OK, &notifications::preferences(app, &caller).await?))
}

/// Change my notification preferences
///
/// Turns the kinds named on or off; the others keep their setting. An unknown kind is a 422 and
/// changes nothing.
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    request_body = UpdateNotificationPreferencesRequest,
    responses(
        (status = 200, body = NotificationPreferences),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_preferences(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let body: UpdateNotificationPreferencesRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &notifications::set_preferences(app, &caller, body).await?))
}
