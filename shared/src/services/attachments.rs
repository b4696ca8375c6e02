//! Ticket attachments through presigned S3 URLs: the API never carries file bytes.
//!
//! 1. POST announces the file (name, type, exact size) and gets a short-lived PUT URL whose signature
//!    binds the content type and length, for a key under the workspace's prefix. The file's bytes are
//!    reserved against the plan's storage limit then, so announcing many files cannot pass it.
//! 2. The client PUTs the bytes to S3 (once: the URL cannot overwrite), then confirms. Confirming checks
//!    the object (size as announced), keeps the version it checked and takes the "unconfirmed" tag off
//!    it (the bucket's lifecycle rule removes uploads still tagged after a day), atomically with its event.
//! 3. GET hands out a short-lived download URL of the checked version, to members of the workspace only.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::plans::StorageLimit;
use super::{ServiceError, ServiceResult};
use crate::adapters::PresignedUrl;
use crate::api::{AttachmentDownload, AttachmentUpload, AttachmentView, CreateAttachmentRequest, PresignedRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::{
    FieldError, Gather, field,
    ids::{AttachmentId, TicketId},
    rule,
};
use crate::storage::{
    attachments::{Attachment, AttachmentStatus, ConfirmError, CreateAttachmentError},
    events::Event,
    keys,
};

pub const MAX_ATTACHMENT_BYTES: u64 = 25 * 1024 * 1024;
pub const MAX_FILENAME_CHARS: usize = 120;
pub const URL_TTL: Duration = Duration::from_secs(300);
/// The most uploads a ticket may have announced and not confirmed at once.
pub const MAX_PENDING_PER_TICKET: u32 = 20;
/// When the storage limit stops an announcement, at most this many of the workspace's announcements
/// are looked at for lapsed ones (a bounded read per request).
pub const MAX_LAPSED_PER_ANNOUNCEMENT: usize = 200;
/// How long an announcement may wait for its confirmation; after that it lapses (its place in the
/// ticket's bound is given back when the bound is reached).
pub const PENDING_LIFETIME: SignedDuration = SignedDuration::from_hours(1);

/// What may be attached: documents, images, plain data. No executables, no HTML (stored XSS).
pub const ALLOWED_CONTENT_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/json",
    "application/zip",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// A file name safe for an object key and a download header: the base name, with anything but
/// letters, digits, dot, dash and underscore replaced.
pub fn sanitize_filename(raw: &str) -> Result<String, String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let cleaned: String =
        base.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '.') {
        return Err("must name a file".to_owned());
    }
    if cleaned.chars().count() > MAX_FILENAME_CHARS {
        return Err(format!("must be at most {MAX_FILENAME_CHARS} characters"));
    }
    Ok(cleaned)
}

/// The wire form of a presigned request, with when it stops working.
fn presigned(request: PresignedUrl, now: Timestamp) -> PresignedRequest {
    PresignedRequest {
        method: request.method,
        url: request.url,
        headers: request.headers.into_iter().collect(),
        expires_at: now + SignedDuration::try_from(URL_TTL).unwrap_or(SignedDuration::from_secs(300)),
    }
}

