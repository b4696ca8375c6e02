//! The JSON shapes on the wire. Requests take raw strings so that every invalid field can be named in
//! one 422; responses are built from domain values. These types feed the generated OpenAPI document.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ids::{StaffId, UserId, WorkspaceId},
    plan::{Feature, PlanLimits, PlanTier},
    rbac::{Permission, Role},
    user::UserStatus,
};
use crate::storage::{users::Member, workspaces::Workspace};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub workspace_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Needed only when the e-mail and password match members of several workspaces:
    /// the first attempt then answers 409 `workspace-selection-required` listing them.
    #[serde(default)]
    pub workspace_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub status: UserStatus,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

impl From<&Member> for UserView {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            email: member.email.to_string(),
            name: member.name.to_string(),
            role: member.role,
            status: member.status,
            created_at: member.created_at,
            updated_at: member.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub id: WorkspaceId,
    pub name: String,
    pub plan: PlanTier,
}

impl From<&Workspace> for WorkspaceView {
    fn from(workspace: &Workspace) -> Self {
        Self { id: workspace.id, name: workspace.name.to_string(), plan: workspace.plan }
    }
}

/// Tokens for a member session (sign-up, login, refresh).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting an old one revokes the session.
    pub refresh_token: String,
    pub user: UserView,
    pub workspace: WorkspaceView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceChoice {
    pub id: WorkspaceId,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub seats: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub tier: PlanTier,
    pub limits: PlanLimits,
    pub features: Vec<Feature>,
    pub usage: UsageView,
}

impl From<&Workspace> for PlanView {
    fn from(workspace: &Workspace) -> Self {
        Self {
            tier: workspace.plan,
            limits: workspace.plan.limits(),
            features: workspace.plan.features().to_vec(),
            usage: UsageView { seats: workspace.seats_used },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserView,
    pub workspace: WorkspaceView,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub plan: PlanView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub email: String,
    pub name: String,
    /// owner, admin, manager, agent or viewer
    pub role: String,
    pub password: String,
}

/// Only the fields present change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    /// active or deactivated
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

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
    pub plan: PlanTier,
    pub seats_used: u64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceDirectory {
    pub items: Vec<DirectoryEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// "ok"
    pub status: String,
    pub version: String,
}
