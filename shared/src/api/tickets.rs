//! Tickets: creating and updating them, their messages, handoff notes and claims, the inbox lists.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{activity::EventView, attachments::AttachmentView, patch::double_option, sla::TicketSlaView};
use crate::domain::{
    ids::{AttachmentId, CustomerId, EventId, MessageId, TicketId, UserId},
    inbox::SlaRow,
    ticket::{Author, Priority, Status},
};
use crate::storage::{
    realtime::Claim,
    tickets::{Message, Requester, Ticket},
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTicketRequest {
    pub subject: String,
    /// The customer's request: becomes the first message, authored by the customer.
    pub body: String,
    /// Found by e-mail in the workspace, or created. Give this or `customer_id`.
    #[serde(default)]
    pub customer: Option<CustomerInput>,
    #[serde(default)]
    pub customer_id: Option<String>,
    /// low, normal (default), high or urgent
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub subcategory: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Where the ticket came from, e.g. "email", "web", "api" (default).
    #[serde(default)]
    pub channel: Option<String>,
}

/// Only the fields present change; `null` clears assignee, category or subcategory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTicketRequest {
    /// The version the change is based on (or send `If-Match: "<version>"`).
    #[serde(default)]
    pub version: Option<u64>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub subcategory: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// A note for the new assignee, with a reassignment: shown to them first and kept in the timeline.
    #[serde(default)]
    pub handoff: Option<HandoffNoteInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandoffNoteInput {
    /// What the new assignee needs to know (up to 2,000 characters).
    pub context: String,
    /// What to do next (up to 500 characters).
    pub next_step: String,
}

/// The handoff note of the ticket's current assignment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandoffView {
    pub event_id: EventId,
    /// Who handed the ticket over.
    pub from: Option<UserId>,
    pub to: UserId,
    pub context: String,
    pub next_step: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMessageRequest {
    pub body: String,
    /// An internal note, visible to the team only.
    #[serde(default)]
    pub internal: bool,
    /// agent (default) or customer (for channels relaying the customer's words)
    #[serde(default)]
    pub author: Option<String>,
    /// The ticket version the draft was started on: if a customer message or a reply arrived since,
    /// the reply is refused with 409 `draft-conflict` listing them, unless `confirm` is true.
    #[serde(default)]
    pub draft_version: Option<u64>,
    /// Send anyway: after a `draft-conflict`, or over another member's claim (`ticket-claimed`).
    #[serde(default)]
    pub confirm: bool,
    /// Uploaded files of this ticket that go with a reply to the customer (at most 10, together at
    /// most 25 MB: they are sent with the e-mail). Not for internal notes.
    #[serde(default)]
    pub attachment_ids: Vec<AttachmentId>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: TicketId,
    /// The ticket's number in its workspace, shown as `#1042`; null on tickets from before numbers.
    pub number: Option<u64>,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub tags: Vec<String>,
    pub channel: String,
    pub customer_id: CustomerId,
    pub assignee_id: Option<UserId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub solved_at: Option<Timestamp>,
    /// Send it back with a change; a stale one is refused with 409.
    pub version: u64,
    /// Members following the ticket.
    pub followers: Vec<UserId>,
    /// Addresses copied on replies to the customer.
    pub cc: Vec<String>,
    /// On a duplicate: the ticket it was merged into (it is closed).
    pub merged_into: Option<TicketId>,
    /// On a target: the duplicates merged into it.
    pub merged_from: Vec<TicketId>,
}

impl From<&Ticket> for TicketView {
    fn from(ticket: &Ticket) -> Self {
        Self {
            id: ticket.id,
            number: ticket.number,
            subject: ticket.subject.clone(),
            status: ticket.status,
            priority: ticket.priority,
            category: ticket.category.clone(),
            subcategory: ticket.subcategory.clone(),
            tags: ticket.tags.clone(),
            channel: ticket.channel.clone(),
            customer_id: ticket.customer_id,
            assignee_id: ticket.assignee_id,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            first_response_at: ticket.first_response_at,
            solved_at: ticket.solved_at,
            version: ticket.version,
            followers: ticket.links.followers.clone(),
            cc: ticket.links.cc.iter().map(ToString::to_string).collect(),
            merged_into: ticket.links.merged_into,
            merged_from: ticket.links.merged_from.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub author: Author,
    /// The member (agent messages) or customer (customer messages) who wrote it.
    pub author_id: String,
    /// Their name: the member's display name, or the customer's name (null for a customer known only
    /// by e-mail, or a member no longer found).
    pub author_name: Option<String>,
    pub body: String,
    pub internal: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Copied here from this duplicate when it was merged into the ticket.
    pub merged_from: Option<TicketId>,
    /// The ticket's files that went with this reply.
    pub attachment_ids: Vec<AttachmentId>,
    /// A reply sent to the customer by e-mail: where its delivery stands. Null for other messages.
    pub delivery: Option<MessageDeliveryView>,
}

/// Where a reply sent by e-mail stands, from SES's answers and event notifications.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageDeliveryView {
    pub state: crate::domain::email::DeliveryState,
    /// Why it failed, bounced or was complained about (SES's diagnostic).
    pub reason: Option<String>,
    /// Whom it went to (To, then Cc).
    pub recipients: Vec<String>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&crate::storage::mail_thread::ThreadMail> for MessageDeliveryView {
    fn from(mail: &crate::storage::mail_thread::ThreadMail) -> Self {
        Self {
            state: mail.state.unwrap_or(crate::domain::email::DeliveryState::Queued),
            reason: mail.reason.clone(),
            recipients: mail.to.iter().chain(&mail.cc).cloned().collect(),
            updated_at: mail.updated_at,
        }
    }
}

impl MessageView {
    /// With the delivery state of its e-mail, if it was sent by e-mail.
    pub fn with_delivery(mut self, mail: &[crate::storage::mail_thread::ThreadMail]) -> Self {
        self.delivery = mail
            .iter()
            .find(|entry| {
                entry.message_id == self.id && entry.direction == crate::storage::mail_thread::Direction::Outbound
            })
            .map(MessageDeliveryView::from);
        self
    }

    pub fn new(message: &Message, author_name: Option<String>) -> Self {
        Self {
            id: message.id,
            author: message.author,
            author_id: message.author_id.clone(),
            author_name,
            body: message.body.clone(),
            internal: message.internal,
            created_at: message.created_at,
            merged_from: message.merged_from,
            attachment_ids: message.attachment_ids.clone(),
            delivery: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: TicketView,
    /// Replies and internal notes, oldest first.
    pub messages: Vec<MessageView>,
    /// Every event of the ticket, oldest first.
    pub timeline: Vec<EventView>,
    /// Files attached to the ticket (uploaded ones; pending uploads are left out).
    pub attachments: Vec<AttachmentView>,
    /// The SLA clocks under the workspace's policy; null when no policy is set.
    pub sla: Option<TicketSlaView>,
    /// The note that came with the current assignment, if any: show it to the assignee first.
    pub handoff: Option<HandoffView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTicketSummary {
    pub id: TicketId,
    pub subject: String,
    pub status: Status,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

/// What a customer may see of their ticket: no internal notes, no internal fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTicket {
    pub ticket: PublicTicketSummary,
    pub messages: Vec<MessageView>,
}

/// Who asked, on an inbox row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequesterView {
    pub id: CustomerId,
    pub name: Option<String>,
    pub email: String,
}

impl From<&Requester> for RequesterView {
    fn from(requester: &Requester) -> Self {
        Self { id: requester.id, name: requester.name.clone(), email: requester.email.clone() }
    }
}

/// An inbox row: the ticket, and the story around it, all from the ticket's own item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InboxItemView {
    #[serde(flatten)]
    pub ticket: TicketView,
    /// The customer who asked; null on tickets from before rows carried it.
    pub requester: Option<RequesterView>,
    /// One line (at most 140 characters) of the latest public message; internal notes are left out.
    pub preview: Option<String>,
    /// The assignee's display name (`assignee_id` says who).
    pub assignee_name: Option<String>,
    /// The nearest open SLA clock: `breached`, `at_risk`, `running`, `paused`, `met` or `none`, and when
    /// it runs out (the moment it ran out, once breached).
    pub sla: SlaRow,
    /// The latest message or change.
    #[schema(value_type = String, format = DateTime)]
    pub last_activity_at: Timestamp,
    /// A message arrived since the caller last viewed the ticket (`POST /tickets/{id}/seen`).
    pub unread: bool,
}

impl InboxItemView {
    /// The row as `viewer` sees it.
    pub fn of(ticket: &Ticket, viewer: UserId) -> Self {
        let row = &ticket.row;
        Self {
            ticket: ticket.into(),
            requester: row.requester.as_ref().map(RequesterView::from),
            preview: row.preview.clone(),
            assignee_name: row.assignee_name.clone(),
            sla: ticket.inbox_sla.unwrap_or(SlaRow::NONE),
            last_activity_at: row.last_activity_at.unwrap_or(ticket.updated_at).max(ticket.updated_at),
            unread: row.unread_by(viewer),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<InboxItemView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxCountsView {
    /// Unresolved tickets (new, open, pending, on hold).
    pub open: i64,
    /// Unresolved tickets nobody is assigned to.
    pub unassigned: i64,
    /// Unresolved tickets assigned to the caller.
    pub mine: i64,
    /// Every ticket by status.
    pub by_status: BTreeMap<String, i64>,
}

/// A soft claim: a member says they are working a ticket, until `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    pub ticket_id: TicketId,
    pub user_id: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub claimed_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

impl From<&Claim> for ClaimView {
    fn from(claim: &Claim) -> Self {
        Self {
            ticket_id: claim.ticket_id,
            user_id: claim.user_id,
            claimed_at: claim.claimed_at,
            expires_at: Timestamp::from_second(claim.expires_at).unwrap_or(claim.claimed_at),
        }
    }
}
