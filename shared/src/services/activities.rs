//! Activities on sales records (leads, customers, deals): calls, meetings, tasks and e-mails, with a
//! due date and an assignee, ticked done when done. One set of rules whichever record one is on.
//!
//! Every change is one transaction with its event (`activity.*`), which places it in the record's
//! timeline (a lead's or customer's timeline, a deal's history) and feeds the daily counters behind the
//! sales report's activities per rep. A member's tasks are one index Query (see docs/data-model.md).
//!
//! Handlers check the record's read permission to list and its write permission to log; who may
//! change an activity is [`may_change_activity`], checked here once the activity is read.

use serde_json::json;

use super::commands::activities::{ChangeActivity, NewActivity};
use super::{ServiceError, ServiceResult};
use crate::api::{ActivityList, ActivityView, CreateActivityRequest, UpdateActivityRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    FieldError,
    events::EventKind,
    ids::{ActivityId, UserId},
    rbac::{Permission, may_change_activity},
    records::RecordRef,
};
use crate::storage::{
    PageParams, TenantScope,
    activities::{Activity, ActivityWriteError},
    events::Event,
};

fn record_not_found(record: RecordRef) -> ServiceError {
    ServiceError::NotFound(match record {
        RecordRef::Lead(_) => "The lead",
        RecordRef::Customer(_) => "The customer",
        RecordRef::Deal(_) => "The deal",
        RecordRef::Company(_) => "The company",
    })
}

fn activity_not_found() -> ServiceError {
    ServiceError::NotFound("The activity")
}

/// The record's name, when it is in the workspace and open to new activities: 404 when it is not
/// there, 409 when it was merged away (naming where it went).
async fn open_record_name(app: &App, scope: &TenantScope, record: RecordRef) -> ServiceResult<String> {
    let (name, merged_into) = match record {
        RecordRef::Lead(id) => {
            let lead = app.store.get_lead(scope, id).await?.ok_or_else(|| record_not_found(record))?;
            (lead.name, lead.merged_into.map(|into| format!("lead {into}")))
        }
        RecordRef::Customer(id) => {
            let customer = app.store.get_customer(scope, id).await?.ok_or_else(|| record_not_found(record))?;
            let name = customer.name.unwrap_or_else(|| customer.email.to_string());
            (name, customer.merged_into.map(|into| format!("customer {into}")))
        }
        RecordRef::Deal(id) => {
            let deal = app.store.get_deal(scope, id).await?.ok_or_else(|| record_not_found(record))?;
            (deal.title, None)
        }
        RecordRef::Company(id) => {
            let company = app.store.get_company(scope, id).await?.ok_or_else(|| record_not_found(record))?;
            (company.name, None)
        }
    };
    match merged_into {
        Some(into) => Err(ServiceError::Conflict(format!(
            "This {} was merged into {into}; log the activity there.",
            record.kind()
        ))),
        None => Ok(name),
    }
}

/// An assignee must be an active member who can write to the record.
async fn check_assignee(app: &App, scope: &TenantScope, record: RecordRef, assignee: UserId) -> ServiceResult<()> {
    let member = app.store.get_member(scope, assignee).await?;
    if member.is_some_and(|member| member.is_active() && member.role.can(record.write_permission())) {
        return Ok(());
    }
    Err(assignee_refused(record))
}

fn assignee_refused(record: RecordRef) -> ServiceError {
    let message = format!("must be an active member of this workspace who can write to the {}", record.kind());
    ServiceError::Validation(vec![FieldError::new("assignee_id", message)])
}

/// The event of a change, about the activity's record (so it joins the record's timeline).
fn activity_event(
    kind: EventKind,
    caller: &MemberPrincipal,
    before: Option<&Activity>,
    after: Option<&Activity>,
    at: jiff::Timestamp,
) -> Event {
    let activity = after.or(before).expect("an activity event is about an activity");
    let state = |activity: &Activity| {
        json!({
            "activity_id": activity.id,
            "record": activity.record.to_string(),
            "kind": activity.kind,
            "subject": activity.subject,
            "due_at": activity.due_at,
            "assignee_id": activity.assignee_id,
            "done": activity.done,
        })
    };
    let event = Event::new(kind, Some(caller.user_id), format!("activity/{}", activity.id), at)
        .with_change(before.map(state), after.map(state));
    match activity.record {
        RecordRef::Lead(id) => event.about_lead(id),
        RecordRef::Customer(id) => event.about_customer(id),
        RecordRef::Deal(id) => event.about_deal(id),
        RecordRef::Company(id) => event.about_company(id),
    }
}

