//! Workspaces: the tenant's own item with its plan and usage counters.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::Transaction;
use super::{
    Item, Page, PageQuery, Store, StoreError, TenantScope, counter_of, items_of, keys, s, sessions::Session,
    string_attr, users::Member,
};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::plans::AuditEntry;
use super::query::QuerySpec;
use super::transaction::TransactionError;
use crate::domain::{
    ids::WorkspaceId,
    names::WorkspaceName,
    plan::{LimitExtras, PlanId},
    standing::Standing,
};

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
    /// What staff granted beyond the plan ([`LimitExtras`]); added to the plan's limits on every check.
    #[serde(default)]
    pub limit_extras: LimitExtras,
    /// The Stripe subscription's status (`active`, `past_due`, …) once billing keeps it on the
    /// workspace; absent before that, shown as null.
    #[serde(default, skip_serializing)]
    pub subscription_status: Option<String>,
}

/// How long a directory search term may be (longer names and e-mails are cut, still prefix-searchable).
const SEARCH_TERM_MAX: usize = 200;

/// The directory's search terms of a workspace: its name and its founding owner's e-mail, lower-cased.
pub fn search_terms(name: &str, owner_email: &str) -> [String; 2] {
    let cut = |text: String| text.chars().take(SEARCH_TERM_MAX).collect::<String>();
    [cut(format!("name:{}", name.trim().to_lowercase())), cut(format!("owner:{}", owner_email.to_lowercase()))]
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
        for term in search_terms(new.workspace.name.as_str(), new.owner.email.as_str()) {
            let term: Item = [
                (keys::PK.to_owned(), s(keys::DIRECTORY_SEARCH_PK)),
                (keys::SK.to_owned(), s(keys::directory_search_sk(&term, new.workspace.id))),
                ("workspace_id".to_owned(), s(new.workspace.id.to_string())),
            ]
            .into_iter()
            .collect();
            transaction = transaction.with(self.put_new(term)?);
        }
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

    /// Workspaces one of whose search terms starts with `term_prefix` (`name:acm`, `owner:pat@`), up to
    /// `limit` of them, in term order: one Query on the search partition, one BatchGetItem.
    pub async fn search_workspaces(&self, term_prefix: &str, limit: usize) -> Result<Vec<Workspace>, StoreError> {
        let query = QuerySpec::new("PK = :pk AND begins_with(SK, :prefix)")
            .value(":pk", s(keys::DIRECTORY_SEARCH_PK))
            .value(":prefix", s(keys::directory_search_prefix(term_prefix)));
        let (terms, _) = self.query_up_to(&query, None, limit, 1).await?;
        let mut ids: Vec<WorkspaceId> = Vec::new();
        for id in terms.iter().filter_map(|term| string_attr(term, "workspace_id")) {
            let id = id.parse().map_err(|_| StoreError::Corrupt(format!("a search term names workspace {id:?}")))?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        self.workspaces_by_id(&ids).await
    }

    /// The workspaces of `ids` (those that exist), in the order given.
    pub async fn workspaces_by_id(&self, ids: &[WorkspaceId]) -> Result<Vec<Workspace>, StoreError> {
        let keys = ids
            .iter()
            .map(|id| {
                [(keys::PK.to_owned(), s(keys::workspace_pk(*id))), (keys::SK.to_owned(), s(keys::WORKSPACE_SK))]
                    .into_iter()
                    .collect::<Item>()
            })
            .collect();
        let mut found: Vec<Workspace> = items_of(&self.batch_get(keys).await?)?;
        found.sort_by_key(|workspace| ids.iter().position(|id| *id == workspace.id));
        Ok(found)
    }

    /// Tickets opened in `month` for each of `workspaces` (one BatchGetItem of their usage items).
    pub async fn tickets_in_month_of(
        &self,
        workspaces: &[WorkspaceId],
        month: &str,
    ) -> Result<std::collections::HashMap<WorkspaceId, u64>, StoreError> {
        let keys = workspaces
            .iter()
            .map(|id| {
                [(keys::PK.to_owned(), s(keys::workspace_pk(*id))), (keys::SK.to_owned(), s(keys::usage_sk(month)))]
                    .into_iter()
                    .collect::<Item>()
            })
            .collect();
        let items = self.batch_get(keys).await?;
        Ok(workspaces
            .iter()
            .map(|id| {
                let pk = keys::workspace_pk(*id);
                let item = items.iter().find(|item| string_attr(item, keys::PK).as_deref() == Some(pk.as_str()));
                (*id, counter_of(item, "tickets"))
            })
            .collect())
    }

    /// Sets what staff grant the workspace beyond its plan, with the audit entry, in one transaction;
    /// false when there is no such workspace.
    pub async fn set_limit_extras(
        &self,
        scope: &TenantScope,
        extras: &LimitExtras,
        audit: &AuditEntry,
    ) -> Result<bool, StoreError> {
        struct Missing;
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("SET limit_extras = :extras")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":extras", serde_dynamo::to_attribute_value(extras)?)
            .build()?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), Missing)
            .with(self.put_audit(audit)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: Missing, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }
}
