//! Notifications over HTTP and the WebSocket: each reaches only its recipient, live and in the centre;
//! preferences turn kinds off; the unread count stays exact through reads, pages and redelivery;
//! another member's or workspace's notification is not found.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::socket::Socket;
use switchboard_tests::{Client, Member, add_member, eventually, replay_events, signup, stack, unique_email};

const CENTRE: &str = "/api/v1/me/notifications";
const PREFERENCES: &str = "/api/v1/me/notification-preferences";
const WAIT: Duration = Duration::from_secs(60);

async fn new_ticket(client: &Client, subject: &str) -> Value {
    client
        .post(
            "/api/v1/tickets",
            json!({"subject": subject, "body": "Please help", "customer": {"email": unique_email("customer")}}),
        )
        .await
        .expect(201)
        .body
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("an id in {value}")).to_owned()
}

async fn assign(client: &Client, ticket: &Value, to: &Member) {
    let path = format!("/api/v1/tickets/{}", id(ticket));
    let version = client.get(&path).await.expect(200).body["ticket"]["version"].clone();
    client.patch(&path, json!({"version": version, "assignee_id": to.user_id})).await.expect(200);
}

async fn post_message(client: &Client, ticket: &Value, body: Value) {
    client.post(&format!("/api/v1/tickets/{}/messages", id(ticket)), body).await.expect(201);
}

async fn centre(member: &Member) -> Value {
    member.client().get(CENTRE).await.expect(200).body
}

/// Waits until the member's centre shows `count` notifications (the outbox runs after the commit).
async fn centre_with(member: &Member, count: usize) -> Value {
    let mut last = Value::Null;
    let reached = eventually(WAIT, async || {
        last = centre(member).await;
        last["items"].as_array().map_or(0, Vec::len) >= count
    })
    .await;
    assert!(reached, "{count} notifications expected, the centre has {last}");
    last
}

fn kinds(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|item| item["kind"].as_str().unwrap().to_owned()).collect()
}

fn notification_frame(frame: &Value) -> bool {
    frame["type"] == "notification"
}

#[tokio::test]
async fn an_assignment_reaches_the_assignee_live_and_in_the_centre_and_nobody_else() {
    let owner = signup("Notify assign").await;
    let (alice, bob) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let mut alice_socket = Socket::connect(&alice.access_token).await;
    let mut bob_socket = Socket::connect(&bob.access_token).await;
    let mut owner_socket = Socket::connect(&owner.access_token).await;
    let ticket = new_ticket(&owner.client(), "Printer on fire").await;
    assign(&owner.client(), &ticket, &alice).await;

    let frame = alice_socket.expect(notification_frame).await;
    assert_eq!(frame["notification"]["kind"], "ticket_assigned", "{frame}");
    assert_eq!(frame["notification"]["ticket_id"], ticket["id"]);
    assert_eq!(frame["notification"]["actor_id"], owner.user_id.as_str());
    assert_eq!(frame["unread"], 1);
    let list = centre(&alice).await;
    assert_eq!(kinds(&list), ["ticket_assigned"]);
    assert_eq!(list["unread"], 1);
    assert!(list["items"][0]["read_at"].is_null());

    // The same event reached the others' sockets as a ticket event, and no notification.
    for socket in [&mut bob_socket, &mut owner_socket] {
        socket.expect(|frame| frame["type"] == "ticket.event" && frame["event"]["type"] == "ticket.assigned").await;
        let frames = socket.drain().await;
        assert!(!frames.iter().any(notification_frame), "{frames:?}");
    }
    for other in [&bob, &owner] {
        let list = centre(other).await;
        assert_eq!((list["items"].as_array().unwrap().len(), list["unread"].as_u64()), (0, Some(0)), "{list}");
    }
    // Taking a ticket oneself notifies nobody.
    let own = new_ticket(&bob.client(), "Mine").await;
    assign(&bob.client(), &own, &bob).await;
    let marker = new_ticket(&owner.client(), "Marker").await;
    assign(&owner.client(), &marker, &alice).await;
    centre_with(&alice, 2).await;
    assert_eq!(centre(&bob).await["unread"], 0);
}

