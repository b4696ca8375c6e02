//! Managing members: roles and permissions, seat limits under concurrency, the last owner, deactivation.

use std::time::Duration;

use serde_json::json;
use switchboard_tests::{AUTHORIZER_TTL, Client, PASSWORD, add_member, eventually, signup, unique_email};

fn new_user(role: &str) -> serde_json::Value {
    json!({"email": unique_email(role), "name": format!("New {role}"), "role": role, "password": PASSWORD})
}

#[tokio::test]
async fn agents_and_viewers_cannot_manage_or_list_members() {
    let owner = signup("RBAC Co").await;
    let agent = add_member(&owner, "agent").await;
    let viewer = add_member(&owner, "viewer").await;
    for member in [&agent, &viewer] {
        let client = member.client();
        let reply = client.get("/api/v1/users").await.expect_problem(403, "forbidden");
        assert_eq!(reply.body["permission"], "users:read");
        client.post("/api/v1/users", new_user("agent")).await.expect_problem(403, "forbidden");
        client
            .patch(&format!("/api/v1/users/{}", owner.user_id), json!({"role": "viewer"}))
            .await
            .expect_problem(403, "forbidden");
        client.get(&format!("/api/v1/users/{}", owner.user_id)).await.expect_problem(403, "forbidden");
        // Everyone may read themselves.
        client.get(&format!("/api/v1/users/{}", member.user_id)).await.expect(200);
        client.get("/api/v1/me").await.expect(200);
    }
    let me = viewer.client().get("/api/v1/me").await.expect(200);
    assert!(!me.body["permissions"].as_array().unwrap().contains(&json!("tickets:write")));
}

#[tokio::test]
async fn managers_list_but_do_not_manage_and_admins_cannot_touch_owners() {
    let owner = signup("Roles Co").await;
    let manager = add_member(&owner, "manager").await;
    let listed = manager.client().get("/api/v1/users").await.expect(200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    manager.client().post("/api/v1/users", new_user("agent")).await.expect_problem(403, "forbidden");

    let admin = add_member(&owner, "admin").await;
    admin.client().post("/api/v1/users", new_user("owner")).await.expect_problem(403, "forbidden");
    admin
        .client()
        .patch(&format!("/api/v1/users/{}", owner.user_id), json!({"status": "deactivated"}))
        .await
        .expect_problem(403, "forbidden");
    let promoted = admin
        .client()
        .patch(&format!("/api/v1/users/{}", manager.user_id), json!({"role": "agent", "name": "Demoted Manager"}))
        .await
        .expect(200);
    assert_eq!(promoted.body["role"], "agent");
    assert_eq!(promoted.body["name"], "Demoted Manager");
    // The new role applies within the authorizer cache TTL, read from storage, not from the old token.
    let refused =
        eventually(AUTHORIZER_TTL * 3, async || manager.client().get("/api/v1/users").await.status == 403).await;
    assert!(refused, "the demoted manager still lists members");
}

#[tokio::test]
async fn seats_never_overshoot_under_concurrent_adds() {
    let owner = signup("Seats Co").await; // free plan: 3 seats, the owner holds one
    let client = owner.client();
    let attempts = (0..8).map(|_| {
        let client = client.clone();
        async move { client.post("/api/v1/users", new_user("agent")).await }
    });
    let replies = futures::future::join_all(attempts).await;
    let created = replies.iter().filter(|reply| reply.status == 201).count();
    let refused: Vec<_> = replies.into_iter().filter(|reply| reply.status != 201).collect();
    assert_eq!(created, 2, "exactly the two free seats are taken");
    for reply in refused {
        let reply = reply.expect_problem(402, "plan-limit-reached");
        assert_eq!(reply.body["limit_kind"], "seats");
        assert_eq!(reply.body["limit"], 3);
        assert_eq!(reply.body["used"], 3);
    }
    let members = client.get("/api/v1/users").await.expect(200);
    assert_eq!(members.body["items"].as_array().unwrap().len(), 3);
    let me = client.get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["seats"], 3);

    // Deactivating frees a seat; reactivating needs one.
    let some_agent = members.body["items"].as_array().unwrap().iter().find(|m| m["role"] == "agent").unwrap().clone();
    let agent_path = format!("/api/v1/users/{}", some_agent["id"].as_str().unwrap());
    client.patch(&agent_path, json!({"status": "deactivated"})).await.expect(200);
    client.post("/api/v1/users", new_user("viewer")).await.expect(201);
    client.patch(&agent_path, json!({"status": "active"})).await.expect_problem(402, "plan-limit-reached");
}

