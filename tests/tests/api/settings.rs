//! Settings: the category taxonomy (who may set it, its validation and versions) and how tickets are
//! checked against it.

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, signup, unique_email};

use crate::tickets::{create_ticket, new_ticket, ticket_path};

const CATEGORIES: &str = "/api/v1/settings/categories";

fn taxonomy() -> Value {
    json!([
        {"name": " Billing ", "subcategories": ["Refunds", "Invoices"]},
        {"name": "Technical", "subcategories": ["Login", "Performance"]},
        {"name": "Sales"},
    ])
}

async fn ticket_with(client: &Client, category: Value, subcategory: Value) -> switchboard_tests::Reply {
    client
        .post(
            "/api/v1/tickets",
            json!({
                "subject": "Categorised",
                "body": "Please help",
                "customer": {"email": unique_email("cat")},
                "category": category,
                "subcategory": subcategory,
            }),
        )
        .await
}

fn message_of(reply: &switchboard_tests::Reply, field: &str) -> String {
    reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|error| error["field"] == field)
        .and_then(|error| error["message"].as_str())
        .unwrap_or_else(|| panic!("no error on {field}: {}", reply.body))
        .to_owned()
}

#[tokio::test]
async fn admins_set_the_taxonomy_and_agents_read_it_but_cannot_change_it() {
    let owner = signup("Taxonomy Co").await;
    let admin = add_member(&owner, "admin").await;
    let agent = add_member(&owner, "agent").await;

    let empty = agent.client().get(CATEGORIES).await.expect(200);
    assert_eq!(empty.body, json!({"categories": [], "version": 0}), "nothing configured yet");

    let set = admin.client().put(CATEGORIES, json!({"categories": taxonomy(), "version": 0})).await.expect(200);
    assert_eq!(set.body["version"], 1);
    assert_eq!(set.body["categories"][0], json!({"name": "Billing", "subcategories": ["Refunds", "Invoices"]}));
    assert_eq!(set.body["categories"][2], json!({"name": "Sales", "subcategories": []}));
    for member in [&owner, &admin, &agent] {
        assert_eq!(member.client().get(CATEGORIES).await.expect(200).body, set.body);
    }

    // Agents cannot change it; the taxonomy stays as it was.
    let refused = agent.client().put(CATEGORIES, json!({"categories": []})).await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["permission"], "settings:manage");
    assert_eq!(owner.client().get(CATEGORIES).await.expect(200).body, set.body);

    // Owners may too; without a version the last write wins. The same taxonomy again changes nothing.
    let again = owner.client().put(CATEGORIES, json!({"categories": taxonomy()})).await.expect(200);
    assert_eq!(again.body, set.body, "an unchanged taxonomy keeps its version");
    let changed = owner.client().put(CATEGORIES, json!({"categories": [{"name": "Billing"}]})).await.expect(200);
    assert_eq!(changed.body["version"], 2);

    // Every change is in the activity log.
    let activity = owner.client().get("/api/v1/activity").await.expect(200);
    let updates = activity.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "settings.categories_updated")
        .count();
    assert_eq!(updates, 2, "{}", activity.body);
}

#[tokio::test]
async fn a_stale_version_is_refused_with_the_current_taxonomy() {
    let owner = signup("Stale Taxonomy Co").await;
    let client = owner.client();
    client.put(CATEGORIES, json!({"categories": taxonomy(), "version": 0})).await.expect(200);
    let second = client.put(CATEGORIES, json!({"categories": [{"name": "Other"}], "version": 1})).await.expect(200);
    assert_eq!(second.body["version"], 2);

    let stale = client
        .put(CATEGORIES, json!({"categories": [{"name": "Lost update"}], "version": 1}))
        .await
        .expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"], second.body);
    // A version from the future is just as stale.
    client.put(CATEGORIES, json!({"categories": [], "version": 9})).await.expect_problem(409, "version-conflict");
    assert_eq!(client.get(CATEGORIES).await.expect(200).body, second.body);
}

