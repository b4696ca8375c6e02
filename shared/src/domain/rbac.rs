//! Roles and permissions: the one place that says who may do what.
//! docs/permissions.md is generated from [`permissions_markdown`] and checked by a test.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A member's role in one workspace, from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Manager,
    Agent,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Admin, Role::Manager, Role::Agent, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Role::ALL.map(Role::as_str).join(", ")))
    }

    pub fn can(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Owner => &Permission::ALL,
            Role::Admin => &[
                TicketsRead,
                TicketsWrite,
                TicketsAssign,
                TicketsTakeOver,
                TicketsDelete,
                CustomersRead,
                CustomersWrite,
                ChatUse,
                SalesRead,
                SalesWrite,
                SalesManage,
                ReportsRead,
                ReportsTeam,
                ActivityRead,
                DirectoryRead,
                UsersRead,
                UsersManage,
                SettingsManage,
                IntegrationsManage,
                WebhooksManage,
            ],
            Role::Manager => &[
                TicketsRead,
                TicketsWrite,
                TicketsAssign,
                TicketsTakeOver,
                TicketsDelete,
                CustomersRead,
                CustomersWrite,
                ChatUse,
                SalesRead,
                SalesWrite,
                SalesManage,
                ReportsRead,
                ReportsTeam,
                ActivityRead,
                DirectoryRead,
                UsersRead,
            ],
            Role::Agent => &[
                TicketsRead,
                TicketsWrite,
                TicketsAssign,
                CustomersRead,
                CustomersWrite,
                ChatUse,
                SalesRead,
                SalesWrite,
                ReportsRead,
                DirectoryRead,
            ],
            Role::Viewer => &[TicketsRead, CustomersRead, SalesRead, ReportsRead, DirectoryRead],
        }
    }

    /// Whether a member with this role may give `target` to someone, or change someone who holds it.
    /// Owners manage everyone; admins manage everyone but owners; nobody else manages members.
    pub fn can_manage_role(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => target != Role::Owner,
            _ => false,
        }
    }
}

/// What a principal may do. Names are stable: they appear in API responses and in API-key scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Permission {
    #[serde(rename = "tickets:read")]
    TicketsRead,
    #[serde(rename = "tickets:write")]
    TicketsWrite,
    #[serde(rename = "tickets:assign")]
    TicketsAssign,
    /// Take over or release another member's claim on a ticket.
    #[serde(rename = "tickets:take_over")]
    TicketsTakeOver,
    #[serde(rename = "tickets:delete")]
    TicketsDelete,
    #[serde(rename = "customers:read")]
    CustomersRead,
    #[serde(rename = "customers:write")]
    CustomersWrite,
    #[serde(rename = "chat:use")]
    ChatUse,
    #[serde(rename = "sales:read")]
    SalesRead,
    #[serde(rename = "sales:write")]
    SalesWrite,
    /// Reassign leads and deals, edit any rep's, configure pipelines and lead statuses.
    #[serde(rename = "sales:manage")]
    SalesManage,
    #[serde(rename = "reports:read")]
    ReportsRead,
    /// Every agent's performance (without it, a member sees only their own).
    #[serde(rename = "reports:team")]
    ReportsTeam,
    #[serde(rename = "activity:read")]
    ActivityRead,
    /// The member directory: every member's name, initials and role, so people appear by name.
    #[serde(rename = "directory:read")]
    DirectoryRead,
    #[serde(rename = "users:read")]
    UsersRead,
    #[serde(rename = "users:manage")]
    UsersManage,
    #[serde(rename = "settings:manage")]
    SettingsManage,
    #[serde(rename = "integrations:manage")]
    IntegrationsManage,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    #[serde(rename = "billing:manage")]
    BillingManage,
}

