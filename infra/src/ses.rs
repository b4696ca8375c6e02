//! Plays SES sending mail. The functions send through the stand-in's SES v2 (moto records every raw
//! message); this module verifies the sending domain as a deployment does (moto, like SES, refuses
//! unverified senders) and serves `GET /__local/outbox`, the messages sent so far, oldest first, each
//! with its SES message id, sender, recipients, message tags and raw MIME: what a developer reads to
//! see what a customer would get, and what the tests assert on.
//!
//! Served by `make dev` and the tests' stack alike; AWS never runs this code.

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One message moto's SES recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMessage {
    /// Its place in the order of sending, from 1.
    pub seq: u64,
    pub message_id: String,
    pub source: Option<String>,
    pub destinations: Vec<String>,
    pub raw: String,
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SentList {
    messages: Vec<SentMessage>,
}

#[derive(Clone)]
pub struct LocalSes {
    endpoint: String,
    http: reqwest::Client,
}

impl LocalSes {
    pub fn new(endpoint: &str) -> Self {
        Self { endpoint: endpoint.trim_end_matches('/').to_owned(), http: reqwest::Client::new() }
    }

    /// Verifies `domain` as a sending identity (the deployment's DKIM setup, locally).
    pub async fn verify_domain(&self, domain: &str) -> Result<(), String> {
        let url = format!("{}/__switchboard/ses/verify-domain?domain={domain}", self.endpoint);
        let response = self.http.post(url).send().await.map_err(|err| format!("verifying {domain}: {err}"))?;
        if !response.status().is_success() {
            return Err(format!("verifying {domain}: {}", response.status()));
        }
        Ok(())
    }

    /// The messages sent after the `after`th.
    pub async fn sent_after(&self, after: u64) -> Result<Vec<SentMessage>, String> {
        let url = format!("{}/__switchboard/ses/sent?after={after}", self.endpoint);
        let response = self.http.get(url).send().await.map_err(|err| format!("reading sent mail: {err}"))?;
        if !response.status().is_success() {
            return Err(format!("reading sent mail: {}", response.status()));
        }
        let list: SentList = response.json().await.map_err(|err| format!("reading sent mail: {err}"))?;
        Ok(list.messages)
    }
}

pub fn routes(ses: LocalSes) -> Router {
    Router::new().route("/__local/outbox", get(outbox)).with_state(ses)
}

async fn outbox(State(ses): State<LocalSes>) -> (StatusCode, Json<Value>) {
    match ses.sent_after(0).await {
        Ok(messages) => (StatusCode::OK, Json(json!({ "messages": messages }))),
        Err(detail) => (StatusCode::BAD_GATEWAY, Json(json!({ "detail": detail }))),
    }
}

/// The queue SES's event notifications reach in AWS (template.yaml: the configuration set's event
/// destination, EmailEventsTopic, its SQS subscription).
pub const EVENTS_QUEUE: &str = "EmailEventsQueue";

/// How often the simulator looks for newly sent messages.
const SIMULATOR_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// What SES's mailbox simulator does with mail to an address; every other address is delivered (the
/// local stand-in accepts everything).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// A hard bounce, with its sub-type.
    Bounced(&'static str),
    /// Delivered, then reported as spam.
    Complained,
}

pub fn simulated_outcome(recipient: &str) -> Outcome {
    let address = recipient.rsplit_once('<').map_or(recipient, |(_, rest)| rest.trim_end_matches('>')).trim();
    match address.to_lowercase().as_str() {
        "bounce@simulator.amazonses.com" => Outcome::Bounced("General"),
        "suppressionlist@simulator.amazonses.com" => Outcome::Bounced("OnAccountSuppressionList"),
        "complaint@simulator.amazonses.com" => Outcome::Complained,
        _ => Outcome::Delivered,
    }
}

fn bare(recipient: &str) -> String {
    recipient.rsplit_once('<').map_or(recipient, |(_, rest)| rest.trim_end_matches('>')).trim().to_owned()
}

