//! The e-mail channel's notifications to customers ("received", "solved") and its texts: templates,
//! their switches, the signature of replies; who may read and change them.

use serde_json::{Value, json};
use switchboard_tests::{Member, add_member, replay_events, signup, stack, unique_email};

use crate::email_outbound::{
    all_sent_to, deliver, forwarding_address, message_id, notifications_to, opened, raw_mail, reply, sent_to,
    wait_for_mail,
};

async fn settings(owner: &Member) -> Value {
    owner.client().get("/api/v1/settings/email").await.expect(200).body
}

/// Changes the texts, keeping the addresses.
async fn put_texts(owner: &Member, texts: Value) -> Value {
    let mut body = texts;
    body["addresses"] = json!([]);
    owner.client().put("/api/v1/settings/email", body).await.expect(200).body
}

async fn wait_for_notifications(address: &str, count: usize) -> Vec<crate::email_outbound::Sent> {
    let mut found = Vec::new();
    let arrived = switchboard_tests::eventually(std::time::Duration::from_secs(90), async || {
        found = notifications_to(address).await;
        found.len() >= count
    })
    .await;
    assert!(arrived, "{count} notification(s) to {address} expected, found {}", found.len());
    found
}

async fn number_of(owner: &Member, ticket: &str) -> u64 {
    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200).body;
    detail["ticket"]["number"].as_u64().unwrap()
}

#[tokio::test]
async fn a_customer_whose_mail_opens_a_ticket_gets_one_auto_reply_with_its_reference_filled_in() {
    let owner = signup("Received Co").await;
    put_texts(
        &owner,
        json!({"notifications": {"received": {
            "enabled": true,
            "subject": "Got it {{ticket.reference}}",
            "body": "Dear {{ customer.name }}, {{workspace.name}} has \"{{ticket.subject}}\" as number {{ticket.number}}.",
        }}}),
    )
    .await;
    let customer = unique_email("ada");
    let (ticket, first_id) = opened(&owner, &customer, None).await;
    let number = number_of(&owner, &ticket).await;

    let sent = wait_for_notifications(&customer, 1).await;
    let sent = &sent[0];
    assert_eq!(sent.mail.subject, format!("Got it [#{number}]"));
    assert!(
        sent.mail
            .text
            .contains(&format!("Dear Ada Lovelace, Received Co has \"The printer is on fire\" as number {number}.")),
        "{}",
        sent.mail.text
    );
    assert!(!sent.raw.contains("{{"), "no placeholder is left: {}", sent.raw);
    assert_eq!(sent.header("Auto-Submitted").as_deref(), Some("auto-replied"));
    assert_eq!(sent.mail.in_reply_to, vec![first_id.clone()], "it answers the customer's message");
    let reply_to = sent.header("Reply-To").unwrap();
    let reply_address = owner.client().get(&format!("/api/v1/tickets/{ticket}/reply-address")).await.expect(200);
    assert_eq!(reply_to, format!("<{}>", reply_address.body["reply_to"].as_str().unwrap()));
    assert_eq!(sent.tags["ticket"], ticket.as_str());

    // The event again (a retried stream batch): still one auto-reply.
    let listed = owner.client().get("/api/v1/activity").await.body;
    replay_events(stack().app, &owner.workspace_id, &listed).await;
    // An agent's reply goes after the replayed events: once it is out, a second auto-reply would be too.
    reply(&owner, &ticket, "Looking into it.", false).await;
    wait_for_mail(&customer, 1).await;
    assert_eq!(notifications_to(&customer).await.len(), 1, "sent once");

    // The customer answering the auto-reply lands on the same ticket.
    let ses_id = format!("{}@us-east-1.amazonses.com", sent.ses_id);
    let forwarding = forwarding_address(&owner).await;
    let answer = deliver(raw_mail(&customer, &forwarding, None, "Re: Got it", &message_id(), Some(&ses_id), "Ok"));
    let outcome = answer.await;
    assert_eq!((outcome["outcome"].as_str(), outcome["ticket_id"].as_str()), (Some("threaded"), Some(ticket.as_str())));
}

