//! Inbox rows tell the story from one Query per page: who asked, a line of the latest public message,
//! the assignee's name, where the SLA stands, and whether the caller has unread messages; messages
//! carry their author's name.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, eventually, signup, unique_email};

use crate::tickets::{create_ticket, ticket_path};

/// The inbox page's row for `ticket`, and the DynamoDB calls the page cost (the local gateway's header).
async fn row(client: &Client, ticket: &Value) -> (Value, String) {
    let page = client.get("/api/v1/tickets?limit=50").await.expect(200);
    let calls = page.headers["x-dynamodb-calls"].to_str().unwrap().to_owned();
    let row = page.body["items"].as_array().unwrap().iter().find(|row| row["id"] == ticket["id"]).cloned();
    (row.unwrap_or(Value::Null), calls)
}

#[tokio::test]
async fn an_inbox_row_carries_requester_preview_assignee_sla_and_unread_from_one_query() {
    let owner = signup("Story Co").await;
    let agent = add_member(&owner, "agent").await;
    let around_the_clock =
        json!({"time_zone": "UTC", "targets": {"urgent": {"first_response_minutes": 60, "resolution_minutes": 240}}});
    owner.client().put("/api/v1/sla/policy", around_the_clock).await.expect(200);
    let email = unique_email("grace");
    let ticket = create_ticket(
        &owner.client(),
        json!({"subject": "Printer", "body": "Hello,\n\n  my printer\tis on fire", "priority": "urgent",
               "customer": {"email": email, "name": "Grace Hopper"}}),
    )
    .await;
    let path = ticket_path(&ticket);
    let (fresh, _) = row(&owner.client(), &ticket).await;
    assert_eq!(fresh["requester"], json!({"id": ticket["customer_id"], "name": "Grace Hopper", "email": email}));
    assert_eq!(fresh["preview"], "Hello, my printer is on fire", "one line");
    assert_eq!(fresh["unread"], true, "nobody has seen the customer's message yet");
    assert!(fresh["assignee_name"].is_null());

    let assigned = owner
        .client()
        .patch(&path, json!({"version": ticket["version"], "assignee_id": agent.user_id}))
        .await
        .expect(200)
        .body;
    assert_eq!(assigned["number"], 1);
    let messages = format!("{path}/messages");
    agent.client().post(&messages, json!({"body": "Checking the fuser", "internal": true})).await.expect(201);
    let reply = agent.client().post(&messages, json!({"body": "We are on it.\nHang on."})).await.expect(201).body;
    assert_eq!(reply["author_name"], "A agent");

    // The SLA state arrives with the watch the table's stream recomputes.
    let settled = eventually(Duration::from_secs(90), async || {
        row(&owner.client(), &ticket).await.0["sla"]["state"] == "running"
    })
    .await;
    let (story, calls) = row(&owner.client(), &ticket).await;
    assert!(settled, "{story}");
    // The UpdateItem is the workspace's API-call counter, made on every request.
    assert_eq!(calls, "Query=1, UpdateItem=1", "an inbox page is one Query, however many rows it shows");
    assert_eq!(story["preview"], "We are on it. Hang on.", "the latest public message, not the internal note");
    assert_eq!(story["assignee_name"], "A agent");
    assert_eq!(story["assignee_id"], agent.user_id.as_str());
    assert_eq!(story["requester"]["name"], "Grace Hopper");
    assert!(story["sla"]["due_at"].is_string(), "the resolution clock runs: {story}");
    assert!(story["last_activity_at"].as_str() >= ticket["created_at"].as_str());
    assert_eq!(story["unread"], true, "the owner has not looked since the agent wrote");
    assert_eq!(row(&agent.client(), &ticket).await.0["unread"], false, "the agent wrote the latest message");

    owner.client().post(&format!("{path}/seen"), json!({})).await.expect(204);
    assert_eq!(row(&owner.client(), &ticket).await.0["unread"], false, "seen");
    agent.client().post(&messages, json!({"body": "Fixed."})).await.expect(201);
    let (after, _) = row(&owner.client(), &ticket).await;
    assert_eq!((after["unread"].as_bool(), after["preview"].as_str()), (Some(true), Some("Fixed.")));

    // Messages name their authors: the customer and the member.
    let detail = agent.client().get(&path).await.expect(200).body;
    let authors: Vec<&str> =
        detail["messages"].as_array().unwrap().iter().map(|m| m["author_name"].as_str().unwrap()).collect();
    assert_eq!(authors, ["Grace Hopper", "A agent", "A agent", "A agent"]);

    // Another workspace cannot mark it seen, nor find it.
    let other = signup("Nosy Co").await;
    other.client().post(&format!("{path}/seen"), json!({})).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn a_customer_merge_moves_the_rows_requester() {
    let owner = signup("Merged Rows Co").await;
    let client = owner.client();
    let ticket = create_ticket(
        &client,
        json!({"subject": "Old address", "body": "b", "customer": {"email": unique_email("old"), "name": "Old Me"}}),
    )
    .await;
    let target = client
        .post("/api/v1/customers", json!({"email": unique_email("new"), "name": "New Me"}))
        .await
        .expect(201)
        .body;
    let merge = format!("/api/v1/customers/{}/merge", target["id"].as_str().unwrap());
    client.post(&merge, json!({"source_id": ticket["customer_id"]})).await.expect(200);
    let (moved, _) = row(&client, &ticket).await;
    assert_eq!(moved["requester"]["id"], target["id"]);
    assert_eq!(moved["requester"]["name"], "New Me");
    assert_eq!(moved["customer_id"], target["id"]);
}

#[tokio::test]
async fn a_ticket_from_before_numbers_and_rows_lists_reads_and_is_marked_seen() {
    let owner = signup("Old Tickets Co").await;
    let client = owner.client();
    let ticket = create_ticket(
        &client,
        json!({"subject": "Older", "body": "From last year", "customer": {"email": unique_email("old")}}),
    )
    .await;
    // Rewrite the item as the code before numbers and rows wrote it.
    let app = switchboard_tests::stack().app;
    let scope = shared::storage::TenantScope::for_system(owner.workspace_id.parse().unwrap());
    let id = ticket["id"].as_str().unwrap().parse().unwrap();
    let stored = app.store.get_ticket(&scope, id).await.unwrap().unwrap();
    let mut item = app.store.ticket_item(&scope, &stored).unwrap();
    for newer in ["number", "row", "inbox_sla"] {
        item.remove(newer);
    }
    app.store.batch_put(vec![item]).await.unwrap();

    let (old, _) = row(&client, &ticket).await;
    assert!(old["number"].is_null() && old["requester"].is_null() && old["preview"].is_null(), "{old}");
    assert_eq!((old["sla"]["state"].as_str(), old["unread"].as_bool()), (Some("none"), Some(false)));
    assert!(client.get(&ticket_path(&ticket)).await.expect(200).body["ticket"]["number"].is_null());
    client.post(&format!("{}/seen", ticket_path(&ticket)), json!({})).await.expect(204);
    client.post(&format!("{}/seen", ticket_path(&ticket)), json!({})).await.expect(204);
    // The workspace's counter carries on where it was: numbers are never reused.
    assert_eq!(crate::tickets::new_ticket(&client, "Newer").await["number"], 2);
}

#[tokio::test]
async fn renaming_a_customer_or_a_member_reaches_the_rows_of_their_tickets() {
    let owner = signup("Renamed Rows Co").await;
    let agent = add_member(&owner, "agent").await;
    let client = owner.client();
    let ticket = create_ticket(
        &client,
        json!({"subject": "Rename me", "body": "b", "customer": {"email": unique_email("gh"), "name": "Grace"}}),
    )
    .await;
    let other = create_ticket(
        &client,
        json!({"subject": "Someone else", "body": "b", "customer": {"email": unique_email("ada"), "name": "Ada"}}),
    )
    .await;
    let assigned = client
        .patch(&ticket_path(&ticket), json!({"version": ticket["version"], "assignee_id": agent.user_id}))
        .await
        .expect(200)
        .body;
    let customer = format!("/api/v1/customers/{}", ticket["customer_id"].as_str().unwrap());
    client.patch(&customer, json!({"name": "Grace Hopper"})).await.expect(200);
    client.patch(&format!("/api/v1/users/{}", agent.user_id), json!({"name": "Brook Baker"})).await.expect(200);

    // The rename's event reaches the rows through the outbox, within seconds.
    let caught_up = eventually(Duration::from_secs(30), async || {
        let (row, _) = row(&client, &ticket).await;
        row["requester"]["name"] == "Grace Hopper" && row["assignee_name"] == "Brook Baker"
    })
    .await;
    let (renamed, calls) = row(&client, &ticket).await;
    assert!(caught_up, "{renamed}");
    assert_eq!(calls, "Query=1, UpdateItem=1", "one Query, and the API-call count");
    assert_eq!(renamed["version"], assigned["version"], "a rename is no change of the ticket: no version to go stale");
    assert_eq!(row(&client, &other).await.0["requester"]["name"], "Ada", "another customer's ticket keeps its name");
}
