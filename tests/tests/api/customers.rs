//! Customers: found or created by e-mail from tickets, unique e-mails, edits, search, their tickets and
//! timeline, isolation between workspaces and viewers.

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, signup, unique_email};

use crate::tickets::{create_ticket, item_ids, new_ticket, ticket_path, walk_pages};

async fn create_customer(client: &Client, body: Value) -> Value {
    client.post("/api/v1/customers", body).await.expect(201).body
}

fn customer_path(customer: &Value) -> String {
    format!("/api/v1/customers/{}", customer["id"].as_str().expect("a customer id"))
}

#[tokio::test]
async fn tickets_find_or_create_their_customer_by_email_in_any_case() {
    let owner = signup("Find Co").await;
    let client = owner.client();
    let email = unique_email("grace");
    let first = create_ticket(
        &client,
        json!({"subject": "First", "body": "One", "customer": {"email": email.to_uppercase(), "name": "Grace Hopper"}}),
    )
    .await;
    let second =
        create_ticket(&client, json!({"subject": "Second", "body": "Two", "customer": {"email": email}})).await;
    assert_eq!(first["customer_id"], second["customer_id"], "one customer per e-mail, whatever its case");
    let customer_id = first["customer_id"].as_str().unwrap();
    let by_id = create_ticket(&client, json!({"subject": "Third", "body": "Three", "customer_id": customer_id})).await;
    assert_eq!(by_id["customer_id"], customer_id);

    let customer = client.get(&format!("/api/v1/customers/{customer_id}")).await.expect(200);
    assert_eq!(customer.body["email"], email.as_str(), "stored lower-cased");
    assert_eq!(customer.body["name"], "Grace Hopper");
    let listed = client.get("/api/v1/customers").await.expect(200);
    assert_eq!(item_ids(&listed), [customer_id], "no duplicate customer");

    let tickets = client.get(&format!("/api/v1/customers/{customer_id}/tickets")).await.expect(200);
    let expected = [&by_id, &second, &first].map(|t| t["id"].as_str().unwrap().to_owned());
    assert_eq!(item_ids(&tickets), expected, "newest first");

    let timeline = client.get(&format!("/api/v1/customers/{customer_id}/timeline")).await.expect(200);
    let created = timeline.body["items"].as_array().unwrap().iter().filter(|e| e["type"] == "ticket.created").count();
    assert_eq!(created, 3, "{}", timeline.body);

    // Another customer's ticket does not show up here.
    new_ticket(&client, "Someone else").await;
    let tickets = client.get(&format!("/api/v1/customers/{customer_id}/tickets")).await.expect(200);
    assert_eq!(item_ids(&tickets).len(), 3);
}

