//! Inbound e-mail rules that need a MIME parser: reading a raw message into plain parts, telling
//! auto-responders and loops apart, finding a ticket reference in a subject or a reply token in a
//! plus-address, and stripping quoted history and signatures from what a customer wrote.
//!
//! Only the functions that handle mail link this crate (the MIME parser stays out of `shared`).

mod reply;

pub use reply::strip_reply;

use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

/// Header we put on every message we send, so a message of ours coming back is recognised as a loop.
pub const LOOP_HEADER: &str = "X-Switchboard-Loop";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Lower-cased.
    pub address: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Why a message is not a person writing to us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automated {
    /// `Auto-Submitted` other than `no` (RFC 3834): vacation replies, bounces, notifications.
    AutoSubmitted,
    /// `Precedence: bulk`, `junk` or `list`, or a mailing list's `List-Id`.
    Bulk,
    /// One of our own messages coming back (our loop header, or `X-Loop`).
    Loop,
}

/// A failed verdict of SES's receipt scanning (the `X-SES-Spam-Verdict` / `X-SES-Virus-Verdict` headers
/// SES puts on the message it stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedVerdict {
    Spam,
    Virus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<Mailbox>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    /// Where forwarding put it (Delivered-To, X-Original-To, X-Forwarded-To): a workspace's address
    /// when the customer's own support@ forwards here.
    pub delivered_to: Vec<String>,
    pub subject: String,
    /// The whole text: the plain part, or the HTML part rendered as text (tags and scripts dropped).
    pub text: String,
    pub has_html: bool,
    pub attachments: Vec<Attachment>,
    pub automated: Option<Automated>,
    pub failed_verdict: Option<FailedVerdict>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAMessage;

impl std::fmt::Display for NotAMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a MIME message")
    }
}