#[tokio::test]
async fn auto_responders_and_machine_addresses_get_no_auto_reply() {
    let owner = signup("No Loops Co").await;
    let forwarding = forwarding_address(&owner).await;
    // An out-of-office answer is refused before it becomes a ticket.
    let responder = unique_email("away");
    let mut raw =
        String::from_utf8(raw_mail(&responder, &forwarding, None, "Out of office", &message_id(), None, "Away"))
            .unwrap();
    raw = raw.replacen("Subject:", "Auto-Submitted: auto-replied\r\nSubject:", 1);
    let outcome = deliver(raw.into_bytes()).await;
    assert_eq!(outcome["outcome"], "rejected", "{outcome}");

    // A no-reply sender's mail is a ticket, but nobody reads that mailbox.
    let machine = format!("no-reply@{}", unique_email("shop").split('@').nth(1).unwrap());
    let (ticket, _) = opened(&owner, &machine, None).await;
    // The ticket's events are handled in order: once the agent's reply is out, an auto-reply would be.
    reply(&owner, &ticket, "A person answers.", false).await;
    wait_for_mail(&machine, 1).await;
    assert!(notifications_to(&machine).await.is_empty(), "no auto-reply to a machine");
    assert!(all_sent_to(&responder).await.is_empty(), "nothing to the auto-responder");
}

#[tokio::test]
async fn solving_an_email_ticket_tells_the_customer_and_switched_off_notifications_stay_quiet() {
    let owner = signup("Solved Co").await;
    put_texts(
        &owner,
        json!({"notifications": {
            "received": {"enabled": false, "subject": "Received {{ticket.reference}}", "body": "Thanks."},
            "solved": {"enabled": true, "subject": "Solved: {{ticket.subject}} {{ticket.reference}}", "body": "Bye {{customer.name}}."},
        }}),
    )
    .await;
    let customer = unique_email("solved");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let number = number_of(&owner, &ticket).await;
    let version =
        owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200).body["ticket"]["version"].clone();
    let path = format!("/api/v1/tickets/{ticket}");
    owner.client().patch(&path, json!({"status": "solved", "version": version})).await.expect(200);

    let sent = wait_for_notifications(&customer, 1).await;
    assert_eq!(sent.len(), 1, "the solved notification alone: received is switched off");
    assert_eq!(sent[0].mail.subject, format!("Solved: The printer is on fire [#{number}]"));
    assert!(sent[0].mail.text.contains("Bye Ada Lovelace."), "{}", sent[0].mail.text);
    assert_eq!(sent[0].header("Auto-Submitted").as_deref(), Some("auto-generated"));
}

#[tokio::test]
async fn a_template_with_an_unknown_placeholder_is_refused_naming_it() {
    let owner = signup("Bad Template Co").await;
    let before = settings(&owner).await;
    let reply = owner
        .client()
        .put(
            "/api/v1/settings/email",
            json!({"addresses": [], "notifications": {"received": {
                "enabled": true, "subject": "Hi {{ticket.id}}", "body": "{{customer.email}} and {{ticket.reference}}",
            }}}),
        )
        .await
        .expect(422);
    let errors = reply.field_errors();
    assert!(errors.iter().any(|error| error.contains("notifications.received.subject")), "{errors:?}");
    let text = reply.body.to_string();
    assert!(text.contains("{{ticket.id}}") && text.contains("{{customer.email}}"), "{text}");
    let after = settings(&owner).await;
    assert_eq!(after["notifications"], before["notifications"], "nothing was changed");
    assert_eq!(after["version"], before["version"]);
}

