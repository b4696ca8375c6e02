//! Sales leads: creating with duplicate detection, changes with versions, who may change and assign
//! what, filtered pages, exact counts under concurrent changes, merging duplicates with their notes,
//! converting into a customer in one transaction, API-key scopes, webhooks and Slack, and isolation
//! between workspaces.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Client, add_member, eventually, signup, unique_email};

use crate::tickets::item_ids;

const LEADS: &str = "/api/v1/leads";
const WITHIN: Duration = Duration::from_secs(120);

async fn create_lead(client: &Client, body: Value) -> Value {
    client.post(LEADS, body).await.expect(201).body
}

fn path(lead: &Value) -> String {
    format!("{LEADS}/{}", lead["id"].as_str().expect("a lead id"))
}

async fn counts(client: &Client) -> Value {
    client.get(&format!("{LEADS}/counts")).await.expect(200).body
}

#[tokio::test]
async fn a_lead_is_created_read_changed_and_deleted_with_every_field() {
    let owner = signup("Lead Co").await;
    let client = owner.client();
    let email = unique_email("ada");
    let lead = create_lead(
        &client,
        json!({
            "name": "Ada Lovelace", "email": email.to_uppercase(), "phone": "+44 20 7946 0001",
            "company": "Analytical Engines", "title": "CTO", "source": "typeform", "owner_id": owner.user_id,
            "tags": ["VIP", "conference"], "attributes": {"budget": "50k"}, "score": 80,
        }),
    )
    .await;
    assert_eq!(lead["email"], email.as_str(), "stored lower-cased");
    assert_eq!(lead["status"], "new", "new leads start in the first open status");
    assert_eq!((lead["source"].as_str(), lead["score"].as_u64()), (Some("typeform"), Some(80)));
    assert_eq!(lead["tags"], json!(["vip", "conference"]));
    assert_eq!(lead["owner_id"], owner.user_id.as_str());
    assert_eq!(lead["version"], 1);
    assert_eq!(client.get(&path(&lead)).await.expect(200).body, lead);

    let changed = client
        .patch(&path(&lead), json!({"status": "contacted", "score": null, "title": "CEO", "version": 1}))
        .await
        .expect(200)
        .body;
    assert_eq!((changed["status"].as_str(), changed["title"].as_str()), (Some("contacted"), Some("CEO")));
    assert!(changed["score"].is_null());
    assert_eq!(changed["version"], 2);

    let stale = client.patch(&path(&lead), json!({"name": "Countess", "version": 1})).await;
    let stale = stale.expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["version"], 2, "the conflict shows the lead as it is now");
    client.patch(&path(&lead), json!({"status": "converted"})).await.expect_problem(422, "validation-failed");

    client.post(&format!("{}/notes", path(&lead)), json!({"body": "Call back Tuesday"})).await.expect(201);
    let timeline = client.get(&format!("{}/timeline", path(&lead))).await.expect(200).body;
    let kinds: Vec<&str> = timeline["items"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert_eq!((kinds[0], kinds[3]), ("lead.note_added", "lead.created"), "newest first");
    assert!(kinds.contains(&"lead.status_changed") && kinds.contains(&"lead.updated"), "{kinds:?}");

    client.delete(&path(&lead)).await.expect(204);
    client.get(&path(&lead)).await.expect_problem(404, "not-found");
    // The e-mail is free again.
    create_lead(&client, json!({"name": "Ada again", "email": email})).await;
}

