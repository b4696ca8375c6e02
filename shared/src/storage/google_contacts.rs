//! Google Contacts: a member's connection (`GOOGLE_CONNECTION#<user>`, also on the sharded connection
//! index GSI1 `GOOGLE_CONNECTIONS#<shard>`), pending OAuth authorizations (`GOOGLE_OAUTH_STATE#<state>`,
//! TTL) and the contact → record mapping (`GOOGLE_CONTACT#<user>#<resource name>`). docs/data-model.md.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::query::QuerySpec;
use super::{Item, Store, StoreError, TenantScope, backend, items_of, keys, n, s};
use crate::domain::ids::{CustomerId, UserId, WorkspaceId};
use crate::domain::sealed::Sealed;

/// What Google contacts land as in Switchboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncTarget {
    Customers,
    Leads,
}

/// What a contact deleted in Google does to the record it landed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeletionPolicy {
    /// The record stays as it is; the link to the contact is dropped.
    Ignore,
    /// The record stays, marked with the attribute `google_contact` = `deleted`; the link is dropped.
    Archive,
    /// The record is deleted (leads only: customers hold ticket history and are never deleted).
    Delete,
}

/// Counts of one sync run, or of all runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SyncCounts {
    /// Records created from contacts.
    pub imported: u64,
    /// Records changed from contacts (including existing records linked by e-mail).
    pub updated: u64,
    /// Contacts deleted in Google, applied by the deletion policy.
    pub deleted: u64,
    /// Contacts with nothing to land as a record (no e-mail for customers; no name or e-mail for leads).
    pub skipped: u64,
    /// Contacts written to Google (two-way): customers made there and customers changed here.
    #[serde(default)]
    pub exported: u64,
    /// Write-backs Google refused because the contact changed there meanwhile: Google's version was
    /// read again and applied (Google wins).
    #[serde(default)]
    pub conflicts: u64,
}

impl SyncCounts {
    pub fn add(&mut self, other: SyncCounts) {
        self.imported += other.imported;
        self.updated += other.updated;
        self.deleted += other.deleted;
        self.skipped += other.skipped;
        self.exported += other.exported;
        self.conflicts += other.conflicts;
    }
}

/// How syncing goes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    pub last_sync_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    pub last_run: SyncCounts,
    pub totals: SyncCounts,
    pub last_error: Option<String>,
    /// Google asked us to slow down: no sync before this moment.
    pub resume_after: Option<Timestamp>,
    /// Full listings made (the first import, and each one after an expired sync token).
    pub full_syncs: u64,
    /// Google refused the refresh token (revoked by the member in their Google account): the member
    /// must connect again; scheduled syncs skip the connection meanwhile.
    pub needs_reconnect: bool,
}

/// One member's connection to their Google account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoogleConnection {
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    /// The scopes Google granted.
    pub scope: String,
    pub target: SyncTarget,
    pub deletion: DeletionPolicy,
    /// Customers changed in Switchboard are written back to Google (needs the `contacts` scope).
    pub two_way: bool,
    /// The access and refresh tokens, sealed (services::envelope); never stored in clear.
    pub tokens: Sealed,
    pub access_expires_at: Timestamp,
    /// Google's token for the next incremental sync (None: the next sync is a full listing).
    pub sync_token: Option<String>,
    /// A listing in progress: the page to fetch next (with `sync_token` when it is incremental).
    pub page_token: Option<String>,
    /// Two-way: the export has looked at every customer up to this one (in creation order) and made a
    /// contact of each that had none; the next run walks on from here.
    #[serde(default)]
    pub export_after: Option<CustomerId>,
    pub state: SyncState,
    /// A run holds the connection until then (one run at a time; a crashed run's hold lapses).
    #[serde(default)]
    pub running_until: Option<Timestamp>,
    pub connected_at: Timestamp,
    /// Raised on every write; writes are conditional on the version read.
    pub version: u64,
}

/// An authorization the member started: the PKCE verifier stays here, never in the browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    pub user_id: UserId,
    pub code_verifier: String,
    pub two_way: bool,
    pub target: SyncTarget,
    pub deletion: DeletionPolicy,
    /// Epoch seconds (the table's TTL attribute); refused after it even before the TTL removes it.
    pub expires_at: i64,
}

/// Which kind of record a contact landed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkedKind {
    Customer,
    Lead,
}

/// A contact and the record it landed as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactLink {
    pub resource_name: String,
    pub kind: LinkedKind,
    /// The customer or lead id.
    pub record_id: String,
    /// Google's etag of the contact as last applied (or as last written back).
    pub etag: String,
    /// The record's version as last applied, to tell a Switchboard change from ours (two-way).
    pub record_version: u64,
}

fn with_keys(record: &impl Serialize, pk: String, sk: String) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record)?;
    item.insert(keys::PK.to_owned(), s(pk));
    item.insert(keys::SK.to_owned(), s(sk));
    Ok(item)
}

