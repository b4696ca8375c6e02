//! Saved views: personal and shared, who may change which, their live counts, bad filters, tenancy.

use serde_json::{Value, json};
use switchboard_tests::{add_member, signup};

use crate::tickets::{new_ticket, ticket_path};

async fn view_named<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list["items"].as_array().expect("a list of views").iter().find(|view| view["name"] == name)
}

#[tokio::test]
async fn a_views_count_follows_the_tickets_it_shows() {
    let owner = signup("Views Co").await;
    let client = owner.client();
    let tag = format!("t{}", &uuid_suffix());
    let mut tagged = Vec::new();
    for subject in ["First", "Second", "Third"] {
        let ticket = new_ticket(&client, subject).await;
        let body = json!({"version": ticket["version"], "tags": [tag], "priority": "high"});
        tagged.push(client.patch(&ticket_path(&ticket), body).await.expect(200).body);
    }
    new_ticket(&client, "Untagged").await;
    let view = client
        .post(
            "/api/v1/views",
            json!({"name": "High and tagged", "filters": {"tag": tag, "priority": "high", "sort": "priority"}}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(view["count"], 3);
    assert_eq!(view["shared"], false);
    assert_eq!(view["filters"]["sort"], "priority");
    let unassigned = client
        .post("/api/v1/views", json!({"name": "Nobody's", "filters": {"view": "unassigned"}}))
        .await
        .expect(201)
        .body;
    assert_eq!(unassigned["count"], 4, "a counter-backed view counts every unassigned ticket");

    // Solving one and re-prioritising another take them out of the view; the list says so at once.
    let solved = json!({"version": tagged[0]["version"], "status": "solved"});
    client.patch(&ticket_path(&tagged[0]), solved).await.expect(200);
    let lowered = json!({"version": tagged[1]["version"], "priority": "low"});
    client.patch(&ticket_path(&tagged[1]), lowered).await.expect(200);
    let list = client.get("/api/v1/views").await.expect(200).body;
    assert_eq!(view_named(&list, "High and tagged").await.expect("the view")["count"], 1);
    assert_eq!(view_named(&list, "Nobody's").await.expect("the view")["count"], 3);
}

fn uuid_suffix() -> String {
    switchboard_tests::unique_email("x").chars().skip(2).take(8).collect()
}

#[tokio::test]
async fn personal_views_stay_personal_and_shared_views_are_for_admins_to_change() {
    let owner = signup("Shared Views Co").await;
    let (agent, other) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let mine = agent
        .client()
        .post("/api/v1/views", json!({"name": "Mine urgent", "filters": {"view": "mine", "priority": "urgent"}}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/views/{}", mine["id"].as_str().unwrap());

    let others = other.client().get("/api/v1/views").await.expect(200).body;
    assert!(view_named(&others, "Mine urgent").await.is_none(), "another member does not see a personal view");
    other.client().patch(&path, json!({"version": 1, "name": "Taken"})).await.expect_problem(404, "not-found");
    other.client().delete(&path).await.expect_problem(404, "not-found");

    agent
        .client()
        .post("/api/v1/views", json!({"name": "Team", "filters": {}, "shared": true}))
        .await
        .expect_problem(403, "forbidden");
    let shared = owner
        .client()
        .post("/api/v1/views", json!({"name": "Team queue", "filters": {"view": "open"}, "shared": true}))
        .await
        .expect(201)
        .body;
    let shared_path = format!("/api/v1/views/{}", shared["id"].as_str().unwrap());
    for member in [&agent, &other] {
        let list = member.client().get("/api/v1/views").await.expect(200).body;
        assert_eq!(view_named(&list, "Team queue").await.expect("everyone sees a shared view")["shared"], true);
    }
    agent
        .client()
        .patch(&shared_path, json!({"version": 1, "name": "Mine now"}))
        .await
        .expect_problem(403, "forbidden");
    agent.client().delete(&shared_path).await.expect_problem(403, "forbidden");

    // The owner of a personal view changes it at the version seen; a stale one changes nothing.
    let renamed = agent.client().patch(&path, json!({"version": 1, "name": "Urgent for me"})).await.expect(200).body;
    assert_eq!((renamed["name"].as_str(), renamed["version"].as_u64()), (Some("Urgent for me"), Some(2)));
    let stale = agent
        .client()
        .patch(&path, json!({"version": 1, "name": "Again"}))
        .await
        .expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["name"], "Urgent for me");
    agent.client().delete(&path).await.expect(204);
    let list = agent.client().get("/api/v1/views").await.expect(200).body;
    assert!(view_named(&list, "Urgent for me").await.is_none());
    owner.client().delete(&shared_path).await.expect(204);
}

#[tokio::test]
async fn a_view_with_bad_filters_is_refused_naming_each_one() {
    let owner = signup("Bad Views Co").await;
    let reply = owner
        .client()
        .post(
            "/api/v1/views",
            json!({"name": " ", "filters": {"view": "everything", "status": "gone", "assignee": "someone"}}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["name", "filters.view", "filters.status", "filters.assignee"]);
    let reply = owner
        .client()
        .post("/api/v1/views", json!({"name": "Odd", "filters": {"view": "open", "status": "closed"}}))
        .await;
    assert_eq!(reply.expect_problem(422, "validation-failed").field_errors(), ["filters.status"]);
}

#[tokio::test]
async fn another_workspace_cannot_see_or_change_a_view() {
    let (owner, stranger) = (signup("View Owner Co").await, signup("View Stranger Co").await);
    let shared = owner
        .client()
        .post("/api/v1/views", json!({"name": "Ours", "filters": {}, "shared": true}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/views/{}", shared["id"].as_str().unwrap());
    let theirs = stranger.client().get("/api/v1/views").await.expect(200).body;
    assert!(view_named(&theirs, "Ours").await.is_none());
    stranger.client().patch(&path, json!({"version": 1, "name": "Mine"})).await.expect_problem(404, "not-found");
    stranger.client().delete(&path).await.expect_problem(404, "not-found");
    let viewer = add_member(&owner, "viewer").await;
    let list = viewer.client().get("/api/v1/views").await.expect(200).body;
    assert!(view_named(&list, "Ours").await.is_some(), "viewers read the inbox, so they see shared views");
}
