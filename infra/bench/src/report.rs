//! Statistics and the two result files: a markdown table for people and JSON for tools.

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::{Measured, Sample};

pub struct Context {
    pub runs: usize,
    pub floor: String,
    pub bin_dir: String,
    pub command: String,
    pub elapsed: Duration,
    pub load_before: Option<String>,
    pub load_after: Option<String>,
}

#[derive(Clone, Copy)]
pub struct Stats {
    pub median: f64,
    pub p90: f64,
    pub min: f64,
    pub max: f64,
}

/// Milliseconds; p90 by nearest rank.
pub fn stats(values: impl IntoIterator<Item = f64>) -> Option<Stats> {
    let mut sorted: Vec<f64> = values.into_iter().collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    let rank = (n * 9).div_ceil(10).max(1);
    Some(Stats { median, p90: sorted[rank - 1], min: sorted[0], max: sorted[n - 1] })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Microsecond precision is plenty in the JSON.
fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn first_answer(samples: &[Sample]) -> Option<Stats> {
    stats(samples.iter().map(|sample| millis(sample.first_answer)))
}

fn init(samples: &[Sample]) -> Option<Stats> {
    stats(samples.iter().filter_map(|sample| sample.init.map(millis)))
}

fn peak_rss(samples: &[Sample]) -> Option<Stats> {
    stats(samples.iter().filter_map(|sample| sample.peak_rss_kib.map(|kib| kib as f64)))
}

fn floor_median(measured: &[Measured]) -> Option<f64> {
    measured.iter().find(|entry| entry.target.is_floor).and_then(|floor| first_answer(&floor.samples)).map(|s| s.median)
}

struct Machine {
    nproc: usize,
    arch: String,
    kernel: String,
    cpu: String,
}

fn machine() -> Machine {
    let uname = |flag: &str| {
        Command::new("uname")
            .arg(flag)
            .output()
            .ok()
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|text| text.trim().to_owned())
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|info| {
        info.lines()
            .find(|line| line.starts_with("model name"))
            .and_then(|line| line.split_once(':'))
            .map(|(_, model)| model.trim().to_owned())
    });
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, usize::from),
        arch: uname("-m").unwrap_or_else(|| std::env::consts::ARCH.to_owned()),
        kernel: uname("-r").unwrap_or_default(),
        cpu: cpu.unwrap_or_else(|| "unknown".to_owned()),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date crate.
fn utc_now() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

fn size(bytes: Option<u64>) -> String {
    match bytes {
        Some(bytes) => format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0)),
        None => "–".to_owned(),
    }
}

fn ms(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |value| format!("{value:.2}"))
}

pub fn markdown(context: &Context, measured: &[Measured]) -> String {
    let machine = machine();
    let floor = floor_median(measured);
    let kept = context.runs - 1;
    let mut out = String::new();
    let _ = writeln!(out, "# Cold start: spawn to first answer\n");
    let _ = writeln!(out, "- date: {}", utc_now());
    let _ = writeln!(
        out,
        "- machine: nproc {}, {} ({}), Linux {}",
        machine.nproc, machine.arch, machine.cpu, machine.kernel
    );
    let _ = writeln!(out, "- command: `{}`", context.command);
    let _ = writeln!(
        out,
        "- {} runs per binary, round-robin; the first is a warm-up and is discarded, so statistics are over {kept}",
        context.runs
    );
    let _ = writeln!(
        out,
        "- load average before / after: {} / {}; whole benchmark {:.1} s",
        context.load_before.as_deref().unwrap_or("?"),
        context.load_after.as_deref().unwrap_or("?"),
        context.elapsed.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "- binaries from `{}`, against a fake Runtime API on 127.0.0.1; floor = `{}`{}\n",
        context.bin_dir,
        context.floor,
        if context.floor == crate::DEFAULT_FLOOR { " (a bare lambda_runtime echo function)" } else { "" }
    );
    let _ = writeln!(
        out,
        "| binary | event | first answer median ms | p90 ms | min ms | × floor (median) | init median ms | \
         peak RSS MiB | answer | host binary | arm64 bootstrap.zip |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|");
    for entry in measured {
        let answer = first_answer(&entry.samples);
        let ratio = match (answer, floor) {
            (Some(answer), Some(floor)) if floor > 0.0 => format!("{:.2}", answer.median / floor),
            _ => "–".to_owned(),
        };
        let name =
            if entry.target.is_floor { format!("{} (floor)", entry.target.name) } else { entry.target.name.clone() };
        let last_answer = entry.samples.last().map_or_else(|| "–".to_owned(), describe);
        let rss = peak_rss(&entry.samples).map(|rss| rss.median / 1024.0);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} | {ratio} | {} | {} | {last_answer} | {} | {} |",
            entry.target.kind.name(),
            ms(answer.map(|s| s.median)),
            ms(answer.map(|s| s.p90)),
            ms(answer.map(|s| s.min)),
            ms(init(&entry.samples).map(|s| s.median)),
            rss.map_or_else(|| "–".to_owned(), |rss| format!("{rss:.1}")),
            size(entry.binary_bytes),
            size(entry.zip_bytes),
        );
    }
    if let Some(verdict) = target_verdict(measured, floor) {
        let _ = writeln!(out, "\n{verdict}");
    }
    let failures: Vec<String> = measured
        .iter()
        .flat_map(|entry| entry.failures.iter().map(move |failure| format!("- {}: {failure}", entry.target.name)))
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nFailures (not in the statistics):\n\n{}", failures.join("\n"));
    }
    let _ = writeln!(
        out,
        "\nfirst answer = spawn → the runtime's first `POST …/response` or `…/error`; init = spawn → its first \
         `GET …/invocation/next`; peak RSS = VmHWM at the first answer. bootstrap.zip: from `make build` (\"–\" if absent)."
    );
    out
}

