//! Files attached to tickets, uploaded and downloaded through presigned requests.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{AttachmentId, TicketId, UserId};
use crate::storage::attachments::{Attachment, AttachmentStatus};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAttachmentRequest {
    pub filename: String,
    pub content_type: String,
    /// Exact size in bytes; the upload must match it.
    pub size: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: AttachmentId,
    pub ticket_id: TicketId,
    pub filename: String,
    pub content_type: String,
    pub size: u64,
    pub status: AttachmentStatus,
    /// Null for a file that came with the customer's e-mail.
    pub uploaded_by: Option<UserId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub uploaded_at: Option<Timestamp>,
}

impl From<&Attachment> for AttachmentView {
    fn from(attachment: &Attachment) -> Self {
        Self {
            id: attachment.id,
            ticket_id: attachment.ticket_id,
            filename: attachment.filename.clone(),
            content_type: attachment.content_type.clone(),
            size: attachment.size,
            status: attachment.status,
            uploaded_by: attachment.uploaded_by,
            created_at: attachment.created_at,
            uploaded_at: attachment.uploaded_at,
        }
    }
}

/// A presigned request: send exactly this method, URL and headers, before `expires_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresignedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentUpload {
    pub attachment: AttachmentView,
    /// PUT the file here, then confirm the upload.
    pub upload: PresignedRequest,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentDownload {
    pub attachment: AttachmentView,
    pub download: PresignedRequest,
}