pub async fn create_upload(
    app: &App,
    caller: &MemberPrincipal,
    ticket: TicketId,
    request: CreateAttachmentRequest,
) -> ServiceResult<AttachmentUpload> {
    let content_type = request.content_type.trim().to_ascii_lowercase();
    let (filename, (), ()) = (
        field("filename", sanitize_filename(&request.filename)),
        rule(
            "content_type",
            ALLOWED_CONTENT_TYPES.contains(&content_type.as_str()),
            &format!("must be one of {}", ALLOWED_CONTENT_TYPES.join(", ")),
        ),
        rule(
            "size",
            (1..=MAX_ATTACHMENT_BYTES).contains(&request.size),
            &format!("must be from 1 to {MAX_ATTACHMENT_BYTES} bytes"),
        ),
    )
        .gather()?;

    let scope = caller.scope();
    let (workspace, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let storage = StorageLimit::of(&workspace, &plan);
    let limit = storage.for_files();
    let storage_full = |used: u64| storage.reached(used);
    let now = app.clock.now();
    let id = AttachmentId::generate();
    let attachment = Attachment {
        id,
        ticket_id: ticket,
        object_key: keys::attachment_object_key(workspace.id, ticket, id, &filename),
        filename,
        content_type,
        size: request.size,
        status: AttachmentStatus::Pending,
        uploaded_by: Some(caller.user_id),
        created_at: now,
        uploaded_at: None,
        version_id: None,
        reserved: true,
    };
    // Signed before the record is written (signing is local), so a failure leaves nothing behind.
    let upload =
        app.attachments.presign_put(&attachment.object_key, &attachment.content_type, attachment.size, URL_TTL).await?;
    // One retry after giving back what lapsed: the ticket's places, or the workspace's reserved bytes.
    let mut lapsed_any = false;
    loop {
        match app.store.create_attachment(&scope, &attachment, MAX_PENDING_PER_TICKET, limit).await {
            Ok(()) => break,
            Err(CreateAttachmentError::NoTicket) => return Err(ServiceError::NotFound("The ticket")),
            Err(CreateAttachmentError::TooManyPending) if !lapsed_any => {
                let pending = app.store.pending_attachments(&scope, ticket).await?;
                lapsed_any = lapse_old_announcements(app, &scope, pending, now).await? > 0;
                if !lapsed_any {
                    return Err(too_many_pending());
                }
            }
            Err(CreateAttachmentError::TooManyPending) => return Err(too_many_pending()),
            Err(CreateAttachmentError::StorageLimitReached { used }) if !lapsed_any => {
                let pending = app.store.pending_attachments_of_workspace(&scope, MAX_LAPSED_PER_ANNOUNCEMENT).await?;
                lapsed_any = lapse_old_announcements(app, &scope, pending, now).await? > 0;
                if !lapsed_any {
                    return Err(storage_full(used));
                }
            }
            Err(CreateAttachmentError::StorageLimitReached { used }) => return Err(storage_full(used)),
            Err(CreateAttachmentError::Store(err)) => return Err(err.into()),
        }
    }
    Ok(AttachmentUpload { attachment: (&attachment).into(), upload: presigned(upload, now) })
}

fn too_many_pending() -> ServiceError {
    ServiceError::Conflict(format!(
        "The ticket has {MAX_PENDING_PER_TICKET} uploads announced and not confirmed: confirm them, or wait for \
         them to lapse ({} minutes after they were announced).",
        PENDING_LIFETIME.as_mins()
    ))
}

/// Gives back the places and reserved bytes of those `pending` announcements older than
/// [`PENDING_LIFETIME`]; how many.
async fn lapse_old_announcements(
    app: &App,
    scope: &crate::storage::TenantScope,
    pending: Vec<Attachment>,
    now: Timestamp,
) -> ServiceResult<usize> {
    let mut lapsed = 0;
    for pending in pending {
        if pending.created_at + PENDING_LIFETIME <= now && app.store.lapse_attachment(scope, &pending).await? {
            lapsed += 1;
        }
    }
    Ok(lapsed)
}

async fn load(app: &App, caller: &MemberPrincipal, ticket: TicketId, id: AttachmentId) -> ServiceResult<Attachment> {
    app.store.get_attachment(&caller.scope(), ticket, id).await?.ok_or(ServiceError::NotFound("The attachment"))
}

/// Checks the uploaded object and counts it. Idempotent: confirming twice returns the same record.
pub async fn confirm(
    app: &App,
    caller: &MemberPrincipal,
    ticket: TicketId,
    id: AttachmentId,
) -> ServiceResult<AttachmentView> {
    let pending = load(app, caller, ticket, id).await?;
    if pending.status == AttachmentStatus::Uploaded {
        return Ok((&pending).into());
    }
    let Some(stored) = app.attachments.head(&pending.object_key).await? else {
        return Err(ServiceError::Conflict(
            "The file is not uploaded yet: PUT it to the upload URL first, then confirm.".to_owned(),
        ));
    };
    let scope = caller.scope();
    if stored.size != pending.size {
        // The key holds the wrong bytes for good (the URL writes once): the announcement gives back its
        // place and bytes, and the file is announced again.
        app.store.lapse_attachment(&scope, &pending).await?;
        return Err(ServiceError::Validation(vec![FieldError::new(
            "size",
            format!(
                "the uploaded file has {} bytes, not the {} announced; announce it again with its size",
                stored.size, pending.size
            ),
        )]));
    }
    // Before the record says "uploaded", so a confirmed file never keeps the tag that expires it.
    app.attachments.confirm(&pending.object_key, stored.version_id.as_deref()).await?;
    let (workspace, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let now = app.clock.now();
    let uploaded = Attachment {
        status: AttachmentStatus::Uploaded,
        uploaded_at: Some(now),
        version_id: stored.version_id,
        ..pending.clone()
    };
    let ticket_record = app.store.get_ticket(&scope, ticket).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let event = Event::new(EventKind::AttachmentAdded, Some(caller.user_id), format!("ticket/{ticket}"), now)
        .with_change(
            None,
            Some(serde_json::json!({
                "attachment_id": id, "filename": uploaded.filename, "size": uploaded.size,
            })),
        )
        .about_ticket(ticket, ticket_record.customer_id);
    let storage = StorageLimit::of(&workspace, &plan);
    match app.store.confirm_attachment(&scope, &uploaded, storage.for_files(), &event).await {
        Ok(()) => Ok((&uploaded).into()),
        Err(ConfirmError::AlreadyConfirmed) => Ok((&load(app, caller, ticket, id).await?).into()),
        Err(ConfirmError::StorageLimitReached { used }) => Err(storage.reached(used)),
        Err(ConfirmError::Store(err)) => Err(err.into()),
    }
}

/// A short-lived download URL for an uploaded attachment.
pub async fn download(
    app: &App,
    caller: &MemberPrincipal,
    ticket: TicketId,
    id: AttachmentId,
) -> ServiceResult<AttachmentDownload> {
    let attachment = load(app, caller, ticket, id).await?;
    if attachment.status != AttachmentStatus::Uploaded {
        return Err(ServiceError::Conflict("The file was never confirmed as uploaded.".to_owned()));
    }
    let now = app.clock.now();
    let request = app
        .attachments
        .presign_download(
            &attachment.object_key,
            attachment.version_id.as_deref(),
            &attachment.filename,
            &attachment.content_type,
            URL_TTL,
        )
        .await?;
    Ok(AttachmentDownload { attachment: (&attachment).into(), download: presigned(request, now) })
}

/// The files a reply names must be uploaded files of its ticket, together small enough to go by
/// e-mail (SES takes messages up to 40 MB, base64 makes files a third larger).
pub async fn check_reply_files(
    app: &App,
    scope: &crate::storage::TenantScope,
    ticket: TicketId,
    ids: &[AttachmentId],
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let mut total = 0;
    for (index, id) in ids.iter().enumerate() {
        match app.store.get_attachment(scope, ticket, *id).await? {
            Some(attachment) if attachment.status == AttachmentStatus::Uploaded => total += attachment.size,
            _ => errors
                .push(FieldError::new(format!("attachment_ids[{index}]"), "is not an uploaded file of this ticket")),
        }
    }
    if errors.is_empty() && total > MAX_ATTACHMENT_BYTES {
        errors.push(FieldError::new("attachment_ids", "the files together must be at most 25 MB to go by e-mail"));
    }
    if errors.is_empty() { Ok(()) } else { Err(ServiceError::Validation(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_odd_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(sanitize_filename("C:\\\\Users\\\\me\\\\Q3 report (final).pdf").unwrap(), "Q3_report__final_.pdf");
        assert_eq!(sanitize_filename("naïve.txt").unwrap(), "na_ve.txt");
        assert!(sanitize_filename("..").is_err());
        assert!(sanitize_filename("dir/").is_err());
        assert!(sanitize_filename(&format!("{}.txt", "a".repeat(120))).is_err());
    }
}
