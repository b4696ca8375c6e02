//! Sign-up, login, token refresh with rotation and reuse detection, logout, and who an access token is.

use jiff::{SignedDuration, Timestamp};

use super::commands::accounts::SignUp;
use super::sign_in_throttle::{Attempt, throttled};
use super::{ServiceError, ServiceResult};
use crate::api::{LoginRequest, RefreshRequest, SessionResponse, SignupRequest, WorkspaceChoice};
use crate::app::App;
use crate::auth::{
    MemberPrincipal, Principal, passwords,
    refresh::RefreshToken,
    tokens::{Audience, TokenSubject},
};
use crate::domain::events::EventKind;
use crate::domain::{
    email::Email,
    ids::{SessionId, UserId, WorkspaceId},
    plan::PlanId,
    rbac::Role,
    user::UserStatus,
};
use crate::storage::{
    StoreError, TenantScope,
    events::Event,
    sessions::{RotateError, Session},
    users::Member,
    workspaces::{NewWorkspace, Workspace},
};

const BAD_CREDENTIALS: &str = "The e-mail or password is wrong.";

/// Creates a workspace on the free plan with the caller as its owner, and logs them in.
pub async fn signup(app: &App, request: SignupRequest) -> ServiceResult<SessionResponse> {
    let email = request.email.clone();
    throttled(app, Attempt::Signup, &email, create_workspace(app, request)).await
}

async fn create_workspace(app: &App, request: SignupRequest) -> ServiceResult<SessionResponse> {
    let SignUp { workspace_name, name, email, password } = request.try_into()?;

    let now = app.clock.now();
    let workspace = Workspace {
        id: WorkspaceId::generate(),
        name: workspace_name,
        plan: PlanId::free(),
        created_at: now,
        seats_used: 1,
        owners: 1,
        storage_bytes: 0,
        search_index_bytes: 0,
        webhooks_used: 0,
        lead_capture_endpoints_used: 0,
        standing: Default::default(),
        limit_extras: Default::default(),
        subscription_status: None,
    };
    let owner = Member {
        id: UserId::generate(),
        workspace_id: workspace.id,
        email,
        name,
        role: Role::Owner,
        status: UserStatus::Active,
        password_hash: passwords::hash(&password),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let (session, refresh_token) = new_session(app, &owner, now);
    let events = [
        Event::new(EventKind::WorkspaceCreated, Some(owner.id), format!("workspace/{}", workspace.id), now)
            .with_change(None, Some(serde_json::json!({"name": workspace.name, "plan": workspace.plan}))),
        Event::new(EventKind::UserCreated, Some(owner.id), format!("user/{}", owner.id), now)
            .with_change(None, Some(member_snapshot(&owner))),
    ];
    app.store
        .create_workspace(NewWorkspace { workspace: &workspace, owner: &owner, session: &session, events: &events })
        .await?;
    session_response(app, &workspace, &owner, refresh_token, now).await
}

/// Verifies the password against every workspace the e-mail belongs to. One match logs in; several
/// ask the caller to choose (unless `workspace_id` already did); none is a 401 that does not say
/// whether the e-mail exists. Failures back off per e-mail ([`super::sign_in_throttle`]).
pub async fn login(app: &App, request: LoginRequest) -> ServiceResult<SessionResponse> {
    let email = request.email.clone();
    throttled(app, Attempt::Login, &email, check_credentials(app, request)).await
}

async fn check_credentials(app: &App, request: LoginRequest) -> ServiceResult<SessionResponse> {
    let Ok(email) = Email::parse(&request.email) else {
        passwords::verify_against_dummy(&request.password);
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    };
    let wanted: Option<WorkspaceId> = match request.workspace_id.as_deref() {
        None | Some("") => None,
        Some(raw) => Some(raw.parse().map_err(|message: String| {
            ServiceError::Validation(vec![crate::domain::FieldError::new("workspace_id", message)])
        })?),
    };
    let memberships = app.store.memberships_for_login(&email).await?;
    let candidates: Vec<_> = memberships
        .into_iter()
        .filter(|(_, member)| member.is_active() && wanted.is_none_or(|id| id == member.workspace_id))
        .collect();
    if candidates.is_empty() {
        passwords::verify_against_dummy(&request.password);
        return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS));
    }
    let matching: Vec<_> = candidates
        .into_iter()
        .filter(|(_, member)| passwords::verify(&request.password, &member.password_hash))
        .collect();
    let (scope, member) = match matching.len() {
        0 => return Err(ServiceError::Unauthenticated(BAD_CREDENTIALS)),
        1 => matching.into_iter().next().expect("one match"),
        _ => {
            let mut choices = Vec::new();
            for (scope, _) in &matching {
                if let Some(workspace) = app.store.get_workspace(scope).await? {
                    choices.push(WorkspaceChoice { id: workspace.id, name: workspace.name.to_string() });
                }
            }
            return Err(ServiceError::WorkspaceSelectionRequired(choices));
        }
    };
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::Unauthenticated(BAD_CREDENTIALS))?;
    let now = app.clock.now();
    let (session, refresh_token) = new_session(app, &member, now);
    app.store.create_session(&scope, &session).await?;
    session_response(app, &workspace, &member, refresh_token, now).await
}

