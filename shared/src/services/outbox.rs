//! The outbox consumer: reads committed event items from the table's stream (in AWS a Lambda event
//! source; locally the local stack polls the stream the same way) and hands each to the consumers
//! that need it: live updates to WebSocket clients (`realtime::fanout`), members' notifications
//! ([`super::notifications`]), the daily ticket statistics
//! behind the reports, webhook deliveries ([`crate::services::webhooks::fanout`]) and, in the outbox
//! function, the EventBridge bus ([`super::event_bus`]). Ticket and policy
//! events also bring the tickets' SLA watches up to date (see [`super::sla_watch`]).
//!
//! Nothing is skipped: records are handled in stream order within each workspace partition (several
//! partitions at once), and from the earliest failure the rest of the batch is reported back
//! (ReportBatchItemFailures), so it is redelivered from that record on.
//! A redelivered event is harmless: each consumer records per event that it applied it.

use std::collections::BTreeMap;

use futures::StreamExt;

use aws_lambda_events::dynamodb::EventRecord;
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};

use super::event_bus::{self, BusEntry, EventBus};
use super::{ServiceError, sla_watch};
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::ids::WorkspaceId;
use crate::storage::{StoreError, TenantScope, events::Event, keys};

/// The consumer keeping per-day ticket statistics.
pub const DAILY_STATS: &str = "daily-stats";

