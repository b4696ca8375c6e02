//! Lead capture: the endpoints admins make for Typeform, Zapier and generic JSON senders, their
//! delivery log and the mapping tester; the public inbound route those senders post to; and Zapier's
//! REST-hook subscriptions to lead events.

use lambda_http::{Body, Request, http::StatusCode};
use shared::App;
use shared::api::{
    CaptureDeliveryList, CaptureEndpointList, CaptureEndpointView, CaptureEndpointWithSecretView, CaptureResult,
    CreateCaptureEndpointRequest, RestHookSubscribeRequest, RestHookView, TestMappingRequest, TestMappingResult,
    UpdateCaptureEndpointRequest,
};
use shared::auth::MemberPrincipal;
use shared::domain::ids::{CaptureEndpointId, WebhookId};
use shared::domain::lead_capture::{DELIVERY_ID_HEADER, MAX_PAYLOAD_BYTES, SECRET_HEADER, TYPEFORM_SIGNATURE};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, PageParams, Problem, ProblemBody, ProblemType};
use shared::services::{
    ServiceError,
    lead_capture::{self, Inbound, Refusal},
};

pub const ENDPOINTS: &str = "/api/v1/lead-capture-endpoints";
pub const TEST_MAPPING: &str = "/api/v1/lead-capture-endpoints/test-mapping";
pub const ENDPOINT: &str = "/api/v1/lead-capture-endpoints/{id}";
pub const ROTATE_SECRET: &str = "/api/v1/lead-capture-endpoints/{id}/rotate-secret";
pub const DELIVERIES: &str = "/api/v1/lead-capture-endpoints/{id}/deliveries";
/// Public: no authorizer. The endpoint's signature, secret or (Zapier) API key is checked here.
pub const INBOUND: &str = "/api/v1/inbound/leads/{id}";
pub const REST_HOOKS: &str = "/api/v1/zapier/hooks";
pub const REST_HOOK: &str = "/api/v1/zapier/hooks/{id}";

pub const ROUTES: &[http::Route] = shared::routes![
    GET ENDPOINTS => list,
    POST ENDPOINTS => create,
    POST TEST_MAPPING => test_mapping,
    GET ENDPOINT => get,
    PATCH ENDPOINT => update,
    DELETE ENDPOINT => delete,
    POST ROTATE_SECRET => rotate_secret,
    GET DELIVERIES => deliveries,
    POST INBOUND => receive,
    POST REST_HOOKS => subscribe,
    DELETE REST_HOOK => unsubscribe,
];

fn admin(req: &Request) -> Result<MemberPrincipal, Problem> {
    let caller = http::member(req)?;
    http::require(&caller, Permission::IntegrationsManage)?;
    Ok(caller)
}

fn endpoint_id(req: &Request) -> Result<CaptureEndpointId, Problem> {
    http::path_id(req, "id", "The lead-capture endpoint")
}

/// The workspace's lead-capture endpoints
///
/// Oldest first, secrets by prefix only. Needs `integrations:manage`.
#[utoipa::path(get, path = "/api/v1/lead-capture-endpoints", tag = "lead-capture", security(("bearer" = [])),
    responses(
        (status = 200, body = CaptureEndpointList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::list(app, &caller).await?))
}

/// Make a lead-capture endpoint
///
/// A `kind` (`typeform`, `zapier`, `json`), a `mapping` from lead fields to question refs (Typeform) or
/// dotted paths (`contact.emails[0].value`), and what a delivery with a known e-mail does
/// (`on_existing_lead`: `update` or `note`). Answers 201 with the endpoint's secret, shown this once.
/// The plan limits the number of endpoints (402 `plan-limit-reached`). Needs `integrations:manage`.
#[utoipa::path(post, path = "/api/v1/lead-capture-endpoints", tag = "lead-capture", security(("bearer" = [])),
    request_body = CreateCaptureEndpointRequest,
    responses(
        (status = 201, body = CaptureEndpointWithSecretView),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    let body: CreateCaptureEndpointRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &lead_capture::create(app, &caller, body).await?))
}

