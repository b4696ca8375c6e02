//! Tickets, their messages, the inbox queues and the inbox counters.
//!
//! A ticket's item collection (`TICKET#<t>`, `TICKET#<t>#MSG#…`, `TICKET#<t>#EVENT#…`) is read with one
//! Query. Every change is one transaction: the ticket (conditional on its version), its message if any,
//! the counter deltas, and its events. The ticket item carries the keys of three sparse indexes: the
//! customer's tickets (GSI2), the workspace queue (GSI3) and the assignee queue (GSI4).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, QuerySpec, Store, StoreError, TenantScope, customers::Customer, events::Event, keys, n, s};
use crate::domain::{
    ids::{AttachmentId, CustomerId, MessageId, TicketId, UserId, WorkspaceId},
    inbox::{SlaRow, preview},
    ticket::{Author, Priority, Status},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Ticket {
    pub id: TicketId,
    pub workspace_id: WorkspaceId,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub channel: String,
    pub customer_id: CustomerId,
    pub assignee_id: Option<UserId>,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub solved_at: Option<Timestamp>,
    pub version: u64,
    /// Every status the ticket entered, oldest first (the first is its creation). The SLA clocks are
    /// derived from it; kept on the item so they need not read the ticket's whole collection.
    #[serde(default)]
    pub status_history: Vec<StatusChange>,
    /// Followers and CC, and the merges the ticket took part in.
    #[serde(default)]
    pub links: TicketLinks,
    /// The ticket's number in its workspace (#1042), taken from the workspace's counter in the creating
    /// transaction. None on tickets from before numbers.
    #[serde(default)]
    pub number: Option<u64>,
    /// What the ticket's inbox row shows, kept on the item by the writes that change it, so an inbox
    /// page is one Query.
    #[serde(default)]
    pub row: InboxRow,
    /// Where the nearest open SLA clock stands, for the inbox row: written with the SLA watch, in the
    /// same transaction (a top-level attribute, so that Update needs no document path). None without a
    /// policy.
    #[serde(default)]
    pub inbox_sla: Option<SlaRow>,
}

/// The inbox row's story, denormalised onto the ticket item (docs/data-model.md, "Inbox rows").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct InboxRow {
    /// The customer who asked: set at creation, moved by a customer merge.
    #[serde(default)]
    pub requester: Option<Requester>,
    /// One line of the latest public message (replies and the customer's words; not internal notes).
    #[serde(default)]
    pub preview: Option<String>,
    /// When the previewed message was written (a merge brings in older messages).
    #[serde(default)]
    pub preview_at: Option<Timestamp>,
    /// The assignee's display name, written with the assignment.
    #[serde(default)]
    pub assignee_name: Option<String>,
    /// The latest message (any, internal notes included) or change.
    #[serde(default)]
    pub last_activity_at: Option<Timestamp>,
    /// The latest message (internal notes included): what "unread" compares with.
    #[serde(default)]
    pub last_message_at: Option<Timestamp>,
    /// When each member last viewed the ticket (or wrote on it).
    #[serde(default)]
    pub seen: BTreeMap<UserId, Timestamp>,
}

impl InboxRow {
    /// Whether a message arrived after `member` last viewed the ticket.
    pub fn unread_by(&self, member: UserId) -> bool {
        match (self.last_message_at, self.seen.get(&member)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(message), Some(seen)) => message > *seen,
        }
    }

    /// A message on the ticket, written by `by_member` if a member wrote it (they have seen it).
    pub fn record_message(&mut self, message: &Message, by_member: Option<UserId>) {
        if !message.internal && self.preview_at.is_none_or(|at| at <= message.created_at) {
            self.preview = Some(preview(&message.body));
            self.preview_at = Some(message.created_at);
        }
        self.last_message_at = self.last_message_at.max(Some(message.created_at));
        self.last_activity_at = self.last_activity_at.max(Some(message.created_at));
        if let Some(member) = by_member {
            self.seen.insert(member, message.created_at);
        }
    }
}

/// Who asked, as the inbox row shows them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Requester {
    pub id: CustomerId,
    pub name: Option<String>,
    pub email: String,
}

impl From<&Customer> for Requester {
    fn from(customer: &Customer) -> Self {
        Self { id: customer.id, name: customer.name.clone(), email: customer.email.to_string() }
    }
}

