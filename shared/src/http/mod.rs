//! HTTP glue for handlers: one route table per function ([`Route`], [`dispatch`]), one request wrapper
//! ([`serve`]), body and parameter parsing that turns bad input into 4xx problems, JSON responses, the
//! principal from the authorizer, and service errors as problems.

mod bulk;
pub mod idempotency;
pub mod origin;
pub mod preconditions;
mod problem;
pub mod records;
mod request;
mod router;
pub mod search;
pub mod security_headers;
mod service_errors;
pub mod session_cookie;

/// Handlers parse a page request here ([`PageParams::from_request`]) and hand it to a service.
pub use crate::storage::PageParams;
pub use bulk::{bulk_result, lead_bulk_result};
pub use preconditions::version_query;
pub use problem::{
    FieldErrorBody, PROBLEM_DOCS, Problem, ProblemBody, ProblemExtensions, ProblemType, with_public_origin,
};
pub use request::{
    SUSPENDED_CONTEXT, if_match_version, json_body, member, path_id, principal, query_param, require, route,
};
pub use router::{HandlerFn, Route, dispatch};

pub use lambda_http::http::Method;

use std::time::Instant;

use lambda_http::{Body, Request, RequestExt, Response, http::StatusCode, request::RequestContext};
use serde::Serialize;
use tracing::Instrument;

pub type HandlerResult = Result<Response<Body>, Problem>;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Runs one request: a span with the request id and the caller's ids on every log line, problems
/// rendered as problem+json, and the request id on every response.
pub async fn serve(req: Request, handler: impl AsyncFnOnce(Request) -> HandlerResult) -> Response<Body> {
    let request_id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context.request_id.clone(),
        _ => None,
    }
    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let caller = principal(&req).ok();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        route = %route(&req).1,
        workspace_id = caller.as_ref().and_then(|p| p.workspace_id()).map(|id| id.to_string()),
        user_id = caller.as_ref().and_then(|p| p.user_id()).map(|id| id.to_string()),
    );
    let started = Instant::now();
    let refused = request::suspension_refusal(&req).or_else(|| match &caller {
        Some(crate::auth::Principal::ApiKey(key)) => key_refusal(req.method().as_str(), &route(&req).1, &key.scopes),
        _ => None,
    });
    let outcome = match refused {
        Some(problem) => Err(problem),
        None => handler(req).instrument(span.clone()).await,
    };
    let mut response = match outcome {
        Ok(response) => response,
        Err(problem) => problem.into_response(&request_id),
    };
    let status = response.status().as_u16();
    span.in_scope(|| {
        let elapsed_ms = started.elapsed().as_millis() as u64;
        if status >= 500 {
            tracing::error!(status, elapsed_ms, "request failed");
        } else {
            tracing::info!(status, elapsed_ms, "request handled");
        }
    });
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    security_headers::add(response.headers_mut());
    response
}

/// An API key may call a route only with the scope the route needs ([`crate::domain::api_keys`] is the
/// one table of them); every handler runs behind this check.
fn key_refusal(method: &str, route: &str, scopes: &[crate::domain::rbac::Permission]) -> Option<Problem> {
    match crate::domain::api_keys::check_key_access(method, route, scopes) {
        Ok(()) => None,
        Err(scope) if scope.is_empty() => {
            Some(Problem::forbidden(format!("API keys cannot call {method} {route}; sign in as a member.")))
        }
        Err(scope) => Some(
            Problem::forbidden(format!("This API key lacks the scope {scope} that {method} {route} needs."))
                .with("scope", scope),
        ),
    }
}

pub fn json(status: StatusCode, body: &impl Serialize) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(Body::Text(serde_json::to_string(body).expect("response types serialise")))
        .expect("static response parts are valid")
}

pub fn no_content() -> Response<Body> {
    Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).expect("static response parts are valid")
}

/// The answer for a method and route this function does not serve (a wiring mistake, or a probe).
pub fn no_route(method: &lambda_http::http::Method, route: &str) -> Problem {
    Problem::not_found(&format!("The route {method} {route}"))
}
