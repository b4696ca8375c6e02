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
    Gather,
    events::SlaEffect,
    field,
    ids::{TicketId, WorkspaceId, member_filter},
    inbox::{self, SlaRow},
    optional_field,
    sla::{
        SlaPolicy, TicketSlaFacts, sla_clocks,
        watch::{self, RadarState},
    },
    ticket::{Priority, Status},
};
use crate::storage::{
    TenantScope,
    events::Event,
    keys::{SLA_DUE_SHARDS, SlaDue},
    sla_watch::{RadarEntry, RadarFilters, RewatchJob, SlaWatch, WatchWriteError},
    tickets::{Ticket, TicketIndex},
};

/// Writers racing on one watch retry this often before giving up (the next scan tries again).
const MAX_ATTEMPTS: usize = 5;
/// Watches recomputed at once per shard.
const CONCURRENCY: usize = 8;
/// Due entries read per index page.
const DUE_PAGE: i32 = 100;

/// A workspace's policy as the watches see it.
#[derive(Clone)]
enum WatchedPolicy {
    /// Never set: no ticket of the workspace has a watch.
    Absent,
    /// Set but no longer valid (should not happen: saved policies are validated): watches are cleared.
    Invalid,
    Valid(Arc<SlaPolicy>),
}

/// Workspace policies read once per run.
#[derive(Default, Clone)]
pub struct PolicyCache {
    policies: HashMap<WorkspaceId, WatchedPolicy>,
}

