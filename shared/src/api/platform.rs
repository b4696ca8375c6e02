//! The platform console: staff sessions and the directory of workspaces.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ids::{StaffId, WorkspaceId},
    plan::PlanId,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub email: String,
    pub password: String,
    /// The authenticator app's current 6-digit code; required once the second factor is enrolled
    /// (without it: 401 `second-factor-required`). Each code is accepted once.
    #[serde(default)]
    pub totp_code: Option<String>,
}

/// The start of second-factor enrolment: the secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotpEnrolmentView {
    /// `otpauth://totp/Switchboard:<e-mail>?secret=…&issuer=Switchboard&algorithm=SHA1&digits=6&period=30`,
    /// for an authenticator app (as a QR code or pasted).
    pub otpauth_uri: String,
    /// The same secret in base32, for apps that take it typed.
    pub secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpRequest {
    /// A current code from the authenticator app holding the new secret.
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSessionResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub staff: StaffView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: StaffId,
    pub email: String,
    pub name: String,
    /// Whether logins need an authenticator code.
    pub second_factor: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryEntry {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanId,
    pub seats_used: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDirectory {
    pub items: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
}
