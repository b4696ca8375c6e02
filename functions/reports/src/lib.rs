//! Support reports, read from counters the outbox consumer keeps.

use lambda_http::{Request, http::StatusCode};
use shared::api::{DailyTicketReport, SlaComplianceReport};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::reports};

pub const DAILY_TICKETS: &str = "/api/v1/reports/tickets/daily";

pub const SLA_COMPLIANCE: &str = "/api/v1/reports/sla";

pub const ROUTES: &[http::Route] = shared::routes![
    GET DAILY_TICKETS => daily_tickets,
    GET SLA_COMPLIANCE => sla_compliance,
];

/// Ticket activity per day
///
/// Tickets created, solved and reopened, replies, internal notes, customer messages and new customers
/// per UTC day, every day of the range (default: the last 30 days; at most 366). Kept from the event log
/// by the outbox consumer, so a change shows here within seconds. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/tickets/daily", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD (default today, UTC)"),
    ),
    responses(
        (status = 200, body = DailyTicketReport),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn daily_tickets(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    Ok(http::json(StatusCode::OK, &reports::daily_tickets(app, &caller, from, to).await?))
}

/// SLA compliance
///
/// For first response and resolution: clocks met within target and breached over the range, the
/// compliance share, per priority and per agent (the assignee when the clock was met or breached), and
/// per UTC day. A clock counts once: breached when it ran out, or met if it was met in time. Kept from
/// the `sla.met` and `sla.breached` events by the outbox consumer. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD (default today, UTC)"),
    ),
    responses(
        (status = 200, body = SlaComplianceReport),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn sla_compliance(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    Ok(http::json(StatusCode::OK, &reports::sla_compliance(app, &caller, from, to).await?))
}
