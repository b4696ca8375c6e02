//! Work across tickets: bulk changes from the inbox, merging a duplicate, followers and CC.

use lambda_http::{Request, http::StatusCode};
use shared::api::{BulkUpdateRequest, BulkUpdateResult, FollowersRequest, MergeResult, MergeTicketRequest, TicketView};
use shared::domain::{ids::TicketId, rbac::Permission};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{
    App,
    services::{bulk, followers, merge},
};

pub const BULK: &str = "/api/v1/tickets/bulk";
pub const MERGE: &str = "/api/v1/tickets/{id}/merge";
pub const FOLLOWERS: &str = "/api/v1/tickets/{id}/followers";

/// Change many tickets
///
/// The same change (status, priority, assignee, tags to add or remove) to up to 100 tickets, each at
/// the version you saw. Each ticket is its own change: a stale version or a refused move on one
/// ticket leaves the others changed, and its result says why (`problem`, as the single change would
/// have answered). Answers 200 with every ticket's outcome and a summary. Needs `tickets:write`
/// (and `tickets:assign` to assign).
#[utoipa::path(post, path = "/api/v1/tickets/bulk", tag = "tickets", security(("bearer" = [])),
    request_body = BulkUpdateRequest,
    responses(
        (status = 200, body = BulkUpdateResult),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn bulk_update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let body = http::json_body(req)?;
    let outcomes = bulk::update(app, &caller, body).await?;
    Ok(http::json(StatusCode::OK, &http::bulk_result(outcomes)))
}

/// Merge a duplicate into another ticket
///
/// The duplicate (this ticket) closes pointing at the target (`into`); every one of its messages is
/// copied into the target's conversation, in time order, marked `merged_from`. Both timelines record
/// the merge; the duplicate keeps its own messages and events. Send both versions you saw. Needs
/// `tickets:write`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/merge", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "The duplicate's id")),
    request_body = MergeTicketRequest,
    responses(
        (status = 200, body = MergeResult),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "A stale version, or a closed or already merged ticket", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn merge(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    let body: MergeTicketRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &merge::merge(app, &caller, id, body).await?))
}

/// Set a ticket's followers and CC
///
/// The whole lists: members who follow the ticket and addresses copied on replies, at the version you
/// saw. Needs `tickets:write`.
#[utoipa::path(put, path = "/api/v1/tickets/{id}/followers", tag = "tickets", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = FollowersRequest,
    responses(
        (status = 200, body = TicketView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version or a closed ticket", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn set_followers(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let id: TicketId = http::path_id(req, "id", "The ticket")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &followers::set(app, &caller, id, body).await?))
}
