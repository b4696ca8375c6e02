//! Workspace settings: the ticket category taxonomy (`SETTINGS#CATEGORIES`) and the SLA policy
//! (`SETTINGS#SLA_POLICY`), each one item replaced as a whole, conditional on the version read,
//! together with its event.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{categories::Taxonomy, ids::UserId, sla::RawSlaPolicy};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CategorySettings {
    pub categories: Taxonomy,
    /// Raised by one on every replacement; a workspace that never set a taxonomy is at 0.
    pub version: u64,
    pub updated_at: Timestamp,
    pub updated_by: Option<UserId>,
}

/// The SLA policy as the admin sent it (validated on write; parsed again where it is used).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SlaPolicySettings {
    pub policy: RawSlaPolicy,
    pub version: u64,
    pub updated_at: Timestamp,
    pub updated_by: Option<UserId>,
}

/// How reports count days: in this IANA time zone (UTC until set).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReportSettings {
    pub time_zone: String,
    pub version: u64,
    pub updated_at: Timestamp,
    pub updated_by: Option<UserId>,
}

#[derive(Debug)]
pub enum SettingsWriteError {
    /// The item changed (or appeared) since it was read.
    VersionConflict,
    Store(StoreError),
}

impl From<StoreError> for SettingsWriteError {
    fn from(err: StoreError) -> Self {
        SettingsWriteError::Store(err)
    }
}

impl Store {
    /// The workspace's taxonomy, if one was ever set (one consistent GetItem).
    pub async fn get_categories(&self, scope: &TenantScope) -> Result<Option<CategorySettings>, StoreError> {
        self.get_record(scope.pk(), keys::CATEGORIES_SK).await
    }

    /// Replaces the taxonomy if it is still at `read_version` (None: no item yet), with its event.
    pub async fn put_categories(
        &self,
        scope: &TenantScope,
        read_version: Option<u64>,
        settings: &CategorySettings,
        event: &Event,
    ) -> Result<(), SettingsWriteError> {
        self.put_setting(scope, keys::CATEGORIES_SK, read_version, settings, event).await
    }

    /// The workspace's SLA policy, if one was ever set (one consistent GetItem).
    pub async fn get_sla_policy(&self, scope: &TenantScope) -> Result<Option<SlaPolicySettings>, StoreError> {
        self.get_record(scope.pk(), keys::SLA_POLICY_SK).await
    }

    /// Replaces the SLA policy if it is still at `read_version` (None: no item yet), with its event.
    pub async fn put_sla_policy(
        &self,
        scope: &TenantScope,
        read_version: Option<u64>,
        settings: &SlaPolicySettings,
        event: &Event,
    ) -> Result<(), SettingsWriteError> {
        self.put_setting(scope, keys::SLA_POLICY_SK, read_version, settings, event).await
    }

    pub async fn get_report_settings(&self, scope: &TenantScope) -> Result<Option<ReportSettings>, StoreError> {
        self.get_record(scope.pk(), keys::REPORT_SETTINGS_SK).await
    }

    /// Replaces the report settings if still at `read_version` (None: no item yet), with its event.
    pub async fn put_report_settings(
        &self,
        scope: &TenantScope,
        read_version: Option<u64>,
        settings: &ReportSettings,
        event: &Event,
    ) -> Result<(), SettingsWriteError> {
        self.put_setting(scope, keys::REPORT_SETTINGS_SK, read_version, settings, event).await
    }

    async fn put_setting(
        &self,
        scope: &TenantScope,
        sk: &str,
        read_version: Option<u64>,
        settings: &impl Serialize,
        event: &Event,
    ) -> Result<(), SettingsWriteError> {
        let mut item: Item = serde_dynamo::to_item(settings).map_err(StoreError::from)?;
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
            .with_named(TransactWriteItem::builder().put(put).build(), SettingsWriteError::VersionConflict)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }
}
