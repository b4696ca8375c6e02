//! The live-updates consumer of the outbox: each committed ticket event goes to the workspace's sockets
//! allowed to see it. Inbox events (a ticket created, updated, assigned) go to every socket of the
//! workspace; the rest of a ticket's events (messages, notes, attachments...) to the sockets that
//! subscribed to that ticket. Deal and pipeline events go to every socket allowed to see deals
//! (`sales:read`), so a teammate's kanban follows.
//!
//! Cost per event: one Query of the workspace's connections, then one post per socket (and one delete
//! per socket found gone). Frames of one ticket leave in commit order: the outbox hands events over in
//! stream order and each event's posts finish before the next event's start. Delivery is at least
//! once (a retried batch posts again); frames carry the event id so clients drop repeats.

use serde_json::{Value, json};

use super::{Delivery, broadcast};
use crate::api::EventView;
use crate::app::App;
use crate::domain::rbac::Permission;
use crate::storage::{StoreError, TenantScope, events::Event, realtime::Connection};

/// The frame a ticket event becomes.
pub fn frame(event: &Event) -> Value {
    json!({
        "type": "ticket.event",
        "event_id": event.id,
        "ticket_id": event.ticket_id,
        "ticket_version": event.ticket_version,
        "internal": event.internal,
        "event": EventView::from(event),
    })
}

/// The frame a deal or pipeline event becomes: a teammate's board applies it, or refetches the column
/// when the deal's version jumps.
pub fn sales_frame(event: &Event) -> Value {
    json!({
        "type": "deal.event",
        "event_id": event.id,
        "deal_id": event.deal_id,
        "event": EventView::from(event),
    })
}

/// Whether `connection` may receive `event`.
pub fn entitled(connection: &Connection, event: &Event, now: i64) -> bool {
    if event.kind.reaches_sales_boards() {
        return connection.is_live(now) && connection.role.can(Permission::SalesRead);
    }
    let Some(ticket) = event.ticket_id else { return false };
    if !connection.is_live(now) || !connection.role.can(Permission::TicketsRead) {
        return false;
    }
    event.kind.reaches_every_inbox() || connection.is_subscribed(ticket)
}

/// Pushes one committed event to the sockets entitled to it.
pub async fn deliver_event(app: &App, scope: &TenantScope, event: &Event) -> Result<Delivery, StoreError> {
    let sales = event.kind.reaches_sales_boards();
    if !app.sockets.is_configured() || (event.ticket_id.is_none() && !sales) {
        return Ok(Delivery::default());
    }
    let now = app.clock.now().as_second();
    let connections = app.store.workspace_connections(scope).await?;
    let targets = connections.iter().filter(|connection| entitled(connection, event, now));
    let frame = if sales { sales_frame(event) } else { frame(event) };
    broadcast(app, scope, targets, &frame).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        events::EventKind,
        ids::{CustomerId, TicketId, UserId},
        rbac::Role,
    };
    use jiff::Timestamp;

    fn connection(subscriptions: Vec<TicketId>) -> Connection {
        Connection {
            connection_id: "c".into(),
            user_id: UserId::generate(),
            role: Role::Agent,
            connected_at: Timestamp::from_second(0).unwrap(),
            expires_at: 100,
            subscriptions,
            typing_ticket: None,
            typing_until: None,
        }
    }

    #[test]
    fn inbox_events_reach_everyone_and_the_rest_only_subscribers() {
        let ticket = TicketId::generate();
        let at = Timestamp::from_second(10).unwrap();
        let updated =
            Event::new(EventKind::TicketUpdated, None, "t".into(), at).about_ticket(ticket, CustomerId::generate());
        let message =
            Event::new(EventKind::MessageCreated, None, "t".into(), at).about_ticket(ticket, CustomerId::generate());
        let (watching, elsewhere) = (connection(vec![ticket]), connection(vec![TicketId::generate()]));
        assert!(entitled(&watching, &updated, 50) && entitled(&elsewhere, &updated, 50));
        assert!(entitled(&watching, &message, 50));
        assert!(!entitled(&elsewhere, &message, 50));
        assert!(!entitled(&watching, &message, 100), "a socket whose heartbeats stopped gets nothing");
        let not_a_ticket = Event::new(EventKind::CustomerCreated, None, "c".into(), at);
        assert!(!entitled(&watching, &not_a_ticket, 50));
    }

    #[test]
    fn deal_events_reach_every_socket_that_may_see_deals() {
        let at = Timestamp::from_second(10).unwrap();
        let moved = Event::new(EventKind::DealStageChanged, None, "deal/x".into(), at)
            .about_deal(crate::domain::ids::DealId::generate());
        let agent = connection(vec![]);
        assert!(entitled(&agent, &moved, 50));
        assert!(!entitled(&agent, &moved, 100), "not after its heartbeats stopped");
        assert_eq!(sales_frame(&moved)["type"], "deal.event");
        assert_eq!(sales_frame(&moved)["deal_id"], serde_json::json!(moved.deal_id));
    }
}
