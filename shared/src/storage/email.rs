//! The e-mail channel's items: the workspace's e-mail settings (`SETTINGS#EMAIL`), the global receiving
//! addresses (`MAILBOX#<address>`), the Message-ID and S3 object marks that thread and de-duplicate
//! inbound mail (`MAILID#`, `MAILOBJ#`), and the rejected-mail log (`MAILREJ#`).

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::attachments::Attachment;
use super::mail_thread::{Direction, ThreadMail};
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{
    email::{Email, RejectionReason},
    ids::{InboundMailId, MessageId, TicketId, UserId, WorkspaceId},
    mail_template::CustomerNotifications,
};

const REJECTED_LISTING: &str = "rejected-mail";

/// An address mail for the workspace arrives at, and the category its tickets get.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct MailAddress {
    pub address: Email,
    pub category: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EmailSettings {
    /// `<slug>@<inbound domain>`, given once and kept.
    pub forwarding_address: Email,
    /// Further addresses (support@, billing@ forwarded here), each with an optional category.
    pub addresses: Vec<MailAddress>,
    /// Addresses, or `@domain` entries, whose mail is rejected.
    pub blocked_senders: Vec<String>,
    /// Appended to every reply sent by e-mail, below "-- ".
    #[serde(default)]
    pub signature: Option<String>,
    /// The "received" and "solved" notifications to customers (the defaults until changed).
    #[serde(default)]
    pub notifications: CustomerNotifications,
    /// Keys the workspace's reply tokens (base64url); never shown.
    pub token_secret: String,
    pub version: u64,
    pub updated_at: Timestamp,
    pub updated_by: Option<UserId>,
}

impl EmailSettings {
    /// Every address the workspace receives at, the forwarding one first (no category).
    pub fn receiving(&self) -> Vec<MailAddress> {
        let mut all = vec![MailAddress { address: self.forwarding_address.clone(), category: None }];
        all.extend(self.addresses.iter().cloned());
        all
    }
}

/// The global item naming the workspace an address belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mailbox {
    pub address: Email,
    pub workspace_id: WorkspaceId,
    pub category: Option<String>,
}

/// An inbound message not turned into a ticket message.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RejectedMail {
    pub id: InboundMailId,
    pub received_at: Timestamp,
    pub reason: RejectionReason,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: String,
    pub message_id: Option<String>,
    pub size: u64,
    /// The raw message in the inbound bucket, kept for inspection.
    pub object_key: String,
}

/// What a handled inbound message leaves behind, written in the transaction that adds its ticket
/// message: its Message-ID (for threading replies to it) and its S3 object key (digests), each once.
#[derive(Debug, Clone)]
pub struct MailMarks {
    pub message_id_digest: Option<String>,
    /// The Message-ID itself (without angle brackets), kept in the ticket's conversation for the
    /// threading headers of replies.
    pub message_id_header: Option<String>,
    /// Whom the customer copied (replies copy them).
    pub copied: Vec<String>,
    pub received_at: Timestamp,
    pub object_digest: String,
    pub ticket_id: TicketId,
    pub message_id: MessageId,
    pub object_key: String,
    /// The files that came with it, kept as uploaded attachments of the ticket (bytes already in the
    /// attachments bucket), counted against the plan's storage in the same write.
    pub attachments: Vec<Attachment>,
    pub storage_limit: Option<u64>,
}

#[derive(Debug)]
pub enum EmailSettingsWriteError {
    VersionConflict,
    /// An address belongs to another workspace.
    AddressTaken,
    Store(StoreError),
}

impl From<StoreError> for EmailSettingsWriteError {
    fn from(err: StoreError) -> Self {
        EmailSettingsWriteError::Store(err)
    }
}

/// The message was handled before (same Message-ID in this workspace, or same S3 object).
#[derive(Debug)]
pub enum RejectWriteError {
    Duplicate,
    Store(StoreError),
}

impl From<StoreError> for RejectWriteError {
    fn from(err: StoreError) -> Self {
        RejectWriteError::Store(err)
    }
}

