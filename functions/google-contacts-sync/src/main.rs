#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::try_serve_events(fn_google_contacts_sync::handle).await
}
