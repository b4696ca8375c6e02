//! The webhook delivery function: batches of queue messages, one attempt of one delivery each
//! (see `shared::services::webhooks::delivery`). Messages to retry are reported back
//! (ReportBatchItemFailures) and stay hidden in the queue until their next attempt is due.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use shared::{App, services::webhooks::delivery};

pub async fn handle(app: &App, event: SqsEvent) -> SqsBatchResponse {
    delivery::handle_batch(app, event).await
}
