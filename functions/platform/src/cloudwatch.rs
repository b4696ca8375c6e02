//! The console's system health in AWS: one CloudWatch GetMetricData call (paged) over the metrics the
//! template's alarms already watch. Only this function links aws-sdk-cloudwatch.

use std::collections::HashMap;
use std::sync::OnceLock;

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use shared::App;
use shared::adapters::health::{
    ApiRates, DeadLetterDepth, DeadLetterQueue, HealthError, HealthMetrics, HealthReadings, SlaScanHealth,
    WebhookRates, rate,
};

/// What the metrics are named by in this stack (the platform function's environment, template.yaml).
pub struct CloudWatchHealth {
    client: &'static aws_sdk_cloudwatch::Client,
    api_name: String,
    stage: String,
    sla_scan_function: String,
    outbox_function: String,
    dead_letter_queues: Vec<DeadLetterQueue>,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_default()
}

impl CloudWatchHealth {
    pub fn of(app: &App) -> Self {
        static CLIENT: OnceLock<aws_sdk_cloudwatch::Client> = OnceLock::new();
        Self {
            client: CLIENT.get_or_init(|| aws_sdk_cloudwatch::Client::new(&app.aws)),
            api_name: env("SWITCHBOARD_API_NAME"),
            stage: env("SWITCHBOARD_API_STAGE"),
            sla_scan_function: env("SWITCHBOARD_SLA_SCAN_FUNCTION"),
            outbox_function: env("SWITCHBOARD_OUTBOX_FUNCTION"),
            dead_letter_queues: app.config.dead_letter_queues.clone(),
        }
    }

    fn queries(&self, period: i32) -> Vec<MetricDataQuery> {
        let query = |id: String, namespace: &str, name: &str, dimensions: &[(&str, &str)], stat: &str| {
            let mut metric = Metric::builder().namespace(namespace).metric_name(name);
            for (key, value) in dimensions {
                metric = metric.dimensions(Dimension::builder().name(*key).value(*value).build());
            }
            MetricDataQuery::builder()
                .id(id)
                .metric_stat(MetricStat::builder().metric(metric.build()).period(period).stat(stat).build())
                .return_data(true)
                .build()
        };
        let api = [("ApiName", self.api_name.as_str()), ("Stage", self.stage.as_str())];
        let mut queries = vec![
            query("api_count".into(), "AWS/ApiGateway", "Count", &api, "Sum"),
            query("api_5xx".into(), "AWS/ApiGateway", "5XXError", &api, "Sum"),
            query("api_throttled".into(), "Switchboard", "ApiThrottled", &[], "Sum"),
            query("webhook_delivered".into(), "Switchboard", "WebhookDelivered", &[], "Sum"),
            query("webhook_failed".into(), "Switchboard", "WebhookAttemptFailed", &[], "Sum"),
            query("sla_runs".into(), "AWS/Lambda", "Invocations", &[("FunctionName", &self.sla_scan_function)], "Sum"),
            query("sla_errors".into(), "AWS/Lambda", "Errors", &[("FunctionName", &self.sla_scan_function)], "Sum"),
            query(
                "iterator_age".into(),
                "AWS/Lambda",
                "IteratorAge",
                &[("FunctionName", &self.outbox_function)],
                "Maximum",
            ),
        ];
        for (index, queue) in self.dead_letter_queues.iter().enumerate() {
            let dimensions = [("QueueName", queue.queue_name())];
            queries.push(query(
                format!("dlq{index}"),
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                &dimensions,
                "Maximum",
            ));
        }
        queries
    }
}

/// Each query's datapoints, by id: (timestamp in seconds, value).
type Series = HashMap<String, Vec<(i64, f64)>>;

fn sum(series: &Series, id: &str) -> u64 {
    series.get(id).map_or(0.0, |points| points.iter().map(|(_, value)| value).sum::<f64>()).round() as u64
}

fn latest(series: &Series, id: &str) -> Option<(i64, f64)> {
    series.get(id)?.iter().copied().max_by_key(|(at, _)| *at)
}

impl HealthMetrics for CloudWatchHealth {
    fn read(&self, window: SignedDuration, now: Timestamp) -> BoxFuture<'_, Result<HealthReadings, HealthError>> {
        Box::pin(async move {
            // One-minute points up to three hours (GetMetricData keeps them 15 days), five-minute ones past that.
            let period = if window <= SignedDuration::from_hours(3) { 60 } else { 300 };
            let (start, end) = (now - window, now);
            let mut series: Series = HashMap::new();
            let mut token = None;
            loop {
                let output = self
                    .client
                    .get_metric_data()
                    .start_time(DateTime::from_secs(start.as_second()))
                    .end_time(DateTime::from_secs(end.as_second()))
                    .set_metric_data_queries(Some(self.queries(period)))
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|err| {
                        HealthError::Backend(aws_sdk_cloudwatch::error::DisplayErrorContext(err).to_string())
                    })?;
                for result in output.metric_data_results() {
                    let points = result.timestamps().iter().map(DateTime::secs).zip(result.values().iter().copied());
                    series.entry(result.id().unwrap_or_default().to_owned()).or_default().extend(points);
                }
                token = output.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            let requests = sum(&series, "api_count");
            let (server_errors, throttled) = (sum(&series, "api_5xx"), sum(&series, "api_throttled"));
            let (delivered, failed_attempts) = (sum(&series, "webhook_delivered"), sum(&series, "webhook_failed"));
            let last_run = series
                .get("sla_runs")
                .and_then(|points| points.iter().filter(|(_, runs)| *runs > 0.0).map(|(at, _)| *at).max());
            Ok(HealthReadings {
                window_minutes: window.as_mins(),
                source: "cloudwatch".to_owned(),
                read_at: now,
                dead_letter_queues: self
                    .dead_letter_queues
                    .iter()
                    .enumerate()
                    .map(|(index, queue)| DeadLetterDepth {
                        name: queue.name.to_owned(),
                        depth: latest(&series, &format!("dlq{index}")).map_or(0, |(_, depth)| depth.round() as u64),
                    })
                    .collect(),
                api: ApiRates {
                    requests,
                    server_errors,
                    throttled,
                    server_error_rate: rate(server_errors, requests),
                    throttle_rate: rate(throttled, requests),
                },
                webhooks: WebhookRates {
                    delivered,
                    failed_attempts,
                    failure_rate: rate(failed_attempts, delivered + failed_attempts),
                },
                sla_scan: SlaScanHealth {
                    runs: sum(&series, "sla_runs"),
                    failures: sum(&series, "sla_errors"),
                    // A point stands for the minute it starts; the run ended within it.
                    lag_seconds: last_run.map(|at| (now.as_second() - at - i64::from(period)).max(0)),
                },
                stream_iterator_age_ms: series
                    .get("iterator_age")
                    .and_then(|points| points.iter().map(|(_, age)| age.round() as i64).max()),
            })
        })
    }
}
