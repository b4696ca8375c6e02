//! Tickets and the shared inbox: create, read with conversation and timeline, change, reply, counts.

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    CreateMessageRequest, CreateTicketRequest, InboxCountsView, MessageView, PublicTicket, ReplyAddressView,
    TicketDetail, TicketList, TicketView, UpdateTicketRequest,
};
use shared::domain::{ids::TicketId, rbac::Permission};
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{
    App,
    services::{commands, email, tickets},
};

pub const TICKETS: &str = "/api/v1/tickets";
pub const COUNTS: &str = "/api/v1/tickets/counts";
pub const TICKET: &str = "/api/v1/tickets/{id}";
pub const PUBLIC: &str = "/api/v1/tickets/{id}/public";
pub const MESSAGES: &str = "/api/v1/tickets/{id}/messages";
pub const SEEN: &str = "/api/v1/tickets/{id}/seen";
pub const BY_NUMBER: &str = "/api/v1/tickets/by-number/{number}";
pub const REPLY_ADDRESS: &str = "/api/v1/tickets/{id}/reply-address";

pub mod actions;
pub mod macros;
pub mod views;

pub const ROUTES: &[http::Route] = shared::routes![
    GET TICKETS => list,
    POST TICKETS => create,
    GET COUNTS => counts,
    GET TICKET => get,
    PATCH TICKET => update,
    GET PUBLIC => public,
    POST MESSAGES => add_message,
    POST SEEN => seen,
    GET BY_NUMBER => by_number,
    GET REPLY_ADDRESS => reply_address,
    POST actions::BULK => actions::bulk_update,
    POST actions::MERGE => actions::merge,
    PUT actions::FOLLOWERS => actions::set_followers,
    GET views::VIEWS => views::list,
    POST views::VIEWS => views::create,
    PATCH views::VIEW => views::update,
    DELETE views::VIEW => views::delete,
    GET macros::MACROS => macros::list,
    POST macros::MACROS => macros::create,
    PUT macros::MACRO => macros::replace,
    DELETE macros::MACRO => macros::delete,
    GET macros::TICKET_MACRO => macros::preview,
    POST macros::TICKET_MACRO => macros::apply,
];

/// The inbox
///
/// Views: `open` (default: new, open, pending, on hold), `unassigned`, `mine`, `solved` (solved and
/// closed). Filters narrow a view. Newest update first. Each row carries its requester, a preview of
/// the latest public message, the assignee's name, the SLA state and whether the caller has unread
/// messages on it: one Query per page. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    params(
        ("view" = Option<String>, Query, pattern = "^(open|unassigned|mine|solved)$", description = "open (default), unassigned, mine, solved"),
        ("sort" = Option<String>, Query, pattern = "^(updated|priority)$", description = "updated (default: newest update first) or priority (urgent first, then newest)"),
        ("status" = Option<shared::domain::ticket::Status>, Query, description = "a status within the view"),
        ("priority" = Option<shared::domain::ticket::Priority>, Query, description = "low, normal, high, urgent"),
        ("category" = Option<String>, Query),
        ("tag" = Option<String>, Query),
        ("assignee" = Option<shared::api::schema::RawId>, Query, description = "a member id"),
        ("customer" = Option<shared::api::schema::RawId>, Query, description = "a customer id"),
        ("number" = Option<u64>, Query, description = "a ticket number: the list holds just that ticket (whatever the view and other filters), or nothing"),
        ("q" = Option<String>, Query, description = "a search; for now a ticket number as shown, `#1042` (the same as `number`)"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = TicketList),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let query = commands::tickets::InboxQuery {
        view: http::query_param(req, "view"),
        sort: http::query_param(req, "sort"),
        status: http::query_param(req, "status"),
        priority: http::query_param(req, "priority"),
        category: http::query_param(req, "category"),
        tag: http::query_param(req, "tag"),
        assignee: http::query_param(req, "assignee"),
        customer: http::query_param(req, "customer"),
        number: http::query_param(req, "number"),
        q: http::query_param(req, "q"),
    };
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &tickets::list(app, &caller, query, page).await?))
}

