//! Suspension by platform staff: a suspended workspace is refused on every tenant route (403
//! `workspace-suspended`), over WebSocket and through its API keys; its webhook deliveries are held; its
//! data is kept, and reactivation restores everything. Both moves are in the platform audit log.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::socket::{Socket, refused_status, socket_token};
use switchboard_tests::{AUTHORIZER_TTL, Client, Member, PASSWORD, eventually, signup, stack, unique_email};

use crate::tickets::new_ticket;

/// Upper bound for background work (socket close, a delivery) on a loaded machine.
const WITHIN: Duration = Duration::from_secs(20);

pub async fn staff() -> Client {
    let email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Sam Staff", PASSWORD).await.unwrap();
    let reply = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    Client::new().with_token(reply.body["access_token"].as_str().unwrap())
}

pub async fn suspend(staff: &Client, workspace: &Member, reason: &str) -> Value {
    let path = format!("/api/v1/platform/workspaces/{}/suspend", workspace.workspace_id);
    staff.post(&path, json!({ "reason": reason })).await.expect(200).body
}

pub async fn reactivate(staff: &Client, workspace: &Member) -> Value {
    let path = format!("/api/v1/platform/workspaces/{}/reactivate", workspace.workspace_id);
    staff.send(Method::POST, &path, None).await.expect(200).body
}

/// Lets the authorizer's cached answers (2 s in the test stack, 30 s in AWS) run out.
pub async fn authorizer_cache_lapses() {
    tokio::time::sleep(AUTHORIZER_TTL + Duration::from_millis(500)).await;
}

async fn audit_entries(staff: &Client, workspace: &Member) -> Vec<Value> {
    let log = staff.get("/api/v1/platform/audit?limit=100").await.expect(200);
    let target = format!("workspace:{}", workspace.workspace_id);
    log.body["items"].as_array().unwrap().iter().filter(|entry| entry["target"] == target.as_str()).cloned().collect()
}

