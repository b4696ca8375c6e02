//! The workspace's SLA policy: targets per priority and category, business hours, pause statuses.

use lambda_http::{Body, Request, Response, http::Method, http::StatusCode};
use shared::api::SlaPolicyView;
use shared::domain::{rbac::Permission, sla::RawSlaPolicy};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::sla};

pub const POLICY: &str = "/api/v1/sla/policy";

pub const ROUTES: &[(&str, &str)] = &[("GET", POLICY), ("PUT", POLICY)];

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    http::serve(req, async |req| match http::route(&req) {
        (Method::GET, route) if route == POLICY => get_policy(app, &req).await,
        (Method::PUT, route) if route == POLICY => put_policy(app, &req).await,
        (method, route) => Err(http::no_route(&method, &route)),
    })
    .await
}

/// The SLA policy
///
/// Every member may read it (`tickets:read`): agents see what they are held to.
#[utoipa::path(get, path = "/api/v1/sla/policy", tag = "sla", security(("bearer" = [])),
    responses((status = 200, body = SlaPolicyView)))]
pub async fn get_policy(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    Ok(http::json(StatusCode::OK, &sla::get_policy(app, &caller).await?))
}

/// Replace the SLA policy
///
/// `{time_zone, business_hours?: {monday: [["09:00","17:00"]], ...}, holidays?: ["2026-12-25"],
/// targets: {urgent: {first_response_minutes, resolution_minutes}, ...}, overrides?: [{category,
/// subcategory?, targets}], pause_statuses?: ["pending","on_hold"], at_risk_share?: 0.75}`. Leaving out
/// `business_hours` means around the clock. Send the version read as `If-Match`; a stale one answers 409
/// with `current`. Needs `settings:manage`.
#[utoipa::path(put, path = "/api/v1/sla/policy", tag = "sla", security(("bearer" = [])),
    request_body(content = Object, description = "The policy, as described above"),
    responses(
        (status = 200, body = SlaPolicyView),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn put_policy(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let if_match = http::if_match_version(req)?;
    let raw: RawSlaPolicy = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &sla::put_policy(app, &caller, raw, if_match).await?))
}
