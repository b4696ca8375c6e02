//! Plays API Gateway usage-plan throttling: the authorizer names a usage plan (by its API key's value,
//! API key source AUTHORIZER); the plan's RateLimit and BurstLimit from template.yaml drive a token
//! bucket. Locally the bucket is per workspace and plan, which is what the plans promise each workspace
//! (docs/operations.md says how AWS differs). A request over the limit gets 429 with Retry-After; every
//! throttled route answers with the IETF draft's structured `RateLimit-Policy` and `RateLimit` fields
//! (draft-ietf-httpapi-ratelimit-headers-09), and the older RateLimit-Limit / -Remaining / -Reset that
//! existing clients read.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use crate::template::Template;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Throttle {
    rate_per_second: f64,
    burst: u32,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The bucket's size (requests that can be made at once).
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the bucket is full again.
    pub reset_secs: u64,
    /// Seconds until the next request would be allowed (when refused).
    pub retry_after_secs: u64,
    /// Seconds an empty bucket takes to fill: the policy's window for its quota (the burst).
    pub window_secs: u64,
}

/// The name the RateLimit fields give the one policy a request is under (its usage plan's bucket).
const POLICY: &str = "\"burst\"";

impl Decision {
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("ratelimit-policy", format!("{POLICY};q={};w={}", self.limit, self.window_secs)),
            ("ratelimit", format!("{POLICY};r={};t={}", self.remaining, self.reset_secs)),
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", self.reset_secs.to_string()),
        ];
        if !self.allowed {
            headers.push(("retry-after", self.retry_after_secs.to_string()));
        }
        headers
    }
}

pub struct RateLimiter {
    plans: HashMap<String, Throttle>,
    buckets: Mutex<HashMap<(String, String), Bucket>>,
}

impl RateLimiter {
    pub fn from_template(template: &Template) -> Self {
        let plans = template
            .usage_plans
            .iter()
            .filter_map(|plan| {
                let key = plan.key_value.clone()?;
                Some((key, Throttle { rate_per_second: plan.rate_per_second, burst: plan.burst }))
            })
            .collect();
        Self { plans, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `subject`'s bucket of the plan `usage_key`; None when no plan has that key
    /// (no throttling applies, as API Gateway would refuse an unknown key only on key-required methods).
    pub fn take(&self, usage_key: &str, subject: &str) -> Option<Decision> {
        self.take_at(usage_key, subject, Instant::now())
    }

    fn take_at(&self, usage_key: &str, subject: &str, now: Instant) -> Option<Decision> {
        let throttle = *self.plans.get(usage_key)?;
        let burst = f64::from(throttle.burst);
        let mut buckets = self.buckets.lock().expect("bucket lock");
        let bucket =
            buckets.entry((usage_key.to_owned(), subject.to_owned())).or_insert(Bucket { tokens: burst, updated: now });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * throttle.rate_per_second).min(burst);
        bucket.updated = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let secs_for = |tokens: f64| Duration::from_secs_f64((tokens / throttle.rate_per_second).max(0.0));
        Some(Decision {
            allowed,
            limit: throttle.burst,
            remaining: bucket.tokens.floor() as u32,
            reset_secs: secs_for(burst - bucket.tokens).as_secs_f64().ceil() as u64,
            retry_after_secs: secs_for(1.0 - bucket.tokens).as_secs_f64().ceil().max(1.0) as u64,
            window_secs: secs_for(burst).as_secs_f64().ceil() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(rate_per_second: f64, burst: u32) -> RateLimiter {
        RateLimiter {
            plans: [("free-key".to_owned(), Throttle { rate_per_second, burst })].into_iter().collect(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    #[test]
    fn a_burst_is_allowed_then_requests_wait_for_the_rate() {
        let limiter = limiter(1.0, 3);
        let start = Instant::now();
        for remaining in [2, 1, 0] {
            let decision = limiter.take_at("free-key", "ws-1", start).unwrap();
            assert!(decision.allowed);
            assert_eq!(decision.remaining, remaining);
        }
        let refused = limiter.take_at("free-key", "ws-1", start).unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.retry_after_secs, 1);
        assert_eq!(refused.reset_secs, 3);
        assert!(refused.headers().contains(&("retry-after", "1".to_owned())));
        assert!(refused.headers().contains(&("ratelimit-policy", "\"burst\";q=3;w=3".to_owned())));
        assert!(refused.headers().contains(&("ratelimit", "\"burst\";r=0;t=3".to_owned())));
        assert!(limiter.take_at("free-key", "ws-1", start + Duration::from_millis(1100)).unwrap().allowed);
        assert!(limiter.take_at("free-key", "ws-2", start).unwrap().allowed, "another workspace has its own bucket");
        assert!(limiter.take_at("unknown", "ws-1", start).is_none());
    }
}
