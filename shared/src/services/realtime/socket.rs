//! The WebSocket function's work: `$connect` stores the connection, `$disconnect` removes it, and each
//! client frame (`{"action": ...}`) gets exactly one reply frame; what others must see is broadcast.

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    DEFAULT_CLAIM_MINUTES, HEARTBEAT_SECONDS, MAX_CLAIM_MINUTES, MAX_FRAME_BYTES, PRESENCE_TTL_SECONDS, TYPING_SECONDS,
    announce_online, announce_ticket_presence, broadcast, error_frame, online, ticket_presence,
};
use crate::api::ClaimView;
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    ids::{TicketId, UserId},
    rbac::Permission,
};
use crate::storage::{
    StoreError, TenantScope,
    realtime::{Claim, ClaimMode, Connection, Release},
};

/// Stores a new connection and tells the workspace's other sockets who is online.
pub async fn connect(app: &App, caller: &MemberPrincipal, connection_id: &str) -> Result<(), StoreError> {
    let scope = caller.scope();
    let now = app.clock.now();
    let connection = Connection {
        connection_id: connection_id.to_owned(),
        user_id: caller.user_id,
        role: caller.role,
        connected_at: now,
        expires_at: now.as_second() + PRESENCE_TTL_SECONDS,
        subscriptions: Vec::new(),
        typing_ticket: None,
        typing_until: None,
    };
    app.store.put_connection(&scope, &connection).await?;
    super::online_time::tick(app, &scope, caller.user_id).await;
    let connections = app.store.workspace_connections(&scope).await?;
    // The new socket itself cannot be posted to before the handshake completes: it asks with `hello`.
    announce_online(app, &scope, &connections, Some(connection_id), now.as_second()).await?;
    Ok(())
}

/// Removes a connection; the others learn who left, and the tickets it had open who views them now.
pub async fn disconnect(app: &App, caller: &MemberPrincipal, connection_id: &str) -> Result<(), StoreError> {
    let scope = caller.scope();
    let Some(gone) = app.store.delete_connection(&scope, connection_id).await? else { return Ok(()) };
    // Online up to the moment the socket closed.
    super::online_time::tick(app, &scope, gone.user_id).await;
    let connections = app.store.workspace_connections(&scope).await?;
    announce_departures(app, &scope, &connections, &[gone]).await
}

/// Closes every socket of a member whose access changed (deactivated, or given another role): their
/// connection records go, API Gateway drops the sockets (DeleteConnection), and the others learn who
/// left. A member still allowed in reconnects, and the authorizer gives the new socket their role now.
pub async fn close_member_sockets(app: &App, scope: &TenantScope, user: UserId) -> Result<usize, StoreError> {
    let connections = app.store.workspace_connections(scope).await?;
    let (theirs, remaining): (Vec<Connection>, Vec<Connection>) =
        connections.into_iter().partition(|connection| connection.user_id == user);
    for connection in &theirs {
        app.store.delete_connection(scope, &connection.connection_id).await?;
        if let Err(err) = app.sockets.close_connection(&connection.connection_id).await {
            // The record is gone, so nothing is pushed to it any more; the socket lapses by itself.
            tracing::warn!(error = %err, connection_id = %connection.connection_id, "could not close a socket");
        }
    }
    if !theirs.is_empty() {
        announce_departures(app, scope, &remaining, &theirs).await?;
    }
    Ok(theirs.len())
}

/// Closes every socket of the workspace (it was suspended): records removed, DeleteConnection for each.
/// Nobody is left to tell who left.
pub async fn close_workspace_sockets(app: &App, scope: &TenantScope) -> Result<usize, StoreError> {
    let connections = app.store.workspace_connections(scope).await?;
    for connection in &connections {
        app.store.delete_connection(scope, &connection.connection_id).await?;
        if let Err(err) = app.sockets.close_connection(&connection.connection_id).await {
            tracing::warn!(error = %err, connection_id = %connection.connection_id, "could not close a socket");
        }
    }
    Ok(connections.len())
}

async fn announce_departures(
    app: &App,
    scope: &TenantScope,
    remaining: &[Connection],
    gone: &[Connection],
) -> Result<(), StoreError> {
    let now = app.clock.now().as_second();
    announce_online(app, scope, remaining, None, now).await?;
    let mut tickets: Vec<TicketId> = gone.iter().flat_map(|c| c.subscriptions.iter().copied()).collect();
    tickets.sort();
    tickets.dedup();
    for ticket in tickets {
        announce_ticket_presence(app, scope, remaining, ticket, None, now).await?;
    }
    Ok(())
}

