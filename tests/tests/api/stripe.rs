//! Stripe billing: Checkout through the local stand-in, signed events on the webhook (verified, taken in
//! once, applied off a queue, newest state wins whatever the order), the Billing Portal, who may open
//! them, and Stripe's own Python library as an independent judge of the signature scheme.

use serde_json::{Value, json};
use switchboard_tests::stripe::{
    self, SECRET, deliver, deliver_and_settle, event, invoice, now, pay_checkout, post_signed, settle, signature,
    subscribed, subscription,
};
use switchboard_tests::{Client, add_member, signup};

const BILLING: &str = "/api/v1/billing";
const CHECKOUT: &str = "/api/v1/billing/checkout";
const PORTAL: &str = "/api/v1/billing/portal";

async fn plan_of(owner: &switchboard_tests::Member) -> Value {
    owner.client().get("/api/v1/me").await.expect(200).body["workspace"]["plan"].clone()
}

#[tokio::test]
async fn a_signed_checkout_completion_activates_the_plan_and_a_duplicate_changes_nothing() {
    let owner = signup("Checkout Co").await;
    let (plan, _price) = stripe::sold_plan(25).await;
    assert_eq!(plan_of(&owner).await, "free");

    let opened = owner.client().post(CHECKOUT, json!({"plan": plan})).await.expect(201);
    let url = opened.body["url"].as_str().unwrap();
    assert!(url.contains("/__local/stripe/checkout/cs_test_"), "{url}");
    let session = stripe::checkout_session(opened.body["id"].as_str().unwrap()).await;
    assert_eq!(session["client_reference_id"], owner.workspace_id.as_str());
    assert_eq!(session["metadata"]["plan"], plan.as_str());
    assert_eq!(session["subscription_metadata"]["workspace_id"], owner.workspace_id.as_str());
    // Nothing changes until Stripe says the Checkout completed.
    assert_eq!(plan_of(&owner).await, "free");

    let paid = pay_checkout_of(&opened.body).await;
    let completed = event("checkout.session.completed", now(), paid);
    deliver_and_settle(&completed).await;
    assert_eq!(plan_of(&owner).await, plan.as_str());
    let billing = owner.client().get(BILLING).await.expect(200).body;
    assert_eq!(billing["plan"], plan.as_str());
    assert_eq!(billing["portal_available"], true);
    assert_eq!(billing["standing"]["status"], "active");

    // Staff move it back; the same event again is recognised and changes nothing.
    let staff = stripe::staff().await;
    let moved = staff
        .put(&format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id), json!({"plan": "free"}))
        .await
        .expect(200);
    assert_eq!(moved.body["plan"], "free");
    let again = deliver(&completed).await.expect(200);
    assert_eq!(again.body["status"], "duplicate");
    settle().await;
    assert_eq!(plan_of(&owner).await, "free");

    // The Billing Portal opens for the customer Checkout made.
    let portal = owner.client().post(PORTAL, json!({})).await.expect(201);
    assert!(portal.body["url"].as_str().unwrap().contains("/__local/stripe/portal/bps_"), "{}", portal.body);
}

async fn pay_checkout_of(opened: &Value) -> Value {
    let id = opened["id"].as_str().unwrap();
    Client::new()
        .send(reqwest::Method::POST, &format!("/__local/stripe/control/checkout/{id}/complete"), None)
        .await
        .expect(200)
        .body
}

#[tokio::test]
async fn events_delivered_out_of_order_end_in_the_newest_state() {
    let owner = signup("Order Co").await;
    let (plan, price, session) = subscribed(&owner).await;
    let (bigger, bigger_price) = stripe::sold_plan(50).await;
    let t = now();
    let period_end = t + 30 * 86_400;

    // The newest word first: moved to the bigger plan in the portal, to end at the period's end;
    // the invoice paid.
    deliver_and_settle(&event(
        "customer.subscription.updated",
        t + 30,
        subscription(&session, &bigger_price, "active", period_end, true),
    ))
    .await;
    deliver_and_settle(&event("invoice.paid", t + 30, invoice(&session, "in_order_1", "paid", t, 4_900))).await;
    // Then older ones, late: the subscription still on the first plan and renewing, past due, and the
    // same invoice's failed attempt.
    deliver_and_settle(&event(
        "customer.subscription.updated",
        t + 10,
        subscription(&session, &price, "past_due", t, false),
    ))
    .await;
    deliver_and_settle(&event("invoice.payment_failed", t + 20, invoice(&session, "in_order_1", "open", t, 4_900)))
        .await;

    assert_eq!(plan_of(&owner).await, bigger.as_str(), "not back on {plan}");
    let billing = owner.client().get(BILLING).await.expect(200).body;
    assert_eq!(billing["subscription"]["status"], "active", "{billing}");
    assert_eq!(billing["subscription"]["cancel_at_period_end"], true);
    assert_eq!(billing["standing"]["status"], "active", "a stale failure starts no grace: {billing}");
    assert_eq!(billing["next_invoice"], Value::Null, "it ends at the period's end");
    let invoices = billing["invoices"].as_array().unwrap();
    assert_eq!(invoices.len(), 1, "{billing}");
    assert_eq!(invoices[0]["status"], "paid");
    assert_eq!(invoices[0]["amount_paid"], 4_900);
    assert_eq!(invoices[0]["hosted_invoice_url"], "https://invoice.stripe.example/in_order_1");

    // The platform console reads the subscription's status from the workspace.
    let staff = stripe::staff().await;
    let detail = staff.get(&format!("/api/v1/platform/workspaces/{}", owner.workspace_id)).await.expect(200).body;
    assert_eq!(detail["workspace"]["subscription_status"], "active", "{detail}");
}

