//! The e-mail channel: an inbound message (already read from MIME by the inbound function) becomes a
//! customer message on the ticket it threads into, or a new ticket, or an entry in the workspace's
//! rejected-mail log; and the settings that say where mail arrives and whose is refused.
//!
//! Threading, in this order: In-Reply-To and References against the Message-IDs stored for the
//! workspace's tickets; then the reply token of a plus-address (`<address>+<token>@…`, an HMAC under the
//! workspace's own secret); then a `[#<number>]` reference in the subject, only from the ticket's customer.

use base64::Engine;
use jiff::Timestamp;
use rand::RngCore;

use super::attachments;
use super::commands::tickets::{CustomerWanted, OpenTicket};
use super::tickets::{self as ticket_service, Opened};
use super::{ServiceError, ServiceResult, settings};
use crate::api::{EmailSettingsView, RejectedMailList, RejectedMailView, ReplyAddressView, UpdateEmailSettingsRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::email::{self, Email, RejectionReason};
use crate::domain::events::EventKind;
use crate::domain::mail_template::{CustomerNotifications, MAX_SIGNATURE_CHARS, NotificationTemplate};
use crate::domain::names::PersonName;
use crate::domain::plan::LimitKind;
use crate::domain::text::{TextKind, check_controls, strip_controls};
use crate::domain::{
    FieldError,
    ids::{AttachmentId, CustomerId, InboundMailId, MessageId, TicketId, UserId, WorkspaceId},
    ticket::{self, Author, MAX_BODY_CHARS, MAX_SUBJECT_CHARS, Priority},
};
use crate::storage::{
    PageParams, TenantScope,
    attachments::{Attachment, AttachmentStatus},
    email::{EmailSettings, EmailSettingsWriteError, MailAddress, MailMarks, RejectWriteError, RejectedMail},
    events::Event,
    keys,
    tickets::{MailTicketWriteError, Message, Ticket},
};

/// How many Message-IDs of In-Reply-To and References are looked up (the newest ones).
const MAX_THREAD_IDS: usize = 20;
const MAX_ADDRESSES: usize = 20;
const MAX_BLOCKED: usize = 500;

/// An inbound message as the inbound function read it.
#[derive(Debug, Clone, Default)]
pub struct InboundEmail {
    /// The raw message's key in the inbound bucket (kept there: the full original).
    pub object_key: String,
    pub size: u64,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<String>,
    pub from_name: Option<String>,
    /// To, Cc and the envelope recipients: any of them may be a workspace's address.
    pub recipients: Vec<String>,
    /// To and Cc as written: whoever besides the workspace is on them is copied on the replies.
    pub addressed: Vec<String>,
    pub subject: String,
    /// The whole text (HTML rendered as text when there is no plain part).
    pub text: String,
    /// The text without quoted history and signature.
    pub reply_text: String,
    /// A `[#<number>]` reference found in the subject.
    pub subject_number: Option<u64>,
    /// Why the message must not become a ticket message, as far as the function can tell from the
    /// message alone (size, auto-responder, loop, receipt verdicts, unreadable).
    pub refused: Option<RejectionReason>,
    pub attachments: Vec<InboundAttachment>,
}

/// A file that came with an inbound message.
#[derive(Debug, Clone, Default)]
pub struct InboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The most files of one message kept as attachments (the rest stay in the raw message).
const MAX_MAIL_ATTACHMENTS: usize = 20;

/// What became of an inbound message in one workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Opened {
        workspace: WorkspaceId,
        ticket: TicketId,
    },
    Threaded {
        workspace: WorkspaceId,
        ticket: TicketId,
    },
    /// Not a final outcome: the files would pass the storage limit (nothing was written).
    StorageFull,
    Rejected {
        workspace: WorkspaceId,
        reason: RejectionReason,
    },
    /// Handled before (same S3 object, or same Message-ID in that workspace).
    Duplicate {
        workspace: WorkspaceId,
    },
}

