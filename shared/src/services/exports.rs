//! Exports as use cases: a member starts one (a job item and a queue message), the export worker writes
//! it (page after page of the list, or the report, into a multipart upload: rows stream through and
//! never sit in memory together), and the member reads the job for a download link that expires.
//!
//! The worker reads as the member who asked, through the same services the list and report endpoints
//! call, with the member's role as it is when the job runs: the file holds exactly what that member may
//! read with those filters.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ServiceError, ServiceResult, customers, deals, leads, reports, support_reports, tickets};
use crate::adapters::BlobStore;
use crate::adapters::blob_store::MIN_PART_SIZE;
use crate::api::{CreateExportRequest, DealListQuery, ExportView, LeadListParams, PresignedRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::exports::{self, Column, ExportFormat, ExportKind, ExportSpec, ExportStatus};
use crate::domain::ids::{ExportId, WorkspaceId};
use crate::services::commands::tickets::InboxQuery;
use crate::storage::exports::ExportJob;
use crate::storage::{PageParams, TenantScope, keys};

/// What the export queue carries: the job to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportMessage {
    pub workspace_id: WorkspaceId,
    pub export_id: ExportId,
}

/// Bytes gathered before a part is uploaded: above S3's minimum part size, far below a function's memory.
const PART_SIZE: usize = MIN_PART_SIZE + MIN_PART_SIZE / 2;

/// Starts an export: checks what is asked and that the caller may read it (and that the filters are
/// ones the list or report takes, by reading its first row), then queues the job.
pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateExportRequest) -> ServiceResult<ExportView> {
    let spec = ExportSpec::parse(&request.kind, request.format.as_deref(), request.filters)?;
    if !caller.can(spec.kind.permission()) {
        return Err(ServiceError::Forbidden(format!(
            "Exporting {} needs the permission {}, as reading it does.",
            spec.kind.as_str(),
            spec.kind.permission().as_str()
        )));
    }
    // Bad filters get their 422 (an unknown pipeline its 404) now, not a failed job later.
    first_page(app, caller, &spec).await?;
    let now = app.clock.now();
    let id = ExportId::generate();
    let extension = spec.format.as_str();
    let job = ExportJob {
        id,
        requested_by: caller.user_id,
        kind: spec.kind,
        format: spec.format,
        filters: spec.filters,
        status: ExportStatus::Queued,
        rows: 0,
        bytes: 0,
        object_key: None,
        filename: format!("{}-{}.{extension}", spec.kind.file_stem(), now.strftime("%Y-%m-%d-%H%M")),
        error: None,
        created_at: now,
        finished_at: None,
        expires_at: (now + SignedDuration::from_hours(24 * exports::KEEP_DAYS)).as_second(),
    };
    let scope = caller.scope();
    app.store.put_export(&scope, &job).await?;
    if let Err(err) = app.export_queue.send(&ExportMessage { workspace_id: scope.workspace_id(), export_id: id }).await
    {
        let failed = ExportJob {
            status: ExportStatus::Failed,
            error: Some("The export could not be started; try again.".to_owned()),
            finished_at: Some(now),
            ..job
        };
        app.store.save_export(&scope, &failed, ExportStatus::Queued).await?;
        return Err(err.into());
    }
    view(app, &job).await
}

/// The caller's export (another member's is not found: the file holds what its requester may read).
pub async fn get(app: &App, caller: &MemberPrincipal, id: ExportId) -> ServiceResult<ExportView> {
    let job = app.store.get_export(&caller.scope(), id).await?;
    let job = job.filter(|job| job.requested_by == caller.user_id).ok_or(ServiceError::NotFound("The export"))?;
    view(app, &job).await
}

async fn view(app: &App, job: &ExportJob) -> ServiceResult<ExportView> {
    let now = app.clock.now();
    let expires_at = Timestamp::from_second(job.expires_at).unwrap_or(now);
    let expired = now >= expires_at;
    let download = match (&job.object_key, job.status, expired) {
        (Some(key), ExportStatus::Ready, false) => {
            let url = app
                .exports
                .presign_download(key, None, &job.filename, job.format.content_type(), exports::LINK_TTL)
                .await?;
            // The link never outlives the file.
            let link_ends = now + SignedDuration::try_from(exports::LINK_TTL).unwrap_or(SignedDuration::ZERO);
            Some(PresignedRequest {
                method: url.method,
                url: url.url,
                headers: url.headers.into_iter().collect(),
                expires_at: link_ends.min(expires_at),
            })
        }
        _ => None,
    };
    Ok(ExportView {
        id: job.id,
        kind: job.kind.as_str().to_owned(),
        format: job.format.as_str().to_owned(),
        filters: job.filters.clone(),
        status: if expired { "expired".to_owned() } else { job.status.as_str().to_owned() },
        rows: job.rows,
        bytes: job.bytes,
        filename: job.filename.clone(),
        error: job.error.clone(),
        created_at: job.created_at,
        finished_at: job.finished_at,
        expires_at,
        download,
    })
}

