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
