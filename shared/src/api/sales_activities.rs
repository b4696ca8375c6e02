//! Activities on sales records (calls, meetings, tasks, e-mails with a due date) and a member's tasks.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::double_option;
use crate::domain::{
    activities::ActivityKind,
    ids::{ActivityId, UserId},
};
use crate::storage::activities::Activity;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateActivityRequest {
    /// `call`, `meeting`, `task` or `email`.
    #[schema(example = "call")]
    pub kind: String,
    /// What it is about: "Follow up Tuesday" (1 to 200 characters).
    pub subject: String,
    /// Notes, an agenda, what was said (up to 10,000 characters).
    pub body: Option<String>,
    /// When it is due, RFC 3339.
    pub due_at: Option<String>,
    /// Who does it: an active member who can write to the record; default the caller.
    pub assignee_id: Option<String>,
    /// Logged as already done (a call that happened); default false.
    pub done: Option<bool>,
}

/// A change to an activity, at the version read: fields left out stay; `null` clears `body` and
/// `due_at`. `done: true` ticks it done, `done: false` reopens it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateActivityRequest {
    pub version: u64,
    pub kind: Option<String>,
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub body: Option<Option<String>>,
    /// RFC 3339, or null for no due date.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub due_at: Option<Option<String>>,
    pub assignee_id: Option<String>,
    pub done: Option<bool>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKindView {
    Lead,
    Customer,
    Deal,
    Company,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: ActivityId,
    /// The record it is on, e.g. `lead#<id>`.
    pub record: String,
    pub record_kind: RecordKindView,
    pub record_id: String,
    /// The record's name (a deal's title) when the activity was logged.
    pub record_name: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub due_at: Option<Timestamp>,
    pub assignee_id: UserId,
    pub done: bool,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<Timestamp>,
    pub author_id: Option<UserId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
}

impl From<&Activity> for ActivityView {
    fn from(activity: &Activity) -> Self {
        use crate::domain::records::RecordRef;
        let record_kind = match activity.record {
            RecordRef::Lead(_) => RecordKindView::Lead,
            RecordRef::Customer(_) => RecordKindView::Customer,
            RecordRef::Deal(_) => RecordKindView::Deal,
            RecordRef::Company(_) => RecordKindView::Company,
        };
        Self {
            id: activity.id,
            record: activity.record.to_string(),
            record_kind,
            record_id: activity.record.id(),
            record_name: activity.record_name.clone(),
            kind: activity.kind,
            subject: activity.subject.clone(),
            body: activity.body.clone(),
            due_at: activity.due_at,
            assignee_id: activity.assignee_id,
            done: activity.done,
            done_at: activity.done_at,
            author_id: activity.author_id,
            created_at: activity.created_at,
            updated_at: activity.updated_at,
            version: activity.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
    pub next_cursor: Option<String>,
}
