//! Sign-up, login, refresh rotation with reuse detection, logout.

use serde_json::json;
use switchboard_tests::{Client, PASSWORD, add_member, login, signup, signup_as, unique_email};

#[tokio::test]
async fn signup_creates_a_workspace_with_its_owner_signed_in() {
    let email = unique_email("founder");
    let reply = Client::new()
        .post(
            "/api/v1/auth/signup",
            json!({"workspace_name": "  Acme Support ", "name": "Ada", "email": email.to_uppercase(), "password": PASSWORD}),
        )
        .await
        .expect(201);
    assert_eq!(reply.body["user"]["role"], "owner");
    assert_eq!(reply.body["user"]["email"], email, "e-mails are stored lower-cased");
    assert_eq!(reply.body["workspace"]["name"], "Acme Support");
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body["expires_in"].as_i64().unwrap() > 0);

    let me = Client::new().with_token(reply.body["access_token"].as_str().unwrap()).get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["role"], "owner");
    assert_eq!(me.body["workspace"]["id"], reply.body["workspace"]["id"]);
    assert_eq!(me.body["plan"]["tier"], "free");
    assert_eq!(me.body["plan"]["usage"]["seats"], 1);
    let permissions = me.body["permissions"].as_array().unwrap();
    assert!(permissions.contains(&json!("billing:manage")));
    assert!(permissions.contains(&json!("users:manage")));
}

#[tokio::test]
async fn signup_names_every_invalid_field() {
    let reply = Client::new()
        .post(
            "/api/v1/auth/signup",
            json!({"workspace_name": " ", "name": "", "email": "not-an-email", "password": "short"}),
        )
        .await
        .expect_problem(422, "validation-failed");
    let mut fields = reply.field_errors();
    fields.sort();
    assert_eq!(fields, ["email", "name", "password", "workspace_name"]);
}

#[tokio::test]
async fn login_checks_the_password_without_revealing_which_part_was_wrong() {
    let owner = signup("Login Co").await;
    let wrong_password = Client::new()
        .post("/api/v1/auth/login", json!({"email": owner.email, "password": "wrong password!"}))
        .await
        .expect_problem(401, "unauthenticated");
    let unknown_email = Client::new()
        .post("/api/v1/auth/login", json!({"email": unique_email("nobody"), "password": PASSWORD}))
        .await
        .expect_problem(401, "unauthenticated");
    assert_eq!(wrong_password.body["detail"], unknown_email.body["detail"]);

    let session = login(&owner.email, None).await;
    assert_eq!(session.workspace_id, owner.workspace_id);
    session.client().get("/api/v1/me").await.expect(200);
}

#[tokio::test]
async fn an_email_in_two_workspaces_picks_one_at_login() {
    let email = unique_email("consultant");
    let first = signup_as("First Workspace", &email).await;
    let second = signup_as("Second Workspace", &email).await;
    assert_ne!(first.workspace_id, second.workspace_id);

    let reply = Client::new()
        .post("/api/v1/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect_problem(409, "workspace-selection-required");
    let mut offered: Vec<&str> =
        reply.body["workspaces"].as_array().unwrap().iter().map(|w| w["id"].as_str().unwrap()).collect();
    offered.sort();
    let mut expected = vec![first.workspace_id.as_str(), second.workspace_id.as_str()];
    expected.sort();
    assert_eq!(offered, expected);

    let chosen = login(&email, Some(&second.workspace_id)).await;
    assert_eq!(chosen.workspace_id, second.workspace_id);
    let me = chosen.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["workspace"]["name"], "Second Workspace");
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_session() {
    let owner = signup("Refresh Co").await;
    let client = Client::new();
    let rotated = client.post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await.expect(200);
    let new_refresh = rotated.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, owner.refresh_token);
    Client::new().with_token(rotated.body["access_token"].as_str().unwrap()).get("/api/v1/me").await.expect(200);

    // The old token again: someone replayed it. The whole session is revoked...
    client
        .post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token}))
        .await
        .expect_problem(401, "refresh-token-reused");
    // ...so the legitimate holder's newer token stops working too.
    client
        .post("/api/v1/auth/refresh", json!({"refresh_token": new_refresh}))
        .await
        .expect_problem(401, "unauthenticated");

    // Other sessions of the same user are untouched.
    let other = login(&owner.email, None).await;
    client.post("/api/v1/auth/refresh", json!({"refresh_token": other.refresh_token})).await.expect(200);
}

