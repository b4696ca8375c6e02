//! The e-mail channel, outbound: an agent's public reply on a ticket goes to the customer (and whom
//! they copied) through SES, which the local stack plays with the stand-in's SES (`GET /__local/outbox`
//! reads what it recorded); the customer's answer to it threads back onto the ticket.

use std::time::Duration;

use aws_lambda_events::sqs::SqsEvent;
use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::{Client, Member, eventually, replay_events, signup, stack, unique_email};

/// A message the local SES recorded, parsed.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    pub(crate) ses_id: String,
    pub(crate) destinations: Vec<String>,
    pub(crate) raw: String,
    pub(crate) mail: mail::ParsedMail,
    pub(crate) tags: Value,
}

impl Sent {
    /// A header's unfolded value, as written.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let head = self.raw.split("\r\n\r\n").next().unwrap_or_default().replace("\r\n ", " ").replace("\r\n\t", " ");
        head.lines()
            .find_map(|line| line.split_once(':').filter(|(key, _)| key.eq_ignore_ascii_case(name)))
            .map(|(_, value)| value.trim().to_owned())
    }
}

pub(crate) async fn outbox() -> Vec<Sent> {
    let reply = Client::new().get("/__local/outbox").await.expect(200);
    reply.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| {
            let raw = message["raw"].as_str().unwrap().to_owned();
            Sent {
                ses_id: message["message_id"].as_str().unwrap().to_owned(),
                destinations: message["destinations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|address| address.as_str().unwrap().to_owned())
                    .collect(),
                mail: mail::parse(raw.as_bytes()).expect("a MIME message"),
                raw,
                tags: message["tags"].clone(),
            }
        })
        .collect()
}

/// What was sent to `address` so far (as To or Cc), every message.
pub(crate) async fn all_sent_to(address: &str) -> Vec<Sent> {
    outbox().await.into_iter().filter(|sent| sent.destinations.iter().any(|to| to.contains(address))).collect()
}

/// The replies agents wrote sent to `address` so far (as To or Cc); notifications (`Auto-Submitted`
/// other than `no`) left out.
pub(crate) async fn sent_to(address: &str) -> Vec<Sent> {
    all_sent_to(address)
        .await
        .into_iter()
        .filter(|sent| sent.header("Auto-Submitted").as_deref() == Some("no"))
        .collect()
}

/// The notifications (received, solved) sent to `address` so far.
pub(crate) async fn notifications_to(address: &str) -> Vec<Sent> {
    all_sent_to(address)
        .await
        .into_iter()
        .filter(|sent| sent.header("Auto-Submitted").as_deref() != Some("no"))
        .collect()
}

/// Waits until `count` messages went to `address`; returns them.
pub(crate) async fn wait_for_mail(address: &str, count: usize) -> Vec<Sent> {
    let mut found = Vec::new();
    let arrived = eventually(Duration::from_secs(90), async || {
        found = sent_to(address).await;
        found.len() >= count
    })
    .await;
    assert!(arrived, "{count} message(s) to {address} expected, found {}", found.len());
    found
}

pub(crate) async fn forwarding_address(owner: &Member) -> String {
    let settings = owner.client().get("/api/v1/settings/email").await.expect(200);
    settings.body["forwarding_address"].as_str().unwrap().to_owned()
}

pub(crate) fn message_id() -> String {
    format!("{}@mail.example.com", uuid::Uuid::new_v4().simple())
}

