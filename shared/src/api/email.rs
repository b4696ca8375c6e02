//! The e-mail channel: its settings, the rejected-mail log, a ticket's reply address.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::mail_template::{NotificationTemplate, Placeholder};
use crate::domain::{email::RejectionReason, ids::InboundMailId};
use crate::storage::email::{EmailSettings, RejectedMail};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MailAddressInput {
    /// An address the workspace's mail is forwarded from (support@, billing@); no `+`, and not on the
    /// inbound domain.
    pub address: String,
    /// Tickets opened from mail to this address get this category (from the taxonomy, if one is set).
    #[serde(default)]
    pub category: Option<String>,
}

/// Replaces the added addresses and the blocked senders as a whole.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEmailSettingsRequest {
    /// At most 20, each once.
    pub addresses: Vec<MailAddressInput>,
    /// Addresses, or `@domain` for a whole domain, whose mail is rejected; at most 500.
    #[serde(default)]
    pub blocked_senders: Vec<String>,
    /// Appended to every reply sent by e-mail, below a "-- " line; at most 1000 characters. Absent:
    /// kept as it is; empty: removed.
    #[serde(default)]
    pub signature: Option<String>,
    /// The notifications to customers; absent (or one of them absent): kept as they are.
    #[serde(default)]
    pub notifications: Option<CustomerNotificationsInput>,
    /// The version the change is based on; a stale one answers 409. Without it, the last write wins.
    #[serde(default)]
    pub version: Option<u64>,
}

/// A notification to customers: whether it is sent, and its subject and text. Both are templates:
/// `{{ticket.reference}}`, `{{ticket.number}}`, `{{ticket.subject}}`, `{{customer.name}}` and
/// `{{workspace.name}}` are filled in; any other `{{…}}` answers 422 naming it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerNotificationInput {
    pub enabled: bool,
    /// One line, at most 200 characters.
    pub subject: String,
    /// At most 5000 characters.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerNotificationsInput {
    /// The auto-reply to a customer whose e-mail opened a ticket.
    #[serde(default)]
    pub received: Option<CustomerNotificationInput>,
    /// The mail to the customer when their e-mail ticket is solved.
    #[serde(default)]
    pub solved: Option<CustomerNotificationInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerNotificationView {
    pub enabled: bool,
    pub subject: String,
    pub body: String,
}

impl From<&NotificationTemplate> for CustomerNotificationView {
    fn from(template: &NotificationTemplate) -> Self {
        Self { enabled: template.enabled, subject: template.subject.clone(), body: template.body.clone() }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CustomerNotificationsView {
    /// Sent once when a customer's e-mail opens a ticket; never to auto-responders, bulk mail, machine
    /// addresses (no-reply@, mailer-daemon@) or our own addresses.
    pub received: CustomerNotificationView,
    /// Sent when a ticket that came in by e-mail is solved.
    pub solved: CustomerNotificationView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MailAddressView {
    pub address: String,
    pub category: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailSettingsView {
    /// Forward the workspace's support mail here: `<slug>@<inbound domain>`.
    pub forwarding_address: String,
    pub addresses: Vec<MailAddressView>,
    pub blocked_senders: Vec<String>,
    /// Messages larger than this many bytes are rejected.
    pub max_message_bytes: u64,
    /// Appended to replies sent by e-mail.
    pub signature: Option<String>,
    pub notifications: CustomerNotificationsView,
    /// The placeholders templates may use.
    pub placeholders: Vec<String>,
    pub version: u64,
}

impl From<&EmailSettings> for EmailSettingsView {
    fn from(settings: &EmailSettings) -> Self {
        Self {
            forwarding_address: settings.forwarding_address.to_string(),
            addresses: settings
                .addresses
                .iter()
                .map(|address| MailAddressView {
                    address: address.address.to_string(),
                    category: address.category.clone(),
                })
                .collect(),
            blocked_senders: settings.blocked_senders.clone(),
            max_message_bytes: crate::domain::email::MAX_INBOUND_BYTES as u64,
            signature: settings.signature.clone(),
            notifications: CustomerNotificationsView {
                received: (&settings.notifications.received).into(),
                solved: (&settings.notifications.solved).into(),
            },
            placeholders: Placeholder::ALL.iter().map(|placeholder| placeholder.name().to_owned()).collect(),
            version: settings.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedMailView {
    pub id: InboundMailId,
    pub received_at: Timestamp,
    pub reason: RejectionReason,
    pub from: Option<String>,
    /// The workspace's address it was sent to.
    pub to: Option<String>,
    pub subject: String,
    pub message_id: Option<String>,
    /// Bytes of the raw message.
    pub size: u64,
}

impl From<&RejectedMail> for RejectedMailView {
    fn from(rejected: &RejectedMail) -> Self {
        Self {
            id: rejected.id,
            received_at: rejected.received_at,
            reason: rejected.reason,
            from: rejected.from.clone(),
            to: rejected.to.clone(),
            subject: rejected.subject.clone(),
            message_id: rejected.message_id.clone(),
            size: rejected.size,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedMailList {
    pub items: Vec<RejectedMailView>,
    pub next_cursor: Option<String>,
}

/// Where the customer's replies to this ticket go: the forwarding address plus the ticket's reply token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyAddressView {
    pub reply_to: String,
    /// The reference put in subjects, `[#<number>]`.
    pub subject_reference: String,
    /// The workspace's signature, added below a `-- ` line to every public reply sent by e-mail (the
    /// agent's composer shows it); null when the workspace has none.
    pub signature: Option<String>,
}

/// Where the sending domain's verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SendingDomainStatus {
    /// SES found the DKIM records and sends from the domain.
    Verified,
    /// SES is waiting for the DKIM records to be published (or looking for them again).
    Pending,
    /// SES looked for the records for 72 hours and did not find them: publish them and ask again.
    Failed,
    /// The domain is not an SES identity yet: nothing can be sent from it.
    NotSetUp,
    /// SES could not be asked just now; `detail` says why.
    Unavailable,
}

/// A DNS record the domain's owner publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DnsRecordView {
    /// `CNAME`.
    #[serde(rename = "type")]
    pub record_type: String,
    /// e.g. `<token>._domainkey.<domain>`.
    pub name: String,
    /// e.g. `<token>.dkim.amazonses.com`.
    pub value: String,
}

/// The domain replies and notifications are sent from, as SES sees it (SES v2 GetEmailIdentity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SendingDomainView {
    pub domain: String,
    pub status: SendingDomainStatus,
    pub verified_for_sending: bool,
    /// SES's DKIM status as it says it: `PENDING`, `SUCCESS`, `FAILED`, `TEMPORARY_FAILURE`,
    /// `NOT_STARTED`; null when the domain is not an identity or SES could not be asked.
    pub dkim_status: Option<String>,
    /// The CNAME records that verify the domain and sign its mail (Easy DKIM: three).
    pub dkim_records: Vec<DnsRecordView>,
    pub detail: Option<String>,
}
