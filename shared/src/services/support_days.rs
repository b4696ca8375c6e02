//! Keeping the support report's days from events (the outbox consumer calls [`on_event`]): what each
//! ticket event adds to its day, per breakdown cell, measured with the rules of
//! [`crate::domain::reports::metrics`]. Reading them is [`super::support_reports`].

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::{ServiceResult, sla::status_history};
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::reports::{
    metrics::{self, Elapsed, TicketTimeline},
    report_day,
};
use crate::domain::sla::{BusinessCalendar, SlaPolicy};
use crate::domain::ticket::{Author, Status};
use crate::storage::{StoreError, TenantScope, events::Event, support_days::CellChange, tickets::TicketHistory};

/// The consumer keeping the support report's days.
pub const SUPPORT_DAYS: &str = "support-days";

/// The breakdowns a report can ask for, besides the whole workspace (`all`).
pub const DIMENSIONS: [&str; 4] = ["channel", "category", "priority", "agent"];

/// Counters of a cell.
pub const CREATED: &str = "created";
pub const SOLVED: &str = "solved";
pub const REOPENED: &str = "reopened";
pub const ONE_TOUCH: &str = "one_touch";
pub const REPLIES: &str = "replies";

/// The time metrics, each sketched per clock as `<metric>.calendar` and `<metric>.business`.
pub const TIME_METRICS: [&str; 6] =
    ["first_reply", "first_resolution", "full_resolution", "requester_wait", "agent_wait", "on_hold"];

/// What one event adds to its day: the cells it changes and the change of the backlog.
#[derive(Debug, Default, PartialEq)]
pub struct DayChanges {
    pub cells: Vec<CellChange>,
    pub backlog_delta: i64,
}

/// Where a ticket stood at the event: the values its breakdown cells are named by.
struct Cells<'a> {
    channel: &'a str,
    category: String,
    priority: String,
    assignee: String,
}

impl Cells<'_> {
    /// The whole workspace and the ticket's channel, category, priority and assignee.
    fn of_ticket(&self) -> [(&'static str, String); 5] {
        [
            ("all", "-".to_owned()),
            ("channel", self.channel.to_owned()),
            ("category", self.category.clone()),
            ("priority", self.priority.clone()),
            ("agent", self.assignee.clone()),
        ]
    }
}

fn text(value: &Option<serde_json::Value>, name: &str) -> Option<String> {
    value.as_ref()?.get(name)?.as_str().map(str::to_owned)
}

fn status_in(value: &Option<serde_json::Value>) -> Option<Status> {
    text(value, "status").and_then(|status| Status::parse(&status).ok())
}

/// Whether the consumer needs the ticket's history for this event at all.
pub fn concerns(event: &Event) -> bool {
    match event.kind {
        EventKind::TicketCreated => true,
        EventKind::TicketUpdated => status_in(&event.before) != status_in(&event.after),
        EventKind::MessageCreated => text(&event.after, "author").as_deref() == Some("agent") && !event.internal,
        // Each clock counts once, by its first outcome (as the SLA compliance report does).
        EventKind::SlaMet | EventKind::SlaBreached => sla_counted(event),
        _ => false,
    }
}

fn sla_counted(event: &Event) -> bool {
    event.after.as_ref().and_then(|after| after.get("counted")).and_then(|counted| counted.as_bool()) == Some(true)
}

/// The counter of an SLA outcome, e.g. `sla_first_response_met`.
pub fn sla_counter(clock: &str, met: bool) -> String {
    format!("sla_{clock}_{}", if met { "met" } else { "breached" })
}

