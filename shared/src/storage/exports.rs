//! Export jobs (`EXPORT#<export>` in the workspace partition): what was asked, by whom, and how far the
//! worker got. Each write replaces the item, conditional on the status the writer read, so a worker
//! redelivered a message never overwrites a job another attempt finished.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Store, StoreError, TenantScope, keys, n, s};
use crate::domain::exports::{ExportFormat, ExportKind, ExportStatus};
use crate::domain::ids::{ExportId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExportJob {
    pub id: ExportId,
    /// The member who asked: the file holds what they may read, and only they may download it.
    pub requested_by: UserId,
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub filters: BTreeMap<String, String>,
    pub status: ExportStatus,
    /// Rows written (without the header line).
    pub rows: u64,
    pub bytes: u64,
    /// The file in the exports bucket, once written.
    pub object_key: Option<String>,
    pub filename: String,
    /// Why the export failed, in words for the member.
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Epoch seconds: when the file is gone from the bucket and the job from the table (TTL).
    pub expires_at: i64,
}

impl Store {
    /// Writes a new job (its id is fresh: a clash is a bug, reported as the condition failing).
    pub async fn put_export(&self, scope: &TenantScope, job: &ExportJob) -> Result<(), StoreError> {
        let mut item: super::Item = serde_dynamo::to_item(job)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::export_sk(job.id)));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map(|_| ())
            .map_err(super::backend)
    }

    pub async fn get_export(&self, scope: &TenantScope, id: ExportId) -> Result<Option<ExportJob>, StoreError> {
        self.get_record(scope.pk(), keys::export_sk(id)).await
    }

    /// Replaces the job if it is still at `read_status`; whether it was (false: another attempt moved it).
    pub async fn save_export(
        &self,
        scope: &TenantScope,
        job: &ExportJob,
        read_status: ExportStatus,
    ) -> Result<bool, StoreError> {
        let mut item: super::Item = serde_dynamo::to_item(job)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::export_sk(job.id)));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#status = :read AND expires_at = :expires")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":read", s(read_status.as_str()))
            .expression_attribute_values(":expires", n(job.expires_at))
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(super::backend(err)),
        }
    }
}
