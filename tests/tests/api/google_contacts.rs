//! Google Contacts sync against the local Google stand-in (infra/src/google.rs): a member connects by
//! OAuth with PKCE, contacts land as customers or leads (paged, matched by e-mail, never duplicated),
//! incremental syncs pick up changes and deletions, an expired sync token means a full listing, quota
//! 429s are waited out, and disconnecting revokes the grant. Tokens are sealed in the table.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::{Member, add_member, run_schedule, signup, stack};

const CONNECTION: &str = "/api/v1/integrations/google-contacts";
const AUTHORIZE: &str = "/api/v1/integrations/google-contacts/authorize";
const CALLBACK: &str = "/api/v1/integrations/google-contacts/callback";
const SYNC: &str = "/api/v1/integrations/google-contacts/sync";

/// A Google account of its own per test, and a prefix its contacts' e-mails share.
fn account(label: &str) -> (String, String) {
    let tag = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    (format!("{label}-{tag}@gmail.example"), format!("g{tag}-"))
}

fn google(path: &str) -> String {
    format!("{}/__local/google{path}", stack().url)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn put_contact(account: &str, id: &str, fields: Value) {
    let url = google(&format!("/control/accounts/{account}/contacts/{id}"));
    let reply = http().put(url).json(&fields).send().await.unwrap();
    assert!(reply.status().is_success(), "seeding a contact: {}", reply.status());
}

async fn delete_contact(account: &str, id: &str) {
    let reply = http().delete(google(&format!("/control/accounts/{account}/contacts/{id}"))).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 204);
}

async fn control(account: &str, action: &str, body: Value) {
    let reply = http().post(google(&format!("/control/accounts/{account}/{action}"))).json(&body).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 204, "{action}");
}

async fn google_account(account: &str) -> Value {
    http().get(google(&format!("/control/accounts/{account}"))).send().await.unwrap().json().await.unwrap()
}

/// Consent at the stand-in: the redirect back to our callback page, as `(code, state)`.
async fn consent(authorize_url: &str) -> (String, String) {
    let reply = http().get(authorize_url).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 302, "consent redirects back");
    let location = reqwest::Url::parse(reply.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.path().ends_with("/settings/google-contacts/callback"), "{location}");
    let param = |name: &str| location.query_pairs().find(|(key, _)| key == name).map(|(_, v)| v.into_owned()).unwrap();
    (param("code"), param("state"))
}

async fn start(member: &Member, account: &str, settings: Value) -> Value {
    let mut body = settings;
    body["login_hint"] = json!(account);
    member.client().post(AUTHORIZE, body).await.expect(200).body
}

async fn connect(member: &Member, account: &str, settings: Value) -> Value {
    let started = start(member, account, settings).await;
    let (code, state) = consent(started["authorize_url"].as_str().unwrap()).await;
    member.client().post(CALLBACK, json!({ "code": code, "state": state })).await.expect(200).body
}

async fn sync(member: &Member) -> Value {
    member.client().post(SYNC, json!({})).await.expect(200).body
}

async fn customers_with(member: &Member, prefix: &str) -> Vec<Value> {
    let listed = member.client().get(&format!("/api/v1/customers?email_prefix={prefix}&limit=100")).await.expect(200);
    listed.body["items"].as_array().unwrap().clone()
}

async fn raw_connection_item(member: &Member) -> Option<String> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let app = stack().app;
    let client = aws_sdk_dynamodb::Client::new(&app.aws);
    let item = client
        .get_item()
        .table_name(&app.config.table_name)
        .key("PK", AttributeValue::S(format!("WS#{}", member.workspace_id)))
        .key("SK", AttributeValue::S(format!("GOOGLE_CONNECTION#{}", member.user_id)))
        .send()
        .await
        .unwrap()
        .item?;
    Some(format!("{item:?}"))
}

