//! What a delivery carries: the Standard Webhooks JSON body for endpoints, Slack blocks for Slack.

use serde_json::{Value, json};

use crate::domain::events::EventKind;
use crate::domain::ids::WorkspaceId;
use crate::storage::events::Event;

/// `{"type", "timestamp", "data"}` as Standard Webhooks recommends; `data` is the event as the activity
/// log holds it, with the workspace it belongs to.
pub fn webhook_body(workspace: WorkspaceId, event: &Event) -> String {
    webhook_value(workspace, event).to_string()
}

/// For REST-hook subscribers (Zapier): the webhook body with the event's id also at the top, where
/// Zapier finds the `id` it dedupes on, and the record as the change left it (`after`) beside it, so a
/// Zap maps its fields without digging.
pub fn rest_hook_body(workspace: WorkspaceId, event: &Event) -> String {
    let mut body = webhook_value(workspace, event);
    body["id"] = json!(event.id);
    body["record"] = event.after.clone().unwrap_or(Value::Null);
    body.to_string()
}

fn webhook_value(workspace: WorkspaceId, event: &Event) -> Value {
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
            "deal_id": event.deal_id,
            "internal": event.internal,
            // Ticket events: the ticket's version after the change, to order a ticket's events by.
            "ticket_version": event.ticket_version,
            "before": event.before,
            "after": event.after,
        },
    })
}

/// What a Slack connection can subscribe to: each is fed by one kind of event, under a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlackEventType {
    UrgentTicketCreated,
    SlaBreached,
    TicketAssigned,
    DealWon,
    DealLost,
    LeadCreated,
    LeadAssigned,
}

impl SlackEventType {
    pub const ALL: [SlackEventType; 7] = [
        SlackEventType::UrgentTicketCreated,
        SlackEventType::SlaBreached,
        SlackEventType::TicketAssigned,
        SlackEventType::DealWon,
        SlackEventType::DealLost,
        SlackEventType::LeadCreated,
        SlackEventType::LeadAssigned,
    ];

    /// The name a connection subscribes with, e.g. "ticket.urgent_created".
    pub fn as_str(self) -> &'static str {
        match self {
            SlackEventType::UrgentTicketCreated => "ticket.urgent_created",
            SlackEventType::SlaBreached => "sla.breached",
            SlackEventType::TicketAssigned => "ticket.assigned",
            SlackEventType::DealWon => "deal.won",
            SlackEventType::DealLost => "deal.lost",
            SlackEventType::LeadCreated => "lead.created",
            SlackEventType::LeadAssigned => "lead.assigned",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            SlackEventType::UrgentTicketCreated => "An urgent ticket was opened",
            SlackEventType::SlaBreached => "A ticket's SLA target was missed",
            SlackEventType::TicketAssigned => "A ticket was assigned",
            SlackEventType::DealWon => "A deal was won",
            SlackEventType::DealLost => "A deal was lost",
            SlackEventType::LeadCreated => "A sales lead came in",
            SlackEventType::LeadAssigned => "A lead was assigned to someone",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The Slack subscription an event answers to, if any.
    pub fn of(event: &Event) -> Option<Self> {
        use EventKind::*;
        match event.kind {
            TicketCreated => {
                (after(event, "priority") == Some("urgent")).then_some(SlackEventType::UrgentTicketCreated)
            }
            SlaBreached => Some(SlackEventType::SlaBreached),
            TicketAssigned => Some(SlackEventType::TicketAssigned),
            DealWon => Some(SlackEventType::DealWon),
            DealLost => Some(SlackEventType::DealLost),
            LeadCreated => Some(SlackEventType::LeadCreated),
            LeadAssigned => (after(event, "owner_id").is_some()).then_some(SlackEventType::LeadAssigned),
            WorkspaceCreated
            | WorkspacePlanChanged
            | WorkspaceStandingChanged
            | UserCreated
            | UserUpdated
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | SettingsCategoriesUpdated
            | SettingsReportsUpdated
            | SettingsEmailUpdated
            | EmailRejected
            | MessageDeliveryUpdated
            | SettingsSlaPolicyUpdated
            | ApiKeyCreated
            | ApiKeyRevoked
            | ApiKeyRotated
            | TicketUpdated
            | TicketCustomerChanged
            | MessageCreated
            | AttachmentAdded
            | CustomerCreated
            | CustomerUpdated
            | CustomerMerged
            | CustomerMergeCompleted
            | SlaAtRisk
            | SlaMet
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | WebhookSecretRotated
            | WebhookEndpointPaused
            | WebhookEndpointResumed
            | LeadCaptureEndpointCreated
            | LeadCaptureEndpointUpdated
            | LeadCaptureEndpointDeleted
            | ViewCreated
            | ViewUpdated
            | ViewDeleted
            | MacroCreated
            | MacroUpdated
            | MacroDeleted
            | TicketMacroApplied
            | TicketMerged
            | TicketDuplicateMerged
            | TicketFollowersChanged
            | PipelineCreated
            | PipelineUpdated
            | DealCreated
            | DealUpdated
            | DealStageChanged
            | DealAssigned
            | DealDeleted
            | LeadUpdated
            | LeadStatusChanged
            | LeadConverted
            | LeadMerged
            | LeadNoteAdded
            | CustomerNoteAdded
            | DealNoteAdded
            | LeadDeleted
            | LeadStatusesUpdated
            | ActivityCreated
            | ActivityUpdated
            | ActivityCompleted
            | ActivityDeleted
            | DealReopened
            | CompanyCreated
            | CompanyUpdated
            | CompanyDeleted
            | CompanyNoteAdded
            | ChatMentioned => None,
        }
    }
}

/// "Ada Lovelace (Analytical Engines), from web_form" from a lead event's state after the change.
fn lead_line(event: &Event) -> String {
    let name = after(event, "name").unwrap_or("—");
    let company = after(event, "company").map(|company| format!(" ({company})")).unwrap_or_default();
    let source = after(event, "source").map(|source| format!(", from {source}")).unwrap_or_default();
    format!("{name}{company}{source}")
}

fn after<'e>(event: &'e Event, field: &str) -> Option<&'e str> {
    event.after.as_ref().and_then(|after| after.get(field)).and_then(Value::as_str)
}