/// What an event adds to its day's statistics.
pub fn daily_counters(event: &Event) -> BTreeMap<String, i64> {
    let field = |value: &Option<serde_json::Value>, name: &str| {
        value.as_ref().and_then(|value| value.get(name)).and_then(|value| value.as_str()).map(str::to_owned)
    };
    let mut counters = BTreeMap::new();
    let mut count = |name: &str| {
        counters.insert(name.to_owned(), 1);
    };
    use EventKind::*;
    match event.kind {
        TicketCreated => {
            count("tickets_created");
        }
        TicketUpdated => {
            let (before, after) = (field(&event.before, "status"), field(&event.after, "status"));
            if after.as_deref() == Some("solved") && before.as_deref() != Some("solved") {
                count("tickets_solved");
            }
            let status = |raw: Option<&str>| raw.and_then(|raw| crate::domain::ticket::Status::parse(raw).ok());
            if let (Some(before), Some(after)) = (status(before.as_deref()), status(after.as_deref()))
                && crate::domain::reports::metrics::is_reopen(before, after)
            {
                count("tickets_reopened");
            }
        }
        MessageCreated => match (field(&event.after, "author").as_deref(), event.internal) {
            (Some("agent"), false) => {
                count("agent_replies");
            }
            (Some("agent"), true) => {
                count("internal_notes");
            }
            (Some("customer"), _) => {
                count("customer_messages");
            }
            _ => {}
        },
        CustomerCreated => {
            count("customers_created");
        }
        DealWon | DealLost => {
            // Won and lost per day, and the won value per currency (never added across currencies):
            // the win rate and the average deal size of any period are sums of days.
            let outcome = if event.kind == DealWon { "won" } else { "lost" };
            count(&format!("deals_{outcome}"));
            let currency = field(&event.after, "currency");
            let value = event.after.as_ref().and_then(|after| after.get("value")).and_then(|value| value.as_i64());
            // And per owner at the close (`none` for none): the sales leaderboard of any period.
            let owner = field(&event.after, "owner_id").unwrap_or_else(|| "none".to_owned());
            count(&format!("deals_{outcome}_by.{owner}"));
            if let (Some(currency), Some(value)) = (currency, value) {
                counters.insert(format!("deals_{outcome}.{currency}"), 1);
                counters.insert(format!("deals_{outcome}_value.{currency}"), value);
                if event.kind == DealWon {
                    counters.insert(format!("deals_won_value_by.{owner}.{currency}"), value);
                }
            }
            // The sales cycle of a won deal, from its creation to the win: seconds and deals, so the
            // average of any period is a sum of days.
            let created = field(&event.after, "created_at").and_then(|at| at.parse::<jiff::Timestamp>().ok());
            if let (DealWon, Some(created)) = (event.kind, created) {
                let seconds = event.at.as_second().saturating_sub(created.as_second()).max(0);
                counters.insert("deals_won_cycle_seconds".to_owned(), seconds);
                counters.insert("deals_won_cycle".to_owned(), 1);
            }
        }
        DealReopened => {
            // A reopen does not take back the win or loss: that day's counts stay what happened then
            // (a period's figures never change after the fact). The reopen day counts it, by the
            // outcome it undid, so a report can tell how many closes were taken back.
            count("deals_reopened");
            if let Some(outcome) = field(&event.before, "status") {
                count(&format!("deals_reopened.{outcome}"));
            }
        }
        LeadCreated | LeadConverted => {
            // Per source, and per owner (`none` for nobody): the owner at creation for new leads, the
            // owner at conversion for converted ones.
            let counted = if event.kind == LeadCreated { "leads_created" } else { "leads_converted" };
            count(counted);
            if let Some(source) = field(&event.after, "source") {
                count(&format!("{counted}.source.{source}"));
            }
            let owner = field(&event.after, "owner_id").unwrap_or_else(|| "none".to_owned());
            count(&format!("{counted}.owner.{owner}"));
        }
        ActivityCreated | ActivityCompleted => {
            // Logged and done, per kind and per rep (the member who logged it, or ticked it done) and
            // kind. An activity logged as already done (a call that happened) counts as both.
            let kind = field(&event.after, "kind").unwrap_or_else(|| "unknown".to_owned());
            let rep = event.actor.map_or_else(|| "none".to_owned(), |actor| actor.to_string());
            let done = event.after.as_ref().and_then(|after| after.get("done")).and_then(|v| v.as_bool());
            let mut counted = Vec::new();
            if event.kind == ActivityCreated {
                counted.push("activities_logged");
            }
            if event.kind == ActivityCompleted || done == Some(true) {
                counted.push("activities_done");
            }
            for name in counted {
                count(name);
                count(&format!("{name}.kind.{kind}"));
                count(&format!("{name}.rep.{rep}.{kind}"));
            }
        }
        SlaMet | SlaBreached => {
            // SLA compliance per clock, and per priority and per agent (the assignee at the time).
            let clock = field(&event.after, "clock").unwrap_or_else(|| "unknown".to_owned());
            // Each clock counts once, by its first outcome: met in time, or breached.
            let counted = event.after.as_ref().and_then(|after| after.get("counted")).and_then(|v| v.as_bool());
            if counted != Some(true) {
                return counters;
            }
            let outcome = if event.kind == SlaBreached { "breached" } else { "met" };
            let base = format!("sla.{clock}.{outcome}");
            count(&base);
            if let Some(priority) = field(&event.after, "priority") {
                count(&format!("{base}.priority.{priority}"));
            }
            let agent = field(&event.after, "assignee_id").unwrap_or_else(|| "unassigned".to_owned());
            count(&format!("{base}.agent.{agent}"));
        }
        WorkspaceCreated
        | WorkspacePlanChanged
        | WorkspaceStandingChanged
        | UserCreated
        | UserUpdated
        | UserRoleChanged
        | UserDeactivated
        | UserReactivated
        | SettingsCategoriesUpdated
        | SettingsReportsUpdated
        | SettingsEmailUpdated
        | EmailRejected
        | MessageDeliveryUpdated
        | SettingsSlaPolicyUpdated
        | ApiKeyCreated
        | ApiKeyRevoked
        | ApiKeyRotated
        | TicketAssigned
        | TicketCustomerChanged
        | AttachmentAdded
        | CustomerUpdated
        | CustomerMerged
        | CustomerMergeCompleted
        | SlaAtRisk
        | WebhookCreated
        | WebhookUpdated
        | WebhookDeleted
        | WebhookSecretRotated
        | WebhookEndpointPaused
        | WebhookEndpointResumed
        | LeadCaptureEndpointCreated
        | LeadCaptureEndpointUpdated
        | LeadCaptureEndpointDeleted
        | ViewCreated
        | ViewUpdated
        | ViewDeleted
        | MacroCreated
        | MacroUpdated
        | MacroDeleted
        | TicketMacroApplied
        | TicketMerged
        | TicketDuplicateMerged
        | TicketFollowersChanged
        | PipelineCreated
        | PipelineUpdated
        | DealCreated
        | DealUpdated
        | DealStageChanged
        | DealAssigned
        | DealDeleted
        | LeadUpdated
        | LeadAssigned
        | LeadStatusChanged
        | LeadMerged
        | LeadNoteAdded
        | CustomerNoteAdded
        | DealNoteAdded
        | LeadDeleted
        | LeadStatusesUpdated
        | ActivityUpdated
        | ActivityDeleted
        | CompanyCreated
        | CompanyUpdated
        | CompanyDeleted
        | CompanyNoteAdded
        | ChatMentioned => {}
    }
    counters
}

