//! Liveness: answers without touching storage, so it reports the function itself.

use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use shared::App;
use shared::api::HealthResponse;
use shared::http::{self, HandlerResult};

pub const HEALTH: &str = "/api/v1/health";

pub const ROUTES: &[(&str, &str)] = &[("GET", HEALTH)];

pub async fn handle(_app: &App, req: Request) -> Response<Body> {
    http::serve(req, async |req| match http::route(&req) {
        (Method::GET, route) if route == HEALTH => health().await,
        (method, route) => Err(http::no_route(&method, &route)),
    })
    .await
}

/// Health check
#[utoipa::path(get, path = "/api/v1/health", tag = "meta", responses((status = 200, body = HealthResponse)))]
pub async fn health() -> HandlerResult {
    Ok(http::json(
        StatusCode::OK,
        &HealthResponse { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() },
    ))
}
