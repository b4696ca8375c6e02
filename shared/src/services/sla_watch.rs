//! Keeping each ticket's SLA watch current, the scheduled scan, and the radar.
//!
//! - After every ticket change (the outbox consumer calls [`recompute`] for ticket and message events)
//!   and after a policy change (every unresolved ticket of the workspace, in batches by the scan through
//!   a re-watch job), the watch is recomputed from the ticket's current state: its next moment to look, its radar position, and any moment due
//!   already (a priority raised past its deadline is breached at once).
//! - Every minute the scan ([`scan`]) reads the due index and recomputes only those watches.
//!
//! Both record SLA moments as `sla.*` events in the same transaction as the watch, conditional on the
//! watch's revision: a moment is recorded exactly once, and a scan that dies half-way leaves the rest
//! due for the next run.

use std::{collections::HashMap, sync::Arc};

use futures::{StreamExt, TryStreamExt};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::{ServiceError, ServiceResult, sla::status_history};
use crate::api::{RadarCounts, RadarTicketView, SlaRadarView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    Validator,
    ids::{TicketId, UserId, WorkspaceId},
    sla::{
        SlaPolicy, TicketSlaFacts, sla_clocks,
        watch::{self, RadarState},
    },
    ticket::Priority,
};
use crate::storage::{
    TenantScope,
    events::Event,
    keys::{SLA_DUE_SHARDS, SlaDue},
    sla_watch::{RadarEntry, RadarFilters, RewatchJob, SlaWatch, WatchWriteError},
    tickets::TicketIndex,
};

/// Writers racing on one watch retry this often before giving up (the next scan tries again).
const MAX_ATTEMPTS: usize = 5;
/// Watches recomputed at once per shard.
const CONCURRENCY: usize = 8;
/// Due entries read per index page.
const DUE_PAGE: i32 = 100;

/// Workspace policies read once per run (None: the workspace has no policy).
#[derive(Default, Clone)]
pub struct PolicyCache {
    policies: HashMap<WorkspaceId, Option<Arc<SlaPolicy>>>,
}

impl PolicyCache {
    async fn get(&mut self, app: &App, scope: &TenantScope) -> ServiceResult<Option<Arc<SlaPolicy>>> {
        if let Some(found) = self.policies.get(&scope.workspace_id()) {
            return Ok(found.clone());
        }
        let policy = match app.store.get_sla_policy(scope).await? {
            None => None,
            Some(stored) => match SlaPolicy::parse(&stored.policy) {
                Ok(policy) => Some(Arc::new(policy)),
                Err(errors) => {
                    // Saved policies are validated; one that no longer parses watches nothing.
                    tracing::error!(?errors, workspace_id = %scope.workspace_id(), "stored SLA policy does not parse");
                    None
                }
            },
        };
        self.policies.insert(scope.workspace_id(), policy.clone());
        Ok(policy)
    }
}

/// What one recomputation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Recomputed {
    /// SLA moments recorded (events written).
    pub marks: usize,
    /// Whether the watch item was written.
    pub written: bool,
}

