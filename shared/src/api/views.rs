//! Saved inbox views: a named filter set, a member's own or shared with the team, with its live count.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{UserId, ViewId};
use crate::storage::views::{SavedView, ViewFilters};

/// The inbox filters a view keeps, as the inbox's query string takes them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ViewFiltersInput {
    /// open (default), unassigned, mine, solved
    #[serde(default)]
    pub view: Option<String>,
    /// updated (default) or priority
    #[serde(default)]
    pub sort: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub tag: Option<String>,
    /// A member id.
    #[serde(default)]
    pub assignee: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateViewRequest {
    /// Up to 60 characters.
    pub name: String,
    pub filters: ViewFiltersInput,
    /// Shared with every member of the workspace (needs `settings:manage`); personal by default.
    #[serde(default)]
    pub shared: bool,
}

/// Only the fields present change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateViewRequest {
    /// The version the change is based on.
    pub version: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub filters: Option<ViewFiltersInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewView {
    pub id: ViewId,
    pub name: String,
    pub filters: ViewFiltersInput,
    /// Shared with the team, or the caller's own.
    pub shared: bool,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
    /// Tickets the view shows now (exact; docs/data-model.md says what it costs).
    pub count: u64,
}

impl ViewView {
    pub fn of(view: &SavedView, count: u64) -> Self {
        Self {
            id: view.id,
            name: view.name.clone(),
            filters: ViewFiltersInput::from(&view.filters),
            shared: view.owner.is_none(),
            created_by: view.created_by,
            created_at: view.created_at,
            updated_at: view.updated_at,
            version: view.version,
            count,
        }
    }
}

impl From<&ViewFilters> for ViewFiltersInput {
    fn from(filters: &ViewFilters) -> Self {
        Self {
            view: Some(filters.view.clone()),
            sort: Some(filters.sort.clone()),
            status: filters.status.clone(),
            priority: filters.priority.clone(),
            category: filters.category.clone(),
            tag: filters.tag.clone(),
            assignee: filters.assignee.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ViewList {
    /// The caller's own views, then the shared ones, each by name.
    pub items: Vec<ViewView>,
}
