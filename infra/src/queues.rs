//! Plays Lambda's SQS event source: polls a queue declared in template.yaml and hands batches to the
//! function, as Lambda does: messages the function handled are deleted; with ReportBatchItemFailures
//! only the failed ones stay (hidden until their visibility timeout, which the function may change),
//! without it a failed batch stays whole. The queue's redrive policy (in the local AWS stand-in) moves a
//! message received too often to its dead-letter queue. Several batches are in flight at once, as
//! Lambda runs several pollers and function instances.

use std::{sync::Arc, time::Duration};

use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use serde_json::{Value, json};
use shared::App;

use crate::registry::QueueHandler;

/// An idle queue is polled less and less often, up to this (the stand-in serves one request at a time).
const IDLE_POLL_MIN: Duration = Duration::from_millis(25);
const IDLE_POLL_MAX: Duration = Duration::from_millis(400);
/// Batches handled at once per event source.
const CONCURRENT_BATCHES: usize = 4;

pub struct QueueConsumer {
    pub name: String,
    pub handler: QueueHandler,
    pub queue_url: String,
    pub queue_arn: String,
    pub batch_size: i32,
    pub report_batch_item_failures: bool,
}

/// The message as Lambda delivers it.
fn lambda_record(message: &aws_sdk_sqs::types::Message, queue_arn: &str) -> Value {
    let attributes: serde_json::Map<String, Value> = message
        .attributes()
        .map(|attributes| {
            attributes.iter().map(|(name, value)| (name.as_str().to_owned(), Value::String(value.clone()))).collect()
        })
        .unwrap_or_default();
    json!({
        "messageId": message.message_id(),
        "receiptHandle": message.receipt_handle(),
        "body": message.body(),
        "md5OfBody": message.md5_of_body(),
        "attributes": attributes,
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "us-east-1",
    })
}

/// Polls the queue for `consumer` until the task is aborted.
pub fn spawn(app: &'static App, aws: &aws_config::SdkConfig, consumer: QueueConsumer) -> tokio::task::JoinHandle<()> {
    let sqs = aws_sdk_sqs::Client::new(aws);
    tokio::spawn(async move {
        let consumer = Arc::new(consumer);
        let slots = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_BATCHES));
        let mut idle = IDLE_POLL_MIN;
        loop {
            let Ok(slot) = slots.clone().acquire_owned().await else { return };
            let received = sqs
                .receive_message()
                .queue_url(&consumer.queue_url)
                .max_number_of_messages(consumer.batch_size.clamp(1, 10))
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .wait_time_seconds(0)
                .send()
                .await;
            let messages = match received {
                Ok(output) => output.messages.unwrap_or_default(),
                Err(err) => {
                    tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), queue = %consumer.name, "queue read failed");
                    Vec::new()
                }
            };
            if messages.is_empty() {
                drop(slot);
                tokio::time::sleep(idle).await;
                idle = (idle * 2).min(IDLE_POLL_MAX);
                continue;
            }
            idle = IDLE_POLL_MIN;
            let (sqs, consumer) = (sqs.clone(), consumer.clone());
            tokio::spawn(async move {
                handle_batch(app, &sqs, &consumer, messages).await;
                drop(slot);
            });
        }
    })
}

async fn handle_batch(
    app: &'static App,
    sqs: &aws_sdk_sqs::Client,
    consumer: &QueueConsumer,
    messages: Vec<aws_sdk_sqs::types::Message>,
) {
    let event = json!({"Records": messages.iter().map(|m| lambda_record(m, &consumer.queue_arn)).collect::<Vec<_>>()});
    let event = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(err) => {
            tracing::error!(error = %err, "building the SQS event");
            return;
        }
    };
    let response = (consumer.handler)(app, event).await;
    if !response.batch_item_failures.is_empty() && !consumer.report_batch_item_failures {
        return; // the whole batch comes back
    }
    let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
    let entries: Vec<DeleteMessageBatchRequestEntry> = messages
        .iter()
        .enumerate()
        .filter(|(_, message)| !failed.contains(&message.message_id().unwrap_or_default()))
        .filter_map(|(index, message)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(index.to_string())
                .receipt_handle(message.receipt_handle()?)
                .build()
                .ok()
        })
        .collect();
    if entries.is_empty() {
        return;
    }
    if let Err(err) = sqs.delete_message_batch().queue_url(&consumer.queue_url).set_entries(Some(entries)).send().await
    {
        tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), queue = %consumer.name, "deleting handled messages failed");
    }
}
