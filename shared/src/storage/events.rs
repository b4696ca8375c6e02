//! The outbox: every state change writes an immutable event item in the same transaction as the change.
//! The event log is the timeline and the audit trail; later consumers (live updates, webhooks, reports)
//! read it from the table's stream.
//!
//! One item per event, reachable three ways: in its ticket's item collection (`TICKET#<t>#EVENT#<e>`),
//! its deal's (`DEAL#<d>#EVENT#<e>`) or under `EVENT#<e>`; in the workspace activity log (GSI1); in its customer's,
//! lead's or company's timeline (GSI2).

use aws_sdk_dynamodb::types::TransactWriteItem;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Item, Page, PageQuery, QuerySpec, Store, StoreError, TenantScope, keys, s};
use crate::domain::events::EventKind;
use crate::domain::ids::{CompanyId, CustomerId, DealId, EventId, LeadId, TicketId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: EventId,
    /// stored under its wire name, e.g. "ticket.assigned"
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// the member who caused it; None for the system or platform staff
    pub actor: Option<UserId>,
    /// what it is about, e.g. "user/<id>"
    pub subject: String,
    pub at: Timestamp,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// the ticket it belongs to, which places it in the ticket's timeline
    #[serde(default)]
    pub ticket_id: Option<TicketId>,
    /// the customer it concerns, which places it in the customer's timeline
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// the sales lead it concerns, which places it in the lead's timeline (unless it concerns a
    /// customer too: a conversion is in the customer's timeline)
    #[serde(default)]
    pub lead_id: Option<LeadId>,
    /// about an internal note: never shown where a customer could see it
    #[serde(default)]
    pub internal: bool,
    /// The ticket's version after the change (ticket events only): live clients detect a gap when a
    /// ticket's version jumps by more than one, and refetch it.
    #[serde(default)]
    pub ticket_version: Option<u64>,
    /// The deal it belongs to, which places it in the deal's history (its stage moves among them).
    #[serde(default)]
    pub deal_id: Option<DealId>,
    /// The company it concerns, which places it in the company's timeline (unless it concerns a
    /// customer or a lead too).
    #[serde(default)]
    pub company_id: Option<CompanyId>,
}

impl Event {
    pub fn new(kind: EventKind, actor: Option<UserId>, subject: String, at: Timestamp) -> Self {
        Self {
            id: EventId::generate(),
            kind,
            actor,
            subject,
            at,
            before: None,
            after: None,
            ticket_id: None,
            customer_id: None,
            lead_id: None,
            internal: false,
            ticket_version: None,
            deal_id: None,
            company_id: None,
        }
    }

    pub fn about_company(mut self, company: CompanyId) -> Self {
        self.company_id = Some(company);
        self
    }

    pub fn about_deal(mut self, deal: DealId) -> Self {
        self.deal_id = Some(deal);
        self
    }

