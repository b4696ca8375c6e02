//! Member sessions: sign-up, login, token refresh.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::members::{UserView, WorkspaceView};
use crate::domain::ids::WorkspaceId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    pub workspace_name: String,
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// Needed only when the e-mail and password match members of several workspaces:
    /// the first attempt then answers 409 `workspace-selection-required` listing them.
    #[serde(default)]
    pub workspace_id: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// Left out by browsers: theirs is in the `switchboard_refresh` cookie.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

/// A one-minute token for opening the WebSocket (`wss://…?token=<token>`); nothing else accepts it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SocketTokenResponse {
    pub token: String,
    /// Seconds until the token expires (60): open the socket right away.
    #[schema(example = 60)]
    pub expires_in: i64,
}

/// Tokens for a member session (sign-up, login, refresh).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub access_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one; presenting an old one revokes the session. Null for
    /// browsers (requests with `Sec-Fetch-Site`): theirs is set as the `switchboard_refresh` cookie
    /// (HttpOnly, Secure, SameSite=Strict, Path=/api/v1/auth) instead.
    pub refresh_token: Option<String>,
    pub user: UserView,
    pub workspace: WorkspaceView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceChoice {
    pub id: WorkspaceId,
    pub name: String,
}
