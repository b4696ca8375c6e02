//! Notifications to the customer by e-mail: "received" when their e-mail opened a ticket (with the
//! ticket's reference, so they can write again on the same thread) and "solved" when a ticket that came
//! in by e-mail is solved, each per the workspace's template and switch.
//!
//! They take the replies' path: the outbox consumer, on the committed `ticket.created` or
//! `ticket.updated` event, fills in the template and records the mail `queued` in the ticket's
//! conversation under an id derived from the event (a redelivered event finds it and records nothing
//! new), then the e-mail sender claims and sends it once and SES's notices move its delivery state.
//!
//! Never to a sender that is a machine (`no-reply@`, `mailer-daemon@`) or one of our own addresses.
//! Auto-responders, bulk and list mail and loops are refused by the inbound path before they open a
//! ticket, so they never get here.

use super::ServiceResult;
use super::email_outbound::{outbound_entry, record_and_queue};
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::ids::MessageId;
use crate::domain::mail_template::{self, NotificationKind, Values};
use crate::domain::ticket::Status;
use crate::storage::mail_thread::{Direction, NotificationMail};
use crate::storage::{TenantScope, events::Event};

/// The notification an event calls for, if any.
fn kind_of(event: &Event) -> Option<NotificationKind> {
    let status = |value: &Option<serde_json::Value>| {
        value
            .as_ref()
            .and_then(|value| value.get("status"))
            .and_then(|status| serde_json::from_value::<Status>(status.clone()).ok())
    };
    match event.kind {
        // Opened by the inbound path, which acts as nobody.
        EventKind::TicketCreated if event.actor.is_none() => Some(NotificationKind::Received),
        EventKind::TicketUpdated
            if status(&event.after) == Some(Status::Solved) && status(&event.before) != Some(Status::Solved) =>
        {
            Some(NotificationKind::Solved)
        }
        _ => None,
    }
}

/// Queues the notification a committed event calls for, once.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    let (Some(kind), Some(ticket_id)) = (kind_of(event), event.ticket_id) else { return Ok(()) };
    if app.config.email_queue_url.is_none() {
        return Ok(());
    }
    let Some(ticket) = app.store.get_ticket(scope, ticket_id).await? else { return Ok(()) };
    if ticket.channel != "email" {
        return Ok(());
    }
    // No settings: the workspace never used its e-mail channel.
    let Some(settings) = app.store.get_email_settings(scope).await? else { return Ok(()) };
    let template = settings.notifications.of(kind);
    if !template.enabled {
        return Ok(());
    }
    if kind == NotificationKind::Received {
        // Only a ticket a customer's e-mail opened (its first message is in the conversation).
        let conversation = app.store.list_thread(scope, ticket_id).await?;
        if !conversation.iter().any(|mail| mail.direction == Direction::Inbound) {
            return Ok(());
        }
    }
    let Some(customer) = app.store.get_customer(scope, ticket.customer_id).await? else { return Ok(()) };
    if !mail_template::may_notify(customer.email.as_str()) || super::email::is_ours(app, &settings, &customer.email) {
        tracing::info!(%ticket_id, ?kind, "no notification for a machine or our own address");
        return Ok(());
    }
    let workspace = app.store.get_workspace(scope).await?;
    let values = Values {
        ticket_reference: ticket.number.map(|number| format!("[#{number}]")).unwrap_or_default(),
        ticket_number: ticket.number.map(|number| number.to_string()).unwrap_or_default(),
        ticket_subject: ticket.subject.clone(),
        customer_name: customer.name.clone().unwrap_or_else(|| customer.email.to_string()),
        workspace_name: workspace.map(|workspace| workspace.name.as_str().to_owned()).unwrap_or_default(),
    };
    let (subject, text) = template.render(&values);
    let notification = NotificationMail { kind, subject, text };
    let entry = outbound_entry(
        ticket_id,
        MessageId::of_notification(event.id),
        customer.id,
        customer.email.to_string(),
        Some(notification),
        event.at,
    );
    record_and_queue(app, scope, &entry).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use serde_json::json;

    fn event(kind: EventKind, before: &str, after: &str) -> Event {
        Event::new(kind, None, "ticket/t".into(), Timestamp::UNIX_EPOCH)
            .with_change(Some(json!({"status": before})), Some(json!({"status": after})))
    }

    #[test]
    fn solving_calls_for_the_solved_notification_once() {
        assert_eq!(kind_of(&event(EventKind::TicketUpdated, "open", "solved")), Some(NotificationKind::Solved));
        assert_eq!(kind_of(&event(EventKind::TicketUpdated, "pending", "solved")), Some(NotificationKind::Solved));
        assert_eq!(kind_of(&event(EventKind::TicketUpdated, "solved", "solved")), None);
        assert_eq!(kind_of(&event(EventKind::TicketUpdated, "solved", "closed")), None);
        assert_eq!(kind_of(&event(EventKind::TicketUpdated, "open", "pending")), None);
    }

    #[test]
    fn only_tickets_opened_by_nobody_call_for_the_received_notification() {
        let created = Event::new(EventKind::TicketCreated, None, "ticket/t".into(), Timestamp::UNIX_EPOCH);
        assert_eq!(kind_of(&created), Some(NotificationKind::Received));
        let by_agent = Event { actor: Some(crate::domain::ids::UserId::generate()), ..created };
        assert_eq!(kind_of(&by_agent), None);
    }
}
