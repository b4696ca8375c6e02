//! Conditional requests (RFC 9110 §13) on versioned records. A record's `version` is its entity tag:
//!
//! - Every successful JSON answer that carries a top-level `version` (a record, or a versioned setting
//!   such as the lead statuses) has `ETag: "<version>"`.
//! - Every versioned write takes `If-Match: "<version>"` instead of (or as well as) `version` in the
//!   body or query: the header's version is put where the handler reads it ([`versioned_body`],
//!   [`version_query`]), so each service keeps its one version check.
//! - When that check fails on a request that carried `If-Match`, the answer is `412
//!   precondition-failed` (with the same `current` state a 409 carries), not `409 version-conflict`.
//! - `If-Match` on a write that has no version, or disagreeing with the body's `version`, is a 422
//!   naming `If-Match`.
//!
//! The version is a strong validator of the stored record: fields computed when answering (such as
//! an SLA clock's time left) change without it.

use lambda_http::{Body, Request, Response, http::Method};
use serde::Deserialize;
use serde_json::Value;

use super::{HandlerResult, Problem, ProblemType};

pub const IF_MATCH: &str = "if-match";

/// The version in an `If-Match` header (`"3"`, `3` or `W/"3"`), if one was sent.
pub fn if_match(req: &Request) -> Result<Option<u64>, Problem> {
    let Some(raw) = req.headers().get(IF_MATCH) else { return Ok(None) };
    let text = raw.to_str().unwrap_or("").trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse()
        .map(Some)
        .map_err(|_| Problem::field("If-Match", "must be the version you read, as its ETag gives it, e.g. \"3\""))
}

fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// A JSON body with the `If-Match` version as its `version`, when the request carries one.
pub(super) fn versioned_body(req: &Request, mut body: Value) -> Result<Value, Problem> {
    if !is_write(req.method()) {
        return Ok(body);
    }
    let Some(version) = if_match(req)? else { return Ok(body) };
    let Some(object) = body.as_object_mut() else { return Ok(body) };
    match object.get("version").map(Value::as_u64) {
        None => {
            object.insert("version".into(), version.into());
        }
        Some(Some(stated)) if stated == version => {}
        Some(_) => {
            return Err(Problem::field("If-Match", "disagrees with `version` in the body: send one of them"));
        }
    }
    Ok(body)
}

/// The problem for a body that named no `version` field when `If-Match` put one in.
pub(super) fn unversioned(req: &Request, error_field: &str, message: &str) -> Option<Problem> {
    let injected = is_write(req.method()) && req.headers().contains_key(IF_MATCH);
    (injected && matches!(error_field, "body" | "version") && message.starts_with("unknown field `version`"))
        .then(|| Problem::field("If-Match", "this request changes nothing versioned: send it without If-Match"))
}

/// `?version=` of a versioned delete (`what`: "the deal's"), or else the `If-Match` version; a 422
/// naming `If-Match` when both are sent and differ.
pub fn version_query(req: &Request, what: &str) -> Result<Option<u64>, Problem> {
    let query = match super::query_param(req, "version") {
        None => None,
        Some(raw) => Some(
            raw.trim()
                .parse::<u64>()
                .map_err(|_| Problem::field("version", format!("must be {what} version, e.g. 3")))?,
        ),
    };
    match (query, if_match(req)?) {
        (Some(query), Some(header)) if query != header => {
            Err(Problem::field("If-Match", "disagrees with `version` in the query: send one of them"))
        }
        (query, header) => Ok(query.or(header)),
    }
}

/// Runs `handle`, then: a stale version on a request with `If-Match` becomes a 412; a successful JSON
/// answer with a top-level `version` gets its `ETag`.
pub async fn guarded(req: &Request, handle: impl AsyncFnOnce() -> HandlerResult) -> HandlerResult {
    let conditional = is_write(req.method()) && req.headers().contains_key(IF_MATCH);
    match handle().await {
        Err(problem) if conditional && problem.kind == ProblemType::VersionConflict => {
            Err(Problem { kind: ProblemType::PreconditionFailed, ..problem })
        }
        Ok(response) => Ok(with_etag(response)),
        failed => failed,
    }
}

#[derive(Deserialize)]
struct TopLevelVersion {
    version: Option<u64>,
}

fn with_etag(mut response: Response<Body>) -> Response<Body> {
    let json = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !response.status().is_success() || !json || response.headers().contains_key("etag") {
        return response;
    }
    let Body::Text(text) = response.body() else { return response };
    // Lists hold versions deeper down; only a top-level one names the answer's record.
    if !text.contains("\"version\"") {
        return response;
    }
    if let Ok(TopLevelVersion { version: Some(version) }) = serde_json::from_str::<TopLevelVersion>(text)
        && let Ok(value) = format!("\"{version}\"").parse()
    {
        response.headers_mut().insert("etag", value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(method: Method, if_match: Option<&str>) -> Request {
        let mut builder = lambda_http::http::Request::builder().method(method).uri("/api/v1/things/1");
        if let Some(value) = if_match {
            builder = builder.header(IF_MATCH, value);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn if_match_reads_strong_weak_and_bare_versions() {
        for header in ["\"3\"", "W/\"3\"", "3"] {
            assert_eq!(if_match(&request(Method::PATCH, Some(header))).unwrap(), Some(3), "{header}");
        }
        assert!(if_match(&request(Method::PATCH, Some("\"three\""))).is_err());
        assert_eq!(if_match(&request(Method::PATCH, None)).unwrap(), None);
    }

    #[test]
    fn the_header_version_goes_into_the_body_unless_it_disagrees() {
        let req = request(Method::PATCH, Some("\"4\""));
        assert_eq!(versioned_body(&req, json!({"name": "x"})).unwrap(), json!({"name": "x", "version": 4}));
        assert_eq!(versioned_body(&req, json!({"version": 4})).unwrap(), json!({"version": 4}));
        let disagreeing = versioned_body(&req, json!({"version": 3})).unwrap_err();
        assert_eq!(disagreeing.errors[0].field, "If-Match");
        // Reads are never changed.
        let read = request(Method::GET, Some("\"4\""));
        assert_eq!(versioned_body(&read, json!({})).unwrap(), json!({}));
    }

    #[tokio::test]
    async fn a_stale_if_match_is_412_and_answers_carry_their_etag() {
        let stale = guarded(&request(Method::PATCH, Some("\"1\"")), async || {
            Err(Problem::new(ProblemType::VersionConflict, "changed"))
        })
        .await
        .unwrap_err();
        assert_eq!(stale.kind, ProblemType::PreconditionFailed);
        let without_header =
            guarded(&request(Method::PATCH, None), async || Err(Problem::new(ProblemType::VersionConflict, "changed")))
                .await
                .unwrap_err();
        assert_eq!(without_header.kind, ProblemType::VersionConflict);

        let record = guarded(&request(Method::GET, None), async || {
            Ok(super::super::json(lambda_http::http::StatusCode::OK, &json!({"id": "a", "version": 7})))
        })
        .await
        .unwrap();
        assert_eq!(record.headers()["etag"], "\"7\"");
        let list = guarded(&request(Method::GET, None), async || {
            Ok(super::super::json(lambda_http::http::StatusCode::OK, &json!({"items": [{"version": 7}]})))
        })
        .await
        .unwrap();
        assert!(!list.headers().contains_key("etag"));
    }
}
