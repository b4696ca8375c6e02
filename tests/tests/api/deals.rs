//! Deals and pipelines over HTTP: the default pipeline, stages that cannot be removed while deals sit
//! in them, deals with versions, moves with their history, the kanban board's exact totals per
//! currency (also under concurrent moves), the lists and the filters no index answers, roles, API-key
//! scopes, tenant isolation, and a webhook subscriber hearing of a won deal.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Client, Member, add_member, eventually, signup, unique_email};

const PIPELINES: &str = "/api/v1/pipelines";
const DEALS: &str = "/api/v1/deals";

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

fn deal_path(deal: &Value) -> String {
    format!("{DEALS}/{}", id(deal))
}

async fn default_pipeline(client: &Client) -> Value {
    client.get(PIPELINES).await.expect(200).body["items"][0].clone()
}

/// A pipeline of the given (name, probability) stages, made by `manager`.
async fn pipeline(manager: &Member, stages: &[(&str, u8)]) -> Value {
    let stages: Vec<Value> =
        stages.iter().map(|(name, probability)| json!({"name": name, "probability": probability})).collect();
    manager.client().post(PIPELINES, json!({"name": "Enterprise", "stages": stages})).await.expect(201).body
}

fn stage(pipeline: &Value, index: usize) -> String {
    pipeline["stages"][index]["id"].as_str().unwrap().to_owned()
}

async fn new_deal(client: &Client, body: Value) -> Value {
    client.post(DEALS, body).await.expect(201).body
}

async fn board(client: &Client, pipeline: &Value) -> Value {
    client.get(&format!("{PIPELINES}/{}/board", id(pipeline))).await.expect(200).body
}

fn column<'b>(board: &'b Value, stage: &str) -> &'b Value {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|column| column["stage"]["id"] == stage)
        .expect("the stage's column")
}

