//! Real-time collaboration and team chat, black-box: real WebSocket clients against the local stack's
//! WebSocket API, and REST calls beside them. Frames are awaited with a timeout; nothing sleeps.

use serde_json::{Value, json};
use switchboard_tests::socket::{Socket, refused_status, socket_token};
use switchboard_tests::{Client, Member, add_member, signup, stack, unique_email};

async fn new_ticket(client: &Client, subject: &str) -> Value {
    client
        .post(
            "/api/v1/tickets",
            json!({"subject": subject, "body": format!("Help with {subject}"), "customer": {"email": unique_email("customer")}}),
        )
        .await
        .expect(201)
        .body
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("an id in {value}")).to_owned()
}

fn is(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |frame| frame["type"] == kind
}

/// A ticket event frame of `kind` about `ticket`.
fn ticket_event(kind: &'static str, ticket: String) -> impl Fn(&Value) -> bool {
    move |frame| {
        frame["type"] == "ticket.event" && frame["event"]["type"] == kind && frame["ticket_id"] == ticket.as_str()
    }
}

/// A workspace with an owner and two agents.
async fn team(name: &str) -> (Member, Member, Member) {
    let owner = signup(name).await;
    let a = add_member(&owner, "agent").await;
    let b = add_member(&owner, "agent").await;
    (owner, a, b)
}

#[tokio::test]
async fn the_handshake_refuses_a_missing_or_bad_token() {
    assert_eq!(refused_status("").await, 401);
    assert_eq!(refused_status("token=not-a-token").await, 401);
    let owner = signup("Handshake").await;
    // The REST header is no way in: browsers cannot set it, and the query is what the API reads.
    assert_eq!(refused_status(&format!("other={}", owner.access_token)).await, 401);
    // Platform staff hold no workspace to watch.
    let staff_email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &staff_email, "Pat Platform", switchboard_tests::PASSWORD)
        .await
        .unwrap();
    let staff = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": staff_email, "password": switchboard_tests::PASSWORD}))
        .await
        .expect(200);
    // Only a socket token opens a socket: neither a staff nor a member access token does.
    assert_eq!(refused_status(&format!("token={}", staff.body["access_token"].as_str().unwrap())).await, 401);
    assert_eq!(refused_status(&format!("token={}", owner.access_token)).await, 401);

    let mut socket = Socket::connect(&owner.access_token).await;
    let welcome = socket.request(json!({"action": "hello"})).await;
    assert_eq!(welcome["user_id"], owner.user_id.as_str());
    assert_eq!(welcome["workspace_id"], owner.workspace_id.as_str());
    assert!(welcome["online"].as_array().unwrap().contains(&json!(owner.user_id)));
}

#[tokio::test]
async fn a_socket_token_opens_a_socket_and_nothing_else() {
    let owner = signup("Socket token").await;
    let token = socket_token(&owner.access_token).await;
    // The REST API refuses it like any unknown token.
    Client::new().with_token(&token).get("/api/v1/me").await.expect(401);
    Client::new().with_token(&token).post("/api/v1/me/socket-token", json!({})).await.expect(401);
    // Without an access token there is no socket token.
    Client::new().post("/api/v1/me/socket-token", json!({})).await.expect(401);
    let mut socket = Socket::connect_with_socket_token(&token).await;
    let welcome = socket.request(json!({"action": "hello"})).await;
    assert_eq!(welcome["user_id"], owner.user_id.as_str());
    // API keys have no live connection.
    let key =
        owner.client().post("/api/v1/api-keys", json!({"name": "Live", "scopes": ["tickets:read"]})).await.expect(201);
    let key = key.body["secret"].as_str().expect("the key, shown once");
    Client::new().with_token(key).post("/api/v1/me/socket-token", json!({})).await.expect(403);
}

#[tokio::test]
async fn bad_frames_get_an_error_frame_and_the_socket_stays_open() {
    let owner = signup("Bad frames").await;
    let mut socket = Socket::connect(&owner.access_token).await;

    socket.send_text("{not json".to_owned()).await;
    let malformed = socket.expect(is("error")).await;
    assert_eq!(malformed["code"], "malformed_frame", "{malformed}");

    socket.send_text(json!({"action": 42}).to_string()).await;
    assert_eq!(socket.expect(is("error")).await["code"], "malformed_frame");

    let unknown = socket.request(json!({"action": "teleport"})).await;
    assert_eq!(unknown["code"], "unknown_action", "{unknown}");
    assert!(unknown["message"].as_str().unwrap().contains("subscribe"), "it lists the actions: {unknown}");

    let oversized = socket.request(json!({"action": "hello", "padding": "x".repeat(40 * 1024)})).await;
    assert_eq!(oversized["code"], "frame_too_large", "{oversized}");

    let missing = socket.request(json!({"action": "subscribe"})).await;
    assert_eq!(missing["code"], "invalid_frame");
    let bad_id = socket.request(json!({"action": "subscribe", "ticket_id": "nope"})).await;
    assert_eq!(bad_id["code"], "invalid_frame");

    // Still open and answering.
    assert_eq!(socket.request(json!({"action": "heartbeat"})).await["type"], "pong");
}

