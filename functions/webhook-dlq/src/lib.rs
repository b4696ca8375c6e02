//! The webhook dead-letter consumer: deliveries that ran out of attempts are marked failed in the
//! delivery log (replayable), logged and counted (see `shared::services::webhooks::delivery`).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use shared::{App, services::webhooks::delivery};

pub async fn handle(app: &App, event: SqsEvent) -> SqsBatchResponse {
    delivery::handle_dead_letters(app, event).await
}