#[tokio::test]
async fn customer_replies_and_mentions_notify_the_assignee_and_the_members_mentioned() {
    let owner = signup("Notify mentions").await;
    let (alice, bob) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let outsider = signup("Notify elsewhere").await;
    let ticket = new_ticket(&owner.client(), "Refund").await;
    assign(&owner.client(), &ticket, &alice).await;
    centre_with(&alice, 1).await;

    post_message(&owner.client(), &ticket, json!({"body": "Any news?", "internal": false, "author": "customer"})).await;
    // An agent's reply to the customer notifies nobody.
    post_message(&owner.client(), &ticket, json!({"body": "On it", "internal": false})).await;
    let note = format!(
        "@[Bob]({}) can you check? cc @[Alice]({}), @[Ghost](01a1fc98-0000-7000-8000-000000000000), @[Them]({})",
        bob.user_id, alice.user_id, outsider.user_id
    );
    let mut bob_socket = Socket::connect(&bob.access_token).await;
    post_message(&alice.client(), &ticket, json!({"body": note, "internal": true})).await;

    let frame = bob_socket.expect(notification_frame).await;
    assert_eq!(frame["notification"]["kind"], "mentioned");
    assert_eq!(frame["notification"]["actor_id"], alice.user_id.as_str());
    assert_eq!(kinds(&centre(&bob).await), ["mentioned"]);
    // Alice mentioned herself: nothing for that; the customer's message is hers.
    let list = centre_with(&alice, 2).await;
    assert_eq!(kinds(&list), ["customer_replied", "ticket_assigned"]);
    assert_eq!(list["unread"], 2);
    // Another workspace's member named in a note is plain text there.
    assert_eq!(centre(&outsider).await["unread"], 0);
    // A mention in a reply to the customer is not a mention.
    post_message(&owner.client(), &ticket, json!({"body": format!("@[Bob]({})", bob.user_id), "internal": false}))
        .await;
    let marker = new_ticket(&owner.client(), "Marker").await;
    assign(&owner.client(), &marker, &bob).await;
    assert_eq!(kinds(&centre_with(&bob, 2).await), ["ticket_assigned", "mentioned"]);
}

#[tokio::test]
async fn leads_and_deals_notify_their_owner() {
    let owner = signup("Notify sales").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    client.post("/api/v1/leads", json!({"name": "Ada Lovelace", "owner_id": rep.user_id})).await.expect(201);
    let pipelines = client.get("/api/v1/pipelines").await.expect(200).body;
    let second_stage = pipelines["items"][0]["stages"][1]["id"].clone();
    let deal = client
        .post("/api/v1/deals", json!({"title": "Big one", "value": 1000, "currency": "EUR", "owner_id": rep.user_id}))
        .await
        .expect(201)
        .body;
    client
        .post(
            &format!("/api/v1/deals/{}/move", id(&deal)),
            json!({"stage_id": second_stage, "version": deal["version"]}),
        )
        .await
        .expect(200);
    let list = centre_with(&rep, 2).await;
    assert_eq!(kinds(&list), ["deal_stage_changed", "lead_assigned"]);
    assert_eq!(list["items"][0]["deal_id"], deal["id"]);
    assert_eq!(list["items"][1]["data"]["name"], "Ada Lovelace");
    assert_eq!(centre(&owner).await["unread"], 0, "moving one's own deal tells nobody");
}

