//! Use cases. Handlers parse the request, call one of these, and render the result; every rule and
//! storage call lives here or below, never in a handler.

pub mod accounts;
pub mod activities;
pub mod api_calls;
pub mod api_keys;
pub mod attachments;
pub mod authors;
pub mod billing;
pub mod bulk;
pub mod chat;
pub mod commands;
pub mod companies;
pub mod customers;
pub mod deals;
pub mod drafts;
pub mod email;
pub mod email_delivery;
pub mod email_notifications;
pub mod email_outbound;
pub mod envelope;
pub mod event_bus;
pub mod exports;
pub mod followers;
pub mod google_contacts;
pub mod handoff;
pub mod inbox_rows;
pub mod lead_capture;
pub mod leads;
pub mod macros;
pub mod members;
pub mod merge;
pub mod notes;
pub mod notifications;
pub mod outbox;
pub mod pipelines;
pub mod plans;
pub mod platform;
pub mod realtime;
pub mod reports;
pub mod search_feed;
pub mod settings;
pub mod sign_in_throttle;
pub mod sla;
pub mod sla_watch;
pub mod staff_secret;
pub mod standing;
pub mod support_days;
pub mod support_reports;
pub mod tickets;
pub mod views;
pub mod webhooks;

use crate::adapters::{BlobError, QueueError};
use crate::api::{MessageView, WorkspaceChoice};
use crate::domain::{FieldError, ids::LeadId, plan::LimitExceeded, ticket::InvalidTransition};
use crate::storage::{StoreError, realtime::Claim};

/// Why a use case failed. Services know nothing of HTTP: the edge turns these into problem+json
/// (`http/service_errors.rs`).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not authenticated: {0}")]
    Unauthenticated(&'static str),
    #[error("refresh token reused")]
    RefreshTokenReused,
    /// The password was right but the account needs its authenticator code as well.
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("e-mail already in use")]
    EmailTaken,
    #[error("workspace selection required")]
    WorkspaceSelectionRequired(Vec<WorkspaceChoice>),
    #[error("plan limit reached")]
    PlanLimit(LimitExceeded),
    #[error("last owner")]
    LastOwner,
    #[error("version conflict")]
    VersionConflict {
        what: &'static str,
        /// The current state, so the client can show what changed and retry.
        current: Option<serde_json::Value>,
    },
    #[error("conflict: {0}")]
    Conflict(String),
    /// A pipeline stage to be removed still holds open deals.
    #[error("stage not empty")]
    StageNotEmpty { stage: crate::domain::ids::StageId, open_deals: u64 },
    /// A reply drafted on `draft_version` while these messages arrived.
    #[error("draft conflict")]
    DraftConflict { current_version: u64, messages: Vec<MessageView> },
    /// Another member holds an active claim on the ticket.
    #[error("ticket claimed")]
    TicketClaimed(Claim),
    #[error("invalid transition")]
    InvalidTransition(InvalidTransition),
    /// Another lead of the workspace has this e-mail.
    #[error("duplicate lead")]
    DuplicateLead { existing: LeadId },
    /// Another company of the workspace has this web domain.
    #[error("domain taken")]
    DomainTaken { existing: crate::domain::ids::CompanyId, domain: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A queue could not take a message.
    #[error("queue failure: {0}")]
    Queue(#[from] QueueError),
    /// The file store could not sign a URL or answer about an object.
    #[error("file storage failure: {0}")]
    Blob(#[from] BlobError),
    /// Too many failed sign-ins for this account lately: locked for this long.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The function's signing key could not be read (Secrets Manager) or is not configured here.
    #[error(transparent)]
    Signing(#[from] crate::auth::tokens::SigningError),
    /// An export's file could not be written (encoding a row, rendering a PDF): a fault of ours.
    #[error("export not written: {0}")]
    Export(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A request that did not parse into its command: every bad field, for one 422.
impl From<Vec<FieldError>> for ServiceError {
    fn from(errors: Vec<FieldError>) -> Self {
        ServiceError::Validation(errors)
    }
}
