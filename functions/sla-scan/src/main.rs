#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::try_serve_events(fn_sla_scan::handle).await
}
