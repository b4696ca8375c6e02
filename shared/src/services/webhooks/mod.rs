//! Outbound webhooks: admins register endpoints (and Slack connections); committed events become
//! signed deliveries through a queue with retries over days, a dead-letter queue and a delivery log.
//!
//! - [`fanout`]: the outbox consumer that makes one delivery per (event, endpoint) and queues it;
//! - [`delivery`]: the delivery function (attempts, retries, circuit breaker) and the DLQ consumer;
//! - [`sender`]: the HTTP POST with SSRF rules; [`payload`]: what a delivery carries.

pub mod delivery;
pub mod fanout;
pub mod payload;
pub mod sender;
pub mod target;

use jiff::Timestamp;

use super::{ServiceError, ServiceResult};
use crate::api::integrations::{
    CreateWebhookRequest, DeliveryPageView, DeliveryView, ReplayFailedRequest, ReplayView, RotateSecretRequest,
    UpdateWebhookRequest, WebhookListView, WebhookView, WebhookWithSecretView,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::ids::{DeliveryId, WebhookId};
use crate::domain::plan::{LimitExceeded, LimitKind};
use crate::domain::text::{TextKind, check_controls};
use crate::domain::webhooks::{SigningSecret, parse_event_types, parse_url, redacted_url};
use crate::domain::{FieldError, Gather, field, optional_field};
use crate::storage::webhooks::{
    EndpointKind, EndpointStatus, EndpointTarget, StoredSecret, WebhookEndpoint, WebhookWriteError,
};
use crate::storage::{TenantScope, events::Event};
use payload::SlackEventType;

const WHAT: &str = "The webhook endpoint";
pub const MAX_DESCRIPTION_CHARS: usize = 500;
pub const DEFAULT_GRACE_HOURS: u32 = 24;
pub const MAX_GRACE_HOURS: u32 = 168;
/// Where Slack's incoming webhooks live (the local stack also allows loopback receivers).
pub const SLACK_HOOKS: &str = "https://hooks.slack.com/";
/// One replay request queues at most this many deliveries (repeat it for more).
pub const MAX_REPLAY_BATCH: usize = 500;

/// An endpoint URL as stored: http(s), public (literal addresses are checked here, names when resolved),
/// and for Slack an incoming-webhook URL.
fn check_url(app: &App, kind: EndpointKind, raw: &str) -> Result<String, String> {
    let url = parse_url(raw)?;
    let allow_private = app.config.webhook_allow_private_targets;
    if let Some(refused) = sender::target_refused(&url, &app.config) {
        return Err(format!("must reach the public internet: {refused}"));
    }
    let url = url.to_string();
    if kind == EndpointKind::Slack && !allow_private && !url.starts_with(SLACK_HOOKS) {
        return Err(format!("must be a Slack incoming-webhook URL ({SLACK_HOOKS}...)"));
    }
    Ok(url)
}

fn check_description(raw: Option<&str>) -> Result<Option<String>, String> {
    match raw.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(None),
        Some(text) if text.chars().count() > MAX_DESCRIPTION_CHARS => {
            Err(format!("must be at most {MAX_DESCRIPTION_CHARS} characters"))
        }
        Some(text) => check_controls(text, TextKind::Body).map(|()| Some(text.to_owned())),
    }
}

fn event_about(kind: EventKind, caller: &MemberPrincipal, endpoint: &WebhookEndpoint, now: Timestamp) -> Event {
    Event::new(kind, Some(caller.user_id), format!("webhook/{}", endpoint.id), now)
}

fn snapshot(endpoint: &WebhookEndpoint, target: &EndpointTarget) -> serde_json::Value {
    serde_json::json!({
        "kind": endpoint.kind,
        "url": redacted_url(&target.url),
        "events": endpoint.events,
        "description": endpoint.description,
        "status": endpoint.status,
    })
}

async fn load(app: &App, scope: &TenantScope, id: WebhookId) -> ServiceResult<WebhookEndpoint> {
    app.store.get_webhook(scope, id).await?.ok_or(ServiceError::NotFound(WHAT))
}

/// The endpoint with its target opened.
async fn load_open(app: &App, scope: &TenantScope, id: WebhookId) -> ServiceResult<(WebhookEndpoint, EndpointTarget)> {
    let endpoint = load(app, scope, id).await?;
    let target = target::open(app, scope, &endpoint).await?;
    Ok((endpoint, target))
}

/// Registers an endpoint (or, with `kind` Slack, a Slack incoming webhook) if the plan allows one more.
pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    kind: EndpointKind,
    request: CreateWebhookRequest,
    allowed_events: impl Fn(&[String]) -> Result<Vec<String>, String>,
) -> ServiceResult<WebhookWithSecretView> {
    create_endpoint(app, caller, kind, request, allowed_events, false).await
}

