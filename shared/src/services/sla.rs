//! SLA policies (admins set one per workspace) and the clocks they give each ticket.

use jiff::Timestamp;

use super::{ServiceError, ServiceResult};
use crate::api::{SlaClockView, SlaPolicyView, TicketSlaView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    events::EventKind,
    sla::{RawSlaPolicy, SlaPolicy, TicketSlaFacts, sla_clocks},
    ticket::Status,
};
use crate::storage::{
    TenantScope,
    events::Event,
    settings::{SettingsWriteError, SlaPolicySettings},
    tickets::Ticket,
};

pub async fn get_policy(app: &App, caller: &MemberPrincipal) -> ServiceResult<SlaPolicyView> {
    let stored = app.store.get_sla_policy(&caller.scope()).await?;
    Ok(view(stored.as_ref()))
}

fn view(stored: Option<&SlaPolicySettings>) -> SlaPolicyView {
    SlaPolicyView {
        policy: stored.and_then(|stored| serde_json::to_value(&stored.policy).ok()),
        version: stored.map_or(0, |stored| stored.version),
    }
}

/// Replaces the policy. `if_match`: the version read (a stale one → 409 with the current policy).
/// Clocks are derived when read, so the new policy applies to every ticket at once, open ones included,
/// from their creation on.
pub async fn put_policy(
    app: &App,
    caller: &MemberPrincipal,
    raw: RawSlaPolicy,
    if_match: Option<u64>,
) -> ServiceResult<SlaPolicyView> {
    SlaPolicy::parse(&raw).map_err(ServiceError::Validation)?;
    let scope = caller.scope();
    let current = app.store.get_sla_policy(&scope).await?;
    let current_version = current.as_ref().map_or(0, |stored| stored.version);
    if let Some(expected) = if_match
        && expected != current_version
    {
        let current = serde_json::to_value(view(current.as_ref())).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The SLA policy", current: Some(current) });
    }
    let now = app.clock.now();
    let settings = SlaPolicySettings {
        policy: raw,
        version: current_version + 1,
        updated_at: now,
        updated_by: Some(caller.user_id),
    };
    let event =
        Event::new(EventKind::SettingsSlaPolicyUpdated, Some(caller.user_id), "settings/sla_policy".to_owned(), now)
            .with_change(
                current.as_ref().and_then(|stored| serde_json::to_value(&stored.policy).ok()),
                serde_json::to_value(&settings.policy).ok(),
            );
    let read_version = current.as_ref().map(|stored| stored.version);
    match app.store.put_sla_policy(&scope, read_version, &settings, &event).await {
        Ok(()) => Ok(view(Some(&settings))),
        Err(SettingsWriteError::VersionConflict) => {
            let current = app.store.get_sla_policy(&scope).await?;
            let current = serde_json::to_value(view(current.as_ref())).unwrap_or_default();
            Err(ServiceError::VersionConflict { what: "The SLA policy", current: Some(current) })
        }
        Err(SettingsWriteError::Store(err)) => Err(err.into()),
    }
}

