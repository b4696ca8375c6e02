//! Abuse controls on the public routes: failed sign-ins back off per account (e-mail), with 429 and a
//! growing Retry-After; a success clears the count.

use serde_json::json;
use switchboard_tests::{Client, PASSWORD, Reply, signup, stack, unique_email};

async fn attempt_login(email: &str, password: &str) -> Reply {
    Client::new().post("/api/v1/auth/login", json!({"email": email, "password": password})).await
}

fn retry_after(reply: &Reply) -> i64 {
    let header = reply.headers.get("retry-after").expect("a Retry-After header").to_str().unwrap();
    let secs: i64 = header.parse().unwrap();
    assert_eq!(reply.body["retry_after"], secs, "the body says the same: {}", reply.body);
    secs
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_whatever_the_password_and_other_accounts_stay_open() {
    let owner = signup("Guessed Co").await;
    for _ in 0..5 {
        attempt_login(&owner.email, "not the password").await.expect_problem(401, "unauthenticated");
    }
    let locked = attempt_login(&owner.email, "not the password").await.expect_problem(429, "rate-limited");
    assert!(locked.headers.get("content-type").unwrap().to_str().unwrap().starts_with("application/problem+json"));
    let first_wait = retry_after(&locked);
    assert!((1..=30).contains(&first_wait), "the first lock is 30 s: {first_wait}");
    // The right password does not get through a lock either, nor does another spelling of the address.
    attempt_login(&owner.email, PASSWORD).await.expect_problem(429, "rate-limited");
    attempt_login(&owner.email.to_uppercase(), PASSWORD).await.expect_problem(429, "rate-limited");
    // The lock is the account's: a colleague logs in as usual.
    let colleague = signup("Guessed Co neighbour").await;
    attempt_login(&colleague.email, PASSWORD).await.expect(200);
    // Unknown addresses lock the same way (no hint whether an account exists).
    let nobody = unique_email("nobody");
    for _ in 0..5 {
        attempt_login(&nobody, PASSWORD).await.expect_problem(401, "unauthenticated");
    }
    attempt_login(&nobody, PASSWORD).await.expect_problem(429, "rate-limited");
}

#[tokio::test]
async fn a_successful_login_clears_the_count() {
    let owner = signup("Forgetful Co").await;
    for _ in 0..4 {
        attempt_login(&owner.email, "not the password").await.expect_problem(401, "unauthenticated");
    }
    attempt_login(&owner.email, PASSWORD).await.expect(200);
    // Four more failures after the success are four, not eight: still no lock.
    for _ in 0..4 {
        attempt_login(&owner.email, "not the password").await.expect_problem(401, "unauthenticated");
    }
    attempt_login(&owner.email, PASSWORD).await.expect(200);
}

#[tokio::test]
async fn staff_login_and_signup_back_off_per_email_too() {
    let staff_email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &staff_email, "Sam Staff", PASSWORD).await.unwrap();
    let staff_login = |password: &'static str| {
        let email = staff_email.clone();
        async move { Client::new().post("/api/v1/platform/auth/login", json!({"email": email, "password": password})).await }
    };
    for _ in 0..5 {
        staff_login("not the password").await.expect_problem(401, "unauthenticated");
    }
    let locked = staff_login(PASSWORD).await.expect_problem(429, "rate-limited");
    assert!(retry_after(&locked) > 0);

    // Sign-ups refused five times for one address (here a password too short) lock that address.
    let email = unique_email("founder");
    let form =
        |password: &str| json!({"workspace_name": "Spam Co", "name": "Sam Spam", "email": email, "password": password});
    for _ in 0..5 {
        Client::new().post("/api/v1/auth/signup", form("short")).await.expect(422);
    }
    Client::new().post("/api/v1/auth/signup", form(PASSWORD)).await.expect_problem(429, "rate-limited");
}

