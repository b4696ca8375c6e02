//! The key schema: the only module that knows how keys are spelled. docs/data-model.md mirrors it.
//!
//! Table: PK (S), SK (S) and eight overloaded GSIs, each sparse (only items that set its keys appear):
//! - GSI1: login look-ups by e-mail; the workspace activity log.
//! - GSI2: the platform's workspace directory; a customer's tickets and timeline.
//! - GSI3: the inbox queues (unresolved / done) by last update.
//! - GSI4: per-assignee queues (including "unassigned") by last update.
//! - GSI5/GSI6: the same queues as GSI3/GSI4 ordered by priority.
//! - GSI7: SLA moments due, across workspaces, write-sharded (keys only).
//! - GSI8: a workspace's SLA radar.
//! - GSI1 to GSI6 on deal items: the deal lists (by stage, pipeline, owner, all; by value; by expected
//!   close).
//! - GSI3/GSI4/GSI5/GSI6 also carry the sales leads' listings (all by creation, by status, by score,
//!   by owner) under `LEADS#` partition keys of their own.
//! - GSI3/GSI4 on activity items: a record's activities (`ACTIVITIES#`), a member's tasks (`TASKS#`).
//!
//! `expires_at` (epoch seconds) is the TTL attribute.
//! Every tenant item lives under `WS#<workspace id>`, which IAM's `dynamodb:LeadingKeys` can pin.

use jiff::Timestamp;

use crate::domain::{
    email::Email,
    ids::{
        ActivityId, ApiKeyId, AttachmentId, CaptureDeliveryId, CaptureEndpointId, ChannelId, ChatMessageId, CompanyId,
        CustomerId, DealId, DeliveryId, EventId, ExportId, InboundMailId, LeadId, MessageId, NoteId, PipelineId,
        SessionId, StaffId, StageId, TicketId, UserId, WebhookId, WorkspaceId,
    },
    plan::PlanId,
    records::RecordRef,
};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const TTL: &str = "expires_at";

/// The partition holding everything of one workspace.
pub fn workspace_pk(workspace: WorkspaceId) -> String {
    format!("WS#{workspace}")
}

/// The workspace's own item: name, plan, and usage counters (seats, owners).
pub const WORKSPACE_SK: &str = "WORKSPACE";

pub const USER_PREFIX: &str = "USER#";
pub fn user_sk(user: UserId) -> String {
    format!("{USER_PREFIX}{user}")
}

/// Guards "one member per e-mail in a workspace" with a conditional put.
pub fn member_email_sk(email: &Email) -> String {
    format!("EMAIL#{email}")
}

pub fn session_prefix(user: UserId) -> String {
    format!("SESSION#{user}#")
}
pub fn session_sk(user: UserId, session: SessionId) -> String {
    format!("{}{session}", session_prefix(user))
}

pub const EVENT_PREFIX: &str = "EVENT#";
/// Events not about a ticket (members, customers, settings).
pub fn event_sk(event: EventId) -> String {
    format!("{EVENT_PREFIX}{event}")
}

pub const TICKET_PREFIX: &str = "TICKET#";
/// The ticket item; also the prefix of its item collection (messages and events), so one Query
/// with `begins_with(SK, ticket_sk(t))` reads the whole ticket. Ids have a fixed length, so no other
/// ticket's keys share the prefix.
pub fn ticket_sk(ticket: TicketId) -> String {
    format!("{TICKET_PREFIX}{ticket}")
}
pub fn message_sk(ticket: TicketId, message: MessageId) -> String {
    format!("{TICKET_PREFIX}{ticket}#MSG#{message}")
}
pub fn ticket_event_sk(ticket: TicketId, event: EventId) -> String {
    format!("{TICKET_PREFIX}{ticket}#EVENT#{event}")
}
pub fn attachment_sk(ticket: TicketId, attachment: AttachmentId) -> String {
    format!("{TICKET_PREFIX}{ticket}#ATT#{attachment}")
}

/// An announced upload not confirmed yet: outside the ticket's item collection, so reading a ticket
/// never loads announcements (however many there are).
pub const PENDING_UPLOAD_PREFIX: &str = "UPLOAD#";
pub fn pending_upload_sk(ticket: TicketId, attachment: AttachmentId) -> String {
    format!("{PENDING_UPLOAD_PREFIX}{ticket}#{attachment}")
}
pub fn pending_uploads_prefix(ticket: TicketId) -> String {
    format!("{PENDING_UPLOAD_PREFIX}{ticket}#")
}
/// How many uploads of a ticket are announced and not confirmed (the bound's counter).
pub fn pending_upload_count_sk(ticket: TicketId) -> String {
    format!("UPLOADS#{ticket}")
}

/// Where an attachment's bytes live in the bucket: under the workspace's prefix, so a policy or a
/// lifecycle rule can address one tenant's files.
pub fn attachment_object_key(
    workspace: WorkspaceId,
    ticket: TicketId,
    attachment: AttachmentId,
    filename: &str,
) -> String {
    format!("workspaces/{workspace}/tickets/{ticket}/{attachment}/{filename}")
}

/// An export job (`EXPORT#<export>`), kept until its file expires (TTL).
pub fn export_sk(export: ExportId) -> String {
    format!("EXPORT#{export}")
}

/// Where an export's file lives in the exports bucket: under the workspace's prefix, so a policy or a
/// lifecycle rule can address one tenant's files.
pub fn export_object_key(workspace: WorkspaceId, export: ExportId, filename: &str) -> String {
    format!("workspaces/{workspace}/exports/{export}/{filename}")
}

pub const CUSTOMER_PREFIX: &str = "CUSTOMER#";
pub fn customer_sk(customer: CustomerId) -> String {
    format!("{CUSTOMER_PREFIX}{customer}")
}
/// Guards "one customer per e-mail in a workspace"; also serves e-mail prefix search.
pub const CUSTOMER_EMAIL_PREFIX: &str = "CUSTOMER_EMAIL#";
pub fn customer_email_sk(email: &str) -> String {
    format!("{CUSTOMER_EMAIL_PREFIX}{email}")
}

/// The inbox counters of a workspace (open, unassigned, per status, per assignee).
pub const INBOX_COUNTS_SK: &str = "COUNTS#INBOX";

/// The workspace's ticket number counter: `last`, the number its newest ticket took.
pub const TICKET_NUMBERS_SK: &str = "COUNTS#TICKET_NUMBERS";

/// The guard of ticket number `n` in a workspace (`TICKET_NUMBER#<n>`): the ticket that took it, so a
/// number is found with one GetItem and never taken twice. `TICKET#` is not a prefix of it.
pub const TICKET_NUMBER_PREFIX: &str = "TICKET_NUMBER#";
pub fn ticket_number_sk(number: u64) -> String {
    format!("{TICKET_NUMBER_PREFIX}{number}")
}

/// Monthly usage counters (tickets created), e.g. `USAGE#2026-11`.
pub fn usage_sk(month: &str) -> String {
    format!("USAGE#{month}")
}

/// Per-day ticket statistics, kept by the outbox consumer (e.g. `STATS#DAY#2026-11-21`).
pub const DAILY_STATS_PREFIX: &str = "STATS#DAY#";
pub fn daily_stats_sk(day: &str) -> String {
    format!("{DAILY_STATS_PREFIX}{day}")
}

/// The support report of one day for one breakdown cell, kept by the outbox consumer: `dimension` is
/// `all` (value `-`), `channel`, `category`, `priority` or `agent`, e.g.
/// `SUPPORT#priority#2026-12-07#urgent`. A dimension's days are one SK range.
pub const SUPPORT_DAY_PREFIX: &str = "SUPPORT#";
pub fn support_day_sk(dimension: &str, day: &str, value: &str) -> String {
    format!("{SUPPORT_DAY_PREFIX}{dimension}#{day}#{value}")
}

/// The running support state (the backlog now) the day items are stamped from.
pub const SUPPORT_STATE_SK: &str = "SUPPORTSTATE";

/// Marks that an outbox consumer applied an event, so a redelivered event is applied once.
pub fn applied_marker_sk(consumer: &str, event: EventId) -> String {
    format!("APPLIED#{consumer}#{event}")
}

/// One account's failed sign-in counter, outside every workspace: the attempt (`signup`, `login`,
/// `staff-login`) and the SHA-256 of the normalised e-mail (never the address itself: attempts name
/// addresses of people who may not be customers). One item, `SK` [`SIGN_IN_FAILURES_SK`].
pub fn sign_in_failures_pk(attempt: &str, email_digest: &str) -> String {
    format!("SIGNIN#{attempt}#{email_digest}")
}
pub const SIGN_IN_FAILURES_SK: &str = "FAILURES";

