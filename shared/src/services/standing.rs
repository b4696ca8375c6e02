//! Moving a workspace's standing (active, past due, suspended) and what follows from it: suspension
//! closes its sockets (the authorizer refuses new ones and every tenant request), reactivation queues
//! its held webhook deliveries again. Nothing of the workspace's data is touched either way.
//!
//! Three movers share [`change`]: platform staff (suspend / reactivate, audited), the Stripe event worker
//! (payment signals) and the grace deadline (the SLA scan reads the due index and calls [`grace_ended`]).

use jiff::Timestamp;

use super::{ServiceError, ServiceResult};
use crate::api::{SuspendWorkspaceRequest, WorkspaceStandingView};
use crate::app::App;
use crate::domain::events::EventKind;
use crate::domain::ids::{EventId, StaffId, WorkspaceId};
use crate::domain::standing::{PaymentSignal, Standing, SuspensionReason};
use crate::domain::text;
use crate::storage::plans::AuditEntry;
use crate::storage::standing::StandingWriteError;
use crate::storage::webhooks::EndpointStatus;
use crate::storage::{StoreError, TenantScope, events::Event};

/// Attempts at a change whose read another writer overtook (each reads again and decides again).
const ATTEMPTS: usize = 5;
const MAX_REASON_CHARS: usize = 500;

/// Who moves the standing: staff are audited; the others are the system's own.
#[derive(Debug, Clone, Copy)]
pub enum Mover {
    Staff(StaffId),
    Payments,
    GraceDeadline,
}

/// Reads the standing, asks `decide` for the next one, and writes it unless unchanged; then acts on the
/// move (sockets, held deliveries). Returns the standing after.
async fn change(
    app: &App,
    workspace_id: WorkspaceId,
    by: Mover,
    audit_action: &str,
    decide: impl Fn(&Standing, Timestamp) -> Standing,
) -> ServiceResult<Standing> {
    let scope = TenantScope::for_system(workspace_id);
    for _ in 0..ATTEMPTS {
        let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
        let now = app.clock.now();
        let before = workspace.standing;
        let after = decide(&before, now);
        if after == before {
            return Ok(after);
        }
        let as_json = |standing: &Standing| serde_json::to_value(standing).ok();
        let event = Event::new(EventKind::WorkspaceStandingChanged, None, format!("workspace/{workspace_id}"), now)
            .with_change(as_json(&before), as_json(&after));
        let audit = match by {
            Mover::Staff(staff_id) => Some(AuditEntry {
                id: EventId::generate(),
                at: now,
                staff_id,
                action: audit_action.to_owned(),
                target: format!("workspace:{workspace_id}"),
                before: as_json(&before),
                after: as_json(&after),
            }),
            Mover::Payments | Mover::GraceDeadline => None,
        };
        match app.store.set_standing(&scope, &before, &after, &event, audit.as_ref()).await {
            Ok(()) => {
                tracing::info!(%workspace_id, ?by, from = ?before, to = ?after, "workspace standing changed");
                follow_up(app, &scope, &before, &after).await?;
                return Ok(after);
            }
            Err(StandingWriteError::Changed) => continue,
            Err(StandingWriteError::NotFound) => return Err(ServiceError::NotFound("The workspace")),
            Err(StandingWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::Conflict("The workspace's standing kept changing meanwhile; try again.".into()))
}

/// What a move means beyond the item: sockets close on suspension; held deliveries go on after it.
async fn follow_up(app: &App, scope: &TenantScope, before: &Standing, after: &Standing) -> ServiceResult<()> {
    match (before.is_suspended(), after.is_suspended()) {
        (false, true) => {
            let closed = super::realtime::socket::close_workspace_sockets(app, scope).await?;
            tracing::info!(workspace_id = %scope.workspace_id(), closed, "suspended workspace's sockets closed");
        }
        (true, false) => {
            let released = release_held_deliveries(app, scope).await?;
            tracing::info!(workspace_id = %scope.workspace_id(), released, "reactivated workspace's deliveries queued");
        }
        _ => {}
    }
    Ok(())
}

/// Queues again every delivery held while the workspace was suspended.
async fn release_held_deliveries(app: &App, scope: &TenantScope) -> Result<usize, StoreError> {
    let mut released = 0;
    for endpoint in app.store.list_webhooks(scope).await? {
        if endpoint.status == EndpointStatus::Disabled {
            continue;
        }
        for delivery in app.store.held_deliveries(scope, endpoint.id).await? {
            if super::webhooks::fanout::release_held(app, scope, endpoint.id, delivery).await? {
                released += 1;
            }
        }
    }
    Ok(released)
}

/// Staff suspend a workspace (`reason` kept as the note). Suspending one already suspended for payment
/// makes it a staff suspension, which payments no longer lift.
pub async fn suspend(
    app: &App,
    staff: StaffId,
    workspace_id: WorkspaceId,
    request: SuspendWorkspaceRequest,
) -> ServiceResult<WorkspaceStandingView> {
    let reason = crate::domain::field("reason", text::parse_line(&request.reason, MAX_REASON_CHARS))
        .map_err(|err| ServiceError::Validation(vec![err]))?;
    let standing = change(app, workspace_id, Mover::Staff(staff), "workspace.suspended", |before, now| match before {
        Standing::Suspended { reason: SuspensionReason::Staff, .. } => before.clone(),
        _ => Standing::Suspended { reason: SuspensionReason::Staff, since: now, note: Some(reason.clone()) },
    })
    .await?;
    Ok(WorkspaceStandingView { workspace_id, standing })
}

/// Staff reactivate a workspace, whatever suspended it (or end a running grace).
pub async fn reactivate(app: &App, staff: StaffId, workspace_id: WorkspaceId) -> ServiceResult<WorkspaceStandingView> {
    let standing =
        change(app, workspace_id, Mover::Staff(staff), "workspace.reactivated", |_, _| Standing::Active).await?;
    Ok(WorkspaceStandingView { workspace_id, standing })
}

/// A payment signal from Stripe (the subscription's status or an invoice's outcome).
pub async fn apply_payment(
    app: &App,
    workspace_id: WorkspaceId,
    signal: PaymentSignal,
    grace: jiff::SignedDuration,
) -> ServiceResult<Standing> {
    change(app, workspace_id, Mover::Payments, "", |before, now| before.after_payment(signal, now, grace)).await
}

/// The grace deadline came (the due index said so): suspends the workspace if it is still past due then.
pub async fn grace_ended(app: &App, workspace_id: WorkspaceId) -> ServiceResult<Standing> {
    change(app, workspace_id, Mover::GraceDeadline, "", |before, now| before.after_grace(now)).await
}
