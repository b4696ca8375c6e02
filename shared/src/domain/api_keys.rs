//! API keys, the pure part: the key format, its hash, which permissions a key may carry as scopes, and
//! the one table of which scope each route needs when called with a key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::rbac::{Permission, Role};

/// Every key starts so: the authorizer tells keys from access tokens by it, and secret scanners can
/// recognise leaked keys.
pub const KEY_PREFIX: &str = "sbk_";
/// How many leading characters of a key are stored and shown to tell keys apart.
pub const SHOWN_PREFIX_CHARS: usize = 12;

/// A new key: `sbk_` and 32 random bytes (256 bits), base64url. High entropy, so a plain SHA-256 of it
/// is a safe thing to store (no password hashing needed to resist guessing).
pub fn generate_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

pub fn looks_like_key(token: &str) -> bool {
    token.starts_with(KEY_PREFIX)
}

/// What is stored and looked up: the SHA-256 of the key, hex.
pub fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

pub fn shown_prefix(key: &str) -> String {
    key.chars().take(SHOWN_PREFIX_CHARS).collect()
}

/// The permissions an API key may be given. Managing members, API keys and billing stays with people.
pub const KEY_SCOPES: &[Permission] = &[
    Permission::TicketsRead,
    Permission::TicketsWrite,
    Permission::TicketsAssign,
    Permission::CustomersRead,
    Permission::CustomersWrite,
    Permission::SalesRead,
    Permission::SalesWrite,
    Permission::SalesManage,
    Permission::ReportsRead,
    Permission::ActivityRead,
    Permission::UsersRead,
    Permission::DirectoryRead,
    Permission::SettingsManage,
    Permission::WebhooksManage,
];