#[tokio::test]
async fn the_signature_goes_with_replies_and_never_with_notes() {
    let owner = signup("Signed Co").await;
    let saved = put_texts(&owner, json!({"signature": "Grace Hopper\nSigned Co support"})).await;
    assert_eq!(saved["signature"], "Grace Hopper\nSigned Co support");
    let customer = unique_email("signed");
    let (ticket, _) = opened(&owner, &customer, None).await;
    let note = format!("note-{}", uuid::Uuid::new_v4().simple());
    reply(&owner, &ticket, &note, true).await;
    reply(&owner, &ticket, "Fixed it.", false).await;

    let sent = wait_for_mail(&customer, 1).await;
    assert_eq!(sent.len(), 1, "the public reply alone");
    let text = sent[0].mail.text.replace("\r\n", "\n");
    assert!(text.contains("Fixed it.\n\n-- \nGrace Hopper\nSigned Co support"), "{text}");
    assert!(all_sent_to(&customer).await.iter().all(|sent| !sent.raw.contains(&note)), "a note was sent");
    // The ticket shows what the agent wrote; the signature belongs to the e-mail.
    let detail = owner.client().get(&format!("/api/v1/tickets/{ticket}")).await.expect(200).body;
    let bodies: Vec<&str> =
        detail["messages"].as_array().unwrap().iter().filter_map(|message| message["body"].as_str()).collect();
    assert!(bodies.contains(&"Fixed it.") && bodies.iter().all(|body| !body.contains("Grace Hopper")), "{bodies:?}");

    // An empty signature removes it; absent keeps it.
    let kept = put_texts(&owner, json!({})).await;
    assert_eq!(kept["signature"], "Grace Hopper\nSigned Co support");
    let removed = put_texts(&owner, json!({"signature": ""})).await;
    assert_eq!(removed["signature"], Value::Null);
    assert_eq!(sent_to(&customer).await.len(), 1);
}

#[tokio::test]
async fn only_admins_change_the_texts_agents_read_the_signature_and_each_workspace_has_its_own() {
    let owner = signup("Texts A").await;
    let other = signup("Texts B").await;
    let agent = add_member(&owner, "agent").await;
    agent.client().get("/api/v1/settings/email").await.expect_problem(403, "forbidden");
    agent
        .client()
        .put("/api/v1/settings/email", json!({"addresses": [], "signature": "Agent was here"}))
        .await
        .expect_problem(403, "forbidden");
    let admin = add_member(&owner, "admin").await;
    put_texts(&admin, json!({"signature": "Team A"})).await;
    assert_eq!(settings(&owner).await["signature"], "Team A");
    let theirs = settings(&other).await;
    assert_eq!(theirs["signature"], Value::Null, "another workspace's signature is its own");
    assert_eq!(theirs["notifications"]["received"]["enabled"], true, "the defaults");
    assert!(theirs["placeholders"].as_array().unwrap().contains(&json!("ticket.reference")));

    // The agent reads, on the ticket they answer, the signature their reply will carry, and only
    // their own workspace's.
    let (ticket, _) = opened(&owner, &unique_email("signed"), None).await;
    let path = format!("/api/v1/tickets/{ticket}/reply-address");
    assert_eq!(agent.client().get(&path).await.expect(200).body["signature"], "Team A");
    other.client().get(&path).await.expect_problem(404, "not-found");
    put_texts(&admin, json!({"signature": ""})).await;
    assert_eq!(agent.client().get(&path).await.expect(200).body["signature"], Value::Null);
}

#[tokio::test]
async fn admins_see_the_sending_domain_verified_with_its_dkim_records_and_agents_do_not() {
    let owner = signup("Domain Co").await;
    let forwarding = forwarding_address(&owner).await;
    let domain = forwarding.split('@').nth(1).unwrap().to_owned();
    let shown = owner.client().get("/api/v1/settings/email/domain").await.expect(200).body;
    assert_eq!(shown["domain"], domain.as_str());
    // The local stack verifies the inbound domain at start, as an operator does once in AWS.
    assert_eq!(shown["status"], "verified", "{shown}");
    assert_eq!(shown["verified_for_sending"], true);
    assert_eq!(shown["dkim_status"], "SUCCESS");
    let records = shown["dkim_records"].as_array().unwrap();
    assert_eq!(records.len(), 3, "{shown}");
    for record in records {
        assert_eq!(record["type"], "CNAME");
        let name = record["name"].as_str().unwrap();
        let token = name.strip_suffix(&format!("._domainkey.{domain}")).expect("a DKIM record name");
        assert_eq!(record["value"], format!("{token}.dkim.amazonses.com"));
    }
    let agent = add_member(&owner, "agent").await;
    agent.client().get("/api/v1/settings/email/domain").await.expect_problem(403, "forbidden");
}
