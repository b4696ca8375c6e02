//! Team chat: channels, direct conversations, their messages and read marks.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{ChannelId, ChatMessageId, UserId};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateChannelRequest {
    /// 1 to 80 characters; unique names are not enforced.
    pub name: String,
    /// Private channels are visible to their members only.
    #[serde(default)]
    pub private: bool,
    /// Members of a private channel besides the creator (ignored for public channels).
    #[serde(default)]
    pub member_ids: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectChannelRequest {
    /// The other member.
    pub user_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddChannelMemberRequest {
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChannelView {
    pub id: ChannelId,
    /// public, private or direct
    pub kind: String,
    /// The channel's name; for a direct conversation, null (show the other member).
    pub name: Option<String>,
    /// Members of a private channel or direct conversation; empty for public channels (everyone).
    pub member_ids: Vec<UserId>,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// The sequence number of the latest message (0 when none).
    pub last_seq: u64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_message_at: Option<Timestamp>,
    /// Messages posted since the caller's read mark.
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelList {
    pub items: Vec<ChannelView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatMessageRequest {
    /// 1 to 4,000 characters.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// The `seq` of the last message read.
    pub seq: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChatMessageView {
    pub id: ChatMessageId,
    pub channel_id: ChannelId,
    /// 1, 2, 3… per channel: a jump tells a live client it missed messages.
    pub seq: u64,
    pub author_id: UserId,
    /// Empty once deleted.
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub edited_at: Option<Timestamp>,
    pub deleted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMessageList {
    /// Newest first.
    pub items: Vec<ChatMessageView>,
    pub next_cursor: Option<String>,
}
