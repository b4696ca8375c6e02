//! Member rules that do not need storage. The last-owner rule is enforced by a counter in storage,
//! so two owners demoting each other at once cannot leave a workspace without one.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rbac::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    Deactivated,
}

/// Why an actor may not make a change to a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChangeDenied {
    /// The actor's role cannot touch members holding `role` (or give it out).
    CannotManageRole(Role),
    /// Members cannot deactivate themselves; another admin or owner must.
    CannotDeactivateSelf,
}

/// A change an actor wants to make to a member: new role and/or new status.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemberChange {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
}

/// Checks an actor may make `change` to a member currently holding `target_role`.
pub fn authorize_member_change(
    actor_role: Role,
    actor_is_target: bool,
    target_role: Role,
    change: MemberChange,
) -> Result<(), MemberChangeDenied> {
    if !actor_role.can_manage_role(target_role) {
        return Err(MemberChangeDenied::CannotManageRole(target_role));
    }
    if let Some(new_role) = change.role
        && !actor_role.can_manage_role(new_role)
    {
        return Err(MemberChangeDenied::CannotManageRole(new_role));
    }
    if actor_is_target && change.status == Some(UserStatus::Deactivated) {
        return Err(MemberChangeDenied::CannotDeactivateSelf);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_cannot_promote_to_owner_or_touch_owners() {
        let promote = MemberChange { role: Some(Role::Owner), status: None };
        assert_eq!(
            authorize_member_change(Role::Admin, false, Role::Agent, promote),
            Err(MemberChangeDenied::CannotManageRole(Role::Owner))
        );
        let demote_owner = MemberChange { role: Some(Role::Agent), status: None };
        assert!(authorize_member_change(Role::Admin, false, Role::Owner, demote_owner).is_err());
        assert!(authorize_member_change(Role::Owner, false, Role::Owner, demote_owner).is_ok());
    }

    #[test]
    fn nobody_deactivates_themselves() {
        let deactivate = MemberChange { role: None, status: Some(UserStatus::Deactivated) };
        assert_eq!(
            authorize_member_change(Role::Owner, true, Role::Owner, deactivate),
            Err(MemberChangeDenied::CannotDeactivateSelf)
        );
    }
}
