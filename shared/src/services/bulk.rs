//! Bulk changes from the inbox and the leads list: the same change to many records, each at the
//! version the caller saw.
//! Every record is its own versioned change through the single-record use case, so one stale or
//! refused record never holds back the others; the outcome of each is reported.

use futures::{StreamExt, stream};

use super::commands::ticket_actions::BulkChange;
use super::{ServiceError, ServiceResult, tickets};
use crate::api::{BulkUpdateRequest, TicketView, UpdateTicketRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::ids::TicketId;

/// How many records of one bulk action are changed at a time.
const IN_FLIGHT: usize = 4;

/// What happened to one record of a bulk action.
#[derive(Debug)]
pub enum BulkRecordOutcome<V> {
    Updated(V),
    /// It already was as asked.
    Unchanged(V),
    /// Refused, for the reason a single change would have been.
    Refused(ServiceError),
}

pub type BulkTicketOutcome = BulkRecordOutcome<TicketView>;

/// Changes every record with `change` (a few at a time), each at the version the caller saw; the
/// outcomes come in the order given. A record whose version did not move was already as asked.
pub async fn each<Id, V, Fut>(
    records: Vec<(Id, u64)>,
    version_of: fn(&V) -> u64,
    change: impl Fn(Id, u64) -> Fut,
) -> Vec<(Id, BulkRecordOutcome<V>)>
where
    Id: Copy,
    Fut: Future<Output = ServiceResult<V>>,
{
    stream::iter(records)
        .map(|(id, version)| {
            let change = &change;
            async move {
                let outcome = match change(id, version).await {
                    Ok(view) if version_of(&view) == version => BulkRecordOutcome::Unchanged(view),
                    Ok(view) => BulkRecordOutcome::Updated(view),
                    Err(err) => BulkRecordOutcome::Refused(err),
                };
                (id, outcome)
            }
        })
        .buffered(IN_FLIGHT)
        .collect()
        .await
}

/// Applies the change to every ticket; the outcomes come in the order the tickets were given.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    request: BulkUpdateRequest,
) -> ServiceResult<Vec<(TicketId, BulkTicketOutcome)>> {
    let change = BulkChange::try_from(request)?;
    let change = &change;
    let outcomes = each(
        change.tickets.clone(),
        |view: &TicketView| view.version,
        |id, version| change_one(app, caller, change, id, version),
    )
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
