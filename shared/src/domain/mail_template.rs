//! The workspace's notification templates: the mail a customer gets when their e-mail opened a ticket
//! ("received", with the ticket's reference) and when their ticket is solved. A template is text with
//! `{{placeholder}}`s from a small fixed set; anything else between braces is refused when the template
//! is saved, so what is sent never carries a stray `{{…}}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldError;
use super::text::{TextKind, check_controls};

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 5_000;
pub const MAX_SIGNATURE_CHARS: usize = 1_000;

/// The values a template may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// `[#<number>]`, the reference a reply's subject keeps (threads the customer's answer).
    TicketReference,
    TicketNumber,
    TicketSubject,
    CustomerName,
    WorkspaceName,
}

impl Placeholder {
    pub const ALL: [Placeholder; 5] = [
        Placeholder::TicketReference,
        Placeholder::TicketNumber,
        Placeholder::TicketSubject,
        Placeholder::CustomerName,
        Placeholder::WorkspaceName,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::TicketReference => "ticket.reference",
            Placeholder::TicketNumber => "ticket.number",
            Placeholder::TicketSubject => "ticket.subject",
            Placeholder::CustomerName => "customer.name",
            Placeholder::WorkspaceName => "workspace.name",
        }
    }

    fn of_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|placeholder| placeholder.name() == name)
    }
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Value(Placeholder),
}

/// A template whose every placeholder is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

impl Template {
    /// Parses `text`; the error names every unknown placeholder (`{{ticket.id}}`), or an unclosed `{{`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            if start > 0 {
                pieces.push(Piece::Text(rest[..start].to_owned()));
            }
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                return Err("has a \"{{\" that is never closed with \"}}\"".to_owned());
            };
            let name = after[..end].trim();
            match Placeholder::of_name(name) {
                Some(placeholder) => pieces.push(Piece::Value(placeholder)),
                None => {
                    let shown = format!("{{{{{name}}}}}");
                    if !unknown.contains(&shown) {
                        unknown.push(shown);
                    }
                }
            }
            rest = &after[end + 2..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if !unknown.is_empty() {
            let known: Vec<String> = Placeholder::ALL.iter().map(|p| format!("{{{{{}}}}}", p.name())).collect();
            return Err(format!("has unknown placeholders {}; known are {}", unknown.join(", "), known.join(", ")));
        }
        Ok(Self(pieces))
    }

    /// The text with every placeholder replaced by its value.
    pub fn render(&self, values: &Values) -> String {
        self.0
            .iter()
            .map(|piece| match piece {
                Piece::Text(text) => text.as_str(),
                Piece::Value(placeholder) => values.of(*placeholder),
            })
            .collect()
    }
}

/// What the placeholders stand for in one mail.
#[derive(Debug, Clone, Default)]
pub struct Values {
    pub ticket_reference: String,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub customer_name: String,
    pub workspace_name: String,
}

impl Values {
    fn of(&self, placeholder: Placeholder) -> &str {
        match placeholder {
            Placeholder::TicketReference => &self.ticket_reference,
            Placeholder::TicketNumber => &self.ticket_number,
            Placeholder::TicketSubject => &self.ticket_subject,
            Placeholder::CustomerName => &self.customer_name,
            Placeholder::WorkspaceName => &self.workspace_name,
        }
    }
}

/// Which notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A customer's e-mail opened a ticket.
    Received,
    /// The ticket was solved.
    Solved,
}

impl NotificationKind {
    /// The `Auto-Submitted` value its mail carries (RFC 3834): an answer to the customer's message,
    /// or a message nobody asked for.
    pub fn auto_submitted(self) -> &'static str {
        match self {
            NotificationKind::Received => "auto-replied",
            NotificationKind::Solved => "auto-generated",
        }
    }
}

/// One notification's settings, as stored (both texts parse as a [`Template`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationTemplate {
    pub enabled: bool,
    pub subject: String,
    pub body: String,
}

impl NotificationTemplate {
    /// Checks one notification's texts, errors named under `field` (`notifications.received`).
    pub fn parse(field: &str, enabled: bool, subject: &str, body: &str) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let subject_field = format!("{field}.subject");
        let subject = subject.trim();
        if subject.is_empty() {
            errors.push(FieldError::new(&subject_field, "is required"));
        } else if subject.chars().count() > MAX_SUBJECT_CHARS {
            errors.push(FieldError::new(&subject_field, format!("must be at most {MAX_SUBJECT_CHARS} characters")));
        } else if let Err(message) = check_controls(subject, TextKind::Line).and_then(|()| Template::parse(subject)) {
            errors.push(FieldError::new(&subject_field, message));
        }
        let body_field = format!("{field}.body");
        let body = body.trim();
        if body.is_empty() {
            errors.push(FieldError::new(&body_field, "is required"));
        } else if body.chars().count() > MAX_BODY_CHARS {
            errors.push(FieldError::new(&body_field, format!("must be at most {MAX_BODY_CHARS} characters")));
        } else if let Err(message) = check_controls(body, TextKind::Body).and_then(|()| Template::parse(body)) {
            errors.push(FieldError::new(&body_field, message));
        }
        if errors.is_empty() {
            Ok(Self { enabled, subject: subject.to_owned(), body: body.to_owned() })
        } else {
            Err(errors)
        }
    }

    /// The subject and text of the mail. Stored templates were checked when saved; one that no longer
    /// parses (a placeholder removed since) is sent as written rather than not at all.
    pub fn render(&self, values: &Values) -> (String, String) {
        let render = |text: &str| Template::parse(text).map_or_else(|_| text.to_owned(), |t| t.render(values));
        (render(&self.subject), render(&self.body))
    }

    pub fn default_for(kind: NotificationKind) -> Self {
        match kind {
            NotificationKind::Received => Self {
                enabled: true,
                subject: "We received your request {{ticket.reference}}".to_owned(),
                body: "Hello {{customer.name}},\n\nThank you for writing to {{workspace.name}}. Your request \
                       \"{{ticket.subject}}\" is ticket {{ticket.reference}}; we will answer as soon as we can. \
                       To add anything, reply to this message.\n\n{{workspace.name}}"
                    .to_owned(),
            },
            NotificationKind::Solved => Self {
                enabled: true,
                subject: "Your request {{ticket.reference}} is solved".to_owned(),
                body: "Hello {{customer.name}},\n\nWe have marked your request \"{{ticket.subject}}\" \
                       ({{ticket.reference}}) as solved. If something is still not right, reply to this \
                       message and the ticket opens again.\n\n{{workspace.name}}"
                    .to_owned(),
            },
        }
    }
}