pub(crate) fn raw_mail(
    from: &str,
    to: &str,
    cc: Option<&str>,
    subject: &str,
    id: &str,
    in_reply_to: Option<&str>,
    body: &str,
) -> Vec<u8> {
    let mut raw = format!("From: Ada Lovelace <{from}>\r\nTo: {to}\r\n");
    if let Some(cc) = cc {
        raw.push_str(&format!("Cc: {cc}\r\n"));
    }
    if let Some(parent) = in_reply_to {
        raw.push_str(&format!("In-Reply-To: <{parent}>\r\nReferences: <{parent}>\r\n"));
    }
    raw.push_str(&format!(
        "Subject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 7 Dec 2026 09:15:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ));
    raw.into_bytes()
}

pub(crate) async fn deliver(raw: Vec<u8>) -> Value {
    let reply = Client::new().send_raw(Method::POST, "/__local/inbound-email", "message/rfc822", raw).await;
    let outcomes = reply.expect(200).body["handled"][0]["result"][0]["outcomes"].clone();
    assert_eq!(outcomes.as_array().map(Vec::len), Some(1), "{outcomes}");
    outcomes[0].clone()
}

/// A customer's first mail (copying `cc`), opening a ticket: (ticket id, its Message-ID).
pub(crate) async fn opened(owner: &Member, from: &str, cc: Option<&str>) -> (String, String) {
    let id = message_id();
    let to = forwarding_address(owner).await;
    let outcome = deliver(raw_mail(from, &to, cc, "The printer is on fire", &id, None, "It burns.")).await;
    assert_eq!(outcome["outcome"], "opened", "{outcome}");
    (outcome["ticket_id"].as_str().unwrap().to_owned(), id)
}

pub(crate) async fn reply(owner: &Member, ticket: &str, body: &str, internal: bool) -> Value {
    let path = format!("/api/v1/tickets/{ticket}/messages");
    owner.client().post(&path, json!({"body": body, "internal": internal})).await.expect(201).body
}

#[tokio::test]
async fn an_agent_reply_reaches_the_customer_threaded_and_their_answer_lands_on_the_same_ticket() {
    let owner = signup("Outbound Co").await;
    let customer = unique_email("ada");
    let (ticket, first_id) = opened(&owner, &customer, None).await;
    reply(&owner, &ticket, "A technician is on the way.", false).await;

    let sent = wait_for_mail(&customer, 1).await;
    assert_eq!(sent.len(), 1);
    let sent = &sent[0];
    let forwarding = forwarding_address(&owner).await;
    assert_eq!(sent.mail.from.as_ref().map(|from| from.address.as_str()), Some(forwarding.as_str()));
    assert_eq!(sent.mail.from.as_ref().and_then(|from| from.name.as_deref()), Some("Outbound Co"));
    assert_eq!(sent.mail.to, vec![customer.clone()]);
    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200).body;
    let number = detail["ticket"]["number"].as_u64().unwrap();
    assert_eq!(sent.mail.subject, format!("Re: The printer is on fire [#{number}]"));
    assert_eq!(sent.mail.in_reply_to, vec![first_id.clone()], "it answers the customer's message");
    assert_eq!(sent.mail.references, vec![first_id.clone()]);
    let reply_address = owner.client().get(&format!("/api/v1/tickets/{ticket}/reply-address")).await.expect(200);
    let reply_to = sent.header("Reply-To").unwrap();
    assert_eq!(reply_to, format!("<{}>", reply_address.body["reply_to"].as_str().unwrap()));
    assert!(reply_to.contains('+'), "the plus-address carries the reply token: {reply_to}");
    assert!(sent.mail.text.contains("A technician is on the way."), "{}", sent.mail.text);
    assert_eq!(sent.tags["ticket"], ticket.as_str(), "SES events come back with the ticket");

    // The customer answers the message SES delivered (SES gave it its own Message-ID); no reply token,
    // no subject reference: In-Reply-To alone threads it.
    let ses_message_id = format!("{}@us-east-1.amazonses.com", sent.ses_id);
    let answer = raw_mail(&customer, &forwarding, None, "Thanks", &message_id(), Some(&ses_message_id), "Thank you!");
    let outcome = deliver(answer).await;
    assert_eq!(outcome["outcome"], "threaded", "{outcome}");
    assert_eq!(outcome["ticket_id"], ticket.as_str());

    // The next reply names both earlier messages, the newest as its parent.
    let answer_id = {
        let answer = message_id();
        let outcome =
            deliver(raw_mail(&customer, &forwarding, None, "More", &answer, Some(&ses_message_id), "And?")).await;
        assert_eq!(outcome["ticket_id"], ticket.as_str());
        answer
    };
    reply(&owner, &ticket, "It is out.", false).await;
    let second = wait_for_mail(&customer, 2).await.pop().unwrap();
    assert_eq!(second.mail.in_reply_to, vec![answer_id.clone()]);
    assert!(second.mail.references.contains(&first_id) && second.mail.references.contains(&ses_message_id));
    assert_eq!(second.mail.references.last(), Some(&answer_id), "{:?}", second.mail.references);
}

#[tokio::test]
async fn internal_notes_are_never_sent() {
    let owner = signup("Quiet Notes Co").await;
    let customer = unique_email("grace");
    let (ticket, _) = opened(&owner, &customer, Some("boss@example.com")).await;
    let secret = format!("note-{}", uuid::Uuid::new_v4().simple());
    reply(&owner, &ticket, &format!("{secret}: this customer is difficult"), true).await;
    // The note's event is handled before the reply's (one ticket's events go in order): once the reply
    // is in the outbox, a sent note would be too.
    reply(&owner, &ticket, "We are on it.", false).await;
    wait_for_mail(&customer, 1).await;
    let everything = outbox().await;
    assert!(everything.iter().all(|sent| !sent.raw.contains(&secret)), "an internal note was sent");
    assert_eq!(sent_to(&customer).await.len(), 1, "the public reply alone");
}

#[tokio::test]
async fn whom_the_customer_copied_is_copied_on_the_reply() {
    let owner = signup("Copies Co").await;
    let customer = unique_email("lin");
    let colleague = unique_email("colleague");
    let (ticket, _) = opened(&owner, &customer, Some(&format!("Colleague <{colleague}>"))).await;
    reply(&owner, &ticket, "Copying your colleague.", false).await;
    let sent = wait_for_mail(&customer, 1).await.pop().unwrap();
    assert_eq!(sent.mail.cc, vec![colleague.clone()]);
    assert!(sent.destinations.iter().any(|to| to.contains(&colleague)), "{:?}", sent.destinations);
}

/// The e-mail queue's messages for the sender, as SQS hands them over.
fn queue_event(requests: &[Value]) -> SqsEvent {
    let records: Vec<Value> = requests
        .iter()
        .enumerate()
        .map(|(index, body)| json!({"messageId": format!("redelivered-{index}"), "body": body.to_string()}))
        .collect();
    serde_json::from_value(json!({ "Records": records })).unwrap()
}

#[tokio::test]
async fn a_redelivered_event_or_queue_message_sends_nothing_twice() {
    let owner = signup("Once Co").await;
    let customer = unique_email("once");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let message = reply(&owner, &ticket, "Only once.", false).await;
    let first = wait_for_mail(&customer, 1).await;

    // The outbox's event again (a retried stream batch), and the queue's message again (at-least-once).
    let listed = owner.client().get("/api/v1/activity").await.body;
    replay_events(stack().app, &owner.workspace_id, &listed).await;
    let request = json!({"workspace_id": owner.workspace_id, "ticket_id": ticket, "message_id": message["id"]});
    let response = fn_email_sender::handle(stack().app, queue_event(&[request.clone(), request])).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(sent_to(&customer).await.len(), first.len(), "sent once");
}

#[tokio::test]
async fn a_send_request_naming_another_workspace_sends_nothing() {
    let owner = signup("Tenant A Mail").await;
    let other = signup("Tenant B Mail").await;
    let customer = unique_email("tenant");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let message = reply(&owner, &ticket, "For A's customer.", false).await;
    wait_for_mail(&customer, 1).await;
    let second = reply(&owner, &ticket, "Second reply.", false).await;
    wait_for_mail(&customer, 2).await;

    // B's workspace with A's ticket and message: B's partition has no such reply, nothing goes out.
    let forged = json!({"workspace_id": other.workspace_id, "ticket_id": ticket, "message_id": message["id"]});
    let forged_second = json!({"workspace_id": other.workspace_id, "ticket_id": ticket, "message_id": second["id"]});
    let response = fn_email_sender::handle(stack().app, queue_event(&[forged, forged_second])).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(sent_to(&customer).await.len(), 2);
}

/// The ticket's messages, as the ticket view shows them.
async fn messages(owner: &Member, ticket: &str) -> Vec<Value> {
    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200).body;
    detail["messages"].as_array().unwrap().clone()
}