impl Store {
    pub async fn get_google_connection(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> Result<Option<GoogleConnection>, StoreError> {
        self.get_record(scope.pk(), keys::google_connection_sk(user)).await
    }

    /// Writes the connection if it is still at `read_version` (None: there must be none yet). Returns
    /// false when it changed meanwhile (another sync, a disconnect), having written nothing.
    pub async fn put_google_connection(
        &self,
        scope: &TenantScope,
        connection: &GoogleConnection,
        read_version: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut item = with_keys(connection, scope.pk(), keys::google_connection_sk(connection.user_id))?;
        item.insert(
            keys::GSI1PK.to_owned(),
            s(keys::google_connections_gsi1pk(keys::google_connection_shard(connection.user_id))),
        );
        item.insert(
            keys::GSI1SK.to_owned(),
            s(keys::google_connection_gsi1sk(scope.workspace_id(), connection.user_id)),
        );
        let request = self.client.put_item().table_name(&self.table).set_item(Some(item));
        let request = match read_version {
            None => request.condition_expression("attribute_not_exists(PK)"),
            Some(version) => {
                request.condition_expression("version = :read").expression_attribute_values(":read", n(version))
            }
        };
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(backend(err)),
        }
    }

    /// Removes the connection and every contact link of it; the records stay.
    pub async fn delete_google_connection(&self, scope: &TenantScope, user: UserId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::google_connection_sk(user)))
            .send()
            .await
            .map_err(backend)?;
        let links = self
            .query_all(&QuerySpec::under_prefix(scope, keys::google_contacts_prefix(user)).project("PK, SK"))
            .await?;
        for chunk in links.chunks(25) {
            let requests = chunk
                .iter()
                .map(|key| {
                    let delete =
                        aws_sdk_dynamodb::types::DeleteRequest::builder().set_key(Some(key.clone())).build()?;
                    Ok(aws_sdk_dynamodb::types::WriteRequest::builder().delete_request(delete).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            let mut pending = requests;
            while !pending.is_empty() {
                let output =
                    self.client.batch_write_item().request_items(&self.table, pending).send().await.map_err(backend)?;
                pending = output.unprocessed_items.and_then(|mut left| left.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }

    /// One page of the connection index shard: (workspace, member) pairs, and where to go on from.
    pub async fn google_connections_page(
        &self,
        shard: u32,
        start: Option<HashMap<String, AttributeValue>>,
        limit: usize,
    ) -> Result<(Vec<(WorkspaceId, UserId)>, Option<Item>), StoreError> {
        let query = QuerySpec::new("GSI1PK = :pk")
            .on_index(keys::GSI1)
            .value(":pk", s(keys::google_connections_gsi1pk(shard)))
            .project("workspace_id, user_id");
        #[derive(Deserialize)]
        struct Entry {
            workspace_id: WorkspaceId,
            user_id: UserId,
        }
        let (items, next) = self.query_up_to(&query, start, limit, 1).await?;
        let entries: Vec<Entry> = items_of(&items)?;
        Ok((entries.into_iter().map(|entry| (entry.workspace_id, entry.user_id)).collect(), next))
    }

    pub async fn put_google_authorization(
        &self,
        scope: &TenantScope,
        state: &str,
        pending: &PendingAuthorization,
    ) -> Result<(), StoreError> {
        let mut item = with_keys(pending, scope.pk(), keys::google_oauth_state_sk(state))?;
        item.insert(keys::TTL.to_owned(), n(pending.expires_at));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(backend)?;
        Ok(())
    }

    /// Takes a pending authorization (it can be used once): removed whether or not it is still valid.
    pub async fn take_google_authorization(
        &self,
        scope: &TenantScope,
        state: &str,
    ) -> Result<Option<PendingAuthorization>, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::google_oauth_state_sk(state)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(backend)?;
        output.attributes.map(serde_dynamo::from_item).transpose().map_err(StoreError::from)
    }

    pub async fn get_contact_link(
        &self,
        scope: &TenantScope,
        user: UserId,
        resource: &str,
    ) -> Result<Option<ContactLink>, StoreError> {
        self.get_record(scope.pk(), keys::google_contact_sk(user, resource)).await
    }

    pub async fn put_contact_link(
        &self,
        scope: &TenantScope,
        user: UserId,
        link: &ContactLink,
    ) -> Result<(), StoreError> {
        let item = with_keys(link, scope.pk(), keys::google_contact_sk(user, &link.resource_name))?;
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(backend)?;
        Ok(())
    }

    pub async fn delete_contact_link(
        &self,
        scope: &TenantScope,
        user: UserId,
        resource: &str,
    ) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::google_contact_sk(user, resource)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Every contact link of a member's connection (for the two-way export).
    pub async fn contact_links(&self, scope: &TenantScope, user: UserId) -> Result<Vec<ContactLink>, StoreError> {
        self.query_prefix(scope, &keys::google_contacts_prefix(user)).await
    }
}
