//! The Stripe event worker: applies the events the webhook queued (`shared::services::billing`). An
//! event that cannot be applied yet (its workspace unknown until the Checkout event lands, or the store
//! failing) is reported back and comes again after the visibility timeout; after the queue's receive
//! limit it goes to the dead-letter queue, whose alarm pages (docs/operations.md). An event that can
//! never be applied is logged and dropped.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use serde::{Deserialize, Serialize};
use shared::App;
use shared::services::billing::{self, Applied, ApplyError};

/// A queued event: the body Stripe signed, as it arrived.
#[derive(Debug, Serialize, Deserialize)]
pub struct QueuedEvent {
    pub body: String,
}

pub async fn handle(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let queued: Result<QueuedEvent, _> = serde_json::from_str(message.body.as_deref().unwrap_or_default());
        let parsed =
            queued.map_err(|err| err.to_string()).and_then(|queued| billing::parse_event(queued.body.as_bytes()));
        let stripe_event = match parsed {
            Ok(stripe_event) => stripe_event,
            Err(err) => {
                tracing::error!(error = %err, message_id = ?message.message_id, "dropping an unreadable queued Stripe event");
                continue;
            }
        };
        match billing::apply(app, &stripe_event).await {
            Ok(applied) => {
                let outcome = match applied {
                    Applied::Applied => "applied",
                    Applied::Stale => "stale",
                    Applied::Ignored => "ignored",
                };
                tracing::info!(event_id = %stripe_event.id, kind = %stripe_event.kind, outcome, "stripe event handled");
            }
            Err(ApplyError::Unusable(reason)) => {
                tracing::error!(event_id = %stripe_event.id, kind = %stripe_event.kind, %reason, "stripe event dropped");
            }
            Err(ApplyError::NotYet(reason)) => {
                tracing::warn!(event_id = %stripe_event.id, kind = %stripe_event.kind, %reason, "stripe event retried");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message.message_id.clone().unwrap_or_default();
                response.batch_item_failures.push(failure);
            }
        }
    }
    response
}