/// Waits until the reply `message` shows the delivery `state`; returns the message.
async fn wait_for_state(owner: &Member, ticket: &str, message: &Value, state: &str) -> Value {
    let mut found = Value::Null;
    let reached = eventually(Duration::from_secs(90), async || {
        found = messages(owner, ticket).await.into_iter().find(|m| m["id"] == message["id"]).unwrap_or_default();
        found["delivery"]["state"] == state
    })
    .await;
    assert!(reached, "the reply should be {state}: {found}");
    found
}

#[tokio::test]
async fn each_reply_shows_its_delivery_state_and_the_ticket_stream_carries_it_live() {
    let owner = signup("Delivery State Co").await;
    let customer = unique_email("state");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let mut socket = switchboard_tests::socket::Socket::connect(&owner.access_token).await;
    let subscribed = socket.request(json!({"action": "subscribe", "ticket_id": ticket})).await;
    assert_eq!(subscribed["type"], "subscribed", "{subscribed}");

    let note = reply(&owner, &ticket, "Internal only.", true).await;
    let message = reply(&owner, &ticket, "Delivered, we hope.", false).await;
    let delivered = wait_for_state(&owner, &ticket, &message, "delivered").await;
    assert_eq!(delivered["delivery"]["recipients"], json!([customer]));
    let all = messages(&owner, &ticket).await;
    assert!(all[0]["delivery"].is_null(), "the customer's own message was not sent by us");
    let shown_note = all.iter().find(|m| m["id"] == note["id"]).unwrap();
    assert!(shown_note["delivery"].is_null(), "an internal note has no delivery: it is never sent");

    let live = socket
        .expect(|frame| {
            frame["type"] == "ticket.event"
                && frame["event"]["type"] == "message.delivery_updated"
                && frame["event"]["after"]["state"] == "delivered"
                && frame["event"]["after"]["message_id"] == message["id"]
        })
        .await;
    assert_eq!(live["ticket_id"], ticket.as_str());
    assert_eq!(live["event"]["after"]["message_id"], message["id"]);
}

