//! The e-mail channel, inbound: real MIME messages (tests/fixtures/mail) dropped on the local stack
//! (`POST /__local/inbound-email`, which stores them as SES does and runs the inbound function on the S3
//! notification) become tickets, thread into tickets, or land in the rejected-mail log.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_tests::{Client, Member, add_member, signup, unique_email};

const EMAIL: &str = "/api/v1/settings/email";
const REJECTED: &str = "/api/v1/settings/email/rejected";

fn fixture(name: &str, fields: &[(&str, &str)]) -> Vec<u8> {
    let path = format!("{}/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut raw = std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    for (field, value) in fields {
        let placeholder = format!("{{{{{field}}}}}").into_bytes();
        while let Some(at) = raw.windows(placeholder.len()).position(|window| window == placeholder.as_slice()) {
            raw.splice(at..at + placeholder.len(), value.bytes());
        }
    }
    raw
}

fn message_id() -> String {
    format!("{}@mail.example.com", uuid::Uuid::new_v4().simple())
}

/// Drops a raw message on the local stack; the outcomes of the inbound function, one per workspace.
async fn deliver(raw: Vec<u8>) -> Vec<Value> {
    let reply = Client::new().send_raw(Method::POST, "/__local/inbound-email", "message/rfc822", raw).await;
    let reply = reply.expect(200);
    reply.body["handled"][0]["result"][0]["outcomes"].as_array().cloned().unwrap_or_default()
}

async fn deliver_one(raw: Vec<u8>) -> Value {
    let outcomes = deliver(raw).await;
    assert_eq!(outcomes.len(), 1, "one workspace handles it: {outcomes:?}");
    outcomes[0].clone()
}

async fn forwarding_address(owner: &Member) -> String {
    let settings = owner.client().get(EMAIL).await.expect(200);
    settings.body["forwarding_address"].as_str().unwrap().to_owned()
}

async fn ticket(owner: &Member, id: &Value) -> Value {
    owner.client().get(&format!("/api/v1/tickets/{}", id.as_str().unwrap())).await.expect(200).body
}

async fn customer_of(owner: &Member, detail: &Value) -> switchboard_tests::Reply {
    let path = format!("/api/v1/customers/{}", detail["ticket"]["customer_id"].as_str().unwrap());
    owner.client().get(&path).await.expect(200)
}

/// A customer's first message to the workspace, opening a ticket: (ticket id, its Message-ID).
async fn opened(owner: &Member, from: &str) -> (Value, String) {
    let to = forwarding_address(owner).await;
    let id = message_id();
    let outcome =
        deliver_one(fixture("multipart-alternative.eml", &[("FROM", from), ("TO", &to), ("MESSAGE_ID", &id)])).await;
    assert_eq!(outcome["outcome"], "opened", "{outcome}");
    (outcome["ticket_id"].clone(), id)
}

