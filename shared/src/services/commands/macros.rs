//! Macro commands: the macro as written (name, template, actions), and applying one to a ticket.

use super::views::parse_name;
use crate::api::{ApplyMacroRequest, MacroRequest};
use crate::domain::{
    FieldError, Gather, field,
    macros::{MAX_MACRO_NAME_CHARS, check_template},
    optional_field,
    ticket::{self, Priority, Status},
};
use crate::storage::macros::MacroAssignee;

/// A macro's content, checked: its template has only known placeholders.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroContent {
    pub name: String,
    pub body: String,
    pub internal: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub add_tags: Vec<String>,
    pub assignee: Option<MacroAssignee>,
    /// Asked for on creation (personal when absent).
    pub shared: Option<bool>,
    /// The version a change is based on.
    pub version: Option<u64>,
}

fn parse_assignee(raw: &str) -> Result<MacroAssignee, String> {
    match raw.trim() {
        "me" => Ok(MacroAssignee::Me),
        "nobody" => Ok(MacroAssignee::Nobody),
        id => id.parse().map(MacroAssignee::Member).map_err(|_| "must be me, nobody or a member id".to_owned()),
    }
}

impl TryFrom<MacroRequest> for MacroContent {
    type Error = Vec<FieldError>;

    fn try_from(request: MacroRequest) -> Result<Self, Self::Error> {
        let (name, body, status, priority, add_tags, assignee) = (
            field("name", parse_name(&request.name, MAX_MACRO_NAME_CHARS)),
            field("body", ticket::parse_body(&request.body).and_then(|body| check_template(&body).map(|()| body))),
            optional_field("status", request.status.as_deref(), Status::parse),
            optional_field("priority", request.priority.as_deref(), Priority::parse),
            optional_field("add_tags", request.add_tags.as_deref(), ticket::normalize_tags),
            optional_field("assignee", request.assignee.as_deref(), parse_assignee),
        )
            .gather()?;
        Ok(MacroContent {
            name,
            body,
            internal: request.internal,
            status,
            priority,
            add_tags: add_tags.unwrap_or_default(),
            assignee,
            shared: request.shared,
            version: request.version,
        })
    }
}

/// Applying a macro to a ticket, at the version the agent saw.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyMacro {
    pub version: u64,
    /// The agent's edit of the filled-in text, if any.
    pub body: Option<String>,
    pub confirm: bool,
}

impl TryFrom<ApplyMacroRequest> for ApplyMacro {
    type Error = Vec<FieldError>;

    fn try_from(request: ApplyMacroRequest) -> Result<Self, Self::Error> {
        let (body,) = (optional_field("body", request.body.as_deref(), ticket::parse_body),).gather()?;
        Ok(ApplyMacro { version: request.version, body, confirm: request.confirm })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(body: serde_json::Value) -> Result<MacroContent, Vec<FieldError>> {
        MacroContent::try_from(serde_json::from_value::<MacroRequest>(body).expect("request shape"))
    }

    #[test]
    fn a_macro_names_every_bad_field() {
        let errors = content(serde_json::json!({
            "name": " ", "body": "Hi {{customer.nickname}}", "status": "done", "add_tags": [""], "assignee": "boss",
        }))
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["name", "body", "status", "add_tags", "assignee"]);
        assert!(errors[1].message.contains("{{customer.nickname}}"));
    }

    #[test]
    fn a_macro_keeps_its_actions() {
        let parsed = content(serde_json::json!({
            "name": "Refund sent", "body": "Hi {{customer.name}}, refunded.", "status": "pending",
            "priority": "low", "add_tags": ["Refund"], "assignee": "me",
        }))
        .unwrap();
        assert_eq!((parsed.status, parsed.priority), (Some(Status::Pending), Some(Priority::Low)));
        assert_eq!((parsed.add_tags, parsed.assignee), (vec!["refund".to_owned()], Some(MacroAssignee::Me)));
    }
}
