//! A ticket's followers (members kept informed) and CC (addresses copied on replies to the customer).

use super::commands::ticket_actions::SetFollowers;
use super::tickets::{load, view_json};
use super::{ServiceError, ServiceResult};
use crate::api::{FollowersRequest, TicketView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{FieldError, events::EventKind, ids::TicketId, ticket::Status};
use crate::storage::{
    events::Event,
    tickets::{Ticket, TicketWriteError},
};

fn people(ticket: &Ticket) -> serde_json::Value {
    serde_json::json!({"followers": ticket.links.followers, "cc": ticket.links.cc})
}

/// Replaces the ticket's followers and CC, based on the version the caller saw.
pub async fn set(
    app: &App,
    caller: &MemberPrincipal,
    id: TicketId,
    request: FollowersRequest,
) -> ServiceResult<TicketView> {
    let command = SetFollowers::try_from(request)?;
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    if before.version != command.version {
        return Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&before)) });
    }
    if before.status == Status::Closed {
        return Err(ServiceError::Conflict("The ticket is closed: it takes no more changes.".to_owned()));
    }
    let mut errors = Vec::new();
    for (index, user) in command.followers.iter().enumerate() {
        let active = app.store.get_member(&scope, *user).await?.is_some_and(|member| member.is_active());
        if !active {
            errors.push(FieldError::new(format!("followers[{index}]"), "must be an active member of this workspace"));
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let mut after = before.clone();
    after.links.followers = command.followers;
    after.links.cc = command.cc;
    if after == before {
        return Ok((&before).into());
    }
    // Who follows is not news about the ticket itself: it keeps its place in the inbox.
    let now = app.clock.now();
    after.version = before.version + 1;
    let events = [Event::new(EventKind::TicketFollowersChanged, Some(caller.user_id), format!("ticket/{id}"), now)
        .with_change(Some(people(&before)), Some(people(&after)))
        .about_ticket(id, before.customer_id)
        .at_version(after.version)];
    match app.store.save_ticket(&scope, &before, &after, None, &events).await {
        Ok(()) => Ok((&after).into()),
        Err(TicketWriteError::VersionConflict) => {
            let current = load(app, &scope, id).await?;
            Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&current)) })
        }
        Err(TicketWriteError::Store(err)) => Err(err.into()),
    }
}