/// Partitions (workspaces) whose records are handled at once within a batch. Order matters only
/// within a workspace (one ticket's events, one endpoint's deliveries, one day's counters), as with a
/// stream's ParallelizationFactor keyed by partition: a workspace's records still go one after another,
/// and one busy workspace does not hold up the others.
const PARTITIONS_AT_ONCE: usize = 8;

/// Handles a batch of stream records; the response names the first record to redeliver, if any.
/// With a `bus`, each workspace's webhook-subscribable events are published to it after the other
/// consumers applied them (see [`super::event_bus`]); a refused entry fails its record like any consumer.
pub async fn consume(app: &App, records: &[EventRecord], bus: Option<&dyn EventBus>) -> DynamoDbEventResponse {
    // Record indexes per item partition, each in stream order.
    let mut partitions: Vec<(String, Vec<usize>)> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let pk = match record.change.keys.get(keys::PK) {
            Some(serde_dynamo::AttributeValue::S(pk)) => pk.clone(),
            _ => String::new(),
        };
        match partitions.iter_mut().find(|(key, _)| *key == pk) {
            Some((_, indexes)) => indexes.push(index),
            None => partitions.push((pk, vec![index])),
        }
    }
    let first_failures: Vec<usize> = futures::stream::iter(partitions)
        .map(|(_, indexes)| async move {
            // The applied events bound for the bus, with their record indexes, in stream order.
            let mut for_bus: Vec<(usize, (Event, BusEntry))> = Vec::new();
            let mut failed = None;
            for index in indexes {
                match apply(app, &records[index]).await {
                    Ok(Some((workspace, event))) if bus.is_some() && event.kind.webhook_subscribable() => {
                        let entry = event_bus::entry_for(workspace, &event);
                        for_bus.push((index, (event, entry)));
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::error!(error = %err, event_id = %records[index].event_id, "outbox consumer failed; the batch is retried from here");
                        failed = Some(index);
                        break;
                    }
                }
            }
            if let Some(bus) = bus {
                let events: Vec<(Event, BusEntry)> = for_bus.iter().map(|(_, pair)| pair.clone()).collect();
                if let Err((at, err)) = event_bus::publish(bus, &events).await {
                    let index = for_bus[at].0;
                    tracing::error!(error = %err, event_id = %records[index].event_id, failed_entries = events.len() - at, "event bus publishing failed; the batch is retried from here");
                    failed = Some(failed.map_or(index, |earlier: usize| earlier.min(index)));
                }
            }
            failed
        })
        .buffer_unordered(PARTITIONS_AT_ONCE)
        .filter_map(std::future::ready)
        .collect()
        .await;
    let mut response = DynamoDbEventResponse::default();
    // Report the earliest failed record and every later one, so order is kept on redelivery; records of
    // other partitions after it that did succeed come again, which each consumer ignores as applied.
    if let Some(first) = first_failures.into_iter().min() {
        for failed in &records[first..] {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = failed.change.sequence_number.clone();
            response.batch_item_failures.push(failure);
        }
    }
    response
}