/// Try a mapping on a sample payload
///
/// What the mapping reads from `payload` (lead field → value), the fields it found no value for, and
/// why such a delivery would be refused. Nothing is saved. Needs `integrations:manage`.
#[utoipa::path(post, path = "/api/v1/lead-capture-endpoints/test-mapping", tag = "lead-capture", security(("bearer" = [])),
    request_body = TestMappingRequest,
    responses(
        (status = 200, body = TestMappingResult),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn test_mapping(_app: &App, req: &Request) -> HandlerResult {
    admin(req)?;
    let body: TestMappingRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::test_mapping(body)?))
}

/// One lead-capture endpoint
///
/// Needs `integrations:manage`.
#[utoipa::path(get, path = "/api/v1/lead-capture-endpoints/{id}", tag = "lead-capture", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses(
        (status = 200, body = CaptureEndpointView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::get(app, &caller, endpoint_id(req)?).await?))
}

/// Change a lead-capture endpoint
///
/// Any of `name`, `mapping`, `on_existing_lead`, `enabled` (a disabled endpoint answers 404 to
/// deliveries). A stale `version` answers 409. Needs `integrations:manage`.
#[utoipa::path(patch, path = "/api/v1/lead-capture-endpoints/{id}", tag = "lead-capture", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    request_body = UpdateCaptureEndpointRequest,
    responses(
        (status = 200, body = CaptureEndpointView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    let id = endpoint_id(req)?;
    let body: UpdateCaptureEndpointRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::update(app, &caller, id, body).await?))
}

/// Remove a lead-capture endpoint
///
/// Deliveries to it answer 404 from then on; its place in the plan is freed. Needs `integrations:manage`.
#[utoipa::path(delete, path = "/api/v1/lead-capture-endpoints/{id}", tag = "lead-capture", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    lead_capture::delete(app, &caller, endpoint_id(req)?).await?;
    Ok(http::no_content())
}

/// Rotate an endpoint's secret
///
/// A new secret, shown once; the previous one stops working at once (paste the new one into Typeform
/// or the Zap). Needs `integrations:manage`.
#[utoipa::path(post, path = "/api/v1/lead-capture-endpoints/{id}/rotate-secret", tag = "lead-capture", security(("bearer" = [])),
    params(("id" = String, Path, description = "Endpoint id")),
    responses(
        (status = 200, body = CaptureEndpointWithSecretView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rotate_secret(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::rotate_secret(app, &caller, endpoint_id(req)?).await?))
}

/// An endpoint's delivery log
///
/// Newest first: every delivery with its outcome (`created`, `updated`, `noted`, `replayed`,
/// `unauthorized`, `invalid`, `limit_reached`), the lead it made or touched, and the raw payload (cut
/// at 8 KiB). Kept 30 days. Needs `integrations:manage`.
#[utoipa::path(get, path = "/api/v1/lead-capture-endpoints/{id}/deliveries", tag = "lead-capture", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Endpoint id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = CaptureDeliveryList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn deliveries(app: &App, req: &Request) -> HandlerResult {
    let caller = admin(req)?;
    let id = endpoint_id(req)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &lead_capture::deliveries(app, &caller, id, page).await?))
}

