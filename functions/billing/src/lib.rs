//! Billing for a workspace's owner: usage against the plan, the subscription and invoices, the Stripe
//! Checkout and Billing Portal sessions; and Stripe's webhook, which verifies and queues events for the
//! event worker (`events`, the `billing-events` binary). Only this function links the Stripe client.

pub mod events;
pub mod signature;
pub mod stripe_api;

use lambda_http::{Body, Request, http::StatusCode};
use shared::api::{BillingUsageView, BillingView, CheckoutRequest, StripeSessionView};
use shared::config::StripeConfig;
use shared::http::{self, HandlerResult, Problem, ProblemBody, ProblemType};
use shared::services::billing;
use shared::{App, services::plans};

pub const USAGE: &str = "/api/v1/billing/usage";
pub const BILLING: &str = "/api/v1/billing";
pub const CHECKOUT: &str = "/api/v1/billing/checkout";
pub const PORTAL: &str = "/api/v1/billing/portal";
pub const STRIPE_WEBHOOK: &str = "/api/v1/stripe/webhook";

/// The largest event body taken in (Stripe's events are a few KiB; an invoice with many lines more).
pub const MAX_EVENT_BYTES: usize = 256 * 1024;

pub const ROUTES: &[http::Route] = shared::routes![
    GET USAGE => usage,
    GET BILLING => overview,
    POST CHECKOUT => checkout,
    POST PORTAL => portal,
    POST STRIPE_WEBHOOK => stripe_webhook,
];

