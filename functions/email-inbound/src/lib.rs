//! The inbound e-mail function: SES's receipt rule stores each raw message in the inbound bucket, and
//! the bucket's ObjectCreated notification invokes this function with the object's key. It reads the
//! message (MIME parsed here, with `switchboard-mail`), says what is wrong with it if anything, and hands
//! it to `shared::services::email::receive`, which threads it, opens a ticket or logs the rejection.
//!
//! A failed invocation is retried by Lambda (S3 invokes asynchronously); handling is idempotent by the
//! object key and the Message-ID, so a retry or a second notification adds nothing.

use serde::Deserialize;
use shared::App;
use shared::domain::email::{MAX_INBOUND_BYTES, RejectionReason};
use shared::services::email::{InboundAttachment, InboundEmail, Received, receive};

/// The part of an S3 event notification this function reads.
#[derive(Debug, Deserialize)]
pub struct S3Notification {
    #[serde(rename = "Records", default)]
    pub records: Vec<S3Record>,
}

#[derive(Debug, Deserialize)]
pub struct S3Record {
    pub s3: S3Entity,
}

#[derive(Debug, Deserialize)]
pub struct S3Entity {
    pub object: S3Object,
}

#[derive(Debug, Deserialize)]
pub struct S3Object {
    /// URL-encoded, with `+` for a space, as S3 notifications spell keys.
    pub key: String,
}

/// How much of an oversized message is read to find its sender and recipients.
const HEAD_BYTES: u64 = 64 * 1024;

/// The object key a notification names.
pub fn object_key(encoded: &str) -> String {
    let spaced = encoded.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}

pub async fn handle(app: &App, event: S3Notification) -> Result<serde_json::Value, String> {
    let mut handled = Vec::new();
    for record in event.records {
        let key = object_key(&record.s3.object.key);
        let outcomes = receive_object(app, &key).await?;
        handled.push(serde_json::json!({"key": key, "outcomes": outcomes.iter().map(describe).collect::<Vec<_>>()}));
    }
    Ok(serde_json::Value::Array(handled))
}

/// An outcome as the invocation's result and the logs show it.
pub fn describe(received: &Received) -> serde_json::Value {
    use serde_json::json;
    match received {
        Received::Opened { workspace, ticket } => {
            json!({"outcome": "opened", "workspace_id": workspace, "ticket_id": ticket})
        }
        Received::Threaded { workspace, ticket } => {
            json!({"outcome": "threaded", "workspace_id": workspace, "ticket_id": ticket})
        }
        Received::Rejected { workspace, reason } => {
            json!({"outcome": "rejected", "workspace_id": workspace, "reason": reason})
        }
        Received::Duplicate { workspace } => json!({"outcome": "duplicate", "workspace_id": workspace}),
        Received::StorageFull => json!({"outcome": "storage_full"}),
    }
}

/// Reads the raw message at `key` in the inbound bucket and receives it.
pub async fn receive_object(app: &App, key: &str) -> Result<Vec<Received>, String> {
    let limit = MAX_INBOUND_BYTES as u64;
    let (bytes, size, too_large) = match app.inbound_mail.read(key, limit).await.map_err(|err| err.to_string())? {
        None => {
            tracing::warn!(key, "inbound message is gone from the bucket");
            return Ok(Vec::new());
        }
        Some(Ok(bytes)) => {
            let size = bytes.len() as u64;
            (bytes, size, false)
        }
        // Only the headers matter for the log entry.
        Some(Err(size)) => {
            let head = app.inbound_mail.read_range(key, HEAD_BYTES).await.map_err(|err| err.to_string())?;
            (head, size, true)
        }
    };
    let inbound = inbound_email(key, &bytes, size, too_large);
    let outcomes = receive(app, &inbound).await.map_err(|err| format!("{err:?}"))?;
    if outcomes.is_empty() {
        tracing::info!(key, recipients = ?inbound.recipients, "inbound message for no workspace's address");
    }
    for outcome in &outcomes {
        tracing::info!(key, outcome = %describe(outcome), "inbound message handled");
    }
    Ok(outcomes)
}

/// What the service needs of a raw message.
pub fn inbound_email(key: &str, raw: &[u8], size: u64, too_large: bool) -> InboundEmail {
    let Ok(parsed) = mail::parse(raw) else {
        return InboundEmail {
            object_key: key.to_owned(),
            size,
            refused: Some(RejectionReason::Unreadable),
            ..InboundEmail::default()
        };
    };
    let refused = if too_large {
        Some(RejectionReason::TooLarge)
    } else if let Some(verdict) = parsed.failed_verdict {
        Some(match verdict {
            mail::FailedVerdict::Spam => RejectionReason::Spam,
            mail::FailedVerdict::Virus => RejectionReason::Virus,
        })
    } else {
        parsed.automated.map(|automated| match automated {
            mail::Automated::AutoSubmitted => RejectionReason::AutoReply,
            mail::Automated::Bulk => RejectionReason::Bulk,
            mail::Automated::Loop => RejectionReason::Loop,
        })
    };
    let mut recipients = parsed.delivered_to.clone();
    recipients.extend(parsed.to.iter().cloned());
    recipients.extend(parsed.cc.iter().cloned());
    InboundEmail {
        object_key: key.to_owned(),
        size,
        message_id: parsed.message_id.clone(),
        in_reply_to: parsed.in_reply_to.clone(),
        references: parsed.references.clone(),
        from: parsed.from.as_ref().map(|from| from.address.clone()),
        from_name: parsed.from.as_ref().and_then(|from| from.name.clone()),
        recipients,
        addressed: parsed.to.iter().chain(&parsed.cc).cloned().collect(),
        subject: parsed.subject.clone(),
        reply_text: mail::strip_reply(&parsed.text),
        subject_number: mail::subject_ticket_number(&parsed.subject),
        attachments: parsed
            .attachments
            .into_iter()
            .map(|file| InboundAttachment {
                filename: file.filename,
                content_type: file.content_type,
                bytes: file.bytes,
            })
            .collect(),
        text: parsed.text,
        refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_keys_are_decoded() {
        assert_eq!(object_key("inbound/a+b%2Bc.eml"), "inbound/a b+c.eml");
    }

    #[test]
    fn an_auto_reply_is_refused_and_a_reply_is_stripped() {
        let raw = b"From: Ada <ada@example.com>\r\nTo: acme@inbound.test\r\nAuto-Submitted: auto-replied\r\n\
Subject: Re: [#7] Out of office\r\n\r\nI am away.\r\n\r\nOn Mon, Dec 7, 2026 at 10:00 Acme wrote:\r\n> hi\r\n";
        let inbound = inbound_email("k", raw, raw.len() as u64, false);
        assert_eq!(inbound.refused, Some(RejectionReason::AutoReply));
        assert_eq!(inbound.reply_text, "I am away.");
        assert_eq!(inbound.subject_number, Some(7));
        assert_eq!(inbound.from_name.as_deref(), Some("Ada"));
    }

    #[test]
    fn an_oversized_message_is_refused_by_size_and_garbage_as_unreadable() {
        let raw = b"From: a@example.com\r\nTo: acme@inbound.test\r\nSubject: big\r\n\r\nxxxx";
        assert_eq!(inbound_email("k", raw, 1 << 30, true).refused, Some(RejectionReason::TooLarge));
        assert_eq!(inbound_email("k", b"", 0, false).refused, Some(RejectionReason::Unreadable));
    }
}
