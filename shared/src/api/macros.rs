//! Macros: canned replies with placeholders, and the ticket changes that go with them.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::tickets::{MessageView, TicketView};
use crate::domain::{
    ids::{MacroId, UserId},
    ticket::{Priority, Status},
};
use crate::storage::macros::{Macro, MacroAssignee};

/// A macro as written: the whole of it (a change replaces every field).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MacroRequest {
    /// Up to 80 characters.
    pub name: String,
    /// The reply, with placeholders `{{customer.name}}`, `{{ticket.number}}`, `{{agent.name}}`.
    pub body: String,
    /// Added as an internal note instead of a reply to the customer.
    #[serde(default)]
    pub internal: bool,
    /// Status to set along with the reply.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    /// Tags added to the ticket's tags.
    #[serde(default)]
    pub add_tags: Option<Vec<String>>,
    /// `me` (whoever applies it), `nobody` (unassign) or a member id.
    #[serde(default)]
    pub assignee: Option<String>,
    /// On creation: shared with every member (needs `settings:manage`); personal by default. A macro
    /// stays where it was created.
    #[serde(default)]
    pub shared: Option<bool>,
    /// On a change: the version it is based on (required there).
    #[serde(default)]
    pub version: Option<u64>,
}

/// What a macro changes on the ticket besides adding its text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MacroActionsView {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub add_tags: Vec<String>,
    /// `me`, `nobody` or a member id; null leaves the assignee as it is.
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MacroView {
    pub id: MacroId,
    pub name: String,
    /// The template, placeholders as written.
    pub body: String,
    pub internal: bool,
    pub actions: MacroActionsView,
    pub shared: bool,
    pub created_by: UserId,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
}

impl From<&Macro> for MacroActionsView {
    fn from(found: &Macro) -> Self {
        Self {
            status: found.status,
            priority: found.priority,
            add_tags: found.add_tags.clone(),
            assignee: found.assignee.map(|assignee| match assignee {
                MacroAssignee::Me => "me".to_owned(),
                MacroAssignee::Nobody => "nobody".to_owned(),
                MacroAssignee::Member(user) => user.to_string(),
            }),
        }
    }
}

impl From<&Macro> for MacroView {
    fn from(found: &Macro) -> Self {
        Self {
            id: found.id,
            name: found.name.clone(),
            body: found.body.clone(),
            internal: found.internal,
            actions: found.into(),
            shared: found.owner.is_none(),
            created_by: found.created_by,
            created_at: found.created_at,
            updated_at: found.updated_at,
            version: found.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MacroList {
    /// The caller's own macros, then the shared ones, each by name.
    pub items: Vec<MacroView>,
}

/// A macro filled in for one ticket: what the composer shows before sending.
#[derive(Debug, Serialize, ToSchema)]
pub struct MacroPreview {
    pub macro_id: MacroId,
    pub name: String,
    /// The text with every placeholder filled from this ticket.
    pub body: String,
    pub internal: bool,
    pub actions: MacroActionsView,
    /// The ticket version the preview was made on: send it back to apply.
    pub ticket_version: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyMacroRequest {
    /// The ticket version the agent saw; a stale one answers 409 with the current ticket.
    pub version: u64,
    /// The text as the agent edited it; the macro's filled-in text when absent.
    #[serde(default)]
    pub body: Option<String>,
    /// Send over another member's claim on the ticket.
    #[serde(default)]
    pub confirm: bool,
}

/// The ticket after the macro, and the message it added: one change, one version.
#[derive(Debug, Serialize, ToSchema)]
pub struct MacroApplied {
    pub ticket: TicketView,
    pub message: MessageView,
}