/// The ticket's status changes, oldest first, read from its events.
pub fn status_history(events: &[Event]) -> Vec<(Timestamp, Status)> {
    let status_of = |value: &Option<serde_json::Value>| {
        value
            .as_ref()
            .and_then(|value| value.get("status"))
            .and_then(|status| status.as_str())
            .and_then(|status| Status::parse(status).ok())
    };
    let mut history = Vec::new();
    for event in events {
        use EventKind::*;
        match event.kind {
            TicketCreated => history.extend(status_of(&event.after).map(|status| (event.at, status))),
            TicketUpdated => {
                let (before, after) = (status_of(&event.before), status_of(&event.after));
                if let Some(after) = after
                    && before != Some(after)
                {
                    history.push((event.at, after));
                }
            }
            // A ticket's status changes only through these two.
            WorkspaceCreated
            | WorkspacePlanChanged
            | WorkspaceStandingChanged
            | UserCreated
            | UserUpdated
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | SettingsCategoriesUpdated
            | SettingsReportsUpdated
            | SettingsEmailUpdated
            | EmailRejected
            | MessageDeliveryUpdated
            | SettingsSlaPolicyUpdated
            | ApiKeyCreated
            | ApiKeyRevoked
            | ApiKeyRotated
            | TicketAssigned
            | TicketCustomerChanged
            | MessageCreated
            | AttachmentAdded
            | CustomerCreated
            | CustomerUpdated
            | CustomerMerged
            | CustomerMergeCompleted
            | SlaAtRisk
            | SlaBreached
            | SlaMet
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | WebhookSecretRotated
            | WebhookEndpointPaused
            | WebhookEndpointResumed
            | LeadCaptureEndpointCreated
            | LeadCaptureEndpointUpdated
            | LeadCaptureEndpointDeleted
            | ViewCreated
            | ViewUpdated
            | ViewDeleted
            | MacroCreated
            | MacroUpdated
            | MacroDeleted
            | TicketMacroApplied
            | TicketMerged
            | TicketDuplicateMerged
            | TicketFollowersChanged
            | PipelineCreated
            | PipelineUpdated
            | DealCreated
            | DealUpdated
            | DealStageChanged
            | DealAssigned
            | DealWon
            | DealLost
            | DealDeleted
            | LeadCreated
            | LeadUpdated
            | LeadAssigned
            | LeadStatusChanged
            | LeadConverted
            | LeadMerged
            | LeadNoteAdded
            | CustomerNoteAdded
            | DealNoteAdded
            | LeadDeleted
            | LeadStatusesUpdated
            | ActivityCreated
            | ActivityUpdated
            | ActivityCompleted
            | ActivityDeleted
            | DealReopened
            | CompanyCreated
            | CompanyUpdated
            | CompanyDeleted
            | CompanyNoteAdded
            | ChatMentioned => {}
        }
    }
    history
}

/// The ticket's clocks under the workspace's policy, if it has one.
pub async fn ticket_clocks(
    app: &App,
    scope: &TenantScope,
    ticket: &Ticket,
    events: &[Event],
) -> ServiceResult<Option<TicketSlaView>> {
    let Some(stored) = app.store.get_sla_policy(scope).await? else { return Ok(None) };
    let policy = match SlaPolicy::parse(&stored.policy) {
        Ok(policy) => policy,
        Err(errors) => {
            // Saved policies are validated; one that no longer parses is our fault, not the caller's.
            tracing::error!(?errors, "a stored SLA policy no longer parses");
            return Ok(None);
        }
    };
    let history = status_history(events);
    let facts = TicketSlaFacts {
        history: &history,
        priority: ticket.priority,
        category: ticket.category.as_deref(),
        subcategory: ticket.subcategory.as_deref(),
        first_response_at: ticket.first_response_at,
    };
    let clocks = sla_clocks(&policy, &facts, app.clock.now());
    Ok(Some(TicketSlaView {
        first_response: clocks.first_response.as_ref().map(SlaClockView::from),
        resolution: clocks.resolution.as_ref().map(SlaClockView::from),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_history_comes_from_created_and_changed_statuses() {
        let at = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
        let events = vec![
            Event::new(EventKind::TicketCreated, None, "t".into(), at(0))
                .with_change(None, Some(serde_json::json!({"status": "new"}))),
            Event::new(EventKind::TicketUpdated, None, "t".into(), at(60)).with_change(
                Some(serde_json::json!({"status": "new", "priority": "low"})),
                Some(serde_json::json!({"status": "new", "priority": "high"})),
            ),
            Event::new(EventKind::MessageCreated, None, "t".into(), at(90)),
            Event::new(EventKind::TicketUpdated, None, "t".into(), at(120)).with_change(
                Some(serde_json::json!({"status": "new"})),
                Some(serde_json::json!({"status": "pending"})),
            ),
        ];
        assert_eq!(status_history(&events), vec![(at(0), Status::New), (at(120), Status::Pending)]);
    }
}