/// The scopes of a new key: at least one, each a key scope the creator's role holds (a key never does
/// more than the person who made it), without repeats.
pub fn parse_scopes(raw: &[String], creator: Role) -> Result<Vec<Permission>, String> {
    if raw.is_empty() {
        return Err("must name at least one scope".to_owned());
    }
    let mut scopes = Vec::new();
    for name in raw {
        let Some(scope) = KEY_SCOPES.iter().copied().find(|scope| scope.as_str() == name.trim()) else {
            let known: Vec<&str> = KEY_SCOPES.iter().map(|scope| scope.as_str()).collect();
            return Err(format!("{name:?} is not a key scope; use any of {}", known.join(", ")));
        };
        if !creator.can(scope) {
            return Err(format!("{} is beyond your role ({})", scope.as_str(), creator.as_str()));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(scopes)
}

/// What a route asks of a caller using an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAccess {
    /// The key must carry this scope.
    Scope(Permission),
    /// Any key of the workspace may call it.
    AnyKey,
    /// Keys are refused: the route is for people (sessions, key management, the platform console).
    People,
}

/// THE table of what each route needs from an API key (method, route template as in template.yaml).
/// A route missing here refuses keys; a test checks that every authorised route in template.yaml is
/// listed, so a new route makes a decision here.
pub const ROUTE_ACCESS: &[(&str, &str, KeyAccess)] = {
    use KeyAccess::*;
    use Permission::*;
    &[
        ("GET", "/api/v1/me", AnyKey),
        ("GET", "/api/v1/users", Scope(UsersRead)),
        ("POST", "/api/v1/users", People),
        ("GET", "/api/v1/users/{id}", Scope(UsersRead)),
        ("PATCH", "/api/v1/users/{id}", People),
        ("GET", "/api/v1/directory", Scope(DirectoryRead)),
        ("POST", "/api/v1/platform/auth/totp", People),
        ("POST", "/api/v1/platform/auth/totp/confirm", People),
        ("GET", "/api/v1/platform/workspaces", People),
        ("GET", "/api/v1/platform/workspaces/{id}", People),
        ("PUT", "/api/v1/platform/workspaces/{id}/limit-extras", People),
        ("PUT", "/api/v1/platform/workspaces/{id}/plan", People),
        ("POST", "/api/v1/platform/workspaces/{id}/suspend", People),
        ("POST", "/api/v1/platform/workspaces/{id}/reactivate", People),
        ("GET", "/api/v1/platform/plans", People),
        ("POST", "/api/v1/platform/plans", People),
        ("GET", "/api/v1/platform/plans/{id}", People),
        ("PUT", "/api/v1/platform/plans/{id}", People),
        ("GET", "/api/v1/platform/audit", People),
        ("GET", "/api/v1/platform/health", People),
        ("GET", "/api/v1/billing/usage", People),
        ("GET", "/api/v1/billing", People),
        ("POST", "/api/v1/billing/checkout", People),
        ("POST", "/api/v1/billing/portal", People),
        ("GET", "/api/v1/tickets", Scope(TicketsRead)),
        ("POST", "/api/v1/tickets", Scope(TicketsWrite)),
        ("GET", "/api/v1/tickets/counts", Scope(TicketsRead)),
        ("GET", "/api/v1/tickets/{id}", Scope(TicketsRead)),
        ("PATCH", "/api/v1/tickets/{id}", Scope(TicketsWrite)),
        ("GET", "/api/v1/tickets/{id}/public", Scope(TicketsRead)),
        ("POST", "/api/v1/tickets/{id}/messages", Scope(TicketsWrite)),
        ("POST", "/api/v1/tickets/{id}/seen", Scope(TicketsRead)),
        ("GET", "/api/v1/tickets/by-number/{number}", Scope(TicketsRead)),
        ("GET", "/api/v1/tickets/{id}/reply-address", Scope(TicketsRead)),
        ("POST", "/api/v1/tickets/{id}/attachments", Scope(TicketsWrite)),
        ("GET", "/api/v1/tickets/{id}/attachments/{attachment_id}", Scope(TicketsRead)),
        ("POST", "/api/v1/tickets/{id}/attachments/{attachment_id}/confirm", Scope(TicketsWrite)),
        // Lead-capture endpoints hold secrets: people manage them. Zapier's REST hooks are for keys.
        ("GET", "/api/v1/lead-capture-endpoints", People),
        ("POST", "/api/v1/lead-capture-endpoints", People),
        ("POST", "/api/v1/lead-capture-endpoints/test-mapping", People),
        ("GET", "/api/v1/lead-capture-endpoints/{id}", People),
        ("PATCH", "/api/v1/lead-capture-endpoints/{id}", People),
        ("DELETE", "/api/v1/lead-capture-endpoints/{id}", People),
        ("POST", "/api/v1/lead-capture-endpoints/{id}/rotate-secret", People),
        ("GET", "/api/v1/lead-capture-endpoints/{id}/deliveries", People),
        ("POST", "/api/v1/zapier/hooks", Scope(SalesRead)),
        ("DELETE", "/api/v1/zapier/hooks/{id}", Scope(SalesRead)),
        ("GET", "/api/v1/customers", Scope(CustomersRead)),
        ("POST", "/api/v1/customers", Scope(CustomersWrite)),
        ("GET", "/api/v1/customers/{id}", Scope(CustomersRead)),
        ("PATCH", "/api/v1/customers/{id}", Scope(CustomersWrite)),
        ("GET", "/api/v1/customers/{id}/tickets", Scope(CustomersRead)),
        ("GET", "/api/v1/customers/{id}/timeline", Scope(CustomersRead)),
        ("POST", "/api/v1/customers/{id}/merge", Scope(CustomersWrite)),
        ("GET", "/api/v1/customers/{id}/notes", Scope(CustomersRead)),
        ("POST", "/api/v1/customers/{id}/notes", Scope(CustomersWrite)),
        // Companies sit with customers.
        ("GET", "/api/v1/companies", Scope(CustomersRead)),
        ("POST", "/api/v1/companies", Scope(CustomersWrite)),
        ("GET", "/api/v1/companies/{id}", Scope(CustomersRead)),
        ("PATCH", "/api/v1/companies/{id}", Scope(CustomersWrite)),
        ("DELETE", "/api/v1/companies/{id}", Scope(CustomersWrite)),
        ("GET", "/api/v1/companies/{id}/customers", Scope(CustomersRead)),
        ("GET", "/api/v1/companies/{id}/deals", Scope(CustomersRead)),
        ("GET", "/api/v1/companies/{id}/notes", Scope(CustomersRead)),
        ("POST", "/api/v1/companies/{id}/notes", Scope(CustomersWrite)),
        ("GET", "/api/v1/companies/{id}/timeline", Scope(CustomersRead)),
        // Deals and pipelines: CRM sync reads and writes deals; configuring pipelines is for people.
        ("GET", "/api/v1/pipelines", Scope(SalesRead)),
        ("POST", "/api/v1/pipelines", People),
        ("GET", "/api/v1/pipelines/{id}", Scope(SalesRead)),
        ("PUT", "/api/v1/pipelines/{id}", People),
        ("GET", "/api/v1/pipelines/{id}/board", Scope(SalesRead)),
        ("GET", "/api/v1/pipelines/{id}/stages/{stage_id}/deals", Scope(SalesRead)),
        ("GET", "/api/v1/deals", Scope(SalesRead)),
        ("POST", "/api/v1/deals", Scope(SalesWrite)),
        ("GET", "/api/v1/deals/{id}", Scope(SalesRead)),
        ("PATCH", "/api/v1/deals/{id}", Scope(SalesWrite)),
        ("DELETE", "/api/v1/deals/{id}", Scope(SalesWrite)),
        ("POST", "/api/v1/deals/{id}/move", Scope(SalesWrite)),
        ("POST", "/api/v1/deals/{id}/won", Scope(SalesWrite)),
        ("POST", "/api/v1/deals/{id}/lost", Scope(SalesWrite)),
        ("POST", "/api/v1/deals/{id}/reopen", Scope(SalesWrite)),
        ("GET", "/api/v1/deals/{id}/notes", Scope(SalesRead)),
        ("POST", "/api/v1/deals/{id}/notes", Scope(SalesWrite)),
        ("GET", "/api/v1/leads", Scope(SalesRead)),
        ("POST", "/api/v1/leads", Scope(SalesWrite)),
        ("POST", "/api/v1/leads/bulk", Scope(SalesWrite)),
        ("GET", "/api/v1/leads/counts", Scope(SalesRead)),
        ("GET", "/api/v1/leads/statuses", Scope(SalesRead)),
        ("PUT", "/api/v1/leads/statuses", Scope(SalesManage)),
        ("GET", "/api/v1/leads/{id}", Scope(SalesRead)),
        ("PATCH", "/api/v1/leads/{id}", Scope(SalesWrite)),
        ("DELETE", "/api/v1/leads/{id}", Scope(SalesWrite)),
        ("POST", "/api/v1/leads/{id}/merge", Scope(SalesWrite)),
        ("POST", "/api/v1/leads/{id}/convert", Scope(SalesWrite)),
        ("GET", "/api/v1/leads/{id}/notes", Scope(SalesRead)),
        ("POST", "/api/v1/leads/{id}/notes", Scope(SalesWrite)),
        ("GET", "/api/v1/leads/{id}/timeline", Scope(SalesRead)),
        ("GET", "/api/v1/leads/{id}/activities", Scope(SalesRead)),
        ("POST", "/api/v1/leads/{id}/activities", Scope(SalesWrite)),
        ("GET", "/api/v1/customers/{id}/notes", Scope(CustomersRead)),
        ("POST", "/api/v1/customers/{id}/notes", Scope(CustomersWrite)),
        ("GET", "/api/v1/deals/{id}/notes", Scope(SalesRead)),
        ("POST", "/api/v1/deals/{id}/notes", Scope(SalesWrite)),
        ("GET", "/api/v1/customers/{id}/activities", Scope(CustomersRead)),
        ("POST", "/api/v1/customers/{id}/activities", Scope(CustomersWrite)),
        ("GET", "/api/v1/deals/{id}/activities", Scope(SalesRead)),
        ("POST", "/api/v1/deals/{id}/activities", Scope(SalesWrite)),
        // An activity on a customer also needs the creator's customers:write (checked on the role).
        ("PATCH", "/api/v1/activities/{id}", Scope(SalesWrite)),
        ("DELETE", "/api/v1/activities/{id}", Scope(SalesWrite)),
        // The tasks of the key's creator.
        ("GET", "/api/v1/me/tasks", Scope(SalesRead)),
        // Notifications are a person's own, read in the app.
        ("GET", "/api/v1/me/notifications", People),
        ("POST", "/api/v1/me/notifications/{id}/read", People),
        ("POST", "/api/v1/me/notifications/read-all", People),
        ("GET", "/api/v1/me/notification-preferences", People),
        ("PUT", "/api/v1/me/notification-preferences", People),
        // The live connection is the app's.
        ("POST", "/api/v1/me/socket-token", People),
        ("GET", "/api/v1/activity", Scope(ActivityRead)),
        ("GET", "/api/v1/search", AnyKey),
        ("GET", "/api/v1/settings/categories", Scope(TicketsRead)),
        ("PUT", "/api/v1/settings/categories", Scope(SettingsManage)),
        ("GET", "/api/v1/settings/email", Scope(SettingsManage)),
        ("PUT", "/api/v1/settings/email", Scope(SettingsManage)),
        ("GET", "/api/v1/settings/email/rejected", Scope(SettingsManage)),
        ("GET", "/api/v1/settings/email/domain", Scope(SettingsManage)),
        ("GET", "/api/v1/settings/reports", Scope(ReportsRead)),
        ("PUT", "/api/v1/settings/reports", Scope(SettingsManage)),
        ("GET", "/api/v1/sla/policy", Scope(TicketsRead)),
        ("PUT", "/api/v1/sla/policy", Scope(SettingsManage)),
        ("GET", "/api/v1/sla/radar", Scope(ReportsRead)),
        ("GET", "/api/v1/reports/tickets/daily", Scope(ReportsRead)),
        ("GET", "/api/v1/reports/sla", Scope(ReportsRead)),
        ("GET", "/api/v1/reports/sales", Scope(ReportsRead)),
        ("GET", "/api/v1/reports/support", Scope(ReportsRead)),
        // Per-person figures are for people in the app: whom a row shows depends on the reader's role.
        ("GET", "/api/v1/reports/agents", People),
        // An export runs later, as the member who asked and with that member's role, not a key's scopes.
        ("POST", "/api/v1/exports", People),
        ("GET", "/api/v1/exports/{id}", People),
        // A member's own Google account: connected, synced and disconnected by that person, never a key.
        ("GET", "/api/v1/integrations/google-contacts", People),
        ("PATCH", "/api/v1/integrations/google-contacts", People),
        ("DELETE", "/api/v1/integrations/google-contacts", People),
        ("POST", "/api/v1/integrations/google-contacts/authorize", People),
        ("POST", "/api/v1/integrations/google-contacts/callback", People),
        ("POST", "/api/v1/integrations/google-contacts/sync", People),
        ("GET", "/api/v1/webhooks", Scope(WebhooksManage)),
        ("POST", "/api/v1/webhooks", Scope(WebhooksManage)),
        ("GET", "/api/v1/webhooks/{id}", Scope(WebhooksManage)),
        ("PATCH", "/api/v1/webhooks/{id}", Scope(WebhooksManage)),
        ("DELETE", "/api/v1/webhooks/{id}", Scope(WebhooksManage)),
        ("POST", "/api/v1/webhooks/{id}/rotate-secret", Scope(WebhooksManage)),
        ("GET", "/api/v1/webhooks/{id}/deliveries", Scope(WebhooksManage)),
        ("POST", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay", Scope(WebhooksManage)),
        ("POST", "/api/v1/webhooks/{id}/replay", Scope(WebhooksManage)),
        ("POST", "/api/v1/integrations/slack", Scope(WebhooksManage)),
        // Team chat is between people.
        ("GET", "/api/v1/chat/channels", People),
        ("POST", "/api/v1/chat/channels", People),
        ("POST", "/api/v1/chat/direct", People),
        ("POST", "/api/v1/chat/channels/{id}/members", People),
        ("GET", "/api/v1/chat/channels/{id}/messages", People),
        ("POST", "/api/v1/chat/channels/{id}/messages", People),
        ("PATCH", "/api/v1/chat/channels/{id}/messages/{message_id}", People),
        ("DELETE", "/api/v1/chat/channels/{id}/messages/{message_id}", People),
        ("POST", "/api/v1/chat/channels/{id}/read", People),
        ("GET", "/api/v1/api-keys", People),
        ("POST", "/api/v1/api-keys", People),
        ("DELETE", "/api/v1/api-keys/{id}", People),
        ("POST", "/api/v1/api-keys/{id}/rotate", People),
        ("POST", "/api/v1/tickets/bulk", Scope(TicketsWrite)),
        ("POST", "/api/v1/tickets/{id}/merge", Scope(TicketsWrite)),
        ("PUT", "/api/v1/tickets/{id}/followers", Scope(TicketsWrite)),
        // Saved views and macros are a member's own (or their team's), used by people.
        ("GET", "/api/v1/views", People),
        ("POST", "/api/v1/views", People),
        ("PATCH", "/api/v1/views/{id}", People),
        ("DELETE", "/api/v1/views/{id}", People),
        ("GET", "/api/v1/macros", People),
        ("POST", "/api/v1/macros", People),
        ("PUT", "/api/v1/macros/{id}", People),
        ("DELETE", "/api/v1/macros/{id}", People),
        ("GET", "/api/v1/tickets/{id}/macros/{macro_id}", People),
        ("POST", "/api/v1/tickets/{id}/macros/{macro_id}", People),
    ]
};

/// What `route` asks of a key; unlisted routes refuse keys.
pub fn key_access(method: &str, route: &str) -> KeyAccess {
    ROUTE_ACCESS
        .iter()
        .find(|(m, r, _)| m.eq_ignore_ascii_case(method) && *r == route)
        .map_or(KeyAccess::People, |(_, _, access)| *access)
}

/// Whether a key with `scopes` may call `route`; Err says why not.
pub fn check_key_access(method: &str, route: &str, scopes: &[Permission]) -> Result<(), String> {
    match key_access(method, route) {
        KeyAccess::AnyKey => Ok(()),
        KeyAccess::Scope(scope) if scopes.contains(&scope) => Ok(()),
        KeyAccess::Scope(scope) => Err(scope.as_str().to_owned()),
        KeyAccess::People => Err(String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hashed_for_storage() {
        let (a, b) = (generate_key(), generate_key());
        assert_ne!(a, b);
        assert!(looks_like_key(&a) && a.len() == KEY_PREFIX.len() + 43, "{a}");
        assert_eq!(key_hash(&a).len(), 64);
        assert_eq!(key_hash(&a), key_hash(&a));
        assert_ne!(key_hash(&a), key_hash(&b));
        assert_eq!(shown_prefix(&a).len(), SHOWN_PREFIX_CHARS);
        assert!(!looks_like_key("eyJhbGciOi..."));
    }

    #[test]
    fn scopes_stay_within_the_creators_role_and_the_key_scopes() {
        let scopes = parse_scopes(&["tickets:read".into(), "tickets:write".into(), "tickets:read".into()], Role::Admin);
        assert_eq!(scopes.unwrap(), [Permission::TicketsRead, Permission::TicketsWrite]);
        assert!(parse_scopes(&["users:manage".into()], Role::Owner).unwrap_err().contains("not a key scope"));
        assert!(parse_scopes(&["webhooks:manage".into()], Role::Agent).unwrap_err().contains("beyond your role"));
        assert!(parse_scopes(&[], Role::Owner).is_err());
    }

    #[test]
    fn routes_ask_for_their_scope_and_unlisted_routes_refuse_keys() {
        let read = [Permission::TicketsRead];
        assert!(check_key_access("GET", "/api/v1/tickets/{id}", &read).is_ok());
        assert_eq!(check_key_access("POST", "/api/v1/tickets", &read), Err("tickets:write".to_owned()));
        assert!(check_key_access("GET", "/api/v1/me", &[]).is_ok());
        assert!(check_key_access("POST", "/api/v1/api-keys", KEY_SCOPES).is_err());
        assert!(check_key_access("GET", "/api/v1/not-yet-invented", KEY_SCOPES).is_err());
    }
}
