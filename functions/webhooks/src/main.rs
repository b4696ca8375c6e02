#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // Seals and opens endpoint targets: the webhook key's KMS client.
    shared::runtime::serve_http_with(fn_webhooks::ROUTES, kms::install).await
}
