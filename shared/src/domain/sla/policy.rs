//! A workspace's SLA policy: targets per priority, overrides per category, business hours, and the
//! statuses that pause the resolution clock.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};

use super::calendar::{BusinessCalendar, RawBusinessCalendar};
use crate::domain::FieldError;
use crate::domain::ticket::{Priority, Status};

/// A year of business time: anything longer is a typo, not a promise.
pub const MAX_TARGET_MINUTES: i64 = 365 * 24 * 60;
pub const MAX_OVERRIDES: usize = 200;
pub const DEFAULT_AT_RISK_SHARE: f64 = 0.75;
/// Waiting on the customer or a third party is not the team's time.
pub const DEFAULT_PAUSE_STATUSES: [Status; 2] = [Status::Pending, Status::OnHold];

/// Targets as sent, in whole minutes of business time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawTargets {
    #[serde(default)]
    pub first_response_minutes: Option<i64>,
    #[serde(default)]
    pub resolution_minutes: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawOverride {
    pub category: String,
    #[serde(default)]
    pub subcategory: Option<String>,
    /// Targets per priority name; priorities left out fall back to the next less specific level.
    pub targets: BTreeMap<String, RawTargets>,
}

/// The policy as an admin sends it. The calendar's fields sit at the top level, so errors read
/// `time_zone`, `business_hours.monday[1]`, `holidays[0]`, `targets.high.resolution_minutes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawSlaPolicy {
    #[serde(flatten)]
    pub calendar: RawBusinessCalendar,
    /// Targets per priority name (`low`, `normal`, `high`, `urgent`).
    #[serde(default)]
    pub targets: BTreeMap<String, RawTargets>,
    #[serde(default)]
    pub overrides: Vec<RawOverride>,
    /// Absent: pending and on_hold.
    #[serde(default)]
    pub pause_statuses: Option<Vec<String>>,
    /// Absent: 0.75.
    #[serde(default)]
    pub at_risk_share: Option<f64>,
    /// A clock is also at risk once this little business time is left (absent: only the share counts).
    #[serde(default)]
    pub at_risk_minutes: Option<i64>,
}

/// Business time allowed per clock; None: no promise, so no clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    pub first_response: Option<SignedDuration>,
    pub resolution: Option<SignedDuration>,
}

/// Targets for tickets of one category, or of one subcategory of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetOverride {
    pub category: String,
    pub subcategory: Option<String>,
    pub targets: BTreeMap<Priority, Targets>,
}

/// A valid policy: positive targets, a valid calendar, pause statuses that are not end states, and
/// an at-risk share strictly between 0 and 1.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaPolicy {
    targets: BTreeMap<Priority, Targets>,
    overrides: Vec<TargetOverride>,
    calendar: BusinessCalendar,
    /// Kept in lifecycle order; `Status` has no ordering, so this is a small list, not a set.
    pause_statuses: Vec<Status>,
    at_risk_share: f64,
    /// Also at risk once this little business time is left.
    at_risk_left: Option<SignedDuration>,
}

impl SlaPolicy {
    /// A policy with default pause statuses and at-risk share; for callers that build one in code.
    pub fn new(calendar: BusinessCalendar, targets: BTreeMap<Priority, Targets>) -> Self {
        Self {
            targets,
            overrides: Vec::new(),
            calendar,
            pause_statuses: DEFAULT_PAUSE_STATUSES.to_vec(),
            at_risk_share: DEFAULT_AT_RISK_SHARE,
            at_risk_left: None,
        }
    }

    /// Checks the whole policy at once, naming each problem by its field path.
    pub fn parse(raw: &RawSlaPolicy) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let calendar = BusinessCalendar::parse(&raw.calendar).map_err(|mut found| errors.append(&mut found)).ok();
        let targets = parse_priority_targets("targets", &raw.targets, &mut errors);
        let overrides = parse_overrides(&raw.overrides, &mut errors);
        let pause_statuses = match &raw.pause_statuses {
            None => DEFAULT_PAUSE_STATUSES.to_vec(),
            Some(names) => parse_pause_statuses(names, &mut errors),
        };
        let at_risk_share = raw.at_risk_share.unwrap_or(DEFAULT_AT_RISK_SHARE);
        if !(at_risk_share > 0.0 && at_risk_share < 1.0) {
            errors.push(FieldError::new("at_risk_share", "must be greater than 0 and less than 1"));
        }
        let at_risk_left = match raw.at_risk_minutes {
            None => None,
            Some(minutes) if (1..=MAX_TARGET_MINUTES).contains(&minutes) => Some(SignedDuration::from_mins(minutes)),
            Some(_) => {
                errors.push(FieldError::new("at_risk_minutes", format!("must be 1 to {MAX_TARGET_MINUTES} minutes")));
                None
            }
        };
        match calendar {
            Some(calendar) if errors.is_empty() => {
                Ok(Self { targets, overrides, calendar, pause_statuses, at_risk_share, at_risk_left })
            }
            _ => Err(errors),
        }
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    pub fn overrides(&self) -> &[TargetOverride] {
        &self.overrides
    }

