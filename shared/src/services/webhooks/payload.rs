//! What a delivery carries: the Standard Webhooks JSON body for endpoints, Slack blocks for Slack.

use serde_json::{Value, json};

use crate::domain::ids::WorkspaceId;
use crate::storage::events::Event;

/// `{"type", "timestamp", "data"}` as Standard Webhooks recommends; `data` is the event as the activity
/// log holds it, with the workspace it belongs to.
pub fn webhook_body(workspace: WorkspaceId, event: &Event) -> String {
    json!({
        "type": event.kind,
        "timestamp": event.at,
        "data": {
            "id": event.id,
            "workspace_id": workspace,
            "subject": event.subject,
            "actor_id": event.actor,
            "ticket_id": event.ticket_id,
            "customer_id": event.customer_id,
            "internal": event.internal,
            "before": event.before,
            "after": event.after,
        },
    })
    .to_string()
}

/// Slack's subscribable events: each names the events that feed it and when.
pub const SLACK_EVENT_TYPES: &[(&str, &str)] = &[
    ("ticket.urgent_created", "An urgent ticket was opened"),
    ("sla.breached", "A ticket's SLA target was missed"),
    ("ticket.assigned", "A ticket was assigned"),
];

/// The Slack subscription an event answers to, if any.
pub fn slack_event_type(event: &Event) -> Option<&'static str> {
    let after = |field: &str| event.after.as_ref().and_then(|after| after.get(field)).and_then(Value::as_str);
    match event.kind.as_str() {
        "ticket.created" if after("priority") == Some("urgent") => Some("ticket.urgent_created"),
        "sla.breached" => Some("sla.breached"),
        "ticket.assigned" => Some("ticket.assigned"),
        _ => None,
    }
}

/// A Slack message in block format: a header line and the facts of the event.
pub fn slack_body(event: &Event, slack_type: &str) -> String {
    let after = |field: &str| {
        event.after.as_ref().and_then(|after| after.get(field)).and_then(Value::as_str).unwrap_or("—").to_owned()
    };
    let title = match slack_type {
        "ticket.urgent_created" => format!(":rotating_light: Urgent ticket: {}", after("subject")),
        "sla.breached" => ":alarm_clock: SLA breached".to_owned(),
        "ticket.assigned" => ":bust_in_silhouette: Ticket assigned".to_owned(),
        other => other.to_owned(),
    };
    let ticket = event.ticket_id.map(|id| id.to_string()).unwrap_or_else(|| "—".to_owned());
    json!({
        "text": title,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{title}*")}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": format!("Ticket `{ticket}` · {} · {}", event.kind, event.at)},
            ]},
        ],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn event(kind: &str, after: Value) -> Event {
        Event::new(kind, None, "ticket/x".into(), Timestamp::from_second(1_800_000_000).unwrap())
            .with_change(None, Some(after))
    }

    #[test]
    fn the_body_carries_type_timestamp_and_data() {
        let event = event("ticket.created", json!({"subject": "Help"}));
        let body: Value = serde_json::from_str(&webhook_body(WorkspaceId::generate(), &event)).unwrap();
        assert_eq!(body["type"], "ticket.created");
        assert_eq!(body["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(body["data"]["id"], event.id.to_string());
        assert_eq!(body["data"]["after"]["subject"], "Help");
    }

    #[test]
    fn only_urgent_tickets_reach_the_urgent_slack_subscription() {
        assert_eq!(
            slack_event_type(&event("ticket.created", json!({"priority": "urgent"}))),
            Some("ticket.urgent_created")
        );
        assert_eq!(slack_event_type(&event("ticket.created", json!({"priority": "high"}))), None);
        assert_eq!(slack_event_type(&event("sla.breached", json!({}))), Some("sla.breached"));
        let body: Value = serde_json::from_str(&slack_body(
            &event("ticket.created", json!({"subject": "Down!"})),
            "ticket.urgent_created",
        ))
        .unwrap();
        assert!(body["text"].as_str().unwrap().contains("Down!"));
        assert_eq!(body["blocks"][0]["type"], "section");
    }
}
