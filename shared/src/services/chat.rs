//! Team chat: public channels (every member), private channels (their members only), direct
//! conversations between two members; history over REST, live frames over the WebSocket API.
//!
//! A channel the caller may not see answers 404, exactly like one that does not exist. Live frames go
//! straight from here to the sockets of those who may see the channel, right after the write commits;
//! messages are numbered per channel (`seq`), so a client that missed a frame sees the jump and
//! reloads the history, which is the record.

use serde_json::json;

use super::{ServiceError, ServiceResult, realtime};
use crate::api::{
    AddChannelMemberRequest, ChannelList, ChannelView, ChatMessageList, ChatMessageRequest, ChatMessageView,
    CreateChannelRequest, DirectChannelRequest, MarkReadRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{
    FieldError, Gather, field,
    ids::{ChannelId, ChatMessageId, UserId},
    rbac::{Permission, Role},
    rule,
};
use crate::storage::{
    PageParams, TenantScope,
    chat::{Channel, ChannelKind, ChatMessage, ChatWriteError},
    events::Event,
};

pub const MAX_NAME_CHARS: usize = 80;
pub const MAX_BODY_CHARS: usize = 4_000;
pub const MAX_PRIVATE_MEMBERS: usize = 100;

fn view(channel: &Channel, read: u64) -> ChannelView {
    ChannelView {
        id: channel.id,
        kind: channel.kind.as_str().to_owned(),
        name: channel.name.clone(),
        member_ids: channel.member_ids.clone(),
        created_by: channel.created_by,
        created_at: channel.created_at,
        last_seq: channel.last_seq,
        last_message_at: channel.last_message_at,
        unread: channel.last_seq.saturating_sub(read),
    }
}

fn message_view(message: &ChatMessage) -> ChatMessageView {
    ChatMessageView {
        id: message.id,
        channel_id: message.channel_id,
        seq: message.seq,
        author_id: message.author_id,
        body: message.body.clone(),
        created_at: message.created_at,
        edited_at: message.edited_at,
        deleted: message.deleted,
    }
}

fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be 1 to {MAX_NAME_CHARS} characters"));
    }
    check_controls(name, TextKind::Line)?;
    Ok(name.to_owned())
}

fn parse_body(raw: &str) -> Result<String, String> {
    let body = raw.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(format!("must be 1 to {MAX_BODY_CHARS} characters"));
    }
    check_controls(body, TextKind::Body)?;
    Ok(body.to_owned())
}

/// An active member of the workspace who may chat, or a validation error on `field`.
async fn chat_member(app: &App, scope: &TenantScope, field: &str, raw: &str) -> ServiceResult<UserId> {
    let invalid =
        || ServiceError::Validation(vec![FieldError::new(field, "must be an active member of this workspace")]);
    let id: UserId = raw.parse().map_err(|_| invalid())?;
    let member = app.store.get_member(scope, id).await?.ok_or_else(invalid)?;
    if !member.is_active() || !member.role.can(Permission::ChatUse) {
        return Err(invalid());
    }
    Ok(id)
}

/// The channel, if the caller may see it.
async fn visible(app: &App, caller: &MemberPrincipal, id: ChannelId) -> ServiceResult<Channel> {
    match app.store.get_channel(&caller.scope(), id).await? {
        Some(channel) if channel.visible_to(caller.user_id) => Ok(channel),
        _ => Err(ServiceError::NotFound("The channel")),
    }
}

/// Pushes a frame to the live sockets of those who may see `channel`.
async fn push(app: &App, scope: &TenantScope, channel: &Channel, frame: serde_json::Value) -> ServiceResult<()> {
    if !app.sockets.is_configured() {
        return Ok(());
    }
    let now = app.clock.now().as_second();
    let connections = app.store.workspace_connections(scope).await?;
    let targets = connections.iter().filter(|connection| {
        connection.is_live(now) && connection.role.can(Permission::ChatUse) && channel.visible_to(connection.user_id)
    });
    realtime::broadcast(app, scope, targets, &frame).await?;
    Ok(())
}

/// The channels the caller can see, with unread counts. Two Queries (channels, read marks).
pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<ChannelList> {
    let scope = caller.scope();
    let (channels, marks) =
        futures::try_join!(app.store.channels(&scope), app.store.read_marks(&scope, caller.user_id))?;
    let mut items: Vec<ChannelView> = channels
        .iter()
        .filter(|channel| channel.visible_to(caller.user_id))
        .map(|channel| view(channel, marks.get(&channel.id).copied().unwrap_or(0)))
        .collect();
    items.sort_by(|a, b| b.last_message_at.cmp(&a.last_message_at).then(a.created_at.cmp(&b.created_at)));
    Ok(ChannelList { items })
}

pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateChannelRequest) -> ServiceResult<ChannelView> {
    let (name, (), ()) = (
        field("name", parse_name(&request.name)),
        rule(
            "member_ids",
            request.private || request.member_ids.is_empty(),
            "only private channels have a member list",
        ),
        rule(
            "member_ids",
            request.member_ids.len() <= MAX_PRIVATE_MEMBERS,
            &format!("at most {MAX_PRIVATE_MEMBERS} members"),
        ),
    )
        .gather()?;
    let scope = caller.scope();
    let mut members = vec![caller.user_id];
    for (index, raw) in request.member_ids.iter().enumerate() {
        let id = chat_member(app, &scope, &format!("member_ids[{index}]"), raw).await?;
        if !members.contains(&id) {
            members.push(id);
        }
    }
    let channel = Channel {
        id: ChannelId::generate(),
        kind: if request.private { ChannelKind::Private } else { ChannelKind::Public },
        name: Some(name),
        member_ids: if request.private { members } else { Vec::new() },
        created_by: caller.user_id,
        created_at: app.clock.now(),
        last_seq: 0,
        last_message_at: None,
    };
    app.store.create_channel(&scope, &channel).await.map_err(write_error)?;
    push(app, &scope, &channel, json!({"type": "chat.channel", "channel": view(&channel, 0)})).await?;
    Ok(view(&channel, 0))
}

/// The direct conversation with another member, created on first use. Ok((view, created)).
pub async fn direct(
    app: &App,
    caller: &MemberPrincipal,
    request: DirectChannelRequest,
) -> ServiceResult<(ChannelView, bool)> {
    let scope = caller.scope();
    let other = chat_member(app, &scope, "user_id", &request.user_id).await?;
    if other == caller.user_id {
        return Err(ServiceError::Validation(vec![FieldError::new("user_id", "must be another member")]));
    }
    if let Some(channel) = app.store.direct_channel(&scope, caller.user_id, other).await? {
        return Ok((with_unread(app, caller, &channel).await?, false));
    }
    let channel = Channel {
        id: ChannelId::generate(),
        kind: ChannelKind::Direct,
        name: None,
        member_ids: vec![caller.user_id, other],
        created_by: caller.user_id,
        created_at: app.clock.now(),
        last_seq: 0,
        last_message_at: None,
    };
    match app.store.create_channel(&scope, &channel).await {
        Ok(()) => {
            push(app, &scope, &channel, json!({"type": "chat.channel", "channel": view(&channel, 0)})).await?;
            Ok((view(&channel, 0), true))
        }
        // Both opened it at the same moment: the other request's conversation is the one.
        Err(ChatWriteError::DirectExists) => {
            let channel = app
                .store
                .direct_channel(&scope, caller.user_id, other)
                .await?
                .ok_or(ServiceError::VersionConflict { what: "The conversation", current: None })?;
            Ok((with_unread(app, caller, &channel).await?, false))
        }
        Err(err) => Err(write_error(err)),
    }
}

async fn with_unread(app: &App, caller: &MemberPrincipal, channel: &Channel) -> ServiceResult<ChannelView> {
    let marks = app.store.read_marks(&caller.scope(), caller.user_id).await?;
    Ok(view(channel, marks.get(&channel.id).copied().unwrap_or(0)))
}

/// Adds a member to a private channel (any of its members may).
pub async fn add_member(
    app: &App,
    caller: &MemberPrincipal,
    id: ChannelId,
    request: AddChannelMemberRequest,
) -> ServiceResult<ChannelView> {
    let scope = caller.scope();
    let mut channel = visible(app, caller, id).await?;
    if channel.kind != ChannelKind::Private {
        return Err(ServiceError::Conflict(format!(
            "A {} channel has no member list to add to.",
            channel.kind.as_str()
        )));
    }
    let user = chat_member(app, &scope, "user_id", &request.user_id).await?;
    if !channel.member_ids.contains(&user) {
        channel.member_ids.push(user);
        app.store.save_channel_members(&scope, &channel).await?;
        push(app, &scope, &channel, json!({"type": "chat.channel", "channel": view(&channel, 0)})).await?;
    }
    Ok(view(&channel, 0))
}

pub async fn history(
    app: &App,
    caller: &MemberPrincipal,
    id: ChannelId,
    page: PageParams,
) -> ServiceResult<ChatMessageList> {
    visible(app, caller, id).await?;
    let page = app.store.chat_history(&caller.scope(), id, page.limit, page.cursor.as_deref()).await?;
    Ok(ChatMessageList { items: page.items.iter().map(message_view).collect(), next_cursor: page.next_cursor })
}

