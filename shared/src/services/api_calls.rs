//! Counting API calls per workspace: every request a workspace's people or API keys make that reaches
//! a function (requests API Gateway throttled or refused before it are not counted) raises the
//! workspace's counters of the UTC day and month (`storage::api_calls`).
//!
//! Why here and not in the authorizer: API Gateway caches the authorizer's answer per token, so the
//! authorizer sees one request in many. Why one write per call and not a batch kept in memory: a Lambda
//! instance is frozen between requests and reclaimed without warning, so counts held back for a later
//! batch would be lost. The write runs beside the handler, adding no latency; it costs one write
//! request unit per call, and a failed count is logged, never the request's failure.

use crate::app::App;
use crate::domain::ids::WorkspaceId;
use crate::storage::TenantScope;

/// Counts one call of `workspace` now.
pub async fn count(app: &App, workspace: WorkspaceId) {
    let day = app.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    if let Err(err) = app.store.count_api_call(&TenantScope::for_system(workspace), day).await {
        tracing::warn!(error = %err, %workspace, "an API call was not counted");
    }
}