#[tokio::test]
async fn a_frame_over_128_kb_closes_the_socket_with_1009_and_others_stay_open() {
    let owner = signup("Big frames").await;
    let mut bystander = Socket::connect(&owner.access_token).await;
    let mut socket = Socket::connect(&owner.access_token).await;
    socket.send_text(json!({"action": "hello", "padding": "x".repeat(200 * 1024)}).to_string()).await;
    assert_eq!(socket.closed_within(switchboard_tests::socket::WAIT).await, Some(1009), "message too big");
    assert_eq!(bystander.request(json!({"action": "heartbeat"})).await["type"], "pong");
}

#[tokio::test]
async fn deactivating_or_demoting_a_member_closes_their_open_sockets() {
    let (owner, a, b) = team("Access changes").await;
    let mut watcher = Socket::connect(&owner.access_token).await;
    let alice = Socket::connect(&a.access_token).await;
    let bob = Socket::connect(&b.access_token).await;
    owner.client().patch(&format!("/api/v1/users/{}", a.user_id), json!({"status": "deactivated"})).await.expect(200);
    alice.closed_within(switchboard_tests::socket::WAIT).await;
    // A role change closes the sockets too: the next handshake carries the new role.
    owner.client().patch(&format!("/api/v1/users/{}", b.user_id), json!({"role": "viewer"})).await.expect(200);
    bob.closed_within(switchboard_tests::socket::WAIT).await;
    // The others hear who left, and their own socket stays open.
    assert_eq!(watcher.request(json!({"action": "heartbeat"})).await["online"], json!([owner.user_id]));
}

#[tokio::test]
async fn two_agents_see_each_others_presence_typing_and_departure() {
    let (owner, a, b) = team("Presence").await;
    let ticket = new_ticket(&owner.client(), "Printer on fire").await;
    let ticket_id = id(&ticket);

    let mut alice = Socket::connect(&a.access_token).await;
    let mut bob = Socket::connect(&b.access_token).await;
    // Alice hears Bob come online.
    alice.expect(|f| f["type"] == "presence" && f["online"].as_array().unwrap().contains(&json!(b.user_id))).await;

    let subscribed = alice.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");
    assert_eq!(subscribed["viewers"], json!([a.user_id]));
    assert_eq!(subscribed["ticket_version"], 1);

    let both = bob.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    assert_eq!(both["viewers"].as_array().unwrap().len(), 2, "{both}");
    let viewers = alice.expect(|f| f["type"] == "ticket.presence" && f["viewers"].as_array().unwrap().len() == 2).await;
    assert!(viewers["viewers"].as_array().unwrap().contains(&json!(b.user_id)));

    let ack = bob.request(json!({"action": "typing", "ticket_id": ticket_id, "typing": true})).await;
    assert_eq!(ack["type"], "typing.ack", "{ack}");
    alice.expect(|f| f["type"] == "ticket.presence" && f["typing"] == json!([b.user_id])).await;
    bob.request(json!({"action": "typing", "ticket_id": ticket_id, "typing": false})).await;
    alice.expect(|f| f["type"] == "ticket.presence" && f["typing"] == json!([])).await;

    // Bob closes his tab: he leaves the ticket and the workspace's online list.
    bob.close().await;
    alice
        .expect(|f| {
            f["type"] == "ticket.presence" && f["ticket_id"] == ticket_id.as_str() && f["viewers"] == json!([a.user_id])
        })
        .await;
    alice.expect(|f| f["type"] == "presence" && !f["online"].as_array().unwrap().contains(&json!(b.user_id))).await;
    let pong = alice.request(json!({"action": "heartbeat"})).await;
    assert!(!pong["online"].as_array().unwrap().contains(&json!(b.user_id)));
}

#[tokio::test]
async fn typing_needs_a_subscription_and_a_ticket_of_ones_own_workspace() {
    let (owner, a, _) = team("Typing rules").await;
    let ticket = new_ticket(&owner.client(), "Lost parcel").await;
    let mut alice = Socket::connect(&a.access_token).await;
    let refused = alice.request(json!({"action": "typing", "ticket_id": id(&ticket), "typing": true})).await;
    assert_eq!(refused["code"], "not_subscribed", "{refused}");

    let other = signup("Someone else").await;
    let foreign = new_ticket(&other.client(), "Not yours").await;
    let not_found = alice.request(json!({"action": "subscribe", "ticket_id": id(&foreign)})).await;
    assert_eq!(not_found["code"], "not_found", "{not_found}");
}

