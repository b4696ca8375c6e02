//! The floor of the cold-start benchmark: the smallest lambda_runtime function there is (echoes its event),
//! built with the same profile and runtime flavour as the real functions.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move { Ok::<_, Error>(event.payload) })).await
}
