//! The delivery function and the dead-letter consumer.
//!
//! Each queue message is one attempt of one delivery. A failed attempt is logged with its answer and
//! the time of the next one, and the message is hidden for that long (ChangeMessageVisibility, following
//! [`retry_delay`]); the message is reported as failed (ReportBatchItemFailures) so the event source
//! leaves it in the queue. SQS counts receives: after [`ATTEMPTS`] the redrive policy moves the message
//! to the dead-letter queue, whose consumer marks the delivery failed. Nothing is dropped silently.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use jiff::Timestamp;

use super::fanout::DeliveryMessage;
use super::sender::{self, FailureCode, SendResult};
use crate::adapters::QueueError;
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::webhooks::{
    ATTEMPTS, PAUSE_AFTER_FAILURES, PROBE_EVERY, SigningSecret, redacted_url, retry_delay, should_pause,
    signature_header,
};
use crate::storage::webhooks::{
    Attempt, AttemptOutcome, Delivery, DeliveryStatus, EndpointKind, EndpointStatus, EndpointTarget, WebhookEndpoint,
};
use crate::storage::{StoreError, TenantScope, events::Event};

/// What became of one message.
#[derive(Debug, PartialEq, Eq)]
enum Handled {
    /// Delivered, or nothing left to do: the message is deleted.
    Done,
    /// To be attempted again (the message stays, hidden until the next attempt is due).
    Retry,
}

