//! In-app notifications: the outbox consumer that turns committed events into each recipient's
//! notifications (who gets what is [`crate::domain::notifications::recipients`]), the live frame to
//! the recipient's own sockets, and the caller's centre and preferences.
//!
//! Cost per event that notifies someone: per recipient one GetItem of the member, one of their
//! preferences, one transaction (notification, unread copy, count), and when they have sockets, one
//! Query of the workspace's connections and a post to each of the recipient's.

use serde_json::json;

use super::{ServiceError, ServiceResult, realtime};
use crate::api::{
    NotificationList, NotificationPreferences, NotificationReadResponse, NotificationView,
    NotificationsReadAllResponse, UpdateNotificationPreferencesRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    FieldError,
    ids::{EventId, UserId},
    notifications::{self, NotificationKind},
};
use crate::storage::{PageParams, StoreError, TenantScope, events::Event, notifications::Notification, users::Member};

/// The members a text mentions who are active members of the workspace and `may_read` where it is
/// written: mentions of anyone else (a made-up id, another workspace's member, a deactivated one, one
/// outside a private channel) stay plain text and notify nobody.
pub async fn mentioned_members(
    app: &App,
    scope: &TenantScope,
    body: &str,
    may_read: impl Fn(&Member) -> bool,
) -> Result<Vec<UserId>, StoreError> {
    let ids = notifications::parse_mentions(body);
    if ids.is_empty() {
        return Ok(ids);
    }
    let members = app.store.members_by_id(scope, ids.clone()).await?;
    let allowed = |id: &UserId| members.iter().any(|m| m.id == *id && m.is_active() && may_read(m));
    Ok(ids.into_iter().filter(allowed).collect())
}

/// The frame a new notification becomes, with the recipient's unread count after it.
pub fn frame(notification: &Notification, unread: u64) -> serde_json::Value {
    json!({
        "type": "notification",
        "event_id": notification.id,
        "notification": NotificationView::from(notification),
        "unread": unread,
    })
}

/// The outbox consumer: the event's notifications, each stored once (a redelivered event finds them
/// there and sends nothing again) and pushed live to the recipient's sockets only.
pub async fn on_event(app: &App, scope: &TenantScope, event: &Event) -> Result<(), StoreError> {
    let recipients = notifications::recipients(event.kind, event.actor, event.before.as_ref(), event.after.as_ref());
    for (user, kind) in recipients {
        let Some(member) = app.store.get_member(scope, user).await? else { continue };
        if !member.is_active() || !app.store.notification_preferences(scope, user).await?.wants(kind) {
            continue;
        }
        let notification = Notification {
            id: event.id,
            user_id: user,
            kind,
            event_type: event.kind,
            actor_id: event.actor,
            subject: event.subject.clone(),
            ticket_id: event.ticket_id,
            lead_id: event.lead_id,
            deal_id: event.deal_id,
            data: event.after.clone(),
            at: event.at,
            read_at: None,
        };
        if !app.store.add_notification(scope, &notification).await? {
            tracing::info!(event_id = %event.id, "notification already stored; redelivery ignored");
            continue;
        }
        deliver(app, scope, &notification).await?;
    }
    Ok(())
}

async fn deliver(app: &App, scope: &TenantScope, notification: &Notification) -> Result<(), StoreError> {
    if !app.sockets.is_configured() {
        return Ok(());
    }
    let unread = app.store.unread_notifications(scope, notification.user_id).await?;
    let now = app.clock.now().as_second();
    let connections = app.store.workspace_connections(scope).await?;
    let targets = connections.iter().filter(|c| c.is_live(now) && c.user_id == notification.user_id);
    realtime::broadcast(app, scope, targets, &frame(notification, unread)).await?;
    Ok(())
}

/// The caller's notifications, newest first, all or only the unread ones; with the unread count.
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    unread_only: bool,
    page: PageParams,
) -> ServiceResult<NotificationList> {
    let scope = caller.scope();
    let found =
        app.store.list_notifications(&scope, caller.user_id, unread_only, page.limit, page.cursor.as_deref()).await?;
    let unread = app.store.unread_notifications(&scope, caller.user_id).await?;
    Ok(NotificationList {
        items: found.items.iter().map(NotificationView::from).collect(),
        next_cursor: found.next_cursor,
        unread,
    })
}

/// Marks one of the caller's notifications read (already read: unchanged). Another member's is
/// not found, like one that does not exist.
pub async fn mark_read(app: &App, caller: &MemberPrincipal, id: EventId) -> ServiceResult<NotificationReadResponse> {
    let scope = caller.scope();
    let notification = app
        .store
        .mark_notification_read(&scope, caller.user_id, id, app.clock.now())
        .await?
        .ok_or(ServiceError::NotFound("The notification"))?;
    let unread = app.store.unread_notifications(&scope, caller.user_id).await?;
    Ok(NotificationReadResponse { notification: NotificationView::from(&notification), unread })
}

pub async fn mark_all_read(app: &App, caller: &MemberPrincipal) -> ServiceResult<NotificationsReadAllResponse> {
    let scope = caller.scope();
    let marked = app.store.mark_all_notifications_read(&scope, caller.user_id, app.clock.now()).await?;
    let unread = app.store.unread_notifications(&scope, caller.user_id).await?;
    Ok(NotificationsReadAllResponse { marked, unread })
}

pub async fn preferences(app: &App, caller: &MemberPrincipal) -> ServiceResult<NotificationPreferences> {
    let preferences = app.store.notification_preferences(&caller.scope(), caller.user_id).await?;
    Ok(NotificationPreferences::from(&preferences))
}

/// Turns the named kinds on or off; every kind named must be a known one (422 otherwise, nothing
/// changed).
pub async fn set_preferences(
    app: &App,
    caller: &MemberPrincipal,
    request: UpdateNotificationPreferencesRequest,
) -> ServiceResult<NotificationPreferences> {
    let mut changes: Vec<(NotificationKind, bool)> = Vec::new();
    let mut errors = Vec::new();
    for (index, preference) in request.kinds.iter().enumerate() {
        match NotificationKind::parse(&preference.kind) {
            Ok(kind) => changes.push((kind, preference.enabled)),
            Err(message) => errors.push(FieldError::new(format!("kinds[{index}].kind"), message)),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let scope = caller.scope();
    let current = app.store.notification_preferences(&scope, caller.user_id).await?;
    let updated = changes.into_iter().fold(current, |preferences, (kind, on)| preferences.with(kind, on));
    app.store.put_notification_preferences(&scope, caller.user_id, &updated).await?;
    Ok(NotificationPreferences::from(&updated))
}