/// The API serves only what came through the edge: CloudFront (locally the gateway) adds the origin
/// secret, and a request without it, as to the execute-api URL directly, is refused with 403 by the
/// functions and denied by the authorizer. Over HTTP every request passes the gateway, so here the
/// running stack's own handlers are called with and without the header.
#[tokio::test]
async fn a_request_that_bypassed_the_edge_is_refused() {
    use shared::http::origin::ORIGIN_HEADER;
    let app = stack().app;
    let secret = app.config.origin_secret.as_ref().expect("the local stack configures an origin secret");
    let secret = String::from_utf8(secret.0.clone()).unwrap();
    // Through the gateway: served, and a client's own value of the header changes nothing.
    let owner = signup("Edge Co").await;
    owner.client().send_with(reqwest::Method::GET, "/api/v1/me", None, &[(ORIGIN_HEADER, "forged")]).await.expect(200);

    let health = |origin: Option<&str>| {
        let mut request = lambda_http::http::Request::builder().method("GET").uri("http://api.local/api/v1/health");
        if let Some(origin) = origin {
            request = request.header(ORIGIN_HEADER, origin);
        }
        request.body(lambda_http::Body::Empty).unwrap()
    };
    let direct = shared::http::dispatch(app, health(None), fn_health::ROUTES).await;
    assert_eq!(direct.status(), 403);
    let guessed = shared::http::dispatch(app, health(Some("guess")), fn_health::ROUTES).await;
    assert_eq!(guessed.status(), 403);
    let through_the_edge = shared::http::dispatch(app, health(Some(&secret)), fn_health::ROUTES).await;
    assert_eq!(through_the_edge.status(), 200);

    let authorize = |origin: Option<&str>| {
        let mut headers = json!({"authorization": format!("Bearer {}", owner.access_token)});
        if let Some(origin) = origin {
            headers[ORIGIN_HEADER] = origin.into();
        }
        let request = serde_json::from_value(json!({
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:local:000000000000:local/prod/GET/api/v1/me",
            "headers": headers,
            "requestContext": {},
        }))
        .unwrap();
        fn_authorizer::authorize(app, request)
    };
    let effect = |response: aws_lambda_events::apigw::ApiGatewayCustomAuthorizerResponse| {
        response.policy_document.statement[0].effect.clone()
    };
    use aws_lambda_events::iam::IamPolicyEffect;
    assert_eq!(effect(authorize(None).await.unwrap()), IamPolicyEffect::Deny);
    assert_eq!(effect(authorize(Some("guess")).await.unwrap()), IamPolicyEffect::Deny);
    assert_eq!(effect(authorize(Some(&secret)).await.unwrap()), IamPolicyEffect::Allow);
}

/// The gateway plays the web ACL's per-address limit on sign-in routes (as `make dev` runs it): past
/// the limit one address gets 429 with Retry-After there, and the rest of the API still answers. A
/// stack of its own: the suite's shared stack sees every test's requests from one address.
#[tokio::test]
async fn one_address_over_the_sign_in_rate_gets_429_from_the_edge() {
    // No event sources: its consumers would share process-wide clients with the suite's stack.
    let options = local_stack::StackOptions {
        edge_rate_limits: true,
        web_dist: None,
        event_sources: false,
        ..Default::default()
    };
    let running = local_stack::start(options).await.expect("a stack with edge limits");
    let http = reqwest::Client::new();
    let refresh = || {
        http.post(format!("{}/api/v1/auth/refresh", running.url))
            .json(&json!({"refresh_token": "rt1.not.a.real.token"}))
            .send()
    };
    let raw = std::fs::read_to_string(local_stack::repo_root().join(local_stack::EDGE_TEMPLATE)).unwrap();
    let limit = local_stack::edge_limits::rules_of(&raw).unwrap()[0].limit;
    for _ in 0..limit {
        assert_eq!(refresh().await.unwrap().status(), 401);
    }
    let refused = refresh().await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait), "{wait}");
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["type"].as_str().map(|kind| kind.ends_with("rate-limited")), Some(true), "{body}");
    let health = http.get(format!("{}/api/v1/health", running.url)).send().await.unwrap();
    assert_eq!(health.status(), 200, "other routes are not limited");
    running.stop().await;
}