/// Who else is kept informed of a ticket, and where a merged duplicate's conversation went.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TicketLinks {
    /// Members following the ticket.
    #[serde(default)]
    pub followers: Vec<UserId>,
    /// Addresses copied on replies to the customer.
    #[serde(default)]
    pub cc: Vec<crate::domain::email::Email>,
    /// Set on a duplicate: the ticket it was merged into.
    #[serde(default)]
    pub merged_into: Option<TicketId>,
    /// Set on a target: the duplicates merged into it, oldest merge first.
    #[serde(default)]
    pub merged_from: Vec<TicketId>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct StatusChange {
    pub at: Timestamp,
    pub status: Status,
}

impl Ticket {
    /// Records the current status in the history if it changed (call after setting `status`).
    pub fn record_status(&mut self, at: Timestamp) {
        if self.status_history.last().map(|change| change.status) != Some(self.status) {
            self.status_history.push(StatusChange { at, status: self.status });
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub ticket_id: TicketId,
    pub author: Author,
    /// the member for agent messages, the customer for customer messages
    pub author_id: String,
    pub body: String,
    pub internal: bool,
    pub created_at: Timestamp,
    /// Set on a message copied here from a duplicate merged into this ticket: that duplicate.
    #[serde(default)]
    pub merged_from: Option<TicketId>,
    /// Files of the ticket sent with this reply.
    #[serde(default)]
    pub attachment_ids: Vec<AttachmentId>,
}

/// A ticket's whole item collection.
pub struct TicketHistory {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub attachments: Vec<super::attachments::Attachment>,
    /// Its e-mail conversation: Message-IDs and the delivery states of replies sent by e-mail.
    pub mail: Vec<super::mail_thread::ThreadMail>,
    /// The SLA moments recorded so far and the ticket's radar position (see [`super::sla_watch`]).
    pub sla_watch: Option<super::sla_watch::SlaWatch>,
}

/// The customer a new ticket belongs to.
pub enum CustomerRef<'a> {
    Existing(CustomerId),
    /// Found by e-mail nowhere: created in the same transaction.
    New(&'a Customer),
}

pub struct NewTicket<'a> {
    pub ticket: &'a Ticket,
    pub first_message: &'a Message,
    pub customer: CustomerRef<'a>,
    /// The plan's monthly ticket limit (None = unlimited) and the month it counts against.
    pub monthly_limit: Option<u64>,
    pub month: String,
    /// The number the ticket takes, and the one the workspace's counter held when read (0: none yet).
    pub number: u64,
    pub events: &'a [Event],
    /// For a ticket opened by an inbound e-mail: its Message-ID and S3 object, marked in the same write.
    pub mail: Option<&'a super::email::MailMarks>,
}

#[derive(Debug)]
pub enum CreateTicketError {
    MonthlyLimitReached {
        used: u64,
    },
    /// The new customer's e-mail was taken meanwhile: look it up again and retry.
    CustomerEmailRace,
    CustomerNotFound,
    /// Another ticket took the number meanwhile: read the counter again and retry.
    NumberTaken,
    /// The inbound e-mail it opens from was handled already.
    MailDuplicate,
    /// The inbound e-mail's files would pass the plan's storage limit.
    MailStorageFull,
    Store(StoreError),
}

#[derive(Debug)]
pub enum TicketWriteError {
    VersionConflict,
    Store(StoreError),
}

/// Adding an inbound e-mail's message to a ticket.
#[derive(Debug)]
pub enum MailTicketWriteError {
    VersionConflict,
    /// The message was handled already (its Message-ID or S3 object is marked).
    Duplicate,
    /// Its files would pass the plan's storage limit.
    StorageFull,
    Store(StoreError),
}

impl From<StoreError> for MailTicketWriteError {
    fn from(err: StoreError) -> Self {
        MailTicketWriteError::Store(err)
    }
}

impl From<StoreError> for TicketWriteError {
    fn from(err: StoreError) -> Self {
        TicketWriteError::Store(err)
    }
}

/// Which index answers an inbox query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketIndex {
    /// All unresolved (true) or all solved/closed (false) tickets of the workspace; by last update, or
    /// by priority and then last update.
    Queue { unresolved: bool, by_priority: bool },
    /// One assignee's (None = nobody's) unresolved or done tickets, ordered as above.
    Assignee { assignee: Option<UserId>, unresolved: bool, by_priority: bool },
    /// One customer's tickets, newest first by creation.
    Customer(CustomerId),
}