/// Brings the ticket's watch up to date with its state and the policy as of now.
pub async fn recompute(
    app: &App,
    scope: &TenantScope,
    ticket_id: TicketId,
    policies: &mut PolicyCache,
) -> ServiceResult<Recomputed> {
    let policy = policies.get(app, scope).await?;
    if policy.is_none() {
        // No policy, no promise: nothing to watch (policies can be replaced, never removed).
        return Ok(Recomputed::default());
    }
    for _ in 0..MAX_ATTEMPTS {
        let Some(history) = app.store.ticket_with_history(scope, ticket_id).await? else {
            return Ok(Recomputed::default());
        };
        let now = app.clock.now();
        let ticket = &history.ticket;
        let old = history.sla_watch.as_ref();
        let mut marks = old.map(|watch| watch.marks.clone()).unwrap_or_default();
        let plan = match &policy {
            Some(policy) => {
                let statuses = status_history(&history.events);
                let facts = TicketSlaFacts {
                    history: &statuses,
                    priority: ticket.priority,
                    category: ticket.category.as_deref(),
                    subcategory: ticket.subcategory.as_deref(),
                    first_response_at: ticket.first_response_at,
                };
                watch::plan(&sla_clocks(policy, &facts, now), &marks)
            }
            None => watch::WatchPlan { marks: Vec::new(), next_check: None, radar: None },
        };
        watch::record_marks(&mut marks, &plan.marks);
        let radar = plan.radar.map(|position| RadarEntry {
            state: position.state,
            clock: position.clock,
            due: position.due,
            subject: ticket.subject.clone(),
            status: ticket.status,
            priority: ticket.priority,
            category: ticket.category.clone(),
            assignee_id: ticket.assignee_id,
        });
        // A moment always lies ahead of `now` (one at `now` is recorded now); the floor only guards
        // against a busy loop if that ever stopped holding.
        let next_check = plan.next_check.map(|at| at.max(now + SignedDuration::from_secs(1)));
        let watch = SlaWatch {
            workspace_id: scope.workspace_id(),
            ticket_id,
            rev: old.map_or(1, |watch| watch.rev + 1),
            ticket_version: ticket.version,
            marks,
            next_check,
            radar,
            updated_at: now,
        };
        let unchanged = match old {
            Some(old) => old.marks == watch.marks && old.next_check == watch.next_check && old.radar == watch.radar,
            None => watch.next_check.is_none() && watch.radar.is_none() && plan.marks.is_empty(),
        };
        if unchanged {
            return Ok(Recomputed::default());
        }
        let events: Vec<Event> = plan
            .marks
            .iter()
            .map(|mark| {
                Event::new(mark.kind.event_type(), None, format!("ticket/{ticket_id}"), now)
                    .about_ticket(ticket_id, ticket.customer_id)
                    .with_change(
                        None,
                        Some(json!({
                            "clock": mark.clock.as_str(),
                            "target_minutes": mark.target_secs / 60,
                            "due": mark.due,
                            "within_target": mark.within_target,
                            "priority": ticket.priority.as_str(),
                            "category": ticket.category,
                            "assignee_id": ticket.assignee_id,
                            "status": ticket.status.as_str(),
                        })),
                    )
            })
            .collect();
        match app.store.put_sla_watch(scope, old.map(|watch| watch.rev), &watch, &events).await {
            Ok(()) => return Ok(Recomputed { marks: events.len(), written: true }),
            Err(WatchWriteError::Conflict) => continue,
            Err(WatchWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::Conflict(format!("the SLA watch of ticket {ticket_id} kept changing")))
}

/// Unresolved tickets re-watched per scan and workspace after a policy change (the rest wait a minute).
const REWATCH_BATCH: usize = 500;

/// Continues the workspace's re-watch job: the next batch of unresolved tickets, then the job is saved
/// due again at once (the next scan goes on) or removed when the queue is done. Returns the tickets
/// recomputed.
pub async fn continue_rewatch(app: &App, scope: &TenantScope, now: Timestamp) -> ServiceResult<usize> {
    let Some(job) = app.store.get_rewatch_job(scope).await? else { return Ok(0) };
    let mut policies = PolicyCache::default();
    let mut cursor = job.cursor.clone();
    let mut count = 0;
    loop {
        let page = app
            .store
            .query_tickets(
                scope,
                TicketIndex::Queue { unresolved: true, by_priority: false },
                &Default::default(),
                100,
                cursor.as_deref(),
            )
            .await?;
        for ticket in &page.items {
            recompute(app, scope, ticket.id, &mut policies).await?;
        }
        count += page.items.len();
        cursor = page.next_cursor;
        if cursor.is_none() || count >= REWATCH_BATCH {
            break;
        }
    }
    let next = RewatchJob { rev: job.rev + 1, cursor: cursor.clone(), done: job.done + count as u64, ..job.clone() };
    // Due again just after this run's bound, so the next run (not this one) takes the next batch.
    let due_again = cursor.is_some().then(|| now + SignedDuration::from_secs(1));
    if !app.store.advance_rewatch_job(scope, job.rev, &next, due_again).await? {
        tracing::info!(workspace_id = %scope.workspace_id(), "re-watch job restarted meanwhile (a newer policy)");
    }
    Ok(count)
}

/// The outbox's hook: which events change what a ticket's watch should be.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    match (event.kind.as_str(), event.ticket_id) {
        ("ticket.created" | "ticket.updated" | "ticket.assigned" | "message.created", Some(ticket)) => {
            recompute(app, scope, ticket, &mut PolicyCache::default()).await?;
        }
        // Every unresolved ticket needs a new watch: the scan does it in batches, so a large workspace
        // never holds up this consumer.
        ("settings.sla_policy_updated", _) => app.store.start_rewatch_job(scope, app.clock.now()).await?,
        _ => {}
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Stop after this many watches (a bounded run; the rest stays due for the next one).
    pub max_watches: Option<usize>,
}

/// What a scan did, for its log line and metrics.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ScanReport {
    /// Due entries read from the index.
    pub due: usize,
    /// Watches recomputed and written.
    pub updated: usize,
    /// SLA moments recorded.
    pub marks: usize,
    /// Watches that failed (left due; retried next run).
    pub failed: usize,
}

