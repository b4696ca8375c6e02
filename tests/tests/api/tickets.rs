//! Tickets: the lifecycle, concurrent edits, internal notes, first response, assignment, the inbox,
//! isolation between workspaces, viewers, bad input and the activity log.

use serde_json::{Value, json};
use switchboard_tests::{Client, Member, Reply, add_member, signup, stack, unique_email};

/// Creates a ticket; returns its view.
pub(crate) async fn create_ticket(client: &Client, body: Value) -> Value {
    client.post("/api/v1/tickets", body).await.expect(201).body
}

/// Creates a ticket from a new customer.
pub(crate) async fn new_ticket(client: &Client, subject: &str) -> Value {
    create_ticket(
        client,
        json!({"subject": subject, "body": format!("Help with {subject}"), "customer": {"email": unique_email("customer")}}),
    )
    .await
}

pub(crate) fn ticket_path(ticket: &Value) -> String {
    format!("/api/v1/tickets/{}", ticket["id"].as_str().expect("a ticket id"))
}

/// PATCHes `changes` at the ticket's current version, expecting success; returns the new view.
async fn change(client: &Client, ticket: &Value, changes: Value) -> Value {
    let mut body = changes;
    body["version"] = ticket["version"].clone();
    client.patch(&ticket_path(ticket), body).await.expect(200).body
}

async fn reply(client: &Client, ticket: &Value, body: Value) -> Reply {
    client.post(&format!("{}/messages", ticket_path(ticket)), body).await
}

async fn detail(client: &Client, ticket: &Value) -> Value {
    client.get(&ticket_path(ticket)).await.expect(200).body
}

pub(crate) fn item_ids(reply: &Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {}", reply.body))
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_owned())
        .collect()
}

fn id(view: &Value) -> String {
    view["id"].as_str().expect("an id").to_owned()
}

