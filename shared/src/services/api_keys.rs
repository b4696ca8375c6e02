//! API keys: admins make keys with scopes (the secret is shown once; only its hash is kept), list them
//! by prefix with their last use, revoke and rotate them. The authorizer turns a key into a principal
//! that acts as the key's creator, limited to the key's scopes.

use super::{ServiceError, ServiceResult};
use crate::api::integrations::{ApiKeyListView, ApiKeyView, ApiKeyWithSecretView, CreateApiKeyRequest};
use crate::app::App;
use crate::auth::{ApiKeyPrincipal, MemberPrincipal};
use crate::domain::api_keys::{generate_key, key_hash, parse_scopes, shown_prefix};
use crate::domain::events::EventKind;
use crate::domain::ids::ApiKeyId;
use crate::domain::plan::PlanId;
use crate::domain::{Gather, field, text::parse_line};
use crate::storage::api_keys::ApiKey;
use crate::storage::{StoreError, TenantScope, events::Event};

const WHAT: &str = "The API key";
pub const MAX_NAME_CHARS: usize = 100;

fn view(key: &ApiKey) -> ApiKeyView {
    ApiKeyView {
        id: key.id,
        name: key.name.clone(),
        prefix: key.prefix.clone(),
        scopes: key.scopes.iter().map(|scope| scope.as_str().to_owned()).collect(),
        created_at: key.created_at,
        last_used_at: key.last_used_at,
        revoked_at: key.revoked_at,
    }
}

fn snapshot(key: &ApiKey) -> serde_json::Value {
    serde_json::json!({"name": key.name, "prefix": key.prefix, "scopes": key.scopes, "revoked_at": key.revoked_at})
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateApiKeyRequest,
) -> ServiceResult<ApiKeyWithSecretView> {
    let (name, scopes) = (
        field("name", parse_line(&request.name, MAX_NAME_CHARS)),
        field("scopes", parse_scopes(&request.scopes, caller.role)),
    )
        .gather()?;
    let secret = generate_key();
    let now = app.clock.now();
    let key = ApiKey {
        id: ApiKeyId::generate(),
        workspace_id: caller.workspace_id,
        name,
        prefix: shown_prefix(&secret),
        hash: key_hash(&secret),
        scopes,
        created_by: caller.user_id,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
        version: 1,
    };
    let event = Event::new(EventKind::ApiKeyCreated, Some(caller.user_id), format!("api_key/{}", key.id), now)
        .with_change(None, Some(snapshot(&key)));
    app.store.create_api_key(&caller.scope(), &key, &event).await?;
    Ok(ApiKeyWithSecretView { key: view(&key), secret })
}

pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<ApiKeyListView> {
    let mut keys = app.store.list_api_keys(&caller.scope()).await?;
    keys.sort_by_key(|key| key.id);
    Ok(ApiKeyListView { items: keys.iter().map(view).collect() })
}

async fn load(app: &App, scope: &TenantScope, id: ApiKeyId) -> ServiceResult<ApiKey> {
    app.store.get_api_key(scope, id).await?.ok_or(ServiceError::NotFound(WHAT))
}

/// A key acts as its creator, so only the creator, or someone who may manage the creator's role, may
/// revoke or rotate it: an admin cannot take over an owner's key by rotating it.
async fn ensure_may_manage(app: &App, caller: &MemberPrincipal, key: &ApiKey) -> ServiceResult<()> {
    if key.created_by == caller.user_id {
        return Ok(());
    }
    // A creator no longer in the workspace has no role to protect (their keys stop working anyway).
    let Some(creator) = app.store.get_member(&caller.scope(), key.created_by).await? else { return Ok(()) };
    if caller.role.can_manage_role(creator.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "This key acts as a member with the {} role; only they or someone who may manage that role may change it.",
            creator.role.as_str()
        )))
    }
}

/// Revokes a key at once (API Gateway may answer from its authorizer cache for up to its TTL).
pub async fn revoke(app: &App, caller: &MemberPrincipal, id: ApiKeyId) -> ServiceResult<ApiKeyView> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    ensure_may_manage(app, caller, &before).await?;
    if before.revoked_at.is_some() {
        return Ok(view(&before));
    }
    let now = app.clock.now();
    let after = ApiKey { revoked_at: Some(now), version: before.version + 1, ..before.clone() };
    let event = Event::new(EventKind::ApiKeyRevoked, Some(caller.user_id), format!("api_key/{id}"), now)
        .with_change(Some(snapshot(&before)), Some(snapshot(&after)));
    if !app.store.replace_api_key(&scope, before.version, &after, &event).await? {
        return Err(ServiceError::VersionConflict { what: WHAT, current: None });
    }
    Ok(view(&after))
}

/// A new secret for the same key (name, scopes); the old secret stops working at once.
pub async fn rotate(app: &App, caller: &MemberPrincipal, id: ApiKeyId) -> ServiceResult<ApiKeyWithSecretView> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    ensure_may_manage(app, caller, &before).await?;
    if before.revoked_at.is_some() {
        return Err(ServiceError::Conflict("The key is revoked; make a new one.".into()));
    }
    let secret = generate_key();
    let now = app.clock.now();
    let after = ApiKey {
        prefix: shown_prefix(&secret),
        hash: key_hash(&secret),
        last_used_at: None,
        version: before.version + 1,
        ..before.clone()
    };
    let event = Event::new(EventKind::ApiKeyRotated, Some(caller.user_id), format!("api_key/{id}"), now)
        .with_change(Some(snapshot(&before)), Some(snapshot(&after)));
    if !app.store.replace_api_key(&scope, before.version, &after, &event).await? {
        return Err(ServiceError::VersionConflict { what: WHAT, current: None });
    }
    Ok(ApiKeyWithSecretView { key: view(&after), secret })
}

/// What a presented key is: the principal it acts as and the seed tier whose usage plan throttles it
/// (its workspace's plan, or the tier a created plan borrows), or None when it is unknown, revoked, or
/// its creator is no longer an active member.
/// The key's principal, the usage tier of its workspace's plan, and the workspace's suspension if any
/// (the caller refuses a suspended workspace's keys: `workspace-suspended`).
pub async fn authenticate(
    app: &App,
    presented: &str,
) -> Result<Option<(ApiKeyPrincipal, PlanId, Option<crate::domain::standing::SuspensionReason>)>, StoreError> {
    let Some(key) = app.store.find_api_key_by_hash(&key_hash(presented)).await? else { return Ok(None) };
    if key.revoked_at.is_some() {
        return Ok(None);
    }
    let scope = TenantScope::new(key.workspace_id);
    let (member, workspace) =
        futures::future::try_join(app.store.get_member(&scope, key.created_by), app.store.get_workspace(&scope))
            .await?;
    let (Some(member), Some(workspace)) = (member.filter(|member| member.is_active()), workspace) else {
        return Ok(None);
    };
    app.store.touch_api_key(&key, app.clock.now()).await?;
    let principal = ApiKeyPrincipal {
        key_id: key.id,
        member: MemberPrincipal::new(key.workspace_id, member.id, member.role),
        // The creator's role may have shrunk since: the key keeps only what they still hold.
        scopes: key.scopes.into_iter().filter(|scope| member.role.can(*scope)).collect(),
    };
    let plan = super::plans::of_workspace(app, &workspace).await?;
    Ok(Some((principal, crate::domain::plan::usage_tier(&plan), workspace.standing.suspension())))
}
