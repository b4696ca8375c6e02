//! Webhook targets at rest: an endpoint's URL and signing secrets (and a Slack connection's URL) are
//! sealed in the table, read back and signed with as before, and an endpoint stored in the clear before
//! sealing keeps delivering and is sealed by its next write.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Member, eventually, signup, stack};

use crate::tickets::new_ticket;
use crate::webhooks::verifies;

const WEBHOOKS: &str = "/api/v1/webhooks";
const WITHIN: Duration = Duration::from_secs(360);

fn table() -> (aws_sdk_dynamodb::Client, String) {
    let app = stack().app;
    (aws_sdk_dynamodb::Client::new(&app.aws), app.config.table_name.clone())
}

/// The endpoint's item exactly as the table holds it.
async fn raw_endpoint(member: &Member, id: &str) -> HashMap<String, AttributeValue> {
    let (client, table) = table();
    client
        .get_item()
        .table_name(table)
        .key("PK", AttributeValue::S(format!("WS#{}", member.workspace_id)))
        .key("SK", AttributeValue::S(format!("WEBHOOK#{id}")))
        .send()
        .await
        .unwrap()
        .item
        .expect("the endpoint's item")
}

/// Fails if any of `secrets` is anywhere in the stored item; it must hold the sealed target instead.
fn assert_sealed(item: &HashMap<String, AttributeValue>, secrets: &[&str]) {
    let text = format!("{item:?}");
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} is stored in the clear: {text}");
    }
    assert!(item.contains_key("sealed_target"), "no sealed target: {text}");
    assert!(!item.contains_key("url") && !item.contains_key("secrets"), "a target in the clear: {text}");
}

async fn delivered_count(receiver: &Receiver, at_least: usize) {
    assert!(eventually(WITHIN, async || receiver.count() >= at_least).await, "nothing more was delivered");
}

#[tokio::test]
async fn an_endpoints_url_and_secrets_are_sealed_at_rest_and_still_sign_deliveries() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Sealed Hooks").await;
    // A path and query can be a credential of their own.
    let url = format!("{}/crm-sync?token=query-credential-7f3a", receiver.url);
    let created =
        owner.client().post(WEBHOOKS, json!({"url": url, "events": ["ticket.created"]})).await.expect(201).body;
    let id = created["id"].as_str().unwrap().to_owned();
    let first_secret = created["secret"].as_str().unwrap().to_owned();
    assert_sealed(&raw_endpoint(&owner, &id).await, &[&first_secret, "query-credential-7f3a", &receiver.url]);

    // Read back in the clear by those who manage it.
    let shown = owner.client().get(&format!("{WEBHOOKS}/{id}")).await.expect(200).body;
    assert_eq!(shown["url"], url);
    assert_eq!(shown["secrets"][0]["prefix"], first_secret[..12]);
    let listed = owner.client().get(WEBHOOKS).await.expect(200).body;
    assert_eq!(listed["items"][0]["url"], url, "{listed}");

    new_ticket(&owner.client(), "Sealed but delivered").await;
    delivered_count(&receiver, 1).await;
    assert!(verifies(&first_secret, &receiver.received()[0]), "not signed with the endpoint's secret");

    // A rotation seals both secrets; deliveries carry a signature for each.
    let rotated = owner
        .client()
        .post(&format!("{WEBHOOKS}/{id}/rotate-secret"), json!({"grace_period_hours": 1}))
        .await
        .expect(200)
        .body;
    let second_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_sealed(&raw_endpoint(&owner, &id).await, &[&first_secret, &second_secret, "query-credential-7f3a"]);
    new_ticket(&owner.client(), "After the rotation").await;
    delivered_count(&receiver, 2).await;
    let after_rotation = receiver.received().into_iter().find(|d| d.body.contains("After the rotation")).unwrap();
    assert!(verifies(&second_secret, &after_rotation) && verifies(&first_secret, &after_rotation));

    // A new URL is sealed too; the old one is gone from the item.
    let moved = format!("{}/moved?token=second-credential-91c2", receiver.url);
    owner.client().patch(&format!("{WEBHOOKS}/{id}"), json!({"url": moved})).await.expect(200);
    assert_sealed(&raw_endpoint(&owner, &id).await, &["query-credential-7f3a", "second-credential-91c2", "/moved"]);
    assert_eq!(owner.client().get(&format!("{WEBHOOKS}/{id}")).await.expect(200).body["url"], moved);
}

