//! API keys: made by admins with scopes, shown once, listed by prefix with last use, revoked and rotated;
//! the authorizer takes them like access tokens and each route asks for its scope (403 otherwise); the
//! workspace's plan rate-limits them (429); keys, like everything else, stay inside their workspace.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{AUTHORIZER_TTL, Client, Member, add_member, eventually, signup};

use crate::tickets::new_ticket;

const KEYS: &str = "/api/v1/api-keys";

async fn make_key(admin: &Member, scopes: Value) -> Value {
    admin.client().post(KEYS, json!({"name": "Zapier", "scopes": scopes})).await.expect(201).body
}

fn with_key(key: &Value) -> Client {
    Client::new().with_token(key["secret"].as_str().unwrap())
}

#[tokio::test]
async fn a_key_is_shown_once_listed_by_prefix_and_limited_to_its_scopes() {
    let owner = signup("Keyed Co").await;
    let ticket = new_ticket(&owner.client(), "Seen through a key").await;
    let key = make_key(&owner, json!(["tickets:read"])).await;
    let secret = key["secret"].as_str().unwrap();
    assert!(secret.starts_with("sbk_") && secret.len() > 40, "{key}");
    assert_eq!(key["prefix"], secret[..12]);
    assert_eq!(key["scopes"], json!(["tickets:read"]));

    let listed = owner.client().get(KEYS).await.expect(200);
    assert_eq!(listed.body["items"][0]["prefix"], key["prefix"]);
    assert!(listed.body["items"][0]["last_used_at"].is_null());
    assert!(!listed.body.to_string().contains(&secret[12..]), "the secret is never shown again");

    // Within its scope the key works like a member's token...
    let client = with_key(&key);
    let listed_tickets = client.get("/api/v1/tickets").await.expect(200);
    assert_eq!(listed_tickets.body["items"][0]["id"], ticket["id"]);
    client.get(&format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap())).await.expect(200);
    client.get("/api/v1/me").await.expect(200);
    // ...and beyond it, each route names the scope it needs.
    let refused = client.post("/api/v1/tickets", json!({"subject": "x", "body": "y"})).await;
    assert_eq!(refused.expect_problem(403, "forbidden").body["scope"], "tickets:write");
    let refused = client.get("/api/v1/customers").await.expect_problem(403, "forbidden");
    assert_eq!(refused.body["scope"], "customers:read");
    client.get("/api/v1/webhooks").await.expect_problem(403, "forbidden");
    // Keys cannot manage keys.
    client.get(KEYS).await.expect_problem(403, "forbidden");
    client.post(KEYS, json!({"name": "child", "scopes": ["tickets:read"]})).await.expect_problem(403, "forbidden");

    let used = owner.client().get(KEYS).await.expect(200);
    assert!(used.body["items"][0]["last_used_at"].is_string(), "last use is recorded: {}", used.body);

    // A wrong key is no key.
    Client::new()
        .with_token("sbk_not-a-real-key-at-all-0000000000000000000")
        .get("/api/v1/me")
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn only_admins_make_keys_and_never_beyond_their_role() {
    let owner = signup("Key Rules").await;
    let admin = add_member(&owner, "admin").await;
    let agent = add_member(&owner, "agent").await;
    let refused = agent.client().post(KEYS, json!({"name": "mine", "scopes": ["tickets:read"]})).await;
    assert_eq!(refused.expect_problem(403, "forbidden").body["permission"], "integrations:manage");
    agent.client().get(KEYS).await.expect_problem(403, "forbidden");

    for (scopes, why) in [
        (json!([]), "at least one"),
        (json!(["users:manage"]), "not a key scope"),
        (json!(["billing:manage"]), "not a key scope"),
        (json!(["tickets:fly"]), "not a key scope"),
    ] {
        let reply = admin.client().post(KEYS, json!({"name": "k", "scopes": scopes})).await;
        let reply = reply.expect_problem(422, "validation-failed");
        assert_eq!(reply.field_errors(), ["scopes"]);
        assert!(reply.body["errors"][0]["message"].as_str().unwrap().contains(why), "{}", reply.body);
    }
    admin
        .client()
        .post(KEYS, json!({"name": " ", "scopes": ["tickets:read"]}))
        .await
        .expect_problem(422, "validation-failed");
    let key = make_key(&admin, json!(["tickets:read", "tickets:write", "webhooks:manage"])).await;
    with_key(&key).get("/api/v1/webhooks").await.expect(200);
}

#[tokio::test]
async fn revoked_and_rotated_secrets_stop_working() {
    let owner = signup("Key Lifecycle").await;
    let key = make_key(&owner, json!(["tickets:read"])).await;
    let id = key["id"].as_str().unwrap();
    with_key(&key).get("/api/v1/tickets").await.expect(200);

    let rotated = owner.client().post(&format!("{KEYS}/{id}/rotate"), json!({})).await.expect(200);
    assert_ne!(rotated.body["secret"], key["secret"]);
    assert_eq!(rotated.body["scopes"], json!(["tickets:read"]));
    with_key(&rotated.body).get("/api/v1/tickets").await.expect(200);
    let old = with_key(&key);
    assert!(
        eventually(AUTHORIZER_TTL + Duration::from_secs(3), async || old.get("/api/v1/tickets").await.status == 401)
            .await,
        "the old secret still works after rotation"
    );

    let revoked = owner.client().delete(&format!("{KEYS}/{id}")).await.expect(200);
    assert!(revoked.body["revoked_at"].is_string());
    let new = with_key(&rotated.body);
    assert!(
        eventually(AUTHORIZER_TTL + Duration::from_secs(3), async || new.get("/api/v1/tickets").await.status == 401)
            .await,
        "a revoked key still works"
    );
    owner.client().post(&format!("{KEYS}/{id}/rotate"), json!({})).await.expect_problem(409, "conflict");
}

