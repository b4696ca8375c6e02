//! Work on several tickets or across tickets: bulk changes with per-ticket outcomes, merging a
//! duplicate into another ticket, and a ticket's followers and CC.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{patch::double_option, tickets::TicketView};

/// A ticket and the version the caller saw of it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketVersionRef {
    pub id: String,
    pub version: u64,
}

/// The changes a bulk action makes to every ticket; only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkChanges {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    /// A member id; `null` unassigns.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee_id: Option<Option<String>>,
    /// Added to each ticket's tags.
    #[serde(default)]
    pub add_tags: Option<Vec<String>>,
    /// Taken off each ticket's tags.
    #[serde(default)]
    pub remove_tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkUpdateRequest {
    /// 1 to 100 tickets, each with the version the caller saw.
    pub tickets: Vec<TicketVersionRef>,
    pub changes: BulkChanges,
}

/// What happened to one ticket of a bulk action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkOutcome {
    Updated,
    /// The ticket already was as asked.
    Unchanged,
    Failed,
}

/// Why one ticket was not changed, as a problem+json would say it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkProblem {
    /// The problem type URI, e.g. `…/problems/version-conflict`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkItemResult {
    pub id: String,
    pub outcome: BulkOutcome,
    /// The ticket after the change (or as it is, when unchanged or stale).
    pub ticket: Option<TicketView>,
    pub problem: Option<BulkProblem>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkUpdateResult {
    /// One per ticket asked for, in the order asked.
    pub results: Vec<BulkItemResult>,
    pub updated: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// In words, e.g. "2 tickets updated; 1 not: 0190… changed meanwhile".
    pub summary: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeTicketRequest {
    /// The ticket this duplicate merges into.
    pub into: String,
    /// The duplicate's version the caller saw.
    pub version: u64,
    /// The target's version the caller saw.
    pub target_version: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The target, with the duplicate's messages in its conversation.
    pub ticket: TicketView,
    /// The duplicate, now closed and pointing at the target.
    pub duplicate: TicketView,
    /// How many messages were copied into the target.
    pub messages_moved: usize,
}

/// The whole follower and CC lists (they replace the ticket's).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowersRequest {
    pub version: u64,
    /// Member ids kept informed about the ticket (up to 50).
    #[serde(default)]
    pub followers: Vec<String>,
    /// E-mail addresses copied on replies to the customer (up to 20).
    #[serde(default)]
    pub cc: Vec<String>,
}
