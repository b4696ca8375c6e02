//! Plans and their limits. The catalog lives in the table (platform staff manage it); usage counters
//! live in storage and are enforced with conditional writes. This module says what a plan is, what the
//! catalog starts with, and when a quantity passes a limit.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A plan's id: a slug (`free`, `growth-2027`) that workspaces and Stripe metadata refer to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "growth")]
pub struct PlanId(String);

impl PlanId {
    pub const MAX_CHARS: usize = 40;

    /// 2 to 40 of `a-z`, `0-9` and `-`, starting with a letter.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let starts_with_letter = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        if (2..=Self::MAX_CHARS).contains(&raw.len()) && ok_chars && starts_with_letter {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "must be 2 to {} lower-case letters, digits or hyphens, starting with a letter",
                Self::MAX_CHARS
            ))
        }
    }

    /// The plan every new workspace starts on.
    pub fn free() -> Self {
        Self("free".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PlanId {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PlanId> for String {
    fn from(value: PlanId) -> Self {
        value.0
    }
}

impl std::str::FromStr for PlanId {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
    /// Lead-capture endpoints (Typeform, Zapier, generic JSON).
    LeadCaptureEndpoints,
    /// New leads in a calendar month (UTC), however they came: typed in, the API, capture endpoints,
    /// Zapier, contact imports.
    LeadsPerMonth,
}

impl LimitKind {
    pub const ALL: [LimitKind; 7] = [
        LimitKind::Seats,
        LimitKind::TicketsPerMonth,
        LimitKind::StorageBytes,
        LimitKind::Webhooks,
        LimitKind::ApiRequestsPerMinute,
        LimitKind::LeadCaptureEndpoints,
        LimitKind::LeadsPerMonth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Seats => "seats",
            LimitKind::TicketsPerMonth => "tickets_per_month",
            LimitKind::StorageBytes => "storage_bytes",
            LimitKind::Webhooks => "webhooks",
            LimitKind::ApiRequestsPerMinute => "api_requests_per_minute",
            LimitKind::LeadCaptureEndpoints => "lead_capture_endpoints",
            LimitKind::LeadsPerMonth => "leads_per_month",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    SlaPolicies,
    /// SLA clocks that count only a calendar's business hours.
    SlaBusinessHours,
    ApiAccess,
    Webhooks,
    Slack,
    AdvancedReporting,
    SalesCrm,
}

/// What a plan allows; `None` (JSON `null`) is unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlanLimits {
    pub seats: Option<u64>,
    pub tickets_per_month: Option<u64>,
    pub storage_bytes: Option<u64>,
    pub webhooks: Option<u64>,
    pub api_requests_per_minute: Option<u64>,
    /// A plan stored before lead capture existed reads as unlimited until staff set it.
    #[serde(default)]
    pub lead_capture_endpoints: Option<u64>,
    /// Stored plans from before it counted every new lead name it `captured_leads_per_month`.
    #[serde(default, alias = "captured_leads_per_month")]
    pub leads_per_month: Option<u64>,
}

impl PlanLimits {
    pub fn get(&self, kind: LimitKind) -> Option<u64> {
        match kind {
            LimitKind::Seats => self.seats,
            LimitKind::TicketsPerMonth => self.tickets_per_month,
            LimitKind::StorageBytes => self.storage_bytes,
            LimitKind::Webhooks => self.webhooks,
            LimitKind::ApiRequestsPerMinute => self.api_requests_per_minute,
            LimitKind::LeadCaptureEndpoints => self.lead_capture_endpoints,
            LimitKind::LeadsPerMonth => self.leads_per_month,
        }
    }
}

/// What platform staff grant one workspace beyond its plan (a deal's extra seats, say): each is added
/// to the plan's limit, and an unlimited limit stays unlimited. Every limit check reads it with the
/// plan ([`Self::apply`]), so a grant takes effect on the next request and a plan change keeps it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LimitExtras {
    #[serde(default)]
    pub seats: u64,
    #[serde(default)]
    pub tickets_per_month: u64,
    #[serde(default)]
    pub storage_bytes: u64,
    #[serde(default)]
    pub webhooks: u64,
}

impl LimitExtras {
    /// The limits that apply: the plan's, plus these.
    pub fn apply(&self, limits: &PlanLimits) -> PlanLimits {
        let add = |limit: Option<u64>, extra: u64| limit.map(|limit| limit.saturating_add(extra));
        PlanLimits {
            seats: add(limits.seats, self.seats),
            tickets_per_month: add(limits.tickets_per_month, self.tickets_per_month),
            storage_bytes: add(limits.storage_bytes, self.storage_bytes),
            webhooks: add(limits.webhooks, self.webhooks),
            ..limits.clone()
        }
    }
}

const GIB: u64 = 1 << 30;

/// A plan of the catalog, as platform staff configured it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    /// The Stripe Price a subscription to this plan is billed by (`None`: not sold through Stripe).
    pub stripe_price_id: Option<String>,
    pub limits: PlanLimits,
    pub features: Vec<Feature>,
    /// Whether workspaces can be moved onto it; a retired plan keeps the workspaces already on it.
    pub available: bool,
    pub version: u64,
    pub updated_at: Timestamp,
}

impl Plan {
    pub fn has(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }
}

/// The catalog a new deployment starts with (the four tiers sold before plans were configurable).
/// Each is written to the table the first time it is asked for; from then on the table's copy rules.
pub fn seed_catalog(now: Timestamp) -> Vec<Plan> {
    use Feature::*;
    let plan = |id: &str, name: &str, limits: PlanLimits, features: &[Feature]| Plan {
        id: PlanId(id.to_owned()),
        name: name.to_owned(),
        stripe_price_id: None,
        limits,
        features: features.to_vec(),
        available: true,
        version: 1,
        updated_at: now,
    };
    vec![
        plan(
            "free",
            "Free",
            PlanLimits {
                seats: Some(3),
                tickets_per_month: Some(100),
                storage_bytes: Some(GIB),
                webhooks: Some(1),
                api_requests_per_minute: Some(60),
                lead_capture_endpoints: Some(1),
                leads_per_month: Some(100),
            },
            &[],
        ),
        plan(
            "starter",
            "Starter",
            PlanLimits {
                seats: Some(10),
                tickets_per_month: Some(2_000),
                storage_bytes: Some(10 * GIB),
                webhooks: Some(5),
                api_requests_per_minute: Some(300),
                lead_capture_endpoints: Some(3),
                leads_per_month: Some(1_000),
            },
            &[SlaPolicies, ApiAccess, Webhooks],
        ),
        plan(
            "growth",
            "Growth",
            PlanLimits {
                seats: Some(50),
                tickets_per_month: Some(20_000),
                storage_bytes: Some(100 * GIB),
                webhooks: Some(20),
                api_requests_per_minute: Some(1_200),
                lead_capture_endpoints: Some(10),
                leads_per_month: Some(10_000),
            },
            &[SlaPolicies, SlaBusinessHours, ApiAccess, Webhooks, Slack, AdvancedReporting, SalesCrm],
        ),
        plan(
            "enterprise",
            "Enterprise",
            PlanLimits {
                seats: None,
                tickets_per_month: None,
                storage_bytes: Some(1024 * GIB),
                webhooks: Some(100),
                api_requests_per_minute: Some(6_000),
                lead_capture_endpoints: Some(50),
                leads_per_month: None,
            },
            &[SlaPolicies, SlaBusinessHours, ApiAccess, Webhooks, Slack, AdvancedReporting, SalesCrm],
        ),
    ]
}

/// The seed plan with this id, if it is one.
pub fn seed_plan(id: &PlanId, now: Timestamp) -> Option<Plan> {
    seed_catalog(now).into_iter().find(|plan| &plan.id == id)
}

/// The seed tier whose API Gateway usage plan throttles keys of a workspace on `plan`: template.yaml
/// has one usage plan per seed tier, so a plan staff created borrows the fastest tier whose rate does
/// not exceed its own (the slowest, free, when it is below all; enterprise when it is unlimited).
pub fn usage_tier(plan: &Plan) -> PlanId {
    let catalog = seed_catalog(Timestamp::UNIX_EPOCH);
    let rate = |plan: &Plan| plan.limits.api_requests_per_minute.unwrap_or(u64::MAX);
    if let Some(seed) = catalog.iter().find(|seed| seed.id == plan.id) {
        return seed.id.clone();
    }
    catalog
        .iter()
        .filter(|seed| rate(seed) <= rate(plan))
        .max_by_key(|seed| rate(seed))
        .unwrap_or(&catalog[0])
        .id
        .clone()
}

/// Taking `wanted` more of `kind` would pass the plan's limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitExceeded {
    pub kind: LimitKind,
    pub limit: u64,
    pub used: u64,
    pub plan: PlanId,
}

