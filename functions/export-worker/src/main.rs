#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::serve_events(fn_export_worker::handle).await
}