impl Permission {
    pub const ALL: [Permission; 21] = [
        Permission::TicketsRead,
        Permission::TicketsWrite,
        Permission::TicketsAssign,
        Permission::TicketsTakeOver,
        Permission::TicketsDelete,
        Permission::CustomersRead,
        Permission::CustomersWrite,
        Permission::ChatUse,
        Permission::SalesRead,
        Permission::SalesWrite,
        Permission::SalesManage,
        Permission::ReportsRead,
        Permission::ReportsTeam,
        Permission::ActivityRead,
        Permission::DirectoryRead,
        Permission::UsersRead,
        Permission::UsersManage,
        Permission::SettingsManage,
        Permission::IntegrationsManage,
        Permission::WebhooksManage,
        Permission::BillingManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::TicketsRead => "tickets:read",
            Permission::TicketsWrite => "tickets:write",
            Permission::TicketsAssign => "tickets:assign",
            Permission::TicketsDelete => "tickets:delete",
            Permission::CustomersRead => "customers:read",
            Permission::CustomersWrite => "customers:write",
            Permission::ChatUse => "chat:use",
            Permission::TicketsTakeOver => "tickets:take_over",
            Permission::SalesRead => "sales:read",
            Permission::SalesWrite => "sales:write",
            Permission::SalesManage => "sales:manage",
            Permission::ReportsRead => "reports:read",
            Permission::ReportsTeam => "reports:team",
            Permission::ActivityRead => "activity:read",
            Permission::DirectoryRead => "directory:read",
            Permission::UsersRead => "users:read",
            Permission::UsersManage => "users:manage",
            Permission::SettingsManage => "settings:manage",
            Permission::IntegrationsManage => "integrations:manage",
            Permission::WebhooksManage => "webhooks:manage",
            Permission::BillingManage => "billing:manage",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Permission::TicketsRead => "See tickets, their conversation and timeline",
            Permission::TicketsWrite => "Create tickets, reply, add internal notes, change status and fields",
            Permission::TicketsAssign => "Assign and reassign tickets",
            Permission::TicketsDelete => "Delete tickets",
            Permission::CustomersRead => "See customers, their history and timeline",
            Permission::CustomersWrite => "Create, edit and merge customers",
            Permission::ChatUse => "Use team chat",
            Permission::TicketsTakeOver => "Take over or release another member's claim on a ticket",
            Permission::SalesRead => "See leads and deals",
            Permission::SalesWrite => "Create leads and deals; edit their own or unowned ones",
            Permission::SalesManage => "Edit and reassign any leads and deals; configure pipelines",
            Permission::ReportsRead => "See support and sales reports, the SLA radar",
            Permission::ReportsTeam => "See every agent's performance (without it: one's own row only)",
            Permission::ActivityRead => "See the workspace activity log",
            Permission::DirectoryRead => "See every member's name, initials and role (the member directory)",
            Permission::UsersRead => "List the workspace's members",
            Permission::UsersManage => "Add members, change roles, deactivate (admins cannot touch owners)",
            Permission::SettingsManage => "Categories, SLA policies, business hours",
            Permission::IntegrationsManage => {
                "API keys (create with scopes, revoke, rotate; admins cannot touch keys owners made); lead-capture \
                 endpoints (make, change, rotate secrets, delivery log, mapping tester)"
            }
            Permission::WebhooksManage => "Webhook endpoints and Slack: register, rotate secrets, delivery log, replay",
            Permission::BillingManage => "Plan, payment and invoices",
        }
    }
}

/// What a member may do to a sales record (a lead or a deal) owned by `owner`: with `sales:manage`
/// anything; with `sales:write` edit it while it is theirs or nobody's, and take an unowned one
/// (`new_owner` is themselves); handing it to someone else is reassigning, which needs `sales:manage`.
pub fn may_change_sales_record(
    role: Role,
    caller: crate::domain::ids::UserId,
    owner: Option<crate::domain::ids::UserId>,
    new_owner: Option<crate::domain::ids::UserId>,
) -> bool {
    if role.can(Permission::SalesManage) {
        return true;
    }
    let editable = owner.is_none_or(|owner| owner == caller);
    let keeps_or_takes = new_owner == owner || new_owner == Some(caller);
    role.can(Permission::SalesWrite) && editable && keeps_or_takes
}

/// Who may change or delete an activity (a call, meeting, task or e-mail on a sales record): with
/// `sales:manage` any; otherwise, with the record's write permission (`write`: `sales:write` for leads
/// and deals, `customers:write` for customers), the activities they logged or that are assigned to them.
pub fn may_change_activity(
    role: Role,
    write: Permission,
    caller: crate::domain::ids::UserId,
    author: Option<crate::domain::ids::UserId>,
    assignee: crate::domain::ids::UserId,
) -> bool {
    if role.can(Permission::SalesManage) {
        return true;
    }
    role.can(write) && (author == Some(caller) || assignee == caller)
}