#[tokio::test]
async fn a_bounce_and_a_complaint_from_the_mailbox_simulator_show_on_the_reply() {
    let owner = signup("Simulator Co").await;
    let (bouncing, _) = opened(&owner, "bounce@simulator.amazonses.com", None).await;
    let message = reply(&owner, &bouncing, "This will bounce.", false).await;
    let bounced = wait_for_state(&owner, &bouncing, &message, "bounced").await;
    let reason = bounced["delivery"]["reason"].as_str().unwrap();
    assert!(reason.contains("Permanent") && reason.contains("550"), "{reason}");

    let (complaining, _) = opened(&owner, "complaint@simulator.amazonses.com", None).await;
    let message = reply(&owner, &complaining, "This will be reported.", false).await;
    let complained = wait_for_state(&owner, &complaining, &message, "complained").await;
    assert!(complained["delivery"]["reason"].as_str().unwrap().contains("spam"));
}

#[tokio::test]
async fn a_dead_lettered_send_marks_an_unsent_reply_failed_and_leaves_a_sent_one_alone() {
    use shared::domain::email::DeliveryState;
    use shared::storage::{
        TenantScope,
        mail_thread::{Direction, ThreadMail},
    };

    let owner = signup("Dead Letter Co").await;
    let customer = unique_email("dlq");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let sent = reply(&owner, &ticket, "This one went.", false).await;
    wait_for_state(&owner, &ticket, &sent, "delivered").await;

    // A reply the queue gave up on before any attempt went through (recorded queued, never claimed).
    let app = stack().app;
    let scope = TenantScope::for_system(owner.workspace_id.parse().unwrap());
    let stuck = shared::domain::ids::MessageId::generate();
    let now = jiff::Timestamp::now();
    let entry = ThreadMail {
        ticket_id: ticket.parse().unwrap(),
        message_id: stuck,
        direction: Direction::Outbound,
        customer_id: None,
        header_id: None,
        to: vec![customer.clone()],
        cc: Vec::new(),
        state: Some(DeliveryState::Queued),
        reason: None,
        attempts: 8,
        notification: None,
        created_at: now,
        updated_at: now,
    };
    assert!(app.store.put_outbound_if_absent(&scope, &entry).await.unwrap().is_none());
    let dead = [
        json!({"workspace_id": owner.workspace_id, "ticket_id": ticket, "message_id": stuck}),
        json!({"workspace_id": owner.workspace_id, "ticket_id": ticket, "message_id": sent["id"]}),
    ];
    let response = fn_email_sender::handle_dead_letters(app, queue_event(&dead)).await;
    assert!(response.batch_item_failures.is_empty());
    let failed = app.store.get_thread_mail(&scope, entry.ticket_id, stuck).await.unwrap().unwrap();
    assert_eq!(failed.state, Some(DeliveryState::Failed));
    assert!(failed.reason.unwrap().contains("every attempt failed"));
    let after = messages(&owner, &ticket).await.into_iter().find(|m| m["id"] == sent["id"]).unwrap();
    assert_eq!(after["delivery"]["state"], "delivered", "a sent reply stays what SES said");
}

