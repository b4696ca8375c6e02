//! `Idempotency-Key` on POST, with Stripe's semantics: a retried request carrying the key its first
//! attempt carried gets that attempt's answer instead of doing the work twice.
//!
//! - Keys belong to the caller (a member, or an API key) within the workspace, for 24 hours.
//! - The same key with the same request (method, path, query and body) replays the stored answer, with
//!   `Idempotent-Replayed: true`; with another request it is a 422 naming `Idempotency-Key`.
//! - While the first attempt runs, a second one is a 409 with `Retry-After: 1`.
//! - Only successful answers are kept: a refused request (4xx) or our failure (5xx) gives the key back,
//!   so the client may correct the request and send it again under the same key.
//! - Requests without a caller (sign-up, login) and platform staff's ignore the header.

use lambda_http::{Body, Request, Response, http::Method};
use sha2::{Digest, Sha256};

use super::{HandlerResult, Problem, ProblemType, principal};
use crate::App;
use crate::auth::Principal;
use crate::storage::idempotency::{Claim, KeyRef, StoredAnswer};

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// How long a key and its answer are kept.
pub const KEEP_SECONDS: i64 = 24 * 60 * 60;
/// A claim with no answer lapses after this long (longer than any API function's timeout), so a
/// request that died mid-way does not hold its key for a day.
const LOCK_SECONDS: i64 = 120;
/// Answers larger than this are not kept (an item holds at most 400 KB); the key is given back.
const MAX_KEPT_BODY: usize = 300 * 1024;

