//! Service errors as problem+json: the edge where a failed use case becomes the answer a client reads.
//! Detail for the client is written here; internal failures are logged and answered with a bare 500.

use super::{Problem, ProblemType};
use crate::api::ClaimView;
use crate::services::ServiceError;
use crate::storage::StoreError;

/// Where an owner changes the plan: the web app's plan and billing settings.
pub const UPGRADE_AT: &str = "/settings/plan";

impl From<ServiceError> for Problem {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation(errors) => Problem::validation(errors),
            ServiceError::Unauthenticated(detail) => Problem::unauthenticated(detail),
            ServiceError::RefreshTokenReused => Problem::new(
                ProblemType::RefreshTokenReused,
                "This refresh token was already used; the session is revoked. Log in again.",
            ),
            ServiceError::SecondFactorRequired => Problem::new(
                ProblemType::SecondFactorRequired,
                "This account has a second factor: repeat the login with `totp_code`, the authenticator app's \
                 current code.",
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
            ServiceError::PlanLimit(exceeded) => {
                let (plan, what) = (exceeded.plan.as_str(), exceeded.kind.as_str().replace('_', " "));
                let detail = if exceeded.over_limit() {
                    // After a downgrade: say that nothing was removed, only new use is blocked.
                    format!(
                        "The {plan} plan allows {} {what}; {} are in use, more than the plan allows. Nothing was \
                         removed, but no more can be added until usage is under the limit. Upgrade the plan at \
                         {UPGRADE_AT} or free some up.",
                        exceeded.limit, exceeded.used
                    )
                } else {
                    format!(
                        "The {plan} plan allows {} {what}; {} are in use. Upgrade the plan at {UPGRADE_AT} or free \
                         some up.",
                        exceeded.limit, exceeded.used
                    )
                };
                Problem::new(ProblemType::PlanLimitReached, detail)
                    .with("limit_kind", exceeded.kind.as_str())
                    .with("limit", exceeded.limit)
                    .with("used", exceeded.used)
                    .with("plan", plan)
                    .with("records_kept", exceeded.over_limit())
                    .with("upgrade_url", UPGRADE_AT)
            }
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
            ServiceError::StageNotEmpty { stage, open_deals } => Problem::new(
                ProblemType::Conflict,
                format!(
                    "Stage {stage} still holds {open_deals} open deal(s): move, win or lose them before removing it."
                ),
            )
            .with("stage_id", stage.to_string())
            .with("open_deals", open_deals),
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
            .with("claim", serde_json::to_value(ClaimView::from(&claim)).unwrap_or_default()),
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
            ServiceError::DuplicateLead { existing } => Problem::new(
                ProblemType::DuplicateLead,
                format!(
                    "Lead {existing} already has this e-mail. Change that lead, merge into it \
                     (`POST /api/v1/leads/{{id}}/merge`), or create with `?on_duplicate=merge` to add what is new to it."
                ),
            )
            .with("existing_lead_id", existing.to_string())
            .with("field", "email"),
            ServiceError::DomainTaken { existing, domain } => Problem::new(
                ProblemType::DomainTaken,
                format!("Company {existing} already has the domain {domain}: change that company, or use another domain."),
            )
            .with("existing_company_id", existing.to_string())
            .with("field", "domain"),
            ServiceError::Store(StoreError::InvalidCursor(err)) => Problem::field("cursor", err.to_string()),
            ServiceError::Store(err) => {
                tracing::error!(error = %err, "storage failure");
                Problem::internal()
            }
            ServiceError::Queue(err) => {
                tracing::error!(error = %err, "queue failure");
                Problem::internal()
            }
            ServiceError::Blob(err) => {
                tracing::error!(error = %err, "file storage failure");
                Problem::internal()
            }
            ServiceError::TooManyAttempts { retry_after_secs } => Problem::new(
                ProblemType::RateLimited,
                format!(
                    "Too many failed attempts for this account: try again in {retry_after_secs} s. Each further failure doubles the wait."
                ),
            )
            .with("retry_after", retry_after_secs)
            .with_header("retry-after", retry_after_secs.to_string()),
            ServiceError::Signing(err) => {
                tracing::error!(error = %err, "no token could be signed");
                Problem::internal()
            }
            ServiceError::Export(err) => {
                tracing::error!(error = %err, "export not written");
                Problem::internal()
            }
        }
    }
}