#[tokio::test]
async fn a_customer_email_opens_an_email_ticket_and_the_next_one_finds_the_same_customer() {
    let owner = signup("Mail Intake Co").await;
    let from = unique_email("ada");
    let (id, _) = opened(&owner, &from).await;
    let detail = ticket(&owner, &id).await;
    assert_eq!(detail["ticket"]["channel"], "email");
    assert_eq!(detail["ticket"]["subject"], "The printer is on fire");
    assert_eq!(detail["ticket"]["status"], "new");
    let body = detail["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("on the third floor is on fire again"), "{body}");
    assert!(!body.contains('<'), "the plain part, not the HTML: {body}");
    assert_eq!(detail["messages"][0]["author"], "customer");
    let customer = customer_of(&owner, &detail).await;
    assert_eq!(customer.body["email"], from.to_lowercase());
    assert_eq!(customer.body["name"], "Ada Lovelace");

    // HTML-only mail from the same sender: a second ticket for the same customer, the HTML as text.
    let to = forwarding_address(&owner).await;
    let second =
        deliver_one(fixture("html-only.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())])).await;
    assert_eq!(second["outcome"], "opened");
    let second = ticket(&owner, &second["ticket_id"]).await;
    assert_eq!(second["ticket"]["customer_id"], detail["ticket"]["customer_id"]);
    let body = second["messages"][0]["body"].as_str().unwrap();
    assert!(body.contains("Why was I charged twice in November?"), "{body}");
    for markup in ["<", "alert", "color: red", "pixel.gif"] {
        assert!(!body.contains(markup), "{markup:?} leaked into {body:?}");
    }
}

#[tokio::test]
async fn latin1_quoted_printable_and_forwarded_mail_arrive_readable_and_whole() {
    let owner = signup("Charset Co").await;
    let to = forwarding_address(&owner).await;
    let from = unique_email("renee");
    let outcome = deliver_one(fixture(
        "latin1-quoted-printable.eml",
        &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())],
    ))
    .await;
    let detail = ticket(&owner, &outcome["ticket_id"]).await;
    assert_eq!(detail["ticket"]["subject"], "Problème de facturation");
    let body = detail["messages"][0]["body"].as_str().unwrap();
    assert!(
        body.contains("Ma facture de décembre est erronée : le montant dû est de 12,50 EUR au lieu de 10 EUR."),
        "{body}"
    );
    assert_eq!(customer_of(&owner, &detail).await.body["name"], "Renée François");

    // A forwarded message opens a ticket with the forwarded part kept (it is the point of the mail).
    let forwarded =
        deliver_one(fixture("forwarded.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())])).await;
    let body = ticket(&owner, &forwarded["ticket_id"]).await["messages"][0]["body"].as_str().unwrap().to_owned();
    assert!(
        body.starts_with("Can you look at this?") && body.contains("Parcel 4711 could not be delivered."),
        "{body}"
    );
}

#[tokio::test]
async fn an_attached_file_becomes_a_ticket_attachment_counted_in_storage() {
    let owner = signup("Attachment Mail Co").await;
    let to = forwarding_address(&owner).await;
    let from = unique_email("ada");
    let attached =
        deliver_one(fixture("attachment.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())])).await;
    let detail = ticket(&owner, &attached["ticket_id"]).await;
    assert_eq!(detail["messages"][0]["body"], "The export fails; the log is attached.");
    let files = detail["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{detail}");
    let log = b"ERROR export failed: timeout after 30s\n";
    assert_eq!(files[0]["filename"], "export.log");
    assert_eq!(files[0]["content_type"], "text/plain");
    assert_eq!(files[0]["size"], log.len());
    assert_eq!(files[0]["uploaded_by"], Value::Null, "the customer's e-mail brought it");
    let path = format!(
        "/api/v1/tickets/{}/attachments/{}",
        attached["ticket_id"].as_str().unwrap(),
        files[0]["id"].as_str().unwrap()
    );
    let download = owner.client().get(&path).await.expect(200);
    let fetched = reqwest::get(download.body["download"]["url"].as_str().unwrap()).await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), log);
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], log.len());
    assert!(
        detail["timeline"].as_array().unwrap().iter().any(|event| event["type"] == "attachment.added"),
        "the file's event is on the ticket"
    );

    // The same message again keeps no second copy.
    let other = signup("Attachment Dup Co").await;
    let to = forwarding_address(&other).await;
    let raw = fixture("attachment.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())]);
    deliver_one(raw.clone()).await;
    assert_eq!(deliver_one(raw).await["outcome"], "duplicate");
    let me = other.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], log.len());
}