    pub fn with_change(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    pub fn about_ticket(mut self, ticket: TicketId, customer: CustomerId) -> Self {
        self.ticket_id = Some(ticket);
        self.customer_id = Some(customer);
        self
    }

    pub fn about_customer(mut self, customer: CustomerId) -> Self {
        self.customer_id = Some(customer);
        self
    }

    pub fn about_lead(mut self, lead: LeadId) -> Self {
        self.lead_id = Some(lead);
        self
    }

    pub fn at_version(mut self, version: u64) -> Self {
        self.ticket_version = Some(version);
        self
    }

    pub fn internal(mut self, internal: bool) -> Self {
        self.internal = internal;
        self
    }
}

const ACTIVITY_LISTING: &str = "activity";
const TIMELINE_LISTING: &str = "customer-timeline";
const LEAD_TIMELINE_LISTING: &str = "lead-timeline";
const COMPANY_TIMELINE_LISTING: &str = "company-timeline";
/// The one value in a timeline cursor: the id of the last event shown.
const TIMELINE_CURSOR_KEY: &str = "before";

impl Store {
    /// The transaction action that appends `event` to the log. Never overwrites.
    pub(crate) fn put_event(&self, scope: &TenantScope, event: &Event) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(event)?;
        let sk = match (event.ticket_id, event.deal_id) {
            (Some(ticket), _) => keys::ticket_event_sk(ticket, event.id),
            (None, Some(deal)) => keys::deal_event_sk(deal, event.id),
            (None, None) => keys::event_sk(event.id),
        };
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(sk));
        item.insert("workspace_id".to_owned(), s(scope.workspace_id().to_string()));
        item.insert(keys::GSI1PK.to_owned(), s(keys::activity_gsi1pk(scope.workspace_id())));
        item.insert(keys::GSI1SK.to_owned(), s(keys::activity_gsi1sk(event.id)));
        if let Some(customer) = event.customer_id {
            item.insert(keys::GSI2PK.to_owned(), s(keys::customer_gsi2pk(scope.workspace_id(), customer)));
            item.insert(keys::GSI2SK.to_owned(), s(keys::customer_event_gsi2sk(event.id)));
        } else if let Some(lead) = event.lead_id {
            item.insert(keys::GSI2PK.to_owned(), s(keys::lead_gsi2pk(scope.workspace_id(), lead)));
            item.insert(keys::GSI2SK.to_owned(), s(keys::lead_event_gsi2sk(event.id)));
        } else if let Some(company) = event.company_id {
            item.insert(keys::GSI2PK.to_owned(), s(keys::company_gsi2pk(scope.workspace_id(), company)));
            item.insert(keys::GSI2SK.to_owned(), s(keys::company_event_gsi2sk(event.id)));
        }
        self.put_new(item)
    }

    /// A lead's timeline: the events about it, newest first.
    pub async fn lead_timeline(
        &self,
        scope: &TenantScope,
        lead: LeadId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let query = PageQuery {
            listing: LEAD_TIMELINE_LISTING,
            owner: format!("{}/{lead}", scope.workspace_id()),
            index: Some(keys::GSI2),
            key_condition: "GSI2PK = :pk",
            values: vec![(":pk", s(keys::lead_gsi2pk(scope.workspace_id(), lead)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// A company's timeline: the events about it (created, changed, noted, deleted), newest first.
    pub async fn company_timeline(
        &self,
        scope: &TenantScope,
        company: CompanyId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let query = PageQuery {
            listing: COMPANY_TIMELINE_LISTING,
            owner: format!("{}/{company}", scope.workspace_id()),
            index: Some(keys::GSI2),
            key_condition: "GSI2PK = :pk",
            values: vec![(":pk", s(keys::company_gsi2pk(scope.workspace_id(), company)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// The workspace activity log, newest first.
    pub async fn activity(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let query = PageQuery {
            listing: ACTIVITY_LISTING,
            owner: scope.workspace_id().to_string(),
            index: Some(keys::GSI1),
            key_condition: "GSI1PK = :pk",
            values: vec![(":pk", s(keys::activity_gsi1pk(scope.workspace_id())))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// Every event item of the workspace as stored, oldest first: what the table's stream carried when
    /// they were committed, for tests that deliver them to the outbox consumer again.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn event_items(&self, scope: &TenantScope) -> Result<Vec<Item>, StoreError> {
        let query = super::QuerySpec::new("GSI1PK = :pk")
            .on_index(keys::GSI1)
            .value(":pk", s(keys::activity_gsi1pk(scope.workspace_id())));
        self.query_all(&query).await
    }

    /// A customer's timeline: events about them and their tickets, and about the customers merged into
    /// them (`merged`), newest first. Each customer's GSI2 partition is queried for the events below the
    /// cursor, and the results are merged by event id. The cursor is the last event id of the page.
    pub async fn customer_timeline(
        &self,
        scope: &TenantScope,
        customer: CustomerId,
        merged: &[CustomerId],
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Event>, StoreError> {
        let owner = format!("{}/{customer}", scope.workspace_id());
        let before: Option<EventId> = match cursor {
            None => None,
            Some(cursor) => {
                let key = self.cursors.decode(TIMELINE_LISTING, &owner, cursor)?;
                let id = super::string_attr(&key, TIMELINE_CURSOR_KEY).and_then(|id| id.parse().ok());
                Some(id.ok_or(super::cursor::InvalidCursor)?)
            }
        };
        let mut partitions = vec![customer];
        for id in merged {
            if !partitions.contains(id) {
                partitions.push(*id);
            }
        }
        // One more than a page from each: the cursor's own event comes back too (the range is inclusive).
        let queries = partitions.iter().map(|id| self.timeline_partition(scope, *id, before, limit + 1));
        let results = futures::future::try_join_all(queries).await?;
        let (events, more) = merge_newest_first(results, before, usize::try_from(limit).unwrap_or(0));
        let next_cursor = match events.last() {
            Some(last) if more => {
                let key: Item = [(TIMELINE_CURSOR_KEY.to_owned(), s(last.id.to_string()))].into_iter().collect();
                Some(self.cursors.encode(TIMELINE_LISTING, &owner, &key))
            }
            _ => None,
        };
        Ok(Page { items: events, next_cursor })
    }

    /// Up to `limit` of one customer's events, newest first, at or below `through`; and whether the
    /// partition holds more.
    async fn timeline_partition(
        &self,
        scope: &TenantScope,
        customer: CustomerId,
        through: Option<EventId>,
        limit: i32,
    ) -> Result<(Vec<Event>, bool), StoreError> {
        let query = QuerySpec::new(match through {
            None => "GSI2PK = :pk AND begins_with(GSI2SK, :prefix)",
            Some(_) => "GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to",
        })
        .on_index(keys::GSI2)
        .value(":pk", s(keys::customer_gsi2pk(scope.workspace_id(), customer)))
        .newest_first(true);
        let query = match through {
            None => query.value(":prefix", s(keys::CUSTOMER_EVENTS_GSI2_PREFIX)),
            Some(event) => {
                let (from, to) = keys::customer_events_through_gsi2sk(event);
                query.value(":from", s(from)).value(":to", s(to))
            }
        };
        let (items, more) = self.query_up_to(&query, None, usize::try_from(limit).unwrap_or(0), 1).await?;
        Ok((super::items_of(&items)?, more.is_some()))
    }
}

/// Merges the newest-first reads of several partitions, each `(events, whether it holds more)`, into
/// one page of at most `limit` events older than `before`; and whether more may follow the page.
fn merge_newest_first(parts: Vec<(Vec<Event>, bool)>, before: Option<EventId>, limit: usize) -> (Vec<Event>, bool) {
    // A partition that holds more has only events older than those it returned: nothing older than its
    // oldest returned event may be shown before the next page, or one of its events could be skipped.
    let floor = parts.iter().filter(|(_, more)| *more).filter_map(|(events, _)| events.last()).map(|e| e.id).max();
    let mut more = parts.iter().any(|(_, more)| *more);
    let mut events: Vec<Event> = parts.into_iter().flat_map(|(events, _)| events).collect();
    events.retain(|event| before.is_none_or(|before| event.id < before));
    if let Some(floor) = floor {
        events.retain(|event| event.id >= floor);
    }
    events.sort_by_key(|event| std::cmp::Reverse(event.id));
    events.dedup_by_key(|event| event.id);
    if events.len() > limit {
        events.truncate(limit);
        more = true;
    }
    (events, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(count: usize) -> Vec<Event> {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        (0..count).map(|_| Event::new(EventKind::TicketCreated, None, "s".into(), at)).collect()
    }

    fn newest_first(mut events: Vec<Event>) -> Vec<Event> {
        events.sort_by_key(|event| std::cmp::Reverse(event.id));
        events
    }

    fn ids(events: &[Event]) -> Vec<EventId> {
        events.iter().map(|event| event.id).collect()
    }

    #[test]
    fn partitions_interleave_by_event_id_newest_first() {
        let all = events(6);
        let a = newest_first(vec![all[0].clone(), all[2].clone(), all[4].clone()]);
        let b = newest_first(vec![all[1].clone(), all[3].clone(), all[5].clone()]);
        let (page, more) = merge_newest_first(vec![(a.clone(), false), (b.clone(), false)], None, 4);
        assert_eq!(ids(&page), ids(&newest_first(all.clone()))[..4]);
        assert!(more, "two events did not fit");
        let (rest, more) = merge_newest_first(vec![(a, false), (b, false)], Some(page[3].id), 4);
        assert_eq!(ids(&rest), ids(&newest_first(all))[4..]);
        assert!(!more);
    }

    #[test]
    fn the_cursor_event_and_newer_ones_are_not_repeated() {
        let all = newest_first(events(3));
        let (page, _) = merge_newest_first(vec![(all.clone(), false)], Some(all[0].id), 10);
        assert_eq!(ids(&page), ids(&all[1..]));
    }

    #[test]
    fn a_partition_cut_short_holds_back_older_events_of_the_others() {
        // `a` returned only its two newest events and has more; `b` is complete. b's events older than
        // a's oldest returned one must wait: a's unread events may be newer than them.
        let all = events(5);
        let a = newest_first(vec![all[3].clone(), all[4].clone()]);
        let b = newest_first(vec![all[0].clone(), all[1].clone(), all[2].clone()]);
        let (page, more) = merge_newest_first(vec![(a, true), (b, false)], None, 10);
        assert_eq!(ids(&page), [all[4].id, all[3].id]);
        assert!(more);
    }

    #[test]
    fn the_same_event_is_shown_once() {
        let all = newest_first(events(2));
        let (page, more) = merge_newest_first(vec![(all.clone(), false), (all.clone(), false)], None, 10);
        assert_eq!(ids(&page), ids(&all));
        assert!(!more);
    }
}