/// SES's event notifications for one sent message, as the SNS topic wraps them: a Delivery for the
/// recipients it reached, a Bounce for those it did not, a Complaint after the delivery for those who
/// report it.
pub fn notifications(message: &SentMessage, topic_arn: &str, now: jiff::Timestamp) -> Vec<Value> {
    let tags: serde_json::Map<String, Value> =
        message.tags.iter().map(|(name, value)| (name.clone(), json!([value]))).collect();
    let mail = json!({
        "timestamp": now.to_string(),
        "source": message.source,
        "messageId": message.message_id,
        "destination": message.destinations.iter().map(|to| bare(to)).collect::<Vec<_>>(),
        "tags": tags,
    });
    let (mut delivered, mut bounced, mut complained) = (Vec::new(), Vec::new(), Vec::new());
    for recipient in &message.destinations {
        match simulated_outcome(recipient) {
            Outcome::Delivered => delivered.push(bare(recipient)),
            Outcome::Bounced(kind) => bounced.push((bare(recipient), kind)),
            Outcome::Complained => {
                delivered.push(bare(recipient));
                complained.push(bare(recipient));
            }
        }
    }
    let mut events = Vec::new();
    if !delivered.is_empty() {
        events.push(json!({"eventType": "Delivery", "mail": mail, "delivery": {
            "timestamp": now.to_string(), "recipients": delivered, "processingTimeMillis": 1,
            "smtpResponse": "250 2.6.0 Message received", "reportingMTA": "local-stack",
        }}));
    }
    for (recipient, kind) in bounced {
        events.push(json!({"eventType": "Bounce", "mail": mail, "bounce": {
            "bounceType": "Permanent", "bounceSubType": kind, "timestamp": now.to_string(),
            "feedbackId": uuid::Uuid::now_v7().to_string(),
            "bouncedRecipients": [{"emailAddress": recipient, "action": "failed", "status": "5.1.1",
                "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        }}));
    }
    if !complained.is_empty() {
        events.push(json!({"eventType": "Complaint", "mail": mail, "complaint": {
            "complainedRecipients": complained.iter().map(|to| json!({"emailAddress": to})).collect::<Vec<_>>(),
            "timestamp": now.to_string(), "feedbackId": uuid::Uuid::now_v7().to_string(),
            "complaintFeedbackType": "abuse",
        }}));
    }
    events
        .into_iter()
        .map(|event| {
            json!({
                "Type": "Notification",
                "MessageId": uuid::Uuid::now_v7().to_string(),
                "TopicArn": topic_arn,
                "Message": event.to_string(),
                "Timestamp": now.to_string(),
            })
        })
        .collect()
}

/// Plays SES's mailbox simulator and event publishing: every message the stand-in's SES records is
/// followed by its notifications on the events queue, through the same queue and function as in AWS.
pub fn spawn_simulator(ses: LocalSes, sqs: aws_sdk_sqs::Client, queue_url: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let topic_arn = "arn:aws:sns:us-east-1:123456789012:EmailEventsTopic";
        let mut seen = 0;
        // A message is reported on the poll after the one that found it, as SES reports after the
        // send call returned: the sender has recorded its send by then.
        let mut found: Vec<SentMessage> = Vec::new();
        loop {
            match ses.sent_after(seen).await {
                Ok(messages) => {
                    for message in std::mem::replace(&mut found, messages) {
                        for body in notifications(&message, topic_arn, jiff::Timestamp::now()) {
                            let sent =
                                sqs.send_message().queue_url(&queue_url).message_body(body.to_string()).send().await;
                            if let Err(err) = sent {
                                tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(err), "SES simulator: queueing a notification failed");
                            }
                        }
                    }
                    seen = found.iter().map(|message| message.seq).max().unwrap_or(seen);
                }
                Err(err) => tracing::debug!(error = %err, "SES simulator: reading sent mail failed"),
            }
            tokio::time::sleep(SIMULATOR_POLL).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(to: &[&str]) -> SentMessage {
        SentMessage {
            seq: 1,
            message_id: "0100-abc".into(),
            source: Some("acme@inbound.example.com".into()),
            destinations: to.iter().map(|to| (*to).to_owned()).collect(),
            raw: String::new(),
            tags: [("ticket".to_owned(), "t1".to_owned())].into(),
        }
    }

    fn kinds(message: &SentMessage) -> Vec<String> {
        notifications(message, "arn", jiff::Timestamp::UNIX_EPOCH)
            .iter()
            .map(|wrapped| {
                let event: Value = serde_json::from_str(wrapped["Message"].as_str().unwrap()).unwrap();
                assert_eq!(event["mail"]["tags"]["ticket"][0], "t1", "tags come back as SES sends them");
                event["eventType"].as_str().unwrap().to_owned()
            })
            .collect()
    }

    #[test]
    fn the_mailbox_simulator_addresses_bounce_and_complain_and_the_rest_is_delivered() {
        assert_eq!(kinds(&sent(&["ada@example.com"])), ["Delivery"]);
        assert_eq!(kinds(&sent(&["bounce@simulator.amazonses.com"])), ["Bounce"]);
        assert_eq!(kinds(&sent(&["Someone <complaint@simulator.amazonses.com>"])), ["Delivery", "Complaint"]);
        assert_eq!(
            kinds(&sent(&["ada@example.com", "suppressionlist@simulator.amazonses.com"])),
            ["Delivery", "Bounce"]
        );
    }
}
