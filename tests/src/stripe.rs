//! Playing Stripe in tests: a catalog plan sold at a Stripe price, Checkout through the local stand-in,
//! and events signed with Stripe's scheme (HMAC-SHA256 of `<t>.<body>` under the endpoint's secret; the
//! signer here is written from Stripe's documentation, not borrowed from the code under test).

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::{Client, Member, PASSWORD, Reply, eventually, stack, unique_email};

pub const WEBHOOK: &str = "/api/v1/stripe/webhook";
pub const SECRET: &str = local_stack::stripe::WEBHOOK_SECRET;

/// The `Stripe-Signature` header for `body` signed at `timestamp` under `secret`.
pub fn signature(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac.finalize().into_bytes().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("t={timestamp},v1={hex}")
}

/// The stack's clock now (moved in the time tests), in Unix seconds.
pub fn now() -> i64 {
    stack().app.clock.now().as_second()
}

/// A Stripe event of `kind` about `object`, created at `created` (Stripe's clock).
pub fn event(kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": format!("evt_{}", uuid::Uuid::new_v4().simple()),
        "object": "event",
        "api_version": "2026-09-30.endive",
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "type": kind,
        "data": {"object": object},
    })
}

/// Posts `body` to the webhook with the given signature header.
pub async fn post_signed(body: &[u8], signature: &str) -> Reply {
    Client::new()
        .send_raw_with(Method::POST, WEBHOOK, "application/json", body.to_vec(), &[("stripe-signature", signature)])
        .await
}

/// Posts `event` as Stripe does: signed now with the endpoint's secret.
pub async fn deliver(event: &Value) -> Reply {
    let body = serde_json::to_vec(event).unwrap();
    post_signed(&body, &signature(&body, SECRET, now())).await
}

/// Delivers `event` and waits until the worker has handled every queued event (applied or found stale).
pub async fn deliver_and_settle(event: &Value) {
    let reply = deliver(event).await.expect(200);
    assert_eq!(reply.body["status"], "queued", "{}", reply.body);
    settle().await;
}

/// Waits until the Stripe events queue holds nothing, visible or in flight.
pub async fn settle() {
    let app = stack().app;
    let url = app.config.stripe.as_ref().and_then(|stripe| stripe.events_queue_url.clone()).expect("the events queue");
    let sqs = aws_sdk_sqs::Client::new(&app.aws);
    let drained = eventually(Duration::from_secs(30), async || {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .send()
            .await
            .unwrap();
        let attributes = attributes.attributes.unwrap_or_default();
        attributes.values().all(|count| count == "0")
    })
    .await;
    assert!(drained, "the Stripe events were handled");
}

pub async fn staff() -> Client {
    let email = unique_email("billing-staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Sam Staff", PASSWORD).await.unwrap();
    let reply = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    Client::new().with_token(reply.body["access_token"].as_str().unwrap())
}

/// A new available catalog plan sold at a Stripe price of its own: (plan id, price id).
pub async fn sold_plan(seats: u64) -> (String, String) {
    let tail = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let (id, price) = (format!("paid-{tail}"), format!("price_{tail}"));
    let limits = json!({"seats": seats, "tickets_per_month": null, "storage_bytes": 1_000_000_000u64,
        "webhooks": 5, "api_requests_per_minute": 600});
    let body = json!({"id": id, "name": format!("Paid {tail}"), "stripe_price_id": price, "limits": limits,
        "features": ["webhooks", "api_access"]});
    staff().await.post("/api/v1/platform/plans", body).await.expect(201);
    (id, price)
}

/// The stand-in's view of a Checkout session (as Stripe's API shows it).
pub async fn checkout_session(id: &str) -> Value {
    Client::new()
        .with_token(local_stack::stripe::SECRET_KEY)
        .get(&format!("/__local/stripe/v1/checkout/sessions/{id}"))
        .await
        .expect(200)
        .body
}

/// The owner opens Checkout for `plan` and pays: the completed session (customer and subscription set).
pub async fn pay_checkout(owner: &Member, plan: &str) -> Value {
    let opened = owner.client().post("/api/v1/billing/checkout", json!({"plan": plan})).await.expect(201);
    let id = opened.body["id"].as_str().unwrap().to_owned();
    Client::new()
        .send(Method::POST, &format!("/__local/stripe/control/checkout/{id}/complete"), None)
        .await
        .expect(200)
        .body
}

/// A workspace subscribed to a sold plan through Checkout, its events applied (the completed session
/// and the subscription it made, as Stripe sends both): (plan, price, session).
pub async fn subscribed(owner: &Member) -> (String, String, Value) {
    let (plan, price) = sold_plan(10).await;
    let session = pay_checkout(owner, &plan).await;
    let at = now();
    deliver_and_settle(&event("checkout.session.completed", at, session.clone())).await;
    let created = subscription(&session, &price, "active", at + 30 * 86_400, false);
    deliver_and_settle(&event("customer.subscription.created", at, created)).await;
    (plan, price, session)
}

/// A subscription object as Stripe's events carry it (API 2025-03-31 on: the period on the item).
pub fn subscription(session: &Value, price: &str, status: &str, period_end: i64, cancel_at_period_end: bool) -> Value {
    json!({
        "id": session["subscription"],
        "object": "subscription",
        "customer": session["customer"],
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "metadata": session["metadata"],
        "items": {"object": "list", "data": [{
            "id": "si_test", "object": "subscription_item",
            "price": {"id": price, "object": "price"},
            "current_period_start": period_end - 30 * 86_400,
            "current_period_end": period_end,
        }]},
    })
}

/// An invoice object as Stripe's events carry it.
pub fn invoice(session: &Value, id: &str, status: &str, created: i64, amount: i64) -> Value {
    json!({
        "id": id,
        "object": "invoice",
        "customer": session["customer"],
        "number": format!("LOCAL-{}", &id[id.len().saturating_sub(4)..]),
        "amount_due": amount,
        "amount_paid": if status == "paid" { amount } else { 0 },
        "currency": "usd",
        "status": status,
        "created": created,
        "hosted_invoice_url": format!("https://invoice.stripe.example/{id}"),
        "invoice_pdf": format!("https://invoice.stripe.example/{id}/pdf"),
        "parent": {"type": "subscription_details", "subscription_details": {
            "subscription": session["subscription"], "metadata": session["metadata"]}},
    })
}
