//! Lead capture over real HTTP: Typeform deliveries signed as Typeform signs them, generic JSON and
//! Zapier senders with the endpoint secret or an API key, the mapping tester, dedupe by e-mail, replays,
//! the delivery log, plan limits, Zapier REST hooks through the real webhook delivery, and who may do what.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Client, Member, PASSWORD, Reply, add_member, eventually, signup, stack, unique_email};

const ENDPOINTS: &str = "/api/v1/lead-capture-endpoints";
const TEST_MAPPING: &str = "/api/v1/lead-capture-endpoints/test-mapping";
const HOOKS: &str = "/api/v1/zapier/hooks";
const WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Typeform's scheme: `sha256=` and the base64 HMAC-SHA256 of the raw body under the secret.
fn typeform_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// A Typeform `form_response` webhook body, as Typeform sends it.
fn typeform_body(event_id: &str, name: &str, email: &str, plan: &str) -> Vec<u8> {
    json!({
        "event_id": event_id,
        "event_type": "form_response",
        "form_response": {
            "form_id": "lT4Z3j",
            "token": "a3a12ec67a1365927098a606107fac15",
            "submitted_at": "2027-01-18T18:17:02Z",
            "definition": {"id": "lT4Z3j", "title": "Talk to sales"},
            "answers": [
                {"type": "text", "text": name, "field": {"id": "f1", "type": "short_text", "ref": "full_name"}},
                {"type": "email", "email": email, "field": {"id": "f2", "type": "email", "ref": "work_email"}},
                {"type": "phone_number", "phone_number": "+15550101", "field": {"id": "f3", "type": "phone_number", "ref": "phone"}},
                {"type": "choice", "choice": {"label": plan}, "field": {"id": "f4", "type": "multiple_choice", "ref": "plan"}},
            ],
        },
    })
    .to_string()
    .into_bytes()
}

async fn staff() -> Client {
    let email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Pat Platform", PASSWORD).await.unwrap();
    let reply = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    Client::new().with_token(reply.body["access_token"].as_str().unwrap())
}

/// Moves the workspace onto a plan with room for several endpoints and webhooks.
async fn on_growth(owner: &Member) {
    let path = format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id);
    staff().await.put(&path, json!({"plan": "growth"})).await.expect(200);
}

async fn make_endpoint(admin: &Member, kind: &str, mapping: Value, on_existing: &str) -> Value {
    admin
        .client()
        .post(
            ENDPOINTS,
            json!({"name": format!("{kind} form"), "kind": kind, "mapping": mapping, "on_existing_lead": on_existing}),
        )
        .await
        .expect(201)
        .body
}

fn typeform_mapping() -> Value {
    json!({"name": "full_name", "email": "work_email", "phone": "phone", "attributes.plan": "plan"})
}

fn json_mapping() -> Value {
    json!({"first_name": "contact.first", "last_name": "contact.last", "email": "contact.emails[0]", "company": "org.name"})
}

fn inbound(endpoint: &Value) -> String {
    endpoint["endpoint"]["inbound_path"].as_str().unwrap().to_owned()
}

async fn post_raw(path: &str, body: &[u8], headers: &[(&str, &str)]) -> Reply {
    Client::new().send_raw_with(Method::POST, path, "application/json", body.to_vec(), headers).await
}

async fn deliveries(admin: &Member, endpoint: &Value) -> Vec<Value> {
    let path = format!("{ENDPOINTS}/{}/deliveries", endpoint["endpoint"]["id"].as_str().unwrap());
    admin.client().get(&path).await.expect(200).body["items"].as_array().unwrap().clone()
}

async fn leads_with_email(member: &Member, email: &str) -> Vec<Value> {
    let all = member.client().get("/api/v1/leads?limit=100").await.expect(200);
    all.body["items"].as_array().unwrap().iter().filter(|lead| lead["email"] == email).cloned().collect()
}