/// Deliver a lead (public)
///
/// Where Typeform, Zapier and other senders post. Typeform signs with `Typeform-Signature:
/// sha256=<base64 HMAC-SHA256 of the raw body>` under the endpoint's secret; other senders send the
/// secret as `X-Capture-Secret` (Zapier may instead send an API key with `sales:write` as `Authorization:
/// Bearer`). A delivery id (Typeform's `event_id`, else `X-Delivery-Id`, else the body's hash) seen
/// before makes nothing new (200 `replayed`). 201 when a lead was made, 200 when the lead with the
/// e-mail was updated or noted. A bad signature is 401 and logged; bodies over 64 KiB are 413.
#[utoipa::path(post, path = "/api/v1/inbound/leads/{id}", tag = "lead-capture",
    params(
        ("id" = String, Path, description = "Endpoint id"),
        ("Typeform-Signature" = Option<String>, Header, description = "Typeform endpoints: sha256=<base64 HMAC>"),
        ("X-Capture-Secret" = Option<String>, Header, description = "Zapier and JSON endpoints: the endpoint's secret"),
        ("X-Delivery-Id" = Option<String>, Header, description = "The sender's id of this delivery, for replays"),
    ),
    request_body(content = Object, description = "The sender's payload, as JSON"),
    responses(
        (status = 201, description = "A lead was made", body = CaptureResult),
        (status = 200, description = "The lead with this e-mail was updated or noted, or the delivery was a replay", body = CaptureResult),
        (status = 401, body = ProblemBody, content_type = "application/problem+json"),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn receive(app: &App, req: &Request) -> HandlerResult {
    let id: CaptureEndpointId = http::path_id(req, "id", "The lead-capture endpoint")?;
    let body: &[u8] = match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    let header = |name: &str| req.headers().get(name).and_then(|value| value.to_str().ok());
    let inbound = Inbound {
        signature: header(TYPEFORM_SIGNATURE),
        secret: header(SECRET_HEADER),
        authorization: header("authorization"),
        delivery_id: header(DELIVERY_ID_HEADER),
        body,
    };
    match lead_capture::receive(app, id, inbound).await {
        Ok(result) => {
            let status = if result.outcome == shared::storage::lead_capture::DeliveryOutcome::Created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok(http::json(status, &result))
        }
        Err(refusal) => Err(refused(refusal)),
    }
}

fn refused(refusal: Refusal) -> Problem {
    match refusal {
        Refusal::UnknownEndpoint => Problem::not_found("The lead-capture endpoint"),
        Refusal::TooLarge { bytes } => Problem::new(
            ProblemType::PayloadTooLarge,
            format!("The body has {bytes} bytes; a lead delivery may have at most {MAX_PAYLOAD_BYTES}."),
        ),
        Refusal::Unauthorized(reason) => Problem::unauthenticated(reason),
        Refusal::Invalid(errors) => ServiceError::Validation(errors).into(),
        Refusal::Limit(exceeded) => ServiceError::PlanLimit(exceeded).into(),
        Refusal::Service(err) => err.into(),
    }
}

/// Subscribe a REST hook (Zapier)
///
/// Zapier's subscribe call: lead events (`lead.created` by default, any `lead.*`) are POSTed to
/// `target_url` as signed webhooks with retries, like any webhook endpoint (and counted as one by the
/// plan). Each delivery's `id` is the event's, which Zapier dedupes on. Needs `sales:read` (an API key
/// with that scope).
#[utoipa::path(post, path = "/api/v1/zapier/hooks", tag = "lead-capture", security(("bearer" = [])),
    request_body = RestHookSubscribeRequest,
    responses(
        (status = 201, body = RestHookView),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn subscribe(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let body: RestHookSubscribeRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &lead_capture::subscribe(app, &caller, body).await?))
}

/// Unsubscribe a REST hook (Zapier)
///
/// Zapier's unsubscribe call, with the id subscribe answered: no more events go to its target. Only
/// REST-hook subscriptions are removed this way (other webhooks answer 404). Needs `sales:read`.
#[utoipa::path(delete, path = "/api/v1/zapier/hooks/{id}", tag = "lead-capture", security(("bearer" = [])),
    params(("id" = String, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Unsubscribed"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn unsubscribe(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: WebhookId = http::path_id(req, "id", "The REST hook subscription")?;
    lead_capture::unsubscribe(app, &caller, id).await?;
    Ok(http::no_content())
}
