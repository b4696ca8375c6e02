//! Exports of reports and lists: started as a job, downloaded through a link that expires.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PresignedRequest;
use crate::domain::ids::ExportId;

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateExportRequest {
    /// support_report, agent_report, sla_report, sales_report, daily_tickets_report, tickets, customers,
    /// leads or deals.
    pub kind: String,
    /// csv (the default and, for now, the only one).
    pub format: Option<String>,
    /// The query parameters of the report or list as on screen (`{"status": "open", "tag": "vip"}`);
    /// each kind takes its endpoint's filters and no others. Empty values are ignored.
    #[serde(default)]
    pub filters: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportView {
    pub id: ExportId,
    pub kind: String,
    pub format: String,
    pub filters: BTreeMap<String, String>,
    /// queued, running, ready, failed, or expired (the file is gone).
    pub status: String,
    /// Rows written, without the header line (so far, while running).
    pub rows: u64,
    /// The file's size in bytes, once ready.
    pub bytes: u64,
    pub filename: String,
    /// Why it failed.
    pub error: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// When the file is deleted; the link and this job stop working then.
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
    /// GET the file here (while ready), before the link's own `expires_at`; ask again for a fresh link.
    pub download: Option<PresignedRequest>,
}