#[tokio::test]
async fn connecting_needs_the_state_and_verifier_of_the_members_own_authorization() {
    let owner = signup("Pkce Co").await;
    let (account, _) = account("pkce");
    let first = start(&owner, &account, json!({})).await;
    let url = reqwest::Url::parse(first["authorize_url"].as_str().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["code_challenge"].len(), 43, "a SHA-256 challenge, base64url");
    assert_eq!(query["scope"], "https://www.googleapis.com/auth/contacts.readonly");
    assert_eq!(query["state"], first["state"].as_str().unwrap());
    assert!(!query.contains_key("code_verifier"), "the verifier never leaves the server");
    let (code, state) = consent(first["authorize_url"].as_str().unwrap()).await;
    assert_eq!(state, first["state"].as_str().unwrap(), "Google sends the state back unchanged");

    // A state nobody started connects nothing.
    let refused = owner.client().post(CALLBACK, json!({ "code": code, "state": "made-up" })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["state"]);
    // The code of one authorization with the state (so the verifier) of another: Google refuses it.
    let second = start(&owner, &account, json!({})).await;
    let refused = owner.client().post(CALLBACK, json!({ "code": code, "state": second["state"] })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["code"]);
    // Another member's state is theirs alone.
    let colleague = add_member(&owner, "agent").await;
    let theirs = start(&colleague, &account, json!({})).await;
    let (their_code, their_state) = consent(theirs["authorize_url"].as_str().unwrap()).await;
    let refused = owner.client().post(CALLBACK, json!({ "code": their_code, "state": their_state })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["state"]);
    assert_eq!(owner.client().get(CONNECTION).await.expect(200).body["connected"], false);

    // The member's own authorization, once.
    let third = start(&owner, &account, json!({})).await;
    let (code, state) = consent(third["authorize_url"].as_str().unwrap()).await;
    let connected = owner.client().post(CALLBACK, json!({ "code": code, "state": state })).await.expect(200).body;
    assert_eq!(connected["connected"], true);
    assert_eq!(connected["target"], "customers");
    assert_eq!(connected["deletion"], "ignore");
    let replayed = owner.client().post(CALLBACK, json!({ "code": code, "state": state })).await;
    assert_eq!(replayed.expect_problem(422, "validation-failed").field_errors(), ["state"]);

    // The tokens Google issued are nowhere in the stored item: only their sealed form is.
    let issued = google_account(&account).await;
    let raw = raw_connection_item(&owner).await.expect("the connection is stored");
    let mut tokens: Vec<String> = issued["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|grant| grant["refresh_token"].as_str().unwrap().to_owned())
        .collect();
    tokens.extend(issued["access_tokens"].as_array().unwrap().iter().map(|token| token.as_str().unwrap().to_owned()));
    assert!(tokens.len() >= 2, "{issued}");
    for token in &tokens {
        assert!(!raw.contains(token.as_str()), "a token is stored in clear: {raw}");
    }
    assert!(raw.contains("wrapped_key") && raw.contains("ciphertext"), "{raw}");
}

#[tokio::test]
async fn the_import_pages_through_every_contact_matches_by_e_mail_and_syncs_changes_incrementally() {
    let owner = signup("Import Co").await;
    let (account, prefix) = account("import");
    control(&account, "page-size", json!({ "max": 2 })).await;
    for (id, name) in [("c1", "Ada Lovelace"), ("c2", "Grace Hopper"), ("c3", "Alan Turing"), ("c4", "Edsger Dijkstra")]
    {
        let first = name.split(' ').next().unwrap().to_lowercase();
        put_contact(
            &account,
            id,
            json!({ "name": name, "email": format!("{prefix}{first}@example.com"), "company": "Engines" }),
        )
        .await;
    }
    put_contact(&account, "c5", json!({ "name": "No Mail" })).await;
    // A customer who is already here is linked by e-mail, not created again.
    let existing = owner
        .client()
        .post("/api/v1/customers", json!({ "email": format!("{prefix}ada@example.com"), "phone": "+44 1" }))
        .await
        .expect(201)
        .body;

    connect(&owner, &account, json!({ "target": "customers" })).await;
    let status = sync(&owner).await;
    // Totals, not the last run: the schedule may sync this connection meanwhile (one run at a time).
    let run = &status["sync"]["totals"];
    assert_eq!(
        (run["imported"].as_u64(), run["updated"].as_u64(), run["skipped"].as_u64()),
        (Some(3), Some(1), Some(1)),
        "{status}"
    );
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["full_syncs"], 1);
    assert_eq!(status["sync"]["in_progress"], false);
    assert!(google_account(&account).await["people_calls"].as_u64().unwrap() >= 3, "five contacts, two a page");
    let customers = customers_with(&owner, &prefix).await;
    assert_eq!(customers.len(), 4, "{customers:?}");
    let ada: Vec<&Value> = customers.iter().filter(|c| c["email"] == format!("{prefix}ada@example.com")).collect();
    assert_eq!(ada.len(), 1);
    assert_eq!(ada[0]["id"], existing["id"]);
    assert_eq!(ada[0]["name"], "Ada Lovelace", "Google's name fills the existing customer");
    assert_eq!(ada[0]["phone"], "+44 1", "what Google does not say stays");

    // A change in Google arrives with the next (incremental) sync, even once the access token expired.
    put_contact(
        &account,
        "c2",
        json!({ "name": "Grace B. Hopper", "email": format!("{prefix}grace@example.com"), "phone": "+1 555" }),
    )
    .await;
    control(&account, "expire-access-tokens", json!({})).await;
    let status = sync(&owner).await;
    assert_eq!(status["sync"]["totals"]["updated"], 2, "{status}");
    assert_eq!(status["sync"]["totals"]["imported"], 3);
    assert_eq!(status["sync"]["full_syncs"], 1, "incremental");
    assert!(google_account(&account).await["incremental_listings"].as_u64().unwrap() >= 1);
    let grace = customers_with(&owner, &format!("{prefix}grace")).await;
    assert_eq!((grace[0]["name"].as_str(), grace[0]["phone"].as_str()), (Some("Grace B. Hopper"), Some("+1 555")));

    // An expired sync token: a full listing again, and still one customer per contact.
    control(&account, "expire-sync-tokens", json!({})).await;
    put_contact(&account, "c6", json!({ "name": "Barbara Liskov", "email": format!("{prefix}barbara@example.com") }))
        .await;
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["full_syncs"], 2, "{status}");
    assert_eq!(customers_with(&owner, &prefix).await.len(), 5, "no duplicates after the full resync");
    assert_eq!(status["sync"]["totals"]["imported"], 4);
}

