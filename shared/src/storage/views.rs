//! Saved inbox views (`VIEW#USER#<user>#<view>` and `VIEW#SHARED#<view>`) and the count of what a
//! view shows.

use aws_sdk_dynamodb::types::Select;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::shelf::{Shelf, ShelfWriteError};
use super::tickets::{TicketFilters, TicketIndex};
use super::{QuerySpec, Store, StoreError, TenantScope, events::Event, keys};
use crate::domain::ids::{UserId, ViewId, WorkspaceId};

/// The inbox filters a view keeps, normalised (they parsed as an inbox filter when saved).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ViewFilters {
    pub view: String,
    pub sort: String,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SavedView {
    pub id: ViewId,
    pub workspace_id: WorkspaceId,
    /// The member whose own view it is; None for a view shared with the team.
    pub owner: Option<UserId>,
    pub name: String,
    pub filters: ViewFilters,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl SavedView {
    pub fn sk(&self) -> String {
        keys::view_sk(self.owner, self.id)
    }
}

fn shelf(member: UserId) -> Shelf {
    Shelf { personal: keys::personal_view_prefix(member), shared: keys::SHARED_VIEW_PREFIX }
}

impl Store {
    /// Saves a new view, or replaces one still at `read_version`, with its event.
    pub async fn put_view(
        &self,
        scope: &TenantScope,
        view: &SavedView,
        read_version: Option<u64>,
        event: &Event,
    ) -> Result<(), ShelfWriteError> {
        self.put_shelved(scope, view.sk(), view, read_version, event).await
    }

    pub async fn delete_view(
        &self,
        scope: &TenantScope,
        view: &SavedView,
        event: &Event,
    ) -> Result<(), ShelfWriteError> {
        self.delete_shelved(scope, view.sk(), view.version, event).await
    }

    /// The member's own views and the shared ones.
    pub async fn views_for(
        &self,
        scope: &TenantScope,
        member: UserId,
    ) -> Result<(Vec<SavedView>, Vec<SavedView>), StoreError> {
        self.shelved(scope, &shelf(member)).await
    }

    /// A view the member may see: their own or a shared one.
    pub async fn view_for(
        &self,
        scope: &TenantScope,
        member: UserId,
        id: ViewId,
    ) -> Result<Option<SavedView>, StoreError> {
        self.shelved_one(scope, keys::view_sk(Some(member), id), keys::view_sk(None, id)).await
    }

    /// How many tickets of `index` match `filters`: Queries with `Select=COUNT`, page after page, over
    /// the index partition only (never a Scan). Exact; costs what reading that partition costs.
    pub async fn count_tickets(
        &self,
        scope: &TenantScope,
        index: TicketIndex,
        filters: &TicketFilters,
    ) -> Result<u64, StoreError> {
        let query: QuerySpec = self.tickets_query(scope, index, filters);
        self.query_count(&query, Select::Count).await
    }
}
