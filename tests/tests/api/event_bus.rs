//! Committed events on the EventBridge bus, read as a subscriber in AWS would: a rule on the bus
//! filtered to one workspace, with an SQS queue as its target (both made in moto, the local stand-in).

use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::{Value, json};
use shared::services::event_bus::{BusEntry, EventBus, PutOutcome};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Member, eventually, signup, stack, stream_batch};

use crate::tickets::{new_ticket, ticket_path};

const WITHIN: Duration = Duration::from_secs(120);
/// The bus the local stack creates from template.yaml's `EventBus`.
const BUS: &str = "switchboard-local-eventbus";

/// A subscriber's queue behind a rule matching one workspace's events, as docs/events.md shows.
struct Subscription {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Subscription {
    async fn to_workspace(workspace_id: &str) -> Self {
        let aws = &stack().app.aws;
        let (sqs, events) = (aws_sdk_sqs::Client::new(aws), aws_sdk_eventbridge::Client::new(aws));
        let name = format!("subscriber-{}", uuid::Uuid::now_v7().simple());
        let queue_url = sqs.create_queue().queue_name(&name).send().await.unwrap().queue_url.unwrap();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        let queue_arn = attributes.attributes.unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
        let pattern = json!({"source": ["switchboard"], "detail": {"data": {"workspace_id": [workspace_id]}}});
        events.put_rule().event_bus_name(BUS).name(&name).event_pattern(pattern.to_string()).send().await.unwrap();
        let target = aws_sdk_eventbridge::types::Target::builder().id("queue").arn(queue_arn).build().unwrap();
        let put = events.put_targets().event_bus_name(BUS).rule(&name).targets(target).send().await.unwrap();
        assert_eq!(put.failed_entry_count, 0, "{put:?}");
        Self { sqs, queue_url }
    }

    /// Every event the queue has received so far (each message is one EventBridge event).
    async fn drain(&self, into: &mut Vec<Value>) {
        let received = self
            .sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for message in received.messages.unwrap_or_default() {
            into.push(serde_json::from_str(message.body.as_deref().unwrap()).unwrap());
            let receipt = message.receipt_handle.unwrap();
            self.sqs.delete_message().queue_url(&self.queue_url).receipt_handle(receipt).send().await.unwrap();
        }
    }

    /// Reads until an event of each of `kinds` arrived; returns all read.
    async fn read_until(&self, kinds: &[&str]) -> Vec<Value> {
        self.read_until_within(kinds, WITHIN).await
    }

    async fn read_until_within(&self, kinds: &[&str], within: Duration) -> Vec<Value> {
        let mut events = Vec::new();
        let arrived = eventually(within, async || {
            self.drain(&mut events).await;
            kinds.iter().all(|kind| events.iter().any(|event| event["detail-type"] == *kind))
        })
        .await;
        assert!(arrived, "not every one of {kinds:?} arrived: {events:#?}");
        events
    }
}

async fn subscribe_webhooks(owner: &Member, receiver: &Receiver) {
    owner
        .client()
        .post(
            "/api/v1/webhooks",
            json!({"url": receiver.url, "events": ["ticket.created", "ticket.updated", "lead.created"]}),
        )
        .await
        .expect(201);
}

#[tokio::test]
async fn a_rule_filtered_to_a_workspace_gets_its_events_with_the_webhook_payload_and_nothing_of_another() {
    let (alpha, beta) = (signup("Bus Alpha").await, signup("Bus Beta").await);
    let (alpha_queue, beta_queue) =
        (Subscription::to_workspace(&alpha.workspace_id).await, Subscription::to_workspace(&beta.workspace_id).await);
    let receiver = Receiver::start(Behaviour::Succeed).await;
    subscribe_webhooks(&alpha, &receiver).await;

    let beta_ticket = new_ticket(&beta.client(), "Beta's own trouble").await;
    let ticket = new_ticket(&alpha.client(), "Bus stop").await;
    alpha
        .client()
        .patch(&ticket_path(&ticket), json!({"version": ticket["version"], "status": "pending"}))
        .await
        .expect(200);
    let lead = alpha.client().post("/api/v1/leads", json!({"name": "Bea Bus"})).await.expect(201).body;

    let events =
        alpha_queue.read_until(&["customer.created", "ticket.created", "ticket.updated", "lead.created"]).await;
    // Beta's events reached Beta's rule, so their absence from Alpha's queue is the filter's doing.
    let beta_events = beta_queue.read_until(&["customer.created", "ticket.created"]).await;
    let beta_created = beta_events.iter().find(|event| event["detail-type"] == "ticket.created").unwrap();
    assert_eq!(beta_created["detail"]["data"]["ticket_id"], beta_ticket["id"]);
    assert!(beta_events.iter().all(|event| event["detail"]["data"]["workspace_id"] == beta.workspace_id.as_str()));
    let mut extra = Vec::new();
    alpha_queue.drain(&mut extra).await;
    let all: Vec<&Value> = events.iter().chain(&extra).collect();
    assert!(
        all.iter().all(|event| event["detail"]["data"]["workspace_id"] == alpha.workspace_id.as_str()),
        "another workspace's event matched Alpha's rule: {all:#?}"
    );
    let mut ids: Vec<&Value> = all.iter().map(|event| &event["detail"]["data"]["id"]).collect();
    ids.sort_by_key(|id| id.to_string());
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "each event once: {all:#?}");

