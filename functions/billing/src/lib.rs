//! Billing for a workspace's owner: usage against the plan's limits.

use lambda_http::{Request, http::StatusCode};
use shared::api::BillingUsageView;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::plans};

pub const USAGE: &str = "/api/v1/billing/usage";

pub const ROUTES: &[http::Route] = shared::routes![
    GET USAGE => usage,
];

/// Usage against the plan
///
/// The workspace's plan and, for each limit, what is used against what the plan allows: seats, tickets
/// this month (UTC), storage bytes, webhooks, and API requests per minute (throttled by the gateway, so
/// `used` is null). `over_limit` marks usage above a limit after a move to a smaller plan: nothing was
/// removed, new use is refused until usage is under the limit. Needs `billing:manage`.
#[utoipa::path(get, path = "/api/v1/billing/usage", tag = "billing", security(("bearer" = [])),
    responses(
        (status = 200, body = BillingUsageView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn usage(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, plans::USAGE)?;
    Ok(http::json(StatusCode::OK, &plans::usage(app, &caller).await?))
}