impl TicketIndex {
    /// The index, its key condition and the condition's values.
    fn key_condition(self, ws: WorkspaceId) -> (&'static str, &'static str, Vec<(String, AttributeValue)>) {
        let pk = |pk: String| vec![(":pk".to_owned(), s(pk))];
        match self {
            TicketIndex::Queue { unresolved, by_priority: false } => {
                (keys::GSI3, "GSI3PK = :pk", pk(keys::queue_gsi3pk(ws, unresolved)))
            }
            TicketIndex::Queue { unresolved, by_priority: true } => {
                (keys::GSI5, "GSI5PK = :pk", pk(keys::queue_gsi3pk(ws, unresolved)))
            }
            TicketIndex::Assignee { assignee, unresolved, by_priority: false } => {
                (keys::GSI4, "GSI4PK = :pk", pk(keys::assignee_gsi4pk(ws, assignee, unresolved)))
            }
            TicketIndex::Assignee { assignee, unresolved, by_priority: true } => {
                (keys::GSI6, "GSI6PK = :pk", pk(keys::assignee_gsi4pk(ws, assignee, unresolved)))
            }
            TicketIndex::Customer(customer) => {
                let mut values = pk(keys::customer_gsi2pk(ws, customer));
                values.push((":prefix".to_owned(), s(keys::CUSTOMER_TICKETS_GSI2_PREFIX)));
                (keys::GSI2, "GSI2PK = :pk AND begins_with(GSI2SK, :prefix)", values)
            }
        }
    }
}

/// The filter expression that narrows an index's tickets, with its names and values.
#[derive(Debug, Default)]
struct Filter {
    conditions: Vec<&'static str>,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
}

impl Filter {
    fn of(filters: &TicketFilters) -> Self {
        let mut filter = Filter::default();
        if let Some(status) = filters.status {
            filter.conditions.push("#status = :status");
            filter.names.push(("#status".to_owned(), "status".to_owned()));
            filter.values.push((":status".to_owned(), s(status.as_str())));
        }
        if let Some(priority) = filters.priority {
            filter.condition("priority = :priority", ":priority", s(priority.as_str()));
        }
        if let Some(category) = &filters.category {
            filter.condition("category = :category", ":category", s(category));
        }
        if let Some(tag) = &filters.tag {
            filter.condition("contains(tags, :tag)", ":tag", s(tag));
        }
        if let Some(customer) = filters.customer {
            filter.condition("customer_id = :customer", ":customer", s(customer.to_string()));
        }
        match filters.assignee {
            Some(Some(user)) => filter.condition("assignee_id = :assignee", ":assignee", s(user.to_string())),
            Some(None) => filter.condition("attribute_type(assignee_id, :null_type)", ":null_type", s("NULL")),
            None => {}
        }
        filter
    }

    fn condition(&mut self, condition: &'static str, placeholder: &str, value: AttributeValue) {
        self.conditions.push(condition);
        self.values.push((placeholder.to_owned(), value));
    }
}

/// Narrowing applied on top of the index (as a filter on the index's partition only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilters {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub customer: Option<CustomerId>,
    pub assignee: Option<Option<UserId>>,
}

/// Exact inbox counts, read with one GetItem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxCounts {
    pub values: BTreeMap<String, i64>,
}

impl InboxCounts {
    pub fn get(&self, name: &str) -> i64 {
        self.values.get(name).copied().unwrap_or(0)
    }
}

pub fn mine_counter(user: UserId) -> String {
    format!("mine_{user}")
}

pub fn status_counter(status: Status) -> String {
    format!("status_{}", status.as_str())
}

/// What a ticket adds to the inbox counters.
fn contributions(ticket: &Ticket) -> Vec<(String, i64)> {
    let mut out = vec![(status_counter(ticket.status), 1)];
    if ticket.status.is_unresolved() {
        out.push(("open".to_owned(), 1));
        match ticket.assignee_id {
            None => out.push(("unassigned".to_owned(), 1)),
            Some(user) => out.push((mine_counter(user), 1)),
        }
    }
    out
}

