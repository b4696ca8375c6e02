//! The outbox consumer: DynamoDB stream batches of committed event items, handed to the consumers
//! (see `shared::services::outbox`) and published to the EventBridge bus when one is configured.
//! Partial failures are reported per record (ReportBatchItemFailures).

mod bus;

use aws_lambda_events::dynamodb::Event;
use aws_lambda_events::streams::DynamoDbEventResponse;
use shared::{App, services::event_bus::EventBus, services::outbox};

pub use bus::EventBridgeBus;

pub async fn handle(app: &App, event: Event) -> DynamoDbEventResponse {
    let bus = EventBridgeBus::of(app);
    outbox::consume(app, &event.records, bus.map(|bus| bus as &dyn EventBus)).await
}
