//! Collision prevention on replies: a reply drafted on an older version of the ticket is refused when
//! a customer message or another reply arrived meanwhile, and a reply over another member's active
//! claim is refused; both unless the agent confirms. Internal notes are never held back.

use super::{ServiceError, ServiceResult};
use crate::api::MessageView;
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{FieldError, events::EventKind, ticket::Author};
use crate::storage::{
    TenantScope,
    tickets::{Message, Ticket},
};

/// What the agent is about to send.
pub struct Draft {
    pub author: Author,
    pub internal: bool,
    /// The ticket version the draft started on.
    pub draft_version: Option<u64>,
    pub confirm: bool,
}

/// Refuses the reply when it would collide; Ok(()) to go ahead.
pub async fn check(app: &App, caller: &MemberPrincipal, ticket: &Ticket, draft: &Draft) -> ServiceResult<()> {
    if draft.confirm || draft.internal || draft.author != Author::Agent {
        return Ok(());
    }
    let scope = caller.scope();
    if let Some(claim) = app.store.get_claim(&scope, ticket.id).await?
        && claim.user_id != caller.user_id
        && claim.is_active(app.clock.now().as_second())
    {
        return Err(ServiceError::TicketClaimed(claim));
    }
    match draft.draft_version {
        // Nothing at all changed since the draft began: no need to read the conversation.
        Some(version) if version < ticket.version => new_messages_since(app, &scope, ticket, version).await,
        Some(version) if version > ticket.version => Err(ServiceError::Validation(vec![FieldError::new(
            "draft_version",
            format!("is ahead of the ticket, which is at version {}", ticket.version),
        )])),
        _ => Ok(()),
    }
}

/// The customer messages and public replies committed after `version`.
async fn new_messages_since(app: &App, scope: &TenantScope, ticket: &Ticket, version: u64) -> ServiceResult<()> {
    let Some(history) = app.store.ticket_with_history(scope, ticket.id).await? else {
        return Err(ServiceError::NotFound("The ticket"));
    };
    let newer_ids: Vec<String> = history
        .events
        .iter()
        .filter(|event| event.kind == EventKind::MessageCreated && !event.internal)
        .filter(|event| event.ticket_version.is_some_and(|v| v > version))
        .filter_map(|event| event.after.as_ref()?.get("message_id")?.as_str().map(str::to_owned))
        .collect();
    let newer: Vec<&Message> = history
        .messages
        .iter()
        .filter(|message| !message.internal && newer_ids.contains(&message.id.to_string()))
        .collect();
    let names = super::authors::AuthorNames::of(app, scope, &history.ticket, &newer).await?;
    let messages: Vec<MessageView> = newer.iter().map(|message| names.view(message)).collect();
    if messages.is_empty() {
        return Ok(());
    }
    Err(ServiceError::DraftConflict { current_version: history.ticket.version, messages })
}