fn sorted_strings(value: &Value) -> Vec<String> {
    let mut strings: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("an array: {value}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    strings.sort();
    strings
}

fn event_types(events: &Value) -> Vec<String> {
    events
        .as_array()
        .unwrap_or_else(|| panic!("events: {events}"))
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows `next_cursor` from `first` (a path with `limit=1`), collecting every item id.
pub(crate) async fn walk_pages(client: &Client, first: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let path = match &cursor {
            None => first.to_owned(),
            Some(cursor) => format!("{first}&cursor={cursor}"),
        };
        let page = client.get(&path).await.expect(200);
        let ids = item_ids(&page);
        assert!(ids.len() <= 1, "limit=1 gave {}", page.body);
        seen.extend(ids);
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    seen
}

#[tokio::test]
async fn a_new_ticket_starts_new_with_the_customer_message_first() {
    let owner = signup("Create Co").await;
    let client = owner.client();
    let ticket = create_ticket(
        &client,
        json!({
            "subject": "Refund for order 42",
            "body": "I was charged twice.",
            "customer": {"email": unique_email("ada"), "name": "Ada Lovelace"},
            "priority": "high",
            "category": "billing",
            "subcategory": "refunds",
            "tags": ["Refund", "refund", "vip"],
        }),
    )
    .await;
    assert_eq!(ticket["subject"], "Refund for order 42");
    assert_eq!(ticket["status"], "new");
    assert_eq!(ticket["priority"], "high");
    assert_eq!(ticket["category"], "billing");
    assert_eq!(ticket["subcategory"], "refunds");
    assert_eq!(ticket["tags"], json!(["refund", "vip"]), "tags are normalised and de-duplicated");
    assert_eq!(ticket["channel"], "api");
    assert!(ticket["customer_id"].is_string());
    assert!(ticket["assignee_id"].is_null());
    assert!(ticket["first_response_at"].is_null());
    assert_eq!(ticket["version"], 1);

    let shown = detail(&client, &ticket).await;
    assert_eq!(shown["ticket"], ticket);
    let messages = shown["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "the body is the first message: {shown}");
    assert_eq!(messages[0]["author"], "customer");
    assert_eq!(messages[0]["internal"], false);
    assert_eq!(messages[0]["body"], "I was charged twice.");
    assert_eq!(shown["timeline"][0]["type"], "ticket.created");

    let plain = new_ticket(&client, "Defaults").await;
    assert_eq!(plain["priority"], "normal");
    assert_eq!(plain["tags"], json!([]));
}

#[tokio::test]
async fn the_lifecycle_moves_through_patch_and_closed_is_final() {
    let owner = signup("Lifecycle Co").await;
    let client = owner.client();
    let mut ticket = new_ticket(&client, "Lifecycle").await;
    for (status, version) in [("pending", 2), ("on_hold", 3), ("open", 4), ("solved", 5)] {
        ticket = change(&client, &ticket, json!({"status": status})).await;
        assert_eq!(ticket["status"], status);
        assert_eq!(ticket["version"], version);
    }

    // A solved ticket can only be reopened or closed.
    let refused = client
        .patch(&ticket_path(&ticket), json!({"version": 5, "status": "pending"}))
        .await
        .expect_problem(409, "invalid-transition");
    assert_eq!(sorted_strings(&refused.body["allowed"]), ["closed", "open"]);
    let unchanged = detail(&client, &ticket).await;
    assert_eq!((&unchanged["ticket"]["status"], &unchanged["ticket"]["version"]), (&json!("solved"), &json!(5)));

    ticket = change(&client, &ticket, json!({"status": "closed"})).await;
    assert_eq!(ticket["status"], "closed");
    for status in ["open", "new", "solved"] {
        let refused = client
            .patch(&ticket_path(&ticket), json!({"version": ticket["version"], "status": status}))
            .await
            .expect_problem(409, "invalid-transition");
        assert_eq!(refused.body["allowed"], json!([]), "closed is final");
    }
    reply(&client, &ticket, json!({"body": "Any news?", "internal": false, "author": "customer"}))
        .await
        .expect_problem(409, "invalid-transition");
    reply(&client, &ticket, json!({"body": "Late reply", "internal": false}))
        .await
        .expect_problem(409, "invalid-transition");
    let still = detail(&client, &ticket).await;
    assert_eq!(still["ticket"]["status"], "closed");
    assert_eq!(still["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_edits_from_the_same_version_one_wins_and_the_other_sees_the_winner() {
    let owner = signup("Race Co").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "Race").await;
    let path = ticket_path(&ticket);
    let edits = ["alpha", "bravo", "charlie", "delta"].map(|tag| {
        let (client, path) = (client.clone(), path.clone());
        async move { (tag, client.patch(&path, json!({"version": 1, "tags": [tag]})).await) }
    });
    let replies = futures::future::join_all(edits).await;
    let winners: Vec<_> = replies.iter().filter(|(_, reply)| reply.status == 200).collect();
    assert_eq!(
        winners.len(),
        1,
        "exactly one edit wins: {:?}",
        replies.iter().map(|(_, r)| r.status).collect::<Vec<_>>()
    );
    let (winning_tag, winner) = winners[0];
    assert_eq!(winner.body["version"], 2);
    for (_, reply) in replies.iter().filter(|(_, reply)| reply.status != 200) {
        assert_eq!(reply.status, 409, "the loser is a version conflict: {}", reply.body);
        assert!(switchboard_tests::is_problem_type(&reply.body["type"], "version-conflict"), "{}", reply.body["type"]);
        assert_eq!(reply.body["current"]["version"], winner.body["version"]);
        assert_eq!(reply.body["current"]["tags"], json!([winning_tag]));
    }
    let after = detail(&client, &ticket).await;
    assert_eq!(after["ticket"]["tags"], json!([winning_tag]), "the winner's change is kept");
    assert_eq!(after["ticket"]["version"], 2);
}

async fn patch_if_match(member: &Member, path: &str, if_match: &str, body: Value) -> Reply {
    let response = reqwest::Client::new()
        .patch(format!("{}{path}", stack().url))
        .bearer_auth(&member.access_token)
        .header("if-match", if_match)
        .json(&body)
        .send()
        .await
        .expect("the gateway answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Reply { status, headers, body }
}

#[tokio::test]
async fn a_stale_or_missing_version_is_refused() {
    let owner = signup("Versions Co").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "Versions").await;
    let path = ticket_path(&ticket);

    let missing = client.patch(&path, json!({"priority": "high"})).await.expect_problem(422, "validation-failed");
    assert_eq!(missing.field_errors(), ["version"]);

    let updated = change(&client, &ticket, json!({"priority": "urgent"})).await;
    assert_eq!(updated["version"], 2);
    let stale =
        client.patch(&path, json!({"version": 1, "priority": "low"})).await.expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["version"], 2);
    assert_eq!(stale.body["current"]["priority"], "urgent");

    // The version may come as If-Match instead.
    let matched = patch_if_match(&owner, &path, "\"2\"", json!({"priority": "low"})).await.expect(200);
    assert_eq!((&matched.body["priority"], &matched.body["version"]), (&json!("low"), &json!(3)));
    let failed = patch_if_match(&owner, &path, "\"2\"", json!({"priority": "high"}))
        .await
        .expect_problem(412, "precondition-failed");
    assert_eq!(failed.body["current"]["version"], 3, "a failed precondition carries the current state too");
    assert_eq!(detail(&client, &ticket).await["ticket"]["priority"], "low");
}

#[tokio::test]
async fn internal_notes_never_reach_the_public_view() {
    let owner = signup("Notes Co").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "Privacy").await;
    let note = "Customer is on the fraud watch list";
    let posted = reply(&client, &ticket, json!({"body": note, "internal": true})).await.expect(201);
    assert_eq!(posted.body["internal"], true);
    assert_eq!(posted.body["author"], "agent");
    assert_eq!(posted.body["author_id"], owner.user_id.as_str());
    reply(&client, &ticket, json!({"body": "We are looking into it.", "internal": false})).await.expect(201);

    let public = client.get(&format!("{}/public", ticket_path(&ticket))).await.expect(200);
    assert_eq!(public.body["ticket"]["id"], ticket["id"]);
    let bodies: Vec<&str> =
        public.body["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Help with Privacy", "We are looking into it."]);
    assert!(!public.body.to_string().contains(note), "the note leaked: {}", public.body);

    let full = detail(&client, &ticket).await;
    let messages: Vec<(&str, bool)> = full["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["body"].as_str().unwrap(), m["internal"].as_bool().unwrap()))
        .collect();
    assert_eq!(messages, [("Help with Privacy", false), (note, true), ("We are looking into it.", false)]);
}

#[tokio::test]
async fn first_response_is_the_first_public_agent_reply_only() {
    let owner = signup("First Response Co").await;
    let client = owner.client();
    let ticket = new_ticket(&client, "First response").await;

    reply(&client, &ticket, json!({"body": "Checking internally", "internal": true})).await.expect(201);
    reply(&client, &ticket, json!({"body": "Hello?", "internal": false, "author": "customer"})).await.expect(201);
    let shown = detail(&client, &ticket).await;
    assert_eq!(shown["ticket"]["status"], "new", "neither a note nor the customer opens it");
    assert!(shown["ticket"]["first_response_at"].is_null(), "{shown}");

    reply(&client, &ticket, json!({"body": "Hi, on it!", "internal": false})).await.expect(201);
    let answered = detail(&client, &ticket).await;
    assert_eq!(answered["ticket"]["status"], "open");
    let first_response_at = answered["ticket"]["first_response_at"].clone();
    assert!(first_response_at.is_string(), "{answered}");
    assert!(event_types(&answered["timeline"]).contains(&"message.created".to_owned()));

    reply(&client, &ticket, json!({"body": "Fixed now.", "internal": false})).await.expect(201);
    let later = detail(&client, &ticket).await;
    assert_eq!(later["ticket"]["first_response_at"], first_response_at, "only the first reply counts");
    let authors: Vec<&str> =
        later["messages"].as_array().unwrap().iter().map(|m| m["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["customer", "agent", "customer", "agent", "agent"], "oldest first");
}

#[tokio::test]
async fn a_customer_reply_reopens_a_waiting_or_solved_ticket() {
    let owner = signup("Reopen Co").await;
    let client = owner.client();
    for status in ["pending", "on_hold", "solved"] {
        let ticket = new_ticket(&client, status).await;
        let waiting = change(&client, &ticket, json!({"status": status})).await;
        assert_eq!(waiting["status"], status);
        let posted =
            reply(&client, &ticket, json!({"body": "It broke again", "internal": false, "author": "customer"}))
                .await
                .expect(201);
        assert_eq!(posted.body["author"], "customer");
        let reopened = detail(&client, &ticket).await;
        assert_eq!(reopened["ticket"]["status"], "open", "a customer reply on a {status} ticket reopens it");
        assert!(reopened["ticket"]["version"].as_i64().unwrap() > waiting["version"].as_i64().unwrap());
    }
}

#[tokio::test]
async fn assigning_a_new_ticket_opens_it_and_only_active_agents_of_the_workspace_qualify() {
    let owner = signup("Assign Co").await;
    let agent = add_member(&owner, "agent").await;
    let viewer = add_member(&owner, "viewer").await;
    let stranger = signup("Stranger Co").await;
    let client = owner.client();

    let ticket = new_ticket(&client, "Assign me").await;
    let assigned = change(&client, &ticket, json!({"assignee_id": agent.user_id})).await;
    assert_eq!(assigned["assignee_id"], agent.user_id.as_str());
    assert_eq!(assigned["status"], "open", "assigning a new ticket opens it");
    assert!(event_types(&detail(&client, &ticket).await["timeline"]).contains(&"ticket.assigned".to_owned()));

    // An explicit status wins over the automatic open.
    let other = new_ticket(&client, "Assign and wait").await;
    let waiting = change(&client, &other, json!({"assignee_id": agent.user_id, "status": "pending"})).await;
    assert_eq!(waiting["status"], "pending");

    // Agents may assign, here to themselves; unassigning keeps the status.
    let mine = agent
        .client()
        .patch(&ticket_path(&other), json!({"version": waiting["version"], "assignee_id": owner.user_id}))
        .await
        .expect(200);
    assert_eq!(mine.body["assignee_id"], owner.user_id.as_str());
    let unassigned = change(&client, &mine.body, json!({"assignee_id": null})).await;
    assert!(unassigned["assignee_id"].is_null());
    assert_eq!(unassigned["status"], "pending");

    let fresh = new_ticket(&client, "Nobody valid").await;
    for bad in [stranger.user_id.as_str(), viewer.user_id.as_str(), "not-a-user"] {
        let refused = client
            .patch(&ticket_path(&fresh), json!({"version": 1, "assignee_id": bad}))
            .await
            .expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), ["assignee_id"], "assignee {bad}");
    }
    client.patch(&format!("/api/v1/users/{}", agent.user_id), json!({"status": "deactivated"})).await.expect(200);
    let refused = client
        .patch(&ticket_path(&fresh), json!({"version": 1, "assignee_id": agent.user_id}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["assignee_id"], "a deactivated member cannot be assigned");
    let untouched = detail(&client, &fresh).await;
    assert_eq!((&untouched["ticket"]["status"], &untouched["ticket"]["assignee_id"]), (&json!("new"), &Value::Null));
}

#[tokio::test]
async fn inbox_views_and_filters_list_the_right_tickets_newest_first() {
    let owner = signup("Inbox Co").await;
    let agent = add_member(&owner, "agent").await;
    let client = owner.client();
    let vip_email = unique_email("vip");
    let t1 = create_ticket(
        &client,
        json!({"subject": "Card declined", "body": "Help", "customer": {"email": vip_email}, "priority": "high", "category": "billing", "tags": ["billing"]}),
    )
    .await;
    let t2 = new_ticket(&client, "Bug report").await;
    let t3 = new_ticket(&client, "Owner's").await;
    let t4 = new_ticket(&client, "Agent's").await;
    let t5 = new_ticket(&client, "Done").await;
    let t6 = new_ticket(&client, "Done for good").await;
    change(&client, &t3, json!({"assignee_id": owner.user_id})).await;
    change(&client, &t4, json!({"assignee_id": agent.user_id})).await;
    let t5 = change(&client, &t5, json!({"assignee_id": agent.user_id})).await;
    let t6 = change(&client, &t6, json!({"assignee_id": agent.user_id})).await;
    change(&client, &t5, json!({"status": "solved"})).await;
    let t6 = change(&client, &t6, json!({"status": "solved"})).await;
    change(&client, &t6, json!({"status": "closed"})).await;
    change(&client, &t2, json!({"status": "pending"})).await;
    change(&client, &t1, json!({"tags": ["billing", "vip"]})).await;
    let ids = [&t1, &t2, &t3, &t4, &t5, &t6].map(id);
    let [t1, t2, t3, t4, t5, t6] = ids.each_ref().map(String::as_str);

    let list = async |query: &str| item_ids(&client.get(&format!("/api/v1/tickets{query}")).await.expect(200));
    assert_eq!(list("").await, [t1, t2, t4, t3], "the open view by default, last updated first");
    assert_eq!(list("?view=open").await, [t1, t2, t4, t3]);
    assert_eq!(list("?view=unassigned").await, [t1, t2]);
    assert_eq!(list("?view=mine").await, [t3]);
    assert_eq!(list("?view=solved").await, [t6, t5]);
    assert_eq!(list("?status=pending").await, [t2]);
    assert_eq!(list("?view=solved&status=closed").await, [t6]);
    assert_eq!(list("?priority=high").await, [t1]);
    assert_eq!(list("?category=billing").await, [t1]);
    assert_eq!(list("?tag=vip").await, [t1]);
    assert_eq!(list(&format!("?assignee={}", agent.user_id)).await, [t4]);
    let vip = client.get(&format!("/api/v1/tickets/{t1}")).await.expect(200).body["ticket"]["customer_id"].clone();
    assert_eq!(list(&format!("?customer={}", vip.as_str().unwrap())).await, [t1]);
    let agents_mine = item_ids(&agent.client().get("/api/v1/tickets?view=mine").await.expect(200));
    assert_eq!(agents_mine, [t4]);
}

#[tokio::test]
async fn the_inbox_pages_with_cursors_and_refuses_bad_parameters() {
    let owner = signup("Inbox Pages Co").await;
    let client = owner.client();
    let mut created = Vec::new();
    for n in 0..4 {
        created.push(id(&new_ticket(&client, &format!("Ticket {n}")).await));
    }
    created.reverse();
    let seen = walk_pages(&client, "/api/v1/tickets?view=open&limit=1").await;
    assert_eq!(seen, created, "every ticket once, newest first");

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("view=everything", "view"),
        ("status=reopened", "status"),
        ("priority=critical", "priority"),
    ] {
        let refused = client.get(&format!("/api/v1/tickets?{query}")).await.expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), [field], "{query}");
    }
}

