//! Google Contacts sync (docs/google-contacts.md): a member connects their Google account (OAuth 2.0
//! authorization code with PKCE), their contacts land as customers or leads, matched by e-mail and
//! never duplicated, kept current by incremental syncs on a schedule and on demand, and (two-way)
//! customers changed here are written back.
//!
//! Tokens are sealed with [`super::envelope`]; the functions that call this module hand it the key
//! service ([`KeyVault`]) they link.

pub mod google;
mod sync;

use jiff::ToSpan;

use super::envelope::{self, EncryptionContext, KeyVault, Sealed};
use super::{ServiceError, ServiceResult};
use crate::api::{
    CompleteGoogleConnectionRequest, GoogleAuthorizationView, GoogleContactsView, StartGoogleConnectionRequest,
    UpdateGoogleContactsRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::config::GoogleConfig;
use crate::domain::FieldError;
use crate::domain::ids::UserId;
use crate::domain::rbac::Permission;
use crate::storage::TenantScope;
use crate::storage::google_contacts::{DeletionPolicy, GoogleConnection, PendingAuthorization, SyncState, SyncTarget};
use google::{Google, GoogleError, Pkce};

pub use sync::{SweepReport, sync_all};

/// How long a member has to consent at Google before the authorization is refused.
pub const AUTHORIZATION_TTL_MINUTES: i64 = 10;
/// An access token this close to expiry is refreshed before use.
const REFRESH_MARGIN_SECS: i64 = 60;
const TOKENS_PURPOSE: &str = "google-contacts-tokens";

/// The tokens as sealed: both in one value, so one data key covers them.
#[derive(serde::Serialize, serde::Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
}

fn config(app: &App) -> ServiceResult<&GoogleConfig> {
    app.config.google.as_ref().ok_or(ServiceError::NotFound("The Google Contacts integration"))
}

/// Binds sealed tokens to their workspace and member (KMS encryption context and AEAD data).
fn token_context(scope: &TenantScope, user: UserId) -> EncryptionContext {
    [
        ("purpose".to_owned(), TOKENS_PURPOSE.to_owned()),
        ("workspace".to_owned(), scope.workspace_id().to_string()),
        ("member".to_owned(), user.to_string()),
    ]
    .into()
}

async fn seal_tokens(
    vault: &dyn KeyVault,
    scope: &TenantScope,
    user: UserId,
    tokens: &Tokens,
) -> ServiceResult<Sealed> {
    let clear = serde_json::to_vec(tokens).map_err(|err| ServiceError::Conflict(err.to_string()))?;
    envelope::seal(vault, &token_context(scope, user), &clear).await.map_err(key_service)
}

async fn open_tokens(
    vault: &dyn KeyVault,
    scope: &TenantScope,
    connection: &GoogleConnection,
) -> ServiceResult<Tokens> {
    let clear = envelope::open(vault, &token_context(scope, connection.user_id), &connection.tokens)
        .await
        .map_err(key_service)?;
    serde_json::from_slice(&clear).map_err(|_| key_service(envelope::EnvelopeError::Unopenable))
}

/// The key service failing is ours to fix (permissions, a disabled key): logged, answered as a 500.
fn key_service(err: envelope::EnvelopeError) -> ServiceError {
    tracing::error!(error = %err, "the token key service failed");
    ServiceError::Store(crate::storage::StoreError::Backend(err.to_string()))
}

/// The permission a target needs: landing contacts as customers or as leads.
fn target_permission(target: SyncTarget) -> Permission {
    match target {
        SyncTarget::Customers => Permission::CustomersWrite,
        SyncTarget::Leads => Permission::SalesWrite,
    }
}

fn require_target(caller: &MemberPrincipal, target: SyncTarget) -> ServiceResult<()> {
    let permission = target_permission(target);
    if caller.can(permission) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "syncing contacts as {} needs {}",
            target_name(target),
            permission.as_str()
        )))
    }
}

fn target_name(target: SyncTarget) -> &'static str {
    match target {
        SyncTarget::Customers => "customers",
        SyncTarget::Leads => "leads",
    }
}

/// Customers are never deleted (their tickets stay theirs): `delete` is for leads.
fn check_policy(target: SyncTarget, deletion: DeletionPolicy) -> ServiceResult<()> {
    if target == SyncTarget::Customers && deletion == DeletionPolicy::Delete {
        return Err(vec![FieldError::new(
            "deletion",
            "customers are never deleted (they keep their tickets); choose archive or ignore",
        )]
        .into());
    }
    Ok(())
}

pub async fn status(app: &App, caller: &MemberPrincipal) -> ServiceResult<GoogleContactsView> {
    config(app)?;
    let connection = app.store.get_google_connection(&caller.scope(), caller.user_id()).await?;
    Ok(connection.as_ref().map_or_else(GoogleContactsView::disconnected, GoogleContactsView::from))
}

