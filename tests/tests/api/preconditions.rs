//! Conditional requests (RFC 9110): a record's version is its ETag; `If-Match` stands for `version`
//! on every versioned write, and a stale one is 412 with the record's current state.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::{Client, Reply, signup, unique_email};

use crate::tickets::new_ticket;

async fn with_if_match(client: &Client, method: Method, path: &str, if_match: &str, body: Option<Value>) -> Reply {
    client.send_with(method, path, body.as_ref(), &[("if-match", if_match)]).await
}

fn etag(reply: &Reply) -> &str {
    reply.headers.get("etag").and_then(|value| value.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn reads_carry_the_version_as_etag_and_if_match_stands_for_it() {
    let owner = signup("Preconditions").await;
    let client = owner.client();
    let lead = client.post("/api/v1/leads", json!({"name": "Grace", "email": unique_email("grace")})).await.expect(201);
    assert_eq!(etag(&lead), "\"1\"", "a created record carries its ETag");
    let path = format!("/api/v1/leads/{}", lead.body["id"].as_str().unwrap());
    let read = client.get(&path).await.expect(200);
    assert_eq!(etag(&read), "\"1\"");

    // The ETag goes back as If-Match, with no version in the body.
    let changed =
        with_if_match(&client, Method::PATCH, &path, etag(&read), Some(json!({"title": "CTO"}))).await.expect(200);
    assert_eq!((etag(&changed), &changed.body["title"]), ("\"2\"", &json!("CTO")));

    // A stale one is a failed precondition, with the lead as it is now; nothing changes.
    let stale = with_if_match(&client, Method::PATCH, &path, "\"1\"", Some(json!({"title": "CEO"})))
        .await
        .expect_problem(412, "precondition-failed");
    assert_eq!(stale.body["current"]["title"], "CTO");
    assert_eq!(client.get(&path).await.expect(200).body["title"], "CTO");

    // The same stale version in the body, without the header, stays a 409.
    client.patch(&path, json!({"version": 1, "title": "CEO"})).await.expect_problem(409, "version-conflict");
    // Header and body disagreeing is the caller's mistake, named.
    let both = with_if_match(&client, Method::PATCH, &path, "\"2\"", Some(json!({"version": 1, "title": "CEO"})))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(both.field_errors(), ["If-Match"]);
    let garbled = with_if_match(&client, Method::PATCH, &path, "yesterday", Some(json!({"title": "CEO"})))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(garbled.field_errors(), ["If-Match"]);
}

#[tokio::test]
async fn a_ticket_read_has_its_etag_and_actions_and_deletes_take_if_match() {
    let owner = signup("Preconditions 2").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "Printer on fire").await;
    let ticket_path = format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap());
    assert_eq!(etag(&client.get(&ticket_path).await.expect(200)), "\"1\"", "the detail's ETag is the ticket's version");

    // A write with no version takes no If-Match: it is named, not silently ignored.
    let unversioned = with_if_match(
        &client,
        Method::POST,
        &format!("{ticket_path}/messages"),
        "\"1\"",
        Some(json!({"body": "On it"})),
    )
    .await
    .expect_problem(422, "validation-failed");
    assert_eq!(unversioned.field_errors(), ["If-Match"]);

    // An action (winning a deal) and a delete (a company) with If-Match instead of `version`.
    let deal =
        client.post("/api/v1/deals", json!({"title": "Printers", "value": 50000, "currency": "EUR"})).await.expect(201);
    let deal_path = format!("/api/v1/deals/{}", deal.body["id"].as_str().unwrap());
    with_if_match(&client, Method::POST, &format!("{deal_path}/won"), "\"5\"", Some(json!({})))
        .await
        .expect_problem(412, "precondition-failed");
    let won = with_if_match(&client, Method::POST, &format!("{deal_path}/won"), etag(&deal), Some(json!({})))
        .await
        .expect(200);
    assert_eq!(won.body["status"], "won");

    let company = client
        .post("/api/v1/companies", json!({"name": "Acme", "domain": "acme-preconditions.example"}))
        .await
        .expect(201);
    let company_path = format!("/api/v1/companies/{}", company.body["id"].as_str().unwrap());
    with_if_match(&client, Method::DELETE, &company_path, "\"9\"", None)
        .await
        .expect_problem(412, "precondition-failed");
    with_if_match(&client, Method::DELETE, &company_path, etag(&company), None).await.expect(204);
    client.get(&company_path).await.expect_problem(404, "not-found");
}