/// Counter deltas between two states of a ticket (either may be absent).
pub fn counter_deltas(before: Option<&Ticket>, after: Option<&Ticket>) -> BTreeMap<String, i64> {
    let mut deltas = BTreeMap::new();
    for (name, value) in after.map(contributions).unwrap_or_default() {
        *deltas.entry(name).or_insert(0) += value;
    }
    for (name, value) in before.map(contributions).unwrap_or_default() {
        *deltas.entry(name).or_insert(0) -= value;
    }
    deltas.retain(|_, delta| *delta != 0);
    deltas
}

const TICKETS_LISTING: &str = "tickets";

impl Store {
    /// The ticket item as stored, with its index keys (also for bulk loads through [`Store::batch_put`]).
    pub fn ticket_item(&self, scope: &TenantScope, ticket: &Ticket) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(ticket)?;
        let ws = scope.workspace_id();
        let unresolved = ticket.status.is_unresolved();
        let queue_sk = keys::queue_sk(ticket.updated_at, ticket.id);
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::ticket_sk(ticket.id)));
        item.insert(keys::GSI2PK.to_owned(), s(keys::customer_gsi2pk(ws, ticket.customer_id)));
        item.insert(keys::GSI2SK.to_owned(), s(keys::customer_ticket_gsi2sk(ticket.created_at, ticket.id)));
        item.insert(keys::GSI3PK.to_owned(), s(keys::queue_gsi3pk(ws, unresolved)));
        item.insert(keys::GSI3SK.to_owned(), s(queue_sk.clone()));
        item.insert(keys::GSI4PK.to_owned(), s(keys::assignee_gsi4pk(ws, ticket.assignee_id, unresolved)));
        item.insert(keys::GSI4SK.to_owned(), s(queue_sk));
        let priority_sk = keys::priority_queue_sk(ticket.priority.rank(), ticket.updated_at, ticket.id);
        item.insert(keys::GSI5PK.to_owned(), s(keys::queue_gsi3pk(ws, unresolved)));
        item.insert(keys::GSI5SK.to_owned(), s(priority_sk.clone()));
        item.insert(keys::GSI6PK.to_owned(), s(keys::assignee_gsi4pk(ws, ticket.assignee_id, unresolved)));
        item.insert(keys::GSI6SK.to_owned(), s(priority_sk));
        Ok(item)
    }

    pub(super) fn message_put(&self, scope: &TenantScope, message: &Message) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(message)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::message_sk(message.ticket_id, message.id)));
        self.put_new(item)
    }

    /// `ADD` the deltas to the inbox counters item (created on first use).
    pub(super) fn counters_update(
        &self,
        scope: &TenantScope,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::INBOX_COUNTS_SK));
        let mut clauses = Vec::new();
        for (index, (name, delta)) in deltas.iter().enumerate() {
            clauses.push(format!("#c{index} :c{index}"));
            update = update
                .expression_attribute_names(format!("#c{index}"), name)
                .expression_attribute_values(format!(":c{index}"), n(delta));
        }
        let update = update.update_expression(format!("ADD {}", clauses.join(", "))).build()?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }

    /// Creates a ticket with its first message, its customer if new, the month's ticket count and the
    /// inbox counters, atomically.
    pub async fn create_ticket(&self, scope: &TenantScope, new: NewTicket<'_>) -> Result<(), CreateTicketError> {
        /// What a failed condition of the creation means.
        #[derive(Clone, Copy)]
        enum Refused {
            MonthlyLimit,
            CustomerGone,
            EmailTaken,
            NumberTaken,
            MailDuplicate,
            MailStorageFull,
        }
        let build = || -> Result<Transaction<Refused>, StoreError> {
            let mut usage = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::usage_sk(&new.month)))
                .update_expression("ADD tickets :one")
                .expression_attribute_values(":one", n(1))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            if let Some(limit) = new.monthly_limit {
                usage = usage
                    .condition_expression("attribute_not_exists(tickets) OR tickets < :limit")
                    .expression_attribute_values(":limit", n(limit));
            }
            let usage = usage.build().map_err(StoreError::from)?;
            let transaction = Transaction::new()
                .with_named(TransactWriteItem::builder().update(usage).build(), Refused::MonthlyLimit);
            let transaction = match new.customer {
                CustomerRef::Existing(customer) => {
                    transaction.with_named(self.customer_exists_check(scope, customer)?, Refused::CustomerGone)
                }
                CustomerRef::New(customer) => {
                    transaction.with_all_named(self.put_new_customer_actions(scope, customer)?, Refused::EmailTaken)
                }
            };
            let numbering = self.ticket_number_actions(scope, new.number, new.ticket.id)?;
            let mut transaction = transaction
                .with_all_named(numbering, Refused::NumberTaken)
                .with(self.put_new(self.ticket_item(scope, new.ticket)?)?)
                .with(self.message_put(scope, new.first_message)?)
                .with_all(self.counters_update(scope, &counter_deltas(None, Some(new.ticket)))?);
            if let Some(marks) = new.mail {
                transaction = transaction.with_all_named(self.mail_mark_puts(scope, marks)?, Refused::MailDuplicate);
                if let Some((storage, puts)) = self.mail_attachment_actions(scope, marks)? {
                    transaction = transaction.with_named(storage, Refused::MailStorageFull).with_all(puts);
                }
            }
            for event in new.events {
                transaction = transaction.with(self.put_event(scope, event)?);
            }
            Ok(transaction)
        };
        let transaction = build().map_err(CreateTicketError::Store)?;
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::MonthlyLimit, item }) => {
                Err(CreateTicketError::MonthlyLimitReached { used: super::counter_of(item.as_ref(), "tickets") })
            }
            Err(TransactionError::Failed { failure: Refused::CustomerGone, .. }) => {
                Err(CreateTicketError::CustomerNotFound)
            }
            Err(TransactionError::Failed { failure: Refused::EmailTaken, .. }) => {
                Err(CreateTicketError::CustomerEmailRace)
            }
            Err(TransactionError::Failed { failure: Refused::NumberTaken, .. }) => Err(CreateTicketError::NumberTaken),
            Err(TransactionError::Failed { failure: Refused::MailDuplicate, .. }) => {
                Err(CreateTicketError::MailDuplicate)
            }
            Err(TransactionError::Failed { failure: Refused::MailStorageFull, .. }) => {
                Err(CreateTicketError::MailStorageFull)
            }
            Err(TransactionError::Store(StoreError::Cancelled(reasons)))
                if reasons.iter().any(|reason| reason.code.as_deref() == Some("TransactionConflict")) =>
            {
                // Another creation held the counter at that moment: as good as the number being taken.
                Err(CreateTicketError::NumberTaken)
            }
            Err(TransactionError::Store(err)) => Err(CreateTicketError::Store(err)),
        }
    }

    /// The number the workspace's newest ticket took (0: none yet). Consistent.
    pub async fn last_ticket_number(&self, scope: &TenantScope) -> Result<u64, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::TICKET_NUMBERS_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(super::counter_of(output.item.as_ref(), "last"))
    }

    /// Taking number `number`: the counter moves from `number - 1` to it (so two creations never take
    /// one number, and none is skipped), and the number's guard names the ticket.
    fn ticket_number_actions(
        &self,
        scope: &TenantScope,
        number: u64,
        ticket: TicketId,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut counter = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::TICKET_NUMBERS_SK))
            .update_expression("SET #last = :number")
            .expression_attribute_names("#last", "last")
            .expression_attribute_values(":number", n(number));
        counter = if number <= 1 {
            counter.condition_expression("attribute_not_exists(#last)")
        } else {
            counter.condition_expression("#last = :seen").expression_attribute_values(":seen", n(number - 1))
        };
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::ticket_number_sk(number))),
            ("ticket_id".to_owned(), s(ticket.to_string())),
        ]
        .into();
        Ok(vec![TransactWriteItem::builder().update(counter.build()?).build(), self.put_new(guard)?])
    }

    /// The ticket that took `number` in the workspace, if any: the guard, then the ticket (two GetItems).
    pub async fn ticket_by_number(&self, scope: &TenantScope, number: u64) -> Result<Option<Ticket>, StoreError> {
        #[derive(Deserialize)]
        struct Guard {
            ticket_id: TicketId,
        }
        let guard: Option<Guard> = self.get_record(scope.pk(), keys::ticket_number_sk(number)).await?;
        match guard {
            Some(guard) => self.get_ticket(scope, guard.ticket_id).await,
            None => Ok(None),
        }
    }

    /// Records that `member` viewed the ticket at `at`. The ticket's version is left alone: a view is no
    /// change anyone could conflict with. False when there is no such ticket.
    pub async fn mark_ticket_seen(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        member: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let update = |expression: &str, condition: &str| {
            self.client
                .update_item()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::ticket_sk(ticket)))
                .update_expression(expression)
                .condition_expression(condition)
                .expression_attribute_names("#row", "row")
        };
        for _ in 0..2 {
            let mark = update("SET #row.#seen.#member = :at", "attribute_exists(#row.#seen)")
                .expression_attribute_names("#seen", "seen")
                .expression_attribute_names("#member", member.to_string())
                .expression_attribute_values(":at", s(at.to_string()))
                .send()
                .await;
            if super::applied(mark)?.is_some() {
                return Ok(true);
            }
            // A ticket written before inbox rows existed has no row to mark yet: give it one.
            let row = InboxRow { seen: [(member, at)].into(), ..InboxRow::default() };
            let first = update("SET #row = :row", "attribute_exists(PK) AND attribute_not_exists(#row)")
                .expression_attribute_values(":row", AttributeValue::M(serde_dynamo::to_item(&row)?))
                .send()
                .await;
            if super::applied(first)?.is_some() {
                return Ok(true);
            }
            if self.get_ticket(scope, ticket).await?.is_none() {
                return Ok(false);
            }
            // Someone gave it a row meanwhile: mark that one.
        }
        // Every row this code writes holds a `seen` map, so only a damaged item gets here.
        Err(StoreError::Corrupt(format!("ticket {ticket} has an inbox row without seen marks")))
    }

    /// Shows the customer's current name and e-mail on a ticket's inbox row, if the ticket still
    /// belongs to that customer and has a row. A display refresh after a rename, not a change of the
    /// ticket: no version bump (an agent's edit in flight is not turned into a conflict) and no event.
    /// Ok(false) when the condition left the ticket as it was.
    pub async fn refresh_row_requester(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        requester: &Requester,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(ticket)))
            .update_expression("SET #row.#requester = :requester")
            .condition_expression("customer_id = :customer AND attribute_exists(#row)")
            .expression_attribute_names("#row", "row")
            .expression_attribute_names("#requester", "requester")
            .expression_attribute_values(":requester", AttributeValue::M(serde_dynamo::to_item(requester)?))
            .expression_attribute_values(":customer", s(requester.id.to_string()))
            .send()
            .await;
        Ok(super::applied(result)?.is_some())
    }

    /// Shows the assignee's current name on a ticket's inbox row, if `member` is still its assignee (the
    /// same kind of display refresh as [`Store::refresh_row_requester`]).
    pub async fn refresh_row_assignee_name(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        member: UserId,
        name: &str,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(ticket)))
            .update_expression("SET #row.#name = :name")
            .condition_expression("assignee_id = :member AND attribute_exists(#row)")
            .expression_attribute_names("#row", "row")
            .expression_attribute_names("#name", "assignee_name")
            .expression_attribute_values(":name", s(name.to_owned()))
            .expression_attribute_values(":member", s(member.to_string()))
            .send()
            .await;
        Ok(super::applied(result)?.is_some())
    }

    /// The ticket and its SLA watch: one BatchGetItem (consistent), retried for unprocessed keys.
    pub async fn ticket_and_watch(
        &self,
        scope: &TenantScope,
        id: TicketId,
    ) -> Result<(Option<Ticket>, Option<super::sla_watch::SlaWatch>), StoreError> {
        let key = |sk: String| -> Item { [(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(sk))].into() };
        let (ticket_sk, watch_sk) = (keys::ticket_sk(id), keys::sla_watch_sk(id));
        let (mut ticket, mut watch) = (None, None);
        for item in self.batch_get(vec![key(ticket_sk.clone()), key(watch_sk)]).await? {
            if super::string_attr(&item, keys::SK).as_deref() == Some(ticket_sk.as_str()) {
                ticket = Some(serde_dynamo::from_item(item)?);
            } else {
                watch = Some(serde_dynamo::from_item(item)?);
            }
        }
        Ok((ticket, watch))
    }

    pub async fn get_ticket(&self, scope: &TenantScope, id: TicketId) -> Result<Option<Ticket>, StoreError> {
        self.get_record(scope.pk(), keys::ticket_sk(id)).await
    }

    /// The ticket with its messages and events, oldest first: one Query of its item collection
    /// (more round trips only past DynamoDB's 1 MB page).
    pub async fn ticket_with_history(
        &self,
        scope: &TenantScope,
        id: TicketId,
    ) -> Result<Option<TicketHistory>, StoreError> {
        let ticket_key = keys::ticket_sk(id);
        let (mut ticket, mut messages, mut events, mut attachments) = (None, Vec::new(), Vec::new(), Vec::new());
        let mut mail = Vec::new();
        let (watch_key, mut sla_watch) = (keys::sla_watch_sk(id), None);
        let query = QuerySpec::under_prefix(scope, &ticket_key).consistent();
        for item in self.query_all(&query).await? {
            let sk = item.get(keys::SK).and_then(|value| value.as_s().ok()).cloned().unwrap_or_default();
            if sk == ticket_key {
                ticket = Some(serde_dynamo::from_item(item)?);
            } else if sk.contains("#MSG#") {
                messages.push(serde_dynamo::from_item(item)?);
            } else if sk.contains("#EVENT#") {
                events.push(serde_dynamo::from_item(item)?);
            } else if sk.contains("#ATT#") {
                attachments.push(serde_dynamo::from_item(item)?);
            } else if sk.contains("#MAIL#") {
                mail.push(serde_dynamo::from_item(item)?);
            } else if sk == watch_key {
                sla_watch = Some(serde_dynamo::from_item(item)?);
            }
        }
        Ok(ticket.map(|ticket| TicketHistory { ticket, messages, events, attachments, mail, sla_watch }))
    }

    /// Writes `after` over `before` if nobody changed the ticket meanwhile, with an optional new
    /// message, the counter deltas and the events.
    pub async fn save_ticket(
        &self,
        scope: &TenantScope,
        before: &Ticket,
        after: &Ticket,
        message: Option<&Message>,
        events: &[Event],
    ) -> Result<(), TicketWriteError> {
        let transaction = self.ticket_save_transaction(scope, before, after, message, events)?;
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// [`Store::save_ticket`] with an inbound e-mail's marks in the same write.
    pub async fn save_ticket_from_mail(
        &self,
        scope: &TenantScope,
        before: &Ticket,
        after: &Ticket,
        message: &Message,
        events: &[Event],
        marks: &super::email::MailMarks,
    ) -> Result<(), MailTicketWriteError> {
        let into_mail_error = |err: TicketWriteError| match err {
            TicketWriteError::VersionConflict => MailTicketWriteError::VersionConflict,
            TicketWriteError::Store(err) => MailTicketWriteError::Store(err),
        };
        let mut transaction = self
            .ticket_save_transaction(scope, before, after, Some(message), events)
            .map_err(into_mail_error)?
            .map_failures(into_mail_error);
        for mark in self.mail_mark_puts(scope, marks)? {
            transaction = transaction.with_named(mark, MailTicketWriteError::Duplicate);
        }
        if let Some((storage, puts)) = self.mail_attachment_actions(scope, marks)? {
            transaction = transaction.with_named(storage, MailTicketWriteError::StorageFull).with_all(puts);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    fn ticket_save_transaction(
        &self,
        scope: &TenantScope,
        before: &Ticket,
        after: &Ticket,
        message: Option<&Message>,
        events: &[Event],
    ) -> Result<Transaction<TicketWriteError>, TicketWriteError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.ticket_item(scope, after)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), TicketWriteError::VersionConflict);
        if let Some(message) = message {
            transaction = transaction.with(self.message_put(scope, message)?);
        }
        transaction = transaction.with_all(self.counters_update(scope, &counter_deltas(Some(before), Some(after)))?);
        for event in events {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        Ok(transaction)
    }

    pub async fn inbox_counts(&self, scope: &TenantScope) -> Result<InboxCounts, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::INBOX_COUNTS_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        let values = output
            .item
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(name, value)| match value {
                AttributeValue::N(number) => number.parse().ok().map(|number| (name, number)),
                _ => None,
            })
            .collect();
        Ok(InboxCounts { values })
    }

    /// The Query of `index`'s partition narrowed by `filters`, newest first: what an inbox page reads
    /// and what a saved view's count counts.
    pub(crate) fn tickets_query(&self, scope: &TenantScope, index: TicketIndex, filters: &TicketFilters) -> QuerySpec {
        let (index_name, key_condition, mut values) = index.key_condition(scope.workspace_id());
        let Filter { conditions, names, values: filter_values } = Filter::of(filters);
        values.extend(filter_values);
        let mut query = QuerySpec::new(key_condition).on_index(index_name).newest_first(true);
        for (name, value) in values {
            query = query.value(&name, value);
        }
        for (placeholder, name) in &names {
            query = query.name(placeholder, name);
        }
        if !conditions.is_empty() {
            query = query.filter(conditions.join(" AND "));
        }
        query
    }

    /// One page of tickets from `index`, newest first, narrowed by `filters`. Filters read only the
    /// index's partition; a page keeps querying (bounded) until it is full or the partition ends.
    pub async fn query_tickets(
        &self,
        scope: &TenantScope,
        index: TicketIndex,
        filters: &TicketFilters,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Ticket>, StoreError> {
        const MAX_ROUND_TRIPS: usize = 8;
        let ws = scope.workspace_id();
        let listing = format!("{TICKETS_LISTING}:{index:?}:{filters:?}");
        let owner = ws.to_string();
        let start = cursor.map(|cursor| self.cursors.decode(&listing, &owner, cursor)).transpose()?;
        let query = self.tickets_query(scope, index, filters);
        let wanted = usize::try_from(limit).unwrap_or(0);
        let (items, start) = self.query_up_to(&query, start, wanted, MAX_ROUND_TRIPS).await?;
        let next_cursor = start.map(|key| self.cursors.encode(&listing, &owner, &key));
        Ok(Page { items: super::items_of(&items)?, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(status: Status, assignee: Option<UserId>) -> Ticket {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        Ticket {
            id: TicketId::generate(),
            workspace_id: WorkspaceId::generate(),
            subject: "s".into(),
            status,
            priority: Priority::Normal,
            category: None,
            subcategory: None,
            tags: vec![],
            channel: "api".into(),
            customer_id: CustomerId::generate(),
            assignee_id: assignee,
            created_by: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            solved_at: None,
            version: 1,
            status_history: vec![],
            links: TicketLinks::default(),
            number: None,
            row: InboxRow::default(),
            inbox_sla: None,
        }
    }

    #[test]
    fn the_status_history_records_each_change_once() {
        let mut ticket = ticket(Status::New, None);
        let at = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
        ticket.record_status(at(0));
        ticket.record_status(at(1));
        ticket.status = Status::Pending;
        ticket.record_status(at(2));
        ticket.status = Status::Open;
        ticket.record_status(at(3));
        let statuses: Vec<(Timestamp, Status)> = ticket.status_history.iter().map(|c| (c.at, c.status)).collect();
        assert_eq!(statuses, [(at(0), Status::New), (at(2), Status::Pending), (at(3), Status::Open)]);
    }

    #[test]
    fn a_new_ticket_counts_as_open_unassigned_and_new() {
        let deltas = counter_deltas(None, Some(&ticket(Status::New, None)));
        assert_eq!(deltas.get("open"), Some(&1));
        assert_eq!(deltas.get("unassigned"), Some(&1));
        assert_eq!(deltas.get("status_new"), Some(&1));
    }

    #[test]
    fn assigning_moves_a_ticket_from_unassigned_to_mine() {
        let user = UserId::generate();
        let before = ticket(Status::New, None);
        let after = Ticket { status: Status::Open, assignee_id: Some(user), ..before.clone() };
        let deltas = counter_deltas(Some(&before), Some(&after));
        assert_eq!(deltas.get("unassigned"), Some(&-1));
        assert_eq!(deltas.get(&mine_counter(user)), Some(&1));
        assert_eq!(deltas.get("status_new"), Some(&-1));
        assert_eq!(deltas.get("status_open"), Some(&1));
        assert_eq!(deltas.get("open"), None, "still open");
    }

    #[test]
    fn solving_leaves_the_open_views() {
        let user = UserId::generate();
        let before = ticket(Status::Open, Some(user));
        let after = Ticket { status: Status::Solved, ..before.clone() };
        let deltas = counter_deltas(Some(&before), Some(&after));
        assert_eq!(deltas.get("open"), Some(&-1));
        assert_eq!(deltas.get(&mine_counter(user)), Some(&-1));
        assert_eq!(deltas.get("status_solved"), Some(&1));
    }

    #[test]
    fn an_unchanged_ticket_changes_no_counter() {
        let t = ticket(Status::Pending, None);
        assert!(counter_deltas(Some(&t), Some(&t)).is_empty());
    }
}
