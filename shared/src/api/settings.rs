//! Workspace settings: the ticket category taxonomy.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryInput {
    /// 1 to 64 characters after trimming; unique in the taxonomy, without regard to case.
    pub name: String,
    /// Each 1 to 64 characters; unique within the category, without regard to case; at most 50.
    #[serde(default)]
    pub subcategories: Vec<String>,
}

/// Replaces the whole taxonomy; an empty list removes it (ticket categories become free labels).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceCategoriesRequest {
    /// At most 100.
    pub categories: Vec<CategoryInput>,
    /// The version the change is based on; a stale one answers 409. Without it, the last write wins.
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub name: String,
    pub subcategories: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoriesView {
    /// Empty when no taxonomy is configured.
    pub categories: Vec<CategoryView>,
    /// 0 until the taxonomy is first set; raised by one on every change.
    pub version: u64,
}

/// How reports count days.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSettingsView {
    /// The IANA time zone report days are counted in (UTC until set).
    pub time_zone: String,
    /// 0 until set.
    pub version: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateReportSettingsRequest {
    /// An IANA time zone, e.g. Europe/Berlin.
    pub time_zone: String,
    /// The version the change is based on; a stale one answers 409. Without it, the last write wins.
    #[serde(default)]
    pub version: Option<u64>,
}
