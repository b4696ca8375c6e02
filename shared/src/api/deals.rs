//! Deals and pipelines on the wire: pipelines with their stages, deals, the kanban board.
//! Money is a whole number of minor units (`value: 125000` with `currency: "EUR"` is €1,250.00).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::double_option;
use crate::domain::deals::{self, Stage, is_stuck, time_in_stage, weighted_hundredths, weighted_minor};
use crate::domain::ids::{CompanyId, CustomerId, DealId, PipelineId, StageId, UserId};
use crate::storage::{deals::Deal, pipelines::Pipeline};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRequest {
    /// An existing stage's id to keep it (and its deals); leave out for a new stage.
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    /// Win probability of a deal in this stage, 0 to 100.
    pub probability: i64,
    /// Days after which an open deal in this stage is stuck.
    #[serde(default)]
    pub rotting_days: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipelineRequest {
    pub name: String,
    /// In board order.
    pub stages: Vec<StageRequest>,
}

/// The whole pipeline as it should be: stages listed with their `id` are kept (renamed, reordered),
/// stages without one are added, and stages left out are removed (only while no open deal is in them).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplacePipelineRequest {
    pub name: String,
    pub stages: Vec<StageRequest>,
    /// The version this change is based on.
    pub version: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StageView {
    pub id: StageId,
    pub name: String,
    pub probability: u8,
    pub rotting_days: Option<u32>,
}

impl From<&Stage> for StageView {
    fn from(stage: &Stage) -> Self {
        Self {
            id: stage.id,
            name: stage.name.clone(),
            probability: stage.probability,
            rotting_days: stage.rotting_days,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineView {
    pub id: PipelineId,
    pub name: String,
    pub stages: Vec<StageView>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
}

impl From<&Pipeline> for PipelineView {
    fn from(pipeline: &Pipeline) -> Self {
        Self {
            id: pipeline.id,
            name: pipeline.name.clone(),
            stages: pipeline.stages.iter().map(StageView::from).collect(),
            created_at: pipeline.created_at,
            updated_at: pipeline.updated_at,
            version: pipeline.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineList {
    pub items: Vec<PipelineView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDealRequest {
    pub title: String,
    /// Minor units of `currency`, 0 or more.
    pub value: i64,
    /// ISO 4217 code, e.g. EUR.
    pub currency: String,
    /// The workspace's first pipeline when left out.
    #[serde(default)]
    pub pipeline_id: Option<String>,
    /// The pipeline's first stage when left out.
    #[serde(default)]
    pub stage_id: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub expected_close: Option<String>,
    /// Overrides the stage's probability (0 to 100).
    #[serde(default)]
    pub probability: Option<i64>,
    /// A member; the caller when left out. Naming someone else needs `sales:manage`.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Customers of the workspace.
    #[serde(default)]
    pub contact_ids: Vec<String>,
    /// Free text; with `company_id` it is the company's name and may not be given.
    #[serde(default)]
    pub company: Option<String>,
    /// A company of the workspace; `company` then shows its name.
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Only the fields present change; `null` clears an optional one (`probability: null` goes back to
/// the stage's). Stage moves, winning and losing have routes of their own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDealRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub expected_close: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub probability: Option<Option<i64>>,
    /// Reassigning (to anyone but yourself) needs `sales:manage`; `null` leaves the deal unowned.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    #[serde(default)]
    pub contact_ids: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    /// Links the deal to a company of the workspace (`company` becomes its name); `null` unlinks
    /// (`company` is then cleared unless given).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company_id: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// The version this change is based on.
    pub version: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveDealRequest {
    pub stage_id: String,
    /// Another pipeline to move the deal to; its own when left out.
    #[serde(default)]
    pub pipeline_id: Option<String>,
    pub version: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WinDealRequest {
    pub version: u64,
}

/// Reopening a won or lost deal, at the version the member saw.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenDealRequest {
    pub version: u64,
    /// A stage of the deal's pipeline to reopen in; the stage it was in when it closed when left out.
    #[serde(default)]
    pub stage_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoseDealRequest {
    pub reason: String,
    pub version: u64,
}

/// A stay in one stage, from the deal's event log.
#[derive(Debug, Serialize, ToSchema)]
pub struct StageVisitView {
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    #[schema(value_type = String, format = DateTime)]
    pub entered_at: Timestamp,
    /// None for the stage the deal is in.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub left_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealView {
    pub id: DealId,
    pub title: String,
    /// Minor units of `currency`.
    pub value: i64,
    pub currency: String,
    /// Decimals of the currency's minor unit (2 for EUR, 0 for JPY).
    pub currency_exponent: u8,
    /// `value × probability / 100`, in minor units (rounded).
    pub weighted_value: i64,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close: Option<jiff::civil::Date>,
    pub probability: u8,
    pub probability_overridden: bool,
    pub owner_id: Option<UserId>,
    pub contact_ids: Vec<CustomerId>,
    /// The company's display name: free text, or the linked company's name.
    pub company: Option<String>,
    /// The company the deal is with (`GET /api/v1/companies/{id}`).
    pub company_id: Option<CompanyId>,
    pub tags: Vec<String>,
    /// open, won or lost.
    pub status: String,
    pub lost_reason: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub stage_entered_at: Timestamp,
    /// Seconds since the deal entered its stage.
    pub time_in_stage_seconds: i64,
    /// Open and in its stage longer than the stage's `rotting_days`.
    pub stuck: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
    /// Every stage the deal has been in, oldest first (only on `GET /deals/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_history: Option<Vec<StageVisitView>>,
}

impl DealView {
    /// The deal as of `now`, in a stage that rots after `rotting_days` (if it does).
    pub fn new(deal: &Deal, rotting_days: Option<u32>, now: Timestamp) -> Self {
        Self {
            id: deal.id,
            title: deal.title.clone(),
            value: deal.value,
            currency: deal.currency.to_string(),
            currency_exponent: deal.currency.exponent(),
            weighted_value: weighted_minor(weighted_hundredths(deal.value, deal.probability)),
            pipeline_id: deal.pipeline_id,
            stage_id: deal.stage_id,
            expected_close: deal.expected_close,
            probability: deal.probability,
            probability_overridden: deal.probability_overridden,
            owner_id: deal.owner_id,
            contact_ids: deal.contact_ids.clone(),
            company: deal.company.clone(),
            company_id: deal.company_id,
            tags: deal.tags.clone(),
            status: deal.status.as_str().to_owned(),
            lost_reason: deal.lost_reason.clone(),
            stage_entered_at: deal.stage_entered_at,
            time_in_stage_seconds: time_in_stage(deal.stage_entered_at, now).as_secs(),
            stuck: is_stuck(deal.status, deal.stage_entered_at, now, rotting_days),
            closed_at: deal.closed_at,
            created_by: deal.created_by,
            created_at: deal.created_at,
            updated_at: deal.updated_at,
            version: deal.version,
            stage_history: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealList {
    pub items: Vec<DealView>,
    pub next_cursor: Option<String>,
}

/// Open deals' money in one currency (currencies are never added together).
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyTotal {
    pub currency: String,
    /// Minor units.
    pub value: i64,
    /// Sum of value × probability / 100, in minor units (rounded once, from the exact sum).
    pub weighted_value: i64,
}

impl MoneyTotal {
    pub fn new(currency: String, value: i64, weighted_hundredths: i64) -> Self {
        Self { currency, value, weighted_value: deals::weighted_minor(weighted_hundredths) }
    }
}

/// One kanban column: the stage, its open deals' totals, and their first page.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoardColumn {
    pub stage: StageView,
    /// Open deals in the stage.
    pub count: i64,
    pub totals: Vec<MoneyTotal>,
    /// Newest first.
    pub deals: Vec<DealView>,
    /// For `GET /pipelines/{id}/stages/{stage_id}/deals?cursor=`.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BoardView {
    pub pipeline: PipelineView,
    pub columns: Vec<BoardColumn>,
}

/// `GET /deals` query parameters as sent (each checked by the command that reads them).
#[derive(Debug, Clone, Default)]
pub struct DealListQuery {
    pub status: Option<String>,
    pub sort: Option<String>,
    pub pipeline_id: Option<String>,
    pub stage_id: Option<String>,
    pub owner_id: Option<String>,
    pub tag: Option<String>,
    pub currency: Option<String>,
    pub min_value: Option<String>,
    pub max_value: Option<String>,
    pub close_from: Option<String>,
    pub close_to: Option<String>,
}