/// The fields any action may carry; each action reads those it needs.
#[derive(Debug, Deserialize)]
struct ClientFrame {
    action: String,
    #[serde(default)]
    ticket_id: Option<String>,
    #[serde(default)]
    typing: Option<bool>,
    #[serde(default)]
    minutes: Option<i64>,
    #[serde(default)]
    take_over: bool,
}

/// What a client frame may ask for: each is a route key of the WebSocket API beside `$connect`,
/// `$disconnect` and `$default`. A closed set, so the dispatch below handles every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Hello,
    Heartbeat,
    Subscribe,
    Unsubscribe,
    Typing,
    Claim,
    Release,
}

impl Action {
    pub const ALL: [Action; 7] = [
        Action::Hello,
        Action::Heartbeat,
        Action::Subscribe,
        Action::Unsubscribe,
        Action::Typing,
        Action::Claim,
        Action::Release,
    ];

    /// The `action` field's value (and the WebSocket route key).
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::Hello => "hello",
            Action::Heartbeat => "heartbeat",
            Action::Subscribe => "subscribe",
            Action::Unsubscribe => "unsubscribe",
            Action::Typing => "typing",
            Action::Claim => "claim",
            Action::Release => "release",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == name)
    }
}

/// The action names, in [`Action::ALL`]'s order (the realtime function's route keys read them).
pub const ACTIONS: [&str; Action::ALL.len()] = {
    let mut names = [""; Action::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = Action::ALL[i].as_str();
        i += 1;
    }
    names
};

/// A refusal: becomes an error frame, the socket stays open.
struct Refusal {
    code: &'static str,
    message: String,
    extra: Option<(&'static str, Value)>,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal { code, message: message.into(), extra: None }
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "storage failure on a socket action");
        refuse("internal", "Something went wrong on our side; try again.")
    }
}

/// Handles one client frame; returns the reply frame for this socket.
pub async fn message(app: &App, caller: &MemberPrincipal, connection_id: &str, body: &str) -> Value {
    // Read before the size check only to echo `ref` on the refusal: API Gateway caps a message at
    // 128 KB, so parsing an oversized frame stays cheap.
    let raw: Value = match serde_json::from_str(body) {
        Ok(raw) => raw,
        Err(err) => return error_frame("malformed_frame", format!("A frame must be a JSON object: {err}"), None),
    };
    let reference = raw.get("ref").and_then(Value::as_str).map(|r| r.chars().take(64).collect::<String>());
    if body.len() > MAX_FRAME_BYTES {
        let message = format!("Frames are limited to {MAX_FRAME_BYTES} bytes; this one has {}.", body.len());
        return error_frame("frame_too_large", message, reference.as_deref());
    }
    let frame: ClientFrame = match serde_json::from_value(raw) {
        Ok(frame) => frame,
        Err(err) => {
            return error_frame(
                "malformed_frame",
                format!("A frame is {{\"action\": \"<name>\", ...}}: {err}"),
                reference.as_deref(),
            );
        }
    };
    let result = match Action::parse(&frame.action) {
        Some(Action::Hello) => hello(app, caller, connection_id).await,
        Some(Action::Heartbeat) => heartbeat(app, caller, connection_id).await,
        Some(Action::Subscribe) => subscribe(app, caller, connection_id, &frame).await,
        Some(Action::Unsubscribe) => unsubscribe(app, caller, connection_id, &frame).await,
        Some(Action::Typing) => typing(app, caller, connection_id, &frame).await,
        Some(Action::Claim) => claim(app, caller, connection_id, &frame).await,
        Some(Action::Release) => release(app, caller, connection_id, &frame).await,
        None => Err(refuse(
            "unknown_action",
            format!("There is no action {:?}; the actions are {}.", frame.action, ACTIONS.join(", ")),
        )),
    };
    let mut reply = match result {
        Ok(reply) => reply,
        Err(refusal) => {
            let mut reply = error_frame(refusal.code, refusal.message, None);
            reply["action"] = frame.action.clone().into();
            if let Some((name, value)) = refusal.extra {
                reply[name] = value;
            }
            reply
        }
    };
    if let Some(reference) = reference {
        reply["ref"] = reference.into();
    }
    reply
}

fn ticket_id(frame: &ClientFrame) -> Result<TicketId, Refusal> {
    let raw = frame.ticket_id.as_deref().ok_or_else(|| refuse("invalid_frame", "ticket_id is required"))?;
    raw.parse().map_err(|_| refuse("invalid_frame", "ticket_id is not a valid id"))
}

/// The ticket, if it exists in the caller's workspace (another workspace's id is simply not found).
async fn existing_ticket(app: &App, scope: &TenantScope, ticket: TicketId) -> Result<u64, Refusal> {
    match app.store.get_ticket(scope, ticket).await? {
        Some(found) => Ok(found.version),
        None => Err(refuse("not_found", "The ticket was not found")),
    }
}