/// Registers a REST-hook subscription (Zapier): a webhook endpoint like any other, marked so that
/// [`delete_rest_hook`] may remove it. Counts against the plan's webhooks.
pub async fn create_rest_hook(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateWebhookRequest,
    allowed_events: impl Fn(&[String]) -> Result<Vec<String>, String>,
) -> ServiceResult<WebhookWithSecretView> {
    create_endpoint(app, caller, EndpointKind::Webhook, request, allowed_events, true).await
}

/// Removes a REST-hook subscription; any other webhook is not found this way.
pub async fn delete_rest_hook(app: &App, caller: &MemberPrincipal, id: WebhookId) -> ServiceResult<()> {
    let endpoint = load(app, &caller.scope(), id).await?;
    if !endpoint.rest_hook {
        return Err(ServiceError::NotFound("The REST hook subscription"));
    }
    delete(app, caller, id).await
}

async fn create_endpoint(
    app: &App,
    caller: &MemberPrincipal,
    kind: EndpointKind,
    request: CreateWebhookRequest,
    allowed_events: impl Fn(&[String]) -> Result<Vec<String>, String>,
    rest_hook: bool,
) -> ServiceResult<WebhookWithSecretView> {
    let (url, events, description) = (
        field("url", check_url(app, kind, &request.url)),
        field("events", allowed_events(&request.events)),
        field("description", check_description(request.description.as_deref())),
    )
        .gather()?;
    let scope = caller.scope();
    let (_, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let limit = plan.limits.webhooks;
    let now = app.clock.now();
    let secret = SigningSecret::generate();
    let id = WebhookId::generate();
    let target = EndpointTarget { url, secrets: vec![StoredSecret { secret: secret.expose(), expires_at: None }] };
    let endpoint = WebhookEndpoint {
        id,
        kind,
        target: target::seal(app, &scope, id, &target).await?,
        events,
        description,
        status: EndpointStatus::Active,
        consecutive_failures: 0,
        failing_since: None,
        paused_at: None,
        next_probe_at: None,
        created_at: now,
        updated_at: now,
        created_by: Some(caller.user_id),
        version: 1,
        rest_hook,
    };
    let event = event_about(EventKind::WebhookCreated, caller, &endpoint, now)
        .with_change(None, Some(snapshot(&endpoint, &target)));
    match app.store.create_webhook(&scope, &endpoint, limit, &event).await {
        Ok(()) => Ok(WebhookWithSecretView { webhook: WebhookView::of(&endpoint, &target), secret: secret.expose() }),
        Err(WebhookWriteError::LimitReached { used }) => Err(ServiceError::PlanLimit(LimitExceeded {
            kind: LimitKind::Webhooks,
            limit: limit.unwrap_or(u64::MAX),
            used,
            plan: plan.id.clone(),
        })),
        Err(WebhookWriteError::VersionConflict) => Err(ServiceError::Conflict("The endpoint exists already.".into())),
        Err(WebhookWriteError::Store(err)) => Err(err.into()),
    }
}

/// The event types a Standard Webhooks endpoint may subscribe to, by their wire names.
pub fn webhook_events(raw: &[String]) -> Result<Vec<String>, String> {
    Ok(parse_event_types(raw)?.into_iter().map(|kind| kind.as_str().to_owned()).collect())
}

/// The event types a Slack connection may subscribe to, by their names.
pub fn slack_events(raw: &[String]) -> Result<Vec<String>, String> {
    if raw.is_empty() {
        return Err("must name at least one event type".to_owned());
    }
    let mut events = Vec::new();
    for name in raw {
        let name = name.trim();
        let Some(kind) = SlackEventType::parse(name) else {
            let known: Vec<&str> = SlackEventType::ALL.iter().map(|kind| kind.as_str()).collect();
            return Err(format!("{name:?} is not a Slack event type; use one of {}", known.join(", ")));
        };
        if !events.contains(&kind) {
            events.push(kind);
        }
    }
    Ok(events.into_iter().map(|kind| kind.as_str().to_owned()).collect())
}

pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<WebhookListView> {
    let scope = caller.scope();
    let mut endpoints = app.store.list_webhooks(&scope).await?;
    endpoints.sort_by_key(|endpoint| endpoint.id);
    let targets =
        futures::future::try_join_all(endpoints.iter().map(|endpoint| target::open(app, &scope, endpoint))).await?;
    Ok(WebhookListView {
        items: endpoints.iter().zip(&targets).map(|(endpoint, target)| WebhookView::of(endpoint, target)).collect(),
    })
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: WebhookId) -> ServiceResult<WebhookView> {
    let (endpoint, target) = load_open(app, &caller.scope(), id).await?;
    Ok(WebhookView::of(&endpoint, &target))
}

/// Changes URL, events, description or status. `status: active` re-enables a paused endpoint (clearing
/// its breaker) or a disabled one; `disabled` stops new deliveries.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: WebhookId,
    request: UpdateWebhookRequest,
) -> ServiceResult<WebhookView> {
    let scope = caller.scope();
    let (before, before_target) = load_open(app, &scope, id).await?;
    if request.version.is_some_and(|version| version != before.version) {
        return Err(ServiceError::VersionConflict {
            what: WHAT,
            current: serde_json::to_value(WebhookView::of(&before, &before_target)).ok(),
        });
    }
    let (url, events, description, status) = (
        optional_field("url", request.url.as_deref(), |url| check_url(app, before.kind, url)),
        optional_field("events", request.events.as_deref(), |events| match before.kind {
            EndpointKind::Webhook => webhook_events(events),
            EndpointKind::Slack => slack_events(events),
        }),
        optional_field("description", request.description.as_deref(), |text| check_description(Some(text))),
        optional_field("status", request.status.as_deref(), |status| match status {
            "active" => Ok(EndpointStatus::Active),
            "disabled" => Ok(EndpointStatus::Disabled),
            _ => Err("must be active or disabled (paused is set by failures only)".to_owned()),
        }),
    )
        .gather()?;
    let now = app.clock.now();
    let mut after = before.clone();
    let mut after_target = before_target.clone();
    if let Some(url) = url {
        after_target.url = url;
    }
    if let Some(events) = events {
        after.events = events;
    }
    after.description = description.unwrap_or_else(|| before.description.clone());
    let reset_health = status == Some(EndpointStatus::Active) && before.status != EndpointStatus::Active;
    if let Some(status) = status {
        after.status = status;
    }
    if reset_health {
        after.consecutive_failures = 0;
        after.failing_since = None;
        after.paused_at = None;
        after.next_probe_at = None;
    }
    // The snapshot shows the URL's origin only, so a new path or query (a rotated Slack URL) is compared
    // on the URL itself.
    if snapshot(&after, &after_target) == snapshot(&before, &before_target) && after_target.url == before_target.url {
        return Ok(WebhookView::of(&before, &before_target));
    }
    after.updated_at = now;
    after.version = before.version + 1;
    // Sealed afresh: a new data key per version, and an endpoint kept in the clear is sealed now.
    after.target = target::seal(app, &scope, id, &after_target).await?;
    let event = event_about(EventKind::WebhookUpdated, caller, &after, now)
        .with_change(Some(snapshot(&before, &before_target)), Some(snapshot(&after, &after_target)));
    match app.store.update_webhook(&scope, before.version, &after, reset_health, &event).await {
        Ok(()) => Ok(WebhookView::of(&after, &after_target)),
        Err(WebhookWriteError::VersionConflict) => Err(ServiceError::VersionConflict { what: WHAT, current: None }),
        Err(WebhookWriteError::LimitReached { .. }) => Err(ServiceError::Conflict("unexpected limit".into())),
        Err(WebhookWriteError::Store(err)) => Err(err.into()),
    }
}

