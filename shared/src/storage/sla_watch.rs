//! SLA watches: one item per ticket (in its item collection) holding the SLA moments already recorded,
//! the next moment to look at it, and its radar position. Two sparse indexes make the scheduled scan and
//! the radar cheap:
//! - GSI7 (keys only, write-sharded across workspaces): watches with a moment still to record, by when.
//!   The scan reads only the entries due now, so its cost follows the tickets near a deadline, never
//!   all tickets.
//! - GSI8 (per workspace): the radar, by state and then deadline.
//!
//! A watch changes only conditionally on the revision read, in the same transaction as the events it
//! records, so two writers (the scan and a recomputation after a ticket change) never record a moment
//! twice.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, QuerySpec, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{
    ids::{TicketId, UserId, WorkspaceId},
    inbox::SlaRow,
    sla::watch::{ClockKind, Marks, RadarState},
    ticket::{Priority, Status},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SlaWatch {
    pub workspace_id: WorkspaceId,
    pub ticket_id: TicketId,
    /// Raised by every write; writes are conditional on the revision read.
    pub rev: u64,
    /// The ticket version the watch was last computed from.
    pub ticket_version: u64,
    #[serde(default)]
    pub marks: Marks,
    pub next_check: Option<Timestamp>,
    pub radar: Option<RadarEntry>,
    pub updated_at: Timestamp,
}

/// What the radar shows of a ticket without reading it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RadarEntry {
    pub state: RadarState,
    pub clock: ClockKind,
    pub due: Timestamp,
    pub subject: String,
    pub status: Status,
    pub priority: Priority,
    pub category: Option<String>,
    pub assignee_id: Option<UserId>,
}

fn state_rank(state: RadarState) -> u8 {
    match state {
        RadarState::Breached => 0,
        RadarState::AtRisk => 1,
        RadarState::OnTrack => 2,
    }
}

#[derive(Debug)]
pub enum WatchWriteError {
    /// Someone else wrote the watch since it was read: read again and recompute.
    Conflict,
    Store(StoreError),
}

impl From<StoreError> for WatchWriteError {
    fn from(err: StoreError) -> Self {
        WatchWriteError::Store(err)
    }
}

/// Narrowing of the radar (a filter on the workspace's radar partition only).
#[derive(Debug, Clone, Default)]
pub struct RadarFilters {
    pub assignee: Option<Option<UserId>>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
}

/// One page of due entries from a shard.
pub struct DueWatches {
    pub due: Vec<keys::SlaDue>,
    pub next: Option<Item>,
}

/// Re-watching a workspace's unresolved tickets after its policy changed, a batch per scan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RewatchJob {
    pub workspace_id: WorkspaceId,
    /// Raised by every write; writes are conditional on the revision read.
    pub rev: u64,
    /// Where the next batch starts in the workspace's unresolved queue; None: at the start.
    pub cursor: Option<String>,
    pub done: u64,
    pub started_at: Timestamp,
}

