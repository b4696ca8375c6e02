//! Plans and their limits. Usage counters live in storage and are enforced with conditional writes;
//! this module only says what each plan allows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanTier {
    Free,
    Starter,
    Growth,
    Enterprise,
}

/// A limited quantity. `None` in a limit means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    Seats,
    TicketsPerMonth,
    StorageBytes,
    Webhooks,
    ApiRequestsPerMinute,
}

impl LimitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Seats => "seats",
            LimitKind::TicketsPerMonth => "tickets_per_month",
            LimitKind::StorageBytes => "storage_bytes",
            LimitKind::Webhooks => "webhooks",
            LimitKind::ApiRequestsPerMinute => "api_requests_per_minute",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    SlaPolicies,
    ApiAccess,
    Webhooks,
    Slack,
    AdvancedReporting,
    SalesCrm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PlanLimits {
    pub seats: Option<u64>,
    pub tickets_per_month: Option<u64>,
    pub storage_bytes: Option<u64>,
    pub webhooks: Option<u64>,
    pub api_requests_per_minute: Option<u64>,
}

impl PlanLimits {
    pub fn get(&self, kind: LimitKind) -> Option<u64> {
        match kind {
            LimitKind::Seats => self.seats,
            LimitKind::TicketsPerMonth => self.tickets_per_month,
            LimitKind::StorageBytes => self.storage_bytes,
            LimitKind::Webhooks => self.webhooks,
            LimitKind::ApiRequestsPerMinute => self.api_requests_per_minute,
        }
    }
}

const GIB: u64 = 1 << 30;

impl PlanTier {
    pub const ALL: [PlanTier; 4] = [PlanTier::Free, PlanTier::Starter, PlanTier::Growth, PlanTier::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanTier::Free => "free",
            PlanTier::Starter => "starter",
            PlanTier::Growth => "growth",
            PlanTier::Enterprise => "enterprise",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        PlanTier::ALL
            .into_iter()
            .find(|tier| tier.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", PlanTier::ALL.map(PlanTier::as_str).join(", ")))
    }

    /// The plan catalog.
    pub fn limits(self) -> PlanLimits {
        match self {
            PlanTier::Free => PlanLimits {
                seats: Some(3),
                tickets_per_month: Some(100),
                storage_bytes: Some(GIB),
                webhooks: Some(1),
                api_requests_per_minute: Some(60),
            },
            PlanTier::Starter => PlanLimits {
                seats: Some(10),
                tickets_per_month: Some(2_000),
                storage_bytes: Some(10 * GIB),
                webhooks: Some(5),
                api_requests_per_minute: Some(300),
            },
            PlanTier::Growth => PlanLimits {
                seats: Some(50),
                tickets_per_month: Some(20_000),
                storage_bytes: Some(100 * GIB),
                webhooks: Some(20),
                api_requests_per_minute: Some(1_200),
            },
            PlanTier::Enterprise => PlanLimits {
                seats: None,
                tickets_per_month: None,
                storage_bytes: Some(1024 * GIB),
                webhooks: Some(100),
                api_requests_per_minute: Some(6_000),
            },
        }
    }

    pub fn features(self) -> &'static [Feature] {
        use Feature::*;
        match self {
            PlanTier::Free => &[],
            PlanTier::Starter => &[SlaPolicies, ApiAccess, Webhooks],
            PlanTier::Growth | PlanTier::Enterprise => {
                &[SlaPolicies, ApiAccess, Webhooks, Slack, AdvancedReporting, SalesCrm]
            }
        }
    }
}

/// Taking `wanted` more of `kind` would pass the plan's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    pub kind: LimitKind,
    pub limit: u64,
    pub used: u64,
    pub tier: PlanTier,
}

/// Whether `used + wanted` fits the plan. Storage enforces the same rule with a conditional write.
pub fn check_limit(tier: PlanTier, kind: LimitKind, used: u64, wanted: u64) -> Result<(), LimitExceeded> {
    match tier.limits().get(kind) {
        Some(limit) if used.saturating_add(wanted) > limit => Err(LimitExceeded { kind, limit, used, tier }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_tiers_never_allow_less() {
        for pair in PlanTier::ALL.windows(2) {
            let (lower, higher) = (pair[0].limits(), pair[1].limits());
            for kind in [LimitKind::Seats, LimitKind::TicketsPerMonth, LimitKind::Webhooks] {
                let more = match (lower.get(kind), higher.get(kind)) {
                    (_, None) => true,
                    (None, Some(_)) => false,
                    (Some(a), Some(b)) => b >= a,
                };
                assert!(more, "{:?} allows fewer {kind:?} than {:?}", pair[1], pair[0]);
            }
        }
    }

    #[test]
    fn seat_limit_is_inclusive() {
        assert!(check_limit(PlanTier::Free, LimitKind::Seats, 2, 1).is_ok());
        let err = check_limit(PlanTier::Free, LimitKind::Seats, 3, 1).unwrap_err();
        assert_eq!((err.limit, err.used), (3, 3));
        assert!(check_limit(PlanTier::Enterprise, LimitKind::Seats, 10_000, 1).is_ok());
    }
}
