//! `Idempotency-Key` on POST: a retry gets the first attempt's answer and does the work once; the key
//! is the caller's own; another request under a used key, or a key still in use, is refused.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::{Client, Reply, add_member, signup, unique_email};

async fn create_ticket(client: &Client, key: &str, subject: &str) -> Reply {
    let body = json!({"subject": subject, "body": "Hello", "customer": {"email": "retry@example.com"}});
    client.send_with(Method::POST, "/api/v1/tickets", Some(&body), &[("Idempotency-Key", key)]).await
}

async fn tickets_titled(client: &Client, subject: &str) -> usize {
    let page = client.get("/api/v1/tickets?limit=100").await.expect(200);
    page.body["items"].as_array().unwrap().iter().filter(|t| t["subject"] == subject).count()
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing_more() {
    let owner = signup("Idempotent Co").await;
    let client = owner.client();
    let key = unique_email("key");
    let first = create_ticket(&client, &key, "Printer on fire").await.expect(201);
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = create_ticket(&client, &key, "Printer on fire").await.expect(201);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(again.body["number"], first.body["number"]);
    assert_eq!(tickets_titled(&client, "Printer on fire").await, 1);

    // The same key for another request is refused, naming the header; nothing is created.
    let other = create_ticket(&client, &key, "Printer still on fire").await.expect_problem(422, "validation-failed");
    assert_eq!(other.field_errors(), ["Idempotency-Key"]);
    assert_eq!(tickets_titled(&client, "Printer still on fire").await, 0);
}

#[tokio::test]
async fn concurrent_attempts_with_one_key_create_one_ticket() {
    let owner = signup("Idempotent Rush").await;
    let client = owner.client();
    let key = unique_email("rush");
    let replies = futures::future::join_all((0..8).map(|_| create_ticket(&client, &key, "Double click"))).await;
    let created: Vec<&Value> = replies.iter().filter(|r| r.status == 201).map(|r| &r.body["id"]).collect();
    assert!(!created.is_empty(), "one attempt creates");
    assert!(created.iter().all(|id| *id == created[0]), "every 201 is the same ticket");
    for reply in replies.iter().filter(|r| r.status != 201) {
        assert_eq!(reply.status, 409, "the others wait for the first: {}", reply.body);
        assert_eq!(reply.headers["retry-after"], "1");
    }
    assert_eq!(tickets_titled(&client, "Double click").await, 1);
}

#[tokio::test]
async fn a_refused_request_gives_its_key_back_and_keys_are_each_callers_own() {
    let owner = signup("Idempotent Fix").await;
    let client = owner.client();
    let key = unique_email("fix");
    let bad = json!({"subject": "", "body": "Hello", "customer": {"email": "fix@example.com"}});
    client
        .send_with(Method::POST, "/api/v1/tickets", Some(&bad), &[("Idempotency-Key", &key)])
        .await
        .expect_problem(422, "validation-failed");
    create_ticket(&client, &key, "Fixed subject").await.expect(201);

    // A teammate's same key is theirs alone: their request runs.
    let agent = add_member(&owner, "agent").await;
    let theirs = create_ticket(&agent.client(), &key, "Fixed subject").await.expect(201);
    assert!(theirs.headers.get("idempotent-replayed").is_none());
    assert_eq!(tickets_titled(&client, "Fixed subject").await, 2);

    // A key that is not visible ASCII is refused.
    create_ticket(&client, "two words", "Spaced").await.expect_problem(422, "validation-failed");
}