/// Posts a message: numbered after the channel's last one, then pushed live.
pub async fn post(
    app: &App,
    caller: &MemberPrincipal,
    id: ChannelId,
    request: ChatMessageRequest,
) -> ServiceResult<ChatMessageView> {
    let body = parse_body(&request.body)
        .map_err(|message| ServiceError::Validation(vec![FieldError::new("body", message)]))?;
    let scope = caller.scope();
    for _ in 0..5 {
        let channel = visible(app, caller, id).await?;
        // Only those who may read the channel are mentioned (read per attempt: members may change).
        let mentions = super::notifications::mentioned_members(app, &scope, &body, |member| {
            member.role.can(Permission::ChatUse) && channel.visible_to(member.id)
        })
        .await?;
        let message = ChatMessage {
            id: ChatMessageId::generate(),
            channel_id: id,
            seq: channel.last_seq + 1,
            author_id: caller.user_id,
            body: body.clone(),
            created_at: app.clock.now(),
            edited_at: None,
            deleted: false,
        };
        let events: Vec<Event> = if mentions.is_empty() {
            Vec::new()
        } else {
            vec![Event::new(EventKind::ChatMentioned, Some(caller.user_id), format!("channel/{id}"), message.created_at)
                .with_change(
                    None,
                    Some(json!({"channel_id": id, "message_id": message.id, "seq": message.seq, "mentions": mentions})),
                )]
        };
        match app.store.post_chat_message(&scope, &channel, &message, &events).await {
            Ok(()) => {
                // The author has read what they wrote.
                app.store.mark_read(&scope, caller.user_id, id, message.seq).await?;
                let view = message_view(&message);
                push(app, &scope, &channel, json!({"type": "chat.message.created", "message": view})).await?;
                return Ok(view);
            }
            Err(ChatWriteError::Raced) => continue,
            Err(err) => return Err(write_error(err)),
        }
    }
    Err(ServiceError::VersionConflict { what: "The channel", current: None })
}

/// Edits (`Some(body)`) or deletes (`None`) one of the caller's messages. Admins and owners may also
/// delete others' messages (moderation); nobody edits another's words.
pub async fn change(
    app: &App,
    caller: &MemberPrincipal,
    id: ChannelId,
    message_id: ChatMessageId,
    request: Option<ChatMessageRequest>,
) -> ServiceResult<ChatMessageView> {
    let body = match &request {
        Some(request) => Some(
            parse_body(&request.body)
                .map_err(|message| ServiceError::Validation(vec![FieldError::new("body", message)]))?,
        ),
        None => None,
    };
    let scope = caller.scope();
    let channel = visible(app, caller, id).await?;
    let before =
        app.store.get_chat_message(&scope, id, message_id).await?.ok_or(ServiceError::NotFound("The message"))?;
    let moderator = matches!(caller.role, Role::Owner | Role::Admin);
    if before.author_id != caller.user_id && !(body.is_none() && moderator) {
        return Err(ServiceError::Forbidden("Only the author can change this message.".to_owned()));
    }
    if before.deleted {
        return Err(ServiceError::Conflict("The message was deleted.".to_owned()));
    }
    let mut after = before.clone();
    match body {
        Some(body) => after.body = body,
        None => {
            after.body = String::new();
            after.deleted = true;
        }
    }
    after.edited_at = Some(app.clock.now());
    match app.store.save_chat_message(&scope, &before, &after).await {
        Ok(()) => {}
        Err(ChatWriteError::Raced) => {
            return Err(ServiceError::VersionConflict { what: "The message", current: None });
        }
        Err(err) => return Err(write_error(err)),
    }
    let view = message_view(&after);
    let kind = if after.deleted { "chat.message.deleted" } else { "chat.message.edited" };
    push(app, &scope, &channel, json!({"type": kind, "message": view})).await?;
    Ok(view)
}

pub async fn mark_read(
    app: &App,
    caller: &MemberPrincipal,
    id: ChannelId,
    request: MarkReadRequest,
) -> ServiceResult<()> {
    let channel = visible(app, caller, id).await?;
    if request.seq > channel.last_seq {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "seq",
            format!("must be at most the channel's last_seq ({})", channel.last_seq),
        )]));
    }
    app.store.mark_read(&caller.scope(), caller.user_id, id, request.seq).await?;
    Ok(())
}

fn write_error(err: ChatWriteError) -> ServiceError {
    match err {
        ChatWriteError::Store(err) => err.into(),
        ChatWriteError::Raced | ChatWriteError::DirectExists => {
            ServiceError::VersionConflict { what: "The channel", current: None }
        }
    }
}
