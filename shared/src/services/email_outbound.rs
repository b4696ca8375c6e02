//! Agents' public replies, sent to the customer by e-mail.
//!
//! The reply is committed first (with its `message.created` event); the outbox consumer then records it
//! in the ticket's conversation as `queued` and puts a message on the e-mail queue ([`on_event`]). The
//! e-mail sender claims it (`queued` → `sending`, one conditional write: only one run ever sends it),
//! builds the MIME from what [`claim`] gathers, hands it to SES and records what SES answered
//! ([`sent`], [`retry_later`], [`refused`]). Internal notes never get this far: their events are
//! skipped here, and the sender sends only what is recorded.
//!
//! A run that died while SES had the message leaves it `sending`; the next receive of the queue message
//! cannot tell whether SES took it, so it marks it `failed` instead of risking a second copy: never
//! twice, and never silently lost (the agent sees the state on the reply).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{ServiceError, ServiceResult};
use crate::app::App;
use crate::domain::email::{self, DeliveryState};
use crate::domain::events::EventKind;
use crate::domain::ids::{MessageId, TicketId, WorkspaceId};
use crate::domain::mail_template;
use crate::domain::ticket::Author;
use crate::services::attachments::MAX_ATTACHMENT_BYTES;
use crate::storage::attachments::AttachmentStatus;
use crate::storage::mail_thread::{DeliveryChange, DeliveryWriteError, Direction, NotificationMail, ThreadMail};
use crate::storage::{TenantScope, events::Event};

/// How many earlier Message-IDs a reply's References header names (the newest ones).
const MAX_REFERENCES: usize = 20;

/// The e-mail queue's message: which reply to send (the conversation entry holds the rest).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SendRequest {
    pub workspace_id: WorkspaceId,
    pub ticket_id: TicketId,
    pub message_id: MessageId,
}

/// Queues the e-mail of a committed public agent reply, once per reply.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    if event.kind != EventKind::MessageCreated || event.internal {
        return Ok(());
    }
    let field = |name: &str| event.after.as_ref().and_then(|after| after.get(name)).and_then(|value| value.as_str());
    let author = field("author").and_then(|author| serde_json::from_value::<Author>(author.into()).ok());
    let message = field("message_id").and_then(|id| id.parse::<MessageId>().ok());
    let (Some(Author::Agent), Some(message), Some(ticket), Some(customer)) =
        (author, message, event.ticket_id, event.customer_id)
    else {
        return Ok(());
    };
    if app.config.email_queue_url.is_none() {
        tracing::debug!("no e-mail queue configured: replies are not sent");
        return Ok(());
    }
    let Some(customer) = app.store.get_customer(scope, customer).await? else {
        return Ok(());
    };
    let entry = outbound_entry(ticket, message, customer.id, customer.email.to_string(), None, event.at);
    record_and_queue(app, scope, &entry).await
}

/// A conversation entry for a mail to the customer, `queued`.
pub(crate) fn outbound_entry(
    ticket: TicketId,
    message: MessageId,
    customer: crate::domain::ids::CustomerId,
    to: String,
    notification: Option<NotificationMail>,
    at: Timestamp,
) -> ThreadMail {
    ThreadMail {
        ticket_id: ticket,
        message_id: message,
        direction: Direction::Outbound,
        customer_id: Some(customer),
        header_id: None,
        to: vec![to],
        cc: Vec::new(),
        state: Some(DeliveryState::Queued),
        reason: None,
        attempts: 0,
        notification,
        created_at: at,
        updated_at: at,
    }
}

/// Records the mail `queued` unless it is recorded already, and puts it on the e-mail queue while
/// nobody claimed it: a redelivered event neither records nor sends it twice.
pub(crate) async fn record_and_queue(app: &App, scope: &TenantScope, entry: &ThreadMail) -> ServiceResult<()> {
    let existing = app.store.put_outbound_if_absent(scope, entry).await?;
    // Queued again only while nobody claimed it (the first run may have died before sending the
    // message); a second queue message is harmless, the claim lets one through.
    if existing.as_ref().is_none_or(|found| found.state == Some(DeliveryState::Queued)) {
        let request = SendRequest {
            workspace_id: scope.workspace_id(),
            ticket_id: entry.ticket_id,
            message_id: entry.message_id,
        };
        app.email_queue.send(&request).await?;
    }
    Ok(())
}

/// A file going with a reply.
#[derive(Debug, Clone)]
pub struct OutgoingFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Everything the sender needs to build and send one reply.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub from_name: String,
    pub from: String,
    /// The workspace's address with the ticket's reply token (`<address>+<token>@…`).
    pub reply_to: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub text: String,
    /// Without angle brackets.
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<OutgoingFile>,
    /// The `Auto-Submitted` header (RFC 3834): `no` for a reply a person wrote, `auto-replied` or
    /// `auto-generated` for notifications.
    pub auto_submitted: &'static str,
    /// SES message tags: they come back on every event notification about the message.
    pub tags: Vec<(&'static str, String)>,
}