/// A caller's use of an `Idempotency-Key`: the caller (a member's user id or an API key's id) and the
/// key's SHA-256 (keys are the client's free text, so never part of a key format themselves).
pub fn idempotency_sk(caller: &str, key_digest: &str) -> String {
    format!("IDEMPOTENCY#{caller}#{key_digest}")
}

/// Workspace settings items share this prefix; no listing Query reads them.
pub const SETTINGS_PREFIX: &str = "SETTINGS#";
/// The workspace's category/subcategory taxonomy: one item, replaced as a whole.
pub const CATEGORIES_SK: &str = "SETTINGS#CATEGORIES";

/// The workspace's SLA policy (targets, business calendar, pause statuses).
pub const SLA_POLICY_SK: &str = "SETTINGS#SLA_POLICY";
/// The report settings (the time zone report days are counted in).
pub const REPORT_SETTINGS_SK: &str = "SETTINGS#REPORTS";

/// The workspace's e-mail channel: forwarding address, added addresses, blocked senders, reply-token secret.
pub const EMAIL_SETTINGS_SK: &str = "SETTINGS#EMAIL";

/// A receiving address (the forwarding address or one a workspace added), outside every workspace: the
/// inbound function finds the workspace by the address a message was sent to. The item's conditional put
/// guarantees an address belongs to one workspace.
pub fn mailbox_pk(address: &Email) -> String {
    format!("MAILBOX#{address}")
}
pub const MAILBOX_SK: &str = "MAILBOX";

/// A Message-ID we received or sent (by SHA-256), naming its ticket: threading by In-Reply-To and
/// References is a BatchGetItem of these, and its conditional put makes a delivery idempotent.
pub fn mail_id_sk(digest_hex: &str) -> String {
    format!("MAILID#{digest_hex}")
}

/// An inbound raw message's S3 object key (by SHA-256): handled once, whatever the outcome.
pub fn mail_object_sk(digest_hex: &str) -> String {
    format!("MAILOBJ#{digest_hex}")
}

/// A message of a ticket's e-mail conversation, inbound or outbound: its Message-ID (threading headers
/// of the next reply) and, for a reply we send, its delivery state. In the ticket's item collection, so
/// the ticket view reads the delivery states with its one Query; the conversation alone is one Query on
/// [`mail_thread_prefix`], in message order (message ids are time-ordered).
pub fn mail_thread_sk(ticket: TicketId, message: MessageId) -> String {
    format!("{}{message}", mail_thread_prefix(ticket))
}
pub fn mail_thread_prefix(ticket: TicketId) -> String {
    format!("{TICKET_PREFIX}{ticket}#MAIL#")
}

/// The rejected-mail log: one Query on this prefix, newest first.
pub const REJECTED_MAIL_PREFIX: &str = "MAILREJ#";
pub fn rejected_mail_sk(id: InboundMailId) -> String {
    format!("{REJECTED_MAIL_PREFIX}{id}")
}
/// A rejected message's Message-ID (by SHA-256), so a second delivery of it is not logged again; outside
/// the log's prefix.
pub fn rejected_mail_id_sk(digest_hex: &str) -> String {
    format!("MAILREJID#{digest_hex}")
}

/// A webhook endpoint (or Slack connection); a workspace's endpoints are one Query on this prefix.
pub const WEBHOOK_PREFIX: &str = "WEBHOOK#";
pub fn webhook_sk(endpoint: WebhookId) -> String {
    format!("{WEBHOOK_PREFIX}{endpoint}")
}

/// An endpoint's delivery log: a partition of its own under the workspace's key prefix, so deliveries
/// and their attempt updates spread over partitions instead of crowding the workspace's, and the log is
/// one Query. Sorted by delivery id, which is time-ordered; each item holds its attempts.
pub fn deliveries_pk(workspace: WorkspaceId, endpoint: WebhookId) -> String {
    format!("{}#WEBHOOK#{endpoint}", workspace_pk(workspace))
}
pub const DELIVERY_PREFIX: &str = "DELIVERY#";
pub fn delivery_sk(delivery: DeliveryId) -> String {
    format!("{DELIVERY_PREFIX}{delivery}")
}

/// A lead-capture endpoint; a workspace's endpoints are one Query on this prefix.
pub const CAPTURE_ENDPOINT_PREFIX: &str = "LCEP#";
pub fn capture_endpoint_sk(endpoint: CaptureEndpointId) -> String {
    format!("{CAPTURE_ENDPOINT_PREFIX}{endpoint}")
}
/// Outside every workspace: which workspace an endpoint id belongs to, for the public inbound route
/// (its URL carries only the endpoint id). One GetItem.
pub fn capture_route_pk(endpoint: CaptureEndpointId) -> String {
    format!("LCROUTE#{endpoint}")
}
pub const CAPTURE_ROUTE_SK: &str = "LCROUTE";
/// An endpoint's delivery log and replay guards: a partition of its own under the workspace's prefix.
pub fn capture_deliveries_pk(workspace: WorkspaceId, endpoint: CaptureEndpointId) -> String {
    format!("{}#LCEP#{endpoint}", workspace_pk(workspace))
}
/// A logged delivery, time-ordered by its id.
pub const CAPTURE_DELIVERY_PREFIX: &str = "LCDELIVERY#";
pub fn capture_delivery_sk(delivery: CaptureDeliveryId) -> String {
    format!("{CAPTURE_DELIVERY_PREFIX}{delivery}")
}
/// The replay guard of one delivery id (its SHA-256): a second delivery with it makes no second lead.
pub fn capture_seen_sk(delivery_key: &str) -> String {
    format!("LCSEEN#{delivery_key}")
}

/// An API key (its hash, scopes, last use); a workspace's keys are one Query on this prefix.
pub const API_KEY_PREFIX: &str = "APIKEY#";
pub fn api_key_sk(key: ApiKeyId) -> String {
    format!("{API_KEY_PREFIX}{key}")
}
/// GSI1 on API key items: the authorizer finds a key by the SHA-256 of its secret.
pub fn api_key_hash_gsi1pk(hash_hex: &str) -> String {
    format!("APIKEYHASH#{hash_hex}")
}
pub const API_KEY_GSI1SK: &str = "APIKEY";

/// A WebSocket connection (real-time channel). One Query of the prefix lists the workspace's live
/// sockets: the fan-out reads it once per event. Its `expires_at` is the presence TTL, pushed forward
/// by heartbeats, so a crashed client's connection drops out of every listing by itself.
pub const CONNECTION_PREFIX: &str = "CONN#";
pub fn connection_sk(connection_id: &str) -> String {
    format!("{CONNECTION_PREFIX}{connection_id}")
}

/// A member's last presence tick (epoch seconds, `last_seen`): the online time counted at their next
/// tick starts there.
pub fn presence_mark_sk(user: UserId) -> String {
    format!("PRESENCEMARK#{user}")
}

/// A member's online time on one report day (`seconds`), e.g. `ONLINE#2026-12-07#<user>`: a range's
/// days are one SK range.
pub const ONLINE_DAY_PREFIX: &str = "ONLINE#";
pub fn online_day_sk(day: &str, user: UserId) -> String {
    format!("{ONLINE_DAY_PREFIX}{day}#{user}")
}

/// A soft claim on a ticket: at most one per ticket, written conditionally. The workspace's claims
/// share the prefix, so a member's own are one Query (a new session finds those of an old one).
pub const CLAIM_PREFIX: &str = "CLAIM#";
pub fn claim_sk(ticket: TicketId) -> String {
    format!("{CLAIM_PREFIX}{ticket}")
}

/// Team chat channels of the workspace (one Query lists them; private ones are filtered by membership).
pub const CHANNEL_PREFIX: &str = "CHANNEL#";
pub fn channel_sk(channel: ChannelId) -> String {
    format!("{CHANNEL_PREFIX}{channel}")
}
/// Guards "one direct conversation per pair of members": the pair in sorted order.
pub fn direct_channel_guard_sk(a: UserId, b: UserId) -> String {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    format!("DIRECT#{low}#{high}")
}
/// A channel's messages: one Query of the prefix reads its history, newest first by id.
pub fn chat_message_prefix(channel: ChannelId) -> String {
    format!("CHMSG#{channel}#")
}
pub fn chat_message_sk(channel: ChannelId, message: ChatMessageId) -> String {
    format!("{}{message}", chat_message_prefix(channel))
}
/// Where a member has read up to, per channel: one Query of the prefix reads all of a member's marks.
pub fn chat_read_prefix(user: UserId) -> String {
    format!("CHREAD#{user}#")
}
pub fn chat_read_sk(user: UserId, channel: ChannelId) -> String {
    format!("{}{channel}", chat_read_prefix(user))
}