#[tokio::test]
async fn a_claim_race_has_exactly_one_winner_and_managers_can_take_over() {
    // The owner stands in for a manager here (the free plan has three seats); both hold tickets:take_over.
    let (owner, a, b) = team("Claims").await;
    let manager = owner.clone();
    let ticket = new_ticket(&owner.client(), "Refund").await;
    let ticket_id = id(&ticket);

    let mut watcher = Socket::connect(&owner.access_token).await;
    watcher.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    let mut alice = Socket::connect(&a.access_token).await;
    let mut bob = Socket::connect(&b.access_token).await;

    let claim = json!({"action": "claim", "ticket_id": ticket_id, "minutes": 10});
    let (first, second) = tokio::join!(alice.request(claim.clone()), bob.request(claim.clone()));
    let outcomes = [&first, &second];
    let winners: Vec<&&Value> = outcomes.iter().filter(|reply| reply["type"] == "claimed").collect();
    let losers: Vec<&&Value> = outcomes.iter().filter(|reply| reply["code"] == "claim_held").collect();
    assert_eq!((winners.len(), losers.len()), (1, 1), "exactly one wins: {first} / {second}");
    let winner = winners[0]["claim"]["user_id"].clone();
    assert_eq!(losers[0]["claim"]["user_id"], winner, "the loser is told who holds it");
    let seen = watcher.expect(is("ticket.claim")).await;
    assert_eq!(seen["claim"]["user_id"], winner);

    // The holder renews; the other still cannot release it.
    let (holder, other) = if winner == json!(a.user_id) { (&mut alice, &mut bob) } else { (&mut bob, &mut alice) };
    assert_eq!(holder.request(claim.clone()).await["type"], "claimed", "renewal");
    assert_eq!(other.request(json!({"action": "release", "ticket_id": ticket_id})).await["code"], "claim_held");
    let no_power = other.request(json!({"action": "claim", "ticket_id": ticket_id, "take_over": true})).await;
    assert_eq!(no_power["code"], "forbidden", "agents cannot take over");

    let mut boss = Socket::connect(&manager.access_token).await;
    let taken = boss.request(json!({"action": "claim", "ticket_id": ticket_id, "take_over": true})).await;
    assert_eq!(taken["claim"]["user_id"], manager.user_id.as_str(), "{taken}");
    watcher.expect(|f| f["type"] == "ticket.claim" && f["claim"]["user_id"] == manager.user_id.as_str()).await;
    assert_eq!(boss.request(json!({"action": "release", "ticket_id": ticket_id})).await["type"], "released");
    watcher.expect(|f| f["type"] == "ticket.claim" && f["claim"].is_null()).await;

    let too_long = alice.request(json!({"action": "claim", "ticket_id": ticket_id, "minutes": 600})).await;
    assert_eq!(too_long["code"], "invalid_frame");
}

#[tokio::test]
async fn releasing_someone_elses_claim_is_refused_and_the_claim_stays_unless_one_may_take_over() {
    let (owner, a, b) = team("Release rules").await;
    let ticket_id = id(&new_ticket(&owner.client(), "Held by Alice").await);
    let mut alice = Socket::connect(&a.access_token).await;
    let mut bob = Socket::connect(&b.access_token).await;
    let claim = json!({"action": "claim", "ticket_id": ticket_id, "minutes": 10});
    assert_eq!(alice.request(claim.clone()).await["type"], "claimed");

    let refused = bob.request(json!({"action": "release", "ticket_id": ticket_id})).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["code"], "claim_held");
    assert_eq!(refused["claim"]["user_id"], a.user_id.as_str(), "the refusal names the holder: {refused}");
    // The claim stays: Bob still cannot claim it.
    let still = bob.request(claim.clone()).await;
    assert_eq!(
        (still["code"].as_str(), still["claim"]["user_id"].as_str()),
        (Some("claim_held"), Some(a.user_id.as_str()))
    );

    // A member who may take claims over (the owner) really releases it, and then it is free.
    let mut boss = Socket::connect(&owner.access_token).await;
    assert_eq!(boss.request(json!({"action": "release", "ticket_id": ticket_id})).await["type"], "released");
    assert_eq!(bob.request(claim).await["type"], "claimed");
    assert_eq!(alice.request(json!({"action": "release", "ticket_id": ticket_id})).await["code"], "claim_held");
}