#[tokio::test]
async fn a_signed_typeform_response_makes_one_lead_and_bad_signatures_make_none_but_are_logged() {
    let owner = signup("Typeform Capture").await;
    let endpoint = make_endpoint(&owner, "typeform", typeform_mapping(), "update").await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    assert!(endpoint["endpoint"]["secret_prefix"].as_str().is_some_and(|prefix| secret.starts_with(prefix)));
    let path = inbound(&endpoint);
    let email = unique_email("grace");
    let body = typeform_body("01HZTF0001", "Grace Hopper", &email, "Enterprise");

    // A tampered body (the signature was made over another), a wrong secret, no signature: 401 each.
    let tampered = typeform_body("01HZTF0001", "Mallory", &email, "Enterprise");
    post_raw(&path, &tampered, &[("typeform-signature", &typeform_signature(&secret, &body))])
        .await
        .expect_problem(401, "unauthenticated");
    post_raw(&path, &body, &[("typeform-signature", &typeform_signature("not-the-secret", &body))])
        .await
        .expect_problem(401, "unauthenticated");
    post_raw(&path, &body, &[]).await.expect_problem(401, "unauthenticated");
    assert!(leads_with_email(&owner, &email).await.is_empty(), "a bad signature never makes a lead");

    // Signed right: a lead with the mapped answers, recorded as from Typeform.
    let signature = typeform_signature(&secret, &body);
    let created = post_raw(&path, &body, &[("typeform-signature", &signature)]).await.expect(201);
    assert_eq!(created.body["outcome"], "created");
    let lead_id = created.body["lead_id"].as_str().unwrap().to_owned();
    let lead = owner.client().get(&format!("/api/v1/leads/{lead_id}")).await.expect(200).body;
    assert_eq!(lead["name"], "Grace Hopper");
    assert_eq!(lead["email"], email.as_str());
    assert_eq!(lead["phone"], "+15550101");
    assert_eq!(lead["source"], "typeform");
    assert_eq!(lead["attributes"]["plan"], "Enterprise");

    // Typeform retries with the same event_id: the same lead, nothing new.
    let replayed = post_raw(&path, &body, &[("typeform-signature", &signature)]).await.expect(200);
    assert_eq!(replayed.body["outcome"], "replayed");
    assert_eq!(replayed.body["lead_id"], lead_id.as_str());
    assert_eq!(leads_with_email(&owner, &email).await.len(), 1);

    // The log, newest first: the replay, the lead, then the three refusals, each with its payload.
    let log = deliveries(&owner, &endpoint).await;
    let outcomes: Vec<&str> = log.iter().map(|delivery| delivery["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["replayed", "created", "unauthorized", "unauthorized", "unauthorized"]);
    assert_eq!(log[1]["lead_id"], lead_id.as_str());
    assert_eq!(log[1]["payload"], String::from_utf8(body.clone()).unwrap());
    assert_eq!(log[1]["payload_bytes"], body.len());
    assert!(log[4]["lead_id"].is_null());
    assert!(log[2]["detail"].as_str().unwrap().contains("missing"));
    assert!(log[3]["detail"].as_str().unwrap().contains("does not match"));
    assert!(log[4]["payload"].as_str().unwrap().contains("Mallory"));
}

#[tokio::test]
async fn a_rotated_secret_replaces_the_old_one_at_once() {
    let owner = signup("Rotating Capture").await;
    let endpoint = make_endpoint(&owner, "json", json_mapping(), "update").await;
    let id = endpoint["endpoint"]["id"].as_str().unwrap();
    let old = endpoint["secret"].as_str().unwrap().to_owned();
    let rotated = owner.client().post(&format!("{ENDPOINTS}/{id}/rotate-secret"), json!({})).await.expect(200).body;
    let new = rotated["secret"].as_str().unwrap();
    assert_ne!(new, old);
    let listed = owner.client().get(&format!("{ENDPOINTS}/{id}")).await.expect(200).body;
    assert!(listed.get("secret").is_none(), "the secret is shown only when made");
    let body = json!({"contact": {"first": "Rosa", "emails": [unique_email("rosa")]}}).to_string();
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", &old)])
        .await
        .expect_problem(401, "unauthenticated");
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", new)]).await.expect(201);
}

#[tokio::test]
async fn the_mapping_tester_shows_what_a_sample_gives_without_saving_and_generic_json_uses_it() {
    let owner = signup("Generic Capture").await;
    let email = unique_email("ada");
    let sample = json!({"contact": {"first": "Ada", "last": "Lovelace", "emails": [email, "other@example.com"]}, "org": {"name": "Analytical"}});
    let tested = owner
        .client()
        .post(TEST_MAPPING, json!({"kind": "json", "mapping": json_mapping(), "payload": sample}))
        .await
        .expect(200)
        .body;
    assert_eq!(tested["fields"]["email"], email.as_str());
    assert_eq!(tested["fields"]["company"], "Analytical");
    assert_eq!(tested["lead_name"], "Ada Lovelace");
    assert_eq!(tested["missing"], json!([]));
    assert_eq!(tested["problems"], json!([]));
    assert!(owner.client().get(ENDPOINTS).await.expect(200).body["items"].as_array().unwrap().is_empty());

    // A sample that would be refused says why; a malformed path is a 422 naming the field.
    let refused = owner
        .client()
        .post(
            TEST_MAPPING,
            json!({"kind": "json", "mapping": json_mapping(), "payload": {"contact": {"emails": ["not an email"]}}}),
        )
        .await
        .expect(200)
        .body;
    assert!(
        refused["problems"].as_array().unwrap().iter().any(|problem| problem.as_str().unwrap().starts_with("email"))
    );
    assert_eq!(refused["missing"], json!(["company", "first_name", "last_name"]));
    let bad = owner
        .client()
        .post(TEST_MAPPING, json!({"kind": "json", "mapping": {"email": "contact.emails[x]"}, "payload": {}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["mapping.email"]);

    // Saved, the same mapping makes the lead from a real delivery carrying the secret.
    let endpoint = make_endpoint(&owner, "json", json_mapping(), "update").await;
    let secret = endpoint["secret"].as_str().unwrap();
    let body = sample.to_string();
    post_raw(&inbound(&endpoint), body.as_bytes(), &[]).await.expect_problem(401, "unauthenticated");
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", "lcsec_wrong")])
        .await
        .expect_problem(401, "unauthenticated");
    let created = post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", secret)]).await.expect(201);
    let lead = owner
        .client()
        .get(&format!("/api/v1/leads/{}", created.body["lead_id"].as_str().unwrap()))
        .await
        .expect(200)
        .body;
    assert_eq!(
        (lead["name"].as_str(), lead["company"].as_str(), lead["source"].as_str()),
        (Some("Ada Lovelace"), Some("Analytical"), Some("web_form"))
    );

    // Not JSON, no lead in it, too large: refused with the reason, the first two logged.
    post_raw(&inbound(&endpoint), b"name=Ada", &[("x-capture-secret", secret)])
        .await
        .expect_problem(422, "validation-failed");
    post_raw(&inbound(&endpoint), br#"{"contact": {}}"#, &[("x-capture-secret", secret)])
        .await
        .expect_problem(422, "validation-failed");
    let huge = json!({"contact": {"first": "x".repeat(70 * 1024)}}).to_string();
    post_raw(&inbound(&endpoint), huge.as_bytes(), &[("x-capture-secret", secret)])
        .await
        .expect_problem(413, "payload-too-large");
    let outcomes: Vec<String> =
        deliveries(&owner, &endpoint).await.iter().map(|d| d["outcome"].as_str().unwrap().to_owned()).collect();
    assert_eq!(outcomes, ["invalid", "invalid", "created", "unauthorized", "unauthorized"]);

    // The same body again (no delivery id given): its hash names it, so it is a replay.
    let again = post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", secret)]).await.expect(200);
    assert_eq!(again.body["outcome"], "replayed");
    // A different delivery id header makes it a new delivery of the same person: the lead is updated.
    let other =
        post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", secret), ("x-delivery-id", "zap-2")])
            .await
            .expect(200);
    assert_eq!(other.body["outcome"], "updated");
    assert_eq!(other.body["lead_id"], created.body["lead_id"]);
}

#[tokio::test]
async fn a_known_email_updates_the_lead_or_adds_a_note_as_the_endpoint_says() {
    let owner = signup("Dedupe Capture").await;
    on_growth(&owner).await;
    let email = unique_email("known");
    let existing = owner
        .client()
        .post("/api/v1/leads", json!({"name": "Known Person", "email": email, "company": "Old Co"}))
        .await
        .expect(201)
        .body;
    let lead_path = format!("/api/v1/leads/{}", existing["id"].as_str().unwrap());

    let updating =
        make_endpoint(&owner, "json", json!({"email": "email", "company": "company", "phone": "phone"}), "update")
            .await;
    let body = json!({"email": email, "company": "New Co", "phone": "+4930123"}).to_string();
    let updated =
        post_raw(&inbound(&updating), body.as_bytes(), &[("x-capture-secret", updating["secret"].as_str().unwrap())])
            .await
            .expect(200);
    assert_eq!(updated.body["outcome"], "updated");
    assert_eq!(updated.body["lead_id"], existing["id"]);
    let lead = owner.client().get(&lead_path).await.expect(200).body;
    assert_eq!((lead["company"].as_str(), lead["phone"].as_str()), (Some("New Co"), Some("+4930123")));
    assert_eq!(lead["name"], "Known Person", "a name made from the e-mail never replaces a real one");

    let noting = make_endpoint(&owner, "zapier", json!({"email": "email", "company": "company"}), "note").await;
    let body = json!({"email": email, "company": "Third Co"}).to_string();
    let noted =
        post_raw(&inbound(&noting), body.as_bytes(), &[("x-capture-secret", noting["secret"].as_str().unwrap())])
            .await
            .expect(200);
    assert_eq!(noted.body["outcome"], "noted");
    let lead = owner.client().get(&lead_path).await.expect(200).body;
    assert_eq!(lead["company"], "New Co", "a note leaves the lead as it was");
    let notes = owner.client().get(&format!("{lead_path}/notes")).await.expect(200).body;
    let bodies: Vec<&str> =
        notes["items"].as_array().unwrap().iter().map(|note| note["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("company: Third Co"), "{bodies:?}");
    assert_eq!(leads_with_email(&owner, &email).await.len(), 1);
}

#[tokio::test]
async fn the_plan_limits_endpoints_and_new_leads_per_month() {
    let owner = signup("Limited Capture").await;
    let staff = staff().await;
    let id = format!("test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let limits = json!({"seats": 5, "tickets_per_month": 100, "storage_bytes": 1_000_000_000u64, "webhooks": 1,
        "api_requests_per_minute": 600, "lead_capture_endpoints": 1, "leads_per_month": 1});
    staff
        .post("/api/v1/platform/plans", json!({"id": id, "name": "Tiny", "limits": limits, "features": []}))
        .await
        .expect(201);
    staff
        .put(&format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id), json!({"plan": id}))
        .await
        .expect(200);

    let endpoint = make_endpoint(&owner, "json", json!({"email": "email"}), "update").await;
    let second = owner
        .client()
        .post(ENDPOINTS, json!({"name": "Second", "kind": "json", "mapping": {"email": "email"}}))
        .await
        .expect_problem(402, "plan-limit-reached");
    assert_eq!(second.body["limit_kind"], "lead_capture_endpoints");

    let secret = endpoint["secret"].as_str().unwrap();
    let first_email = unique_email("first");
    post_raw(
        &inbound(&endpoint),
        json!({"email": first_email}).to_string().as_bytes(),
        &[("x-capture-secret", secret)],
    )
    .await
    .expect(201);
    let refused = post_raw(
        &inbound(&endpoint),
        json!({"email": unique_email("second")}).to_string().as_bytes(),
        &[("x-capture-secret", secret)],
    )
    .await
    .expect_problem(402, "plan-limit-reached");
    assert_eq!(refused.body["limit_kind"], "leads_per_month");
    // Updating a known lead makes no new lead: the limit does not stop it.
    post_raw(
        &inbound(&endpoint),
        json!({"email": first_email, "x": 1}).to_string().as_bytes(),
        &[("x-capture-secret", secret)],
    )
    .await
    .expect(200);
    assert_eq!(deliveries(&owner, &endpoint).await[1]["outcome"], "limit_reached");
    let usage = owner.client().get("/api/v1/billing/usage").await.expect(200).body;
    let line =
        usage["usage"].as_array().unwrap().iter().find(|line| line["kind"] == "leads_per_month").unwrap().clone();
    assert_eq!((line["used"].as_u64(), line["limit"].as_u64()), (Some(1), Some(1)));

    // Deleting the endpoint frees its place; deliveries to it are then 404.
    let path = format!("{ENDPOINTS}/{}", endpoint["endpoint"]["id"].as_str().unwrap());
    owner.client().delete(&path).await.expect(204);
    post_raw(&inbound(&endpoint), b"{}", &[("x-capture-secret", secret)]).await.expect(404);
    make_endpoint(&owner, "json", json!({"email": "email"}), "update").await;
}

#[tokio::test]
async fn a_zapier_rest_hook_receives_lead_events_until_it_unsubscribes() {
    let owner = signup("Zapier Hooks").await;
    on_growth(&owner).await;
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let key = owner
        .client()
        .post("/api/v1/api-keys", json!({"name": "Zapier", "scopes": ["sales:read", "sales:write"]}))
        .await
        .expect(201)
        .body;
    let zapier = Client::new().with_token(key["secret"].as_str().unwrap());
    let hook = zapier.post(HOOKS, json!({"target_url": receiver.url})).await.expect(201).body;
    assert_eq!(hook["events"], json!(["lead.created"]));
    // Only lead events ride a REST hook.
    zapier
        .post(HOOKS, json!({"target_url": receiver.url, "events": ["ticket.created"]}))
        .await
        .expect_problem(422, "validation-failed");

    // Zapier's "create lead" action: the same key on a Zapier endpoint.
    let endpoint = make_endpoint(&owner, "zapier", json!({"name": "name", "email": "email"}), "update").await;
    let email = unique_email("zap");
    let bearer = format!("Bearer {}", key["secret"].as_str().unwrap());
    let created = post_raw(
        &inbound(&endpoint),
        json!({"name": "Zap Lead", "email": email}).to_string().as_bytes(),
        &[("authorization", &bearer)],
    )
    .await
    .expect(201);
    assert!(eventually(WITHIN, async || receiver.count() >= 1).await, "the lead event never reached the hook");
    let delivered = receiver.received()[0].json();
    assert_eq!(delivered["type"], "lead.created");
    assert_eq!(delivered["id"], delivered["data"]["id"], "Zapier dedupes on the top-level id: the event's");
    assert_eq!(delivered["record"]["email"], email.as_str());
    assert_eq!(delivered["data"]["subject"], format!("lead/{}", created.body["lead_id"].as_str().unwrap()));

    // Unsubscribed, the next lead goes to a second hook only.
    zapier.delete(&format!("{HOOKS}/{}", hook["id"].as_str().unwrap())).await.expect(204);
    let second = Receiver::start(Behaviour::Succeed).await;
    zapier.post(HOOKS, json!({"target_url": second.url})).await.expect(201);
    zapier.post("/api/v1/leads", json!({"name": "After unsubscribe"})).await.expect(201);
    assert!(eventually(WITHIN, async || second.count() >= 1).await);
    assert_eq!(second.received()[0].json()["record"]["name"], "After unsubscribe");
    assert_eq!(receiver.count(), 1, "the unsubscribed hook got nothing more");
}

#[tokio::test]
async fn zapier_keys_must_be_of_the_workspace_and_may_create_leads() {
    let owner = signup("Zapier Keys").await;
    let endpoint = make_endpoint(&owner, "zapier", json!({"email": "email"}), "update").await;
    let read_only =
        owner.client().post("/api/v1/api-keys", json!({"name": "RO", "scopes": ["sales:read"]})).await.expect(201).body;
    let other = signup("Zapier Elsewhere").await;
    let foreign =
        other.client().post("/api/v1/api-keys", json!({"name": "X", "scopes": ["sales:write"]})).await.expect(201).body;
    let body = json!({"email": unique_email("z")}).to_string();
    for key in [&read_only, &foreign] {
        let bearer = format!("Bearer {}", key["secret"].as_str().unwrap());
        post_raw(&inbound(&endpoint), body.as_bytes(), &[("authorization", &bearer)])
            .await
            .expect_problem(401, "unauthenticated");
    }
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("authorization", "Bearer sbk_unknown")])
        .await
        .expect_problem(401, "unauthenticated");
    // A webhook made by an admin is not a REST hook: a key with sales:read cannot remove it.
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let webhook = owner
        .client()
        .post("/api/v1/webhooks", json!({"url": receiver.url, "events": ["lead.created"]}))
        .await
        .expect(201)
        .body;
    let ro = Client::new().with_token(read_only["secret"].as_str().unwrap());
    ro.delete(&format!("{HOOKS}/{}", webhook["id"].as_str().unwrap())).await.expect(404);
    owner.client().get(&format!("/api/v1/webhooks/{}", webhook["id"].as_str().unwrap())).await.expect(200);
}

#[tokio::test]
async fn only_admins_manage_endpoints_and_other_workspaces_see_none_of_them() {
    let owner = signup("Capture Roles").await;
    on_growth(&owner).await;
    let endpoint = make_endpoint(&owner, "json", json_mapping(), "update").await;
    let id = endpoint["endpoint"]["id"].as_str().unwrap();
    let admin = add_member(&owner, "admin").await;
    make_endpoint(&admin, "typeform", typeform_mapping(), "note").await;
    let body = json!({"name": "X", "kind": "json", "mapping": {"email": "e"}});
    for role in ["manager", "agent", "viewer"] {
        let member = add_member(&owner, role).await;
        let client = member.client();
        client.get(ENDPOINTS).await.expect_problem(403, "forbidden");
        client.post(ENDPOINTS, body.clone()).await.expect_problem(403, "forbidden");
        client
            .post(TEST_MAPPING, json!({"kind": "json", "mapping": {"email": "e"}, "payload": {}}))
            .await
            .expect_problem(403, "forbidden");
        client.get(&format!("{ENDPOINTS}/{id}")).await.expect_problem(403, "forbidden");
        client.patch(&format!("{ENDPOINTS}/{id}"), json!({"name": "Y"})).await.expect_problem(403, "forbidden");
        client.delete(&format!("{ENDPOINTS}/{id}")).await.expect_problem(403, "forbidden");
        client.post(&format!("{ENDPOINTS}/{id}/rotate-secret"), json!({})).await.expect_problem(403, "forbidden");
        client.get(&format!("{ENDPOINTS}/{id}/deliveries")).await.expect_problem(403, "forbidden");
    }
    let listed = admin.client().get(ENDPOINTS).await.expect(200).body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);

    // Another workspace's owner: none of it, and its secret opens nothing here.
    let stranger = signup("Capture Stranger").await;
    let theirs = make_endpoint(&stranger, "json", json_mapping(), "update").await;
    let client = stranger.client();
    assert_eq!(client.get(ENDPOINTS).await.expect(200).body["items"].as_array().unwrap().len(), 1);
    client.get(&format!("{ENDPOINTS}/{id}")).await.expect(404);
    client.patch(&format!("{ENDPOINTS}/{id}"), json!({"name": "Mine"})).await.expect(404);
    client.post(&format!("{ENDPOINTS}/{id}/rotate-secret"), json!({})).await.expect(404);
    client.get(&format!("{ENDPOINTS}/{id}/deliveries")).await.expect(404);
    client.delete(&format!("{ENDPOINTS}/{id}")).await.expect(404);
    let body = json!({"contact": {"first": "Eve", "emails": [unique_email("eve")]}}).to_string();
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", theirs["secret"].as_str().unwrap())])
        .await
        .expect_problem(401, "unauthenticated");
    let hook = owner
        .client()
        .post(HOOKS, json!({"target_url": Receiver::start(Behaviour::Succeed).await.url}))
        .await
        .expect(201)
        .body;
    client.delete(&format!("{HOOKS}/{}", hook["id"].as_str().unwrap())).await.expect(404);

    // The owner's endpoint, changed and disabled: deliveries are 404 while it is off.
    let path = format!("{ENDPOINTS}/{id}");
    let changed = owner
        .client()
        .patch(&path, json!({"enabled": false, "on_existing_lead": "note", "version": 1}))
        .await
        .expect(200)
        .body;
    assert_eq!((changed["enabled"].as_bool(), changed["on_existing_lead"].as_str()), (Some(false), Some("note")));
    owner.client().patch(&path, json!({"name": "Stale", "version": 1})).await.expect(409);
    post_raw(&inbound(&endpoint), body.as_bytes(), &[("x-capture-secret", endpoint["secret"].as_str().unwrap())])
        .await
        .expect(404);
}

#[tokio::test]
async fn the_same_typeform_delivery_sent_four_times_at_once_makes_one_lead() {
    let owner = signup("Concurrent Capture").await;
    let endpoint = make_endpoint(&owner, "typeform", typeform_mapping(), "update").await;
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    let email = unique_email("burst");
    let body = typeform_body("01HZTFBURST", "Burst Person", &email, "Starter");
    let signature = typeform_signature(&secret, &body);
    let path = inbound(&endpoint);
    let headers = [("typeform-signature", signature.as_str())];
    let sends = (0..4).map(|_| post_raw(&path, &body, &headers));
    let replies = futures::future::join_all(sends).await;
    let mut outcomes: Vec<(u16, String)> = replies
        .iter()
        .map(|reply| (reply.status.as_u16(), reply.body["outcome"].as_str().unwrap_or("?").to_owned()))
        .collect();
    outcomes.sort();
    let replayed = (200, "replayed".to_owned());
    assert_eq!(outcomes, [replayed.clone(), replayed.clone(), replayed, (201, "created".to_owned())]);
    let lead_ids: std::collections::BTreeSet<&str> =
        replies.iter().map(|reply| reply.body["lead_id"].as_str().unwrap()).collect();
    assert_eq!(lead_ids.len(), 1, "every answer names the one lead");
    assert_eq!(leads_with_email(&owner, &email).await.len(), 1);
}

/// Moves the workspace onto a plan of its own allowing `leads` new leads a month.
pub(crate) async fn on_plan_with_leads(owner: &Member, leads: u64) {
    let staff = staff().await;
    let id = format!("test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let limits = json!({"seats": 5, "tickets_per_month": 100, "storage_bytes": 1_000_000_000u64, "webhooks": 5,
        "api_requests_per_minute": 6000, "lead_capture_endpoints": 5, "leads_per_month": leads});
    staff
        .post("/api/v1/platform/plans", json!({"id": id, "name": "Leads", "limits": limits, "features": []}))
        .await
        .expect(201);
    staff
        .put(&format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id), json!({"plan": id}))
        .await
        .expect(200);
}

