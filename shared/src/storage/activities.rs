//! Activities on sales records: one item each under `SALES_ACTIVITY#<id>` (a change names only the
//! activity), listed per record (GSI3, newest logged first) and per assignee (GSI4: open ones by due
//! time, overdue first and undated last; done ones latest first). Every write is one transaction with
//! its event, conditional on the record (a new activity), the version read (a change) and the assignee
//! being an active member.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{
    activities::ActivityKind,
    ids::{ActivityId, UserId},
    records::RecordRef,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Activity {
    pub id: ActivityId,
    /// `lead#<id>`, `customer#<id>`, `deal#<id>`: the record it is on.
    pub record: RecordRef,
    /// The record's name when the activity was logged (a lead's or customer's name, a deal's title),
    /// so a task list shows it without reading every record.
    pub record_name: String,
    pub kind: ActivityKind,
    pub subject: String,
    pub body: Option<String>,
    pub due_at: Option<Timestamp>,
    pub assignee_id: UserId,
    pub done: bool,
    pub done_at: Option<Timestamp>,
    pub author_id: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

/// Why an activity write wrote nothing, by the condition that failed.
#[derive(Debug)]
pub enum ActivityWriteError {
    /// The record was deleted (or merged away) since it was read.
    RecordGone,
    /// The activity changed (or was deleted) since it was read.
    VersionConflict,
    /// The assignee is no longer an active member.
    AssigneeInactive,
    Store(StoreError),
}

impl From<StoreError> for ActivityWriteError {
    fn from(err: StoreError) -> Self {
        ActivityWriteError::Store(err)
    }
}

const RECORD_ACTIVITIES_LISTING: &str = "record-activities";
const TASKS_LISTING: &str = "tasks";

impl Store {
    /// The activity item with its listing keys: its record's listing, and its assignee's open or done
    /// tasks (ordered by due time, or by when it was done).
    fn activity_item(&self, scope: &TenantScope, activity: &Activity) -> Result<Item, StoreError> {
        let ws = scope.workspace_id();
        let record = activity.record;
        let mut item: Item = serde_dynamo::to_item(activity)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::activity_sk(activity.id)));
        item.insert(keys::GSI3PK.to_owned(), s(keys::record_activities_gsi3pk(ws, record)));
        item.insert(keys::GSI3SK.to_owned(), s(keys::record_activity_gsi3sk(activity.id)));
        item.insert(keys::GSI4PK.to_owned(), s(keys::tasks_gsi4pk(ws, activity.assignee_id, activity.done)));
        let task_sk = match (activity.done, activity.done_at) {
            (true, Some(done_at)) => keys::done_task_gsi4sk(done_at, activity.id),
            (true, None) => keys::done_task_gsi4sk(activity.updated_at, activity.id),
            (false, _) => keys::open_task_gsi4sk(activity.due_at, activity.id),
        };
        item.insert(keys::GSI4SK.to_owned(), s(task_sk));
        Ok(item)
    }

    fn record_open_check(&self, scope: &TenantScope, record: RecordRef) -> Result<TransactWriteItem, StoreError> {
        match record {
            RecordRef::Lead(lead) => self.lead_live_check(scope, lead),
            RecordRef::Customer(customer) => self.customer_exists_check(scope, customer),
            RecordRef::Deal(deal) => self.deal_exists_check(scope, deal),
            RecordRef::Company(company) => self.company_exists_check(scope, company),
        }
    }

    /// Logs an activity on its record, if the record is still there (and not merged away) and the
    /// assignee is an active member, with its event.
    pub async fn create_activity(
        &self,
        scope: &TenantScope,
        activity: &Activity,
        event: &Event,
    ) -> Result<(), ActivityWriteError> {
        let transaction = Transaction::new()
            .with_named(self.record_open_check(scope, activity.record)?, ActivityWriteError::RecordGone)
            .with_named(self.member_active_check(scope, activity.assignee_id)?, ActivityWriteError::AssigneeInactive)
            .with(self.put_new(self.activity_item(scope, activity)?)?)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Replaces the activity as changed, conditional on the version read; a new assignee must be an
    /// active member. The item's listing keys follow (done moves it to the done tasks, a new due time
    /// to its place among the open ones, a new assignee to their list).
    pub async fn save_activity(
        &self,
        scope: &TenantScope,
        before: &Activity,
        after: &Activity,
        event: &Event,
    ) -> Result<(), ActivityWriteError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.activity_item(scope, after)?))
            .condition_expression("attribute_exists(PK) AND version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), ActivityWriteError::VersionConflict);
        if after.assignee_id != before.assignee_id {
            transaction = transaction
                .with_named(self.member_active_check(scope, after.assignee_id)?, ActivityWriteError::AssigneeInactive);
        }
        transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Deletes the activity as read (conditional on its version), with its event.
    pub async fn delete_activity(
        &self,
        scope: &TenantScope,
        activity: &Activity,
        event: &Event,
    ) -> Result<(), ActivityWriteError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::activity_sk(activity.id)))
            .condition_expression("attribute_exists(PK) AND version = :version")
            .expression_attribute_values(":version", n(activity.version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().delete(delete).build(), ActivityWriteError::VersionConflict)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    pub async fn get_activity(&self, scope: &TenantScope, id: ActivityId) -> Result<Option<Activity>, StoreError> {
        self.get_record(scope.pk(), keys::activity_sk(id)).await
    }

    /// One record's activities, newest logged first (one Query on GSI3).
    pub async fn list_record_activities(
        &self,
        scope: &TenantScope,
        record: RecordRef,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Activity>, StoreError> {
        let query = PageQuery {
            listing: RECORD_ACTIVITIES_LISTING,
            owner: format!("{}/{record}", scope.workspace_id()),
            index: Some(keys::GSI3),
            key_condition: "GSI3PK = :pk",
            values: vec![(":pk", s(keys::record_activities_gsi3pk(scope.workspace_id(), record)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// One member's tasks (one Query on GSI4): open ones by due time, most overdue first and undated
    /// last; done ones latest done first.
    pub async fn list_tasks(
        &self,
        scope: &TenantScope,
        assignee: UserId,
        done: bool,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Activity>, StoreError> {
        let query = PageQuery {
            listing: TASKS_LISTING,
            owner: format!("{}/{assignee}/{}", scope.workspace_id(), if done { "done" } else { "open" }),
            index: Some(keys::GSI4),
            key_condition: "GSI4PK = :pk",
            values: vec![(":pk", s(keys::tasks_gsi4pk(scope.workspace_id(), assignee, done)))],
            newest_first: done,
        };
        self.query_records(query, limit, cursor).await
    }
}