/// The socket's greeting: who is online, and the claims the member holds, whichever connection or
/// session made them (a claim is the member's, not the socket's).
async fn hello(app: &App, caller: &MemberPrincipal, connection_id: &str) -> Result<Value, Refusal> {
    let connections = app.store.workspace_connections(&caller.scope()).await?;
    let claims = app.store.member_claims(&caller.scope(), caller.user_id, app.clock.now().as_second()).await?;
    Ok(json!({
        "claims": claims.iter().map(ClaimView::from).collect::<Vec<_>>(),
        "type": "welcome",
        "connection_id": connection_id,
        "user_id": caller.user_id,
        "workspace_id": caller.workspace_id,
        "online": online(&connections, app.clock.now().as_second()),
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "presence_ttl_seconds": PRESENCE_TTL_SECONDS,
    }))
}

/// Keeps the socket present; sweeps connections whose heartbeats stopped (crashed clients) and tells
/// the others; answers with who is online.
async fn heartbeat(app: &App, caller: &MemberPrincipal, connection_id: &str) -> Result<Value, Refusal> {
    let scope = caller.scope();
    let now = app.clock.now();
    let expires_at = now.as_second() + PRESENCE_TTL_SECONDS;
    if app.store.touch_connection(&scope, connection_id, expires_at).await?.is_none() {
        // Swept while the socket was quiet for too long, or removed because the member's access
        // changed: only a member still active with the same role is present again (unsubscribed).
        let member = app.store.get_member(&scope, caller.user_id).await?;
        if !member.is_some_and(|member| member.is_active() && member.role == caller.role) {
            if let Err(err) = app.sockets.close_connection(connection_id).await {
                tracing::warn!(error = %err, connection_id, "could not close a socket");
            }
            return Err(refuse("connection_unknown", "This connection is no longer registered; reconnect."));
        }
        connect(app, caller, connection_id).await?;
    }
    super::online_time::tick(app, &scope, caller.user_id).await;
    let connections = app.store.workspace_connections(&scope).await?;
    let (live, stale): (Vec<Connection>, Vec<Connection>) =
        connections.into_iter().partition(|c| c.is_live(now.as_second()));
    if !stale.is_empty() {
        for connection in &stale {
            app.store.delete_connection(&scope, &connection.connection_id).await?;
        }
        announce_departures(app, &scope, &live, &stale).await?;
    }
    Ok(json!({"type": "pong", "online": online(&live, now.as_second()), "expires_at": expires_at}))
}

async fn subscribe(
    app: &App,
    caller: &MemberPrincipal,
    connection_id: &str,
    frame: &ClientFrame,
) -> Result<Value, Refusal> {
    let ticket = ticket_id(frame)?;
    let scope = caller.scope();
    let version = existing_ticket(app, &scope, ticket).await?;
    let now = app.clock.now().as_second();
    if app.store.subscribe(&scope, connection_id, ticket, now + PRESENCE_TTL_SECONDS).await?.is_none() {
        return Err(refuse("connection_unknown", "This connection is not registered; reconnect."));
    }
    let connections = app.store.workspace_connections(&scope).await?;
    announce_ticket_presence(app, &scope, &connections, ticket, Some(connection_id), now).await?;
    let claim = app.store.get_claim(&scope, ticket).await?.filter(|claim| claim.is_active(now));
    let presence = ticket_presence(&connections, ticket, now);
    Ok(json!({
        "type": "subscribed",
        "ticket_id": ticket,
        "ticket_version": version,
        "viewers": presence["viewers"],
        "typing": presence["typing"],
        "claim": claim.as_ref().map(ClaimView::from),
    }))
}

async fn unsubscribe(
    app: &App,
    caller: &MemberPrincipal,
    connection_id: &str,
    frame: &ClientFrame,
) -> Result<Value, Refusal> {
    let ticket = ticket_id(frame)?;
    let scope = caller.scope();
    if app.store.unsubscribe(&scope, connection_id, ticket).await?.is_some() {
        let connections = app.store.workspace_connections(&scope).await?;
        announce_ticket_presence(app, &scope, &connections, ticket, Some(connection_id), app.clock.now().as_second())
            .await?;
    }
    Ok(json!({"type": "unsubscribed", "ticket_id": ticket}))
}