/// GSI1 on event items: the workspace activity log, newest last by event id.
const ACTIVITY_GSI1_PREFIX: &str = "ACTIVITY#";
pub fn activity_gsi1pk(workspace: WorkspaceId) -> String {
    format!("{ACTIVITY_GSI1_PREFIX}{workspace}")
}
/// Whether a GSI1PK is an activity log's: only event items carry one (the outbox reads them by it).
pub fn is_activity_gsi1pk(gsi1pk: &str) -> bool {
    gsi1pk.starts_with(ACTIVITY_GSI1_PREFIX)
}
pub fn activity_gsi1sk(event: EventId) -> String {
    event.to_string()
}

/// GSI2 on ticket and event items: a customer's tickets (by creation) and timeline (by event id).
pub fn customer_gsi2pk(workspace: WorkspaceId, customer: CustomerId) -> String {
    format!("CUSTOMER#{workspace}#{customer}")
}
pub const CUSTOMER_TICKETS_GSI2_PREFIX: &str = "TICKET#";
pub fn customer_ticket_gsi2sk(created_at: Timestamp, ticket: TicketId) -> String {
    format!("{CUSTOMER_TICKETS_GSI2_PREFIX}{created_at}#{ticket}")
}
pub const CUSTOMER_EVENTS_GSI2_PREFIX: &str = "EVENT#";
pub fn customer_event_gsi2sk(event: EventId) -> String {
    format!("{CUSTOMER_EVENTS_GSI2_PREFIX}{event}")
}
/// The GSI2 sort-key range of a customer's events up to and including `event` (for
/// `GSI2SK BETWEEN :from AND :to`): where a timeline page continues. Ticket keys sort after it.
pub fn customer_events_through_gsi2sk(event: EventId) -> (String, String) {
    (CUSTOMER_EVENTS_GSI2_PREFIX.to_owned(), customer_event_gsi2sk(event))
}

pub const GSI3: &str = "GSI3";
pub const GSI3PK: &str = "GSI3PK";
pub const GSI3SK: &str = "GSI3SK";
pub const GSI4: &str = "GSI4";
pub const GSI4PK: &str = "GSI4PK";
pub const GSI4SK: &str = "GSI4SK";
pub const GSI5: &str = "GSI5";
pub const GSI5PK: &str = "GSI5PK";
pub const GSI5SK: &str = "GSI5SK";
pub const GSI6: &str = "GSI6";
pub const GSI6PK: &str = "GSI6PK";
pub const GSI6SK: &str = "GSI6SK";

/// Which inbox queue a ticket is in: unresolved ("open") or solved/closed ("done").
pub fn queue_name(unresolved: bool) -> &'static str {
    if unresolved { "open" } else { "done" }
}
/// GSI3: the workspace's queue, by last update.
pub fn queue_gsi3pk(workspace: WorkspaceId, unresolved: bool) -> String {
    format!("QUEUE#{workspace}#{}", queue_name(unresolved))
}
/// GSI4: one assignee's queue (None = unassigned), by last update.
pub fn assignee_gsi4pk(workspace: WorkspaceId, assignee: Option<UserId>, unresolved: bool) -> String {
    let who = assignee.map_or_else(|| "none".to_owned(), |user| user.to_string());
    format!("ASSIGNEE#{workspace}#{who}#{}", queue_name(unresolved))
}
/// Sort key of the priority-ordered queues (GSI5 = the workspace queue, GSI6 = an assignee's queue, with
/// the same partition keys as GSI3 and GSI4): priority rank (0 = low … 3 = urgent), then last update.
/// Read backwards, urgent and recently updated tickets come first.
pub fn priority_queue_sk(priority_rank: u8, updated_at: Timestamp, ticket: TicketId) -> String {
    format!("{priority_rank}#{updated_at}#{ticket}")
}

/// Sort key of both queue indexes: last update, then id for a stable order.
pub fn queue_sk(updated_at: Timestamp, ticket: TicketId) -> String {
    format!("{updated_at}#{ticket}")
}

/// GSI1 on member items: every workspace an e-mail belongs to, for login.
pub fn login_gsi1pk(email: &Email) -> String {
    format!("LOGIN#{email}")
}
pub fn login_gsi1sk(workspace: WorkspaceId) -> String {
    format!("WS#{workspace}")
}

/// GSI2 on workspace items: the platform console's directory, newest last.
pub const DIRECTORY_GSI2PK: &str = "DIRECTORY#WORKSPACES";
pub fn directory_gsi2sk(created_at: Timestamp, workspace: WorkspaceId) -> String {
    format!("{created_at}#{workspace}")
}

/// The directory's search terms: one item per term of a workspace (`name:<name>`, `owner:<e-mail>`,
/// lower-cased), so a prefix search is one Query with `begins_with`. Written with the workspace.
pub const DIRECTORY_SEARCH_PK: &str = "DIRECTORY#SEARCH";
pub fn directory_search_sk(term: &str, workspace: WorkspaceId) -> String {
    format!("TERM#{term}#{workspace}")
}
pub fn directory_search_prefix(term_prefix: &str) -> String {
    format!("TERM#{term_prefix}")
}

/// Platform staff live outside every tenant partition.
pub const PLATFORM_PK: &str = "PLATFORM";
pub fn staff_sk(staff: StaffId) -> String {
    format!("STAFF#{staff}")
}
pub fn staff_email_sk(email: &Email) -> String {
    format!("STAFF_EMAIL#{email}")
}

/// The plan catalog, under `PLATFORM`: one Query on this prefix lists it.
/// Billing (docs/billing.md): a Stripe event taken in (its id remembered 30 days), which workspace a
/// Stripe customer bills, the workspace's subscription as last heard, its invoices.
pub fn stripe_event_pk(event_id: &str) -> String {
    format!("STRIPE_EVENT#{event_id}")
}
pub const STRIPE_EVENT_SK: &str = "STRIPE_EVENT";
pub fn stripe_customer_pk(customer_id: &str) -> String {
    format!("STRIPE_CUSTOMER#{customer_id}")
}
pub const STRIPE_CUSTOMER_SK: &str = "STRIPE_CUSTOMER";
pub const BILLING_SK: &str = "BILLING";
pub const INVOICE_PREFIX: &str = "INVOICE#";
/// Newest first by creation (an invoice's `created` never changes, so neither does its key).
pub fn invoice_sk(created: Timestamp, invoice_id: &str) -> String {
    format!("{INVOICE_PREFIX}{:011}#{invoice_id}", created.as_second().max(0))
}

pub const PLAN_PREFIX: &str = "PLAN#";
pub fn plan_sk(plan: &PlanId) -> String {
    format!("{PLAN_PREFIX}{plan}")
}

/// The platform audit log, under `PLATFORM`, in time order (RFC 3339 UTC timestamps sort as text).
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub fn audit_sk(at: Timestamp, entry: EventId) -> String {
    format!("{AUDIT_PREFIX}{at}#{entry}")
}

/// The ticket's SLA watch: marks already recorded, the next moment to look, its radar position. It sits
/// in the ticket's collection, so reading the ticket reads it too.
pub fn sla_watch_sk(ticket: TicketId) -> String {
    format!("{TICKET_PREFIX}{ticket}#SLA")
}

pub const GSI7: &str = "GSI7";
pub const GSI7PK: &str = "GSI7PK";
pub const GSI7SK: &str = "GSI7SK";
pub const GSI8: &str = "GSI8";
pub const GSI8PK: &str = "GSI8PK";
pub const GSI8SK: &str = "GSI8SK";

