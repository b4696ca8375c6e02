#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Pausing an endpoint names its host: the webhook key's KMS client opens its target.
    shared::runtime::serve_events_with(kms::install, fn_webhook_dlq::handle).await
}