/// The workspaces (and the address, category and reply token in each) `mail` was sent to.
async fn destinations(
    app: &App,
    mail: &InboundEmail,
) -> ServiceResult<Vec<(MailAddress, WorkspaceId, Option<String>)>> {
    let mut found: Vec<(MailAddress, WorkspaceId, Option<String>)> = Vec::new();
    for recipient in &mail.recipients {
        let (base, token) = split_plus(recipient);
        let Ok(address) = Email::parse(&base) else { continue };
        if found.iter().any(|(known, _, _)| known.address == address) {
            continue;
        }
        if let Some(mailbox) = app.store.get_mailbox(&address).await? {
            // One handling per workspace: the first of its addresses in the message decides.
            if found.iter().all(|(_, workspace, _)| *workspace != mailbox.workspace_id) {
                found.push((MailAddress { address, category: mailbox.category }, mailbox.workspace_id, token));
            }
        }
    }
    Ok(found)
}

fn split_plus(address: &str) -> (String, Option<String>) {
    let address = address.trim().to_lowercase();
    let Some((local, domain)) = address.split_once('@') else { return (address, None) };
    match local.split_once('+') {
        Some((base, token)) if !base.is_empty() && !token.is_empty() => {
            (format!("{base}@{domain}"), Some(token.to_owned()))
        }
        _ => (address.clone(), None),
    }
}

/// Handles one inbound message for every workspace it was addressed to. A message for no workspace's
/// address is dropped (logged by the caller): there is no workspace to log it in.
pub async fn receive(app: &App, mail: &InboundEmail) -> ServiceResult<Vec<Received>> {
    let mut outcomes = Vec::new();
    for (address, workspace, token) in destinations(app, mail).await? {
        // The workspace comes from the committed address item, not from the sender.
        let scope = TenantScope::for_system(workspace);
        outcomes.push(receive_in(app, &scope, mail, &address, token.as_deref()).await?);
    }
    Ok(outcomes)
}

async fn receive_in(
    app: &App,
    scope: &TenantScope,
    mail: &InboundEmail,
    address: &MailAddress,
    token: Option<&str>,
) -> ServiceResult<Received> {
    let workspace = scope.workspace_id();
    let object_digest = email::digest_hex(&mail.object_key);
    if app.store.mail_object_seen(scope, &object_digest).await? {
        return Ok(Received::Duplicate { workspace });
    }
    let settings = app.store.get_email_settings(scope).await?.ok_or(ServiceError::NotFound("The e-mail settings"))?;
    let sender = mail.from.as_deref().and_then(|from| Email::parse(from).ok());
    let refused = match (&sender, mail.refused) {
        (_, Some(reason)) => Some(reason),
        (None, None) => Some(RejectionReason::NoSender),
        // Our own address as the sender: a message of ours came back.
        (Some(sender), None) if is_ours(app, &settings, sender) => Some(RejectionReason::Loop),
        (Some(sender), None) if email::is_blocked(sender, &settings.blocked_senders) => {
            Some(RejectionReason::BlockedSender)
        }
        _ => None,
    };
    let message_digest = mail.message_id.as_deref().map(email::digest_hex);
    if let Some(reason) = refused {
        return reject(app, scope, mail, address, reason, &object_digest, message_digest.as_deref()).await;
    }
    let sender = sender.expect("a mail without a sender was refused above");
    // A closed ticket takes no more messages: then the mail opens a new one.
    let target = thread(app, scope, &settings, mail, token, &sender)
        .await?
        .filter(|ticket| ticket.status != ticket::Status::Closed);
    let ticket_id = target.as_ref().map_or_else(TicketId::generate, |ticket| ticket.id);
    // Staff may have changed the plan's storage limit: read the plan itself, not the seed tier.
    let (workspace, plan) = super::plans::workspace_and_plan(app, scope).await?;
    let (attachments, left_out) = store_files(app, scope, ticket_id, mail).await?;
    let mut marks = MailMarks {
        message_id_header: mail.message_id.clone(),
        copied: copied(app, &settings, mail, &sender),
        received_at: app.clock.now(),
        message_id_digest: message_digest,
        object_digest,
        ticket_id,
        // Set by whoever writes the message.
        message_id: MessageId::generate(),
        object_key: mail.object_key.clone(),
        attachments,
        storage_limit: super::plans::StorageLimit::of(&workspace, &plan).for_files(),
    };
    let mut note = (left_out > 0).then(|| format!("{left_out} attached file(s) of a type or size not kept"));
    for _ in 0..2 {
        let received = match &target {
            Some(ticket) => add_to(app, scope, ticket, mail, &marks, note.as_deref()).await?,
            None => Some(open_or_reject(app, scope, mail, address, sender.clone(), &marks, note.as_deref()).await?),
        };
        match received {
            Some(Received::StorageFull) => {
                // The message is kept without its files (they stay in the raw message).
                discard_files(app, &marks).await;
                note = Some(format!(
                    "{} attached file(s) not kept: the workspace's storage is full",
                    marks.attachments.len()
                ));
                marks.attachments.clear();
            }
            Some(received @ Received::Duplicate { .. }) => {
                discard_files(app, &marks).await;
                return Ok(received);
            }
            Some(received) => return Ok(received),
            // Closed meanwhile: open a new ticket, without the files stored under the old one.
            None => {
                discard_files(app, &marks).await;
                let marks = MailMarks { ticket_id: TicketId::generate(), attachments: Vec::new(), ..marks };
                return open_or_reject(app, scope, mail, address, sender, &marks, note.as_deref()).await;
            }
        }
    }
    Err(ServiceError::Conflict("The message could not be stored; it will be tried again.".to_owned()))
}

