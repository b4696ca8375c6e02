//! Platform staff: outside every workspace, and workspace members cannot reach the platform API.

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
