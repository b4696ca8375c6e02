//! The verified principal: who is calling, as the authorizer established it.
//! It travels from the authorizer to handlers in the request context, as flat string fields.
//!
//! Only this crate makes one: from the authorizer's context ([`Principal::from_context`]) or from a
//! credential just verified against storage ([`crate::services::accounts::authenticate`],
//! [`crate::services::api_keys::authenticate`]). Other crates read principals, never build them, so a
//! tenant scope cannot be made up from ids at hand.

use std::collections::HashMap;

use serde_json::Value;

use crate::domain::{
    ids::{ApiKeyId, StaffId, UserId, WorkspaceId},
    rbac::{Permission, Role},
};
use crate::storage::TenantScope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A member of one workspace.
    Member(MemberPrincipal),
    /// Platform staff: outside every workspace, never holds a tenant scope.
    Staff { staff_id: StaffId },
    /// An API key of a workspace: acts as the member who made it, limited to its scopes.
    ApiKey(ApiKeyPrincipal),
}

/// Fields are readable inside this crate (services say `caller.user_id`); elsewhere through the accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyPrincipal {
    pub(crate) key_id: ApiKeyId,
    /// The member who made the key, with their current role (a key never does more than they may).
    pub(crate) member: MemberPrincipal,
    pub(crate) scopes: Vec<Permission>,
}

impl ApiKeyPrincipal {
    pub fn key_id(&self) -> ApiKeyId {
        self.key_id
    }

    pub fn member(&self) -> &MemberPrincipal {
        &self.member
    }

    pub fn scopes(&self) -> &[Permission] {
        &self.scopes
    }
}

/// Fields are readable inside this crate (services say `caller.user_id`); elsewhere through the accessors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPrincipal {
    pub(crate) workspace_id: WorkspaceId,
    pub(crate) user_id: UserId,
    pub(crate) role: Role,
}

impl MemberPrincipal {
    /// For the places that have just verified who this is (see the module notes).
    pub(crate) fn new(workspace_id: WorkspaceId, user_id: UserId, role: Role) -> Self {
        Self { workspace_id, user_id, role }
    }

    /// A member nobody verified, for tests and benchmarks that act inside a workspace they set up.
    #[cfg(any(test, feature = "test-support"))]
    pub fn for_tests(workspace_id: WorkspaceId, user_id: UserId, role: Role) -> Self {
        Self::new(workspace_id, user_id, role)
    }

    /// The only way request handling obtains a tenant scope: from a verified member.
    pub fn scope(&self) -> TenantScope {
        TenantScope::new(self.workspace_id)
    }

    pub fn workspace_id(&self) -> WorkspaceId {
        self.workspace_id
    }

    pub fn user_id(&self) -> UserId {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn can(&self, permission: Permission) -> bool {
        self.role.can(permission)
    }
}

const KIND: &str = "principal";
const KIND_MEMBER: &str = "member";
const KIND_STAFF: &str = "staff";
const KIND_API_KEY: &str = "api_key";

impl Principal {
    /// The authorizer's `context` (API Gateway allows only flat string/number/bool values).
    pub fn to_context(&self) -> HashMap<String, Value> {
        let mut context = HashMap::new();
        match self {
            Principal::Member(member) => {
                context.insert(KIND.to_owned(), KIND_MEMBER.into());
                context.insert("workspace_id".to_owned(), member.workspace_id.to_string().into());
                context.insert("user_id".to_owned(), member.user_id.to_string().into());
                context.insert("role".to_owned(), member.role.as_str().into());
            }
            Principal::Staff { staff_id } => {
                context.insert(KIND.to_owned(), KIND_STAFF.into());
                context.insert("staff_id".to_owned(), staff_id.to_string().into());
            }
            Principal::ApiKey(key) => {
                context.insert(KIND.to_owned(), KIND_API_KEY.into());
                context.insert("workspace_id".to_owned(), key.member.workspace_id.to_string().into());
                context.insert("user_id".to_owned(), key.member.user_id.to_string().into());
                context.insert("role".to_owned(), key.member.role.as_str().into());
                context.insert("api_key_id".to_owned(), key.key_id.to_string().into());
                let scopes: Vec<&str> = key.scopes.iter().map(|scope| scope.as_str()).collect();
                context.insert("scopes".to_owned(), scopes.join(" ").into());
            }
        }
        context
    }

    /// Reads the principal back from the request context's authorizer fields.
    pub fn from_context(fields: &HashMap<String, Value>) -> Option<Self> {
        let text = |name: &str| fields.get(name).and_then(Value::as_str);
        match text(KIND)? {
            KIND_MEMBER => Some(Principal::Member(MemberPrincipal::new(
                text("workspace_id")?.parse().ok()?,
                text("user_id")?.parse().ok()?,
                Role::parse(text("role")?).ok()?,
            ))),
            KIND_STAFF => Some(Principal::Staff { staff_id: text("staff_id")?.parse().ok()? }),
            KIND_API_KEY => Some(Principal::ApiKey(ApiKeyPrincipal {
                key_id: text("api_key_id")?.parse().ok()?,
                member: MemberPrincipal::new(
                    text("workspace_id")?.parse().ok()?,
                    text("user_id")?.parse().ok()?,
                    Role::parse(text("role")?).ok()?,
                ),
                scopes: text("scopes")?
                    .split(' ')
                    .filter(|name| !name.is_empty())
                    .map(|name| Permission::ALL.into_iter().find(|p| p.as_str() == name))
                    .collect::<Option<Vec<_>>>()?,
            })),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Principal::Member(member) => Some(member.user_id),
            Principal::ApiKey(key) => Some(key.member.user_id),
            Principal::Staff { .. } => None,
        }
    }

    pub fn workspace_id(&self) -> Option<WorkspaceId> {
        match self {
            Principal::Member(member) => Some(member.workspace_id),
            Principal::ApiKey(key) => Some(key.member.workspace_id),
            Principal::Staff { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_the_authorizer_context() {
        let member =
            Principal::Member(MemberPrincipal::new(WorkspaceId::generate(), UserId::generate(), Role::Manager));
        assert_eq!(Principal::from_context(&member.to_context()), Some(member));
        let staff = Principal::Staff { staff_id: StaffId::generate() };
        assert_eq!(Principal::from_context(&staff.to_context()), Some(staff));
        let key = Principal::ApiKey(ApiKeyPrincipal {
            key_id: ApiKeyId::generate(),
            member: MemberPrincipal::new(WorkspaceId::generate(), UserId::generate(), Role::Admin),
            scopes: vec![Permission::TicketsRead, Permission::WebhooksManage],
        });
        assert_eq!(Principal::from_context(&key.to_context()), Some(key));
    }

    #[test]
    fn a_tampered_context_is_no_principal() {
        let mut context = HashMap::new();
        context.insert("principal".to_owned(), Value::from("member"));
        context.insert("workspace_id".to_owned(), Value::from("x"));
        assert_eq!(Principal::from_context(&context), None);
    }
}
