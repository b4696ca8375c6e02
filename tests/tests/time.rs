//! Behaviour that needs time to pass, with the local stack's test-only clock control. A binary of its
//! own: moving the clock moves it for every test sharing the stack.

use serde_json::json;
use switchboard_tests::{Client, advance_clock, signup};

#[tokio::test]
async fn access_tokens_expire_and_refresh_tokens_carry_the_session_on() {
    let owner = signup("Time Co").await;
    owner.client().get("/api/v1/me").await.expect(200);

    // Access tokens live 15 minutes; the authorizer's cached answer (2 s here) must not outlive them.
    advance_clock(16 * 60).await;
    tokio::time::sleep(switchboard_tests::AUTHORIZER_TTL + std::time::Duration::from_millis(500)).await;
    owner.client().get("/api/v1/me").await.expect_problem(401, "unauthenticated");

    let refreshed =
        Client::new().post("/api/v1/auth/refresh", json!({"refresh_token": owner.refresh_token})).await.expect(200);
    let token = refreshed.body["access_token"].as_str().unwrap();
    Client::new().with_token(token).get("/api/v1/me").await.expect(200);

    // Sessions end 30 days after login, however often they refresh.
    advance_clock(31 * 86_400).await;
    Client::new()
        .post("/api/v1/auth/refresh", json!({"refresh_token": refreshed.body["refresh_token"]}))
        .await
        .expect_problem(401, "unauthenticated");
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let reply = Client::new().post("/__local/clock", json!({"advance_seconds": -60})).await;
    assert_eq!(reply.status.as_u16(), 422);
}