/// Writes the message's files to the attachments bucket, at keys of `ticket`; returns their records and
/// how many were left out (a type uploads may not have, too big, too many).
async fn store_files(
    app: &App,
    scope: &TenantScope,
    ticket: TicketId,
    mail: &InboundEmail,
) -> ServiceResult<(Vec<Attachment>, usize)> {
    let now = app.clock.now();
    let mut kept = Vec::new();
    for file in &mail.attachments {
        let content_type = file.content_type.to_lowercase();
        let allowed = attachments::ALLOWED_CONTENT_TYPES.contains(&content_type.as_str())
            && !file.bytes.is_empty()
            && file.bytes.len() as u64 <= attachments::MAX_ATTACHMENT_BYTES
            && kept.len() < MAX_MAIL_ATTACHMENTS;
        let Some(filename) = allowed.then(|| attachments::sanitize_filename(&file.filename).ok()).flatten() else {
            continue;
        };
        let id = AttachmentId::generate();
        let attachment = Attachment {
            id,
            ticket_id: ticket,
            object_key: keys::attachment_object_key(scope.workspace_id(), ticket, id, &filename),
            filename,
            content_type,
            size: file.bytes.len() as u64,
            status: AttachmentStatus::Uploaded,
            uploaded_by: None,
            created_at: now,
            uploaded_at: Some(now),
            version_id: None,
            reserved: false,
        };
        app.attachments.write(&attachment.object_key, file.bytes.clone(), &attachment.content_type).await?;
        kept.push(attachment);
    }
    let left_out = mail.attachments.len() - kept.len();
    Ok((kept, left_out))
}

/// Removes files written for a message that was not stored with them.
async fn discard_files(app: &App, marks: &MailMarks) {
    for attachment in &marks.attachments {
        if let Err(err) = app.attachments.remove(&attachment.object_key).await {
            tracing::warn!(key = %attachment.object_key, error = %err, "removing an unused attachment object failed");
        }
    }
}

/// `attachment.added` for each file kept with a message.
pub(super) fn attachment_events(marks: &MailMarks, customer: CustomerId, now: Timestamp) -> Vec<Event> {
    marks
        .attachments
        .iter()
        .map(|attachment| {
            Event::new(EventKind::AttachmentAdded, None, format!("ticket/{}", attachment.ticket_id), now)
                .with_change(
                    None,
                    Some(serde_json::json!({
                        "attachment_id": attachment.id, "filename": attachment.filename, "size": attachment.size,
                    })),
                )
                .about_ticket(attachment.ticket_id, customer)
        })
        .collect()
}

/// The people besides the sender and the workspace a message was addressed to (at most 20): a reply
/// goes to them too, as a mail client's "reply all" would.
fn copied(app: &App, settings: &EmailSettings, mail: &InboundEmail, sender: &Email) -> Vec<String> {
    let mut copied: Vec<String> = Vec::new();
    for address in &mail.addressed {
        let (base, _) = split_plus(address);
        let Ok(address) = Email::parse(&base) else { continue };
        if address == *sender
            || is_ours(app, settings, &address)
            || copied.iter().any(|known| *known == address.as_str())
        {
            continue;
        }
        copied.push(address.to_string());
    }
    copied.truncate(20);
    copied
}