impl PolicyCache {
    async fn get(&mut self, app: &App, scope: &TenantScope) -> ServiceResult<WatchedPolicy> {
        if let Some(found) = self.policies.get(&scope.workspace_id()) {
            return Ok(found.clone());
        }
        let policy = match app.store.get_sla_policy(scope).await? {
            None => WatchedPolicy::Absent,
            Some(stored) => match SlaPolicy::parse(&stored.policy) {
                Ok(policy) => WatchedPolicy::Valid(Arc::new(policy)),
                Err(errors) => {
                    tracing::error!(?errors, workspace_id = %scope.workspace_id(), "stored SLA policy does not parse");
                    WatchedPolicy::Invalid
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
    let policy = match policies.get(app, scope).await? {
        // No policy, no promise, and no watch to clear (policies can be replaced, never removed).
        WatchedPolicy::Absent => return Ok(Recomputed::default()),
        WatchedPolicy::Invalid => None,
        WatchedPolicy::Valid(policy) => Some(policy),
    };
    for _ in 0..MAX_ATTEMPTS {
        // `now` before the read: a change stamped after it does not count yet, and one committed after
        // the read fails the write's check on the ticket version, so nothing is judged on a stale ticket.
        let now = app.clock.now();
        let (ticket, watch) = match &policy {
            Some(_) => app.store.ticket_and_watch(scope, ticket_id).await?,
            None => (None, app.store.get_sla_watch(scope, ticket_id).await?),
        };
        let (old, ticket, plan, sla_row) = match (&policy, ticket) {
            (Some(policy), Some(ticket)) => {
                let statuses = statuses_of(app, scope, &ticket).await?;
                let facts = TicketSlaFacts {
                    history: &statuses,
                    priority: ticket.priority,
                    category: ticket.category.as_deref(),
                    subcategory: ticket.subcategory.as_deref(),
                    first_response_at: ticket.first_response_at,
                };
                let recorded = watch.as_ref().map(|watch| watch.marks.clone()).unwrap_or_default();
                let clocks = sla_clocks(policy, &facts, now);
                let plan = watch::plan(&clocks, &recorded);
                (watch, Some(ticket), plan, inbox::sla_row(&clocks))
            }
            // No valid policy or no ticket: whatever the watch still says is cleared.
            (_, _) => {
                (watch, None, watch::WatchPlan { marks: Vec::new(), next_check: None, radar: None }, SlaRow::NONE)
            }
        };
        let old = old.as_ref();
        let mut marks = old.map(|watch| watch.marks.clone()).unwrap_or_default();
        watch::record_marks(&mut marks, &plan.marks);
        let radar = plan.radar.zip(ticket.as_ref()).map(|(position, ticket)| RadarEntry {
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
            ticket_version: ticket.as_ref().map_or_else(|| old.map_or(0, |watch| watch.ticket_version), |t| t.version),
            marks,
            next_check,
            radar,
            updated_at: now,
        };
        // The inbox row shows the state too; a ticket write carries the row it read, so a stale one is
        // put right here, after the event that write made.
        let row_current = ticket.as_ref().is_none_or(|ticket| ticket.inbox_sla == Some(sla_row));
        let unchanged = row_current
            && match old {
                Some(old) => old.marks == watch.marks && old.next_check == watch.next_check && old.radar == watch.radar,
                None => watch.next_check.is_none() && watch.radar.is_none() && plan.marks.is_empty(),
            };
        if unchanged {
            return Ok(Recomputed::default());
        }
        // Marks come only from a ticket's clocks; a cleared watch records none.
        let events: Vec<Event> = match ticket.as_ref() {
            Some(ticket) => plan.marks.iter().map(|mark| mark_event(mark, ticket, now)).collect(),
            None => Vec::new(),
        };
        let on_ticket = ticket.as_ref().map(|ticket| (ticket.version, &sla_row));
        match app.store.put_sla_watch(scope, old.map(|watch| watch.rev), on_ticket, &watch, &events).await {
            Ok(()) => return Ok(Recomputed { marks: events.len(), written: true }),
            Err(WatchWriteError::Conflict) => continue,
            Err(WatchWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::Conflict(format!("the SLA watch of ticket {ticket_id} kept changing")))
}

/// The ticket's status changes, from the ticket item; tickets written before it kept them are read
/// from their events.
async fn statuses_of(app: &App, scope: &TenantScope, ticket: &Ticket) -> ServiceResult<Vec<(Timestamp, Status)>> {
    if !ticket.status_history.is_empty() {
        return Ok(ticket.status_history.iter().map(|change| (change.at, change.status)).collect());
    }
    let events = app.store.ticket_with_history(scope, ticket.id).await?.map(|history| history.events);
    Ok(status_history(&events.unwrap_or_default()))
}

/// The outbox event recording an SLA moment of `ticket`.
fn mark_event(mark: &watch::Mark, ticket: &Ticket, now: Timestamp) -> Event {
    Event::new(mark.kind.event_kind(), None, format!("ticket/{}", ticket.id), now)
        .about_ticket(ticket.id, ticket.customer_id)
        .with_change(
            None,
            Some(json!({
                "clock": mark.clock.as_str(),
                "target_minutes": mark.target_secs / 60,
                "due": mark.due,
                "within_target": mark.within_target,
                "counted": mark.counted,
                "priority": ticket.priority.as_str(),
                "category": ticket.category,
                "assignee_id": ticket.assignee_id,
                "status": ticket.status.as_str(),
            })),
        )
}

/// Unresolved tickets re-watched per scan and workspace after a policy change (the rest wait a minute).
const REWATCH_BATCH: usize = 500;

/// Continues the workspace's re-watch job: the next pages of unresolved tickets (up to 500), saving the
/// job's place after each page; the job stays due for the next run or is removed when the queue is done.
/// A ticket that fails is logged and counted, and left to its next change or the next policy change.
pub async fn continue_rewatch(app: &App, scope: &TenantScope, now: Timestamp) -> ServiceResult<ScanReport> {
    let mut report = ScanReport::default();
    let Some(mut job) = app.store.get_rewatch_job(scope).await? else { return Ok(report) };
    let mut policies = PolicyCache::default();
    policies.get(app, scope).await?;
    loop {
        let page = app
            .store
            .query_tickets(
                scope,
                TicketIndex::Queue { unresolved: true, by_priority: false },
                &Default::default(),
                100,
                job.cursor.as_deref(),
            )
            .await?;
        let tickets = page.items.iter().map(|ticket| (scope.workspace_id(), ticket.id)).collect();
        report.add(recompute_all(app, tickets, &policies).await);
        let next = RewatchJob {
            rev: job.rev + 1,
            cursor: page.next_cursor.clone(),
            done: job.done + page.items.len() as u64,
            ..job.clone()
        };
        // Due again just after this run's bound, so the next run (not this one) goes on.
        let due_again = next.cursor.is_some().then(|| now + SignedDuration::from_secs(1));
        if !app.store.advance_rewatch_job(scope, job.rev, &next, due_again).await? {
            tracing::info!(workspace_id = %scope.workspace_id(), "re-watch job restarted meanwhile (a newer policy)");
            return Ok(report);
        }
        job = next;
        if job.cursor.is_none() || report.due >= REWATCH_BATCH {
            return Ok(report);
        }
    }
}

/// Recomputes the watches of `tickets`, a few at a time; failures are logged and counted.
async fn recompute_all(app: &App, tickets: Vec<(WorkspaceId, TicketId)>, policies: &PolicyCache) -> ScanReport {
    let mut report = ScanReport { due: tickets.len(), ..ScanReport::default() };
    let results: Vec<ServiceResult<Recomputed>> = futures::stream::iter(tickets)
        .map(|(workspace, ticket)| async move {
            let scope = TenantScope::for_system(workspace);
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
    report
}

/// The outbox's hook: which events change what a ticket's watch should be.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> ServiceResult<()> {
    match (event.kind.sla_effect(), event.ticket_id) {
        (Some(SlaEffect::RecomputeTicket), Some(ticket)) => {
            recompute(app, scope, ticket, &mut PolicyCache::default()).await?;
        }
        // Every unresolved ticket needs a new watch: the scan does it in batches, so a large workspace
        // never holds up this consumer.
        (Some(SlaEffect::RewatchWorkspace), _) => app.store.start_rewatch_job(scope, app.clock.now()).await?,
        (Some(SlaEffect::RecomputeTicket), None) | (None, _) => {}
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

impl ScanReport {
    fn add(&mut self, other: ScanReport) {
        self.due += other.due;
        self.updated += other.updated;
        self.marks += other.marks;
        self.failed += other.failed;
    }
}

/// Recomputes every watch due now, across workspaces: each shard of the due index in parallel.
pub async fn scan(app: &App, options: ScanOptions) -> ServiceResult<ScanReport> {
    let now = app.clock.now();
    let shards = (0..SLA_DUE_SHARDS).map(|shard| scan_shard(app, shard, now, options));
    let reports = futures::future::try_join_all(shards).await?;
    let mut total = ScanReport::default();
    for each in reports {
        total.add(each);
    }
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
        let (tickets, jobs): (Vec<SlaDue>, Vec<SlaDue>) =
            due.into_iter().partition(|entry| matches!(entry, SlaDue::Ticket(..)));
        let tickets: Vec<(WorkspaceId, TicketId)> = tickets
            .into_iter()
            .filter_map(|entry| match entry {
                SlaDue::Ticket(workspace, ticket) => Some((workspace, ticket)),
                SlaDue::Rewatch(_) | SlaDue::GraceEnds(_) => None,
            })
            .collect();
        // One policy read per workspace and page, shared by its tickets.
        for (workspace, _) in &tickets {
            policies.get(app, &TenantScope::for_system(*workspace)).await?;
        }
        let done = recompute_all(app, tickets, &policies).await;
        report.updated += done.updated;
        report.marks += done.marks;
        report.failed += done.failed;
        // Deadlines first; then re-watch batches after policy changes.
        for entry in jobs {
            let workspace = match entry {
                SlaDue::Rewatch(workspace) => workspace,
                // The same due index carries past-due workspaces' grace deadlines (docs/billing.md).
                SlaDue::GraceEnds(workspace) => {
                    if let Err(err) = super::standing::grace_ended(app, workspace).await {
                        tracing::error!(error = %err, workspace_id = %workspace, "ending a grace period failed");
                        report.failed += 1;
                    }
                    continue;
                }
                SlaDue::Ticket(..) => continue,
            };
            match continue_rewatch(app, &TenantScope::for_system(workspace), now).await {
                Ok(done) => {
                    report.updated += done.updated;
                    report.marks += done.marks;
                    report.failed += done.failed;
                }
                Err(err) => {
                    tracing::error!(error = %err, workspace_id = %workspace, "SLA re-watch batch failed");
                    report.failed += 1;
                }
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
    let (assignee, priority, within, limit) = (
        optional_field("assignee", query.assignee.as_deref(), |raw| member_filter(raw, caller.user_id)),
        optional_field("priority", query.priority.as_deref(), Priority::parse),
        field("within_minutes", whole_number(query.within_minutes, DEFAULT_HORIZON_MINUTES, MAX_HORIZON_MINUTES)),
        field("limit", whole_number(query.limit, DEFAULT_RADAR_LIMIT as i64, MAX_RADAR_LIMIT as i64)),
    )
        .gather()?;
    let limit = limit as usize;
    let category = query.category.map(|raw| raw.trim().to_owned()).filter(|raw| !raw.is_empty());
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