#[tokio::test]
async fn the_same_email_cannot_join_a_workspace_twice() {
    let owner = signup("Unique Co").await;
    let user = new_user("agent");
    owner.client().post("/api/v1/users", user.clone()).await.expect(201);
    let mut again = user.clone();
    again["email"] = json!(user["email"].as_str().unwrap().to_uppercase());
    owner.client().post("/api/v1/users", again).await.expect_problem(409, "email-taken");
}

#[tokio::test]
async fn the_last_owner_can_be_neither_demoted_nor_deactivated() {
    let owner = signup("Owners Co").await;
    let path = format!("/api/v1/users/{}", owner.user_id);
    owner.client().patch(&path, json!({"role": "admin"})).await.expect_problem(409, "last-owner");
    owner.client().patch(&path, json!({"status": "deactivated"})).await.expect_problem(403, "forbidden");

    let second = add_member(&owner, "owner").await;
    // Now two owners: each may demote the other, but not both at once.
    let (owner_client, second_client) = (owner.client(), second.client());
    let second_path = format!("/api/v1/users/{}", second.user_id);
    let (a, b) = tokio::join!(
        owner_client.patch(&second_path, json!({"role": "admin"})),
        second_client.patch(&path, json!({"role": "admin"}))
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    // The loser is refused by the owner counter (409), or by its own fresh demotion (403).
    assert!(statuses == [200, 409] || statuses == [200, 403], "one demotion wins, got {statuses:?}");
    let winner = if a.status == 200 { &owner } else { &second };
    let listed = winner.client().get("/api/v1/users").await.expect(200);
    let owners = listed.body["items"].as_array().unwrap().iter().filter(|m| m["role"] == "owner").count();
    assert_eq!(owners, 1, "exactly one owner remains: {}", listed.body);
}

#[tokio::test]
async fn a_deactivated_member_is_locked_out_within_the_authorizer_ttl() {
    let owner = signup("Deactivate Co").await;
    let agent = add_member(&owner, "agent").await;
    agent.client().get("/api/v1/me").await.expect(200);

    owner
        .client()
        .patch(&format!("/api/v1/users/{}", agent.user_id), json!({"status": "deactivated"}))
        .await
        .expect(200);
    let locked_out = eventually(AUTHORIZER_TTL + Duration::from_secs(3), async || {
        agent.client().get("/api/v1/me").await.status == 401
    })
    .await;
    assert!(locked_out, "the deactivated agent's access token still works");
    Client::new()
        .post("/api/v1/auth/refresh", json!({"refresh_token": agent.refresh_token}))
        .await
        .expect_problem(401, "unauthenticated");
    Client::new()
        .post("/api/v1/auth/login", json!({"email": agent.email, "password": PASSWORD}))
        .await
        .expect_problem(401, "unauthenticated");

    owner.client().patch(&format!("/api/v1/users/{}", agent.user_id), json!({"status": "active"})).await.expect(200);
    switchboard_tests::login(&agent.email, None).await.client().get("/api/v1/me").await.expect(200);
}

#[tokio::test]
async fn members_page_with_cursors_and_bad_page_params_are_refused() {
    let owner = signup("Pages Co").await;
    add_member(&owner, "agent").await;
    add_member(&owner, "viewer").await;
    let client = owner.client();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            None => "/api/v1/users?limit=1".to_owned(),
            Some(cursor) => format!("/api/v1/users?limit=1&cursor={cursor}"),
        };
        let page = client.get(&path).await.expect(200);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 1);
        seen.extend(items.iter().map(|m| m["id"].as_str().unwrap().to_owned()));
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (3, 3), "every member once: {seen:?}");

    for bad in ["limit=0", "limit=101", "limit=ten"] {
        let reply = client.get(&format!("/api/v1/users?{bad}")).await.expect_problem(422, "validation-failed");
        assert_eq!(reply.field_errors(), ["limit"]);
    }
    let reply = client.get("/api/v1/users?cursor=forged.cursor").await.expect_problem(422, "validation-failed");
    assert_eq!(reply.field_errors(), ["cursor"]);
}