#[tokio::test]
async fn a_customer_email_is_unique_per_workspace_in_any_case() {
    let owner = signup("Unique Customers Co").await;
    let client = owner.client();
    let email = unique_email("linus");
    let customer = create_customer(
        &client,
        json!({
            "email": email,
            "name": "Linus",
            "phone": "+44 20 7946 0000",
            "company": "Kernel Ltd",
            "notes": "Prefers e-mail",
            "attributes": {"plan": "pro"},
        }),
    )
    .await;
    assert_eq!(customer["email"], email.as_str());
    assert_eq!(customer["name"], "Linus");
    assert_eq!(customer["phone"], "+44 20 7946 0000");
    assert_eq!(customer["company"], "Kernel Ltd");
    assert_eq!(customer["notes"], "Prefers e-mail");
    assert_eq!(customer["attributes"], json!({"plan": "pro"}));
    assert_eq!(customer["version"], 1);
    assert_eq!(client.get(&customer_path(&customer)).await.expect(200).body, customer);

    client.post("/api/v1/customers", json!({"email": email.to_uppercase()})).await.expect_problem(409, "email-taken");
    // A customer created by a ticket holds its e-mail too.
    let from_ticket = new_ticket(&client, "Ticket first").await;
    let taken = client.get(&format!("/api/v1/customers/{}", from_ticket["customer_id"].as_str().unwrap())).await;
    client.post("/api/v1/customers", json!({"email": taken.body["email"]})).await.expect_problem(409, "email-taken");
    // ... and a ticket for an existing customer's e-mail attaches to them.
    let attached = create_ticket(&client, json!({"subject": "S", "body": "B", "customer": {"email": email}})).await;
    assert_eq!(attached["customer_id"], customer["id"]);

    // Another workspace may have its own customer with the same e-mail.
    let other = signup("Other Customers Co").await;
    let theirs = create_customer(&other.client(), json!({"email": email})).await;
    assert_ne!(theirs["id"], customer["id"]);

    let refused = client
        .post("/api/v1/customers", json!({"email": "not-an-email"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["email"]);
    let refused = client
        .post("/api/v1/customers", json!({"email": unique_email("x"), "attributes": {"seats": 5}}))
        .await
        .expect_problem(422, "validation-failed");
    let fields = refused.field_errors();
    assert!(!fields.is_empty() && fields.iter().all(|f| f.starts_with("attributes")), "{}", refused.body);
}

#[tokio::test]
async fn customers_can_be_edited() {
    let owner = signup("Edit Customers Co").await;
    let client = owner.client();
    let customer = create_customer(&client, json!({"email": unique_email("ed")})).await;
    let path = customer_path(&customer);
    let edited = client
        .patch(
            &path,
            json!({"name": "Ed Edited", "phone": "555-0100", "company": "Edits Inc", "notes": "VIP", "attributes": {"tier": "gold"}}),
        )
        .await
        .expect(200);
    assert_eq!(edited.body["name"], "Ed Edited");
    assert_eq!(edited.body["phone"], "555-0100");
    assert_eq!(edited.body["company"], "Edits Inc");
    assert_eq!(edited.body["notes"], "VIP");
    assert_eq!(edited.body["attributes"], json!({"tier": "gold"}));
    assert_eq!(edited.body["version"], 2);
    assert_eq!(edited.body["email"], customer["email"]);
    assert_eq!(client.get(&path).await.expect(200).body, edited.body);

    // A new e-mail moves with the customer; another customer's e-mail is taken.
    let new_email = unique_email("ed-new");
    let moved = client.patch(&path, json!({"email": new_email.to_uppercase()})).await.expect(200);
    assert_eq!(moved.body["email"], new_email.as_str());
    let ticket = create_ticket(&client, json!({"subject": "S", "body": "B", "customer": {"email": new_email}})).await;
    assert_eq!(ticket["customer_id"], customer["id"]);
    let other = create_customer(&client, json!({"email": unique_email("other")})).await;
    client.patch(&path, json!({"email": other["email"]})).await.expect_problem(409, "email-taken");
    assert_eq!(client.get(&path).await.expect(200).body["email"], new_email.as_str());

    let refused = client.patch(&path, json!({"email": "nope"})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["email"]);
}

#[tokio::test]
async fn customers_are_found_by_email_prefix_and_paged() {
    let owner = signup("Search Customers Co").await;
    let client = owner.client();
    for email in ["alice@example.com", "alicia@example.org", "bob@example.com"] {
        create_customer(&client, json!({"email": email})).await;
    }
    let emails = async |query: &str| {
        let reply = client.get(&format!("/api/v1/customers?{query}")).await.expect(200);
        let mut emails: Vec<String> =
            reply.body["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_owned()).collect();
        emails.sort();
        emails
    };
    assert_eq!(emails("email_prefix=ali").await, ["alice@example.com", "alicia@example.org"]);
    assert_eq!(emails("email_prefix=bob").await, ["bob@example.com"]);
    assert!(emails("email_prefix=zed").await.is_empty());

    let mut seen = walk_pages(&client, "/api/v1/customers?limit=1").await;
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 3, "every customer once");
    let refused = client.get("/api/v1/customers?limit=0").await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["limit"]);
}

#[tokio::test]
async fn another_workspaces_customers_are_not_found_on_any_route() {
    let acme = signup("Acme Customers").await;
    let globex = signup("Globex Customers").await;
    let customer = create_customer(&acme.client(), json!({"email": unique_email("acme"), "name": "Secret Sam"})).await;
    let ticket =
        create_ticket(&acme.client(), json!({"subject": "Secret", "body": "B", "customer_id": customer["id"]})).await;
    let path = customer_path(&customer);
    let intruder = globex.client();
    let replies = [
        intruder.get(&path).await,
        intruder.patch(&path, json!({"name": "Hijacked"})).await,
        intruder.get(&format!("{path}/tickets")).await,
        intruder.get(&format!("{path}/timeline")).await,
    ];
    for reply in replies {
        let reply = reply.expect_problem(404, "not-found");
        assert!(!reply.body.to_string().contains("Secret"), "leaked: {}", reply.body);
    }
    let borrowed =
        intruder.post("/api/v1/tickets", json!({"subject": "S", "body": "B", "customer_id": customer["id"]})).await;
    assert!(matches!(borrowed.status.as_u16(), 404 | 422), "a foreign customer_id is refused: {}", borrowed.body);
    assert!(item_ids(&intruder.get("/api/v1/customers").await.expect(200)).is_empty());
    let filtered = intruder.get(&format!("/api/v1/tickets?customer={}", customer["id"].as_str().unwrap())).await;
    assert!(filtered.status != 200 || item_ids(&filtered).is_empty(), "{}", filtered.body);

    let still = acme.client().get(&path).await.expect(200);
    assert_eq!(still.body, customer);
    let tickets = acme.client().get(&format!("{path}/tickets")).await.expect(200);
    assert_eq!(item_ids(&tickets), [ticket["id"].as_str().unwrap()]);
    acme.client().get(&ticket_path(&ticket)).await.expect(200);
}

#[tokio::test]
async fn viewers_read_customers_but_cannot_change_them() {
    let owner = signup("Viewer Customers Co").await;
    let viewer = add_member(&owner, "viewer").await;
    let customer = create_customer(&owner.client(), json!({"email": unique_email("seen"), "name": "Seen"})).await;
    let path = customer_path(&customer);
    let client = viewer.client();
    assert_eq!(client.get(&path).await.expect(200).body, customer);
    assert_eq!(item_ids(&client.get("/api/v1/customers").await.expect(200)).len(), 1);
    client.get(&format!("{path}/tickets")).await.expect(200);
    client.get(&format!("{path}/timeline")).await.expect(200);

    client.post("/api/v1/customers", json!({"email": unique_email("new")})).await.expect_problem(403, "forbidden");
    client.patch(&path, json!({"name": "Changed"})).await.expect_problem(403, "forbidden");
    assert_eq!(owner.client().get(&path).await.expect(200).body["name"], "Seen");
}

// ---------------------------------------------------------------- merge

async fn merge(client: &Client, target: &Value, source: &Value) -> switchboard_tests::Reply {
    client.post(&format!("{}/merge", customer_path(target)), json!({"source_id": source["id"]})).await
}

fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Every event of a customer's timeline, from one large page.
async fn timeline(client: &Client, customer: &Value) -> Vec<Value> {
    let reply = client.get(&format!("{}/timeline?limit=100", customer_path(customer))).await.expect(200);
    reply.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn merging_moves_tickets_email_and_timeline_to_the_target() {
    let owner = signup("Merge Co").await;
    let client = owner.client();
    let target = create_customer(&client, json!({"email": unique_email("keep"), "name": "Keep Me"})).await;
    let source_email = unique_email("dupe");
    let source = create_customer(&client, json!({"email": source_email, "name": "Duplicate"})).await;
    let own = create_ticket(&client, json!({"subject": "Own", "body": "B", "customer_id": target["id"]})).await;
    let theirs_1 =
        create_ticket(&client, json!({"subject": "Theirs 1", "body": "B", "customer": {"email": source_email}})).await;
    let theirs_2 =
        create_ticket(&client, json!({"subject": "Theirs 2", "body": "B", "customer_id": source["id"]})).await;
    assert_eq!(theirs_1["customer_id"], source["id"]);

    let merged = merge(&client, &target, &source).await.expect(200);
    assert_eq!(merged.body["id"], target["id"]);
    assert_eq!(merged.body["merged_ids"], json!([source["id"]]));
    assert!(merged.body["merged_into"].is_null());
    assert_eq!(merged.body["email"], target["email"], "the target keeps its own profile");

    // The source stays, marked; it takes no more changes.
    let gone = client.get(&customer_path(&source)).await.expect(200);
    assert_eq!(gone.body["merged_into"], target["id"]);
    assert_eq!(gone.body["email"], source_email.as_str());
    client.patch(&customer_path(&source), json!({"name": "Revived"})).await.expect_problem(409, "conflict");

    // Every ticket is the target's now, and none is lost.
    let tickets = client.get(&format!("{}/tickets", customer_path(&target))).await.expect(200);
    assert_eq!(sorted(item_ids(&tickets)), sorted([&own, &theirs_1, &theirs_2].map(id_of).to_vec()));
    assert!(item_ids(&client.get(&format!("{}/tickets", customer_path(&source))).await.expect(200)).is_empty());
    let moved = client.get(&ticket_path(&theirs_1)).await.expect(200);
    assert_eq!(moved.body["ticket"]["customer_id"], target["id"]);
    assert_eq!(moved.body["messages"].as_array().unwrap().len(), 1, "the conversation moves with the ticket");
    let filtered = client.get(&format!("/api/v1/tickets?customer={}", id_of(&target))).await.expect(200);
    assert_eq!(item_ids(&filtered).len(), 3);

    // The source's e-mail now finds the target; the source's id no longer takes tickets.
    let by_email = create_ticket(
        &client,
        json!({"subject": "After", "body": "B", "customer": {"email": source_email.to_uppercase()}}),
    )
    .await;
    assert_eq!(by_email["customer_id"], target["id"]);
    let refused = client
        .post("/api/v1/tickets", json!({"subject": "S", "body": "B", "customer_id": source["id"]}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["customer_id"]);
    assert!(refused.body["errors"][0]["message"].as_str().unwrap().contains(&id_of(&target)));
    client.post("/api/v1/customers", json!({"email": source_email})).await.expect_problem(409, "email-taken");

    // The target's timeline holds its own events and the source's, newest first, one page or many.
    let events = timeline(&client, &target).await;
    let ids: Vec<String> = events.iter().map(id_of).collect();
    let mut newest_first = ids.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, newest_first, "newest first");
    let about = |customer: &Value, kind: &str| {
        events.iter().filter(|e| e["customer_id"] == customer["id"] && e["type"] == kind).count()
    };
    assert_eq!(about(&target, "customer.created"), 1);
    assert_eq!(about(&source, "customer.created"), 1, "the source's own events are part of it");
    assert_eq!(about(&source, "ticket.created"), 2, "events written before the merge stay where they were");
    assert_eq!(about(&target, "ticket.created"), 2);
    assert_eq!(about(&target, "ticket.customer_changed"), 2);
    assert_eq!(about(&source, "customer.merged"), 1);
    let merged_event = events.iter().find(|e| e["type"] == "customer.merged").unwrap();
    assert_eq!(merged_event["after"]["target_id"], target["id"]);
    assert_eq!(merged_event["after"]["source_id"], source["id"]);
    let paged = walk_pages(&client, &format!("{}/timeline?limit=1", customer_path(&target))).await;
    assert_eq!(paged, ids, "paging sees every event once, in the same order");
    let two_at_a_time = client.get(&format!("{}/timeline?limit=2", customer_path(&target))).await.expect(200);
    assert_eq!(item_ids(&two_at_a_time), ids[..2]);

    // The source's timeline shows the merge too.
    let source_events = timeline(&client, &source).await;
    assert!(source_events.iter().any(|e| e["type"] == "customer.merged"));

    // Merging again, or the other way round, is a conflict; nothing changes.
    merge(&client, &target, &source).await.expect_problem(409, "conflict");
    merge(&client, &source, &target).await.expect_problem(409, "conflict");
    let other = create_customer(&client, json!({"email": unique_email("other")})).await;
    merge(&client, &other, &source).await.expect_problem(409, "conflict");
    assert_eq!(client.get(&customer_path(&target)).await.expect(200).body["merged_ids"], json!([source["id"]]));
}

#[tokio::test]
async fn bad_merges_are_refused() {
    let owner = signup("Bad Merge Co").await;
    let client = owner.client();
    let customer = create_customer(&client, json!({"email": unique_email("self")})).await;
    let path = format!("{}/merge", customer_path(&customer));
    let refused = merge(&client, &customer, &customer).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["source_id"]);
    let refused = client.post(&path, json!({"source_id": "nope"})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["source_id"]);
    let refused = client.post(&path, json!({})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["source_id"]);
    let unknown = json!({"id": "0190a000-0000-7000-8000-000000000000"});
    merge(&client, &customer, &unknown).await.expect_problem(404, "not-found");
    merge(&client, &unknown, &customer).await.expect_problem(404, "not-found");
    assert!(client.get(&customer_path(&customer)).await.expect(200).body["merged_into"].is_null());

    let viewer = add_member(&owner, "viewer").await;
    let other = create_customer(&client, json!({"email": unique_email("other")})).await;
    merge(&viewer.client(), &customer, &other).await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn customers_of_another_workspace_cannot_be_merged() {
    let acme = signup("Acme Merge").await;
    let globex = signup("Globex Merge").await;
    let ours = create_customer(&acme.client(), json!({"email": unique_email("ours")})).await;
    let ticket = create_ticket(&acme.client(), json!({"subject": "S", "body": "B", "customer_id": ours["id"]})).await;
    let theirs = create_customer(&globex.client(), json!({"email": unique_email("theirs")})).await;

    merge(&acme.client(), &ours, &theirs).await.expect_problem(404, "not-found");
    merge(&globex.client(), &theirs, &ours).await.expect_problem(404, "not-found");
    merge(&globex.client(), &ours, &theirs).await.expect_problem(404, "not-found");

    assert_eq!(acme.client().get(&customer_path(&ours)).await.expect(200).body, ours);
    assert_eq!(globex.client().get(&customer_path(&theirs)).await.expect(200).body, theirs);
    let tickets = acme.client().get(&format!("{}/tickets", customer_path(&ours))).await.expect(200);
    assert_eq!(item_ids(&tickets), [id_of(&ticket)]);
}

#[tokio::test]
async fn merges_chain_and_the_oldest_email_still_finds_the_survivor() {
    let owner = signup("Chain Merge Co").await;
    let client = owner.client();
    let first_email = unique_email("first");
    let first = create_customer(&client, json!({"email": first_email})).await;
    let middle = create_customer(&client, json!({"email": unique_email("middle")})).await;
    let last = create_customer(&client, json!({"email": unique_email("last")})).await;
    let ticket = create_ticket(&client, json!({"subject": "S", "body": "B", "customer_id": first["id"]})).await;

    merge(&client, &middle, &first).await.expect(200);
    let survivor = merge(&client, &last, &middle).await.expect(200);
    assert_eq!(
        sorted(
            survivor.body["merged_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
        ),
        sorted(vec![id_of(&first), id_of(&middle)])
    );

    let tickets = client.get(&format!("{}/tickets", customer_path(&last))).await.expect(200);
    assert_eq!(item_ids(&tickets), [id_of(&ticket)]);
    let found = create_ticket(&client, json!({"subject": "S", "body": "B", "customer": {"email": first_email}})).await;
    assert_eq!(found["customer_id"], last["id"], "the first customer's e-mail follows both merges");
    let events = timeline(&client, &last).await;
    assert!(events.iter().any(|e| e["type"] == "customer.created" && e["customer_id"] == first["id"]));
}

#[tokio::test]
async fn a_merge_that_stopped_half_way_resumes_when_called_again() {
    use shared::{
        auth::MemberPrincipal,
        domain::rbac::Role,
        storage::{customers::MergeStart, events::Event},
    };
    let owner = signup("Resume Merge Co").await;
    let client = owner.client();
    let target = create_customer(&client, json!({"email": unique_email("target")})).await;
    let source = create_customer(&client, json!({"email": unique_email("source")})).await;
    let mut tickets = Vec::new();
    for subject in ["One", "Two", "Three"] {
        tickets
            .push(create_ticket(&client, json!({"subject": subject, "body": "B", "customer_id": source["id"]})).await);
    }

    // What a merge writes before it moves any ticket, and one ticket moved: then the process "crashed".
    let store = &switchboard_tests::stack().app.store;
    let principal = MemberPrincipal {
        workspace_id: owner.workspace_id.parse().unwrap(),
        user_id: owner.user_id.parse().unwrap(),
        role: Role::Owner,
    };
    let scope = principal.scope();
    let (source_id, target_id) = (id_of(&source).parse().unwrap(), id_of(&target).parse().unwrap());
    let source_before = store.get_customer(&scope, source_id).await.unwrap().unwrap();
    let target_before = store.get_customer(&scope, target_id).await.unwrap().unwrap();
    let mut source_after = source_before.clone();
    (source_after.merged_into, source_after.merge_pending, source_after.version) =
        (Some(target_id), true, source_before.version + 1);
    let mut target_after = target_before.clone();
    (target_after.merged_ids, target_after.version) = (vec![source_id], target_before.version + 1);
    let event = Event::new(
        shared::domain::events::EventKind::CustomerMerged,
        Some(principal.user_id),
        format!("customer/{source_id}"),
        switchboard_tests::stack().app.clock.now(),
    )
    .about_customer(source_id);
    let start = MergeStart {
        source_before: &source_before,
        source_after: &source_after,
        target_before: &target_before,
        target_after: &target_after,
        event: &event,
    };
    store.start_customer_merge(&scope, start).await.unwrap();
    let first: shared::domain::ids::TicketId = id_of(&tickets[0]).parse().unwrap();
    let before = store.get_ticket(&scope, first).await.unwrap().unwrap();
    let mut after = before.clone();
    (after.customer_id, after.version) = (target_id, before.version + 1);
    store.save_ticket(&scope, &before, &after, None, &[]).await.unwrap();

    let half = client.get(&format!("{}/tickets", customer_path(&target))).await.expect(200);
    assert_eq!(item_ids(&half).len(), 1, "half-way: one ticket moved");

    // The same call again finishes the job.
    let done = merge(&client, &target, &source).await.expect(200);
    assert_eq!(done.body["merged_ids"], json!([source["id"]]));
    let all = client.get(&format!("{}/tickets", customer_path(&target))).await.expect(200);
    assert_eq!(sorted(item_ids(&all)), sorted(tickets.iter().map(id_of).collect()));
    let events = timeline(&client, &target).await;
    assert_eq!(events.iter().filter(|e| e["type"] == "ticket.customer_changed").count(), 2, "only the rest moved");
    assert!(events.iter().any(|e| e["type"] == "customer.merge_completed"));
    // Now it is complete: a third call is a conflict.
    merge(&client, &target, &source).await.expect_problem(409, "conflict");
}