fn addresses(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    address
        .map(|address| {
            address
                .iter()
                .filter_map(|addr| {
                    let email = addr.address()?.trim().to_lowercase();
                    (!email.is_empty()).then(|| Mailbox {
                        address: email,
                        name: addr.name().map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    let ids: Vec<String> = match value {
        HeaderValue::Text(text) => vec![text.to_string()],
        HeaderValue::TextList(list) => list.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    };
    ids.into_iter().map(|id| id.trim().trim_matches(['<', '>']).to_owned()).filter(|id| !id.is_empty()).collect()
}

fn header_text(message: &mail_parser::Message<'_>, name: &str) -> Option<String> {
    message.header_raw(name).map(|value| value.trim().to_lowercase())
}

fn failed_verdict(message: &mail_parser::Message<'_>) -> Option<FailedVerdict> {
    if header_text(message, "X-SES-Virus-Verdict").is_some_and(|value| value == "fail") {
        return Some(FailedVerdict::Virus);
    }
    header_text(message, "X-SES-Spam-Verdict").is_some_and(|value| value == "fail").then_some(FailedVerdict::Spam)
}

fn delivered_to(message: &mail_parser::Message<'_>) -> Vec<String> {
    let mut found = Vec::new();
    for (name, value) in message.headers_raw() {
        if ["delivered-to", "x-original-to", "x-forwarded-to"].contains(&name.to_lowercase().as_str()) {
            for part in value.split(',') {
                let address = part.trim().trim_matches(['<', '>']).trim().to_lowercase();
                if address.contains('@') && !found.contains(&address) {
                    found.push(address);
                }
            }
        }
    }
    found
}

fn automated(message: &mail_parser::Message<'_>) -> Option<Automated> {
    if message.header_raw(LOOP_HEADER).is_some() || message.header_raw("X-Loop").is_some() {
        return Some(Automated::Loop);
    }
    if header_text(message, "Auto-Submitted").is_some_and(|value| !value.starts_with("no")) {
        return Some(Automated::AutoSubmitted);
    }
    // Microsoft's and others' vacation replies that do not say Auto-Submitted.
    if header_text(message, "X-Autoreply").is_some_and(|value| value == "yes")
        || header_text(message, "X-Autorespond").is_some()
    {
        return Some(Automated::AutoSubmitted);
    }
    if header_text(message, "Precedence").is_some_and(|value| matches!(value.as_str(), "bulk" | "junk" | "list"))
        || message.header_raw("List-Id").is_some()
    {
        return Some(Automated::Bulk);
    }
    None
}

/// Reads a raw RFC 5322 message (any charset and transfer encoding the parser knows).
pub fn parse(raw: &[u8]) -> Result<ParsedMail, NotAMessage> {
    let message = MessageParser::default().parse(raw).ok_or(NotAMessage)?;
    if message.headers().is_empty() {
        return Err(NotAMessage);
    }
    let text = message.body_text(0).map(|text| text.replace("\r\n", "\n")).unwrap_or_default();
    let attachments = message
        .attachments()
        .filter(|part| !part.is_content_type("message", "rfc822") || part.attachment_name().is_some())
        .map(|part| Attachment {
            filename: part.attachment_name().unwrap_or("attachment").to_owned(),
            content_type: part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(subtype) => format!("{}/{}", ct.ctype(), subtype),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".to_owned())
                .to_lowercase(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    Ok(ParsedMail {
        message_id: message.message_id().map(|id| id.trim().trim_matches(['<', '>']).to_owned()),
        in_reply_to: id_list(message.in_reply_to()),
        references: id_list(message.references()),
        from: addresses(message.from()).into_iter().next(),
        to: addresses(message.to()).into_iter().map(|mailbox| mailbox.address).collect(),
        cc: addresses(message.cc()).into_iter().map(|mailbox| mailbox.address).collect(),
        delivered_to: delivered_to(&message),
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        text,
        has_html: message.html_bodies().any(|part| part.is_content_type("text", "html")),
        attachments,
        automated: automated(&message),
        failed_verdict: failed_verdict(&message),
    })
}

/// A ticket reference we put in subjects: `[#123]`.
pub fn subject_ticket_number(subject: &str) -> Option<u64> {
    let mut rest = subject;
    while let Some(start) = rest.find("[#") {
        let after = &rest[start + 2..];
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with(']') {
            return digits.parse().ok();
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALTERNATIVE: &[u8] = b"From: Ada Lovelace <Ada@Example.com>\r\n\
To: acme@inbound.test\r\n\
Cc: Bob <bob@example.com>\r\n\
Subject: Printer on fire\r\n\
Message-ID: <abc123@mail.example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
It is on fire.\r\n\
--b1\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>It is <b>on fire</b>.</p>\r\n\
--b1--\r\n";

    #[test]
    fn reads_sender_recipients_subject_and_the_plain_part() {
        let mail = parse(ALTERNATIVE).unwrap();
        assert_eq!(mail.from, Some(Mailbox { address: "ada@example.com".into(), name: Some("Ada Lovelace".into()) }));
        assert_eq!(mail.to, vec!["acme@inbound.test"]);
        assert_eq!(mail.cc, vec!["bob@example.com"]);
        assert_eq!(mail.subject, "Printer on fire");
        assert_eq!(mail.message_id.as_deref(), Some("abc123@mail.example.com"));
        assert_eq!(mail.text.trim(), "It is on fire.");
        assert_eq!(mail.automated, None);
    }

    #[test]
    fn html_only_mail_becomes_text_without_tags_or_scripts() {
        let raw = b"From: a@example.com\r\nTo: acme@inbound.test\r\nSubject: Hi\r\n\
Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><script>alert(1)</script><p>Hello <b>there</b></p></body></html>\r\n";
        let mail = parse(raw).unwrap();
        assert!(mail.text.contains("Hello there"), "{:?}", mail.text);
        assert!(!mail.text.contains('<') && !mail.text.contains("alert"), "{:?}", mail.text);
    }

    #[test]
    fn decodes_latin1_quoted_printable() {
        let raw = b"From: a@example.com\r\nTo: acme@inbound.test\r\nSubject: =?ISO-8859-1?Q?Caf=E9?=\r\n\
Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Cr=E8me br=FBl=E9e, s'il vous pla=EEt.\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.subject, "Café");
        assert_eq!(mail.text.trim(), "Crème brûlée, s'il vous plaît.");
    }

    #[test]
    fn threading_headers_lose_their_brackets() {
        let raw = b"From: a@example.com\r\nTo: x@inbound.test\r\nSubject: Re: x\r\n\
In-Reply-To: <one@ses>\r\nReferences: <zero@x> <one@ses>\r\n\r\nok\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.in_reply_to, vec!["one@ses"]);
        assert_eq!(mail.references, vec!["zero@x", "one@ses"]);
    }

    #[test]
    fn auto_responders_bulk_mail_and_loops_are_told_apart() {
        let with = |header: &str| {
            format!("From: a@example.com\r\nTo: x@inbound.test\r\n{header}\r\nSubject: s\r\n\r\nbody\r\n")
        };
        let cases = [
            ("Auto-Submitted: auto-replied", Some(Automated::AutoSubmitted)),
            ("Auto-Submitted: no", None),
            ("X-Autoreply: yes", Some(Automated::AutoSubmitted)),
            ("Precedence: bulk", Some(Automated::Bulk)),
            ("List-Id: <news.example.com>", Some(Automated::Bulk)),
            ("X-Switchboard-Loop: ws", Some(Automated::Loop)),
            ("X-Loop: support@example.com", Some(Automated::Loop)),
        ];
        for (header, expected) in cases {
            assert_eq!(parse(with(header).as_bytes()).unwrap().automated, expected, "{header}");
        }
    }

    #[test]
    fn attachments_keep_name_type_and_bytes() {
        let raw = b"From: a@example.com\r\nTo: x@inbound.test\r\nSubject: log\r\n\
Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee log\r\n\
--m\r\nContent-Type: text/plain; name=\"log.txt\"\r\nContent-Disposition: attachment; filename=\"log.txt\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gbG9n\r\n--m--\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.attachments.len(), 1);
        assert_eq!(mail.attachments[0].filename, "log.txt");
        assert_eq!(mail.attachments[0].content_type, "text/plain");
        assert_eq!(mail.attachments[0].bytes, b"hello log");
        assert_eq!(mail.text.trim(), "see log");
    }

    #[test]
    fn ses_verdicts_and_forwarding_headers_are_read() {
        let raw = b"X-SES-Spam-Verdict: FAIL\r\nX-SES-Virus-Verdict: PASS\r\nDelivered-To: acme-1@inbound.test\r\n\
From: a@example.com\r\nTo: support@acme.test\r\nSubject: s\r\n\r\nbody\r\n";
        let mail = parse(raw).unwrap();
        assert_eq!(mail.failed_verdict, Some(FailedVerdict::Spam));
        assert_eq!(mail.delivered_to, vec!["acme-1@inbound.test"]);
        let virus = b"X-SES-Virus-Verdict: FAIL\r\nFrom: a@example.com\r\nSubject: s\r\n\r\nbody\r\n";
        assert_eq!(parse(virus).unwrap().failed_verdict, Some(FailedVerdict::Virus));
    }

    #[test]
    fn garbage_is_not_a_message() {
        assert_eq!(parse(b"").unwrap_err(), NotAMessage);
    }

    #[test]
    fn subject_reference_is_the_bracketed_number() {
        assert_eq!(subject_ticket_number("Re: [#42] Printer on fire"), Some(42));
        assert_eq!(subject_ticket_number("[#x] [#7]"), Some(7));
        assert_eq!(subject_ticket_number("Order #42"), None);
        assert_eq!(subject_ticket_number("[#42"), None);
    }
}
