//! Team chat over REST: channels (public, private, direct), history a page at a time, posting,
//! editing, deleting, read marks. New messages and changes also arrive live on the WebSocket API.

use lambda_http::{Request, http::StatusCode};
use shared::api::{
    AddChannelMemberRequest, ChannelList, ChannelView, ChatMessageList, ChatMessageRequest, ChatMessageView,
    CreateChannelRequest, DirectChannelRequest, MarkReadRequest,
};
use shared::domain::ids::{ChannelId, ChatMessageId};
use shared::domain::rbac::Permission;
use shared::http::{self, HandlerResult, PageParams, ProblemBody};
use shared::{App, auth::MemberPrincipal, services::chat};

pub const CHANNELS: &str = "/api/v1/chat/channels";
pub const DIRECT: &str = "/api/v1/chat/direct";
pub const MEMBERS: &str = "/api/v1/chat/channels/{id}/members";
pub const MESSAGES: &str = "/api/v1/chat/channels/{id}/messages";
pub const MESSAGE: &str = "/api/v1/chat/channels/{id}/messages/{message_id}";
pub const READ: &str = "/api/v1/chat/channels/{id}/read";

pub const ROUTES: &[http::Route] = shared::routes![
    GET CHANNELS => list_channels,
    POST CHANNELS => create_channel,
    POST DIRECT => direct,
    POST MEMBERS => add_member,
    GET MESSAGES => history,
    POST MESSAGES => post_message,
    PATCH MESSAGE => edit_message,
    DELETE MESSAGE => delete_message,
    POST READ => mark_read,
];

fn chatter(req: &Request) -> Result<MemberPrincipal, shared::http::Problem> {
    let caller = http::member(req)?;
    http::require(&caller, Permission::ChatUse)?;
    Ok(caller)
}

fn channel_id(req: &Request) -> Result<ChannelId, shared::http::Problem> {
    http::path_id(req, "id", "The channel")
}

/// Channels
///
/// The public channels, the private channels the caller is a member of, and their direct
/// conversations, most recently active first, each with its unread count. Needs `chat:use`.
#[utoipa::path(get, path = "/api/v1/chat/channels", tag = "chat", security(("bearer" = [])),
    responses((status = 200, body = ChannelList)))]
pub async fn list_channels(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    Ok(http::json(StatusCode::OK, &chat::list(app, &caller).await?))
}

/// Create a channel
///
/// Public (every member sees it) or private (the creator and `member_ids` only). Needs `chat:use`.
#[utoipa::path(post, path = "/api/v1/chat/channels", tag = "chat", security(("bearer" = [])),
    request_body = CreateChannelRequest,
    responses(
        (status = 201, body = ChannelView),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn create_channel(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let body: CreateChannelRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &chat::create(app, &caller, body).await?))
}

/// Open a direct conversation
///
/// With another member: the existing conversation (200), or a new one (201). Needs `chat:use`.
#[utoipa::path(post, path = "/api/v1/chat/direct", tag = "chat", security(("bearer" = [])),
    request_body = DirectChannelRequest,
    responses(
        (status = 200, body = ChannelView),
        (status = 201, body = ChannelView),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn direct(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let body: DirectChannelRequest = http::json_body(req)?;
    let (channel, created) = chat::direct(app, &caller, body).await?;
    Ok(http::json(if created { StatusCode::CREATED } else { StatusCode::OK }, &channel))
}

/// Add a member to a private channel
///
/// Any member of the channel may add another member of the workspace. Needs `chat:use`.
#[utoipa::path(post, path = "/api/v1/chat/channels/{id}/members", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Channel id")),
    request_body = AddChannelMemberRequest,
    responses(
        (status = 200, body = ChannelView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn add_member(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let body: AddChannelMemberRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &chat::add_member(app, &caller, id, body).await?))
}

/// A channel's history
///
/// Newest first, a page at a time (`limit`, `cursor`). A channel the caller may not see is 404.
#[utoipa::path(get, path = "/api/v1/chat/channels/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Channel id"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 100, description = "1 to 100, default 50"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, body = ChatMessageList),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn history(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let page = PageParams::from_request(req)?;
    Ok(http::json(StatusCode::OK, &chat::history(app, &caller, id, page).await?))
}

/// Post a message
///
/// Numbered after the channel's last message (`seq`) and pushed live to the sockets of everyone who
/// sees the channel (`chat.message.created`).
#[utoipa::path(post, path = "/api/v1/chat/channels/{id}/messages", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Channel id")),
    request_body = ChatMessageRequest,
    responses(
        (status = 201, body = ChatMessageView),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn post_message(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let body: ChatMessageRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::CREATED, &chat::post(app, &caller, id, body).await?))
}

/// Edit a message
///
/// The author only. Pushed live as `chat.message.edited`.
#[utoipa::path(patch, path = "/api/v1/chat/channels/{id}/messages/{message_id}", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Channel id"), ("message_id" = String, Path, description = "Message id")),
    request_body = ChatMessageRequest,
    responses(
        (status = 200, body = ChatMessageView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn edit_message(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let message: ChatMessageId = http::path_id(req, "message_id", "The message")?;
    let body: ChatMessageRequest = http::json_body(req)?;
    Ok(http::json(StatusCode::OK, &chat::change(app, &caller, id, message, Some(body)).await?))
}

/// Delete a message
///
/// The author, or an admin or owner. The message stays in the history, blanked and flagged `deleted`;
/// pushed live as `chat.message.deleted`.
#[utoipa::path(delete, path = "/api/v1/chat/channels/{id}/messages/{message_id}", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Channel id"), ("message_id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = ChatMessageView),
        (status = 403, body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn delete_message(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let message: ChatMessageId = http::path_id(req, "message_id", "The message")?;
    Ok(http::json(StatusCode::OK, &chat::change(app, &caller, id, message, None).await?))
}

/// Mark read
///
/// Moves the caller's read mark to `seq` (never backwards); the channel's unread count follows.
#[utoipa::path(post, path = "/api/v1/chat/channels/{id}/read", tag = "chat", security(("bearer" = [])),
    params(("id" = String, Path, description = "Channel id")),
    request_body = MarkReadRequest,
    responses(
        (status = 204),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json"),
    ))]
pub async fn mark_read(app: &App, req: &Request) -> HandlerResult {
    let caller = chatter(req)?;
    let id = channel_id(req)?;
    let body: MarkReadRequest = http::json_body(req)?;
    chat::mark_read(app, &caller, id, body).await?;
    Ok(http::no_content())
}
