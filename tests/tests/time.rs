//! Behaviour that needs time to pass, with the local stack's test-only clock control. A binary of its
//! own: moving the clock moves it for every test sharing the stack.

use serde_json::json;
use switchboard_tests::{Client, advance_clock, signup};

/// Tests here move the shared clock: one at a time, so none sees another's jump mid-way.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn access_tokens_expire_and_refresh_tokens_carry_the_session_on() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Time Co").await;
    owner.client().get("/api/v1/me").await.expect(200);

    // Access tokens live 15 minutes; the authorizer's cached answer (2 s here) must not outlive them.
    advance_clock(16 * 60).await;
    tokio::time::sleep(switchboard_tests::AUTHORIZER_TTL + std::time::Duration::from_millis(500)).await;
    owner.client().get("/api/v1/me").await.expect_problem(401, "unauthenticated");

    let refreshed =
        Client::new().post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await.expect(200);
    let token = refreshed.body["access_token"].as_str().unwrap();
    Client::new().with_token(token).get("/api/v1/me").await.expect(200);

    // Sessions end 30 days after login, however often they refresh.
    advance_clock(31 * 86_400).await;
    Client::new()
        .post("/api/v1/auth/refresh", json!({"refresh_token": refreshed.body["refresh_token"]}))
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let reply = Client::new().post("/__local/clock", json!({"advance_seconds": -60})).await;
    assert_eq!(reply.status.as_u16(), 422);
}

#[tokio::test]
async fn sla_clocks_pause_while_pending_and_breach_when_time_runs_out() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("SLA Time Co").await;
    let client = owner.client();
    let policy =
        json!({"time_zone": "UTC", "targets": {"high": {"first_response_minutes": 60, "resolution_minutes": 240}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let ticket = client
        .post(
            "/api/v1/tickets",
            json!({"subject": "Slow", "body": "b", "priority": "high", "customer": {"email": "s@example.com"}}),
        )
        .await
        .expect(201);
    let path = format!("/api/v1/tickets/{}", ticket.body["id"].as_str().unwrap());

    // Waiting on the customer stops the resolution clock.
    let version = ticket.body["version"].as_i64().unwrap();
    client.patch(&path, json!({"version": version, "status": "pending"})).await.expect(200);
    advance_clock(10 * 3600).await;
    let owner = switchboard_tests::login(&owner.email, None).await; // the old access token has expired
    let client = owner.client();
    let detail = client.get(&path).await.expect(200);
    let resolution = &detail.body["sla"]["resolution"];
    assert_eq!(resolution["paused"], true);
    assert_eq!(resolution["breached"], false, "paused time does not count: {resolution}");
    // The first response never pauses: it is breached by now.
    assert_eq!(detail.body["sla"]["first_response"]["breached"], true);

    // Reopened, the clock runs again and runs out.
    let version = detail.body["ticket"]["version"].as_i64().unwrap();
    client.patch(&path, json!({"version": version, "status": "open"})).await.expect(200);
    advance_clock(5 * 3600).await;
    let owner = switchboard_tests::login(&owner.email, None).await;
    let detail = owner.client().get(&path).await.expect(200);
    let resolution = &detail.body["sla"]["resolution"];
    assert_eq!(resolution["breached"], true, "{resolution}");
    assert!(resolution["remaining_business_seconds"].as_i64().unwrap() < 0);
}

#[tokio::test]
async fn a_crashed_client_drops_out_of_presence_within_the_ttl_and_claims_lapse_by_themselves() {
    use switchboard_tests::socket::Socket;
    let _turn = ONE_AT_A_TIME.lock().await;
    let owner = signup("Crash Co").await;
    let agent = switchboard_tests::add_member(&owner, "agent").await;
    let ticket = owner
        .client()
        .post("/api/v1/tickets", json!({"subject": "Lapse", "body": "x", "customer": {"email": "lapse@example.com"}}))
        .await
        .expect(201)
        .body;
    let ticket_id = ticket["id"].as_str().unwrap();
    let mut watcher = Socket::connect(&owner.access_token).await;
    // The agent's client claims for a minute, then goes silent without closing: a crashed tab.
    let mut crashed = Socket::connect(&agent.access_token).await;
    let claimed = crashed.request(json!({"action": "claim", "ticket_id": ticket_id, "minutes": 1})).await;
    assert_eq!(claimed["type"], "claimed", "{claimed}");
    let pong = watcher.request(json!({"action": "heartbeat"})).await;
    assert!(pong["online"].as_array().unwrap().contains(&json!(agent.user_id)));
    let held = watcher.request(json!({"action": "claim", "ticket_id": ticket_id})).await;
    assert_eq!(held["code"], "claim_held");

    // One presence TTL later only the heartbeating client is present, and the claim is free again.
    advance_clock(61).await;
    let pong = watcher.request(json!({"action": "heartbeat"})).await;
    assert_eq!(pong["online"], json!([owner.user_id]), "{pong}");
    watcher.expect(|f| f["type"] == "presence" && f["online"] == json!([owner.user_id])).await;
    let free = watcher.request(json!({"action": "claim", "ticket_id": ticket_id})).await;
    assert_eq!(free["type"], "claimed", "{free}");
    drop(crashed);
}
