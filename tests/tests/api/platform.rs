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
