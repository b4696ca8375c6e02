//! Committed events on an EventBridge bus, for subscribers who route them with rules rather than
//! receive webhooks (see docs/events.md). The outbox consumer hands each workspace partition's events
//! here in stream order; only the outbox function links the EventBridge SDK and implements [`EventBus`].
//!
//! PutEvents keeps no order among the entries of one call, so a call never holds two events about the
//! same subject (one ticket, one lead): a ticket's events are accepted by the bus in commit order. A
//! refused entry (FailedEntryCount, per-entry ErrorCode) fails its record, and the stream redelivers
//! from it: an event is published at least once, never dropped.

use futures::future::BoxFuture;

use crate::domain::ids::WorkspaceId;
use crate::storage::events::Event;

/// The `source` of every entry.
pub const SOURCE: &str = "switchboard";
/// PutEvents takes at most this many entries per call.
pub const MAX_ENTRIES: usize = 10;
/// EventBridge's limit on one entry, and on a whole PutEvents request.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// One PutEvents entry (the bus name is the publisher's).
#[derive(Debug, Clone, PartialEq)]
pub struct BusEntry {
    pub detail_type: String,
    pub detail: String,
}

impl BusEntry {
    /// The entry's size as EventBridge counts it: source, detail-type and detail in UTF-8 bytes.
    pub fn size(&self) -> usize {
        SOURCE.len() + self.detail_type.len() + self.detail.len()
    }
}

/// What the bus answered for each entry of a call, in order: `None` accepted, `Some(code)` refused.
pub type PutOutcome = Result<Vec<Option<String>>, String>;

/// The bus the outbox publishes to.
pub trait EventBus: Send + Sync {
    /// Puts at most [`MAX_ENTRIES`] entries whose sizes sum to at most [`MAX_ENTRY_BYTES`].
    fn put<'a>(&'a self, entries: &'a [BusEntry]) -> BoxFuture<'a, PutOutcome>;
}

/// The entry for `event`: `detail` is the webhook body. An event over the entry limit (a ticket whose
/// before/after images are huge) goes without `before` and `after`, with `data.truncated: true`, so the
/// subscriber fetches the record through the API; it is never dropped.
pub fn entry_for(workspace: WorkspaceId, event: &Event) -> BusEntry {
    let detail_type = event.kind.as_str().to_owned();
    let detail = super::webhooks::payload::webhook_body(workspace, event);
    let entry = BusEntry { detail_type, detail };
    if entry.size() <= MAX_ENTRY_BYTES {
        return entry;
    }
    let mut trimmed: serde_json::Value = serde_json::from_str(&entry.detail).unwrap_or_default();
    if let Some(data) = trimmed.get_mut("data").and_then(|data| data.as_object_mut()) {
        data.insert("before".to_owned(), serde_json::Value::Null);
        data.insert("after".to_owned(), serde_json::Value::Null);
        data.insert("truncated".to_owned(), serde_json::Value::Bool(true));
    }
    BusEntry { detail: trimmed.to_string(), ..entry }
}

/// What keeps two events' order: the ticket, else the lead, deal or customer, else the subject.
fn order_key(event: &Event) -> String {
    if let Some(ticket) = event.ticket_id {
        return format!("ticket/{ticket}");
    }
    event.subject.clone()
}

/// Splits a partition's events (stream order) into PutEvents calls: at most [`MAX_ENTRIES`] entries and
/// [`MAX_ENTRY_BYTES`] per call, and never two events with the same order key in one call.
/// Returns the calls as ranges of indexes into `events`, in order.
pub fn plan_calls(events: &[(Event, BusEntry)]) -> Vec<std::ops::Range<usize>> {
    let mut calls = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    let mut keys: Vec<String> = Vec::new();
    for (index, (event, entry)) in events.iter().enumerate() {
        let key = order_key(event);
        let full = index - start == MAX_ENTRIES || bytes + entry.size() > MAX_ENTRY_BYTES || keys.contains(&key);
        if full && index > start {
            calls.push(start..index);
            (start, bytes) = (index, 0);
            keys.clear();
        }
        bytes += entry.size();
        keys.push(key);
    }
    if start < events.len() {
        calls.push(start..events.len());
    }
    calls
}

