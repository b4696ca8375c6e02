//! Notes on customers and deals (lead notes are in `leads`): adding and listing them, refusals naming
//! the field, the record's permission, and isolation between workspaces.

use serde_json::{Value, json};
use switchboard_tests::{Client, Member, add_member, signup, unique_email};

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

async fn new_customer(client: &Client) -> String {
    let customer = client.post("/api/v1/customers", json!({"email": unique_email("noted"), "name": "Noted"})).await;
    format!("/api/v1/customers/{}", id(&customer.expect(201).body))
}

async fn new_deal(client: &Client) -> String {
    let deal = client.post("/api/v1/deals", json!({"title": "Noted deal", "value": 100, "currency": "EUR"})).await;
    format!("/api/v1/deals/{}", id(&deal.expect(201).body))
}

fn bodies(list: &Value) -> Vec<&str> {
    list["items"].as_array().unwrap().iter().map(|note| note["body"].as_str().unwrap()).collect()
}

/// Adds two notes and lists them; the answers name the record and the author.
async fn notes_are_added_and_listed(member: &Member, record: &str, kind: &str) {
    let client = member.client();
    let notes = format!("{record}/notes");
    assert_eq!(client.get(&notes).await.expect(200).body["items"], json!([]));
    let first = client.post(&notes, json!({"body": "  Called, wants a demo  "})).await.expect(201).body;
    let record_id = record.rsplit('/').next().unwrap();
    assert_eq!(first["record"], format!("{kind}#{record_id}"));
    assert_eq!(first["author_id"], member.user_id.as_str());
    assert_eq!(first["body"], "Called, wants a demo", "trimmed");
    client.post(&notes, json!({"body": "Demo booked"})).await.expect(201);
    let list = client.get(&notes).await.expect(200).body;
    assert_eq!(bodies(&list), ["Called, wants a demo", "Demo booked"], "oldest first");
    assert_eq!(list["items"][0]["id"], first["id"]);
    let page = client.get(&format!("{notes}?limit=1")).await.expect(200).body;
    assert_eq!(bodies(&page), ["Called, wants a demo"]);
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest = client.get(&format!("{notes}?limit=1&cursor={cursor}")).await.expect(200).body;
    assert_eq!(bodies(&rest), ["Demo booked"]);
}

async fn bad_notes_are_refused(client: &Client, record: &str, unknown: &str) {
    let notes = format!("{record}/notes");
    let empty = client.post(&notes, json!({"body": "   "})).await.expect_problem(422, "validation-failed");
    assert!(empty.body.to_string().contains("body"), "names the field: {}", empty.body);
    client.post(&notes, json!({"text": "wrong field"})).await.expect(422);
    let missing = format!("{unknown}/notes");
    client.post(&missing, json!({"body": "Lost"})).await.expect_problem(404, "not-found");
    client.get(&missing).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn a_customer_takes_notes_in_its_timeline() {
    let owner = signup("Customer Notes").await;
    let client = owner.client();
    let customer = new_customer(&client).await;
    notes_are_added_and_listed(&owner, &customer, "customer").await;
    let timeline = client.get(&format!("{customer}/timeline")).await.expect(200).body;
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["customer.note_added", "customer.note_added", "customer.created"], "newest first");
    assert_eq!(timeline["items"][0]["after"]["excerpt"], "Demo booked");
    bad_notes_are_refused(&client, &customer, &format!("/api/v1/customers/{}", uuid::Uuid::now_v7())).await;
}

#[tokio::test]
async fn a_deal_takes_notes_in_its_history() {
    let owner = signup("Deal Notes").await;
    let client = owner.client();
    let deal = new_deal(&client).await;
    notes_are_added_and_listed(&owner, &deal, "deal").await;
    let activity = client.get("/api/v1/activity").await.expect(200).body;
    let noted: Vec<&Value> =
        activity["items"].as_array().unwrap().iter().filter(|e| e["type"] == "deal.note_added").collect();
    assert_eq!(noted.len(), 2);
    assert_eq!(noted[0]["subject"], format!("deal/{}", deal.rsplit('/').next().unwrap()));
    // The deal itself did not change.
    assert_eq!(client.get(&deal).await.expect(200).body["version"], 1);
    bad_notes_are_refused(&client, &deal, &format!("/api/v1/deals/{}", uuid::Uuid::now_v7())).await;
}

#[tokio::test]
async fn viewers_read_notes_and_write_none() {
    let owner = signup("Read Only Notes").await;
    let (agent, viewer) = (add_member(&owner, "agent").await, add_member(&owner, "viewer").await);
    let customer = new_customer(&owner.client()).await;
    let deal = new_deal(&owner.client()).await;
    for record in [&customer, &deal] {
        let notes = format!("{record}/notes");
        agent.client().post(&notes, json!({"body": "By an agent"})).await.expect(201);
        viewer.client().post(&notes, json!({"body": "By a viewer"})).await.expect_problem(403, "forbidden");
        assert_eq!(bodies(&viewer.client().get(&notes).await.expect(200).body), ["By an agent"]);
    }
}

#[tokio::test]
async fn another_workspace_cannot_read_or_add_notes() {
    let owner = signup("Private Notes").await;
    let intruder = signup("Nosy Notes").await;
    let customer = new_customer(&owner.client()).await;
    let deal = new_deal(&owner.client()).await;
    for record in [&customer, &deal] {
        let notes = format!("{record}/notes");
        owner.client().post(&notes, json!({"body": "Secret"})).await.expect(201);
        intruder.client().get(&notes).await.expect_problem(404, "not-found");
        intruder.client().post(&notes, json!({"body": "Mine now"})).await.expect_problem(404, "not-found");
        assert_eq!(bodies(&owner.client().get(&notes).await.expect(200).body), ["Secret"]);
    }
}
