#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // Issues tokens: its signing key comes from Secrets Manager.
    shared::runtime::serve_http_with(fn_platform::ROUTES, secrets::install).await
}
