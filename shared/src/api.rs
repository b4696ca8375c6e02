//! The JSON shapes on the wire. Requests take raw strings so that every invalid field can be named in
//! one 422; responses are built from domain values. These types feed the generated OpenAPI document.

pub mod integrations;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ids::{StaffId, UserId, WorkspaceId},
    plan::{Feature, PlanLimits, PlanTier},
    rbac::{Permission, Role},
    user::UserStatus,
};
use crate::storage::{users::Member, workspaces::Workspace};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub workspace_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Needed only when the e-mail and password match members of several workspaces:
    /// the first attempt then answers 409 `workspace-selection-required` listing them.
    #[serde(default)]
    pub workspace_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&Member> for UserView {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            email: member.email.to_string(),
            name: member.name.to_string(),
            role: member.role,
            status: member.status,
            created_at: member.created_at,
            updated_at: member.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanTier,
}

impl From<&Workspace> for WorkspaceView {
    fn from(workspace: &Workspace) -> Self {
        Self { id: workspace.id, name: workspace.name.to_string(), plan: workspace.plan }
    }
}

/// Tokens for a member session (sign-up, login, refresh).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting an old one revokes the session.
    pub refresh_token: String,
    pub user: UserView,
    pub workspace: WorkspaceView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceChoice {
    pub id: WorkspaceId,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub seats: u64,
    pub storage_bytes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub tier: PlanTier,
    pub limits: PlanLimits,
    pub features: Vec<Feature>,
    pub usage: UsageView,
}

