//! Notifications, per member, in the workspace partition: the notification (`NOTIF#<user>#<event>`),
//! a copy while it is unread (`NOTIF_UNREAD#<user>#<event>`), the member's unread count
//! (`NOTIF_COUNT#<user>`) and their preferences (`NOTIF_PREFS#<user>`).
//!
//! The count moves only in the transactions that add a notification (with its unread copy) and that
//! read one (deleting the copy on the condition that it exists), so it equals the number of copies.

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, QuerySpec, Store, StoreError, TenantScope, items_of, keys, n, s};
use crate::domain::events::EventKind;
use crate::domain::ids::{DealId, EventId, LeadId, TicketId, UserId};
use crate::domain::notifications::{NotificationKind, Preferences};

const LISTING: &str = "notifications";
const UNREAD_LISTING: &str = "unread-notifications";
/// Unread notifications marked read per transaction by "mark all read": two actions each, and the
/// count (DynamoDB takes up to 100 actions).
const READ_ALL_CHUNK: usize = 25;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Notification {
    /// The id of the event that caused it (one notification per member and event).
    pub id: EventId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub event_type: EventKind,
    /// The member who caused it; None for the system (SLA moments) or a customer's e-mail.
    pub actor_id: Option<UserId>,
    /// What it is about, as in the event, e.g. "ticket/<id>".
    pub subject: String,
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    #[serde(default)]
    pub deal_id: Option<DealId>,
    /// The event's data after the change (what the centre shows: the SLA clock, the lead's name...).
    #[serde(default)]
    pub data: Option<Value>,
    pub at: Timestamp,
    #[serde(default)]
    pub read_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PreferencesItem {
    #[serde(flatten)]
    preferences: Preferences,
}

impl Store {
    fn notification_item(
        &self,
        scope: &TenantScope,
        sk: String,
        notification: &Notification,
    ) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(notification)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(sk));
        Ok(item)
    }

    fn count_update(&self, scope: &TenantScope, user: UserId, delta: i64) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::notification_count_sk(user)))
            .update_expression("ADD unread :delta")
            .expression_attribute_values(":delta", n(delta))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Adds an unread notification and counts it. Returns false when the member already has the
    /// notification of this event (a redelivered event): nothing is written then.
    pub async fn add_notification(&self, scope: &TenantScope, notification: &Notification) -> Result<bool, StoreError> {
        let user = notification.user_id;
        let unread = Notification { read_at: None, ..notification.clone() };
        let main = self.notification_item(scope, keys::notification_sk(user, notification.id), &unread)?;
        let copy = self.notification_item(scope, keys::unread_notification_sk(user, notification.id), &unread)?;
        struct AlreadyThere;
        let transaction = Transaction::new()
            .with_named(self.put_new(main)?, AlreadyThere)
            .with_named(self.put_new(copy)?, AlreadyThere)
            .with(self.count_update(scope, user, 1)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: AlreadyThere, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// One page of a member's notifications, newest first; only the unread ones if `unread_only`.
    pub async fn list_notifications(
        &self,
        scope: &TenantScope,
        user: UserId,
        unread_only: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Notification>, StoreError> {
        let prefix =
            if unread_only { keys::unread_notifications_prefix(user) } else { keys::notifications_prefix(user) };
        let query = PageQuery {
            listing: if unread_only { UNREAD_LISTING } else { LISTING },
            owner: format!("{}/{user}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(prefix))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// The member's unread count (one GetItem).
    pub async fn unread_notifications(&self, scope: &TenantScope, user: UserId) -> Result<u64, StoreError> {
        #[derive(Deserialize)]
        struct Count {
            #[serde(default)]
            unread: i64,
        }
        let count: Option<Count> = self.get_record(scope.pk(), keys::notification_count_sk(user)).await?;
        Ok(count.map_or(0, |count| u64::try_from(count.unread).unwrap_or(0)))
    }

    pub async fn get_notification(
        &self,
        scope: &TenantScope,
        user: UserId,
        id: EventId,
    ) -> Result<Option<Notification>, StoreError> {
        self.get_record(scope.pk(), keys::notification_sk(user, id)).await
    }

    /// The actions marking one unread notification read: its `read_at`, its unread copy deleted (on
    /// the condition that it is there, so a notification is uncounted once).
    fn read_actions(
        &self,
        scope: &TenantScope,
        user: UserId,
        id: EventId,
        at: Timestamp,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::notification_sk(user, id)))
            .update_expression("SET read_at = :at")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":at", s(at.to_string()))
            .build()?;
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::unread_notification_sk(user, id)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        Ok([TransactWriteItem::builder().update(update).build(), TransactWriteItem::builder().delete(delete).build()])
    }

    /// Marks these unread notifications read and uncounts them, all or none. Returns false when one
    /// of them was read meanwhile (nothing was written).
    async fn read_notifications(
        &self,
        scope: &TenantScope,
        user: UserId,
        ids: &[EventId],
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        #[derive(Clone)]
        struct ReadMeanwhile;
        let mut transaction = Transaction::new();
        for id in ids {
            transaction = transaction.with_all_named(self.read_actions(scope, user, *id, at)?, ReadMeanwhile);
        }
        let delta = -i64::try_from(ids.len()).unwrap_or(i64::MAX);
        transaction = transaction.with(self.count_update(scope, user, delta)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: ReadMeanwhile, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// Marks one notification read (already read: left as it was). None when the member has no such
    /// notification.
    pub async fn mark_notification_read(
        &self,
        scope: &TenantScope,
        user: UserId,
        id: EventId,
        at: Timestamp,
    ) -> Result<Option<Notification>, StoreError> {
        let Some(found) = self.get_notification(scope, user, id).await? else { return Ok(None) };
        if found.read_at.is_some() {
            return Ok(Some(found));
        }
        // Read meanwhile by another tab: the stored one is the answer either way.
        self.read_notifications(scope, user, &[id], at).await?;
        self.get_notification(scope, user, id).await
    }

    /// Marks every unread notification of the member read, a chunk per transaction; returns how many
    /// this call marked.
    pub async fn mark_all_notifications_read(
        &self,
        scope: &TenantScope,
        user: UserId,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        let query = QuerySpec::under_prefix(scope, keys::unread_notifications_prefix(user)).consistent().project("id");
        let (mut marked, mut refused) = (0u64, 0);
        loop {
            let (items, _) = self.query_up_to(&query, None, READ_ALL_CHUNK, 1).await?;
            if items.is_empty() {
                return Ok(marked);
            }
            #[derive(Deserialize)]
            struct Id {
                id: EventId,
            }
            let ids: Vec<EventId> = items_of::<Id>(&items)?.into_iter().map(|found| found.id).collect();
            // A chunk with one read meanwhile wrote nothing: the next Query no longer finds that one.
            if self.read_notifications(scope, user, &ids, at).await? {
                marked += ids.len() as u64;
                refused = 0;
            } else {
                refused += 1;
                if refused >= 5 {
                    return Err(StoreError::Corrupt(format!("unread notifications of {user} cannot be marked read")));
                }
            }
        }
    }

    pub async fn notification_preferences(&self, scope: &TenantScope, user: UserId) -> Result<Preferences, StoreError> {
        let found: Option<PreferencesItem> =
            self.get_record(scope.pk(), keys::notification_preferences_sk(user)).await?;
        Ok(found.map(|item| item.preferences).unwrap_or_default())
    }

    /// Replaces the member's preferences.
    pub async fn put_notification_preferences(
        &self,
        scope: &TenantScope,
        user: UserId,
        preferences: &Preferences,
    ) -> Result<(), StoreError> {
        let mut item: Item = serde_dynamo::to_item(PreferencesItem { preferences: preferences.clone() })?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::notification_preferences_sk(user)));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(super::backend)?;
        Ok(())
    }
}