pub(crate) fn is_ours(app: &App, settings: &EmailSettings, sender: &Email) -> bool {
    let domain = sender.as_str().rsplit_once('@').map(|(_, domain)| domain);
    domain == Some(app.config.inbound_domain.as_str())
        || settings.receiving().iter().any(|address| address.address == *sender)
}

/// The ticket `mail` belongs to, if any, in threading order.
async fn thread(
    app: &App,
    scope: &TenantScope,
    settings: &EmailSettings,
    mail: &InboundEmail,
    token: Option<&str>,
    sender: &Email,
) -> ServiceResult<Option<Ticket>> {
    let mut ids: Vec<&String> = mail.in_reply_to.iter().chain(mail.references.iter().rev()).collect();
    ids.dedup();
    let digests: Vec<String> = ids.into_iter().take(MAX_THREAD_IDS).map(|id| email::digest_hex(id)).collect();
    if let Some(id) = app.store.ticket_of_mail_ids(scope, &digests).await?
        && let Some(ticket) = app.store.get_ticket(scope, id).await?
    {
        return Ok(Some(ticket));
    }
    if let Some(id) = token.and_then(|token| email::verify_reply_token(&secret(settings), scope.workspace_id(), token))
        && let Some(ticket) = app.store.get_ticket(scope, id).await?
    {
        return Ok(Some(ticket));
    }
    if let Some(number) = mail.subject_number
        && let Some(ticket) = app.store.ticket_by_number(scope, number).await?
    {
        // A subject is easy to write: it threads only the ticket's own customer's mail.
        let customer = app.store.customer_id_by_email(scope, sender).await?;
        if customer == Some(ticket.customer_id) {
            return Ok(Some(ticket));
        }
    }
    Ok(None)
}

fn secret(settings: &EmailSettings) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&settings.token_secret).unwrap_or_default()
}

fn clean_subject(subject: &str) -> String {
    let subject = strip_controls(subject, TextKind::Line);
    let subject = subject.trim();
    if subject.is_empty() { "(no subject)".to_owned() } else { subject.chars().take(MAX_SUBJECT_CHARS).collect() }
}

/// The body with a line about files left out, kept within the length limit.
fn with_note(body: String, note: Option<&str>) -> String {
    let Some(note) = note else { return body };
    let note = format!("\n\n[{note}; the whole message is kept as received]");
    let room = MAX_BODY_CHARS.saturating_sub(note.chars().count());
    let body: String = body.chars().take(room).collect();
    format!("{body}{note}")
}

fn clean_body(text: &str) -> String {
    let text = strip_controls(text, TextKind::Body);
    let text = text.trim();
    if text.is_empty() {
        return "(no text)".to_owned();
    }
    if text.chars().count() <= MAX_BODY_CHARS {
        return text.to_owned();
    }
    const CUT: &str = "\n\n[… cut here; the whole message is kept as received]";
    let kept: String = text.chars().take(MAX_BODY_CHARS - CUT.chars().count()).collect();
    format!("{kept}{CUT}")
}

