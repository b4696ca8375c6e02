//! Notes on sales records (leads, customers, companies, deals): one set of rules whichever record a note is on.
//! A note changes nothing on its record; it is added in one transaction with its event, which places
//! it in the record's timeline (a lead's, a customer's or a company's timeline, a deal's history), and only while
//! the record is still there (a merged lead or customer takes no notes: 409, naming where they went).
//!
//! Handlers check the permission of the record's kind (`sales:write` for leads and deals, the
//! customers' write permission for customers and companies) before calling these.

use serde_json::json;

use super::commands::leads::note_body;
use super::{ServiceError, ServiceResult};
use crate::api::{CreateNoteRequest, NoteList, NoteView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{events::EventKind, ids::NoteId, records::RecordRef};
use crate::storage::{
    PageParams, TenantScope,
    events::Event,
    leads::{Note, NoteWriteError},
};

/// How many characters of a note its event carries.
const EXCERPT_CHARS: usize = 200;

fn not_found(record: RecordRef) -> ServiceError {
    ServiceError::NotFound(match record {
        RecordRef::Lead(_) => "The lead",
        RecordRef::Customer(_) => "The customer",
        RecordRef::Deal(_) => "The deal",
        RecordRef::Company(_) => "The company",
    })
}

/// Refuses a record that is not in the workspace (404) or was merged away (409).
async fn require_open(app: &App, scope: &TenantScope, record: RecordRef) -> ServiceResult<()> {
    let merged_into = match record {
        RecordRef::Lead(id) => {
            let lead = app.store.get_lead(scope, id).await?.ok_or_else(|| not_found(record))?;
            lead.merged_into.map(|into| format!("lead {into}"))
        }
        RecordRef::Customer(id) => {
            let customer = app.store.get_customer(scope, id).await?.ok_or_else(|| not_found(record))?;
            customer.merged_into.map(|into| format!("customer {into}"))
        }
        RecordRef::Deal(id) => {
            app.store.get_deal(scope, id).await?.ok_or_else(|| not_found(record))?;
            None
        }
        RecordRef::Company(id) => {
            app.store.get_company(scope, id).await?.ok_or_else(|| not_found(record))?;
            None
        }
    };
    match merged_into {
        Some(into) => {
            Err(ServiceError::Conflict(format!("This {} was merged into {into}; add the note there.", record.kind())))
        }
        None => Ok(()),
    }
}

/// The note's event, placed in its record's timeline.
fn added_event(caller: &MemberPrincipal, record: RecordRef, note: &Note) -> Event {
    let excerpt: String = note.body.chars().take(EXCERPT_CHARS).collect();
    let (kind, subject) = match record {
        RecordRef::Lead(id) => (EventKind::LeadNoteAdded, format!("lead/{id}")),
        RecordRef::Customer(id) => (EventKind::CustomerNoteAdded, format!("customer/{id}")),
        RecordRef::Deal(id) => (EventKind::DealNoteAdded, format!("deal/{id}")),
        RecordRef::Company(id) => (EventKind::CompanyNoteAdded, format!("company/{id}")),
    };
    let event = Event::new(kind, Some(caller.user_id), subject, note.created_at)
        .with_change(None, Some(json!({"note_id": note.id, "excerpt": excerpt})));
    match record {
        RecordRef::Lead(id) => event.about_lead(id),
        RecordRef::Customer(id) => event.about_customer(id),
        RecordRef::Deal(id) => event.about_deal(id),
        RecordRef::Company(id) => event.about_company(id),
    }
}

pub async fn add(
    app: &App,
    caller: &MemberPrincipal,
    record: RecordRef,
    request: CreateNoteRequest,
) -> ServiceResult<NoteView> {
    let body = note_body(&request)?;
    let scope = caller.scope();
    require_open(app, &scope, record).await?;
    let note = Note {
        id: NoteId::generate(),
        record: record.to_string(),
        author_id: Some(caller.user_id),
        body,
        created_at: app.clock.now(),
    };
    let added = added_event(caller, record, &note);
    match app.store.add_note(&scope, record, &note, &added).await {
        Ok(()) => Ok((&note).into()),
        // Deleted or merged away between the read and the write: answered as it would be now.
        Err(NoteWriteError::RecordGone) => {
            Err(require_open(app, &scope, record).await.err().unwrap_or(not_found(record)))
        }
        Err(NoteWriteError::Store(err)) => Err(err.into()),
    }
}

/// The notes on a record, oldest first.
pub async fn list(app: &App, caller: &MemberPrincipal, record: RecordRef, page: PageParams) -> ServiceResult<NoteList> {
    let scope = caller.scope();
    let exists = match record {
        RecordRef::Lead(id) => app.store.get_lead(&scope, id).await?.is_some(),
        RecordRef::Customer(id) => app.store.get_customer(&scope, id).await?.is_some(),
        RecordRef::Deal(id) => app.store.get_deal(&scope, id).await?.is_some(),
        RecordRef::Company(id) => app.store.get_company(&scope, id).await?.is_some(),
    };
    if !exists {
        return Err(not_found(record));
    }
    let page = app.store.list_notes(&scope, record, page.limit, page.cursor.as_deref()).await?;
    Ok(NoteList { items: page.items.iter().map(NoteView::from).collect(), next_cursor: page.next_cursor })
}