    let of_type = |kind: &str| -> &Value {
        all.iter().find(|event| event["detail-type"] == kind).unwrap_or_else(|| panic!("no {kind}: {all:#?}"))
    };
    let (created, updated, lead_created) =
        (of_type("ticket.created"), of_type("ticket.updated"), of_type("lead.created"));
    for event in [created, updated, lead_created] {
        assert_eq!(event["source"], "switchboard");
        assert_eq!(event["detail"]["type"], event["detail-type"]);
    }
    assert_eq!(created["detail"]["data"]["ticket_id"], ticket["id"]);
    assert_eq!(updated["detail"]["data"]["after"]["status"], "pending");
    assert_eq!(lead_created["detail"]["data"]["after"]["name"], "Bea Bus");
    assert_eq!(lead_created["detail"]["data"]["subject"], format!("lead/{}", lead["id"].as_str().unwrap()));
    // A ticket's events carry its version, the order a subscriber sorts them by.
    let version = |event: &Value| event["detail"]["data"]["ticket_version"].as_u64().expect("a ticket version");
    assert!(version(created) < version(updated), "{created:#} {updated:#}");

    // The detail is the webhook body, byte for byte as JSON.
    assert!(eventually(WITHIN, async || receiver.count() >= 3).await, "the webhooks were not delivered");
    for delivered in receiver.received() {
        let body = delivered.json();
        let on_bus = all
            .iter()
            .find(|event| event["detail"]["data"]["id"] == body["data"]["id"])
            .unwrap_or_else(|| panic!("delivered but not on the bus: {body:#}"));
        assert_eq!(on_bus["detail"], body);
    }
}

/// A bus refusing every entry of one detail-type (as EventBridge does per entry, with an ErrorCode),
/// recording what it accepted.
struct Refusing {
    refuse: Option<&'static str>,
    accepted: std::sync::Mutex<Vec<BusEntry>>,
}

impl EventBus for Refusing {
    fn put<'a>(&'a self, entries: &'a [BusEntry]) -> BoxFuture<'a, PutOutcome> {
        Box::pin(async move {
            let mut accepted = self.accepted.lock().unwrap();
            Ok(entries
                .iter()
                .map(|entry| {
                    if Some(entry.detail_type.as_str()) == self.refuse {
                        return Some("ThrottlingException".to_owned());
                    }
                    accepted.push(entry.clone());
                    None
                })
                .collect())
        })
    }
}

