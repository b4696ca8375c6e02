//! Ticket attachments: presigned upload, confirmation, presigned download.

use lambda_http::{Request, http::StatusCode};
use shared::api::{AttachmentDownload, AttachmentUpload, AttachmentView, CreateAttachmentRequest};
use shared::domain::{
    ids::{AttachmentId, TicketId},
    rbac::Permission,
};
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::attachments};

pub const ATTACHMENTS: &str = "/api/v1/tickets/{id}/attachments";
pub const ATTACHMENT: &str = "/api/v1/tickets/{id}/attachments/{attachment_id}";
pub const CONFIRM: &str = "/api/v1/tickets/{id}/attachments/{attachment_id}/confirm";

pub const ROUTES: &[http::Route] = shared::routes![
    POST ATTACHMENTS => create,
    GET ATTACHMENT => download,
    POST CONFIRM => confirm,
];

/// Start an upload
///
/// Announce the file; get a presigned PUT (5 minutes) that binds its type and size. Allowed types are
/// documents, images and plain data up to 25 MiB; the plan's storage limit applies (402). A ticket holds at
/// most 20 announcements not confirmed yet (409 past that; each lapses an hour after it was made). Needs
/// `tickets:write`.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id")),
    request_body = CreateAttachmentRequest,
    responses(
        (status = 201, body = AttachmentUpload),
        (status = 402, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The ticket holds 20 announcements not confirmed yet", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let ticket: TicketId = http::path_id(req, "id", "The ticket")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &attachments::create_upload(app, &caller, ticket, body).await?))
}

/// Confirm an upload
///
/// Checks the uploaded object matches what was announced and counts it against the plan. Idempotent.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/attachments/{attachment_id}/confirm", tag = "attachments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id"), ("attachment_id" = String, Path)),
    responses(
        (status = 200, body = AttachmentView),
        (status = 409, description = "Not uploaded yet", body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn confirm(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsWrite)?;
    let ticket: TicketId = http::path_id(req, "id", "The ticket")?;
    let id: AttachmentId = http::path_id(req, "attachment_id", "The attachment")?;
    Ok(http::json(StatusCode::OK, &attachments::confirm(app, &caller, ticket, id).await?))
}

/// Download an attachment
///
/// A presigned GET valid for 5 minutes. Needs `tickets:read`.
#[utoipa::path(get, path = "/api/v1/tickets/{id}/attachments/{attachment_id}", tag = "attachments",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Ticket id"), ("attachment_id" = String, Path)),
    responses(
        (status = 200, body = AttachmentDownload),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn download(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::TicketsRead)?;
    let ticket: TicketId = http::path_id(req, "id", "The ticket")?;
    let id: AttachmentId = http::path_id(req, "attachment_id", "The attachment")?;
    Ok(http::json(StatusCode::OK, &attachments::download(app, &caller, ticket, id).await?))
}
