//! Sales leads on the wire: create, change, list, count, merge, convert, notes, and the status set.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::double_option;
use crate::domain::ids::{CustomerId, LeadId, NoteId, UserId};
use crate::domain::leads::{LeadStatus, LeadStatuses, StatusMeaning};
use crate::storage::leads::{Lead, Note};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateLeadRequest {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// web_form, typeform, zapier, import, manual (the default), referral or other.
    #[serde(default)]
    pub source: Option<String>,
    /// A status of the workspace's set (not the converted one); the first open status by default.
    #[serde(default)]
    pub status: Option<String>,
    /// A member of the workspace who can sell. Without `sales:manage`, only yourself.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// 0 to 100.
    #[serde(default)]
    pub score: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLeadRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub title: Option<Option<String>>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// `null` releases the lead (nobody owns it).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    /// Replaces the tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Replaces the custom attributes.
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// `null` clears the score.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub score: Option<Option<i64>>,
    /// The version the change is based on: a stale one is 409 `version-conflict`.
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadView {
    pub id: LeadId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: String,
    pub status: String,
    pub owner_id: Option<UserId>,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub score: Option<u8>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
    /// The customer this lead was converted into.
    pub customer_id: Option<CustomerId>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub converted_at: Option<Timestamp>,
    /// Set when this lead was merged into another as a duplicate: the lead that holds it now.
    pub merged_into: Option<LeadId>,
    /// The duplicates merged into this lead.
    pub merged_ids: Vec<LeadId>,
}

impl From<&Lead> for LeadView {
    fn from(lead: &Lead) -> Self {
        Self {
            id: lead.id,
            name: lead.name.clone(),
            email: lead.email.as_ref().map(ToString::to_string),
            phone: lead.phone.clone(),
            company: lead.company.clone(),
            title: lead.title.clone(),
            source: lead.source.as_str().to_owned(),
            status: lead.status.clone(),
            owner_id: lead.owner_id,
            tags: lead.tags.clone(),
            attributes: lead.attributes.clone(),
            score: lead.score.map(|score| score.value()),
            created_at: lead.created_at,
            updated_at: lead.updated_at,
            version: lead.version,
            customer_id: lead.customer_id,
            converted_at: lead.converted_at,
            merged_into: lead.merged_into,
            merged_ids: lead.merged_ids.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadList {
    pub items: Vec<LeadView>,
    pub next_cursor: Option<String>,
}

/// Exact lead counts, kept by the same transactions that change leads (one read).
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadCounts {
    /// Leads not merged away.
    pub total: i64,
    /// Per status key of the workspace's set (every status listed, zero included).
    pub by_status: BTreeMap<String, i64>,
    /// Per source (every source listed).
    pub by_source: BTreeMap<String, i64>,
    /// Per owner id; `none` counts the leads nobody owns. Owners without leads are left out.
    pub by_owner: BTreeMap<String, i64>,
}

/// A lead and the version the caller saw of it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadVersionRef {
    pub id: String,
    pub version: u64,
}

/// The changes a bulk action makes to every lead; only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadBulkChanges {
    /// A status of the workspace's set (not the converted one).
    #[serde(default)]
    pub status: Option<String>,
    /// A member id; `null` releases the leads.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    /// Added to each lead's tags.
    #[serde(default)]
    pub add_tags: Option<Vec<String>>,
    /// Taken off each lead's tags.
    #[serde(default)]
    pub remove_tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadBulkRequest {
    /// 1 to 100 leads, each with the version the caller saw.
    pub leads: Vec<LeadVersionRef>,
    pub changes: LeadBulkChanges,
}

/// What happened to one lead of a bulk action.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeadBulkItemResult {
    pub id: String,
    pub outcome: super::BulkOutcome,
    /// The lead after the change (or as it is, when unchanged).
    pub lead: Option<LeadView>,
    pub problem: Option<super::BulkProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadBulkResult {
    /// One per lead asked for, in the order asked.
    pub results: Vec<LeadBulkItemResult>,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// In words, e.g. "2 leads updated, 1 lead not changed (0190…: …)".
    pub summary: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeLeadRequest {
    /// The duplicate merged into the lead in the path: its tags join, its notes move, it leaves the lists.
    pub duplicate_id: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertLeadRequest {
    /// Convert into this existing customer instead of matching by e-mail (or creating one).
    #[serde(default)]
    pub customer_id: Option<String>,
    /// The version of the lead the conversion is based on.
    #[serde(default)]
    pub version: Option<u64>,
    /// Opens a deal for the customer in the same transaction: all of it commits, or none.
    #[serde(default)]
    pub deal: Option<ConversionDealRequest>,
}

/// The deal a conversion opens: its contact is the customer, its owner the lead's owner (or the
/// caller, for an unowned lead).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversionDealRequest {
    /// The lead's company, else its name, when left out.
    #[serde(default)]
    pub title: Option<String>,
    /// Minor units of `currency`; 0 when left out.
    #[serde(default)]
    pub value: Option<i64>,
    /// ISO 4217; EUR when left out.
    #[serde(default)]
    pub currency: Option<String>,
    /// The workspace's first pipeline when left out.
    #[serde(default)]
    pub pipeline_id: Option<String>,
    /// The pipeline's first stage when left out.
    #[serde(default)]
    pub stage_id: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub expected_close_date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversionView {
    pub lead: LeadView,
    pub customer: super::CustomerView,
    /// True when the customer was created by this conversion, false when an existing one was matched.
    pub customer_created: bool,
    /// The deal opened with the conversion, when one was asked for.
    pub deal: Option<super::DealView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNoteRequest {
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    pub id: NoteId,
    /// The record it is on, e.g. `lead#<id>`.
    pub record: String,
    pub author_id: Option<UserId>,
    pub body: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<&Note> for NoteView {
    fn from(note: &Note) -> Self {
        Self {
            id: note.id,
            record: note.record.clone(),
            author_id: note.author_id,
            body: note.body.clone(),
            created_at: note.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteList {
    pub items: Vec<NoteView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadStatusView {
    pub key: String,
    pub label: String,
    pub meaning: StatusMeaning,
}

impl From<&LeadStatus> for LeadStatusView {
    fn from(status: &LeadStatus) -> Self {
        Self { key: status.key.clone(), label: status.label.clone(), meaning: status.meaning }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeadStatusesView {
    pub statuses: Vec<LeadStatusView>,
    /// Send it back with a change: a stale one is 409.
    pub version: u64,
}

impl LeadStatusesView {
    pub fn new(statuses: &LeadStatuses, version: u64) -> Self {
        Self { statuses: statuses.all().iter().map(LeadStatusView::from).collect(), version }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateLeadStatusesRequest {
    /// The whole set, in display order: 3 to 20, exactly one meaning `converted` and one `unqualified`.
    pub statuses: Vec<LeadStatusView>,
    pub version: u64,
}

/// The filters and sort of `GET /api/v1/leads`, as given in the query string.
#[derive(Debug, Default, Clone)]
pub struct LeadListParams {
    pub status: Option<String>,
    /// A member id, `me`, or `none` (nobody owns it).
    pub owner: Option<String>,
    pub source: Option<String>,
    pub tag: Option<String>,
    /// RFC 3339 instants, inclusive.
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// `newest` (the default) or `score`.
    pub sort: Option<String>,
}
