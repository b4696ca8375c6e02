//! Outbound webhooks against a real local receiver: signatures, retries with the same delivery id, the
//! dead-letter queue and the circuit breaker, replays, secret rotation, plan limits, permissions and
//! isolation between workspaces.

use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use switchboard_tests::receiver::{Behaviour, Received, Receiver};
use switchboard_tests::{Member, add_member, eventually, signup};

use crate::tickets::new_ticket;

const WEBHOOKS: &str = "/api/v1/webhooks";

/// Verifies a delivery as docs/webhooks.md tells receivers to: HMAC-SHA256 over
/// `{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded `whsec_` secret, compared with each
/// `v1,` signature in the header.
pub fn verifies(secret: &str, delivery: &Received) -> bool {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let signed =
        format!("{}.{}.{}", delivery.header("webhook-id"), delivery.header("webhook-timestamp"), delivery.body);
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    delivery.header("webhook-signature").split(' ').any(|signature| signature == expected)
}

async fn register(owner: &Member, receiver: &Receiver, events: Value) -> Value {
    owner
        .client()
        .post(WEBHOOKS, json!({"url": receiver.url, "events": events, "description": "CRM sync"}))
        .await
        .expect(201)
        .body
}

async fn deliveries(owner: &Member, endpoint: &Value) -> Vec<Value> {
    let path = format!("{WEBHOOKS}/{}/deliveries", endpoint["id"].as_str().unwrap());
    owner.client().get(&path).await.expect(200).body["items"].as_array().unwrap().clone()
}

/// How long a delivery may take to reach a state: an upper bound for a loaded machine running the whole
/// suite against one local stand-in, not a speed target (those are in `make bench`). The whole suite's
/// events go through one stream shard of the stand-in, so a test that writes a hundred tickets just
/// before (the monthly ticket limit) puts minutes of backlog ahead of a delivery.
const WITHIN: Duration = Duration::from_secs(360);

/// Waits until the endpoint's only delivery has `status`; returns it.
async fn delivery_with_status(owner: &Member, endpoint: &Value, status: &str) -> Value {
    let mut last = Value::Null;
    let reached = eventually(WITHIN, async || {
        last = deliveries(owner, endpoint).await.first().cloned().unwrap_or(Value::Null);
        last["status"] == status
    })
    .await;
    assert!(reached, "the delivery never became {status}: {last}");
    last
}

#[tokio::test]
async fn a_ticket_event_reaches_the_receiver_signed_with_the_endpoint_secret() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Signed Hooks").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{endpoint}");
    assert_eq!(endpoint["status"], "active");
    assert_eq!(endpoint["secrets"][0]["prefix"], secret[..12], "listed by prefix only");

    let ticket = new_ticket(&owner.client(), "Printer on fire").await;
    assert!(eventually(WITHIN, async || receiver.count() >= 1).await, "nothing was delivered");
    let delivery = &receiver.received()[0];
    assert!(verifies(&secret, delivery), "the signature does not verify: {delivery:?}");
    assert!(!verifies(&format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode([7u8; 32])), delivery));
    assert_eq!(delivery.header("content-type"), "application/json");
    let body = delivery.json();
    assert_eq!(body["type"], "ticket.created");
    assert_eq!(body["data"]["ticket_id"], ticket["id"]);
    assert_eq!(body["data"]["workspace_id"], owner.workspace_id);
    assert_eq!(body["data"]["after"]["subject"], "Printer on fire");

    // The log shows the attempt; the secret is never listed again.
    let logged = delivery_with_status(&owner, &endpoint, "delivered").await;
    assert_eq!(logged["id"], delivery.header("webhook-id"));
    assert_eq!(logged["event_type"], "ticket.created");
    assert_eq!(logged["attempts"][0]["status_code"], 200);
    assert_eq!(logged["attempts"][0]["outcome"], "delivered");
    assert_eq!(logged["attempts"][0]["response"], "ok");
    let listed = owner.client().get(WEBHOOKS).await.expect(200);
    assert!(!listed.body.to_string().contains(&secret[12..]), "a listing reveals the secret");

    // Events the endpoint did not subscribe to are not delivered.
    owner
        .client()
        .post("/api/v1/customers", json!({"name": "Ada", "email": switchboard_tests::unique_email("c")}))
        .await
        .expect(201);
    new_ticket(&owner.client(), "Second").await;
    assert!(eventually(WITHIN, async || receiver.count() >= 2).await);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let types: Vec<String> =
        receiver.received().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect();
    assert_eq!(types, ["ticket.created", "ticket.created"], "only subscribed events, once each");
}

