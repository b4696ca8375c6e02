//! Workspaces: the tenant's own item with its plan and usage counters.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::Transaction;
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, keys, s, sessions::Session, users::Member};
use crate::domain::{ids::WorkspaceId, names::WorkspaceName, plan::PlanId, standing::Standing};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: WorkspaceName,
    /// The catalog plan whose limits and features apply (read on every limited write).
    pub plan: PlanId,
    pub created_at: Timestamp,
    /// Active members; kept exact by the transactions that add, deactivate or reactivate members.
    pub seats_used: u64,
    /// Active owners; a workspace never drops to zero.
    pub owners: u64,
    /// Bytes of attachments (confirmed, or announced and reserved), counted against the plan's
    /// storage limit.
    #[serde(default)]
    pub storage_bytes: u64,
    /// Bytes of the workspace's published search index, set by its single index writer on each
    /// commit; counted against the storage limit beside `storage_bytes` ([`Self::storage_used`]).
    #[serde(default)]
    pub search_index_bytes: u64,
    /// Webhook endpoints; kept by the transactions that create and delete them.
    #[serde(default)]
    pub webhooks_used: u64,
    /// Lead-capture endpoints; kept by the transactions that create and delete them.
    #[serde(default)]
    pub lead_capture_endpoints_used: u64,
    /// Active, past due or suspended ([`Standing`]); the authorizer reads it on every request.
    #[serde(default)]
    pub standing: Standing,
}

impl Workspace {
    /// What the plan's storage limit counts: the files and the search index.
    pub fn storage_used(&self) -> u64 {
        self.storage_bytes.saturating_add(self.search_index_bytes)
    }
}

/// Everything a sign-up writes, in one transaction.
pub struct NewWorkspace<'a> {
    pub workspace: &'a Workspace,
    pub owner: &'a Member,
    pub session: &'a Session,
    pub events: &'a [super::events::Event],
}

impl Store {
    fn workspace_item(&self, workspace: &Workspace) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(workspace)?;
        item.insert(keys::PK.to_owned(), s(keys::workspace_pk(workspace.id)));
        item.insert(keys::SK.to_owned(), s(keys::WORKSPACE_SK));
        item.insert(keys::GSI2PK.to_owned(), s(keys::DIRECTORY_GSI2PK));
        item.insert(keys::GSI2SK.to_owned(), s(keys::directory_gsi2sk(workspace.created_at, workspace.id)));
        Ok(item)
    }

    /// Creates a workspace with its first owner and the owner's first session, atomically.
    pub async fn create_workspace(&self, new: NewWorkspace<'_>) -> Result<TenantScope, StoreError> {
        let scope = TenantScope::new(new.workspace.id);
        let mut transaction = Transaction::new()
            .with(self.put_new(self.workspace_item(new.workspace)?)?)
            .with_all(self.put_member_actions(&scope, new.owner)?)
            .with(self.put_session(&scope, new.session)?);
        for event in new.events {
            transaction = transaction.with(self.put_event(&scope, event)?);
        }
        self.transact(transaction).await?;
        Ok(scope)
    }

    pub async fn get_workspace(&self, scope: &TenantScope) -> Result<Option<Workspace>, StoreError> {
        self.get_record(scope.pk(), keys::WORKSPACE_SK).await
    }

    /// Tickets opened in `month` (`YYYY-MM`), the counter the monthly limit is enforced on.
    pub async fn tickets_in_month(&self, scope: &TenantScope, month: &str) -> Result<u64, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::usage_sk(month)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(super::counter_of(output.item.as_ref(), "tickets"))
    }

    /// New leads of `month` (`YYYY-MM`, UTC), against the plan's `leads_per_month`.
    pub async fn leads_in_month(&self, scope: &TenantScope, month: &str) -> Result<u64, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::usage_sk(month)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(super::counter_of(output.item.as_ref(), super::leads::LEADS_COUNTER))
    }

    /// The platform console's directory of workspaces, oldest first. Not tenant-scoped: staff only.
    pub async fn list_workspaces(&self, limit: i32, cursor: Option<&str>) -> Result<Page<Workspace>, StoreError> {
        let query = PageQuery {
            listing: "workspaces",
            owner: keys::PLATFORM_PK.to_owned(),
            index: Some(keys::GSI2),
            key_condition: "GSI2PK = :pk",
            values: vec![(":pk", s(keys::DIRECTORY_GSI2PK))],
            newest_first: false,
        };
        self.query_records(query, limit, cursor).await
    }
}
