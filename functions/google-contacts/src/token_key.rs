//! The key service of sealed tokens: KMS under the key template.yaml declares (`TokenKey`), whose policy
//! lets only the Google Contacts functions use it. Locally, moto's KMS.

use ::kms::KmsVault;
use shared::App;

/// The vault of sealed tokens; None when Google is not configured.
pub fn token_vault(app: &App) -> Option<KmsVault> {
    let key_id = app.config.google.as_ref()?.token_key_id.clone();
    Some(KmsVault::new(&app.aws, key_id))
}
