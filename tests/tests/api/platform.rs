//! Platform staff: outside every workspace, and workspace members cannot reach the platform API.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::json;
use switchboard_tests::{Client, PASSWORD, signup, stack, unique_email};

async fn staff_token() -> String {
    let email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Pat Platform", PASSWORD).await.unwrap();
    let reply = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    reply.body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn staff_see_every_workspace_but_no_tenant_data_routes() {
    let acme = signup("Platform Acme").await;
    let token = staff_token().await;
    let staff = Client::new().with_token(&token);

    let mut found = false;
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        let path = match &cursor {
            None => "/api/v1/platform/workspaces?limit=100".to_owned(),
            Some(cursor) => format!("/api/v1/platform/workspaces?limit=100&cursor={cursor}"),
        };
        let page = staff.get(&path).await.expect(200);
        found |= page.body["items"].as_array().unwrap().iter().any(|w| w["id"] == acme.workspace_id.as_str());
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
        if found || cursor.is_none() {
            break;
        }
    }
    assert!(found, "the new workspace is in the directory");

    staff.get("/api/v1/users").await.expect_problem(403, "forbidden");
    staff.get("/api/v1/me").await.expect_problem(403, "forbidden");
}

#[tokio::test]
async fn members_cannot_use_the_platform_api_and_staff_logins_are_checked() {
    let owner = signup("Not Staff").await;
    owner.client().get("/api/v1/platform/workspaces").await.expect_problem(403, "forbidden");
    Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": owner.email, "password": PASSWORD}))
        .await
        .expect_problem(401, "unauthenticated");
}

/// The authenticator app's code for the stack's clock, `steps` 30-second steps ahead.
fn authenticator_code(secret: &str, steps: i64) -> String {
    let secret = shared::auth::totp::TotpSecret::from_stored(secret).expect("a base32 secret");
    let at = stack().app.clock.now() + jiff::SignedDuration::from_secs(30 * steps);
    secret.code_at(at).unwrap()
}

#[tokio::test]
async fn an_enrolled_second_factor_is_required_at_login_and_each_code_works_once() {
    let email = unique_email("staff-totp");
    shared::services::platform::ensure_staff(stack().app, &email, "Tess Totp", PASSWORD).await.unwrap();
    let login = |code: Option<String>| {
        let email = email.clone();
        async move {
            let mut body = json!({"email": email, "password": PASSWORD});
            if let Some(code) = code {
                body["totp_code"] = json!(code);
            }
            Client::new().post("/api/v1/platform/auth/login", body).await
        }
    };
    let session = login(None).await.expect(200);
    assert_eq!(session.body["staff"]["second_factor"], false);
    let staff = Client::new().with_token(session.body["access_token"].as_str().unwrap());

    let enrolment = staff.post("/api/v1/platform/auth/totp", json!({})).await.expect(201);
    let secret = enrolment.body["secret"].as_str().unwrap().to_owned();
    let uri = enrolment.body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Switchboard:") && uri.contains(&format!("secret={secret}")), "{uri}");

    // Until a code confirms it, the password alone still logs in.
    login(None).await.expect(200);
    let valid: Vec<String> = (-1..=1).map(|steps| authenticator_code(&secret, steps)).collect();
    let wrong = (0..1_000_000).map(|n| format!("{n:06}")).find(|code| !valid.contains(code)).unwrap();
    let refused = staff.post("/api/v1/platform/auth/totp/confirm", json!({"code": wrong})).await.expect(422);
    assert_eq!(refused.field_errors(), vec!["code"]);

    let confirming_code = authenticator_code(&secret, 0);
    let confirmed =
        staff.post("/api/v1/platform/auth/totp/confirm", json!({"code": confirming_code})).await.expect(200);
    assert_eq!(confirmed.body["second_factor"], true);
    staff.post("/api/v1/platform/auth/totp", json!({})).await.expect_problem(409, "conflict");

    let without = login(None).await.expect_problem(401, "second-factor-required");
    assert!(without.body["detail"].as_str().unwrap().contains("totp_code"));
    // The code that confirmed enrolment is spent, and so is any code of its step or before.
    login(Some(confirming_code.clone())).await.expect_problem(401, "unauthenticated");
    let next = authenticator_code(&secret, 1);
    let session = login(Some(next.clone())).await.expect(200);
    assert_eq!(session.body["staff"]["second_factor"], true);
    let replayed = login(Some(next)).await.expect_problem(401, "unauthenticated");
    assert!(replayed.body["detail"].as_str().unwrap().contains("used already"), "{}", replayed.body);

    let audit = staff.get("/api/v1/platform/audit?limit=100").await.expect(200);
    let enrolled = audit.body["items"].as_array().unwrap().iter().find(|entry| {
        entry["action"] == "staff.second_factor_enrolled" && entry["staff_id"] == session.body["staff"]["id"]
    });
    assert!(enrolled.is_some(), "the enrolment is audited");

    // The recovery of a lost device: operations remove the factor, the password alone logs in again.
    assert!(shared::services::platform::reset_second_factor(stack().app, &email).await.unwrap());
    let session = login(None).await.expect(200);
    assert_eq!(session.body["staff"]["second_factor"], false);
}

