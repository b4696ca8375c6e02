//! API conventions: problem+json for bad input, request ids, routing errors, the OpenAPI document.

use reqwest::Method;
use serde_json::json;
use switchboard_tests::{Client, signup};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    Client::new()
        .send_raw(Method::POST, "/api/v1/auth/signup", "application/json", b"{\"email\": ".to_vec())
        .await
        .expect_problem(400, "malformed-request");
}

#[tokio::test]
async fn wrong_types_missing_and_unknown_fields_name_the_field() {
    let client = Client::new();
    let wrong_type = client
        .post("/api/v1/auth/signup", json!({"workspace_name": 42, "name": "A", "email": "a@b.co", "password": "x"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(wrong_type.field_errors(), ["workspace_name"]);

    let missing = client
        .post("/api/v1/auth/signup", json!({"workspace_name": "W", "email": "a@b.co", "password": "long enough pw"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(missing.field_errors(), ["name"]);

    let unknown = client
        .post("/api/v1/auth/login", json!({"email": "a@b.co", "password": "x", "is_admin": true}))
        .await
        .expect_problem(422, "validation-failed");
    assert!(unknown.body["detail"].as_str().unwrap().contains("is_admin"));
}

#[tokio::test]
async fn unknown_enum_values_are_refused_with_the_allowed_ones() {
    let owner = signup("Enum Co").await;
    let reply = owner
        .client()
        .post(
            "/api/v1/users",
            json!({"email": "x@example.com", "name": "X", "role": "superuser", "password": "long enough pw"}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["role"]);
    assert!(reply.body["errors"][0]["message"].as_str().unwrap().contains("owner, admin, manager, agent, viewer"));
}

#[tokio::test]
async fn other_content_types_empty_and_oversized_bodies_are_refused() {
    let client = Client::new();
    client
        .send_raw(Method::POST, "/api/v1/auth/login", "text/plain", b"email=a".to_vec())
        .await
        .expect_problem(415, "unsupported-media-type");
    client
        .send_raw(Method::POST, "/api/v1/auth/login", "application/json", Vec::new())
        .await
        .expect_problem(400, "malformed-request");
    let huge = format!("{{\"email\": \"{}\", \"password\": \"x\"}}", "a".repeat(70 * 1024));
    client
        .send_raw(Method::POST, "/api/v1/auth/login", "application/json", huge.into_bytes())
        .await
        .expect_problem(413, "payload-too-large");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let client = Client::new();
    let ok = client.get("/api/v1/health").await.expect(200);
    assert_eq!(ok.body["status"], "ok");
    let problem = client.get("/api/v1/me").await.expect_problem(401, "unauthenticated");
    for reply in [ok, problem] {
        assert!(reply.headers.get("x-request-id").is_some_and(|id| !id.is_empty()));
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let client = Client::new();
    client.get("/api/v1/nope").await.expect_problem(404, "not-found");
    let refused = client.send(Method::DELETE, "/api/v1/health", None).await.expect_problem(405, "method-not-allowed");
    assert_eq!(refused.headers["allow"], "GET", "a 405 lists the methods the path takes (RFC 9110)");
}

/// A literal path is its own resource, as in API Gateway: `PATCH /tickets/counts` is a 405 from
/// `/tickets/counts`, never a call to `PATCH /tickets/{id}` with the id "counts".
#[tokio::test]
async fn a_literal_path_is_not_taken_for_an_id() {
    let owner = signup("Literal paths").await;
    let client = owner.client();
    for path in ["/api/v1/tickets/counts", "/api/v1/leads/counts"] {
        let refused = client.patch(path, json!({"version": 1})).await.expect_problem(405, "method-not-allowed");
        assert_eq!(refused.headers["allow"], "GET", "{path}");
    }
    let statuses =
        client.send(Method::DELETE, "/api/v1/leads/statuses", None).await.expect_problem(405, "method-not-allowed");
    assert_eq!(statuses.headers["allow"], "GET, PUT");
}

#[tokio::test]
async fn missing_and_forged_tokens_are_401() {
    let client = Client::new();
    client.get("/api/v1/me").await.expect_problem(401, "unauthenticated");
    client.with_token("not-a-jwt").get("/api/v1/me").await.expect_problem(401, "unauthenticated");
    let forged = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImxvY2FsIn0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    client.with_token(forged).get("/api/v1/me").await.expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_openapi_document_and_reference_page_are_served() {
    let client = Client::new();
    let spec = client.get("/api/v1/openapi.json").await.expect(200);
    assert!(spec.body["openapi"].as_str().unwrap().starts_with("3."));
    for path in ["/api/v1/auth/signup", "/api/v1/users/{id}", "/api/v1/me"] {
        assert!(spec.body["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    let page = client.get("/api/docs/index.html").await.expect(200);
    assert!(page.body.as_str().unwrap().contains("<html"));
}

/// Writes `head` (and no more) to the gateway over raw TCP, then reads until the gateway closes the
/// connection: what it answered, and after how long.
async fn stall_after(head: &[u8]) -> (std::time::Duration, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = switchboard_tests::stack().url.trim_start_matches("http://").to_owned();
    let mut tcp = tokio::net::TcpStream::connect(address).await.expect("the gateway accepts");
    tcp.write_all(head).await.expect("the gateway reads");
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(40), tcp.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection is still open after 40 s");
    (started.elapsed(), String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_request_that_stalls_in_its_headers_or_its_body_is_cut_off_within_seconds() {
    let body = stall_after(
        b"POST /api/v1/auth/login HTTP/1.1\r\nhost: local\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"email\":",
    );
    let headers = stall_after(b"GET /api/v1/health HTTP/1.1\r\nhost: local\r\nx-slow: ");
    let ((body_after, body_answer), (headers_after, headers_answer)) = tokio::join!(body, headers);
    assert!(body_answer.starts_with("HTTP/1.1 408"), "{body_answer}");
    assert!(body_answer.contains("/problems/request-timeout"), "{body_answer}");
    assert!(body_after < std::time::Duration::from_secs(25), "the body was awaited for {body_after:?}");
    assert!(
        headers_answer.is_empty() || headers_answer.starts_with("HTTP/1.1 408"),
        "unfinished headers get no other answer: {headers_answer}"
    );
    assert!(headers_after < std::time::Duration::from_secs(30), "the headers were awaited for {headers_after:?}");
    // The gateway still serves everyone else.
    Client::new().get("/api/v1/health").await.expect(200);
}

/// A problem's `type` is an absolute URI that resolves to its documentation, for every type the API
/// knows: a client (or a person reading a log) can follow it to what went wrong and what to do.
#[tokio::test]
async fn problem_types_are_absolute_uris_that_resolve_to_their_documentation() {
    let client = Client::new();
    let owner = signup("Problem Docs Co").await;
    let unknown = format!("/api/v1/tickets/{}", uuid::Uuid::now_v7());
    let missing = owner.client().get(&unknown).await.expect_problem(404, "not-found");
    let uri = missing.body["type"].as_str().unwrap().to_owned();
    assert!(uri.starts_with("http://") || uri.starts_with("https://"), "absolute: {uri}");
    let page = reqwest::get(&uri).await.unwrap();
    assert_eq!(page.status(), 200, "{uri} resolves");
    let page: serde_json::Value = page.json().await.unwrap();
    assert_eq!(page["type"], uri);
    assert_eq!(page["title"], missing.body["title"]);
    assert_eq!(page["status"], 404);
    assert!(page["description"].as_str().is_some_and(|text| text.len() > 20), "{page}");

    let all = client.get("/api/v1/problems").await.expect(200);
    let items = all.body["items"].as_array().unwrap();
    assert!(items.len() >= 20, "{}", all.body);
    for item in items {
        let slug = item["slug"].as_str().unwrap();
        assert!(switchboard_tests::is_problem_type(&item["type"], slug), "{item}");
        assert!(item["description"].as_str().is_some_and(|text| !text.is_empty()), "{slug} is described");
    }
    client.get("/api/v1/problems/no-such-problem").await.expect_problem(404, "not-found");
}