/// Runs one job (the export worker). A job already finished, gone or expired is left alone; a job
/// whose member may no longer read what it exports fails. An error is one worth retrying (the queue
/// redelivers; after the last attempt the dead-letter consumer marks the job failed).
pub async fn run(app: &App, message: &ExportMessage) -> ServiceResult<()> {
    let scope = TenantScope::for_system(message.workspace_id);
    let Some(job) = app.store.get_export(&scope, message.export_id).await? else { return Ok(()) };
    let now = app.clock.now();
    if matches!(job.status, ExportStatus::Ready | ExportStatus::Failed) || now.as_second() >= job.expires_at {
        return Ok(());
    }
    let member = app.store.get_member(&scope, job.requested_by).await?;
    let Some(member) = member.filter(|member| member.is_active() && member.role.can(job.kind.permission())) else {
        return fail(app, &scope, job, "Your role no longer lets you read what this export holds.").await;
    };
    let caller = MemberPrincipal::new(message.workspace_id, member.id, member.role);
    let read_status = job.status;
    let running = ExportJob { status: ExportStatus::Running, ..job };
    if read_status == ExportStatus::Queued && !app.store.save_export(&scope, &running, read_status).await? {
        return Ok(()); // another attempt took it
    }
    let key = keys::export_object_key(message.workspace_id, running.id, &running.filename);
    let written = match running.format {
        ExportFormat::Csv => write_csv(app, &caller, &running, &key).await,
    };
    match written {
        Ok((rows, bytes)) => {
            let ready = ExportJob {
                status: ExportStatus::Ready,
                rows,
                bytes,
                object_key: Some(key),
                finished_at: Some(app.clock.now()),
                ..running
            };
            app.store.save_export(&scope, &ready, ExportStatus::Running).await?;
            tracing::info!(export_id = %ready.id, kind = ready.kind.as_str(), rows, bytes, "export ready");
            Ok(())
        }
        // The filters no longer hold (a pipeline deleted since): retrying cannot help.
        Err(ServiceError::Validation(errors)) => {
            let reasons: Vec<String> =
                errors.iter().map(|error| format!("{}: {}", error.field, error.message)).collect();
            fail(app, &scope, running, &format!("The filters no longer apply ({}).", reasons.join("; "))).await
        }
        Err(ServiceError::NotFound(what)) => fail(app, &scope, running, &format!("{what} no longer exists.")).await,
        Err(err) => Err(err),
    }
}

/// Marks a job failed with its reason, for the member; the dead-letter consumer's end for a job.
pub async fn fail(app: &App, scope: &TenantScope, job: ExportJob, reason: &str) -> ServiceResult<()> {
    let read_status = job.status;
    let failed = ExportJob {
        status: ExportStatus::Failed,
        error: Some(reason.to_owned()),
        finished_at: Some(app.clock.now()),
        ..job
    };
    app.store.save_export(scope, &failed, read_status).await?;
    tracing::warn!(export_id = %failed.id, reason, "export failed");
    Ok(())
}

/// The dead-letter consumer: the job whose every attempt failed is marked failed.
pub async fn dead_lettered(app: &App, message: &ExportMessage) -> ServiceResult<()> {
    let scope = TenantScope::for_system(message.workspace_id);
    match app.store.get_export(&scope, message.export_id).await? {
        Some(job) if matches!(job.status, ExportStatus::Queued | ExportStatus::Running) => {
            fail(app, &scope, job, "The export could not be written; try again.").await
        }
        _ => Ok(()),
    }
}

/// One page of rows (as JSON) and the cursor of the next; reports are one page.
struct Rows {
    rows: Vec<Value>,
    next_cursor: Option<String>,
}

fn filter(spec_filters: &BTreeMap<String, String>, name: &str) -> Option<String> {
    spec_filters.get(name).cloned()
}

