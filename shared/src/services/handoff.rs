//! Handoff notes: a reassignment can carry a structured note (context, next step) for the new
//! assignee. The note travels in the `ticket.assigned` event, so it stays in the timeline; the ticket
//! detail shows the note of the current assignment first.

use serde_json::{Value, json};

use crate::api::{HandoffNoteInput, HandoffView};
use crate::domain::events::EventKind;
use crate::domain::ids::UserId;
use crate::domain::text::{TextKind, check_controls};
use crate::storage::{events::Event, tickets::Ticket};

pub const MAX_CONTEXT_CHARS: usize = 2_000;
pub const MAX_NEXT_STEP_CHARS: usize = 500;

fn text(raw: &str, field: &str, max: usize) -> Result<String, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("{field} must not be empty"));
    }
    if value.chars().count() > max {
        return Err(format!("{field} must be at most {max} characters"));
    }
    check_controls(value, TextKind::Body).map_err(|message| format!("{field} {message}"))?;
    Ok(value.to_owned())
}

/// The note as stored in the event: `{context, next_step}`.
pub fn parse(note: &HandoffNoteInput) -> Result<Value, String> {
    let context = text(&note.context, "context", MAX_CONTEXT_CHARS)?;
    let next_step = text(&note.next_step, "next_step", MAX_NEXT_STEP_CHARS)?;
    Ok(json!({"context": context, "next_step": next_step}))
}

/// The `after` of a `ticket.assigned` event.
pub fn assigned_after(assignee: Option<UserId>, note: Option<&Value>) -> Value {
    match note {
        Some(note) => json!({"assignee_id": assignee, "handoff": note}),
        None => json!({"assignee_id": assignee}),
    }
}

/// The note of the ticket's current assignment: the last assignment event, if it named the current
/// assignee and carried a note.
pub fn current(ticket: &Ticket, events: &[Event]) -> Option<HandoffView> {
    let assigned =
        events.iter().filter(|event| event.kind == EventKind::TicketAssigned).max_by_key(|event| event.id)?;
    let after = assigned.after.as_ref()?;
    let to: UserId = after.get("assignee_id")?.as_str()?.parse().ok()?;
    if ticket.assignee_id != Some(to) {
        return None;
    }
    let note = after.get("handoff")?;
    Some(HandoffView {
        event_id: assigned.id,
        from: assigned.actor,
        to,
        context: note.get("context")?.as_str()?.to_owned(),
        next_step: note.get("next_step")?.as_str()?.to_owned(),
        at: assigned.at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_bounded() {
        let ok = parse(&HandoffNoteInput { context: "  waiting on logs ".into(), next_step: "call back".into() });
        assert_eq!(ok.unwrap()["context"], "waiting on logs");
        let empty = parse(&HandoffNoteInput { context: " ".into(), next_step: "x".into() });
        assert!(empty.unwrap_err().contains("context"));
        let long = parse(&HandoffNoteInput { context: "x".into(), next_step: "y".repeat(MAX_NEXT_STEP_CHARS + 1) });
        assert!(long.unwrap_err().contains("next_step"));
    }
}
