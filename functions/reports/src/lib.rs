//! Support and sales reports, read from counters (kept by the outbox consumer or by the writes).

use lambda_http::{Request, http::StatusCode};
use shared::api::{AgentReport, DailyTicketReport, SalesReport, SlaComplianceReport, SupportReport};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{
    App,
    services::{reports, support_reports},
};

pub const DAILY_TICKETS: &str = "/api/v1/reports/tickets/daily";

pub const SLA_COMPLIANCE: &str = "/api/v1/reports/sla";

pub const SALES: &str = "/api/v1/reports/sales";

pub const SUPPORT: &str = "/api/v1/reports/support";

pub const AGENTS: &str = "/api/v1/reports/agents";

pub const ROUTES: &[http::Route] = shared::routes![
    GET DAILY_TICKETS => daily_tickets,
    GET SLA_COMPLIANCE => sla_compliance,
    GET SALES => sales,
    GET SUPPORT => support,
    GET AGENTS => agents,
];

/// Ticket activity per day
///
/// Tickets created, solved and reopened, replies, internal notes, customer messages and new customers
/// per report day (a date in the workspace's report time zone), every day of the range (default: the
/// last 30 days; at most 366). Kept from the event log by the outbox consumer, so a change shows here
/// within seconds. Needs `reports:read`.
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
/// per report day (a date in the workspace's report time zone). A clock counts once: breached when it
/// ran out, or met if it was met in time. Kept from the `sla.met` and `sla.breached` events by the
/// outbox consumer. Needs `reports:read`.
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

/// Support report
///
/// Tickets created, solved and reopened, one-touch solves, public agent replies, rates, SLA outcomes and
/// the time metrics (first reply, first and full resolution, requester wait, agent wait, on hold: count,
/// average, median and 90th percentile in calendar and business time) over the range, per day with the
/// backlog at each day's end, optionally broken down by `channel`, `category`, `priority` or `agent`, and
/// compared with the period before (`compare=previous`). Days are counted in the workspace's report time
/// zone (UTC by default). Default range: the last 30 days; at most 397 (13 months). Every figure is
/// defined in docs/reports.md. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/support", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today in the report time zone)"),
        ("breakdown" = Option<String>, Query, description = "channel, category, priority or agent"),
        ("compare" = Option<String>, Query, description = "`previous`: also the period of the same length before"),
    ),
    responses(
        (status = 200, body = SupportReport),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn support(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    let (breakdown, compare) = (http::query_param(req, "breakdown"), http::query_param(req, "compare"));
    Ok(http::json(StatusCode::OK, &support_reports::support(app, &caller, from, to, breakdown, compare).await?))
}

/// Agent performance
///
/// Per agent over the range: solved, public replies written, one-touch solves, reopens, first reply and
/// resolution times, SLA met and breached, and their live state (unsolved tickets assigned now, online
/// now). Members with `reports:team` (managers, admins, owners) see everyone who works tickets; anyone
/// else sees their own row only. Range as for the support report. Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/reports/agents", tag = "reports", security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, format = Date, description = "first day, YYYY-MM-DD"),
        ("to" = Option<String>, Query, format = Date, description = "last day, YYYY-MM-DD (default today in the report time zone)"),
    ),
    responses(
        (status = 200, body = AgentReport),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn agents(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    let (from, to) = (http::query_param(req, "from"), http::query_param(req, "to"));
    Ok(http::json(StatusCode::OK, &support_reports::agents(app, &caller, from, to).await?))
}
