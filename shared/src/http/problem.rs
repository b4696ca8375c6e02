//! RFC 9457 problem details. [`ProblemType`] is the catalogue of stable `type` values; every error
//! response in the API is one of these (docs/api.md lists them).

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    MalformedRequest,
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
    Conflict,
    VersionConflict,
    PreconditionFailed,
    InvalidTransition,
    EmailTaken,
    LastOwner,
    WorkspaceSelectionRequired,
    RefreshTokenReused,
    SecondFactorRequired,
    PlanLimitReached,
    RateLimited,
    DraftConflict,
    TicketClaimed,
    DuplicateLead,
    DomainTaken,
    WorkspaceSuspended,
    UpstreamUnavailable,
    Internal,
}

impl ProblemType {
    pub const ALL: [ProblemType; 27] = [
        ProblemType::MalformedRequest,
        ProblemType::ValidationFailed,
        ProblemType::Unauthenticated,
        ProblemType::Forbidden,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::PayloadTooLarge,
        ProblemType::RequestTimeout,
        ProblemType::UnsupportedMediaType,
        ProblemType::Conflict,
        ProblemType::VersionConflict,
        ProblemType::PreconditionFailed,
        ProblemType::InvalidTransition,
        ProblemType::EmailTaken,
        ProblemType::LastOwner,
        ProblemType::WorkspaceSelectionRequired,
        ProblemType::RefreshTokenReused,
        ProblemType::SecondFactorRequired,
        ProblemType::PlanLimitReached,
        ProblemType::RateLimited,
        ProblemType::DraftConflict,
        ProblemType::TicketClaimed,
        ProblemType::DuplicateLead,
        ProblemType::DomainTaken,
        ProblemType::WorkspaceSuspended,
        ProblemType::UpstreamUnavailable,
        ProblemType::Internal,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ProblemType::MalformedRequest => "malformed-request",
            ProblemType::ValidationFailed => "validation-failed",
            ProblemType::Unauthenticated => "unauthenticated",
            ProblemType::Forbidden => "forbidden",
            ProblemType::NotFound => "not-found",
            ProblemType::MethodNotAllowed => "method-not-allowed",
            ProblemType::PayloadTooLarge => "payload-too-large",
            ProblemType::RequestTimeout => "request-timeout",
            ProblemType::UnsupportedMediaType => "unsupported-media-type",
            ProblemType::Conflict => "conflict",
            ProblemType::VersionConflict => "version-conflict",
            ProblemType::PreconditionFailed => "precondition-failed",
            ProblemType::InvalidTransition => "invalid-transition",
            ProblemType::EmailTaken => "email-taken",
            ProblemType::LastOwner => "last-owner",
            ProblemType::WorkspaceSelectionRequired => "workspace-selection-required",
            ProblemType::RefreshTokenReused => "refresh-token-reused",
            ProblemType::SecondFactorRequired => "second-factor-required",
            ProblemType::PlanLimitReached => "plan-limit-reached",
            ProblemType::RateLimited => "rate-limited",
            ProblemType::DraftConflict => "draft-conflict",
            ProblemType::TicketClaimed => "ticket-claimed",
            ProblemType::DuplicateLead => "duplicate-lead",
            ProblemType::DomainTaken => "domain-taken",
            ProblemType::WorkspaceSuspended => "workspace-suspended",
            ProblemType::UpstreamUnavailable => "upstream-unavailable",
            ProblemType::Internal => "internal",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ProblemType::MalformedRequest => StatusCode::BAD_REQUEST,
            ProblemType::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemType::Unauthenticated | ProblemType::RefreshTokenReused | ProblemType::SecondFactorRequired => {
                StatusCode::UNAUTHORIZED
            }
            ProblemType::Forbidden | ProblemType::WorkspaceSuspended => StatusCode::FORBIDDEN,
            ProblemType::NotFound => StatusCode::NOT_FOUND,
            ProblemType::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemType::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemType::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ProblemType::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemType::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ProblemType::Conflict
            | ProblemType::VersionConflict
            | ProblemType::InvalidTransition
            | ProblemType::EmailTaken
            | ProblemType::LastOwner
            | ProblemType::WorkspaceSelectionRequired
            | ProblemType::DraftConflict
            | ProblemType::TicketClaimed
            | ProblemType::DuplicateLead
            | ProblemType::DomainTaken => StatusCode::CONFLICT,
            ProblemType::PlanLimitReached => StatusCode::PAYMENT_REQUIRED,
            ProblemType::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ProblemType::UpstreamUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemType::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemType::MalformedRequest => "The request could not be read",
            ProblemType::ValidationFailed => "Some fields are invalid",
            ProblemType::Unauthenticated => "Authentication is required",
            ProblemType::Forbidden => "You are not allowed to do this",
            ProblemType::NotFound => "Not found",
            ProblemType::MethodNotAllowed => "Method not allowed",
            ProblemType::PayloadTooLarge => "The request body is too large",
            ProblemType::RequestTimeout => "The request body did not arrive in time",
            ProblemType::UnsupportedMediaType => "Unsupported content type",
            ProblemType::Conflict => "The request conflicts with the current state",
            ProblemType::VersionConflict => "Someone else changed this first",
            ProblemType::PreconditionFailed => "The record changed since the version in If-Match",
            ProblemType::InvalidTransition => "The ticket's lifecycle does not allow this",
            ProblemType::EmailTaken => "This e-mail is already in use here",
            ProblemType::LastOwner => "A workspace needs an active owner",
            ProblemType::WorkspaceSelectionRequired => "Choose a workspace",
            ProblemType::RefreshTokenReused => "This session was revoked",
            ProblemType::SecondFactorRequired => "An authenticator code is required",
            ProblemType::PlanLimitReached => "Your plan's limit is reached",
            ProblemType::RateLimited => "Too many requests",
            ProblemType::DraftConflict => "New messages arrived while you were writing",
            ProblemType::TicketClaimed => "Someone else is working on this ticket",
            ProblemType::DuplicateLead => "A lead with this e-mail exists",
            ProblemType::DomainTaken => "A company with this domain exists",
            ProblemType::WorkspaceSuspended => "This workspace is suspended",
            ProblemType::UpstreamUnavailable => "A service this depends on did not answer; try again shortly",
            ProblemType::Internal => "Something went wrong on our side",
        }
    }

    /// The `type` URI: relative to the API's origin, where docs/api.md documents each one.
    pub fn uri(self) -> String {
        format!("/problems/{}", self.slug())
    }
}