/// Handles a batch of delivery messages concurrently; the response names those to keep.
pub async fn handle_batch(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let results = futures::future::join_all(event.records.iter().map(|message| handle_message(app, message))).await;
    let mut response = SqsBatchResponse::default();
    for (message, result) in event.records.iter().zip(results) {
        let keep = match result {
            Ok(Handled::Done) => false,
            Ok(Handled::Retry) => true,
            Err(err) => {
                tracing::error!(error = %err, message_id = ?message.message_id, "webhook delivery could not be handled; retried");
                true
            }
        };
        if keep {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

fn parse(message: &SqsMessage) -> Result<(DeliveryMessage, TenantScope), StoreError> {
    let body = message.body.as_deref().unwrap_or_default();
    let parsed: DeliveryMessage =
        serde_json::from_str(body).map_err(|err| StoreError::Corrupt(format!("delivery message {body:?}: {err}")))?;
    let scope = TenantScope::for_system(parsed.workspace_id);
    Ok((parsed, scope))
}

/// Which attempt this receive is (SQS's receive count, 1 for the first).
fn attempt_number(message: &SqsMessage) -> u32 {
    message.attributes.get("ApproximateReceiveCount").and_then(|count| count.parse().ok()).unwrap_or(1)
}

fn scaled(app: &App, duration: std::time::Duration) -> std::time::Duration {
    duration.mul_f64(app.config.webhook_time_scale)
}

fn after(now: Timestamp, duration: std::time::Duration) -> Timestamp {
    now.checked_add(jiff::SignedDuration::try_from(duration).unwrap_or_default()).unwrap_or(now)
}

async fn handle_message(app: &App, message: &SqsMessage) -> Result<Handled, StoreError> {
    let (ids, scope) = parse(message)?;
    let (delivery, endpoint, standing) =
        app.store.delivery_with_endpoint(&scope, ids.endpoint_id, ids.delivery_id).await?;
    let Some(delivery) = delivery else {
        tracing::warn!(delivery_id = %ids.delivery_id, "a delivery message without its record; dropped");
        return Ok(Handled::Done);
    };
    if delivery.status == DeliveryStatus::Delivered {
        return Ok(Handled::Done); // a duplicate message
    }
    let now = app.clock.now();
    // A suspended workspace sends nothing: the delivery is kept, held, and queued again on reactivation
    // (services::standing), so nothing is lost and no attempt is spent.
    if standing.is_suspended() {
        app.store.finish_delivery(&scope, ids.endpoint_id, ids.delivery_id, DeliveryStatus::Held, now).await?;
        tracing::info!(delivery_id = %ids.delivery_id, "workspace suspended; delivery held");
        // Reactivated meanwhile (its release may have looked before this one was held): release it here.
        let reactivated = app.store.get_workspace(&scope).await?.is_some_and(|ws| !ws.standing.is_suspended());
        if reactivated {
            super::fanout::release_held(app, &scope, ids.endpoint_id, ids.delivery_id).await?;
        }
        return Ok(Handled::Done);
    }
    let endpoint = match endpoint {
        Some(endpoint) if endpoint.status != EndpointStatus::Disabled => endpoint,
        _ => {
            app.store.finish_delivery(&scope, ids.endpoint_id, ids.delivery_id, DeliveryStatus::Cancelled, now).await?;
            tracing::info!(delivery_id = %ids.delivery_id, "endpoint disabled or deleted; delivery cancelled");
            return Ok(Handled::Done);
        }
    };
    let attempt = attempt_number(message);
    let target = super::target::open(app, &scope, &endpoint).await?;
    let sent = match endpoint.status {
        EndpointStatus::Paused => match endpoint.next_probe_at {
            Some(due) if due <= now => {
                let next = after(now, scaled(app, PROBE_EVERY));
                if app.store.claim_probe(&scope, endpoint.id, due, next).await? {
                    Some(send(app, &endpoint, &target, &delivery, now).await)
                } else {
                    None
                }
            }
            _ => None,
        },
        _ => Some(send(app, &endpoint, &target, &delivery, now).await),
    };
    let done = now;
    match sent {
        Some(result) if result.delivered() => {
            delivered(app, &scope, &endpoint, &target, &delivery, attempt, done, &result).await?;
            Ok(Handled::Done)
        }
        outcome => {
            failed(app, &scope, &endpoint, &target, &delivery, message, attempt, done, outcome.as_ref()).await?;
            Ok(Handled::Retry)
        }
    }
}

/// One signed POST of the delivery's body.
async fn send(
    app: &App,
    endpoint: &WebhookEndpoint,
    target: &EndpointTarget,
    delivery: &Delivery,
    now: Timestamp,
) -> SendResult {
    let headers = match endpoint.kind {
        EndpointKind::Webhook => {
            let secrets: Vec<SigningSecret> =
                target.valid_secrets(now).filter_map(|stored| SigningSecret::parse(&stored.secret).ok()).collect();
            let id = delivery.id.to_string();
            let timestamp = now.as_second();
            let signature = signature_header(&secrets, &id, timestamp, delivery.payload.as_bytes());
            vec![("webhook-id", id), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signature)]
        }
        EndpointKind::Slack => Vec::new(),
    };
    sender::post(app, &target.url, &headers, &delivery.payload).await
}

#[allow(clippy::too_many_arguments)]
async fn delivered(
    app: &App,
    scope: &TenantScope,
    endpoint: &WebhookEndpoint,
    target: &EndpointTarget,
    delivery: &Delivery,
    attempt: u32,
    now: Timestamp,
    result: &SendResult,
) -> Result<(), StoreError> {
    let record = Attempt {
        attempt,
        at: now,
        outcome: AttemptOutcome::Delivered,
        status_code: result.status_code,
        latency_ms: result.latency_ms,
        response: result.response.clone(),
        error: None,
        next_retry_at: None,
    };
    app.store.record_attempt(scope, endpoint.id, delivery.id, &record, DeliveryStatus::Delivered).await?;
    tracing::info!(
        workspace_id = %scope.workspace_id(), endpoint_id = %endpoint.id, delivery_id = %delivery.id,
        attempt, status_code = result.status_code, latency_ms = result.latency_ms, "webhook delivered"
    );
    // In AWS the log line above is the metric (a metric filter); the local stack counts it here.
    crate::adapters::health::record(crate::adapters::health::Counter::WebhookDelivered);
    if endpoint.status == EndpointStatus::Paused {
        let event = Event::new(EventKind::WebhookEndpointResumed, None, format!("webhook/{}", endpoint.id), now)
            .with_change(
                Some(serde_json::json!({"status": "paused"})),
                Some(serde_json::json!({"status": "active", "url": redacted_url(&target.url)})),
            );
        let resumed = app
            .store
            .switch_endpoint_circuit(scope, endpoint.id, EndpointStatus::Paused, EndpointStatus::Active, None, &event)
            .await?;
        if resumed {
            tracing::info!(endpoint_id = %endpoint.id, "webhook endpoint answered a probe; resumed");
        }
    } else if endpoint.consecutive_failures > 0 {
        app.store.note_endpoint_success(scope, endpoint.id).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn failed(
    app: &App,
    scope: &TenantScope,
    endpoint: &WebhookEndpoint,
    target: &EndpointTarget,
    delivery: &Delivery,
    message: &SqsMessage,
    attempt: u32,
    now: Timestamp,
    result: Option<&SendResult>,
) -> Result<(), StoreError> {
    let wait = retry_delay(attempt, rand::random::<f64>()).map(|delay| scaled(app, delay));
    let next_retry_at = wait.map(|wait| after(now, wait));
    let record = match result {
        Some(result) => Attempt {
            attempt,
            at: now,
            outcome: AttemptOutcome::Failed,
            status_code: result.status_code,
            latency_ms: result.latency_ms,
            response: result.response.clone(),
            error: result.error.map(|code| code.as_str().to_owned()),
            next_retry_at,
        },
        None => Attempt {
            attempt,
            at: now,
            outcome: AttemptOutcome::Skipped,
            status_code: None,
            latency_ms: 0,
            response: None,
            error: Some(FailureCode::EndpointPaused.as_str().to_owned()),
            next_retry_at,
        },
    };
    app.store.record_attempt(scope, endpoint.id, delivery.id, &record, DeliveryStatus::Pending).await?;
    tracing::warn!(
        workspace_id = %scope.workspace_id(), endpoint_id = %endpoint.id, delivery_id = %delivery.id, attempt,
        attempts = ATTEMPTS, status_code = record.status_code, latency_ms = record.latency_ms, error = ?record.error,
        next_retry_at = ?next_retry_at, "webhook attempt failed"
    );
    crate::adapters::health::record(crate::adapters::health::Counter::WebhookAttemptFailed);
    if result.is_some() {
        trip_breaker(app, scope, endpoint, target, now).await?;
    }
    // Hidden until the next attempt is due; after the last one it shows again at once, and the next
    // receive moves it to the dead-letter queue.
    if let Some(receipt) = message.receipt_handle.as_deref() {
        match app.webhook_queue.redeliver_after(receipt, wait.unwrap_or_default()).await {
            Ok(()) | Err(QueueError::NotConfigured { .. }) => {}
            // The message still comes back after the queue's own visibility timeout.
            Err(err) => tracing::warn!(error = %err, "could not schedule the next attempt"),
        }
    }
    Ok(())
}

/// Counts a failure against the endpoint and pauses it when the breaker's rule says so.
async fn trip_breaker(
    app: &App,
    scope: &TenantScope,
    endpoint: &WebhookEndpoint,
    target: &EndpointTarget,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(after_failure) = app.store.note_endpoint_failure(scope, endpoint.id, now).await? else { return Ok(()) };
    let failing_since = after_failure.failing_since.unwrap_or(now);
    if after_failure.status != EndpointStatus::Active
        || !should_pause(after_failure.consecutive_failures, failing_since, now, app.config.webhook_time_scale)
    {
        return Ok(());
    }
    pause(app, scope, &after_failure, target, failing_since, now).await
}

/// Opens the breaker of an active endpoint: paused, with its event (admins see it in the activity log
/// and endpoints subscribed to `webhook.endpoint_paused` are told).
async fn pause(
    app: &App,
    scope: &TenantScope,
    endpoint: &WebhookEndpoint,
    target: &EndpointTarget,
    failing_since: Timestamp,
    now: Timestamp,
) -> Result<(), StoreError> {
    let next_probe = after(now, scaled(app, PROBE_EVERY));
    let event = Event::new(EventKind::WebhookEndpointPaused, None, format!("webhook/{}", endpoint.id), now)
        .with_change(
            Some(serde_json::json!({"status": "active"})),
            Some(serde_json::json!({
                "status": "paused",
                "url": redacted_url(&target.url),
                "consecutive_failures": endpoint.consecutive_failures,
                "failing_since": failing_since,
                "next_probe_at": next_probe,
            })),
        );
    let paused = app
        .store
        .switch_endpoint_circuit(
            scope,
            endpoint.id,
            EndpointStatus::Active,
            EndpointStatus::Paused,
            Some(next_probe),
            &event,
        )
        .await?;
    if paused {
        tracing::error!(
            workspace_id = %scope.workspace_id(), endpoint_id = %endpoint.id,
            consecutive_failures = endpoint.consecutive_failures, "webhook endpoint paused"
        );
    }
    Ok(())
}

/// The dead-letter consumer: a message here ran out of attempts. The delivery is marked failed (replayable
/// from the delivery log), logged and counted.
pub async fn handle_dead_letters(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        if let Err(err) = dead_letter(app, message).await {
            tracing::error!(error = %err, message_id = ?message.message_id, "dead-lettered delivery not recorded; retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

async fn dead_letter(app: &App, message: &SqsMessage) -> Result<(), StoreError> {
    let (ids, scope) = parse(message)?;
    let now = app.clock.now();
    // A delivery that ran out of attempts while its endpoint kept failing: the breaker opens whatever the
    // elapsed time (the attempts spanned days).
    if let Some(endpoint) = app.store.get_webhook(&scope, ids.endpoint_id).await?
        && endpoint.status == EndpointStatus::Active
        && endpoint.consecutive_failures >= PAUSE_AFTER_FAILURES
    {
        let target = super::target::open(app, &scope, &endpoint).await?;
        pause(app, &scope, &endpoint, &target, endpoint.failing_since.unwrap_or(now), now).await?;
    }
    let marked =
        app.store.finish_delivery(&scope, ids.endpoint_id, ids.delivery_id, DeliveryStatus::Failed, now).await?;
    // The metric filter in template.yaml counts this line.
    tracing::error!(
        workspace_id = %ids.workspace_id, endpoint_id = %ids.endpoint_id, delivery_id = %ids.delivery_id,
        recorded = marked, "webhook delivery dead-lettered"
    );
    Ok(())
}
