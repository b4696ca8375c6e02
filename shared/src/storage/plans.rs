//! The plan catalog and the platform audit log, under `PLATFORM` (outside every tenant partition).
//! Plans are read by id (GetItem) and listed with one Query on `PLAN#`; a staff action writes its
//! audit entry in the same transaction as the change it records.

use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::query::{PageQuery, QuerySpec};
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, Store, StoreError, TenantScope, events::Event, items_of, keys, n, s};
use crate::domain::ids::{EventId, StaffId};
use crate::domain::plan::{Plan, PlanId};

/// One staff action: who, when, what, and the record before and after.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub id: EventId,
    pub at: Timestamp,
    pub staff_id: StaffId,
    /// `plan.created`, `plan.updated`, `workspace.plan_changed`.
    pub action: String,
    /// What was acted on: `plan:<id>` or `workspace:<id>`.
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug)]
pub enum PlanWriteError {
    /// A plan with this id exists.
    Exists,
    /// The plan is not at the version the change was made to.
    VersionConflict,
    Store(StoreError),
}

impl From<StoreError> for PlanWriteError {
    fn from(err: StoreError) -> Self {
        PlanWriteError::Store(err)
    }
}

#[derive(Debug)]
pub enum SetPlanError {
    WorkspaceNotFound,
    /// The plan is missing or retired (checked in the same transaction).
    PlanUnavailable,
    Store(StoreError),
}

impl Store {
    fn plan_item(&self, plan: &Plan) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(plan)?;
        item.insert(keys::PK.to_owned(), s(keys::PLATFORM_PK));
        item.insert(keys::SK.to_owned(), s(keys::plan_sk(&plan.id)));
        Ok(item)
    }

    pub(crate) fn put_audit(&self, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(entry)?;
        item.insert(keys::PK.to_owned(), s(keys::PLATFORM_PK));
        item.insert(keys::SK.to_owned(), s(keys::audit_sk(entry.at, entry.id)));
        self.put_new(item)
    }

    pub async fn get_plan(&self, id: &PlanId) -> Result<Option<Plan>, StoreError> {
        self.get_record(keys::PLATFORM_PK, keys::plan_sk(id)).await
    }

    /// The whole catalog (a few dozen items at most: staff create plans one by one), in id order.
    pub async fn list_plans(&self) -> Result<Vec<Plan>, StoreError> {
        let query = QuerySpec::new("PK = :pk AND begins_with(SK, :prefix)")
            .value(":pk", s(keys::PLATFORM_PK))
            .value(":prefix", s(keys::PLAN_PREFIX));
        items_of(&self.query_all(&query).await?)
    }

    /// Writes a seed plan unless the id is taken; whether it was written. Seeding races are harmless:
    /// the first write wins and the others read it.
    pub async fn seed_plan_if_absent(&self, plan: &Plan) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.plan_item(plan)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(super::backend(err)),
        }
    }

    pub async fn create_plan(&self, plan: &Plan, audit: &AuditEntry) -> Result<(), PlanWriteError> {
        struct Exists;
        let transaction =
            Transaction::new().with_named(self.put_new(self.plan_item(plan)?)?, Exists).with(self.put_audit(audit)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Exists, .. }) => Err(PlanWriteError::Exists),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// Replaces a plan still at `read_version` (the new one carries the next version), with its audit entry.
    pub async fn update_plan(&self, read_version: u64, plan: &Plan, audit: &AuditEntry) -> Result<(), PlanWriteError> {
        struct Stale;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.plan_item(plan)?))
            .condition_expression("attribute_exists(PK) AND version = :read")
            .expression_attribute_values(":read", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), Stale)
            .with(self.put_audit(audit)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Stale, .. }) => Err(PlanWriteError::VersionConflict),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// Moves the workspace onto `plan` (which must exist and be available, checked in the same
    /// transaction), with the workspace's event and the staff audit entry if staff did it. Limits read
    /// the workspace's plan on every use, so the change applies to the next request.
    pub async fn set_plan(
        &self,
        scope: &TenantScope,
        plan: &PlanId,
        event: &Event,
        audit: Option<&AuditEntry>,
    ) -> Result<(), SetPlanError> {
        #[derive(Clone, Copy)]
        enum Refused {
            Workspace,
            Plan,
        }
        let build = || -> Result<Transaction<Refused>, StoreError> {
            let update = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::WORKSPACE_SK))
                .update_expression("SET #plan = :plan")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#plan", "plan")
                .expression_attribute_values(":plan", s(plan.as_str()))
                .build()?;
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .key(keys::PK, s(keys::PLATFORM_PK))
                .key(keys::SK, s(keys::plan_sk(plan)))
                .condition_expression("attribute_exists(PK) AND available = :yes")
                .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                .build()?;
            let mut transaction = Transaction::new()
                .with_named(TransactWriteItem::builder().update(update).build(), Refused::Workspace)
                .with_named(TransactWriteItem::builder().condition_check(check).build(), Refused::Plan)
                .with(self.put_event(scope, event)?);
            if let Some(audit) = audit {
                transaction = transaction.with(self.put_audit(audit)?);
            }
            Ok(transaction)
        };
        match self.transact(build().map_err(SetPlanError::Store)?).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::Workspace, .. }) => Err(SetPlanError::WorkspaceNotFound),
            Err(TransactionError::Failed { failure: Refused::Plan, .. }) => Err(SetPlanError::PlanUnavailable),
            Err(TransactionError::Store(err)) => Err(SetPlanError::Store(err)),
        }
    }

    /// The platform audit log, newest first.
    pub async fn list_audit(&self, limit: i32, cursor: Option<&str>) -> Result<Page<AuditEntry>, StoreError> {
        let query = PageQuery {
            listing: "platform-audit",
            owner: keys::PLATFORM_PK.to_owned(),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(keys::PLATFORM_PK)), (":prefix", s(keys::AUDIT_PREFIX))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }
}