/// Logs an activity on a record. Handlers have checked the record's write permission.
pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    record: RecordRef,
    request: CreateActivityRequest,
) -> ServiceResult<ActivityView> {
    let new = NewActivity::try_from(request)?;
    let scope = caller.scope();
    let record_name = open_record_name(app, &scope, record).await?;
    let assignee_id = new.assignee_id.unwrap_or(caller.user_id);
    check_assignee(app, &scope, record, assignee_id).await?;
    let now = app.clock.now();
    let activity = Activity {
        id: ActivityId::generate(),
        record,
        record_name,
        kind: new.kind,
        subject: new.subject,
        body: new.body,
        due_at: new.due_at,
        assignee_id,
        done: new.done,
        done_at: new.done.then_some(now),
        author_id: Some(caller.user_id),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let event = activity_event(EventKind::ActivityCreated, caller, None, Some(&activity), now);
    match app.store.create_activity(&scope, &activity, &event).await {
        Ok(()) => Ok((&activity).into()),
        // Deleted or merged away between the read and the write: answered as it would be now.
        Err(ActivityWriteError::RecordGone) => {
            Err(open_record_name(app, &scope, record).await.err().unwrap_or(record_not_found(record)))
        }
        Err(ActivityWriteError::AssigneeInactive) => Err(assignee_refused(record)),
        Err(ActivityWriteError::VersionConflict) => {
            Err(ServiceError::VersionConflict { what: "The activity", current: None })
        }
        Err(ActivityWriteError::Store(err)) => Err(err.into()),
    }
}

/// A record's activities, newest logged first. Handlers have checked the record's read permission.
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    record: RecordRef,
    page: PageParams,
) -> ServiceResult<ActivityList> {
    let scope = caller.scope();
    let exists = match record {
        RecordRef::Lead(id) => app.store.get_lead(&scope, id).await?.is_some(),
        RecordRef::Customer(id) => app.store.get_customer(&scope, id).await?.is_some(),
        RecordRef::Deal(id) => app.store.get_deal(&scope, id).await?.is_some(),
        RecordRef::Company(id) => app.store.get_company(&scope, id).await?.is_some(),
    };
    if !exists {
        return Err(record_not_found(record));
    }
    let page = app.store.list_record_activities(&scope, record, page.limit, page.cursor.as_deref()).await?;
    Ok(ActivityList { items: page.items.iter().map(ActivityView::from).collect(), next_cursor: page.next_cursor })
}

/// Which tasks of the caller's to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn parse(raw: Option<&str>) -> Result<Self, ServiceError> {
        match raw {
            None | Some("open") => Ok(TaskStatus::Open),
            Some("done") => Ok(TaskStatus::Done),
            Some(_) => Err(vec![FieldError::new("status", "must be open or done")].into()),
        }
    }
}

/// The caller's tasks: open ones by due time (overdue first, undated last), or done ones, latest
/// first. Every activity assigned to them, on any record.
pub async fn my_tasks(
    app: &App,
    caller: &MemberPrincipal,
    status: TaskStatus,
    page: PageParams,
) -> ServiceResult<ActivityList> {
    let scope = caller.scope();
    let done = status == TaskStatus::Done;
    let page = app.store.list_tasks(&scope, caller.user_id, done, page.limit, page.cursor.as_deref()).await?;
    Ok(ActivityList { items: page.items.iter().map(ActivityView::from).collect(), next_cursor: page.next_cursor })
}

