//! The single DynamoDB table. Every tenant call takes a [`TenantScope`], which only a verified
//! principal (or the sign-up that creates the workspace) can produce.

pub mod attachments;
pub mod cursor;
pub mod customers;
pub mod events;
pub mod keys;
pub mod sessions;
pub mod staff;
pub mod tickets;
pub mod users;
pub mod workspaces;

use std::collections::HashMap;

use aws_sdk_dynamodb::{Client, error::SdkError, types::AttributeValue};
use thiserror::Error;

use crate::domain::ids::WorkspaceId;

pub type Item = HashMap<String, AttributeValue>;

/// The workspace a storage call may touch. Not constructible outside this crate:
/// handlers get one from [`crate::auth::MemberPrincipal::scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantScope {
    workspace_id: WorkspaceId,
}

impl TenantScope {
    pub(crate) fn new(workspace_id: WorkspaceId) -> Self {
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
    /// A transaction was cancelled; one entry per action, `Some(code)` where that action failed.
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

impl StoreError {
    /// The cancellation of action `index`, if the transaction failed on that action's condition.
    pub fn cancelled_at(&self, index: usize) -> Option<&Cancellation> {
        match self {
            StoreError::Cancelled(reasons) => reasons.get(index).filter(|reason| reason.condition_failed()),
            _ => None,
        }
    }
}

pub(crate) fn backend<E: std::error::Error + 'static, R: std::fmt::Debug>(err: SdkError<E, R>) -> StoreError {
    StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(err).to_string())
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(err: serde_dynamo::Error) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) client: Client,
    pub(crate) table: String,
    pub(crate) cursors: cursor::CursorCodec,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>, cursors: cursor::CursorCodec) -> Self {
        Self { client, table: table.into(), cursors }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Runs a transaction and turns a cancellation into per-action reasons.
    pub(crate) async fn transact(
        &self,
        actions: Vec<aws_sdk_dynamodb::types::TransactWriteItem>,
    ) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match self.client.transact_write_items().set_transact_items(Some(actions)).send().await {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(cancelled) => Err(StoreError::Cancelled(
                    cancelled
                        .cancellation_reasons()
                        .iter()
                        .map(|reason| Cancellation {
                            code: reason.code().filter(|code| *code != "None").map(str::to_owned),
                            item: reason.item().cloned(),
                        })
                        .collect(),
                )),
                other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
            },
        }
    }
}

/// A page of results and the opaque cursor for the next one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Reads a string attribute (keys are strings in this table).
pub(crate) fn string_attr(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|value| value.as_s().ok()).cloned()
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
