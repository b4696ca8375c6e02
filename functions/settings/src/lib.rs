//! Workspace settings: the ticket category taxonomy; the e-mail channel's addresses, blocked senders
//! and rejected-mail log, texts and sending domain.

pub mod sending_domain;

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    CategoriesView, EmailSettingsView, RejectedMailList, ReplaceCategoriesRequest, ReportSettingsView,
    SendingDomainView, UpdateEmailSettingsRequest, UpdateReportSettingsRequest,
};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{
    App,
    services::{email, settings, support_reports},
};

pub const CATEGORIES: &str = "/api/v1/settings/categories";
pub const EMAIL: &str = "/api/v1/settings/email";
pub const REJECTED_EMAIL: &str = "/api/v1/settings/email/rejected";
pub const EMAIL_DOMAIN: &str = "/api/v1/settings/email/domain";
pub const REPORTS: &str = "/api/v1/settings/reports";

pub const ROUTES: &[http::Route] = shared::routes![
    GET CATEGORIES => categories,
    PUT CATEGORIES => replace_categories,
    GET EMAIL => email_settings,
    PUT EMAIL => update_email_settings,
    GET REJECTED_EMAIL => rejected_email,
    GET EMAIL_DOMAIN => email_domain,
    GET REPORTS => report_settings,
    PUT REPORTS => update_report_settings,
];

/// The category taxonomy
///
/// The workspace's ticket categories, each with its subcategories. Empty (version 0) when none is
/// configured: then ticket categories are free labels. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/settings/categories", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, body = CategoriesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn categories(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    Ok(http::json(StatusCode::OK, &settings::categories(app, &caller).await?))
}

/// Replace the category taxonomy
///
/// Replaces the whole taxonomy; an empty list removes it. Names are trimmed, 1 to 64 characters, and
/// unique without regard to case (categories, and subcategories within a category); at most 100
/// categories of at most 50 subcategories. A stale `version` answers 409 `version-conflict` with
/// `current`. Needs `settings:manage`.
#[utoipa::path(put, path = "/api/v1/settings/categories", tag = "settings", security(("bearer" = [])),
    request_body = ReplaceCategoriesRequest,
    responses(
        (status = 200, body = CategoriesView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replace_categories(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &settings::replace_categories(app, &caller, body).await?))
}

/// The e-mail channel's settings
///
/// The forwarding address (`<slug>@<inbound domain>`, assigned on the first read and kept), the added
/// addresses with their categories, the blocked senders and the size limit. Needs `settings:manage`.
#[utoipa::path(get, path = "/api/v1/settings/email", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, body = EmailSettingsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn email_settings(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    Ok(http::json(StatusCode::OK, &email::get_settings(app, &caller).await?))
}

/// Change the e-mail channel's settings
///
/// Replaces the added addresses (each with an optional category, from the taxonomy when one is set)
/// and the blocked senders (addresses, or `@domain`). An address another workspace uses answers 422.
/// `signature` and `notifications` (the "received" and "solved" mail to customers) are changed when
/// given and kept when absent; a template naming a placeholder other than `{{ticket.reference}}`,
/// `{{ticket.number}}`, `{{ticket.subject}}`, `{{customer.name}}` and `{{workspace.name}}` answers 422
/// naming it. A stale `version` answers 409 `version-conflict` with `current`. Needs `settings:manage`.
#[utoipa::path(put, path = "/api/v1/settings/email", tag = "settings", security(("bearer" = [])),
    request_body = UpdateEmailSettingsRequest,
    responses(
        (status = 200, body = EmailSettingsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update_email_settings(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &email::update_settings(app, &caller, body).await?))
}

/// Rejected inbound mail
///
/// Messages not turned into tickets, newest first, with the reason: `too_large`, `auto_reply`, `bulk`,
/// `loop`, `spam`, `virus`, `blocked_sender`, `no_sender`, `unreadable`, `ticket_limit` (it would have
/// opened a ticket past the plan's monthly limit). Cursor-paginated (`limit`,
/// `cursor`). Needs `settings:manage`.
#[utoipa::path(get, path = "/api/v1/settings/email/rejected", tag = "settings", security(("bearer" = [])),
    params(
        ("limit" = Option<i32>, Query, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "From the previous page's next_cursor"),
    ),
    responses(
        (status = 200, body = RejectedMailList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn rejected_email(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &email::rejected(app, &caller, page).await?))
}

/// The sending domain's verification
///
/// The domain replies and notifications are sent from (the forwarding address's), as SES v2 sees it:
/// `verified`, `pending` (publish the DKIM records), `failed`, `not_set_up` (not an SES identity) or
/// `unavailable` (SES could not be asked just now), with the three CNAME records Easy DKIM needs.
/// Needs `settings:manage`.
#[utoipa::path(get, path = "/api/v1/settings/email/domain", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, body = SendingDomainView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn email_domain(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let settings = email::get_settings(app, &caller).await?;
    let domain = settings.forwarding_address.rsplit_once('@').map_or("", |(_, domain)| domain).to_owned();
    Ok(http::json(StatusCode::OK, &sending_domain::status(app, &domain).await))
}

/// Report settings
///
/// The time zone report days are counted in (UTC until set). Needs `reports:read`.
#[utoipa::path(get, path = "/api/v1/settings/reports", tag = "settings", security(("bearer" = [])),
    responses(
        (status = 200, body = ReportSettingsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn report_settings(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ReportsRead)?;
    Ok(http::json(StatusCode::OK, &support_reports::settings(app, &caller).await?))
}

/// Set the report time zone
///
/// An IANA time zone (422 on `time_zone` otherwise). Days already counted stay as they were; events
/// from then on count in the new zone's days. A stale `version` answers 409 `version-conflict` with
/// `current`. Needs `settings:manage`.
#[utoipa::path(put, path = "/api/v1/settings/reports", tag = "settings", security(("bearer" = [])),
    request_body = UpdateReportSettingsRequest,
    responses(
        (status = 200, body = ReportSettingsView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update_report_settings(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::SettingsManage)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &support_reports::update_settings(app, &caller, body).await?))
}
