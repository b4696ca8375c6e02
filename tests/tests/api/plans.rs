//! The plan catalog: staff configure plans and move workspaces between them, limits follow at once and
//! never overshoot under concurrency, a smaller plan keeps every record, owners read usage against limits.

use serde_json::{Value, json};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Client, Member, PASSWORD, add_member, signup, stack, unique_email};

const PLANS: &str = "/api/v1/platform/plans";
const USAGE: &str = "/api/v1/billing/usage";
const WEBHOOKS: &str = "/api/v1/webhooks";

async fn staff() -> Client {
    let email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Pat Platform", PASSWORD).await.unwrap();
    let reply = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    Client::new().with_token(reply.body["access_token"].as_str().unwrap())
}

fn limits(seats: Option<u64>, tickets: Option<u64>, webhooks: Option<u64>) -> Value {
    json!({
        "seats": seats, "tickets_per_month": tickets, "storage_bytes": 1_000_000_000u64,
        "webhooks": webhooks, "api_requests_per_minute": 600,
    })
}

/// A new plan with these limits, under an id no other test uses.
async fn custom_plan(staff: &Client, limits: Value) -> String {
    let id = format!("test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let body = json!({"id": id, "name": "Test plan", "stripe_price_id": "price_test123", "limits": limits,
        "features": ["webhooks", "api_access"]});
    let created = staff.post(PLANS, body).await.expect(201);
    assert_eq!(created.body["version"], 1);
    id
}

async fn move_to(staff: &Client, owner: &Member, plan: &str) {
    let path = format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id);
    let moved = staff.put(&path, json!({"plan": plan})).await.expect(200);
    assert_eq!(moved.body["plan"], plan);
}

fn usage_of<'a>(usage: &'a Value, kind: &str) -> &'a Value {
    usage["usage"].as_array().unwrap().iter().find(|line| line["kind"] == kind).unwrap()
}

/// Fires `attempts` at once and checks exactly `limit` succeed, the rest refused naming the limit.
async fn race(attempts: Vec<impl Future<Output = switchboard_tests::Reply>>, limit: u64, kind: &str, plan: &str) {
    let replies = futures::future::join_all(attempts).await;
    let created = replies.iter().filter(|reply| reply.status == 201).count() as u64;
    assert_eq!(created, limit, "exactly {limit} of {} concurrent creates succeed", replies.len());
    for reply in replies.into_iter().filter(|reply| reply.status != 201) {
        let reply = reply.expect_problem(402, "plan-limit-reached");
        assert_eq!(reply.body["limit_kind"], kind);
        assert_eq!(reply.body["limit"], limit);
        assert_eq!(reply.body["used"], limit);
        assert_eq!(reply.body["plan"], plan);
        assert_eq!(reply.body["upgrade_url"], "/settings/plan");
        assert_eq!(reply.body["records_kept"], false);
    }
}

#[tokio::test]
async fn fifty_concurrent_webhook_creates_at_a_limit_of_five_give_exactly_five() {
    let staff = staff().await;
    let owner = signup("Webhook Race").await;
    let plan = custom_plan(&staff, limits(Some(10), Some(100), Some(5))).await;
    move_to(&staff, &owner, &plan).await;
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let client = owner.client();
    let attempts = (0..50)
        .map(|_| {
            let (client, body) = (client.clone(), json!({"url": receiver.url, "events": ["ticket.created"]}));
            async move { client.post(WEBHOOKS, body).await }
        })
        .collect();
    race(attempts, 5, "webhooks", &plan).await;
    assert_eq!(client.get(WEBHOOKS).await.expect(200).body["items"].as_array().unwrap().len(), 5);
    let usage = client.get(USAGE).await.expect(200);
    assert_eq!(usage_of(&usage.body, "webhooks")["used"], 5);
}

