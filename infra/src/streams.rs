//! Plays Lambda's DynamoDB stream event source: polls the table's stream and hands batches of records
//! to the consumer functions declared with `Type: DynamoDB` events, in order per shard. A batch whose
//! response names failed records is read again from the first of them after a pause, as Lambda does
//! with ReportBatchItemFailures, so nothing is skipped.

use std::{collections::HashMap, time::Duration};

use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use serde_json::{Value, json};
use shared::App;

use crate::registry::StreamHandler;

const POLL_EVERY: Duration = Duration::from_millis(200);
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub struct StreamConsumer {
    pub name: String,
    pub handler: StreamHandler,
    pub batch_size: i32,
    pub starting_position: String,
}

fn image(item: Option<&HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>>) -> Value {
    match item {
        Some(item) => {
            let item: serde_dynamo::Item = item.clone().into();
            serde_json::to_value(item).unwrap_or(Value::Null)
        }
        None => Value::Null,
    }
}

/// The record as Lambda delivers it.
fn lambda_record(record: &Record, stream_arn: &str) -> Value {
    let change = record.dynamodb();
    json!({
        "eventID": record.event_id().unwrap_or_default(),
        "eventName": record.event_name().map(|name| name.as_str()).unwrap_or_default(),
        "eventVersion": record.event_version().unwrap_or("1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.aws_region().unwrap_or("us-east-1"),
        "eventSourceARN": stream_arn,
        "dynamodb": {
            "Keys": image(change.and_then(|c| c.keys.as_ref())),
            "NewImage": image(change.and_then(|c| c.new_image.as_ref())),
            "OldImage": image(change.and_then(|c| c.old_image.as_ref())),
            "SequenceNumber": change.and_then(|c| c.sequence_number()).unwrap_or_default(),
            "SizeBytes": change.and_then(|c| c.size_bytes()).unwrap_or_default(),
            "StreamViewType": change.and_then(|c| c.stream_view_type()).map(|t| t.as_str()).unwrap_or("NEW_AND_OLD_IMAGES"),
        },
    })
}

/// Polls `table`'s stream for `consumer` until the task is aborted.
pub fn spawn(
    app: &'static App,
    aws: &aws_config::SdkConfig,
    table: String,
    consumer: StreamConsumer,
) -> tokio::task::JoinHandle<()> {
    let dynamodb = aws_sdk_dynamodb::Client::new(aws);
    let streams = aws_sdk_dynamodbstreams::Client::new(aws);
    tokio::spawn(async move {
        if let Err(err) = run(app, &dynamodb, &streams, &table, &consumer).await {
            tracing::error!(error = %err, consumer = %consumer.name, "stream poller stopped");
        }
    })
}

async fn run(
    app: &'static App,
    dynamodb: &aws_sdk_dynamodb::Client,
    streams: &aws_sdk_dynamodbstreams::Client,
    table: &str,
    consumer: &StreamConsumer,
) -> Result<(), String> {
    let described = dynamodb.describe_table().table_name(table).send().await.map_err(|err| err.to_string())?;
    let stream_arn = described
        .table()
        .and_then(|table| table.latest_stream_arn())
        .ok_or_else(|| format!("table {table} has no stream"))?
        .to_owned();
    let start = if consumer.starting_position == "TRIM_HORIZON" {
        ShardIteratorType::TrimHorizon
    } else {
        ShardIteratorType::Latest
    };
    // shard id -> next iterator
    let mut iterators: HashMap<String, Option<String>> = HashMap::new();
    let mut refreshed_at: Option<std::time::Instant> = None;
    loop {
        if refreshed_at.is_none_or(|at| at.elapsed() >= Duration::from_secs(5)) {
            refreshed_at = Some(std::time::Instant::now());
            let stream =
                streams.describe_stream().stream_arn(&stream_arn).send().await.map_err(|err| err.to_string())?;
            for shard in stream.stream_description().map(|d| d.shards()).unwrap_or_default() {
                let Some(shard_id) = shard.shard_id() else { continue };
                if iterators.contains_key(shard_id) {
                    continue;
                }
                let iterator = streams
                    .get_shard_iterator()
                    .stream_arn(&stream_arn)
                    .shard_id(shard_id)
                    .shard_iterator_type(start.clone())
                    .send()
                    .await
                    .map_err(|err| err.to_string())?;
                iterators.insert(shard_id.to_owned(), iterator.shard_iterator().map(str::to_owned));
            }
        }
        // A shard that gave records is read again at once: only an idle stream waits between polls, so a
        // backlog drains as fast as the consumer handles it.
        let mut busy = false;
        for (shard_id, iterator) in iterators.iter_mut() {
            let Some(current) = iterator.clone() else { continue };
            let output = match streams.get_records().shard_iterator(&current).limit(consumer.batch_size).send().await {
                Ok(output) => output,
                Err(err) => {
                    tracing::warn!(error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(err), "stream read failed");
                    continue;
                }
            };
            let records = output.records();
            if records.is_empty() {
                *iterator = output.next_shard_iterator().map(str::to_owned);
                continue;
            }
            busy = true;
            // Lambda's IteratorAge: how old the batch's newest record is when the consumer gets it.
            if let Some(created) =
                records.last().and_then(|r| r.dynamodb()).and_then(|d| d.approximate_creation_date_time())
            {
                let age_ms = jiff::Timestamp::now().as_millisecond() - created.to_millis().unwrap_or(i64::MAX);
                if age_ms >= 0 {
                    shared::adapters::health::gauge(shared::adapters::health::Gauge::StreamIteratorAgeMs, age_ms);
                }
            }
            let event = json!({"Records": records.iter().map(|r| lambda_record(r, &stream_arn)).collect::<Vec<_>>()});
            let event = serde_json::from_value(event).map_err(|err| format!("stream event: {err}"))?;
            let response = (consumer.handler)(app, event).await;
            match response.batch_item_failures.first().and_then(|failure| failure.item_identifier.clone()) {
                None => *iterator = output.next_shard_iterator().map(str::to_owned),
                Some(sequence) => {
                    tokio::time::sleep(RETRY_AFTER).await;
                    let again = streams
                        .get_shard_iterator()
                        .stream_arn(&stream_arn)
                        .shard_id(shard_id.as_str())
                        .shard_iterator_type(ShardIteratorType::AtSequenceNumber)
                        .sequence_number(sequence)
                        .send()
                        .await
                        .map_err(|err| err.to_string())?;
                    *iterator = again.shard_iterator().map(str::to_owned);
                }
            }
        }
        if !busy {
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
}
