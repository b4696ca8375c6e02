//! Lambda wiring shared by every function's main.rs: logs set up and the context built once per cold
//! start, then the function's handler run on the Lambda runtime.

use std::convert::Infallible;
use std::fmt::Debug;
use std::future::Future;

use futures::future::BoxFuture;
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Serialize, de::DeserializeOwned};

use crate::App;
use crate::http::{Route, dispatch};

/// Runs an HTTP function: each request is served by its route table.
pub async fn serve_http(routes: &'static [Route]) -> Result<(), lambda_http::Error> {
    serve_http_with(routes, |_| {}).await
}

/// Runs an HTTP function whose context `prepare` completes first (the token issuers install their
/// secret store client).
pub async fn serve_http_with(routes: &'static [Route], prepare: fn(&mut App)) -> Result<(), lambda_http::Error> {
    let app = start(prepare).await?;
    lambda_http::run(lambda_http::service_fn(|request| async move {
        Ok::<_, Infallible>(dispatch(app, request, routes).await)
    }))
    .await
}

/// Runs a function that answers every event itself: the batch consumers report failed records in
/// their response, the WebSocket function answers with a status.
pub async fn serve_events<E, R, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned,
    R: Serialize,
    F: Fn(&'static App, E) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    serve_events_with(|_| {}, handler).await
}

/// [`serve_events`] with a context `prepare` completes first (the webhook delivery installs its key
/// service).
pub async fn serve_events_with<E, R, F, Fut>(prepare: fn(&mut App), handler: F) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned,
    R: Serialize,
    F: Fn(&'static App, E) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    serve(prepare, |app, event| {
        let answer = handler(app, event);
        async move { Ok::<_, Infallible>(answer.await) }
    })
    .await
}

/// Runs a function whose error fails the invocation (the authorizer's refusal, a failed scan).
pub async fn try_serve_events<E, R, Err, F, Fut>(handler: F) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned,
    R: Serialize,
    Err: Into<Diagnostic> + Debug,
    F: Fn(&'static App, E) -> Fut,
    Fut: Future<Output = Result<R, Err>> + Send + 'static,
{
    serve(|_| {}, handler).await
}

async fn serve<E, R, Err, F, Fut>(prepare: fn(&mut App), handler: F) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned,
    R: Serialize,
    Err: Into<Diagnostic> + Debug,
    F: Fn(&'static App, E) -> Fut,
    Fut: Future<Output = Result<R, Err>> + Send + 'static,
{
    let app = start(prepare).await?;
    lambda_runtime::run(lambda_runtime::service_fn(|event: LambdaEvent<E>| -> BoxFuture<'static, Result<R, Err>> {
        // Boxed: the consumers' futures nest deeply (storage and queue calls inside a batch), and the
        // runtime's future holding them whole would need a raised recursion limit in every main.rs.
        Box::pin(handler(app, event.payload))
    }))
    .await
}

/// Logs first, so a failing configuration is reported; the context lives as long as the process.
async fn start(prepare: fn(&mut App)) -> Result<&'static App, crate::config::ConfigError> {
    crate::telemetry::init();
    let mut app = App::from_env().await?;
    prepare(&mut app);
    // Which keys this process accepts and which secrets it signs with: a rotation's deploy is checked here.
    let kids = |keys: &crate::auth::tokens::PublicKeys| keys.kids().collect::<Vec<_>>().join(",");
    tracing::info!(
        member_kids = kids(&app.config.member_token_keys),
        staff_kids = kids(&app.config.staff_token_keys),
        socket_kids = kids(&app.config.socket_token_keys),
        signing_secrets = ?app.config.signing_secrets.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(),
        "token keys"
    );
    Ok(Box::leak(Box::new(app)))
}
