//! The index writer: batches of the search FIFO queue. A workspace's messages arrive in order and one
//! batch at a time (its message group), so each workspace index has a single writer. Per workspace
//! in the batch: open the current index object (or rebuild it from the table when it is missing or
//! unreadable), re-read each named record, write the object, then move the version item on with a
//! condition on the version it started from.

use std::collections::BTreeSet;

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use shared::App;
use shared::domain::ids::{EventId, WorkspaceId};
use shared::services::ServiceError;
use shared::services::search_feed::{SearchChange, SearchTarget};
use shared::storage::{StoreError, TenantScope, keys, search::SearchVersion};

use crate::index::WorkspaceIndex;
use crate::sources;

pub async fn handle_batch(app: &App, event: SqsEvent) -> SqsBatchResponse {
    // Messages per workspace, in queue order; a message that does not parse is logged and dropped
    // (it would fail forever).
    let mut groups: Vec<(WorkspaceId, Vec<(String, SearchChange)>)> = Vec::new();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        let change: SearchChange = match message.body.as_deref().map(serde_json::from_str) {
            Some(Ok(change)) => change,
            _ => {
                tracing::error!(message_id = %id, "search queue message unreadable; dropped");
                continue;
            }
        };
        let workspace = change.workspace_id();
        match groups.iter_mut().find(|(group, _)| *group == workspace) {
            Some((_, changes)) => changes.push((id, change)),
            None => groups.push((workspace, vec![(id, change)])),
        }
    }
    let mut response = SqsBatchResponse::default();
    for (workspace, changes) in groups {
        let started = std::time::Instant::now();
        let changes_in: Vec<&SearchChange> = changes.iter().map(|(_, change)| change).collect();
        match apply(app, workspace, &changes_in).await {
            Ok(version) => tracing::info!(
                workspace_id = %workspace, version = version.version, records = version.records,
                bytes = version.bytes, changes = changes.len(), ms = started.elapsed().as_millis() as u64,
                "search index written"
            ),
            Err(err) => {
                tracing::error!(error = %err, workspace_id = %workspace, "search indexing failed; the workspace's messages come back");
                // FIFO: the failed messages and every later one of the group are retried, in order.
                for (id, _) in changes {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = id;
                    response.batch_item_failures.push(failure);
                }
            }
        }
    }
    response
}

/// Brings one workspace's index up to date with `changes`; the version written.
pub async fn apply(
    app: &App,
    workspace: WorkspaceId,
    changes: &[&SearchChange],
) -> Result<SearchVersion, ServiceError> {
    let scope = TenantScope::for_system(workspace);
    let current = app.store.search_version(&scope).await?;
    let rebuild = changes.iter().any(|change| matches!(change, SearchChange::Rebuild { .. }));
    let opened = match (rebuild, current) {
        (false, Some(_)) => open(app, workspace).await?,
        _ => None,
    };
    let mut through = current.and_then(|version| version.through);
    let index = match opened {
        Some(mut index) => {
            let targets: BTreeSet<&SearchTarget> = changes
                .iter()
                .flat_map(|change| match change {
                    SearchChange::Refresh { targets, .. } => targets.iter().collect::<Vec<_>>(),
                    SearchChange::Rebuild { .. } => Vec::new(),
                })
                .collect();
            let (mut docs, mut gone) = (Vec::new(), Vec::new());
            for target in targets {
                match sources::current(app, &scope, target).await? {
                    Some(doc) => docs.push(doc),
                    None => gone.push(target.clone()),
                }
            }
            index.apply(&docs, &gone).map_err(internal)?;
            for change in changes {
                if let SearchChange::Refresh { event_id, .. } = change {
                    through = newer(through, *event_id);
                }
            }
            index
        }
        None => {
            // The newest event before reading: everything it and earlier events did is read below.
            let newest = app.store.search_events_after(&scope, None, 1).await?;
            through = newest.first().map(|event| event.id).or(through);
            let docs = sources::all(app, &scope).await?;
            let mut index = WorkspaceIndex::create(workspace).map_err(internal)?;
            index.apply(&docs, &[]).map_err(internal)?;
            index
        }
    };
    let bytes = index.to_bytes().map_err(internal)?;
    let next = SearchVersion {
        version: current.map_or(1, |version| version.version + 1),
        records: index.records(),
        bytes: bytes.len() as u64,
        written_at: app.clock.now().as_second(),
        through,
    };
    app.search_indexes.put(&keys::search_index_object_key(workspace), bytes).await?;
    if !app.store.put_search_version(&scope, current.map(|version| version.version), next).await? {
        // Only one writer per workspace runs at a time, so this is a redelivery racing its original:
        // retried, the batch starts again from the version now current.
        return Err(ServiceError::Conflict("the search index version moved meanwhile".to_owned()));
    }
    Ok(next)
}

/// The workspace's index object opened; None when it is missing or unreadable (then rebuilt).
pub async fn open(app: &App, workspace: WorkspaceId) -> Result<Option<WorkspaceIndex>, ServiceError> {
    let Some(bytes) = app.search_indexes.get(&keys::search_index_object_key(workspace)).await? else {
        tracing::warn!(workspace_id = %workspace, "search index object missing; rebuilding from the table");
        return Ok(None);
    };
    match WorkspaceIndex::from_bytes(workspace, &bytes) {
        Ok(index) => Ok(Some(index)),
        Err(err) => {
            tracing::error!(error = %err, workspace_id = %workspace, "search index object unreadable; rebuilding from the table");
            Ok(None)
        }
    }
}

fn newer(through: Option<EventId>, event: EventId) -> Option<EventId> {
    match through {
        Some(through) if through.to_string() >= event.to_string() => Some(through),
        _ => Some(event),
    }
}

pub(crate) fn internal(err: crate::index::IndexError) -> ServiceError {
    ServiceError::Store(StoreError::Corrupt(err.to_string()))
}
