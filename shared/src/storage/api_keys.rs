//! API keys (`APIKEY#<id>` in the workspace partition). Only the SHA-256 of a key is stored; GSI1 finds a
//! key by that hash (`APIKEYHASH#<hash>`) for the authorizer, and a revoked key leaves the index.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::applied;
use super::transaction::{Transaction, TransactionError};
use super::{Item, QuerySpec, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::ids::{ApiKeyId, UserId, WorkspaceId};
use crate::domain::rbac::Permission;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    /// SHA-256 of the key, hex.
    pub hash: String,
    pub scopes: Vec<Permission>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    #[serde(default)]
    pub last_used_at: Option<Timestamp>,
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
    pub version: u64,
}

/// Last use is written at most this often per key (the authorizer calls cost one write a minute at most).
pub const LAST_USED_EVERY_SECS: i64 = 60;

impl Store {
    fn api_key_item(&self, key: &ApiKey) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(key)?;
        item.insert(keys::PK.to_owned(), s(keys::workspace_pk(key.workspace_id)));
        item.insert(keys::SK.to_owned(), s(keys::api_key_sk(key.id)));
        if key.revoked_at.is_none() {
            item.insert(keys::GSI1PK.to_owned(), s(keys::api_key_hash_gsi1pk(&key.hash)));
            item.insert(keys::GSI1SK.to_owned(), s(keys::API_KEY_GSI1SK));
        }
        Ok(item)
    }

    pub async fn create_api_key(&self, scope: &TenantScope, key: &ApiKey, event: &Event) -> Result<(), StoreError> {
        debug_assert_eq!(key.workspace_id, scope.workspace_id());
        let transaction =
            Transaction::new().with(self.put_new(self.api_key_item(key)?)?).with(self.put_event(scope, event)?);
        Ok(self.transact(transaction).await?)
    }

    pub async fn get_api_key(&self, scope: &TenantScope, id: ApiKeyId) -> Result<Option<ApiKey>, StoreError> {
        self.get_record(scope.pk(), keys::api_key_sk(id)).await
    }

    /// The workspace's keys, revoked ones included.
    pub async fn list_api_keys(&self, scope: &TenantScope) -> Result<Vec<ApiKey>, StoreError> {
        self.query_prefix::<ApiKey>(scope, keys::API_KEY_PREFIX).await
    }

    /// Replaces a key (revocation, rotation) if it is still at `read_version`, with its event. Returns
    /// false when it changed meanwhile.
    pub async fn replace_api_key(
        &self,
        scope: &TenantScope,
        read_version: u64,
        key: &ApiKey,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.api_key_item(key)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        struct KeyChanged;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), KeyChanged)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: KeyChanged, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// The live key with this hash, in any workspace (the authorizer's look-up, before any principal exists).
    pub async fn find_api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let query = QuerySpec::new("GSI1PK = :pk AND GSI1SK = :sk")
            .on_index(keys::GSI1)
            .value(":pk", s(keys::api_key_hash_gsi1pk(hash)))
            .value(":sk", s(keys::API_KEY_GSI1SK));
        let (items, _) = self.query_up_to(&query, None, 1, 1).await?;
        Ok(super::items_of::<ApiKey>(&items)?.into_iter().find(|key| key.hash == hash))
    }

    /// Notes a use of the key, unless one was noted in the last minute (a cheap conditional write).
    pub async fn touch_api_key(&self, key: &ApiKey, now: Timestamp) -> Result<(), StoreError> {
        let threshold = now.as_second() - LAST_USED_EVERY_SECS;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::workspace_pk(key.workspace_id)))
            .key(keys::SK, s(keys::api_key_sk(key.id)))
            .update_expression("SET last_used_at = :now, last_used_epoch = :epoch")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(last_used_epoch) OR last_used_epoch < :threshold)",
            )
            .expression_attribute_values(":now", serde_dynamo::to_attribute_value(now)?)
            .expression_attribute_values(":epoch", n(now.as_second()))
            .expression_attribute_values(":threshold", n(threshold))
            .send()
            .await;
        // Refused by the condition: nothing to do.
        applied(result)?;
        Ok(())
    }
}
