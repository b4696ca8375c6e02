//! The SLA scan, run every minute by an EventBridge schedule: records the SLA moments due now (at risk,
//! breached) across all workspaces, reading only the due part of the sparse, write-sharded index.

use shared::App;
use shared::adapters::health::{self, Counter};
use shared::services::sla_watch::{self, ScanOptions, ScanReport};

/// Watches one run handles at most; the rest stays due and the next run (a minute later) goes on.
/// Sized so a run ends well inside the function's timeout.
pub const MAX_WATCHES_PER_RUN: usize = 20_000;

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("the SLA scan could not read the due index: {0}")]
    Index(String),
    /// Some watches failed; they stay due and are retried next run. Failing the invocation makes the
    /// errors alarm fire.
    #[error("{failed} SLA watches failed this run ({updated} updated)")]
    Watches { failed: usize, updated: usize },
}

/// Runs one scan. `_event` is the scheduled event; the scan needs nothing from it (it uses its own
/// clock, so a late or repeated invocation does the right thing).
pub async fn handle(app: &App, _event: serde_json::Value) -> Result<ScanReport, ScanError> {
    // The console's health: runs and failed runs (AWS/Lambda Invocations and Errors in AWS).
    health::record(Counter::SlaScanRun);
    let outcome = scan(app).await;
    if outcome.is_err() {
        health::record(Counter::SlaScanFailed);
    }
    outcome
}

async fn scan(app: &App) -> Result<ScanReport, ScanError> {
    let report = sla_watch::scan(app, ScanOptions { max_watches: Some(MAX_WATCHES_PER_RUN) })
        .await
        .map_err(|err| ScanError::Index(err.to_string()))?;
    if report.failed > 0 {
        return Err(ScanError::Watches { failed: report.failed, updated: report.updated });
    }
    Ok(report)
}

/// A failed scan fails the invocation, so the function's errors alarm fires.
impl From<ScanError> for lambda_runtime::Diagnostic {
    fn from(err: ScanError) -> Self {
        lambda_runtime::Diagnostic { error_type: "ScanError".to_owned(), error_message: err.to_string() }
    }
}