/// GSI7 partitions of the SLA due index. Every workspace's watches share them, so the scan reads a
/// fixed number of partitions; spreading them keeps each below DynamoDB's per-partition write rate.
pub const SLA_DUE_SHARDS: u32 = 8;
/// GSI7 (keys only): every ticket with an SLA moment still to record, across workspaces, by when.
/// The shard comes from the ticket id's random bits (UUIDv7's tail), so it is stable per ticket.
pub fn sla_due_gsi7pk(ticket: TicketId) -> String {
    let shard = (ticket.as_uuid().as_u128() % u128::from(SLA_DUE_SHARDS)) as u32;
    sla_due_shard_gsi7pk(shard)
}
pub fn sla_due_shard_gsi7pk(shard: u32) -> String {
    format!("SLADUE#{shard}")
}
/// Zero-padded epoch seconds sort as numbers; the ids say which watch to load. Rounded up to the next
/// whole second, so a scan never finds a watch a fraction of a second before its moment.
pub fn sla_due_gsi7sk(next_check: Timestamp, workspace: WorkspaceId, ticket: TicketId) -> String {
    let second = next_check.as_second() + i64::from(next_check.subsec_nanosecond() > 0);
    format!("{:012}#{workspace}#{ticket}", second.max(0))
}
/// The upper bound for `GSI7SK <= :bound`: everything due at or before `now` (`~` sorts after ids).
pub fn sla_due_gsi7sk_through(now: Timestamp) -> String {
    format!("{:012}#~", now.as_second().max(0))
}
/// What a GSI7 entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaDue {
    /// A ticket's watch.
    Ticket(WorkspaceId, TicketId),
    /// The workspace's re-watch job (after a policy change: every unresolved ticket, a batch per run).
    Rewatch(WorkspaceId),
    /// A past-due workspace's grace period ends: the workspace item itself carries the entry.
    GraceEnds(WorkspaceId),
}
const REWATCH: &str = "REWATCH";
const GRACE: &str = "GRACE";
/// The workspace's re-watch job item.
pub const SLA_REWATCH_SK: &str = "SLA#REWATCH";
/// GSI7 keys of the re-watch job: sharded by workspace, due when the next batch should run.
pub fn sla_rewatch_gsi7pk(workspace: WorkspaceId) -> String {
    let shard = (workspace.as_uuid().as_u128() % u128::from(SLA_DUE_SHARDS)) as u32;
    sla_due_shard_gsi7pk(shard)
}
pub fn sla_rewatch_gsi7sk(due: Timestamp, workspace: WorkspaceId) -> String {
    format!("{:012}#{workspace}#{REWATCH}", due.as_second().max(0))
}
/// GSI7 keys of a past-due workspace's grace deadline (on the workspace item while it is past due).
pub fn grace_ends_gsi7pk(workspace: WorkspaceId) -> String {
    sla_rewatch_gsi7pk(workspace)
}
pub fn grace_ends_gsi7sk(due: Timestamp, workspace: WorkspaceId) -> String {
    let second = due.as_second() + i64::from(due.subsec_nanosecond() > 0);
    format!("{:012}#{workspace}#{GRACE}", second.max(0))
}
/// Reads a GSI7 sort key back into what it points at.
pub fn parse_sla_due_gsi7sk(sk: &str) -> Option<SlaDue> {
    let mut parts = sk.split('#');
    let (_, workspace, target) = (parts.next()?, parts.next()?, parts.next()?);
    let workspace = workspace.parse().ok()?;
    if target == REWATCH {
        return Some(SlaDue::Rewatch(workspace));
    }
    if target == GRACE {
        return Some(SlaDue::GraceEnds(workspace));
    }
    Some(SlaDue::Ticket(workspace, target.parse().ok()?))
}

/// GSI8: a workspace's SLA radar. Sort key: state rank (0 breached, 1 at risk, 2 on track), then the
/// deadline, so each state is a range in deadline order (least time left first).
pub fn sla_radar_gsi8pk(workspace: WorkspaceId) -> String {
    format!("SLARADAR#{workspace}")
}
pub fn sla_radar_gsi8sk(state_rank: u8, due: Timestamp, ticket: TicketId) -> String {
    format!("{state_rank}#{:012}#{ticket}", due.as_second().max(0))
}
/// `GSI8SK BETWEEN` bounds for one state, optionally only deadlines up to `due_by`.
pub fn sla_radar_gsi8sk_range(state_rank: u8, due_by: Option<Timestamp>) -> (String, String) {
    let upper = match due_by {
        Some(due_by) => format!("{state_rank}#{:012}#~", due_by.as_second().max(0)),
        None => format!("{state_rank}#~"),
    };
    (format!("{state_rank}#"), upper)
}

/// Saved inbox views: a member's own under `VIEW#USER#<user>#`, the team's under `VIEW#SHARED#`, so
/// listing what a member may use is two Queries that never read another member's personal views.
pub const SHARED_VIEW_PREFIX: &str = "VIEW#SHARED#";
pub fn personal_view_prefix(user: UserId) -> String {
    format!("VIEW#USER#{user}#")
}
/// The view's item: personal to `owner`, or shared when `owner` is None.
pub fn view_sk(owner: Option<UserId>, view: crate::domain::ids::ViewId) -> String {
    match owner {
        Some(user) => format!("{}{view}", personal_view_prefix(user)),
        None => format!("{SHARED_VIEW_PREFIX}{view}"),
    }
}

/// Macros, shelved like views: a member's own under `MACRO#USER#<user>#`, the team's under
/// `MACRO#SHARED#`.
pub const SHARED_MACRO_PREFIX: &str = "MACRO#SHARED#";
pub fn personal_macro_prefix(user: UserId) -> String {
    format!("MACRO#USER#{user}#")
}
pub fn macro_sk(owner: Option<UserId>, id: crate::domain::ids::MacroId) -> String {
    match owner {
        Some(user) => format!("{}{id}", personal_macro_prefix(user)),
        None => format!("{SHARED_MACRO_PREFIX}{id}"),
    }
}

/// Sales pipelines: one item each (its stages inside); a workspace's pipelines are one Query on the
/// prefix. The guard marks that the workspace's first pipeline was made, so two first uses at once
/// make one.
pub const PIPELINE_PREFIX: &str = "PIPELINE#";
pub fn pipeline_sk(pipeline: PipelineId) -> String {
    format!("{PIPELINE_PREFIX}{pipeline}")
}
pub const PIPELINES_SEEDED_SK: &str = "PIPELINES#SEEDED";
/// A pipeline's board counters (open deals per stage: count, and value and weighted value per
/// currency), kept exact by every transaction that changes a deal.
pub fn pipeline_counts_sk(pipeline: PipelineId) -> String {
    format!("COUNTS#PIPELINE#{pipeline}")
}
/// Counter attribute names on the board counters item. Stage ids have a fixed length and currency
/// codes three letters, so no name is the prefix of another stage's.
pub fn stage_count_attr(stage: StageId) -> String {
    format!("n#{stage}")
}
pub fn stage_value_attr(stage: StageId, currency: &str) -> String {
    format!("v#{stage}#{currency}")
}
pub fn stage_weighted_attr(stage: StageId, currency: &str) -> String {
    format!("w#{stage}#{currency}")
}
/// The same board counters item also keeps the open deals per owner (`none` for unowned deals):
/// count, and value and weighted value per currency. User ids have a fixed length, so no owner's
/// names are the prefix of another's, and the `o` prefixes never start a stage's names.
pub fn owner_count_attr(owner: Option<UserId>) -> String {
    format!("on#{}", owner_key(owner))
}
pub fn owner_value_attr(owner: Option<UserId>, currency: &str) -> String {
    format!("ov#{}#{currency}", owner_key(owner))
}
pub fn owner_weighted_attr(owner: Option<UserId>, currency: &str) -> String {
    format!("ow#{}#{currency}", owner_key(owner))
}
fn owner_key(owner: Option<UserId>) -> String {
    owner.map_or_else(|| "none".to_owned(), |owner| owner.to_string())
}

/// The deal item; also the prefix of its collection (its events), so one Query reads a deal with its
/// history.
pub const DEAL_PREFIX: &str = "DEAL#";
pub fn deal_sk(deal: DealId) -> String {
    format!("{DEAL_PREFIX}{deal}")
}
pub fn deal_event_sk(deal: DealId, event: EventId) -> String {
    format!("{DEAL_PREFIX}{deal}#EVENT#{event}")
}

/// Deal list indexes, on the deal item only (GSI partitions are overloaded; deal keys start with
/// `DEALS#`, which no other item uses). Each partition holds deals of one status; sort keys end with
/// the deal id, so ties keep a stable order and newest-first is id order.
/// - GSI1: one stage's deals (the kanban column), newest first.
pub fn deals_by_stage_gsi1pk(workspace: WorkspaceId, stage: StageId, status: &str) -> String {
    format!("DEALS#{workspace}#STAGE#{stage}#{status}")
}
/// - GSI2: one pipeline's deals, newest first.
pub fn deals_by_pipeline_gsi2pk(workspace: WorkspaceId, pipeline: PipelineId, status: &str) -> String {
    format!("DEALS#{workspace}#PIPELINE#{pipeline}#{status}")
}
/// - GSI3: one owner's deals (None: unowned), newest first.
pub fn deals_by_owner_gsi3pk(workspace: WorkspaceId, owner: Option<UserId>, status: &str) -> String {
    let who = owner.map_or_else(|| "none".to_owned(), |user| user.to_string());
    format!("DEALS#{workspace}#OWNER#{who}#{status}")
}
/// - GSI4: every deal of the workspace, newest first.
pub fn deals_gsi4pk(workspace: WorkspaceId, status: &str) -> String {
    format!("DEALS#{workspace}#ALL#{status}")
}
/// The newest-first sort key of GSI1 to GSI4: the deal id (time-ordered).
pub fn deal_newest_sk(deal: DealId) -> String {
    deal.to_string()
}
/// - GSI5: the workspace's deals in one currency, by value (zero-padded minor units).
pub fn deals_by_value_gsi5pk(workspace: WorkspaceId, status: &str, currency: &str) -> String {
    format!("DEALS#{workspace}#VALUE#{status}#{currency}")
}
pub fn deal_value_gsi5sk(value: i64, deal: DealId) -> String {
    format!("{:019}#{deal}", value.max(0))
}
/// `GSI5SK BETWEEN` bounds for values from `min` to `max` (inclusive; `~` sorts after ids).
pub fn deal_value_gsi5sk_range(min: i64, max: i64) -> (String, String) {
    (format!("{:019}#", min.max(0)), format!("{:019}#~", max.max(0)))
}
/// - GSI6: the workspace's deals that have an expected close date, by that date.
pub fn deals_by_close_gsi6pk(workspace: WorkspaceId, status: &str) -> String {
    format!("DEALS#{workspace}#CLOSE#{status}")
}
pub fn deal_close_gsi6sk(date: jiff::civil::Date, deal: DealId) -> String {
    format!("{date}#{deal}")
}
/// `GSI6SK BETWEEN` bounds for expected close dates from `from` to `to` (inclusive).
pub fn deal_close_gsi6sk_range(from: jiff::civil::Date, to: jiff::civil::Date) -> (String, String) {
    (format!("{from}#"), format!("{to}#~"))
}

