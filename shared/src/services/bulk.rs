//! Bulk changes from the inbox: the same change to many tickets, each at the version the agent saw.
//! Every ticket is its own versioned change through the single-ticket use case, so one stale or
//! refused ticket never holds back the others; the outcome of each is reported.

use futures::{StreamExt, stream};

use super::commands::ticket_actions::BulkChange;
use super::{ServiceError, ServiceResult, tickets};
use crate::api::{BulkUpdateRequest, TicketView, UpdateTicketRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::ids::TicketId;

/// How many tickets of one bulk action are changed at a time.
const IN_FLIGHT: usize = 4;

/// What happened to one ticket.
#[derive(Debug)]
pub enum BulkTicketOutcome {
    Updated(TicketView),
    /// It already was as asked.
    Unchanged(TicketView),
    /// Refused, for the reason a single change would have been.
    Refused(ServiceError),
}

/// Applies the change to every ticket; the outcomes come in the order the tickets were given.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    request: BulkUpdateRequest,
) -> ServiceResult<Vec<(TicketId, BulkTicketOutcome)>> {
    let change = BulkChange::try_from(request)?;
    let outcomes = stream::iter(change.tickets.clone())
        .map(|(id, version)| {
            let change = &change;
            async move {
                let outcome = match change_one(app, caller, change, id, version).await {
                    Ok(view) if view.version == version => BulkTicketOutcome::Unchanged(view),
                    Ok(view) => BulkTicketOutcome::Updated(view),
                    Err(err) => BulkTicketOutcome::Refused(err),
                };
                (id, outcome)
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    Ok(outcomes)
}

async fn change_one(
    app: &App,
    caller: &MemberPrincipal,
    change: &BulkChange,
    id: TicketId,
    version: u64,
) -> ServiceResult<TicketView> {
    // Adding and removing tags needs the ticket's tags at the version the agent saw.
    let tags = if change.add_tags.is_empty() && change.remove_tags.is_empty() {
        None
    } else {
        let current = tickets::load(app, &caller.scope(), id).await?;
        if current.version != version {
            return Err(ServiceError::VersionConflict {
                what: "The ticket",
                current: Some(tickets::view_json(&current)),
            });
        }
        change.tags_for(&current.tags)
    };
    let request = UpdateTicketRequest {
        version: Some(version),
        status: change.status.map(|status| status.as_str().to_owned()),
        priority: change.priority.map(|priority| priority.as_str().to_owned()),
        assignee_id: change.assignee.map(|assignee| assignee.map(|user| user.to_string())),
        category: None,
        subcategory: None,
        tags,
        handoff: None,
    };
    tickets::update(app, caller, id, request, None).await
}
