//! Activity commands: a new activity and a change to one. Whether the assignee is a member who can
//! write to the record needs stored state: the use case checks that.

use jiff::Timestamp;

use crate::api::{CreateActivityRequest, UpdateActivityRequest};
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{
    FieldError, Gather,
    activities::{ActivityKind, MAX_BODY_CHARS, MAX_SUBJECT_CHARS},
    field,
    ids::UserId,
    optional_field,
};

fn subject(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if text.chars().count() > MAX_SUBJECT_CHARS {
        return Err(format!("must be at most {MAX_SUBJECT_CHARS} characters"));
    }
    check_controls(text, TextKind::Line)?;
    Ok(text.to_owned())
}

/// Trimmed; empty means none.
fn body(raw: Option<&str>) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > MAX_BODY_CHARS => {
            Err(format!("must be at most {MAX_BODY_CHARS} characters"))
        }
        Some(text) => check_controls(text, TextKind::Body).map(|()| Some(text.to_owned())),
    }
}

fn due_at(raw: &str) -> Result<Timestamp, String> {
    raw.trim().parse::<Timestamp>().map_err(|_| "must be an RFC 3339 time like 2026-12-08T09:00:00Z".to_owned())
}

fn member(raw: &str) -> Result<UserId, String> {
    raw.trim().parse()
}

/// An activity as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    pub due_at: Option<Timestamp>,
    /// None: the caller.
    pub assignee_id: Option<UserId>,
    pub done: bool,
}

impl TryFrom<CreateActivityRequest> for NewActivity {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateActivityRequest) -> Result<Self, Self::Error> {
        let (kind, subject, body, due_at, assignee_id) = (
            field("kind", ActivityKind::parse(&request.kind)),
            field("subject", subject(&request.subject)),
            field("body", body(request.body.as_deref())),
            optional_field("due_at", request.due_at.as_deref(), due_at),
            optional_field("assignee_id", request.assignee_id.as_deref(), member),
        )
            .gather()?;
        Ok(NewActivity { kind, subject, body, due_at, assignee_id, done: request.done.unwrap_or(false) })
    }
}

/// A change to an activity: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeActivity {
    pub version: u64,
    pub kind: Option<ActivityKind>,
    pub subject: Option<String>,
    pub body: Option<Option<String>>,
    pub due_at: Option<Option<Timestamp>>,
    pub assignee_id: Option<UserId>,
    pub done: Option<bool>,
}

impl TryFrom<UpdateActivityRequest> for ChangeActivity {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateActivityRequest) -> Result<Self, Self::Error> {
        let (kind, subject, body, due_at, assignee_id) = (
            optional_field("kind", request.kind.as_deref(), ActivityKind::parse),
            optional_field("subject", request.subject.as_deref(), subject),
            optional_field("body", request.body, |raw| body(raw.as_deref())),
            optional_field("due_at", request.due_at, |raw| raw.as_deref().map(due_at).transpose()),
            optional_field("assignee_id", request.assignee_id.as_deref(), member),
        )
            .gather()?;
        Ok(ChangeActivity { version: request.version, kind, subject, body, due_at, assignee_id, done: request.done })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(kind: &str, subject: &str) -> CreateActivityRequest {
        CreateActivityRequest {
            kind: kind.to_owned(),
            subject: subject.to_owned(),
            body: None,
            due_at: None,
            assignee_id: None,
            done: None,
        }
    }

    #[test]
    fn control_characters_are_refused_in_the_subject_and_the_body_keeps_tabs_and_line_breaks() {
        let mut request = create("call", "Call\u{0}back");
        request.body = Some("Ring \u{7}twice".to_owned());
        let errors = NewActivity::try_from(request).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        let mut request = create("call", "Call back");
        request.body = Some("Agenda:\r\n\t- pricing\n\t- dates".to_owned());
        assert!(NewActivity::try_from(request).is_ok());
    }

    #[test]
    fn a_new_activity_names_every_bad_field() {
        let mut request = create("lunch", "   ");
        request.due_at = Some("next tuesday".to_owned());
        request.assignee_id = Some("bob".to_owned());
        let errors = NewActivity::try_from(request).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["kind", "subject", "due_at", "assignee_id"]);
        assert_eq!(errors[1].message, "must not be empty");
    }

    #[test]
    fn a_new_activity_is_trimmed_open_and_the_callers_by_default() {
        let mut request = create("call", "  Follow up Tuesday ");
        request.due_at = Some("2026-12-08T09:00:00Z".to_owned());
        request.body = Some("  ".to_owned());
        let activity = NewActivity::try_from(request).unwrap();
        assert_eq!(activity.subject, "Follow up Tuesday");
        assert_eq!(activity.body, None, "a blank body is none");
        assert_eq!(activity.due_at, Some("2026-12-08T09:00:00Z".parse().unwrap()));
        assert_eq!((activity.assignee_id, activity.done), (None, false));
        let long = "x".repeat(MAX_SUBJECT_CHARS + 1);
        assert_eq!(NewActivity::try_from(create("task", &long)).unwrap_err()[0].field, "subject");
    }

    #[test]
    fn a_change_clears_the_due_date_with_null_and_leaves_absent_fields() {
        let request: UpdateActivityRequest =
            serde_json::from_value(serde_json::json!({"version": 3, "due_at": null, "done": true})).unwrap();
        let change = ChangeActivity::try_from(request).unwrap();
        assert_eq!(change.due_at, Some(None));
        assert_eq!((change.subject, change.body, change.done), (None, None, Some(true)));
        let request: UpdateActivityRequest =
            serde_json::from_value(serde_json::json!({"version": 3, "subject": "", "due_at": "soon"})).unwrap();
        let fields: Vec<String> =
            ChangeActivity::try_from(request).unwrap_err().into_iter().map(|error| error.field).collect();
        assert_eq!(fields, ["subject", "due_at"]);
    }
}
