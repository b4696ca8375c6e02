//! Backoff after failed sign-ins, per account (e-mail): after [`BackoffPolicy::threshold`] failures
//! with less than [`BackoffPolicy::window_secs`] between them, the account is locked for a time that
//! doubles with every further failure, up to a cap. A success clears the count. The lock slows a
//! password guesser on one account to a handful of guesses an hour whatever addresses they come from;
//! the per-IP limits (WAF in AWS, the local gateway) slow one address across accounts.

/// The rule's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Failures allowed before the first lock.
    pub threshold: u32,
    /// A failure this long after the previous one starts the count again.
    pub window_secs: i64,
    /// The first lock; each further failure doubles it.
    pub base_lock_secs: i64,
    /// The longest lock.
    pub max_lock_secs: i64,
}

impl BackoffPolicy {
    /// Five failures within 15 minutes lock for 30 s, then 60 s, 120 s, … up to 15 minutes.
    pub const SIGN_IN: BackoffPolicy =
        BackoffPolicy { threshold: 5, window_secs: 15 * 60, base_lock_secs: 30, max_lock_secs: 15 * 60 };

    /// How long the lock after the `failures`-th failure lasts (0 below the threshold).
    pub fn lock_secs(&self, failures: u32) -> i64 {
        if failures < self.threshold {
            return 0;
        }
        let doublings = (failures - self.threshold).min(32);
        self.base_lock_secs.saturating_mul(1i64 << doublings).min(self.max_lock_secs)
    }
}

/// One account's recent failures, as the counter item holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: u32,
    /// Unix seconds of the latest failure.
    pub last_failure: i64,
    /// Unix seconds until which attempts are refused (0: not locked).
    pub locked_until: i64,
}

impl FailureCount {
    /// Seconds until the account may try again, when it is locked at `now`.
    pub fn retry_after(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }

    /// The count after one more failure at `now` (`previous` None: the first one).
    pub fn after_failure(previous: Option<&FailureCount>, now: i64, policy: &BackoffPolicy) -> FailureCount {
        let failures = match previous {
            Some(count) if now - count.last_failure < policy.window_secs => count.failures.saturating_add(1),
            _ => 1,
        };
        let lock = policy.lock_secs(failures);
        FailureCount { failures, last_failure: now, locked_until: if lock > 0 { now + lock } else { 0 } }
    }

    /// When the counter item may vanish (DynamoDB TTL): once neither its lock nor its window matters.
    pub fn expires_at(&self, policy: &BackoffPolicy) -> i64 {
        (self.last_failure + policy.window_secs).max(self.locked_until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: BackoffPolicy = BackoffPolicy::SIGN_IN;

    fn fail_times(times: u32, start: i64, every: i64) -> FailureCount {
        let mut count = None;
        for i in 0..times {
            count = Some(FailureCount::after_failure(count.as_ref(), start + i64::from(i) * every, &P));
        }
        count.unwrap()
    }

    #[test]
    fn the_threshold_locks_and_each_further_failure_doubles_the_lock_up_to_the_cap() {
        let below = fail_times(4, 1_000, 1);
        assert_eq!(below.retry_after(1_004), None, "four failures do not lock");
        let locked = fail_times(5, 1_000, 1);
        assert_eq!(locked.retry_after(1_004), Some(30));
        let locks: Vec<i64> = (5..=12).map(|failures| P.lock_secs(failures)).collect();
        assert_eq!(locks, vec![30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(P.lock_secs(u32::MAX), 900, "no overflow");
    }

    #[test]
    fn a_failure_after_the_lock_lapsed_locks_longer() {
        let first = fail_times(5, 1_000, 1);
        let after_lock = first.locked_until + 1;
        let second = FailureCount::after_failure(Some(&first), after_lock, &P);
        assert_eq!(second.retry_after(after_lock), Some(60));
    }

    #[test]
    fn failures_spread_wider_than_the_window_never_lock() {
        let spread = fail_times(20, 1_000, P.window_secs);
        assert_eq!(spread.failures, 1);
        assert_eq!(spread.retry_after(spread.last_failure), None);
    }

    #[test]
    fn the_counter_expires_once_its_window_and_lock_are_over() {
        let locked = fail_times(11, 1_000, 1);
        assert_eq!(locked.expires_at(&P), locked.last_failure + 900);
        let once = fail_times(1, 1_000, 1);
        assert_eq!(once.expires_at(&P), 1_000 + P.window_secs);
    }
}