#[tokio::test]
async fn contacts_deleted_in_google_are_applied_by_the_policy() {
    let owner = signup("Deleting Co").await;
    let (account, prefix) = account("deleting");
    put_contact(
        &account,
        "l1",
        json!({ "name": "Lead One", "email": format!("{prefix}one@example.com"), "title": "CTO" }),
    )
    .await;
    put_contact(&account, "l2", json!({ "name": "Lead Two", "email": format!("{prefix}two@example.com") })).await;
    let connected = connect(&owner, &account, json!({ "target": "leads", "deletion": "delete" })).await;
    assert_eq!(connected["target"], "leads");
    let status = sync(&owner).await;
    assert_eq!(status["sync"]["totals"]["imported"], 2, "{status}");
    let leads = owner.client().get("/api/v1/leads?limit=100").await.expect(200).body;
    let ours: Vec<&Value> = leads["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["email"].as_str().is_some_and(|e| e.starts_with(&prefix)))
        .collect();
    assert_eq!(ours.len(), 2, "{leads}");
    let one = ours.iter().find(|l| l["name"] == "Lead One").unwrap();
    assert_eq!(one["title"], "CTO");
    assert_eq!(one["source"], "import");

    delete_contact(&account, "l1").await;
    let status = sync(&owner).await;
    assert_eq!(status["sync"]["totals"]["deleted"], 1, "{status}");
    owner.client().get(&format!("/api/v1/leads/{}", one["id"].as_str().unwrap())).await.expect(404);

    // Archive keeps the record and marks it; customers cannot be deleted by a sync.
    let refused = owner.client().patch(CONNECTION, json!({ "target": "customers", "deletion": "delete" })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["deletion"]);
    owner.client().patch(CONNECTION, json!({ "deletion": "archive" })).await.expect(200);
    let two = ours.iter().find(|l| l["name"] == "Lead Two").unwrap();
    delete_contact(&account, "l2").await;
    sync(&owner).await;
    let kept = owner.client().get(&format!("/api/v1/leads/{}", two["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!(kept["attributes"]["google_contact"], "deleted", "{kept}");
}

#[tokio::test]
async fn quota_429s_are_waited_out_and_a_long_wait_leaves_the_sync_for_later() {
    let owner = signup("Quota Co").await;
    let (account, prefix) = account("quota");
    put_contact(&account, "q1", json!({ "name": "Quota One", "email": format!("{prefix}one@example.com") })).await;
    connect(&owner, &account, json!({})).await;
    // Two 429s with Retry-After: 1, then Google answers: the sync waits and finishes.
    control(&account, "faults", json!({ "status": 429, "count": 2, "retry_after": 1 })).await;
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["totals"]["imported"], 1);
    assert_eq!(customers_with(&owner, &prefix).await.len(), 1);

    // Google asks for longer than a run waits: the run stops, says when it goes on, and is not retried
    // before then (no call reaches Google).
    control(&account, "faults", json!({ "status": 429, "count": 5, "retry_after": 120 })).await;
    put_contact(&account, "q2", json!({ "name": "Quota Two", "email": format!("{prefix}two@example.com") })).await;
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].as_str().unwrap().contains("quota"), "{status}");
    assert!(status["sync"]["resume_after"].is_string(), "{status}");
    let calls = google_account(&account).await["people_calls"].clone();
    let again = sync(&owner).await;
    assert_eq!(google_account(&account).await["people_calls"], calls, "no call before resume_after");
    assert_eq!(again["sync"]["resume_after"], status["sync"]["resume_after"]);
    assert_eq!(customers_with(&owner, &prefix).await.len(), 1);
}

#[tokio::test]
async fn the_schedule_syncs_every_connection_from_the_index() {
    let owner = signup("Scheduled Co").await;
    let (account, prefix) = account("scheduled");
    connect(&owner, &account, json!({})).await;
    put_contact(&account, "s1", json!({ "name": "Sched One", "email": format!("{prefix}one@example.com") })).await;
    let report = run_schedule("GoogleContactsSyncFunction").await;
    assert!(report["connections"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["failed"], 0, "{report}");
    assert_eq!(customers_with(&owner, &prefix).await.len(), 1);
    let status = owner.client().get(CONNECTION).await.expect(200).body;
    assert!(status["sync"]["last_success_at"].is_string(), "{status}");
}

#[tokio::test]
async fn disconnecting_revokes_the_grant_at_google_and_deletes_the_tokens() {
    let owner = signup("Leaving Co").await;
    let (account, prefix) = account("leaving");
    put_contact(&account, "d1", json!({ "name": "Stays Here", "email": format!("{prefix}stays@example.com") })).await;
    connect(&owner, &account, json!({})).await;
    sync(&owner).await;
    owner.client().delete(CONNECTION).await.expect(204);
    let grants = google_account(&account).await["grants"].clone();
    assert!(grants.as_array().unwrap().iter().all(|grant| grant["revoked"] == true), "{grants}");
    assert!(raw_connection_item(&owner).await.is_none(), "the sealed tokens are deleted");
    assert_eq!(owner.client().get(CONNECTION).await.expect(200).body["connected"], false);
    owner.client().post(SYNC, json!({})).await.expect_problem(404, "not-found");
    owner.client().delete(CONNECTION).await.expect_problem(404, "not-found");
    assert_eq!(customers_with(&owner, &prefix).await.len(), 1, "imported customers stay");
}

#[tokio::test]
async fn each_member_sees_and_changes_only_their_own_connection_within_their_role() {
    let owner = signup("Own Co").await;
    let (account, _) = account("own");
    connect(&owner, &account, json!({})).await;
    let agent = add_member(&owner, "agent").await;
    let viewer = add_member(&owner, "viewer").await;
    let stranger = signup("Other Co").await;
    for member in [&agent, &viewer, &stranger] {
        assert_eq!(member.client().get(CONNECTION).await.expect(200).body["connected"], false);
        member.client().post(SYNC, json!({})).await.expect_problem(404, "not-found");
        member.client().patch(CONNECTION, json!({ "deletion": "archive" })).await.expect_problem(404, "not-found");
        member.client().delete(CONNECTION).await.expect_problem(404, "not-found");
    }
    assert_eq!(owner.client().get(CONNECTION).await.expect(200).body["connected"], true, "still connected");

    // A viewer may not land contacts anywhere; an agent may land them as leads or customers.
    let refused = viewer.client().post(AUTHORIZE, json!({})).await.expect_problem(403, "forbidden");
    assert!(refused.body["detail"].as_str().unwrap().contains("customers:write"), "{}", refused.body);
    viewer.client().post(AUTHORIZE, json!({ "target": "leads" })).await.expect_problem(403, "forbidden");
    agent.client().post(AUTHORIZE, json!({ "target": "leads" })).await.expect(200);
    // Another workspace's state is unknown here.
    let theirs = start(&stranger, &account, json!({})).await;
    let (code, state) = consent(theirs["authorize_url"].as_str().unwrap()).await;
    let refused = owner.client().post(CALLBACK, json!({ "code": code, "state": state })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["state"]);

    // Bad settings are named; nobody anonymous gets in.
    let refused = owner.client().post(AUTHORIZE, json!({ "target": "customers", "deletion": "delete" })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["deletion"]);
    let refused = owner.client().post(AUTHORIZE, json!({ "target": "leads", "two_way": true })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["two_way"]);
    owner.client().post(AUTHORIZE, json!({ "target": "contacts" })).await.expect(422);
    let anonymous = switchboard_tests::Client::new();
    for (method, path) in [
        (Method::GET, CONNECTION),
        (Method::PATCH, CONNECTION),
        (Method::DELETE, CONNECTION),
        (Method::POST, AUTHORIZE),
        (Method::POST, CALLBACK),
        (Method::POST, SYNC),
    ] {
        anonymous.send(method, path, Some(&json!({}))).await.expect(401);
    }
}

#[tokio::test]
async fn two_way_writes_customers_changed_here_back_to_google_and_google_wins_a_conflict() {
    let owner = signup("Two Way Co").await;
    let (account, prefix) = account("twoway");
    put_contact(
        &account,
        "t1",
        json!({ "name": "Tess Two", "email": format!("{prefix}tess@example.com"), "phone": "+1 1" }),
    )
    .await;
    put_contact(&account, "t2", json!({ "name": "Theo Two", "email": format!("{prefix}theo@example.com") })).await;
    let connected = connect(&owner, &account, json!({ "two_way": true })).await;
    assert_eq!(connected["two_way"], true);
    assert_eq!(connected["scope"], "https://www.googleapis.com/auth/contacts");
    sync(&owner).await;
    let tess = customers_with(&owner, &format!("{prefix}tess")).await.remove(0);
    let theo = customers_with(&owner, &format!("{prefix}theo")).await.remove(0);

    // Changed here: written back to Google.
    owner
        .client()
        .patch(&format!("/api/v1/customers/{}", tess["id"].as_str().unwrap()), json!({ "phone": "+1 999" }))
        .await
        .expect(200);
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["totals"]["exported"], 1, "{status}");
    let contact: Value = http()
        .get(google(&format!("/control/accounts/{account}/contacts/t1")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contact["phoneNumbers"][0]["value"], "+1 999", "{contact}");
    assert_eq!(contact["names"][0]["displayName"], "Tess Two");

    // Changed on both sides: Google's version wins.
    owner
        .client()
        .patch(&format!("/api/v1/customers/{}", theo["id"].as_str().unwrap()), json!({ "name": "Theo Here" }))
        .await
        .expect(200);
    put_contact(&account, "t2", json!({ "name": "Theo There", "email": format!("{prefix}theo@example.com") })).await;
    sync(&owner).await;
    let theo = customers_with(&owner, &format!("{prefix}theo")).await.remove(0);
    assert_eq!(theo["name"], "Theo There");
    let contact: Value = http()
        .get(google(&format!("/control/accounts/{account}/contacts/t2")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(contact["names"][0]["displayName"], "Theo There", "{contact}");

    // A read-only connection writes nothing back.
    let (readonly, _) = crate::google_contacts::account("readonly");
    let other = signup("Read Only Co").await;
    connect(&other, &readonly, json!({})).await;
    let refused = other.client().patch(CONNECTION, json!({ "two_way": true })).await;
    assert_eq!(refused.expect_problem(422, "validation-failed").field_errors(), ["two_way"]);
}

/// The contacts the stand-in holds for an account, by e-mail.
async fn people_by_email(account: &str) -> std::collections::HashMap<String, Value> {
    let state = google_account(account).await;
    state["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|person| Some((person["emailAddresses"][0]["value"].as_str()?.to_owned(), person.clone())))
        .collect()
}

async fn all_customers(member: &Member) -> Vec<Value> {
    member.client().get("/api/v1/customers?limit=100").await.expect(200).body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn two_way_makes_a_contact_of_each_customer_google_lacks_exactly_once() {
    let owner = signup("Export Co").await;
    let (account, prefix) = account("export");
    let email = |name: &str| format!("{prefix}{name}@example.com");
    for (name, phone) in [("ann", "+1 100"), ("bob", "+1 200")] {
        owner
            .client()
            .post("/api/v1/customers", json!({ "email": email(name), "name": name.to_uppercase(), "phone": phone }))
            .await
            .expect(201);
    }
    // Google already has Cleo: she is linked by e-mail, not made again.
    owner.client().post("/api/v1/customers", json!({ "email": email("cleo") })).await.expect(201);
    put_contact(&account, "k1", json!({ "name": "Cleo Known", "email": email("cleo") })).await;

    connect(&owner, &account, json!({ "two_way": true })).await;
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    let customers = all_customers(&owner).await;
    let state = google_account(&account).await;
    assert_eq!(state["creates"].as_u64(), Some(customers.len() as u64 - 1), "every customer but Cleo: {state}");
    let people = people_by_email(&account).await;
    assert_eq!(people.len(), customers.len(), "one contact per customer: {people:?}");
    assert_eq!(people[&email("ann")]["names"][0]["displayName"], "ANN");
    assert_eq!(people[&email("ann")]["phoneNumbers"][0]["value"], "+1 100");
    assert_eq!(people[&email("cleo")]["resourceName"], "people/k1");

    // Our own contacts coming back in the next listing change nothing, and nothing is made twice; a
    // customer added since is made once.
    let dan = owner.client().post("/api/v1/customers", json!({ "email": email("dan") })).await.expect(201).body;
    sync(&owner).await;
    sync(&owner).await;
    let state = google_account(&account).await;
    assert_eq!(state["creates"].as_u64(), Some(customers.len() as u64), "Dan, once: {state}");
    assert_eq!(state["updates"], 0, "{state}");
    assert_eq!(people_by_email(&account).await.len(), customers.len() + 1);
    assert_eq!(all_customers(&owner).await.len(), customers.len() + 1, "the import made no customers of them");

    // A change here travels to the contact made from the customer.
    owner
        .client()
        .patch(&format!("/api/v1/customers/{}", dan["id"].as_str().unwrap()), json!({ "name": "Dan Later" }))
        .await
        .expect(200);
    let status = sync(&owner).await;
    assert_eq!(google_account(&account).await["updates"], 1);
    assert_eq!(people_by_email(&account).await[&email("dan")]["names"][0]["displayName"], "Dan Later");
    assert!(status["sync"]["totals"]["exported"].as_u64().unwrap() >= 4, "{status}");
}

#[tokio::test]
async fn a_contact_edited_in_google_while_we_write_it_keeps_googles_version() {
    let owner = signup("Race Co").await;
    let (account, prefix) = account("race");
    let email = format!("{prefix}rita@example.com");
    put_contact(&account, "r1", json!({ "name": "Rita", "email": email, "phone": "+1 1" })).await;
    connect(&owner, &account, json!({ "two_way": true })).await;
    sync(&owner).await;
    let rita = customers_with(&owner, &prefix).await.remove(0);

    // Changed here; and, after the run's import has read Google, changed there too: our write meets a
    // stale etag, Google's version is read again and wins.
    owner
        .client()
        .patch(&format!("/api/v1/customers/{}", rita["id"].as_str().unwrap()), json!({ "name": "Rita Here" }))
        .await
        .expect(200);
    let there = json!({ "name": "Rita There", "email": email, "phone": "+1 2" });
    let reply = http()
        .post(google(&format!("/control/accounts/{account}/contacts/r1/edit-before-next-write")))
        .json(&there)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 204);
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["totals"]["conflicts"], 1, "{status}");
    let rita = customers_with(&owner, &prefix).await.remove(0);
    assert_eq!((rita["name"].as_str(), rita["phone"].as_str()), (Some("Rita There"), Some("+1 2")));
    let contact = &people_by_email(&account).await[&email];
    assert_eq!(contact["names"][0]["displayName"], "Rita There", "our write did not land: {contact}");
    assert_eq!(google_account(&account).await["updates"], 0);

    // Settled: the next run writes nothing back and changes nothing.
    let status = sync(&owner).await;
    assert_eq!(google_account(&account).await["updates"], 0);
    assert_eq!(status["sync"]["totals"]["conflicts"], 1);
    assert_eq!(customers_with(&owner, &prefix).await[0]["name"], "Rita There");
}

#[tokio::test]
async fn the_export_writes_only_the_workspaces_own_customers_and_never_through_a_read_only_grant() {
    let first = signup("Export A").await;
    let second = signup("Export B").await;
    let reader = signup("Export Reader").await;
    let (account_a, prefix_a) = account("export-a");
    let (account_b, prefix_b) = account("export-b");
    let (account_r, prefix_r) = account("export-r");
    for (member, prefix) in [(&first, &prefix_a), (&second, &prefix_b), (&reader, &prefix_r)] {
        member
            .client()
            .post("/api/v1/customers", json!({ "email": format!("{prefix}one@example.com") }))
            .await
            .expect(201);
    }
    connect(&first, &account_a, json!({ "two_way": true })).await;
    connect(&second, &account_b, json!({ "two_way": true })).await;
    connect(&reader, &account_r, json!({})).await;
    for member in [&first, &second, &reader] {
        let status = sync(member).await;
        assert!(status["sync"]["last_error"].is_null(), "{status}");
    }
    let a = people_by_email(&account_a).await;
    let b = people_by_email(&account_b).await;
    assert!(a.contains_key(&format!("{prefix_a}one@example.com")), "{a:?}");
    assert!(b.contains_key(&format!("{prefix_b}one@example.com")), "{b:?}");
    assert!(a.keys().all(|email| !email.starts_with(&prefix_b) && !email.starts_with(&prefix_r)), "{a:?}");
    assert!(b.keys().all(|email| !email.starts_with(&prefix_a) && !email.starts_with(&prefix_r)), "{b:?}");
    assert_eq!(a.len(), all_customers(&first).await.len(), "A's customers, all of them");

    // Read-only: nothing is written to Google, whatever changes here.
    let customer = customers_with(&reader, &prefix_r).await.remove(0);
    reader
        .client()
        .patch(&format!("/api/v1/customers/{}", customer["id"].as_str().unwrap()), json!({ "name": "Changed" }))
        .await
        .expect(200);
    sync(&reader).await;
    let state = google_account(&account_r).await;
    assert_eq!((state["creates"].as_u64(), state["updates"].as_u64()), (Some(0), Some(0)), "{state}");
    assert_eq!(state["people"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn an_import_of_leads_stops_at_the_months_limit_and_goes_on_when_there_is_room() {
    let owner = signup("Lead Quota Co").await;
    crate::lead_capture::on_plan_with_leads(&owner, 2).await;
    let (account, prefix) = account("leadquota");
    for (id, name) in [("p1", "ann"), ("p2", "bea"), ("p3", "cal"), ("p4", "dee")] {
        put_contact(&account, id, json!({ "name": name, "email": format!("{prefix}{name}@example.com") })).await;
    }
    connect(&owner, &account, json!({ "target": "leads" })).await;
    let ours = async || {
        let leads = owner.client().get("/api/v1/leads?limit=100").await.expect(200).body;
        leads["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["email"].as_str().unwrap_or("").starts_with(&prefix))
            .count()
    };
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].as_str().unwrap_or("").contains("new leads this month"), "{status}");
    assert_eq!(status["sync"]["totals"]["imported"], 2, "{status}");
    assert_eq!(ours().await, 2);
    // Still full: another run imports nothing more and duplicates nothing.
    sync(&owner).await;
    assert_eq!(ours().await, 2);

    // On a larger plan the same listing goes on: the other two arrive, once each.
    crate::lead_capture::on_plan_with_leads(&owner, 10).await;
    let status = sync(&owner).await;
    assert!(status["sync"]["last_error"].is_null(), "{status}");
    assert_eq!(status["sync"]["totals"]["imported"], 4, "{status}");
    assert_eq!(ours().await, 4);
}
