//! Time as a dependency: domain rules and services ask the clock, never the OS, so tests can move it.

use jiff::Timestamp;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that stands still until moved; for unit tests.
#[derive(Debug)]
pub struct FixedClock(std::sync::Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(std::sync::Mutex::new(at))
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut now = self.0.lock().expect("clock lock");
        *now = now.checked_add(by).expect("clock overflow");
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }
}

/// The real clock plus an offset that only moves forward: the local stack's test-only clock control
/// (never used by the Lambda binaries), so black-box tests can let time pass (token expiry, SLA clocks).
#[derive(Debug, Default)]
pub struct AdjustableClock {
    offset_nanos: std::sync::atomic::AtomicI64,
}

impl AdjustableClock {
    pub fn advance(&self, by: jiff::SignedDuration) {
        let nanos = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX).max(0);
        self.offset_nanos.fetch_add(nanos, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn offset(&self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_nanos(self.offset_nanos.load(std::sync::atomic::Ordering::SeqCst))
    }
}

impl Clock for AdjustableClock {
    fn now(&self) -> Timestamp {
        Timestamp::now().checked_add(self.offset()).expect("clock offset within range")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adjustable_clock_moves_forward_only() {
        let clock = AdjustableClock::default();
        let before = clock.now();
        clock.advance(jiff::SignedDuration::from_hours(2));
        clock.advance(jiff::SignedDuration::from_hours(-5));
        assert!(clock.now() >= before + jiff::SignedDuration::from_hours(2));
        assert_eq!(clock.offset(), jiff::SignedDuration::from_hours(2));
    }

    #[test]
    fn a_fixed_clock_stands_still_until_moved() {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let clock = FixedClock::new(at);
        assert_eq!(clock.now(), at);
        clock.advance(jiff::SignedDuration::from_mins(5));
        assert_eq!(clock.now(), at + jiff::SignedDuration::from_mins(5));
    }
}
