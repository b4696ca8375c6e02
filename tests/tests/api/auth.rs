//! Sign-up, login, refresh rotation with reuse detection, logout.

use serde_json::json;
use switchboard_tests::{Client, PASSWORD, add_member, login, signup, signup_as, stack, unique_email};

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

/// The template names the token keys by dynamic references: text everyone with the repository can read.
/// A token signed with that text (HS256, as `kid` and secret, under any issuer), or with an Ed25519 key
/// of the forger's own under the stack's real `kid`, must open nothing on a running stack.
#[tokio::test]
async fn a_token_signed_with_the_templates_text_or_a_foreign_key_is_refused() {
    use shared::auth::tokens::{AccessClaims, Audience, TokenSigner, TokenSubject};
    let owner = signup("Forgery Target").await;
    let agent = add_member(&owner, "agent").await;
    let real_kid = jsonwebtoken::decode_header(&owner.access_token).unwrap().kid.expect("tokens carry a kid");
    assert_eq!(jsonwebtoken::decode_header(&owner.access_token).unwrap().alg, jsonwebtoken::Algorithm::EdDSA);
    let template = std::fs::read_to_string(local_stack::repo_root().join("template.yaml")).unwrap();
    let references: Vec<&str> = template.split('"').filter(|text| text.starts_with("{{resolve:")).collect();
    assert!(references.len() >= 4, "the cursor key and three public key sets: {references:?}");
    let mut forged = Vec::new();
    for issuer in ["switchboard-dev", "switchboard-local", "switchboard"] {
        let now = jiff::Timestamp::now().as_second();
        let claims = AccessClaims {
            sub: owner.user_id.clone(),
            ws: Some(owner.workspace_id.clone()),
            aud: Audience::Member.claim().to_owned(),
            iss: issuer.to_owned(),
            iat: now,
            exp: now + 600,
        };
        for reference in &references {
            let (kid, secret) = reference.split_once(':').unwrap();
            for kid in [kid, real_kid.as_str()] {
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
                header.kid = Some(kid.to_owned());
                let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes());
                forged.push(jsonwebtoken::encode(&header, &claims, &key).unwrap());
            }
        }
        // The forger's own Ed25519 key, presented under the stack's kid.
        let foreign = local_stack::token_keys::generate(Audience::Member, String::new());
        let secret: serde_json::Value = serde_json::from_str(&foreign.secret_value).unwrap();
        let impostor = json!({"kid": real_kid, "private_key": secret["private_key"]}).to_string();
        let subject = TokenSubject::Member {
            workspace_id: owner.workspace_id.parse().unwrap(),
            user_id: owner.user_id.parse().unwrap(),
        };
        let signer = TokenSigner::from_secret(Audience::Member, &impostor).unwrap();
        forged.push(signer.sign(&subject, issuer, jiff::Timestamp::now(), 600));
    }
    for token in forged {
        Client::new().with_token(&token).get("/api/v1/me").await.expect_problem(401, "unauthenticated");
        Client::new()
            .with_token(&token)
            .patch(&format!("/api/v1/users/{}", agent.user_id), json!({"role": "owner"}))
            .await
            .expect_problem(401, "unauthenticated");
    }
    // The real key still works: the refusal is about the key, not the route.
    owner.client().get("/api/v1/me").await.expect(200);
}

/// Member and staff tokens are signed with different keys for different audiences: neither passes for
/// the other, and neither opens the WebSocket (tests/tests/realtime.rs covers the handshake).
#[tokio::test]
async fn a_member_token_is_refused_where_a_staff_token_is_expected_and_the_other_way_round() {
    let owner = signup("Audiences").await;
    let staff_email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &staff_email, "Sam Staff", switchboard_tests::PASSWORD)
        .await
        .unwrap();
    let staff = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": staff_email, "password": switchboard_tests::PASSWORD}))
        .await
        .expect(200);
    let staff_token = staff.body["access_token"].as_str().unwrap();
    let staff_kid = jsonwebtoken::decode_header(staff_token).unwrap().kid.unwrap();
    let member_kid = jsonwebtoken::decode_header(&owner.access_token).unwrap().kid.unwrap();
    assert_ne!(staff_kid, member_kid, "one key per audience");
    // Each works where it belongs...
    Client::new().with_token(staff_token).get("/api/v1/platform/workspaces").await.expect(200);
    owner.client().get("/api/v1/me").await.expect(200);
    // ...and not where the other belongs.
    owner.client().get("/api/v1/platform/workspaces").await.expect(403);
    Client::new().with_token(staff_token).get("/api/v1/me").await.expect(403);
    // A member token re-signed as staff (claims edited, signature kept) is refused outright.
    let [header, _, signature]: [&str; 3] = owner.access_token.split('.').collect::<Vec<_>>().try_into().unwrap();
    let claims = json!({"sub": owner.user_id, "aud": "switchboard:staff", "iss": "switchboard-local", "iat": 0, "exp": i64::MAX / 2});
    let payload = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
    };
    let edited = format!("{header}.{payload}.{signature}");
    Client::new().with_token(&edited).get("/api/v1/platform/workspaces").await.expect_problem(401, "unauthenticated");
}