/// Hands one record to every consumer; returns the event it carried (None for other items).
async fn apply(app: &App, record: &EventRecord) -> Result<Option<(WorkspaceId, Event)>, ServiceError> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    let image = &record.change.new_image;
    let is_event = matches!(
        image.get(keys::GSI1PK),
        Some(serde_dynamo::AttributeValue::S(pk)) if keys::is_activity_gsi1pk(pk)
    );
    if !is_event {
        return Ok(None);
    }
    let Some(serde_dynamo::AttributeValue::S(workspace)) = image.get("workspace_id") else {
        return Err(StoreError::Corrupt("an event item without workspace_id".to_owned()).into());
    };
    let workspace: WorkspaceId =
        workspace.parse().map_err(|_| StoreError::Corrupt(format!("workspace id {workspace:?}")))?;
    let event: Event = serde_dynamo::from_item(image.clone()).map_err(StoreError::from)?;
    let scope = TenantScope::for_system(workspace);
    super::realtime::fanout::deliver_event(app, &scope, &event).await?;
    apply_daily_stats(app, &scope, &event).await?;
    // The support report's days: counts, times and the backlog per breakdown cell, once per event.
    super::support_days::on_event(app, &scope, &event).await?;
    // Recomputing a watch is idempotent: a redelivered event finds it current and writes nothing.
    sla_watch::on_event(app, &scope, &event).await?;
    // A renamed customer or member: the names their tickets' inbox rows show.
    super::inbox_rows::on_event(app, &scope, &event).await?;
    // Each recipient's notification, stored once and pushed to their sockets only.
    super::notifications::on_event(app, &scope, &event).await?;
    // The records it touched, to the workspace's search index writer.
    super::search_feed::on_event(app, &scope, &event).await?;
    // A public agent reply, to the customer's mailbox (queued once per reply).
    super::email_outbound::on_event(app, &scope, &event).await?;
    // "Received" and "solved" mail to the customer of an e-mail ticket (queued once per event).
    super::email_notifications::on_event(app, &scope, &event).await?;
    // Boxed: the consumer's future would otherwise nest every consumer's state inline.
    Box::pin(crate::services::webhooks::fanout::fan_out(app, &scope, &event)).await?;
    Ok(Some((workspace, event)))
}

