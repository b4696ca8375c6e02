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

    /// What the problem means and what the caller can do about it: the body of its documentation page
    /// (the `type` URI answers it; docs/api.md lists the same).
    pub fn description(self) -> &'static str {
        match self {
            ProblemType::MalformedRequest => {
                "The body is not the JSON the operation takes, or a parameter cannot be read. Fix the request; retrying it as it is will fail again."
            }
            ProblemType::ValidationFailed => {
                "The request was read but some values are not allowed. `errors` names each field (its path in the request) and what it must be."
            }
            ProblemType::Unauthenticated => {
                "No valid credentials: send `Authorization: Bearer <access token>` (refresh an expired one) or an API key. A sign-in that failed answers this too."
            }
            ProblemType::Forbidden => {
                "The caller is known but may not do this: the role (`permission` names what is missing) or the API key's scopes (`scope`) do not allow it."
            }
            ProblemType::NotFound => {
                "No such record in this workspace, or no such route. Records of other workspaces are never revealed: they are not found."
            }
            ProblemType::MethodNotAllowed => {
                "The path exists but not with this method; the `Allow` header lists the ones it takes."
            }
            ProblemType::PayloadTooLarge => "The body is larger than the operation accepts; `detail` gives the limit.",
            ProblemType::RequestTimeout => "The request's headers or body did not arrive in time; send it again.",
            ProblemType::UnsupportedMediaType => {
                "Send the body as `application/json` (or the type the operation documents)."
            }
            ProblemType::Conflict => {
                "The request cannot be applied to the record as it is now (e.g. an Idempotency-Key reused with another body, or still in use). `detail` says why."
            }
            ProblemType::VersionConflict => {
                "The record changed after the version you sent. `current`, when present, holds its state now: re-apply your change to it and retry."
            }
            ProblemType::PreconditionFailed => {
                "The `If-Match` ETag is not the record's current one: someone changed it. Read it again (new ETag) and retry."
            }
            ProblemType::InvalidTransition => {
                "The ticket's lifecycle does not allow this change: `from` and `to` name it, `allowed` lists the statuses it may move to."
            }
            ProblemType::EmailTaken => "Another member of this workspace already has this e-mail address.",
            ProblemType::LastOwner => {
                "The change would leave the workspace without an active owner: make someone else owner first."
            }
            ProblemType::WorkspaceSelectionRequired => {
                "The e-mail belongs to several workspaces: sign in again naming one of those listed in `workspaces`."
            }
            ProblemType::RefreshTokenReused => {
                "A refresh token was used twice, so the session was revoked to protect the account. Sign in again."
            }
            ProblemType::SecondFactorRequired => {
                "The account has a second factor: send the authenticator's current code."
            }
            ProblemType::PlanLimitReached => {
                "The workspace's plan does not allow more of this. `limit_kind`, `limit`, `used` and `plan` say where it stands, `upgrade_url` where to raise it; records over a lowered limit are kept (`records_kept`). Nothing was written."
            }
            ProblemType::RateLimited => "Too many requests: wait for `Retry-After` seconds, then retry.",
            ProblemType::DraftConflict => {
                "New messages arrived on the ticket while the reply was written: `messages` lists them; send again with `draft_version` set to `current_version`, or with `confirm: true`."
            }
            ProblemType::TicketClaimed => {
                "Another member has claimed this ticket (`claim` says who and until when); send with `confirm: true` to reply anyway."
            }
            ProblemType::DuplicateLead => {
                "A lead with this e-mail exists in the workspace (`existing_lead_id`): change it, merge into it, or create with `?on_duplicate=merge`."
            }
            ProblemType::DomainTaken => {
                "A company with this domain exists in the workspace (`existing_company_id`): change it, or use another domain."
            }
            ProblemType::WorkspaceSuspended => {
                "The workspace is suspended (`reason`: billing or platform staff): its data is kept, but nothing can be read or changed until it is reactivated."
            }
            ProblemType::UpstreamUnavailable => {
                "A service this request depends on (e.g. the payment provider) did not answer or refused for now. Nothing was changed; retry in a moment."
            }
            ProblemType::Internal => {
                "A fault on our side, logged with the request id. Retry later; quote `request_id` to support if it persists."
            }
        }
    }

    /// The type whose slug this is.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.slug() == slug)
    }

    /// The `type` URI: absolute, `<public origin>/api/v1/problems/<slug>`, which answers the type's
    /// documentation. Without a configured origin (a stack deployed before its web address was set)
    /// it is the same path, relative to the API's origin.
    pub fn uri(self) -> String {
        let origin = PUBLIC_ORIGIN.try_with(String::clone).unwrap_or_default();
        format!("{origin}{PROBLEM_DOCS}/{}", self.slug())
    }
}

/// Where each problem type's documentation is served (`GET /api/v1/problems/{slug}`).
pub const PROBLEM_DOCS: &str = "/api/v1/problems";

tokio::task_local! {
    /// The public origin of the request being served ([`with_public_origin`]).
    static PUBLIC_ORIGIN: String;
}

/// Runs `work` (one request) with `type` URIs absolute under `origin` (e.g. `https://app.example.com`,
/// from configuration); empty leaves them relative. Per request, not per process: the local stack
/// serves several stacks' functions from one process.
pub async fn with_public_origin<F: std::future::Future>(origin: &str, work: F) -> F::Output {
    PUBLIC_ORIGIN.scope(origin.trim_end_matches('/').to_owned(), work).await
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
    /// The members some types add (each type's page says which); absent elsewhere.
    #[serde(flatten)]
    pub extensions: ProblemExtensions,
}

/// The extension members problem types define, typed for clients (RFC 9457 §3.2).
#[derive(Serialize, ToSchema, Default)]
pub struct ProblemExtensions {
    /// `invalid-transition`: the statuses the ticket may move to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// `invalid-transition`: the status it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `invalid-transition`: the status asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `version-conflict`: the record as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
    /// `workspace-selection-required`: the workspaces the e-mail may sign in to.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub workspaces: Option<Vec<serde_json::Value>>,
    /// `plan-limit-reached`: which limit (`seats`, `tickets_per_month`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_kind: Option<String>,
    /// `plan-limit-reached`: the plan's limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// `plan-limit-reached`: what the workspace uses now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used: Option<u64>,
    /// `plan-limit-reached`: the workspace's plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// `plan-limit-reached`: records over a lowered limit, all kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records_kept: Option<u64>,
    /// `plan-limit-reached`: where to upgrade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upgrade_url: Option<String>,
    /// `draft-conflict`: the version to send the reply against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u64>,
    /// `draft-conflict`: the messages that arrived meanwhile.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub messages: Option<Vec<serde_json::Value>>,
    /// `ticket-claimed`: who holds the claim, until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub claim: Option<serde_json::Value>,
    /// `duplicate-lead`: the lead that has the e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_lead_id: Option<String>,
    /// `domain-taken`: the company that has the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_company_id: Option<String>,
    /// `duplicate-lead`, `domain-taken`, `email-taken`: the field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `forbidden`: the permission the caller lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// `forbidden`: the API key scope the route needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `workspace-suspended`: why (`payment`, `staff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `conflict` (a stage in use): the stage and its open deals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_deals: Option<u64>,
    /// `rate-limited`: seconds to wait (also in `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
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
        assert!(body["type"].as_str().unwrap().ends_with("/api/v1/problems/validation-failed"), "{body}");
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
