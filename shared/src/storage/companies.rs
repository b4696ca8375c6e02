//! Companies (`COMPANY#<id>`), their domain guard (`COMPANY_DOMAIN#<domain>`, one company per web
//! domain) and their link counts (`COMPANY_LINKS#<id>`: how many customers and deals name it).
//!
//! A company item carries two sparse listings: every company by name (GSI3) and one owner's by name
//! (GSI4). Customers linked to a company carry GSI3 keys of the company's customer list, deals GSI8
//! keys of its deal list (storage/customers.rs, storage/deals.rs). Linking and unlinking change the
//! counts in the record's own transaction, conditional on the company existing; a delete is
//! conditional on both counts being zero, so a company is never deleted from under a record.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{
    Item, Page, QuerySpec, Store, StoreError, TenantScope, customers::Customer, deals::Deal, events::Event, items_of,
    keys, n, s, string_attr,
};
use crate::domain::companies::{Domain, name_sort_key};
use crate::domain::ids::{CompanyId, UserId, WorkspaceId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Company {
    pub id: CompanyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// Unique per workspace, in canonical form.
    pub domain: Option<Domain>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub created_by: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

/// How many records name a company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompanyLinks {
    pub customers: i64,
    pub deals: i64,
}

/// Which records' count a link changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Customers,
    Deals,
}

impl LinkKind {
    fn attribute(self) -> &'static str {
        match self {
            LinkKind::Customers => "customers",
            LinkKind::Deals => "deals",
        }
    }
}

#[derive(Debug)]
pub enum CompanyWriteError {
    /// Another company of the workspace has this domain.
    DomainTaken,
    VersionConflict,
    /// The owner is not an active member of the workspace.
    OwnerNotMember,
    /// Customers or deals still name the company.
    InUse,
    Store(StoreError),
}

impl From<StoreError> for CompanyWriteError {
    fn from(err: StoreError) -> Self {
        CompanyWriteError::Store(err)
    }
}

/// A company list: all of them, or one owner's (None: nobody's), optionally with a tag.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyQuery {
    pub owner: Option<Option<UserId>>,
    pub tag: Option<String>,
}

const COMPANIES_LISTING: &str = "companies";
const COMPANY_CUSTOMERS_LISTING: &str = "company-customers";
const COMPANY_DEALS_LISTING: &str = "company-deals";
/// A tag is a filter on the partition the index reads: a page reads at most this many times its size
/// before it is returned short (with a cursor to go on).
const TAG_FILTER_REQUESTS: usize = 4;

