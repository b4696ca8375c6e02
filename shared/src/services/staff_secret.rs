//! A staff member's second-factor secret at rest: sealed by envelope encryption under the staff key
//! (KMS in AWS; its policy lets the platform function alone use it), bound to the staff member by the
//! encryption context, so a sealed secret copied onto another account does not open. Accounts enrolled
//! before sealing hold the secret in the clear until their next second-factor write (a login's code, a
//! confirmation, a new enrolment), which stores it sealed and removes the clear copy.

use super::envelope::{self, EncryptionContext, EnvelopeError, KeyVault, Sealed};
use crate::app::App;
use crate::auth::totp::TotpSecret;
use crate::domain::ids::StaffId;
use crate::storage::StoreError;
use crate::storage::staff::{HeldSecret, Staff};

const PURPOSE: &str = "staff-totp";

fn context(id: StaffId) -> EncryptionContext {
    [("purpose".to_owned(), PURPOSE.to_owned()), ("staff".to_owned(), id.to_string())].into()
}

/// The key service failing, or missing from a function that needs it, is ours to fix: logged, a 500.
fn key_service(err: EnvelopeError) -> StoreError {
    tracing::error!(error = %err, "the staff key service failed");
    StoreError::Backend(err.to_string())
}

fn vault(app: &App) -> Result<&dyn KeyVault, StoreError> {
    app.staff_vault
        .get()
        .ok_or_else(|| key_service(EnvelopeError::KeyService("no staff key installed in this function".to_owned())))
}

/// `secret` sealed for staff member `id` under a new data key.
pub async fn seal(app: &App, id: StaffId, secret: &TotpSecret) -> Result<Sealed, StoreError> {
    envelope::seal(vault(app)?, &context(id), secret.as_base32().as_bytes()).await.map_err(key_service)
}

/// The staff member's secret, whether sealed or still in the clear; None when there is none.
pub async fn open(app: &App, staff: &Staff) -> Result<Option<TotpSecret>, StoreError> {
    let base32 = match staff.held_secret() {
        None => return Ok(None),
        Some(HeldSecret::Clear(secret)) => secret.to_owned(),
        Some(HeldSecret::Sealed(sealed)) => {
            let clear = envelope::open(vault(app)?, &context(staff.id), sealed).await.map_err(key_service)?;
            String::from_utf8(clear).map_err(|_| StoreError::Corrupt(format!("staff {}: a sealed secret", staff.id)))?
        }
    };
    TotpSecret::from_stored(&base32)
        .map(Some)
        .ok_or_else(|| StoreError::Corrupt(format!("staff {} has no usable TOTP secret", staff.id)))
}

/// The sealed copy the next write stores of a secret still held in the clear (None once sealed).
pub async fn sealing_of_clear(app: &App, staff: &Staff, secret: &TotpSecret) -> Result<Option<Sealed>, StoreError> {
    match staff.held_secret() {
        Some(HeldSecret::Clear(_)) => Ok(Some(seal(app, staff.id, secret).await?)),
        Some(HeldSecret::Sealed(_)) | None => Ok(None),
    }
}
