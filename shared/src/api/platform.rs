//! The platform console: staff sessions and the directory of workspaces.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ids::{StaffId, WorkspaceId},
    plan::PlanId,
    standing::Standing,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffLoginRequest {
    pub email: String,
    pub password: String,
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryEntry {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanId,
    pub seats_used: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// Active, past due (with its grace deadline) or suspended (with its reason).
    pub standing: Standing,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDirectory {
    pub items: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendWorkspaceRequest {
    /// Why (1 to 500 characters), kept with the suspension and in the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceStandingView {
    pub workspace_id: WorkspaceId,
    pub standing: Standing,
}