#[tokio::test]
async fn concurrent_new_leads_at_the_monthly_limit_make_exactly_the_limit() {
    let owner = signup("Crowded Leads").await;
    on_plan_with_leads(&owner, 5).await;
    let client = owner.client();
    let creations = (0..16).map(|i| {
        let client = client.clone();
        async move {
            let body = json!({"name": format!("Racer {i}"), "email": unique_email(&format!("racer{i}"))});
            client.post("/api/v1/leads", body).await
        }
    });
    let replies = futures::future::join_all(creations).await;
    let statuses: Vec<u16> = replies.iter().map(|reply| reply.status.as_u16()).collect();
    assert_eq!(statuses.iter().filter(|&&status| status == 201).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|&&status| status == 402).count(), 11, "{statuses:?}");
    let refused = replies.iter().find(|reply| reply.status.as_u16() == 402).unwrap();
    assert_eq!(
        refused.body["type"].as_str().map(|t| t.ends_with("plan-limit-reached")),
        Some(true),
        "{}",
        refused.body
    );
    assert_eq!(
        (refused.body["limit_kind"].as_str(), refused.body["limit"].as_u64()),
        (Some("leads_per_month"), Some(5))
    );
    let listed = owner.client().get("/api/v1/leads?limit=100").await.expect(200).body;
    assert_eq!(listed["items"].as_array().unwrap().len(), 5, "nothing half-written: {listed}");
    let usage = owner.client().get("/api/v1/billing/usage").await.expect(200).body;
    let line =
        usage["usage"].as_array().unwrap().iter().find(|line| line["kind"] == "leads_per_month").unwrap().clone();
    assert_eq!((line["used"].as_u64(), line["limit"].as_u64()), (Some(5), Some(5)), "{line}");
}