#[tokio::test]
async fn counts_are_exact_after_creates_assignments_and_solves() {
    let owner = signup("Counts Co").await;
    let client = owner.client();
    let counts = async || client.get("/api/v1/tickets/counts").await.expect(200).body;
    let zero = json!({"new": 0, "open": 0, "pending": 0, "on_hold": 0, "solved": 0, "closed": 0});
    let empty = counts().await;
    assert_eq!((&empty["open"], &empty["unassigned"], &empty["mine"]), (&json!(0), &json!(0), &json!(0)));
    assert_eq!(empty["by_status"], zero);

    let first = new_ticket(&client, "One").await;
    new_ticket(&client, "Two").await;
    new_ticket(&client, "Three").await;
    let after_creates = counts().await;
    assert_eq!(
        (&after_creates["open"], &after_creates["unassigned"], &after_creates["mine"]),
        (&json!(3), &json!(3), &json!(0))
    );
    assert_eq!(after_creates["by_status"]["new"], 3);

    let first = change(&client, &first, json!({"assignee_id": owner.user_id})).await;
    let after_assign = counts().await;
    assert_eq!(
        (&after_assign["open"], &after_assign["unassigned"], &after_assign["mine"]),
        (&json!(3), &json!(2), &json!(1))
    );
    assert_eq!((&after_assign["by_status"]["new"], &after_assign["by_status"]["open"]), (&json!(2), &json!(1)));

    change(&client, &first, json!({"status": "solved"})).await;
    let after_solve = counts().await;
    assert_eq!(
        (&after_solve["open"], &after_solve["unassigned"], &after_solve["mine"]),
        (&json!(2), &json!(2), &json!(0))
    );
    let mut expected = zero.clone();
    expected["new"] = json!(2);
    expected["solved"] = json!(1);
    assert_eq!(after_solve["by_status"], expected);
}