/// A sales lead. Ids have a fixed length, so no other lead's keys share `lead_sk(l)` as a prefix.
pub const LEAD_PREFIX: &str = "LEAD#";
pub fn lead_sk(lead: LeadId) -> String {
    format!("{LEAD_PREFIX}{lead}")
}
/// Guards "one lead per e-mail in a workspace" (duplicate detection) with a conditional put.
pub const LEAD_EMAIL_PREFIX: &str = "LEAD_EMAIL#";
pub fn lead_email_sk(email: &Email) -> String {
    format!("{LEAD_EMAIL_PREFIX}{email}")
}
/// The lead counters of a workspace (total, per status, per source, per owner), kept by the same
/// transactions that change leads, read with one GetItem.
pub const LEAD_COUNTS_SK: &str = "COUNTS#LEADS";
/// The workspace's lead status set.
pub const LEAD_STATUSES_SK: &str = "SETTINGS#LEAD_STATUSES";

/// The lead listings' sort key: creation time in zero-padded epoch milliseconds (so keys sort as
/// times), then the id for a stable order.
pub fn lead_created_sk(created_at: Timestamp, lead: LeadId) -> String {
    format!("{:015}#{lead}", created_at.as_millisecond().max(0))
}
/// `BETWEEN` bounds on [`lead_created_sk`] for leads created in `[from, to]` (either end open).
pub fn lead_created_range(from: Option<Timestamp>, to: Option<Timestamp>) -> (String, String) {
    let from = format!("{:015}#", from.map_or(0, |at| at.as_millisecond().max(0)));
    let to = format!("{:015}#~", to.map_or(999_999_999_999_999, |at| at.as_millisecond().max(0)));
    (from, to)
}
/// GSI3: every live lead of the workspace, by creation.
pub fn leads_gsi3pk(workspace: WorkspaceId) -> String {
    format!("LEADS#{workspace}")
}
/// GSI4: the workspace's leads in one status, by creation.
pub fn lead_status_gsi4pk(workspace: WorkspaceId, status: &str) -> String {
    format!("LEADS#{workspace}#status#{status}")
}
/// GSI6: one owner's (None = nobody's) leads, by creation.
pub fn lead_owner_gsi6pk(workspace: WorkspaceId, owner: Option<UserId>) -> String {
    let who = owner.map_or_else(|| "none".to_owned(), |user| user.to_string());
    format!("LEADS#{workspace}#owner#{who}")
}
/// GSI5 (partition [`leads_gsi3pk`]): leads by score, then creation. Unscored leads sort below 0
/// (`-` sorts before digits), so read backwards, the best scores come first and unscored ones last.
pub fn lead_score_gsi5sk(score: Option<u8>, created_at: Timestamp, lead: LeadId) -> String {
    let score = score.map_or_else(|| "-".to_owned(), |score| format!("{score:03}"));
    format!("{score}#{}", lead_created_sk(created_at, lead))
}

/// GSI2 on event items about a lead (and no customer): the lead's timeline, by event id.
pub fn lead_gsi2pk(workspace: WorkspaceId, lead: LeadId) -> String {
    format!("LEAD#{workspace}#{lead}")
}
pub fn lead_event_gsi2sk(event: EventId) -> String {
    format!("EVENT#{event}")
}

/// The notes on one record (`NOTE#lead#<id>#`): one Query of this prefix reads them, oldest first.
pub fn notes_prefix(record: RecordRef) -> String {
    format!("NOTE#{record}#")
}
pub fn note_sk(record: RecordRef, note: NoteId) -> String {
    format!("{}{note}", notes_prefix(record))
}

/// An activity (call, meeting, task, e-mail) on a sales record, found by its id alone (a change or a
/// delete names only the activity). No listing Query reads this prefix: the indexes below list them.
pub const SALES_ACTIVITY_PREFIX: &str = "SALES_ACTIVITY#";
pub fn activity_sk(activity: ActivityId) -> String {
    format!("{SALES_ACTIVITY_PREFIX}{activity}")
}
/// GSI3 on activity items: one record's activities, newest logged first by id (time-ordered).
pub fn record_activities_gsi3pk(workspace: WorkspaceId, record: RecordRef) -> String {
    format!("ACTIVITIES#{workspace}#{record}")
}
pub fn record_activity_gsi3sk(activity: ActivityId) -> String {
    activity.to_string()
}
/// GSI4 on activity items: one assignee's tasks, open or done.
pub fn tasks_gsi4pk(workspace: WorkspaceId, assignee: UserId, done: bool) -> String {
    format!("TASKS#{workspace}#{assignee}#{}", if done { "done" } else { "open" })
}
/// The open tasks' sort key: the due time in zero-padded epoch milliseconds, so read forwards the
/// most overdue come first; undated ones (`~` sorts after digits) last. Then the id, for ties.
pub fn open_task_gsi4sk(due_at: Option<Timestamp>, activity: ActivityId) -> String {
    match due_at {
        Some(due) => format!("{:015}#{activity}", due.as_millisecond().max(0)),
        None => format!("~#{activity}"),
    }
}
/// The done tasks' sort key: when they were done (read backwards, the latest first).
pub fn done_task_gsi4sk(done_at: Timestamp, activity: ActivityId) -> String {
    format!("{:015}#{activity}", done_at.as_millisecond().max(0))
}

/// A company (organisation record). Ids have a fixed length, so no other company's keys share
/// `company_sk(c)` as a prefix.
/// The workspace's search index version: which index object is current, bumped by the indexer (the
/// workspace's single writer) after each write of the object; the search function reads it per query.
pub const SEARCH_VERSION_SK: &str = "SEARCH#VERSION";
/// Where a workspace's search index lives in the search bucket: one object per workspace, under the
/// workspace's prefix (a lifecycle rule or policy can address one tenant).
pub fn search_index_object_key(workspace: WorkspaceId) -> String {
    format!("workspaces/{workspace}/search/index.bin")
}

pub const COMPANY_PREFIX: &str = "COMPANY#";
pub fn company_sk(company: CompanyId) -> String {
    format!("{COMPANY_PREFIX}{company}")
}
/// How many customers and deals name the company (`customers`, `deals`): kept by the transactions
/// that link and unlink them, so a delete can refuse a company still in use. A separate item, so a
/// change to the company's fields (a Put at its version) never overwrites a count.
pub fn company_links_sk(company: CompanyId) -> String {
    format!("COMPANY_LINKS#{company}")
}
/// Guards "one company per web domain in a workspace" (the domain in canonical form).
pub fn company_domain_sk(domain: &str) -> String {
    format!("COMPANY_DOMAIN#{domain}")
}
/// The companies' name order: the lower-cased name, then U+0001 (below every character a name may
/// hold, so "Acme" sorts before "Acme Inc"), then the id for a stable order.
pub fn company_name_sk(name_key: &str, company: CompanyId) -> String {
    format!("{name_key}\u{1}{company}")
}
/// GSI3 on company items: every company of the workspace, by name.
pub fn companies_gsi3pk(workspace: WorkspaceId) -> String {
    format!("COMPANIES#{workspace}")
}
/// GSI4 on company items: one owner's (None = nobody's) companies, by name.
pub fn companies_by_owner_gsi4pk(workspace: WorkspaceId, owner: Option<UserId>) -> String {
    let who = owner.map_or_else(|| "none".to_owned(), |user| user.to_string());
    format!("COMPANIES#{workspace}#OWNER#{who}")
}
/// GSI3 on customer items linked to a company: the company's customers, by e-mail.
pub fn company_customers_gsi3pk(workspace: WorkspaceId, company: CompanyId) -> String {
    format!("COMPANY_CUSTOMERS#{workspace}#{company}")
}
/// GSI8 on deal items linked to a company: the company's deals (every status), newest first by the
/// deal id ([`deal_newest_sk`]).
pub fn company_deals_gsi8pk(workspace: WorkspaceId, company: CompanyId) -> String {
    format!("COMPANY_DEALS#{workspace}#{company}")
}
/// GSI2 on event items about a company (and no customer or lead): the company's timeline.
pub fn company_gsi2pk(workspace: WorkspaceId, company: CompanyId) -> String {
    format!("COMPANY#{workspace}#{company}")
}
pub fn company_event_gsi2sk(event: EventId) -> String {
    format!("EVENT#{event}")
}

