//! The sales dashboard (`GET /api/v1/reports/sales`): lead figures from the lead counters and the
//! daily statistics (the outbox consumer keeps them, so the tests wait for it), the pipeline's open
//! deals per stage and per owner kept exact by the deal writes, deals won and lost, range and role
//! rules, and tenant isolation.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{Client, add_member, eventually, signup, unique_email};

const SALES: &str = "/api/v1/reports/sales";

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

async fn lead(client: &Client, source: &str, owner: Option<&str>) -> Value {
    let body = json!({"name": "Prospect", "email": unique_email("prospect"), "source": source, "owner_id": owner});
    client.post("/api/v1/leads", body).await.expect(201).body
}

async fn convert(client: &Client, lead: &Value) {
    client.post(&format!("/api/v1/leads/{}/convert", id(lead)), json!({})).await.expect(200);
}

/// The entry of `list` whose `key` is `value`.
fn entry<'v>(list: &'v Value, key: &str, value: &Value) -> &'v Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| &item[key] == value)
        .unwrap_or_else(|| panic!("{key}={value} in {list}"))
}

#[tokio::test]
async fn lead_conversion_and_closed_deals_add_up_exactly_once_the_outbox_caught_up() {
    let owner = signup("Dashboard Co").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let (me, them) = (owner.user_id.as_str(), rep.user_id.as_str());
    let mut typeform = Vec::new();
    for _ in 0..3 {
        typeform.push(lead(&client, "typeform", Some(me)).await);
    }
    let referral = [lead(&client, "referral", Some(them)).await, lead(&client, "referral", Some(them)).await];
    lead(&client, "web_form", None).await;
    convert(&client, &typeform[0]).await;
    convert(&client, &typeform[1]).await;
    convert(&client, &referral[0]).await;
    let deals = "/api/v1/deals";
    for value in [1_000, 2_001] {
        let deal =
            client.post(deals, json!({"title": "Won", "value": value, "currency": "EUR"})).await.expect(201).body;
        client.post(&format!("{deals}/{}/won", id(&deal)), json!({"version": 1})).await.expect(200);
    }
    let lost = client
        .post(deals, json!({"title": "Lost", "value": 50, "currency": "USD", "owner_id": them}))
        .await
        .expect(201)
        .body;
    client.post(&format!("{deals}/{}/lost", id(&lost)), json!({"version": 1, "reason": "price"})).await.expect(200);

    let mut report = json!(null);
    let caught_up = eventually(Duration::from_secs(90), async || {
        report = client.get(SALES).await.expect(200).body;
        report["deals"]["lost"] == 1
            && report["deals"]["won"] == 2
            && entry(&report["leads"]["conversion_by_source"], "source", &json!("referral"))["converted"] == 1
            && entry(&report["leads"]["conversion_by_source"], "source", &json!("typeform"))["converted"] == 2
    })
    .await;
    assert!(caught_up, "the report never caught up: {report}");
    let leads = &report["leads"];
    assert_eq!(entry(&leads["by_status"], "status", &json!("converted"))["count"], 3);
    assert_eq!(entry(&leads["by_status"], "status", &json!("new"))["count"], 3);
    assert_eq!(entry(&leads["by_source"], "source", &json!("typeform"))["count"], 3);
    assert_eq!(entry(&leads["by_owner"], "owner_id", &json!(them))["count"], 2);
    assert_eq!(entry(&leads["by_owner"], "owner_id", &json!(null))["count"], 1);
    let days = leads["created_per_day"].as_array().unwrap();
    assert_eq!(days.len(), 30, "the default range is the last 30 days");
    assert_eq!(days.last().unwrap()["count"], 6);
    assert_eq!(days.iter().map(|day| day["count"].as_i64().unwrap()).sum::<i64>(), 6);

    let by_source = &leads["conversion_by_source"];
    assert_eq!(by_source.as_array().unwrap().len(), 7, "every source is listed");
    let typeform_row = entry(by_source, "source", &json!("typeform"));
    assert_eq!((&typeform_row["created"], &typeform_row["rate"]), (&json!(3), &json!(0.6667)));
    assert_eq!(entry(by_source, "source", &json!("referral"))["rate"], 0.5);
    assert_eq!(entry(by_source, "source", &json!("web_form"))["rate"], 0.0);
    assert_eq!(entry(by_source, "source", &json!("zapier"))["rate"], json!(null), "nothing created");
    let by_owner = &leads["conversion_by_owner"];
    assert_eq!(by_owner.as_array().unwrap().len(), 3, "{by_owner}");
    let mine = entry(by_owner, "owner_id", &json!(me));
    assert_eq!((&mine["created"], &mine["converted"]), (&json!(3), &json!(2)));
    let theirs = entry(by_owner, "owner_id", &json!(them));
    assert_eq!((&theirs["created"], &theirs["converted"], &theirs["rate"]), (&json!(2), &json!(1), &json!(0.5)));
    assert_eq!(entry(by_owner, "owner_id", &json!(null))["converted"], 0);

    let closed = &report["deals"];
    assert_eq!(closed["win_rate"], 0.6667);
    assert_eq!(closed["average_won_value"], json!([{"currency": "EUR", "value": 1_501}]), "3001 / 2, rounded");
    assert_eq!(closed["average_cycle_days"], 0.0, "won right after they were made");
    let today = closed["per_period"].as_array().unwrap().last().unwrap();
    assert_eq!((&today["won"], &today["lost"]), (&json!(2), &json!(1)));
    assert_eq!(today["won_value"], json!([{"currency": "EUR", "value": 3_001}]));
    // Per owner at the close, most won first.
    assert_eq!(
        closed["by_owner"],
        json!([
            {"owner_id": me, "won": 2, "lost": 0, "win_rate": 1.0, "won_value": [{"currency": "EUR", "value": 3_001}]},
            {"owner_id": them, "won": 0, "lost": 1, "win_rate": 0.0, "won_value": []},
        ])
    );
}