impl Store {
    pub async fn get_email_settings(&self, scope: &TenantScope) -> Result<Option<EmailSettings>, StoreError> {
        self.get_record(scope.pk(), keys::EMAIL_SETTINGS_SK).await
    }

    /// The workspace an address belongs to (one GetItem on the global item).
    pub async fn get_mailbox(&self, address: &Email) -> Result<Option<Mailbox>, StoreError> {
        self.get_record(keys::mailbox_pk(address), keys::MAILBOX_SK).await
    }

    fn mailbox_put(&self, workspace: WorkspaceId, address: &MailAddress) -> Result<TransactWriteItem, StoreError> {
        let mailbox =
            Mailbox { address: address.address.clone(), workspace_id: workspace, category: address.category.clone() };
        let mut item: Item = serde_dynamo::to_item(&mailbox)?;
        item.insert(keys::PK.to_owned(), s(keys::mailbox_pk(&address.address)));
        item.insert(keys::SK.to_owned(), s(keys::MAILBOX_SK));
        // Free, or already this workspace's (a category change).
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR workspace_id = :ws")
            .expression_attribute_values(":ws", s(workspace.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn mailbox_delete(&self, workspace: WorkspaceId, address: &Email) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::mailbox_pk(address)))
            .key(keys::SK, s(keys::MAILBOX_SK))
            .condition_expression("attribute_not_exists(PK) OR workspace_id = :ws")
            .expression_attribute_values(":ws", s(workspace.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Writes the settings if still at `before`'s version (None: none yet), claiming the addresses added
    /// and releasing the ones removed, with its event.
    pub async fn put_email_settings(
        &self,
        scope: &TenantScope,
        before: Option<&EmailSettings>,
        after: &EmailSettings,
        event: &Event,
    ) -> Result<(), EmailSettingsWriteError> {
        let mut item: Item = serde_dynamo::to_item(after).map_err(StoreError::from)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::EMAIL_SETTINGS_SK));
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match before {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(before) => put
                .condition_expression("version = :version")
                .expression_attribute_values(":version", n(before.version)),
        };
        let put = put.build().map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), EmailSettingsWriteError::VersionConflict);
        let old = before.map(EmailSettings::receiving).unwrap_or_default();
        let new = after.receiving();
        for address in &new {
            if !old.contains(address) {
                transaction = transaction.with_named(
                    self.mailbox_put(scope.workspace_id(), address)?,
                    EmailSettingsWriteError::AddressTaken,
                );
            }
        }
        for address in &old {
            if !new.iter().any(|kept| kept.address == address.address) {
                transaction = transaction.with(self.mailbox_delete(scope.workspace_id(), &address.address)?);
            }
        }
        transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The ticket the first of `message_ids` (digests) we know belongs to, reading them all at once.
    pub async fn ticket_of_mail_ids(
        &self,
        scope: &TenantScope,
        digests: &[String],
    ) -> Result<Option<TicketId>, StoreError> {
        if digests.is_empty() {
            return Ok(None);
        }
        let wanted: Vec<Item> = digests
            .iter()
            .map(|digest| {
                Item::from([(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(keys::mail_id_sk(digest)))])
            })
            .collect();
        let found = self.batch_get(wanted).await?;
        // In the order asked (In-Reply-To first, then References newest first).
        for digest in digests {
            let sk = keys::mail_id_sk(digest);
            let hit = found.iter().find(|item| item.get(keys::SK).and_then(|v| v.as_s().ok()) == Some(&sk));
            if let Some(ticket) = hit.and_then(|item| item.get("ticket_id")).and_then(|v| v.as_s().ok()) {
                return Ok(ticket.parse().ok());
            }
        }
        Ok(None)
    }

    /// Whether this S3 object was handled already (one GetItem).
    pub async fn mail_object_seen(&self, scope: &TenantScope, object_digest: &str) -> Result<bool, StoreError> {
        let item: Option<serde_json::Value> = self.get_record(scope.pk(), keys::mail_object_sk(object_digest)).await?;
        Ok(item.is_some())
    }

