//! Work across tickets: bulk changes with per-ticket outcomes under concurrent edits, merging a
//! duplicate (every message and event kept), followers and CC.

use serde_json::{Value, json};
use switchboard_tests::{add_member, signup, unique_email};

use crate::tickets::{create_ticket, new_ticket, ticket_path};

fn ref_of(ticket: &Value) -> Value {
    json!({"id": ticket["id"], "version": ticket["version"]})
}

fn result_for<'a>(reply: &'a Value, ticket: &Value) -> &'a Value {
    reply["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|result| result["id"] == ticket["id"])
        .expect("a result per ticket")
}

#[tokio::test]
async fn a_bulk_assign_reports_each_ticket_and_a_stale_one_fails_alone() {
    let owner = signup("Bulk Co").await;
    let (agent, rival) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let client = agent.client();
    let (first, second, third) =
        (new_ticket(&client, "One").await, new_ticket(&client, "Two").await, new_ticket(&client, "Three").await);
    // Someone changes the second ticket after the agent selected it: that version is stale.
    rival.client().patch(&ticket_path(&second), json!({"version": 1, "priority": "urgent"})).await.expect(200);

    // The bulk assign races a rival's edit of the third ticket, both at the version both saw.
    let bulk = client.post(
        "/api/v1/tickets/bulk",
        json!({"tickets": [ref_of(&first), ref_of(&second), ref_of(&third)],
               "changes": {"assignee_id": agent.user_id, "add_tags": ["triaged"]}}),
    );
    let (rival_client, third_path) = (rival.client(), ticket_path(&third));
    let rival_edit = rival_client.patch(&third_path, json!({"version": 1, "priority": "low"}));
    let (bulk, rival_edit) = tokio::join!(bulk, rival_edit);
    let bulk = bulk.expect(200).body;

    assert_eq!(bulk["results"].as_array().unwrap().len(), 3);
    assert_eq!(result_for(&bulk, &first)["outcome"], "updated");
    assert_eq!(result_for(&bulk, &first)["ticket"]["assignee_id"], agent.user_id.as_str());
    let stale = result_for(&bulk, &second);
    assert_eq!(stale["outcome"], "failed");
    assert!(
        switchboard_tests::is_problem_type(&stale["problem"]["type"], "version-conflict"),
        "{}",
        stale["problem"]["type"]
    );
    assert_eq!(stale["problem"]["status"], 409);
    assert!(bulk["summary"].as_str().unwrap().contains(second["id"].as_str().unwrap()), "{}", bulk["summary"]);

    // On the third, exactly one of the two writes at version 1 won.
    let third_result = result_for(&bulk, &third);
    let bulk_won = third_result["outcome"] == "updated";
    assert_eq!(bulk_won, rival_edit.status.as_u16() == 409, "bulk {third_result}, rival {}", rival_edit.status);
    let (updated, failed) = if bulk_won { (2, 1) } else { (1, 2) };
    assert_eq!((bulk["updated"].as_u64(), bulk["failed"].as_u64()), (Some(updated), Some(failed)));

    // What the results say is what the tickets are.
    let now = |ticket: &Value| {
        let path = ticket_path(ticket);
        let client = owner.client();
        async move { client.get(&path).await.expect(200).body["ticket"].clone() }
    };
    let first_now = now(&first).await;
    assert_eq!(
        (first_now["assignee_id"].as_str(), first_now["tags"].clone()),
        (Some(agent.user_id.as_str()), json!(["triaged"]))
    );
    let second_now = now(&second).await;
    assert!(second_now["assignee_id"].is_null());
    assert_eq!(second_now["priority"], "urgent", "the rival's change stands");
    let third_now = now(&third).await;
    assert_eq!(third_now["assignee_id"].is_string(), bulk_won);
    assert_eq!(third_now["priority"] == "low", !bulk_won);
    assert_eq!(third_now["version"], 2, "one write at version 1 won, the other changed nothing");
}