#[tokio::test]
async fn the_pipeline_per_owner_stays_exact_under_concurrent_moves_and_an_owner_change() {
    let owner = signup("Owner Board").await;
    let rep = add_member(&owner, "agent").await;
    let client = owner.client();
    let stages = json!([{"name": "Lead", "probability": 20}, {"name": "Proposal", "probability": 60}]);
    let pipe = client.post("/api/v1/pipelines", json!({"name": "Partners", "stages": stages})).await.expect(201).body;
    let (lead, proposal) = (pipe["stages"][0]["id"].clone(), pipe["stages"][1]["id"].clone());
    let mut deals = Vec::new();
    for index in 0..10i64 {
        let body = json!({"title": format!("Deal {index}"), "value": 1_000 + index * 13, "currency": "EUR",
                          "pipeline_id": id(&pipe), "stage_id": lead});
        deals.push(client.post("/api/v1/deals", body).await.expect(201).body);
    }
    let handed = client
        .patch(&format!("/api/v1/deals/{}", id(&deals[0])), json!({"owner_id": rep.user_id, "version": 1}))
        .await
        .expect(200)
        .body;
    let moves = deals.iter().map(|deal| {
        let client = client.clone();
        let version = if deal["id"] == handed["id"] { 2 } else { 1 };
        let path = format!("/api/v1/deals/{}/move", id(deal));
        let body = json!({"stage_id": proposal, "version": version});
        async move { client.post(&path, body).await }
    });
    for reply in futures::future::join_all(moves).await {
        reply.expect(200);
    }
    let won = &deals[9];
    client.post(&format!("/api/v1/deals/{}/won", id(won)), json!({"version": 2})).await.expect(200);

    let report = client.get(&format!("{SALES}?pipeline_id={}", id(&pipe))).await.expect(200).body;
    let pipeline = &report["pipeline"];
    assert_eq!(pipeline["pipeline_id"], pipe["id"]);
    let stage_rows = pipeline["by_stage"].as_array().unwrap();
    assert_eq!(stage_rows.len(), 2);
    assert_eq!((&stage_rows[0]["name"], &stage_rows[0]["count"]), (&json!("Lead"), &json!(0)));
    assert_eq!(stage_rows[1]["count"], 9);
    let values: Vec<i64> = deals[..9].iter().map(|deal| deal["value"].as_i64().unwrap()).collect();
    let all: i64 = values.iter().sum();
    assert_eq!(
        stage_rows[1]["totals"],
        json!([{"currency": "EUR", "value": all, "weighted_value": (all * 60 + 50) / 100}])
    );
    let theirs = entry(&pipeline["by_owner"], "owner_id", &json!(rep.user_id));
    assert_eq!(theirs["count"], 1);
    assert_eq!(theirs["totals"], json!([{"currency": "EUR", "value": 1_000, "weighted_value": 600}]));
    let mine = entry(&pipeline["by_owner"], "owner_id", &json!(owner.user_id));
    assert_eq!(mine["count"], 8);
    let my_value = all - 1_000;
    assert_eq!(
        mine["totals"],
        json!([{"currency": "EUR", "value": my_value, "weighted_value": (my_value * 60 + 50) / 100}])
    );
    assert_eq!(pipeline["by_owner"].as_array().unwrap().len(), 2, "the won deal left no owner behind");

    // Deleting the handed-over deal takes its owner off the pipeline.
    client.delete(&format!("/api/v1/deals/{}", id(&handed))).await.expect(204);
    let report = client.get(&format!("{SALES}?pipeline_id={}", id(&pipe))).await.expect(200).body;
    assert!(
        report["pipeline"]["by_owner"].as_array().unwrap().iter().all(|row| row["owner_id"] != rep.user_id.as_str())
    );
    // Without a pipeline named, the report shows the workspace's first one.
    let default = client.get("/api/v1/pipelines").await.expect(200).body["items"][0].clone();
    let report = client.get(SALES).await.expect(200).body;
    assert_eq!(report["pipeline"]["pipeline_id"], default["id"]);
}

