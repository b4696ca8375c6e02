//! The outbox: every state change writes an immutable event item in the same transaction as the change.
//! The event log is the timeline and the audit trail; later consumers (live updates, webhooks, reports)
//! read it from the table's stream.
//!
//! One item per event, reachable three ways: in its ticket's item collection (`TICKET#<t>#EVENT#<e>`)
//! or under `EVENT#<e>`; in the workspace activity log (GSI1); in its customer's timeline (GSI2).

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Item, Page, Store, StoreError, TenantScope, keys, s};
use crate::domain::ids::{CustomerId, EventId, TicketId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: EventId,
    /// e.g. "workspace.created", "user.updated", "ticket.assigned"
    #[serde(rename = "type")]
    pub kind: String,
    /// the member who caused it; None for the system or platform staff
    pub actor: Option<UserId>,
    /// what it is about, e.g. "user/<id>"
    pub subject: String,
    pub at: Timestamp,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// the ticket it belongs to, which places it in the ticket's timeline
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    /// the customer it concerns, which places it in the customer's timeline
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// about an internal note: never shown where a customer could see it
    #[serde(default)]
    pub internal: bool,
}

impl Event {
    pub fn new(kind: &str, actor: Option<UserId>, subject: String, at: Timestamp) -> Self {
        Self {
            id: EventId::generate(),
            kind: kind.to_owned(),
            actor,
            subject,
            at,
            before: None,
            after: None,
            ticket_id: None,
            customer_id: None,
            internal: false,
        }
    }

    pub fn with_change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    pub fn about_ticket(mut self, ticket: TicketId, customer: CustomerId) -> Self {
        self.ticket_id = Some(ticket);
        self.customer_id = Some(customer);
        self
    }

    pub fn about_customer(mut self, customer: CustomerId) -> Self {
        self.customer_id = Some(customer);
        self
    }

    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }
}

const ACTIVITY_LISTING: &str = "activity";
const TIMELINE_LISTING: &str = "customer-timeline";

impl Store {
    /// The transaction action that appends `event` to the log. Never overwrites.
    pub(crate) fn put_event(&self, scope: &TenantScope, event: &Event) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(event)?;
        let sk = match event.ticket_id {
            Some(ticket) => keys::ticket_event_sk(ticket, event.id),
            None => keys::event_sk(event.id),
        };
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(sk));
        item.insert("workspace_id".to_owned(), s(scope.workspace_id().to_string()));
        item.insert(keys::GSI1PK.to_owned(), s(keys::activity_gsi1pk(scope.workspace_id())));
        item.insert(keys::GSI1SK.to_owned(), s(keys::activity_gsi1sk(event.id)));
        if let Some(customer) = event.customer_id {
            item.insert(keys::GSI2PK.to_owned(), s(keys::customer_gsi2pk(scope.workspace_id(), customer)));
            item.insert(keys::GSI2SK.to_owned(), s(keys::customer_event_gsi2sk(event.id)));
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|err| StoreError::Backend(err.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The workspace activity log, newest first.
    pub async fn activity(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let owner = scope.workspace_id().to_string();
        let start = cursor.map(|cursor| self.cursors.decode(ACTIVITY_LISTING, &owner, cursor)).transpose()?;
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("GSI1PK = :pk")
            .expression_attribute_values(":pk", s(keys::activity_gsi1pk(scope.workspace_id())))
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .map_err(super::backend)?;
        let items = super::items_of(output.items())?;
        let next_cursor = output.last_evaluated_key().map(|key| self.cursors.encode(ACTIVITY_LISTING, &owner, key));
        Ok(Page { items, next_cursor })
    }

    /// A customer's timeline: events about them and their tickets, newest first.
    pub async fn customer_timeline(
        &self,
        scope: &TenantScope,
        customer: CustomerId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let owner = format!("{}/{customer}", scope.workspace_id());
        let start = cursor.map(|cursor| self.cursors.decode(TIMELINE_LISTING, &owner, cursor)).transpose()?;
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI2)
            .key_condition_expression("GSI2PK = :pk AND begins_with(GSI2SK, :prefix)")
            .expression_attribute_values(":pk", s(keys::customer_gsi2pk(scope.workspace_id(), customer)))
            .expression_attribute_values(":prefix", s(keys::CUSTOMER_EVENTS_GSI2_PREFIX))
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .map_err(super::backend)?;
        let items = super::items_of(output.items())?;
        let next_cursor = output.last_evaluated_key().map(|key| self.cursors.encode(TIMELINE_LISTING, &owner, key));
        Ok(Page { items, next_cursor })
    }
}
