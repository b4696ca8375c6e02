//! Sign-up, login, token refresh and logout. These routes are public (no authorizer).

use lambda_http::{Body, Request, Response, http::StatusCode};
use shared::api::{LoginRequest, RefreshRequest, SessionResponse, SignupRequest};
use shared::http::{self, HandlerResult, Problem, ProblemBody, session_cookie};
use shared::{App, services::accounts};

pub const SIGNUP: &str = "/api/v1/auth/signup";
pub const LOGIN: &str = "/api/v1/auth/login";
pub const REFRESH: &str = "/api/v1/auth/refresh";
pub const LOGOUT: &str = "/api/v1/auth/logout";

/// The routes this function serves; template.yaml must declare exactly these.
pub const ROUTES: &[http::Route] = shared::routes![
    POST SIGNUP => signup,
    POST LOGIN => login,
    POST REFRESH => refresh,
    POST LOGOUT => logout,
];

/// Create a workspace and its owner
///
/// Starts on the free plan. Returns the owner's first session. Refused sign-ups back off per e-mail
/// like logins (429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 201, body = SessionResponse),
        (status = 422, description = "A field is invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this e-mail lately (or from this address): wait `Retry-After` seconds", body = ProblemBody, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds until the next attempt is taken"))),
    ))]
pub async fn signup(app: &App, req: &Request) -> HandlerResult {
    let body = http::json_body(req)?;
    Ok(session(app, req, StatusCode::CREATED, accounts::signup(app, body).await?))
}

/// The session as the caller keeps it: a browser gets the refresh token as an HttpOnly cookie and not
/// in the body (script never sees it); other clients get it in the body.
fn session(app: &App, req: &Request, status: StatusCode, mut session: SessionResponse) -> Response<Body> {
    if !session_cookie::from_browser(req) {
        return http::json(status, &session);
    }
    let token = session.refresh_token.take().unwrap_or_default();
    let mut response = http::json(status, &session);
    let max_age = app.config.refresh_token_ttl.as_secs();
    response.headers_mut().append("set-cookie", session_cookie::set(&token, max_age));
    response
}

/// The refresh token a refresh or logout presents: the body's, else the cookie's. The cookie counts
/// only on the app's own requests (`Sec-Fetch-Site: same-origin`), on top of `SameSite=Strict`.
fn presented_token(req: &Request) -> Result<RefreshRequest, Problem> {
    // No body, an empty one and JSON `null` all mean "the token is in the cookie".
    let mut body: RefreshRequest = match req.body() {
        Body::Empty => RefreshRequest::default(),
        Body::Text(text) if matches!(text.trim(), "" | "null") => RefreshRequest::default(),
        _ => http::json_body::<Option<RefreshRequest>>(req)?.unwrap_or_default(),
    };
    if body.refresh_token.is_none() && session_cookie::same_origin(req) {
        body.refresh_token = session_cookie::refresh_token(req);
    }
    Ok(body)
}

/// Log in
///
/// When the e-mail and password match members of several workspaces, answers 409
/// `workspace-selection-required` with the list; repeat with `workspace_id`. Five wrong attempts for
/// an e-mail within 15 minutes lock it: 429 with `Retry-After` (30 s, doubling with each further
/// failure, at most 15 minutes) whatever the password; a successful login clears the count.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = SessionResponse),
        (status = 401, description = "Wrong e-mail or password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Choose a workspace", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts for this e-mail lately (or from this address): wait `Retry-After` seconds", body = ProblemBody, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds until the next attempt is taken"))),
    ))]
pub async fn login(app: &App, req: &Request) -> HandlerResult {
    let body = http::json_body(req)?;
    Ok(session(app, req, StatusCode::OK, accounts::login(app, body).await?))
}

/// Refresh the session
///
/// Spends the refresh token and returns new tokens. A refresh token presented twice revokes its
/// session (someone replayed it). Browsers send no body: the `switchboard_refresh` cookie carries the
/// token, and the answer sets the next one.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = Option<RefreshRequest>,
    responses(
        (status = 200, body = SessionResponse),
        (status = 401, description = "Invalid, expired, revoked or reused", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn refresh(app: &App, req: &Request) -> HandlerResult {
    let body = presented_token(req)?;
    Ok(session(app, req, StatusCode::OK, accounts::refresh(app, body).await?))
}

/// Log out
///
/// Revokes the session of the refresh token, if it is the session's current token (only its holder can end
/// it). Idempotent: an unknown, spent or forged token is answered 204 too and ends nothing. Browsers send
/// no body (the cookie carries the token); the answer removes the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = Option<RefreshRequest>,
    responses((status = 204, description = "Logged out")))]
pub async fn logout(app: &App, req: &Request) -> HandlerResult {
    let body = presented_token(req)?;
    accounts::logout(app, body).await?;
    let mut response = http::no_content();
    response.headers_mut().append("set-cookie", session_cookie::clear());
    Ok(response)
}