pub async fn delete(app: &App, caller: &MemberPrincipal, id: WebhookId) -> ServiceResult<()> {
    let scope = caller.scope();
    let (before, before_target) = load_open(app, &scope, id).await?;
    let now = app.clock.now();
    let event = event_about(EventKind::WebhookDeleted, caller, &before, now)
        .with_change(Some(snapshot(&before, &before_target)), None);
    match app.store.delete_webhook(&scope, id, before.version, &event).await {
        Ok(()) => Ok(()),
        Err(WebhookWriteError::VersionConflict) => Err(ServiceError::VersionConflict { what: WHAT, current: None }),
        Err(WebhookWriteError::LimitReached { .. }) => Err(ServiceError::Conflict("unexpected limit".into())),
        Err(WebhookWriteError::Store(err)) => Err(err.into()),
    }
}

/// A new signing secret (shown once); the previous one stays valid for the grace period, so receivers
/// can switch without losing a delivery (both sign meanwhile).
pub async fn rotate_secret(
    app: &App,
    caller: &MemberPrincipal,
    id: WebhookId,
    request: RotateSecretRequest,
) -> ServiceResult<WebhookWithSecretView> {
    let grace_hours = request.grace_period_hours.unwrap_or(DEFAULT_GRACE_HOURS);
    if grace_hours > MAX_GRACE_HOURS {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "grace_period_hours",
            format!("must be at most {MAX_GRACE_HOURS}"),
        )]));
    }
    let scope = caller.scope();
    let (before, before_target) = load_open(app, &scope, id).await?;
    if before.kind == EndpointKind::Slack {
        return Err(ServiceError::Conflict("Slack connections are not signed; there is no secret to rotate.".into()));
    }
    let now = app.clock.now();
    let grace_end = now
        .checked_add(jiff::SignedDuration::from_hours(i64::from(grace_hours)))
        .map_err(|_| ServiceError::Validation(vec![FieldError::new("grace_period_hours", "is too large")]))?;
    let secret = SigningSecret::generate();
    let mut after = before.clone();
    let mut after_target = before_target.clone();
    // The current secret (and only it) enters its grace period; older ones are dropped.
    let previous = before_target.secrets.first().map(|current| StoredSecret {
        secret: current.secret.clone(),
        expires_at: Some(current.expires_at.map_or(grace_end, |expires| expires.min(grace_end))),
    });
    after_target.secrets = std::iter::once(StoredSecret { secret: secret.expose(), expires_at: None })
        .chain(previous.filter(|_| grace_hours > 0))
        .collect();
    after.updated_at = now;
    after.version = before.version + 1;
    after.target = target::seal(app, &scope, id, &after_target).await?;
    let event = event_about(EventKind::WebhookSecretRotated, caller, &after, now)
        .with_change(None, Some(serde_json::json!({"previous_secret_expires_at": grace_end})));
    match app.store.update_webhook(&scope, before.version, &after, false, &event).await {
        Ok(()) => {
            Ok(WebhookWithSecretView { webhook: WebhookView::of(&after, &after_target), secret: secret.expose() })
        }
        Err(WebhookWriteError::VersionConflict) => Err(ServiceError::VersionConflict { what: WHAT, current: None }),
        Err(WebhookWriteError::LimitReached { .. }) => Err(ServiceError::Conflict("unexpected limit".into())),
        Err(WebhookWriteError::Store(err)) => Err(err.into()),
    }
}