fn totals(column: &Value) -> Vec<(String, i64, i64)> {
    column["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["currency"].as_str().unwrap().to_owned(),
                t["value"].as_i64().unwrap(),
                t["weighted_value"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// Moves the workspace to a plan with seats for a whole sales team (as billing would).
async fn with_seats_for_a_team(owner: &Member) {
    let principal = shared::auth::MemberPrincipal::for_tests(
        owner.workspace_id.parse().unwrap(),
        owner.user_id.parse().unwrap(),
        shared::domain::rbac::Role::Owner,
    );
    local_stack::seed::raise_plan(switchboard_tests::stack().app, &principal).await.expect("raising the plan");
}

async fn customer(client: &Client) -> Value {
    client.post("/api/v1/customers", json!({"email": unique_email("buyer")})).await.expect(201).body
}

#[tokio::test]
async fn a_workspace_starts_with_one_default_pipeline_and_managers_shape_their_own() {
    let owner = signup("Pipeline Co").await;
    with_seats_for_a_team(&owner).await;
    let (manager, agent, viewer) =
        (add_member(&owner, "manager").await, add_member(&owner, "agent").await, add_member(&owner, "viewer").await);
    // First use makes the default pipeline, once.
    let (owners, agents) = (owner.client(), agent.client());
    let (first, again) = futures::join!(owners.get(PIPELINES), agents.get(PIPELINES));
    let (first, again) = (first.expect(200).body, again.expect(200).body);
    assert_eq!(first["items"].as_array().unwrap().len(), 1, "{first}");
    assert_eq!(again["items"][0]["id"], first["items"][0]["id"]);
    let names: Vec<&str> =
        first["items"][0]["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Qualified", "Contact made", "Demo scheduled", "Proposal made", "Negotiation"]);
    viewer.client().get(PIPELINES).await.expect(200);

    let body = json!({"name": "Partners", "stages": [{"name": "Intro", "probability": 10}, {"name": "Signed", "probability": 90, "rotting_days": 30}]});
    agent.client().post(PIPELINES, body.clone()).await.expect_problem(403, "forbidden");
    viewer.client().post(PIPELINES, body.clone()).await.expect_problem(403, "forbidden");
    let partners = manager.client().post(PIPELINES, body).await.expect(201).body;
    assert_eq!(partners["stages"][1]["rotting_days"], 30);
    let bad = manager
        .client()
        .post(
            PIPELINES,
            json!({"name": " ", "stages": [{"name": "A", "probability": 101}, {"name": "a", "probability": 5}]}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["name", "stages[0].probability"]);

    // Replace: rename, reorder, add one; the kept stages keep their ids.
    let path = format!("{PIPELINES}/{}", id(&partners));
    let replaced = json!({"name": "Partner deals", "version": 1, "stages": [
        {"id": stage(&partners, 1), "name": "Signed", "probability": 95},
        {"name": "Negotiating", "probability": 50},
        {"id": stage(&partners, 0), "name": "Introduced", "probability": 10},
    ]});
    agent.client().put(&path, replaced.clone()).await.expect_problem(403, "forbidden");
    let after = manager.client().put(&path, replaced.clone()).await.expect(200).body;
    assert_eq!((after["name"].as_str(), after["version"].as_u64()), (Some("Partner deals"), Some(2)));
    assert_eq!(after["stages"][0]["id"], partners["stages"][1]["id"]);
    assert_eq!(after["stages"][2]["name"], "Introduced");
    manager.client().put(&path, replaced).await.expect_problem(409, "version-conflict");
    let foreign = json!({"name": "X", "version": 2, "stages": [{"id": stage(&first["items"][0], 0), "name": "A", "probability": 1}]});
    let refused = manager.client().put(&path, foreign).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["stages[0].id"]);
    assert_eq!(owner.client().get(PIPELINES).await.expect(200).body["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_stage_holding_open_deals_is_not_removed_and_the_refusal_names_the_count() {
    let owner = signup("Stage Keepers").await;
    let client = owner.client();
    let pipe = pipeline(&owner, &[("Cold", 10), ("Warm", 50)]).await;
    let cold = stage(&pipe, 0);
    let mut deals = Vec::new();
    for title in ["One", "Two"] {
        deals.push(
            new_deal(
                &client,
                json!({"title": title, "value": 1000, "currency": "EUR", "pipeline_id": id(&pipe), "stage_id": cold}),
            )
            .await,
        );
    }
    let without_cold = json!({"name": "Enterprise", "version": 1, "stages": [{"id": stage(&pipe, 1), "name": "Warm", "probability": 50}]});
    let path = format!("{PIPELINES}/{}", id(&pipe));
    let refused = client.put(&path, without_cold.clone()).await.expect_problem(409, "conflict");
    assert_eq!(refused.body["open_deals"], 2, "{}", refused.body);
    assert_eq!(refused.body["stage_id"], cold.as_str());
    assert!(refused.body["detail"].as_str().unwrap().contains("2 open deal"));
    // Once they are closed, the stage goes.
    client.post(&format!("{}/won", deal_path(&deals[0])), json!({"version": 1})).await.expect(200);
    client
        .post(&format!("{}/lost", deal_path(&deals[1])), json!({"version": 1, "reason": "Budget cut"}))
        .await
        .expect(200);
    let after = client.put(&path, without_cold).await.expect(200).body;
    assert_eq!(after["stages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_deal_is_created_read_changed_and_deleted_at_the_version_it_was_seen() {
    let owner = signup("Deal Makers").await;
    let client = owner.client();
    let pipe = default_pipeline(&client).await;
    let buyer = customer(&client).await;
    let deal = new_deal(
        &client,
        json!({"title": "Acme renewal", "value": 125_000, "currency": "eur", "expected_close": "2026-12-31",
               "contact_ids": [id(&buyer)], "company": "Acme", "tags": ["Enterprise"]}),
    )
    .await;
    assert_eq!((deal["currency"].as_str(), deal["value"].as_i64()), (Some("EUR"), Some(125_000)));
    assert_eq!(deal["pipeline_id"], pipe["id"]);
    assert_eq!(deal["stage_id"], pipe["stages"][0]["id"], "the first stage by default");
    assert_eq!((deal["probability"].as_u64(), deal["weighted_value"].as_i64()), (Some(10), Some(12_500)));
    assert_eq!(deal["owner_id"], owner.user_id.as_str(), "the creator owns it");
    assert_eq!((deal["status"].as_str(), deal["tags"][0].as_str()), (Some("open"), Some("enterprise")));
    assert_eq!(deal["stuck"], false);

    let read = client.get(&deal_path(&deal)).await.expect(200).body;
    assert_eq!(read["contact_ids"], json!([id(&buyer)]));
    assert_eq!(read["stage_history"].as_array().unwrap().len(), 1);
    assert!(read["time_in_stage_seconds"].as_i64().unwrap() >= 0);

    let changed = client
        .patch(&deal_path(&deal), json!({"value": 150_000, "probability": 35, "company": null, "version": 1}))
        .await
        .expect(200)
        .body;
    assert_eq!((changed["version"].as_u64(), changed["weighted_value"].as_i64()), (Some(2), Some(52_500)));
    assert_eq!((changed["probability_overridden"].as_bool(), changed["company"].is_null()), (Some(true), true));
    let stale = client.patch(&deal_path(&deal), json!({"title": "Lost update", "version": 1})).await;
    let stale = stale.expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["version"], 2, "the refusal shows the deal as it is now");
    let back = client.patch(&deal_path(&deal), json!({"probability": null, "version": 2})).await.expect(200).body;
    assert_eq!((back["probability"].as_u64(), back["probability_overridden"].as_bool()), (Some(10), Some(false)));

    client.delete(&format!("{}?version=1", deal_path(&deal))).await.expect_problem(409, "version-conflict");
    client.delete(&format!("{}?version=3", deal_path(&deal))).await.expect(204);
    client.get(&deal_path(&deal)).await.expect_problem(404, "not-found");
    let kinds: Vec<String> = client.get("/api/v1/activity").await.expect(200).body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["deal.created", "deal.updated", "deal.deleted", "pipeline.created"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }
}

#[tokio::test]
async fn bad_deal_input_is_named_field_by_field() {
    let owner = signup("Careful Sellers").await;
    let other = signup("Elsewhere Inc").await;
    let client = owner.client();
    let pipe = default_pipeline(&client).await;
    let bad = client
        .post(DEALS, json!({"title": "", "value": -1, "currency": "EURO", "expected_close": "soon", "probability": 150, "tags": [""]}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(bad.field_errors(), ["title", "value", "currency", "expected_close", "probability", "tags"]);
    client
        .post(DEALS, json!({"title": "Cents", "value": 12.5, "currency": "EUR"}))
        .await
        .expect_problem(422, "validation-failed");
    client
        .post(DEALS, json!({"title": "Gold", "value": 1, "currency": "XAU"}))
        .await
        .expect_problem(422, "validation-failed");

    // A stage of another pipeline, a customer of another workspace, an owner who is no member.
    let partners = pipeline(&owner, &[("Intro", 10)]).await;
    let wrong_stage = client
        .post(DEALS, json!({"title": "Misplaced", "value": 1, "currency": "USD", "pipeline_id": id(&pipe), "stage_id": stage(&partners, 0)}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(wrong_stage.field_errors(), ["stage_id"]);
    let foreign = customer(&other.client()).await;
    let refused = client
        .post(DEALS, json!({"title": "Poached", "value": 1, "currency": "USD", "contact_ids": [id(&foreign)]}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["contact_ids"]);
    let stranger = client
        .post(DEALS, json!({"title": "Nobody's", "value": 1, "currency": "USD", "owner_id": other.user_id}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(stranger.field_errors(), ["owner_id"]);
    let listed = client.get(DEALS).await.expect(200).body;
    assert!(listed["items"].as_array().unwrap().is_empty(), "nothing half-written: {listed}");
}

#[tokio::test]
async fn moves_build_the_history_and_the_board_totals_each_currency_apart() {
    let owner = signup("Kanban Co").await;
    let client = owner.client();
    let pipe = pipeline(&owner, &[("Lead", 20), ("Proposal", 60)]).await;
    let (lead, proposal) = (stage(&pipe, 0), stage(&pipe, 1));
    let at = |stage: &str, value: i64, currency: &str| json!({"title": "Deal", "value": value, "currency": currency, "pipeline_id": id(&pipe), "stage_id": stage});
    let euro = new_deal(&client, at(&lead, 10_000, "EUR")).await;
    let euro_two = new_deal(&client, at(&lead, 5_001, "EUR")).await;
    let dollars = new_deal(&client, at(&lead, 7_000, "USD")).await;
    let start = board(&client, &pipe).await;
    let column_lead = column(&start, &lead);
    assert_eq!(column_lead["count"], 3);
    // 15 001 × 20% = 3000.2 → 3000 (rounded once, from the exact sum); dollars never join euros.
    assert_eq!(totals(column_lead), [("EUR".to_owned(), 15_001, 3_000), ("USD".to_owned(), 7_000, 1_400)]);
    assert_eq!(column_lead["deals"].as_array().unwrap().len(), 3);
    assert_eq!(column(&start, &proposal)["count"], 0);

    let moved = client
        .post(&format!("{}/move", deal_path(&euro)), json!({"stage_id": proposal, "version": 1}))
        .await
        .expect(200)
        .body;
    assert_eq!((moved["stage_id"].as_str(), moved["probability"].as_u64()), (Some(proposal.as_str()), Some(60)));
    client
        .post(&format!("{}/move", deal_path(&euro)), json!({"stage_id": lead, "version": 1}))
        .await
        .expect_problem(409, "version-conflict");
    let history = client.get(&deal_path(&euro)).await.expect(200).body["stage_history"].clone();
    assert_eq!(history.as_array().unwrap().len(), 2, "{history}");
    assert_eq!(history[0]["stage_id"], lead.as_str());
    assert!(history[0]["left_at"].is_string() && history[1]["left_at"].is_null());

    let after_move = board(&client, &pipe).await;
    assert_eq!(totals(column(&after_move, &proposal)), [("EUR".to_owned(), 10_000, 6_000)]);
    assert_eq!(
        totals(column(&after_move, &lead)),
        [("EUR".to_owned(), 5_001, 1_000), ("USD".to_owned(), 7_000, 1_400)]
    );

    // Won and lost deals leave the open totals; a closed deal neither moves nor closes again.
    client
        .post(&format!("{}/lost", deal_path(&dollars)), json!({"version": 1}))
        .await
        .expect_problem(422, "validation-failed");
    let lost = client.post(&format!("{}/lost", deal_path(&dollars)), json!({"version": 1, "reason": " "})).await;
    assert_eq!(lost.expect_problem(422, "validation-failed").field_errors(), ["reason"]);
    let lost = client
        .post(&format!("{}/lost", deal_path(&dollars)), json!({"version": 1, "reason": "Went with a rival"}))
        .await
        .expect(200)
        .body;
    assert_eq!((lost["status"].as_str(), lost["lost_reason"].as_str()), (Some("lost"), Some("Went with a rival")));
    client.post(&format!("{}/won", deal_path(&euro)), json!({"version": 2})).await.expect(200);
    client.post(&format!("{}/won", deal_path(&euro)), json!({"version": 3})).await.expect_problem(409, "conflict");
    client
        .post(&format!("{}/move", deal_path(&euro)), json!({"stage_id": lead, "version": 3}))
        .await
        .expect_problem(409, "conflict");
    let end = board(&client, &pipe).await;
    assert_eq!(column(&end, &proposal)["count"], 0);
    assert_eq!(totals(column(&end, &lead)), [("EUR".to_owned(), 5_001, 1_000)]);
    let won =
        client.get(&format!("{PIPELINES}/{}/stages/{proposal}/deals?status=won", id(&pipe))).await.expect(200).body;
    assert_eq!(won["items"][0]["id"], euro["id"]);
    assert_eq!(euro_two["stage_id"], lead.as_str());
}

#[tokio::test]
async fn a_closed_deal_reopens_into_a_stage_and_is_back_on_the_board() {
    let owner = signup("Second Chances").await;
    let client = owner.client();
    let pipe = pipeline(&owner, &[("Lead", 20), ("Proposal", 60)]).await;
    let (lead, proposal) = (stage(&pipe, 0), stage(&pipe, 1));
    let deal = new_deal(
        &client,
        json!({"title": "Anvils", "value": 10_000, "currency": "EUR", "pipeline_id": id(&pipe), "stage_id": proposal}),
    )
    .await;
    let path = deal_path(&deal);
    client.post(&format!("{path}/reopen"), json!({"version": 1})).await.expect_problem(409, "conflict");
    client.post(&format!("{path}/lost"), json!({"version": 1, "reason": "Budget cut"})).await.expect(200);
    assert_eq!(column(&board(&client, &pipe).await, &proposal)["count"], 0);

    client.post(&format!("{path}/reopen"), json!({"version": 1})).await.expect_problem(409, "version-conflict");
    let bad = client.post(&format!("{path}/reopen"), json!({"version": 2, "stage_id": "x"})).await;
    assert_eq!(bad.expect_problem(422, "validation-failed").field_errors(), ["stage_id"]);
    let foreign = stage(&pipeline(&owner, &[("Elsewhere", 10)]).await, 0);
    let elsewhere = client.post(&format!("{path}/reopen"), json!({"version": 2, "stage_id": foreign})).await;
    assert_eq!(elsewhere.expect_problem(422, "validation-failed").field_errors(), ["stage_id"]);
    // By default it goes back to the stage it closed in.
    let reopened = client.post(&format!("{path}/reopen"), json!({"version": 2})).await.expect(200).body;
    assert_eq!((reopened["status"].as_str(), reopened["stage_id"].as_str()), (Some("open"), Some(proposal.as_str())));
    assert!(reopened["lost_reason"].is_null() && reopened["closed_at"].is_null(), "{reopened}");
    let on_board = board(&client, &pipe).await;
    assert_eq!(column(&on_board, &proposal)["count"], 1);
    assert_eq!(totals(column(&on_board, &proposal)), [("EUR".to_owned(), 10_000, 6_000)]);
    client.post(&format!("{path}/reopen"), json!({"version": 3})).await.expect_problem(409, "conflict");

    // Won, then reopened in another stage: the board and the history follow.
    client.post(&format!("{path}/won"), json!({"version": 3})).await.expect(200);
    let again = client.post(&format!("{path}/reopen"), json!({"version": 4, "stage_id": lead})).await.expect(200).body;
    assert_eq!((again["stage_id"].as_str(), again["probability"].as_u64()), (Some(lead.as_str()), Some(20)));
    let end = board(&client, &pipe).await;
    assert_eq!((column(&end, &proposal)["count"].as_i64(), column(&end, &lead)["count"].as_i64()), (Some(0), Some(1)));
    assert_eq!(totals(column(&end, &lead)), [("EUR".to_owned(), 10_000, 2_000)]);
    let history = client.get(&path).await.expect(200).body["stage_history"].clone();
    let stages: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["stage_id"].as_str().unwrap()).collect();
    assert_eq!(stages, [proposal.as_str(), lead.as_str()], "{history}");
    let activity = client.get("/api/v1/activity").await.expect(200).body;
    let reopens = activity["items"].as_array().unwrap().iter().filter(|e| e["type"] == "deal.reopened").count();
    assert_eq!(reopens, 2);

    // A viewer cannot reopen.
    let viewer = add_member(&owner, "viewer").await;
    client.post(&format!("{path}/lost"), json!({"version": 5, "reason": "Again"})).await.expect(200);
    viewer.client().post(&format!("{path}/reopen"), json!({"version": 6})).await.expect_problem(403, "forbidden");
    // Another workspace's deal is not found.
    let stranger = signup("Strangers").await;
    stranger.client().post(&format!("{path}/reopen"), json!({"version": 6})).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn board_totals_stay_exact_under_twenty_concurrent_moves() {
    let owner = signup("Busy Board").await;
    let client = owner.client();
    let pipe = pipeline(&owner, &[("Lead", 25), ("Won over", 75)]).await;
    let (lead, over) = (stage(&pipe, 0), stage(&pipe, 1));
    let mut deals = Vec::new();
    for index in 0..20i64 {
        let body = json!({"title": format!("Deal {index}"), "value": 1_000 + index * 37, "currency": "EUR", "pipeline_id": id(&pipe), "stage_id": lead});
        deals.push(new_deal(&client, body).await);
    }
    let total: i64 = deals.iter().map(|deal| deal["value"].as_i64().unwrap()).sum();
    let moves = deals.iter().map(|deal| {
        let client = client.clone();
        let body = json!({"stage_id": over, "version": 1});
        let path = format!("{}/move", deal_path(deal));
        async move { client.post(&path, body).await }
    });
    for reply in futures::future::join_all(moves).await {
        reply.expect(200);
    }
    let after = board(&client, &pipe).await;
    assert_eq!(column(&after, &lead)["count"], 0);
    assert!(totals(column(&after, &lead)).is_empty());
    let column_over = column(&after, &over);
    assert_eq!(column_over["count"], 20);
    assert_eq!(totals(column_over), [("EUR".to_owned(), total, (total * 75 + 50) / 100)]);
    assert_eq!(column_over["deals"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn lists_filter_through_one_index_and_refuse_what_no_index_answers() {
    let owner = signup("Filtered Sales").await;
    let agent = add_member(&owner, "agent").await;
    let client = owner.client();
    let pipe = pipeline(&owner, &[("Lead", 10), ("Proposal", 50)]).await;
    let (lead, proposal) = (stage(&pipe, 0), stage(&pipe, 1));
    let deal = |title: &str, value: i64, currency: &str, stage: &str, close: &str, tags: Value| json!({"title": title, "value": value, "currency": currency, "pipeline_id": id(&pipe), "stage_id": stage, "expected_close": close, "tags": tags});
    let small = new_deal(&client, deal("Small", 500, "EUR", &lead, "2026-03-01", json!(["smb"]))).await;
    let large = new_deal(&client, deal("Large", 90_000, "EUR", &proposal, "2026-01-15", json!(["enterprise"]))).await;
    let dollars = new_deal(&client, deal("Dollars", 40_000, "USD", &lead, "2026-02-10", json!([]))).await;
    let agents = new_deal(
        &agent.client(),
        json!({"title": "Agent's", "value": 100, "currency": "EUR", "pipeline_id": id(&pipe), "stage_id": lead}),
    )
    .await;
    let ids = |reply: Value| -> Vec<String> {
        reply["items"].as_array().unwrap().iter().map(|deal| deal["id"].as_str().unwrap().to_owned()).collect()
    };
    let get = |query: String| {
        let client = client.clone();
        async move { client.get(&format!("{DEALS}?{query}")).await }
    };
    assert_eq!(
        ids(get("".into()).await.expect(200).body),
        [id(&agents), id(&dollars), id(&large), id(&small)],
        "newest first"
    );
    assert_eq!(ids(get(format!("stage_id={proposal}")).await.expect(200).body), [id(&large)]);
    assert_eq!(ids(get(format!("owner_id={}", agent.user_id)).await.expect(200).body), [id(&agents)]);
    assert_eq!(ids(agent.client().get(&format!("{DEALS}?owner_id=me")).await.expect(200).body), [id(&agents)]);
    assert_eq!(ids(get(format!("pipeline_id={}&tag=enterprise", id(&pipe))).await.expect(200).body), [id(&large)]);
    assert_eq!(
        ids(get("sort=value&currency=EUR".into()).await.expect(200).body),
        [id(&large), id(&small), id(&agents)]
    );
    assert_eq!(
        ids(get("sort=value&currency=eur&min_value=200&max_value=1000".into()).await.expect(200).body),
        [id(&small)]
    );
    assert_eq!(ids(get("sort=expected_close".into()).await.expect(200).body), [id(&large), id(&dollars), id(&small)]);
    assert_eq!(
        ids(get("sort=expected_close&close_from=2026-02-01&close_to=2026-03-01".into()).await.expect(200).body),
        [id(&dollars), id(&small)]
    );
    assert!(ids(get("status=won".into()).await.expect(200).body).is_empty());

    // Pages follow each other without repeats.
    let first = get("limit=2".into()).await.expect(200).body;
    let cursor = first["next_cursor"].as_str().expect("a second page").to_owned();
    let second = get(format!("limit=2&cursor={}", urlencode(&cursor))).await.expect(200).body;
    assert_eq!([ids(first), ids(second)].concat(), [id(&agents), id(&dollars), id(&large), id(&small)]);
    // Another list cannot continue from that cursor.
    let foreign = get(format!("limit=2&status=won&cursor={}", urlencode(&cursor))).await;
    assert_eq!(foreign.expect_problem(422, "validation-failed").field_errors(), ["cursor"]);

    let refused = get("sort=value".into()).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["currency"]);
    let refused = get(format!("pipeline_id={}&owner_id=me", id(&pipe))).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["owner_id"]);
    let refused = get("min_value=5".into()).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["min_value"]);
    let refused =
        get(format!("sort=value&currency=EUR&stage_id={lead}")).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["stage_id"]);
}

fn urlencode(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn reps_change_their_own_deals_managers_reassign_and_viewers_only_read() {
    let owner = signup("Sales Floor").await;
    with_seats_for_a_team(&owner).await;
    let (manager, ana, ben, viewer) = (
        add_member(&owner, "manager").await,
        add_member(&owner, "agent").await,
        add_member(&owner, "agent").await,
        add_member(&owner, "viewer").await,
    );
    let anas = new_deal(&ana.client(), json!({"title": "Ana's", "value": 100, "currency": "EUR"})).await;
    assert_eq!(anas["owner_id"], ana.user_id.as_str());
    let path = deal_path(&anas);
    let pipe = default_pipeline(&owner.client()).await;

    viewer.client().get(&path).await.expect(200);
    viewer.client().get(&format!("{PIPELINES}/{}/board", id(&pipe))).await.expect(200);
    viewer
        .client()
        .post(DEALS, json!({"title": "No", "value": 1, "currency": "EUR"}))
        .await
        .expect_problem(403, "forbidden");
    viewer.client().patch(&path, json!({"title": "No", "version": 1})).await.expect_problem(403, "forbidden");

    // Ben reads Ana's deal but changes none of it.
    ben.client().get(&path).await.expect(200);
    ben.client().patch(&path, json!({"title": "Mine now", "version": 1})).await.expect_problem(403, "forbidden");
    ben.client()
        .post(&format!("{path}/move"), json!({"stage_id": stage(&pipe, 1), "version": 1}))
        .await
        .expect_problem(403, "forbidden");
    ben.client().post(&format!("{path}/won"), json!({"version": 1})).await.expect_problem(403, "forbidden");
    ben.client().delete(&path).await.expect_problem(403, "forbidden");
    ben.client()
        .post(DEALS, json!({"title": "For Ana", "value": 1, "currency": "EUR", "owner_id": ana.user_id}))
        .await
        .expect_problem(403, "forbidden");
    // Ana changes her own, but handing it over is a manager's call.
    let changed = ana.client().patch(&path, json!({"title": "Ana's renewal", "version": 1})).await.expect(200).body;
    ana.client().patch(&path, json!({"owner_id": ben.user_id, "version": 2})).await.expect_problem(403, "forbidden");
    let reassigned = manager
        .client()
        .patch(&path, json!({"owner_id": ben.user_id, "version": changed["version"]}))
        .await
        .expect(200)
        .body;
    assert_eq!(reassigned["owner_id"], ben.user_id.as_str());
    ben.client().post(&format!("{path}/move"), json!({"stage_id": stage(&pipe, 1), "version": 3})).await.expect(200);
    // An unowned deal is anyone's to take.
    let loose = manager.client().patch(&path, json!({"owner_id": null, "version": 4})).await.expect(200).body;
    assert!(loose["owner_id"].is_null());
    let taken = ana.client().patch(&path, json!({"owner_id": ana.user_id, "version": 5})).await.expect(200).body;
    assert_eq!(taken["owner_id"], ana.user_id.as_str());
    let activity = owner.client().get("/api/v1/activity").await.expect(200).body.to_string();
    assert!(activity.contains("deal.assigned") && activity.contains("deal.stage_changed"));
}

#[tokio::test]
async fn another_workspace_cannot_reach_a_deal_or_a_pipeline() {
    let owner = signup("Private Pipeline").await;
    let intruder = signup("Nosy Corp").await;
    let pipe = default_pipeline(&owner.client()).await;
    let deal = new_deal(&owner.client(), json!({"title": "Secret", "value": 999, "currency": "EUR"})).await;
    let client = intruder.client();
    let path = deal_path(&deal);
    client.get(&path).await.expect_problem(404, "not-found");
    client.patch(&path, json!({"title": "Mine", "version": 1})).await.expect_problem(404, "not-found");
    client
        .post(&format!("{path}/move"), json!({"stage_id": stage(&pipe, 1), "version": 1}))
        .await
        .expect_problem(404, "not-found");
    client.post(&format!("{path}/won"), json!({"version": 1})).await.expect_problem(404, "not-found");
    client.delete(&path).await.expect_problem(404, "not-found");
    client.get(&format!("{PIPELINES}/{}", id(&pipe))).await.expect_problem(404, "not-found");
    client.get(&format!("{PIPELINES}/{}/board", id(&pipe))).await.expect_problem(404, "not-found");
    client
        .get(&format!("{PIPELINES}/{}/stages/{}/deals", id(&pipe), stage(&pipe, 0)))
        .await
        .expect_problem(404, "not-found");
    let put = json!({"name": "Taken", "version": 1, "stages": [{"name": "A", "probability": 1}]});
    client.put(&format!("{PIPELINES}/{}", id(&pipe)), put).await.expect_problem(404, "not-found");
    let theirs = client.get(DEALS).await.expect(200).body;
    assert!(theirs["items"].as_array().unwrap().is_empty());
    // Their deal cannot be placed in our pipeline either.
    let refused = client
        .post(DEALS, json!({"title": "Squatter", "value": 1, "currency": "EUR", "pipeline_id": id(&pipe)}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["pipeline_id"]);
    assert_eq!(owner.client().get(&path).await.expect(200).body["version"], 1);
}

#[tokio::test]
async fn api_keys_reach_deals_within_their_scopes() {
    let owner = signup("Synced CRM").await;
    let make = |scopes: Value| {
        let owner = owner.clone();
        async move {
            let key = owner
                .client()
                .post("/api/v1/api-keys", json!({"name": "Sync", "scopes": scopes}))
                .await
                .expect(201)
                .body;
            Client::new().with_token(key["secret"].as_str().unwrap())
        }
    };
    let reader = make(json!(["sales:read"])).await;
    let writer = make(json!(["sales:read", "sales:write"])).await;
    let deal = new_deal(&writer, json!({"title": "Via key", "value": 10, "currency": "GBP"})).await;
    assert_eq!(deal["owner_id"], owner.user_id.as_str(), "a key acts as its maker");
    reader.get(&deal_path(&deal)).await.expect(200);
    let pipe = default_pipeline(&reader).await;
    reader.get(&format!("{PIPELINES}/{}/board", id(&pipe))).await.expect(200);
    let refused = reader
        .post(DEALS, json!({"title": "No", "value": 1, "currency": "GBP"}))
        .await
        .expect_problem(403, "forbidden");
    assert_eq!(refused.body["scope"], "sales:write");
    writer.post(&format!("{}/won", deal_path(&deal)), json!({"version": 1})).await.expect(200);
    // Pipelines are configured by people.
    let put = json!({"name": "Keyed", "version": pipe["version"], "stages": [{"name": "A", "probability": 1}]});
    writer.put(&format!("{PIPELINES}/{}", id(&pipe)), put).await.expect_problem(403, "forbidden");
    let other = make(json!(["tickets:read"])).await;
    assert_eq!(other.get(DEALS).await.expect_problem(403, "forbidden").body["scope"], "sales:read");
}

#[tokio::test]
async fn a_webhook_subscriber_hears_of_a_won_deal() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Celebrations").await;
    owner
        .client()
        .post("/api/v1/webhooks", json!({"url": receiver.url, "events": ["deal.won"], "description": "Gong"}))
        .await
        .expect(201);
    let client = owner.client();
    let deal = new_deal(&client, json!({"title": "Big one", "value": 250_000, "currency": "USD"})).await;
    client
        .post(
            &format!("{}/move", deal_path(&deal)),
            json!({"stage_id": stage(&default_pipeline(&client).await, 2), "version": 1}),
        )
        .await
        .expect(200);
    client.post(&format!("{}/won", deal_path(&deal)), json!({"version": 2})).await.expect(200);
    assert!(eventually(Duration::from_secs(120), async || receiver.count() >= 1).await, "nothing was delivered");
    let body = receiver.received()[0].json();
    assert_eq!(body["type"], "deal.won", "only what it subscribed to: {body}");
    assert_eq!(body["data"]["deal_id"], deal["id"]);
    assert_eq!(
        (body["data"]["after"]["value"].as_i64(), body["data"]["after"]["currency"].as_str()),
        (Some(250_000), Some("USD"))
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(receiver.count(), 1, "no delivery for the creation or the move");
}

#[tokio::test]
async fn slack_hears_of_won_and_lost_deals_with_their_value_and_reason() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Gong Ringers").await;
    owner
        .client()
        .post("/api/v1/integrations/slack", json!({"url": receiver.url, "events": ["deal.won", "deal.lost"]}))
        .await
        .expect(201);
    let client = owner.client();
    let won = new_deal(&client, json!({"title": "Acme expansion", "value": 123_456, "currency": "EUR"})).await;
    let lost = new_deal(&client, json!({"title": "Globex pilot", "value": 900, "currency": "JPY"})).await;
    client.post(&format!("{}/won", deal_path(&won)), json!({"version": 1})).await.expect(200);
    client.post(&format!("{}/lost", deal_path(&lost)), json!({"version": 1, "reason": "No budget"})).await.expect(200);
    assert!(eventually(Duration::from_secs(120), async || receiver.count() >= 2).await, "Slack heard nothing");
    let mut texts: Vec<String> =
        receiver.received().iter().map(|message| message.json()["text"].as_str().unwrap().to_owned()).collect();
    texts.sort();
    assert_eq!(texts.len(), 2, "one message each, none for the creations: {texts:?}");
    assert!(texts.iter().any(|text| text.contains("Deal won: Acme expansion, 1234.56 EUR")), "{texts:?}");
    assert!(
        texts.iter().any(|text| text.contains("Deal lost: Globex pilot, 900 JPY (reason: No budget)")),
        "{texts:?}"
    );
}