#[tokio::test]
async fn a_suspended_workspace_is_refused_on_rest_sockets_and_keys_keeps_its_data_and_comes_back() {
    let owner = signup("Suspended Co").await;
    let neighbour = signup("Neighbour Co").await;
    let ticket = new_ticket(&owner.client(), "Kept through a suspension").await;
    let key = owner
        .client()
        .post("/api/v1/api-keys", json!({"name": "Zapier", "scopes": ["tickets:read"]}))
        .await
        .expect(201)
        .body;
    let with_key = Client::new().with_token(key["secret"].as_str().unwrap());
    with_key.get("/api/v1/tickets").await.expect(200);
    let socket = Socket::connect(&owner.access_token).await;
    let unused_socket_token = socket_token(&owner.access_token).await;
    let staff = staff().await;

    let suspended = suspend(&staff, &owner, "Chargeback under review").await;
    assert_eq!(suspended["standing"]["status"], "suspended", "{suspended}");
    assert_eq!(suspended["standing"]["reason"], "staff");
    assert_eq!(suspended["standing"]["note"], "Chargeback under review");

    // Open sockets are closed at once; new handshakes are refused.
    socket.closed_within(WITHIN).await;
    assert_eq!(refused_status(&format!("token={unused_socket_token}")).await, 401);

    authorizer_cache_lapses().await;
    let refused = owner.client().get("/api/v1/tickets").await.expect_problem(403, "workspace-suspended");
    assert_eq!(refused.body["reason"], "staff");
    owner.client().get("/api/v1/me").await.expect_problem(403, "workspace-suspended");
    owner
        .client()
        .post("/api/v1/tickets", json!({"subject": "s", "body": "b", "customer": {"email": "c@example.com"}}))
        .await
        .expect_problem(403, "workspace-suspended");
    owner.client().post("/api/v1/me/socket-token", json!({})).await.expect_problem(403, "workspace-suspended");
    with_key.get("/api/v1/tickets").await.expect_problem(403, "workspace-suspended");
    // Other workspaces and the platform API go on.
    neighbour.client().get("/api/v1/tickets").await.expect(200);
    staff.get("/api/v1/platform/audit?limit=1").await.expect(200);

    let audit = audit_entries(&staff, &owner).await;
    let entry = audit.iter().find(|entry| entry["action"] == "workspace.suspended").expect("audited");
    assert_eq!(entry["before"]["status"], "active", "{entry}");
    assert_eq!(entry["after"]["status"], "suspended");

    let reactivated = reactivate(&staff, &owner).await;
    assert_eq!(reactivated["standing"]["status"], "active", "{reactivated}");
    authorizer_cache_lapses().await;
    let kept = owner.client().get(&format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(kept.body["ticket"]["subject"], "Kept through a suspension", "the data is untouched: {}", kept.body);
    with_key.get("/api/v1/tickets").await.expect(200);
    Socket::connect(&owner.access_token).await.close().await;
    let audit = audit_entries(&staff, &owner).await;
    let entry = audit.iter().find(|entry| entry["action"] == "workspace.reactivated").expect("audited");
    assert_eq!(entry["before"]["status"], "suspended", "{entry}");
    assert_eq!(entry["after"]["status"], "active");
}

#[tokio::test]
async fn webhook_deliveries_are_held_while_suspended_and_sent_on_reactivation() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Held Hooks").await;
    let endpoint = owner
        .client()
        .post("/api/v1/webhooks", json!({"url": receiver.url, "events": ["ticket.created"]}))
        .await
        .expect(201)
        .body;
    let forwarding = owner.client().get("/api/v1/settings/email").await.expect(200).body["forwarding_address"]
        .as_str()
        .unwrap()
        .to_owned();
    let staff = staff().await;
    suspend(&staff, &owner, "Abuse report").await;

    // Customers' mail still arrives (nothing is lost); the ticket it opens is not announced while suspended.
    let path = format!("{}/fixtures/mail/multipart-alternative.eml", env!("CARGO_MANIFEST_DIR"));
    let raw = std::fs::read_to_string(&path)
        .unwrap()
        .replace("{{FROM}}", "held-customer@example.com")
        .replace("{{TO}}", &forwarding)
        .replace("{{MESSAGE_ID}}", &format!("{}@mail.example.com", uuid::Uuid::new_v4().simple()));
    let dropped = Client::new().send_raw(Method::POST, "/__local/inbound-email", "message/rfc822", raw.into()).await;
    assert_eq!(dropped.expect(200).body["handled"][0]["result"][0]["outcomes"][0]["outcome"], "opened");

    let scope = shared::storage::TenantScope::for_system(owner.workspace_id.parse().unwrap());
    let endpoint_id = endpoint["id"].as_str().unwrap().parse().unwrap();
    let held = eventually(WITHIN, async || {
        let log = stack().app.store.list_deliveries(&scope, endpoint_id, 10, None).await.unwrap();
        log.items.first().is_some_and(|delivery| delivery.status == shared::storage::webhooks::DeliveryStatus::Held)
    })
    .await;
    assert!(held, "the delivery is held");
    assert_eq!(receiver.count(), 0, "a held delivery is not sent");

    reactivate(&staff, &owner).await;
    assert!(eventually(WITHIN, async || receiver.count() == 1).await, "the held delivery is sent after reactivation");
    assert_eq!(receiver.received()[0].json()["type"], "ticket.created");
}

#[tokio::test]
async fn only_staff_suspend_with_a_reason_and_unknown_workspaces_are_not_found() {
    let owner = signup("Self Suspender").await;
    let path = format!("/api/v1/platform/workspaces/{}/suspend", owner.workspace_id);
    owner.client().post(&path, json!({"reason": "why not"})).await.expect_problem(403, "forbidden");
    let staff = staff().await;
    let refused = staff.post(&path, json!({"reason": "  "})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["reason"]);
    staff
        .post(&format!("/api/v1/platform/workspaces/{}/suspend", uuid::Uuid::new_v4()), json!({"reason": "x"}))
        .await
        .expect_problem(404, "not-found");
    owner.client().get("/api/v1/me").await.expect(200);
}
