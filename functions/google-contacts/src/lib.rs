//! Google Contacts sync for the calling member: connect (OAuth 2.0 with PKCE), settings, status, sync
//! now, disconnect. The scheduled sync is the google-contacts-sync function. docs/google-contacts.md.

mod token_key;

use lambda_http::{Request, http::StatusCode};
use shared::App;
use shared::api::{
    CompleteGoogleConnectionRequest, GoogleAuthorizationView, GoogleContactsView, StartGoogleConnectionRequest,
    UpdateGoogleContactsRequest,
};
use shared::http::{self, HandlerResult, Problem, ProblemBody};
use shared::services::ServiceError;
use shared::services::google_contacts;

pub use ::kms::KmsVault;
pub use token_key::token_vault;

pub const CONNECTION: &str = "/api/v1/integrations/google-contacts";
pub const AUTHORIZE: &str = "/api/v1/integrations/google-contacts/authorize";
pub const CALLBACK: &str = "/api/v1/integrations/google-contacts/callback";
pub const SYNC: &str = "/api/v1/integrations/google-contacts/sync";

pub const ROUTES: &[http::Route] = shared::routes![
    GET CONNECTION => status,
    PATCH CONNECTION => configure,
    DELETE CONNECTION => disconnect,
    POST AUTHORIZE => authorize,
    POST CALLBACK => callback,
    POST SYNC => sync_now,
];

fn vault(app: &App) -> Result<KmsVault, Problem> {
    token_vault(app).ok_or_else(|| ServiceError::NotFound("The Google Contacts integration").into())
}

/// The caller's Google Contacts connection
///
/// Settings and sync status (last sync, counts, last error) of the calling member's own connection;
/// `connected: false` when there is none. 404 when the deployment has no Google OAuth client.
#[utoipa::path(get, path = "/api/v1/integrations/google-contacts", tag = "google-contacts", security(("bearer" = [])),
    responses(
        (status = 200, body = GoogleContactsView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn status(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    Ok(http::json(StatusCode::OK, &google_contacts::status(app, &caller).await?))
}

/// Start connecting a Google account
///
/// Answers the Google consent URL (authorization code flow with PKCE S256; the verifier stays on the
/// server) and its `state`, valid 10 minutes and only for the calling member. Contacts land as
/// `customers` (needs `customers:write`) or `leads` (needs `sales:write`); `deletion` is `ignore`,
/// `archive` or `delete` (leads only); `two_way` asks for write access to contacts.
#[utoipa::path(post, path = "/api/v1/integrations/google-contacts/authorize", tag = "google-contacts", security(("bearer" = [])),
    request_body = StartGoogleConnectionRequest,
    responses(
        (status = 200, body = GoogleAuthorizationView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn authorize(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let body: StartGoogleConnectionRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &google_contacts::start(app, &caller, body).await?))
}

/// Finish connecting: the code and state Google sent back
///
/// The web app's callback page posts what Google appended to it. A `state` this member did not start,
/// one already used or expired, or a code Google refuses (a wrong PKCE verifier) is 422 and connects
/// nothing. Connecting again replaces (and revokes) the previous grant. 409 when Google cannot be reached.
#[utoipa::path(post, path = "/api/v1/integrations/google-contacts/callback", tag = "google-contacts", security(("bearer" = [])),
    request_body = CompleteGoogleConnectionRequest,
    responses(
        (status = 200, body = GoogleContactsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn callback(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let body: CompleteGoogleConnectionRequest = http::json_body(req)?;
    let vault = vault(app)?;
    Ok(http::json(StatusCode::OK, &google_contacts::complete(app, &vault, &caller, body).await?))
}

/// Change the connection's settings
///
/// Any of `target`, `deletion`, `two_way` (on only for a connection granted write access). The new
/// target's permission is needed.
#[utoipa::path(patch, path = "/api/v1/integrations/google-contacts", tag = "google-contacts", security(("bearer" = [])),
    request_body = UpdateGoogleContactsRequest,
    responses(
        (status = 200, body = GoogleContactsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn configure(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let body: UpdateGoogleContactsRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &google_contacts::configure(app, &caller, body).await?))
}

/// Sync now
///
/// Runs the same sync the schedule runs (incremental with the stored sync token, a full listing the
/// first time or after the token expired) and answers the status after it. A run Google's quota cut
/// short says so in `sync.last_error` and `sync.resume_after`, and goes on from where it stopped.
#[utoipa::path(post, path = "/api/v1/integrations/google-contacts/sync", tag = "google-contacts", security(("bearer" = [])),
    responses(
        (status = 200, body = GoogleContactsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn sync_now(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let vault = vault(app)?;
    Ok(http::json(StatusCode::OK, &google_contacts::sync_now(app, &vault, &caller).await?))
}

/// Disconnect Google
///
/// Revokes the grant at Google, then deletes the stored tokens and the contact links; the customers
/// and leads imported stay. 409 (nothing removed) when Google cannot be reached to revoke.
#[utoipa::path(delete, path = "/api/v1/integrations/google-contacts", tag = "google-contacts", security(("bearer" = [])),
    responses(
        (status = 204, description = "Disconnected"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn disconnect(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let vault = vault(app)?;
    google_contacts::disconnect(app, &vault, &caller).await?;
    Ok(http::no_content())
}
