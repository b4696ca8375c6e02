//! The single DynamoDB table. Every tenant call takes a [`TenantScope`], which only a verified
//! principal (or the sign-up that creates the workspace) or explicitly named system work can produce.
//! The SDK client stays inside this module: other crates call the methods here, never DynamoDB.

pub mod activities;
pub mod api_calls;
pub mod api_keys;
pub mod attachments;
pub mod billing;
pub mod call_count;
pub mod chat;
pub mod companies;
pub mod cursor;
pub mod customers;
pub mod deals;
pub mod email;
pub mod events;
pub mod exports;
pub mod google_contacts;
pub mod idempotency;
pub mod keys;
pub mod lead_capture;
pub mod leads;
pub mod macros;
pub mod mail_thread;
pub mod merge;
pub mod notifications;
pub mod online_time;
mod page;
pub mod pipelines;
pub mod plans;
mod query;
pub mod realtime;
pub mod reports;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod shelf;
pub mod sign_in_failures;
pub mod sla_watch;
pub mod staff;
pub mod standing;
pub mod support_days;
pub mod tickets;
pub mod transaction;
pub mod users;
pub mod views;
pub mod webhooks;
pub mod workspaces;

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, error::SdkError, types::AttributeValue};
use thiserror::Error;

use transaction::{Transaction, TransactionError};

pub use page::{Page, PageParams};
pub(crate) use query::{PageQuery, QuerySpec};

use crate::domain::ids::WorkspaceId;
use crate::lazy_client::LazyClient;

pub type Item = HashMap<String, AttributeValue>;

/// The workspace a storage call may touch. Two ways to get one:
/// - request handling: from the verified caller, [`crate::auth::MemberPrincipal::scope`];
/// - work no caller asked for (stream and queue consumers, scheduled scans, seeding the local stack):
///   [`TenantScope::for_system`], named so every such place can be found and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    workspace_id: WorkspaceId,
}

impl TenantScope {
    /// For this crate's code that has just verified a credential of the workspace (login, refresh,
    /// an API key or access token looked up) or is creating the workspace (sign-up).
    pub(crate) fn new(workspace_id: WorkspaceId) -> Self {
        Self { workspace_id }
    }

    /// The scope of system work on a workspace's own data: the workspace comes from a committed item
    /// (an event, a queue message, a watch), never from a request.
    pub fn for_system(workspace_id: WorkspaceId) -> Self {
        Self { workspace_id }
    }

    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub(crate) fn pk(&self) -> String {
        keys::workspace_pk(self.workspace_id)
    }
}

#[derive(Debug, Error)]
pub enum StoreError {
    /// A transaction was cancelled on no named condition; one entry per action, `Some(code)` where
    /// that action failed.
    #[error("transaction cancelled: {0:?}")]
    Cancelled(Vec<Cancellation>),
    #[error("condition failed")]
    ConditionFailed(Option<Box<Item>>),
    #[error("DynamoDB call failed: {0}")]
    Backend(String),
    #[error("stored item is malformed: {0}")]
    Corrupt(String),
    #[error(transparent)]
    InvalidCursor(#[from] cursor::InvalidCursor),
}

#[derive(Debug, Clone)]
pub struct Cancellation {
    pub code: Option<String>,
    pub item: Option<Item>,
}

impl Cancellation {
    pub fn condition_failed(&self) -> bool {
        self.code.as_deref() == Some("ConditionalCheckFailed")
    }
}

pub(crate) fn backend<E: std::error::Error + 'static, R: std::fmt::Debug>(err: SdkError<E, R>) -> StoreError {
    StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string())
}

/// An UpdateItem whose condition may refuse it: its output when it was applied, `None` when the
/// condition refused it (nothing was written), an error for any other failure.
pub(crate) fn applied<R: std::fmt::Debug + 'static>(
    result: Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>,
    >,
) -> Result<Option<aws_sdk_dynamodb::operation::update_item::UpdateItemOutput>, StoreError> {
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(None),
        Err(err) => Err(backend(err)),
    }
}

/// A request the SDK refused to build (a required field missing): a bug, reported as a backend failure.
impl From<aws_sdk_dynamodb::error::BuildError> for StoreError {
    fn from(err: aws_sdk_dynamodb::error::BuildError) -> Self {
        StoreError::Backend(err.to_string())
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(err: serde_dynamo::Error) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    /// Built on the first call (see [`LazyClient`]): `health` and the `$disconnect` path never make one.
    pub(crate) client: LazyClient<Client>,
    pub(crate) table: String,
    pub(crate) cursors: cursor::CursorCodec,
    calls: call_count::CallCount,
}

impl Store {
    /// A store over `table`, counting its DynamoDB calls.
    pub fn new(aws: &aws_config::SdkConfig, table: impl Into<String>, cursors: cursor::CursorCodec) -> Self {
        let calls = call_count::CallCount::default();
        let (aws, counting) = (aws.clone(), calls.clone());
        let client = LazyClient::new(move || {
            Client::from_conf(aws_sdk_dynamodb::config::Builder::from(&aws).interceptor(counting.clone()).build())
        });
        Self { client, table: table.into(), cursors, calls }
    }

