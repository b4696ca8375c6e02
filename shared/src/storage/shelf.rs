//! Records a member keeps for themselves or an admin shares with the team (saved views, macros): one
//! item each under a personal or a shared prefix (storage/keys.rs), written whole and conditional on
//! the version read, together with its event.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
use serde::{Serialize, de::DeserializeOwned};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, TenantScope, events::Event, keys, n, s};

#[derive(Debug)]
pub enum ShelfWriteError {
    /// The record changed, appeared or went away since it was read.
    VersionConflict,
    Store(StoreError),
}

impl From<StoreError> for ShelfWriteError {
    fn from(err: StoreError) -> Self {
        ShelfWriteError::Store(err)
    }
}

/// Where a shelved record lives: the caller's own prefix and the shared one.
pub(crate) struct Shelf {
    pub personal: String,
    pub shared: &'static str,
}

impl Store {
    /// Writes `record` at `sk`: new when `read_version` is None, else over the version read.
    pub(crate) async fn put_shelved(
        &self,
        scope: &TenantScope,
        sk: String,
        record: &impl Serialize,
        read_version: Option<u64>,
        event: &Event,
    ) -> Result<(), ShelfWriteError> {
        let mut item: Item = serde_dynamo::to_item(record).map_err(StoreError::from)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(sk));
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match read_version {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(version) => {
                put.condition_expression("version = :version").expression_attribute_values(":version", n(version))
            }
        };
        let put = put.build().map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), ShelfWriteError::VersionConflict)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Deletes the record at `sk` if it is still at `version`, with its event.
    pub(crate) async fn delete_shelved(
        &self,
        scope: &TenantScope,
        sk: String,
        version: u64,
        event: &Event,
    ) -> Result<(), ShelfWriteError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(sk))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().delete(delete).build(), ShelfWriteError::VersionConflict)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The caller's own records, then the shared ones: two Queries, neither reading anyone else's.
    pub(crate) async fn shelved<T: DeserializeOwned>(
        &self,
        scope: &TenantScope,
        shelf: &Shelf,
    ) -> Result<(Vec<T>, Vec<T>), StoreError> {
        let personal = self.query_prefix(scope, &shelf.personal).await?;
        let shared = self.query_prefix(scope, shelf.shared).await?;
        Ok((personal, shared))
    }

    /// One record by its keys, the caller's own one or else the shared one: one BatchGetItem.
    pub(crate) async fn shelved_one<T: DeserializeOwned>(
        &self,
        scope: &TenantScope,
        personal_sk: String,
        shared_sk: String,
    ) -> Result<Option<T>, StoreError> {
        let key = |sk: &str| Item::from([(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(sk))]);
        let (mut personal, mut shared) = (None, None);
        for item in self.batch_get(vec![key(&personal_sk), key(&shared_sk)]).await? {
            let is_shared = super::string_attr(&item, keys::SK).as_deref() == Some(shared_sk.as_str());
            let record: T = serde_dynamo::from_item(item)?;
            if is_shared { shared = Some(record) } else { personal = Some(record) }
        }
        Ok(personal.or(shared))
    }
}