async fn search(staff: &Client, q: &str) -> Vec<serde_json::Value> {
    let path = format!("/api/v1/platform/workspaces?q={}", urlencoding(q));
    staff.get(&path).await.expect(200).body["items"].as_array().unwrap().clone()
}

fn by_name_of(rows: &[serde_json::Value], id: &str) -> serde_json::Value {
    rows.iter().find(|row| row["id"] == id).cloned().unwrap_or_else(|| panic!("{id} is not in {rows:?}"))
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn staff_find_a_workspace_by_name_owner_email_or_id_with_its_usage_and_plan() {
    let marker = uuid::Uuid::new_v4().simple().to_string()[..10].to_owned();
    let owner_email = format!("quinn-{marker}@console.example");
    let acme = switchboard_tests::signup_as(&format!("Quokka {marker} Ltd"), &owner_email).await;
    let other = signup(&format!("Quokka {marker}-other")).await;
    for n in 0..2 {
        acme.client()
            .post(
                "/api/v1/tickets",
                json!({"subject": format!("T{n}"), "body": "B", "customer": {"email": unique_email("c")}}),
            )
            .await
            .expect(201);
    }
    let staff = Client::new().with_token(&staff_token().await);

    let by_name = search(&staff, &format!("quokka {marker}")).await;
    let ids: Vec<&str> = by_name.iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&acme.workspace_id.as_str()) && ids.contains(&other.workspace_id.as_str()), "{by_name:?}");
    let by_name = search(&staff, &format!("QUOKKA {marker} L")).await;
    assert_eq!(by_name.len(), 1, "a longer prefix narrows it: {by_name:?}");
    let untouched = by_name_of(&search(&staff, &format!("quokka {marker}-other")).await, &other.workspace_id);
    assert_eq!((untouched["storage_bytes"].as_u64(), untouched["tickets_this_month"].as_u64()), (Some(0), Some(0)));

    let row = &search(&staff, &format!("quinn-{marker}@")).await[..];
    assert_eq!(row.len(), 1, "the owner's e-mail prefix finds only that workspace: {row:?}");
    let row = &row[0];
    assert_eq!(row["id"], acme.workspace_id.as_str());
    assert_eq!(row["plan"], "free");
    assert_eq!((row["seats_used"].as_u64(), row["seat_limit"].as_u64()), (Some(1), Some(3)));
    assert_eq!(row["tickets_this_month"], 2);
    // Storage counts the files and the search index, which grows as the two tickets are indexed.
    assert!(row["storage_bytes"].is_u64(), "{row}");
    // The two tickets were the owner's calls this month (the search and sign-up are not the workspace's).
    assert!(row["api_calls_this_month"].as_u64().is_some_and(|calls| calls >= 2), "{row}");
    assert!(row["subscription_status"].is_null(), "{row}");
    assert!(row["created_at"].is_string());

    let by_id = search(&staff, &acme.workspace_id).await;
    assert_eq!(by_id.len(), 1);
    assert_eq!(by_id[0]["name"], format!("Quokka {marker} Ltd"));
    assert!(search(&staff, &format!("nobody-{marker}")).await.is_empty());

    acme.client().get(&format!("/api/v1/platform/workspaces?q={marker}")).await.expect_problem(403, "forbidden");
    acme.client()
        .get(&format!("/api/v1/platform/workspaces/{}", acme.workspace_id))
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_workspaces_page_shows_its_tickets_per_day_from_the_report_counters() {
    let owner = signup("Console Daily").await;
    for n in 0..3 {
        owner
            .client()
            .post(
                "/api/v1/tickets",
                json!({"subject": format!("D{n}"), "body": "B", "customer": {"email": unique_email("c")}}),
            )
            .await
            .expect(201);
    }
    let staff = Client::new().with_token(&staff_token().await);
    let path = format!("/api/v1/platform/workspaces/{}", owner.workspace_id);
    let today = stack().app.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    let counted = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        let page = staff.get(&path).await.expect(200);
        let days = page.body["activity"]["days"].as_array().unwrap().clone();
        days.last().is_some_and(|day| day["date"] == today.as_str() && day["tickets_created"] == 3)
    })
    .await;
    assert!(counted, "today's three tickets reach the workspace's page");
    let page = staff.get(&path).await.expect(200);
    assert_eq!(page.body["activity"]["days"].as_array().unwrap().len(), 30, "the last 30 days by default");
    assert_eq!(page.body["usage"]["tickets"], 3);
    assert_eq!(page.body["workspace"]["tickets_this_month"], 3);
    assert_eq!(page.body["limits"]["seats"], 3);

    staff.get(&format!("/api/v1/platform/workspaces/{}", uuid_workspace())).await.expect_problem(404, "not-found");
    staff.get(&format!("{path}?from=2026-01-01&to=2027-12-31")).await.expect_problem(422, "validation-failed");
}

