//! Customers: one item each, plus an e-mail guard item that keeps e-mails unique per workspace and
//! answers e-mail prefix searches with a Query.
//!
//! A merge marks the source (`merged_into`), records it on the target (`merged_ids`) and re-points the
//! source's e-mail guard, in one transaction; the service then moves the source's tickets one by one.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::companies::LinkKind;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, events::Event, keys, n, s, string_attr};
use crate::domain::{
    email::Email,
    ids::{CompanyId, CustomerId, LeadId, WorkspaceId},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Customer {
    pub id: CustomerId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The display name of the customer's company: free text, or the linked company's name.
    pub company: Option<String>,
    /// The company (organisation record) the customer belongs to.
    #[serde(default)]
    pub company_id: Option<CompanyId>,
    pub notes: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
    /// Set once this customer is merged into another one: the customer that took its tickets and e-mail.
    #[serde(default)]
    pub merged_into: Option<CustomerId>,
    /// True from the merge's first write until every ticket has moved; calling the merge again resumes it.
    #[serde(default)]
    pub merge_pending: bool,
    /// The customers merged into this one (directly or through them), whose timelines are part of its own.
    #[serde(default)]
    pub merged_ids: Vec<CustomerId>,
    /// The sales leads converted into this customer: their notes and source stay reachable from here.
    #[serde(default)]
    pub converted_from_leads: Vec<LeadId>,
}

impl Customer {
    /// A customer met for the first time now: a new id, version 1, merged with nobody yet.
    pub fn first_seen(workspace_id: WorkspaceId, email: Email, name: Option<String>, now: Timestamp) -> Self {
        Self {
            id: CustomerId::generate(),
            workspace_id,
            email,
            name,
            phone: None,
            company: None,
            company_id: None,
            notes: None,
            attributes: Default::default(),
            created_at: now,
            updated_at: now,
            version: 1,
            merged_into: None,
            merge_pending: false,
            merged_ids: Vec::new(),
            converted_from_leads: Vec::new(),
        }
    }
}

/// The first write of a merge: both customers as they will be, and the event.
pub struct MergeStart<'a> {
    pub source_before: &'a Customer,
    pub source_after: &'a Customer,
    pub target_before: &'a Customer,
    pub target_after: &'a Customer,
    pub event: &'a Event,
}

#[derive(Debug)]
pub enum CustomerWriteError {
    EmailTaken,
    VersionConflict,
    /// The company named is not one of the workspace's (or was deleted meanwhile).
    CompanyMissing,
    Store(StoreError),
}

impl From<StoreError> for CustomerWriteError {
    fn from(err: StoreError) -> Self {
        CustomerWriteError::Store(err)
    }
}

const CUSTOMERS_LISTING: &str = "customers";
const EMAIL_SEARCH_LISTING: &str = "customers-by-email";