/// What `event` adds to its day, given the ticket's history (read after the event) and the business
/// calendar of the workspace's SLA policy, if it has one. Everything is measured as of the event, so a
/// consumer running behind measures the same as one on time.
pub fn changes_for(event: &Event, history: &TicketHistory, calendar: Option<&BusinessCalendar>) -> DayChanges {
    let ticket = &history.ticket;
    let as_of = event.at;
    // The ticket's fields as the event left them (ticket events carry a snapshot); its current ones for
    // messages, which change none of them.
    let field = |name: &str, current: Option<String>| match event.kind {
        EventKind::TicketCreated | EventKind::TicketUpdated | EventKind::SlaMet | EventKind::SlaBreached => {
            text(&event.after, name)
        }
        _ => current,
    };
    let cells = Cells {
        channel: &ticket.channel,
        category: field("category", ticket.category.clone()).unwrap_or_else(|| "none".to_owned()),
        priority: field("priority", Some(ticket.priority.as_str().to_owned())).unwrap_or_else(|| "none".to_owned()),
        assignee: field("assignee_id", ticket.assignee_id.map(|id| id.to_string()))
            .unwrap_or_else(|| "unassigned".to_owned()),
    };
    let mut statuses: Vec<(Timestamp, Status)> = if ticket.status_history.is_empty() {
        status_history(&history.events)
    } else {
        ticket.status_history.iter().map(|change| (change.at, change.status)).collect()
    };
    statuses.retain(|(at, _)| *at <= as_of);
    let mut replies: Vec<Timestamp> = history
        .messages
        .iter()
        .filter(|message| {
            message.author == Author::Agent
                && !message.internal
                && message.merged_from.is_none()
                && message.created_at <= as_of
        })
        .map(|message| message.created_at)
        .collect();
    replies.sort_unstable();
    let timeline = TicketTimeline {
        created_at: ticket.created_at,
        opened_by_agent: ticket.created_by.is_some(),
        statuses: &statuses,
        public_agent_replies: &replies,
    };

    let mut counters = BTreeMap::new();
    let mut observations = Vec::new();
    let mut observe = |metric: &str, elapsed: Elapsed| {
        observations.push((format!("{metric}.calendar"), elapsed.calendar.as_secs()));
        if let Some(business) = elapsed.business {
            observations.push((format!("{metric}.business"), business.as_secs()));
        }
    };
    let mut backlog_delta = 0;
    let mut reply_author = None;
    let mut sla_clock = None;
    match event.kind {
        EventKind::TicketCreated => {
            counters.insert(CREATED, 1);
            if status_in(&event.after).is_none_or(Status::is_unresolved) {
                backlog_delta = 1;
            }
        }
        EventKind::TicketUpdated => {
            let (Some(before), Some(after)) = (status_in(&event.before), status_in(&event.after)) else {
                return DayChanges::default();
            };
            backlog_delta = i64::from(after.is_unresolved()) - i64::from(before.is_unresolved());
            if after == Status::Solved && before != Status::Solved {
                counters.insert(SOLVED, 1);
                if metrics::one_touch(&timeline, as_of) {
                    counters.insert(ONE_TOUCH, 1);
                }
                if !metrics::solved_before(&timeline, as_of)
                    && let Some(first) = metrics::first_resolution_time(&timeline, calendar, as_of)
                {
                    observe("first_resolution", first);
                }
                if let Some(full) = metrics::full_resolution_time(&timeline, calendar, as_of) {
                    observe("full_resolution", full);
                }
                observe("requester_wait", metrics::time_in(&timeline, metrics::REQUESTER_WAIT, calendar, as_of));
                observe("agent_wait", metrics::time_in(&timeline, metrics::AGENT_WAIT, calendar, as_of));
                observe("on_hold", metrics::time_in(&timeline, metrics::ON_HOLD, calendar, as_of));
            }
            if metrics::is_reopen(before, after) {
                counters.insert(REOPENED, 1);
            }
        }
        EventKind::MessageCreated => {
            reply_author = event.actor.map(|actor| actor.to_string());
            // This reply is the first reply when it is the one the rule picks among those so far.
            if metrics::first_reply_at(&timeline).is_some_and(|first| replies.last() == Some(&first))
                && let Some(first) = metrics::first_reply_time(&timeline, calendar)
            {
                observe("first_reply", first);
            }
        }
        EventKind::SlaMet | EventKind::SlaBreached if sla_counted(event) => {
            let Some(clock) = text(&event.after, "clock") else { return DayChanges::default() };
            counters.insert(if event.kind == EventKind::SlaMet { "sla.met" } else { "sla.breached" }, 1);
            sla_clock = Some(clock);
        }
        _ => return DayChanges::default(),
    }

    let counters: BTreeMap<String, i64> = counters
        .into_iter()
        .map(|(name, n)| match (name, &sla_clock) {
            ("sla.met", Some(clock)) => (sla_counter(clock, true), n),
            ("sla.breached", Some(clock)) => (sla_counter(clock, false), n),
            (name, _) => (name.to_owned(), n),
        })
        .collect();
    let mut out: Vec<CellChange> = cells
        .of_ticket()
        .into_iter()
        .map(|(dimension, value)| CellChange {
            dimension: dimension.to_owned(),
            value,
            counters: counters.clone(),
            observations: observations.clone(),
        })
        .collect();
    // A reply counts for the ticket's cells and for its author's, not the assignee's (who keeps the
    // ticket's first reply time).
    if let Some(author) = reply_author {
        for cell in out.iter_mut().filter(|cell| cell.dimension != "agent") {
            cell.counters.insert(REPLIES.to_owned(), 1);
        }
        match out.iter_mut().find(|cell| cell.dimension == "agent" && cell.value == author) {
            Some(cell) => {
                cell.counters.insert(REPLIES.to_owned(), 1);
            }
            None => out.push(CellChange {
                dimension: "agent".to_owned(),
                value: author,
                counters: [(REPLIES.to_owned(), 1)].into(),
                observations: Vec::new(),
            }),
        }
    }
    out.retain(|cell| !cell.counters.is_empty() || !cell.observations.is_empty());
    DayChanges { cells: out, backlog_delta }
}