/// The activity, if the caller may read its record (404 otherwise: another workspace's, or gone).
async fn load(app: &App, caller: &MemberPrincipal, id: ActivityId) -> ServiceResult<Activity> {
    app.store.get_activity(&caller.scope(), id).await?.ok_or_else(activity_not_found)
}

fn require_change(caller: &MemberPrincipal, activity: &Activity) -> ServiceResult<()> {
    let write = activity.record.write_permission();
    if !caller.can(write) {
        return Err(ServiceError::Forbidden(format!(
            "Your role ({}) does not include the permission {}.",
            caller.role.as_str(),
            write.as_str()
        )));
    }
    if may_change_activity(caller.role, write, caller.user_id, activity.author_id, activity.assignee_id) {
        return Ok(());
    }
    Err(ServiceError::Forbidden(format!(
        "This activity belongs to another member: you change the activities you logged or that are assigned \
         to you; {} changes any.",
        Permission::SalesManage.as_str()
    )))
}

fn stale(current: &Activity) -> ServiceError {
    let current = serde_json::to_value(ActivityView::from(current)).unwrap_or_default();
    ServiceError::VersionConflict { what: "The activity", current: Some(current) }
}

/// Changes an activity at the version read: reword, reschedule, reassign, tick done or reopen.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: ActivityId,
    request: UpdateActivityRequest,
) -> ServiceResult<ActivityView> {
    let change = ChangeActivity::try_from(request)?;
    let scope = caller.scope();
    let before = load(app, caller, id).await?;
    require_change(caller, &before)?;
    if change.version != before.version {
        return Err(stale(&before));
    }
    let now = app.clock.now();
    let done = change.done.unwrap_or(before.done);
    let mut after = Activity {
        kind: change.kind.unwrap_or(before.kind),
        subject: change.subject.clone().unwrap_or_else(|| before.subject.clone()),
        body: change.body.clone().unwrap_or_else(|| before.body.clone()),
        due_at: change.due_at.unwrap_or(before.due_at),
        assignee_id: change.assignee_id.unwrap_or(before.assignee_id),
        done,
        done_at: match (before.done, done) {
            (false, true) => Some(now),
            (_, false) => None,
            (true, true) => before.done_at,
        },
        ..before.clone()
    };
    if after == before {
        return Ok((&before).into());
    }
    if after.assignee_id != before.assignee_id {
        check_assignee(app, &scope, before.record, after.assignee_id).await?;
    }
    after.updated_at = now;
    after.version = before.version + 1;
    let kind = if done && !before.done { EventKind::ActivityCompleted } else { EventKind::ActivityUpdated };
    let event = activity_event(kind, caller, Some(&before), Some(&after), now);
    match app.store.save_activity(&scope, &before, &after, &event).await {
        Ok(()) => Ok((&after).into()),
        Err(ActivityWriteError::VersionConflict) => match app.store.get_activity(&scope, id).await? {
            Some(current) => Err(stale(&current)),
            None => Err(activity_not_found()),
        },
        Err(ActivityWriteError::AssigneeInactive) => Err(assignee_refused(before.record)),
        Err(ActivityWriteError::RecordGone) => Err(record_not_found(before.record)),
        Err(ActivityWriteError::Store(err)) => Err(err.into()),
    }
}

/// Deletes an activity (the one read; a change meanwhile is 409).
pub async fn delete(app: &App, caller: &MemberPrincipal, id: ActivityId) -> ServiceResult<()> {
    let scope = caller.scope();
    let activity = load(app, caller, id).await?;
    require_change(caller, &activity)?;
    let event = activity_event(EventKind::ActivityDeleted, caller, Some(&activity), None, app.clock.now());
    match app.store.delete_activity(&scope, &activity, &event).await {
        Ok(()) => Ok(()),
        Err(ActivityWriteError::VersionConflict) => match app.store.get_activity(&scope, id).await? {
            Some(current) => Err(stale(&current)),
            None => Err(activity_not_found()),
        },
        Err(ActivityWriteError::AssigneeInactive | ActivityWriteError::RecordGone) => Err(activity_not_found()),
        Err(ActivityWriteError::Store(err)) => Err(err.into()),
    }
}
