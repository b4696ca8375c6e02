//! Companies (organisation records): they sit with customers, under the customers' permissions.

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    CompanyList, CompanyView, CreateCompanyRequest, CreateNoteRequest, CustomerList, DealList, EventList, NoteList,
    NoteView, UpdateCompanyRequest,
};
use shared::domain::{ids::CompanyId, rbac::Permission, records::RecordRef};
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{App, services::companies};

pub const COMPANIES: &str = "/api/v1/companies";
pub const COMPANY: &str = "/api/v1/companies/{id}";
pub const COMPANY_CUSTOMERS: &str = "/api/v1/companies/{id}/customers";
pub const COMPANY_DEALS: &str = "/api/v1/companies/{id}/deals";
pub const COMPANY_NOTES: &str = "/api/v1/companies/{id}/notes";
pub const COMPANY_TIMELINE: &str = "/api/v1/companies/{id}/timeline";

/// List companies
///
/// In name order (case does not matter). `owner_id` (`me`, `none` or a member id) lists one owner's;
/// `tag` keeps those with the tag (a page may then come back short, with a cursor to go on).
/// Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/companies", tag = "companies", security(("bearer" = [])),
    params(
        ("owner_id" = Option<shared::api::schema::MemberFilter>, Query, description = "`me`, `none` or a member id"),
        ("tag" = Option<String>, Query, description = "only companies with this tag"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = CompanyList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let page = PageParams::from_request(req)?;
    let owner = http::query_param(req, "owner_id");
    let tag = http::query_param(req, "tag");
    Ok(http::json(StatusCode::OK, &companies::list(app, &caller, owner, tag, page).await?))
}

/// Add a company
///
/// `name` is required; a `domain` is unique per workspace (409 `domain-taken`, naming the company that
/// has it in `existing_company_id`). Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/companies", tag = "companies", security(("bearer" = [])),
    request_body = CreateCompanyRequest,
    responses(
        (status = 201, body = CompanyView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The domain is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &companies::create(app, &caller, body).await?))
}

/// A company
///
/// With how many customers and deals name it. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/companies/{id}", tag = "companies", security(("bearer" = [])),
    params(("id" = String, Path, description = "Company id")),
    responses(
        (status = 200, body = CompanyView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    Ok(http::json(StatusCode::OK, &companies::get(app, &caller, id).await?))
}

/// Change a company
///
/// Only the fields present change; `null` clears an optional one. At `version` (409 when stale). A new
/// name shows on every linked customer and deal (their `company`). Needs `customers:write`.
#[utoipa::path(patch, path = "/api/v1/companies/{id}", tag = "companies", security(("bearer" = [])),
    params(("id" = String, Path, description = "Company id")),
    request_body = UpdateCompanyRequest,
    responses(
        (status = 200, body = CompanyView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or the domain is taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &companies::update(app, &caller, id, body).await?))
}

/// Delete a company
///
/// Refused (409) while customers or deals name it: unlink them first. With `?version=`, only if the
/// company is still at that version. Its notes and events stay in the activity log.
/// Needs `customers:write`.
#[utoipa::path(delete, path = "/api/v1/companies/{id}", tag = "companies", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Company id"),
        ("version" = Option<u64>, Query, description = "the version the caller saw"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Stale version, or customers or deals still name it", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    let version = http::version_query(req, "the company's")?;
    companies::delete(app, &caller, id, version).await?;
    Ok(http::no_content())
}

/// A company's customers
///
/// By e-mail. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/companies/{id}/customers", tag = "companies", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Company id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = CustomerList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn customers(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &companies::customers(app, &caller, id, page).await?))
}

/// A company's deals
///
/// Open, won and lost, newest first. Needs `customers:read` and `sales:read`.
#[utoipa::path(get, path = "/api/v1/companies/{id}/deals", tag = "companies", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Company id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = DealList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn deals(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    http::require(&caller, Permission::SalesRead)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &companies::deals(app, &caller, id, page).await?))
}

/// The company a notes or activities route is about.
fn company(req: &Request) -> Result<RecordRef, http::Problem> {
    Ok(RecordRef::Company(http::path_id(req, "id", "The company")?))
}

/// A company's notes
///
/// Oldest first. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/companies/{id}/notes", tag = "companies", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Company id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = NoteList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn notes(app: &App, req: &Request) -> HandlerResult {
    http::records::notes_page(app, req, Permission::CustomersRead, company).await
}

/// Add a note to a company
///
/// The note changes nothing on the company; `company.note_added` joins its timeline.
/// Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/companies/{id}/notes", tag = "companies", security(("bearer" = [])),
    params(("id" = String, Path, description = "Company id")),
    request_body = CreateNoteRequest,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_note(app: &App, req: &Request) -> HandlerResult {
    http::records::add_note(app, req, Permission::CustomersWrite, company).await
}

/// A company's timeline
///
/// Events about the company (created, changed, noted), newest first. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/companies/{id}/timeline", tag = "companies", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Company id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = EventList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn timeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let id: CompanyId = http::path_id(req, "id", "The company")?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &companies::timeline(app, &caller, id, page).await?))
}
