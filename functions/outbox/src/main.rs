// The consumers' futures nest deeply (DynamoDB and SQS calls inside the stream handler).
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::telemetry::init();
    let app: &'static shared::App = Box::leak(Box::new(shared::App::from_env().await?));
    lambda_runtime::run(service_fn(|event: LambdaEvent<aws_lambda_events::dynamodb::Event>| async move {
        Ok::<_, std::convert::Infallible>(fn_outbox::handle(app, event.payload).await)
    }))
    .await
}
