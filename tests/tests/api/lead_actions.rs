//! Work on many leads at once and conversions that open a deal: bulk changes with per-lead
//! outcomes and roles, and a conversion whose customer and deal commit with the lead or not at all.

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, signup};

const LEADS: &str = "/api/v1/leads";
const BULK: &str = "/api/v1/leads/bulk";

async fn create_lead(client: &Client, body: Value) -> Value {
    client.post(LEADS, body).await.expect(201).body
}

fn ref_of(lead: &Value) -> Value {
    json!({"id": lead["id"], "version": lead["version"]})
}

fn result_for<'a>(reply: &'a Value, lead: &Value) -> &'a Value {
    reply["results"].as_array().expect("results").iter().find(|result| result["id"] == lead["id"]).expect("a result")
}

#[tokio::test]
async fn a_bulk_change_reports_updated_unchanged_and_stale_leads_each_alone() {
    let owner = signup("Lead Bulk Co").await;
    let client = owner.client();
    let first = create_lead(&client, json!({"name": "First", "tags": ["old"]})).await;
    let second = create_lead(&client, json!({"name": "Second", "tags": ["old", "hot"]})).await;
    let stale = create_lead(&client, json!({"name": "Stale"})).await;
    client
        .patch(&format!("{LEADS}/{}", stale["id"].as_str().unwrap()), json!({"company": "Moved on"}))
        .await
        .expect(200);

    let reply = client
        .post(
            BULK,
            json!({"leads": [ref_of(&first), ref_of(&second), ref_of(&stale)],
                   "changes": {"status": "contacted", "add_tags": ["hot"], "remove_tags": ["old"]}}),
        )
        .await
        .expect(200)
        .body;
    let changed = &result_for(&reply, &first)["lead"];
    assert_eq!(result_for(&reply, &first)["outcome"], "updated");
    assert_eq!((changed["status"].as_str(), changed["tags"].clone()), (Some("contacted"), json!(["hot"])));
    assert_eq!(result_for(&reply, &second)["lead"]["tags"], json!(["hot"]), "no repeated tag");
    let failed = result_for(&reply, &stale);
    assert_eq!((failed["outcome"].as_str(), failed["lead"].is_null()), (Some("failed"), true));
    assert!(
        switchboard_tests::is_problem_type(&failed["problem"]["type"], "version-conflict"),
        "{}",
        failed["problem"]["type"]
    );
    assert_eq!(failed["problem"]["status"], 409);
    assert_eq!((reply["updated"].as_u64(), reply["failed"].as_u64()), (Some(2), Some(1)));
    assert!(reply["summary"].as_str().unwrap().contains(stale["id"].as_str().unwrap()), "{}", reply["summary"]);
    let stale_now = client.get(&format!("{LEADS}/{}", stale["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!(stale_now["status"], "new", "the stale lead is left as it was");
    let counts = client.get(&format!("{LEADS}/counts")).await.expect(200).body;
    assert_eq!((counts["by_status"]["contacted"].as_i64(), counts["by_status"]["new"].as_i64()), (Some(2), Some(1)));

    // The same change again, at the new version, changes nothing.
    let again = client
        .post(BULK, json!({"leads": [ref_of(changed)], "changes": {"status": "contacted"}}))
        .await
        .expect(200)
        .body;
    assert_eq!((again["results"][0]["outcome"].as_str(), again["unchanged"].as_u64()), (Some("unchanged"), Some(1)));
    assert_eq!(again["results"][0]["lead"]["version"], changed["version"]);

    let viewer = add_member(&owner, "viewer").await;
    viewer
        .client()
        .post(BULK, json!({"leads": [ref_of(&first)], "changes": {"add_tags": ["x"]}}))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_bulk_change_is_checked_whole_and_each_lead_by_its_roles() {
    let owner = signup("Lead Bulk Rules Co").await; // the free plan's three seats: the owner and two reps
    let client = owner.client();
    let (rep, other_rep) = (add_member(&owner, "agent").await, add_member(&owner, "agent").await);
    let theirs = create_lead(&client, json!({"name": "Owned by the other rep", "owner_id": other_rep.user_id})).await;
    let mine = create_lead(&rep.client(), json!({"name": "Mine", "owner_id": rep.user_id})).await;

    // A rep cannot take another rep's lead: that lead fails, the rep's own one is kept as it is.
    let reply = rep
        .client()
        .post(BULK, json!({"leads": [ref_of(&theirs), ref_of(&mine)], "changes": {"owner_id": rep.user_id}}))
        .await
        .expect(200)
        .body;
    assert!(
        switchboard_tests::is_problem_type(&result_for(&reply, &theirs)["problem"]["type"], "forbidden"),
        "{}",
        result_for(&reply, &theirs)["problem"]["type"]
    );
    assert_eq!(result_for(&reply, &mine)["outcome"], "unchanged");
    let theirs_now = client.get(&format!("{LEADS}/{}", theirs["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!(theirs_now["owner_id"], other_rep.user_id.as_str());

    // Another workspace's lead is not found, and stays untouched.
    let stranger = signup("Lead Bulk Stranger Co").await;
    let foreign = create_lead(&stranger.client(), json!({"name": "Not yours"})).await;
    let reply =
        client.post(BULK, json!({"leads": [ref_of(&foreign)], "changes": {"add_tags": ["x"]}})).await.expect(200).body;
    assert!(
        switchboard_tests::is_problem_type(&reply["results"][0]["problem"]["type"], "not-found"),
        "{}",
        reply["results"][0]["problem"]["type"]
    );
    let foreign_now =
        stranger.client().get(&format!("{LEADS}/{}", foreign["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!(foreign_now["tags"], json!([]));

    // The request as a whole: bad fields are named, more than 100 leads are refused.
    let reply = client
        .post(BULK, json!({"leads": [ref_of(&mine), {"id": "nope", "version": 1}], "changes": {"status": "converted"}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["leads[1].id"]);
    let reply = client
        .post(BULK, json!({"leads": [ref_of(&mine)], "changes": {"status": "converted"}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["changes.status"]);
    client.post(BULK, json!({"leads": [ref_of(&mine)], "changes": {}})).await.expect_problem(422, "validation-failed");
    let many: Vec<Value> = (0..101).map(|_| json!({"id": mine["id"], "version": 1})).collect();
    let reply = client
        .post(BULK, json!({"leads": many, "changes": {"add_tags": ["x"]}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["leads"]);
}

#[tokio::test]
async fn converting_with_a_deal_commits_lead_customer_and_deal_together_or_nothing() {
    let owner = signup("Convert Deal Co").await;
    let client = owner.client();
    let pipeline = client.get("/api/v1/pipelines").await.expect(200).body["items"][0].clone();
    let (pipeline_id, second_stage) = (pipeline["id"].as_str().unwrap(), pipeline["stages"][1]["id"].clone());
    let board_count = |board: &Value, stage: &Value| {
        board["columns"].as_array().unwrap().iter().find(|column| column["stage"]["id"] == *stage).unwrap()["count"]
            .as_i64()
    };
    let board_path = format!("/api/v1/pipelines/{pipeline_id}/board");
    let before = client.get(&board_path).await.expect(200).body;

    // A bad deal: nothing is written, the lead stays as it was and no customer appears.
    let email = switchboard_tests::unique_email("grace");
    let lead = create_lead(&client, json!({"name": "Grace Hopper", "email": email, "company": "Navy"})).await;
    let lead_path = format!("{LEADS}/{}", lead["id"].as_str().unwrap());
    let refused = client
        .post(&format!("{lead_path}/convert"), json!({"deal": {"stage_id": "0190a0a0-0000-7000-8000-000000000000"}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["deal.stage_id"]);
    let bad_currency = client
        .post(&format!("{lead_path}/convert"), json!({"deal": {"currency": "euros", "value": -1}}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad_currency.field_errors(), ["deal.value", "deal.currency"]);
    let unchanged = client.get(&lead_path).await.expect(200).body;
    assert_eq!((unchanged["status"].as_str(), unchanged["customer_id"].is_null()), (Some("new"), true));
    let customers = client.get(&format!("/api/v1/customers?email_prefix={email}")).await.expect(200).body;
    assert_eq!(customers["items"], json!([]), "no customer was created");

    // A good one: the lead, the customer and the deal all exist, and the board counts the deal.
    let converted = client
        .post(
            &format!("{lead_path}/convert"),
            json!({"deal": {"value": 125_000, "currency": "USD", "stage_id": second_stage, "expected_close_date": "2027-03-31"}}),
        )
        .await
        .expect(200)
        .body;
    let deal = &converted["deal"];
    let customer_id = converted["customer"]["id"].as_str().unwrap();
    assert_eq!(converted["lead"]["status"], "converted");
    assert_eq!((deal["title"].as_str(), deal["value"].as_i64()), (Some("Navy"), Some(125_000)));
    assert_eq!(deal["contact_ids"], json!([customer_id]));
    assert_eq!(deal["owner_id"], owner.user_id.as_str(), "an unowned lead's deal goes to whoever converts it");
    let stored = client.get(&format!("/api/v1/deals/{}", deal["id"].as_str().unwrap())).await.expect(200).body;
    assert_eq!((stored["stage_id"].clone(), stored["status"].as_str()), (second_stage.clone(), Some("open")));
    client.get(&format!("/api/v1/customers/{customer_id}")).await.expect(200);
    let after = client.get(&board_path).await.expect(200).body;
    assert_eq!(board_count(&after, &second_stage), board_count(&before, &second_stage).map(|count| count + 1));

    // Without a deal the answer says so.
    let plain = create_lead(&client, json!({"name": "Plain", "email": switchboard_tests::unique_email("plain")})).await;
    let plain =
        client.post(&format!("{LEADS}/{}/convert", plain["id"].as_str().unwrap()), json!({})).await.expect(200).body;
    assert!(plain["deal"].is_null());
}
