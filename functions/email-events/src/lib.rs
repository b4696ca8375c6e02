//! SES's event notifications (configuration set → SNS → the e-mail events queue): each moves a sent
//! reply's delivery state (see `shared::services::email_delivery`). A notice that cannot be applied yet
//! is reported back (ReportBatchItemFailures) and comes again after the visibility timeout.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use shared::{App, services::email_delivery};

pub async fn handle(app: &App, event: SqsEvent) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for message in &event.records {
        let notice = match email_delivery::parse_notice(message.body.as_deref().unwrap_or_default()) {
            Ok(Some(notice)) => notice,
            Ok(None) => continue,
            Err(err) => {
                // Retrying cannot make it readable.
                tracing::error!(error = %err, message_id = ?message.message_id, "dropping an unreadable SES notification");
                continue;
            }
        };
        if let Err(err) = email_delivery::apply(app, &notice).await {
            tracing::warn!(error = %err, message_id = ?message.message_id, "SES notification not applied yet; retried");
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = message.message_id.clone().unwrap_or_default();
            response.batch_item_failures.push(failure);
        }
    }
    response
}