    /// The mark puts of a handled message; each fails when it exists (a second delivery).
    pub(crate) fn mail_mark_puts(
        &self,
        scope: &TenantScope,
        marks: &MailMarks,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut sks = vec![keys::mail_object_sk(&marks.object_digest)];
        if let Some(digest) = &marks.message_id_digest {
            sks.push(keys::mail_id_sk(digest));
        }
        let mut puts = sks
            .into_iter()
            .map(|sk| {
                self.put_new(Item::from([
                    (keys::PK.to_owned(), s(scope.pk())),
                    (keys::SK.to_owned(), s(sk)),
                    ("ticket_id".to_owned(), s(marks.ticket_id.to_string())),
                    ("message_id".to_owned(), s(marks.message_id.to_string())),
                    ("object_key".to_owned(), s(marks.object_key.clone())),
                ]))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The conversation entry: the next reply's In-Reply-To and References, and whom it copies.
        let now = marks.received_at;
        let entry = ThreadMail {
            ticket_id: marks.ticket_id,
            message_id: marks.message_id,
            direction: Direction::Inbound,
            customer_id: None,
            header_id: marks.message_id_header.clone(),
            to: Vec::new(),
            cc: marks.copied.clone(),
            state: None,
            reason: None,
            attempts: 0,
            notification: None,
            created_at: now,
            updated_at: now,
        };
        puts.push(self.put_new(self.thread_mail_item(scope, &entry)?)?);
        Ok(puts)
    }

    /// The attachment puts of a handled message, and the storage counter's update (whose condition
    /// fails when the plan's storage would be exceeded); None when it has no files.
    pub(crate) fn mail_attachment_actions(
        &self,
        scope: &TenantScope,
        marks: &MailMarks,
    ) -> Result<Option<(TransactWriteItem, Vec<TransactWriteItem>)>, StoreError> {
        if marks.attachments.is_empty() {
            return Ok(None);
        }
        let total: u64 = marks.attachments.iter().map(|attachment| attachment.size).sum();
        let storage = self.storage_update(scope, i64::try_from(total).unwrap_or(i64::MAX), marks.storage_limit)?;
        let puts = marks
            .attachments
            .iter()
            .map(|attachment| {
                let sk = keys::attachment_sk(attachment.ticket_id, attachment.id);
                self.attachment_put(scope, attachment, sk, "attribute_not_exists(PK)")
            })
            .collect::<Result<_, _>>()?;
        Ok(Some((TransactWriteItem::builder().update(storage).build(), puts)))
    }

    /// Logs a rejected message once per S3 object (and Message-ID), with its event.
    pub async fn reject_mail(
        &self,
        scope: &TenantScope,
        rejected: &RejectedMail,
        object_digest: &str,
        message_id_digest: Option<&str>,
        event: &Event,
    ) -> Result<(), RejectWriteError> {
        let mut item: Item = serde_dynamo::to_item(rejected).map_err(StoreError::from)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::rejected_mail_sk(rejected.id)));
        let mut marks = vec![keys::mail_object_sk(object_digest)];
        // A rejected Message-ID is marked apart from accepted ones: it names no ticket to thread into.
        if let Some(digest) = message_id_digest {
            marks.push(keys::rejected_mail_id_sk(digest));
        }
        let mut transaction = Transaction::new().with(self.put_new(item)?);
        for sk in marks {
            let mark = Item::from([
                (keys::PK.to_owned(), s(scope.pk())),
                (keys::SK.to_owned(), s(sk)),
                ("rejected_id".to_owned(), s(rejected.id.to_string())),
            ]);
            transaction = transaction.with_named(self.put_new(mark)?, RejectWriteError::Duplicate);
        }
        transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The rejected-mail log, newest first.
    pub async fn list_rejected_mail(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<RejectedMail>, StoreError> {
        let query = PageQuery {
            listing: REJECTED_LISTING,
            owner: scope.workspace_id().to_string(),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::REJECTED_MAIL_PREFIX))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }
}
