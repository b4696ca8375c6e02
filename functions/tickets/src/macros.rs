//! Macros: canned replies with actions, managed here and applied to a ticket from the composer.

use lambda_http::{Request, http::StatusCode};
use shared::api::{ApplyMacroRequest, MacroApplied, MacroList, MacroPreview, MacroRequest, MacroView};
use shared::domain::{
    ids::{MacroId, TicketId},
    rbac::Permission,
};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::macros};

pub const MACROS: &str = "/api/v1/macros";
pub const MACRO: &str = "/api/v1/macros/{id}";
pub const TICKET_MACRO: &str = "/api/v1/tickets/{id}/macros/{macro_id}";

/// Macros
///
/// The caller's own macros, then those shared with the team, each by name. Needs `tickets:write`.
#[utoipa::path(get, path = "/api/v1/macros", tag = "macros", security(("bearer" = [])),
    responses((status = 200, body = MacroList)))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    Ok(http::json(StatusCode::OK, &macros::list(app, &caller).await?))
}

/// Create a macro
///
/// A name, a reply template with placeholders (`{{customer.name}}`, `{{ticket.number}}`,
/// `{{agent.name}}`; any other is refused) and optional status, priority, tags to add and assignee
/// (`me`, `nobody` or a member id, which needs `tickets:assign`). Personal by default; `shared: true`
/// needs `settings:manage`. Needs `tickets:write`.
#[utoipa::path(post, path = "/api/v1/macros", tag = "macros", security(("bearer" = [])),
    request_body = MacroRequest,
    responses(
        (status = 201, body = MacroView),
        (status = 403, description = "Sharing needs settings:manage; assigning needs tickets:assign", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &macros::create(app, &caller, body).await?))
}

/// Replace a macro
///
/// Every field at once, with the `version` you saw. Your own macros, or shared ones with
/// `settings:manage`; another member's personal macro is not found.
#[utoipa::path(put, path = "/api/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id")),
    request_body = MacroRequest,
    responses(
        (status = 200, body = MacroView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn replace(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: MacroId = http::path_id(req, "id", "The macro")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &macros::replace(app, &caller, id, body).await?))
}

/// Delete a macro
#[utoipa::path(delete, path = "/api/v1/macros/{id}", tag = "macros", security(("bearer" = [])),
    params(("id" = String, Path, description = "Macro id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: MacroId = http::path_id(req, "id", "The macro")?;
    macros::delete(app, &caller, id).await?;
    Ok(http::no_content())
}

/// A macro filled in for a ticket
///
/// The text with its placeholders filled from this ticket, its actions, and the ticket version to
/// apply it at: what the composer shows before sending.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/macros/{macro_id}", tag = "macros", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id"), ("macro_id" = String, Path, description = "Macro id")),
    responses(
        (status = 200, body = MacroPreview),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn preview(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let ticket: TicketId = http::path_id(req, "id", "The ticket")?;
    let id: MacroId = http::path_id(req, "macro_id", "The macro")?;
    Ok(http::json(StatusCode::OK, &macros::preview(app, &caller, ticket, id).await?))
}

/// Apply a macro to a ticket
///
/// Adds its text (filled in, or as you edited it in `body`) as a reply or note, and sets its status,
/// priority, tags and assignee: one change of the ticket at the `version` you saw, with its events in
/// the same transaction. A stale version answers 409 with the current ticket and changes nothing.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/macros/{macro_id}", tag = "macros", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id"), ("macro_id" = String, Path, description = "Macro id")),
    request_body = ApplyMacroRequest,
    responses(
        (status = 200, body = MacroApplied),
        (status = 403, description = "The macro assigns and your role cannot", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, a closed ticket, a move the lifecycle forbids, or another member's claim", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn apply(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let ticket: TicketId = http::path_id(req, "id", "The ticket")?;
    let id: MacroId = http::path_id(req, "macro_id", "The macro")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &macros::apply(app, &caller, ticket, id, body).await?))
}