#[tokio::test]
async fn a_slack_connections_url_is_sealed_at_rest() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Sealed Slack").await;
    let url = format!("{}/services/T000/B000/slack-url-credential", receiver.url);
    let connected = owner
        .client()
        .post("/api/v1/integrations/slack", json!({"url": url, "events": ["ticket.urgent_created"]}))
        .await
        .expect(201)
        .body;
    let id = connected["id"].as_str().unwrap();
    assert_sealed(&raw_endpoint(&owner, id).await, &["slack-url-credential", &receiver.url]);
    owner
        .client()
        .post(
            "/api/v1/tickets",
            json!({"subject": "Slack hears it", "body": "Down", "priority": "urgent",
                   "customer": {"email": switchboard_tests::unique_email("c")}}),
        )
        .await
        .expect(201);
    delivered_count(&receiver, 1).await;
    assert!(receiver.received()[0].body.contains("Slack hears it"), "{:?}", receiver.received()[0].body);
}

/// Writes the endpoint back as it was stored before targets were sealed: URL and secrets in the clear.
async fn store_in_the_clear(member: &Member, id: &str, url: &str, secret: &str) {
    let mut item = raw_endpoint(member, id).await;
    item.remove("sealed_target");
    item.insert("url".to_owned(), AttributeValue::S(url.to_owned()));
    let stored_secret = HashMap::from([
        ("secret".to_owned(), AttributeValue::S(secret.to_owned())),
        ("expires_at".to_owned(), AttributeValue::Null(true)),
    ]);
    item.insert("secrets".to_owned(), AttributeValue::L(vec![AttributeValue::M(stored_secret)]));
    let (client, table) = table();
    client.put_item().table_name(table).set_item(Some(item)).send().await.unwrap();
}

#[tokio::test]
async fn an_endpoint_stored_in_the_clear_keeps_delivering_and_its_next_write_seals_it() {
    let receiver = Receiver::start(Behaviour::Succeed).await;
    let owner = signup("Legacy Hooks").await;
    let created = owner
        .client()
        .post(WEBHOOKS, json!({"url": receiver.url, "events": ["ticket.created"]}))
        .await
        .expect(201)
        .body;
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let legacy_url = format!("{}/legacy?token=old-plain-credential", receiver.url);
    store_in_the_clear(&owner, &id, &legacy_url, &secret).await;
    assert!(format!("{:?}", raw_endpoint(&owner, &id).await).contains("old-plain-credential"));

    // Read and delivered as it is.
    let shown: Value = owner.client().get(&format!("{WEBHOOKS}/{id}")).await.expect(200).body;
    assert_eq!(shown["url"], legacy_url);
    new_ticket(&owner.client(), "Legacy delivery").await;
    delivered_count(&receiver, 1).await;
    assert!(verifies(&secret, &receiver.received()[0]), "a clear secret no longer signs");

    // The next write (any change an admin makes) seals it and removes the clear copy.
    owner.client().patch(&format!("{WEBHOOKS}/{id}"), json!({"description": "migrated"})).await.expect(200);
    assert_sealed(&raw_endpoint(&owner, &id).await, &["old-plain-credential", &secret]);
    let shown = owner.client().get(&format!("{WEBHOOKS}/{id}")).await.expect(200).body;
    assert_eq!(shown["url"], legacy_url);
    new_ticket(&owner.client(), "Sealed delivery").await;
    delivered_count(&receiver, 2).await;
    let sealed = receiver.received().into_iter().find(|d| d.body.contains("Sealed delivery")).unwrap();
    assert!(verifies(&secret, &sealed), "the sealed secret does not sign");
}
