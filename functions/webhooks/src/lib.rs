//! Outbound webhooks: endpoints, their signing secrets, the delivery log and replays; Slack connections.

use lambda_http::{Body, Request, http::StatusCode};
use shared::api::integrations::{
    CreateWebhookRequest, DeliveryPageView, DeliveryView, ReplayFailedRequest, ReplayView, RotateSecretRequest,
    UpdateWebhookRequest, WebhookListView, WebhookView, WebhookWithSecretView,
};
use shared::domain::ids::{DeliveryId, WebhookId};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::storage::webhooks::EndpointKind;
use shared::{App, services::webhooks};

pub const WEBHOOKS: &str = "/api/v1/webhooks";
pub const WEBHOOK: &str = "/api/v1/webhooks/{id}";
pub const ROTATE_SECRET: &str = "/api/v1/webhooks/{id}/rotate-secret";
pub const DELIVERIES: &str = "/api/v1/webhooks/{id}/deliveries";
pub const REPLAY_DELIVERY: &str = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay";
pub const REPLAY_FAILED: &str = "/api/v1/webhooks/{id}/replay";
pub const SLACK: &str = "/api/v1/integrations/slack";

pub const ROUTES: &[http::Route] = shared::routes![
    GET WEBHOOKS => list,
    POST WEBHOOKS => create,
    GET WEBHOOK => get,
    PATCH WEBHOOK => update,
    DELETE WEBHOOK => delete,
    POST ROTATE_SECRET => rotate_secret,
    GET DELIVERIES => deliveries,
    POST REPLAY_DELIVERY => replay_delivery,
    POST REPLAY_FAILED => replay_failed,
    POST SLACK => connect_slack,
];

fn caller(req: &Request) -> Result<shared::auth::MemberPrincipal, shared::http::Problem> {
    let caller = http::member(req)?;
    http::require(&caller, Permission::WebhooksManage)?;
    Ok(caller)
}

fn endpoint_id(req: &Request) -> Result<WebhookId, shared::http::Problem> {
    http::path_id(req, "id", "The webhook endpoint")
}

/// The workspace's webhook endpoints and Slack connections
///
/// Needs `webhooks:manage`. Secrets are shown by prefix only.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses(
        (status = 200, body = WebhookListView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    Ok(http::json(StatusCode::OK, &webhooks::list(app, &caller).await?))
}

/// Register a webhook endpoint
///
/// `url` must be http(s) on the public internet (private, loopback and link-local addresses are refused
/// when resolved); `events` are event types from docs/webhooks.md. Answers 201 with the signing secret,
/// shown this once. The plan limits the number of endpoints (402 `plan-limit-reached`). Needs
/// `webhooks:manage`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = WebhookWithSecretView),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let body: CreateWebhookRequest = http::json_body(req)?;
    let created = webhooks::create(app, &caller, EndpointKind::Webhook, body, webhooks::webhook_events).await?;
    Ok(http::json(StatusCode::CREATED, &created))
}

/// Connect Slack
///
/// A Slack incoming-webhook URL and the events to post there: `ticket.urgent_created`, `sla.breached`,
/// `ticket.assigned`. Messages use Slack's block format and go through the same delivery queue, log and
/// retries as webhooks; the connection is listed, changed and removed as a webhook endpoint of kind
/// `slack`. Needs `webhooks:manage`.
#[utoipa::path(post, path = "/api/v1/integrations/slack", tag = "webhooks", security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, body = WebhookWithSecretView),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn connect_slack(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let body: CreateWebhookRequest = http::json_body(req)?;
    let created = webhooks::create(app, &caller, EndpointKind::Slack, body, webhooks::slack_events).await?;
    Ok(http::json(StatusCode::CREATED, &created))
}

/// One webhook endpoint
///
/// With its status (active, paused by the circuit breaker, disabled) and failure streak. Needs
/// `webhooks:manage`.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses(
        (status = 200, body = WebhookView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    Ok(http::json(StatusCode::OK, &webhooks::get(app, &caller, endpoint_id(req)?).await?))
}

/// Change a webhook endpoint
///
/// Any of `url`, `events`, `description`, `status` (`active` re-enables a paused or disabled endpoint,
/// `disabled` stops new deliveries). A stale `version` answers 409. Needs `webhooks:manage`.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, body = WebhookView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let id = endpoint_id(req)?;
    let body: UpdateWebhookRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &webhooks::update(app, &caller, id, body).await?))
}

/// Remove a webhook endpoint
///
/// Frees its place in the plan; deliveries in flight are cancelled. Needs `webhooks:manage`.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    webhooks::delete(app, &caller, endpoint_id(req)?).await?;
    Ok(http::no_content())
}

/// Rotate the signing secret
///
/// A new secret, shown once. The previous one stays valid for `grace_period_hours` (default 24, at most
/// 168): meanwhile every delivery carries a signature with each. Needs `webhooks:manage`.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = RotateSecretRequest,
    responses(
        (status = 200, body = WebhookWithSecretView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rotate_secret(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let id = endpoint_id(req)?;
    let body: RotateSecretRequest = match req.body() {
        Body::Empty => RotateSecretRequest::default(),
        _ => http::json_body(req)?,
    };
    Ok(http::json(StatusCode::OK, &webhooks::rotate_secret(app, &caller, id, body).await?))
}

/// The delivery log of an endpoint
///
/// Newest first, with every attempt: status code, latency, the start of the answer, the next retry.
/// Cursor-paginated (`limit`, `cursor`). Needs `webhooks:manage`.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Endpoint id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, body = DeliveryPageView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn deliveries(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let id = endpoint_id(req)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &webhooks::deliveries(app, &caller, id, page.limit, page.cursor.as_deref()).await?))
}

/// Replay one delivery
///
/// Queues it again with the same `webhook-id` and a fresh series of attempts. 409 while it is still in
/// progress. Needs `webhooks:manage`.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id"), ("delivery_id" = String, Path, description = "Delivery id")),
    responses(
        (status = 202, body = DeliveryView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replay_delivery(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let id = endpoint_id(req)?;
    let delivery: DeliveryId = http::path_id(req, "delivery_id", "The delivery")?;
    Ok(http::json(StatusCode::ACCEPTED, &webhooks::replay_one(app, &caller, id, delivery).await?))
}

/// Replay failed deliveries since a time
///
/// Queues again every failed delivery of the endpoint made at or after `since` (at most 500 per call).
/// Needs `webhooks:manage`.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/replay", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = ReplayFailedRequest,
    responses(
        (status = 202, body = ReplayView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replay_failed(app: &App, req: &Request) -> HandlerResult {
    let caller = caller(req)?;
    let id = endpoint_id(req)?;
    let body: ReplayFailedRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::ACCEPTED, &webhooks::replay_failed(app, &caller, id, body).await?))
}
