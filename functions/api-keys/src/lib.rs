//! API keys of a workspace: made with scopes (the secret shown once), listed by prefix with last use,
//! revoked, rotated. Keys themselves cannot call these routes.

use lambda_http::{Request, http::StatusCode};
use shared::api::integrations::{ApiKeyListView, ApiKeyView, ApiKeyWithSecretView, CreateApiKeyRequest};
use shared::domain::ids::ApiKeyId;
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::api_keys};

pub const API_KEYS: &str = "/api/v1/api-keys";
pub const API_KEY: &str = "/api/v1/api-keys/{id}";
pub const ROTATE: &str = "/api/v1/api-keys/{id}/rotate";

pub const ROUTES: &[http::Route] = shared::routes![
    GET API_KEYS => list,
    POST API_KEYS => create,
    DELETE API_KEY => revoke,
    POST ROTATE => rotate,
];

fn caller(req: &Request) -> Result<shared::auth::MemberPrincipal, shared::http::Problem> {
    let caller = http::member(req)?;
    http::require(&caller, Permission::IntegrationsManage)?;
    Ok(caller)
}

fn key_id(req: &Request) -> Result<ApiKeyId, shared::http::Problem> {
    http::path_id(req, "id", "The API key")
}

/// The workspace's API keys
///
/// By prefix, with scopes, last use (updated at most once a minute) and revocation. Needs
/// `integrations:manage`.
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = [])),
    responses(
        (status = 200, body = ApiKeyListView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    Ok(http::json(StatusCode::OK, &api_keys::list(app, &caller).await?))
}

/// Make an API key
///
/// `scopes` are permission names (e.g. `tickets:read`), never beyond the caller's role. Answers 201 with
/// the key, shown this once: send it as `Authorization: Bearer <key>`. A key acts as its creator within
/// its scopes, and is rate-limited by the workspace's plan. Needs `integrations:manage`.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", security(("bearer" = [])),
    request_body = CreateApiKeyRequest,
    responses(
        (status = 201, body = ApiKeyWithSecretView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let body: CreateApiKeyRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &api_keys::create(app, &caller, body).await?))
}

/// Revoke an API key
///
/// It stops working at once (within the authorizer cache's time in AWS). Needs `integrations:manage`, and
/// the caller must be the key's creator or may manage the creator's role (an admin cannot revoke an
/// owner's key): 403 otherwise.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", security(("bearer" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses(
        (status = 200, body = ApiKeyView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn revoke(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    Ok(http::json(StatusCode::OK, &api_keys::revoke(app, &caller, key_id(req)?).await?))
}

/// Rotate an API key
///
/// A new secret for the same key (name, scopes), shown once; the old secret stops working. Needs
/// `integrations:manage`, and the caller must be the key's creator or may manage the creator's role
/// (an admin cannot rotate an owner's key and so act as the owner): 403 otherwise.
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/rotate", tag = "api-keys", security(("bearer" = [])),
    params(("id" = String, Path, description = "Key id")),
    responses(
        (status = 200, body = ApiKeyWithSecretView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rotate(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    Ok(http::json(StatusCode::OK, &api_keys::rotate(app, &caller, key_id(req)?).await?))
}
