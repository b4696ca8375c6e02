#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(fn_billing::events::handle).await
}