#[tokio::test]
async fn a_bad_lead_is_refused_naming_every_bad_field() {
    let owner = signup("Strict Leads").await;
    let reply = owner
        .client()
        .post(
            LEADS,
            json!({"name": "", "email": "nope", "source": "fax", "status": "Hot", "score": 101, "tags": [""],
                   "owner_id": "not-an-id", "attributes": {" ": "x"}}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["name", "email", "source", "status", "owner_id", "tags", "attributes", "score"]);
    let unknown = owner.client().post(LEADS, json!({"name": "Bo", "status": "won"})).await;
    assert!(
        unknown.expect_problem(422, "validation-failed").body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("new, contacted, qualified, unqualified, converted")
    );
    let outsider =
        owner.client().post(LEADS, json!({"name": "Bo", "owner_id": uuid::Uuid::now_v7().to_string()})).await;
    assert_eq!(outsider.expect_problem(422, "validation-failed").field_errors(), ["owner_id"]);
    owner
        .client()
        .get(&format!("{LEADS}?sort=score&created_from=2026-01-01T00:00:00Z"))
        .await
        .expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn a_second_lead_with_the_same_email_names_the_first_unless_asked_to_merge() {
    let owner = signup("Dupes Co").await;
    let client = owner.client();
    let email = unique_email("grace");
    let first = create_lead(&client, json!({"name": "Grace", "email": email, "tags": ["navy"]})).await;
    let duplicate = client.post(LEADS, json!({"name": "G. Hopper", "email": email.to_uppercase()})).await;
    let duplicate = duplicate.expect_problem(409, "duplicate-lead");
    assert_eq!(duplicate.body["existing_lead_id"], first["id"]);

    let merged = client
        .post(
            &format!("{LEADS}?on_duplicate=merge"),
            json!({"name": "G. Hopper", "email": email, "company": "Navy", "tags": ["cobol"]}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(merged["id"], first["id"], "the existing lead answers");
    assert_eq!(merged["name"], "Grace", "what it held is kept");
    assert_eq!(merged["company"], "Navy", "what it lacked is filled");
    assert_eq!(merged["tags"], json!(["navy", "cobol"]));
    assert_eq!(counts(&client).await["total"], 1, "still one lead");

    let other = create_lead(&client, json!({"name": "Other", "email": unique_email("other")})).await;
    let taken = client.patch(&path(&other), json!({"email": email})).await;
    assert_eq!(taken.expect_problem(409, "duplicate-lead").body["existing_lead_id"], first["id"]);
}

#[tokio::test]
async fn reps_change_their_own_and_unowned_leads_and_take_unowned_ones() {
    let owner = signup("Reps Co").await; // the free plan's three seats: the owner and two reps
    let (rep, other_rep) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let unowned = create_lead(&rep.client(), json!({"name": "Nobody's"})).await;
    let mine = create_lead(&rep.client(), json!({"name": "Mine", "owner_id": rep.user_id})).await;
    rep.client()
        .post(LEADS, json!({"name": "For a colleague", "owner_id": other_rep.user_id}))
        .await
        .expect_problem(403, "forbidden");

    // Another rep sees the lead but cannot change it, nor take it from its owner.
    assert_eq!(other_rep.client().get(&path(&mine)).await.expect(200).body["name"], "Mine");
    other_rep.client().patch(&path(&mine), json!({"name": "Ours"})).await.expect_problem(403, "forbidden");
    other_rep
        .client()
        .patch(&path(&mine), json!({"owner_id": other_rep.user_id}))
        .await
        .expect_problem(403, "forbidden");
    other_rep.client().delete(&path(&mine)).await.expect_problem(403, "forbidden");
    other_rep.client().post(&format!("{}/convert", path(&mine)), json!({})).await.expect_problem(403, "forbidden");
    // Notes are open to every seller.
    other_rep.client().post(&format!("{}/notes", path(&mine)), json!({"body": "Knows our CFO"})).await.expect(201);
    // An unowned lead is anyone's to work and to take.
    other_rep.client().patch(&path(&unowned), json!({"company": "Acme"})).await.expect(200);
    let taken = other_rep.client().patch(&path(&unowned), json!({"owner_id": other_rep.user_id})).await.expect(200);
    assert_eq!(taken.body["owner_id"], other_rep.user_id.as_str());
    // A rep does not hand leads on, nor release them, nor configure the statuses.
    rep.client().patch(&path(&mine), json!({"owner_id": other_rep.user_id})).await.expect_problem(403, "forbidden");
    rep.client().patch(&path(&mine), json!({"owner_id": null})).await.expect_problem(403, "forbidden");
    let statuses = rep.client().get(&format!("{LEADS}/statuses")).await.expect(200).body;
    let body = json!({"statuses": statuses["statuses"], "version": statuses["version"]});
    rep.client().put(&format!("{LEADS}/statuses"), body).await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn managers_reassign_and_configure_while_viewers_only_read() {
    let owner = signup("Managed Sales").await;
    let (manager, viewer) = (add_member(&owner, "manager").await, add_member(&owner, "viewer").await);
    let lead = create_lead(&owner.client(), json!({"name": "Owned", "owner_id": owner.user_id})).await;
    manager.client().patch(&path(&lead), json!({"title": "VP"})).await.expect(200);
    let reassigned = manager.client().patch(&path(&lead), json!({"owner_id": manager.user_id})).await.expect(200);
    assert_eq!(reassigned.body["owner_id"], manager.user_id.as_str());
    let released = manager.client().patch(&path(&lead), json!({"owner_id": null})).await.expect(200);
    assert!(released.body["owner_id"].is_null());
    manager
        .client()
        .patch(&path(&lead), json!({"owner_id": viewer.user_id}))
        .await
        .expect_problem(422, "validation-failed");
    let statuses = manager.client().get(&format!("{LEADS}/statuses")).await.expect(200).body;
    let body = json!({"statuses": statuses["statuses"], "version": statuses["version"]});
    manager.client().put(&format!("{LEADS}/statuses"), body).await.expect(200);

    // A viewer reads everything and changes nothing.
    let viewing = viewer.client();
    assert_eq!(item_ids(&viewing.get(LEADS).await.expect(200)), [lead["id"].as_str().unwrap()]);
    assert_eq!(counts(&viewing).await["total"], 1);
    viewing.get(&format!("{}/notes", path(&lead))).await.expect(200);
    viewing.post(LEADS, json!({"name": "No"})).await.expect_problem(403, "forbidden");
    viewing.patch(&path(&lead), json!({"name": "No"})).await.expect_problem(403, "forbidden");
    viewing.delete(&path(&lead)).await.expect_problem(403, "forbidden");
    viewing.post(&format!("{}/notes", path(&lead)), json!({"body": "No"})).await.expect_problem(403, "forbidden");
    viewing.post(&format!("{}/convert", path(&lead)), json!({})).await.expect_problem(403, "forbidden");
    viewing
        .post(&format!("{}/merge", path(&lead)), json!({"duplicate_id": lead["id"]}))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn another_workspace_sees_none_of_the_leads() {
    let owner = signup("Home Co").await;
    let stranger = signup("Away Co").await;
    let lead = create_lead(&owner.client(), json!({"name": "Ours", "email": unique_email("ours")})).await;
    let them = stranger.client();
    them.get(&path(&lead)).await.expect_problem(404, "not-found");
    them.patch(&path(&lead), json!({"name": "Theirs"})).await.expect_problem(404, "not-found");
    them.delete(&path(&lead)).await.expect_problem(404, "not-found");
    them.get(&format!("{}/notes", path(&lead))).await.expect_problem(404, "not-found");
    them.get(&format!("{}/timeline", path(&lead))).await.expect_problem(404, "not-found");
    them.post(&format!("{}/notes", path(&lead)), json!({"body": "hi"})).await.expect_problem(404, "not-found");
    them.post(&format!("{}/convert", path(&lead)), json!({})).await.expect_problem(404, "not-found");
    let their_lead = create_lead(&them, json!({"name": "Theirs"})).await;
    them.post(&format!("{}/merge", path(&their_lead)), json!({"duplicate_id": lead["id"]}))
        .await
        .expect_problem(404, "not-found");
    assert_eq!(item_ids(&them.get(LEADS).await.expect(200)), [their_lead["id"].as_str().unwrap()]);
    assert_eq!(counts(&them).await["total"], 1);
    // The same e-mail is free in another workspace.
    create_lead(&them, json!({"name": "Same", "email": lead["email"]})).await;
}

#[tokio::test]
async fn lists_filter_by_status_owner_source_tag_and_time_and_sort_by_score_in_pages() {
    let owner = signup("Lists Co").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let a = create_lead(&client, json!({"name": "A", "source": "referral", "score": 10, "tags": ["eu"]})).await;
    let b =
        create_lead(&client, json!({"name": "B", "source": "web_form", "score": 90, "owner_id": rep.user_id})).await;
    let c =
        create_lead(&client, json!({"name": "C", "source": "referral", "status": "qualified", "tags": ["eu"]})).await;
    let d = create_lead(&client, json!({"name": "D", "source": "zapier", "score": 50, "owner_id": rep.user_id})).await;
    let ids = |leads: &[&Value]| leads.iter().map(|lead| lead["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let list = async |query: &str| item_ids(&client.get(&format!("{LEADS}?{query}")).await.expect(200));

    assert_eq!(list("").await, ids(&[&d, &c, &b, &a]), "newest first");
    assert_eq!(list("status=qualified").await, ids(&[&c]));
    assert_eq!(list("status=new&source=referral").await, ids(&[&a]));
    assert_eq!(list(&format!("owner={}", rep.user_id)).await, ids(&[&d, &b]));
    assert_eq!(list("owner=none&tag=eu").await, ids(&[&c, &a]));
    assert_eq!(item_ids(&rep.client().get(&format!("{LEADS}?owner=me")).await.expect(200)), ids(&[&d, &b]));
    assert_eq!(list("sort=score").await, ids(&[&b, &d, &a, &c]), "best first, unscored last");
    assert_eq!(list("sort=score&owner=none").await, ids(&[&a, &c]));
    let after_b = b["created_at"].as_str().unwrap();
    let until_c = c["created_at"].as_str().unwrap();
    assert_eq!(list(&format!("created_from={after_b}&created_to={until_c}")).await, ids(&[&c, &b]));
    assert_eq!(list(&format!("created_to={after_b}")).await, ids(&[&b, &a]));

    // Pages of one, with cursors bound to the listing.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            None => format!("{LEADS}?limit=1&source=referral"),
            Some(cursor) => format!("{LEADS}?limit=1&source=referral&cursor={cursor}"),
        };
        let page = client.get(&query).await.expect(200);
        seen.extend(item_ids(&page));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(seen.len() <= 2, "{seen:?}");
    }
    assert_eq!(seen, ids(&[&c, &a]));
    let first = client.get(&format!("{LEADS}?limit=1")).await.expect(200);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    client.get(&format!("{LEADS}?limit=1&status=new&cursor={cursor}")).await.expect_problem(422, "validation-failed");
}

#[tokio::test]
async fn counts_stay_exact_under_twenty_concurrent_status_changes() {
    let owner = signup("Busy Sales").await;
    let client = owner.client();
    let mut leads = Vec::new();
    for index in 0..20 {
        let source = if index % 2 == 0 { "web_form" } else { "import" };
        leads.push(create_lead(&client, json!({"name": format!("Lead {index}"), "source": source})).await);
    }
    let before = counts(&client).await;
    assert_eq!((before["total"].as_i64(), before["by_status"]["new"].as_i64()), (Some(20), Some(20)));
    assert_eq!(
        (before["by_source"]["web_form"].as_i64(), before["by_source"]["import"].as_i64()),
        (Some(10), Some(10))
    );

    let changes = leads.iter().enumerate().map(|(index, lead)| {
        let client = client.clone();
        let status = ["contacted", "qualified", "unqualified", "contacted"][index % 4];
        async move { client.patch(&path(lead), json!({"status": status, "version": 1})).await.status.as_u16() }
    });
    let statuses = futures::future::join_all(changes).await;
    assert!(statuses.iter().all(|status| *status == 200), "{statuses:?}");
    let after = counts(&client).await;
    assert_eq!(after["total"], 20);
    assert_eq!(
        after["by_status"],
        json!({"new": 0, "contacted": 10, "qualified": 5, "unqualified": 5, "converted": 0})
    );
    assert_eq!(after["by_owner"]["none"], 20);
    // The counts agree with what the lists hold.
    for (status, expected) in [("contacted", 10), ("qualified", 5)] {
        let listed = client.get(&format!("{LEADS}?status={status}")).await.expect(200);
        assert_eq!(item_ids(&listed).len(), expected, "{status}");
    }
}

#[tokio::test]
async fn merging_a_duplicate_keeps_the_survivor_unions_tags_and_moves_notes() {
    let owner = signup("Merge Leads").await;
    let client = owner.client();
    let survivor = create_lead(&client, json!({"name": "Linus", "email": unique_email("l"), "tags": ["kernel"]})).await;
    let dup_email = unique_email("linus-dup");
    let duplicate = create_lead(
        &client,
        json!({"name": "L. T.", "email": dup_email, "company": "Transmeta", "tags": ["git", "kernel"]}),
    )
    .await;
    let note = client.post(&format!("{}/notes", path(&duplicate)), json!({"body": "Met at FOSDEM"})).await.expect(201);
    client.post(&format!("{}/notes", path(&survivor)), json!({"body": "Called"})).await.expect(201);

    client
        .post(&format!("{}/merge", path(&survivor)), json!({"duplicate_id": survivor["id"]}))
        .await
        .expect_problem(422, "validation-failed");
    let merged =
        client.post(&format!("{}/merge", path(&survivor)), json!({"duplicate_id": duplicate["id"]})).await.expect(200);
    assert_eq!(merged.body["name"], "Linus");
    assert!(merged.body["company"].is_null(), "the survivor keeps its own fields");
    assert_eq!(merged.body["tags"], json!(["kernel", "git"]));
    assert_eq!(merged.body["merged_ids"], json!([duplicate["id"]]));

    let notes = client.get(&format!("{}/notes", path(&survivor))).await.expect(200).body;
    let bodies: Vec<&str> = notes["items"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Met at FOSDEM", "Called"], "oldest first, the duplicate's included");
    assert_eq!(notes["items"][0]["id"], note.body["id"]);
    assert!(
        client.get(&format!("{}/notes", path(&duplicate))).await.expect(200).body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let gone = client.get(&path(&duplicate)).await.expect(200).body;
    assert_eq!(gone["merged_into"], survivor["id"]);
    assert_eq!(item_ids(&client.get(LEADS).await.expect(200)), [survivor["id"].as_str().unwrap()]);
    assert_eq!(counts(&client).await["total"], 1);
    // The duplicate's e-mail now finds the survivor, and the duplicate takes no more changes.
    let again = client.post(LEADS, json!({"name": "Again", "email": dup_email})).await;
    assert_eq!(again.expect_problem(409, "duplicate-lead").body["existing_lead_id"], survivor["id"]);
    client.patch(&path(&duplicate), json!({"name": "x"})).await.expect_problem(409, "conflict");
    client
        .post(&format!("{}/merge", path(&survivor)), json!({"duplicate_id": duplicate["id"]}))
        .await
        .expect_problem(409, "conflict");
}

#[tokio::test]
async fn converting_makes_a_customer_in_one_step_and_only_once() {
    let owner = signup("Convert Co").await;
    let client = owner.client();
    let email = unique_email("margaret");
    let lead = create_lead(
        &client,
        json!({"name": "Margaret Hamilton", "email": email, "company": "MIT", "phone": "+1 555 0100", "source": "referral"}),
    )
    .await;
    client.post(&format!("{}/notes", path(&lead)), json!({"body": "Wants a demo"})).await.expect(201);

    let converted = client.post(&format!("{}/convert", path(&lead)), json!({})).await.expect(200).body;
    assert_eq!(converted["customer_created"], true);
    assert_eq!(converted["lead"]["status"], "converted");
    let customer_id = converted["customer"]["id"].as_str().unwrap();
    assert_eq!(converted["lead"]["customer_id"], customer_id);
    let customer = client.get(&format!("/api/v1/customers/{customer_id}")).await.expect(200).body;
    assert_eq!(
        (customer["email"].as_str(), customer["name"].as_str()),
        (Some(email.as_str()), Some("Margaret Hamilton"))
    );
    assert_eq!(customer["company"], "MIT");
    assert_eq!(customer["converted_from_leads"], json!([lead["id"]]));
    // The lead's notes and source stay reachable from the customer.
    let from = customer["converted_from_leads"][0].as_str().unwrap();
    let notes = client.get(&format!("{LEADS}/{from}/notes")).await.expect(200).body;
    assert_eq!(notes["items"][0]["body"], "Wants a demo");
    assert_eq!(client.get(&format!("{LEADS}/{from}")).await.expect(200).body["source"], "referral");
    let timeline = client.get(&format!("/api/v1/customers/{customer_id}/timeline")).await.expect(200).body;
    assert!(timeline["items"].as_array().unwrap().iter().any(|event| event["type"] == "lead.converted"), "{timeline}");

    // Twice is refused, and nothing changes.
    client.post(&format!("{}/convert", path(&lead)), json!({})).await.expect_problem(409, "conflict");
    client.patch(&path(&lead), json!({"name": "x"})).await.expect_problem(409, "conflict");
    let counted = counts(&client).await;
    assert_eq!((counted["by_status"]["converted"].as_i64(), counted["by_status"]["new"].as_i64()), (Some(1), Some(0)));
    let customers = client.get(&format!("/api/v1/customers?email_prefix={email}")).await.expect(200);
    assert_eq!(item_ids(&customers), [customer_id], "one customer");

    // A lead with an existing customer's e-mail joins that customer.
    let second = create_lead(&client, json!({"name": "Maggie", "email": unique_email("maggie")})).await;
    client.post("/api/v1/customers", json!({"email": second["email"]})).await.expect(201);
    // The body is optional.
    let matched = client.send(reqwest::Method::POST, &format!("{}/convert", path(&second)), None).await;
    let matched = matched.expect(200).body;
    assert_eq!(matched["customer_created"], false);
    assert_eq!(matched["customer"]["converted_from_leads"], json!([second["id"]]));
}

#[tokio::test]
async fn a_conversion_racing_an_update_lets_exactly_one_win_and_leaves_nothing_half_written() {
    let owner = signup("Race Co").await;
    let client = owner.client();
    for round in 0..3 {
        let email = unique_email(&format!("race{round}"));
        let lead = create_lead(&client, json!({"name": "Racer", "email": email})).await;
        let (convert_path, lead_path) = (format!("{}/convert", path(&lead)), path(&lead));
        let convert = client.post(&convert_path, json!({"version": 1}));
        let update = client.patch(&lead_path, json!({"status": "contacted", "version": 1}));
        let (convert, update) = tokio::join!(convert, update);
        let wins = [convert.status.as_u16(), update.status.as_u16()];
        assert!(wins.contains(&200) && wins.contains(&409), "one wins, one is told it lost: {wins:?}");
        let now = client.get(&path(&lead)).await.expect(200).body;
        assert_eq!(now["version"], 2, "exactly one change landed");
        let customers = item_ids(&client.get(&format!("/api/v1/customers?email_prefix={email}")).await.expect(200));
        if convert.status.as_u16() == 200 {
            assert_eq!(now["status"], "converted");
            assert_eq!(customers.len(), 1);
        } else {
            assert_eq!(now["status"], "contacted");
            assert!(now["customer_id"].is_null());
            assert!(customers.is_empty(), "a lost conversion leaves no customer behind");
        }
    }
}

#[tokio::test]
async fn api_keys_need_the_sales_scopes() {
    let owner = signup("Zapier Leads").await;
    let key = |scopes: Value| {
        let owner = owner.clone();
        async move {
            let key = owner.client().post("/api/v1/api-keys", json!({"name": "Zapier", "scopes": scopes})).await;
            Client::new().with_token(key.expect(201).body["secret"].as_str().unwrap())
        }
    };
    let reader = key(json!(["sales:read"])).await;
    let writer = key(json!(["sales:write", "sales:read"])).await;
    let tickets_only = key(json!(["tickets:read"])).await;
    let lead = create_lead(&writer, json!({"name": "From Zapier", "source": "zapier"})).await;
    assert_eq!(reader.get(&path(&lead)).await.expect(200).body["source"], "zapier");
    reader.post(LEADS, json!({"name": "No"})).await.expect_problem(403, "forbidden");
    tickets_only.get(LEADS).await.expect_problem(403, "forbidden");
    writer.patch(&path(&lead), json!({"score": 40})).await.expect(200);
}

#[tokio::test]
async fn a_webhook_subscriber_receives_lead_created_and_slack_hears_of_new_and_assigned_leads() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let slack = Receiver::start(Behaviour::Succeed).await;
    // The free plan allows one endpoint per workspace: the webhook in one, Slack in another.
    let (owner, slack_owner) = (signup("Hooked Sales").await, signup("Slack Sales").await);
    let client = owner.client();
    client
        .post("/api/v1/webhooks", json!({"url": receiver.url, "events": ["lead.created"], "description": "CRM"}))
        .await
        .expect(201);
    slack_owner
        .client()
        .post("/api/v1/integrations/slack", json!({"url": slack.url, "events": ["lead.created", "lead.assigned"]}))
        .await
        .expect(201);
    let lead = create_lead(&client, json!({"name": "Hedy Lamarr", "company": "Films", "source": "web_form"})).await;
    client.patch(&path(&lead), json!({"owner_id": owner.user_id})).await.expect(200);
    let slacked =
        create_lead(&slack_owner.client(), json!({"name": "Hedy Lamarr", "company": "Films", "source": "web_form"}))
            .await;
    slack_owner.client().patch(&path(&slacked), json!({"owner_id": slack_owner.user_id})).await.expect(200);
    slack_owner.client().patch(&path(&slacked), json!({"owner_id": null})).await.expect(200);

    assert!(eventually(WITHIN, async || receiver.count() >= 1).await, "no lead.created delivery");
    let body = receiver.received()[0].json();
    assert_eq!(body["type"], "lead.created");
    assert_eq!(body["data"]["subject"], format!("lead/{}", lead["id"].as_str().unwrap()));
    assert_eq!(body["data"]["after"]["name"], "Hedy Lamarr");

    assert!(eventually(WITHIN, async || slack.count() >= 2).await, "Slack heard {} messages", slack.count());
    let mut texts: Vec<String> =
        slack.received().iter().map(|message| message.json()["text"].as_str().unwrap().to_owned()).collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            ":handshake: Lead assigned: Hedy Lamarr (Films), from web_form",
            ":seedling: New lead: Hedy Lamarr (Films), from web_form"
        ]
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.count(), 1, "only the subscribed kind is delivered");
}

#[tokio::test]
async fn the_status_set_is_configurable_with_its_fixed_meanings_kept() {
    let owner = signup("Custom Statuses").await;
    let client = owner.client();
    let statuses = format!("{LEADS}/statuses");
    let current = client.get(&statuses).await.expect(200).body;
    assert_eq!(current["version"], 0);
    let lead = create_lead(&client, json!({"name": "In contacted", "status": "contacted"})).await;
    let set = |keys: &[(&str, &str)], version: &Value| json!({"version": version, "statuses": keys.iter().map(|(key, meaning)| json!({"key": key, "label": key.to_uppercase(), "meaning": meaning})).collect::<Vec<_>>()});
    client
        .put(&statuses, set(&[("fresh", "open"), ("dead", "unqualified"), ("won", "converted")], &json!(0)))
        .await
        .expect_problem(409, "conflict");
    client
        .put(&statuses, set(&[("fresh", "open"), ("contacted", "open"), ("won", "converted")], &json!(0)))
        .await
        .expect_problem(422, "validation-failed");
    let replaced = client
        .put(
            &statuses,
            set(&[("fresh", "open"), ("contacted", "open"), ("dead", "unqualified"), ("won", "converted")], &json!(0)),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(replaced["version"], 1);
    client
        .put(
            &statuses,
            set(&[("fresh", "open"), ("contacted", "open"), ("dead", "unqualified"), ("won", "converted")], &json!(0)),
        )
        .await
        .expect_problem(409, "version-conflict");
    assert_eq!(create_lead(&client, json!({"name": "New here"})).await["status"], "fresh");
    let converted = client.post(&format!("{}/convert", path(&lead)), json!({})).await;
    assert_eq!(converted.expect(422).field_errors(), ["customer_id"], "no e-mail and no customer named");
    let counted = counts(&client).await;
    assert_eq!(counted["by_status"], json!({"fresh": 1, "contacted": 1, "dead": 0, "won": 0}));
}

#[tokio::test]
async fn control_characters_are_refused_in_a_leads_lines_and_its_notes_keep_only_tabs_and_line_breaks() {
    let owner = signup("Lead Controls").await;
    let client = owner.client();
    for (body, field) in
        [(json!({"name": "Ada\u{0}"}), "name"), (json!({"name": "Ada", "company": "Acme\nLtd"}), "company")]
    {
        let refused = client.post(LEADS, body.clone()).await.expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), [field], "{body}");
        assert!(
            refused.body["errors"][0]["message"].as_str().unwrap().contains("control characters"),
            "{}",
            refused.body
        );
    }
    let lead = create_lead(&client, json!({"name": "Ada"})).await;
    let notes = format!("{}/notes", path(&lead));
    let refused = client.post(&notes, json!({"body": "Call\u{0} back"})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["body"]);
    client.post(&notes, json!({"body": "Call back:\r\n\tTuesday"})).await.expect(201);
    let listed = client.get(&notes).await.expect(200);
    let bodies: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().filter_map(|note| note["body"].as_str()).collect();
    assert_eq!(bodies, ["Call back:\r\n\tTuesday"], "the refused note was not stored: {}", listed.body);
}
