//! The sales dashboard's arithmetic: shares and averages of counted figures, rounded once at the end
//! so that the figures of any range are exact sums of days, and only the ratios are rounded.

/// Rates are given to four decimals (a hundredth of a percent).
const RATE_DECIMALS: i32 = 4;
/// Average cycle lengths are given in days to two decimals.
const DAYS_DECIMALS: i32 = 2;
const SECONDS_PER_DAY: f64 = 86_400.0;

fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// `part / whole`, rounded to four decimals; none when there is no whole to share.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| rounded(part as f64 / whole as f64, RATE_DECIMALS))
}

/// The share won of the deals closed (won and lost); none before any deal closed.
pub fn win_rate(won: i64, lost: i64) -> Option<f64> {
    rate(won, won + lost)
}

/// The average of `total` minor units over `count` deals, in whole minor units (halves away from
/// zero); none without deals.
pub fn average_minor(total: i64, count: i64) -> Option<i64> {
    if count <= 0 {
        return None;
    }
    let (quotient, remainder) = (total / count, total % count);
    let round_away = 2 * remainder.unsigned_abs() >= count.unsigned_abs();
    Some(if round_away { quotient + total.signum() } else { quotient })
}

/// The average length in days (two decimals) of `count` cycles lasting `seconds` in all; none
/// without cycles.
pub fn average_days(seconds: i64, count: i64) -> Option<f64> {
    (count > 0).then(|| rounded(seconds as f64 / count as f64 / SECONDS_PER_DAY, DAYS_DECIMALS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_shares_to_four_decimals_and_none_without_a_whole() {
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(2, 3), Some(0.6667));
        assert_eq!(rate(3, 3), Some(1.0));
        assert_eq!(rate(0, 5), Some(0.0));
        assert_eq!(rate(4, 0), None);
    }

    #[test]
    fn the_win_rate_counts_won_of_won_and_lost() {
        assert_eq!(win_rate(3, 1), Some(0.75));
        assert_eq!(win_rate(0, 2), Some(0.0));
        assert_eq!(win_rate(0, 0), None);
    }

    #[test]
    fn average_values_round_halves_away_from_zero_in_minor_units() {
        assert_eq!(average_minor(10_000, 4), Some(2_500));
        assert_eq!(average_minor(10, 4), Some(3), "2.5 rounds up");
        assert_eq!(average_minor(10, 3), Some(3), "3.33 rounds down");
        assert_eq!(average_minor(-10, 4), Some(-3));
        assert_eq!(average_minor(5, 0), None);
    }

    #[test]
    fn average_cycles_are_days_to_two_decimals() {
        assert_eq!(average_days(3 * 86_400, 2), Some(1.5));
        assert_eq!(average_days(86_400 + 3_600, 3), Some(0.35), "0.3472 days");
        assert_eq!(average_days(0, 1), Some(0.0));
        assert_eq!(average_days(100, 0), None);
    }
}
