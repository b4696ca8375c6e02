//! Endpoint targets at rest: an endpoint's URL (a Slack URL is itself a credential) and its signing
//! secrets are sealed together by envelope encryption (`services::envelope`) under the webhook key,
//! which only the functions that manage or deliver webhooks may use. The encryption context binds a
//! sealed target to its workspace and endpoint, so it does not open on another item.
//!
//! Every write seals under a fresh data key, so a data key never outlives one version of an endpoint;
//! the master key rotates inside KMS (template.yaml `WebhookKey`, EnableKeyRotation), older key versions
//! still unwrapping what they wrapped. An endpoint stored in the clear before sealing existed still
//! opens as it is and is sealed by its next write (an edit, a rotation, a re-enable); the store refuses
//! to write a target in the clear.

use super::super::envelope::{self, EncryptionContext, EnvelopeError, KeyVault};
use crate::app::App;
use crate::domain::ids::WebhookId;
use crate::storage::webhooks::{EndpointTarget, StoredTarget, WebhookEndpoint};
use crate::storage::{StoreError, TenantScope};

/// The encryption context's `purpose` (the webhook key's policy requires it).
pub const PURPOSE: &str = "webhook-endpoint";

fn context(scope: &TenantScope, id: WebhookId) -> EncryptionContext {
    [
        ("purpose".to_owned(), PURPOSE.to_owned()),
        ("workspace".to_owned(), scope.workspace_id().to_string()),
        ("endpoint".to_owned(), id.to_string()),
    ]
    .into()
}

/// The key service failing, or missing from a function that needs it, is ours to fix: logged, a 500.
fn key_service(err: EnvelopeError) -> StoreError {
    tracing::error!(error = %err, "the webhook key service failed");
    StoreError::Backend(err.to_string())
}

fn vault(app: &App) -> Result<&dyn KeyVault, StoreError> {
    app.webhook_vault
        .get()
        .ok_or_else(|| key_service(EnvelopeError::KeyService("no webhook key installed in this function".to_owned())))
}

/// Seals `target` for endpoint `id` under a new data key.
pub async fn seal(
    app: &App,
    scope: &TenantScope,
    id: WebhookId,
    target: &EndpointTarget,
) -> Result<StoredTarget, StoreError> {
    let clear = serde_json::to_vec(target).map_err(|err| StoreError::Corrupt(err.to_string()))?;
    let sealed = envelope::seal(vault(app)?, &context(scope, id), &clear).await.map_err(key_service)?;
    Ok(StoredTarget::Sealed { sealed_target: sealed })
}

/// The endpoint's target in the clear.
pub async fn open(app: &App, scope: &TenantScope, endpoint: &WebhookEndpoint) -> Result<EndpointTarget, StoreError> {
    match &endpoint.target {
        StoredTarget::Plain { url, secrets } => Ok(EndpointTarget { url: url.clone(), secrets: secrets.clone() }),
        StoredTarget::Sealed { sealed_target } => {
            let clear =
                envelope::open(vault(app)?, &context(scope, endpoint.id), sealed_target).await.map_err(key_service)?;
            serde_json::from_slice(&clear).map_err(|_| key_service(EnvelopeError::Unopenable))
        }
    }
}