fn json_rows<T: Serialize>(items: &[T]) -> ServiceResult<Vec<Value>> {
    items.iter().map(|item| serde_json::to_value(item).map_err(|err| ServiceError::Export(err.to_string()))).collect()
}

async fn first_page(app: &App, caller: &MemberPrincipal, spec: &ExportSpec) -> ServiceResult<()> {
    page_of(app, caller, spec.kind, &spec.filters, PageParams { limit: 1, cursor: None }).await.map(|_| ())
}

/// A page of the list (or the whole report) as the caller reads it with these filters.
async fn page_of(
    app: &App,
    caller: &MemberPrincipal,
    kind: ExportKind,
    filters: &BTreeMap<String, String>,
    page: PageParams,
) -> ServiceResult<Rows> {
    let get = |name: &str| filter(filters, name);
    let whole = |report: Value, pointer: &str| Rows {
        rows: report.pointer(pointer).and_then(Value::as_array).cloned().unwrap_or_default(),
        next_cursor: None,
    };
    Ok(match kind {
        ExportKind::Tickets => {
            let query = InboxQuery {
                view: get("view"),
                sort: get("sort"),
                status: get("status"),
                priority: get("priority"),
                category: get("category"),
                tag: get("tag"),
                assignee: get("assignee"),
                customer: get("customer"),
                number: get("number"),
                q: get("q"),
            };
            let list = tickets::list(app, caller, query, page).await?;
            Rows { rows: json_rows(&list.items)?, next_cursor: list.next_cursor }
        }
        ExportKind::Customers => {
            let list = customers::list(app, caller, get("email_prefix"), page).await?;
            Rows { rows: json_rows(&list.items)?, next_cursor: list.next_cursor }
        }
        ExportKind::Leads => {
            let params = LeadListParams {
                status: get("status"),
                owner: get("owner"),
                source: get("source"),
                tag: get("tag"),
                created_from: get("created_from"),
                created_to: get("created_to"),
                sort: get("sort"),
            };
            let list = leads::list(app, caller, &params, page).await?;
            Rows { rows: json_rows(&list.items)?, next_cursor: list.next_cursor }
        }
        ExportKind::Deals => {
            let query = DealListQuery {
                status: get("status"),
                sort: get("sort"),
                pipeline_id: get("pipeline_id"),
                stage_id: get("stage_id"),
                owner_id: get("owner_id"),
                tag: get("tag"),
                currency: get("currency"),
                min_value: get("min_value"),
                max_value: get("max_value"),
                close_from: get("close_from"),
                close_to: get("close_to"),
            };
            let list = deals::list(app, caller, &query, page).await?;
            Rows { rows: json_rows(&list.items)?, next_cursor: list.next_cursor }
        }
        report_kind => {
            let report = report_json(app, caller, report_kind, filters).await?;
            whole(report, exports::report_rows(report_kind, filters.contains_key("breakdown")))
        }
    })
}

/// The report as its endpoint answers it, as JSON (the sales report with its days joined, one row each).
async fn report_json(
    app: &App,
    caller: &MemberPrincipal,
    kind: ExportKind,
    filters: &BTreeMap<String, String>,
) -> ServiceResult<Value> {
    let get = |name: &str| filter(filters, name);
    let json = |value: Result<Value, serde_json::Error>| value.map_err(|err| ServiceError::Export(err.to_string()));
    match kind {
        ExportKind::SupportReport => json(serde_json::to_value(
            support_reports::support(app, caller, get("from"), get("to"), get("breakdown"), None).await?,
        )),
        ExportKind::AgentReport => {
            json(serde_json::to_value(support_reports::agents(app, caller, get("from"), get("to")).await?))
        }
        ExportKind::SlaReport => {
            json(serde_json::to_value(reports::sla_compliance(app, caller, get("from"), get("to")).await?))
        }
        ExportKind::DailyTicketsReport => {
            json(serde_json::to_value(reports::daily_tickets(app, caller, get("from"), get("to")).await?))
        }
        ExportKind::SalesReport => {
            let report = reports::sales(app, caller, get("from"), get("to"), get("pipeline_id")).await?;
            let mut days: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
            for day in &report.leads.created_per_day {
                days.entry(day.day.clone()).or_default().0 += day.count;
            }
            for day in &report.deals.per_period {
                let entry = days.entry(day.day.clone()).or_default();
                entry.1 += day.won;
                entry.2 += day.lost;
            }
            let rows: Vec<Value> = days
                .into_iter()
                .map(|(date, (leads, won, lost))| {
                    serde_json::json!({"date": date, "leads_created": leads, "deals_won": won, "deals_lost": lost})
                })
                .collect();
            let mut value = json(serde_json::to_value(&report))?;
            value["days"] = Value::Array(rows);
            Ok(value)
        }
        ExportKind::Tickets | ExportKind::Customers | ExportKind::Leads | ExportKind::Deals => {
            Err(ServiceError::Export(format!("{} is a list, not a report", kind.as_str())))
        }
    }
}

