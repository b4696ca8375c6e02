#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Opens each endpoint's sealed URL and signing secrets: the webhook key's KMS client.
    shared::runtime::serve_events_with(kms::install, fn_webhook_delivery::handle).await
}