/// The permission matrix as Markdown: the content of docs/permissions.md.
pub fn permissions_markdown() -> String {
    let mut out = String::from(
        "# Roles and permissions\n\n\
         Generated from `shared/src/domain/rbac.rs` (a unit test fails when this file and the code differ;\n\
         run `make docs` to regenerate). Every endpoint checks one of these permissions.\n\n\
         Owners and admins manage members; admins cannot add, change or remove owners, and the last\n\
         active owner of a workspace can be neither demoted nor deactivated.\n\n\
         Sales reps are agents: there is no sixth role. Every role sees every lead (`sales:read`). With\n\
         `sales:write` (owners, admins, managers, agents) a member creates leads, changes, converts, merges\n\
         and deletes the leads they own or that nobody owns, takes an unowned lead for themselves, and adds\n\
         notes to any lead. With `sales:manage` (owners, admins, managers) a member changes anyone's leads,\n\
         assigns them to any member who can sell or releases them, and configures the workspace's lead\n\
         statuses.\n\n\
         Activities (calls, meetings, tasks, e-mails with a due date) are listed with the record's read\n\
         permission and logged with its write permission (`sales:write` on leads and deals,\n\
         `customers:write` on customers), for any member who can write to the record. A member changes,\n\
         completes or deletes the activities they logged or that are assigned to them; `sales:manage`\n\
         changes any.\n\n\
         Lead-capture endpoints (Typeform, Zapier, generic JSON) are managed with `integrations:manage`,\n\
         by people only (they hold secrets). Their inbound route is public: it trusts the endpoint's\n\
         signature or secret, or a Zapier API key of the same workspace with `sales:write`. Zapier's REST\n\
         hooks (`/api/v1/zapier/hooks`) need `sales:read`.\n\n",
    );
    out.push_str("| permission | what it allows |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for permission in Permission::ALL {
        out.push_str(&format!("| `{}` | {} |", permission.as_str(), permission.describe()));
        for role in Role::ALL {
            out.push_str(if role.can(permission) { " yes |" } else { " — |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest_from_viewer_to_owner() {
        for pair in Role::ALL.windows(2) {
            let (higher, lower) = (pair[0], pair[1]);
            for permission in lower.permissions() {
                assert!(higher.can(*permission), "{higher:?} lacks {permission:?} that {lower:?} has");
            }
        }
    }

    #[test]
    fn billing_is_for_owners_only_and_viewers_cannot_write() {
        assert!(Role::Owner.can(Permission::BillingManage));
        assert!(!Role::Admin.can(Permission::BillingManage));
        assert!(!Role::Viewer.can(Permission::TicketsWrite));
        assert!(!Role::Agent.can(Permission::UsersManage));
    }

    #[test]
    fn agents_sell_but_only_managers_and_up_manage_sales_and_everyone_reads_the_directory() {
        assert!(Role::Agent.can(Permission::SalesWrite));
        assert!(!Role::Agent.can(Permission::SalesManage));
        assert!(Role::Manager.can(Permission::SalesManage));
        assert!(!Role::Viewer.can(Permission::SalesWrite));
        assert!(Role::ALL.iter().all(|role| role.can(Permission::DirectoryRead)));
    }

    #[test]
    fn reps_edit_their_own_or_unowned_sales_records_and_managers_reassign() {
        use crate::domain::ids::UserId;
        let (rep, other) = (UserId::generate(), UserId::generate());
        assert!(may_change_sales_record(Role::Agent, rep, Some(rep), Some(rep)));
        assert!(may_change_sales_record(Role::Agent, rep, None, None));
        assert!(may_change_sales_record(Role::Agent, rep, None, Some(rep)), "a rep takes an unowned deal");
        assert!(!may_change_sales_record(Role::Agent, rep, Some(other), Some(other)), "another rep's deal");
        assert!(!may_change_sales_record(Role::Agent, rep, Some(rep), Some(other)), "reassigning needs a manager");
        assert!(!may_change_sales_record(Role::Agent, rep, None, Some(other)));
        assert!(may_change_sales_record(Role::Manager, rep, Some(other), Some(rep)));
        assert!(!may_change_sales_record(Role::Viewer, rep, None, None));
    }

    #[test]
    fn reps_change_the_activities_they_logged_or_were_given_and_managers_any() {
        use crate::domain::ids::UserId;
        let (rep, other) = (UserId::generate(), UserId::generate());
        let write = Permission::SalesWrite;
        assert!(may_change_activity(Role::Agent, write, rep, Some(rep), other), "logged it");
        assert!(may_change_activity(Role::Agent, write, rep, Some(other), rep), "assigned to them");
        assert!(!may_change_activity(Role::Agent, write, rep, Some(other), other), "a colleague's");
        assert!(!may_change_activity(Role::Agent, write, rep, None, other));
        assert!(may_change_activity(Role::Manager, write, rep, Some(other), other));
        assert!(!may_change_activity(Role::Viewer, write, rep, Some(rep), rep), "viewers write nothing");
        assert!(may_change_activity(Role::Agent, Permission::CustomersWrite, rep, Some(rep), rep));
    }

    #[test]
    fn admins_cannot_manage_owners() {
        assert!(Role::Owner.can_manage_role(Role::Owner));
        assert!(!Role::Admin.can_manage_role(Role::Owner));
        assert!(Role::Admin.can_manage_role(Role::Admin));
        assert!(!Role::Manager.can_manage_role(Role::Agent));
    }

    #[test]
    fn permission_names_match_their_serde_names() {
        for permission in Permission::ALL {
            assert_eq!(serde_json::to_value(permission).unwrap(), permission.as_str());
        }
        assert_eq!(Role::parse("agent"), Ok(Role::Agent));
        assert!(Role::parse("superuser").unwrap_err().contains("owner, admin"));
    }

    #[test]
    fn docs_permissions_md_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/permissions.md");
        let generated = permissions_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(on_disk, generated, "docs/permissions.md is stale: run `make docs`");
    }
}
