//! Tickets: the lifecycle state machine, priorities, tags, subjects and bodies.
//!
//! Lifecycle (docs/api.md has the table):
//! - `new`      → open, pending, on_hold, solved, closed
//! - `open`     → pending, on_hold, solved, closed
//! - `pending`  → open, on_hold, solved, closed   (waiting on the customer)
//! - `on_hold`  → open, pending, solved, closed   (waiting on a third party)
//! - `solved`   → open, closed                    (reopened, or closed for good)
//! - `closed`   → nothing: closed is final; a new message needs a new ticket
//!
//! Automatic moves: assigning a `new` ticket opens it; an agent's public reply opens a `new` ticket;
//! a customer's reply reopens a `pending`, `on_hold` or `solved` ticket.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::New, Status::Open, Status::Pending, Status::OnHold, Status::Solved, Status::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Status::ALL.map(Status::as_str).join(", ")))
    }

    /// Where a ticket in this status may go next.
    pub fn allowed_next(self) -> &'static [Status] {
        use Status::*;
        match self {
            New => &[Open, Pending, OnHold, Solved, Closed],
            Open => &[Pending, OnHold, Solved, Closed],
            Pending => &[Open, OnHold, Solved, Closed],
            OnHold => &[Open, Pending, Solved, Closed],
            Solved => &[Open, Closed],
            Closed => &[],
        }
    }

    /// Still needs work: shown in the inbox's open views and counted as open.
    pub fn is_unresolved(self) -> bool {
        matches!(self, Status::New | Status::Open | Status::Pending | Status::OnHold)
    }
}

/// A requested status change that the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTransition {
    pub from: Status,
    pub to: Status,
}

impl InvalidTransition {
    pub fn allowed(&self) -> &'static [Status] {
        self.from.allowed_next()
    }
}

/// Checks a status change asked for explicitly. Staying in the same status is not a change.
pub fn transition(from: Status, to: Status) -> Result<Status, InvalidTransition> {
    if from == to || from.allowed_next().contains(&to) { Ok(to) } else { Err(InvalidTransition { from, to }) }
}

/// The status after assignment, when no status was asked for: assigning a new ticket opens it.
pub fn status_after_assignment(current: Status) -> Status {
    if current == Status::New { Status::Open } else { current }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Agent,
    Customer,
}

/// The status after a message, and whether the message is the ticket's first response.
pub fn after_message(current: Status, author: Author, internal: bool) -> Result<Status, InvalidTransition> {
    match (author, internal) {
        (_, _) if current == Status::Closed => Err(InvalidTransition { from: current, to: current }),
        (Author::Customer, _) if matches!(current, Status::Pending | Status::OnHold | Status::Solved) => {
            Ok(Status::Open)
        }
        (Author::Agent, false) if current == Status::New => Ok(Status::Open),
        _ => Ok(current),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// 0 for low up to 3 for urgent: the order of the priority-sorted inbox.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Low => 0,
            Priority::Normal => 1,
            Priority::High => 2,
            Priority::Urgent => 3,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Priority::ALL
            .into_iter()
            .find(|priority| priority.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Priority::ALL.map(Priority::as_str).join(", ")))
    }
}

pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 32;

/// Normalises free tags: trimmed, lower-case, inner spaces as '-', de-duplicated, order kept.
pub fn normalize_tags(raw: &[String]) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        let tag = tag.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("-");
        if tag.is_empty() {
            return Err("must not contain empty tags".to_owned());
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(format!("{tag:?} is longer than {MAX_TAG_CHARS} characters"));
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')) {
            return Err(format!("{tag:?} may only contain letters, digits and - _ : ."));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    Ok(tags)
}

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_BODY_CHARS: usize = 20_000;

pub fn parse_subject(raw: &str) -> Result<String, String> {
    let subject = raw.trim();
    if subject.is_empty() {
        return Err("is required".to_owned());
    }
    if subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(format!("must be at most {MAX_SUBJECT_CHARS} characters"));
    }
    super::text::check_controls(subject, super::text::TextKind::Line)?;
    Ok(subject.to_owned())
}

pub fn parse_body(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("is required".to_owned());
    }
    if raw.chars().count() > MAX_BODY_CHARS {
        return Err(format!("must be at most {MAX_BODY_CHARS} characters"));
    }
    super::text::check_controls(raw, super::text::TextKind::Body)?;
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_is_final_and_solved_can_only_reopen_or_close() {
        assert!(Status::Closed.allowed_next().is_empty());
        for to in Status::ALL.into_iter().filter(|s| *s != Status::Closed) {
            assert_eq!(transition(Status::Closed, to), Err(InvalidTransition { from: Status::Closed, to }));
        }
        assert_eq!(Status::Solved.allowed_next(), &[Status::Open, Status::Closed]);
        assert_eq!(transition(Status::Solved, Status::Pending).unwrap_err().allowed(), &[Status::Open, Status::Closed]);
    }

    #[test]
    fn nothing_goes_back_to_new() {
        for from in Status::ALL {
            if from != Status::New {
                assert!(transition(from, Status::New).is_err(), "{from:?} -> new");
            }
        }
    }

    #[test]
    fn staying_put_is_always_fine() {
        for status in Status::ALL {
            assert_eq!(transition(status, status), Ok(status));
        }
    }

    #[test]
    fn assignment_opens_only_new_tickets() {
        assert_eq!(status_after_assignment(Status::New), Status::Open);
        assert_eq!(status_after_assignment(Status::Pending), Status::Pending);
    }

    #[test]
    fn replies_move_the_ticket() {
        assert_eq!(after_message(Status::Solved, Author::Customer, false), Ok(Status::Open));
        assert_eq!(after_message(Status::Pending, Author::Customer, false), Ok(Status::Open));
        assert_eq!(after_message(Status::New, Author::Agent, false), Ok(Status::Open));
        assert_eq!(after_message(Status::New, Author::Agent, true), Ok(Status::New), "a note is no response");
        assert_eq!(after_message(Status::Pending, Author::Agent, false), Ok(Status::Pending));
        assert!(after_message(Status::Closed, Author::Customer, false).is_err());
    }

    #[test]
    fn tags_are_normalised_and_bounded() {
        let raw = vec!["  VIP ".to_owned(), "billing issue".to_owned(), "vip".to_owned()];
        assert_eq!(normalize_tags(&raw).unwrap(), ["vip", "billing-issue"]);
        assert!(normalize_tags(&["".to_owned()]).is_err());
        assert!(normalize_tags(&["x".repeat(33)]).is_err());
        assert!(normalize_tags(&["semi;colon".to_owned()]).is_err());
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        assert!(normalize_tags(&many).is_err());
    }

    #[test]
    fn subjects_and_bodies_are_bounded() {
        assert_eq!(parse_subject("  Printer on fire ").unwrap(), "Printer on fire");
        assert!(parse_subject(" ").is_err());
        assert!(parse_subject(&"s".repeat(201)).is_err());
        assert!(parse_body("\n").is_err());
        assert!(parse_body(&"b".repeat(20_001)).is_err());
    }
}