#[tokio::test]
async fn a_refused_entry_fails_its_stream_record_and_is_published_when_the_batch_comes_again() {
    let owner = signup("Bus Refusals").await;
    let ticket = new_ticket(&owner.client(), "Refused once").await;
    owner
        .client()
        .patch(&ticket_path(&ticket), json!({"version": ticket["version"], "status": "pending"}))
        .await
        .expect(200);
    let app = stack().app;
    let batch = stream_batch(app, &owner.workspace_id).await;
    let kind_of = |index: usize| match batch.records[index].change.new_image.get("type") {
        Some(serde_dynamo::AttributeValue::S(kind)) => kind.clone(),
        other => panic!("an event item without its type: {other:?}"),
    };
    let updated = (0..batch.records.len()).find(|index| kind_of(*index) == "ticket.updated").expect("the update");

    let throttled = Refusing { refuse: Some("ticket.updated"), accepted: Default::default() };
    let response = shared::services::outbox::consume(app, &batch.records, Some(&throttled)).await;
    let failed: Vec<String> =
        response.batch_item_failures.iter().map(|f| f.item_identifier.clone().unwrap_or_default()).collect();
    let expected: Vec<String> = (updated..batch.records.len()).map(|index| index.to_string()).collect();
    assert_eq!(failed, expected, "the refused record and every later one are redelivered");
    assert!(throttled.accepted.lock().unwrap().iter().all(|entry| entry.detail_type != "ticket.updated"));

    // The stream redelivers from the refused record; this time the bus takes it.
    let healthy = Refusing { refuse: None, accepted: Default::default() };
    let response = shared::services::outbox::consume(app, &batch.records[updated..], Some(&healthy)).await;
    assert!(response.batch_item_failures.is_empty());
    let accepted = healthy.accepted.lock().unwrap();
    let published: Value = serde_json::from_str(
        &accepted.iter().find(|entry| entry.detail_type == "ticket.updated").expect("published on retry").detail,
    )
    .unwrap();
    assert_eq!(published["data"]["ticket_id"], ticket["id"]);
    assert_eq!(published["data"]["after"]["status"], "pending");
}

/// `webhook.*` events carry an endpoint's URL; its path and query may be a credential (Slack's is), so
/// everyone who reads events (the activity log, webhook receivers and bus subscribers) sees scheme and host.
#[tokio::test]
async fn webhook_events_show_only_the_endpoints_scheme_and_host_to_every_reader() {
    let owner = signup("Bus Redacted Hooks").await;
    let queue = Subscription::to_workspace(&owner.workspace_id).await;
    let failing = Receiver::start(Behaviour::AlwaysFail).await;
    let origin = failing.url.trim_end_matches("/hooks").to_owned();
    let registered = format!("{}/T000/B000?token=first-s3cr3t", failing.url);
    let endpoint = owner
        .client()
        .post("/api/v1/webhooks", json!({"url": registered, "events": ["ticket.created"]}))
        .await
        .expect(201)
        .body;
    let path = format!("/api/v1/webhooks/{}", endpoint["id"].as_str().unwrap());
    let moved = format!("{}/T000/B999?token=second-s3cr3t", failing.url);
    // Only the path and query change (as when Slack rotates a URL): the endpoint is updated all the same.
    let patched = owner.client().patch(&path, json!({"url": moved})).await.expect(200).body;
    assert_eq!(patched["url"], moved.as_str(), "the owner sees the full URL of their endpoint");
    new_ticket(&owner.client(), "Into a failing hook").await;

    // The endpoint pauses after its attempts; its event reaches the bus as the webhook body an endpoint
    // subscribed to `webhook.endpoint_paused` receives (one function builds both).
    // A pause comes after ten failed attempts, each a queue round trip: the bound of the webhook tests.
    let on_the_bus = queue.read_until_within(&["webhook.endpoint_paused"], Duration::from_secs(360)).await;
    let paused_on_the_bus = on_the_bus.iter().find(|event| event["detail-type"] == "webhook.endpoint_paused").unwrap();
    assert_eq!(paused_on_the_bus["detail"]["data"]["after"]["url"], origin.as_str());
    let activity = owner.client().get("/api/v1/activity").await.expect(200).body;
    let logged: Vec<&Value> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"].as_str().is_some_and(|kind| kind.starts_with("webhook.")))
        .collect();
    for kind in ["webhook.created", "webhook.updated", "webhook.endpoint_paused"] {
        assert!(logged.iter().any(|event| event["type"] == kind), "no {kind}: {activity}");
    }
    let updated = logged.iter().find(|event| event["type"] == "webhook.updated").unwrap();
    assert_eq!(updated["before"]["url"], origin.as_str());
    assert_eq!(updated["after"]["url"], origin.as_str());

    let text = serde_json::to_string(&(&on_the_bus, &logged)).unwrap();
    for secret in ["s3cr3t", "/hooks", "T000", "B999"] {
        assert!(!text.contains(secret), "{secret} reached an event: {text}");
    }
}