fn uuid_workspace() -> String {
    shared::domain::ids::WorkspaceId::generate().to_string()
}

#[tokio::test]
async fn extra_seats_granted_by_staff_let_one_more_member_in_and_are_audited() {
    let owner = signup("Console Extras").await; // free: 3 seats, the owner holds one
    let add = |n: u32| {
        let client = owner.client();
        async move {
            let body = json!({"email": unique_email("extra"), "name": format!("Extra {n}"), "role": "agent",
                "password": PASSWORD});
            client.post("/api/v1/users", body).await
        }
    };
    add(1).await.expect(201);
    add(2).await.expect(201);
    let full = add(3).await.expect_problem(402, "plan-limit-reached");
    assert_eq!(full.body["limit"], 3);

    let staff = Client::new().with_token(&staff_token().await);
    let path = format!("/api/v1/platform/workspaces/{}/limit-extras", owner.workspace_id);
    let granted = staff
        .put(&path, json!({"seats": 1, "tickets_per_month": 0, "storage_bytes": 0, "webhooks": 0}))
        .await
        .expect(200);
    assert_eq!(granted.body["limits"]["seats"], 4);
    assert_eq!(granted.body["limit_extras"]["seats"], 1);
    staff.put(&path, json!({"seats": 1})).await.expect(422);
    owner
        .client()
        .put(&path, json!({"seats": 9, "tickets_per_month": 0, "storage_bytes": 0, "webhooks": 0}))
        .await
        .expect_problem(403, "forbidden");

    add(4).await.expect(201);
    let full = add(5).await.expect_problem(402, "plan-limit-reached");
    assert_eq!((full.body["limit"].as_u64(), full.body["used"].as_u64()), (Some(4), Some(4)));
    let page = staff.get(&format!("/api/v1/platform/workspaces/{}", owner.workspace_id)).await.expect(200);
    assert_eq!((page.body["plan_limits"]["seats"].as_u64(), page.body["limits"]["seats"].as_u64()), (Some(3), Some(4)));

    let audit = staff.get("/api/v1/platform/audit?limit=100").await.expect(200);
    let entry = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["target"] == format!("workspace:{}", owner.workspace_id))
        .cloned()
        .expect("the grant is audited");
    assert_eq!(entry["action"], "workspace.limit_extras_changed");
    assert_eq!((entry["before"]["seats"].as_u64(), entry["after"]["seats"].as_u64()), (Some(0), Some(1)));
}