/// What the sender should do with a queue message.
#[derive(Debug)]
pub enum Claimed {
    Send(Box<OutgoingMail>),
    /// Nothing to send (sent before, already final, not recorded): the queue message is done.
    Done(&'static str),
}

/// Claims a reply for sending and gathers its mail.
pub async fn claim(app: &App, request: &SendRequest) -> ServiceResult<Claimed> {
    let scope = TenantScope::for_system(request.workspace_id);
    let (ticket_id, message_id) = (request.ticket_id, request.message_id);
    let Some(entry) = app.store.get_thread_mail(&scope, ticket_id, message_id).await? else {
        return Ok(Claimed::Done("not recorded"));
    };
    match entry.state {
        Some(DeliveryState::Queued) => {}
        Some(DeliveryState::Sending) => {
            let reason = "the send was interrupted while SES had it; it may not have reached the customer";
            fail(app, &scope, ticket_id, message_id, &[DeliveryState::Sending], reason).await?;
            return Ok(Claimed::Done("interrupted earlier"));
        }
        _ => return Ok(Claimed::Done("sent before")),
    }
    if !app.store.claim_outbound(&scope, ticket_id, message_id, app.clock.now()).await? {
        return Ok(Claimed::Done("claimed by another run"));
    }
    match gather(app, &scope, &entry).await {
        Ok(mail) => Ok(Claimed::Send(Box::new(mail))),
        // Gone for good (the ticket, the message or one of its files): retrying cannot send it.
        Err(ServiceError::NotFound(what)) => {
            let reason = format!("not sent: {} is gone", what.to_lowercase());
            fail(app, &scope, ticket_id, message_id, &[DeliveryState::Sending], &reason).await?;
            Ok(Claimed::Done("gone"))
        }
        Err(err) => {
            // Back in the queue's hands: the message comes again after its visibility timeout.
            retry_later(app, request, &err.to_string()).await?;
            Err(err)
        }
    }
}

async fn gather(app: &App, scope: &TenantScope, entry: &ThreadMail) -> ServiceResult<OutgoingMail> {
    let ticket = app.store.get_ticket(scope, entry.ticket_id).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let workspace = app.store.get_workspace(scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let settings = super::email::settings_of(app, scope, None).await?;
    let conversation = app.store.list_thread(scope, entry.ticket_id).await?;
    // The conversation people wrote: notifications thread back (their Message-IDs are marked) but are
    // not what a reply answers.
    let earlier: Vec<&ThreadMail> = conversation
        .iter()
        .filter(|mail| mail.message_id < entry.message_id && mail.header_id.is_some() && mail.notification.is_none())
        .collect();
    let mut references: Vec<String> = earlier.iter().filter_map(|mail| mail.header_id.clone()).collect();
    if references.len() > MAX_REFERENCES {
        references.drain(..references.len() - MAX_REFERENCES);
    }
    let mut mail = OutgoingMail {
        from_name: workspace.name.as_str().to_owned(),
        from: settings.forwarding_address.to_string(),
        reply_to: super::email::reply_to_address(&settings, scope.workspace_id(), ticket.id),
        to: entry.to.clone(),
        cc: Vec::new(),
        subject: String::new(),
        text: String::new(),
        in_reply_to: references.last().cloned(),
        references,
        attachments: Vec::new(),
        auto_submitted: "no",
        tags: vec![
            ("workspace", scope.workspace_id().to_string()),
            ("ticket", entry.ticket_id.to_string()),
            ("message", entry.message_id.to_string()),
        ],
    };
    // A notification goes as it was filled in when queued, to the customer alone.
    if let Some(notification) = &entry.notification {
        mail.subject = notification.subject.clone();
        mail.text = notification.text.clone();
        mail.auto_submitted = notification.kind.auto_submitted();
        return Ok(mail);
    }
    let message = app
        .store
        .get_message(scope, entry.ticket_id, entry.message_id)
        .await?
        .ok_or(ServiceError::NotFound("The message"))?;
    if message.internal || message.author != Author::Agent {
        return Err(ServiceError::Conflict("only public agent replies are sent".to_owned()));
    }
    for id in &message.attachment_ids {
        let attachment = app
            .store
            .get_attachment(scope, entry.ticket_id, *id)
            .await?
            .filter(|attachment| attachment.status == AttachmentStatus::Uploaded)
            .ok_or(ServiceError::NotFound("A file of the reply"))?;
        let Some(Ok(bytes)) = app.attachments.read(&attachment.object_key, MAX_ATTACHMENT_BYTES).await? else {
            return Err(ServiceError::NotFound("A file of the reply"));
        };
        mail.attachments.push(OutgoingFile {
            filename: attachment.filename,
            content_type: attachment.content_type,
            bytes,
        });
    }
    // Whom the customer's latest message copied.
    mail.cc = earlier
        .iter()
        .rev()
        .find(|earlier| earlier.direction == Direction::Inbound)
        .map(|earlier| earlier.cc.iter().filter(|address| !entry.to.contains(address)).cloned().collect())
        .unwrap_or_default();
    let reference = ticket.number.map(|number| format!(" [#{number}]")).unwrap_or_default();
    mail.subject = if ticket.subject.to_lowercase().starts_with("re:") {
        format!("{}{reference}", ticket.subject)
    } else {
        format!("Re: {}{reference}", ticket.subject)
    };
    mail.text = mail_template::with_signature(&message.body, settings.signature.as_deref());
    Ok(mail)
}

/// The event of a reply's delivery state moving (the ticket's live stream and timeline show it).
pub(crate) fn delivery_event(entry: &ThreadMail, to: DeliveryState, reason: Option<&str>, now: Timestamp) -> Event {
    let event = Event::new(EventKind::MessageDeliveryUpdated, None, format!("ticket/{}", entry.ticket_id), now)
        .with_change(
            Some(serde_json::json!({"message_id": entry.message_id, "state": entry.state})),
            Some(serde_json::json!({
                "message_id": entry.message_id, "state": to, "reason": reason,
                "notification": entry.notification.as_ref().map(|notification| notification.kind),
            })),
        );
    match entry.customer_id {
        Some(customer) => event.about_ticket(entry.ticket_id, customer),
        None => Event { ticket_id: Some(entry.ticket_id), ..event },
    }
}

async fn entry_of(app: &App, scope: &TenantScope, request: &SendRequest) -> ServiceResult<Option<ThreadMail>> {
    Ok(app.store.get_thread_mail(scope, request.ticket_id, request.message_id).await?)
}

/// SES accepted the reply: `sent`, with the Message-ID SES gave it (`<id>@<region>.amazonses.com`),
/// marked so the customer's answer threads onto the ticket.
pub async fn sent(app: &App, request: &SendRequest, ses_id: &str, region: &str) -> ServiceResult<()> {
    let scope = TenantScope::for_system(request.workspace_id);
    let Some(entry) = entry_of(app, &scope, request).await? else { return Ok(()) };
    let header = email::ses_message_id(ses_id, region);
    let now = app.clock.now();
    let event = delivery_event(&entry, DeliveryState::Sent, None, now);
    match app.store.record_sent(&scope, request.ticket_id, request.message_id, &header, Some(&event), now).await {
        Ok(()) | Err(DeliveryWriteError::NotInState) => Ok(()),
        Err(DeliveryWriteError::Store(err)) => Err(err.into()),
    }
}

/// SES could not take it now (throttled, unavailable): back to `queued` for the queue's next receive.
pub async fn retry_later(app: &App, request: &SendRequest, reason: &str) -> ServiceResult<()> {
    let scope = TenantScope::for_system(request.workspace_id);
    let change = DeliveryChange {
        ticket: request.ticket_id,
        message: request.message_id,
        from: &[DeliveryState::Sending],
        to: DeliveryState::Queued,
        reason: Some(reason),
        now: app.clock.now(),
    };
    let result = app.store.set_delivery_state(&scope, &change, None).await;
    match result {
        Ok(()) | Err(DeliveryWriteError::NotInState) => Ok(()),
        Err(DeliveryWriteError::Store(err)) => Err(err.into()),
    }
}

/// SES refused the message for good (an unverified sender, a malformed address): `failed`.
pub async fn refused(app: &App, request: &SendRequest, reason: &str) -> ServiceResult<()> {
    let scope = TenantScope::for_system(request.workspace_id);
    fail(app, &scope, request.ticket_id, request.message_id, &[DeliveryState::Sending], reason).await
}

/// The queue gave up on the message (dead-lettered after its receives): `failed` if still unsent.
pub async fn dead_lettered(app: &App, request: &SendRequest) -> ServiceResult<()> {
    let scope = TenantScope::for_system(request.workspace_id);
    let reason = "not sent: every attempt failed (see the e-mail sender's logs)";
    fail(app, &scope, request.ticket_id, request.message_id, &[DeliveryState::Queued, DeliveryState::Sending], reason)
        .await
}

async fn fail(
    app: &App,
    scope: &TenantScope,
    ticket: TicketId,
    message: MessageId,
    from: &[DeliveryState],
    reason: &str,
) -> ServiceResult<()> {
    let Some(entry) = app.store.get_thread_mail(scope, ticket, message).await? else { return Ok(()) };
    if !entry.state.is_some_and(|state| from.contains(&state)) {
        return Ok(());
    }
    tracing::warn!(%ticket, %message, reason, "e-mail reply failed");
    let now = app.clock.now();
    let event = delivery_event(&entry, DeliveryState::Failed, Some(reason), now);
    let change = DeliveryChange { ticket, message, from, to: DeliveryState::Failed, reason: Some(reason), now };
    match app.store.set_delivery_state(scope, &change, Some(&event)).await {
        Ok(()) | Err(DeliveryWriteError::NotInState) => Ok(()),
        Err(DeliveryWriteError::Store(err)) => Err(err.into()),
    }
}
