//! The support report and agent performance: who may read what, ranges and options, tenancy, and a
//! redelivered event counting once. The scripted day with exact times is in the `time` binary.

use std::time::Duration;

use serde_json::json;
use switchboard_tests::{add_member, eventually, signup};

#[tokio::test]
async fn a_workspace_sees_its_own_tickets_only_and_a_redelivery_counts_once() {
    let owner = signup("Support Report Co").await;
    let client = owner.client();
    let other = signup("Support Report Other").await;
    let ticket = client
        .post("/api/v1/tickets", json!({"subject": "Mine", "body": "b", "customer": {"email": "m@example.com"}}))
        .await
        .expect(201);
    let path = format!("/api/v1/tickets/{}", ticket.body["id"].as_str().unwrap());
    client.patch(&path, json!({"version": ticket.body["version"], "status": "solved"})).await.expect(200);
    let counted = eventually(Duration::from_secs(90), async || {
        let report = client.get("/api/v1/reports/support?breakdown=channel").await.expect(200);
        report.body["totals"]["solved"] == 1
    })
    .await;
    assert!(counted, "the solve never reached the report");
    let report = client.get("/api/v1/reports/support?breakdown=channel").await.expect(200).body;
    assert_eq!(report["totals"]["created"], 1);
    assert_eq!(report["time_zone"], "UTC");
    assert_eq!(report["backlog_end"], 0);
    assert_eq!(report["totals"]["times"]["full_resolution"]["calendar"]["count"], 1);
    assert!(report["totals"]["times"]["full_resolution"]["business"].is_null(), "no SLA policy: no business time");
    let channels: Vec<&str> =
        report["breakdown"]["rows"].as_array().unwrap().iter().map(|row| row["value"].as_str().unwrap()).collect();
    assert_eq!(channels.len(), 1, "{channels:?}");

    let theirs = other.client().get("/api/v1/reports/support").await.expect(200).body;
    assert_eq!(theirs["totals"]["created"], 0);
    assert_eq!(theirs["totals"]["solved"], 0);

    // The consumer gets the workspace's events again, as a retried stream batch would deliver them.
    let app = switchboard_tests::stack().app;
    let replayed = switchboard_tests::replay_events(app, &owner.workspace_id, &json!(null)).await;
    assert!(replayed > 0);
    let again = client.get("/api/v1/reports/support").await.expect(200).body;
    assert_eq!((again["totals"]["created"].clone(), again["totals"]["solved"].clone()), (json!(1), json!(1)));
    assert_eq!(again["totals"]["times"]["full_resolution"]["calendar"]["count"], 1);
}

#[tokio::test]
async fn options_and_ranges_are_checked_and_a_comparison_covers_the_period_before() {
    let owner = signup("Support Options").await;
    let client = owner.client();
    let reply = client
        .get("/api/v1/reports/support?breakdown=colour&compare=lastyear")
        .await
        .expect_problem(422, "validation-failed");
    let mut fields = reply.field_errors();
    fields.sort();
    assert_eq!(fields, ["breakdown", "compare"]);
    // Thirteen months fit, a longer range does not.
    client.get("/api/v1/reports/support?from=2025-11-01&to=2026-11-30").await.expect(200);
    let long = client
        .get("/api/v1/reports/support?from=2025-01-01&to=2026-11-30")
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(long.field_errors(), ["from"]);
    client.get("/api/v1/reports/agents?from=nope").await.expect_problem(422, "validation-failed");
    let week =
        client.get("/api/v1/reports/support?from=2026-03-09&to=2026-03-15&compare=previous").await.expect(200).body;
    assert_eq!(week["days"].as_array().unwrap().len(), 7);
    assert_eq!(
        (week["previous"]["from"].clone(), week["previous"]["to"].clone()),
        (json!("2026-03-02"), json!("2026-03-08"))
    );
    assert!(client.get("/api/v1/reports/support").await.expect(200).body["previous"].is_null());
}

#[tokio::test]
async fn agents_see_their_own_performance_and_managers_everyones() {
    let owner = signup("Leaderboard Co").await;
    // The free plan's three seats.
    let (manager, agent) = (add_member(&owner, "manager").await, add_member(&owner, "agent").await);
    let everyone = manager.client().get("/api/v1/reports/agents").await.expect(200).body;
    let ids: Vec<&str> =
        everyone["agents"].as_array().unwrap().iter().map(|row| row["user_id"].as_str().unwrap()).collect();
    for member in [&owner, &manager, &agent] {
        assert!(ids.contains(&member.user_id.as_str()), "{ids:?} lacks {}", member.user_id);
    }
    let own = agent.client().get("/api/v1/reports/agents").await.expect(200).body;
    let rows = own["agents"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["user_id"], agent.user_id.as_str());
    assert_eq!(rows[0]["online"], false);
    agent.client().get("/api/v1/reports/support").await.expect(200);

    // Report settings: anyone with reports:read reads them, only settings:manage changes them.
    assert_eq!(agent.client().get("/api/v1/settings/reports").await.expect(200).body["time_zone"], "UTC");
    agent
        .client()
        .put("/api/v1/settings/reports", json!({"time_zone": "Europe/Berlin"}))
        .await
        .expect_problem(403, "forbidden");
    let bad = owner.client().put("/api/v1/settings/reports", json!({"time_zone": "Mars/Olympus"})).await;
    assert_eq!(bad.expect_problem(422, "validation-failed").field_errors(), ["time_zone"]);
    let set = owner.client().put("/api/v1/settings/reports", json!({"time_zone": "Europe/Berlin", "version": 0})).await;
    assert_eq!(set.expect(200).body["version"], 1);
    owner
        .client()
        .put("/api/v1/settings/reports", json!({"time_zone": "Asia/Tokyo", "version": 0}))
        .await
        .expect_problem(409, "version-conflict");
    assert_eq!(manager.client().get("/api/v1/reports/support").await.expect(200).body["time_zone"], "Europe/Berlin");
}
