//! Reading requests: the route, the principal, JSON bodies, path and query parameters.
//! Anything malformed becomes a 4xx [`Problem`] that says what was wrong.

use std::str::FromStr;

use lambda_http::{Body, Request, RequestExt, http::Method, request::RequestContext};
use serde::de::DeserializeOwned;

use super::{Problem, ProblemType, preconditions};
use crate::auth::{MemberPrincipal, Principal};
use crate::domain::{FieldError, rbac::Permission};
use crate::storage::PageParams;

/// JSON request bodies are small; anything bigger is refused before parsing.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// The method and the route template (`/api/v1/users/{id}`) API Gateway matched.
pub fn route(req: &Request) -> (Method, String) {
    let resource = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => context.resource_path.clone(),
        _ => None,
    };
    (req.method().clone(), resource.unwrap_or_else(|| req.uri().path().to_owned()))
}

/// The authorizer's context field set when the caller's workspace is suspended: why (`payment`, `staff`).
pub const SUSPENDED_CONTEXT: &str = "workspace_suspended";

/// A suspended workspace's members and keys get 403 `workspace-suspended` on every route (the authorizer
/// read the workspace and said so); staff, who belong to no workspace, never do.
pub fn suspension_refusal(req: &Request) -> Option<Problem> {
    let fields = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => Some(context.authorizer.fields.clone()),
        _ => None,
    }?;
    let reason = fields.get(SUSPENDED_CONTEXT)?.as_str()?.to_owned();
    let detail = match reason.as_str() {
        "payment" => {
            "This workspace is suspended: its subscription is unpaid. Nothing was removed; an owner can pay \
             the open invoice in the billing portal and everything works again."
        }
        _ => {
            "This workspace is suspended by Switchboard's staff. Nothing was removed; contact support to have it \
              reactivated."
        }
    };
    Some(Problem::new(ProblemType::WorkspaceSuspended, detail).with("reason", reason))
}

/// The caller as the authorizer established it.
pub fn principal(req: &Request) -> Result<Principal, Problem> {
    let fields = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(context)) => Some(&context.authorizer.fields),
        _ => None,
    };
    fields
        .and_then(Principal::from_context)
        .ok_or_else(|| Problem::unauthenticated("Send a valid access token as `Authorization: Bearer <token>`."))
}

/// The caller, who must be a member of a workspace (platform staff are refused).
pub fn member(req: &Request) -> Result<MemberPrincipal, Problem> {
    match principal(req)? {
        Principal::Member(member) => Ok(member),
        // A key acts as its creator; its scopes were checked against the route by `serve`.
        Principal::ApiKey(key) => Ok(key.member),
        Principal::Staff { .. } => Err(Problem::forbidden("Platform staff act through the platform API only.")),
    }
}

/// Refuses with 403 unless the member's role grants `permission`.
pub fn require(member: &MemberPrincipal, permission: Permission) -> Result<(), Problem> {
    if member.can(permission) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "Your role ({}) does not include the permission {}.",
            member.role.as_str(),
            permission.as_str()
        ))
        .with("permission", permission.as_str()))
    }
}

/// Parses a JSON body into `T`: 415 for another content type, 413 when too large, 400 when not JSON,
/// 422 naming the field when JSON of the wrong shape (missing field, wrong type, unknown value).
pub fn json_body<T: DeserializeOwned>(req: &Request) -> Result<T, Problem> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(Problem::new(
            ProblemType::PayloadTooLarge,
            format!("The body has {} bytes; the limit is {MAX_JSON_BODY_BYTES}.", bytes.len()),
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::malformed("A JSON request body is required."));
    }
    let content_type = req.headers().get("content-type").and_then(|value| value.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(Problem::new(
            ProblemType::UnsupportedMediaType,
            format!("Send the body as application/json (got {:?}).", content_type),
        ));
    }
    let parsed = if req.headers().contains_key(preconditions::IF_MATCH) {
        // `If-Match` stands for the body's `version` (preconditions.rs).
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|err| Problem::malformed(format!("The body is not valid JSON: {err}.")))?;
        serde_path_to_error::deserialize(preconditions::versioned_body(req, value)?)
    } else {
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(bytes))
    };
    parsed.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                // "missing field `x`" is reported at the parent; name the field itself.
                let missing = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`'));
                let error = match (missing, path.as_str()) {
                    (Some(field), ".") => FieldError::new(field, "is required"),
                    (Some(field), parent) => FieldError::new(format!("{parent}.{field}"), "is required"),
                    (None, ".") => FieldError::new("body", message),
                    (None, _) => FieldError::new(path, message),
                };
                preconditions::unversioned(req, &error.field, &error.message)
                    .unwrap_or_else(|| Problem::validation(vec![error]))
            }
            _ => Problem::malformed(format!("The body is not valid JSON: {inner}.")),
        }
    })
}

/// serde_json appends "at line 1 column 12" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) => message[..index].to_owned(),
        None => message.to_owned(),
    }
}

/// A path parameter parsed as `T`; an unparseable id can name nothing, so it is a 404.
pub fn path_id<T: FromStr>(req: &Request, name: &str, what: &str) -> Result<T, Problem> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
        .and_then(|raw| raw.parse().ok())
        .ok_or_else(|| Problem::not_found(what))
}

pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref().and_then(|params| params.first(name)).map(str::to_owned)
}

/// Reading a page request from the query string is HTTP's part; what a page is belongs to storage.
impl PageParams {
    /// `?limit=&cursor=` for list endpoints: the default limit without one, 422 outside 1 to the maximum.
    pub fn from_request(req: &Request) -> Result<Self, Problem> {
        let limit = match query_param(req, "limit") {
            None => Self::DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<i32>() {
                Ok(limit) if (1..=Self::MAX_LIMIT).contains(&limit) => limit,
                _ => {
                    return Err(Problem::field(
                        "limit",
                        format!("must be a whole number from 1 to {}", Self::MAX_LIMIT),
                    ));
                }
            },
        };
        Ok(Self { limit, cursor: query_param(req, "cursor").filter(|cursor| !cursor.is_empty()) })
    }
}

/// The version in an `If-Match` header, if one was sent ([`preconditions::if_match`]).
pub fn if_match_version(req: &Request) -> Result<Option<u64>, Problem> {
    preconditions::if_match(req)
}
