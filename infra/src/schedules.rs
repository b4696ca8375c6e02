//! Plays EventBridge schedules: invokes each function that has `Type: Schedule` events in template.yaml
//! at its rate, with the event EventBridge would send. `POST /__local/schedules/{function logical id}`
//! runs one at once and answers with its result, so tests and developers need not wait for the next
//! tick (a local-only route; AWS has no such thing).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::post,
};
use serde_json::{Value, json};
use shared::App;

use crate::registry::ScheduleHandler;

#[derive(Clone)]
pub struct ScheduledFunction {
    pub logical_id: String,
    pub rule: String,
    pub every: Duration,
    pub handler: ScheduleHandler,
}

/// The event EventBridge sends for a scheduled rule.
fn scheduled_event(app: &App, rule: &str) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": app.clock.now().to_string(),
        "region": "us-east-1",
        "resources": [format!("arn:aws:events:us-east-1:000000000000:rule/{rule}")],
        "detail": {},
    })
}

async fn invoke(app: &'static App, function: &ScheduledFunction) -> Result<Value, String> {
    (function.handler)(app, scheduled_event(app, &function.rule)).await
}

/// Runs `function` every `every` (first run one period after start) until the task is aborted.
pub fn spawn(app: &'static App, function: ScheduledFunction) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + function.every, function.every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            match invoke(app, &function).await {
                Ok(result) => tracing::info!(function = %function.logical_id, %result, "scheduled run"),
                Err(err) => tracing::error!(function = %function.logical_id, error = %err, "scheduled run failed"),
            }
        }
    })
}

type Functions = Arc<BTreeMap<String, ScheduledFunction>>;

/// `POST /__local/schedules/{logical id}`: one run now; 200 with the result, 500 with the error, 404
/// for a function without a schedule.
pub fn routes(app: &'static App, functions: Vec<ScheduledFunction>) -> Router {
    let functions: Functions =
        Arc::new(functions.into_iter().map(|function| (function.logical_id.clone(), function)).collect());
    Router::new()
        .route(
            "/__local/schedules/{function}",
            post(move |State(functions): State<Functions>, Path(name): Path<String>| async move {
                let Some(function) = functions.get(&name) else {
                    let known: Vec<&String> = functions.keys().collect();
                    let detail = format!("{name} has no schedule in template.yaml; scheduled: {known:?}");
                    return (StatusCode::NOT_FOUND, Json(json!({ "detail": detail })));
                };
                match invoke(app, function).await {
                    Ok(result) => (StatusCode::OK, Json(result)),
                    Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "detail": err }))),
                }
            }),
        )
        .with_state(functions)
}
