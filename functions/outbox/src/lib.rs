//! The outbox consumer: DynamoDB stream batches of committed event items, handed to the consumers
//! (see `shared::services::outbox`). Partial failures are reported per record (ReportBatchItemFailures).

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use shared::{App, services::outbox};

pub async fn handle(app: &App, event: Event) -> DynamoDbEventResponse {
    outbox::consume(app, &event.records).await
}
