//! The key service of envelope encryption (`shared::services::envelope`): AWS KMS GenerateDataKey and
//! Decrypt under one of the keys template.yaml declares, each key's policy naming the functions that may
//! use it. Its own crate so that only those functions (and the local stack, over moto's KMS) link the
//! KMS client.

use std::sync::{Arc, OnceLock};

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use futures::future::BoxFuture;
use shared::App;
use shared::services::envelope::{CachedUnwraps, DataKey, EncryptionContext, EnvelopeError, KeyVault};

/// [`KeyVault`] over one KMS key.
pub struct KmsVault {
    client: &'static aws_sdk_kms::Client,
    key_id: String,
}

impl KmsVault {
    /// A vault over `key_id`; the process has one KMS client, built on first use.
    pub fn new(aws: &aws_config::SdkConfig, key_id: impl Into<String>) -> Self {
        static CLIENT: OnceLock<aws_sdk_kms::Client> = OnceLock::new();
        Self { client: CLIENT.get_or_init(|| aws_sdk_kms::Client::new(aws)), key_id: key_id.into() }
    }
}

/// Lets `app` seal and open webhook targets (URLs and signing secrets) under the webhook key, and staff
/// members' second-factor secrets under the staff key, as its configuration names them; a key the
/// template does not give the function is not installed.
pub fn install(app: &mut App) {
    if let Some(key_id) = app.config.webhook_key_id.clone() {
        // The delivery function opens the same endpoint's target for every delivery: one Decrypt per
        // endpoint version and process, not one per delivery.
        let vault = Arc::new(CachedUnwraps::new(KmsVault::new(&app.aws, key_id)));
        app.webhook_vault.install(vault);
    }
    if let Some(key_id) = app.config.staff_key_id.clone() {
        let vault = Arc::new(KmsVault::new(&app.aws, key_id));
        app.staff_vault.install(vault);
    }
}

fn failed(err: impl std::error::Error) -> EnvelopeError {
    EnvelopeError::KeyService(aws_sdk_kms::error::DisplayErrorContext(err).to_string())
}

impl KeyVault for KmsVault {
    fn generate_data_key<'a>(
        &'a self,
        context: &'a EncryptionContext,
    ) -> BoxFuture<'a, Result<DataKey, EnvelopeError>> {
        Box::pin(async move {
            let output = self
                .client
                .generate_data_key()
                .key_id(&self.key_id)
                .key_spec(DataKeySpec::Aes256)
                .set_encryption_context(Some(context.clone().into_iter().collect()))
                .send()
                .await
                .map_err(failed)?;
            match (output.plaintext, output.ciphertext_blob) {
                (Some(plaintext), Some(wrapped)) => {
                    Ok(DataKey { plaintext: plaintext.into_inner(), wrapped: wrapped.into_inner() })
                }
                _ => Err(EnvelopeError::KeyService("GenerateDataKey returned no key".to_owned())),
            }
        })
    }

    fn unwrap_data_key<'a>(
        &'a self,
        wrapped: &'a [u8],
        context: &'a EncryptionContext,
    ) -> BoxFuture<'a, Result<Vec<u8>, EnvelopeError>> {
        Box::pin(async move {
            let output = self
                .client
                .decrypt()
                .key_id(&self.key_id)
                .ciphertext_blob(Blob::new(wrapped))
                .set_encryption_context(Some(context.clone().into_iter().collect()))
                .send()
                .await
                .map_err(|err| match err.as_service_error() {
                    Some(service) if service.is_invalid_ciphertext_exception() => EnvelopeError::Unopenable,
                    _ => failed(err),
                })?;
            output.plaintext.map(Blob::into_inner).ok_or(EnvelopeError::Unopenable)
        })
    }
}
