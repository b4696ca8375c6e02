//! The handlers a record's notes and activities share: leads, customers, companies and deals each
//! route `/{record}/{id}/notes` and `/activities` (one annotated function per route, for the API
//! document), and each of those calls one of these with the permission it needs and how to read
//! its record from the path. The permission is checked before the path is read, as everywhere.

use lambda_http::{Request, http::StatusCode};

use super::{HandlerResult, PageParams, Problem, json, json_body, member, require};
use crate::App;
use crate::api::{CreateActivityRequest, CreateNoteRequest};
use crate::domain::{rbac::Permission, records::RecordRef};
use crate::services::{activities, notes};

/// Reads the record a route is about from its path (a 404 when the id names nothing).
pub type RecordOf = fn(&Request) -> Result<RecordRef, Problem>;

/// A page of the record's notes, oldest first.
pub async fn notes_page(app: &App, req: &Request, read: Permission, record: RecordOf) -> HandlerResult {
    let caller = member(req)?;
    require(&caller, read)?;
    let record = record(req)?;
    let page = PageParams::from_request(req)?;
    Ok(json(StatusCode::OK, &notes::list(app, &caller, record, page).await?))
}

/// Adds a note to the record.
pub async fn add_note(app: &App, req: &Request, write: Permission, record: RecordOf) -> HandlerResult {
    let caller = member(req)?;
    require(&caller, write)?;
    let record = record(req)?;
    let body: CreateNoteRequest = json_body(req)?;
    Ok(json(StatusCode::CREATED, &notes::add(app, &caller, record, body).await?))
}

/// A page of the activities logged on the record, newest logged first.
pub async fn activities_page(app: &App, req: &Request, read: Permission, record: RecordOf) -> HandlerResult {
    let caller = member(req)?;
    require(&caller, read)?;
    let record = record(req)?;
    let page = PageParams::from_request(req)?;
    Ok(json(StatusCode::OK, &activities::list(app, &caller, record, page).await?))
}

/// Logs an activity on the record.
pub async fn add_activity(app: &App, req: &Request, write: Permission, record: RecordOf) -> HandlerResult {
    let caller = member(req)?;
    require(&caller, write)?;
    let record = record(req)?;
    let body: CreateActivityRequest = json_body(req)?;
    Ok(json(StatusCode::CREATED, &activities::create(app, &caller, record, body).await?))
}
