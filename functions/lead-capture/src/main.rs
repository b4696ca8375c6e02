#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // Zapier REST hooks are webhook endpoints: their targets are sealed with the webhook key.
    shared::runtime::serve_http_with(fn_lead_capture::ROUTES, kms::install).await
}