/// Starts an authorization: a PKCE pair and a `state` kept server-side for the calling member.
pub async fn start(
    app: &App,
    caller: &MemberPrincipal,
    request: StartGoogleConnectionRequest,
) -> ServiceResult<GoogleAuthorizationView> {
    let config = config(app)?;
    let target = request.target.unwrap_or(SyncTarget::Customers);
    let deletion = request.deletion.unwrap_or(DeletionPolicy::Ignore);
    let two_way = request.two_way.unwrap_or(false);
    require_target(caller, target)?;
    check_policy(target, deletion)?;
    if two_way && target != SyncTarget::Customers {
        return Err(vec![FieldError::new("two_way", "only customers are written back to Google")].into());
    }
    let login_hint = request.login_hint.map(|hint| hint.trim().to_owned()).filter(|hint| !hint.is_empty());
    if login_hint.as_ref().is_some_and(|hint| hint.len() > 320 || hint.chars().any(char::is_control)) {
        return Err(vec![FieldError::new("login_hint", "must be an e-mail address")].into());
    }
    let pkce = Pkce::generate();
    let state = google::random_token();
    let expires_at = app.clock.now() + AUTHORIZATION_TTL_MINUTES.minutes();
    let pending = PendingAuthorization {
        user_id: caller.user_id(),
        code_verifier: pkce.verifier,
        two_way,
        target,
        deletion,
        expires_at: expires_at.as_second(),
    };
    app.store.put_google_authorization(&caller.scope(), &state, &pending).await?;
    let scope = if two_way { google::SCOPE_READ_WRITE } else { google::SCOPE_READONLY };
    let authorize_url = Google::new(config).authorize_url(scope, &state, &pkce.challenge, login_hint.as_deref());
    Ok(GoogleAuthorizationView { authorize_url, state, expires_at })
}

/// Completes an authorization: the `state` must be one this member started and still valid; the code
/// is exchanged with the stored verifier. A previous connection's grant is revoked and replaced.
pub async fn complete(
    app: &App,
    vault: &dyn KeyVault,
    caller: &MemberPrincipal,
    request: CompleteGoogleConnectionRequest,
) -> ServiceResult<GoogleContactsView> {
    let config = config(app)?;
    let scope = caller.scope();
    let refused_state = || {
        ServiceError::from(vec![FieldError::new(
            "state",
            "is not an authorization you started, or it expired; connect again",
        )])
    };
    if request.state.is_empty() || request.state.len() > 128 || request.code.is_empty() || request.code.len() > 2048 {
        return Err(vec![FieldError::new("code", "must be the code and state Google sent back")].into());
    }
    let pending = app.store.take_google_authorization(&scope, &request.state).await?.ok_or_else(refused_state)?;
    let now = app.clock.now();
    if pending.user_id != caller.user_id() || pending.expires_at < now.as_second() {
        return Err(refused_state());
    }
    require_target(caller, pending.target)?;
    let grant =
        Google::new(config).exchange_code(&request.code, &pending.code_verifier).await.map_err(|err| match err {
            GoogleError::Refused(reason) => ServiceError::from(vec![FieldError::new(
                "code",
                format!("Google refused the authorization code ({reason}); connect again"),
            )]),
            other => ServiceError::Conflict(format!("Google could not be reached to finish connecting: {other}")),
        })?;
    let Some(refresh_token) = grant.refresh_token.clone() else {
        return Err(ServiceError::Conflict("Google granted no offline access; connect again".to_owned()));
    };
    let granted = grant.scope.clone().unwrap_or_default();
    if pending.two_way && !granted.split(' ').any(|scope| scope == google::SCOPE_READ_WRITE) {
        return Err(vec![FieldError::new(
            "code",
            "Google did not grant write access to contacts, which two-way needs",
        )]
        .into());
    }
    let tokens = Tokens { access_token: grant.access_token, refresh_token };
    let sealed = seal_tokens(vault, &scope, caller.user_id(), &tokens).await?;
    let previous = app.store.get_google_connection(&scope, caller.user_id()).await?;
    let connection = GoogleConnection {
        workspace_id: caller.workspace_id(),
        user_id: caller.user_id(),
        scope: granted,
        target: pending.target,
        deletion: pending.deletion,
        two_way: pending.two_way,
        tokens: sealed,
        access_expires_at: now + (grant.expires_in as i64).seconds(),
        // A new grant starts with a full listing; the mapping keeps it from duplicating anything.
        sync_token: None,
        page_token: None,
        export_after: None,
        state: SyncState::default(),
        running_until: None,
        connected_at: now,
        version: previous.as_ref().map_or(1, |previous| previous.version + 1),
    };
    if !app.store.put_google_connection(&scope, &connection, previous.as_ref().map(|p| p.version)).await? {
        return Err(ServiceError::VersionConflict { what: "The Google connection", current: None });
    }
    if let Some(previous) = previous
        && let Ok(old) = open_tokens(vault, &scope, &previous).await
        && let Err(err) = Google::new(config).revoke(&old.refresh_token).await
    {
        tracing::warn!(error = %err, "revoking the replaced Google grant failed");
    }
    Ok((&connection).into())
}

