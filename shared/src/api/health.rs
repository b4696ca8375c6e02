//! The health check.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// "ok"
    pub status: String,
    pub version: String,
}
