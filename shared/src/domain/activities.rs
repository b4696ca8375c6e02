//! Activities on sales records, the pure part: the kinds (a call, a meeting, a task, an e-mail), and
//! the limits on what one holds. Who may change one is in [`super::rbac::may_change_activity`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What was (or is to be) done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Call,
    Meeting,
    Task,
    Email,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 4] =
        [ActivityKind::Call, ActivityKind::Meeting, ActivityKind::Task, ActivityKind::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Task => "task",
            ActivityKind::Email => "email",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Self::ALL.map(ActivityKind::as_str).join(", ")))
    }
}

/// The longest subject ("Follow up Tuesday"), in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// The longest body (what was said, the agenda), in characters.
pub const MAX_BODY_CHARS: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_ones_are_named() {
        for kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.as_str()), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert_eq!(ActivityKind::parse(" call "), Ok(ActivityKind::Call));
        assert_eq!(ActivityKind::parse("lunch").unwrap_err(), "must be one of call, meeting, task, email");
    }
}