/// Uploads a file to the ticket and confirms it; its id.
async fn uploaded(owner: &Member, ticket: &str, filename: &str, bytes: &[u8]) -> String {
    let announced = owner
        .client()
        .post(
            &format!("/api/v1/tickets/{ticket}/attachments"),
            json!({"filename": filename, "content_type": "application/pdf", "size": bytes.len()}),
        )
        .await
        .expect(201);
    let upload = &announced.body["upload"];
    let mut request = reqwest::Client::new().put(upload["url"].as_str().unwrap()).body(bytes.to_vec());
    for (name, value) in upload["headers"].as_object().unwrap() {
        if name != "content-length" {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    assert_eq!(request.send().await.unwrap().status().as_u16(), 200);
    let id = announced.body["attachment"]["id"].as_str().unwrap().to_owned();
    owner.client().post(&format!("/api/v1/tickets/{ticket}/attachments/{id}/confirm"), json!({})).await.expect(200);
    id
}

#[tokio::test]
async fn the_files_of_a_reply_go_with_the_email_and_notes_cannot_carry_any() {
    let owner = signup("Files Out Co").await;
    let customer = unique_email("files");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let bytes = b"%PDF-1.4 the invoice you asked for".to_vec();
    let file = uploaded(&owner, &ticket, "invoice.pdf", &bytes).await;

    let path = format!("/api/v1/tickets/{ticket}/messages");
    let note = owner.client().post(&path, json!({"body": "Note", "internal": true, "attachment_ids": [file]})).await;
    assert_eq!(note.expect_problem(422, "validation-failed").field_errors(), ["attachment_ids"]);
    let stranger = uuid::Uuid::now_v7().to_string();
    let unknown = owner.client().post(&path, json!({"body": "Here", "attachment_ids": [stranger]})).await;
    assert_eq!(unknown.expect_problem(422, "validation-failed").field_errors(), ["attachment_ids[0]"]);

    let message = owner.client().post(&path, json!({"body": "Your invoice.", "attachment_ids": [file]})).await;
    assert_eq!(message.expect(201).body["attachment_ids"], json!([file]));
    let sent = wait_for_mail(&customer, 1).await.pop().unwrap();
    assert_eq!(sent.mail.attachments.len(), 1, "{}", sent.raw);
    assert_eq!(sent.mail.attachments[0].filename, "invoice.pdf");
    assert_eq!(sent.mail.attachments[0].bytes, bytes);
    assert!(sent.mail.text.contains("Your invoice."));
}
