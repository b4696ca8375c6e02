//! One SQS queue: what a service sends to it, and how a consumer puts off the redelivery of a message it
//! could not handle yet.

use std::time::Duration;

use serde::Serialize;
use thiserror::Error;

use crate::lazy_client::LazyClient;

#[derive(Debug, Error)]
pub enum QueueError {
    /// The process was started without the queue's URL.
    #[error("the {queue} queue is not configured")]
    NotConfigured { queue: &'static str },
    #[error("a queue message could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("SQS call failed: {0}")]
    Backend(String),
}

#[derive(Debug, Clone)]
pub struct Queue {
    client: LazyClient<aws_sdk_sqs::Client>,
    url: Option<String>,
    /// What the queue carries, for errors.
    purpose: &'static str,
}

impl Queue {
    /// The queue at `url` (None: not configured in this process), carrying `purpose` ("webhook deliveries").
    pub fn new(client: impl Into<LazyClient<aws_sdk_sqs::Client>>, url: Option<String>, purpose: &'static str) -> Self {
        Self { client: client.into(), url, purpose }
    }

    fn url(&self) -> Result<&str, QueueError> {
        self.url.as_deref().ok_or(QueueError::NotConfigured { queue: self.purpose })
    }

    /// Sends `message` as its JSON text.
    pub async fn send<T: Serialize>(&self, message: &T) -> Result<(), QueueError> {
        let body = serde_json::to_string(message)?;
        self.client.send_message().queue_url(self.url()?).message_body(body).send().await.map_err(|err| {
            QueueError::Backend(format!(
                "SendMessage to {}: {}",
                self.purpose,
                aws_sdk_sqs::error::DisplayErrorContext(err)
            ))
        })?;
        Ok(())
    }

    /// Sends `message` to a FIFO queue: messages of one `group` are delivered in order, one batch of a
    /// group at a time; a second message with the same `dedup_id` within five minutes is dropped.
    pub async fn send_ordered<T: Serialize>(&self, message: &T, group: &str, dedup_id: &str) -> Result<(), QueueError> {
        let body = serde_json::to_string(message)?;
        self.client
            .send_message()
            .queue_url(self.url()?)
            .message_body(body)
            .message_group_id(group)
            .message_deduplication_id(dedup_id)
            .send()
            .await
            .map_err(|err| {
                QueueError::Backend(format!(
                    "SendMessage to {}: {}",
                    self.purpose,
                    aws_sdk_sqs::error::DisplayErrorContext(err)
                ))
            })?;
        Ok(())
    }

    /// Keeps the received message (by its receipt handle) hidden for `wait` (to the second), so it comes
    /// back then rather than after the queue's own visibility timeout; zero shows it again at once.
    pub async fn redeliver_after(&self, receipt_handle: &str, wait: Duration) -> Result<(), QueueError> {
        let seconds = i32::try_from(wait.as_secs_f64().round() as i64).unwrap_or(i32::MAX);
        self.client
            .change_message_visibility()
            .queue_url(self.url()?)
            .receipt_handle(receipt_handle)
            .visibility_timeout(seconds)
            .send()
            .await
            .map_err(|err| {
                QueueError::Backend(format!(
                    "ChangeMessageVisibility on {}: {}",
                    self.purpose,
                    aws_sdk_sqs::error::DisplayErrorContext(err)
                ))
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_a_url_nothing_is_sent() {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new("eu-west-1"))
            .build();
        let queue = Queue::new(aws_sdk_sqs::Client::from_conf(config), None, "webhook deliveries");
        let err = queue.send(&serde_json::json!({"delivery_id": "d"})).await.unwrap_err();
        assert!(matches!(err, QueueError::NotConfigured { queue: "webhook deliveries" }), "{err}");
        let err = queue.redeliver_after("receipt", Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(err.to_string(), "the webhook deliveries queue is not configured");
    }
}