impl Store {
    fn company_item(&self, scope: &TenantScope, company: &Company) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(company)?;
        let ws = scope.workspace_id();
        let name = keys::company_name_sk(&name_sort_key(&company.name), company.id);
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::company_sk(company.id)));
        item.insert(keys::GSI3PK.to_owned(), s(keys::companies_gsi3pk(ws)));
        item.insert(keys::GSI3SK.to_owned(), s(name.clone()));
        item.insert(keys::GSI4PK.to_owned(), s(keys::companies_by_owner_gsi4pk(ws, company.owner_id)));
        item.insert(keys::GSI4SK.to_owned(), s(name));
        Ok(item)
    }

    fn domain_guard_put(
        &self,
        scope: &TenantScope,
        company: &Company,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        let Some(domain) = &company.domain else { return Ok(None) };
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::company_domain_sk(domain.as_str()))),
            ("company_id".to_owned(), s(company.id.to_string())),
        ]
        .into_iter()
        .collect();
        Ok(Some(self.put_new(guard)?))
    }

    fn domain_guard_delete(&self, scope: &TenantScope, domain: &Domain) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_domain_sk(domain.as_str())))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Changes one count of the company's links: `+1` only while the company exists (the transaction
    /// fails otherwise), `-1` always (a company with links cannot be deleted, so it is there).
    pub(crate) fn company_link_update(
        &self,
        scope: &TenantScope,
        company: CompanyId,
        kind: LinkKind,
        delta: i64,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_links_sk(company)))
            .update_expression("ADD #count :delta")
            .expression_attribute_names("#count", kind.attribute())
            .expression_attribute_values(":delta", n(delta));
        if delta > 0 {
            update = update.condition_expression("attribute_exists(PK)");
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// The count changes when a record's company goes from `before` to `after`: the link actions,
    /// and whether each must fail the transaction when the company is missing (linking).
    pub(crate) fn company_relink_actions(
        &self,
        scope: &TenantScope,
        kind: LinkKind,
        before: Option<CompanyId>,
        after: Option<CompanyId>,
    ) -> Result<(Option<TransactWriteItem>, Option<TransactWriteItem>), StoreError> {
        if before == after {
            return Ok((None, None));
        }
        let unlink = before.map(|company| self.company_link_update(scope, company, kind, -1)).transpose()?;
        let link = after.map(|company| self.company_link_update(scope, company, kind, 1)).transpose()?;
        Ok((unlink, link))
    }

    /// Fails the transaction unless the company exists.
    pub(crate) fn company_exists_check(
        &self,
        scope: &TenantScope,
        company: CompanyId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_sk(company)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// A new company with its link counts at zero, its domain guard (fails on a taken domain), its
    /// owner checked, and its event.
    pub async fn create_company(
        &self,
        scope: &TenantScope,
        company: &Company,
        event: &Event,
    ) -> Result<(), CompanyWriteError> {
        let links: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::company_links_sk(company.id))),
            ("customers".to_owned(), n(0)),
            ("deals".to_owned(), n(0)),
        ]
        .into_iter()
        .collect();
        let mut transaction =
            Transaction::new().with(self.put_new(self.company_item(scope, company)?)?).with(self.put_new(links)?);
        if let Some(guard) = self.domain_guard_put(scope, company)? {
            transaction = transaction.with_named(guard, CompanyWriteError::DomainTaken);
        }
        if let Some(owner) = company.owner_id {
            transaction =
                transaction.with_named(self.member_active_check(scope, owner)?, CompanyWriteError::OwnerNotMember);
        }
        let transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    pub async fn get_company(&self, scope: &TenantScope, id: CompanyId) -> Result<Option<Company>, StoreError> {
        self.get_record(scope.pk(), keys::company_sk(id)).await
    }

    /// The companies at `ids` (one BatchGetItem), in no particular order; missing ones left out.
    pub async fn get_companies(&self, scope: &TenantScope, ids: &[CompanyId]) -> Result<Vec<Company>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids
            .iter()
            .map(|id| {
                [(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(keys::company_sk(*id)))]
                    .into_iter()
                    .collect()
            })
            .collect();
        items_of(&self.batch_get(keys).await?)
    }

    /// How many customers and deals name the company (one GetItem).
    pub async fn company_links(&self, scope: &TenantScope, id: CompanyId) -> Result<CompanyLinks, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_links_sk(id)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        let count = |name: &str| {
            output
                .item
                .as_ref()
                .and_then(|item| item.get(name))
                .and_then(|value| value.as_n().ok())
                .and_then(|value| value.parse().ok())
                .unwrap_or(0)
        };
        Ok(CompanyLinks { customers: count("customers"), deals: count("deals") })
    }

    /// The company holding `domain` in this workspace, if any (one GetItem on the guard).
    pub async fn company_id_by_domain(
        &self,
        scope: &TenantScope,
        domain: &Domain,
    ) -> Result<Option<CompanyId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_domain_sk(domain.as_str())))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output.item.as_ref().and_then(|item| string_attr(item, "company_id")).and_then(|id| id.parse().ok()))
    }

    /// Replaces `before` with `after` if unchanged meanwhile; moves the domain guard when the domain
    /// changes; checks a newly named owner.
    pub async fn update_company(
        &self,
        scope: &TenantScope,
        before: &Company,
        after: &Company,
        event: &Event,
    ) -> Result<(), CompanyWriteError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.company_item(scope, after)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), CompanyWriteError::VersionConflict);
        if before.domain != after.domain {
            if let Some(guard) = self.domain_guard_put(scope, after)? {
                transaction = transaction.with_named(guard, CompanyWriteError::DomainTaken);
            }
            if let Some(old) = &before.domain {
                transaction = transaction.with(self.domain_guard_delete(scope, old)?);
            }
        }
        if let Some(owner) = after.owner_id.filter(|owner| before.owner_id != Some(*owner)) {
            transaction =
                transaction.with_named(self.member_active_check(scope, owner)?, CompanyWriteError::OwnerNotMember);
        }
        let transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Deletes the company at its version, with its counts (only while both are zero) and its domain
    /// guard; its notes and events stay.
    pub async fn delete_company(
        &self,
        scope: &TenantScope,
        before: &Company,
        event: &Event,
    ) -> Result<(), CompanyWriteError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_sk(before.id)))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()
            .map_err(StoreError::from)?;
        let links = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::company_links_sk(before.id)))
            .condition_expression("attribute_not_exists(PK) OR (customers = :zero AND deals = :zero)")
            .expression_attribute_values(":zero", n(0))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().delete(delete).build(), CompanyWriteError::VersionConflict)
            .with_named(TransactWriteItem::builder().delete(links).build(), CompanyWriteError::InUse);
        if let Some(domain) = &before.domain {
            transaction = transaction.with(self.domain_guard_delete(scope, domain)?);
        }
        let transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// One page of companies in name order: every company (GSI3) or one owner's (GSI4); a tag filters
    /// the partition read.
    pub async fn list_companies(
        &self,
        scope: &TenantScope,
        query: &CompanyQuery,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Company>, StoreError> {
        let ws = scope.workspace_id();
        let (index, pk) = match query.owner {
            None => (keys::GSI3, keys::companies_gsi3pk(ws)),
            Some(owner) => (keys::GSI4, keys::companies_by_owner_gsi4pk(ws, owner)),
        };
        let pk_name = if index == keys::GSI3 { keys::GSI3PK } else { keys::GSI4PK };
        let mut spec = QuerySpec::new(format!("{pk_name} = :pk")).on_index(index).value(":pk", s(pk.clone()));
        let mut requests = 1;
        if let Some(tag) = &query.tag {
            spec = spec.filter("contains(tags, :tag)").value(":tag", s(tag.clone()));
            requests = TAG_FILTER_REQUESTS;
        }
        // The cursor belongs to this partition and this tag: another list cannot continue from it.
        let owner = format!("{pk}|{:?}", query.tag);
        let start = cursor.map(|cursor| self.cursors.decode(COMPANIES_LISTING, &owner, cursor)).transpose()?;
        let (items, last) = self.query_up_to(&spec, start, usize::try_from(limit).unwrap_or(0), requests).await?;
        let next_cursor = last.map(|key| self.cursors.encode(COMPANIES_LISTING, &owner, &key));
        Ok(Page { items: items_of(&items)?, next_cursor })
    }

    /// The company's customers, by e-mail (GSI3).
    pub async fn company_customers(
        &self,
        scope: &TenantScope,
        company: CompanyId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Customer>, StoreError> {
        let query = super::PageQuery {
            listing: COMPANY_CUSTOMERS_LISTING,
            owner: format!("{}/{company}", scope.workspace_id()),
            index: Some(keys::GSI3),
            key_condition: "GSI3PK = :pk",
            values: vec![(":pk", s(keys::company_customers_gsi3pk(scope.workspace_id(), company)))],
            newest_first: false,
        };
        self.query_records(query, limit, cursor).await
    }

    /// The company's deals, every status, newest first (GSI8).
    pub async fn company_deals(
        &self,
        scope: &TenantScope,
        company: CompanyId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Deal>, StoreError> {
        let query = super::PageQuery {
            listing: COMPANY_DEALS_LISTING,
            owner: format!("{}/{company}", scope.workspace_id()),
            index: Some(keys::GSI8),
            key_condition: "GSI8PK = :pk",
            values: vec![(":pk", s(keys::company_deals_gsi8pk(scope.workspace_id(), company)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }
}
