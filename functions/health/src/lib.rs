//! Liveness: answers without touching storage, so it reports the function itself.

use lambda_http::{Request, http::StatusCode};
use shared::App;
use shared::api::HealthResponse;
use shared::http::{self, HandlerResult};

pub const HEALTH: &str = "/api/v1/health";

pub const ROUTES: &[http::Route] = shared::routes![GET HEALTH => health];

/// Health check
#[utoipa::path(get, path = "/api/v1/health", tag = "meta", responses((status = 200, body = HealthResponse)))]
pub async fn health(_app: &App, _req: &Request) -> HandlerResult {
    Ok(http::json(
        StatusCode::OK,
        &HealthResponse { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
    ))
}