/// A multipart upload fed a buffer at a time. Async code cannot abort it on drop, so the one error path
/// of [`write_csv`] calls [`PartUpload::abort`].
struct PartUpload<'a> {
    store: &'a BlobStore,
    key: &'a str,
    upload_id: String,
    parts: Vec<(i32, String)>,
    bytes: u64,
}

impl<'a> PartUpload<'a> {
    async fn start(store: &'a BlobStore, key: &'a str, content_type: &str) -> ServiceResult<Self> {
        let upload_id = store.start_upload(key, content_type).await?;
        Ok(Self { store, key, upload_id, parts: Vec::new(), bytes: 0 })
    }

    async fn push(&mut self, bytes: Vec<u8>) -> ServiceResult<()> {
        let number = i32::try_from(self.parts.len() + 1).unwrap_or(i32::MAX);
        self.bytes += bytes.len() as u64;
        let e_tag = self.store.upload_part(self.key, &self.upload_id, number, bytes).await?;
        self.parts.push((number, e_tag));
        Ok(())
    }

    async fn finish(self) -> ServiceResult<u64> {
        self.store.complete_upload(self.key, &self.upload_id, &self.parts).await?;
        Ok(self.bytes)
    }

    async fn abort(self) {
        if let Err(err) = self.store.abort_upload(self.key, &self.upload_id).await {
            // The bucket's lifecycle rule removes the parts after a day.
            tracing::warn!(error = %err, key = self.key, "an export's unfinished upload was not aborted");
        }
    }
}

/// Writes the CSV: the header, then every row of every page, a part uploaded whenever the buffer holds
/// [`PART_SIZE`] bytes. Rows written and bytes.
async fn write_csv(app: &App, caller: &MemberPrincipal, job: &ExportJob, key: &str) -> ServiceResult<(u64, u64)> {
    let mut upload = PartUpload::start(&app.exports, key, job.format.content_type()).await?;
    match stream_csv(app, caller, job, &mut upload).await {
        Ok(rows) => Ok((rows, upload.finish().await?)),
        Err(err) => {
            upload.abort().await;
            Err(err)
        }
    }
}

async fn stream_csv(
    app: &App,
    caller: &MemberPrincipal,
    job: &ExportJob,
    upload: &mut PartUpload<'_>,
) -> ServiceResult<u64> {
    let columns: Vec<Column> = exports::columns(job.kind, job.filters.contains_key("breakdown"));
    let mut buffer = Vec::with_capacity(PART_SIZE + 256 * 1024);
    encode_into(&mut buffer, [columns.iter().map(|column| column.header.clone()).collect()])?;
    let mut rows = 0u64;
    let mut cursor = None;
    loop {
        let page = PageParams { limit: PageParams::MAX_LIMIT, cursor: cursor.take() };
        let Rows { rows: page_rows, next_cursor } = page_of(app, caller, job.kind, &job.filters, page).await?;
        encode_into(&mut buffer, page_rows.iter().map(|row| exports::row_of(&columns, row)))?;
        rows += page_rows.len() as u64;
        if buffer.len() >= PART_SIZE {
            upload.push(std::mem::replace(&mut buffer, Vec::with_capacity(PART_SIZE + 256 * 1024))).await?;
        }
        match next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    if !buffer.is_empty() || upload.parts.is_empty() {
        upload.push(buffer).await?;
    }
    Ok(rows)
}

/// Appends the records, CSV-encoded (RFC 4180: quoted where a cell holds a comma, quote or line break).
fn encode_into(buffer: &mut Vec<u8>, records: impl IntoIterator<Item = Vec<String>>) -> ServiceResult<()> {
    let csv_error = |err: String| ServiceError::Export(format!("writing CSV: {err}"));
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(buffer);
    for record in records {
        writer.write_record(&record).map_err(|err| csv_error(err.to_string()))?;
    }
    writer.flush().map_err(|err| csv_error(err.to_string()))
}