#[tokio::test]
async fn another_workspaces_tickets_are_not_found_on_any_route() {
    let acme = signup("Acme Tickets").await;
    let globex = signup("Globex Tickets").await;
    let secret = "Acme's secret subject";
    let ticket = create_ticket(
        &acme.client(),
        json!({"subject": secret, "body": "Acme's secret body", "customer": {"email": unique_email("acme-customer")}}),
    )
    .await;
    let path = ticket_path(&ticket);
    let intruder = globex.client();
    let replies = [
        intruder.get(&path).await,
        intruder.get(&format!("{path}/public")).await,
        intruder.patch(&path, json!({"version": 1, "status": "closed"})).await,
        intruder.patch(&path, json!({"version": 1, "assignee_id": globex.user_id})).await,
        intruder.post(&format!("{path}/messages"), json!({"body": "Hi", "internal": false})).await,
    ];
    for reply in replies {
        let reply = reply.expect_problem(404, "not-found");
        assert!(!reply.body.to_string().contains("secret"), "leaked: {}", reply.body);
    }
    let listed = intruder.get("/api/v1/tickets?view=open").await.expect(200);
    assert!(item_ids(&listed).is_empty());
    let counts = intruder.get("/api/v1/tickets/counts").await.expect(200);
    assert_eq!(counts.body["open"], 0);

    let untouched = detail(&acme.client(), &ticket).await;
    assert_eq!(untouched["ticket"], ticket);
    assert_eq!(untouched["messages"].as_array().unwrap().len(), 1);
    acme.client().get("/api/v1/tickets/01a1fc98-0000-7000-8000-000000000000").await.expect_problem(404, "not-found");
    acme.client().get("/api/v1/tickets/not-a-uuid").await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn viewers_read_tickets_but_cannot_change_them() {
    let owner = signup("Viewer Tickets Co").await;
    let viewer = add_member(&owner, "viewer").await;
    let ticket = new_ticket(&owner.client(), "Look, don't touch").await;
    let client = viewer.client();
    let path = ticket_path(&ticket);

    client.get(&path).await.expect(200);
    client.get(&format!("{path}/public")).await.expect(200);
    assert_eq!(item_ids(&client.get("/api/v1/tickets").await.expect(200)), [id(&ticket)]);
    client.get("/api/v1/tickets/counts").await.expect(200);

    client
        .post("/api/v1/tickets", json!({"subject": "S", "body": "B", "customer": {"email": unique_email("c")}}))
        .await
        .expect_problem(403, "forbidden");
    client.patch(&path, json!({"version": 1, "status": "solved"})).await.expect_problem(403, "forbidden");
    client.patch(&path, json!({"version": 1, "assignee_id": viewer.user_id})).await.expect_problem(403, "forbidden");
    client
        .post(&format!("{path}/messages"), json!({"body": "Hi", "internal": true}))
        .await
        .expect_problem(403, "forbidden");
    let untouched = detail(&owner.client(), &ticket).await;
    assert_eq!(untouched["ticket"], ticket);
    assert_eq!(untouched["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_ticket_input_names_the_field() {
    let owner = signup("Bad Input Co").await;
    let client = owner.client();
    let customer = json!({"email": unique_email("c")});
    let cases = [
        (json!({"body": "B", "customer": customer}), "subject"),
        (json!({"subject": "   ", "body": "B", "customer": customer}), "subject"),
        (json!({"subject": "S", "body": "   ", "customer": customer}), "body"),
        (json!({"subject": "S", "body": "B"}), "customer"),
        (json!({"subject": "S", "body": "B", "customer": customer, "priority": "critical"}), "priority"),
        (
            json!({"subject": "S", "body": "B", "customer": customer, "tags": (0..21).map(|n| format!("t{n}")).collect::<Vec<_>>()}),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let refused = client.post("/api/v1/tickets", body.clone()).await.expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), [field], "{body}");
    }
    let listed = client.get("/api/v1/tickets").await.expect(200);
    assert!(item_ids(&listed).is_empty(), "nothing was created");

    let ticket = new_ticket(&client, "Valid").await;
    let path = ticket_path(&ticket);
    let refused =
        client.patch(&path, json!({"version": 1, "status": "reopened"})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["status"]);
    let refused = client
        .patch(&path, json!({"version": 1, "priority": "critical"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["priority"]);
    let refused = client
        .post(&format!("{path}/messages"), json!({"body": " ", "internal": false}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["body"]);
    assert_eq!(detail(&client, &ticket).await["ticket"]["version"], 1);
}

#[tokio::test]
async fn the_activity_log_is_for_owners_and_managers() {
    let owner = signup("Activity Co").await;
    let manager = add_member(&owner, "manager").await;
    let agent = add_member(&owner, "agent").await;
    let ticket = new_ticket(&agent.client(), "Watched").await;
    change(&agent.client(), &ticket, json!({"priority": "urgent"})).await;

    for member in [&owner, &manager] {
        let log = member.client().get("/api/v1/activity").await.expect(200);
        let types = event_types(&log.body["items"]);
        assert_eq!(types.first().map(String::as_str), Some("ticket.updated"), "newest first: {types:?}");
        assert!(types.contains(&"ticket.created".to_owned()), "{types:?}");
        let page = member.client().get("/api/v1/activity?limit=1").await.expect(200);
        assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
        assert!(page.body["next_cursor"].is_string());
    }
    let refused = agent.client().get("/api/v1/activity").await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["permission"], "activity:read");
}

#[tokio::test]
async fn the_inbox_sorts_by_priority_then_newest_update() {
    let owner = signup("Priority Sort").await;
    let client = owner.client();
    let mut created = Vec::new();
    for (subject, priority) in
        [("low one", "low"), ("urgent one", "urgent"), ("normal one", "normal"), ("urgent two", "urgent")]
    {
        let ticket = create_ticket(
            &client,
            json!({"subject": subject, "body": "b", "priority": priority, "customer": {"email": unique_email("c")}}),
        )
        .await;
        created.push(ticket);
    }
    let subjects = |reply: &Reply| -> Vec<String> {
        reply.body["items"].as_array().unwrap().iter().map(|t| t["subject"].as_str().unwrap().to_owned()).collect()
    };
    let by_priority = client.get("/api/v1/tickets?sort=priority").await.expect(200);
    assert_eq!(subjects(&by_priority), ["urgent two", "urgent one", "normal one", "low one"]);
    let by_update = client.get("/api/v1/tickets").await.expect(200);
    assert_eq!(subjects(&by_update), ["urgent two", "normal one", "urgent one", "low one"]);

    // Raising a ticket's priority moves it up; the unassigned view sorts the same way.
    change(&client, &created[0], json!({"priority": "urgent"})).await;
    let unassigned = client.get("/api/v1/tickets?view=unassigned&sort=priority&limit=2").await.expect(200);
    assert_eq!(subjects(&unassigned), ["low one", "urgent two"]);
    let page_two = client
        .get(&format!(
            "/api/v1/tickets?view=unassigned&sort=priority&limit=2&cursor={}",
            unassigned.body["next_cursor"].as_str().unwrap()
        ))
        .await
        .expect(200);
    assert_eq!(subjects(&page_two), ["urgent one", "normal one"]);
    client.get("/api/v1/tickets?sort=oldest").await.expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn the_free_plan_stops_at_its_monthly_ticket_limit_exactly() {
    let owner = signup("Ticket Limit").await; // free plan: 100 tickets a month
    let client = owner.client();
    let ticket =
        |n: usize| json!({"subject": format!("Ticket {n}"), "body": "b", "customer": {"email": "same@example.com"}});
    for n in 0..95 {
        client.post("/api/v1/tickets", ticket(n)).await.expect(201);
    }
    // The last few race: exactly the remaining five succeed.
    let attempts = (95..105).map(|n| {
        let client = client.clone();
        let body = ticket(n);
        async move { client.post("/api/v1/tickets", body).await }
    });
    let replies = futures::future::join_all(attempts).await;
    let created = replies.iter().filter(|reply| reply.status == 201).count();
    assert_eq!(created, 5, "exactly the five remaining tickets of the month are created");
    for reply in replies.into_iter().filter(|reply| reply.status != 201) {
        let reply = reply.expect_problem(402, "plan-limit-reached");
        assert_eq!(reply.body["limit_kind"], "tickets_per_month");
        assert_eq!(reply.body["limit"], 100);
    }
    let counts = client.get("/api/v1/tickets/counts").await.expect(200);
    assert_eq!(counts.body["open"], 100);
}

#[tokio::test]
async fn control_characters_are_refused_in_one_line_fields_and_bodies_keep_only_tabs_and_line_breaks() {
    let owner = signup("Control Characters").await;
    let client = owner.client();
    let customer = || json!({"email": unique_email("customer")});
    for (body, field) in [
        (json!({"subject": "Printer\u{0}fire", "body": "Help", "customer": customer()}), "subject"),
        (json!({"subject": "Two\nlines", "body": "Help", "customer": customer()}), "subject"),
        (json!({"subject": "Escape", "body": "Help \u{1b}[2J", "customer": customer()}), "body"),
        (json!({"subject": "Nul", "body": "Help\u{0}", "customer": customer()}), "body"),
    ] {
        let refused = client.post("/api/v1/tickets", body.clone()).await.expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), [field], "{body}");
        assert!(
            refused.body["errors"][0]["message"].as_str().unwrap().contains("control characters"),
            "{}",
            refused.body
        );
    }
    let kept = create_ticket(
        &client,
        json!({"subject": "Tabs and lines", "body": "Hello,\r\n\tthe printer\nis on fire.", "customer": customer()}),
    )
    .await;
    assert_eq!(kept["subject"], "Tabs and lines");
    let refused = client
        .post("/api/v1/customers", json!({"email": unique_email("c"), "name": "Ada\u{7}"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["name"]);
    let refused = client
        .post("/api/v1/views", json!({"name": "Mine\u{0}", "filters": {}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["name"]);
}