    /// Reads one item by its key (strongly consistent) as a record; None when there is none.
    pub(crate) async fn get_record<T: serde::de::DeserializeOwned>(
        &self,
        pk: impl Into<String>,
        sk: impl Into<String>,
    ) -> Result<Option<T>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(pk))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(serde_dynamo::from_item).transpose().map_err(StoreError::from)
    }

    /// The transaction action that writes a new item: it fails (cancelling the transaction) when an
    /// item with that key exists, so nothing is ever overwritten by accident.
    pub(crate) fn put_new(&self, item: Item) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build())
    }

    /// DynamoDB calls made through this store, by operation.
    pub fn calls(&self) -> &call_count::CallCount {
        &self.calls
    }

    /// Runs a transaction and reads a cancellation by the names its conditions carry. A transaction
    /// cancelled only because another one touched the same items at the same moment
    /// (`TransactionConflict`) wrote nothing, so it is retried a few times with jittered backoff first.
    pub(crate) async fn transact<F>(&self, transaction: Transaction<F>) -> Result<(), TransactionError<F>> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        const ATTEMPTS: u32 = 4;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(transaction.actions().to_vec()))
                .send()
                .await;
            let err = match result {
                Ok(_) => return Ok(()),
                Err(err) => err.into_service_error(),
            };
            let reasons: Vec<Cancellation> = match err {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => cancelled
                    .cancellation_reasons()
                    .iter()
                    .map(|reason| Cancellation {
                        code: reason.code().filter(|code| *code != "None").map(str::to_owned),
                        item: reason.item().cloned(),
                    })
                    .collect(),
                other => {
                    let err = StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string());
                    return Err(err.into());
                }
            };
            if attempt >= ATTEMPTS || !is_conflict_only(&reasons) {
                return Err(transaction.failure(reasons));
            }
            let jitter = u64::from(rand::random::<u8>() % 20);
            tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt) + jitter)).await;
        }
    }
}

/// Cancelled for concurrency alone: some action hit a conflict and no condition failed.
fn is_conflict_only(reasons: &[Cancellation]) -> bool {
    reasons.iter().any(|reason| reason.code.as_deref() == Some("TransactionConflict"))
        && !reasons.iter().any(Cancellation::condition_failed)
}

impl Store {
    /// Writes items unconditionally in batches of 25, retrying what DynamoDB leaves unprocessed. For bulk
    /// loads only (imports, benchmarks): no conditions, no events, no counters.
    pub async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        for chunk in items.chunks(25) {
            let mut requests = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder().set_item(Some(item.clone())).build()?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            while !requests.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(backend)?;
                requests = output.unprocessed_items.and_then(|mut left| left.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }
}

/// Reads a string attribute (keys are strings in this table).
pub(crate) fn string_attr(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|value| value.as_s().ok()).cloned()
}

/// A counter of an item returned by a failed condition (ALL_OLD), e.g. the seats or tickets used;
/// 0 when the item or the counter did not exist yet.
pub(crate) fn counter_of(item: Option<&Item>, name: &str) -> u64 {
    item.and_then(|item| item.get(name)).and_then(|value| value.as_n().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Deserialises query results into records.
pub(crate) fn items_of<T: serde::de::DeserializeOwned>(items: &[Item]) -> Result<Vec<T>, StoreError> {
    items.iter().map(|item| serde_dynamo::from_item(item.clone()).map_err(StoreError::from)).collect()
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reasons(codes: &[Option<&str>]) -> Vec<Cancellation> {
        codes.iter().map(|code| Cancellation { code: code.map(str::to_owned), item: None }).collect()
    }

    #[test]
    fn only_pure_conflicts_are_retried() {
        assert!(is_conflict_only(&reasons(&[None, Some("TransactionConflict")])));
        assert!(!is_conflict_only(&reasons(&[Some("ConditionalCheckFailed"), Some("TransactionConflict")])));
        assert!(!is_conflict_only(&reasons(&[Some("ConditionalCheckFailed")])));
        assert!(!is_conflict_only(&reasons(&[None])));
    }
}
