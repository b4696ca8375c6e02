//! SES's event notifications about the replies we sent (the configuration set's event destination:
//! SNS, then the e-mail events queue): each moves the reply's delivery state on the ticket, with its
//! event, so the agent sees delivered, bounced or complained on the reply, live.
//!
//! The message tags the sender set (workspace, ticket, message) name the reply; SES returns them on
//! every notification. Notifications come more than once and in any order: a state only moves forward
//! ([`DeliveryState::may_become`]), so a repeated or late one changes nothing. One that overtakes the
//! sender's own record of the send (still `sending`) is retried by the queue.

use serde_json::Value;

use super::email_outbound::delivery_event;
use super::{ServiceError, ServiceResult};
use crate::app::App;
use crate::domain::email::DeliveryState;
use crate::domain::ids::{MessageId, TicketId, WorkspaceId};
use crate::storage::TenantScope;
use crate::storage::mail_thread::{DeliveryChange, DeliveryWriteError};

/// What one SES notification says about one message.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryNotice {
    pub workspace: WorkspaceId,
    pub ticket: TicketId,
    pub message: MessageId,
    pub state: DeliveryState,
    pub reason: Option<String>,
}

/// Reads a queue message: an SNS notification whose `Message` is SES's event (or the event itself,
/// with raw message delivery). None for events that move no state (Send, Open, Click, DeliveryDelay)
/// or that name no reply of ours.
pub fn parse_notice(body: &str) -> Result<Option<DeliveryNotice>, String> {
    let outer: Value = serde_json::from_str(body).map_err(|err| format!("not JSON: {err}"))?;
    let event: Value = match outer.get("Message").and_then(Value::as_str) {
        Some(inner) => serde_json::from_str(inner).map_err(|err| format!("the SNS message is not JSON: {err}"))?,
        None => outer,
    };
    // Event publishing says eventType; identity notifications say notificationType.
    let kind = event.get("eventType").or_else(|| event.get("notificationType")).and_then(Value::as_str);
    let (state, reason) = match kind {
        Some("Delivery") => (DeliveryState::Delivered, None),
        Some("Bounce") => {
            let bounce = &event["bounce"];
            let recipient = &bounce["bouncedRecipients"][0];
            let diagnostic = recipient["diagnosticCode"].as_str().or_else(|| recipient["status"].as_str());
            let reason = format!(
                "{} bounce ({}) for {}{}",
                bounce["bounceType"].as_str().unwrap_or("unknown"),
                bounce["bounceSubType"].as_str().unwrap_or("unknown"),
                recipient["emailAddress"].as_str().unwrap_or("a recipient"),
                diagnostic.map(|text| format!(": {text}")).unwrap_or_default()
            );
            (DeliveryState::Bounced, Some(reason))
        }
        Some("Complaint") => {
            let feedback = event["complaint"]["complaintFeedbackType"].as_str().unwrap_or("not given");
            (DeliveryState::Complained, Some(format!("the recipient reported it as spam (feedback: {feedback})")))
        }
        Some("Reject") => {
            let reason = event["reject"]["reason"].as_str().unwrap_or("rejected by SES");
            (DeliveryState::Failed, Some(format!("SES rejected it: {reason}")))
        }
        _ => return Ok(None),
    };
    let tag = |name: &str| {
        let value = &event["mail"]["tags"][name];
        value.get(0).and_then(Value::as_str).or_else(|| value.as_str()).map(str::to_owned)
    };
    let (Some(workspace), Some(ticket), Some(message)) = (tag("workspace"), tag("ticket"), tag("message")) else {
        return Ok(None);
    };
    let (Ok(workspace), Ok(ticket), Ok(message)) = (workspace.parse(), ticket.parse(), message.parse()) else {
        return Err("the message tags do not name a reply".to_owned());
    };
    Ok(Some(DeliveryNotice { workspace, ticket, message, state, reason }))
}

/// Applies one notice. An error means "try again later" (the queue redelivers).
pub async fn apply(app: &App, notice: &DeliveryNotice) -> ServiceResult<()> {
    let scope = TenantScope::for_system(notice.workspace);
    // Another notice about the same message may move it meanwhile (they come in parallel batches).
    for _ in 0..3 {
        let Some(entry) = app.store.get_thread_mail(&scope, notice.ticket, notice.message).await? else {
            tracing::warn!(ticket_id = %notice.ticket, message_id = %notice.message, "an SES notice about no reply we know");
            return Ok(());
        };
        let Some(current) = entry.state else { return Ok(()) };
        if matches!(current, DeliveryState::Queued | DeliveryState::Sending) {
            return Err(ServiceError::Conflict("the send is not recorded yet; the notice comes again".to_owned()));
        }
        if !current.may_become(notice.state) {
            return Ok(());
        }
        let now = app.clock.now();
        let event = delivery_event(&entry, notice.state, notice.reason.as_deref(), now);
        let change = DeliveryChange {
            ticket: notice.ticket,
            message: notice.message,
            from: &[current],
            to: notice.state,
            reason: notice.reason.as_deref(),
            now,
        };
        match app.store.set_delivery_state(&scope, &change, Some(&event)).await {
            Ok(()) => {
                tracing::info!(ticket_id = %notice.ticket, message_id = %notice.message, state = ?notice.state, "e-mail reply delivery updated");
                return Ok(());
            }
            Err(DeliveryWriteError::NotInState) => continue,
            Err(DeliveryWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::Conflict("the delivery state kept changing; the notice comes again".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sns(event: Value) -> String {
        serde_json::json!({"Type": "Notification", "Message": event.to_string()}).to_string()
    }

    fn tags() -> Value {
        serde_json::json!({
            "workspace": ["0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"],
            "ticket": ["0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c"],
            "message": ["0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5d"],
        })
    }

    #[test]
    fn deliveries_bounces_and_complaints_name_their_reply_by_its_tags() {
        let delivered = parse_notice(&sns(serde_json::json!({"eventType": "Delivery", "mail": {"tags": tags()}})));
        let delivered = delivered.unwrap().unwrap();
        assert_eq!(delivered.state, DeliveryState::Delivered);
        assert_eq!(delivered.ticket.to_string(), "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c");
        let bounce = serde_json::json!({"eventType": "Bounce", "mail": {"tags": tags()}, "bounce": {
            "bounceType": "Permanent", "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": "bounce@simulator.amazonses.com", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]}});
        let bounced = parse_notice(&sns(bounce)).unwrap().unwrap();
        assert_eq!(bounced.state, DeliveryState::Bounced);
        assert_eq!(
            bounced.reason.as_deref(),
            Some("Permanent bounce (General) for bounce@simulator.amazonses.com: smtp; 550 5.1.1 user unknown")
        );
        let complaint = serde_json::json!({"notificationType": "Complaint", "mail": {"tags": tags()},
            "complaint": {"complaintFeedbackType": "abuse"}});
        assert_eq!(parse_notice(&complaint.to_string()).unwrap().unwrap().state, DeliveryState::Complained);
    }

    #[test]
    fn other_events_and_untagged_mail_move_nothing() {
        assert_eq!(parse_notice(&sns(serde_json::json!({"eventType": "Send", "mail": {"tags": tags()}}))), Ok(None));
        assert_eq!(parse_notice(&sns(serde_json::json!({"eventType": "Delivery", "mail": {}}))), Ok(None));
        assert!(parse_notice("not json").is_err());
    }
}
