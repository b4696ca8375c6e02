//! Exports of reports and lists: start a job, then read it for its download link.

use lambda_http::{Request, http::StatusCode};
use shared::api::{CreateExportRequest, ExportView};
use shared::domain::ids::ExportId;
use shared::http::{self, HandlerResult, ProblemBody};
use shared::{App, services::exports};

pub const EXPORTS: &str = "/api/v1/exports";

pub const EXPORT: &str = "/api/v1/exports/{id}";

pub const ROUTES: &[http::Route] = shared::routes![
    POST EXPORTS => create,
    GET EXPORT => get,
];

/// Start an export
///
/// A CSV of a report (`support_report`, `agent_report`, `sla_report`, `sales_report`,
/// `daily_tickets_report`) or of a list (`tickets`, `customers`, `leads`, `deals`) with the filters on
/// screen (the endpoint's query parameters). The file holds what
/// the caller may read: exporting needs the permission reading needs (`reports:read`, `tickets:read`,
/// `customers:read`, `sales:read`). Answers 202 with the job; read it until `status` is `ready` for
/// its download link. The file is kept a day; each link works 15 minutes. Cells that a spreadsheet
/// would run as a formula start with an apostrophe. People only: API keys cannot export.
#[utoipa::path(post, path = "/api/v1/exports", tag = "exports", security(("bearer" = [])),
    request_body = CreateExportRequest,
    responses(
        (status = 202, description = "The job, queued", body = ExportView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "A filter names something that does not exist (a pipeline)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::ACCEPTED, &exports::create(app, &caller, body).await?))
}

/// An export
///
/// Its status (`queued`, `running`, `ready`, `failed`, `expired`), rows written and, once ready, a
/// presigned `download` (a fresh one on every read, each valid 15 minutes and never past the file's
/// `expires_at`). Only the member who started an export can read it; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "exports", security(("bearer" = [])),
    params(("id" = String, Path, description = "Export id")),
    responses(
        (status = 200, body = ExportView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    let id: ExportId = http::path_id(req, "id", "The export")?;
    Ok(http::json(StatusCode::OK, &exports::get(app, &caller, id).await?))
}
