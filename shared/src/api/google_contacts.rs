//! The Google Contacts connection of the calling member: connecting (OAuth with PKCE), settings, sync
//! status, sync now, disconnecting.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::storage::google_contacts::{DeletionPolicy, GoogleConnection, SyncCounts, SyncTarget};

/// Starts connecting: the settings to connect with, and optionally the Google account to suggest.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartGoogleConnectionRequest {
    /// What contacts land as; `customers` when not given.
    #[serde(default)]
    pub target: Option<SyncTarget>,
    /// What a contact deleted in Google does; `ignore` when not given.
    #[serde(default)]
    pub deletion: Option<DeletionPolicy>,
    /// Also write customers changed here back to Google (asks for the `contacts` scope instead of
    /// `contacts.readonly`).
    #[serde(default)]
    pub two_way: Option<bool>,
    /// The Google account to preselect (Google's `login_hint`).
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// Where to send the member's browser; Google brings it back to the callback page with `code` and
/// `state`, which the page posts to `POST /api/v1/integrations/google-contacts/callback`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoogleAuthorizationView {
    pub authorize_url: String,
    pub state: String,
    /// The authorization must be completed before this moment.
    pub expires_at: Timestamp,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteGoogleConnectionRequest {
    pub code: String,
    pub state: String,
}

/// Changes the connection's settings; fields not given stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGoogleContactsRequest {
    #[serde(default)]
    pub target: Option<SyncTarget>,
    #[serde(default)]
    pub deletion: Option<DeletionPolicy>,
    /// Turning it on needs a connection made with two-way (the `contacts` scope): connect again.
    #[serde(default)]
    pub two_way: Option<bool>,
}

/// How syncing goes.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoogleSyncView {
    pub last_sync_at: Option<Timestamp>,
    pub last_success_at: Option<Timestamp>,
    /// What the last run did.
    pub last_run: SyncCounts,
    /// What every run since connecting did.
    pub totals: SyncCounts,
    /// Why the last run stopped short, if it did.
    pub last_error: Option<String>,
    /// Google's quota asked us to wait: no sync before this moment.
    pub resume_after: Option<Timestamp>,
    /// Full listings made: the first import, and one after each expired sync token.
    pub full_syncs: u64,
    /// Google refused the stored grant (revoked in the Google account): connect again.
    pub needs_reconnect: bool,
    /// A listing stopped between pages; the next run goes on from there.
    pub in_progress: bool,
}

/// The calling member's connection; `connected: false` and nothing else when there is none.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoogleContactsView {
    pub connected: bool,
    pub target: Option<SyncTarget>,
    pub deletion: Option<DeletionPolicy>,
    pub two_way: Option<bool>,
    /// The scopes Google granted.
    pub scope: Option<String>,
    pub connected_at: Option<Timestamp>,
    pub sync: Option<GoogleSyncView>,
}

impl GoogleContactsView {
    pub fn disconnected() -> Self {
        Self {
            connected: false,
            target: None,
            deletion: None,
            two_way: None,
            scope: None,
            connected_at: None,
            sync: None,
        }
    }
}

impl From<&GoogleConnection> for GoogleContactsView {
    fn from(connection: &GoogleConnection) -> Self {
        let state = &connection.state;
        Self {
            connected: true,
            target: Some(connection.target),
            deletion: Some(connection.deletion),
            two_way: Some(connection.two_way),
            scope: Some(connection.scope.clone()),
            connected_at: Some(connection.connected_at),
            sync: Some(GoogleSyncView {
                last_sync_at: state.last_sync_at,
                last_success_at: state.last_success_at,
                last_run: state.last_run,
                totals: state.totals,
                last_error: state.last_error.clone(),
                resume_after: state.resume_after,
                full_syncs: state.full_syncs,
                needs_reconnect: state.needs_reconnect,
                in_progress: connection.page_token.is_some(),
            }),
        }
    }
}
