//! Macros (`MACRO#USER#<user>#<macro>` and `MACRO#SHARED#<macro>`): a reply template and the ticket
//! changes applied with it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::shelf::{Shelf, ShelfWriteError};
use super::{Store, StoreError, TenantScope, events::Event, keys};
use crate::domain::{
    ids::{MacroId, UserId, WorkspaceId},
    ticket::{Priority, Status},
};

/// Who a macro assigns the ticket to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", tag = "to", content = "user_id")]
pub enum MacroAssignee {
    /// Whoever applies the macro.
    Me,
    /// Nobody: the ticket is unassigned.
    Nobody,
    Member(UserId),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Macro {
    pub id: MacroId,
    pub workspace_id: WorkspaceId,
    /// The member whose own macro it is; None for one shared with the team.
    pub owner: Option<UserId>,
    pub name: String,
    /// The template, placeholders as written (checked when saved).
    pub body: String,
    pub internal: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    #[serde(default)]
    pub add_tags: Vec<String>,
    pub assignee: Option<MacroAssignee>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl Macro {
    pub fn sk(&self) -> String {
        keys::macro_sk(self.owner, self.id)
    }
}

fn shelf(member: UserId) -> Shelf {
    Shelf { personal: keys::personal_macro_prefix(member), shared: keys::SHARED_MACRO_PREFIX }
}

impl Store {
    /// Saves a new macro, or replaces one still at `read_version`, with its event.
    pub async fn put_macro(
        &self,
        scope: &TenantScope,
        found: &Macro,
        read_version: Option<u64>,
        event: &Event,
    ) -> Result<(), ShelfWriteError> {
        self.put_shelved(scope, found.sk(), found, read_version, event).await
    }

    pub async fn delete_macro(&self, scope: &TenantScope, found: &Macro, event: &Event) -> Result<(), ShelfWriteError> {
        self.delete_shelved(scope, found.sk(), found.version, event).await
    }

    /// The member's own macros and the shared ones.
    pub async fn macros_for(
        &self,
        scope: &TenantScope,
        member: UserId,
    ) -> Result<(Vec<Macro>, Vec<Macro>), StoreError> {
        self.shelved(scope, &shelf(member)).await
    }

    /// A macro the member may use: their own or a shared one.
    pub async fn macro_for(
        &self,
        scope: &TenantScope,
        member: UserId,
        id: MacroId,
    ) -> Result<Option<Macro>, StoreError> {
        self.shelved_one(scope, keys::macro_sk(Some(member), id), keys::macro_sk(None, id)).await
    }
}
