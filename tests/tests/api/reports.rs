//! Reports kept by the outbox consumer from the table's stream.

use std::time::Duration;

use serde_json::json;
use switchboard_tests::{add_member, eventually, signup};

#[tokio::test]
async fn ticket_activity_reaches_the_daily_report_through_the_outbox() {
    let owner = signup("Reports Co").await;
    let client = owner.client();
    let created = client
        .post("/api/v1/tickets", json!({"subject": "Refund", "body": "Please", "customer": {"email": "r@example.com"}}))
        .await
        .expect(201);
    let ticket = created.body["id"].as_str().unwrap().to_owned();
    client
        .post(&format!("/api/v1/tickets/{ticket}/messages"), json!({"body": "Done", "internal": false}))
        .await
        .expect(201);
    client
        .post(&format!("/api/v1/tickets/{ticket}/messages"), json!({"body": "Refunded via card", "internal": true}))
        .await
        .expect(201);
    let current = client.get(&format!("/api/v1/tickets/{ticket}")).await.expect(200);
    let version = current.body["ticket"]["version"].as_i64().unwrap();
    client
        .patch(&format!("/api/v1/tickets/{ticket}"), json!({"version": version, "status": "solved"}))
        .await
        .expect(200);

    let mut today = json!(null);
    let arrived = eventually(Duration::from_secs(90), async || {
        let report = client.get("/api/v1/reports/tickets/daily").await.expect(200);
        today = report.body["days"].as_array().unwrap().last().unwrap().clone();
        today["tickets_solved"] == 1
    })
    .await;
    assert!(arrived, "the report never showed the solved ticket: {today}");
    assert_eq!(today["tickets_created"], 1);
    assert_eq!(today["agent_replies"], 1);
    assert_eq!(today["internal_notes"], 1);
    assert_eq!(today["customers_created"], 1);
    let report = client.get("/api/v1/reports/tickets/daily").await.expect(200);
    assert_eq!(report.body["days"].as_array().unwrap().len(), 30, "the default range is the last 30 days");
}

#[tokio::test]
async fn a_redelivered_event_counts_once() {
    let owner = signup("Redelivery Co").await;
    let client = owner.client();
    client
        .post(
            "/api/v1/tickets",
            json!({"subject": "Once", "body": "Only once", "customer": {"email": "o@example.com"}}),
        )
        .await
        .expect(201);
    let counted = eventually(Duration::from_secs(90), async || {
        let report = client.get("/api/v1/reports/tickets/daily").await.expect(200);
        report.body["days"].as_array().unwrap().last().unwrap()["tickets_created"] == 1
    })
    .await;
    assert!(counted);
    // Deliver the workspace's committed events again, as a retried stream batch would.
    let activity = client.get("/api/v1/activity?limit=100").await.expect(200);
    let app = switchboard_tests::stack().app;
    let replayed = switchboard_tests::replay_events(app, &owner.workspace_id, &activity.body["items"]).await;
    assert!(replayed > 0);
    let report = client.get("/api/v1/reports/tickets/daily").await.expect(200);
    assert_eq!(report.body["days"].as_array().unwrap().last().unwrap()["tickets_created"], 1);
}

#[tokio::test]
async fn reports_need_the_permission_and_valid_ranges() {
    let owner = signup("Report Rules").await;
    let client = owner.client();
    let reply = client
        .get("/api/v1/reports/tickets/daily?from=2026-01-10&to=2026-01-01")
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["from"]);
    client.get("/api/v1/reports/tickets/daily?from=yesterday").await.expect_problem(422, "validation-failed");
    client
        .get("/api/v1/reports/tickets/daily?from=2024-01-01&to=2026-01-01")
        .await
        .expect_problem(422, "validation-failed");
    let week = client.get("/api/v1/reports/tickets/daily?from=2026-01-01&to=2026-01-07").await.expect(200);
    assert_eq!(week.body["days"].as_array().unwrap().len(), 7);
    let agent = add_member(&owner, "agent").await;
    agent.client().get("/api/v1/reports/tickets/daily").await.expect(200);
    let other = signup("Report Other").await;
    let theirs = other.client().get("/api/v1/reports/tickets/daily").await.expect(200);
    assert!(theirs.body["days"].as_array().unwrap().iter().all(|day| day["tickets_created"] == 0));
}
