//! Attachment records, kept in their ticket's item collection. The bytes live in S3; the storage-bytes
//! counter on the workspace item is raised, within the plan's limit, when an upload is confirmed.

use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Item, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::ids::{AttachmentId, TicketId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentStatus {
    /// Upload URL handed out; the bytes may not be there yet.
    Pending,
    /// The object was checked (size and type as announced) and counted against the plan.
    Uploaded,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub ticket_id: TicketId,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub object_key: String,
    pub status: AttachmentStatus,
    pub uploaded_by: UserId,
    pub created_at: Timestamp,
    pub uploaded_at: Option<Timestamp>,
}

#[derive(Debug)]
pub enum ConfirmError {
    /// Confirmed already (by a retry or a concurrent request).
    AlreadyConfirmed,
    StorageLimitReached {
        used: u64,
    },
    Store(StoreError),
}

impl Store {
    fn attachment_put(
        &self,
        scope: &TenantScope,
        attachment: &Attachment,
        condition: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(attachment)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::attachment_sk(attachment.ticket_id, attachment.id)));
        let put =
            Put::builder().table_name(&self.table).set_item(Some(item)).condition_expression(condition).build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Records a pending attachment of an existing ticket.
    pub async fn create_attachment(&self, scope: &TenantScope, attachment: &Attachment) -> Result<(), StoreError> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(attachment.ticket_id)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        self.transact(vec![
            TransactWriteItem::builder().condition_check(check).build(),
            self.attachment_put(scope, attachment, "attribute_not_exists(PK)")?,
        ])
        .await
    }

    pub async fn get_attachment(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        attachment: AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        self.get_record(scope.pk(), keys::attachment_sk(ticket, attachment)).await
    }

    /// Marks the attachment uploaded and counts its bytes, refusing to pass `storage_limit`.
    pub async fn confirm_attachment(
        &self,
        scope: &TenantScope,
        uploaded: &Attachment,
        storage_limit: Option<u64>,
        event: &Event,
    ) -> Result<(), ConfirmError> {
        let build = || -> Result<Vec<TransactWriteItem>, StoreError> {
            let mut usage = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::WORKSPACE_SK))
                .update_expression("ADD storage_bytes :size")
                .expression_attribute_values(":size", n(uploaded.size))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            if let Some(limit) = storage_limit {
                // used + size <= limit, written so that the sum cannot overflow
                usage = usage
                    .condition_expression("attribute_not_exists(storage_bytes) OR storage_bytes <= :room")
                    .expression_attribute_values(":room", n(limit.saturating_sub(uploaded.size)));
            }
            Ok(vec![
                TransactWriteItem::builder().update(usage.build()?).build(),
                self.attachment_put(scope, uploaded, "attribute_exists(PK) AND #status = :pending")?,
                self.put_event(scope, event)?,
            ])
        };
        let mut actions = build().map_err(ConfirmError::Store)?;
        // The attachment's condition names `status`, a reserved word.
        if let Some(put) = actions[1].put.as_mut() {
            put.expression_attribute_names = Some([("#status".to_owned(), "status".to_owned())].into_iter().collect());
            put.expression_attribute_values = Some([(":pending".to_owned(), s("pending"))].into_iter().collect());
        }
        if uploaded.size > storage_limit.unwrap_or(u64::MAX) {
            return Err(ConfirmError::StorageLimitReached { used: 0 });
        }
        match self.transact(actions).await {
            Ok(()) => Ok(()),
            Err(err) => {
                if let Some(reason) = err.cancelled_at(0) {
                    let used = super::counter_of(reason.item.as_ref(), "storage_bytes");
                    return Err(ConfirmError::StorageLimitReached { used });
                }
                if err.cancelled_at(1).is_some() {
                    return Err(ConfirmError::AlreadyConfirmed);
                }
                Err(ConfirmError::Store(err))
            }
        }
    }
}
