//! The platform's health readings (the console's system health): one port, [`HealthMetrics`], read by
//! the platform function. In AWS its adapter asks CloudWatch (GetMetricData, linked only into the
//! platform function); in the local stack it reads the stack's own counters ([`LocalCounters`]),
//! which the gateway, the stream poller and the functions bump through [`record`] and [`gauge`], and
//! the dead-letter queues themselves (SQS GetQueueAttributes).
//!
//! [`record`] and [`gauge`] do nothing in a process that did not [`LocalCounters::install`] them (every
//! Lambda), so the functions call them unconditionally at no cost.

use std::collections::VecDeque;
use std::sync::{Mutex, OnceLock};

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::lazy_client::LazyClient;

/// What is counted: one event each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// A REST request the gateway answered.
    ApiRequest,
    /// …with a 5xx status.
    ApiServerError,
    /// …with 429 (a usage-plan or rate-rule throttle).
    ApiThrottled,
    WebhookDelivered,
    WebhookAttemptFailed,
    SlaScanRun,
    SlaScanFailed,
}

/// What is measured: the latest value wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gauge {
    /// How far behind the table's stream the outbox consumer is, in milliseconds.
    StreamIteratorAgeMs,
}

/// One dead-letter queue: its name and where to read it (the queue URL; its name is the URL's last
/// segment, as CloudWatch's `QueueName` dimension names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    pub name: &'static str,
    pub url: String,
}

