//! Team chat: channels (public, private with members, direct between two members), their messages and
//! each member's read marks. A channel numbers its messages 1, 2, 3…; posting bumps the channel's
//! `last_seq` and writes the message in one transaction, so numbers are never reused or skipped.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, backend, keys, n, s};
use crate::domain::ids::{ChannelId, ChatMessageId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Public,
    Private,
    Direct,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Public => "public",
            ChannelKind::Private => "private",
            ChannelKind::Direct => "direct",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Channel {
    pub id: ChannelId,
    pub kind: ChannelKind,
    pub name: Option<String>,
    /// Who may see a private or direct channel; empty for public ones.
    #[serde(default)]
    pub member_ids: Vec<UserId>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    #[serde(default)]
    pub last_seq: u64,
    #[serde(default)]
    pub last_message_at: Option<Timestamp>,
}

impl Channel {
    pub fn visible_to(&self, user: UserId) -> bool {
        self.kind == ChannelKind::Public || self.member_ids.contains(&user)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChatMessage {
    pub id: ChatMessageId,
    pub channel_id: ChannelId,
    pub seq: u64,
    pub author_id: UserId,
    pub body: String,
    pub created_at: Timestamp,
    #[serde(default)]
    pub edited_at: Option<Timestamp>,
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ReadMark {
    channel_id: ChannelId,
    seq: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ChatWriteError {
    /// The channel changed meanwhile (another message took the number): retry on a fresh read.
    #[error("the channel changed meanwhile")]
    Raced,
    /// The direct conversation between these two exists already.
    #[error("direct conversation exists")]
    DirectExists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

const HISTORY_LISTING: &str = "chat-history";

impl Store {
    fn channel_item(&self, scope: &TenantScope, channel: &Channel) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(channel)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::channel_sk(channel.id)));
        Ok(item)
    }

    pub async fn create_channel(&self, scope: &TenantScope, channel: &Channel) -> Result<(), ChatWriteError> {
        let mut transaction = Transaction::new().with(self.put_new(self.channel_item(scope, channel)?)?);
        if channel.kind == ChannelKind::Direct
            && let [a, b] = channel.member_ids.as_slice()
        {
            let guard: Item = [
                (keys::PK.to_owned(), s(scope.pk())),
                (keys::SK.to_owned(), s(keys::direct_channel_guard_sk(*a, *b))),
                ("channel_id".to_owned(), s(channel.id.to_string())),
            ]
            .into_iter()
            .collect();
            transaction = transaction.with_named(self.put_new(guard)?, ChatWriteError::DirectExists);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The direct conversation between two members, if it exists.
    pub async fn direct_channel(
        &self,
        scope: &TenantScope,
        a: UserId,
        b: UserId,
    ) -> Result<Option<Channel>, StoreError> {
        #[derive(Deserialize)]
        struct Guard {
            channel_id: ChannelId,
        }
        let guard: Option<Guard> = self.get_record(scope.pk(), keys::direct_channel_guard_sk(a, b)).await?;
        match guard {
            Some(guard) => self.get_channel(scope, guard.channel_id).await,
            None => Ok(None),
        }
    }

    pub async fn get_channel(&self, scope: &TenantScope, id: ChannelId) -> Result<Option<Channel>, StoreError> {
        self.get_record(scope.pk(), keys::channel_sk(id)).await
    }

    pub async fn save_channel_members(&self, scope: &TenantScope, channel: &Channel) -> Result<(), StoreError> {
        let members: Vec<String> = channel.member_ids.iter().map(ToString::to_string).collect();
        self.client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::channel_sk(channel.id)))
            .update_expression("SET member_ids = :m")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(
                ":m",
                aws_sdk_dynamodb::types::AttributeValue::L(members.into_iter().map(s).collect()),
            )
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Every channel of the workspace (callers keep those the member may see). One Query.
    pub async fn channels(&self, scope: &TenantScope) -> Result<Vec<Channel>, StoreError> {
        self.query_prefix(scope, keys::CHANNEL_PREFIX).await
    }

    /// A member's read marks: channel → last read seq. One Query.
    pub async fn read_marks(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> Result<std::collections::HashMap<ChannelId, u64>, StoreError> {
        let marks: Vec<ReadMark> = self.query_prefix(scope, &keys::chat_read_prefix(user)).await?;
        Ok(marks.into_iter().map(|mark| (mark.channel_id, mark.seq)).collect())
    }

    pub async fn mark_read(
        &self,
        scope: &TenantScope,
        user: UserId,
        channel: ChannelId,
        seq: u64,
    ) -> Result<(), StoreError> {
        // Never moves backwards: a stale tab cannot mark read messages unread again.
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::chat_read_sk(user, channel)))
            .update_expression("SET seq = :seq, channel_id = :c")
            .condition_expression("attribute_not_exists(seq) OR seq < :seq")
            .expression_attribute_values(":seq", n(seq))
            .expression_attribute_values(":c", s(channel.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err.as_service_error().and_then(aws_sdk_dynamodb::error::ProvideErrorMetadata::code)
                    == Some("ConditionalCheckFailedException") =>
            {
                Ok(())
            }
            Err(err) => Err(backend(err)),
        }
    }

    /// Appends `message` (numbered `channel.last_seq + 1`) if the channel is still as read.
    pub async fn post_chat_message(
        &self,
        scope: &TenantScope,
        channel: &Channel,
        message: &ChatMessage,
        events: &[super::events::Event],
    ) -> Result<(), ChatWriteError> {
        let bump = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::channel_sk(channel.id)))
            .update_expression("SET last_seq = :next, last_message_at = :at")
            .condition_expression("attribute_exists(PK) AND (attribute_not_exists(last_seq) OR last_seq = :seen)")
            .expression_attribute_values(":next", n(message.seq))
            .expression_attribute_values(":seen", n(channel.last_seq))
            .expression_attribute_values(":at", s(message.created_at.to_string()))
            .build()
            .map_err(StoreError::from)?;
        let mut item: Item = serde_dynamo::to_item(message).map_err(StoreError::from)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::chat_message_sk(channel.id, message.id)));
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(bump).build(), ChatWriteError::Raced)
            .with(self.put_new(item)?)
            .with_all(events.iter().map(|event| self.put_event(scope, event)).collect::<Result<Vec<_>, _>>()?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    pub async fn get_chat_message(
        &self,
        scope: &TenantScope,
        channel: ChannelId,
        message: ChatMessageId,
    ) -> Result<Option<ChatMessage>, StoreError> {
        self.get_record(scope.pk(), keys::chat_message_sk(channel, message)).await
    }

    /// Replaces a message's body (an edit) or blanks it (a delete), if it is still as read.
    pub async fn save_chat_message(
        &self,
        scope: &TenantScope,
        before: &ChatMessage,
        after: &ChatMessage,
    ) -> Result<(), ChatWriteError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::chat_message_sk(after.channel_id, after.id)))
            .update_expression("SET body = :body, deleted = :deleted, edited_at = :edited")
            .condition_expression("body = :before AND deleted = :was_deleted")
            .expression_attribute_values(":body", s(after.body.clone()))
            .expression_attribute_values(":deleted", aws_sdk_dynamodb::types::AttributeValue::Bool(after.deleted))
            .expression_attribute_values(":before", s(before.body.clone()))
            .expression_attribute_values(":was_deleted", aws_sdk_dynamodb::types::AttributeValue::Bool(before.deleted));
        request = match after.edited_at {
            Some(at) => request.expression_attribute_values(":edited", s(at.to_string())),
            None => request.expression_attribute_values(":edited", aws_sdk_dynamodb::types::AttributeValue::Null(true)),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err)
                if err.as_service_error().and_then(aws_sdk_dynamodb::error::ProvideErrorMetadata::code)
                    == Some("ConditionalCheckFailedException") =>
            {
                Err(ChatWriteError::Raced)
            }
            Err(err) => Err(backend(err).into()),
        }
    }

    /// A channel's history, newest first, a page at a time.
    pub async fn chat_history(
        &self,
        scope: &TenantScope,
        channel: ChannelId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<ChatMessage>, StoreError> {
        let query = PageQuery {
            listing: HISTORY_LISTING,
            owner: format!("{}/{channel}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::chat_message_prefix(channel)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }
}
