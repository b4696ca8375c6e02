//! Online time from presence: every connect, heartbeat and disconnect is a tick of its member, and the
//! time since their previous tick counts as online when it is within the presence TTL
//! ([`crate::domain::reports::online`]). The agent leaderboard sums the days of its range.

use super::PRESENCE_TTL_SECONDS;
use crate::app::App;
use crate::domain::{ids::UserId, reports::online::online_spans};
use crate::services::support_reports::report_zone;
use crate::storage::{StoreError, TenantScope};

/// Records a presence tick of `user` now. Online time is a report figure, not presence itself: a
/// failure is logged and the socket's action goes on.
pub async fn tick(app: &App, scope: &TenantScope, user: UserId) {
    if let Err(err) = record(app, scope, user).await {
        tracing::warn!(error = %err, %user, "could not record online time");
    }
}

async fn record(app: &App, scope: &TenantScope, user: UserId) -> Result<(), StoreError> {
    let now = app.clock.now().as_second();
    let Some(last_seen) = app.store.mark_presence(scope, user, now).await? else { return Ok(()) };
    if now - last_seen > PRESENCE_TTL_SECONDS {
        return Ok(());
    }
    let time_zone = report_zone(app.store.get_report_settings(scope).await?.as_ref());
    for (day, seconds) in online_spans(Some(last_seen), now, PRESENCE_TTL_SECONDS, &time_zone) {
        app.store.add_online_seconds(scope, &day, user, seconds).await?;
    }
    Ok(())
}
