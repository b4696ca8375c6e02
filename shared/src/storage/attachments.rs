//! Attachment records. A confirmed attachment sits in its ticket's item collection (the ticket's read
//! shows it); an announced one waits outside it, under `UPLOAD#<ticket>#`, counted per ticket so a
//! ticket holds a bounded number of announcements. The bytes live in S3; the storage-bytes counter on
//! the workspace item is raised, within the plan's limit, when an upload is announced (the bytes are
//! reserved, so announcing many files cannot pass the limit), and lowered when an announcement lapses.

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
    /// None for a file that came with a customer's e-mail.
    pub uploaded_by: Option<UserId>,
    pub created_at: Timestamp,
    pub uploaded_at: Option<Timestamp>,
    /// The S3 version that was checked at confirmation; downloads are pinned to it.
    #[serde(default)]
    pub version_id: Option<String>,
    /// Its bytes were counted when it was announced (false on announcements older than reservations:
    /// those are counted at confirmation).
    #[serde(default)]
    pub reserved: bool,
}

#[derive(Debug)]
pub enum CreateAttachmentError {
    /// The ticket does not exist in this workspace.
    NoTicket,
    /// The ticket already has the most announced, unconfirmed uploads it may hold.
    TooManyPending,
    /// Reserving the file's bytes would pass the plan's storage limit; `used` is what is counted.
    StorageLimitReached {
        used: u64,
    },
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
    pub(super) fn attachment_put(
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

    /// Moves the workspace's storage counter by `delta` bytes; raising it is refused past `limit`.
    pub(super) fn storage_update(
        &self,
        scope: &TenantScope,
        delta: i64,
        limit: Option<u64>,
    ) -> Result<Update, StoreError> {
        let mut usage = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("ADD storage_bytes :delta")
            .expression_attribute_values(":delta", n(delta))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(limit) = limit {
            // used + delta <= limit, written so that the sum cannot overflow
            let room = limit.saturating_sub(u64::try_from(delta).unwrap_or(0));
            usage = usage
                .condition_expression("attribute_not_exists(storage_bytes) OR storage_bytes <= :room")
                .expression_attribute_values(":room", n(room));
        }
        Ok(usage.build()?)
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

    /// Records a pending attachment of an existing ticket, if the ticket has fewer than `max_pending`,
    /// and reserves its bytes within `storage_limit` (the record says it did: `reserved`).
    pub async fn create_attachment(
        &self,
        scope: &TenantScope,
        attachment: &Attachment,
        max_pending: u32,
        storage_limit: Option<u64>,
    ) -> Result<(), CreateAttachmentError> {
        if attachment.size > storage_limit.unwrap_or(u64::MAX) {
            return Err(CreateAttachmentError::StorageLimitReached { used: 0 });
        }
        let attachment = &Attachment { reserved: true, ..attachment.clone() };
        let size = i64::try_from(attachment.size).unwrap_or(i64::MAX);
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::ticket_sk(attachment.ticket_id)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(StoreError::from)?;
        let sk = keys::pending_upload_sk(attachment.ticket_id, attachment.id);
        /// What a failed condition of the announcement means.
        enum Refused {
            NoTicket,
            TooManyPending,
            StorageLimit,
        }
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().condition_check(check).build(), Refused::NoTicket)
            .with_named(
                self.pending_count_update(scope, attachment.ticket_id, 1, Some(max_pending))?,
                Refused::TooManyPending,
            )
            .with_named(
                TransactWriteItem::builder().update(self.storage_update(scope, size, storage_limit)?).build(),
                Refused::StorageLimit,
            )
            .with(self.attachment_put(scope, attachment, sk, "attribute_not_exists(PK)")?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::NoTicket, .. }) => Err(CreateAttachmentError::NoTicket),
            Err(TransactionError::Failed { failure: Refused::TooManyPending, .. }) => {
                Err(CreateAttachmentError::TooManyPending)
            }
            Err(TransactionError::Failed { failure: Refused::StorageLimit, item }) => {
                Err(CreateAttachmentError::StorageLimitReached {
                    used: super::counter_of(item.as_ref(), "storage_bytes"),
                })
            }
            Err(TransactionError::Store(err)) => Err(CreateAttachmentError::Store(err)),
        }
    }

    /// Announced uploads of any ticket of the workspace, at most `limit` (for giving back what lapsed
    /// when the storage limit is reached).
    pub async fn pending_attachments_of_workspace(
        &self,
        scope: &TenantScope,
        limit: usize,
    ) -> Result<Vec<Attachment>, StoreError> {
        let spec = super::query::QuerySpec::under_prefix(scope, keys::PENDING_UPLOAD_PREFIX);
        let (items, _) = self.query_up_to(&spec, None, limit, 4).await?;
        super::items_of(&items)
    }

    /// The ticket's announced uploads not confirmed yet (at most the bound's worth).
    pub async fn pending_attachments(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
    ) -> Result<Vec<Attachment>, StoreError> {
        self.query_prefix(scope, &keys::pending_uploads_prefix(ticket)).await
    }

    /// Forgets an announcement that was never confirmed, freeing its place in the ticket's bound and
    /// the bytes it reserved. False when it is gone already (confirmed or lapsed meanwhile).
    pub async fn lapse_attachment(&self, scope: &TenantScope, pending: &Attachment) -> Result<bool, StoreError> {
        let mut transaction = Transaction::new()
            .with_named(self.pending_delete(scope, pending)?, ())
            .with(self.pending_count_update(scope, pending.ticket_id, -1, None)?);
        if pending.reserved {
            let size = i64::try_from(pending.size).unwrap_or(i64::MAX);
            transaction =
                transaction.with(TransactWriteItem::builder().update(self.storage_update(scope, -size, None)?).build());
        }
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

    /// Marks the attachment uploaded (moving it from the announcements into the ticket); counts its
    /// bytes, refusing to pass `storage_limit`, unless the announcement reserved them already.
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
            let sk = keys::attachment_sk(uploaded.ticket_id, uploaded.id);
            let mut transaction = Transaction::new();
            if !uploaded.reserved {
                let size = i64::try_from(uploaded.size).unwrap_or(i64::MAX);
                transaction = transaction.with_named(
                    TransactWriteItem::builder().update(self.storage_update(scope, size, storage_limit)?).build(),
                    Refused::StorageLimit,
                );
            }
            Ok(transaction
                .with_named(self.pending_delete(scope, uploaded)?, Refused::AlreadyConfirmed)
                .with(self.pending_count_update(scope, uploaded.ticket_id, -1, None)?)
                .with_named(
                    self.attachment_put(scope, uploaded, sk, "attribute_not_exists(PK)")?,
                    Refused::AlreadyConfirmed,
                )
                .with(self.put_event(scope, event)?))
        };
        let transaction = build().map_err(ConfirmError::Store)?;
        if !uploaded.reserved && uploaded.size > storage_limit.unwrap_or(u64::MAX) {
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