    pub fn pause_statuses(&self) -> &[Status] {
        &self.pause_statuses
    }

    /// Whether time in `status` stops counting toward resolution (and resumes when it is left).
    pub fn pauses(&self, status: Status) -> bool {
        self.pause_statuses.contains(&status)
    }

    /// The share of a target after which an unmet clock is "at risk".
    pub fn at_risk_share(&self) -> f64 {
        self.at_risk_share
    }

    /// Business time counted after which an unmet clock with `target` is "at risk": the share of the
    /// target, or earlier when the policy also warns a fixed time before the deadline.
    pub fn at_risk_after(&self, target: SignedDuration) -> SignedDuration {
        let by_share = SignedDuration::from_secs_f64(self.at_risk_share * target.as_secs_f64());
        match self.at_risk_left {
            Some(left) => by_share.min((target - left).max(SignedDuration::ZERO)),
            None => by_share,
        }
    }

    /// The targets for a ticket. The most specific level that sets this priority wins: an override for
    /// the category and subcategory, then one for the category alone, then the priority's default.
    /// A level's targets are taken whole, so an override can drop a clock by leaving it unset.
    /// Names compare trimmed and without regard to case, as in the category taxonomy.
    pub fn targets_for(&self, priority: Priority, category: Option<&str>, subcategory: Option<&str>) -> Targets {
        let matching = |wanted_subcategory: Option<&str>| {
            let category = category.map(fold)?;
            let wanted_subcategory = wanted_subcategory.map(fold);
            self.overrides
                .iter()
                .filter(|rule| fold(&rule.category) == category)
                .filter(|rule| rule.subcategory.as_deref().map(fold) == wanted_subcategory)
                .find_map(|rule| rule.targets.get(&priority).copied())
        };
        subcategory
            .and_then(|subcategory| matching(Some(subcategory)))
            .or_else(|| matching(None))
            .or_else(|| self.targets.get(&priority).copied())
            .unwrap_or_default()
    }
}

fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

fn parse_priority_targets(
    field: &str,
    raw: &BTreeMap<String, RawTargets>,
    errors: &mut Vec<FieldError>,
) -> BTreeMap<Priority, Targets> {
    let mut targets = BTreeMap::new();
    for (name, raw_targets) in raw {
        let priority = match Priority::parse(name.trim()) {
            Ok(priority) => priority,
            Err(message) => {
                errors.push(FieldError::new(format!("{field}.{name}"), message));
                continue;
            }
        };
        let mut minutes = |metric: &str, value: Option<i64>| {
            let value = value?;
            if value <= 0 {
                errors.push(FieldError::new(format!("{field}.{name}.{metric}"), "must be positive"));
                None
            } else if value > MAX_TARGET_MINUTES {
                errors.push(FieldError::new(
                    format!("{field}.{name}.{metric}"),
                    format!("must be at most {MAX_TARGET_MINUTES} minutes (a year)"),
                ));
                None
            } else {
                Some(SignedDuration::from_mins(value))
            }
        };
        let first_response = minutes("first_response_minutes", raw_targets.first_response_minutes);
        let resolution = minutes("resolution_minutes", raw_targets.resolution_minutes);
        targets.insert(priority, Targets { first_response, resolution });
    }
    targets
}

fn parse_overrides(raw: &[RawOverride], errors: &mut Vec<FieldError>) -> Vec<TargetOverride> {
    if raw.len() > MAX_OVERRIDES {
        errors.push(FieldError::new("overrides", format!("must have at most {MAX_OVERRIDES} overrides")));
        return Vec::new();
    }
    let mut overrides = Vec::with_capacity(raw.len());
    let mut first_seen: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for (index, rule) in raw.iter().enumerate() {
        let field = format!("overrides[{index}]");
        let category = rule.category.trim();
        if category.is_empty() {
            errors.push(FieldError::new(format!("{field}.category"), "is required"));
        }
        let subcategory = rule.subcategory.as_deref().map(str::trim);
        if subcategory == Some("") {
            errors.push(FieldError::new(format!("{field}.subcategory"), "must not be empty; leave it out instead"));
        }
        if rule.targets.is_empty() {
            errors.push(FieldError::new(format!("{field}.targets"), "must set targets for at least one priority"));
        }
        let key = (fold(category), subcategory.map(fold));
        if let Some(first) = first_seen.get(&key) {
            errors.push(FieldError::new(field.clone(), format!("repeats overrides[{first}] for the same category")));
        } else {
            first_seen.insert(key, index);
        }
        let targets = parse_priority_targets(&format!("{field}.targets"), &rule.targets, errors);
        overrides.push(TargetOverride {
            category: category.to_owned(),
            subcategory: subcategory.map(str::to_owned),
            targets,
        });
    }
    overrides
}