#[tokio::test]
async fn the_dashboard_checks_its_range_its_readers_and_its_workspace() {
    let owner = signup("Dashboard Rules").await;
    let client = owner.client();
    let too_long = client.get(&format!("{SALES}?from=2025-01-01&to=2026-01-02")).await;
    assert_eq!(too_long.expect_problem(422, "validation-failed").field_errors(), ["from"]);
    let year = client.get(&format!("{SALES}?from=2025-01-02&to=2026-01-02")).await.expect(200).body;
    assert_eq!(year["deals"]["per_period"].as_array().unwrap().len(), 366);
    let both = client.get(&format!("{SALES}?from=later&pipeline_id=nope")).await;
    let mut fields = both.expect_problem(422, "validation-failed").field_errors();
    fields.sort();
    assert_eq!(fields, ["from", "pipeline_id"]);

    let viewer = add_member(&owner, "viewer").await;
    viewer.client().get(SALES).await.expect(200);
    let key = client.post("/api/v1/api-keys", json!({"name": "Tickets only", "scopes": ["tickets:read"]})).await;
    let keyed = Client::new().with_token(key.expect(201).body["secret"].as_str().unwrap());
    keyed.get(SALES).await.expect_problem(403, "forbidden");

    lead(&client, "manual", None).await;
    let other = signup("Dashboard Other").await;
    let theirs = other.client().get(SALES).await.expect(200).body;
    assert!(theirs["leads"]["by_source"].as_array().unwrap().iter().all(|row| row["count"] == 0), "{theirs}");
    let mine = client.get("/api/v1/pipelines").await.expect(200).body["items"][0].clone();
    other.client().get(&format!("{SALES}?pipeline_id={}", id(&mine))).await.expect_problem(404, "not-found");
}