#[tokio::test]
async fn refresh_rejects_garbage_and_logout_revokes() {
    let owner = signup("Logout Co").await;
    let client = Client::new();
    client
        .post("/api/v1/auth/refresh", json!({"refresh_token": "rt1.not.a.token"}))
        .await
        .expect_problem(401, "unauthenticated");
    client.post("/api/v1/auth/logout", json!({"refresh_token": owner.refresh_token})).await.expect(204);
    client
        .post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token}))
        .await
        .expect_problem(401, "unauthenticated");
    // Logging out twice is fine.
    client.post("/api/v1/auth/logout", json!({"refresh_token": owner.refresh_token})).await.expect(204);
}

#[tokio::test]
async fn logout_with_a_sessions_ids_but_not_its_token_ends_nothing() {
    let owner = signup("Logout Forgery").await;
    // Same workspace, user and session ids, another secret: what anyone holding an old token could make.
    let (ids, secret) = owner.refresh_token.rsplit_once('.').unwrap();
    let other_secret: String = secret.chars().rev().collect();
    assert_ne!(other_secret, secret);
    let forged = format!("{ids}.{other_secret}");
    let client = Client::new();
    client.post("/api/v1/auth/logout", json!({"refresh_token": forged})).await.expect(204);
    let refreshed = client.post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await;
    let next = refreshed.expect(200).body["refresh_token"].as_str().unwrap().to_owned();
    // The rotated-out token cannot end the session either; the current one can.
    client.post("/api/v1/auth/logout", json!({"refresh_token": owner.refresh_token})).await.expect(204);
    client.post("/api/v1/auth/logout", json!({"refresh_token": next})).await.expect(204);
    client.post("/api/v1/auth/refresh", json!({"refresh_token": next})).await.expect_problem(401, "unauthenticated");
}

/// The template declares the signing keys as a Secrets Manager dynamic reference: text everyone with the
/// repository can read. A token signed with that text (as `kid` and secret, under either issuer) must open
/// nothing on a running stack.
#[tokio::test]
async fn a_token_signed_with_the_templates_secret_reference_is_refused() {
    let owner = signup("Forgery Target").await;
    let agent = add_member(&owner, "agent").await;
    let reference = "{{resolve:secretsmanager:switchboard/dev/jwt-keys}}";
    let (kid, secret) = reference.split_once(':').unwrap();
    for issuer in ["switchboard-dev", "switchboard-local", "switchboard"] {
        let now = jiff::Timestamp::now().as_second();
        let claims = shared::auth::tokens::AccessClaims {
            sub: owner.user_id.clone(),
            ws: Some(owner.workspace_id.clone()),
            kind: "member".to_owned(),
            iss: issuer.to_owned(),
            iat: now,
            exp: now + 600,
        };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(kid.to_owned());
        let forged =
            jsonwebtoken::encode(&header, &claims, &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes())).unwrap();
        Client::new().with_token(&forged).get("/api/v1/me").await.expect_problem(401, "unauthenticated");
        Client::new()
            .with_token(&forged)
            .patch(&format!("/api/v1/users/{}", agent.user_id), json!({"role": "owner"}))
            .await
            .expect_problem(401, "unauthenticated");
    }
    // The real key still works: the refusal is about the key, not the route.
    owner.client().get("/api/v1/me").await.expect(200);
}