/// The header's key, checked: 1 to 255 visible ASCII characters.
fn key_of(req: &Request) -> Result<Option<&str>, Problem> {
    let Some(raw) = req.headers().get(HEADER) else { return Ok(None) };
    raw.to_str()
        .ok()
        .filter(|key| (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()))
        .map(Some)
        .ok_or_else(|| Problem::field("Idempotency-Key", "must be 1 to 255 visible ASCII characters, without spaces"))
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What makes two requests the same request.
fn request_digest(req: &Request) -> String {
    let target = req.uri().path_and_query().map(|target| target.as_str()).unwrap_or("");
    hex_sha256(&[req.method().as_str().as_bytes(), target.as_bytes(), req.body().as_ref()])
}

/// Runs `handle` under the request's `Idempotency-Key`, if it is a POST that carries one.
pub async fn guarded(app: &App, req: &Request, handle: impl AsyncFnOnce() -> HandlerResult) -> HandlerResult {
    if req.method() != Method::POST {
        return handle().await;
    }
    let Some(key) = key_of(req)? else { return handle().await };
    let (scope, caller) = match principal(req) {
        Ok(Principal::Member(member)) => (member.scope(), member.user_id().to_string()),
        Ok(Principal::ApiKey(key)) => (key.member.scope(), format!("key-{}", key.key_id())),
        Ok(Principal::Staff { .. }) | Err(_) => return handle().await,
    };
    let key_digest = hex_sha256(&[key.as_bytes()]);
    let key_ref = KeyRef { scope: &scope, caller: &caller, key_digest: &key_digest };
    let digest = request_digest(req);
    let now = app.clock.now().as_second();
    let claim = app.store.claim_idempotency_key(&key_ref, &digest, now, LOCK_SECONDS, KEEP_SECONDS).await;
    match claim.map_err(store_failure)? {
        Claim::Claimed => {}
        Claim::InFlight { request_digest } if request_digest != digest => return Err(reused()),
        Claim::InFlight { .. } => {
            return Err(Problem::new(
                ProblemType::Conflict,
                "A request with this Idempotency-Key is still being handled; retry in a moment.",
            )
            .with_header("retry-after", "1"));
        }
        Claim::Answered { request_digest, .. } if request_digest != digest => return Err(reused()),
        Claim::Answered { answer, .. } => return Ok(replay(answer)),
    }
    let outcome = handle().await;
    let kept = match &outcome {
        Ok(response) if response.status().is_success() => kept_answer(response),
        _ => None,
    };
    let finished = match kept {
        Some(answer) => app.store.answer_idempotency_key(&key_ref, &answer).await,
        None => app.store.release_idempotency_key(&key_ref).await,
    };
    if let Err(err) = finished {
        // The work is done and answered; only a retry's replay is lost (it will wait out the lock).
        tracing::error!(error = %err, "could not record the Idempotency-Key's outcome");
    }
    outcome
}

fn reused() -> Problem {
    Problem::field("Idempotency-Key", "was used for another request in the last 24 hours; use a new key")
}

fn store_failure(err: crate::storage::StoreError) -> Problem {
    tracing::error!(error = %err, "the Idempotency-Key could not be claimed");
    Problem::internal()
}

fn kept_answer(response: &Response<Body>) -> Option<StoredAnswer> {
    let body = match response.body() {
        Body::Empty => Vec::new(),
        Body::Text(text) => text.as_bytes().to_vec(),
        Body::Binary(bytes) => bytes.clone(),
        _ => return None,
    };
    if body.len() > MAX_KEPT_BODY {
        return None;
    }
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    Some(StoredAnswer {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        location: header("location"),
        body,
    })
}

fn replay(answer: StoredAnswer) -> Response<Body> {
    let mut response = Response::builder().status(answer.status).header(REPLAYED_HEADER, "true");
    if let Some(content_type) = &answer.content_type {
        response = response.header("content-type", content_type);
    }
    if let Some(location) = &answer.location {
        response = response.header("location", location);
    }
    let body = if answer.body.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(answer.body) {
            Ok(text) => Body::Text(text),
            Err(bytes) => Body::Binary(bytes.into_bytes()),
        }
    };
    response.header("cache-control", "no-store").body(body).unwrap_or_else(|_| Response::new(Body::Empty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)], path: &str, body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder().method("POST").uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::Text(body.to_owned())).unwrap()
    }

    #[test]
    fn a_key_is_visible_ascii_up_to_255_characters() {
        assert_eq!(key_of(&post(&[(HEADER, "order-42")], "/x", "")).unwrap(), Some("order-42"));
        assert_eq!(key_of(&post(&[], "/x", "")).unwrap(), None);
        assert!(key_of(&post(&[(HEADER, "has space")], "/x", "")).is_err());
        assert!(key_of(&post(&[(HEADER, &"k".repeat(256))], "/x", "")).is_err());
        assert!(key_of(&post(&[(HEADER, &"k".repeat(255))], "/x", "")).is_ok());
    }

    #[test]
    fn the_same_request_is_the_same_method_path_query_and_body() {
        let one = request_digest(&post(&[], "/api/v1/tickets?x=1", r#"{"a":1}"#));
        assert_eq!(one, request_digest(&post(&[(HEADER, "k")], "/api/v1/tickets?x=1", r#"{"a":1}"#)));
        assert_ne!(one, request_digest(&post(&[], "/api/v1/tickets?x=2", r#"{"a":1}"#)));
        assert_ne!(one, request_digest(&post(&[], "/api/v1/tickets?x=1", r#"{"a":2}"#)));
        // Parts are length-prefixed, so moving bytes between them changes the digest.
        assert_ne!(request_digest(&post(&[], "/ab", "c")), request_digest(&post(&[], "/a", "bc")));
    }

    #[test]
    fn a_replay_keeps_status_type_location_and_body() {
        let answer = StoredAnswer {
            status: 201,
            content_type: Some("application/json".into()),
            location: Some("/api/v1/tickets/1".into()),
            body: br#"{"id":"1"}"#.to_vec(),
        };
        let response = replay(answer.clone());
        assert_eq!(response.status(), 201);
        assert_eq!(response.headers()[REPLAYED_HEADER], "true");
        assert_eq!(response.headers()["location"], "/api/v1/tickets/1");
        assert_eq!(kept_answer(&response), Some(answer));
    }
}