/// The answer, and the DynamoDB calls made before it (the fake API answers them).
fn describe(sample: &Sample) -> String {
    if sample.dynamodb_calls.is_empty() {
        sample.answer.clone()
    } else {
        format!("{} after DynamoDB {}", sample.answer, sample.dynamodb_calls.join(", "))
    }
}

/// Issue 19's first target: every function's median first answer at most this many times the floor's.
pub const TARGET_RATIO: f64 = 1.5;

/// Which functions meet [`TARGET_RATIO`], and the slowest against the floor.
fn target_verdict(measured: &[Measured], floor: Option<f64>) -> Option<String> {
    let floor = floor.filter(|floor| *floor > 0.0)?;
    let ratios: Vec<(String, f64)> = measured
        .iter()
        .filter(|entry| !entry.target.is_floor)
        .filter_map(|entry| {
            let answer = first_answer(&entry.samples)?;
            Some((format!("{} ({})", entry.target.name, entry.target.kind.name()), answer.median / floor))
        })
        .collect();
    let (worst, worst_ratio) = ratios.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    let met = ratios.iter().filter(|(_, ratio)| *ratio <= TARGET_RATIO).count();
    Some(format!(
        "Target ≤ {TARGET_RATIO}× the floor (median first answer): met by {met} of {}; slowest {worst} at {worst_ratio:.2}×.",
        ratios.len()
    ))
}

fn stats_json(stats: Option<Stats>) -> Value {
    match stats {
        Some(s) => {
            json!({ "median": round3(s.median), "p90": round3(s.p90), "min": round3(s.min), "max": round3(s.max) })
        }
        None => Value::Null,
    }
}

pub fn json(context: &Context, measured: &[Measured]) -> Value {
    let machine = machine();
    let floor = floor_median(measured);
    let results: Vec<Value> = measured
        .iter()
        .map(|entry| {
            let answer = first_answer(&entry.samples);
            json!({
                "binary": entry.target.name,
                "floor": entry.target.is_floor,
                "event": entry.target.kind.name(),
                "first_answer_ms": stats_json(answer),
                "init_ms": stats_json(init(&entry.samples)),
                "peak_rss_kib": stats_json(peak_rss(&entry.samples)),
                "ratio_to_floor_median": match (answer, floor) {
                    (Some(answer), Some(floor)) if floor > 0.0 => json!(round3(answer.median / floor)),
                    _ => Value::Null,
                },
                "samples_ms": entry.samples.iter().map(|s| round3(millis(s.first_answer))).collect::<Vec<_>>(),
                "discarded_ms": entry.discarded.iter().map(|s| round3(millis(s.first_answer))).collect::<Vec<_>>(),
                "answer": entry.samples.last().map(|sample| sample.answer.clone()),
                "dynamodb_calls": entry.samples.last().map(|sample| sample.dynamodb_calls.clone()),
                "binary_bytes": entry.binary_bytes,
                "bootstrap_zip_bytes": entry.zip_bytes,
                "failures": entry.failures,
            })
        })
        .collect();
    json!({
        "date": utc_now(),
        "machine": { "nproc": machine.nproc, "arch": machine.arch, "cpu": machine.cpu, "kernel": machine.kernel },
        "command": context.command,
        "runs": context.runs,
        "discarded_runs": 1,
        "floor": context.floor,
        "target_ratio": TARGET_RATIO,
        "elapsed_s": round3(context.elapsed.as_secs_f64()),
        "bin_dir": context.bin_dir,
        "load_average_before": context.load_before,
        "load_average_after": context.load_after,
        "results": results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_nearest_rank_p90() {
        let s = stats((1..=14).map(f64::from)).unwrap();
        assert_eq!((s.median, s.p90, s.min, s.max), (7.5, 13.0, 1.0, 14.0));
        let s = stats([3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.p90), (2.0, 3.0));
        assert!(stats([]).is_none());
    }
}
