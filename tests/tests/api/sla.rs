//! SLA policies: who may set them, how bad ones are refused, and that tickets carry their clocks.

use reqwest::Method;
use serde_json::json;
use switchboard_tests::{add_member, signup};

fn policy() -> serde_json::Value {
    json!({
        "time_zone": "Europe/Berlin",
        "business_hours": {"monday": [["09:00", "12:00"], ["13:00", "17:00"]], "friday": [["09:00", "15:00"]]},
        "holidays": ["2026-12-25"],
        "targets": {"urgent": {"first_response_minutes": 60, "resolution_minutes": 480}},
    })
}

#[tokio::test]
async fn admins_set_the_policy_and_everyone_reads_it() {
    let owner = signup("SLA Policy Co").await;
    let empty = owner.client().get("/api/v1/sla/policy").await.expect(200);
    assert_eq!(empty.body["policy"], serde_json::Value::Null);
    assert_eq!(empty.body["version"], 0);

    let agent = add_member(&owner, "agent").await;
    agent.client().send(Method::PUT, "/api/v1/sla/policy", Some(&policy())).await.expect_problem(403, "forbidden");
    let set = owner.client().put("/api/v1/sla/policy", policy()).await.expect(200);
    assert_eq!(set.body["version"], 1);
    let read = agent.client().get("/api/v1/sla/policy").await.expect(200);
    assert_eq!(read.body["policy"]["time_zone"], "Europe/Berlin");

    // A stale If-Match is a failed precondition, answered with the current policy.
    let reply = reqwest::Client::new()
        .put(format!("{}/api/v1/sla/policy", switchboard_tests::stack().url))
        .bearer_auth(&owner.access_token)
        .header("if-match", "\"0\"")
        .json(&policy())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 412);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["current"]["version"], 1);
}

#[tokio::test]
async fn invalid_policies_name_every_bad_field() {
    let owner = signup("SLA Invalid Co").await;
    let bad = json!({
        "time_zone": "Mars/Olympus_Mons",
        "business_hours": {"monday": [["09:00", "13:00"], ["12:00", "17:00"]], "tuesday": [["17:00", "09:00"]]},
        "targets": {"urgent": {"first_response_minutes": -5}},
    });
    let reply = owner.client().put("/api/v1/sla/policy", bad).await.expect_problem(422, "validation-failed");
    let fields = reply.field_errors();
    for expected in
        ["time_zone", "business_hours.monday[1]", "business_hours.tuesday[0]", "targets.urgent.first_response_minutes"]
    {
        assert!(fields.iter().any(|field| field == expected), "{expected} not in {fields:?}");
    }
    let unchanged = owner.client().get("/api/v1/sla/policy").await.expect(200);
    assert_eq!(unchanged.body["version"], 0, "nothing half-written");
}

#[tokio::test]
async fn tickets_show_their_clocks_once_a_policy_exists() {
    let owner = signup("SLA Clock Co").await;
    let client = owner.client();
    let ticket = client
        .post("/api/v1/tickets", json!({"subject": "Down", "body": "All down", "priority": "urgent", "customer": {"email": "d@example.com"}}))
        .await
        .expect(201);
    let path = format!("/api/v1/tickets/{}", ticket.body["id"].as_str().unwrap());
    assert_eq!(client.get(&path).await.expect(200).body["sla"], serde_json::Value::Null);

    let around_the_clock =
        json!({"time_zone": "UTC", "targets": {"urgent": {"first_response_minutes": 60, "resolution_minutes": 240}}});
    client.put("/api/v1/sla/policy", around_the_clock).await.expect(200);
    let detail = client.get(&path).await.expect(200);
    let first = &detail.body["sla"]["first_response"];
    assert_eq!(first["target_minutes"], 60);
    assert_eq!(first["running"], true);
    assert_eq!(first["breached"], false);
    assert!(first["remaining_business_seconds"].as_i64().unwrap() > 59 * 60 - 30);
    assert_eq!(detail.body["sla"]["resolution"]["target_minutes"], 240);

    client.post(&format!("{path}/messages"), json!({"body": "Looking", "internal": false})).await.expect(201);
    let detail = client.get(&path).await.expect(200);
    assert!(detail.body["sla"]["first_response"]["met_at"].is_string());
    assert_eq!(detail.body["sla"]["first_response"]["running"], false);
}

#[tokio::test]
async fn a_new_policy_puts_open_tickets_on_the_radar_and_a_priority_change_moves_them() {
    let owner = signup("Radar Policy Co").await;
    let client = owner.client();
    let create = |subject: &str| json!({"subject": subject, "body": "b", "priority": "normal", "customer": {"email": "rp@example.com"}});
    let before = client.post("/api/v1/tickets", create("Before the policy")).await.expect(201).body;
    let empty = client.get("/api/v1/sla/radar").await.expect(200).body;
    assert_eq!(empty["tickets"], json!([]), "no policy, no radar: {empty}");

    // Set afterwards, the policy applies to the open ticket from its creation on: the scan re-watches
    // the workspace's unresolved tickets in batches.
    let policy = json!({"time_zone": "UTC", "targets": {
        "normal": {"first_response_minutes": 120}, "urgent": {"first_response_minutes": 30}}});
    client.put("/api/v1/sla/policy", policy).await.expect(200);
    let id = before["id"].as_str().unwrap();
    let listed = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        switchboard_tests::run_schedule("SlaScanFunction").await;
        let radar = client.get("/api/v1/sla/radar").await.expect(200).body;
        radar["tickets"].as_array().is_some_and(|tickets| tickets.iter().any(|t| t["ticket_id"] == id))
    })
    .await;
    assert!(listed, "{}", client.get("/api/v1/sla/radar").await.body);

    // Raised to urgent, its deadline moves from two hours to thirty minutes after creation.
    let radar = client.get("/api/v1/sla/radar").await.expect(200).body;
    let due_before = radar["tickets"][0]["due"].as_str().unwrap().to_owned();
    client
        .patch(&format!("/api/v1/tickets/{id}"), json!({"version": before["version"], "priority": "urgent"}))
        .await
        .expect(200);
    let moved = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        let radar = client.get("/api/v1/sla/radar?priority=urgent").await.expect(200).body;
        radar["tickets"][0]["ticket_id"] == id && radar["tickets"][0]["due"].as_str() != Some(due_before.as_str())
    })
    .await;
    assert!(moved, "{}", client.get("/api/v1/sla/radar").await.body);
    let seconds_left = client.get("/api/v1/sla/radar").await.body["tickets"][0]["seconds_left"].as_i64().unwrap();
    assert!(seconds_left <= 30 * 60, "due within half an hour of creation, {seconds_left} s left");

    // Viewers may look; another workspace sees nothing of it.
    let viewer = add_member(&owner, "viewer").await;
    viewer.client().get("/api/v1/sla/radar").await.expect(200);
    let stranger = signup("Radar Stranger Co").await;
    assert_eq!(stranger.client().get("/api/v1/sla/radar").await.expect(200).body["tickets"], json!([]));
    client.get("/api/v1/sla/radar?assignee=someone&within_minutes=0").await.expect_problem(422, "validation-failed");
}