impl Store {
    /// The watch item as stored, with its index keys (also for bulk loads through [`Store::batch_put`]).
    pub fn sla_watch_item(&self, scope: &TenantScope, watch: &SlaWatch) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(watch)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::sla_watch_sk(watch.ticket_id)));
        if let Some(next_check) = watch.next_check {
            item.insert(keys::GSI7PK.to_owned(), s(keys::sla_due_gsi7pk(watch.ticket_id)));
            item.insert(
                keys::GSI7SK.to_owned(),
                s(keys::sla_due_gsi7sk(next_check, scope.workspace_id(), watch.ticket_id)),
            );
        }
        if let Some(radar) = &watch.radar {
            item.insert(keys::GSI8PK.to_owned(), s(keys::sla_radar_gsi8pk(scope.workspace_id())));
            item.insert(
                keys::GSI8SK.to_owned(),
                s(keys::sla_radar_gsi8sk(state_rank(radar.state), radar.due, watch.ticket_id)),
            );
        }
        Ok(item)
    }

    /// Writes the watch if its revision is still `read_rev` (None: no watch existed) and the ticket is
    /// still at the version it was computed from (`ticket`: that version and the inbox row's SLA state,
    /// written onto the ticket in the same transaction; None: not computed from the ticket, as when
    /// clearing a watch), with the events that record its new marks.
    pub async fn put_sla_watch(
        &self,
        scope: &TenantScope,
        read_rev: Option<u64>,
        ticket: Option<(u64, &SlaRow)>,
        watch: &SlaWatch,
        events: &[Event],
    ) -> Result<(), WatchWriteError> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(self.sla_watch_item(scope, watch)?));
        put = match read_rev {
            Some(rev) => put.condition_expression("rev = :rev").expression_attribute_values(":rev", n(rev)),
            None => put.condition_expression("attribute_not_exists(PK)"),
        };
        let put = put.build().map_err(StoreError::from)?;
        // A change committed after the read (a reply just before the deadline) must be seen first.
        let mut transaction =
            Transaction::new().with_named(TransactWriteItem::builder().put(put).build(), WatchWriteError::Conflict);
        if let Some((version, sla_row)) = ticket {
            // The inbox row's SLA state commits with the watch, on the ticket version it was computed from.
            let ticket_update = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::ticket_sk(watch.ticket_id)))
                .update_expression("SET inbox_sla = :sla")
                .condition_expression("version = :version")
                .expression_attribute_values(":version", n(version))
                .expression_attribute_values(
                    ":sla",
                    AttributeValue::M(serde_dynamo::to_item(sla_row).map_err(StoreError::from)?),
                )
                .build()
                .map_err(StoreError::from)?;
            transaction = transaction
                .with_named(TransactWriteItem::builder().update(ticket_update).build(), WatchWriteError::Conflict);
        }
        for event in events {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    pub async fn get_sla_watch(&self, scope: &TenantScope, ticket: TicketId) -> Result<Option<SlaWatch>, StoreError> {
        self.get_record(scope.pk(), keys::sla_watch_sk(ticket)).await
    }

    /// Watches in `shard` with a moment due at or before `now`, oldest first (keys-only index reads).
    pub async fn due_sla_watches(
        &self,
        shard: u32,
        now: Timestamp,
        limit: i32,
        start: Option<Item>,
    ) -> Result<DueWatches, StoreError> {
        let query = QuerySpec::new("GSI7PK = :pk AND GSI7SK <= :through")
            .on_index(keys::GSI7)
            .value(":pk", s(keys::sla_due_shard_gsi7pk(shard)))
            .value(":through", s(keys::sla_due_gsi7sk_through(now)));
        let (items, next) = self.query_up_to(&query, start, usize::try_from(limit).unwrap_or(0), 1).await?;
        let mut due = Vec::new();
        for item in &items {
            let sk = item.get(keys::GSI7SK).and_then(|value| value.as_s().ok());
            match sk.and_then(|sk| keys::parse_sla_due_gsi7sk(sk)) {
                Some(found) => due.push(found),
                None => return Err(StoreError::Corrupt(format!("SLA due key {sk:?}"))),
            }
        }
        Ok(DueWatches { due, next })
    }

    pub async fn get_rewatch_job(&self, scope: &TenantScope) -> Result<Option<RewatchJob>, StoreError> {
        self.get_record(scope.pk(), keys::SLA_REWATCH_SK.to_owned()).await
    }

    /// Starts (or restarts, for a newer policy) the re-watch job, due now.
    pub async fn start_rewatch_job(&self, scope: &TenantScope, now: Timestamp) -> Result<(), StoreError> {
        let current = self.get_rewatch_job(scope).await?;
        let job = RewatchJob {
            workspace_id: scope.workspace_id(),
            rev: current.map_or(1, |job| job.rev + 1),
            cursor: None,
            done: 0,
            started_at: now,
        };
        let item = self.rewatch_item(scope, &job, Some(now))?;
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(super::backend)?;
        Ok(())
    }

    /// Saves the job's progress (due again at `next`), or removes it when `next` is None; conditional on
    /// the revision read, so a restarted job is never overwritten by an older run. Returns whether it
    /// was written.
    pub async fn advance_rewatch_job(
        &self,
        scope: &TenantScope,
        read_rev: u64,
        job: &RewatchJob,
        next: Option<Timestamp>,
    ) -> Result<bool, StoreError> {
        let outcome = |failed: bool| if failed { Ok(false) } else { Ok(true) };
        match next {
            Some(next) => {
                let item = self.rewatch_item(scope, job, Some(next))?;
                let result = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("rev = :rev")
                    .expression_attribute_values(":rev", n(read_rev))
                    .send()
                    .await;
                match result {
                    Err(err) if !is_condition_failure(&err) => Err(super::backend(err)),
                    other => outcome(other.is_err()),
                }
            }
            None => {
                let result = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .key(keys::PK, s(scope.pk()))
                    .key(keys::SK, s(keys::SLA_REWATCH_SK))
                    .condition_expression("rev = :rev")
                    .expression_attribute_values(":rev", n(read_rev))
                    .send()
                    .await;
                match result {
                    Err(err) if !is_condition_failure(&err) => Err(super::backend(err)),
                    other => outcome(other.is_err()),
                }
            }
        }
    }

    fn rewatch_item(&self, scope: &TenantScope, job: &RewatchJob, due: Option<Timestamp>) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(job)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::SLA_REWATCH_SK));
        if let Some(due) = due {
            item.insert(keys::GSI7PK.to_owned(), s(keys::sla_rewatch_gsi7pk(scope.workspace_id())));
            item.insert(keys::GSI7SK.to_owned(), s(keys::sla_rewatch_gsi7sk(due, scope.workspace_id())));
        }
        Ok(item)
    }

    /// Radar entries in `state`, least time left first; on-track ones only if due by `due_by`.
    /// Reads at most `limit` matching entries (pages through the filter up to a bound).
    pub async fn radar_watches(
        &self,
        scope: &TenantScope,
        state: RadarState,
        due_by: Option<Timestamp>,
        filters: &RadarFilters,
        limit: usize,
    ) -> Result<(Vec<SlaWatch>, bool), StoreError> {
        const MAX_ROUND_TRIPS: usize = 16;
        let (from, to) = keys::sla_radar_gsi8sk_range(state_rank(state), due_by);
        let mut conditions = Vec::new();
        let mut values: Vec<(&str, AttributeValue)> = Vec::new();
        if let Some(priority) = filters.priority {
            conditions.push("radar.priority = :priority");
            values.push((":priority", s(priority.as_str())));
        }
        if let Some(category) = &filters.category {
            conditions.push("radar.category = :category");
            values.push((":category", s(category)));
        }
        match filters.assignee {
            Some(Some(user)) => {
                conditions.push("radar.assignee_id = :assignee");
                values.push((":assignee", s(user.to_string())));
            }
            Some(None) => {
                conditions.push("attribute_type(radar.assignee_id, :null_type)");
                values.push((":null_type", s("NULL")));
            }
            None => {}
        }
        let mut query = QuerySpec::new("GSI8PK = :pk AND GSI8SK BETWEEN :from AND :to")
            .on_index(keys::GSI8)
            .value(":pk", s(keys::sla_radar_gsi8pk(scope.workspace_id())))
            .value(":from", s(&from))
            .value(":to", s(&to));
        for (name, value) in values {
            query = query.value(name, value);
        }
        if !conditions.is_empty() {
            query = query.filter(conditions.join(" AND "));
        }
        let (items, start) = self.query_up_to(&query, None, limit, MAX_ROUND_TRIPS).await?;
        let mut found = super::items_of::<SlaWatch>(&items)?;
        let more = start.is_some();
        found.truncate(limit);
        Ok((found, more))
    }
}

fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error().and_then(|err| err.code()) == Some("ConditionalCheckFailedException")
}
