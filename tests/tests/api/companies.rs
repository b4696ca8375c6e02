//! Companies over HTTP: fields checked and named, one company per domain, versions, the list in name
//! order by owner and tag, customers and deals linked to a company (their `company` text showing its
//! name, also after a rename), a delete refused while anything names the company, notes and the
//! timeline, roles, and tenant isolation.

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, signup, unique_email};

const COMPANIES: &str = "/api/v1/companies";

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

fn path(company: &Value) -> String {
    format!("{COMPANIES}/{}", id(company))
}

async fn company(client: &Client, body: Value) -> Value {
    client.post(COMPANIES, body).await.expect(201).body
}

fn names(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_company_needs_a_name_and_a_real_domain_and_a_domain_belongs_to_one_company() {
    let owner = signup("Domain Keepers").await;
    let client = owner.client();
    let bad = client
        .post(COMPANIES, json!({"name": " ", "domain": "not a domain", "owner_id": "nobody", "tags": [""]}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["name", "domain", "owner_id", "tags"]);
    let unknown = client.post(COMPANIES, json!({"name": "Acme", "owner_id": uuid_like()})).await;
    assert_eq!(unknown.expect_problem(422, "validation-failed").field_errors(), ["owner_id"]);
    client.get(COMPANIES).await.expect(200);
    assert!(names(&client.get(COMPANIES).await.expect(200).body).is_empty(), "nothing half-written");

    let acme = company(
        &client,
        json!({"name": "Acme GmbH", "domain": "https://www.ACME.com/about", "phone": "+49 30 1234",
               "website": "https://acme.com", "address": "Hauptstr. 1\nBerlin", "owner_id": owner.user_id,
               "tags": ["Key Account"], "attributes": {"industry": "anvils"}}),
    )
    .await;
    assert_eq!(acme["domain"], "acme.com");
    assert_eq!((acme["version"].as_u64(), acme["tags"][0].as_str()), (Some(1), Some("key-account")));
    assert_eq!((acme["customer_count"].as_i64(), acme["deal_count"].as_i64()), (Some(0), Some(0)));
    let taken = client
        .post(COMPANIES, json!({"name": "Acme copy", "domain": "Acme.com"}))
        .await
        .expect_problem(409, "domain-taken");
    assert_eq!(taken.body["existing_company_id"], acme["id"]);
    assert_eq!(names(&client.get(COMPANIES).await.expect(200).body), ["Acme GmbH"], "the copy was not made");

    // Stale versions are refused; the current company comes back with the refusal.
    let changed =
        client.patch(&path(&acme), json!({"domain": "acme.de", "phone": null, "version": 1})).await.expect(200).body;
    assert_eq!((changed["domain"].as_str(), changed["phone"].as_str()), (Some("acme.de"), None));
    assert_eq!(changed["version"], 2);
    let stale = client.patch(&path(&acme), json!({"name": "Old", "version": 1})).await;
    assert_eq!(stale.expect_problem(409, "version-conflict").body["current"]["version"], 2);
    let bad = client.patch(&path(&acme), json!({"name": "", "website": "x".repeat(501), "version": 2})).await;
    assert_eq!(bad.expect_problem(422, "validation-failed").field_errors(), ["name", "website"]);
    // The old domain is free again; the new one is taken.
    company(&client, json!({"name": "Acme US", "domain": "acme.com"})).await;
    let other = company(&client, json!({"name": "Beta"})).await;
    let clash = client.patch(&path(&other), json!({"domain": "www.acme.de", "version": 1})).await;
    assert_eq!(clash.expect_problem(409, "domain-taken").body["existing_company_id"], acme["id"]);
    client.delete(&format!("{}?version=1", path(&acme))).await.expect_problem(409, "version-conflict");
    client.delete(&format!("{}?version=x", path(&acme))).await.expect_problem(422, "validation-failed");
    client.delete(&format!("{}?version=2", path(&acme))).await.expect(204);
    client.get(&path(&acme)).await.expect_problem(404, "not-found");
    company(&client, json!({"name": "Acme again", "domain": "acme.de"})).await;
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

fn uuid_like() -> String {
    "0190f3a0-0000-7000-8000-000000000000".to_owned()
}

#[tokio::test]
async fn companies_list_in_name_order_by_owner_and_by_tag_a_page_at_a_time() {
    let owner = signup("Alphabet Soup").await;
    let client = owner.client();
    for (name, owned, tags) in [
        ("delta", true, vec!["vip"]),
        ("Alpha", false, vec![]),
        ("charlie", true, vec![]),
        ("Bravo", false, vec!["vip"]),
        ("alpha two", true, vec!["vip"]),
    ] {
        let owner_id = if owned { json!(owner.user_id) } else { Value::Null };
        company(&client, json!({"name": name, "owner_id": owner_id, "tags": tags})).await;
    }
    let all = client.get(COMPANIES).await.expect(200).body;
    assert_eq!(names(&all), ["Alpha", "alpha two", "Bravo", "charlie", "delta"]);
    let first = client.get(&format!("{COMPANIES}?limit=2")).await.expect(200).body;
    assert_eq!(names(&first), ["Alpha", "alpha two"]);
    let cursor = urlencode(first["next_cursor"].as_str().expect("a next page"));
    let second = client.get(&format!("{COMPANIES}?limit=2&cursor={cursor}")).await.expect(200).body;
    assert_eq!(names(&second), ["Bravo", "charlie"]);
    let mine = client.get(&format!("{COMPANIES}?owner_id=me")).await.expect(200).body;
    assert_eq!(names(&mine), ["alpha two", "charlie", "delta"]);
    let nobodys = client.get(&format!("{COMPANIES}?owner_id=none")).await.expect(200).body;
    assert_eq!(names(&nobodys), ["Alpha", "Bravo"]);
    let vip = client.get(&format!("{COMPANIES}?tag=VIP")).await.expect(200).body;
    assert_eq!(names(&vip), ["alpha two", "Bravo", "delta"]);
    let my_vip = client.get(&format!("{COMPANIES}?owner_id=me&tag=vip")).await.expect(200).body;
    assert_eq!(names(&my_vip), ["alpha two", "delta"]);
    let bad = client.get(&format!("{COMPANIES}?owner_id=someone&limit=2&cursor={cursor}")).await;
    assert_eq!(bad.expect_problem(422, "validation-failed").field_errors(), ["owner_id"]);
    // A cursor belongs to its list.
    let other_list = client.get(&format!("{COMPANIES}?owner_id=me&cursor={cursor}")).await;
    other_list.expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn customers_and_deals_linked_to_a_company_show_its_name_list_under_it_and_keep_it_from_deletion() {
    let owner = signup("Linkers").await;
    let client = owner.client();
    let acme = company(&client, json!({"name": "Acme"})).await;
    let email = unique_email("buyer");
    let both = client
        .post("/api/v1/customers", json!({"email": email, "company": "Acme Ltd", "company_id": id(&acme)}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(both.field_errors(), ["company"]);
    let ada = client.post("/api/v1/customers", json!({"email": email, "company_id": id(&acme)})).await.expect(201).body;
    assert_eq!((ada["company"].as_str(), ada["company_id"].as_str()), (Some("Acme"), Some(id(&acme))));
    let bob = client.post("/api/v1/customers", json!({"email": unique_email("bob"), "company": "Freetext"})).await;
    let bob = bob.expect(201).body;
    let bob_path = format!("/api/v1/customers/{}", id(&bob));
    let linked = client.patch(&bob_path, json!({"company_id": id(&acme)})).await.expect(200).body;
    assert_eq!(linked["company"], "Acme");
    let text_while_linked = client.patch(&bob_path, json!({"company": "Other"})).await;
    assert_eq!(text_while_linked.expect_problem(422, "validation-failed").field_errors(), ["company"]);
    // A form sending the shown name back unchanged is no change.
    client.patch(&bob_path, json!({"company": "Acme", "name": "Bob"})).await.expect(200);
    let bad_id = client.patch(&bob_path, json!({"company_id": "nope"})).await;
    assert_eq!(bad_id.expect_problem(422, "validation-failed").field_errors(), ["company_id"]);

    let deal = client
        .post("/api/v1/deals", json!({"title": "Anvils", "value": 1000, "currency": "EUR", "company_id": id(&acme)}))
        .await
        .expect(201)
        .body;
    assert_eq!((deal["company"].as_str(), deal["company_id"].as_str()), (Some("Acme"), Some(id(&acme))));
    let missing = client
        .post("/api/v1/deals", json!({"title": "X", "value": 1, "currency": "EUR", "company_id": uuid_like()}))
        .await;
    assert_eq!(missing.expect_problem(422, "validation-failed").field_errors(), ["company_id"]);

    let found = client.get(&path(&acme)).await.expect(200).body;
    assert_eq!((found["customer_count"].as_i64(), found["deal_count"].as_i64()), (Some(2), Some(1)));
    let customers = client.get(&format!("{}/customers", path(&acme))).await.expect(200).body;
    let mut emails: Vec<&str> =
        customers["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
    let mut expected = vec![ada["email"].as_str().unwrap(), bob["email"].as_str().unwrap()];
    expected.sort_unstable();
    assert_eq!(emails, expected, "by e-mail");
    emails.clear();
    let deals = client.get(&format!("{}/deals", path(&acme))).await.expect(200).body;
    assert_eq!(deals["items"][0]["id"], deal["id"]);

    // A rename shows on every linked record.
    client.patch(&path(&acme), json!({"name": "Acme Corp", "version": 1})).await.expect(200);
    let ada_now = client.get(&format!("/api/v1/customers/{}", id(&ada))).await.expect(200).body;
    assert_eq!(ada_now["company"], "Acme Corp");
    let deal_now = client.get(&format!("/api/v1/deals/{}", id(&deal))).await.expect(200).body;
    assert_eq!(deal_now["company"], "Acme Corp");

    // Nothing is deleted from under the records that name it.
    let refused = client.delete(&path(&acme)).await.expect_problem(409, "conflict");
    assert!(refused.body["detail"].as_str().unwrap().contains("2 customer(s) and 1 deal(s)"), "{}", refused.body);
    client.patch(&bob_path, json!({"company_id": null})).await.expect(200);
    let bob_now = client.get(&bob_path).await.expect(200).body;
    assert_eq!(
        (bob_now["company"].as_str(), bob_now["company_id"].as_str()),
        (None, None),
        "unlinking clears the text"
    );
    client
        .patch(&format!("/api/v1/customers/{}", id(&ada)), json!({"company_id": null, "company": "Acme (old)"}))
        .await
        .expect(200);
    let version = deal_now["version"].as_u64().unwrap();
    client
        .patch(&format!("/api/v1/deals/{}", id(&deal)), json!({"company_id": null, "version": version}))
        .await
        .expect(200);
    let emptied = client.get(&format!("{}/customers", path(&acme))).await.expect(200).body;
    assert!(emptied["items"].as_array().unwrap().is_empty(), "{emptied}");
    client.delete(&path(&acme)).await.expect(204);
    client.get(&format!("{}/customers", path(&acme))).await.expect_problem(404, "not-found");
    let relink = client.patch(&bob_path, json!({"company_id": id(&acme)})).await;
    assert_eq!(relink.expect_problem(422, "validation-failed").field_errors(), ["company_id"]);
}

#[tokio::test]
async fn notes_and_changes_make_up_a_companys_timeline() {
    let owner = signup("Note Takers").await;
    let client = owner.client();
    let acme = company(&client, json!({"name": "Acme"})).await;
    let notes = format!("{}/notes", path(&acme));
    client.post(&notes, json!({"body": " "})).await.expect_problem(422, "validation-failed");
    let note = client.post(&notes, json!({"body": "Met their CTO at the fair."})).await.expect(201).body;
    client.patch(&path(&acme), json!({"tags": ["fair-2026"], "version": 1})).await.expect(200);
    let listed = client.get(&notes).await.expect(200).body;
    assert_eq!(listed["items"][0]["id"], note["id"]);
    let timeline = client.get(&format!("{}/timeline", path(&acme))).await.expect(200).body;
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["company.updated", "company.note_added", "company.created"]);
    let page = client.get(&format!("{}/timeline?limit=1", path(&acme))).await.expect(200).body;
    assert!(page["next_cursor"].is_string());
    let activity = client.get("/api/v1/activity").await.expect(200).body;
    assert!(activity["items"].as_array().unwrap().iter().any(|e| e["type"] == "company.note_added"));
}

#[tokio::test]
async fn viewers_read_companies_and_only_writers_change_them() {
    let owner = signup("Role Players").await;
    let viewer = add_member(&owner, "viewer").await;
    let agent = add_member(&owner, "agent").await;
    let acme = company(&owner.client(), json!({"name": "Acme"})).await;
    let viewers = viewer.client();
    viewers.get(COMPANIES).await.expect(200);
    viewers.get(&path(&acme)).await.expect(200);
    viewers.get(&format!("{}/timeline", path(&acme))).await.expect(200);
    viewers.post(COMPANIES, json!({"name": "Mine"})).await.expect_problem(403, "forbidden");
    viewers.patch(&path(&acme), json!({"name": "Theirs", "version": 1})).await.expect_problem(403, "forbidden");
    viewers.delete(&path(&acme)).await.expect_problem(403, "forbidden");
    viewers.post(&format!("{}/notes", path(&acme)), json!({"body": "hi"})).await.expect_problem(403, "forbidden");
    // Agents write customers, so companies too.
    let changed = agent.client().patch(&path(&acme), json!({"name": "Acme AG", "version": 1})).await.expect(200);
    assert_eq!(changed.body["name"], "Acme AG");
}

#[tokio::test]
async fn another_workspaces_company_is_not_found_and_cannot_be_linked() {
    let ours = signup("Our Side").await;
    let theirs = signup("Their Side").await;
    let secret = company(&theirs.client(), json!({"name": "Their Client", "domain": "client.io"})).await;
    let client = ours.client();
    client.get(&path(&secret)).await.expect_problem(404, "not-found");
    client.patch(&path(&secret), json!({"name": "Mine", "version": 1})).await.expect_problem(404, "not-found");
    client.delete(&path(&secret)).await.expect_problem(404, "not-found");
    client.get(&format!("{}/customers", path(&secret))).await.expect_problem(404, "not-found");
    client.get(&format!("{}/deals", path(&secret))).await.expect_problem(404, "not-found");
    client.get(&format!("{}/notes", path(&secret))).await.expect_problem(404, "not-found");
    client.post(&format!("{}/notes", path(&secret)), json!({"body": "x"})).await.expect_problem(404, "not-found");
    client.get(&format!("{}/timeline", path(&secret))).await.expect_problem(404, "not-found");
    // The domain is theirs, not ours: each workspace has its own.
    company(&client, json!({"name": "Our Client", "domain": "client.io"})).await;
    let linked = client
        .post("/api/v1/customers", json!({"email": unique_email("x"), "company_id": id(&secret)}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(linked.field_errors(), ["company_id"]);
    let deal = client
        .post("/api/v1/deals", json!({"title": "X", "value": 1, "currency": "EUR", "company_id": id(&secret)}))
        .await;
    assert_eq!(deal.expect_problem(422, "validation-failed").field_errors(), ["company_id"]);
    let untouched = theirs.client().get(&path(&secret)).await.expect(200).body;
    assert_eq!((untouched["customer_count"].as_i64(), untouched["deal_count"].as_i64()), (Some(0), Some(0)));
    assert_eq!(names(&client.get(COMPANIES).await.expect(200).body), ["Our Client"]);
}

#[tokio::test]
async fn a_customer_merged_away_leaves_its_company_so_the_company_can_go() {
    let owner = signup("Merge Leavers").await;
    let client = owner.client();
    let acme = company(&client, json!({"name": "Acme"})).await;
    let duplicate = client
        .post("/api/v1/customers", json!({"email": unique_email("dup"), "company_id": id(&acme)}))
        .await
        .expect(201)
        .body;
    let survivor = client.post("/api/v1/customers", json!({"email": unique_email("keep")})).await.expect(201).body;
    assert_eq!(client.get(&path(&acme)).await.expect(200).body["customer_count"], 1);
    client
        .post(&format!("/api/v1/customers/{}/merge", id(&survivor)), json!({"source_id": id(&duplicate)}))
        .await
        .expect(200);
    let after = client.get(&path(&acme)).await.expect(200).body;
    assert_eq!(after["customer_count"], 0, "{after}");
    let listed = client.get(&format!("{}/customers", path(&acme))).await.expect(200).body;
    assert!(listed["items"].as_array().unwrap().is_empty(), "{listed}");
    client.delete(&path(&acme)).await.expect(204);
}
