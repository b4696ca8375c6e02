//! A day's durations of one metric as a DDSketch: a mergeable quantile sketch with a relative-error
//! guarantee. The sketch of a period is the merge of its days' sketches, and a merge is exact (the
//! same sketch as if every value had been added to one), so a month's median is as good as a day's.
//!
//! Error bound: every quantile answered is within ±1% (relative) of the true value at that rank
//! ([`RELATIVE_ACCURACY`]), for any number of values and merges; count, sum (so the mean), minimum
//! and maximum are exact. Durations are in seconds; values under a second count as zero.

use sketches_ddsketch::{Config, DDSketch};

/// The relative accuracy of every quantile (the library's default, which its compact encoding keeps).
pub const RELATIVE_ACCURACY: f64 = 0.01;

#[derive(Clone)]
pub struct DurationSketch {
    inner: DDSketch,
}

impl std::fmt::Debug for DurationSketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurationSketch").field("count", &self.count()).finish()
    }
}

impl Default for DurationSketch {
    fn default() -> Self {
        Self::new()
    }
}

impl DurationSketch {
    pub fn new() -> Self {
        // The defaults: 1% accuracy, 2048 bins (seconds up to far beyond a century without collapsing).
        Self { inner: DDSketch::new(Config::defaults()) }
    }

    pub fn add_seconds(&mut self, seconds: i64) {
        self.inner.add(seconds.max(0) as f64);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &DurationSketch) {
        // Both use the same configuration, the only case the library refuses otherwise.
        if let Err(err) = self.inner.merge(&other.inner) {
            tracing::error!(error = %err, "sketches of different configurations were not merged");
        }
    }

    pub fn count(&self) -> u64 {
        self.inner.count() as u64
    }

    /// The mean in seconds (exact); None when empty.
    pub fn mean_seconds(&self) -> Option<f64> {
        let count = self.count();
        (count > 0).then(|| self.inner.sum().unwrap_or(0.0) / count as f64)
    }

    /// The `q` quantile (0..=1) in seconds, within [`RELATIVE_ACCURACY`]; None when empty.
    pub fn quantile_seconds(&self, q: f64) -> Option<f64> {
        let value = self.inner.quantile(q.clamp(0.0, 1.0)).ok().flatten()?;
        // The exact extremes bound the estimate.
        let (min, max) = (self.inner.min().unwrap_or(value), self.inner.max().unwrap_or(value));
        Some(value.clamp(min, max))
    }

    /// The compact binary form kept in a day's item (DDSketch's standard encoding: varint bins).
    pub fn encode(&self) -> Vec<u8> {
        self.inner.to_java_bytes()
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let inner = DDSketch::from_java_bytes(bytes).map_err(|err| err.to_string())?;
        Ok(Self { inner })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact `q` quantile the sketch answers for: the value at rank ⌊q·(n−1)⌋.
    fn exact(sorted: &[i64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).floor() as usize] as f64
    }

    #[test]
    fn a_month_merged_from_its_days_is_within_the_error_bound_of_the_exact_quantiles() {
        // 30 days of skewed durations (seconds to days), each day sketched and encoded on its own.
        let mut all = Vec::new();
        let mut month = DurationSketch::new();
        let mut seed: u64 = 42;
        for day in 0..30 {
            let mut sketch = DurationSketch::new();
            for _ in 0..(50 + day * 7) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let unit = (seed >> 11) as f64 / (1u64 << 53) as f64;
                let seconds = (30.0 * (unit * 9.0).exp()) as i64; // 30 s .. ~3 days
                sketch.add_seconds(seconds);
                all.push(seconds);
            }
            let stored = DurationSketch::decode(&sketch.encode()).unwrap();
            month.merge(&stored);
        }
        all.sort_unstable();
        assert_eq!(month.count(), all.len() as u64);
        let mean = all.iter().sum::<i64>() as f64 / all.len() as f64;
        assert!((month.mean_seconds().unwrap() - mean).abs() < 1e-6 * mean, "the mean is exact");
        for q in [0.1, 0.5, 0.9, 0.99] {
            let (estimate, truth) = (month.quantile_seconds(q).unwrap(), exact(&all, q));
            assert!(
                (estimate - truth).abs() <= RELATIVE_ACCURACY * truth + 1e-9,
                "q{q}: {estimate} vs {truth} is off by more than {RELATIVE_ACCURACY}"
            );
        }
    }

    #[test]
    fn merging_equals_sketching_everything_at_once() {
        let (mut a, mut b, mut both) = (DurationSketch::new(), DurationSketch::new(), DurationSketch::new());
        for seconds in [60, 120, 3600, 86_400] {
            a.add_seconds(seconds);
            both.add_seconds(seconds);
        }
        for seconds in [5, 7200, 7200] {
            b.add_seconds(seconds);
            both.add_seconds(seconds);
        }
        a.merge(&b);
        for q in [0.0, 0.25, 0.5, 0.75, 1.0] {
            assert_eq!(a.quantile_seconds(q), both.quantile_seconds(q));
        }
        assert_eq!(a.encode(), both.encode());
    }

    #[test]
    fn an_empty_sketch_has_no_quantiles_and_a_single_value_is_itself() {
        let empty = DurationSketch::new();
        assert_eq!((empty.quantile_seconds(0.5), empty.mean_seconds()), (None, None));
        let decoded = DurationSketch::decode(&empty.encode()).unwrap();
        assert_eq!(decoded.count(), 0);
        let mut one = DurationSketch::new();
        one.add_seconds(90);
        assert_eq!(one.quantile_seconds(0.5), Some(90.0));
        assert!(one.encode().len() < 64, "compact: {} bytes", one.encode().len());
    }
}
