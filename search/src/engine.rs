//! Answering a search: the workspace's index as cached in this process, checked against the version
//! item on every query (one GetItem), reloaded from its object when the version moved; records
//! changed after the index's watermark are read from the table and searched beside it, so a change is
//! found at once (read-your-writes). A missing or unreadable object is rebuilt here from the table
//! for this answer, and its writer is asked to rebuild and store it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use shared::App;
use shared::api::{SearchResult, SearchResults, Snippet};
use shared::domain::ids::{EventId, WorkspaceId};
use shared::http::search::SearchQuery;
use shared::services::ServiceResult;
use shared::services::search_feed::{self, SearchTarget, targets_of};
use shared::storage::TenantScope;
use shared::storage::search::PENDING_EVENTS_READ;

use crate::index::{Hit, SearchRequest, WorkspaceIndex};
use crate::indexer::{internal, open};
use crate::sources;

/// Workspaces whose index a process keeps open at most; past it the least recently used goes.
const CACHED_WORKSPACES: usize = 32;
/// Changed records read from the table per query at most (the newest first); the rest wait for
/// the writer, seconds away.
const PENDING_RECORDS_READ: usize = 20;

struct Cached {
    version: u64,
    index: Arc<WorkspaceIndex>,
    used: u64,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<WorkspaceId, Cached>,
    clock: u64,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

fn cached(workspace: WorkspaceId, version: u64) -> Option<Arc<WorkspaceIndex>> {
    let mut cache = cache().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.clock += 1;
    let now = cache.clock;
    let entry = cache.entries.get_mut(&workspace).filter(|entry| entry.version == version)?;
    entry.used = now;
    Some(entry.index.clone())
}

fn remember(workspace: WorkspaceId, version: u64, index: Arc<WorkspaceIndex>) {
    let mut cache = cache().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    cache.clock += 1;
    let used = cache.clock;
    cache.entries.insert(workspace, Cached { version, index, used });
    while cache.entries.len() > CACHED_WORKSPACES {
        let Some(oldest) = cache.entries.iter().min_by_key(|(_, entry)| entry.used).map(|(id, _)| *id) else { break };
        cache.entries.remove(&oldest);
    }
}

/// Which committed changes the index may not hold yet.
enum Pending {
    /// Those after this event (all of them for None: an index written before any event).
    After(Option<EventId>),
    /// None: the index was just built from the table.
    Nothing,
}

struct Current {
    index: Arc<WorkspaceIndex>,
    version: u64,
    pending_after: Pending,
}

/// The workspace's current index, and what it may lack.
async fn current_index(app: &App, scope: &TenantScope) -> ServiceResult<Current> {
    let workspace = scope.workspace_id();
    let version = app.store.search_version(scope).await?;
    if let Some(version) = version
        && let Some(index) = cached(workspace, version.version)
    {
        return Ok(Current { index, version: version.version, pending_after: Pending::After(version.through) });
    }
    let opened = match version {
        Some(_) => open(app, workspace).await?,
        None => None,
    };
    match (opened, version) {
        (Some(index), Some(version)) => {
            let index = Arc::new(index);
            remember(workspace, version.version, index.clone());
            Ok(Current { index, version: version.version, pending_after: Pending::After(version.through) })
        }
        _ => {
            // No usable object: the writer rebuilds and stores it; this answer reads the table now.
            search_feed::request_rebuild(app, workspace).await?;
            let docs = sources::all(app, scope).await?;
            let mut index = WorkspaceIndex::create(workspace).map_err(internal)?;
            index.apply(&docs, &[]).map_err(internal)?;
            let number = version.map_or(0, |version| version.version);
            Ok(Current { index: Arc::new(index), version: number, pending_after: Pending::Nothing })
        }
    }
}

pub async fn search(app: &App, scope: &TenantScope, query: &SearchQuery) -> ServiceResult<SearchResults> {
    let Current { index, version, pending_after } = current_index(app, scope).await?;
    let request = SearchRequest {
        query: &query.q,
        kinds: &query.kinds,
        limit: query.limit,
        internal: query.internal,
        filters: &query.filters,
    };
    // Records changed after the index: searched as they are now, in place of what the index holds.
    let pending_events = match pending_after {
        Pending::After(through) => app.store.search_events_after(scope, through, PENDING_EVENTS_READ).await?,
        Pending::Nothing => Vec::new(),
    };
    // Only events naming searchable records count: the others never reach the indexer.
    let pending_events: Vec<_> = pending_events.into_iter().filter(|event| !targets_of(event).is_empty()).collect();
    let mut changed: Vec<SearchTarget> = Vec::new();
    for event in &pending_events {
        for target in targets_of(event) {
            if !changed.contains(&target) && changed.len() < PENDING_RECORDS_READ {
                changed.push(target);
            }
        }
    }
    let mut hits =
        index.search(&SearchRequest { limit: query.limit + changed.len(), ..request.clone() }).map_err(internal)?;
    if !changed.is_empty() {
        let (mut docs, mut gone) = (Vec::new(), Vec::new());
        for target in &changed {
            match sources::current(app, scope, target).await? {
                Some(doc) => docs.push(doc),
                None => gone.push(target.clone()),
            }
        }
        let replaced: BTreeSet<&SearchTarget> = changed.iter().collect();
        hits.retain(|hit| !replaced.contains(&hit.target));
        if !docs.is_empty() {
            let mut overlay = WorkspaceIndex::create(scope.workspace_id()).map_err(internal)?;
            overlay.apply(&docs, &[]).map_err(internal)?;
            hits.extend(overlay.search(&request).map_err(internal)?);
        }
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    hits.truncate(query.limit);
    Ok(SearchResults {
        results: hits.into_iter().map(result).collect(),
        index_version: version,
        pending: pending_events.len() as u64,
    })
}

fn result(hit: Hit) -> SearchResult {
    SearchResult {
        kind: hit.target.kind.as_str().to_owned(),
        id: hit.target.id,
        title: hit.title,
        matched_field: hit.matched_field,
        snippet: Snippet::from_ranges(&hit.snippet, &hit.highlights),
        score: hit.score,
    }
}
