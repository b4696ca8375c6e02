//! Merging a duplicate ticket into another: one transaction writes both tickets (each conditional on
//! the version read), a copy of every message of the duplicate into the target's collection, the
//! inbox counter deltas of both, and the events.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};

use super::tickets::{Message, Ticket, counter_deltas};
use super::transaction::{Transaction, TransactionError};
use super::{Store, StoreError, TenantScope, events::Event, n};

/// DynamoDB's limit of actions in one transaction.
pub const MAX_TRANSACTION_ACTIONS: usize = 100;

/// Everything a merge writes.
pub struct TicketMerge<'a> {
    pub duplicate_before: &'a Ticket,
    pub duplicate_after: &'a Ticket,
    pub target_before: &'a Ticket,
    pub target_after: &'a Ticket,
    /// The duplicate's messages as they appear in the target.
    pub copies: &'a [Message],
    pub events: &'a [Event],
}

impl TicketMerge<'_> {
    /// The actions the transaction takes: two tickets, the counters, the copies and the events.
    pub fn actions(&self) -> usize {
        3 + self.copies.len() + self.events.len()
    }
}

#[derive(Debug)]
pub enum MergeWriteError {
    DuplicateChanged,
    TargetChanged,
    /// A copy of a message already is in the target (the duplicate was merged there before).
    AlreadyCopied,
    Store(StoreError),
}

impl From<StoreError> for MergeWriteError {
    fn from(err: StoreError) -> Self {
        MergeWriteError::Store(err)
    }
}

impl Store {
    fn versioned_put(
        &self,
        scope: &TenantScope,
        before: &Ticket,
        after: &Ticket,
    ) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.ticket_item(scope, after)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(before.version))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub async fn merge_tickets(&self, scope: &TenantScope, merge: TicketMerge<'_>) -> Result<(), MergeWriteError> {
        let build = || -> Result<Transaction<MergeWriteError>, StoreError> {
            let mut deltas: BTreeMap<String, i64> = BTreeMap::new();
            for (before, after) in
                [(merge.duplicate_before, merge.duplicate_after), (merge.target_before, merge.target_after)]
            {
                for (name, delta) in counter_deltas(Some(before), Some(after)) {
                    *deltas.entry(name).or_insert(0) += delta;
                }
            }
            deltas.retain(|_, delta| *delta != 0);
            let mut transaction = Transaction::new()
                .with_named(
                    self.versioned_put(scope, merge.duplicate_before, merge.duplicate_after)?,
                    MergeWriteError::DuplicateChanged,
                )
                .with_named(
                    self.versioned_put(scope, merge.target_before, merge.target_after)?,
                    MergeWriteError::TargetChanged,
                )
                .with_all(self.counters_update(scope, &deltas)?);
            for copy in merge.copies {
                transaction = transaction.with_named(self.message_put(scope, copy)?, MergeWriteError::AlreadyCopied);
            }
            for event in merge.events {
                transaction = transaction.with(self.put_event(scope, event)?);
            }
            Ok(transaction)
        };
        self.transact(build()?).await.map_err(TransactionError::into_error)
    }
}