impl From<&Workspace> for PlanView {
    fn from(workspace: &Workspace) -> Self {
        Self {
            tier: workspace.plan,
            limits: workspace.plan.limits(),
            features: workspace.plan.features().to_vec(),
            usage: UsageView { seats: workspace.seats_used, storage_bytes: workspace.storage_bytes },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub workspace: WorkspaceView,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub plan: PlanView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub name: String,
    /// owner, admin, manager, agent or viewer
    pub role: String,
    pub password: String,
}

/// Only the fields present change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    /// active or deactivated
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSessionResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub staff: StaffView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: StaffId,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryEntry {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanTier,
    pub seats_used: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDirectory {
    pub items: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// "ok"
    pub status: String,
    pub version: String,
}

// ---------------------------------------------------------------- tickets, customers, activity

/// Deserialises a field that may be absent (None), null (Some(None)) or a value (Some(Some(v))).
fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

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
    pub event_id: crate::domain::ids::EventId,
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
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketView {
    pub id: crate::domain::ids::TicketId,
    pub subject: String,
    pub status: crate::domain::ticket::Status,
    pub priority: crate::domain::ticket::Priority,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub tags: Vec<String>,
    pub channel: String,
    pub customer_id: crate::domain::ids::CustomerId,
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
}

impl From<&crate::storage::tickets::Ticket> for TicketView {
    fn from(ticket: &crate::storage::tickets::Ticket) -> Self {
        Self {
            id: ticket.id,
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
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: crate::domain::ids::MessageId,
    pub author: crate::domain::ticket::Author,
    /// The member (agent messages) or customer (customer messages) who wrote it.
    pub author_id: String,
    pub body: String,
    pub internal: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&crate::storage::tickets::Message> for MessageView {
    fn from(message: &crate::storage::tickets::Message) -> Self {
        Self {
            id: message.id,
            author: message.author,
            author_id: message.author_id.clone(),
            body: message.body.clone(),
            internal: message.internal,
            created_at: message.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: crate::domain::ids::EventId,
    #[serde(rename = "type")]
    pub kind: String,
    pub actor: Option<UserId>,
    pub subject: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub ticket_id: Option<crate::domain::ids::TicketId>,
    pub customer_id: Option<crate::domain::ids::CustomerId>,
}

impl From<&crate::storage::events::Event> for EventView {
    fn from(event: &crate::storage::events::Event) -> Self {
        Self {
            id: event.id,
            kind: event.kind.as_str().to_owned(),
            actor: event.actor,
            subject: event.subject.clone(),
            at: event.at,
            before: event.before.clone(),
            after: event.after.clone(),
            ticket_id: event.ticket_id,
            customer_id: event.customer_id,
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
    pub id: crate::domain::ids::TicketId,
    pub subject: String,
    pub status: crate::domain::ticket::Status,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketView>,
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
    pub by_status: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerRequest {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub attributes: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// Replaces the custom attributes.
    #[serde(default)]
    pub attributes: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: crate::domain::ids::CustomerId,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub notes: Option<String>,
    pub attributes: std::collections::BTreeMap<String, String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
    /// Set when this customer was merged into another: that customer now holds its tickets and e-mail.
    pub merged_into: Option<crate::domain::ids::CustomerId>,
    /// Customers merged into this one; their timelines are part of this customer's timeline.
    pub merged_ids: Vec<crate::domain::ids::CustomerId>,
}

impl From<&crate::storage::customers::Customer> for CustomerView {
    fn from(customer: &crate::storage::customers::Customer) -> Self {
        Self {
            id: customer.id,
            email: customer.email.to_string(),
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            company: customer.company.clone(),
            notes: customer.notes.clone(),
            attributes: customer.attributes.clone(),
            created_at: customer.created_at,
            updated_at: customer.updated_at,
            version: customer.version,
            merged_into: customer.merged_into,
            merged_ids: customer.merged_ids.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeCustomerRequest {
    /// The customer merged into the one in the path: its tickets, e-mail and timeline move there.
    pub source_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<CustomerView>,
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------- settings

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// 1 to 64 characters after trimming; unique in the taxonomy, without regard to case.
    pub name: String,
    /// Each 1 to 64 characters; unique within the category, without regard to case; at most 50.
    #[serde(default)]
    pub subcategories: Vec<String>,
}

/// Replaces the whole taxonomy; an empty list removes it (ticket categories become free labels).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceCategoriesRequest {
    /// At most 100.
    pub categories: Vec<CategoryInput>,
    /// The version the change is based on; a stale one answers 409. Without it, the last write wins.
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub name: String,
    pub subcategories: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoriesView {
    /// Empty when no taxonomy is configured.
    pub categories: Vec<CategoryView>,
    /// 0 until the taxonomy is first set; raised by one on every change.
    pub version: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAttachmentRequest {
    pub filename: String,
    pub content_type: String,
    /// Exact size in bytes; the upload must match it.
    pub size: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: crate::domain::ids::AttachmentId,
    pub ticket_id: crate::domain::ids::TicketId,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub status: crate::storage::attachments::AttachmentStatus,
    pub uploaded_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub uploaded_at: Option<Timestamp>,
}

impl From<&crate::storage::attachments::Attachment> for AttachmentView {
    fn from(attachment: &crate::storage::attachments::Attachment) -> Self {
        Self {
            id: attachment.id,
            ticket_id: attachment.ticket_id,
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            size: attachment.size,
            status: attachment.status,
            uploaded_by: attachment.uploaded_by,
            created_at: attachment.created_at,
            uploaded_at: attachment.uploaded_at,
        }
    }
}

/// A presigned request: send exactly this method, URL and headers, before `expires_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    pub headers: std::collections::BTreeMap<String, String>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentUpload {
    pub attachment: AttachmentView,
    /// PUT the file here, then confirm the upload.
    pub upload: PresignedRequest,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDownload {
    pub attachment: AttachmentView,
    pub download: PresignedRequest,
}

/// One day of ticket statistics (UTC days), kept from the event log.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct DayStats {
    /// YYYY-MM-DD
    pub date: String,
    pub tickets_created: i64,
    pub tickets_solved: i64,
    pub tickets_reopened: i64,
    pub agent_replies: i64,
    pub internal_notes: i64,
    pub customer_messages: i64,
    pub customers_created: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DailyTicketReport {
    pub from: String,
    pub to: String,
    /// Every day of the range, oldest first (zeros where nothing happened).
    pub days: Vec<DayStats>,
}

/// The workspace's SLA policy as set (see docs/api.md for its fields), with its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyView {
    /// None until an admin sets a policy: tickets then have no SLA clocks.
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
    /// Send it back as `If-Match` when replacing the policy.
    pub version: u64,
}

/// One SLA clock of a ticket, as of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaClockView {
    /// Business minutes allowed.
    pub target_minutes: i64,
    /// When the target runs out (projected while running; the past instant once breached); null while
    /// paused or met.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due: Option<Timestamp>,
    pub elapsed_business_seconds: i64,
    /// Negative once breached.
    pub remaining_business_seconds: i64,
    pub running: bool,
    pub paused: bool,
    pub paused_seconds: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub met_at: Option<Timestamp>,
    pub breached: bool,
    pub at_risk: bool,
    /// When it turns at risk if it keeps running; null once at risk, breached, paused or met.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at_risk_at: Option<Timestamp>,
}

impl From<&crate::domain::sla::ClockState> for SlaClockView {
    fn from(clock: &crate::domain::sla::ClockState) -> Self {
        Self {
            target_minutes: clock.target.as_secs() / 60,
            due: clock.due,
            elapsed_business_seconds: clock.elapsed_business.as_secs(),
            remaining_business_seconds: clock.remaining.as_secs(),
            running: clock.running,
            paused: clock.paused,
            paused_seconds: clock.paused_for.as_secs(),
            met_at: clock.met_at,
            breached: clock.breached,
            at_risk: clock.at_risk,
            at_risk_at: clock.at_risk_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSlaView {
    pub first_response: Option<SlaClockView>,
    pub resolution: Option<SlaClockView>,
}

/// A soft claim: a member says they are working a ticket, until `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    pub ticket_id: crate::domain::ids::TicketId,
    pub user_id: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub claimed_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

impl From<&crate::storage::realtime::Claim> for ClaimView {
    fn from(claim: &crate::storage::realtime::Claim) -> Self {
        Self {
            ticket_id: claim.ticket_id,
            user_id: claim.user_id,
            claimed_at: claim.claimed_at,
            expires_at: Timestamp::from_second(claim.expires_at).unwrap_or(claim.claimed_at),
        }
    }
}

// ---------------------------------------------------------------- team chat

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannelRequest {
    /// 1 to 80 characters; unique names are not enforced.
    pub name: String,
    /// Private channels are visible to their members only.
    #[serde(default)]
    pub private: bool,
    /// Members of a private channel besides the creator (ignored for public channels).
    #[serde(default)]
    pub member_ids: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectChannelRequest {
    /// The other member.
    pub user_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddChannelMemberRequest {
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: crate::domain::ids::ChannelId,
    /// public, private or direct
    pub kind: String,
    /// The channel's name; for a direct conversation, null (show the other member).
    pub name: Option<String>,
    /// Members of a private channel or direct conversation; empty for public channels (everyone).
    pub member_ids: Vec<UserId>,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The sequence number of the latest message (0 when none).
    pub last_seq: u64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_message_at: Option<Timestamp>,
    /// Messages posted since the caller's read mark.
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    pub items: Vec<ChannelView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatMessageRequest {
    /// 1 to 4,000 characters.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// The `seq` of the last message read.
    pub seq: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessageView {
    pub id: crate::domain::ids::ChatMessageId,
    pub channel_id: crate::domain::ids::ChannelId,
    /// 1, 2, 3… per channel: a jump tells a live client it missed messages.
    pub seq: u64,
    pub author_id: UserId,
    /// Empty once deleted.
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<Timestamp>,
    pub deleted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMessageList {
    /// Newest first.
    pub items: Vec<ChatMessageView>,
    pub next_cursor: Option<String>,
}

/// The SLA radar: what needs attention first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaRadarView {
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: Timestamp,
    /// How far ahead on-track tickets are listed (`due_soon`).
    pub within_minutes: i64,
    pub counts: RadarCounts,
    /// Breached, at risk and due soon together, least time left first (breached ones are negative).
    pub tickets: Vec<RadarTicketView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RadarCounts {
    pub breached: usize,
    pub at_risk: usize,
    /// On track, but due within `within_minutes`.
    pub due_soon: usize,
    /// False when a state has more tickets than the radar counts (500): the numbers are lower bounds.
    pub exact: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RadarTicketView {
    pub ticket_id: crate::domain::ids::TicketId,
    pub subject: String,
    pub status: crate::domain::ticket::Status,
    pub priority: crate::domain::ticket::Priority,
    pub category: Option<String>,
    pub assignee_id: Option<crate::domain::ids::UserId>,
    /// `breached`, `at_risk` or `on_track`
    pub state: String,
    /// The clock that puts it here: `first_response` or `resolution`.
    pub clock: String,
    /// When that clock ran out or runs out.
    #[schema(value_type = String, format = DateTime)]
    pub due: Timestamp,
    /// Wall-clock seconds until `due`; negative once breached.
    pub seconds_left: i64,
}

/// Met within target and breached counts.
#[derive(Debug, Default, Clone, Copy, Serialize, ToSchema)]
pub struct MetBreached {
    pub met: i64,
    pub breached: i64,
}

impl MetBreached {
    pub fn add(&mut self, outcome: &str, count: i64) {
        match outcome {
            "met" => self.met += count,
            "breached" => self.breached += count,
            _ => {}
        }
    }

    /// Share met of all outcomes; None when there were none.
    pub fn compliance(&self) -> Option<f64> {
        let total = self.met + self.breached;
        (total > 0).then(|| self.met as f64 / total as f64)
    }
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ClockCompliance {
    pub overall: MetBreached,
    /// met / (met + breached); null without outcomes.
    pub compliance: Option<f64>,
    /// Per priority name.
    pub by_priority: std::collections::BTreeMap<String, MetBreached>,
    /// Per assignee id (`unassigned` for none).
    pub by_agent: std::collections::BTreeMap<String, MetBreached>,
}

impl ClockCompliance {
    pub fn finish(mut self) -> Self {
        self.compliance = self.overall.compliance();
        self
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaDay {
    /// YYYY-MM-DD (UTC)
    pub date: String,
    pub first_response: MetBreached,
    pub resolution: MetBreached,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaComplianceReport {
    pub from: String,
    pub to: String,
    pub first_response: ClockCompliance,
    pub resolution: ClockCompliance,
    /// Every day of the range, oldest first.
    pub days: Vec<SlaDay>,
}