/// Publishes a partition's events in order; on the first refused entry (or failed call) stops and
/// returns its index, so that record and every later one is redelivered.
pub async fn publish(bus: &dyn EventBus, events: &[(Event, BusEntry)]) -> Result<(), (usize, String)> {
    for call in plan_calls(events) {
        let entries: Vec<BusEntry> = events[call.clone()].iter().map(|(_, entry)| entry.clone()).collect();
        let outcome = bus.put(&entries).await.map_err(|err| (call.start, err))?;
        if let Some((offset, code)) =
            outcome.iter().enumerate().find_map(|(offset, code)| code.as_ref().map(|code| (offset, code)))
        {
            return Err((call.start + offset, format!("the bus refused the entry: {code}")));
        }
        if outcome.len() != entries.len() {
            return Err((call.start, format!("the bus answered {} of {} entries", outcome.len(), entries.len())));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::events::EventKind;
    use crate::domain::ids::{CustomerId, TicketId};
    use jiff::Timestamp;
    use std::sync::Mutex;

    fn at() -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap()
    }

    fn ticket_event(ticket: TicketId) -> Event {
        Event::new(EventKind::TicketUpdated, None, format!("ticket/{ticket}"), at())
            .about_ticket(ticket, CustomerId::generate())
    }

    fn with_entries(events: Vec<Event>) -> Vec<(Event, BusEntry)> {
        let workspace = WorkspaceId::generate();
        events.into_iter().map(|event| (event.clone(), entry_for(workspace, &event))).collect()
    }

    #[test]
    fn calls_hold_at_most_ten_entries_and_one_event_per_ticket() {
        let tickets: Vec<TicketId> = (0..12).map(|_| TicketId::generate()).collect();
        let events = with_entries(tickets.iter().map(|ticket| ticket_event(*ticket)).collect());
        assert_eq!(plan_calls(&events), vec![0..10, 10..12]);
        let one = TicketId::generate();
        let events = with_entries(vec![ticket_event(one), ticket_event(tickets[0]), ticket_event(one)]);
        assert_eq!(plan_calls(&events), vec![0..2, 2..3], "the ticket's second event waits for its first");
    }

    #[test]
    fn an_event_over_the_entry_limit_goes_without_its_images_and_says_so() {
        let huge = "x".repeat(MAX_ENTRY_BYTES);
        let event = ticket_event(TicketId::generate()).with_change(None, Some(serde_json::json!({ "subject": huge })));
        let workspace = WorkspaceId::generate();
        let entry = entry_for(workspace, &event);
        assert!(entry.size() <= MAX_ENTRY_BYTES);
        let detail: serde_json::Value = serde_json::from_str(&entry.detail).unwrap();
        assert_eq!(detail["data"]["truncated"], true);
        assert_eq!(detail["data"]["after"], serde_json::Value::Null);
        assert_eq!(detail["data"]["id"], serde_json::json!(event.id));
        assert_eq!(detail["data"]["workspace_id"], serde_json::json!(workspace));
        let small = ticket_event(TicketId::generate());
        let entry = entry_for(workspace, &small);
        assert_eq!(entry.detail, crate::services::webhooks::payload::webhook_body(workspace, &small));
        assert_eq!(entry.detail_type, "ticket.updated");
    }

    #[test]
    fn large_entries_are_split_so_no_call_exceeds_the_request_limit() {
        let big = "y".repeat(MAX_ENTRY_BYTES / 2);
        let events = with_entries(
            (0..3)
                .map(|_| ticket_event(TicketId::generate()).with_change(None, Some(serde_json::json!({"n": big}))))
                .collect(),
        );
        assert_eq!(plan_calls(&events), vec![0..1, 1..2, 2..3]);
    }

    /// Refuses the entries whose detail-type is in `refuse`, records every call.
    struct Recording {
        refuse: Vec<usize>,
        calls: Mutex<Vec<usize>>,
    }

    impl EventBus for Recording {
        fn put<'a>(&'a self, entries: &'a [BusEntry]) -> BoxFuture<'a, PutOutcome> {
            Box::pin(async move {
                let mut calls = self.calls.lock().unwrap();
                let first = calls.iter().sum::<usize>();
                calls.push(entries.len());
                Ok((first..first + entries.len())
                    .map(|index| self.refuse.contains(&index).then(|| "ThrottlingException".to_owned()))
                    .collect())
            })
        }
    }

    #[test]
    fn a_refused_entry_fails_from_its_own_record_and_stops_publishing() {
        let events = with_entries((0..14).map(|_| ticket_event(TicketId::generate())).collect());
        let bus = Recording { refuse: vec![3], calls: Mutex::default() };
        let failed = futures::executor::block_on(publish(&bus, &events)).unwrap_err();
        assert_eq!(failed.0, 3, "the first refused entry is where redelivery starts");
        assert!(failed.1.contains("ThrottlingException"));
        assert_eq!(*bus.calls.lock().unwrap(), vec![10], "nothing after the refused call is sent");
        let bus = Recording { refuse: vec![], calls: Mutex::default() };
        futures::executor::block_on(publish(&bus, &events)).unwrap();
        assert_eq!(*bus.calls.lock().unwrap(), vec![10, 4]);
    }
}
