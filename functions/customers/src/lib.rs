//! Customers: profiles, their ticket history and their timeline, and merging duplicates; and the
//! companies (organisation records) that group them.

pub mod companies;

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    ActivityList, ActivityView, CreateActivityRequest, CreateCustomerRequest, CreateNoteRequest, CustomerList,
    CustomerView, EventList, MergeCustomerRequest, NoteList, NoteView, TicketList, UpdateCustomerRequest,
};
use shared::domain::{ids::CustomerId, rbac::Permission, records::RecordRef};
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{App, services::customers};

pub const CUSTOMERS: &str = "/api/v1/customers";
pub const CUSTOMER: &str = "/api/v1/customers/{id}";
pub const CUSTOMER_TICKETS: &str = "/api/v1/customers/{id}/tickets";
pub const CUSTOMER_TIMELINE: &str = "/api/v1/customers/{id}/timeline";
pub const CUSTOMER_MERGE: &str = "/api/v1/customers/{id}/merge";
pub const CUSTOMER_NOTES: &str = "/api/v1/customers/{id}/notes";
pub const CUSTOMER_ACTIVITIES: &str = "/api/v1/customers/{id}/activities";

pub const ROUTES: &[http::Route] = shared::routes![
    GET CUSTOMERS => list,
    POST CUSTOMERS => create,
    GET CUSTOMER => get,
    PATCH CUSTOMER => update,
    GET CUSTOMER_TICKETS => tickets,
    GET CUSTOMER_TIMELINE => timeline,
    POST CUSTOMER_MERGE => merge,
    GET CUSTOMER_NOTES => notes,
    POST CUSTOMER_NOTES => add_note,
    GET CUSTOMER_ACTIVITIES => activities,
    POST CUSTOMER_ACTIVITIES => add_activity,
    GET companies::COMPANIES => companies::list,
    POST companies::COMPANIES => companies::create,
    GET companies::COMPANY => companies::get,
    PATCH companies::COMPANY => companies::update,
    DELETE companies::COMPANY => companies::delete,
    GET companies::COMPANY_CUSTOMERS => companies::customers,
    GET companies::COMPANY_DEALS => companies::deals,
    GET companies::COMPANY_NOTES => companies::notes,
    POST companies::COMPANY_NOTES => companies::add_note,
    GET companies::COMPANY_TIMELINE => companies::timeline,
];

/// List or search customers
///
/// Creation order, or e-mail order with `email_prefix`. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])),
    params(
        ("email_prefix" = Option<String>, Query, description = "only customers whose e-mail starts with this"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses((status = 200, body = CustomerList)))]
pub async fn list(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let page = PageParams::from_request(req)?;
    let prefix = http::query_param(req, "email_prefix");
    Ok(http::json(StatusCode::OK, &customers::list(app, &caller, prefix, page).await?))
}

/// Add a customer
///
/// E-mails are unique per workspace (409 `email-taken`). Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", security(("bearer" = [])),
    request_body = CreateCustomerRequest,
    responses(
        (status = 201, body = CustomerView),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &customers::create(app, &caller, body).await?))
}

/// A customer's profile
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    responses(
        (status = 200, body = CustomerView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn get(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let id: CustomerId = http::path_id(req, "id", "The customer")?;
    Ok(http::json(StatusCode::OK, &customers::get(app, &caller, id).await?))
}

/// Change a customer
///
/// Only the fields present change; `null` clears a field. Optional `version` guards against lost updates.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = UpdateCustomerRequest,
    responses(
        (status = 200, body = CustomerView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn update(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let id: CustomerId = http::path_id(req, "id", "The customer")?;
    let body = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &customers::update(app, &caller, id, body).await?))
}

/// A customer's tickets
///
/// Newest first. Needs `customers:read` and `tickets:read`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/tickets", tag = "customers", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Customer id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = TicketList)))]
pub async fn tickets(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    http::require(&caller, Permission::TicketsRead)?;
    let id: CustomerId = http::path_id(req, "id", "The customer")?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &customers::tickets(app, &caller, id, page).await?))
}

/// A customer's timeline
///
/// Events about the customer and their tickets, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "customers", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Customer id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses((status = 200, body = EventList)))]
pub async fn timeline(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersRead)?;
    let id: CustomerId = http::path_id(req, "id", "The customer")?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &customers::timeline(app, &caller, id, page).await?))
}

/// Merge a customer into this one
///
/// The source customer's tickets move to this customer, its e-mail finds this customer from now on,
/// and its timeline becomes part of this one's; the source stays, marked with `merged_into`. Both must
/// be in the caller's workspace (404). Merging a customer into itself is 422; a source already merged
/// is 409 `conflict`. If a merge stops half-way (an error or a timeout), the same call resumes it.
/// Answers with the target. Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "The customer that absorbs the source")),
    request_body = MergeCustomerRequest,
    responses(
        (status = 200, body = CustomerView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "Already merged", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn merge(app: &App, req: &Request) -> HandlerResult {
    let caller = http::member(req)?;
    http::require(&caller, Permission::CustomersWrite)?;
    let id: CustomerId = http::path_id(req, "id", "The customer")?;
    let body: MergeCustomerRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &customers::merge(app, &caller, id, body).await?))
}

/// The customer a notes or activities route is about.
fn customer(req: &Request) -> Result<RecordRef, http::Problem> {
    Ok(RecordRef::Customer(http::path_id(req, "id", "The customer")?))
}

/// A customer's notes
///
/// Oldest first. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/notes", tag = "customers", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Customer id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"), ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = NoteList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn notes(app: &App, req: &Request) -> HandlerResult {
    http::records::notes_page(app, req, Permission::CustomersRead, customer).await
}

/// Add a note to a customer
///
/// The note changes nothing on the customer; `customer.note_added` joins its timeline. A merged customer takes no notes (409).
/// Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CreateNoteRequest,
    responses(
        (status = 201, body = NoteView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_note(app: &App, req: &Request) -> HandlerResult {
    http::records::add_note(app, req, Permission::CustomersWrite, customer).await
}

/// A customer's activities
///
/// Calls, meetings, tasks and e-mails logged on the customer, newest logged first. Needs `customers:read`.
#[utoipa::path(get, path = "/api/v1/customers/{id}/activities", tag = "customers", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Customer id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ActivityList),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn activities(app: &App, req: &Request) -> HandlerResult {
    http::records::activities_page(app, req, Permission::CustomersRead, customer).await
}

/// Log an activity on a customer
///
/// A call, meeting, task or e-mail (`kind`), with a `subject`, an optional `due_at` (RFC 3339) and an
/// assignee (an active member who can write to the customer; default the caller); `done: true` logs one
/// that already happened. `activity.created` joins the customer's timeline. Needs `customers:write`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/activities", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Customer id")),
    request_body = CreateActivityRequest,
    responses(
        (status = 201, body = ActivityView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The record was merged away", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_activity(app: &App, req: &Request) -> HandlerResult {
    http::records::add_activity(app, req, Permission::CustomersWrite, customer).await
}
