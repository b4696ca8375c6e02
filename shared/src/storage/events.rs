//! The outbox: every state change writes an immutable event item in the same transaction as the change.
//! The event log is the timeline and the audit trail; later consumers (live updates, webhooks, reports)
//! read it from the table's stream.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Item, Store, StoreError, TenantScope, keys, s};
use crate::domain::ids::{EventId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: EventId,
    /// e.g. "workspace.created", "user.updated"
    #[serde(rename = "type")]
    pub kind: String,
    /// the member who caused it; None for the system or platform staff
    pub actor: Option<UserId>,
    /// what it is about, e.g. "user/<id>"
    pub subject: String,
    pub at: Timestamp,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Event {
    pub fn new(kind: &str, actor: Option<UserId>, subject: String, at: Timestamp) -> Self {
        Self { id: EventId::generate(), kind: kind.to_owned(), actor, subject, at, before: None, after: None }
    }

    pub fn with_change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

impl Store {
    /// The transaction action that appends `event` to the workspace's log. Never overwrites.
    pub(crate) fn put_event(&self, scope: &TenantScope, event: &Event) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(event)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::event_sk(event.id)));
        item.insert("workspace_id".to_owned(), s(scope.workspace_id().to_string()));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|err| StoreError::Backend(err.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The workspace's events, newest first (the activity log reads this).
    pub async fn recent_events(&self, scope: &TenantScope, limit: i32) -> Result<Vec<Event>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(scope.pk()))
            .expression_attribute_values(":prefix", s(keys::EVENT_PREFIX))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(super::backend)?;
        output.items().iter().map(|item| serde_dynamo::from_item(item.clone()).map_err(StoreError::from)).collect()
    }
}
