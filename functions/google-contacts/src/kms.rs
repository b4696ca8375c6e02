//! The key service of sealed tokens: AWS KMS (GenerateDataKey, Decrypt) under the key template.yaml
//! declares (`TokenKey`), whose policy lets only the Google Contacts functions use it. Locally, moto's KMS.

use std::sync::OnceLock;

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use futures::future::BoxFuture;
use shared::App;
use shared::services::envelope::{DataKey, EncryptionContext, EnvelopeError, KeyVault};

pub struct KmsVault {
    client: &'static aws_sdk_kms::Client,
    key_id: String,
}

impl KmsVault {
    /// The vault of this process (one KMS client, built on first use); None when Google is not configured.
    pub fn of(app: &App) -> Option<Self> {
        static CLIENT: OnceLock<aws_sdk_kms::Client> = OnceLock::new();
        let key_id = app.config.google.as_ref()?.token_key_id.clone();
        let client = CLIENT.get_or_init(|| aws_sdk_kms::Client::new(&app.aws));
        Some(Self { client, key_id })
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