/// Open a ticket
///
/// The customer is found by e-mail in the workspace, or created. The body becomes the first message,
/// authored by the customer. Counts against the plan's monthly ticket limit. Needs `tickets:write`.
#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", security(("bearer" = [])),
    request_body = CreateTicketRequest,
    responses(
        (status = 201, body = TicketView),
        (status = 402, description = "Monthly ticket limit reached", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &tickets::create(app, &caller, body).await?))
}

/// Inbox counts
///
/// Exact counts of the open, unassigned and mine views, and of every status; one read.
#[utoipa::path(get, path = "/api/v1/tickets/counts", tag = "tickets", security(("bearer" = [])),
    responses((status = 200, body = InboxCountsView)))]
pub async fn counts(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    Ok(http::json(StatusCode::OK, &tickets::counts(app, &caller).await?))
}

/// A ticket with its conversation and timeline
///
/// Replies and internal notes (flagged `internal`), and every event, oldest first: one Query.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, body = TicketDetail, headers(("ETag" = String, description = "The ticket's version, for `If-Match`"))),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    let detail = tickets::get(app, &caller, id).await?;
    // The version sits in `ticket`, not at the top where the ETag layer looks.
    let mut response = http::json(StatusCode::OK, &detail);
    if let Ok(etag) = format!("\"{}\"", detail.ticket.version).parse() {
        response.headers_mut().insert("etag", etag);
    }
    Ok(response)
}

/// The customer's view of a ticket
///
/// Public messages only: internal notes never appear here. For customer-facing integrations.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/public", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, body = PublicTicket),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn public(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    Ok(http::json(StatusCode::OK, &tickets::public(app, &caller, id).await?))
}

/// The e-mail address replies to a ticket go to
///
/// The workspace's forwarding address with the ticket's reply token (`<slug>+<token>@<inbound domain>`),
/// put in Reply-To of what is sent to the customer, and the subject reference `[#<number>]`. Mail to it
/// threads into this ticket only. `signature` is the workspace's signature, added below `-- ` to every
/// public reply sent by e-mail (null: none), for the agent's composer. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/reply-address", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 200, body = ReplyAddressView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn reply_address(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    Ok(http::json(StatusCode::OK, &email::reply_address(app, &caller, id).await?))
}

/// Change a ticket
///
/// Status (along the lifecycle), priority, assignee (`tickets:assign`), category, subcategory, tags.
/// Send the version you saw (`version` or `If-Match`); a stale one answers 409 `version-conflict` with
/// the current ticket. A move the lifecycle forbids answers 409 `invalid-transition` with `allowed`.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = UpdateTicketRequest,
    responses(
        (status = 200, body = TicketView),
        (status = 409, description = "Stale version or invalid transition", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    let if_match = http::if_match_version(req)?;
    let body: UpdateTicketRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &tickets::update(app, &caller, id, body, if_match).await?))
}

/// Reply or add an internal note
///
/// An agent's first public reply records the first response and opens a new ticket; a customer's
/// message reopens a pending, on-hold or solved ticket. Closed tickets take no messages.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = CreateMessageRequest,
    responses(
        (status = 201, body = MessageView),
        (status = 409, description = "The ticket is closed", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_message(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &tickets::add_message(app, &caller, id, body).await?))
}

/// Mark a ticket seen
///
/// Records that the caller viewed the ticket now (the ticket page calls it when opened): its inbox
/// row is no longer `unread` for them until the next message. Changes no version and writes no event.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/seen", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    responses(
        (status = 204, description = "Recorded"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn seen(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    tickets::seen(app, &caller, id).await?;
    Ok(http::no_content())
}

/// A ticket by its number
///
/// The ticket shown as `#1042` in the caller's workspace, with its conversation and timeline (the
/// same as `GET /api/v1/tickets/{id}`). Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/tickets/by-number/{number}", tag = "tickets", security(("bearer" = [])),
    params(("number" = u64, Path, description = "Ticket number, e.g. 1042")),
    responses(
        (status = 200, body = TicketDetail),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn by_number(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let number: u64 = http::path_id(req, "number", "The ticket")?;
    Ok(http::json(StatusCode::OK, &tickets::get_by_number(app, &caller, number).await?))
}