fn parse_pause_statuses(names: &[String], errors: &mut Vec<FieldError>) -> Vec<Status> {
    let mut chosen = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let field = format!("pause_statuses[{index}]");
        match Status::parse(name.trim()) {
            Err(message) => errors.push(FieldError::new(field, message)),
            Ok(Status::Solved | Status::Closed) => {
                errors.push(FieldError::new(field, "solved and closed stop the clock; they cannot pause it"))
            }
            Ok(status) if chosen.contains(&status) => {
                errors.push(FieldError::new(field, format!("repeats {}", status.as_str())))
            }
            Ok(status) => chosen.push(status),
        }
    }
    Status::ALL.into_iter().filter(|status| chosen.contains(status)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> SlaPolicy {
        SlaPolicy::parse(&serde_json::from_str(json).unwrap()).unwrap()
    }

    fn error_fields(json: &str) -> Vec<String> {
        let raw: RawSlaPolicy = serde_json::from_str(json).unwrap();
        SlaPolicy::parse(&raw).unwrap_err().into_iter().map(|error| error.field).collect()
    }

    fn minutes(count: i64) -> Option<SignedDuration> {
        Some(SignedDuration::from_mins(count))
    }

    #[test]
    fn the_most_specific_override_wins() {
        let policy = policy(
            r#"{"time_zone":"UTC",
                "targets":{"normal":{"first_response_minutes":240,"resolution_minutes":2880},
                           "urgent":{"first_response_minutes":30}},
                "overrides":[
                  {"category":"Billing","targets":{"normal":{"first_response_minutes":60,"resolution_minutes":480}}},
                  {"category":"billing","subcategory":"Refunds","targets":{"normal":{"first_response_minutes":15}}}]}"#,
        );
        let normal = Priority::Normal;
        assert_eq!(
            policy.targets_for(normal, None, None),
            Targets { first_response: minutes(240), resolution: minutes(2880) }
        );
        assert_eq!(policy.targets_for(normal, Some("BILLING"), None).first_response, minutes(60));
        assert_eq!(policy.targets_for(normal, Some("Billing"), Some("Invoices")).first_response, minutes(60));
        // Taken whole: the refunds override sets no resolution target, so there is none.
        assert_eq!(
            policy.targets_for(normal, Some("Billing"), Some(" refunds ")),
            Targets { first_response: minutes(15), resolution: None }
        );
        // A priority the overrides leave out falls back to the default.
        assert_eq!(policy.targets_for(Priority::Urgent, Some("Billing"), Some("Refunds")).first_response, minutes(30));
        assert_eq!(policy.targets_for(Priority::Low, Some("Billing"), None), Targets::default());
        assert_eq!(policy.targets_for(normal, Some("Shipping"), Some("Refunds")).first_response, minutes(240));
    }

    #[test]
    fn defaults_pause_on_pending_and_on_hold() {
        let policy = policy(r#"{"time_zone":"Europe/Berlin"}"#);
        assert_eq!(policy.pause_statuses(), [Status::Pending, Status::OnHold]);
        assert!(policy.pauses(Status::OnHold) && !policy.pauses(Status::Open));
        assert_eq!(policy.at_risk_share(), 0.75);
        assert!(policy.calendar().is_always_open());
        let custom = self::policy(r#"{"time_zone":"UTC","pause_statuses":["on_hold"],"at_risk_share":0.5}"#);
        assert_eq!(custom.pause_statuses(), [Status::OnHold]);
        assert_eq!(custom.at_risk_share(), 0.5);
    }

    #[test]
    fn invalid_policies_name_each_field() {
        assert_eq!(
            error_fields(
                r#"{"time_zone":"Nowhere/Special",
                    "business_hours":{"monday":[["09:00","17:00"],["16:00","18:00"]]},
                    "holidays":["2026-12-25","2026-12-25"],
                    "targets":{"normal":{"first_response_minutes":0,"resolution_minutes":-60},
                               "critical":{"first_response_minutes":10},
                               "low":{"resolution_minutes":99999999}},
                    "overrides":[{"category":" ","targets":{}},
                                 {"category":"Billing","targets":{"high":{"resolution_minutes":-1}}},
                                 {"category":"billing","targets":{"high":{"resolution_minutes":10}}}],
                    "pause_statuses":["pending","solved","pending","waiting"],
                    "at_risk_share":1.5}"#
            ),
            [
                "time_zone",
                "business_hours.monday[1]",
                "holidays[1]",
                "targets.critical",
                "targets.low.resolution_minutes",
                "targets.normal.first_response_minutes",
                "targets.normal.resolution_minutes",
                "overrides[0].category",
                "overrides[0].targets",
                "overrides[1].targets.high.resolution_minutes",
                "overrides[2]",
                "pause_statuses[1]",
                "pause_statuses[2]",
                "pause_statuses[3]",
                "at_risk_share",
            ]
        );
        assert_eq!(error_fields(r#"{"time_zone":"UTC","at_risk_share":0}"#), ["at_risk_share"]);
        assert_eq!(error_fields(r#"{"time_zone":""}"#), ["time_zone"]);
    }
}
