#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve_http_with(fn_platform::ROUTES, prepare).await
}

/// Issues tokens (its signing key comes from Secrets Manager) and seals staff second-factor secrets
/// (the staff key's KMS client).
fn prepare(app: &mut shared::App) {
    secrets::install(app);
    kms::install(app);
}
