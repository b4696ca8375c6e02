//! Support and sales reports, read from counters (kept by the outbox consumer or by the writes).

use lambda_http::{Request, http::StatusCode};
use shared::api::{DailyTicketReport, SalesReport, SlaComplianceReport};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::reports};

pub const DAILY_TICKETS: &str = "/api/v1/reports/tickets/daily";

pub const SLA_COMPLIANCE: &str = "/api/v1/reports/sla";

pub const SALES: &str = "/api/v1/reports/sales";

pub const ROUTES: &[http::Route] = shared::routes![
    GET DAILY_TICKETS => daily_tickets,
    GET SLA_COMPLIANCE => sla_compliance,
    GET SALES => sales,
];

/// Ticket activity per day
///
/// Tickets created, solved and reopened, replies, internal notes, customer messages and new customers
/// per UTC day, every day of the range (default: the last 30 days; at most 366). Kept from the event log
/// by the outbox consumer, so a change shows here within seconds. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/tickets/daily", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today, UTC)"),
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
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today, UTC)"),
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

/// Sales dashboard
///
/// Leads now by status, source and owner (the lead counters); leads created per day and converted per
/// source and per owner over the range (daily statistics kept by the outbox consumer: the owner at
/// creation, and at conversion); the pipeline's open deals per stage and per owner with their value
/// and weighted value per currency (board counters every deal write keeps exact; default: the first
/// pipeline); deals won and lost per day, the win rate, the average won value per currency and the
/// average days from creation to the win. Range: default the last 30 days, at most 366. Needs
/// `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/sales", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today, UTC)"),
        ("pipeline_id" = Option<shared::api::schema::RawId>, Query, description = "the pipeline (default: the workspace's first)"),
    ),
    responses(
        (status = 200, body = SalesReport),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn sales(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    let pipeline_id = http::query_param(req, "pipeline_id");
    Ok(http::json(StatusCode::OK, &reports::sales(app, &caller, from, to, pipeline_id).await?))
}