impl Store {
    pub(super) fn customer_item(&self, scope: &TenantScope, customer: &Customer) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(customer)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::customer_sk(customer.id)));
        // Sparse: only a linked customer is in its company's customer list.
        if let Some(company) = customer.company_id {
            item.insert(keys::GSI3PK.to_owned(), s(keys::company_customers_gsi3pk(scope.workspace_id(), company)));
            item.insert(keys::GSI3SK.to_owned(), s(format!("{}#{}", customer.email.as_str(), customer.id)));
        }
        Ok(item)
    }

    fn customer_guard_put(&self, scope: &TenantScope, customer: &Customer) -> Result<TransactWriteItem, StoreError> {
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::customer_email_sk(customer.email.as_str()))),
            ("customer_id".to_owned(), s(customer.id.to_string())),
        ]
        .into_iter()
        .collect();
        self.put_new(guard)
    }

    /// A new customer and its e-mail guard; both must be new (the guard fails on a taken e-mail).
    pub(crate) fn put_new_customer_actions(
        &self,
        scope: &TenantScope,
        customer: &Customer,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        Ok([self.put_new(self.customer_item(scope, customer)?)?, self.customer_guard_put(scope, customer)?])
    }

    /// Fails the transaction unless the customer exists in this workspace and was not merged away.
    pub(crate) fn customer_exists_check(
        &self,
        scope: &TenantScope,
        customer: CustomerId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::customer_sk(customer)))
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(merged_into) OR attribute_type(merged_into, :null))",
            )
            .expression_attribute_values(":null", s("NULL"))
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    pub async fn create_customer(
        &self,
        scope: &TenantScope,
        customer: &Customer,
        event: &Event,
    ) -> Result<(), CustomerWriteError> {
        let [put_customer, put_guard] = self.put_new_customer_actions(scope, customer)?;
        let mut transaction =
            Transaction::new().with(put_customer).with_named(put_guard, CustomerWriteError::EmailTaken);
        if let Some(company) = customer.company_id {
            let link = self.company_link_update(scope, company, LinkKind::Customers, 1)?;
            transaction = transaction.with_named(link, CustomerWriteError::CompanyMissing);
        }
        let transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    pub async fn get_customer(&self, scope: &TenantScope, id: CustomerId) -> Result<Option<Customer>, StoreError> {
        self.get_record(scope.pk(), keys::customer_sk(id)).await
    }

    /// The customer holding `email` in this workspace, if any (one GetItem on the guard).
    pub async fn customer_id_by_email(
        &self,
        scope: &TenantScope,
        email: &Email,
    ) -> Result<Option<CustomerId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::customer_email_sk(email.as_str())))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output.item.as_ref().and_then(|item| string_attr(item, "customer_id")).and_then(|id| id.parse().ok()))
    }

    /// Customers in creation order.
    pub async fn list_customers(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Customer>, StoreError> {
        let query = PageQuery {
            listing: CUSTOMERS_LISTING,
            owner: scope.workspace_id().to_string(),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::CUSTOMER_PREFIX))],
            newest_first: false,
        };
        self.query_records(query, limit, cursor).await
    }

    /// Up to `limit` customers created after `after` (all of them from the first when None), in
    /// creation order (ids are time-ordered), and whether more follow: the two-way export's walk.
    pub async fn customers_after(
        &self,
        scope: &TenantScope,
        after: Option<CustomerId>,
        limit: usize,
    ) -> Result<(Vec<Customer>, bool), StoreError> {
        let query = super::query::QuerySpec::under_prefix(scope, keys::CUSTOMER_PREFIX);
        let start = after.map(|after| {
            Item::from([(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(keys::customer_sk(after)))])
        });
        let (items, next) = self.query_up_to(&query, start, limit, 1).await?;
        Ok((super::items_of(&items)?, next.is_some()))
    }

    /// Customers whose e-mail starts with `prefix`, in e-mail order: a Query over the guard items,
    /// then one BatchGetItem for the page.
    pub async fn search_customers_by_email(
        &self,
        scope: &TenantScope,
        prefix: &str,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Customer>, StoreError> {
        let query = PageQuery {
            listing: EMAIL_SEARCH_LISTING,
            owner: format!("{}/{prefix}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::customer_email_sk(prefix)))],
            newest_first: false,
        };
        let (guards, next_cursor) = self.query_page(query, limit, cursor).await?;
        let ids: Vec<String> = guards.iter().filter_map(|item| string_attr(item, "customer_id")).collect();
        let mut customers = self.batch_get_customers(scope, &ids).await?;
        customers.sort_by(|a, b| a.email.as_str().cmp(b.email.as_str()));
        Ok(Page { items: customers, next_cursor })
    }

    async fn batch_get_customers(&self, scope: &TenantScope, ids: &[String]) -> Result<Vec<Customer>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids
            .iter()
            .map(|id| {
                [
                    (keys::PK.to_owned(), s(scope.pk())),
                    (keys::SK.to_owned(), s(format!("{}{id}", keys::CUSTOMER_PREFIX))),
                ]
                .into_iter()
                .collect()
            })
            .collect();
        super::items_of(&self.batch_get(keys).await?)
    }

    /// Starts a merge, atomically: the source marked merged and the target listing it (each conditional on
    /// the version read), the source's e-mail guard pointing at the target, and the event.
    pub async fn start_customer_merge(
        &self,
        scope: &TenantScope,
        merge: MergeStart<'_>,
    ) -> Result<(), CustomerWriteError> {
        let versioned_put = |before: &Customer, after: &Customer| -> Result<TransactWriteItem, StoreError> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(self.customer_item(scope, after)?))
                .condition_expression("version = :version")
                .expression_attribute_values(":version", n(before.version))
                .build()?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let source = merge.source_before;
        let target = merge.target_after.id;
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::customer_email_sk(source.email.as_str()))),
            ("customer_id".to_owned(), s(target.to_string())),
        ]
        .into_iter()
        .collect();
        let guard = Put::builder()
            .table_name(&self.table)
            .set_item(Some(guard))
            .condition_expression("attribute_not_exists(PK) OR customer_id = :source")
            .expression_attribute_values(":source", s(source.id.to_string()))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(versioned_put(source, merge.source_after)?, CustomerWriteError::VersionConflict)
            .with_named(versioned_put(merge.target_before, merge.target_after)?, CustomerWriteError::VersionConflict)
            .with_named(TransactWriteItem::builder().put(guard).build(), CustomerWriteError::VersionConflict);
        // A merged customer leaves its company (it takes no more changes, so it could never be unlinked).
        let (unlink, _) =
            self.company_relink_actions(scope, LinkKind::Customers, source.company_id, merge.source_after.company_id)?;
        if let Some(unlink) = unlink {
            transaction = transaction.with(unlink);
        }
        let transaction = transaction.with(self.put_event(scope, merge.event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Replaces `before` with `after` if unchanged meanwhile; moves the e-mail guard when the e-mail changes.
    pub async fn update_customer(
        &self,
        scope: &TenantScope,
        before: &Customer,
        after: &Customer,
        event: &Event,
    ) -> Result<(), CustomerWriteError> {
        let put_customer = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.customer_item(scope, after)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put_customer).build(), CustomerWriteError::VersionConflict);
        if before.email != after.email {
            transaction =
                transaction.with_named(self.customer_guard_put(scope, after)?, CustomerWriteError::EmailTaken);
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::customer_email_sk(before.email.as_str())))
                .build()
                .map_err(StoreError::from)?;
            transaction = transaction.with(TransactWriteItem::builder().delete(delete).build());
        }
        let (unlink, link) =
            self.company_relink_actions(scope, LinkKind::Customers, before.company_id, after.company_id)?;
        if let Some(unlink) = unlink {
            transaction = transaction.with(unlink);
        }
        if let Some(link) = link {
            transaction = transaction.with_named(link, CustomerWriteError::CompanyMissing);
        }
        let transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }
}
