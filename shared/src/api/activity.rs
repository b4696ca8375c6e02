//! The event log as members read it: a ticket's timeline, a customer's, the workspace's activity.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::ids::{CustomerId, DealId, EventId, TicketId, UserId};
use crate::storage::events::Event;

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: EventId,
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
    pub ticket_id: Option<TicketId>,
    pub customer_id: Option<CustomerId>,
    /// The deal it belongs to, for deal and stage events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_id: Option<DealId>,
}

impl From<&Event> for EventView {
    fn from(event: &Event) -> Self {
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
            deal_id: event.deal_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<EventView>,
    pub next_cursor: Option<String>,
}