/// Usage against the plan
///
/// The workspace's plan and, for each limit, what is used against what the plan allows: seats, tickets
/// this month (UTC), storage bytes, webhooks, and API requests per minute (throttled by the gateway, so
/// `used` is null). `over_limit` marks usage above a limit after a move to a smaller plan: nothing was
/// removed, new use is refused until usage is under the limit. Needs `billing:manage`.
#[utoipa::path(get, path = "/api/v1/billing/usage", tag = "billing", security(("bearer" = [])),
    responses(
        (status = 200, body = BillingUsageView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn usage(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, plans::USAGE)?;
    Ok(http::json(StatusCode::OK, &plans::usage(app, &caller).await?))
}

/// The subscription and invoices
///
/// The plan, the workspace's standing (past due: the grace deadline), the Stripe subscription's status
/// and current period, the next invoice's date, and the invoices newest first (number, amounts,
/// currency, status, Stripe's hosted page and PDF). Read from what Stripe's events wrote: no call to
/// Stripe. Needs `billing:manage` (owners).
#[utoipa::path(get, path = "/api/v1/billing", tag = "billing", security(("bearer" = [])),
    responses(
        (status = 200, body = BillingView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn overview(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, plans::USAGE)?;
    let view: BillingView = billing::view(app, &caller).await?;
    Ok(http::json(StatusCode::OK, &view))
}

fn stripe_config(app: &App) -> Result<&StripeConfig, Problem> {
    app.config
        .stripe
        .as_ref()
        .ok_or_else(|| Problem::new(ProblemType::UpstreamUnavailable, "Billing through Stripe is not configured here."))
}

fn stripe_failed(err: stripe_api::StripeCallError) -> Problem {
    tracing::error!(error = %err, "a Stripe call failed");
    Problem::new(
        ProblemType::UpstreamUnavailable,
        "Stripe did not answer as expected; nothing was changed. Try again shortly.",
    )
}

/// Subscribe through Stripe Checkout
///
/// Opens a Stripe Checkout session for `plan` (an available catalog plan with a Stripe price) and
/// answers the URL of Stripe's hosted page to send the owner to. The session names the workspace
/// (`client_reference_id` and the subscription's metadata); the plan applies once Stripe reports the
/// completed Checkout through the webhook. A workspace whose subscription still stands changes plan in
/// the billing portal instead (409). Needs `billing:manage` (owners).
#[utoipa::path(post, path = "/api/v1/billing/checkout", tag = "billing", security(("bearer" = [])),
    request_body = CheckoutRequest,
    responses(
        (status = 201, body = StripeSessionView),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn checkout(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, plans::USAGE)?;
    let request: CheckoutRequest = http::json_body(req)?;
    let config = stripe_config(app)?;
    let plan = billing::checkout_plan(app, &caller, &request).await?;
    let session = stripe_api::create_checkout(
        config,
        stripe_api::CheckoutFor {
            workspace_id: caller.workspace_id(),
            plan: &plan.plan,
            price_id: &plan.price_id,
            customer_id: plan.customer_id.as_deref(),
        },
    )
    .await
    .map_err(stripe_failed)?;
    Ok(http::json(StatusCode::CREATED, &StripeSessionView { id: session.id, url: session.url }))
}

/// Manage billing in the Stripe Billing Portal
///
/// Opens a Billing Portal session for the workspace's Stripe customer (payment methods, plan changes,
/// cancellation, invoices) and answers its URL; Stripe's events bring the changes back. 409 before the
/// workspace ever subscribed. Needs `billing:manage` (owners).
#[utoipa::path(post, path = "/api/v1/billing/portal", tag = "billing", security(("bearer" = [])),
    responses(
        (status = 201, body = StripeSessionView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn portal(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, plans::USAGE)?;
    let config = stripe_config(app)?;
    let customer = billing::portal_customer(app, &caller).await?;
    let session = stripe_api::create_portal(config, &customer).await.map_err(stripe_failed)?;
    Ok(http::json(StatusCode::CREATED, &StripeSessionView { id: session.id, url: session.url }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct WebhookReceipt {
    /// `queued` (applied within seconds), `duplicate` (taken in before: nothing more happens) or
    /// `ignored` (a type billing does not act on).
    pub status: &'static str,
}

/// Stripe's webhook (public)
///
/// Where Stripe posts events (the endpoint pinned to API version `2026-09-30.endive`). The
/// `Stripe-Signature` header is checked over the raw body under the endpoint's signing secret, with a
/// 300 s tolerance (400 otherwise, nothing changed). An event is taken in once by its id and queued;
/// the answer comes before it is applied, so Stripe never waits on us. Acted on:
/// `checkout.session.completed`, `customer.subscription.created` / `updated` / `deleted`, `invoice.paid`,
/// `invoice.payment_failed`, `invoice.finalized`; other types are acknowledged and ignored.
#[utoipa::path(post, path = "/api/v1/stripe/webhook", tag = "billing",
    params(("Stripe-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256 of t.body>")),
    request_body(content = Object, description = "A Stripe event, as Stripe sends it"),
    responses(
        (status = 200, body = WebhookReceipt),
        (status = 400, body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, body = ProblemBody, content_type = "application/problem+json"),
        (status = 503, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn stripe_webhook(app: &App, req: &Request) -> HandlerResult {
    let config = stripe_config(app)?;
    let body: &[u8] = match req.body() {
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if body.len() > MAX_EVENT_BYTES {
        return Err(Problem::new(
            ProblemType::PayloadTooLarge,
            format!("The body has {} bytes; an event may have at most {MAX_EVENT_BYTES}.", body.len()),
        ));
    }
    let header = req.headers().get("stripe-signature").and_then(|value| value.to_str().ok());
    if let Err(err) = signature::verify(header, body, &config.webhook_secret, app.clock.now().as_second()) {
        tracing::warn!(error = %err, "stripe webhook refused");
        return Err(Problem::new(
            ProblemType::MalformedRequest,
            format!("The Stripe signature was not accepted: {err}."),
        ));
    }
    let event = billing::parse_event(body)
        .map_err(|reason| Problem::new(ProblemType::MalformedRequest, format!("Not a Stripe event: {reason}.")))?;
    let receipt = |status| Ok(http::json(StatusCode::OK, &WebhookReceipt { status }));
    if !billing::HANDLED_EVENTS.contains(&event.kind.as_str()) {
        return receipt("ignored");
    }
    if !app
        .store
        .claim_stripe_event(&event.id, &event.kind, app.clock.now())
        .await
        .map_err(|err| Problem::from(shared::services::ServiceError::from(err)))?
    {
        return receipt("duplicate");
    }
    let text = String::from_utf8_lossy(body).into_owned();
    if let Err(err) = app.stripe_events.send(&events::QueuedEvent { body: text }).await {
        // Forget the id so Stripe's retry of this delivery is taken in again.
        tracing::error!(error = %err, event_id = %event.id, "a Stripe event could not be queued");
        app.store
            .release_stripe_event(&event.id)
            .await
            .map_err(|err| Problem::from(shared::services::ServiceError::from(err)))?;
        return Err(Problem::new(
            ProblemType::UpstreamUnavailable,
            "The event could not be queued; Stripe will retry it.",
        ));
    }
    tracing::info!(event_id = %event.id, kind = %event.kind, "stripe event queued");
    receipt("queued")
}
