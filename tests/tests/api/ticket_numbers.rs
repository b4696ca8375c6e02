//! Ticket numbers: each workspace counts its own tickets 1, 2, 3, … with no gap or repeat however many
//! are opened at once; a number finds its ticket (by route, filter or `#` search) in its workspace only.

use serde_json::json;
use switchboard_tests::{add_member, signup, unique_email};

use crate::tickets::{create_ticket, new_ticket};

#[tokio::test]
async fn twenty_tickets_opened_at_once_take_the_numbers_one_to_twenty() {
    let owner = signup("Numbered Co").await;
    let client = owner.client();
    let opened = futures::future::join_all((0..20).map(|n| {
        let client = client.clone();
        async move {
            let body = json!({"subject": format!("Rush {n}"), "body": "b", "customer": {"email": "rush@example.com"}});
            client.post("/api/v1/tickets", body).await
        }
    }))
    .await;
    let mut numbers: Vec<u64> =
        opened.into_iter().map(|reply| reply.expect(201).body["number"].as_u64().unwrap()).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=20).collect::<Vec<u64>>(), "no gap, no repeat");

    // Another workspace starts at 1 of its own.
    let other = signup("Other Numbers").await;
    assert_eq!(new_ticket(&other.client(), "Theirs").await["number"], 1);
    assert_eq!(new_ticket(&client, "Twenty-first").await["number"], 21);
}

#[tokio::test]
async fn a_number_finds_its_ticket_in_its_own_workspace_only() {
    let owner = signup("Find By Number").await;
    let agent = add_member(&owner, "agent").await;
    let first = new_ticket(&agent.client(), "First").await;
    let second = new_ticket(&agent.client(), "Second").await;
    assert_eq!((first["number"].as_u64(), second["number"].as_u64()), (Some(1), Some(2)));

    let found = agent.client().get("/api/v1/tickets/by-number/2").await.expect(200).body;
    assert_eq!(found["ticket"]["id"], second["id"]);
    assert_eq!(found["ticket"]["number"], 2);
    assert_eq!(found["messages"][0]["body"], "Help with Second");
    agent.client().get("/api/v1/tickets/by-number/3").await.expect_problem(404, "not-found");
    agent.client().get("/api/v1/tickets/by-number/two").await.expect_problem(404, "not-found");

    // The inbox filter and the search find it whatever the view.
    let listed = agent.client().get("/api/v1/tickets?number=1").await.expect(200).body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["id"], first["id"]);
    let searched = agent.client().get("/api/v1/tickets?view=solved&q=%232").await.expect(200).body;
    assert_eq!(searched["items"][0]["id"], second["id"]);
    let none = agent.client().get("/api/v1/tickets?number=99").await.expect(200).body;
    assert_eq!(none["items"], json!([]));
    let bad = agent.client().get("/api/v1/tickets?number=-1").await.expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["number"]);
    let bad = agent.client().get("/api/v1/tickets?q=printer").await.expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["q"]);

    // Another workspace's number 1 is its own ticket, never this one.
    let other = signup("Number Thieves").await;
    let theirs = create_ticket(
        &other.client(),
        json!({"subject": "Theirs", "body": "b", "customer": {"email": unique_email("c")}}),
    )
    .await;
    let found = other.client().get("/api/v1/tickets/by-number/1").await.expect(200).body;
    assert_eq!(found["ticket"]["id"], theirs["id"]);
    other.client().get("/api/v1/tickets/by-number/2").await.expect_problem(404, "not-found");
    let listed = other.client().get("/api/v1/tickets?number=2").await.expect(200).body;
    assert_eq!(listed["items"], json!([]));
}