#[tokio::test]
async fn a_reply_drafted_before_new_messages_is_refused_with_what_changed_unless_confirmed() {
    let (owner, a, b) = team("Drafts").await;
    let ticket = new_ticket(&owner.client(), "Broken login").await;
    let path = format!("/api/v1/tickets/{}/messages", id(&ticket));
    let started_on = ticket["version"].as_u64().unwrap();

    // While Alice writes, the customer adds a message and Bob replies.
    owner
        .client()
        .post(&path, json!({"body": "Also, my password reset mail never came", "author": "customer"}))
        .await
        .expect(201);
    b.client().post(&path, json!({"body": "Looking into it"})).await.expect(201);
    // An internal note is no reason to hold a reply back.
    b.client().post(&path, json!({"body": "probably SSO", "internal": true})).await.expect(201);

    let draft = json!({"body": "Please try again now", "draft_version": started_on});
    let conflict = a.client().post(&path, draft.clone()).await.expect_problem(409, "draft-conflict");
    let bodies: Vec<&str> =
        conflict.body["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Also, my password reset mail never came", "Looking into it"]);
    let current = conflict.body["current_version"].as_u64().unwrap();
    assert!(current > started_on);

    // Reread: a draft on the current version goes through; so does a confirmed one.
    a.client().post(&path, json!({"body": "Please try again now", "draft_version": current})).await.expect(201);
    let mut confirmed = draft;
    confirmed["confirm"] = true.into();
    a.client().post(&path, confirmed).await.expect(201);
    let ahead = a.client().post(&path, json!({"body": "x", "draft_version": current + 10})).await;
    assert_eq!(ahead.expect_problem(422, "validation-failed").field_errors(), ["draft_version"]);
    // No draft_version: the reply is sent as before.
    a.client().post(&path, json!({"body": "One more thing"})).await.expect(201);
}

#[tokio::test]
async fn a_reply_over_someone_elses_claim_needs_confirmation() {
    let (owner, a, b) = team("Claimed replies").await;
    let ticket = new_ticket(&owner.client(), "Invoice").await;
    let path = format!("/api/v1/tickets/{}/messages", id(&ticket));
    let mut bob = Socket::connect(&b.access_token).await;
    assert_eq!(bob.request(json!({"action": "claim", "ticket_id": id(&ticket)})).await["type"], "claimed");

    let held = a.client().post(&path, json!({"body": "Hi!"})).await.expect_problem(409, "ticket-claimed");
    assert_eq!(held.body["claim"]["user_id"], b.user_id.as_str());
    a.client().post(&path, json!({"body": "Internal: ping Bob", "internal": true})).await.expect(201);
    a.client().post(&path, json!({"body": "Hi!", "confirm": true})).await.expect(201);
    b.client().post(&path, json!({"body": "I've got this"})).await.expect(201);
}

