//! The webhooks consumer of the outbox: for every committed event, one delivery per subscribed endpoint,
//! recorded in the delivery log and queued as one SQS message.
//!
//! Idempotent per (event, endpoint): the delivery id derives from both and the record is written only if
//! absent. A redelivered event finds the record; it queues the message again only if the delivery was
//! never attempted (the first run may have died between the write and the send), so nothing is lost and
//! duplicates stay within at-least-once (receivers see the same `webhook-id`).

use serde::{Deserialize, Serialize};

use super::payload::{self, SlackEventType};
use crate::adapters::QueueError;
use crate::app::App;
use crate::domain::ids::{DeliveryId, WebhookId, WorkspaceId};
use crate::services::ServiceResult;
use crate::storage::webhooks::{Delivery, DeliveryStatus, EndpointKind, EndpointStatus, WebhookEndpoint};
use crate::storage::{StoreError, TenantScope, events::Event};

/// The queue message: which delivery to attempt (the record holds the rest).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DeliveryMessage {
    pub workspace_id: WorkspaceId,
    pub endpoint_id: WebhookId,
    pub delivery_id: DeliveryId,
}

/// What `endpoint` should receive for `event`, if it subscribes to it: (event type, body).
fn delivery_for(scope: &TenantScope, endpoint: &WebhookEndpoint, event: &Event) -> Option<(String, String)> {
    if endpoint.status == EndpointStatus::Disabled || event.at < endpoint.created_at {
        return None;
    }
    match endpoint.kind {
        EndpointKind::Webhook => endpoint.subscribes_to(event.kind.as_str()).then(|| {
            let body = if endpoint.rest_hook { payload::rest_hook_body } else { payload::webhook_body };
            (event.kind.as_str().to_owned(), body(scope.workspace_id(), event))
        }),
        EndpointKind::Slack => SlackEventType::of(event)
            .filter(|slack_type| endpoint.subscribes_to(slack_type.as_str()))
            .map(|slack_type| (slack_type.as_str().to_owned(), payload::slack_body(event, slack_type))),
    }
}

/// Queues the deliveries of one committed event. Returns how many were queued.
pub async fn fan_out(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<usize> {
    // Most events (sign-ups, settings, key changes...) no endpoint can subscribe to: no read for them.
    if !event.kind.webhook_subscribable() && SlackEventType::of(event).is_none() {
        return Ok(0);
    }
    let endpoints = app.store.list_webhooks(scope).await?;
    let mut queued = 0;
    for endpoint in &endpoints {
        let Some((event_type, body)) = delivery_for(scope, endpoint, event) else { continue };
        let now = app.clock.now();
        let delivery = Delivery {
            id: DeliveryId::of(event.id, endpoint.id),
            endpoint_id: endpoint.id,
            event_id: event.id,
            event_type,
            payload: body,
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            created_at: now,
            updated_at: now,
            replays: 0,
        };
        let existing = app.store.put_delivery_if_absent(scope, &delivery, now.as_second()).await?;
        let never_attempted =
            existing.as_ref().is_none_or(|found| found.status == DeliveryStatus::Pending && found.attempts.is_empty());
        if !never_attempted {
            continue;
        }
        enqueue(app, scope, endpoint.id, delivery.id).await?;
        queued += 1;
    }
    Ok(queued)
}

/// Sends the message that makes the delivery function attempt `delivery`.
pub async fn enqueue(
    app: &App,
    scope: &TenantScope,
    endpoint: WebhookId,
    delivery: DeliveryId,
) -> Result<(), QueueError> {
    let message = DeliveryMessage { workspace_id: scope.workspace_id(), endpoint_id: endpoint, delivery_id: delivery };
    app.webhook_queue.send(&message).await
}

/// Makes a held delivery (its workspace was suspended) pending again and queues it. False when it was
/// no longer held: whoever released it queued it. A send that fails leaves it pending and is an error,
/// so the caller's work is retried and finds it there (the reactivation, or the delivery's own message).
pub async fn release_held(
    app: &App,
    scope: &TenantScope,
    endpoint: WebhookId,
    delivery: DeliveryId,
) -> Result<bool, StoreError> {
    if !app.store.release_held_delivery(scope, endpoint, delivery, app.clock.now()).await? {
        return Ok(false);
    }
    enqueue(app, scope, endpoint, delivery)
        .await
        .map_err(|err| StoreError::Backend(format!("queueing a released delivery: {err}")))?;
    Ok(true)
}