#[tokio::test]
async fn captured_and_typed_in_leads_share_the_months_limit() {
    let owner = signup("Shared Leads").await;
    on_plan_with_leads(&owner, 2).await;
    let endpoint = make_endpoint(&owner, "json", json!({"email": "email"}), "update").await;
    let secret = endpoint["secret"].as_str().unwrap();
    let typed = unique_email("typed");
    owner.client().post("/api/v1/leads", json!({"name": "Typed In", "email": typed})).await.expect(201);
    let url = inbound(&endpoint);
    let capture = async |email: String| {
        post_raw(&url, json!({"email": email}).to_string().as_bytes(), &[("x-capture-secret", secret)]).await
    };
    capture(unique_email("captured")).await.expect(201);
    let refused = capture(unique_email("late")).await.expect_problem(402, "plan-limit-reached");
    assert_eq!(refused.body["limit_kind"], "leads_per_month");
    let refused = owner
        .client()
        .post("/api/v1/leads", json!({"name": "Too Many"}))
        .await
        .expect_problem(402, "plan-limit-reached");
    assert_eq!(refused.body["used"], 2, "{}", refused.body);
    // A known lead is not a new one: enriching it, or capturing it again, still works.
    owner
        .client()
        .post("/api/v1/leads?on_duplicate=merge", json!({"name": "Typed In", "email": typed, "phone": "+1 5"}))
        .await
        .expect(200);
    capture(typed.clone()).await.expect(200);
}
