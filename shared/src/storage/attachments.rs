//! Attachment records. A confirmed attachment sits in its ticket's item collection (the ticket's read
//! shows it); an announced one waits outside it, under `UPLOAD#<ticket>#`, counted per ticket so a
//! ticket holds a bounded number of announcements. The bytes live in S3; the storage-bytes counter on
//! the workspace item is raised, within the plan's limit, when an upload is confirmed.

use aws_sdk_dynamodb::types::{Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
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
    /// The ticket already has the most announced, unconfirmed uploads it may hold.
    TooManyPending,
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
        sk: String,
        condition: &str,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(attachment)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(sk));
        let put =
            Put::builder().table_name(&self.table).set_item(Some(item)).condition_expression(condition).build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Moves the ticket's count of pending uploads by `delta`; raising it is refused at `max`.
    fn pending_count_update(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        delta: i64,
        max: Option<u32>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::pending_upload_count_sk(ticket)))
            .update_expression("ADD pending :delta")
            .expression_attribute_values(":delta", n(delta));
        if let Some(max) = max {
            update = update
                .condition_expression("attribute_not_exists(pending) OR pending < :max")
                .expression_attribute_values(":max", n(max));
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    fn pending_delete(&self, scope: &TenantScope, attachment: &Attachment) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::pending_upload_sk(attachment.ticket_id, attachment.id)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Records a pending attachment of an existing ticket, if the ticket has fewer than `max_pending`.
    pub async fn create_attachment(
        &self,
        scope: &TenantScope,
        attachment: &Attachment,
        max_pending: u32,
    ) -> Result<(), CreateAttachmentError> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(attachment.ticket_id)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(StoreError::from)?;
        let sk = keys::pending_upload_sk(attachment.ticket_id, attachment.id);
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().condition_check(check).build(), CreateAttachmentError::NoTicket)
            .with_named(
                self.pending_count_update(scope, attachment.ticket_id, 1, Some(max_pending))?,
                CreateAttachmentError::TooManyPending,
            )
            .with(self.attachment_put(scope, attachment, sk, "attribute_not_exists(PK)")?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The ticket's announced uploads not confirmed yet (at most the bound's worth).
    pub async fn pending_attachments(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
    ) -> Result<Vec<Attachment>, StoreError> {
        self.query_prefix(scope, &keys::pending_uploads_prefix(ticket)).await
    }

    /// Forgets an announcement that was never confirmed, freeing its place in the ticket's bound.
    /// False when it is gone already (confirmed or lapsed meanwhile).
    pub async fn lapse_attachment(&self, scope: &TenantScope, pending: &Attachment) -> Result<bool, StoreError> {
        let transaction = Transaction::new()
            .with_named(self.pending_delete(scope, pending)?, ())
            .with(self.pending_count_update(scope, pending.ticket_id, -1, None)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// The attachment, confirmed or pending.
    pub async fn get_attachment(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        attachment: AttachmentId,
    ) -> Result<Option<Attachment>, StoreError> {
        let key = |sk: String| -> Item { [(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(sk))].into() };
        let found = self
            .batch_get(vec![
                key(keys::attachment_sk(ticket, attachment)),
                key(keys::pending_upload_sk(ticket, attachment)),
            ])
            .await?;
        let mut records: Vec<Attachment> = super::items_of(&found)?;
        // Confirmed wins: between the two writes of a confirmation only one exists, never both.
        records.sort_by_key(|record| record.status != AttachmentStatus::Uploaded);
        Ok(records.into_iter().next())
    }

    /// Marks the attachment uploaded (moving it from the announcements into the ticket) and counts its
    /// bytes, refusing to pass `storage_limit`.
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
            let sk = keys::attachment_sk(uploaded.ticket_id, uploaded.id);
            Ok(Transaction::new()
                .with_named(
                    TransactWriteItem::builder().update(usage.build().map_err(StoreError::from)?).build(),
                    Refused::StorageLimit,
                )
                .with_named(self.pending_delete(scope, uploaded)?, Refused::AlreadyConfirmed)
                .with(self.pending_count_update(scope, uploaded.ticket_id, -1, None)?)
                .with_named(
                    self.attachment_put(scope, uploaded, sk, "attribute_not_exists(PK)")?,
                    Refused::AlreadyConfirmed,
                )
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
