//! Lambda wiring shared by every function's main.rs.

use std::future::Future;

use lambda_http::{Body, Request, Response};

use crate::App;

/// Runs an HTTP handler on the Lambda runtime: the context is built once per cold start.
pub async fn serve_http<F, Fut>(handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static App, Request) -> Fut,
    Fut: Future<Output = Response<Body>> + Send,
{
    crate::telemetry::init();
    let app: &'static App = Box::leak(Box::new(App::from_env().await?));
    lambda_http::run(lambda_http::service_fn(|request| {
        let response = handler(app, request);
        async move { Ok::<_, std::convert::Infallible>(response.await) }
    }))
    .await
}
