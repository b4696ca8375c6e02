//! Feeding the search indexes: the outbox consumer turns each committed event into a message naming
//! the searchable records it touched, sent to the search FIFO queue with the workspace as message
//! group, so one workspace's changes reach its index in commit order and one at a time (a single
//! writer per index), while workspaces are indexed side by side. The indexer (functions/search-indexer)
//! re-reads each named record from the table and puts it in the index, or takes it out when it is gone.

use serde::{Deserialize, Serialize};

use super::ServiceError;
use crate::app::App;
use crate::domain::ids::{EventId, WorkspaceId};
use crate::storage::{TenantScope, events::Event};

/// A searchable record: its kind as the search API names it, and its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SearchTarget {
    pub kind: SearchKind,
    pub id: String,
}

/// The kinds of record search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    Tickets,
    Customers,
    Companies,
    Leads,
    Deals,
}

impl SearchKind {
    pub const ALL: [SearchKind; 5] =
        [SearchKind::Tickets, SearchKind::Customers, SearchKind::Companies, SearchKind::Leads, SearchKind::Deals];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Tickets => "tickets",
            SearchKind::Customers => "customers",
            SearchKind::Companies => "companies",
            SearchKind::Leads => "leads",
            SearchKind::Deals => "deals",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// One message of the search queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SearchChange {
    /// Re-read these records of the workspace and bring the index in line.
    Refresh { workspace_id: WorkspaceId, event_id: EventId, targets: Vec<SearchTarget> },
    /// Build the workspace's index again from the table (its object is missing or unreadable).
    Rebuild { workspace_id: WorkspaceId },
}

impl SearchChange {
    pub fn workspace_id(&self) -> WorkspaceId {
        match self {
            SearchChange::Refresh { workspace_id, .. } | SearchChange::Rebuild { workspace_id } => *workspace_id,
        }
    }
}

/// The searchable records an event is about: the records its timeline fields name. A record named
/// by an event that did not change its text is re-read and found unchanged, which is harmless.
pub fn targets_of(event: &Event) -> Vec<SearchTarget> {
    let mut targets = Vec::new();
    let mut add = |kind: SearchKind, id: Option<String>| {
        if let Some(id) = id {
            targets.push(SearchTarget { kind, id });
        }
    };
    add(SearchKind::Tickets, event.ticket_id.map(|id| id.to_string()));
    add(SearchKind::Customers, event.customer_id.map(|id| id.to_string()));
    add(SearchKind::Leads, event.lead_id.map(|id| id.to_string()));
    add(SearchKind::Deals, event.deal_id.map(|id| id.to_string()));
    add(SearchKind::Companies, event.company_id.map(|id| id.to_string()));
    // The subject names the record for events whose timeline fields do not (`company/<id>`, ...).
    if let Some((kind, id)) = event.subject.split_once('/') {
        let kind = match kind {
            "ticket" => Some(SearchKind::Tickets),
            "customer" => Some(SearchKind::Customers),
            "company" => Some(SearchKind::Companies),
            "lead" => Some(SearchKind::Leads),
            "deal" => Some(SearchKind::Deals),
            _ => None,
        };
        if let Some(kind) = kind {
            add(kind, Some(id.to_owned()));
        }
    }
    // Merges name the other side in `after`: a merged lead's duplicate, a merged customer's target,
    // a ticket's merged duplicate (the duplicate leaves the results, the survivor gains its text).
    let subject_kind = event.subject.split_once('/').map(|(kind, _)| kind);
    for field in ["duplicate_id", "target_id", "duplicate"] {
        let other = event.after.as_ref().and_then(|after| after.get(field)).and_then(|v| v.as_str());
        let kind = match subject_kind {
            Some("lead") => SearchKind::Leads,
            Some("customer") => SearchKind::Customers,
            Some("ticket") => SearchKind::Tickets,
            _ => continue,
        };
        add(kind, other.map(str::to_owned));
    }
    targets.sort();
    targets.dedup();
    targets
}

/// Sends the event's searchable records to the workspace's index writer. The event id deduplicates:
/// a redelivered event within the queue's five-minute window is dropped, after it is harmless.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> Result<(), ServiceError> {
    let targets = targets_of(event);
    if targets.is_empty() {
        return Ok(());
    }
    let workspace_id = scope.workspace_id();
    let change = SearchChange::Refresh { workspace_id, event_id: event.id, targets };
    app.search_queue.send_ordered(&change, &workspace_id.to_string(), &event.id.to_string()).await?;
    Ok(())
}

/// Asks the workspace's writer to rebuild its index (deduplicated per workspace and minute, so many
/// searches meeting the same missing index ask once).
pub async fn request_rebuild(app: &App, workspace_id: WorkspaceId) -> Result<(), ServiceError> {
    let minute = app.clock.now().as_second() / 60;
    let change = SearchChange::Rebuild { workspace_id };
    app.search_queue
        .send_ordered(&change, &workspace_id.to_string(), &format!("rebuild-{workspace_id}-{minute}"))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::EventKind;
    use crate::domain::ids::{CustomerId, TicketId};

    #[test]
    fn an_event_names_every_searchable_record_it_is_about_once() {
        let (ticket, customer) = (TicketId::generate(), CustomerId::generate());
        let mut event =
            Event::new(EventKind::TicketCreated, None, format!("ticket/{ticket}"), jiff::Timestamp::UNIX_EPOCH);
        event.ticket_id = Some(ticket);
        event.customer_id = Some(customer);
        let targets = targets_of(&event);
        assert_eq!(
            targets,
            vec![
                SearchTarget { kind: SearchKind::Tickets, id: ticket.to_string() },
                SearchTarget { kind: SearchKind::Customers, id: customer.to_string() },
            ]
        );
        let member = Event::new(EventKind::UserCreated, None, "user/u1".into(), jiff::Timestamp::UNIX_EPOCH);
        assert!(targets_of(&member).is_empty(), "members are not searched");
    }
}