/// The notifications of a workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNotifications {
    pub received: NotificationTemplate,
    pub solved: NotificationTemplate,
}

impl Default for CustomerNotifications {
    fn default() -> Self {
        Self {
            received: NotificationTemplate::default_for(NotificationKind::Received),
            solved: NotificationTemplate::default_for(NotificationKind::Solved),
        }
    }
}

impl CustomerNotifications {
    pub fn of(&self, kind: NotificationKind) -> &NotificationTemplate {
        match kind {
            NotificationKind::Received => &self.received,
            NotificationKind::Solved => &self.solved,
        }
    }
}

/// Local parts that read no mail or are machines (RFC 3834 §2: do not answer them automatically).
const MACHINE_LOCAL_PARTS: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer-daemon",
    "postmaster",
    "bounce",
    "bounces",
    "auto-reply",
    "autoreply",
];

/// Whether an automatic message may go to `address`: not to a machine's mailbox (`no-reply@`,
/// `mailer-daemon@`, `bounces+…@`), whose answer would be another automatic message or nothing.
pub fn may_notify(address: &str) -> bool {
    let local = address.rsplit_once('@').map_or(address, |(local, _)| local).to_lowercase();
    let base = local.split(['+', '=']).next().unwrap_or_default();
    !MACHINE_LOCAL_PARTS.contains(&base)
}

/// The text of a reply with the workspace's signature below the standard delimiter ("-- ", which
/// mail clients and our reply parser recognise).
pub fn with_signature(text: &str, signature: Option<&str>) -> String {
    match signature.map(str::trim).filter(|signature| !signature.is_empty()) {
        Some(signature) => format!("{}\n\n-- \n{signature}", text.trim_end()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Values {
        Values {
            ticket_reference: "[#42]".into(),
            ticket_number: "42".into(),
            ticket_subject: "Printer on fire".into(),
            customer_name: "Ada".into(),
            workspace_name: "Acme".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_with_or_without_inner_spaces() {
        let template = Template::parse(
            "Hi {{customer.name}}, {{ ticket.reference }} ({{ticket.subject}}) — {{workspace.name}} #{{ticket.number}}",
        )
        .unwrap();
        assert_eq!(template.render(&values()), "Hi Ada, [#42] (Printer on fire) — Acme #42");
    }

    #[test]
    fn unknown_placeholders_are_all_named() {
        let err = Template::parse("{{ticket.id}} {{customer.email}} {{ticket.id}} {{ticket.subject}}").unwrap_err();
        assert!(err.contains("{{ticket.id}}, {{customer.email}}"), "{err}");
        assert!(err.contains("known are {{ticket.reference}}"), "{err}");
    }

    #[test]
    fn an_unclosed_placeholder_is_refused() {
        assert!(Template::parse("Hi {{customer.name").unwrap_err().contains("never closed"));
    }

    #[test]
    fn text_without_placeholders_and_single_braces_stays_as_written() {
        let template = Template::parse("{ not a placeholder } }} done").unwrap();
        assert_eq!(template.render(&values()), "{ not a placeholder } }} done");
    }

    #[test]
    fn a_notification_reports_each_bad_field() {
        let errors = NotificationTemplate::parse("notifications.received", true, "  ", "Hi {{who}}").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["notifications.received.subject", "notifications.received.body"]);
        assert!(errors[1].message.contains("{{who}}"));
        let errors = NotificationTemplate::parse("n", true, "a\nb", "ok").unwrap_err();
        assert_eq!(errors[0].field, "n.subject");
    }

    #[test]
    fn the_defaults_parse_and_name_the_reference() {
        for kind in [NotificationKind::Received, NotificationKind::Solved] {
            let template = NotificationTemplate::default_for(kind);
            let parsed = NotificationTemplate::parse("n", true, &template.subject, &template.body).unwrap();
            let (subject, body) = parsed.render(&values());
            assert!(subject.contains("[#42]") && body.contains("Printer on fire"), "{subject} {body}");
        }
    }

    #[test]
    fn machines_get_no_notifications() {
        for address in ["no-reply@shop.example", "MAILER-DAEMON@mx.example", "bounces+123@list.example"] {
            assert!(!may_notify(address), "{address}");
        }
        for address in ["ada@example.com", "noreplyjoe@example.com", "support@example.com"] {
            assert!(may_notify(address), "{address}");
        }
    }

    #[test]
    fn a_signature_goes_below_the_delimiter() {
        assert_eq!(with_signature("Done.\n", Some("Acme Support\n")), "Done.\n\n-- \nAcme Support");
        assert_eq!(with_signature("Done.", Some("  ")), "Done.");
        assert_eq!(with_signature("Done.", None), "Done.");
    }
}