#[tokio::test]
async fn fifty_concurrent_ticket_creates_at_a_monthly_limit_of_seven_give_exactly_seven() {
    let staff = staff().await;
    let owner = signup("Ticket Race").await;
    let plan = custom_plan(&staff, limits(Some(10), Some(7), Some(1))).await;
    move_to(&staff, &owner, &plan).await;
    let client = owner.client();
    let attempts = (0..50)
        .map(|n| {
            let client = client.clone();
            let body = json!({"subject": format!("Race {n}"), "body": "b", "customer": {"email": "race@example.com"}});
            async move { client.post("/api/v1/tickets", body).await }
        })
        .collect();
    race(attempts, 7, "tickets_per_month", &plan).await;
    assert_eq!(client.get("/api/v1/tickets/counts").await.expect(200).body["open"], 7);
    let usage = client.get(USAGE).await.expect(200);
    assert_eq!(usage_of(&usage.body, "tickets_per_month")["used"], 7);
    assert_eq!(usage_of(&usage.body, "tickets_per_month")["limit"], 7);
}

#[tokio::test]
async fn fifty_concurrent_member_adds_at_a_seat_limit_of_four_give_exactly_four_seats() {
    let staff = staff().await;
    let owner = signup("Seat Race").await; // the owner holds one of the four seats
    let plan = custom_plan(&staff, limits(Some(4), Some(100), Some(1))).await;
    move_to(&staff, &owner, &plan).await;
    let client = owner.client();
    let attempts = (0..50).map(|n| {
        let client = client.clone();
        let body = json!({"email": unique_email("seat"), "name": format!("Seat {n}"), "role": "agent",
            "password": PASSWORD});
        async move { client.post("/api/v1/users", body).await }
    });
    let replies = futures::future::join_all(attempts).await;
    assert_eq!(replies.iter().filter(|reply| reply.status == 201).count(), 3, "the three free seats are taken");
    for reply in replies.into_iter().filter(|reply| reply.status != 201) {
        let reply = reply.expect_problem(402, "plan-limit-reached");
        assert_eq!((reply.body["limit"].as_u64(), reply.body["used"].as_u64()), (Some(4), Some(4)));
        assert_eq!(reply.body["plan"], plan.as_str());
    }
    assert_eq!(client.get("/api/v1/users").await.expect(200).body["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_plan_change_applies_at_once_and_a_smaller_plan_keeps_every_record_but_blocks_new_ones() {
    let staff = staff().await;
    let owner = signup("Downgrade Co").await;
    let client = owner.client();
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let hook = || json!({"url": receiver.url, "events": ["ticket.created"]});

    // Free allows one endpoint; growth twenty, at once.
    client.post(WEBHOOKS, hook()).await.expect(201);
    client.post(WEBHOOKS, hook()).await.expect_problem(402, "plan-limit-reached");
    move_to(&staff, &owner, "growth").await;
    client.post(WEBHOOKS, hook()).await.expect(201);
    client.post(WEBHOOKS, hook()).await.expect(201);
    let me = client.get("/api/v1/me").await.expect(200);
    assert_eq!(
        (me.body["plan"]["tier"].as_str(), me.body["plan"]["limits"]["webhooks"].as_u64()),
        (Some("growth"), Some(20))
    );

    // Back to free: three endpoints stay, a fourth is refused, and the problem says the records are kept.
    move_to(&staff, &owner, "free").await;
    let refused = client.post(WEBHOOKS, hook()).await.expect_problem(402, "plan-limit-reached");
    assert_eq!((refused.body["limit"].as_u64(), refused.body["used"].as_u64()), (Some(1), Some(3)));
    assert_eq!(refused.body["records_kept"], true);
    assert_eq!(refused.body["plan"], "free");
    let detail = refused.body["detail"].as_str().unwrap();
    assert!(detail.contains("Nothing was removed") && detail.contains("/settings/plan"), "{detail}");
    let hooks = client.get(WEBHOOKS).await.expect(200);
    assert_eq!(hooks.body["items"].as_array().unwrap().len(), 3, "every endpoint is kept");
    let usage = client.get(USAGE).await.expect(200);
    assert_eq!(usage.body["plan"], "free");
    let line = usage_of(&usage.body, "webhooks");
    assert_eq!(
        (line["used"].as_u64(), line["limit"].as_u64(), line["over_limit"].as_bool()),
        (Some(3), Some(1), Some(true))
    );
    assert_eq!(usage_of(&usage.body, "seats")["over_limit"], false);
    assert_eq!(usage_of(&usage.body, "api_requests_per_minute")["used"], Value::Null);

    // Freeing below the limit lets new use in again.
    for item in hooks.body["items"].as_array().unwrap() {
        client.delete(&format!("{WEBHOOKS}/{}", item["id"].as_str().unwrap())).await.expect(204);
    }
    client.post(WEBHOOKS, hook()).await.expect(201);
}

#[tokio::test]
async fn editing_a_plan_changes_the_limits_of_its_workspaces_on_their_next_request() {
    let staff = staff().await;
    let owner = signup("Edited Plan").await;
    let plan = custom_plan(&staff, limits(Some(1), Some(100), Some(1))).await;
    move_to(&staff, &owner, &plan).await;
    let new_user = || json!({"email": unique_email("edit"), "name": "Edited", "role": "agent", "password": PASSWORD});
    owner.client().post("/api/v1/users", new_user()).await.expect_problem(402, "plan-limit-reached");

    let path = format!("{PLANS}/{plan}");
    let current = staff.get(&path).await.expect(200);
    let replace = |version: u64, seats: u64| {
        json!({"version": version, "name": "Test plan, more seats", "stripe_price_id": null,
            "limits": limits(Some(seats), Some(100), Some(1)), "features": ["webhooks"], "available": true})
    };
    let replaced = staff.put(&path, replace(current.body["version"].as_u64().unwrap(), 2)).await.expect(200);
    assert_eq!((replaced.body["version"].as_u64(), replaced.body["limits"]["seats"].as_u64()), (Some(2), Some(2)));
    assert_eq!(replaced.body["stripe_price_id"], Value::Null);
    owner.client().post("/api/v1/users", new_user()).await.expect(201);

    // A stale version changes nothing and shows the plan as it is.
    let stale = staff.put(&path, replace(1, 50)).await.expect_problem(409, "version-conflict");
    assert_eq!(stale.body["current"]["version"], 2);
    assert_eq!(staff.get(&path).await.expect(200).body["limits"]["seats"], 2);

    // Retired: the workspaces on it stay, no other can move onto it.
    let mut retire = replace(2, 2);
    retire["available"] = json!(false);
    staff.put(&path, retire).await.expect(200);
    let other = signup("Not Onto Retired").await;
    let moved = staff
        .put(&format!("/api/v1/platform/workspaces/{}/plan", other.workspace_id), json!({"plan": plan}))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(moved.field_errors(), ["plan"]);
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["tier"], plan.as_str());

    // Every staff change is in the audit log, newest first, with before and after.
    let audit = staff.get("/api/v1/platform/audit?limit=100").await.expect(200);
    let entries: Vec<&Value> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["target"] == format!("plan:{plan}"))
        .collect();
    let actions: Vec<&str> = entries.iter().map(|entry| entry["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["plan.updated", "plan.updated", "plan.created"]);
    assert_eq!(entries[1]["before"]["limits"]["seats"], 1);
    assert_eq!(entries[1]["after"]["limits"]["seats"], 2);
    let moved = audit.body["items"].as_array().unwrap().iter().any(|entry| {
        entry["action"] == "workspace.plan_changed"
            && entry["target"] == format!("workspace:{}", owner.workspace_id)
            && entry["after"]["plan"] == plan.as_str()
    });
    assert!(moved, "the move onto the plan is audited");
}

#[tokio::test]
async fn the_catalog_holds_the_seed_plans_and_refuses_bad_plans_by_field() {
    let staff = staff().await;
    let catalog = staff.get(PLANS).await.expect(200);
    let ids: Vec<&str> = catalog.body["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    for seed in ["free", "starter", "growth", "enterprise"] {
        assert!(ids.contains(&seed), "{seed} is in {ids:?}");
    }
    let free = staff.get(&format!("{PLANS}/free")).await.expect(200);
    assert_eq!(
        free.body["limits"],
        json!({"seats": 3, "tickets_per_month": 100, "storage_bytes": 1u64 << 30,
        "webhooks": 1, "api_requests_per_minute": 60, "lead_capture_endpoints": 1, "leads_per_month": 100})
    );
    staff.get(&format!("{PLANS}/no-such-plan")).await.expect_problem(404, "not-found");

    let good = || {
        json!({"id": format!("ok-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]), "name": "Ok",
        "limits": limits(Some(5), None, Some(1)), "features": []})
    };
    let with = |key: &str, value: Value| {
        let mut body = good();
        body[key] = value;
        body
    };
    let mut missing_limit = good();
    missing_limit["limits"].as_object_mut().unwrap().remove("webhooks");
    for (body, fields) in [
        (with("id", json!("Bad Id")), vec!["id"]),
        (with("name", json!("  ")), vec!["name"]),
        (with("stripe_price_id", json!("prod_123")), vec!["stripe_price_id"]),
        (missing_limit, vec!["limits.webhooks"]),
        (with("limits", limits(Some(0), None, None)), vec!["limits.seats"]),
        (with("features", json!(["slack", "slack"])), vec!["features"]),
    ] {
        let refused = staff.post(PLANS, body.clone()).await.expect_problem(422, "validation-failed");
        assert_eq!(refused.field_errors(), fields, "{body}");
    }
    staff.post(PLANS, with("features", json!(["teleport"]))).await.expect_problem(422, "validation-failed");
    staff.post(PLANS, with("id", json!("free"))).await.expect_problem(409, "conflict");
    let taken = good();
    staff.post(PLANS, taken.clone()).await.expect(201);
    staff.post(PLANS, taken).await.expect_problem(409, "conflict");

    // Moving a workspace: the plan must exist, the workspace too.
    let owner = signup("Plan Moves").await;
    let path = format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id);
    let refused = staff.put(&path, json!({"plan": "platinum"})).await.expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["plan"]);
    let nowhere = "/api/v1/platform/workspaces/01a1fc98-0000-7000-8000-000000000000/plan";
    staff.put(nowhere, json!({"plan": "growth"})).await.expect_problem(404, "not-found");
}

#[tokio::test]
async fn only_staff_manage_plans_and_only_owners_read_usage() {
    let owner = signup("Plan Roles").await;
    let admin = add_member(&owner, "admin").await;
    let other = signup("Plan Roles Other").await;
    for member in [&owner, &admin] {
        let client = member.client();
        client.get(PLANS).await.expect_problem(403, "forbidden");
        client.post(PLANS, json!({})).await.expect_problem(403, "forbidden");
        client.get(&format!("{PLANS}/free")).await.expect_problem(403, "forbidden");
        client.get("/api/v1/platform/audit").await.expect_problem(403, "forbidden");
        // Not even onto their own workspace, nor another's.
        for ws in [&owner.workspace_id, &other.workspace_id] {
            let path = format!("/api/v1/platform/workspaces/{ws}/plan");
            client.put(&path, json!({"plan": "enterprise"})).await.expect_problem(403, "forbidden");
        }
    }
    assert_eq!(other.client().get("/api/v1/me").await.expect(200).body["plan"]["tier"], "free");

    let usage = owner.client().get(USAGE).await.expect(200);
    assert_eq!((usage.body["plan"].as_str(), usage.body["plan_name"].as_str()), (Some("free"), Some("Free")));
    assert_eq!(usage_of(&usage.body, "seats")["used"], 2);
    let refused = admin.client().get(USAGE).await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["permission"], "billing:manage");
    staff().await.get(USAGE).await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn keys_of_a_workspace_on_a_created_plan_are_throttled_by_the_tier_its_rate_fits() {
    let staff = staff().await;
    let owner = signup("Custom Rate").await;
    // 600 a minute: the fastest seed tier not above it is starter (300 a minute, 50 at once).
    let plan = custom_plan(&staff, limits(Some(10), Some(100), Some(1))).await;
    move_to(&staff, &owner, &plan).await;
    let key = owner.client().post("/api/v1/api-keys", json!({"name": "Sync", "scopes": ["tickets:read"]})).await;
    let key = Client::new().with_token(key.expect(201).body["secret"].as_str().unwrap());
    let reply = key.get("/api/v1/tickets/counts").await.expect(200);
    assert_eq!(reply.headers["ratelimit-limit"], "50");
    assert_eq!(reply.headers["ratelimit-policy"], "\"burst\";q=50;w=10");
}

#[tokio::test]
async fn the_search_index_counts_against_storage_beside_the_files() {
    let owner = signup("Index Storage").await;
    let client = owner.client();
    let ticket = client
        .post(
            "/api/v1/tickets",
            json!({"subject": "Warehouse scanner offline", "body": "Since this morning.",
            "customer": {"email": unique_email("scanner")}}),
        )
        .await
        .expect(201);
    let ticket = ticket.body["id"].as_str().unwrap().to_owned();
    // Once the writer has indexed the ticket, the index's bytes are the workspace's, in the total too.
    let indexed = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        let found = client.get("/api/v1/search?q=scanner").await.expect(200).body;
        let usage = client.get(USAGE).await.expect(200).body;
        found["pending"] == 0 && usage["storage"]["search_index_bytes"].as_u64().unwrap() > 0
    })
    .await;
    assert!(indexed, "the published index's size shows in the usage");
    let usage = client.get(USAGE).await.expect(200).body;
    let index_bytes = usage["storage"]["search_index_bytes"].as_u64().unwrap();
    assert_eq!(usage["storage"]["files_bytes"], 0);
    assert_eq!(usage_of(&usage, "storage_bytes")["used"], index_bytes, "the total counts the index");
    let me = client.get("/api/v1/me").await.expect(200).body;
    // The writer may have published again meanwhile (a later batch of the same changes): a few bytes.
    let me_index = me["plan"]["usage"]["search_index_bytes"].as_u64().unwrap();
    assert!(me_index.abs_diff(index_bytes) < 100, "{me_index} against {index_bytes}");

    // A plan whose storage limit leaves 500 bytes beside the index: a file of 1,000 bytes would fit
    // the files alone, but not the files and the index.
    let staff = staff().await;
    let mut tight = limits(None, None, None);
    tight["storage_bytes"] = json!(index_bytes + 500);
    let plan = custom_plan(&staff, tight).await;
    move_to(&staff, &owner, &plan).await;
    let path = format!("/api/v1/tickets/{ticket}/attachments");
    let refused = client
        .post(&path, json!({"filename": "scan.txt", "content_type": "text/plain", "size": 1_000}))
        .await
        .expect_problem(402, "plan-limit-reached");
    assert_eq!(refused.body["limit_kind"], "storage_bytes", "{}", refused.body);
    assert_eq!(refused.body["limit"], index_bytes + 500);
    // The index is rewritten as the workspace changes (a few bytes more or less): used is the index's
    // bytes as they were read for the announcement, no files.
    let used = refused.body["used"].as_u64().unwrap();
    assert!(used.abs_diff(index_bytes) < 100, "what is used is the index: {}", refused.body);
    // What fits beside the index is accepted.
    client.post(&path, json!({"filename": "note.txt", "content_type": "text/plain", "size": 400})).await.expect(201);
    let usage = client.get(USAGE).await.expect(200).body;
    assert_eq!(usage["storage"]["files_bytes"], 400);
    let index_bytes = usage["storage"]["search_index_bytes"].as_u64().unwrap();
    assert_eq!(usage_of(&usage, "storage_bytes")["used"], index_bytes + 400);
}