#[tokio::test]
async fn staff_see_system_health_from_the_local_stacks_own_counters() {
    let staff = Client::new().with_token(&staff_token().await);
    let before = staff.get("/api/v1/platform/health").await.expect(200);
    assert_eq!(before.body["source"], "local");
    assert_eq!(before.body["window_minutes"], 60);
    let queues: Vec<&str> =
        before.body["dead_letter_queues"].as_array().unwrap().iter().map(|q| q["name"].as_str().unwrap()).collect();
    assert_eq!(
        queues,
        ["webhook", "email", "export", "email-events", "email-inbound", "search", "outbox", "stripe-events"]
    );
    assert!(before.body["dead_letter_queues"].as_array().unwrap().iter().all(|q| q["depth"].is_u64()));

    // Three answered requests (one of them a 404) are counted; other tests add to the count meanwhile.
    staff.get("/api/v1/platform/plans").await.expect(200);
    staff.get("/api/v1/platform/audit").await.expect(200);
    staff.get(&format!("/api/v1/platform/workspaces/{}", uuid_workspace())).await.expect(404);
    let after = staff.get("/api/v1/platform/health?minutes=5").await.expect(200);
    let requests = |reply: &serde_json::Value| reply["api"]["requests"].as_u64().unwrap();
    assert!(requests(&after.body) >= 4, "{}", after.body);
    assert_eq!(after.body["window_minutes"], 5);
    let rate = after.body["api"]["server_error_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&rate));

    staff.get("/api/v1/platform/health?minutes=0").await.expect_problem(422, "validation-failed");
    staff.get("/api/v1/platform/health?minutes=1441").await.expect_problem(422, "validation-failed");
    signup("Not Staff Health").await.client().get("/api/v1/platform/health").await.expect_problem(403, "forbidden");
}

/// The staff member's item exactly as the table holds it.
async fn raw_staff(staff_id: &str) -> std::collections::HashMap<String, AttributeValue> {
    let app = stack().app;
    aws_sdk_dynamodb::Client::new(&app.aws)
        .get_item()
        .table_name(&app.config.table_name)
        .key("PK", AttributeValue::S("PLATFORM".to_owned()))
        .key("SK", AttributeValue::S(format!("STAFF#{staff_id}")))
        .send()
        .await
        .unwrap()
        .item
        .expect("the staff item")
}

/// Fails unless the item holds the secret sealed, and nowhere in the clear.
fn assert_sealed(item: &std::collections::HashMap<String, AttributeValue>, secret: &str) {
    let text = format!("{item:?}");
    assert!(!text.contains(secret), "the second-factor secret is stored in the clear: {text}");
    assert!(!item.contains_key("totp_secret"), "a secret in the clear: {text}");
    assert!(matches!(item.get("totp_sealed"), Some(AttributeValue::M(_))), "no sealed secret: {text}");
}

async fn staff_login(email: &str, code: Option<String>) -> switchboard_tests::Reply {
    let mut body = json!({"email": email, "password": PASSWORD});
    if let Some(code) = code {
        body["totp_code"] = json!(code);
    }
    Client::new().post("/api/v1/platform/auth/login", body).await
}

/// A staff member enrolled with a confirmed second factor (the code of `confirm_step` spent): their
/// e-mail, id and secret.
async fn enrolled_staff(name: &str, confirm_step: i64) -> (String, String, String) {
    let email = unique_email("staff-sealed");
    shared::services::platform::ensure_staff(stack().app, &email, name, PASSWORD).await.unwrap();
    let session = staff_login(&email, None).await.expect(200);
    let staff_id = session.body["staff"]["id"].as_str().unwrap().to_owned();
    let staff = Client::new().with_token(session.body["access_token"].as_str().unwrap());
    let enrolment = staff.post("/api/v1/platform/auth/totp", json!({})).await.expect(201);
    let secret = enrolment.body["secret"].as_str().unwrap().to_owned();
    assert_sealed(&raw_staff(&staff_id).await, &secret);
    let code = authenticator_code(&secret, confirm_step);
    staff.post("/api/v1/platform/auth/totp/confirm", json!({"code": code})).await.expect(200);
    assert_sealed(&raw_staff(&staff_id).await, &secret);
    (email, staff_id, secret)
}

#[tokio::test]
async fn a_second_factor_secret_is_sealed_at_rest_and_still_checks_codes() {
    let (email, _, secret) = enrolled_staff("Sid Sealed", 0).await;
    staff_login(&email, None).await.expect_problem(401, "second-factor-required");
    staff_login(&email, Some(authenticator_code(&secret, 1))).await.expect(200);
}

#[tokio::test]
async fn a_second_factor_secret_stored_in_the_clear_keeps_working_and_its_next_login_seals_it() {
    let (email, staff_id, secret) = enrolled_staff("Clara Clear", -1).await;
    // An account enrolled before sealing: the secret in the clear, nothing sealed.
    let mut item = raw_staff(&staff_id).await;
    item.remove("totp_sealed");
    item.insert("totp_secret".to_owned(), AttributeValue::S(secret.clone()));
    let app = stack().app;
    let client = aws_sdk_dynamodb::Client::new(&app.aws);
    client.put_item().table_name(&app.config.table_name).set_item(Some(item)).send().await.unwrap();
    assert!(format!("{:?}", raw_staff(&staff_id).await).contains(&secret));

    // Its codes still work, the login that spends one seals the secret, and the sealed one works on.
    staff_login(&email, Some(authenticator_code(&secret, 0))).await.expect(200);
    assert_sealed(&raw_staff(&staff_id).await, &secret);
    staff_login(&email, Some(authenticator_code(&secret, 1))).await.expect(200);
}

/// The workspace's API calls this month as the console's directory shows them.
async fn api_calls_in_directory(staff: &Client, workspace: &str) -> u64 {
    by_name_of(&search(staff, workspace).await, workspace)["api_calls_this_month"].as_u64().expect("a count")
}

#[tokio::test]
async fn each_workspaces_api_calls_are_counted_per_day_and_month_and_shown_to_staff_and_owners() {
    let busy = signup("Busy Calls").await;
    let quiet = signup("Quiet Calls").await;
    let staff = Client::new().with_token(&staff_token().await);
    let (busy_before, quiet_before) = (
        api_calls_in_directory(&staff, &busy.workspace_id).await,
        api_calls_in_directory(&staff, &quiet.workspace_id).await,
    );

    // Every request the workspace's people make counts once; staff's reads of it count for nobody.
    for _ in 0..5 {
        busy.client().get("/api/v1/me").await.expect(200);
    }
    // A request the function refuses reached the API all the same.
    let refused = busy.client().get("/api/v1/tickets/not-a-ticket").await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    assert_eq!(api_calls_in_directory(&staff, &busy.workspace_id).await, busy_before + 6);
    assert_eq!(api_calls_in_directory(&staff, &quiet.workspace_id).await, quiet_before, "another workspace's count");

    // The owner's usage shows the month's count (its own request may or may not be in it yet).
    let usage = busy.client().get("/api/v1/billing/usage").await.expect(200).body;
    let shown = usage["api_calls_this_month"].as_u64().expect("a count");
    assert!((busy_before + 6..=busy_before + 7).contains(&shown), "{usage}");
    let month_total = busy_before + 7;
    assert_eq!(api_calls_in_directory(&staff, &busy.workspace_id).await, month_total);

    // The workspace's page: the month's count, and the calls per day (all of them today).
    let page = staff.get(&format!("/api/v1/platform/workspaces/{}", busy.workspace_id)).await.expect(200).body;
    assert_eq!(page["workspace"]["api_calls_this_month"], month_total);
    assert_eq!(page["usage"]["api_calls"], month_total);
    let days = page["api_calls"]["days"].as_array().unwrap();
    assert_eq!(days.len(), 30, "the last 30 days by default, as the tickets per day");
    let today = stack().app.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date().to_string();
    assert_eq!(days.last().unwrap()["date"], today.as_str());
    assert_eq!(days.last().unwrap()["calls"], month_total, "{page}");
    assert_eq!(page["api_calls"]["total"], month_total);
    assert!(days[..29].iter().all(|day| day["calls"] == 0), "the workspace is new today");
}
