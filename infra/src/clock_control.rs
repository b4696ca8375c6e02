//! Test-only clock control: `POST /__local/clock {"advance_seconds": N}` moves the local stack's clock
//! forward (never back); `GET /__local/clock` shows it. Served only when the stack is started with
//! `clock_control` (the black-box tests that need time to pass); AWS never runs this code.

use std::sync::Arc;

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde::Deserialize;
use serde_json::{Value, json};
use shared::clock::{AdjustableClock, Clock};

#[derive(Deserialize)]
struct Advance {
    advance_seconds: i64,
}

fn state(clock: &AdjustableClock) -> Value {
    json!({"now": clock.now().to_string(), "offset_seconds": clock.offset().as_secs()})
}

pub fn routes(clock: Arc<AdjustableClock>) -> Router {
    Router::new()
        .route(
            "/__local/clock",
            get(|State(clock): State<Arc<AdjustableClock>>| async move { Json(state(&clock)) }).post(
                |State(clock): State<Arc<AdjustableClock>>, Json(body): Json<Advance>| async move {
                    if body.advance_seconds <= 0 {
                        let problem =
                            json!({"detail": "advance_seconds must be positive: the clock only moves forward"});
                        return (StatusCode::UNPROCESSABLE_ENTITY, Json(problem));
                    }
                    clock.advance(jiff::SignedDuration::from_secs(body.advance_seconds));
                    (StatusCode::OK, Json(state(&clock)))
                },
            ),
        )
        .with_state(clock)
}
