//! Merging a duplicate ticket into the ticket it duplicates: the duplicate's conversation is copied
//! into the target (each message keeps its id, author and time, so it sorts into place), the
//! duplicate closes pointing at the target, and both timelines say what happened. The duplicate
//! keeps its own messages and events: its story stays readable where it was.

use super::commands::ticket_actions::MergeTickets;
use super::tickets::{load, snapshot, view_json};
use super::{ServiceError, ServiceResult};
use crate::api::{MergeResult, MergeTicketRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{FieldError, events::EventKind, ids::TicketId, ticket::Status};
use crate::storage::{
    events::Event,
    merge::{MAX_TRANSACTION_ACTIONS, MergeWriteError, TicketMerge},
    tickets::{Message, Ticket},
};

fn refuse_closed(ticket: &Ticket, which: &str) -> ServiceResult<()> {
    if ticket.status == Status::Closed {
        let reason = match ticket.links.merged_into {
            Some(target) => format!("The {which} ticket was already merged into ticket {target}."),
            None => format!("The {which} ticket is closed: it takes no more changes or messages."),
        };
        return Err(ServiceError::Conflict(reason));
    }
    Ok(())
}

pub async fn merge(
    app: &App,
    caller: &MemberPrincipal,
    duplicate: TicketId,
    request: MergeTicketRequest,
) -> ServiceResult<MergeResult> {
    let command = MergeTickets::parse(duplicate, &request)?;
    let scope = caller.scope();
    let history =
        app.store.ticket_with_history(&scope, duplicate).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let target =
        app.store.get_ticket(&scope, command.target).await?.ok_or_else(|| {
            ServiceError::Validation(vec![FieldError::new("into", "is not a ticket of this workspace")])
        })?;
    let duplicate_before = history.ticket;
    if duplicate_before.version != command.version {
        return Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&duplicate_before)) });
    }
    if target.version != command.target_version {
        return Err(ServiceError::VersionConflict { what: "The target ticket", current: Some(view_json(&target)) });
    }
    refuse_closed(&duplicate_before, "duplicate")?;
    refuse_closed(&target, "target")?;

    let now = app.clock.now();
    let copies: Vec<Message> = history
        .messages
        .iter()
        .map(|message| Message { ticket_id: target.id, merged_from: Some(duplicate), ..message.clone() })
        .collect();
    let mut duplicate_after = duplicate_before.clone();
    duplicate_after.status = Status::Closed;
    duplicate_after.record_status(now);
    duplicate_after.links.merged_into = Some(target.id);
    duplicate_after.updated_at = now;
    duplicate_after.version += 1;
    duplicate_after.row.last_activity_at = Some(now);
    let mut target_after = target.clone();
    target_after.links.merged_from.push(duplicate);
    target_after.updated_at = now;
    target_after.version += 1;
    // The copies keep their times: the target's preview is its latest public message, whichever ticket
    // it came from.
    for copy in &copies {
        target_after.row.record_message(copy, None);
    }
    target_after.row.last_activity_at = Some(now);

    let message_ids: Vec<String> = copies.iter().map(|message| message.id.to_string()).collect();
    let subject = |id: TicketId| format!("ticket/{id}");
    let events = [
        Event::new(EventKind::TicketUpdated, Some(caller.user_id), subject(duplicate), now)
            .with_change(Some(snapshot(&duplicate_before)), Some(snapshot(&duplicate_after)))
            .about_ticket(duplicate, duplicate_before.customer_id)
            .at_version(duplicate_after.version),
        Event::new(EventKind::TicketMerged, Some(caller.user_id), subject(duplicate), now)
            .with_change(None, Some(serde_json::json!({"merged_into": target.id, "messages": copies.len()})))
            .about_ticket(duplicate, duplicate_before.customer_id)
            .at_version(duplicate_after.version),
        Event::new(EventKind::TicketDuplicateMerged, Some(caller.user_id), subject(target.id), now)
            .with_change(
                None,
                Some(serde_json::json!({"duplicate": duplicate, "messages": copies.len(), "message_ids": message_ids})),
            )
            .about_ticket(target.id, target.customer_id)
            .at_version(target_after.version),
    ];
    let merge = TicketMerge {
        duplicate_before: &duplicate_before,
        duplicate_after: &duplicate_after,
        target_before: &target,
        target_after: &target_after,
        copies: &copies,
        events: &events,
    };
    if merge.actions() > MAX_TRANSACTION_ACTIONS {
        let most = MAX_TRANSACTION_ACTIONS - (merge.actions() - copies.len());
        return Err(ServiceError::Validation(vec![FieldError::new(
            "into",
            format!(
                "cannot take this duplicate in one merge: it has {} messages, at most {most} move at once",
                copies.len()
            ),
        )]));
    }
    match app.store.merge_tickets(&scope, merge).await {
        Ok(()) => Ok(MergeResult {
            ticket: (&target_after).into(),
            duplicate: (&duplicate_after).into(),
            messages_moved: copies.len(),
        }),
        Err(MergeWriteError::DuplicateChanged) => {
            let current = load(app, &scope, duplicate).await?;
            Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&current)) })
        }
        Err(MergeWriteError::TargetChanged) => {
            let current = load(app, &scope, target.id).await?;
            Err(ServiceError::VersionConflict { what: "The target ticket", current: Some(view_json(&current)) })
        }
        Err(MergeWriteError::AlreadyCopied) => {
            Err(ServiceError::Conflict("These messages were already merged into the target ticket.".to_owned()))
        }
        Err(MergeWriteError::Store(err)) => Err(err.into()),
    }
}