async fn apply_daily_stats(app: &App, scope: &TenantScope, event: &Event) -> Result<(), ServiceError> {
    let counters = daily_counters(event);
    if counters.is_empty() {
        return Ok(());
    }
    // The same report day as the support cells: the date in the workspace's report time zone.
    let time_zone = super::support_reports::report_time_zone(app, scope).await?;
    let day = crate::domain::reports::report_day(event.at, &time_zone);
    let applied = app
        .store
        .apply_daily_counters(scope, DAILY_STATS, event.id, &day, &counters, app.clock.now().as_second())
        .await?;
    if !applied {
        tracing::info!(event_id = %event.id, "event already applied; redelivery ignored");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn event(kind: EventKind, before: Option<serde_json::Value>, after: Option<serde_json::Value>) -> Event {
        Event::new(kind, None, "ticket/x".into(), Timestamp::from_second(1_800_000_000).unwrap())
            .with_change(before, after)
    }

    #[test]
    fn solving_counts_once_and_reopening_is_counted_apart() {
        let solved = event(
            EventKind::TicketUpdated,
            Some(serde_json::json!({"status": "open"})),
            Some(serde_json::json!({"status": "solved"})),
        );
        assert_eq!(daily_counters(&solved).get("tickets_solved"), Some(&1));
        let still_solved = event(
            EventKind::TicketUpdated,
            Some(serde_json::json!({"status": "solved"})),
            Some(serde_json::json!({"status": "solved"})),
        );
        assert!(daily_counters(&still_solved).is_empty());
        let reopened = event(
            EventKind::TicketUpdated,
            Some(serde_json::json!({"status": "solved"})),
            Some(serde_json::json!({"status": "open"})),
        );
        assert_eq!(daily_counters(&reopened).get("tickets_reopened"), Some(&1));
    }

    #[test]
    fn sla_outcomes_count_per_clock_priority_and_agent() {
        let breached = event(
            EventKind::SlaBreached,
            None,
            Some(
                serde_json::json!({"clock": "first_response", "priority": "high", "assignee_id": null, "counted": true}),
            ),
        );
        let counters = daily_counters(&breached);
        assert_eq!(counters.get("sla.first_response.breached"), Some(&1));
        assert_eq!(counters.get("sla.first_response.breached.priority.high"), Some(&1));
        assert_eq!(counters.get("sla.first_response.breached.agent.unassigned"), Some(&1));
        let met_in_time = event(
            EventKind::SlaMet,
            None,
            Some(
                serde_json::json!({"clock": "resolution", "within_target": true, "counted": true, "priority": "low", "assignee_id": "u1"}),
            ),
        );
        assert_eq!(daily_counters(&met_in_time).get("sla.resolution.met.agent.u1"), Some(&1));
        let met_late =
            event(EventKind::SlaMet, None, Some(serde_json::json!({"clock": "resolution", "within_target": false})));
        assert!(daily_counters(&met_late).is_empty(), "a late clock counted as breached already");
        let breached_after_met =
            event(EventKind::SlaBreached, None, Some(serde_json::json!({"clock": "resolution", "counted": false})));
        assert!(daily_counters(&breached_after_met).is_empty(), "the clock's outcome was met");
    }

    #[test]
    fn won_and_lost_deals_count_per_day_with_their_value_per_currency() {
        let won = event(EventKind::DealWon, None, Some(serde_json::json!({"value": 125_000, "currency": "EUR"})));
        let counters = daily_counters(&won);
        assert_eq!(counters.get("deals_won"), Some(&1));
        assert_eq!(counters.get("deals_won.EUR"), Some(&1));
        assert_eq!(counters.get("deals_won_value.EUR"), Some(&125_000));
        let lost = event(EventKind::DealLost, None, Some(serde_json::json!({"value": 900, "currency": "JPY"})));
        assert_eq!(daily_counters(&lost).get("deals_lost_value.JPY"), Some(&900));
        assert_eq!(daily_counters(&lost).get("deals_lost_by.none"), Some(&1), "a deal without an owner");
        let owned = event(
            EventKind::DealWon,
            None,
            Some(serde_json::json!({"value": 300, "currency": "EUR", "owner_id": "u7"})),
        );
        let counters_owned = daily_counters(&owned);
        assert_eq!(counters_owned.get("deals_won_by.u7"), Some(&1));
        assert_eq!(counters_owned.get("deals_won_value_by.u7.EUR"), Some(&300));
        assert_eq!(counters.get("deals_won_cycle"), None, "a deal without its creation time has no cycle");
        assert!(daily_counters(&event(EventKind::DealStageChanged, None, None)).is_empty());
    }

    #[test]
    fn a_reopen_counts_on_its_own_day_by_the_outcome_it_undid_and_leaves_the_close_counted() {
        let reopened = event(
            EventKind::DealReopened,
            Some(serde_json::json!({"status": "lost", "value": 500, "currency": "EUR"})),
            Some(serde_json::json!({"status": "open", "value": 500, "currency": "EUR"})),
        );
        let counters = daily_counters(&reopened);
        assert_eq!(counters.get("deals_reopened"), Some(&1));
        assert_eq!(counters.get("deals_reopened.lost"), Some(&1));
        assert_eq!(counters.get("deals_lost"), None, "the loss stays counted on the day it happened");
        assert_eq!(counters.get("deals_won"), None);
    }

    #[test]
    fn a_won_deal_counts_its_cycle_from_creation_to_the_win() {
        let won = event(
            EventKind::DealWon,
            None,
            Some(serde_json::json!({"value": 1, "currency": "EUR", "created_at": "2027-01-12T00:00:00Z"})),
        );
        // The event is at 1_800_000_000 (2027-01-15T08:00:00Z): 3 days and 8 hours after creation.
        let counters = daily_counters(&won);
        assert_eq!(counters.get("deals_won_cycle_seconds"), Some(&(3 * 86_400 + 8 * 3_600)));
        assert_eq!(counters.get("deals_won_cycle"), Some(&1));
        let lost = event(
            EventKind::DealLost,
            None,
            Some(serde_json::json!({"value": 1, "currency": "EUR", "created_at": "2027-01-12T00:00:00Z"})),
        );
        assert_eq!(daily_counters(&lost).get("deals_won_cycle"), None);
    }

    #[test]
    fn replies_and_notes_are_told_apart() {
        let reply = event(EventKind::MessageCreated, None, Some(serde_json::json!({"author": "agent"})));
        assert_eq!(daily_counters(&reply).get("agent_replies"), Some(&1));
        let note = event(EventKind::MessageCreated, None, Some(serde_json::json!({"author": "agent"}))).internal(true);
        assert_eq!(daily_counters(&note).get("internal_notes"), Some(&1));
        assert!(daily_counters(&event(EventKind::UserCreated, None, None)).is_empty());
    }

    #[test]
    fn activities_count_logged_and_done_per_kind_and_rep() {
        let rep = crate::domain::ids::UserId::generate();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let logged = Event::new(EventKind::ActivityCreated, Some(rep), "activity/a".into(), at)
            .with_change(None, Some(serde_json::json!({"kind": "call", "done": false})));
        let counters = daily_counters(&logged);
        assert_eq!(counters.get("activities_logged"), Some(&1));
        assert_eq!(counters.get("activities_logged.kind.call"), Some(&1));
        assert_eq!(counters.get(&format!("activities_logged.rep.{rep}.call")), Some(&1));
        assert_eq!(counters.get("activities_done"), None, "an open task is not done");
        let logged_done = Event::new(EventKind::ActivityCreated, Some(rep), "activity/b".into(), at)
            .with_change(None, Some(serde_json::json!({"kind": "meeting", "done": true})));
        let counters = daily_counters(&logged_done);
        assert_eq!(counters.get("activities_logged.kind.meeting"), Some(&1));
        assert_eq!(counters.get(&format!("activities_done.rep.{rep}.meeting")), Some(&1));
        let completed = Event::new(EventKind::ActivityCompleted, Some(rep), "activity/a".into(), at)
            .with_change(None, Some(serde_json::json!({"kind": "task", "done": true})));
        let counters = daily_counters(&completed);
        assert_eq!(counters.get("activities_done.kind.task"), Some(&1));
        assert_eq!(counters.get("activities_logged"), None, "completing logs nothing new");
        assert!(daily_counters(&event(EventKind::ActivityUpdated, None, None)).is_empty());
        assert!(daily_counters(&event(EventKind::ActivityDeleted, None, None)).is_empty());
    }

    #[test]
    fn new_and_converted_leads_count_per_day_and_source() {
        let created = event(EventKind::LeadCreated, None, Some(serde_json::json!({"source": "typeform"})));
        let counters = daily_counters(&created);
        assert_eq!(counters.get("leads_created"), Some(&1));
        assert_eq!(counters.get("leads_created.source.typeform"), Some(&1));
        assert_eq!(counters.get("leads_created.owner.none"), Some(&1));
        let converted =
            event(EventKind::LeadConverted, None, Some(serde_json::json!({"source": "referral", "owner_id": "u7"})));
        assert_eq!(daily_counters(&converted).get("leads_converted.source.referral"), Some(&1));
        assert_eq!(daily_counters(&converted).get("leads_converted.owner.u7"), Some(&1));
        assert!(daily_counters(&event(EventKind::LeadStatusChanged, None, None)).is_empty());
    }
}