/// A deal's title and value as a Slack line: "Acme renewal, 1250.00 EUR".
fn deal_line(event: &Event) -> String {
    let title = after(event, "title").unwrap_or("—");
    let value = event.after.as_ref().and_then(|after| after.get("value")).and_then(Value::as_i64);
    let currency = after(event, "currency");
    match (value, currency.and_then(|code| crate::domain::deals::Currency::parse(code).ok())) {
        (Some(value), Some(currency)) => {
            let exponent = u32::from(currency.exponent());
            let unit = 10i64.pow(exponent);
            let width = exponent as usize;
            if exponent == 0 {
                format!("{title}, {value} {currency}")
            } else {
                format!("{title}, {}.{:0width$} {currency}", value / unit, value % unit)
            }
        }
        _ => title.to_owned(),
    }
}

/// A Slack message in block format: a header line and the facts of the event.
pub fn slack_body(event: &Event, slack_type: SlackEventType) -> String {
    let title = match slack_type {
        SlackEventType::UrgentTicketCreated => {
            format!(":rotating_light: Urgent ticket: {}", after(event, "subject").unwrap_or("—"))
        }
        SlackEventType::SlaBreached => ":alarm_clock: SLA breached".to_owned(),
        SlackEventType::TicketAssigned => ":bust_in_silhouette: Ticket assigned".to_owned(),
        SlackEventType::DealWon => format!(":trophy: Deal won: {}", deal_line(event)),
        SlackEventType::DealLost => {
            format!(":x: Deal lost: {} (reason: {})", deal_line(event), after(event, "lost_reason").unwrap_or("—"))
        }
        SlackEventType::LeadCreated => format!(":seedling: New lead: {}", lead_line(event)),
        SlackEventType::LeadAssigned => format!(":handshake: Lead assigned: {}", lead_line(event)),
    };
    let about = match (event.ticket_id, event.deal_id, event.subject.strip_prefix("lead/")) {
        (Some(ticket), _, _) => format!("Ticket `{ticket}`"),
        (None, Some(deal), _) => format!("Deal `{deal}`"),
        (None, None, Some(lead)) => format!("Lead `{lead}`"),
        (None, None, None) => "—".to_owned(),
    };
    json!({
        "text": title,
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": format!("*{title}*")}},
            {"type": "context", "elements": [
                {"type": "mrkdwn", "text": format!("{about} · {} · {}", event.kind, event.at)},
            ]},
        ],
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn event(kind: EventKind, after: Value) -> Event {
        Event::new(kind, None, "ticket/x".into(), Timestamp::from_second(1_800_000_000).unwrap())
            .with_change(None, Some(after))
    }

    #[test]
    fn the_body_carries_type_timestamp_and_data() {
        let event = event(EventKind::TicketCreated, json!({"subject": "Help"}));
        let body: Value = serde_json::from_str(&webhook_body(WorkspaceId::generate(), &event)).unwrap();
        assert_eq!(body["type"], "ticket.created");
        assert_eq!(body["timestamp"], "2027-01-15T08:00:00Z");
        assert_eq!(body["data"]["id"], event.id.to_string());
        assert_eq!(body["data"]["after"]["subject"], "Help");
    }

    #[test]
    fn only_urgent_tickets_reach_the_urgent_slack_subscription() {
        assert_eq!(
            SlackEventType::of(&event(EventKind::TicketCreated, json!({"priority": "urgent"}))),
            Some(SlackEventType::UrgentTicketCreated)
        );
        assert_eq!(SlackEventType::of(&event(EventKind::TicketCreated, json!({"priority": "high"}))), None);
        assert_eq!(SlackEventType::of(&event(EventKind::SlaBreached, json!({}))), Some(SlackEventType::SlaBreached));
        let body: Value = serde_json::from_str(&slack_body(
            &event(EventKind::TicketCreated, json!({"subject": "Down!"})),
            SlackEventType::UrgentTicketCreated,
        ))
        .unwrap();
        assert!(body["text"].as_str().unwrap().contains("Down!"));
        assert_eq!(body["blocks"][0]["type"], "section");
    }

    #[test]
    fn new_and_assigned_leads_reach_slack_with_who_and_where_from() {
        let created = Event::new(EventKind::LeadCreated, None, "lead/abc".into(), Timestamp::UNIX_EPOCH)
            .with_change(None, Some(json!({"name": "Ada", "company": "Engines", "source": "referral"})));
        assert_eq!(SlackEventType::of(&created), Some(SlackEventType::LeadCreated));
        let body: Value = serde_json::from_str(&slack_body(&created, SlackEventType::LeadCreated)).unwrap();
        assert_eq!(body["text"], ":seedling: New lead: Ada (Engines), from referral");
        assert!(body["blocks"][1]["elements"][0]["text"].as_str().unwrap().starts_with("Lead `abc`"));
        let released = event(EventKind::LeadAssigned, json!({"owner_id": null}));
        assert_eq!(SlackEventType::of(&released), None, "a lead left without owner is no news for Slack");
        let assigned = event(EventKind::LeadAssigned, json!({"owner_id": "u1", "name": "Ada"}));
        assert_eq!(SlackEventType::of(&assigned), Some(SlackEventType::LeadAssigned));
    }
}