impl DeadLetterQueue {
    pub fn queue_name(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or(&self.url)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadLetterDepth {
    /// What dead-letters there (`webhook`, `email`, `outbox`, …).
    pub name: String,
    /// Messages waiting (approximate, as SQS counts).
    pub depth: u64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ApiRates {
    pub requests: u64,
    pub server_errors: u64,
    pub throttled: u64,
    /// `server_errors / requests`; null without requests.
    pub server_error_rate: Option<f64>,
    /// `throttled / requests`; null without requests.
    pub throttle_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct WebhookRates {
    pub delivered: u64,
    pub failed_attempts: u64,
    /// `failed_attempts / (delivered + failed_attempts)`; null without attempts.
    pub failure_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SlaScanHealth {
    pub runs: u64,
    pub failures: u64,
    /// Seconds since the last run (it runs every minute: much more than 60 means it stopped); null
    /// when no run is in the window.
    pub lag_seconds: Option<i64>,
}

/// The platform's health over the last `window_minutes`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthReadings {
    pub window_minutes: i64,
    /// `cloudwatch` in AWS, `local` in the local stack.
    pub source: String,
    #[schema(value_type = String, format = DateTime)]
    pub read_at: Timestamp,
    pub dead_letter_queues: Vec<DeadLetterDepth>,
    pub api: ApiRates,
    pub webhooks: WebhookRates,
    pub sla_scan: SlaScanHealth,
    /// The outbox consumer's stream iterator age (maximum in the window), milliseconds; null when
    /// nothing was read.
    pub stream_iterator_age_ms: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error("the metrics service failed: {0}")]
    Backend(String),
}

/// The port: health readings over a window, from wherever this deployment keeps them.
pub trait HealthMetrics: Send + Sync {
    fn read(&self, window: SignedDuration, now: Timestamp) -> BoxFuture<'_, Result<HealthReadings, HealthError>>;
}

pub fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// How long samples are kept: the longest window the console asks for.
const KEEP: SignedDuration = SignedDuration::from_hours(24);

#[derive(Default)]
struct Samples {
    counts: VecDeque<(Timestamp, Counter)>,
    gauges: VecDeque<(Timestamp, Gauge, i64)>,
}

static COUNTERS: OnceLock<Mutex<Samples>> = OnceLock::new();

/// Counts one `counter` event now (a no-op unless this process installed the local counters).
pub fn record(counter: Counter) {
    if let Some(samples) = COUNTERS.get() {
        let now = Timestamp::now();
        let mut samples = samples.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        samples.counts.push_back((now, counter));
        while samples.counts.front().is_some_and(|(at, _)| now.duration_since(*at) > KEEP) {
            samples.counts.pop_front();
        }
    }
}

/// Records the latest value of `gauge` (a no-op unless this process installed the local counters).
pub fn gauge(gauge: Gauge, value: i64) {
    if let Some(samples) = COUNTERS.get() {
        let now = Timestamp::now();
        let mut samples = samples.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        samples.gauges.push_back((now, gauge, value));
        while samples.gauges.front().is_some_and(|(at, _, _)| now.duration_since(*at) > KEEP) {
            samples.gauges.pop_front();
        }
    }
}

/// The local stack's adapter: its own counters, and the dead-letter queues read directly.
pub struct LocalCounters {
    sqs: LazyClient<aws_sdk_sqs::Client>,
    dead_letter_queues: Vec<DeadLetterQueue>,
}

impl LocalCounters {
    /// Turns counting on in this process (the local stack, at start).
    pub fn install() {
        COUNTERS.get_or_init(Default::default);
    }

    /// Whether this process counts (true only in the local stack).
    pub fn installed() -> bool {
        COUNTERS.get().is_some()
    }

    pub fn new(aws: &aws_config::SdkConfig, dead_letter_queues: Vec<DeadLetterQueue>) -> Self {
        let aws = aws.clone();
        Self { sqs: LazyClient::new(move || aws_sdk_sqs::Client::new(&aws)), dead_letter_queues }
    }

    async fn depth(&self, queue: &DeadLetterQueue) -> Result<u64, HealthError> {
        let output = self
            .sqs
            .get()
            .get_queue_attributes()
            .queue_url(&queue.url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .send()
            .await
            .map_err(|err| HealthError::Backend(aws_sdk_sqs::error::DisplayErrorContext(err).to_string()))?;
        Ok(output
            .attributes
            .and_then(|attributes| {
                attributes.get(&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages).cloned()
            })
            .and_then(|depth| depth.parse().ok())
            .unwrap_or(0))
    }
}

/// The readings of samples since `since`.
fn summarise(
    samples: &Samples,
    since: Timestamp,
    now: Timestamp,
) -> (ApiRates, WebhookRates, SlaScanHealth, Option<i64>) {
    let count =
        |counter: Counter| samples.counts.iter().filter(|(at, kind)| *at >= since && *kind == counter).count() as u64;
    let requests = count(Counter::ApiRequest);
    let (server_errors, throttled) = (count(Counter::ApiServerError), count(Counter::ApiThrottled));
    let (delivered, failed_attempts) = (count(Counter::WebhookDelivered), count(Counter::WebhookAttemptFailed));
    let last_run = samples
        .counts
        .iter()
        .rev()
        .find(|(at, kind)| *at >= since && *kind == Counter::SlaScanRun)
        .map(|(at, _)| now.duration_since(*at).as_secs());
    let iterator_age = samples
        .gauges
        .iter()
        .filter(|(at, kind, _)| *at >= since && *kind == Gauge::StreamIteratorAgeMs)
        .map(|(_, _, value)| *value)
        .max();
    (
        ApiRates {
            requests,
            server_errors,
            throttled,
            server_error_rate: rate(server_errors, requests),
            throttle_rate: rate(throttled, requests),
        },
        WebhookRates { delivered, failed_attempts, failure_rate: rate(failed_attempts, delivered + failed_attempts) },
        SlaScanHealth {
            runs: count(Counter::SlaScanRun),
            failures: count(Counter::SlaScanFailed),
            lag_seconds: last_run,
        },
        iterator_age,
    )
}

impl HealthMetrics for LocalCounters {
    fn read(&self, window: SignedDuration, now: Timestamp) -> BoxFuture<'_, Result<HealthReadings, HealthError>> {
        Box::pin(async move {
            let since = now - window;
            let (api, webhooks, sla_scan, stream_iterator_age_ms) = match COUNTERS.get() {
                Some(samples) => {
                    summarise(&samples.lock().unwrap_or_else(|poisoned| poisoned.into_inner()), since, now)
                }
                None => summarise(&Samples::default(), since, now),
            };
            let depths = futures::future::try_join_all(self.dead_letter_queues.iter().map(|queue| async move {
                Ok::<_, HealthError>(DeadLetterDepth { name: queue.name.to_owned(), depth: self.depth(queue).await? })
            }))
            .await?;
            Ok(HealthReadings {
                window_minutes: window.as_mins(),
                source: "local".to_owned(),
                read_at: now,
                dead_letter_queues: depths,
                api,
                webhooks,
                sla_scan,
                stream_iterator_age_ms,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_count_only_the_window_and_the_latest_run_gives_the_lag() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let ago = |mins: i64| now - SignedDuration::from_mins(mins);
        let mut samples = Samples::default();
        for (at, counter) in [
            (ago(90), Counter::ApiServerError),
            (ago(90), Counter::ApiRequest),
            (ago(10), Counter::ApiRequest),
            (ago(9), Counter::ApiRequest),
            (ago(8), Counter::ApiRequest),
            (ago(8), Counter::ApiRequest),
            (ago(8), Counter::ApiServerError),
            (ago(7), Counter::ApiThrottled),
            (ago(6), Counter::WebhookDelivered),
            (ago(5), Counter::WebhookAttemptFailed),
            (ago(5), Counter::WebhookDelivered),
            (ago(5), Counter::WebhookDelivered),
            (ago(3), Counter::SlaScanRun),
            (ago(2), Counter::SlaScanRun),
            (ago(2), Counter::SlaScanFailed),
        ] {
            samples.counts.push_back((at, counter));
        }
        samples.gauges.push_back((ago(90), Gauge::StreamIteratorAgeMs, 99_000));
        samples.gauges.push_back((ago(4), Gauge::StreamIteratorAgeMs, 1_500));
        samples.gauges.push_back((ago(1), Gauge::StreamIteratorAgeMs, 200));
        let (api, webhooks, sla, age) = summarise(&samples, ago(60), now);
        assert_eq!((api.requests, api.server_errors, api.throttled), (4, 1, 1));
        assert_eq!((api.server_error_rate, api.throttle_rate), (Some(0.25), Some(0.25)));
        assert_eq!((webhooks.delivered, webhooks.failed_attempts, webhooks.failure_rate), (3, 1, Some(0.25)));
        assert_eq!((sla.runs, sla.failures, sla.lag_seconds), (2, 1, Some(120)));
        assert_eq!(age, Some(1_500));
        let (api, _, sla, age) = summarise(&Samples::default(), ago(60), now);
        assert_eq!((api.requests, api.server_error_rate, sla.lag_seconds, age), (0, None, None, None));
    }
}