#[tokio::test]
async fn a_gmail_reply_threads_by_in_reply_to_reopens_the_solved_ticket_and_drops_the_quote() {
    let owner = signup("Threading Co").await;
    let from = unique_email("ada");
    let (id, first_message_id) = opened(&owner, &from).await;
    let path = format!("/api/v1/tickets/{}", id.as_str().unwrap());
    let version = ticket(&owner, &id).await["ticket"]["version"].clone();
    owner.client().patch(&path, json!({"status": "solved", "version": version})).await.expect(200);

    let to = forwarding_address(&owner).await;
    let reply = fixture(
        "gmail-reply.eml",
        &[
            ("FROM", &from),
            ("TO", &to),
            ("MESSAGE_ID", &message_id()),
            ("IN_REPLY_TO", &first_message_id),
            ("SUBJECT", "The printer is on fire"),
        ],
    );
    let outcome = deliver_one(reply).await;
    assert_eq!(outcome["outcome"], "threaded");
    assert_eq!(outcome["ticket_id"], id);
    let detail = ticket(&owner, &id).await;
    assert_eq!(detail["ticket"]["status"], "open", "a customer's reply reopens a solved ticket");
    let messages = detail["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["body"], "It is still burning after the restart.", "quoted history is cut");
    assert_eq!(messages[1]["author"], "customer");
}

#[tokio::test]
async fn the_reply_token_threads_an_outlook_reply_and_never_into_another_workspace() {
    let owner = signup("Token Co").await;
    let other = signup("Other Token Co").await;
    let from = unique_email("grace");
    let (id, _) = opened(&owner, &from).await;
    let address = owner.client().get(&format!("/api/v1/tickets/{}/reply-address", id.as_str().unwrap())).await;
    let address = address.expect(200);
    let reply_to = address.body["reply_to"].as_str().unwrap().to_owned();
    let forwarding = forwarding_address(&owner).await;
    let (local, domain) = forwarding.split_once('@').unwrap();
    assert!(reply_to.starts_with(&format!("{local}+")) && reply_to.ends_with(&format!("@{domain}")), "{reply_to}");
    let token = reply_to.trim_start_matches(&format!("{local}+")).split('@').next().unwrap().to_owned();
    assert!(token.len() >= 40, "unguessable: {token}");

    // Outlook quotes without In-Reply-To here: the plus-address alone threads it.
    let outcome = deliver_one(fixture(
        "outlook-reply.eml",
        &[("FROM", &from), ("TO", &reply_to), ("MESSAGE_ID", &message_id()), ("SUBJECT", "Refund")],
    ))
    .await;
    assert_eq!(outcome["outcome"], "threaded");
    assert_eq!(outcome["ticket_id"], id);
    let messages = ticket(&owner, &id).await["messages"].as_array().unwrap().clone();
    assert_eq!(messages.last().unwrap()["body"], "Thanks, the refund arrived.\n\nGrace", "Outlook's quote is cut");

    // Workspace A's token on workspace B's address opens a ticket in B and leaves A's alone.
    let other_forwarding = forwarding_address(&other).await;
    let (other_local, other_domain) = other_forwarding.split_once('@').unwrap();
    let stolen = format!("{other_local}+{token}@{other_domain}");
    let outcome = deliver_one(fixture(
        "outlook-reply.eml",
        &[("FROM", &from), ("TO", &stolen), ("MESSAGE_ID", &message_id()), ("SUBJECT", "Refund")],
    ))
    .await;
    assert_eq!(outcome["outcome"], "opened");
    assert_eq!(outcome["workspace_id"], other.workspace_id.as_str());
    assert_ne!(outcome["ticket_id"], id);
    assert_eq!(ticket(&owner, &id).await["messages"].as_array().unwrap().len(), messages.len());
    // And B's members cannot see A's ticket or its reply address.
    let path = format!("/api/v1/tickets/{}/reply-address", id.as_str().unwrap());
    other.client().get(&path).await.expect(404);
}

#[tokio::test]
async fn a_subject_reference_threads_only_mail_from_the_tickets_customer() {
    let owner = signup("Subject Ref Co").await;
    let from = unique_email("ada");
    let (id, _) = opened(&owner, &from).await;
    let number = ticket(&owner, &id).await["ticket"]["number"].as_u64().unwrap();
    let to = forwarding_address(&owner).await;
    let subject = format!("[#{number}] The printer is on fire");
    let mail = |sender: &str| {
        fixture(
            "outlook-reply.eml",
            &[("FROM", sender), ("TO", &to), ("MESSAGE_ID", &message_id()), ("SUBJECT", &subject)],
        )
    };
    let own = deliver_one(mail(&from)).await;
    assert_eq!((own["outcome"].as_str(), &own["ticket_id"]), (Some("threaded"), &id));
    let stranger = deliver_one(mail(&unique_email("mallory"))).await;
    assert_eq!(stranger["outcome"], "opened", "a stranger's subject reference opens a ticket of its own");
    assert_ne!(stranger["ticket_id"], id);
}

#[tokio::test]
async fn the_same_message_delivered_twice_adds_one_message() {
    let owner = signup("Duplicate Co").await;
    let to = forwarding_address(&owner).await;
    let from = unique_email("ada");
    let raw = fixture("multipart-alternative.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())]);
    let first = deliver_one(raw.clone()).await;
    assert_eq!(first["outcome"], "opened");
    let again = deliver_one(raw).await;
    assert_eq!(again["outcome"], "duplicate");
    let counts = owner.client().get("/api/v1/tickets?view=open").await.expect(200);
    assert_eq!(counts.body["items"].as_array().unwrap().len(), 1, "one ticket");

    // A reply delivered twice: one message.
    let (id, first_id) = opened(&owner, &from).await;
    let reply = fixture(
        "gmail-reply.eml",
        &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id()), ("IN_REPLY_TO", &first_id), ("SUBJECT", "x")],
    );
    assert_eq!(deliver_one(reply.clone()).await["outcome"], "threaded");
    assert_eq!(deliver_one(reply).await["outcome"], "duplicate");
    assert_eq!(ticket(&owner, &id).await["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn auto_replies_loops_bulk_spam_blocked_and_oversized_mail_are_logged_not_ticketed() {
    let owner = signup("Rejects Co").await;
    let to = forwarding_address(&owner).await;
    let blocked = unique_email("pest");
    let settings = owner.client().get(EMAIL).await.expect(200).body;
    owner
        .client()
        .put(
            EMAIL,
            json!({"addresses": [], "blocked_senders": [blocked, "@spam.example"], "version": settings["version"]}),
        )
        .await
        .expect(200);

    let from = unique_email("sender");
    let cases = [
        ("auto-reply.eml", from.clone(), "auto_reply"),
        ("loop.eml", from.clone(), "loop"),
        ("bulk.eml", from.clone(), "bulk"),
        ("spam-verdict.eml", from.clone(), "spam"),
        ("multipart-alternative.eml", blocked.clone(), "blocked_sender"),
        ("multipart-alternative.eml", "anyone@spam.example".to_owned(), "blocked_sender"),
        // Our own forwarding address as the sender: a message of ours came back.
        ("multipart-alternative.eml", to.clone(), "loop"),
    ];
    for (name, sender, reason) in &cases {
        let raw = fixture(name, &[("FROM", sender), ("TO", &to), ("MESSAGE_ID", &message_id()), ("SUBJECT", "x")]);
        let outcome = deliver_one(raw).await;
        assert_eq!(
            (outcome["outcome"].as_str(), outcome["reason"].as_str()),
            (Some("rejected"), Some(*reason)),
            "{name}"
        );
    }
    // Over 25 MB: rejected by size, read no further than its headers.
    let mut big = fixture("attachment.eml", &[("FROM", &from), ("TO", &to), ("MESSAGE_ID", &message_id())]);
    big.extend(std::iter::repeat_n(b'A', 26 * 1024 * 1024));
    let outcome = deliver_one(big).await;
    assert_eq!(outcome["reason"], "too_large");

    let inbox = owner.client().get("/api/v1/tickets?view=open").await.expect(200);
    assert_eq!(inbox.body["items"], json!([]), "no rejected message became a ticket");
    let log = owner.client().get(REJECTED).await.expect(200);
    let reasons: Vec<&str> =
        log.body["items"].as_array().unwrap().iter().map(|entry| entry["reason"].as_str().unwrap()).collect();
    assert_eq!(
        reasons,
        ["too_large", "loop", "blocked_sender", "blocked_sender", "spam", "bulk", "loop", "auto_reply"],
        "newest first"
    );
    let newest = &log.body["items"][0];
    assert_eq!(newest["from"], from.to_lowercase());
    assert_eq!(newest["to"], to);
    assert!(newest["size"].as_u64().unwrap() > 26 * 1024 * 1024);
    assert_eq!(log.body["items"][7]["subject"], "Automatic reply: x");

    // Paged with a cursor.
    let first = owner.client().get(&format!("{REJECTED}?limit=3")).await.expect(200);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let next = owner.client().get(&format!("{REJECTED}?limit=3&cursor={cursor}")).await.expect(200);
    assert_eq!(next.body["items"][0]["reason"], "blocked_sender");

    // Another workspace's log is its own.
    let other = signup("Other Rejects Co").await;
    assert_eq!(other.client().get(REJECTED).await.expect(200).body["items"], json!([]));
}

#[tokio::test]
async fn past_the_monthly_ticket_limit_new_mail_is_logged_without_its_files_and_replies_still_land() {
    let owner = signup("Ticket Limit Mail Co").await;
    let staff = super::suspension::staff().await;
    let plan = format!("test-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let limits = json!({"seats": 5, "tickets_per_month": 1, "storage_bytes": 1_000_000_000u64, "webhooks": 1,
        "api_requests_per_minute": 600});
    staff
        .post("/api/v1/platform/plans", json!({"id": plan, "name": "One ticket", "limits": limits, "features": []}))
        .await
        .expect(201);
    let path = format!("/api/v1/platform/workspaces/{}/plan", owner.workspace_id);
    staff.put(&path, json!({"plan": plan})).await.expect(200);

    let customer = unique_email("ada");
    let (id, first_message_id) = opened(&owner, &customer).await;

    // A second customer's first mail, with a file: the limit is used up, so it is logged, not ticketed.
    let to = forwarding_address(&owner).await;
    let stranger = unique_email("grace");
    let raw = fixture("attachment.eml", &[("FROM", &stranger), ("TO", &to), ("MESSAGE_ID", &message_id())]);
    let outcome = deliver_one(raw.clone()).await;
    assert_eq!((outcome["outcome"].as_str(), outcome["reason"].as_str()), (Some("rejected"), Some("ticket_limit")));
    assert_eq!(deliver_one(raw).await["outcome"], "duplicate", "a redelivery is not logged twice");
    let log = owner.client().get(REJECTED).await.expect(200);
    let entries = log.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["reason"], "ticket_limit");
    assert_eq!(entries[0]["from"], stranger.to_lowercase());
    assert_eq!(entries[0]["subject"], "Error log attached");
    let inbox = owner.client().get("/api/v1/tickets?view=open").await.expect(200);
    let tickets: Vec<&Value> = inbox.body["items"].as_array().unwrap().iter().map(|row| &row["id"]).collect();
    assert_eq!(tickets, [&id], "no ticket past the limit");
    let me = owner.client().get("/api/v1/me").await.expect(200);
    assert_eq!(me.body["plan"]["usage"]["storage_bytes"], 0, "the refused message's file is not kept or counted");

    // The first customer's answer threads onto their ticket: replies open no ticket.
    let reply = fixture(
        "gmail-reply.eml",
        &[
            ("FROM", &customer),
            ("TO", &to),
            ("MESSAGE_ID", &message_id()),
            ("IN_REPLY_TO", &first_message_id),
            ("SUBJECT", "The printer is on fire"),
        ],
    );
    let outcome = deliver_one(reply).await;
    assert_eq!((outcome["outcome"].as_str(), &outcome["ticket_id"]), (Some("threaded"), &id));
    assert_eq!(ticket(&owner, &id).await["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_added_address_gives_its_tickets_a_category_and_belongs_to_one_workspace() {
    let owner = signup("Billing Address Co").await;
    let settings = owner.client().get(EMAIL).await.expect(200).body;
    let billing = unique_email("billing");
    let refused = owner
        .client()
        .put(
            EMAIL,
            json!({"addresses": [{"address": billing, "category": "Bil\u{0}ling"}], "version": settings["version"]}),
        )
        .await
        .expect_problem(422, "validation-failed");
    assert_eq!(refused.field_errors(), ["addresses[0].category"]);
    let saved = owner
        .client()
        .put(EMAIL, json!({"addresses": [{"address": billing, "category": "Billing"}], "version": settings["version"]}))
        .await
        .expect(200);
    assert_eq!(saved.body["addresses"], json!([{"address": billing.to_lowercase(), "category": "Billing"}]));
    assert_eq!(saved.body["forwarding_address"], settings["forwarding_address"], "the forwarding address stays");

    // The customer's billing@ forwards here: the message is addressed to billing@.
    let outcome = deliver_one(fixture(
        "html-only.eml",
        &[("FROM", &unique_email("grace")), ("TO", &billing), ("MESSAGE_ID", &message_id())],
    ))
    .await;
    assert_eq!(outcome["outcome"], "opened");
    assert_eq!(ticket(&owner, &outcome["ticket_id"]).await["ticket"]["category"], "Billing");

    // Another workspace cannot take the address; bad entries are named; a stale version is refused.
    let other = signup("Address Thief Co").await;
    let taken = other.client().put(EMAIL, json!({"addresses": [{"address": billing}]})).await;
    assert_eq!(taken.expect(422).field_errors(), ["addresses"]);
    let bad = owner
        .client()
        .put(
            EMAIL,
            json!({"addresses": [{"address": "nope"}, {"address": "a+b@example.com"}], "blocked_senders": ["@"]}),
        )
        .await
        .expect(422);
    assert_eq!(bad.field_errors(), ["addresses[0].address", "addresses[1].address", "blocked_senders[0]"]);
    owner.client().put(EMAIL, json!({"addresses": [], "version": 1})).await.expect_problem(409, "version-conflict");
}

#[tokio::test]
async fn only_admins_see_and_change_the_email_settings_and_the_rejected_log() {
    let owner = signup("Mail Roles Co").await;
    let admin = add_member(&owner, "admin").await;
    let agent = add_member(&owner, "agent").await;
    admin.client().get(EMAIL).await.expect(200);
    admin.client().get(REJECTED).await.expect(200);
    agent.client().get(EMAIL).await.expect(403);
    agent.client().put(EMAIL, json!({"addresses": []})).await.expect(403);
    agent.client().get(REJECTED).await.expect(403);
    Client::new().get(EMAIL).await.expect(401);
}

#[tokio::test]
async fn mail_for_no_workspace_is_dropped_and_unreadable_input_is_refused() {
    let outcomes = deliver(fixture(
        "multipart-alternative.eml",
        &[
            ("FROM", &unique_email("ada")),
            ("TO", "nobody@inbound.switchboard.localhost"),
            ("MESSAGE_ID", &message_id()),
        ],
    ))
    .await;
    assert_eq!(outcomes, Vec::<Value>::new());
    Client::new().send_raw(Method::POST, "/__local/inbound-email", "message/rfc822", Vec::new()).await.expect(422);
}
