//! The scheduled Google Contacts sync (EventBridge, every 15 minutes): every connection on the sharded
//! connection index, a few at a time, each an incremental sync from its stored sync token.

use fn_google_contacts::token_vault;
use shared::App;
use shared::services::google_contacts::{self, SweepReport};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the Google Contacts sync could not run: {0}")]
    Run(String),
    /// Some connections could not be synced (the table or the key service failed); the others were.
    /// Failing the invocation makes the errors alarm fire. Quota and revoked grants are not failures:
    /// they are recorded on the connection and shown to its member.
    #[error("{failed} of {connections} Google Contacts connections failed to sync")]
    Connections { failed: usize, connections: usize },
}

pub async fn handle(app: &App, _event: serde_json::Value) -> Result<SweepReport, SyncError> {
    let Some(vault) = token_vault(app) else {
        return Ok(SweepReport::default());
    };
    let report = google_contacts::sync_all(app, &vault).await.map_err(|err| SyncError::Run(err.to_string()))?;
    if report.failed > 0 {
        return Err(SyncError::Connections { failed: report.failed, connections: report.connections });
    }
    Ok(report)
}

impl From<SyncError> for lambda_runtime::Diagnostic {
    fn from(err: SyncError) -> Self {
        lambda_runtime::Diagnostic { error_type: "GoogleContactsSyncError".to_owned(), error_message: err.to_string() }
    }
}
