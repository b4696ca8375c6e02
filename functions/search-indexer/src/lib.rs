//! The search index writer: batches of the search FIFO queue, one workspace's messages in order
//! (see `switchboard_search::indexer`). A workspace whose change failed reports its messages back
//! (ReportBatchItemFailures) and they come again, still in order.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use shared::App;
use switchboard_search::indexer;

pub async fn handle(app: &App, event: SqsEvent) -> SqsBatchResponse {
    indexer::handle_batch(app, event).await
}