#[tokio::test]
async fn a_bulk_change_is_checked_whole_and_each_ticket_by_its_own_rules() {
    let owner = signup("Bulk Rules Co").await;
    let client = owner.client();
    let open = new_ticket(&client, "Open one").await;
    let reply = client
        .post(
            "/api/v1/tickets/bulk",
            json!({"tickets": [ref_of(&open), {"id": "nope", "version": 1}], "changes": {"status": "gone"}}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["tickets[1].id", "changes.status"]);
    client
        .post("/api/v1/tickets/bulk", json!({"tickets": [ref_of(&open)], "changes": {}}))
        .await
        .expect_problem(422, "validation-failed");

    // A closed ticket refuses, another workspace's ticket is not found; the open one still changes.
    let closed = new_ticket(&client, "Closed one").await;
    let closed = client.patch(&ticket_path(&closed), json!({"version": 1, "status": "closed"})).await.expect(200).body;
    let stranger = signup("Bulk Stranger Co").await;
    let theirs = new_ticket(&stranger.client(), "Not yours").await;
    let reply = client
        .post(
            "/api/v1/tickets/bulk",
            json!({"tickets": [ref_of(&open), ref_of(&closed), ref_of(&theirs)], "changes": {"priority": "high"}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(result_for(&reply, &open)["outcome"], "updated");
    assert!(
        switchboard_tests::is_problem_type(&result_for(&reply, &closed)["problem"]["type"], "invalid-transition"),
        "{}",
        result_for(&reply, &closed)["problem"]["type"]
    );
    assert!(
        switchboard_tests::is_problem_type(&result_for(&reply, &theirs)["problem"]["type"], "not-found"),
        "{}",
        result_for(&reply, &theirs)["problem"]["type"]
    );
    assert_eq!(stranger.client().get(&ticket_path(&theirs)).await.expect(200).body["ticket"]["priority"], "normal");
    let again = client
        .post(
            "/api/v1/tickets/bulk",
            json!({"tickets": [{"id": open["id"], "version": 2}], "changes": {"priority": "high"}}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!((again["results"][0]["outcome"].as_str(), again["unchanged"].as_u64()), (Some("unchanged"), Some(1)));

    let viewer = add_member(&owner, "viewer").await;
    viewer
        .client()
        .post("/api/v1/tickets/bulk", json!({"tickets": [ref_of(&open)], "changes": {"priority": "low"}}))
        .await
        .expect_problem(403, "forbidden");
}

fn bodies(detail: &Value) -> Vec<String> {
    detail["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_owned()).collect()
}

fn event_ids(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_merge_keeps_every_message_and_event() {
    let owner = signup("Merge Co").await;
    let client = owner.client();
    let email = unique_email("grace");
    let target = create_ticket(
        &client,
        json!({"subject": "Login fails", "body": "I cannot log in.", "customer": {"email": email}}),
    )
    .await;
    let duplicate = create_ticket(
        &client,
        json!({"subject": "Login broken", "body": "Still cannot log in!", "customer": {"email": email}}),
    )
    .await;
    client
        .post(&format!("{}/messages", ticket_path(&duplicate)), json!({"body": "Looking into it."}))
        .await
        .expect(201);
    client
        .post(
            &format!("{}/messages", ticket_path(&duplicate)),
            json!({"body": "Same as the other one.", "internal": true}),
        )
        .await
        .expect(201);
    let before = client.get(&ticket_path(&duplicate)).await.expect(200).body;
    let target_before = client.get(&ticket_path(&target)).await.expect(200).body;
    let open_before = client.get("/api/v1/tickets/counts").await.expect(200).body["open"].as_i64().unwrap();
    let merge = |version: &Value, target_version: &Value| json!({"into": target["id"], "version": version, "target_version": target_version});
    let merge_path = format!("{}/merge", ticket_path(&duplicate));

    // A stale version of either ticket merges nothing.
    client
        .post(&merge_path, merge(&before["ticket"]["version"], &json!(0)))
        .await
        .expect_problem(409, "version-conflict");
    let merged = client
        .post(&merge_path, merge(&before["ticket"]["version"], &target_before["ticket"]["version"]))
        .await
        .expect(200)
        .body;
    assert_eq!(merged["messages_moved"], 3);
    assert_eq!(merged["duplicate"]["status"], "closed");
    assert_eq!(merged["duplicate"]["merged_into"], target["id"]);
    assert_eq!(merged["ticket"]["merged_from"], json!([duplicate["id"]]));

    // The target holds both conversations in time order; the copies say where they came from.
    let target_after = client.get(&ticket_path(&target)).await.expect(200).body;
    assert_eq!(
        bodies(&target_after),
        ["I cannot log in.", "Still cannot log in!", "Looking into it.", "Same as the other one."]
    );
    let copied: Vec<&Value> =
        target_after["messages"].as_array().unwrap().iter().filter(|m| m["merged_from"] == duplicate["id"]).collect();
    assert_eq!(copied.len(), 3);
    assert_eq!(copied[2]["internal"], true, "an internal note stays internal");
    let public = client.get(&format!("{}/public", ticket_path(&target))).await.expect(200).body;
    assert!(!bodies(&public).contains(&"Same as the other one.".to_owned()), "the customer never sees the note");
    assert!(event_ids(&target_after).starts_with(&event_ids(&target_before)), "the target's events are all kept");
    let kinds: Vec<&str> =
        target_after["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.last(), Some(&"ticket.duplicate_merged"));

    // The duplicate keeps its own messages and every event, and tells where it went.
    let duplicate_after = client.get(&ticket_path(&duplicate)).await.expect(200).body;
    assert_eq!(bodies(&duplicate_after), bodies(&before));
    assert!(event_ids(&duplicate_after).starts_with(&event_ids(&before)));
    let kinds: Vec<&str> =
        duplicate_after["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(
        kinds.ends_with(&["ticket.merged", "ticket.updated"]) || kinds.ends_with(&["ticket.updated", "ticket.merged"]),
        "{kinds:?}"
    );
    let open_after = client.get("/api/v1/tickets/counts").await.expect(200).body["open"].as_i64().unwrap();
    assert_eq!(open_after, open_before - 1, "the duplicate left the open inbox");

    // Merging again, into itself, or into another workspace's ticket is refused.
    let again = merge(&duplicate_after["ticket"]["version"], &target_after["ticket"]["version"]);
    client.post(&merge_path, again).await.expect_problem(409, "conflict");
    let itself = json!({"into": duplicate["id"], "version": 1, "target_version": 1});
    assert_eq!(
        client.post(&merge_path, itself).await.expect_problem(422, "validation-failed").field_errors(),
        ["into"]
    );
    let stranger = signup("Merge Stranger Co").await;
    let theirs = new_ticket(&stranger.client(), "Theirs").await;
    let other = new_ticket(&client, "Other").await;
    let across = json!({"into": theirs["id"], "version": 1, "target_version": 1});
    let reply =
        client.post(&format!("{}/merge", ticket_path(&other)), across).await.expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["into"]);
    stranger
        .client()
        .post(
            &format!("{}/merge", ticket_path(&other)),
            json!({"into": theirs["id"], "version": 1, "target_version": 1}),
        )
        .await
        .expect_problem(404, "not-found");
}

#[tokio::test]
async fn followers_and_cc_are_set_at_the_version_seen() {
    let owner = signup("Followers Co").await;
    let agent = add_member(&owner, "agent").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "Keep me posted").await;
    let path = format!("{}/followers", ticket_path(&ticket));
    let set = client
        .put(&path, json!({"version": 1, "followers": [agent.user_id, owner.user_id], "cc": ["Boss@Example.com"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(set["followers"], json!([agent.user_id, owner.user_id]));
    assert_eq!(set["cc"], json!(["boss@example.com"]));
    assert_eq!(set["version"], 2);
    client.put(&path, json!({"version": 1, "followers": []})).await.expect_problem(409, "version-conflict");
    let stranger = signup("Followers Stranger Co").await;
    let reply = client.put(&path, json!({"version": 2, "followers": [stranger.user_id], "cc": ["nope"]})).await;
    assert_eq!(reply.expect_problem(422, "validation-failed").field_errors(), ["cc[0]"]);
    let reply = client.put(&path, json!({"version": 2, "followers": [stranger.user_id]})).await;
    assert_eq!(reply.expect_problem(422, "validation-failed").field_errors(), ["followers[0]"]);
    let detail = client.get(&ticket_path(&ticket)).await.expect(200).body;
    let kinds: Vec<&str> = detail["timeline"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"ticket.followers_changed"));
    stranger.client().put(&path, json!({"version": 2, "followers": []})).await.expect_problem(404, "not-found");
}
