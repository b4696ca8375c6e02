//! Members of a workspace, and what the caller sees of themselves and their workspace (`/me`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    ids::{UserId, WorkspaceId},
    plan::{Feature, Plan, PlanId, PlanLimits},
    rbac::{Permission, Role},
    user::UserStatus,
};
use crate::storage::{users::Member, workspaces::Workspace};

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
    pub plan: PlanId,
    /// Active, past due (the web app shows everyone a banner until `grace_until`) or suspended.
    pub standing: crate::domain::standing::Standing,
}

impl From<&Workspace> for WorkspaceView {
    fn from(workspace: &Workspace) -> Self {
        Self {
            id: workspace.id,
            name: workspace.name.to_string(),
            plan: workspace.plan.clone(),
            standing: workspace.standing.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    pub seats: u64,
    /// Attachments' bytes (confirmed, or reserved by an announced upload).
    pub storage_bytes: u64,
    /// The search index's bytes as last published; the storage limit counts both.
    pub search_index_bytes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    /// The plan's id in the catalog.
    pub tier: PlanId,
    pub name: String,
    pub limits: PlanLimits,
    pub features: Vec<Feature>,
    pub usage: UsageView,
}

impl PlanView {
    pub fn of(workspace: &Workspace, plan: &Plan) -> Self {
        Self {
            tier: plan.id.clone(),
            name: plan.name.clone(),
            limits: plan.limits.clone(),
            features: plan.features.clone(),
            usage: UsageView {
                seats: workspace.seats_used,
                storage_bytes: workspace.storage_bytes,
                search_index_bytes: workspace.search_index_bytes,
            },
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

/// One member as every teammate may see them: no e-mail address.
#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryMember {
    pub id: UserId,
    pub name: String,
    /// What an avatar shows without a picture, e.g. "AL".
    pub initials: String,
    pub role: Role,
    /// False for a deactivated member, kept so history still shows their name.
    pub active: bool,
}

impl From<&Member> for DirectoryMember {
    fn from(member: &Member) -> Self {
        Self {
            id: member.id,
            name: member.name.to_string(),
            initials: member.name.initials(),
            role: member.role,
            active: member.is_active(),
        }
    }
}

/// Every member of the workspace, ordered by name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Directory {
    pub members: Vec<DirectoryMember>,
}