/// A member's notifications, newest first by id (the event's id, time-ordered): `NOTIF#<user>#<event>`.
/// Every key of one member starts with `notifications_prefix(user)`; no other item's key does.
pub fn notifications_prefix(user: UserId) -> String {
    format!("NOTIF#{user}#")
}
pub fn notification_sk(user: UserId, event: EventId) -> String {
    format!("{}{event}", notifications_prefix(user))
}
/// A copy of each unread notification, deleted when it is read: the unread filter is one Query of
/// this prefix, whatever the number of read ones.
pub fn unread_notifications_prefix(user: UserId) -> String {
    format!("NOTIF_UNREAD#{user}#")
}
pub fn unread_notification_sk(user: UserId, event: EventId) -> String {
    format!("{}{event}", unread_notifications_prefix(user))
}
/// The member's unread count (`unread`), moved by the transactions that add and read notifications.
pub fn notification_count_sk(user: UserId) -> String {
    format!("NOTIF_COUNT#{user}")
}
/// The member's notification preferences (the kinds turned off).
pub fn notification_preferences_sk(user: UserId) -> String {
    format!("NOTIF_PREFS#{user}")
}

/// A member's Google Contacts connection (tokens sealed, settings, sync state and progress).
pub fn google_connection_sk(user: UserId) -> String {
    format!("GOOGLE_CONNECTION#{user}")
}
/// How many partitions the connection index is spread over (the scheduled sync reads them all).
pub const GOOGLE_CONNECTION_SHARDS: u32 = 4;
/// The connection index (GSI1): every connection of every workspace, for the scheduled sync to fan out
/// over without a Scan; write-sharded by member id.
pub fn google_connections_gsi1pk(shard: u32) -> String {
    format!("GOOGLE_CONNECTIONS#{shard}")
}
pub fn google_connection_shard(user: UserId) -> u32 {
    (user.as_uuid().as_u128() % u128::from(GOOGLE_CONNECTION_SHARDS)) as u32
}
pub fn google_connection_gsi1sk(workspace: WorkspaceId, user: UserId) -> String {
    format!("{workspace}#{user}")
}
/// A pending OAuth authorization (the PKCE verifier and the member it belongs to), kept until its
/// `expires_at`; `state` is random, so the key is unguessable.
pub fn google_oauth_state_sk(state: &str) -> String {
    format!("GOOGLE_OAUTH_STATE#{state}")
}
/// Every mapping item of one member's connection starts with this prefix.
pub fn google_contacts_prefix(user: UserId) -> String {
    format!("GOOGLE_CONTACT#{user}#")
}
/// Google contact → the customer or lead it landed as (`resource` is Google's `people/c…` name).
pub fn google_contact_sk(user: UserId, resource: &str) -> String {
    format!("{}{resource}", google_contacts_prefix(user))
}

#[cfg(test)]
mod google_contacts_tests {
    use super::*;

    #[test]
    fn google_contact_keys_stay_out_of_every_other_listing_and_apart_per_member() {
        let (one, two) = (UserId::generate(), UserId::generate());
        for key in [google_connection_sk(one), google_oauth_state_sk("s"), google_contact_sk(one, "people/c1")] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX, LEAD_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
        assert!(!google_contact_sk(two, "people/c1").starts_with(&google_contacts_prefix(one)));
        assert!(google_connection_shard(one) < GOOGLE_CONNECTION_SHARDS);
    }
}

#[cfg(test)]
mod company_tests {
    use super::*;

