//! Use cases. Handlers parse the request, call one of these, and render the result; every rule and
//! storage call lives here or below, never in a handler.

pub mod accounts;
pub mod api_keys;
pub mod attachments;
pub mod chat;
pub mod commands;
pub mod customers;
pub mod drafts;
pub mod handoff;
pub mod members;
pub mod outbox;
pub mod platform;
pub mod realtime;
pub mod reports;
pub mod settings;
pub mod sla;
pub mod sla_watch;
pub mod tickets;
pub mod webhooks;

use crate::api::WorkspaceChoice;
use crate::domain::{FieldError, plan::LimitExceeded};
use crate::http::{Problem, ProblemType};
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("not authenticated: {0}")]
    Unauthenticated(&'static str),
    #[error("refresh token reused")]
    RefreshTokenReused,
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
    /// A reply drafted on `draft_version` while these messages arrived.
    #[error("draft conflict")]
    DraftConflict { current_version: u64, messages: Vec<crate::api::MessageView> },
    /// Another member holds an active claim on the ticket.
    #[error("ticket claimed")]
    TicketClaimed(crate::storage::realtime::Claim),
    #[error("invalid transition")]
    InvalidTransition(crate::domain::ticket::InvalidTransition),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A queue could not take a message.
    #[error("queue failure: {0}")]
    Queue(String),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// A request that did not parse into its command: every bad field, for one 422.
impl From<Vec<FieldError>> for ServiceError {
    fn from(errors: Vec<FieldError>) -> Self {
        ServiceError::Validation(errors)
    }
}

/// The edge mapping from service errors to problem+json.
impl From<ServiceError> for Problem {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation(errors) => Problem::validation(errors),
            ServiceError::Unauthenticated(detail) => Problem::unauthenticated(detail),
            ServiceError::RefreshTokenReused => Problem::new(
                ProblemType::RefreshTokenReused,
                "This refresh token was already used; the session is revoked. Log in again.",
            ),
            ServiceError::Forbidden(detail) => Problem::forbidden(detail),
            ServiceError::NotFound(what) => Problem::not_found(what),
            ServiceError::EmailTaken => {
                Problem::new(ProblemType::EmailTaken, "This e-mail is already in use in this workspace.")
                    .with("field", "email")
            }
            ServiceError::WorkspaceSelectionRequired(choices) => Problem::new(
                ProblemType::WorkspaceSelectionRequired,
                "This login belongs to several workspaces: repeat it with one of these `workspace_id`s.",
            )
            .with("workspaces", serde_json::to_value(choices).unwrap_or_default()),
            ServiceError::PlanLimit(exceeded) => Problem::new(
                ProblemType::PlanLimitReached,
                format!(
                    "The {} plan allows {} {}; {} are in use. Upgrade the plan or free some up.",
                    exceeded.tier.as_str(),
                    exceeded.limit,
                    exceeded.kind.as_str().replace('_', " "),
                    exceeded.used
                ),
            )
            .with("limit_kind", exceeded.kind.as_str())
            .with("limit", exceeded.limit)
            .with("used", exceeded.used)
            .with("plan", exceeded.tier.as_str()),
            ServiceError::LastOwner => Problem::new(
                ProblemType::LastOwner,
                "This is the workspace's last active owner: make someone else an owner first.",
            ),
            ServiceError::VersionConflict { what, current } => match current {
                Some(current) => Problem::new(
                    ProblemType::VersionConflict,
                    format!("{what} changed meanwhile; `current` holds its state now. Reapply your change to it."),
                )
                .with("current", current),
                None => Problem::new(
                    ProblemType::VersionConflict,
                    format!("{what} changed meanwhile; reload it and try again."),
                ),
            },
            ServiceError::Conflict(detail) => Problem::new(ProblemType::Conflict, detail),
            ServiceError::DraftConflict { current_version, messages } => Problem::new(
                ProblemType::DraftConflict,
                format!(
                    "{} new message(s) arrived since your draft began; `messages` lists them. Reread, then send \
                     again with `draft_version: {current_version}`, or with `confirm: true` to send as is.",
                    messages.len()
                ),
            )
            .with("current_version", current_version)
            .with("messages", serde_json::to_value(messages).unwrap_or_default()),
            ServiceError::TicketClaimed(claim) => Problem::new(
                ProblemType::TicketClaimed,
                "Another member has claimed this ticket; send with `confirm: true` to reply anyway.",
            )
            .with("claim", serde_json::to_value(crate::api::ClaimView::from(&claim)).unwrap_or_default()),
            ServiceError::InvalidTransition(invalid) => {
                let allowed: Vec<&str> = invalid.allowed().iter().map(|status| status.as_str()).collect();
                let detail = if invalid.from == invalid.to {
                    format!("The ticket is {}: it takes no more changes or messages.", invalid.from.as_str())
                } else if allowed.is_empty() {
                    format!("A {} ticket cannot change status.", invalid.from.as_str())
                } else {
                    format!(
                        "A {} ticket cannot become {}; it can become {}.",
                        invalid.from.as_str(),
                        invalid.to.as_str(),
                        allowed.join(", ")
                    )
                };
                Problem::new(ProblemType::InvalidTransition, detail)
                    .with("from", invalid.from.as_str())
                    .with("to", invalid.to.as_str())
                    .with("allowed", allowed)
            }
            ServiceError::Store(StoreError::InvalidCursor(err)) => Problem::field("cursor", err.to_string()),
            ServiceError::Store(err) => {
                tracing::error!(error = %err, "storage failure");
                Problem::internal()
            }
            ServiceError::Queue(err) => {
                tracing::error!(error = %err, "queue failure");
                Problem::internal()
            }
        }
    }
}