#[tokio::test]
async fn invalid_taxonomies_name_the_field() {
    let owner = signup("Invalid Taxonomy Co").await;
    let client = owner.client();
    let long = "x".repeat(65);
    let refused = client
        .put(
            CATEGORIES,
            json!({"categories": [
                {"name": "Billing", "subcategories": ["Refunds", "refunds "]},
                {"name": "  "},
                {"name": "BILLING"},
                {"name": long},
            ]}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(
        refused.field_errors(),
        ["categories[0].subcategories[1]", "categories[1].name", "categories[2].name", "categories[3].name"]
    );

    let too_many: Vec<Value> = (0..101).map(|i| json!({"name": format!("c{i}")})).collect();
    let refused =
        client.put(CATEGORIES, json!({"categories": too_many})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["categories"]);
    let subs: Vec<String> = (0..51).map(|i| format!("s{i}")).collect();
    let refused = client
        .put(CATEGORIES, json!({"categories": [{"name": "A"}, {"name": "B", "subcategories": subs}]}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["categories[1].subcategories"]);

    let refused =
        client.put(CATEGORIES, json!({"categories": [{"name": 7}]})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["categories[0].name"]);
    client.put(CATEGORIES, json!({"categories": "Billing"})).await.expect_problem(422, "validation-failed");
    let refused = client.put(CATEGORIES, json!({"version": 0})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["categories"]);

    assert_eq!(client.get(CATEGORIES).await.expect(200).body["version"], 0, "nothing was stored");
}

#[tokio::test]
async fn tickets_must_use_the_taxonomy_once_it_is_configured() {
    let owner = signup("Categorised Tickets Co").await;
    let client = owner.client();
    // Before: free labels.
    let legacy = ticket_with(&client, json!("anything"), json!("goes")).await.expect(201).body;
    assert_eq!(legacy["category"], "anything");

    client.put(CATEGORIES, json!({"categories": taxonomy()})).await.expect(200);

    let refused = ticket_with(&client, json!("Shipping"), Value::Null).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["category"]);
    let message = message_of(&refused, "category");
    for name in ["Billing", "Technical", "Sales"] {
        assert!(message.contains(name), "the allowed categories are listed: {message}");
    }
    let refused =
        ticket_with(&client, json!("Billing"), json!("Chargebacks")).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["subcategory"]);
    let message = message_of(&refused, "subcategory");
    assert!(message.contains("Refunds") && message.contains("Invoices"), "{message}");
    assert!(!message.contains("Login"), "only the category's own subcategories: {message}");
    let refused = ticket_with(&client, json!("Sales"), json!("Leads")).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["subcategory"]);

    // Known values are accepted in any case and stored in the taxonomy's spelling.
    let ticket = ticket_with(&client, json!("billing"), json!("REFUNDS")).await.expect(201).body;
    assert_eq!((&ticket["category"], &ticket["subcategory"]), (&json!("Billing"), &json!("Refunds")));
    let plain = new_ticket(&client, "No category").await;
    assert!(plain["category"].is_null(), "a category stays optional");

    // PATCH: a changed category must come from the taxonomy too.
    let path = ticket_path(&ticket);
    let refused = client
        .patch(&path, json!({"version": ticket["version"], "subcategory": "Login"}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["subcategory"]);
    let refused = client
        .patch(&path, json!({"version": ticket["version"], "category": "Shipping", "subcategory": null}))
        .await
        .expect_problem(422, "validation-failed");
    assert!(message_of(&refused, "category").contains("Technical"));
    let moved = client
        .patch(&path, json!({"version": ticket["version"], "category": "technical", "subcategory": "login"}))
        .await
        .expect(200);
    assert_eq!((&moved.body["category"], &moved.body["subcategory"]), (&json!("Technical"), &json!("Login")));

    // A label set before the taxonomy stays until it is changed.
    let legacy_path = ticket_path(&legacy);
    let other = client.patch(&legacy_path, json!({"version": legacy["version"], "priority": "high"})).await.expect(200);
    assert_eq!(other.body["category"], "anything");
    client
        .patch(&legacy_path, json!({"version": other.body["version"], "category": "other"}))
        .await
        .expect_problem(422, "validation-failed");

    // Removing the taxonomy frees the labels again.
    client.put(CATEGORIES, json!({"categories": []})).await.expect(200);
    ticket_with(&client, json!("Shipping"), json!("Anything")).await.expect(201);
    let created = create_ticket(
        &client,
        json!({"subject": "S", "body": "B", "customer": {"email": unique_email("f")}, "category": "free"}),
    )
    .await;
    assert_eq!(created["category"], "free");
}

#[tokio::test]
async fn each_workspace_has_its_own_taxonomy() {
    let acme = signup("Acme Taxonomy").await;
    let globex = signup("Globex Taxonomy").await;
    acme.client().put(CATEGORIES, json!({"categories": [{"name": "Acme only"}]})).await.expect(200);
    assert_eq!(globex.client().get(CATEGORIES).await.expect(200).body, json!({"categories": [], "version": 0}));
    ticket_with(&globex.client(), json!("Shipping"), Value::Null).await.expect(201);
}