#[tokio::test]
async fn preferences_turn_a_kind_off_for_that_member_only() {
    let owner = signup("Notify prefs").await;
    let (alice, bob) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let defaults = alice.client().get(PREFERENCES).await.expect(200).body;
    assert_eq!(defaults["kinds"].as_array().unwrap().len(), 7);
    assert!(defaults["kinds"].as_array().unwrap().iter().all(|kind| kind["enabled"] == true));

    let refused = alice
        .client()
        .put(
            PREFERENCES,
            json!({"kinds": [{"kind": "ticket_assigned", "enabled": false}, {"kind": "everything", "enabled": false}]}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["kinds[1].kind"]);
    assert_eq!(alice.client().get(PREFERENCES).await.expect(200).body, defaults, "nothing half-written");

    let saved = alice
        .client()
        .put(PREFERENCES, json!({"kinds": [{"kind": "ticket_assigned", "enabled": false}]}))
        .await
        .expect(200)
        .body;
    let off: Vec<&Value> = saved["kinds"].as_array().unwrap().iter().filter(|kind| kind["enabled"] == false).collect();
    assert_eq!(off, [&json!({"kind": "ticket_assigned", "enabled": false})]);
    assert_eq!(alice.client().get(PREFERENCES).await.expect(200).body, saved);

    let (first, second) = (new_ticket(&owner.client(), "One").await, new_ticket(&owner.client(), "Two").await);
    assign(&owner.client(), &first, &alice).await;
    assign(&owner.client(), &second, &bob).await;
    // Mentions are still on for Alice: once that one is there, the assignment before it was handled.
    let note = format!("@[Alice]({})", alice.user_id);
    post_message(&owner.client(), &first, json!({"body": note, "internal": true})).await;
    assert_eq!(kinds(&centre_with(&alice, 1).await), ["mentioned"]);
    assert_eq!(kinds(&centre_with(&bob, 1).await), ["ticket_assigned"], "Bob's own preferences are untouched");

    alice.client().put(PREFERENCES, json!({"kinds": [{"kind": "ticket_assigned", "enabled": true}]})).await.expect(200);
    let third = new_ticket(&owner.client(), "Three").await;
    assign(&owner.client(), &third, &alice).await;
    assert_eq!(kinds(&centre_with(&alice, 2).await), ["ticket_assigned", "mentioned"]);
}

#[tokio::test]
async fn the_unread_count_stays_exact_through_reads_pages_and_redelivery() {
    let owner = signup("Notify counts").await;
    let alice = add_member(&owner, "agent").await;
    for subject in ["A", "B", "C"] {
        let ticket = new_ticket(&owner.client(), subject).await;
        assign(&owner.client(), &ticket, &alice).await;
    }
    let all = centre_with(&alice, 3).await;
    assert_eq!(all["unread"], 3);
    let client = alice.client();
    let first = client.get(&format!("{CENTRE}?limit=2")).await.expect(200).body;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("a second page").to_owned();
    let second = client.get(&format!("{CENTRE}?limit=2&cursor={cursor}")).await.expect(200).body;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    let ids: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|item| &item["id"])
        .collect();
    assert_eq!(
        ids,
        all["items"].as_array().unwrap().iter().map(|item| &item["id"]).collect::<Vec<_>>(),
        "newest first, no repeats"
    );

    let newest = id(&all["items"][0]);
    let read = client.post(&format!("{CENTRE}/{newest}/read"), json!({})).await.expect(200).body;
    assert!(read["notification"]["read_at"].is_string());
    assert_eq!(read["unread"], 2);
    let again = client.post(&format!("{CENTRE}/{newest}/read"), json!({})).await.expect(200).body;
    assert_eq!(
        (again["unread"].as_u64(), &again["notification"]["read_at"]),
        (Some(2), &read["notification"]["read_at"])
    );
    let unread = client.get(&format!("{CENTRE}?unread=true")).await.expect(200).body;
    assert_eq!(unread["items"].as_array().unwrap().len(), 2);
    assert!(unread["items"].as_array().unwrap().iter().all(|item| item["id"] != newest.as_str()));
    client.get(&format!("{CENTRE}?unread=maybe")).await.expect_problem(422, "validation-failed");

    // A redelivered stream batch adds nothing.
    replay_events(stack().app, &owner.workspace_id, &Value::Null).await;
    assert_eq!(centre(&alice).await["unread"], 2);
    assert_eq!(centre(&alice).await["items"].as_array().unwrap().len(), 3);

    let all_read = client.post(&format!("{CENTRE}/read-all"), json!({})).await.expect(200).body;
    assert_eq!((all_read["marked"].as_u64(), all_read["unread"].as_u64()), (Some(2), Some(0)));
    assert!(
        client.get(&format!("{CENTRE}?unread=true")).await.expect(200).body["items"].as_array().unwrap().is_empty()
    );
    let after = centre(&alice).await;
    assert!(after["items"].as_array().unwrap().iter().all(|item| item["read_at"].is_string()), "{after}");
    assert_eq!(client.post(&format!("{CENTRE}/read-all"), json!({})).await.expect(200).body["marked"], 0);
}