#[tokio::test]
async fn a_change_over_rest_reaches_the_other_agents_socket_in_order_with_event_ids() {
    let (owner, a, b) = team("Live updates").await;
    let mut alice = Socket::connect(&a.access_token).await;
    let ticket = new_ticket(&b.client(), "Live one").await;
    let ticket_id = id(&ticket);

    // Inbox events reach every socket of the workspace without a subscription.
    let created = alice.expect(ticket_event("ticket.created", ticket_id.clone())).await;
    assert_eq!(created["ticket_version"], 1);
    assert!(created["event_id"].as_str().is_some());

    let path = format!("/api/v1/tickets/{ticket_id}");
    b.client().patch(&path, json!({"version": 1, "priority": "urgent"})).await.expect(200);
    let updated = alice.expect(ticket_event("ticket.updated", ticket_id.clone())).await;
    assert_eq!(updated["ticket_version"], 2);
    assert_eq!(updated["event"]["after"]["priority"], "urgent");

    // Messages need a subscription: once subscribed, Bob's reply arrives with the next version.
    alice.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    b.client().post(&format!("{path}/messages"), json!({"body": "On it"})).await.expect(201);
    let message = alice.expect(ticket_event("message.created", ticket_id.clone())).await;
    assert_eq!(message["ticket_version"], 3);
    let status = alice.expect(ticket_event("ticket.updated", ticket_id.clone())).await;
    assert_eq!(status["ticket_version"], 3, "the status change committed with the reply");
    // Event ids grow in commit order, so a client can drop a repeat by id.
    let ids: Vec<&str> = [&created, &updated, &message].iter().map(|f| f["event_id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    drop(owner);
}

#[tokio::test]
async fn a_handoff_note_reaches_the_new_assignee_first_and_stays_in_the_timeline() {
    let (owner, a, b) = team("Handoff").await;
    let ticket = new_ticket(&owner.client(), "Migration").await;
    let path = format!("/api/v1/tickets/{}", id(&ticket));
    let mut bob = Socket::connect(&b.access_token).await;
    let note = json!({"context": "Customer is on the legacy plan", "next_step": "Offer the migration call"});

    let unassigned =
        a.client().patch(&path, json!({"version": 1, "handoff": note})).await.expect_problem(422, "validation-failed");
    assert_eq!(unassigned.field_errors(), ["handoff"]);
    let empty = json!({"version": 1, "assignee_id": b.user_id, "handoff": {"context": " ", "next_step": "x"}});
    a.client().patch(&path, empty).await.expect_problem(422, "validation-failed");

    a.client().patch(&path, json!({"version": 1, "assignee_id": b.user_id, "handoff": note})).await.expect(200);
    let assigned = bob.expect(ticket_event("ticket.assigned", id(&ticket))).await;
    assert_eq!(assigned["event"]["after"]["handoff"]["next_step"], "Offer the migration call");

    let detail = b.client().get(&path).await.expect(200).body;
    assert_eq!(detail["handoff"]["context"], "Customer is on the legacy plan");
    assert_eq!(detail["handoff"]["from"], a.user_id.as_str());
    assert_eq!(detail["handoff"]["to"], b.user_id.as_str());
    // Reassigned again without a note: the old note belongs to the timeline only.
    b.client().patch(&path, json!({"version": 2, "assignee_id": a.user_id})).await.expect(200);
    let detail = a.client().get(&path).await.expect(200).body;
    assert!(detail["handoff"].is_null(), "{}", detail["handoff"]);
    let notes = detail["timeline"].as_array().unwrap().iter().filter(|e| !e["after"]["handoff"].is_null()).count();
    assert_eq!(notes, 1);
}

#[tokio::test]
async fn a_socket_of_another_workspace_receives_nothing() {
    let (owner_a, a, _) = team("Tenant A").await;
    let owner_b = signup("Tenant B").await;
    let mut outsider = Socket::connect(&owner_b.access_token).await;

    // Workspace A is busy: tickets, replies, a claim, chat.
    let ticket = new_ticket(&a.client(), "Secret A").await;
    let mut insider = Socket::connect(&a.access_token).await;
    insider.request(json!({"action": "subscribe", "ticket_id": id(&ticket)})).await;
    a.client()
        .post(&format!("/api/v1/tickets/{}/messages", id(&ticket)), json!({"body": "internal", "internal": true}))
        .await
        .expect(201);
    insider.request(json!({"action": "claim", "ticket_id": id(&ticket)})).await;
    let channel = owner_a.client().post("/api/v1/chat/channels", json!({"name": "general"})).await.expect(201).body;
    owner_a
        .client()
        .post(&format!("/api/v1/chat/channels/{}/messages", id(&channel)), json!({"body": "A only"}))
        .await
        .expect(201);
    insider.expect(ticket_event("message.created", id(&ticket))).await.to_string();

    // Workspace B's own change comes after all of A's in the stream: once it arrives, A's are done.
    let marker = new_ticket(&owner_b.client(), "Marker B").await;
    outsider.expect(ticket_event("ticket.created", id(&marker))).await;
    let frames = outsider.drain().await;
    let leaked: Vec<&Value> = frames
        .iter()
        .filter(|frame| {
            frame.to_string().contains(&owner_a.workspace_id)
                || frame.to_string().contains(&id(&ticket))
                || frame["type"].as_str().is_some_and(|t| t.starts_with("chat."))
        })
        .collect();
    assert!(leaked.is_empty(), "workspace B saw A's frames: {leaked:?}");
    let online = outsider.request(json!({"action": "heartbeat"})).await;
    assert_eq!(online["online"], json!([owner_b.user_id]));
}

#[tokio::test]
async fn chat_messages_arrive_live_and_are_in_the_history_and_private_channels_stay_private() {
    let (owner, a, b) = team("Chat").await;
    let mut bob = Socket::connect(&b.access_token).await;
    let mut alice = Socket::connect(&a.access_token).await;

    let general = owner.client().post("/api/v1/chat/channels", json!({"name": "general"})).await.expect(201).body;
    assert_eq!(general["kind"], "public");
    let secret = owner
        .client()
        .post("/api/v1/chat/channels", json!({"name": "leads", "private": true, "member_ids": [a.user_id]}))
        .await
        .expect(201)
        .body;
    let general_path = format!("/api/v1/chat/channels/{}", id(&general));
    let secret_path = format!("/api/v1/chat/channels/{}", id(&secret));

    owner.client().post(&format!("{secret_path}/messages"), json!({"body": "for leads only"})).await.expect(201);
    let private_frame = alice.expect(is("chat.message.created")).await;
    assert_eq!(private_frame["message"]["body"], "for leads only");
    for n in 1..=3 {
        owner
            .client()
            .post(&format!("{general_path}/messages"), json!({"body": format!("hello {n}")}))
            .await
            .expect(201);
    }
    // Bob gets the public messages, in order, and never the private one that was posted before them.
    for n in 1..=3 {
        let frame = bob.expect(is("chat.message.created")).await;
        assert_eq!(frame["message"]["body"], format!("hello {n}"), "{frame}");
        assert_eq!(frame["message"]["seq"], n);
    }
    assert!(
        !bob.drain()
            .await
            .iter()
            .any(|frame| frame.to_string().contains("for leads only") || frame.to_string().contains(&id(&secret))),
        "Bob is not in the private channel"
    );
    let listed: Vec<String> = b.client().get("/api/v1/chat/channels").await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert!(listed.contains(&id(&general)) && !listed.contains(&id(&secret)), "{listed:?}");
    b.client().get(&format!("{secret_path}/messages")).await.expect_problem(404, "not-found");
    b.client()
        .post(&format!("{secret_path}/messages"), json!({"body": "let me in"}))
        .await
        .expect_problem(404, "not-found");

    // History, newest first, a page at a time.
    let first = b.client().get(&format!("{general_path}/messages?limit=2")).await.expect(200).body;
    let bodies: Vec<&str> = first["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["hello 3", "hello 2"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = b.client().get(&format!("{general_path}/messages?limit=2&cursor={cursor}")).await.expect(200).body;
    assert_eq!(second["items"][0]["body"], "hello 1");
    assert!(second["next_cursor"].is_null() || second["items"].as_array().unwrap().len() == 1);

    // Unread counts, then read marks.
    let unread = |list: &Value, channel: &Value| {
        list["items"].as_array().unwrap().iter().find(|c| c["id"] == channel["id"]).unwrap()["unread"].as_u64().unwrap()
    };
    let list = b.client().get("/api/v1/chat/channels").await.expect(200).body;
    assert_eq!(unread(&list, &general), 3);
    b.client().post(&format!("{general_path}/read"), json!({"seq": 2})).await.expect(204);
    let list = b.client().get("/api/v1/chat/channels").await.expect(200).body;
    assert_eq!(unread(&list, &general), 1);
    b.client().post(&format!("{general_path}/read"), json!({"seq": 99})).await.expect_problem(422, "validation-failed");

    // Edits and deletes: the author only, live to everyone who sees the channel.
    let mine = b.client().post(&format!("{general_path}/messages"), json!({"body": "typo hre"})).await.expect(201).body;
    let mine_path = format!("{general_path}/messages/{}", id(&mine));
    a.client().patch(&mine_path, json!({"body": "hijack"})).await.expect_problem(403, "forbidden");
    b.client().patch(&mine_path, json!({"body": "typo here"})).await.expect(200);
    let edited = alice.expect(is("chat.message.edited")).await;
    assert_eq!(edited["message"]["body"], "typo here");
    b.client().send(reqwest::Method::DELETE, &mine_path, None).await.expect(200);
    let deleted = alice.expect(is("chat.message.deleted")).await;
    assert_eq!(deleted["message"]["deleted"], true);
    let history = a.client().get(&format!("{general_path}/messages?limit=1")).await.expect(200).body;
    assert_eq!(history["items"][0]["deleted"], true);
    assert_eq!(history["items"][0]["body"], "");
}

#[tokio::test]
async fn direct_conversations_are_between_two_members_only() {
    let (_, a, b) = team("Direct").await;
    let outsider = add_member(&signup("Elsewhere").await, "agent").await;
    let opened = a.client().post("/api/v1/chat/direct", json!({"user_id": b.user_id})).await.expect(201).body;
    assert_eq!(opened["kind"], "direct");
    let again = b.client().post("/api/v1/chat/direct", json!({"user_id": a.user_id})).await.expect(200).body;
    assert_eq!(again["id"], opened["id"], "one conversation per pair");
    a.client()
        .post("/api/v1/chat/direct", json!({"user_id": outsider.user_id}))
        .await
        .expect_problem(422, "validation-failed");
    a.client()
        .post("/api/v1/chat/direct", json!({"user_id": a.user_id}))
        .await
        .expect_problem(422, "validation-failed");

    let mut bob = Socket::connect(&b.access_token).await;
    let path = format!("/api/v1/chat/channels/{}/messages", id(&opened));
    a.client().post(&path, json!({"body": "psst"})).await.expect(201);
    assert_eq!(bob.expect(is("chat.message.created")).await["message"]["body"], "psst");
    outsider.client().get(&path).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn viewers_cannot_chat_or_claim() {
    let owner = signup("Viewers").await;
    let viewer = add_member(&owner, "viewer").await;
    viewer.client().get("/api/v1/chat/channels").await.expect_problem(403, "forbidden");
    let ticket = new_ticket(&owner.client(), "Look only").await;
    let mut socket = Socket::connect(&viewer.access_token).await;
    assert_eq!(socket.request(json!({"action": "claim", "ticket_id": id(&ticket)})).await["code"], "forbidden");
    // Watching is fine.
    assert_eq!(socket.request(json!({"action": "subscribe", "ticket_id": id(&ticket)})).await["type"], "subscribed");
}

#[tokio::test]
async fn the_management_api_answers_gone_for_a_closed_connection_and_the_fan_out_forgets_it() {
    let owner = signup("Gone").await;
    let socket = Socket::connect(&owner.access_token).await;
    let app = stack().app;
    assert!(app.sockets.is_configured(), "the stack configures the management endpoint");
    let err = app.sockets.post_to_connection("bm90LWEtc29ja2V0=", &json!({})).await.expect_err("no such connection");
    assert!(matches!(err, shared::adapters::SocketError::Gone), "410 GoneException, as in AWS: {err}");

    // A connection item whose socket is gone without a $disconnect (a crashed gateway node, say).
    let principal = shared::auth::MemberPrincipal::for_tests(
        owner.workspace_id.parse().unwrap(),
        owner.user_id.parse().unwrap(),
        shared::domain::rbac::Role::Owner,
    );
    let scope = principal.scope();
    let stale = shared::storage::realtime::Connection {
        connection_id: "c3RhbGUtb25lLXg=".to_owned(),
        user_id: principal.user_id(),
        role: principal.role(),
        connected_at: app.clock.now() - jiff::SignedDuration::from_secs(30),
        expires_at: app.clock.now().as_second() + 60,
        subscriptions: Vec::new(),
        typing_ticket: None,
        typing_until: None,
    };
    app.store.put_connection(&scope, &stale).await.unwrap();
    new_ticket(&owner.client(), "Fan me out").await;
    let forgotten = switchboard_tests::eventually(std::time::Duration::from_secs(15), async || {
        app.store.get_connection(&scope, &stale.connection_id).await.unwrap().is_none()
    })
    .await;
    assert!(forgotten, "the fan-out deletes a connection API Gateway calls gone");
    socket.close().await;
}

#[tokio::test]
async fn private_channel_members_add_members_and_other_workspaces_never_find_a_channel() {
    let (owner, a, b) = team("Channel members").await;
    let private = a
        .client()
        .post("/api/v1/chat/channels", json!({"name": "escalations", "private": true}))
        .await
        .expect(201)
        .body;
    assert_eq!(private["member_ids"], json!([a.user_id]));
    let members = format!("/api/v1/chat/channels/{}/members", id(&private));
    // Not a member: the channel does not exist for them, not even to join.
    b.client().post(&members, json!({"user_id": b.user_id})).await.expect_problem(404, "not-found");
    let mut bob = Socket::connect(&b.access_token).await;
    let added = a.client().post(&members, json!({"user_id": b.user_id})).await.expect(200).body;
    assert_eq!(added["member_ids"], json!([a.user_id, b.user_id]));
    // Bob learns of the channel live, and can read it now.
    let announced = bob.expect(|f| f["type"] == "chat.channel" && f["channel"]["id"] == private["id"]).await;
    assert_eq!(announced["channel"]["kind"], "private");
    b.client().get(&format!("/api/v1/chat/channels/{}/messages", id(&private))).await.expect(200);

    let bad = json!({"name": "x", "member_ids": [owner.user_id]});
    let public_with_members =
        a.client().post("/api/v1/chat/channels", bad).await.expect_problem(422, "validation-failed");
    assert_eq!(public_with_members.field_errors(), ["member_ids"]);
    a.client().post("/api/v1/chat/channels", json!({"name": " "})).await.expect_problem(422, "validation-failed");
    let public = a.client().post("/api/v1/chat/channels", json!({"name": "random"})).await.expect(201).body;
    let public_members = format!("/api/v1/chat/channels/{}/members", id(&public));
    a.client().post(&public_members, json!({"user_id": b.user_id})).await.expect_problem(409, "conflict");

    // Another workspace's member knows the ids, and still finds nothing.
    let stranger = signup("Strangers").await;
    for path in [
        format!("/api/v1/chat/channels/{}/messages", id(&public)),
        format!("/api/v1/chat/channels/{}/messages", id(&private)),
    ] {
        stranger.client().get(&path).await.expect_problem(404, "not-found");
        stranger.client().post(&path, json!({"body": "hi"})).await.expect_problem(404, "not-found");
    }
    stranger.client().post(&members, json!({"user_id": stranger.user_id})).await.expect_problem(404, "not-found");
    let inside = a
        .client()
        .post(&format!("/api/v1/chat/channels/{}/messages", id(&public)), json!({"body": "ours"}))
        .await
        .expect(201)
        .body;
    let message_path = format!("/api/v1/chat/channels/{}/messages/{}", id(&public), id(&inside));
    stranger.client().patch(&message_path, json!({"body": "theirs"})).await.expect_problem(404, "not-found");
    stranger.client().send(reqwest::Method::DELETE, &message_path, None).await.expect_problem(404, "not-found");
    let listed = stranger.client().get("/api/v1/chat/channels").await.expect(200).body;
    assert_eq!(listed["items"], json!([]));
}

#[tokio::test]
async fn a_claim_stays_the_members_across_sessions_and_they_release_it_from_the_new_one() {
    // The claimer is an agent: no take-over power, so the release is theirs by right.
    let (owner, holder, b) = team("Claims across sessions").await;
    let ticket = new_ticket(&owner.client(), "Long job").await;
    let ticket_id = id(&ticket);
    let mut teammate = Socket::connect(&b.access_token).await;
    teammate.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;

    // Claimed in one session, whose socket then closes (a closed laptop, an expired tab).
    let mut old = Socket::connect(&holder.access_token).await;
    assert_eq!(old.request(json!({"action": "claim", "ticket_id": ticket_id})).await["type"], "claimed");
    teammate.expect(|f| f["type"] == "ticket.claim" && f["claim"]["user_id"] == holder.user_id.as_str()).await;
    old.close().await;

    // A new session of the same member sees the claim as theirs, from the greeting and on the ticket.
    let again = switchboard_tests::login(&holder.email, Some(&holder.workspace_id)).await;
    // A new session has its own refresh token (access tokens carry no session id, so two logins within
    // one second may share one).
    assert_ne!(again.refresh_token, holder.refresh_token, "a new session");
    let mut new = Socket::connect(&again.access_token).await;
    let welcome = new.request(json!({"action": "hello"})).await;
    let claims = welcome["claims"].as_array().unwrap_or_else(|| panic!("claims in {welcome}"));
    assert_eq!(claims.len(), 1, "{welcome}");
    assert_eq!(
        (claims[0]["ticket_id"].as_str(), claims[0]["user_id"].as_str()),
        (Some(&*ticket_id), Some(&*holder.user_id))
    );
    let subscribed = new.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    assert_eq!(subscribed["claim"]["user_id"], holder.user_id.as_str());
    let teammates_view = teammate.request(json!({"action": "subscribe", "ticket_id": ticket_id})).await;
    assert_eq!(teammates_view["claim"]["user_id"], holder.user_id.as_str(), "teammates still see it");
    let teammates_greeting = teammate.request(json!({"action": "hello"})).await;
    assert_eq!(teammates_greeting["claims"], json!([]), "the greeting lists only one's own claims");

    // And releases it from there; the teammate sees it go.
    assert_eq!(new.request(json!({"action": "release", "ticket_id": ticket_id})).await["type"], "released");
    teammate.expect(|f| f["type"] == "ticket.claim" && f["claim"].is_null()).await;
    assert_eq!(new.request(json!({"action": "hello"})).await["claims"], json!([]));
}

#[tokio::test]
async fn a_teammates_kanban_follows_a_deal_moved_by_another_rep() {
    let (owner, a, _) = team("Live Kanban").await;
    let pipelines = a.client().get("/api/v1/pipelines").await.expect(200).body;
    let second_stage = pipelines["items"][0]["stages"][1]["id"].as_str().unwrap().to_owned();
    let mut watching = Socket::connect(&owner.access_token).await;
    let deal = a
        .client()
        .post("/api/v1/deals", json!({"title": "Moving target", "value": 4_200, "currency": "EUR"}))
        .await
        .expect(201)
        .body;
    let deal_id = id(&deal);
    let created = watching.expect(|f| f["type"] == "deal.event" && f["event"]["type"] == "deal.created").await;
    assert_eq!(created["deal_id"], deal_id.as_str());
    a.client()
        .post(&format!("/api/v1/deals/{deal_id}/move"), json!({"stage_id": second_stage, "version": 1}))
        .await
        .expect(200);
    let moved = watching
        .expect(|f| {
            f["type"] == "deal.event" && f["event"]["type"] == "deal.stage_changed" && f["deal_id"] == deal_id.as_str()
        })
        .await;
    assert_eq!(moved["event"]["after"]["stage_id"], second_stage.as_str(), "the card lands in its new column");
    assert_eq!(moved["event"]["after"]["version"], 2);
    watching.close().await;
}
