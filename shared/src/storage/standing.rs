//! A workspace's standing (active, past due, suspended) on its own item. A change is conditional on the
//! standing read, so two writers (a staff action, a Stripe event, the grace deadline) never undo each
//! other unseen; it goes with its event and, for staff, the platform audit entry, in one transaction.
//!
//! While past due the workspace item carries GSI7 keys (the deadline index the SLA scan reads), due at
//! the grace deadline; any other standing removes them, so the index holds only running deadlines.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::plans::AuditEntry;
use super::transaction::{Transaction, TransactionError};
use super::{Store, StoreError, TenantScope, events::Event, keys, s};
use crate::domain::standing::Standing;

#[derive(Debug)]
pub enum StandingWriteError {
    /// No such workspace.
    NotFound,
    /// The standing changed since it was read: read again and decide again.
    Changed,
    Store(StoreError),
}

impl From<StoreError> for StandingWriteError {
    fn from(err: StoreError) -> Self {
        StandingWriteError::Store(err)
    }
}

impl Store {
    /// Moves the workspace from the standing `read` to `next`, with its event (and audit entry).
    pub async fn set_standing(
        &self,
        scope: &TenantScope,
        read: &Standing,
        next: &Standing,
        event: &Event,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StandingWriteError> {
        #[derive(Clone, Copy)]
        enum Refused {
            Workspace,
        }
        let read_value = serde_dynamo::to_attribute_value(read).map_err(StoreError::from)?;
        let next_value = serde_dynamo::to_attribute_value(next).map_err(StoreError::from)?;
        // A workspace stored before standings existed has none: it was active.
        let unchanged = if *read == Standing::Active {
            "attribute_exists(PK) AND (attribute_not_exists(standing) OR standing = :read)"
        } else {
            "attribute_exists(PK) AND standing = :read"
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .condition_expression(unchanged)
            .expression_attribute_values(":read", read_value)
            .expression_attribute_values(":next", next_value);
        update = match next.grace_until() {
            Some(due) => update
                .update_expression("SET standing = :next, GSI7PK = :due_pk, GSI7SK = :due_sk")
                .expression_attribute_values(":due_pk", s(keys::grace_ends_gsi7pk(scope.workspace_id())))
                .expression_attribute_values(":due_sk", s(keys::grace_ends_gsi7sk(due, scope.workspace_id()))),
            None => update.update_expression("SET standing = :next REMOVE GSI7PK, GSI7SK"),
        };
        let mut transaction = Transaction::new()
            .with_named(
                TransactWriteItem::builder().update(update.build().map_err(StoreError::from)?).build(),
                Refused::Workspace,
            )
            .with(self.put_event(scope, event)?);
        if let Some(audit) = audit {
            transaction = transaction.with(self.put_audit(audit)?);
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::Workspace, .. }) => {
                // Either gone or changed: a workspace is never deleted, so tell them apart by a read.
                match self.get_workspace(scope).await? {
                    None => Err(StandingWriteError::NotFound),
                    Some(_) => Err(StandingWriteError::Changed),
                }
            }
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }
}