#[tokio::test]
async fn keys_endpoints_and_data_stay_inside_their_workspace() {
    let owner = signup("Key Home").await;
    let stranger = signup("Key Stranger").await;
    let theirs = new_ticket(&stranger.client(), "Not for the key").await;
    let key = make_key(&owner, json!(["tickets:read", "webhooks:manage"])).await;
    let id = key["id"].as_str().unwrap();

    assert_eq!(stranger.client().get(KEYS).await.expect(200).body["items"], json!([]));
    stranger.client().delete(&format!("{KEYS}/{id}")).await.expect_problem(404, "not-found");
    stranger.client().post(&format!("{KEYS}/{id}/rotate"), json!({})).await.expect_problem(404, "not-found");
    with_key(&key).get("/api/v1/tickets").await.expect(200);

    let client = with_key(&key);
    client.get(&format!("/api/v1/tickets/{}", theirs["id"].as_str().unwrap())).await.expect_problem(404, "not-found");
    assert_eq!(client.get("/api/v1/tickets").await.expect(200).body["items"], json!([]));
    assert_eq!(client.get("/api/v1/webhooks").await.expect(200).body["items"], json!([]));
}

#[tokio::test]
async fn the_plan_rate_limits_a_workspaces_keys_with_429_and_rate_limit_headers() {
    let owner = signup("Busy Integrator").await;
    let key = make_key(&owner, json!(["tickets:read"])).await;
    let client = with_key(&key);
    // The free plan: 60 requests a minute, 10 at once.
    let replies = futures::future::join_all((0..16).map(|_| client.get("/api/v1/tickets/counts"))).await;
    let ok: Vec<_> = replies.iter().filter(|reply| reply.status == 200).collect();
    let limited: Vec<_> = replies.iter().filter(|reply| reply.status == 429).collect();
    assert_eq!(ok.len() + limited.len(), replies.len(), "only 200 and 429");
    assert!(!limited.is_empty() && ok.len() <= 11, "{} allowed of 16", ok.len());
    for reply in &ok {
        assert_eq!(reply.headers["ratelimit-limit"], "10");
        assert!(reply.headers.contains_key("ratelimit-remaining") && reply.headers.contains_key("ratelimit-reset"));
    }
    let refused = limited[0];
    assert!(switchboard_tests::is_problem_type(&refused.body["type"], "rate-limited"), "{}", refused.body["type"]);
    assert_eq!(refused.headers["content-type"], "application/problem+json");
    let retry_after: u64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "retry after {retry_after} s");
    assert_eq!(refused.headers["ratelimit-remaining"], "0");
    // The IETF draft's structured fields: 10 at once, refilled in 10 s at one a second.
    assert_eq!(refused.headers["ratelimit-policy"], "\"burst\";q=10;w=10");
    let state = refused.headers["ratelimit"].to_str().unwrap();
    assert!(state.starts_with("\"burst\";r=0;t="), "{state}");

    // Another workspace's key has its own allowance; the member's own session is not throttled by it.
    let other = signup("Quiet Integrator").await;
    with_key(&make_key(&other, json!(["tickets:read"])).await).get("/api/v1/tickets/counts").await.expect(200);
    owner.client().get("/api/v1/tickets/counts").await.expect(200);
    // After Retry-After the key works again.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    client.get("/api/v1/tickets/counts").await.expect(200);
}

#[tokio::test]
async fn an_admin_cannot_rotate_or_revoke_an_owners_key_but_the_owner_can_manage_an_admins() {
    let owner = signup("Key Owners").await;
    let admin = add_member(&owner, "admin").await;
    let other_admin = add_member(&owner, "admin").await;
    let owners_key = make_key(&owner, json!(["tickets:read"])).await;
    let owners_id = owners_key["id"].as_str().unwrap();

    // Rotating would hand the admin a secret that acts as the owner.
    let refused = admin.client().post(&format!("{KEYS}/{owners_id}/rotate"), json!({})).await;
    assert!(refused.expect_problem(403, "forbidden").body["detail"].as_str().unwrap().contains("owner"));
    admin.client().delete(&format!("{KEYS}/{owners_id}")).await.expect_problem(403, "forbidden");
    with_key(&owners_key).get("/api/v1/tickets").await.expect(200);
    let listed = owner.client().get(KEYS).await.expect(200);
    assert!(listed.body["items"][0]["revoked_at"].is_null(), "{}", listed.body);

    // The creator manages their own key; an owner, or another admin, manages an admin's.
    let admins_key = make_key(&admin, json!(["tickets:read"])).await;
    let admins_id = admins_key["id"].as_str().unwrap();
    admin.client().post(&format!("{KEYS}/{admins_id}/rotate"), json!({})).await.expect(200);
    other_admin.client().post(&format!("{KEYS}/{admins_id}/rotate"), json!({})).await.expect(200);
    owner.client().delete(&format!("{KEYS}/{admins_id}")).await.expect(200);
    owner.client().post(&format!("{KEYS}/{owners_id}/rotate"), json!({})).await.expect(200);
}