    #[test]
    fn company_keys_stay_out_of_other_listings_and_sort_by_name() {
        let (ws, company, other) = (WorkspaceId::generate(), CompanyId::generate(), CompanyId::generate());
        assert_eq!(company_sk(company), format!("COMPANY#{company}"));
        assert!(!company_sk(other).starts_with(&company_sk(company)));
        for key in [company_sk(company), company_links_sk(company), company_domain_sk("acme.com")] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX, LEAD_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
        assert!(!company_links_sk(company).starts_with(COMPANY_PREFIX), "the counts are not a company");
        assert!(!company_domain_sk("acme.com").starts_with(COMPANY_PREFIX), "the guard is not a company");
        assert!(company_name_sk("acme", other) < company_name_sk("acme inc", company), "a shorter name first");
        assert!(company_name_sk("acme inc", company) < company_name_sk("beta", company));
        assert_ne!(companies_gsi3pk(ws), leads_gsi3pk(ws));
        assert_ne!(companies_gsi3pk(ws), queue_gsi3pk(ws, true));
        assert_ne!(companies_by_owner_gsi4pk(ws, None), assignee_gsi4pk(ws, None, true));
        assert!(!company_customers_gsi3pk(ws, company).starts_with(&companies_gsi3pk(ws)));
        assert_ne!(company_gsi2pk(ws, company), customer_gsi2pk(ws, CustomerId::generate()));
        assert!(
            !company_gsi2pk(ws, company).starts_with("CUSTOMER#") && !company_gsi2pk(ws, company).starts_with("LEAD#")
        );
        assert_ne!(company_deals_gsi8pk(ws, company), sla_radar_gsi8pk(ws));
        let record = RecordRef::Company(company);
        assert!(note_sk(record, NoteId::generate()).starts_with(&notes_prefix(record)));
        assert!(!notes_prefix(record).starts_with(COMPANY_PREFIX));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_keys_list_a_record_and_order_a_members_tasks() {
        let (ws, activity, user) = (WorkspaceId::generate(), ActivityId::generate(), UserId::generate());
        assert_eq!(activity_sk(activity), format!("SALES_ACTIVITY#{activity}"));
        for prefix in
            [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX, LEAD_PREFIX, DEAL_PREFIX]
        {
            assert!(!activity_sk(activity).starts_with(prefix), "activities would show up in the {prefix} listing");
        }
        let (lead, deal) = (RecordRef::Lead(LeadId::generate()), RecordRef::Deal(DealId::generate()));
        assert_ne!(record_activities_gsi3pk(ws, lead), record_activities_gsi3pk(ws, deal));
        assert_ne!(record_activities_gsi3pk(ws, lead), leads_gsi3pk(ws));
        assert!(!is_activity_gsi1pk(&record_activities_gsi3pk(ws, lead)), "not mistaken for an event");
        assert_ne!(tasks_gsi4pk(ws, user, false), tasks_gsi4pk(ws, user, true));
        assert!(!tasks_gsi4pk(ws, user, false).starts_with("ASSIGNEE#"), "tasks never mix with ticket queues");
        let early = Timestamp::from_second(1_800_000_000).unwrap();
        let later = Timestamp::from_millisecond(1_800_000_000_500).unwrap();
        let (a, b) = (ActivityId::generate(), ActivityId::generate());
        assert!(open_task_gsi4sk(Some(early), b) < open_task_gsi4sk(Some(later), a), "earliest due first");
        assert!(open_task_gsi4sk(Some(later), a) < open_task_gsi4sk(None, a), "undated last");
        assert!(done_task_gsi4sk(early, b) < done_task_gsi4sk(later, a));
    }

    #[test]
    fn deal_keys_group_a_deal_with_its_events_and_sort_lists() {
        let (ws, deal, other) = (WorkspaceId::generate(), DealId::generate(), DealId::generate());
        assert!(deal_event_sk(deal, EventId::generate()).starts_with(&deal_sk(deal)));
        assert!(!deal_sk(other).starts_with(&deal_sk(deal)));
        for key in [pipeline_sk(PipelineId::generate()), pipeline_counts_sk(PipelineId::generate()), deal_sk(deal)] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
        assert!(!PIPELINES_SEEDED_SK.starts_with(PIPELINE_PREFIX), "the guard is not listed as a pipeline");
        assert!(!pipeline_counts_sk(PipelineId::generate()).starts_with(PIPELINE_PREFIX));
        // Values sort numerically, and a range holds exactly its values.
        let (small, large) = (deal_value_gsi5sk(9_500, deal), deal_value_gsi5sk(120_000, deal));
        assert!(small < large);
        let (from, to) = deal_value_gsi5sk_range(10_000, 120_000);
        assert!(!(from <= small && small <= to));
        assert!(from <= large && large <= to, "the bounds are inclusive");
        let date = |text: &str| text.parse::<jiff::civil::Date>().unwrap();
        let (from, to) = deal_close_gsi6sk_range(date("2026-01-01"), date("2026-01-31"));
        let january = deal_close_gsi6sk(date("2026-01-31"), deal);
        assert!(from <= january && january <= to);
        assert!(deal_close_gsi6sk(date("2026-02-01"), deal) > to);
        assert_ne!(deals_by_stage_gsi1pk(ws, StageId::generate(), "open"), deals_gsi4pk(ws, "open"));
        assert_eq!(deals_by_owner_gsi3pk(ws, None, "won"), format!("DEALS#{ws}#OWNER#none#won"));
        assert!(!is_activity_gsi1pk(&deals_by_stage_gsi1pk(ws, StageId::generate(), "open")));
        let stage = StageId::generate();
        assert!(!stage_value_attr(stage, "EUR").starts_with(&stage_count_attr(stage)));
    }

    #[test]
    fn tenant_items_live_in_the_workspace_partition() {
        let ws = WorkspaceId::generate();
        assert_eq!(workspace_pk(ws), format!("WS#{ws}"));
        let user = UserId::generate();
        assert_eq!(user_sk(user), format!("USER#{user}"));
        assert!(user_sk(user).starts_with(USER_PREFIX));
        let email = Email::parse("Ada@Example.com").unwrap();
        assert_eq!(member_email_sk(&email), "EMAIL#ada@example.com");
        assert_eq!(login_gsi1pk(&email), "LOGIN#ada@example.com");
        assert_eq!(login_gsi1sk(ws), format!("WS#{ws}"));
    }

    #[test]
    fn sessions_group_under_their_user() {
        let (user, session) = (UserId::generate(), SessionId::generate());
        assert!(session_sk(user, session).starts_with(&session_prefix(user)));
        assert_eq!(session_sk(user, session), format!("SESSION#{user}#{session}"));
    }

    #[test]
    fn a_tickets_collection_shares_its_prefix_and_no_other_ticket_does() {
        let (ticket, other) = (TicketId::generate(), TicketId::generate());
        let prefix = ticket_sk(ticket);
        assert!(message_sk(ticket, MessageId::generate()).starts_with(&prefix));
        assert!(ticket_event_sk(ticket, EventId::generate()).starts_with(&prefix));
        assert!(attachment_sk(ticket, AttachmentId::generate()).starts_with(&prefix));
        assert!(!pending_upload_sk(ticket, AttachmentId::generate()).starts_with(&prefix), "kept out of the read");
        assert!(pending_upload_sk(ticket, AttachmentId::generate()).starts_with(&pending_uploads_prefix(ticket)));
        assert!(!pending_upload_count_sk(ticket).starts_with(PENDING_UPLOAD_PREFIX));
        assert!(!ticket_sk(other).starts_with(&prefix));
        assert!(prefix.starts_with(TICKET_PREFIX));
    }

    #[test]
    fn attachment_objects_live_under_their_workspace() {
        let (ws, ticket, attachment) = (WorkspaceId::generate(), TicketId::generate(), AttachmentId::generate());
        let key = attachment_object_key(ws, ticket, attachment, "report.pdf");
        assert_eq!(key, format!("workspaces/{ws}/tickets/{ticket}/{attachment}/report.pdf"));
    }

    #[test]
    fn customer_keys_and_indexes() {
        let (ws, customer) = (WorkspaceId::generate(), CustomerId::generate());
        assert_eq!(customer_sk(customer), format!("CUSTOMER#{customer}"));
        assert_eq!(customer_email_sk("a@b.co"), "CUSTOMER_EMAIL#a@b.co");
        assert!(!customer_email_sk("a@b.co").starts_with(CUSTOMER_PREFIX), "the guard is not listed as a customer");
        assert_eq!(customer_gsi2pk(ws, customer), format!("CUSTOMER#{ws}#{customer}"));
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let ticket = TicketId::generate();
        assert!(customer_ticket_gsi2sk(at, ticket).starts_with(CUSTOMER_TICKETS_GSI2_PREFIX));
        assert!(customer_event_gsi2sk(EventId::generate()).starts_with(CUSTOMER_EVENTS_GSI2_PREFIX));
    }

    #[test]
    fn a_timeline_range_holds_older_events_and_no_tickets() {
        let (older, boundary, newer) = (EventId::generate(), EventId::generate(), EventId::generate());
        let (from, to) = customer_events_through_gsi2sk(boundary);
        let within = |key: &str| from.as_str() <= key && key <= to.as_str();
        assert!(within(&customer_event_gsi2sk(older)));
        assert!(within(&customer_event_gsi2sk(boundary)), "the bound is inclusive");
        assert!(!within(&customer_event_gsi2sk(newer)));
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        assert!(
            !within(&customer_ticket_gsi2sk(at, TicketId::generate())),
            "tickets share the partition, not the range"
        );
    }

    #[test]
    fn settings_items_are_outside_every_listed_prefix() {
        assert_eq!(CATEGORIES_SK, "SETTINGS#CATEGORIES");
        assert_eq!(SLA_POLICY_SK, "SETTINGS#SLA_POLICY");
        assert!(CATEGORIES_SK.starts_with(SETTINGS_PREFIX));
        for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, CUSTOMER_EMAIL_PREFIX, "SESSION#"] {
            assert!(!CATEGORIES_SK.starts_with(prefix), "{prefix} listings would include the taxonomy");
        }
        assert_ne!(CATEGORIES_SK, WORKSPACE_SK);
        assert_ne!(CATEGORIES_SK, INBOX_COUNTS_SK);
    }

    #[test]
    fn queues_split_unresolved_from_done_and_sort_by_update() {
        let ws = WorkspaceId::generate();
        assert_eq!(queue_gsi3pk(ws, true), format!("QUEUE#{ws}#open"));
        assert_eq!(queue_gsi3pk(ws, false), format!("QUEUE#{ws}#done"));
        let user = UserId::generate();
        assert_eq!(assignee_gsi4pk(ws, Some(user), true), format!("ASSIGNEE#{ws}#{user}#open"));
        assert_eq!(assignee_gsi4pk(ws, None, false), format!("ASSIGNEE#{ws}#none#done"));
        let ticket = TicketId::generate();
        let earlier = queue_sk(Timestamp::from_second(1_800_000_000).unwrap(), ticket);
        let later = queue_sk(Timestamp::from_second(1_800_000_060).unwrap(), ticket);
        assert!(earlier < later);
    }

