//! What the local-stack benchmarks share: summary statistics, call-count text, writing results.

use std::{collections::BTreeMap, path::Path};

use shared::{
    App,
    auth::{MemberPrincipal, Principal},
};

/// The member an access token belongs to, looked up as the authorizer does (benchmarks act as the
/// owner they just signed up).
pub async fn member_of(app: &App, access_token: &str) -> Result<MemberPrincipal, String> {
    match shared::services::accounts::authenticate(app, access_token, &[shared::auth::tokens::Audience::Member])
        .await
        .map_err(|err| err.to_string())?
    {
        Some(Principal::Member(member)) => Ok(member),
        _ => Err("the access token names no active member".to_owned()),
    }
}

/// The median of `values` (0 for none).
pub fn median(values: &[f64]) -> f64 {
    median_p90(values.to_vec()).0
}

/// The median and 90th percentile of `values` (0 for none).
pub fn median_p90(mut values: Vec<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    (median, values[(n * 9).div_ceil(10).max(1) - 1])
}

/// The `p`th percentile (nearest rank) of values sorted ascending (0 for none).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// DynamoDB calls by operation, as "2 GetItem, 1 Query" ("none" for none).
pub fn calls_text(calls: &BTreeMap<String, u64>) -> String {
    if calls.is_empty() {
        return "none".to_owned();
    }
    calls.iter().map(|(operation, count)| format!("{count} {operation}")).collect::<Vec<_>>().join(", ")
}

/// Writes `<name>.md` and `<name>.json` into `out`, creating it.
pub fn write_results(out: &Path, name: &str, markdown: &str, json: &serde_json::Value) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join(format!("{name}.md")), markdown)?;
    std::fs::write(out.join(format!("{name}.json")), serde_json::to_string_pretty(json).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median_p90(vec![3.0, 1.0, 2.0]), (2.0, 3.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
        assert_eq!(calls_text(&BTreeMap::new()), "none");
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&hundred, 50.0), 50.0);
        assert_eq!(percentile(&hundred, 99.0), 99.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
