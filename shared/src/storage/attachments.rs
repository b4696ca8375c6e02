//! Attachment records, kept in their ticket's item collection. The bytes live in S3; the storage-bytes
//! counter on the workspace item is raised, within the plan's limit, when an upload is confirmed.

use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::transaction::{Transaction, TransactionError};
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
pub enum CreateAttachmentError {
    /// The ticket does not exist in this workspace.
    NoTicket,
    Store(StoreError),
}

impl From<StoreError> for CreateAttachmentError {
    fn from(err: StoreError) -> Self {
        CreateAttachmentError::Store(err)
    }
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
    pub async fn create_attachment(
        &self,
        scope: &TenantScope,
        attachment: &Attachment,
    ) -> Result<(), CreateAttachmentError> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(attachment.ticket_id)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().condition_check(check).build(), CreateAttachmentError::NoTicket)
            .with(self.attachment_put(scope, attachment, "attribute_not_exists(PK)")?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
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
        /// What a failed condition of the confirmation means.
        enum Refused {
            StorageLimit,
            AlreadyConfirmed,
        }
        let build = || -> Result<Transaction<Refused>, StoreError> {
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
            let mut confirm = self.attachment_put(scope, uploaded, "attribute_exists(PK) AND #status = :pending")?;
            // The attachment's condition names `status`, a reserved word.
            if let Some(put) = confirm.put.as_mut() {
                put.expression_attribute_names =
                    Some([("#status".to_owned(), "status".to_owned())].into_iter().collect());
                put.expression_attribute_values = Some([(":pending".to_owned(), s("pending"))].into_iter().collect());
            }
            Ok(Transaction::new()
                .with_named(
                    TransactWriteItem::builder().update(usage.build().map_err(StoreError::from)?).build(),
                    Refused::StorageLimit,
                )
                .with_named(confirm, Refused::AlreadyConfirmed)
                .with(self.put_event(scope, event)?))
        };
        let transaction = build().map_err(ConfirmError::Store)?;
        if uploaded.size > storage_limit.unwrap_or(u64::MAX) {
            return Err(ConfirmError::StorageLimitReached { used: 0 });
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::StorageLimit, item }) => {
                Err(ConfirmError::StorageLimitReached { used: super::counter_of(item.as_ref(), "storage_bytes") })
            }
            Err(TransactionError::Failed { failure: Refused::AlreadyConfirmed, .. }) => {
                Err(ConfirmError::AlreadyConfirmed)
            }
            Err(TransactionError::Store(err)) => Err(ConfirmError::Store(err)),
        }
    }
}
