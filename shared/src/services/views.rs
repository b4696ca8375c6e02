//! Saved views: a member's own filter sets and the ones admins share with the team, each with the
//! number of tickets it shows now.

use futures::future::try_join_all;

use super::commands::{
    tickets::InboxView,
    views::{ChangeView, NewView},
};
use super::{ServiceError, ServiceResult, tickets::inbox_index};
use crate::api::{CreateViewRequest, UpdateViewRequest, ViewList, ViewView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{events::EventKind, ids::ViewId, rbac::Permission, ticket::Status};
use crate::storage::{
    TenantScope,
    events::Event,
    shelf::ShelfWriteError,
    tickets::{InboxCounts, mine_counter, status_counter},
    views::SavedView,
};

/// Sharing with the team is for those who set the workspace up.
fn check_may_share(caller: &MemberPrincipal) -> ServiceResult<()> {
    if caller.can(Permission::SettingsManage) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only admins can create or change views shared with the team.".to_owned()))
    }
}

fn event(
    kind: EventKind,
    caller: &MemberPrincipal,
    view: &SavedView,
    before: Option<&SavedView>,
    at: jiff::Timestamp,
) -> Event {
    let snapshot = |view: &SavedView| serde_json::json!({"name": view.name, "shared": view.owner.is_none(), "filters": view.filters});
    let after = (kind != EventKind::ViewDeleted).then(|| snapshot(view));
    Event::new(kind, Some(caller.user_id), format!("view/{}", view.id), at).with_change(before.map(snapshot), after)
}

/// How many tickets the view shows now. Views the inbox counters already answer (a view, a status,
/// an assignee, nothing else) take no read; the others count their index partition (see
/// docs/data-model.md for the cost).
async fn count(
    app: &App,
    scope: &TenantScope,
    caller: &MemberPrincipal,
    view: &SavedView,
    counters: &InboxCounts,
) -> ServiceResult<u64> {
    let inbox = view.filters.inbox()?;
    let plain = inbox.priority.is_none() && inbox.category.is_none() && inbox.tag.is_none();
    let from_counters = match (inbox.view, inbox.status, inbox.assignee) {
        _ if !plain => None,
        (InboxView::Open, None, None) => Some(counters.get("open")),
        (InboxView::Open | InboxView::Solved, Some(status), None) => Some(counters.get(&status_counter(status))),
        (InboxView::Open, None, Some(user)) => Some(counters.get(&mine_counter(user))),
        (InboxView::Mine, None, _) => Some(counters.get(&mine_counter(caller.user_id))),
        (InboxView::Unassigned, None, _) => Some(counters.get("unassigned")),
        (InboxView::Solved, None, None) => {
            Some(counters.get(&status_counter(Status::Solved)) + counters.get(&status_counter(Status::Closed)))
        }
        _ => None,
    };
    if let Some(count) = from_counters {
        return Ok(u64::try_from(count).unwrap_or(0));
    }
    let (index, filters) = inbox_index(&inbox, caller.user_id);
    Ok(app.store.count_tickets(scope, index, &filters).await?)
}

async fn with_counts(app: &App, caller: &MemberPrincipal, views: Vec<SavedView>) -> ServiceResult<Vec<ViewView>> {
    let scope = caller.scope();
    let counters = app.store.inbox_counts(&scope).await?;
    let counted = views.iter().map(|view| count(app, &scope, caller, view, &counters));
    let counts = try_join_all(counted).await?;
    Ok(views.iter().zip(counts).map(|(view, count)| ViewView::of(view, count)).collect())
}

/// The caller's own views, then the shared ones, each by name, with live counts.
pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<ViewList> {
    let (mut personal, mut shared) = app.store.views_for(&caller.scope(), caller.user_id).await?;
    personal.sort_by_key(|view| view.name.to_lowercase());
    shared.sort_by_key(|view| view.name.to_lowercase());
    personal.extend(shared);
    Ok(ViewList { items: with_counts(app, caller, personal).await? })
}

pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateViewRequest) -> ServiceResult<ViewView> {
    let command = NewView::try_from(request)?;
    if command.shared {
        check_may_share(caller)?;
    }
    let now = app.clock.now();
    let view = SavedView {
        id: ViewId::generate(),
        workspace_id: caller.scope().workspace_id(),
        owner: (!command.shared).then_some(caller.user_id),
        name: command.name,
        filters: command.filters,
        created_by: caller.user_id,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let scope = caller.scope();
    match app.store.put_view(&scope, &view, None, &event(EventKind::ViewCreated, caller, &view, None, now)).await {
        Ok(()) => Ok(with_counts(app, caller, vec![view]).await?.remove(0)),
        Err(ShelfWriteError::VersionConflict) => Err(ServiceError::Conflict("A view with this id exists.".to_owned())),
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}

/// A view the caller may change: their own, or a shared one if they may share.
async fn changeable(app: &App, caller: &MemberPrincipal, id: ViewId) -> ServiceResult<SavedView> {
    let view =
        app.store.view_for(&caller.scope(), caller.user_id, id).await?.ok_or(ServiceError::NotFound("The view"))?;
    if view.owner.is_none() {
        check_may_share(caller)?;
    }
    Ok(view)
}

fn conflict(current: Option<&SavedView>) -> ServiceError {
    ServiceError::VersionConflict {
        what: "The view",
        current: current.map(|view| serde_json::to_value(ViewView::of(view, 0)).unwrap_or_default()),
    }
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: ViewId,
    request: UpdateViewRequest,
) -> ServiceResult<ViewView> {
    let change = ChangeView::try_from(request)?;
    let before = changeable(app, caller, id).await?;
    if before.version != change.version {
        return Err(conflict(Some(&before)));
    }
    let mut after = before.clone();
    if let Some(name) = change.name {
        after.name = name;
    }
    if let Some(filters) = change.filters {
        after.filters = filters;
    }
    if after == before {
        return Ok(with_counts(app, caller, vec![before]).await?.remove(0));
    }
    after.updated_at = app.clock.now();
    after.version += 1;
    let event = event(EventKind::ViewUpdated, caller, &after, Some(&before), after.updated_at);
    match app.store.put_view(&caller.scope(), &after, Some(before.version), &event).await {
        Ok(()) => Ok(with_counts(app, caller, vec![after]).await?.remove(0)),
        Err(ShelfWriteError::VersionConflict) => {
            Err(conflict(app.store.view_for(&caller.scope(), caller.user_id, id).await?.as_ref()))
        }
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}

pub async fn delete(app: &App, caller: &MemberPrincipal, id: ViewId) -> ServiceResult<()> {
    let view = changeable(app, caller, id).await?;
    let event = event(EventKind::ViewDeleted, caller, &view, Some(&view), app.clock.now());
    match app.store.delete_view(&caller.scope(), &view, &event).await {
        Ok(()) => Ok(()),
        Err(ShelfWriteError::VersionConflict) => Err(conflict(None)),
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}