/// Adds the customer's message to `ticket` (reopening a solved one); None when the ticket is closed.
async fn add_to(
    app: &App,
    scope: &TenantScope,
    ticket: &Ticket,
    mail: &InboundEmail,
    marks: &MailMarks,
    note: Option<&str>,
) -> ServiceResult<Option<Received>> {
    let workspace = scope.workspace_id();
    let mut before = ticket.clone();
    for _ in 0..3 {
        let Ok(status) = ticket::after_message(before.status, Author::Customer, false) else { return Ok(None) };
        let now = app.clock.now();
        let message = Message {
            id: MessageId::generate(),
            ticket_id: before.id,
            author: Author::Customer,
            author_id: before.customer_id.to_string(),
            body: with_note(clean_body(&mail.reply_text), note),
            internal: false,
            created_at: now,
            merged_from: None,
            attachment_ids: Vec::new(),
        };
        let mut after = before.clone();
        after.status = status;
        after.record_status(now);
        after.updated_at = now;
        after.version = before.version + 1;
        after.row.record_message(&message, None);
        let id = before.id;
        let mut events = vec![
            Event::new(EventKind::MessageCreated, None, format!("ticket/{id}"), now)
                .with_change(
                    None,
                    Some(serde_json::json!({
                        "message_id": message.id, "author": Author::Customer, "internal": false, "channel": "email",
                    })),
                )
                .about_ticket(id, before.customer_id)
                .at_version(after.version),
        ];
        if after.status != before.status {
            events.push(
                Event::new(EventKind::TicketUpdated, None, format!("ticket/{id}"), now)
                    .with_change(Some(ticket_service::snapshot(&before)), Some(ticket_service::snapshot(&after)))
                    .about_ticket(id, before.customer_id)
                    .at_version(after.version),
            );
        }
        let marks = MailMarks { ticket_id: id, message_id: message.id, ..marks.clone() };
        events.extend(attachment_events(&marks, before.customer_id, now));
        match app.store.save_ticket_from_mail(scope, &before, &after, &message, &events, &marks).await {
            Ok(()) => return Ok(Some(Received::Threaded { workspace, ticket: id })),
            Err(MailTicketWriteError::Duplicate) => return Ok(Some(Received::Duplicate { workspace })),
            Err(MailTicketWriteError::StorageFull) => return Ok(Some(Received::StorageFull)),
            Err(MailTicketWriteError::VersionConflict) => {
                before = ticket_service::load(app, scope, id).await?;
            }
            Err(MailTicketWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "The ticket", current: None })
}

async fn open_from(
    app: &App,
    scope: &TenantScope,
    mail: &InboundEmail,
    address: &MailAddress,
    sender: Email,
    marks: &MailMarks,
    note: Option<&str>,
) -> ServiceResult<Received> {
    let workspace = scope.workspace_id();
    // The address's category, if the taxonomy (changed since) still has it.
    let category = match &address.category {
        Some(category) => settings::taxonomy(app, scope)
            .await?
            .check(Some(category), None)
            .ok()
            .and_then(|(category, _)| category)
            .or_else(|| Some(category.clone())),
        None => None,
    };
    let name = mail
        .from_name
        .as_deref()
        .map(|name| strip_controls(name, TextKind::Line))
        .and_then(|name| PersonName::parse(&name).ok())
        .map(|name| name.as_str().to_owned());
    let command = OpenTicket {
        subject: clean_subject(&mail.subject),
        // A new ticket keeps the whole text: what looks like quoted history may be a forwarded message.
        body: with_note(clean_body(&mail.text), note),
        priority: Priority::Normal,
        category,
        subcategory: None,
        tags: Vec::new(),
        channel: "email".to_owned(),
        customer: CustomerWanted::ByEmail { email: sender, name },
    };
    match ticket_service::open(app, scope, None, &command, Some(marks)).await? {
        Opened::Ticket(ticket) => Ok(Received::Opened { workspace, ticket: ticket.id }),
        Opened::AlreadyHandled => Ok(Received::Duplicate { workspace }),
        Opened::StorageFull => Ok(Received::StorageFull),
    }
}

/// Opens a ticket from `mail`; past the plan's monthly ticket limit the message goes to the rejected-mail
/// log instead, its files removed (they were never counted: the ticket's transaction did not happen).
/// Replies to existing tickets are not tickets opened and never meet the limit.
async fn open_or_reject(
    app: &App,
    scope: &TenantScope,
    mail: &InboundEmail,
    address: &MailAddress,
    sender: Email,
    marks: &MailMarks,
    note: Option<&str>,
) -> ServiceResult<Received> {
    match open_from(app, scope, mail, address, sender, marks, note).await {
        Err(ServiceError::PlanLimit(exceeded)) if exceeded.kind == LimitKind::TicketsPerMonth => {
            discard_files(app, marks).await;
            let (object_digest, message_digest) = (&marks.object_digest, marks.message_id_digest.as_deref());
            reject(app, scope, mail, address, RejectionReason::TicketLimit, object_digest, message_digest).await
        }
        other => other,
    }
}

async fn reject(
    app: &App,
    scope: &TenantScope,
    mail: &InboundEmail,
    address: &MailAddress,
    reason: RejectionReason,
    object_digest: &str,
    message_digest: Option<&str>,
) -> ServiceResult<Received> {
    let workspace = scope.workspace_id();
    let now = app.clock.now();
    let rejected = RejectedMail {
        id: InboundMailId::generate(),
        received_at: now,
        reason,
        from: mail.from.as_deref().map(|from| strip_controls(from, TextKind::Line).chars().take(254).collect()),
        to: Some(address.address.to_string()),
        subject: clean_subject(&mail.subject),
        message_id: mail.message_id.as_deref().map(|id| strip_controls(id, TextKind::Line).chars().take(500).collect()),
        size: mail.size,
        object_key: mail.object_key.clone(),
    };
    let event = Event::new(EventKind::EmailRejected, None, format!("email/{}", rejected.id), now).with_change(
        None,
        Some(serde_json::json!({"reason": reason, "from": rejected.from, "subject": rejected.subject})),
    );
    match app.store.reject_mail(scope, &rejected, object_digest, message_digest, &event).await {
        Ok(()) => Ok(Received::Rejected { workspace, reason }),
        Err(RejectWriteError::Duplicate) => Ok(Received::Duplicate { workspace }),
        Err(RejectWriteError::Store(err)) => Err(err.into()),
    }
}

/// The workspace's e-mail settings; the first read assigns the forwarding address (and the reply-token
/// secret) in one conditional write.
pub(crate) async fn settings_of(app: &App, scope: &TenantScope, actor: Option<UserId>) -> ServiceResult<EmailSettings> {
    if let Some(settings) = app.store.get_email_settings(scope).await? {
        return Ok(settings);
    }
    let workspace = app.store.get_workspace(scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token_secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    // A longer piece of the id when the short one is taken (two workspaces of the same name and suffix).
    for suffix in [6, 12, 32] {
        let local = email::forwarding_local_part(workspace.name.as_str(), workspace.id, suffix);
        let forwarding_address = Email::parse(&format!("{local}@{}", app.config.inbound_domain))
            .map_err(|reason| ServiceError::Conflict(format!("No forwarding address could be made: {reason}")))?;
        let now = app.clock.now();
        let settings = EmailSettings {
            forwarding_address,
            addresses: Vec::new(),
            blocked_senders: Vec::new(),
            signature: None,
            notifications: Default::default(),
            token_secret: token_secret.clone(),
            version: 1,
            updated_at: now,
            updated_by: actor,
        };
        let event = settings_event(actor, None, &settings, now);
        match app.store.put_email_settings(scope, None, &settings, &event).await {
            Ok(()) => return Ok(settings),
            Err(EmailSettingsWriteError::VersionConflict) => {
                // Another first read assigned it meanwhile.
                if let Some(settings) = app.store.get_email_settings(scope).await? {
                    return Ok(settings);
                }
            }
            Err(EmailSettingsWriteError::AddressTaken) => continue,
            Err(EmailSettingsWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::Conflict("No free forwarding address was found; try again.".to_owned()))
}

fn settings_event(
    actor: Option<UserId>,
    before: Option<&EmailSettings>,
    after: &EmailSettings,
    now: Timestamp,
) -> Event {
    // The secret never goes into the event log.
    let public = |settings: &EmailSettings| serde_json::to_value(EmailSettingsView::from(settings)).unwrap_or_default();
    Event::new(EventKind::SettingsEmailUpdated, actor, "settings/email".to_owned(), now)
        .with_change(before.map(public), Some(public(after)))
}

pub async fn get_settings(app: &App, caller: &MemberPrincipal) -> ServiceResult<EmailSettingsView> {
    Ok((&settings_of(app, &caller.scope(), Some(caller.user_id)).await?).into())
}

/// The command of an update: every field checked, every error named at once.
fn parse_update(
    app: &App,
    request: &UpdateEmailSettingsRequest,
    forwarding: &Email,
) -> Result<(Vec<MailAddress>, Vec<String>), Vec<FieldError>> {
    let mut errors = Vec::new();
    if request.addresses.len() > MAX_ADDRESSES {
        errors.push(FieldError::new("addresses", format!("must be at most {MAX_ADDRESSES}")));
    }
    let mut addresses: Vec<MailAddress> = Vec::new();
    for (index, input) in request.addresses.iter().enumerate() {
        let field = format!("addresses[{index}].address");
        match Email::parse(&input.address) {
            Err(message) => errors.push(FieldError::new(field, message)),
            Ok(address) if address.as_str().split('@').next().is_some_and(|local| local.contains('+')) => {
                errors.push(FieldError::new(field, "must not be a plus-address (replies use those)"));
            }
            Ok(address) if address.as_str().ends_with(&format!("@{}", app.config.inbound_domain)) => {
                errors.push(FieldError::new(field, "must not be on the inbound domain"));
            }
            Ok(address) if address == *forwarding || addresses.iter().any(|known| known.address == address) => {
                errors.push(FieldError::new(field, "is listed twice"));
            }
            Ok(address) => {
                let field = format!("addresses[{index}].category");
                let category = match input.category.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(raw) if raw.chars().count() > 64 => {
                        errors.push(FieldError::new(field, "must be at most 64 characters"));
                        None
                    }
                    Some(raw) => match check_controls(raw, TextKind::Line) {
                        Ok(()) => Some(raw.to_owned()),
                        Err(message) => {
                            errors.push(FieldError::new(field, message));
                            None
                        }
                    },
                };
                addresses.push(MailAddress { address, category });
            }
        }
    }
    if request.blocked_senders.len() > MAX_BLOCKED {
        errors.push(FieldError::new("blocked_senders", format!("must be at most {MAX_BLOCKED}")));
    }
    let mut blocked = Vec::new();
    for (index, raw) in request.blocked_senders.iter().enumerate() {
        let entry = raw.trim().to_lowercase();
        let valid = match entry.strip_prefix('@') {
            Some(domain) => Email::parse(&format!("x@{domain}")).is_ok(),
            None => Email::parse(&entry).is_ok(),
        };
        if !valid {
            errors.push(FieldError::new(
                format!("blocked_senders[{index}]"),
                "must be an address or @domain like @example.com",
            ));
        } else if !blocked.contains(&entry) {
            blocked.push(entry);
        }
    }
    if errors.is_empty() { Ok((addresses, blocked)) } else { Err(errors) }
}

/// The signature and notification templates of an update (absent ones kept from `before`).
fn parse_texts(
    request: &UpdateEmailSettingsRequest,
    before: &EmailSettings,
) -> Result<(Option<String>, CustomerNotifications), Vec<FieldError>> {
    let mut errors = Vec::new();
    let signature = match request.signature.as_deref().map(str::trim) {
        None => before.signature.clone(),
        Some("") => None,
        Some(text) if text.chars().count() > MAX_SIGNATURE_CHARS => {
            errors.push(FieldError::new("signature", format!("must be at most {MAX_SIGNATURE_CHARS} characters")));
            None
        }
        Some(text) => match check_controls(text, TextKind::Body) {
            Ok(()) => Some(text.to_owned()),
            Err(message) => {
                errors.push(FieldError::new("signature", message));
                None
            }
        },
    };
    let mut notifications = before.notifications.clone();
    if let Some(input) = &request.notifications {
        for (name, given, slot) in [
            ("notifications.received", &input.received, &mut notifications.received),
            ("notifications.solved", &input.solved, &mut notifications.solved),
        ] {
            let Some(given) = given else { continue };
            match NotificationTemplate::parse(name, given.enabled, &given.subject, &given.body) {
                Ok(template) => *slot = template,
                Err(more) => errors.extend(more),
            }
        }
    }
    if errors.is_empty() { Ok((signature, notifications)) } else { Err(errors) }
}

pub async fn update_settings(
    app: &App,
    caller: &MemberPrincipal,
    request: UpdateEmailSettingsRequest,
) -> ServiceResult<EmailSettingsView> {
    let scope = caller.scope();
    for _ in 0..3 {
        let before = settings_of(app, &scope, Some(caller.user_id)).await?;
        if request.version.is_some_and(|version| version != before.version) {
            let current = serde_json::to_value(EmailSettingsView::from(&before)).unwrap_or_default();
            return Err(ServiceError::VersionConflict { what: "The e-mail settings", current: Some(current) });
        }
        let (mut addresses, blocked_senders) =
            parse_update(app, &request, &before.forwarding_address).map_err(ServiceError::Validation)?;
        // With a taxonomy, an address's category must come from it (in its spelling).
        let taxonomy = settings::taxonomy(app, &scope).await?;
        let mut errors = Vec::new();
        for (index, address) in addresses.iter_mut().enumerate() {
            if let Some(category) = address.category.take() {
                match taxonomy.check(Some(&category), None) {
                    Ok((checked, _)) => address.category = checked,
                    Err(error) => errors.push(FieldError::new(format!("addresses[{index}].category"), error.message)),
                }
            }
        }
        let (signature, notifications) = match parse_texts(&request, &before) {
            Ok(texts) => texts,
            Err(more) => {
                errors.extend(more);
                (None, before.notifications.clone())
            }
        };
        if !errors.is_empty() {
            return Err(ServiceError::Validation(errors));
        }
        let now = app.clock.now();
        let after = EmailSettings {
            addresses,
            blocked_senders,
            signature,
            notifications,
            version: before.version + 1,
            updated_at: now,
            updated_by: Some(caller.user_id),
            ..before.clone()
        };
        let event = settings_event(Some(caller.user_id), Some(&before), &after, now);
        match app.store.put_email_settings(&scope, Some(&before), &after, &event).await {
            Ok(()) => return Ok((&after).into()),
            Err(EmailSettingsWriteError::VersionConflict) if request.version.is_none() => continue,
            Err(EmailSettingsWriteError::VersionConflict) => {
                let current = app.store.get_email_settings(&scope).await?;
                let current = current.map(|current| serde_json::to_value(EmailSettingsView::from(&current)));
                return Err(ServiceError::VersionConflict {
                    what: "The e-mail settings",
                    current: current.and_then(Result::ok),
                });
            }
            Err(EmailSettingsWriteError::AddressTaken) => {
                return Err(ServiceError::Validation(vec![FieldError::new(
                    "addresses",
                    "an address is already used by another workspace",
                )]));
            }
            Err(EmailSettingsWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "The e-mail settings", current: None })
}

pub async fn rejected(app: &App, caller: &MemberPrincipal, page: PageParams) -> ServiceResult<RejectedMailList> {
    let page = app.store.list_rejected_mail(&caller.scope(), page.limit, page.cursor.as_deref()).await?;
    Ok(RejectedMailList {
        items: page.items.iter().map(RejectedMailView::from).collect(),
        next_cursor: page.next_cursor,
    })
}

/// The address the customer's replies to a ticket go to, with its reply token, and the signature the
/// replies carry: read by whoever may read the ticket (the e-mail settings themselves are for admins).
pub async fn reply_address(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<ReplyAddressView> {
    let scope = caller.scope();
    let ticket = ticket_service::load(app, &scope, id).await?;
    let settings = settings_of(app, &scope, Some(caller.user_id)).await?;
    Ok(ReplyAddressView {
        reply_to: reply_to_address(&settings, scope.workspace_id(), ticket.id),
        subject_reference: ticket.number.map(|number| format!("[#{number}]")).unwrap_or_default(),
        signature: settings.signature.clone(),
    })
}

/// The workspace's forwarding address plus the ticket's reply token: `<address>+<token>@…`.
pub(crate) fn reply_to_address(settings: &EmailSettings, workspace: WorkspaceId, ticket: TicketId) -> String {
    let token = email::reply_token(&secret(settings), workspace, ticket);
    let (local, domain) = settings.forwarding_address.as_str().split_once('@').expect("an Email holds exactly one @");
    format!("{local}+{token}@{domain}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_with_a_note_and_empty_ones_say_so() {
        let long = "x".repeat(MAX_BODY_CHARS + 10);
        let cut = clean_body(&long);
        assert_eq!(cut.chars().count(), MAX_BODY_CHARS);
        assert!(cut.ends_with("kept as received]"));
        assert_eq!(clean_body(" \n "), "(no text)");
        assert_eq!(clean_body("hi\u{1b}[0m"), "hi[0m");
    }

    #[test]
    fn subjects_are_one_clean_line() {
        assert_eq!(clean_subject(""), "(no subject)");
        assert_eq!(clean_subject("a\tb"), "ab");
        assert_eq!(clean_subject(&"s".repeat(300)).chars().count(), MAX_SUBJECT_CHARS);
    }

    #[test]
    fn plus_addresses_carry_the_token() {
        assert_eq!(split_plus("Acme+Tok@x.test"), ("acme@x.test".to_owned(), Some("tok".to_owned())));
        assert_eq!(split_plus("acme@x.test"), ("acme@x.test".to_owned(), None));
    }
}
