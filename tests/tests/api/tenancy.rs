//! Tenant isolation: nothing of another workspace is visible or changeable, whatever the ids or cursors.

use serde_json::json;
use switchboard_tests::{add_member, signup};

#[tokio::test]
async fn another_workspaces_members_are_not_found() {
    let acme = signup("Acme").await;
    let globex = signup("Globex").await;
    let globex_agent = add_member(&globex, "agent").await;
    let foreign = format!("/api/v1/users/{}", globex_agent.user_id);

    acme.client().get(&foreign).await.expect_problem(404, "not-found");
    acme.client().patch(&foreign, json!({"role": "viewer"})).await.expect_problem(404, "not-found");
    acme.client().patch(&foreign, json!({"status": "deactivated"})).await.expect_problem(404, "not-found");
    // Globex's agent is untouched.
    globex_agent.client().get("/api/v1/me").await.expect(200);
    let still = globex.client().get(&foreign).await.expect(200);
    assert_eq!(still.body["role"], "agent");
    assert_eq!(still.body["status"], "active");

    let listed = acme.client().get("/api/v1/users").await.expect(200);
    let ids: Vec<&str> = listed.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [acme.user_id.as_str()]);
}

#[tokio::test]
async fn a_cursor_from_another_workspace_is_refused() {
    let acme = signup("Acme Cursor").await;
    add_member(&acme, "agent").await;
    let globex = signup("Globex Cursor").await;
    let page = acme.client().get("/api/v1/users?limit=1").await.expect(200);
    let cursor = page.body["next_cursor"].as_str().expect("a second page").to_owned();
    let reply = globex
        .client()
        .get(&format!("/api/v1/users?limit=1&cursor={cursor}"))
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["cursor"]);
}

#[tokio::test]
async fn garbage_ids_are_not_found() {
    let acme = signup("Acme Ids").await;
    acme.client().get("/api/v1/users/not-a-uuid").await.expect_problem(404, "not-found");
    acme.client().get("/api/v1/users/01a1fc98-0000-7000-8000-000000000000").await.expect_problem(404, "not-found");
}