#[tokio::test]
async fn a_bad_or_stale_signature_is_refused_and_changes_nothing() {
    let owner = signup("Forged Co").await;
    let (plan, _) = stripe::sold_plan(5).await;
    let session = pay_checkout(&owner, &plan).await;
    let forged = event("checkout.session.completed", now(), session);
    let body = serde_json::to_vec(&forged).unwrap();

    let wrong_secret = post_signed(&body, &signature(&body, "whsec_not_ours", now())).await;
    wrong_secret.expect_problem(400, "malformed-request");
    let stale = post_signed(&body, &signature(&body, SECRET, now() - 301)).await;
    assert!(stale.expect_problem(400, "malformed-request").body["detail"].as_str().unwrap().contains("300 s"));
    let mut tampered = body.clone();
    let at = tampered.len() - 2;
    tampered[at] = b' ';
    post_signed(&tampered, &signature(&body, SECRET, now())).await.expect_problem(400, "malformed-request");
    let unsigned =
        Client::new().send_raw(reqwest::Method::POST, stripe::WEBHOOK, "application/json", body.clone()).await;
    unsigned.expect_problem(400, "malformed-request");

    settle().await;
    assert_eq!(plan_of(&owner).await, "free");
    // The refused deliveries took nothing in: the genuine one is still new.
    let genuine = post_signed(&body, &signature(&body, SECRET, now())).await.expect(200);
    assert_eq!(genuine.body["status"], "queued");
    settle().await;
    assert_eq!(plan_of(&owner).await, plan.as_str());
}

#[tokio::test]
async fn events_billing_does_not_act_on_are_acknowledged_and_ignored() {
    let reply = deliver(&event("charge.refunded", now(), json!({"id": "ch_1", "object": "charge"}))).await.expect(200);
    assert_eq!(reply.body["status"], "ignored");
    let body = br#"{"id":"evt_x","type":"invoice.paid"}"#;
    post_signed(body, &signature(body, SECRET, now())).await.expect_problem(400, "malformed-request");
}

#[tokio::test]
async fn only_owners_open_checkout_and_the_portal_and_only_for_their_workspace() {
    let owner = signup("Roles Co").await;
    let (plan, _) = stripe::sold_plan(5).await;
    for role in ["admin", "agent"] {
        let member = add_member(&owner, role).await;
        member.client().post(CHECKOUT, json!({"plan": plan})).await.expect_problem(403, "forbidden");
        member.client().post(PORTAL, json!({})).await.expect_problem(403, "forbidden");
        member.client().get(BILLING).await.expect_problem(403, "forbidden");
    }
    // Before any subscription there is no portal to open.
    owner.client().post(PORTAL, json!({})).await.expect_problem(409, "conflict");
    // A plan not sold through Stripe, or no plan at all, is refused by name.
    let free = owner.client().post(CHECKOUT, json!({"plan": "free"})).await.expect(422);
    assert_eq!(free.field_errors(), ["plan"]);
    owner.client().post(CHECKOUT, json!({"plan": "no-such-plan"})).await.expect(422);
    owner.client().post(CHECKOUT, json!({})).await.expect(422);

    // Another workspace's subscription is invisible here and its customer cannot be reached.
    let other = signup("Other Co").await;
    let (other_plan, _, _) = subscribed(&other).await;
    let mine = owner.client().get(BILLING).await.expect(200).body;
    assert_eq!(mine["subscription"], Value::Null);
    assert_eq!(mine["portal_available"], false);
    owner.client().post(PORTAL, json!({})).await.expect_problem(409, "conflict");
    assert_eq!(plan_of(&other).await, other_plan.as_str());
    // A subscribed workspace changes plan in the portal, not through a second Checkout.
    other.client().post(CHECKOUT, json!({"plan": plan})).await.expect_problem(409, "conflict");
}

/// Stripe's official Python library and our webhook agree on the scheme both ways: a delivery it signs
/// is accepted (and one it signs under another secret refused), and it accepts our test signer's header.
#[tokio::test]
async fn stripes_own_library_and_the_webhook_agree_on_signatures() {
    let python = std::env::var_os("LOCAL_STRIPE_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| local_stack::repo_root().join(".venv/stripe/bin/python"));
    let body =
        serde_json::to_string(&event("charge.captured", now(), json!({"id": "ch_2", "object": "charge"}))).unwrap();
    let script = r#"
import json, sys, time, stripe
secret, body, theirs, ours = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
now = int(time.time())
def header(key):
    return "t=%d,v1=%s" % (now, stripe.WebhookSignature._compute_signature("%d.%s" % (now, body), key))
try:
    stripe.Webhook.construct_event(body, ours, secret, tolerance=300)
    accepted = True
except stripe.SignatureVerificationError:
    accepted = False
print(json.dumps({"signed": header(secret), "signed_elsewhere": header(theirs), "accepts_ours": accepted}))
"#;
    let ours = signature(body.as_bytes(), SECRET, now());
    let output = std::process::Command::new(&python)
        .args(["-c", script, SECRET, &body, "whsec_someone_else", &ours])
        .output()
        .expect("the stripe venv's Python runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let verdict: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict["accepts_ours"], true, "Stripe's library accepts the tests' signer");
    let signed = post_signed(body.as_bytes(), verdict["signed"].as_str().unwrap()).await.expect(200);
    assert_eq!(signed.body["status"], "ignored", "verified, then ignored as a type billing does not act on");
    post_signed(body.as_bytes(), verdict["signed_elsewhere"].as_str().unwrap())
        .await
        .expect_problem(400, "malformed-request");
}