pub async fn deliveries(
    app: &App,
    caller: &MemberPrincipal,
    id: WebhookId,
    limit: i32,
    cursor: Option<&str>,
) -> ServiceResult<DeliveryPageView> {
    let scope = caller.scope();
    load(app, &scope, id).await?;
    let page = app.store.list_deliveries(&scope, id, limit, cursor).await?;
    Ok(DeliveryPageView { items: page.items.iter().map(DeliveryView::from).collect(), next_cursor: page.next_cursor })
}

/// Queues one delivery again (same `webhook-id`, a fresh series of attempts).
pub async fn replay_one(
    app: &App,
    caller: &MemberPrincipal,
    id: WebhookId,
    delivery: DeliveryId,
) -> ServiceResult<DeliveryView> {
    let scope = caller.scope();
    let endpoint = load(app, &scope, id).await?;
    if endpoint.status == EndpointStatus::Disabled {
        return Err(ServiceError::Conflict("The endpoint is disabled: enable it before replaying.".into()));
    }
    let found = app.store.get_delivery(&scope, id, delivery).await?.ok_or(ServiceError::NotFound("The delivery"))?;
    replay(app, &scope, id, found.id).await?;
    let after = app.store.get_delivery(&scope, id, delivery).await?.ok_or(ServiceError::NotFound("The delivery"))?;
    Ok((&after).into())
}

async fn replay(app: &App, scope: &TenantScope, endpoint: WebhookId, delivery: DeliveryId) -> ServiceResult<()> {
    let started = app.store.start_replay(scope, endpoint, delivery, app.clock.now()).await?;
    if started.is_none() {
        return Err(ServiceError::Conflict(format!(
            "The delivery is still in progress, or was replayed {} times already.",
            crate::storage::webhooks::MAX_REPLAYS
        )));
    }
    Ok(fanout::enqueue(app, scope, endpoint, delivery).await?)
}

/// Queues again every failed delivery of the endpoint made since a time (up to [`MAX_REPLAY_BATCH`]).
pub async fn replay_failed(
    app: &App,
    caller: &MemberPrincipal,
    id: WebhookId,
    request: ReplayFailedRequest,
) -> ServiceResult<ReplayView> {
    let since: Timestamp = request.since.trim().parse().map_err(|_| {
        ServiceError::Validation(vec![FieldError::new("since", "must be an RFC 3339 time, e.g. 2026-11-21T08:00:00Z")])
    })?;
    let scope = caller.scope();
    let endpoint = load(app, &scope, id).await?;
    if endpoint.status == EndpointStatus::Disabled {
        return Err(ServiceError::Conflict("The endpoint is disabled: enable it before replaying.".into()));
    }
    let failed = app.store.failed_deliveries_since(&scope, id, since, MAX_REPLAY_BATCH).await?;
    let mut replayed = Vec::new();
    for delivery in failed {
        match replay(app, &scope, id, delivery).await {
            Ok(()) => replayed.push(delivery),
            // Replayed by someone else meanwhile, or too often: skipped, the rest go on.
            Err(ServiceError::Conflict(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(ReplayView { replayed })
}