    #[test]
    fn webhook_and_api_key_keys_do_not_collide_with_listings() {
        let (endpoint, other) = (WebhookId::generate(), WebhookId::generate());
        let ws = WorkspaceId::generate();
        let delivery = DeliveryId::generate();
        assert_eq!(deliveries_pk(ws, endpoint), format!("WS#{ws}#WEBHOOK#{endpoint}"));
        assert!(deliveries_pk(ws, endpoint).starts_with(&workspace_pk(ws)), "under the tenant's key prefix");
        assert_ne!(deliveries_pk(ws, endpoint), deliveries_pk(ws, other));
        assert!(delivery_sk(delivery).starts_with(DELIVERY_PREFIX));
        assert!(webhook_sk(endpoint).starts_with(WEBHOOK_PREFIX));
        let key = ApiKeyId::generate();
        assert_eq!(api_key_sk(key), format!("APIKEY#{key}"));
        assert_eq!(api_key_hash_gsi1pk("ab12"), "APIKEYHASH#ab12");
        for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX] {
            assert!(!webhook_sk(endpoint).starts_with(prefix));
            assert!(!api_key_sk(key).starts_with(prefix));
        }
    }

    #[test]
    fn ticket_numbers_stay_out_of_the_ticket_collections() {
        assert_eq!(ticket_number_sk(1042), "TICKET_NUMBER#1042");
        assert_ne!(TICKET_NUMBERS_SK, INBOX_COUNTS_SK);
        for key in [ticket_number_sk(7), TICKET_NUMBERS_SK.to_owned()] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
    }

    #[test]
    fn outbox_consumer_keys() {
        assert_eq!(daily_stats_sk("2026-11-21"), "STATS#DAY#2026-11-21");
        assert!(daily_stats_sk("2026-11-21").starts_with(DAILY_STATS_PREFIX));
        let event = EventId::generate();
        assert_eq!(applied_marker_sk("daily-stats", event), format!("APPLIED#daily-stats#{event}"));
    }

    #[test]
    fn realtime_and_chat_keys_stay_out_of_other_listings() {
        assert_eq!(connection_sk("abc="), "CONN#abc=");
        let ticket = TicketId::generate();
        assert_eq!(claim_sk(ticket), format!("CLAIM#{ticket}"));
        let (channel, message) = (ChannelId::generate(), ChatMessageId::generate());
        assert_eq!(channel_sk(channel), format!("CHANNEL#{channel}"));
        assert!(chat_message_sk(channel, message).starts_with(&chat_message_prefix(channel)));
        assert!(!chat_message_sk(channel, message).starts_with(CHANNEL_PREFIX), "messages are not channels");
        let (a, b) = (UserId::generate(), UserId::generate());
        assert_eq!(direct_channel_guard_sk(a, b), direct_channel_guard_sk(b, a));
        assert!(chat_read_sk(a, channel).starts_with(&chat_read_prefix(a)));
        assert!(!chat_read_sk(a, channel).starts_with(&chat_read_prefix(b)));
        for key in [connection_sk("x"), claim_sk(ticket), channel_sk(channel), chat_read_sk(a, channel)] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
    }

    #[test]
    fn priority_queues_put_urgent_and_recent_last_in_key_order() {
        let ticket = TicketId::generate();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let later = Timestamp::from_second(1_800_000_060).unwrap();
        assert_eq!(priority_queue_sk(3, at, ticket), format!("3#{at}#{ticket}"));
        assert!(priority_queue_sk(3, at, ticket) > priority_queue_sk(2, later, ticket));
        assert!(priority_queue_sk(1, later, ticket) > priority_queue_sk(1, at, ticket));
    }

    #[test]
    fn settings_usage_activity_and_directory_keys() {
        assert_eq!(usage_sk("2026-11"), "USAGE#2026-11");
        assert_eq!(INBOX_COUNTS_SK, "COUNTS#INBOX");
        let ws = WorkspaceId::generate();
        assert_eq!(activity_gsi1pk(ws), format!("ACTIVITY#{ws}"));
        assert!(is_activity_gsi1pk(&activity_gsi1pk(ws)));
        assert!(!is_activity_gsi1pk(&api_key_hash_gsi1pk("ab")));
        let event = EventId::generate();
        assert_eq!(event_sk(event), format!("EVENT#{event}"));
        assert_eq!(activity_gsi1sk(event), event.to_string());
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(directory_gsi2sk(at, ws), format!("{at}#{ws}"));
        assert_eq!(staff_sk(StaffId::generate()).len(), "STAFF#".len() + 36);
        assert_eq!(staff_email_sk(&Email::parse("s@x.io").unwrap()), "STAFF_EMAIL#s@x.io");
    }

    #[test]
    fn sla_due_keys_sort_by_time_and_point_back_at_their_watch() {
        let (ws, ticket) = (WorkspaceId::generate(), TicketId::generate());
        let early = Timestamp::from_second(1_800_000_000).unwrap();
        let late = Timestamp::from_second(1_800_000_060).unwrap();
        let sk = sla_due_gsi7sk(early, ws, ticket);
        assert!(sk < sla_due_gsi7sk(late, WorkspaceId::generate(), TicketId::generate()));
        assert!(sk <= sla_due_gsi7sk_through(early));
        assert!(sla_due_gsi7sk(late, ws, ticket) > sla_due_gsi7sk_through(early));
        assert_eq!(parse_sla_due_gsi7sk(&sk), Some(SlaDue::Ticket(ws, ticket)));
        let job = sla_rewatch_gsi7sk(early, ws);
        assert_eq!(parse_sla_due_gsi7sk(&job), Some(SlaDue::Rewatch(ws)));
        let grace = grace_ends_gsi7sk(Timestamp::from_second(1_800_000_000).unwrap(), ws);
        assert_eq!(parse_sla_due_gsi7sk(&grace), Some(SlaDue::GraceEnds(ws)));
        assert!(job <= sla_due_gsi7sk_through(early));
        assert!(sla_due_gsi7pk(ticket).starts_with("SLADUE#"));
        assert!(sla_watch_sk(ticket).starts_with(&ticket_sk(ticket)));
    }

    #[test]
    fn radar_keys_group_by_state_then_deadline() {
        let ticket = TicketId::generate();
        let due = Timestamp::from_second(1_800_000_000).unwrap();
        let (from, to) = sla_radar_gsi8sk_range(1, None);
        let at_risk = sla_radar_gsi8sk(1, due, ticket);
        assert!(from <= at_risk && at_risk <= to);
        assert!(sla_radar_gsi8sk(0, due, ticket) < from);
        let (_, due_by) = sla_radar_gsi8sk_range(2, Some(due));
        assert!(sla_radar_gsi8sk(2, due, ticket) <= due_by);
        assert!(sla_radar_gsi8sk(2, Timestamp::from_second(1_800_000_001).unwrap(), ticket) > due_by);
    }
    #[test]
    fn personal_shelves_hold_only_their_owners_views_and_macros() {
        use crate::domain::ids::{MacroId, ViewId};
        let (ada, bob, view, id) = (UserId::generate(), UserId::generate(), ViewId::generate(), MacroId::generate());
        assert!(view_sk(Some(ada), view).starts_with(&personal_view_prefix(ada)));
        assert!(!view_sk(Some(ada), view).starts_with(&personal_view_prefix(bob)));
        assert!(!view_sk(Some(ada), view).starts_with(SHARED_VIEW_PREFIX));
        assert!(view_sk(None, view).starts_with(SHARED_VIEW_PREFIX));
        assert!(macro_sk(Some(bob), id).starts_with(&personal_macro_prefix(bob)));
        assert!(macro_sk(None, id).starts_with(SHARED_MACRO_PREFIX));
        assert!(!macro_sk(None, id).starts_with(SHARED_VIEW_PREFIX));
    }

    #[test]
    fn lead_keys_stay_out_of_other_listings_and_sort_by_time_and_score() {
        let (ws, lead) = (WorkspaceId::generate(), LeadId::generate());
        assert_eq!(lead_sk(lead), format!("LEAD#{lead}"));
        let email = Email::parse("Ada@Example.com").unwrap();
        assert_eq!(lead_email_sk(&email), "LEAD_EMAIL#ada@example.com");
        assert!(!lead_email_sk(&email).starts_with(LEAD_PREFIX), "the guard is not listed as a lead");
        for key in [lead_sk(lead), lead_email_sk(&email), LEAD_COUNTS_SK.to_owned()] {
            for prefix in [USER_PREFIX, EVENT_PREFIX, TICKET_PREFIX, CUSTOMER_PREFIX, SETTINGS_PREFIX] {
                assert!(!key.starts_with(prefix), "{key} would show up in the {prefix} listing");
            }
        }
        assert!(LEAD_STATUSES_SK.starts_with(SETTINGS_PREFIX));
        assert_ne!(LEAD_COUNTS_SK, INBOX_COUNTS_SK);
        // A fraction of a second later still sorts later (RFC 3339 text would not).
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let later = Timestamp::from_millisecond(1_800_000_000_500).unwrap();
        assert!(lead_created_sk(at, LeadId::generate()) < lead_created_sk(later, lead));
        let (from, to) = lead_created_range(Some(at), Some(later));
        assert!(from <= lead_created_sk(at, lead) && lead_created_sk(later, lead) <= to, "both ends inclusive");
        let (_, to) = lead_created_range(None, Some(at));
        assert!(lead_created_sk(later, lead) > to);
        assert!(lead_score_gsi5sk(Some(90), at, lead) > lead_score_gsi5sk(Some(10), later, lead));
        assert!(lead_score_gsi5sk(Some(0), at, lead) > lead_score_gsi5sk(None, later, lead), "unscored last");
        assert_ne!(lead_status_gsi4pk(ws, "new"), lead_owner_gsi6pk(ws, None));
        assert_ne!(lead_gsi2pk(ws, lead), customer_gsi2pk(ws, CustomerId::generate()));
        assert!(!lead_gsi2pk(ws, lead).starts_with("CUSTOMER#"), "a lead's timeline is no customer's");
        assert_ne!(leads_gsi3pk(ws), queue_gsi3pk(ws, true));
        assert!(!lead_owner_gsi6pk(ws, None).starts_with("ASSIGNEE#"), "leads never mix with ticket queues");
        let record = RecordRef::Lead(lead);
        assert!(note_sk(record, NoteId::generate()).starts_with(&notes_prefix(record)));
        let other = RecordRef::Lead(LeadId::generate());
        assert!(!note_sk(record, NoteId::generate()).starts_with(&notes_prefix(other)));
        assert!(!notes_prefix(RecordRef::Customer(CustomerId::generate())).starts_with(CUSTOMER_PREFIX));
    }

    #[test]
    fn notification_keys_keep_each_member_apart() {
        let (a, b, event) = (UserId::generate(), UserId::generate(), EventId::generate());
        assert!(notification_sk(a, event).starts_with(&notifications_prefix(a)));
        assert!(!notification_sk(b, event).starts_with(&notifications_prefix(a)));
        for key in [unread_notification_sk(a, event), notification_count_sk(a), notification_preferences_sk(a)] {
            assert!(!key.starts_with(&notifications_prefix(a)), "{key} would be listed as a notification");
            assert!(!key.starts_with(EVENT_PREFIX) && !key.starts_with(USER_PREFIX));
        }
        assert!(unread_notification_sk(a, event).starts_with(&unread_notifications_prefix(a)));
    }
}
