//! Macros: placeholders filled from the ticket, text and actions applied as one versioned change,
//! personal and shared macros by role, bad templates, tenancy.

use serde_json::{Value, json};
use switchboard_tests::{add_member, signup, unique_email};

use crate::tickets::{create_ticket, ticket_path};

fn macro_path(found: &Value) -> String {
    format!("/api/v1/macros/{}", found["id"].as_str().expect("a macro id"))
}

fn apply_path(ticket: &Value, found: &Value) -> String {
    format!("{}/macros/{}", ticket_path(ticket), found["id"].as_str().expect("a macro id"))
}

fn event_kinds_since(detail: &Value, before: &Value) -> Vec<String> {
    let seen: Vec<&Value> =
        before["timeline"].as_array().expect("a timeline").iter().map(|event| &event["id"]).collect();
    let mut kinds: Vec<String> = detail["timeline"]
        .as_array()
        .expect("a timeline")
        .iter()
        .filter(|event| !seen.contains(&&event["id"]))
        .map(|event| event["type"].as_str().unwrap().to_owned())
        .collect();
    kinds.sort();
    kinds
}

#[tokio::test]
async fn a_macro_fills_its_placeholders_and_applies_text_and_actions_in_one_change() {
    let owner = signup("Macro Co").await;
    let agent = add_member(&owner, "agent").await;
    let refund = owner
        .client()
        .post(
            "/api/v1/macros",
            json!({
                "name": "Refund issued", "shared": true,
                "body": "Hi {{customer.name}}, your refund for {{ ticket.number }} is on its way.\n{{agent.name}}",
                "status": "pending", "priority": "high", "add_tags": ["Refund"], "assignee": "me",
            }),
        )
        .await
        .expect(201)
        .body;
    let ticket = create_ticket(
        &agent.client(),
        json!({"subject": "Charged twice", "body": "Please refund.", "tags": ["billing"],
               "customer": {"email": unique_email("ada"), "name": "Ada Lovelace"}}),
    )
    .await;
    assert_eq!(ticket["number"], 1, "the workspace's first ticket");
    let expected = "Hi Ada Lovelace, your refund for #1 is on its way.\nA agent".to_owned();

    let before = agent.client().get(&ticket_path(&ticket)).await.expect(200).body;
    let preview = agent.client().get(&apply_path(&ticket, &refund)).await.expect(200).body;
    assert_eq!(preview["body"], expected);
    assert_eq!(preview["ticket_version"], 1);

    let applied = agent.client().post(&apply_path(&ticket, &refund), json!({"version": 1})).await.expect(200).body;
    let after = &applied["ticket"];
    assert_eq!(after["version"], 2, "text and actions are one change");
    assert_eq!((after["status"].as_str(), after["priority"].as_str()), (Some("pending"), Some("high")));
    assert_eq!(after["tags"], json!(["billing", "refund"]));
    assert_eq!(after["assignee_id"], agent.user_id.as_str(), "`me` is whoever applies it");
    assert!(after["first_response_at"].is_string(), "the macro's reply is the first response");
    assert_eq!(applied["message"]["body"], expected);

    let detail = agent.client().get(&ticket_path(&ticket)).await.expect(200).body;
    let bodies: Vec<&str> =
        detail["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Please refund.", expected.as_str()]);
    assert_eq!(
        event_kinds_since(&detail, &before),
        ["message.created", "ticket.assigned", "ticket.macro_applied", "ticket.updated"],
        "the change wrote every event it stands for"
    );
}

#[tokio::test]
async fn a_macro_on_a_stale_version_changes_nothing_and_an_edited_text_is_sent_as_edited() {
    let owner = signup("Stale Macro Co").await;
    let client = owner.client();
    let close = client
        .post("/api/v1/macros", json!({"name": "Solve", "body": "Done, {{customer.name}}.", "status": "solved"}))
        .await
        .expect(201)
        .body;
    let ticket =
        create_ticket(&client, json!({"subject": "Help", "body": "Hi", "customer": {"email": unique_email("c")}}))
            .await;
    let changed = client.patch(&ticket_path(&ticket), json!({"version": 1, "priority": "low"})).await.expect(200).body;

    let stale =
        client.post(&apply_path(&ticket, &close), json!({"version": 1})).await.expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["version"], 2);
    let detail = client.get(&ticket_path(&ticket)).await.expect(200).body;
    assert_eq!(detail["messages"].as_array().unwrap().len(), 1, "no message was added");
    assert_eq!(detail["ticket"]["status"], "new");

    let applied = client
        .post(&apply_path(&ticket, &close), json!({"version": changed["version"], "body": "All sorted now."}))
        .await
        .expect(200)
        .body;
    assert_eq!(applied["message"]["body"], "All sorted now.");
    assert_eq!(applied["ticket"]["status"], "solved");
    // A customer known by e-mail only is greeted by it.
    let greeted = client.get(&apply_path(&ticket, &close)).await.expect(200).body;
    assert!(greeted["body"].as_str().unwrap().starts_with("Done, c-"), "{}", greeted["body"]);
}

#[tokio::test]
async fn macros_are_personal_or_shared_by_role_and_bad_templates_are_named() {
    let owner = signup("Macro Roles Co").await;
    let (agent, other) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let reply = agent
        .client()
        .post(
            "/api/v1/macros",
            json!({"name": "", "body": "Hi {{customer.first_name}}", "priority": "asap", "assignee": "boss"}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["name", "body", "priority", "assignee"]);
    assert!(reply.body["errors"][1]["message"].as_str().unwrap().contains("{{customer.first_name}}"));

    agent
        .client()
        .post("/api/v1/macros", json!({"name": "Team", "body": "Hi", "shared": true}))
        .await
        .expect_problem(403, "forbidden");
    let own = agent
        .client()
        .post("/api/v1/macros", json!({"name": "My sign-off", "body": "Cheers, {{agent.name}}"}))
        .await
        .expect(201)
        .body;
    let names = |list: Value| -> Vec<String> {
        list["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_owned()).collect()
    };
    assert_eq!(names(agent.client().get("/api/v1/macros").await.expect(200).body), ["My sign-off"]);
    assert!(names(other.client().get("/api/v1/macros").await.expect(200).body).is_empty());
    other
        .client()
        .put(&macro_path(&own), json!({"version": 1, "name": "Mine", "body": "x"}))
        .await
        .expect_problem(404, "not-found");

    let replaced = agent
        .client()
        .put(
            &macro_path(&own),
            json!({"version": 1, "name": "Sign-off", "body": "Best, {{agent.name}}", "add_tags": ["signed"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!((replaced["version"].as_u64(), replaced["actions"]["add_tags"].clone()), (Some(2), json!(["signed"])));
    agent
        .client()
        .put(&macro_path(&own), json!({"version": 1, "name": "Again", "body": "x"}))
        .await
        .expect_problem(409, "version-conflict");

    let stranger = signup("Macro Stranger Co").await;
    let theirs = create_ticket(
        &stranger.client(),
        json!({"subject": "S", "body": "B", "customer": {"email": unique_email("s")}}),
    )
    .await;
    stranger.client().get(&apply_path(&theirs, &own)).await.expect_problem(404, "not-found");
    stranger.client().delete(&macro_path(&own)).await.expect_problem(404, "not-found");
    let viewer = add_member(&stranger, "viewer").await;
    viewer.client().get("/api/v1/macros").await.expect_problem(403, "forbidden");
    agent.client().delete(&macro_path(&own)).await.expect(204);
    assert!(names(agent.client().get("/api/v1/macros").await.expect(200).body).is_empty());
}