/// A problem+json response body.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemType,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extra members defined by the problem type (e.g. `limit` for plan limits).
    pub extensions: Map<String, Value>,
    /// Extra response headers (e.g. `allow`).
    pub headers: Vec<(&'static str, String)>,
}

/// The documented shape of every error response.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub request_id: String,
    /// Field errors, for `validation-failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    /// Path of the field in the request, e.g. `email` or `items[2].name`.
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        Self { kind, detail: detail.into(), errors: Vec::new(), extensions: Map::new(), headers: Vec::new() }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!("{} {}", only.field, only.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self { errors, ..Self::new(ProblemType::ValidationFailed, detail) }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::MalformedRequest, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Unauthenticated, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemType::Forbidden, detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ProblemType::NotFound, format!("{what} was not found"))
    }

    pub fn internal() -> Self {
        Self::new(ProblemType::Internal, "The error was logged; please retry, or quote the request id to support.")
    }

    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(name.to_owned(), value.into());
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    pub fn into_response(self, request_id: &str) -> Response<Body> {
        let mut body = Map::new();
        body.insert("type".into(), self.kind.uri().into());
        body.insert("title".into(), self.kind.title().into());
        body.insert("status".into(), self.kind.status().as_u16().into());
        body.insert("detail".into(), self.detail.into());
        body.insert("request_id".into(), request_id.into());
        if !self.errors.is_empty() {
            let errors = self
                .errors
                .into_iter()
                .map(|error| serde_json::json!({"field": error.field, "message": error.message}))
                .collect::<Vec<_>>();
            body.insert("errors".into(), errors.into());
        }
        for (name, value) in self.extensions {
            body.entry(name).or_insert(value);
        }
        let mut response = Response::builder()
            .status(self.kind.status())
            .header("content-type", "application/problem+json")
            .header("cache-control", "no-store");
        for (name, value) in self.headers {
            response = response.header(name, value);
        }
        response.body(Body::Text(Value::Object(body).to_string())).expect("problem responses have valid parts")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &Response<Body>) -> Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn renders_rfc9457_with_field_errors() {
        let response = Problem::validation(vec![FieldError::new("email", "is required")]).into_response("req-1");
        assert_eq!(response.status(), 422);
        assert_eq!(response.headers()["content-type"], "application/problem+json");
        let body = body(&response);
        assert_eq!(body["type"], "/problems/validation-failed");
        assert_eq!(body["detail"], "email is required");
        assert_eq!(body["errors"][0]["field"], "email");
        assert_eq!(body["request_id"], "req-1");
    }

    #[test]
    fn extensions_cannot_overwrite_standard_members() {
        let response = Problem::forbidden("no").with("status", 200).with("limit", 3).into_response("r");
        let body = body(&response);
        assert_eq!(body["status"], 403);
        assert_eq!(body["limit"], 3);
    }

    #[test]
    fn slugs_are_unique() {
        let mut slugs: Vec<_> = ProblemType::ALL.iter().map(|kind| kind.slug()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemType::ALL.len());
    }
}