impl LimitExceeded {
    /// Usage already above the limit: the plan was changed to a smaller one. Nothing is removed;
    /// only new use is refused until usage is back under the limit.
    pub fn over_limit(&self) -> bool {
        self.used > self.limit
    }
}

/// Whether `used + wanted` fits the plan. Storage enforces the same rule with a conditional write.
pub fn check_limit(plan: &Plan, kind: LimitKind, used: u64, wanted: u64) -> Result<(), LimitExceeded> {
    match plan.limits.get(kind) {
        Some(limit) if used.saturating_add(wanted) > limit => {
            Err(LimitExceeded { kind, limit, used, plan: plan.id.clone() })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn extras_add_to_the_plans_limits_and_unlimited_stays_unlimited() {
        let limits = PlanLimits {
            seats: Some(3),
            tickets_per_month: None,
            storage_bytes: Some(10),
            webhooks: Some(1),
            api_requests_per_minute: Some(60),
            lead_capture_endpoints: None,
            leads_per_month: Some(5),
        };
        let extras = LimitExtras { seats: 2, tickets_per_month: 100, storage_bytes: 0, webhooks: 4 };
        let applied = extras.apply(&limits);
        assert_eq!(applied.seats, Some(5));
        assert_eq!(applied.tickets_per_month, None);
        assert_eq!(applied.storage_bytes, Some(10));
        assert_eq!(applied.webhooks, Some(5));
        assert_eq!(applied.api_requests_per_minute, Some(60));
        assert_eq!(applied.leads_per_month, Some(5));
        assert_eq!(LimitExtras::default().apply(&limits), limits);
    }

    use super::*;

    fn seed(id: &str) -> Plan {
        seed_plan(&PlanId::parse(id).unwrap(), Timestamp::UNIX_EPOCH).unwrap()
    }

    #[test]
    fn a_plan_stored_when_the_lead_limit_counted_captures_only_keeps_its_value() {
        let stored = serde_json::json!({"seats": 3, "tickets_per_month": 100, "storage_bytes": 1,
            "webhooks": 1, "api_requests_per_minute": 60, "lead_capture_endpoints": 1,
            "captured_leads_per_month": 250});
        let limits: PlanLimits = serde_json::from_value(stored).unwrap();
        assert_eq!(limits.get(LimitKind::LeadsPerMonth), Some(250));
        assert_eq!(serde_json::to_value(&limits).unwrap()["leads_per_month"], 250);
    }

    #[test]
    fn higher_seed_tiers_never_allow_less() {
        let catalog = seed_catalog(Timestamp::UNIX_EPOCH);
        for pair in catalog.windows(2) {
            let (lower, higher) = (&pair[0].limits, &pair[1].limits);
            for kind in LimitKind::ALL {
                let more = match (lower.get(kind), higher.get(kind)) {
                    (_, None) => true,
                    (None, Some(_)) => false,
                    (Some(a), Some(b)) => b >= a,
                };
                assert!(more, "{} allows fewer {kind:?} than {}", pair[1].id, pair[0].id);
            }
            assert!(pair[0].features.iter().all(|feature| pair[1].has(*feature)));
        }
    }

    #[test]
    fn seat_limit_is_inclusive() {
        assert!(check_limit(&seed("free"), LimitKind::Seats, 2, 1).is_ok());
        let err = check_limit(&seed("free"), LimitKind::Seats, 3, 1).unwrap_err();
        assert_eq!((err.limit, err.used, err.plan.as_str()), (3, 3, "free"));
        assert!(!err.over_limit());
        assert!(check_limit(&seed("enterprise"), LimitKind::Seats, 10_000, 1).is_ok());
    }

    #[test]
    fn usage_above_a_smaller_plan_is_told_apart_from_usage_at_the_limit() {
        let err = check_limit(&seed("free"), LimitKind::Webhooks, 4, 1).unwrap_err();
        assert!(err.over_limit(), "four webhooks kept after a downgrade to one");
    }

    #[test]
    fn a_created_plan_is_throttled_by_the_fastest_seed_tier_not_above_its_rate() {
        let with_rate = |rate: Option<u64>| Plan {
            id: PlanId::parse("custom").unwrap(),
            limits: PlanLimits { api_requests_per_minute: rate, ..seed("free").limits },
            ..seed("free")
        };
        assert_eq!(usage_tier(&with_rate(Some(600))).as_str(), "starter");
        assert_eq!(usage_tier(&with_rate(Some(1_200))).as_str(), "growth");
        assert_eq!(usage_tier(&with_rate(Some(10))).as_str(), "free");
        assert_eq!(usage_tier(&with_rate(None)).as_str(), "enterprise");
        // A seed plan keeps its own usage plan, whatever staff set its rate to.
        let mut growth = seed("growth");
        growth.limits.api_requests_per_minute = Some(10);
        assert_eq!(usage_tier(&growth).as_str(), "growth");
    }

    #[test]
    fn plan_ids_are_slugs() {
        assert!(PlanId::parse("growth-2027").is_ok());
        for bad in ["", "g", "Growth", "9lives", "with space", "a_b", &"x".repeat(41)] {
            assert!(PlanId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(seed_plan(&PlanId::parse("platinum").unwrap(), Timestamp::UNIX_EPOCH).is_none());
        assert_eq!(seed("free").id, PlanId::free());
    }
}
