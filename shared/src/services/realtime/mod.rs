//! Real-time collaboration over the WebSocket API: connections, presence, typing, soft claims, and
//! pushing frames to sockets through API Gateway's management API. docs/realtime.md is the protocol.
//!
//! - [`socket`]: what the WebSocket function does on connect, disconnect and each client action.
//! - [`fanout`]: the outbox consumer that pushes committed ticket events to the sockets allowed them.
//! - [`online_time`]: presence ticks joined into each member's online time per report day.
//! - this module: frames, presence state, and delivery (a gone connection is deleted on the spot).

pub mod fanout;
pub mod online_time;
pub mod socket;

use serde_json::{Value, json};

use crate::adapters::SocketError;
use crate::app::App;
use crate::domain::ids::{TicketId, UserId};
use crate::storage::{StoreError, TenantScope, realtime::Connection};

/// A socket is present while it heartbeats; this long after its last heartbeat it is not.
pub const PRESENCE_TTL_SECONDS: i64 = 60;
/// How often clients are asked to heartbeat (a third of the TTL: two may be lost).
pub const HEARTBEAT_SECONDS: i64 = 20;
/// A typing indicator lapses this long after the last `typing` frame.
pub const TYPING_SECONDS: i64 = 8;
/// Claims last this long unless the claimer asks otherwise (1 to [`MAX_CLAIM_MINUTES`]).
pub const DEFAULT_CLAIM_MINUTES: i64 = 15;
pub const MAX_CLAIM_MINUTES: i64 = 60;
/// Client frames above this size get a `frame_too_large` error (API Gateway's own frame size).
pub const MAX_FRAME_BYTES: usize = 32 * 1024;

/// An error frame: the socket stays open.
pub fn error_frame(code: &str, message: impl Into<String>, reference: Option<&str>) -> Value {
    let mut frame = json!({"type": "error", "code": code, "message": message.into()});
    if let Some(reference) = reference {
        frame["ref"] = reference.into();
    }
    frame
}

/// The distinct members with a live connection, sorted.
pub fn online(connections: &[Connection], now: i64) -> Vec<UserId> {
    let mut users: Vec<UserId> = connections.iter().filter(|c| c.is_live(now)).map(|c| c.user_id).collect();
    users.sort();
    users.dedup();
    users
}

/// Who has a ticket open, and who is typing a reply there.
pub fn ticket_presence(connections: &[Connection], ticket: TicketId, now: i64) -> Value {
    let mut viewers: Vec<UserId> =
        connections.iter().filter(|c| c.is_live(now) && c.is_subscribed(ticket)).map(|c| c.user_id).collect();
    viewers.sort();
    viewers.dedup();
    let mut typing: Vec<UserId> =
        connections.iter().filter(|c| c.is_live(now) && c.is_typing_on(ticket, now)).map(|c| c.user_id).collect();
    typing.sort();
    typing.dedup();
    json!({"type": "ticket.presence", "ticket_id": ticket, "viewers": viewers, "typing": typing})
}

/// What a broadcast did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub delivered: usize,
    /// Connections API Gateway no longer knows (their items were deleted).
    pub gone: usize,
    pub failed: usize,
}

/// A connection younger than this that answers 410 is left alone: API Gateway answers 410 until the
/// handshake completes, and `$connect` stores the connection just before that.
pub const HANDSHAKE_GRACE_SECONDS: i64 = 10;

/// Posts `frame` to one connection. A gone connection (410) is deleted, as API Gateway will never
/// know it again; other failures are logged and counted: a live client catches up by refetching.
pub async fn post(
    app: &App,
    scope: &TenantScope,
    connection: &Connection,
    frame: &Value,
) -> Result<Delivery, StoreError> {
    let connection_id = connection.connection_id.as_str();
    match app.sockets.post_to_connection(connection_id, frame).await {
        Ok(()) => Ok(Delivery { delivered: 1, ..Delivery::default() }),
        Err(SocketError::NotConfigured) => Ok(Delivery::default()),
        Err(SocketError::Gone) => {
            let age = app.clock.now().as_second() - connection.connected_at.as_second();
            if age >= HANDSHAKE_GRACE_SECONDS {
                app.store.delete_connection(scope, connection_id).await?;
            }
            Ok(Delivery { gone: 1, ..Delivery::default() })
        }
        Err(err @ SocketError::Backend(_)) => {
            tracing::warn!(error = %err, %connection_id, "posting to a socket failed");
            Ok(Delivery { failed: 1, ..Delivery::default() })
        }
    }
}

/// Posts `frame` to each of `connections` at once.
pub async fn broadcast<'a>(
    app: &App,
    scope: &TenantScope,
    connections: impl IntoIterator<Item = &'a Connection>,
    frame: &Value,
) -> Result<Delivery, StoreError> {
    let posts = connections.into_iter().map(|connection| post(app, scope, connection, frame));
    let mut total = Delivery::default();
    for result in futures::future::join_all(posts).await {
        let one = result?;
        total.delivered += one.delivered;
        total.gone += one.gone;
        total.failed += one.failed;
    }
    Ok(total)
}

/// Tells every live socket (but `except`) who is online now.
pub async fn announce_online(
    app: &App,
    scope: &TenantScope,
    connections: &[Connection],
    except: Option<&str>,
    now: i64,
) -> Result<Delivery, StoreError> {
    let frame = json!({"type": "presence", "online": online(connections, now)});
    let targets = connections.iter().filter(|c| c.is_live(now) && Some(c.connection_id.as_str()) != except);
    broadcast(app, scope, targets, &frame).await
}

/// Tells the sockets subscribed to `ticket` (but `except`) who views and types there now.
pub async fn announce_ticket_presence(
    app: &App,
    scope: &TenantScope,
    connections: &[Connection],
    ticket: TicketId,
    except: Option<&str>,
    now: i64,
) -> Result<Delivery, StoreError> {
    let frame = ticket_presence(connections, ticket, now);
    let targets = connections
        .iter()
        .filter(|c| c.is_live(now) && c.is_subscribed(ticket) && Some(c.connection_id.as_str()) != except);
    broadcast(app, scope, targets, &frame).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::rbac::Role;
    use jiff::Timestamp;

    fn connection(user: UserId, expires_at: i64, subscriptions: Vec<TicketId>) -> Connection {
        Connection {
            connection_id: uuid::Uuid::new_v4().to_string(),
            user_id: user,
            role: Role::Agent,
            connected_at: Timestamp::from_second(0).unwrap(),
            expires_at,
            subscriptions,
            typing_ticket: None,
            typing_until: None,
        }
    }

    #[test]
    fn presence_counts_live_connections_once_per_member() {
        let (a, b, c) = (UserId::generate(), UserId::generate(), UserId::generate());
        let ticket = TicketId::generate();
        let mut typing = connection(b, 200, vec![ticket]);
        typing.typing_ticket = Some(ticket);
        typing.typing_until = Some(150);
        let connections = vec![
            connection(a, 200, vec![ticket]),
            connection(a, 200, vec![]),
            typing,
            connection(c, 99, vec![ticket]), // crashed: its heartbeat lapsed
        ];
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(online(&connections, 100), expected);
        let presence = ticket_presence(&connections, ticket, 100);
        assert_eq!(presence["viewers"].as_array().unwrap().len(), 2);
        assert_eq!(presence["typing"], json!([b]));
        let later = ticket_presence(&connections, ticket, 151);
        assert_eq!(later["typing"], json!([]), "typing lapses by itself");
    }
}
