//! Plays the edge web ACL's rate-based rules (infra/edge.yaml `EdgeWebAcl`): each rule counts one client
//! address's requests under a path prefix over a sliding window and refuses the ones over its limit
//! with 429 problem+json and `Retry-After` (the time until the oldest counted request leaves the
//! window), as WAF blocks an address over its rate until it falls.

use std::{
    collections::{HashMap, VecDeque},
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use serde_yaml_ng::Value;

/// One rate-based rule: at most `limit` requests whose path starts with `prefix` per `window`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateRule {
    pub name: String,
    pub prefix: String,
    pub limit: usize,
    pub window: Duration,
}

/// Reads the rate-based rules of the edge template's `EdgeWebAcl` (none when it declares no web ACL).
pub fn rules_of(raw_template: &str) -> Result<Vec<RateRule>, String> {
    let doc: Value = serde_yaml_ng::from_str(raw_template).map_err(|err| format!("infra/edge.yaml: {err}"))?;
    let get = |value: &Value, path: &[&str]| -> Option<Value> {
        path.iter().try_fold(value.clone(), |value, key| value.get(*key).cloned())
    };
    let Some(Value::Sequence(rules)) = get(&doc, &["Resources", "EdgeWebAcl", "Properties", "Rules"]) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for rule in &rules {
        let Some(rate) = get(rule, &["Statement", "RateBasedStatement"]) else { continue };
        let name = get(rule, &["Name"]).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let match_path = ["ScopeDownStatement", "ByteMatchStatement"];
        let prefix = get(&rate, &[match_path[0], match_path[1], "SearchString"])
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or_else(|| format!("rate rule {name}: only a STARTS_WITH path scope-down is played locally"))?;
        let limit = get(&rate, &["Limit"]).and_then(|v| v.as_u64()).ok_or(format!("rate rule {name}: no Limit"))?;
        let window = get(&rate, &["EvaluationWindowSec"]).and_then(|v| v.as_u64()).unwrap_or(300);
        found.push(RateRule {
            name,
            prefix,
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            window: Duration::from_secs(window),
        });
    }
    Ok(found)
}

/// The rules and each (rule, address)'s recent requests.
pub struct EdgeLimiter {
    rules: Vec<RateRule>,
    seen: Mutex<HashMap<(usize, IpAddr), VecDeque<Instant>>>,
}

impl EdgeLimiter {
    pub fn new(rules: Vec<RateRule>) -> Self {
        Self { rules, seen: Mutex::new(HashMap::new()) }
    }

    /// Counts a request of `client` to `path` at `now`; Some(seconds to wait) when a rule refuses it.
    pub fn take(&self, client: IpAddr, path: &str, now: Instant) -> Option<u64> {
        let path = path.to_lowercase();
        let mut seen = self.seen.lock().expect("edge limiter lock");
        for (index, rule) in self.rules.iter().enumerate().filter(|(_, rule)| path.starts_with(&rule.prefix)) {
            let times = seen.entry((index, client)).or_default();
            while times.front().is_some_and(|first| now.duration_since(*first) >= rule.window) {
                times.pop_front();
            }
            if times.len() >= rule.limit {
                let oldest = *times.front().expect("a full window holds requests");
                let wait = rule.window.saturating_sub(now.duration_since(oldest));
                return Some(wait.as_secs_f64().ceil().max(1.0) as u64);
            }
            times.push_back(now);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> EdgeLimiter {
        let raw = std::fs::read_to_string(crate::repo_root().join(crate::EDGE_TEMPLATE)).unwrap();
        EdgeLimiter::new(rules_of(&raw).unwrap())
    }

    #[test]
    fn the_templates_rules_are_read() {
        let raw = std::fs::read_to_string(crate::repo_root().join(crate::EDGE_TEMPLATE)).unwrap();
        let rules = rules_of(&raw).unwrap();
        let prefixes: Vec<&str> = rules.iter().map(|rule| rule.prefix.as_str()).collect();
        assert_eq!(prefixes, ["/api/v1/auth/", "/api/v1/platform/"]);
        assert!(rules.iter().all(|rule| rule.window == Duration::from_secs(300)));
    }

    #[test]
    fn one_address_over_the_auth_limit_waits_and_others_and_other_routes_do_not() {
        let limiter = limiter();
        let limit = limiter.rules[0].limit;
        let (one, other): (IpAddr, IpAddr) = ("203.0.113.7".parse().unwrap(), "203.0.113.8".parse().unwrap());
        let start = Instant::now();
        for i in 0..limit {
            assert_eq!(limiter.take(one, "/api/v1/auth/login", start + Duration::from_millis(i as u64)), None);
        }
        let refused = limiter.take(one, "/api/v1/auth/signup", start + Duration::from_secs(10));
        assert_eq!(refused, Some(290), "until the first request leaves the 5-minute window");
        assert_eq!(limiter.take(other, "/api/v1/auth/login", start + Duration::from_secs(10)), None);
        assert_eq!(limiter.take(one, "/api/v1/tickets", start + Duration::from_secs(10)), None, "not scoped");
        assert_eq!(limiter.take(one, "/API/V1/AUTH/login", start + Duration::from_secs(11)), Some(289), "case");
        // Once the window slides past the first requests, the address is served again.
        assert_eq!(limiter.take(one, "/api/v1/auth/login", start + Duration::from_secs(301)), None);
    }
}
