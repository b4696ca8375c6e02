#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::try_serve_events(fn_email_inbound::handle).await
}