/// Applies `event` to its day's cells, once.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    if event.kind == EventKind::WorkspaceCreated {
        // Before its first ticket: the backlog counts from zero (idempotent).
        app.store.start_support_state(scope).await?;
        return Ok(());
    }
    if !concerns(event) {
        return Ok(());
    }
    let Some(ticket_id) = event.ticket_id else { return Ok(()) };
    let Some(history) = app.store.ticket_with_history(scope, ticket_id).await? else {
        // Deleted since: nothing to measure.
        return Ok(());
    };
    let calendar = match app.store.get_sla_policy(scope).await? {
        Some(stored) => SlaPolicy::parse(&stored.policy).ok().map(|policy| policy.calendar().clone()),
        None => None,
    };
    let changes = changes_for(event, &history, calendar.as_ref());
    let time_zone = super::support_reports::report_time_zone(app, scope).await?;
    let day = report_day(event.at, &time_zone);
    // A workspace from before the support report has no running state: its backlog starts from the
    // inbox's live count of unsolved tickets (which already holds this event's change, and any that
    // followed it if the consumer runs behind).
    let seed = async { Ok::<_, StoreError>(app.store.inbox_counts(scope).await?.get("open")) };
    let applied = app
        .store
        .apply_support_changes(
            scope,
            SUPPORT_DAYS,
            event.id,
            &day,
            &changes.cells,
            changes.backlog_delta,
            seed,
            app.clock.now().as_second(),
        )
        .await?;
    if !applied {
        tracing::info!(event_id = %event.id, "support days: event already applied; redelivery ignored");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{CustomerId, TicketId, UserId, WorkspaceId};
    use crate::storage::tickets::{Message, StatusChange, Ticket};
    use serde_json::json;

    fn at(raw: &str) -> Timestamp {
        raw.parse().unwrap()
    }

    fn ticket(created_by: Option<UserId>, assignee: Option<UserId>, history: &[(&str, Status)]) -> Ticket {
        let mut ticket: Ticket = serde_json::from_value(json!({
            "id": TicketId::generate(), "workspace_id": WorkspaceId::generate(), "subject": "Printer",
            "status": "new", "priority": "high", "category": null, "subcategory": null, "channel": "email",
            "customer_id": CustomerId::generate(), "assignee_id": assignee, "created_by": created_by,
            "created_at": history[0].0, "updated_at": history[0].0, "first_response_at": null,
            "solved_at": null, "version": 1,
        }))
        .unwrap();
        ticket.status_history =
            history.iter().map(|(when, status)| StatusChange { at: at(when), status: *status }).collect();
        ticket
    }

    fn reply(ticket: &Ticket, author: UserId, when: &str, internal: bool) -> Message {
        serde_json::from_value(json!({
            "id": crate::domain::ids::MessageId::generate(), "ticket_id": ticket.id, "author": "agent",
            "author_id": author, "body": "Hi", "internal": internal, "created_at": when,
        }))
        .unwrap()
    }

    fn history(ticket: Ticket, messages: Vec<Message>) -> TicketHistory {
        TicketHistory { ticket, messages, events: vec![], attachments: vec![], mail: vec![], sla_watch: None }
    }

    fn cell<'a>(changes: &'a DayChanges, dimension: &str) -> &'a CellChange {
        changes.cells.iter().find(|cell| cell.dimension == dimension).unwrap()
    }

    #[test]
    fn a_first_reply_is_measured_once_and_counts_for_its_author() {
        let (assignee, helper) = (UserId::generate(), UserId::generate());
        let ticket = ticket(None, Some(assignee), &[("2026-12-07T10:00:00Z", Status::New)]);
        let first = reply(&ticket, helper, "2026-12-07T10:20:00Z", false);
        let second = reply(&ticket, assignee, "2026-12-07T11:00:00Z", false);
        let history = history(ticket.clone(), vec![first, second]);
        let event_at = |when: &str, actor: UserId| {
            let mut event = Event::new(EventKind::MessageCreated, Some(actor), "ticket/x".into(), at(when))
                .with_change(None, Some(json!({"author": "agent"})))
                .about_ticket(ticket.id, ticket.customer_id);
            event.internal = false;
            event
        };
        let changes = changes_for(&event_at("2026-12-07T10:20:00Z", helper), &history, None);
        assert_eq!(changes.backlog_delta, 0);
        assert_eq!(cell(&changes, "all").observations, [("first_reply.calendar".to_owned(), 1200)]);
        assert_eq!(cell(&changes, "all").counters.get(REPLIES), Some(&1));
        let assignee_cell = changes.cells.iter().find(|cell| cell.value == assignee.to_string()).unwrap();
        assert_eq!(assignee_cell.observations.len(), 1, "the assignee's first reply time");
        assert_eq!(assignee_cell.counters.get(REPLIES), None, "but not the helper's reply");
        let helper_cell = changes.cells.iter().find(|cell| cell.value == helper.to_string()).unwrap();
        assert_eq!(helper_cell.counters.get(REPLIES), Some(&1));
        let later = changes_for(&event_at("2026-12-07T11:00:00Z", assignee), &history, None);
        assert!(later.cells.iter().all(|cell| cell.observations.is_empty()), "measured once");
        assert_eq!(cell(&later, "all").counters.get(REPLIES), Some(&1));
    }

    #[test]
    fn a_solve_measures_resolution_waits_and_one_touch_and_a_reopen_adds_to_the_backlog() {
        let agent = UserId::generate();
        let statuses = [
            ("2026-12-07T10:00:00Z", Status::New),
            ("2026-12-07T10:30:00Z", Status::Pending),
            ("2026-12-07T11:00:00Z", Status::Solved),
            ("2026-12-07T12:00:00Z", Status::Open),
            ("2026-12-07T13:00:00Z", Status::Solved),
        ];
        let ticket = ticket(None, Some(agent), &statuses);
        let one_reply = reply(&ticket, agent, "2026-12-07T10:30:00Z", false);
        let note = reply(&ticket, agent, "2026-12-07T10:40:00Z", true);
        let history = history(ticket.clone(), vec![one_reply, note]);
        let update = |when: &str, before: &str, after: &str| {
            Event::new(EventKind::TicketUpdated, Some(agent), "ticket/x".into(), at(when))
                .with_change(
                    Some(json!({"status": before})),
                    Some(json!({"status": after, "priority": "high", "assignee_id": agent})),
                )
                .about_ticket(ticket.id, ticket.customer_id)
        };
        let first_solve = changes_for(&update("2026-12-07T11:00:00Z", "pending", "solved"), &history, None);
        assert_eq!(first_solve.backlog_delta, -1);
        let all = cell(&first_solve, "all");
        assert_eq!((all.counters.get(SOLVED), all.counters.get(ONE_TOUCH)), (Some(&1), Some(&1)));
        let observed: BTreeMap<&str, i64> =
            all.observations.iter().map(|(name, secs)| (name.as_str(), *secs)).collect();
        assert_eq!(observed.get("first_resolution.calendar"), Some(&3600));
        assert_eq!(observed.get("full_resolution.calendar"), Some(&3600));
        assert_eq!(observed.get("requester_wait.calendar"), Some(&1800));
        assert_eq!(observed.get("agent_wait.calendar"), Some(&1800));
        assert_eq!(observed.get("on_hold.calendar"), Some(&0));
        assert_eq!(cell(&first_solve, "priority").value, "high");
        assert_eq!(cell(&first_solve, "category").value, "none");
        assert_eq!(cell(&first_solve, "channel").value, "email");

        let reopen = changes_for(&update("2026-12-07T12:00:00Z", "solved", "open"), &history, None);
        assert_eq!(reopen.backlog_delta, 1);
        assert_eq!(cell(&reopen, "all").counters.get(REOPENED), Some(&1));

        let second_solve = changes_for(&update("2026-12-07T13:00:00Z", "open", "solved"), &history, None);
        let observed: Vec<&str> =
            cell(&second_solve, "all").observations.iter().map(|(name, _)| name.as_str()).collect();
        assert!(!observed.contains(&"first_resolution.calendar"), "first resolution was measured at the first solve");
        assert!(cell(&second_solve, "all").observations.contains(&("full_resolution.calendar".to_owned(), 3 * 3600)));
    }

    #[test]
    fn only_status_changes_public_agent_replies_and_counted_sla_outcomes_concern_the_report() {
        let update = |before: &str, after: &str| {
            Event::new(EventKind::TicketUpdated, None, "ticket/x".into(), at("2026-12-07T10:00:00Z"))
                .with_change(Some(json!({"status": before})), Some(json!({"status": after})))
        };
        assert!(concerns(&update("open", "pending")));
        assert!(!concerns(&update("open", "open")), "a priority change, say");
        let mut note = Event::new(EventKind::MessageCreated, None, "ticket/x".into(), at("2026-12-07T10:00:00Z"))
            .with_change(None, Some(json!({"author": "agent"})));
        note.internal = true;
        assert!(!concerns(&note));
        let sla = |counted: bool| {
            Event::new(EventKind::SlaBreached, None, "ticket/x".into(), at("2026-12-07T10:00:00Z"))
                .with_change(None, Some(json!({"clock": "resolution", "counted": counted})))
        };
        assert!(concerns(&sla(true)) && !concerns(&sla(false)));
    }
}
