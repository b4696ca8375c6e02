//! Keeps the names on inbox rows current after a rename. A ticket's row carries its requester's name
//! and e-mail and its assignee's name (docs/data-model.md, "Inbox rows"), so an inbox page is one
//! Query. The writes that change a ticket keep its row right in their own transaction; renaming a
//! customer or a member changes no ticket, and may touch thousands of rows, so the outbox consumer
//! refreshes them after the rename's event, one conditional update per ticket.

use futures::{StreamExt, TryStreamExt};

use super::ServiceResult;
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::ids::{CustomerId, UserId};
use crate::storage::{
    PageParams, TenantScope,
    events::Event,
    tickets::{Requester, Ticket, TicketFilters, TicketIndex},
};

/// Row refreshes in flight at once for one rename.
const REFRESH_CONCURRENCY: usize = 8;

/// Refreshes the rows an event's rename made stale; anything else is no work. Idempotent: the rows are
/// set from the customer's or member's current record, so a redelivered or late event writes the same.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    match event.kind {
        EventKind::CustomerUpdated if changed(event, &["name", "email"]) => {
            if let Some(customer) = event.customer_id.or_else(|| subject_id(event, "customer/")) {
                refresh_requester(app, scope, customer).await?;
            }
        }
        EventKind::UserUpdated | EventKind::UserRoleChanged if changed(event, &["name"]) => {
            if let Some(member) = subject_id(event, "user/") {
                refresh_assignee_name(app, scope, member).await?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether any of `fields` differs between the event's before and after.
fn changed(event: &Event, fields: &[&str]) -> bool {
    let field = |side: &Option<serde_json::Value>, name: &str| side.as_ref().and_then(|value| value.get(name)).cloned();
    fields.iter().any(|name| field(&event.before, name) != field(&event.after, name))
}

fn subject_id<T: std::str::FromStr>(event: &Event, prefix: &str) -> Option<T> {
    event.subject.strip_prefix(prefix)?.parse().ok()
}

async fn refresh_requester(app: &App, scope: &TenantScope, customer: CustomerId) -> ServiceResult<()> {
    let Some(current) = app.store.get_customer(scope, customer).await? else { return Ok(()) };
    let requester = Requester::from(&current);
    let stale = tickets(app, scope, TicketIndex::Customer(customer), |ticket| {
        ticket.customer_id == customer && ticket.row.requester.as_ref() != Some(&requester)
    })
    .await?;
    futures::stream::iter(stale)
        .map(|ticket| app.store.refresh_row_requester(scope, ticket.id, &requester))
        .buffer_unordered(REFRESH_CONCURRENCY)
        .try_collect::<Vec<bool>>()
        .await?;
    Ok(())
}

async fn refresh_assignee_name(app: &App, scope: &TenantScope, member: UserId) -> ServiceResult<()> {
    let Some(current) = app.store.get_member(scope, member).await? else { return Ok(()) };
    let name = current.name.to_string();
    let mut stale = Vec::new();
    for unresolved in [true, false] {
        let index = TicketIndex::Assignee { assignee: Some(member), unresolved, by_priority: false };
        stale.extend(
            tickets(app, scope, index, |ticket| {
                ticket.assignee_id == Some(member) && ticket.row.assignee_name.as_deref() != Some(name.as_str())
            })
            .await?,
        );
    }
    futures::stream::iter(stale)
        .map(|ticket| app.store.refresh_row_assignee_name(scope, ticket.id, member, &name))
        .buffer_unordered(REFRESH_CONCURRENCY)
        .try_collect::<Vec<bool>>()
        .await?;
    Ok(())
}

/// Every ticket of one index partition that `keep` selects, page by page.
async fn tickets(
    app: &App,
    scope: &TenantScope,
    index: TicketIndex,
    keep: impl Fn(&Ticket) -> bool,
) -> ServiceResult<Vec<Ticket>> {
    let mut kept = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .store
            .query_tickets(scope, index, &TicketFilters::default(), PageParams::MAX_LIMIT, cursor.as_deref())
            .await?;
        kept.extend(page.items.into_iter().filter(|ticket| keep(ticket)));
        cursor = page.next_cursor;
        if cursor.is_none() {
            return Ok(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use serde_json::json;

    fn event(kind: EventKind, before: serde_json::Value, after: serde_json::Value) -> Event {
        Event::new(kind, None, "customer/x".into(), Timestamp::UNIX_EPOCH).with_change(Some(before), Some(after))
    }

    #[test]
    fn a_rename_is_a_change_of_name_or_address_and_nothing_else_is() {
        let renamed = event(EventKind::CustomerUpdated, json!({"name": "Grace"}), json!({"name": "Grace Hopper"}));
        assert!(changed(&renamed, &["name", "email"]));
        let moved = event(EventKind::CustomerUpdated, json!({"email": "a@x.example"}), json!({"email": "b@x.example"}));
        assert!(changed(&moved, &["name", "email"]));
        let phoned = event(
            EventKind::CustomerUpdated,
            json!({"name": "Grace", "phone": null}),
            json!({"name": "Grace", "phone": "+1 555"}),
        );
        assert!(!changed(&phoned, &["name", "email"]), "a new phone number leaves every row as it is");
    }
}
