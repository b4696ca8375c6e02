//! The export worker: one export job per queue message, written page by page into a multipart upload
//! (see `shared::services::exports`). A job that failed for a reason worth retrying (the table or the
//! bucket) is reported back (ReportBatchItemFailures) and comes again after the visibility timeout;
//! after the third receive the queue dead-letters it and [`handle_dead_letters`] marks the job failed.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use shared::App;
use shared::services::exports::{self, ExportMessage};

pub async fn handle(app: &'static App, event: SqsEvent) -> SqsBatchResponse {
    each_message(event, |message| async move { exports::run(app, &message).await.map_err(|err| err.to_string()) }).await
}

/// The dead-letter queue's consumer: a job whose every attempt failed is marked failed, and logged.
pub async fn handle_dead_letters(app: &'static App, event: SqsEvent) -> SqsBatchResponse {
    each_message(event, |message| async move {
        exports::dead_lettered(app, &message).await.map_err(|err| err.to_string())?;
        tracing::error!(export_id = %message.export_id, "export dead-lettered");
        Ok(())
    })
    .await
}

async fn each_message<F, Fut>(event: SqsEvent, handle_one: F) -> SqsBatchResponse
where
    F: Fn(ExportMessage) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let mut response = SqsBatchResponse::default();
    for record in &event.records {
        let message = match message_of(record) {
            Ok(message) => message,
            Err(err) => {
                // Retrying cannot make it readable.
                tracing::error!(error = %err, "dropping an unreadable export queue message");
                continue;
            }
        };
        if let Err(err) = handle_one(message).await {
            tracing::error!(error = %err, message_id = ?record.message_id, "export not written; retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = record.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

fn message_of(record: &SqsMessage) -> Result<ExportMessage, String> {
    serde_json::from_str(record.body.as_deref().unwrap_or_default()).map_err(|err| format!("not an export job: {err}"))
}