pub async fn configure(
    app: &App,
    caller: &MemberPrincipal,
    request: UpdateGoogleContactsRequest,
) -> ServiceResult<GoogleContactsView> {
    config(app)?;
    let scope = caller.scope();
    let before = app
        .store
        .get_google_connection(&scope, caller.user_id())
        .await?
        .ok_or(ServiceError::NotFound("The Google connection"))?;
    let target = request.target.unwrap_or(before.target);
    let deletion = request.deletion.unwrap_or(before.deletion);
    let two_way = request.two_way.unwrap_or(before.two_way);
    require_target(caller, target)?;
    check_policy(target, deletion)?;
    if two_way && target != SyncTarget::Customers {
        return Err(vec![FieldError::new("two_way", "only customers are written back to Google")].into());
    }
    if two_way && !before.scope.split(' ').any(|scope| scope == google::SCOPE_READ_WRITE) {
        return Err(vec![FieldError::new(
            "two_way",
            "the connection may only read contacts: connect again with two-way",
        )]
        .into());
    }
    let after = GoogleConnection { target, deletion, two_way, version: before.version + 1, ..before.clone() };
    if !app.store.put_google_connection(&scope, &after, Some(before.version)).await? {
        return Err(ServiceError::VersionConflict { what: "The Google connection", current: None });
    }
    Ok((&after).into())
}

/// Syncs the caller's connection now (the same run the schedule makes) and answers its status.
pub async fn sync_now(app: &App, vault: &dyn KeyVault, caller: &MemberPrincipal) -> ServiceResult<GoogleContactsView> {
    config(app)?;
    let scope = caller.scope();
    let connection = app
        .store
        .get_google_connection(&scope, caller.user_id())
        .await?
        .ok_or(ServiceError::NotFound("The Google connection"))?;
    require_target(caller, connection.target)?;
    let after = sync::sync_connection(app, vault, &scope, connection, sync::Trigger::OnDemand).await?;
    Ok(after.as_ref().map_or_else(GoogleContactsView::disconnected, GoogleContactsView::from))
}

/// Revokes the grant at Google and deletes the tokens, the connection and its contact links. The
/// records the contacts landed as stay. Any member may disconnect their own account.
pub async fn disconnect(app: &App, vault: &dyn KeyVault, caller: &MemberPrincipal) -> ServiceResult<()> {
    let config = config(app)?;
    let scope = caller.scope();
    let connection = app
        .store
        .get_google_connection(&scope, caller.user_id())
        .await?
        .ok_or(ServiceError::NotFound("The Google connection"))?;
    match open_tokens(vault, &scope, &connection).await {
        Ok(tokens) => Google::new(config).revoke(&tokens.refresh_token).await.map_err(|err| {
            ServiceError::Conflict(format!(
                "Google could not be reached to revoke access ({err}); nothing was removed, try again"
            ))
        })?,
        Err(err) => tracing::error!(error = ?err, "the stored Google tokens do not open; deleting them unrevoked"),
    }
    app.store.delete_google_connection(&scope, caller.user_id()).await?;
    Ok(())
}

/// The access token to call Google with: the stored one, or a refreshed one (sealed and stored).
async fn access_token(
    app: &App,
    vault: &dyn KeyVault,
    config: &GoogleConfig,
    scope: &TenantScope,
    connection: &mut GoogleConnection,
    force: bool,
) -> Result<String, GoogleError> {
    let mut tokens =
        open_tokens(vault, scope, connection).await.map_err(|err| GoogleError::Unavailable(err.to_string()))?;
    let now = app.clock.now();
    if !force && connection.access_expires_at > now + REFRESH_MARGIN_SECS.seconds() {
        return Ok(tokens.access_token);
    }
    let grant = Google::new(config).refresh(&tokens.refresh_token).await?;
    tokens.access_token = grant.access_token;
    if let Some(refresh) = grant.refresh_token {
        tokens.refresh_token = refresh;
    }
    connection.tokens = seal_tokens(vault, scope, connection.user_id, &tokens)
        .await
        .map_err(|err| GoogleError::Unavailable(err.to_string()))?;
    connection.access_expires_at = now + (grant.expires_in as i64).seconds();
    Ok(tokens.access_token)
}