/// Exchanges a refresh token for new tokens. The presented token is spent; presenting it again
/// revokes the session for everyone holding it.
pub async fn refresh(app: &App, request: RefreshRequest) -> ServiceResult<SessionResponse> {
    const INVALID: &str = "The refresh token is invalid or expired. Log in again.";
    let presented =
        request.refresh_token.as_deref().and_then(RefreshToken::parse).ok_or(ServiceError::Unauthenticated(INVALID))?;
    let scope = TenantScope::new(presented.workspace_id);
    let now = app.clock.now();
    let next = RefreshToken::generate(presented.workspace_id, presented.user_id, presented.session_id);
    app.store
        .rotate_session(
            &scope,
            presented.user_id,
            presented.session_id,
            &presented.secret_hash(),
            &next.secret_hash(),
            now,
        )
        .await
        .map_err(|err| match err {
            RotateError::Reused => ServiceError::RefreshTokenReused,
            RotateError::Unknown | RotateError::Revoked | RotateError::Expired => {
                ServiceError::Unauthenticated(INVALID)
            }
            RotateError::Store(err) => ServiceError::Store(err),
        })?;
    let member = app.store.get_member(&scope, presented.user_id).await?;
    let Some(member) = member.filter(Member::is_active) else {
        app.store.revoke_session(&scope, presented.user_id, presented.session_id).await?;
        return Err(ServiceError::Unauthenticated("This account is deactivated."));
    };
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::Unauthenticated(INVALID))?;
    session_response(app, &workspace, &member, next, now).await
}

/// Ends the session the refresh token belongs to, if it is the session's current token (its hash must
/// match: the ids alone, readable in any old token, end nothing). Idempotent and silent: an unknown, spent
/// or forged token is answered the same and changes nothing.
pub async fn logout(app: &App, request: RefreshRequest) -> ServiceResult<()> {
    if let Some(token) = request.refresh_token.as_deref().and_then(RefreshToken::parse) {
        let scope = TenantScope::new(token.workspace_id);
        app.store.revoke_session_holding(&scope, token.user_id, token.session_id, &token.secret_hash()).await?;
    }
    Ok(())
}

/// Who an access token is: its member with the role storage holds now (a role change or deactivation
/// counts at once, not when the token expires), or its staff member; None when the token does not verify
/// or names someone no longer active. The authorizer's lookup; the reason for a refusal is logged.
/// `accepted`: the audiences this entry point takes (the REST API members and staff, the WebSocket
/// handshake socket tokens alone).
pub async fn authenticate(
    app: &App,
    access_token: &str,
    accepted: &[Audience],
) -> Result<Option<Principal>, StoreError> {
    let subject = match app.tokens.verify(access_token, accepted, app.clock.now()) {
        Ok((_, subject)) => subject,
        Err(err) => {
            tracing::info!(reason = %err, "access token refused");
            return Ok(None);
        }
    };
    match subject {
        TokenSubject::Member { workspace_id, user_id } => {
            let member = app.store.get_member(&TenantScope::new(workspace_id), user_id).await?;
            let Some(member) = member.filter(Member::is_active) else {
                tracing::info!(%workspace_id, %user_id, "token of an unknown or deactivated member refused");
                return Ok(None);
            };
            Ok(Some(Principal::Member(MemberPrincipal::new(workspace_id, user_id, member.role))))
        }
        TokenSubject::Staff { staff_id } => {
            let staff = app.store.get_staff(staff_id).await?;
            if !staff.is_some_and(|staff| staff.active) {
                tracing::info!(%staff_id, "token of an unknown or deactivated staff member refused");
                return Ok(None);
            }
            Ok(Some(Principal::Staff { staff_id }))
        }
    }
}

fn new_session(app: &App, member: &Member, now: Timestamp) -> (Session, RefreshToken) {
    let token = RefreshToken::generate(member.workspace_id, member.id, SessionId::generate());
    let ttl = SignedDuration::try_from(app.config.refresh_token_ttl).unwrap_or(SignedDuration::from_hours(24 * 30));
    let session = Session {
        id: token.session_id,
        user_id: member.id,
        token_hash: token.secret_hash(),
        revoked: false,
        created_at: now,
        last_used_at: now,
        expires_at: now.as_second() + ttl.as_secs(),
    };
    (session, token)
}

async fn session_response(
    app: &App,
    workspace: &Workspace,
    member: &Member,
    refresh_token: RefreshToken,
    now: Timestamp,
) -> ServiceResult<SessionResponse> {
    let subject = TokenSubject::Member { workspace_id: workspace.id, user_id: member.id };
    Ok(SessionResponse {
        access_token: app.tokens.issue(Audience::Member, &subject, now).await?,
        token_type: "Bearer".to_owned(),
        expires_in: app.tokens.ttl_secs(Audience::Member),
        refresh_token: Some(refresh_token.encode()),
        user: member.into(),
        workspace: workspace.into(),
    })
}

/// A one-minute token for the WebSocket handshake, for the member the access token names. It is
/// refused anywhere an access token is expected, and an access token is refused on the handshake, so
/// the token a URL carries (and a log may keep) opens a socket for a minute and nothing else.
pub async fn socket_token(app: &App, caller: &MemberPrincipal) -> ServiceResult<crate::api::SocketTokenResponse> {
    let subject = TokenSubject::Member { workspace_id: caller.workspace_id, user_id: caller.user_id };
    Ok(crate::api::SocketTokenResponse {
        token: app.tokens.issue(Audience::Socket, &subject, app.clock.now()).await?,
        expires_in: app.tokens.ttl_secs(Audience::Socket),
    })
}

/// What the event log records of a member: never the password hash.
pub(crate) fn member_snapshot(member: &Member) -> serde_json::Value {
    serde_json::json!({
        "email": member.email,
        "name": member.name,
        "role": member.role,
        "status": member.status,
    })
}
