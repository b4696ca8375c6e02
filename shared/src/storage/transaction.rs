//! One TransactWriteItems, built action by action. An action whose condition has a meaning for the
//! caller carries that meaning (`F`, usually a variant of the caller's error enum) as it is added, so a
//! cancellation is read by name ("the ticket changed meanwhile", "the seat limit is reached"), never by
//! counting action indexes.
//!
//! ```ignore
//! let transaction = Transaction::new()
//!     .with_named(ticket_put, TicketWriteError::VersionConflict)
//!     .with_all(event_puts);
//! match store.transact(transaction).await { … }
//! ```

use std::convert::Infallible;

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::{Cancellation, Item, StoreError};

/// The actions of one transaction and, for each, what its failed condition means (None: nothing the
/// caller decides on, so a failure there is a [`StoreError`]).
#[derive(Debug)]
pub(crate) struct Transaction<F = Infallible> {
    actions: Vec<TransactWriteItem>,
    failures: Vec<Option<F>>,
}

impl<F> Transaction<F> {
    pub fn new() -> Self {
        Self { actions: Vec::new(), failures: Vec::new() }
    }

    /// An action whose condition, if it has one, is not expected to fail (a new event, a new message).
    pub fn with(mut self, action: TransactWriteItem) -> Self {
        self.actions.push(action);
        self.failures.push(None);
        self
    }

    pub fn with_all(self, actions: impl IntoIterator<Item = TransactWriteItem>) -> Self {
        actions.into_iter().fold(self, Self::with)
    }

    /// An action whose failed condition means `failure`.
    pub fn with_named(mut self, action: TransactWriteItem, failure: F) -> Self {
        self.actions.push(action);
        self.failures.push(Some(failure));
        self
    }

    /// Every action added under `failure`.
    pub fn with_all_named(mut self, actions: impl IntoIterator<Item = TransactWriteItem>, failure: F) -> Self
    where
        F: Clone,
    {
        for action in actions {
            self = self.with_named(action, failure.clone());
        }
        self
    }

    /// The same actions with their named failures in another type (to add actions named in it).
    /// Appends another transaction's actions, with their named failures.
    pub fn with_all_of(mut self, other: Transaction<F>) -> Self {
        self.actions.extend(other.actions);
        self.failures.extend(other.failures);
        self
    }

    pub fn map_failures<G>(self, map: impl Fn(F) -> G) -> Transaction<G> {
        Transaction { actions: self.actions, failures: self.failures.into_iter().map(|f| f.map(&map)).collect() }
    }

    pub(super) fn actions(&self) -> &[TransactWriteItem] {
        &self.actions
    }

    /// What a cancellation means: the first action, in the order added, whose named condition failed.
    /// A cancellation on unnamed actions only stays a store error.
    pub(super) fn failure(self, reasons: Vec<Cancellation>) -> TransactionError<F> {
        let named = self.failures.into_iter().zip(reasons.iter()).find_map(|(failure, reason)| {
            failure.filter(|_| reason.condition_failed()).map(|failure| (failure, reason.item.clone()))
        });
        match named {
            Some((failure, item)) => TransactionError::Failed { failure, item },
            None => TransactionError::Store(StoreError::Cancelled(reasons)),
        }
    }
}

impl<F> Default for Transaction<F> {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a transaction wrote nothing.
#[derive(Debug)]
pub(crate) enum TransactionError<F> {
    /// A named condition failed. `item` is the item the action found, for actions that ask DynamoDB to
    /// return it (`ReturnValuesOnConditionCheckFailure::AllOld`), e.g. the counter that hit its limit.
    Failed {
        failure: F,
        item: Option<Item>,
    },
    Store(StoreError),
}

impl<F> TransactionError<F> {
    /// The named failure itself, or the store error in the caller's error type: for callers whose named
    /// failures are variants of their own error enum and need nothing from the item.
    pub fn into_error(self) -> F
    where
        F: From<StoreError>,
    {
        match self {
            TransactionError::Failed { failure, .. } => failure,
            TransactionError::Store(err) => err.into(),
        }
    }
}

impl<F> From<StoreError> for TransactionError<F> {
    fn from(err: StoreError) -> Self {
        TransactionError::Store(err)
    }
}

/// A transaction with no named conditions can only fail as a store error.
impl From<TransactionError<Infallible>> for StoreError {
    fn from(err: TransactionError<Infallible>) -> Self {
        match err {
            TransactionError::Store(err) => err,
        }
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem};

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Failure {
        Changed,
        LimitReached,
    }

    fn action() -> TransactWriteItem {
        let check = ConditionCheck::builder()
            .table_name("t")
            .key("PK", super::super::s("p"))
            .condition_expression("attribute_exists(PK)")
            .build()
            .expect("complete condition check");
        TransactWriteItem::builder().condition_check(check).build()
    }

    fn cancelled(codes: &[Option<&str>]) -> Vec<Cancellation> {
        codes.iter().map(|code| Cancellation { code: code.map(str::to_owned), item: None }).collect()
    }

    fn three_actions() -> Transaction<Failure> {
        Transaction::new()
            .with_named(action(), Failure::Changed)
            .with(action())
            .with_named(action(), Failure::LimitReached)
    }

    #[test]
    fn a_failed_condition_is_read_by_its_name() {
        let failure = three_actions().failure(cancelled(&[None, None, Some("ConditionalCheckFailed")]));
        assert!(matches!(failure, TransactionError::Failed { failure: Failure::LimitReached, .. }));
    }

    #[test]
    fn the_first_named_failure_wins() {
        let all = [Some("ConditionalCheckFailed"), Some("ConditionalCheckFailed"), Some("ConditionalCheckFailed")];
        assert!(matches!(
            three_actions().failure(cancelled(&all)),
            TransactionError::Failed { failure: Failure::Changed, .. }
        ));
    }

    #[test]
    fn unnamed_or_unconditional_cancellations_stay_store_errors() {
        let unnamed = three_actions().failure(cancelled(&[None, Some("ConditionalCheckFailed"), None]));
        assert!(matches!(unnamed, TransactionError::Store(StoreError::Cancelled(_))));
        let conflict = three_actions().failure(cancelled(&[Some("TransactionConflict"), None, None]));
        assert!(matches!(conflict, TransactionError::Store(StoreError::Cancelled(_))));
    }
}
