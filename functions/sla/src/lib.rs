//! The workspace's SLA policy (targets per priority and category, business hours, pause statuses) and
//! the SLA radar.

use lambda_http::{Request, http::StatusCode};
use shared::api::{SlaPolicyView, SlaRadarView};
use shared::domain::{rbac::Permission, sla::RawSlaPolicy};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{
    App,
    services::{sla, sla_watch},
};

pub const POLICY: &str = "/api/v1/sla/policy";
pub const RADAR: &str = "/api/v1/sla/radar";

pub const ROUTES: &[http::Route] = shared::routes![
    GET POLICY => get_policy,
    PUT POLICY => put_policy,
    GET RADAR => radar,
];

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
    params(("If-Match" = Option<String>, Header, description = "The policy's version read, e.g. `\"3\"`; a stale one is 412")),
    request_body(content = Object, description = "The policy, as described above"),
    responses(
        (status = 200, body = SlaPolicyView),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 412, description = "The policy changed since the version in If-Match; `current` holds it", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn put_policy(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let if_match = http::if_match_version(req)?;
    let raw: RawSlaPolicy = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &sla::put_policy(app, &caller, raw, if_match).await?))
}

/// The SLA radar
///
/// Unresolved tickets by urgency: `breached`, `at_risk`, and on track but due within `within_minutes`
/// (default 240), together sorted by time left (breached first, most overdue first), with counts per
/// state. Each ticket is placed by its worst running clock. Paused tickets leave the radar until they
/// run again; a breached ticket stays until it is met. Kept current by the SLA scan (every minute) and
/// after every ticket change, so it reads only the tickets on it, never all tickets. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/sla/radar", tag = "sla", security(("bearer" = [])),
    params(
        ("assignee" = Option<shared::api::schema::MemberFilter>, Query, description = "a member id, `me` or `none`"),
        ("priority" = Option<shared::domain::ticket::Priority>, Query, description = "low, normal, high or urgent"),
        ("category" = Option<String>, Query, description = "exact category name"),
        ("within_minutes" = Option<i64>, Query, minimum = 1, maximum = 10080, description = "look-ahead for on-track tickets, 1 to 10080"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 200, description = "tickets listed, 1 to 200 (default 50)"),
    ),
    responses(
        (status = 200, body = SlaRadarView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn radar(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let query = sla_watch::RadarQuery {
        assignee: http::query_param(req, "assignee"),
        priority: http::query_param(req, "priority"),
        category: http::query_param(req, "category"),
        within_minutes: http::query_param(req, "within_minutes"),
        limit: http::query_param(req, "limit"),
    };
    Ok(http::json(StatusCode::OK, &sla_watch::radar(app, &caller, query).await?))
}
