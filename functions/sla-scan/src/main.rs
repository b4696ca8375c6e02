use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let app: &'static shared::App = Box::leak(Box::new(shared::App::from_env().await?));
    lambda_runtime::run(service_fn(|event: LambdaEvent<serde_json::Value>| async move {
        fn_sla_scan::handle(app, event.payload).await.map_err(lambda_runtime::Error::from)
    }))
    .await
}