/// A request as the web app's browser sends it: `Sec-Fetch-Site` (which script cannot set) and cookies.
fn browser(method: reqwest::Method, path: &str, site: &str, cookie: Option<&str>) -> reqwest::RequestBuilder {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", switchboard_tests::stack().url))
        .header("sec-fetch-site", site)
        .header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request
}

/// The `switchboard_refresh=<token>` pair of a response's Set-Cookie, and the whole header.
fn refresh_cookie(response: &reqwest::Response) -> (String, String) {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("switchboard_refresh="))
        .expect("a refresh cookie")
        .to_owned();
    (header.split(';').next().unwrap().to_owned(), header)
}

#[tokio::test]
async fn a_browser_keeps_its_refresh_token_in_an_http_only_cookie_that_script_never_sees() {
    let owner = signup("Cookie Co").await;
    let login = browser(reqwest::Method::POST, "/api/v1/auth/login", "same-origin", None)
        .json(&json!({"email": owner.email, "password": switchboard_tests::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status().as_u16(), 200);
    let (cookie, header) = refresh_cookie(&login);
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth"] {
        assert!(header.contains(attribute), "{header} lacks {attribute}");
    }
    let body: serde_json::Value = login.json().await.unwrap();
    assert!(body["refresh_token"].is_null(), "not in the body script reads: {body}");
    assert!(body["access_token"].is_string());

    // The app refreshes with the cookie alone and gets the next one.
    let refreshed =
        browser(reqwest::Method::POST, "/api/v1/auth/refresh", "same-origin", Some(&cookie)).send().await.unwrap();
    assert_eq!(refreshed.status().as_u16(), 200);
    let (next, _) = refresh_cookie(&refreshed);
    assert_ne!(next, cookie, "rotated");

    // Another site's page cannot spend it, even if the browser sent the cookie.
    let forged =
        browser(reqwest::Method::POST, "/api/v1/auth/refresh", "cross-site", Some(&next)).send().await.unwrap();
    assert_eq!(forged.status().as_u16(), 401);

    // The spent cookie replayed revokes the session (as a replayed body token does).
    let replayed =
        browser(reqwest::Method::POST, "/api/v1/auth/refresh", "same-origin", Some(&cookie)).send().await.unwrap();
    assert_eq!(replayed.status().as_u16(), 401);
    let after =
        browser(reqwest::Method::POST, "/api/v1/auth/refresh", "same-origin", Some(&next)).send().await.unwrap();
    assert_eq!(after.status().as_u16(), 401, "the session was revoked");
}

#[tokio::test]
async fn logging_out_in_a_browser_ends_the_cookies_session_and_removes_the_cookie() {
    let owner = signup("Cookie Out Co").await;
    let login = browser(reqwest::Method::POST, "/api/v1/auth/login", "same-origin", None)
        .json(&json!({"email": owner.email, "password": switchboard_tests::PASSWORD}))
        .send()
        .await
        .unwrap();
    let (cookie, _) = refresh_cookie(&login);
    let logout =
        browser(reqwest::Method::POST, "/api/v1/auth/logout", "same-origin", Some(&cookie)).send().await.unwrap();
    assert_eq!(logout.status().as_u16(), 204);
    let (cleared, header) = refresh_cookie(&logout);
    assert_eq!(cleared, "switchboard_refresh=");
    assert!(header.contains("Max-Age=0"), "{header}");
    let refresh =
        browser(reqwest::Method::POST, "/api/v1/auth/refresh", "same-origin", Some(&cookie)).send().await.unwrap();
    assert_eq!(refresh.status().as_u16(), 401, "the session ended");
}

#[tokio::test]
async fn api_answers_carry_security_headers_and_the_app_a_strict_content_security_policy() {
    let owner = signup("Headers Co").await;
    let reply = owner.client().get("/api/v1/me").await.expect(200);
    let header = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert!(
        header("content-security-policy").starts_with("default-src 'none'"),
        "{}",
        header("content-security-policy")
    );
    assert!(header("strict-transport-security").contains("max-age="));
    // Problems too.
    let problem = Client::new().get("/api/v1/me").await.expect(401);
    assert_eq!(problem.headers.get("x-content-type-options").unwrap(), "nosniff");

    let page = reqwest::get(format!("{}/inbox", switchboard_tests::stack().url)).await.unwrap();
    let policy = page.headers().get("content-security-policy").expect("the app's CSP").to_str().unwrap().to_owned();
    assert!(policy.contains("script-src 'self';"), "no inline or foreign scripts: {policy}");
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("object-src 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{policy}");
}
