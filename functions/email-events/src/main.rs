#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(fn_email_events::handle).await
}
