//! The key schema: the only module that knows how keys are spelled. docs/data-model.md mirrors it.
//!
//! Table: PK (S), SK (S); GSI1 (GSI1PK, GSI1SK) for login look-ups by e-mail; GSI2 (GSI2PK, GSI2SK)
//! for the platform's workspace directory. `expires_at` (epoch seconds) is the TTL attribute.
//! Every tenant item lives under `WS#<workspace id>`, which IAM's `dynamodb:LeadingKeys` can pin.

use jiff::Timestamp;

use crate::domain::{
    email::Email,
    ids::{EventId, SessionId, StaffId, UserId, WorkspaceId},
};

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const TTL: &str = "expires_at";

/// The partition holding everything of one workspace.
pub fn workspace_pk(workspace: WorkspaceId) -> String {
    format!("WS#{workspace}")
}

/// The workspace's own item: name, plan, and usage counters (seats, owners).
pub const WORKSPACE_SK: &str = "WORKSPACE";

pub const USER_PREFIX: &str = "USER#";
pub fn user_sk(user: UserId) -> String {
    format!("{USER_PREFIX}{user}")
}

/// Guards "one member per e-mail in a workspace" with a conditional put.
pub fn member_email_sk(email: &Email) -> String {
    format!("EMAIL#{email}")
}

pub fn session_prefix(user: UserId) -> String {
    format!("SESSION#{user}#")
}
pub fn session_sk(user: UserId, session: SessionId) -> String {
    format!("{}{session}", session_prefix(user))
}

pub const EVENT_PREFIX: &str = "EVENT#";
pub fn event_sk(event: EventId) -> String {
    format!("{EVENT_PREFIX}{event}")
}

/// GSI1 on member items: every workspace an e-mail belongs to, for login.
pub fn login_gsi1pk(email: &Email) -> String {
    format!("LOGIN#{email}")
}
pub fn login_gsi1sk(workspace: WorkspaceId) -> String {
    format!("WS#{workspace}")
}

/// GSI2 on workspace items: the platform console's directory, newest last.
pub const DIRECTORY_GSI2PK: &str = "DIRECTORY#WORKSPACES";
pub fn directory_gsi2sk(created_at: Timestamp, workspace: WorkspaceId) -> String {
    format!("{created_at}#{workspace}")
}

/// Platform staff live outside every tenant partition.
pub const PLATFORM_PK: &str = "PLATFORM";
pub fn staff_sk(staff: StaffId) -> String {
    format!("STAFF#{staff}")
}
pub fn staff_email_sk(email: &Email) -> String {
    format!("STAFF_EMAIL#{email}")
}