/// Recomputes every watch due now, across workspaces: each shard of the due index in parallel.
pub async fn scan(app: &App, options: ScanOptions) -> ServiceResult<ScanReport> {
    let now = app.clock.now();
    let shards = (0..SLA_DUE_SHARDS).map(|shard| scan_shard(app, shard, now, options));
    let reports = futures::future::try_join_all(shards).await?;
    let total = reports.into_iter().fold(ScanReport::default(), |total, each| ScanReport {
        due: total.due + each.due,
        updated: total.updated + each.updated,
        marks: total.marks + each.marks,
        failed: total.failed + each.failed,
    });
    tracing::info!(due = total.due, updated = total.updated, marks = total.marks, failed = total.failed, "SLA scan");
    Ok(total)
}

async fn scan_shard(app: &App, shard: u32, now: Timestamp, options: ScanOptions) -> ServiceResult<ScanReport> {
    let mut report = ScanReport::default();
    let mut start = None;
    let mut policies = PolicyCache::default();
    let budget = options.max_watches.map(|max| max.div_ceil(SLA_DUE_SHARDS as usize));
    loop {
        let page = app.store.due_sla_watches(shard, now, DUE_PAGE, start).await?;
        let mut due = page.due;
        if let Some(budget) = budget {
            due.truncate(budget.saturating_sub(report.due));
        }
        report.due += due.len();
        let (due, rewatch): (Vec<SlaDue>, Vec<SlaDue>) =
            due.into_iter().partition(|entry| matches!(entry, SlaDue::Ticket(..)));
        for entry in rewatch {
            let SlaDue::Rewatch(workspace) = entry else { continue };
            match continue_rewatch(app, &TenantScope::new(workspace), now).await {
                Ok(count) => report.updated += count,
                Err(err) => {
                    tracing::error!(error = %err, workspace_id = %workspace, "SLA re-watch batch failed");
                    report.failed += 1;
                }
            }
        }
        let due: Vec<(WorkspaceId, TicketId)> = due
            .into_iter()
            .filter_map(|entry| match entry {
                SlaDue::Ticket(workspace, ticket) => Some((workspace, ticket)),
                SlaDue::Rewatch(_) => None,
            })
            .collect();
        // One policy read per workspace and page, shared by its tickets.
        for (workspace, _) in &due {
            policies.get(app, &TenantScope::new(*workspace)).await?;
        }
        let policies = &policies;
        let results: Vec<ServiceResult<Recomputed>> = futures::stream::iter(due)
            .map(|(workspace, ticket)| async move {
                let scope = TenantScope::new(workspace);
                let result = recompute(app, &scope, ticket, &mut policies.clone()).await;
                if let Err(err) = &result {
                    tracing::error!(error = %err, workspace_id = %workspace, ticket_id = %ticket, "SLA watch failed");
                }
                result
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for result in results {
            match result {
                Ok(done) => {
                    report.updated += usize::from(done.written);
                    report.marks += done.marks;
                }
                Err(_) => report.failed += 1,
            }
        }
        start = page.next;
        let budget_spent = budget.is_some_and(|budget| report.due >= budget);
        if start.is_none() || budget_spent {
            return Ok(report);
        }
    }
}

/// The default look-ahead for tickets on track.
pub const DEFAULT_HORIZON_MINUTES: i64 = 240;
pub const MAX_HORIZON_MINUTES: i64 = 7 * 24 * 60;
pub const DEFAULT_RADAR_LIMIT: usize = 50;
pub const MAX_RADAR_LIMIT: usize = 200;
/// Entries counted per state; past it the count says "at least".
pub const RADAR_COUNT_CAP: usize = 500;

#[derive(Debug, Default)]
pub struct RadarQuery {
    pub assignee: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub within_minutes: Option<String>,
    pub limit: Option<String>,
}

/// Tickets breached, at risk, and due within the horizon, least time left first, with counts.
pub async fn radar(app: &App, caller: &MemberPrincipal, query: RadarQuery) -> ServiceResult<SlaRadarView> {
    let mut v = Validator::new();
    let assignee = match query.assignee.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some("me") => Some(Some(caller.user_id)),
        Some(raw) => v.check(
            "assignee",
            raw.parse::<UserId>().map(Some).map_err(|_| "must be a member id, `me` or `none`".to_owned()),
        ),
    };
    let priority = query.priority.as_deref().and_then(|raw| v.check("priority", Priority::parse(raw)));
    let within =
        v.check("within_minutes", whole_number(query.within_minutes, DEFAULT_HORIZON_MINUTES, MAX_HORIZON_MINUTES));
    let limit = v.check("limit", whole_number(query.limit, DEFAULT_RADAR_LIMIT as i64, MAX_RADAR_LIMIT as i64));
    let category = query.category.map(|raw| raw.trim().to_owned()).filter(|raw| !raw.is_empty());
    v.finish().map_err(ServiceError::Validation)?;
    let (within, limit) = (within.expect("checked"), limit.expect("checked") as usize);
    let filters = RadarFilters { assignee, priority, category };
    let scope = caller.scope();
    let now = app.clock.now();
    let horizon = now + SignedDuration::from_mins(within);

    let states = [(RadarState::Breached, None), (RadarState::AtRisk, None), (RadarState::OnTrack, Some(horizon))];
    let found: Vec<(Vec<SlaWatch>, bool)> = futures::stream::iter(states)
        .then(|(state, due_by)| {
            let (scope, filters) = (&scope, &filters);
            async move { app.store.radar_watches(scope, state, due_by, filters, RADAR_COUNT_CAP).await }
        })
        .try_collect()
        .await?;
    let counts = RadarCounts {
        breached: found[0].0.len(),
        at_risk: found[1].0.len(),
        due_soon: found[2].0.len(),
        exact: found.iter().all(|(_, more)| !more),
    };
    let mut tickets: Vec<RadarTicketView> = found
        .iter()
        .flat_map(|(watches, _)| watches.iter())
        .filter_map(|watch| watch.radar.as_ref().map(|entry| radar_view(watch.ticket_id, entry, now)))
        .collect();
    tickets.sort_by_key(|ticket| (ticket.due, ticket.ticket_id.to_string()));
    tickets.truncate(limit);
    Ok(SlaRadarView { generated_at: now, within_minutes: within, counts, tickets })
}

/// A query parameter that must be a whole number from 1 to `max`; `default` when absent.
fn whole_number(raw: Option<String>, default: i64, max: i64) -> Result<i64, String> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|value| (1..=max).contains(value))
            .ok_or_else(|| format!("must be 1 to {max}")),
    }
}

fn radar_view(ticket_id: TicketId, entry: &RadarEntry, now: Timestamp) -> RadarTicketView {
    RadarTicketView {
        ticket_id,
        subject: entry.subject.clone(),
        status: entry.status,
        priority: entry.priority,
        category: entry.category.clone(),
        assignee_id: entry.assignee_id,
        state: entry.state.as_str().to_owned(),
        clock: entry.clock.as_str().to_owned(),
        due: entry.due,
        seconds_left: entry.due.duration_since(now).as_secs(),
    }
}