async fn typing(
    app: &App,
    caller: &MemberPrincipal,
    connection_id: &str,
    frame: &ClientFrame,
) -> Result<Value, Refusal> {
    let ticket = ticket_id(frame)?;
    let typing = frame.typing.ok_or_else(|| refuse("invalid_frame", "typing (true or false) is required"))?;
    let scope = caller.scope();
    let now = app.clock.now().as_second();
    let Some(connection) = app.store.get_connection(&scope, connection_id).await? else {
        return Err(refuse("connection_unknown", "This connection is not registered; reconnect."));
    };
    if !connection.is_subscribed(ticket) {
        return Err(refuse("not_subscribed", "Subscribe to the ticket before typing on it."));
    }
    let state = typing.then_some((ticket, now + TYPING_SECONDS));
    app.store.set_typing(&scope, connection_id, state).await?;
    let connections = app.store.workspace_connections(&scope).await?;
    announce_ticket_presence(app, &scope, &connections, ticket, Some(connection_id), now).await?;
    Ok(json!({"type": "typing.ack", "ticket_id": ticket, "typing": typing, "until": state.map(|(_, until)| until)}))
}

/// Claims a ticket for `minutes` (renewing one's own claim). One conditional write decides between
/// concurrent claimers; a member with `tickets:take_over` may take over with `take_over: true`.
async fn claim(
    app: &App,
    caller: &MemberPrincipal,
    connection_id: &str,
    frame: &ClientFrame,
) -> Result<Value, Refusal> {
    let ticket = ticket_id(frame)?;
    if !caller.can(Permission::TicketsWrite) {
        return Err(refuse("forbidden", "Your role cannot work tickets."));
    }
    if frame.take_over && !caller.can(Permission::TicketsTakeOver) {
        return Err(refuse("forbidden", "Your role cannot take over another member's claim."));
    }
    let minutes = frame.minutes.unwrap_or(DEFAULT_CLAIM_MINUTES);
    if !(1..=MAX_CLAIM_MINUTES).contains(&minutes) {
        return Err(refuse("invalid_frame", format!("minutes must be between 1 and {MAX_CLAIM_MINUTES}")));
    }
    let scope = caller.scope();
    existing_ticket(app, &scope, ticket).await?;
    let now: Timestamp = app.clock.now();
    let claim = Claim {
        ticket_id: ticket,
        user_id: caller.user_id,
        claimed_at: now,
        expires_at: now.as_second() + minutes * 60,
    };
    let mode = if frame.take_over { ClaimMode::TakeOver } else { ClaimMode::IfFree };
    match app.store.put_claim(&scope, &claim, mode).await {
        Ok(()) => {}
        Err(StoreError::ConditionFailed(holder)) => {
            let holder: Option<Claim> = holder.and_then(|item| serde_dynamo::from_item(*item).ok());
            return Err(Refusal {
                code: "claim_held",
                message: "Another member holds an active claim on this ticket.".to_owned(),
                extra: Some(("claim", json!(holder.as_ref().map(ClaimView::from)))),
            });
        }
        Err(err) => return Err(err.into()),
    }
    let view = ClaimView::from(&claim);
    announce_claim(app, &scope, ticket, Some(&view), connection_id).await?;
    Ok(json!({"type": "claimed", "ticket_id": ticket, "claim": view}))
}

async fn release(
    app: &App,
    caller: &MemberPrincipal,
    connection_id: &str,
    frame: &ClientFrame,
) -> Result<Value, Refusal> {
    let ticket = ticket_id(frame)?;
    let scope = caller.scope();
    // Only the holder releases a claim, unless the caller may take claims over (then it really goes).
    let holder = if caller.can(Permission::TicketsTakeOver) { None } else { Some(caller.user_id) };
    if let Release::HeldBy(claim) = app.store.delete_claim(&scope, ticket, holder, app.clock.now().as_second()).await? {
        return Err(Refusal {
            code: "claim_held",
            message: "The claim is another member's; only they or a member who may take claims over can release it."
                .to_owned(),
            extra: Some(("claim", json!(claim.as_ref().map(ClaimView::from)))),
        });
    }
    announce_claim(app, &scope, ticket, None, connection_id).await?;
    Ok(json!({"type": "released", "ticket_id": ticket}))
}

/// Tells the ticket's other subscribers who holds it now.
async fn announce_claim(
    app: &App,
    scope: &TenantScope,
    ticket: TicketId,
    claim: Option<&ClaimView>,
    except: &str,
) -> Result<(), StoreError> {
    let now = app.clock.now().as_second();
    let connections = app.store.workspace_connections(scope).await?;
    let frame = json!({"type": "ticket.claim", "ticket_id": ticket, "claim": claim});
    let targets = connections.iter().filter(|c| c.is_live(now) && c.is_subscribed(ticket) && c.connection_id != except);
    broadcast(app, scope, targets, &frame).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_from_its_name_and_names_are_unique() {
        for action in Action::ALL {
            assert_eq!(Action::parse(action.as_str()), Some(action));
        }
        let names: std::collections::BTreeSet<_> = ACTIONS.into_iter().collect();
        assert_eq!(names.len(), Action::ALL.len());
        assert_eq!(Action::parse("Hello"), None, "names are exact");
    }
}