#[tokio::test]
async fn another_members_or_workspaces_notification_is_not_found() {
    let owner = signup("Notify tenancy").await;
    let (alice, viewer) = (add_member(&owner, "agent").await, add_member(&owner, "viewer").await);
    let ticket = new_ticket(&owner.client(), "Private").await;
    assign(&owner.client(), &ticket, &alice).await;
    let notification = id(&centre_with(&alice, 1).await["items"][0]);
    let path = format!("{CENTRE}/{notification}/read");
    let outsider = signup("Notify outsider").await;
    for stranger in [&owner, &viewer, &outsider] {
        stranger.client().post(&path, json!({})).await.expect_problem(404, "not-found");
    }
    owner.client().post(&format!("{CENTRE}/not-an-id/read"), json!({})).await.expect(404);
    assert_eq!(centre(&alice).await["unread"], 1, "still unread for its recipient");
    // Every member has a centre, viewers too; keys do not (the centre is a person's).
    assert_eq!(centre(&viewer).await["unread"], 0);
    let key = owner
        .client()
        .post("/api/v1/api-keys", json!({"name": "Robot", "scopes": ["tickets:read"]}))
        .await
        .expect(201)
        .body;
    let robot = Client::new().with_token(key["secret"].as_str().expect("the key, shown once"));
    robot.get(CENTRE).await.expect(403);
}

#[tokio::test]
async fn a_chat_mention_notifies_only_members_who_may_read_the_channel() {
    let owner = signup("Notify chat").await;
    let (alice, bob) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let private = owner
        .client()
        .post("/api/v1/chat/channels", json!({"name": "leads", "private": true, "member_ids": [alice.user_id]}))
        .await
        .expect(201)
        .body;
    let mut alice_socket = Socket::connect(&alice.access_token).await;
    let body = format!("@[Alice]({}) and @[Bob]({}): see this", alice.user_id, bob.user_id);
    owner
        .client()
        .post(&format!("/api/v1/chat/channels/{}/messages", id(&private)), json!({"body": body}))
        .await
        .expect(201);
    let frame = alice_socket.expect(notification_frame).await;
    assert_eq!(frame["notification"]["kind"], "mentioned");
    assert_eq!(frame["notification"]["event_type"], "chat.mentioned");
    assert_eq!(frame["notification"]["data"]["channel_id"], private["id"]);
    assert!(!frame.to_string().contains("see this"), "the text stays in the channel: {frame}");

    // Bob is not in the private channel: a public one reaches him, and only that one is his.
    let general = owner.client().post("/api/v1/chat/channels", json!({"name": "general"})).await.expect(201).body;
    let body = format!("@[Bob]({}) welcome", bob.user_id);
    owner
        .client()
        .post(&format!("/api/v1/chat/channels/{}/messages", id(&general)), json!({"body": body}))
        .await
        .expect(201);
    let list = centre_with(&bob, 1).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["data"]["channel_id"], general["id"]);
    // A plain message writes no event.
    owner
        .client()
        .post(&format!("/api/v1/chat/channels/{}/messages", id(&general)), json!({"body": "hi all"}))
        .await
        .expect(201);
    let log = owner.client().get("/api/v1/activity").await.expect(200).body;
    let mentioned = log["items"].as_array().unwrap().iter().filter(|event| event["type"] == "chat.mentioned").count();
    assert_eq!(mentioned, 2);
}