#[tokio::test]
async fn a_receiver_nobody_listens_on_is_logged_as_connect_refused_without_the_network_error() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let owner = signup("Closed Receiver").await;
    let url = format!("http://127.0.0.1:{port}/hooks");
    let endpoint = owner.client().post(WEBHOOKS, json!({"url": url, "events": ["ticket.created"]})).await.expect(201);
    new_ticket(&owner.client(), "Nobody home").await;
    let mut logged = Value::Null;
    let attempted = eventually(WITHIN, async || {
        logged = deliveries(&owner, &endpoint.body).await.first().cloned().unwrap_or(Value::Null);
        logged["attempts"].as_array().is_some_and(|attempts| !attempts.is_empty())
    })
    .await;
    assert!(attempted, "no attempt was made: {logged}");
    let attempt = &logged["attempts"][0];
    assert_eq!(attempt["outcome"], "failed");
    assert_eq!(attempt["error"], "connect_refused", "{attempt}");
    assert!(attempt["status_code"].is_null() && attempt["response"].is_null(), "{attempt}");
}

#[tokio::test]
async fn a_receiver_failing_the_first_attempts_gets_the_delivery_once_it_recovers_with_the_same_id() {
    let receiver = Receiver::start(Behaviour::FailFirst(3)).await;
    let owner = signup("Flaky Receiver").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    new_ticket(&owner.client(), "Retry me").await;

    let logged = delivery_with_status(&owner, &endpoint, "delivered").await;
    let attempts = logged["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4, "three failures then the delivery: {logged}");
    for (index, attempt) in attempts[..3].iter().enumerate() {
        assert_eq!(attempt["attempt"], index + 1);
        assert_eq!(attempt["outcome"], "failed");
        assert_eq!(attempt["status_code"], 500);
        assert_eq!(attempt["response"], "not yet");
        assert_eq!(attempt["error"], "http_5xx");
        assert!(attempt["next_retry_at"].is_string(), "a failed attempt says when the next one is due");
    }
    assert_eq!(attempts[3]["outcome"], "delivered");
    assert!(attempts[3]["next_retry_at"].is_null());

    // Every attempt carried the same webhook-id (the receiver's idempotency key) and a valid signature.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 4, "no duplicates after the delivery");
    assert!(received.iter().all(|r| r.header("webhook-id") == logged["id"].as_str().unwrap()));
    assert!(received.iter().all(|r| verifies(&secret, r)));
    assert!(received.iter().all(|r| r.body == received[0].body), "the same body every time");

    let endpoint_now =
        owner.client().get(&format!("{WEBHOOKS}/{}", endpoint["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(endpoint_now.body["status"], "active", "a few failures do not pause an endpoint");
    assert_eq!(endpoint_now.body["consecutive_failures"], 0, "a success ends the failure streak");
}

#[tokio::test]
async fn an_always_failing_receiver_ends_in_the_dead_letter_queue_with_a_paused_endpoint_and_replay_delivers() {
    let receiver = Receiver::start(Behaviour::AlwaysFail).await;
    let owner = signup("Dead Receiver").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    let id = endpoint["id"].as_str().unwrap().to_owned();
    let before = jiff::Timestamp::now();
    new_ticket(&owner.client(), "Nobody listens").await;

    let failed = delivery_with_status(&owner, &endpoint, "failed").await;
    let attempts = failed["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 18, "every attempt is logged before the dead-letter queue: {failed}");
    assert!(attempts.iter().all(|a| a["outcome"] != "delivered"));
    assert!(attempts[17]["next_retry_at"].is_null(), "the last attempt schedules none");
    assert!(failed["next_retry_at"].is_null());
    assert!(receiver.count() >= 10, "attempts reached the receiver until the breaker paused it");

    // The circuit breaker paused the endpoint, and said so in the activity log.
    let paused = owner.client().get(&format!("{WEBHOOKS}/{id}")).await.expect(200);
    assert_eq!(paused.body["status"], "paused", "{}", paused.body);
    assert!(paused.body["paused_at"].is_string());
    let activity = owner.client().get("/api/v1/activity").await.expect(200);
    assert!(
        activity.body["items"].as_array().unwrap().iter().any(|e| e["type"] == "webhook.endpoint_paused"),
        "admins are told in the activity log"
    );

    // The receiver is fixed; an admin re-enables the endpoint and replays what failed since then.
    receiver.set_behaviour(Behaviour::Succeed);
    let enabled = owner.client().patch(&format!("{WEBHOOKS}/{id}"), json!({"status": "active"})).await.expect(200);
    assert_eq!(enabled.body["status"], "active");
    assert_eq!(enabled.body["consecutive_failures"], 0);
    let seen_before_replay = receiver.count();
    let replayed =
        owner.client().post(&format!("{WEBHOOKS}/{id}/replay"), json!({"since": before.to_string()})).await.expect(202);
    assert_eq!(replayed.body["replayed"], json!([failed["id"]]));
    let delivered = delivery_with_status(&owner, &endpoint, "delivered").await;
    assert_eq!(delivered["replays"], 1);
    assert_eq!(delivered["attempts"].as_array().unwrap().last().unwrap()["outcome"], "delivered");
    let received = receiver.received();
    assert_eq!(received.len(), seen_before_replay + 1, "one more request: the replay");
    assert_eq!(received.last().unwrap().header("webhook-id"), failed["id"].as_str().unwrap());

    // Nothing failed is left; replaying one delivered delivery sends it once more.
    let again =
        owner.client().post(&format!("{WEBHOOKS}/{id}/replay"), json!({"since": before.to_string()})).await.expect(202);
    assert_eq!(again.body["replayed"], json!([]));
    let one = owner
        .client()
        .post(&format!("{WEBHOOKS}/{id}/deliveries/{}/replay", failed["id"].as_str().unwrap()), json!({}))
        .await
        .expect(202);
    assert_eq!(one.body["status"], "pending");
    assert!(eventually(WITHIN, async || receiver.count() == seen_before_replay + 2).await);
    owner
        .client()
        .post(&format!("{WEBHOOKS}/{id}/replay"), json!({"since": "yesterday"}))
        .await
        .expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one_during_the_grace_period() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Rotating").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    let id = endpoint["id"].as_str().unwrap();
    let rotated = owner
        .client()
        .post(&format!("{WEBHOOKS}/{id}/rotate-secret"), json!({"grace_period_hours": 2}))
        .await
        .expect(200);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rotated.body["secrets"].as_array().unwrap().len(), 2);
    assert!(rotated.body["secrets"][0]["expires_at"].is_null());
    assert!(rotated.body["secrets"][1]["expires_at"].is_string(), "the old secret expires after the grace period");

    new_ticket(&owner.client(), "Rotation").await;
    assert!(eventually(WITHIN, async || receiver.count() >= 1).await);
    let delivery = &receiver.received()[0];
    assert!(verifies(&new, delivery) && verifies(&old, delivery), "both secrets verify during the grace period");

    owner
        .client()
        .post(&format!("{WEBHOOKS}/{id}/rotate-secret"), json!({"grace_period_hours": 1000}))
        .await
        .expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn endpoints_are_validated_limited_by_the_plan_admin_only_and_invisible_to_other_workspaces() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Hook Rules").await;
    let agent = add_member(&owner, "agent").await;

    let refused = agent.client().post(WEBHOOKS, json!({"url": receiver.url, "events": ["ticket.created"]})).await;
    assert_eq!(refused.expect_problem(403, "forbidden").body["permission"], "webhooks:manage");
    agent.client().get(WEBHOOKS).await.expect_problem(403, "forbidden");

    for (body, field) in [
        (json!({"url": "ftp://example.com/in", "events": ["ticket.created"]}), "url"),
        (json!({"url": "not a url", "events": ["ticket.created"]}), "url"),
        (json!({"url": "https://u:p@example.com/", "events": ["ticket.created"]}), "url"),
        // Deliveries reach web ports only (locally also the unprivileged ports receivers listen on).
        (json!({"url": "https://hooks.example.com:22/in", "events": ["ticket.created"]}), "url"),
        (json!({"url": "http://127.0.0.1:25/", "events": ["ticket.created"]}), "url"),
        (json!({"url": receiver.url, "events": ["ticket.exploded"]}), "events"),
        (json!({"url": receiver.url, "events": []}), "events"),
    ] {
        let reply = owner.client().post(WEBHOOKS, body.clone()).await.expect_problem(422, "validation-failed");
        assert_eq!(reply.field_errors(), [field], "{body}");
    }

    let endpoint = register(&owner, &receiver, json!(["ticket.created", "sla.breached"])).await;
    let id = endpoint["id"].as_str().unwrap();
    assert_eq!(endpoint["events"], json!(["ticket.created", "sla.breached"]));
    // The free plan allows one endpoint.
    let limited = owner.client().post(WEBHOOKS, json!({"url": receiver.url, "events": ["ticket.created"]})).await;
    let limited = limited.expect_problem(402, "plan-limit-reached");
    assert_eq!((limited.body["limit_kind"].as_str(), limited.body["limit"].as_u64()), (Some("webhooks"), Some(1)));

    // Another workspace sees none of it.
    let stranger = signup("Other Co").await;
    let path = format!("{WEBHOOKS}/{id}");
    stranger.client().get(&path).await.expect_problem(404, "not-found");
    stranger.client().patch(&path, json!({"status": "disabled"})).await.expect_problem(404, "not-found");
    stranger.client().get(&format!("{path}/deliveries")).await.expect_problem(404, "not-found");
    stranger.client().post(&format!("{path}/rotate-secret"), json!({})).await.expect_problem(404, "not-found");
    stranger.client().delete(&path).await.expect_problem(404, "not-found");
    assert_eq!(stranger.client().get(WEBHOOKS).await.expect(200).body["items"], json!([]));
    // The stranger's events never reach the owner's endpoint.
    new_ticket(&stranger.client(), "Not yours").await;

    // Disabled: no deliveries; a stale version is refused; deleting frees the plan's place.
    let disabled = owner.client().patch(&path, json!({"status": "disabled", "version": 1})).await.expect(200);
    assert_eq!(disabled.body["status"], "disabled");
    owner
        .client()
        .patch(&path, json!({"description": "x", "version": 1}))
        .await
        .expect_problem(409, "version-conflict");
    owner.client().patch(&path, json!({"status": "paused"})).await.expect_problem(422, "validation-failed");
    new_ticket(&owner.client(), "While disabled").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.count(), 0, "a disabled endpoint and another workspace's events deliver nothing");
    assert!(deliveries(&owner, &endpoint).await.is_empty());
    owner.client().delete(&path).await.expect(204);
    owner.client().get(&path).await.expect_problem(404, "not-found");
    register(&owner, &receiver, json!(["ticket.created"])).await;
}

#[tokio::test]
async fn slack_gets_urgent_tickets_in_block_format_through_the_same_queue() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Slack Co").await;
    let connected = owner
        .client()
        .post("/api/v1/integrations/slack", json!({"url": receiver.url, "events": ["ticket.urgent_created"]}))
        .await
        .expect(201);
    assert_eq!(connected.body["kind"], "slack");
    owner
        .client()
        .post("/api/v1/integrations/slack", json!({"url": receiver.url, "events": ["ticket.created"]}))
        .await
        .expect_problem(422, "validation-failed");

    new_ticket(&owner.client(), "Just a question").await;
    owner
        .client()
        .post(
            "/api/v1/tickets",
            json!({"subject": "Site down", "body": "All customers affected", "priority": "urgent",
                   "customer": {"email": switchboard_tests::unique_email("c")}}),
        )
        .await
        .expect(201);
    assert!(eventually(WITHIN, async || receiver.count() >= 1).await);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1, "only the urgent ticket is posted");
    let message = received[0].json();
    assert!(message["text"].as_str().unwrap().contains("Site down"), "{message}");
    assert_eq!(message["blocks"][0]["type"], "section");
    assert!(!received[0].headers.contains_key("webhook-signature"), "Slack messages are not signed");
}

#[tokio::test]
async fn a_redelivered_event_makes_no_second_delivery() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Redelivered").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    new_ticket(&owner.client(), "Once only").await;
    let delivered = delivery_with_status(&owner, &endpoint, "delivered").await;

    // The stream hands the workspace's committed events to the outbox consumer again.
    let replayed =
        switchboard_tests::replay_events(switchboard_tests::stack().app, &owner.workspace_id, &Value::Null).await;
    assert!(replayed >= 2, "the events were handed over again");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.count(), 1, "the delivery id is derived from the event and the endpoint: no second one");
    let log = deliveries(&owner, &endpoint).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["id"], delivered["id"]);
    assert_eq!(log[0]["attempts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_paused_endpoint_resumes_by_itself_when_a_probe_succeeds() {
    let receiver = Receiver::start(Behaviour::AlwaysFail).await;
    let owner = signup("Probed").await;
    let endpoint = register(&owner, &receiver, json!(["ticket.created"])).await;
    let path = format!("{WEBHOOKS}/{}", endpoint["id"].as_str().unwrap());
    new_ticket(&owner.client(), "Into the void").await;
    delivery_with_status(&owner, &endpoint, "failed").await;
    assert_eq!(owner.client().get(&path).await.expect(200).body["status"], "paused");

    // The receiver is back; the next delivery is sent as a probe (the probe interval is compressed in the
    // test stack), succeeds, and resumes the endpoint without an admin.
    receiver.set_behaviour(Behaviour::Succeed);
    let seen = receiver.count();
    new_ticket(&owner.client(), "Anyone there?").await;
    assert!(eventually(WITHIN, async || receiver.count() > seen).await, "no probe was sent");
    let mut now = Value::Null;
    let resumed = eventually(WITHIN, async || {
        now = owner.client().get(&path).await.expect(200).body;
        now["status"] == "active"
    })
    .await;
    assert!(resumed, "a successful probe resumes the endpoint: {now}");
    assert_eq!(now["consecutive_failures"], 0);
    let activity = owner.client().get("/api/v1/activity").await.expect(200);
    assert!(activity.body["items"].as_array().unwrap().iter().any(|e| e["type"] == "webhook.endpoint_resumed"));
}

#[tokio::test]
async fn webhook_events_show_the_endpoints_scheme_and_host_but_never_its_path_or_query() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Redacted Hooks").await;
    let url = format!("{}?token=s3cr3t-in-the-url", receiver.url);
    let endpoint = owner.client().post(WEBHOOKS, json!({"url": url, "events": ["ticket.created"]})).await.expect(201);
    let id = endpoint.body["id"].as_str().unwrap();
    let patched = owner.client().patch(&format!("{WEBHOOKS}/{id}"), json!({"description": "CRM"})).await;
    patched.expect(200);
    let activity = owner.client().get("/api/v1/activity").await.expect(200);
    let events: Vec<&Value> = activity.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"].as_str().is_some_and(|kind| kind.starts_with("webhook.")))
        .collect();
    assert!(events.len() >= 2, "{}", activity.body);
    let origin = receiver.url.trim_end_matches("/hooks");
    assert_eq!(events.iter().find(|e| e["type"] == "webhook.created").unwrap()["after"]["url"], origin);
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("s3cr3t") && !text.contains("/hooks"), "{text}");
}
