//! The caller's own profile, and managing a workspace's members (seats, roles, deactivation).

use super::commands::members::{AddMember, ChangeMember};
use super::{ServiceError, ServiceResult, accounts::member_snapshot};
use crate::api::{
    CreateUserRequest, Directory, DirectoryMember, MeResponse, PlanView, UpdateUserRequest, UserList, UserView,
};
use crate::app::App;
use crate::auth::{MemberPrincipal, passwords};
use crate::domain::events::EventKind;
use crate::domain::{
    ids::UserId,
    plan::{LimitExceeded, LimitKind, Plan},
    rbac::{Permission, Role},
    user::{MemberChange, MemberChangeDenied, UserStatus, authorize_member_change},
};
use crate::storage::{
    PageParams,
    events::Event,
    users::{CreateMemberError, Member, UpdateMemberError},
};

pub async fn me(app: &App, caller: &MemberPrincipal) -> ServiceResult<MeResponse> {
    let scope = caller.scope();
    let member = app.store.get_member(&scope, caller.user_id).await?.ok_or(ServiceError::NotFound("Your account"))?;
    let (workspace, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    Ok(MeResponse {
        user: (&member).into(),
        workspace: (&workspace).into(),
        role: member.role,
        permissions: member.role.permissions().to_vec(),
        plan: PlanView::of(&workspace, &plan),
    })
}

pub async fn list(app: &App, caller: &MemberPrincipal, page: PageParams) -> ServiceResult<UserList> {
    let page = app.store.list_members(&caller.scope(), page.limit, page.cursor.as_deref()).await?;
    Ok(UserList { items: page.items.iter().map(UserView::from).collect(), next_cursor: page.next_cursor })
}

/// The member directory: every member of the caller's workspace (deactivated ones marked inactive),
/// ordered by name, case-insensitively. Any member may read it; it carries no e-mail addresses.
pub async fn directory(app: &App, caller: &MemberPrincipal) -> ServiceResult<Directory> {
    let mut members: Vec<DirectoryMember> =
        app.store.all_members(&caller.scope()).await?.iter().map(DirectoryMember::from).collect();
    members.sort_by_cached_key(|member| (member.name.to_lowercase(), member.id));
    Ok(Directory { members })
}

pub async fn get(app: &App, caller: &MemberPrincipal, user: UserId) -> ServiceResult<UserView> {
    let member = app.store.get_member(&caller.scope(), user).await?.ok_or(ServiceError::NotFound("The user"))?;
    Ok((&member).into())
}

/// Adds a member with a password. Takes a seat: past the plan's seat limit this is refused, exactly,
/// however many requests race (the seat counter is a conditional write in the same transaction).
pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateUserRequest) -> ServiceResult<UserView> {
    let AddMember { email, name, role, password } = request.try_into()?;
    if !caller.role.can_manage_role(role) {
        return Err(cannot_manage(caller.role, role));
    }
    let scope = caller.scope();
    let (workspace, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let now = app.clock.now();
    let member = Member {
        id: UserId::generate(),
        workspace_id: workspace.id,
        email,
        name,
        role,
        status: UserStatus::Active,
        password_hash: passwords::hash(&password),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let event = Event::new(EventKind::UserCreated, Some(caller.user_id), format!("user/{}", member.id), now)
        .with_change(None, Some(member_snapshot(&member)));
    let seat_limit = plan.limits.seats;
    app.store.create_member(&scope, &member, seat_limit, &event).await.map_err(|err| match err {
        CreateMemberError::EmailTaken => ServiceError::EmailTaken,
        CreateMemberError::SeatLimitReached { used } => seat_limit_error(&plan, used),
        CreateMemberError::Store(err) => ServiceError::Store(err),
    })?;
    Ok((&member).into())
}

/// Renames, changes the role of, deactivates or reactivates a member.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    user: UserId,
    request: UpdateUserRequest,
) -> ServiceResult<UserView> {
    let ChangeMember { name, role, status } = request.try_into()?;

    let scope = caller.scope();
    let before = app.store.get_member(&scope, user).await?.ok_or(ServiceError::NotFound("The user"))?;
    let change = MemberChange { role, status };
    authorize_member_change(caller.role, caller.user_id == user, before.role, change).map_err(
        |denied| match denied {
            MemberChangeDenied::CannotManageRole(role) => cannot_manage(caller.role, role),
            MemberChangeDenied::CannotDeactivateSelf => {
                ServiceError::Forbidden("You cannot deactivate yourself; ask another admin or owner.".to_owned())
            }
        },
    )?;

    let now = app.clock.now();
    let mut after = before.clone();
    if let Some(name) = name {
        after.name = name;
    }
    after.role = role.unwrap_or(before.role);
    after.status = status.unwrap_or(before.status);
    if after == before {
        return Ok((&before).into());
    }
    after.updated_at = now;
    after.version = before.version + 1;
    let kind = match (before.status, after.status) {
        (UserStatus::Active, UserStatus::Deactivated) => EventKind::UserDeactivated,
        (UserStatus::Deactivated, UserStatus::Active) => EventKind::UserReactivated,
        _ if before.role != after.role => EventKind::UserRoleChanged,
        _ => EventKind::UserUpdated,
    };
    let event = Event::new(kind, Some(caller.user_id), format!("user/{user}"), now)
        .with_change(Some(member_snapshot(&before)), Some(member_snapshot(&after)));
    let (_, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    app.store.update_member(&scope, &before, &after, plan.limits.seats, &event).await.map_err(|err| match err {
        UpdateMemberError::VersionConflict => ServiceError::VersionConflict { what: "The member", current: None },
        UpdateMemberError::LastOwner => ServiceError::LastOwner,
        UpdateMemberError::SeatLimitReached { used } => seat_limit_error(&plan, used),
        UpdateMemberError::Store(err) => ServiceError::Store(err),
    })?;
    if after.status == UserStatus::Deactivated {
        // The authorizer refuses deactivated members anyway; this also stops their refresh tokens.
        app.store.revoke_all_sessions(&scope, user).await?;
    }
    if after.status != before.status || after.role != before.role {
        // Open sockets carry the role of their handshake: close them, so live frames follow the change.
        crate::services::realtime::socket::close_member_sockets(app, &scope, user).await?;
    }
    Ok((&after).into())
}

/// Which permission a users endpoint needs, so handlers and docs agree.
pub const READ: Permission = Permission::UsersRead;
pub const MANAGE: Permission = Permission::UsersManage;
pub const DIRECTORY: Permission = Permission::DirectoryRead;

fn cannot_manage(actor: Role, target: Role) -> ServiceError {
    ServiceError::Forbidden(format!(
        "A member with the {} role cannot manage {} members.",
        actor.as_str(),
        target.as_str()
    ))
}

fn seat_limit_error(plan: &Plan, used: u64) -> ServiceError {
    ServiceError::PlanLimit(LimitExceeded {
        kind: LimitKind::Seats,
        limit: plan.limits.seats.unwrap_or(u64::MAX),
        used,
        plan: plan.id.clone(),
    })
}
