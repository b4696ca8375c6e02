//! `webhook-bench [--events N] [--samples N] [--out DIR]`
//!
//! Webhook deliveries through a local stack it starts itself, beside bare HTTP POSTs to the same
//! receiver (a local axum server) in the same run; writes bench/results/webhooks.md and webhooks.json:
//! 1. Per-delivery cost: the delivery function handling one queue message (read the delivery and the
//!    endpoint, sign, POST, log the attempt), one at a time, against a bare POST of the same body.
//! 2. Throughput: N events fanned out as the outbox consumer does (endpoint query, delivery record,
//!    SQS message), delivered by the template's SQS event source and delivery function, until the
//!    receiver has them all; beside bare POSTs at the same concurrency.

use std::{
    fmt::Write as _,
    path::PathBuf,
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::{Value, json};
use shared::{
    domain::{
        events::EventKind,
        ids::{DeliveryId, EventId},
    },
    services::webhooks::{delivery, fanout, payload},
    storage::{
        events::Event,
        webhooks::{Delivery, DeliveryStatus},
    },
};
use switchboard_tests::receiver::{Behaviour, Receiver};

/// Deliveries in flight in the local stack: its event source runs 4 batches of 10 at once.
const CONCURRENCY: usize = 40;
/// Deliveries per second the local stack should sustain on a 2-core machine.
const THROUGHPUT_TARGET: f64 = 50.0;

struct Options {
    events: usize,
    samples: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options { events: 500, samples: 200, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--events" => options.events = number("--events")?,
            "--samples" => options.samples = number("--samples")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

#[derive(Debug, Clone, Copy)]
struct Summary {
    median: f64,
    p90: f64,
    p99: f64,
    mean: f64,
}

fn summary(mut values: Vec<f64>) -> Summary {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let at = |q: f64| values[((n as f64 * q).ceil() as usize).clamp(1, n) - 1];
    let median = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    Summary { median, p90: at(0.9), p99: at(0.99), mean: values.iter().sum::<f64>() / n as f64 }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn sample_event(ticket_subject: &str) -> Event {
    Event::new(EventKind::TicketCreated, None, "ticket/bench".into(), jiff::Timestamp::now()).with_change(
        None,
        Some(json!({"subject": ticket_subject, "status": "new", "priority": "normal", "category": null,
                    "subcategory": null, "tags": ["bench"], "assignee_id": null})),
    )
}

async fn wait_for(receiver: &Receiver, count: usize, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while receiver.count() < count {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    true
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("webhook-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(md) => {
            print!("{md}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("webhook-bench: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<String, String> {
    let stack = local_stack::start(local_stack::StackOptions::default()).await?;
    let app = stack.app;
    let http = reqwest::Client::new();
    let receiver = Receiver::start(Behaviour::Succeed).await;

    // A workspace with one endpoint pointing at the receiver (registered through the API).
    let session: Value = http
        .post(format!("{}/api/v1/auth/signup", stack.url))
        .json(&json!({"workspace_name": "Webhook Bench", "name": "Bench Owner",
                      "email": format!("bench-{}@example.com", uuid::Uuid::new_v4().simple()),
                      "password": "correct horse battery staple"}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|err| format!("signup: {err}"))?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    let token = session["access_token"].as_str().ok_or("no access token")?.to_owned();
    let endpoint: Value = http
        .post(format!("{}/api/v1/webhooks", stack.url))
        .bearer_auth(&token)
        .json(&json!({"url": receiver.url, "events": ["ticket.created"]}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|err| format!("registering the endpoint: {err}"))?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    let endpoint_id = endpoint["id"].as_str().ok_or("no endpoint id")?.parse().map_err(|_| "endpoint id")?;
    let owner = switchboard_api_bench::member_of(app, &token).await?;
    let scope = owner.scope();
    let body = payload::webhook_body(owner.workspace_id(), &sample_event("Printer on fire"));

    // ------------------------------------------------------------ 1. per delivery, one at a time
    // Warm both paths (connections, the endpoint's first failure-streak write) before measuring.
    let mut bare = Vec::new();
    let mut handled = Vec::new();
    let mut post_only = Vec::new();
    for round in 0..options.samples + 5 {
        let started = Instant::now();
        let reply = http
            .post(&receiver.url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .map_err(|err| format!("bare POST: {err}"))?;
        reply.bytes().await.map_err(|err| err.to_string())?;
        let bare_ms = ms(started.elapsed());

        let event_id = EventId::generate();
        let now = app.clock.now();
        let record = Delivery {
            id: DeliveryId::of(event_id, endpoint_id),
            endpoint_id,
            event_id,
            event_type: "ticket.created".into(),
            payload: body.clone(),
            status: DeliveryStatus::Pending,
            attempts: Vec::new(),
            created_at: now,
            updated_at: now,
            replays: 0,
        };
        app.store.put_delivery_if_absent(&scope, &record, now.as_second()).await.map_err(|err| err.to_string())?;
        let message =
            fanout::DeliveryMessage { workspace_id: owner.workspace_id(), endpoint_id, delivery_id: record.id };
        let event: aws_lambda_events::sqs::SqsEvent = serde_json::from_value(json!({"Records": [{
            "messageId": format!("bench-{round}"),
            "receiptHandle": null,
            "body": serde_json::to_string(&message).unwrap(),
            "attributes": {"ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
        }]}))
        .map_err(|err| err.to_string())?;
        let started = Instant::now();
        let response = delivery::handle_batch(app, event).await;
        let handled_ms = ms(started.elapsed());
        if !response.batch_item_failures.is_empty() {
            return Err("a measured delivery failed".into());
        }
        let logged = app
            .store
            .get_delivery(&scope, endpoint_id, record.id)
            .await
            .map_err(|err| err.to_string())?
            .ok_or("the delivery vanished")?;
        if round >= 5 {
            bare.push(bare_ms);
            handled.push(handled_ms);
            post_only.push(logged.attempts.last().map_or(0.0, |attempt| attempt.latency_ms as f64));
        }
    }
    let (bare, handled, post_only) = (summary(bare), summary(handled), summary(post_only));

    // ------------------------------------------------------------ 2. throughput through the stack
    let calls_before = app.store.calls().snapshot();
    let before = receiver.count();
    let started = Instant::now();
    let mut producers = Vec::new();
    for index in 0..options.events {
        let event = sample_event(&format!("Event {index}"));
        producers.push(async move { fanout::fan_out(app, &scope, &event).await });
    }
    let mut queued = 0;
    let mut stream = futures::stream::iter(producers).buffer_unordered(8);
    while let Some(result) = stream.next().await {
        queued += result.map_err(|err| err.to_string())?;
    }
    let enqueue_time = started.elapsed();
    if queued != options.events {
        return Err(format!("{queued} deliveries queued for {} events", options.events));
    }
    if !wait_for(&receiver, before + options.events, Duration::from_secs(600)).await {
        return Err(format!("only {} of {} deliveries arrived", receiver.count() - before, options.events));
    }
    let pipeline_time = started.elapsed();
    let pipeline_rate = options.events as f64 / pipeline_time.as_secs_f64();
    // Every DynamoDB call the stack made meanwhile (fan-out, delivery function, the stream consumer).
    let calls = app.store.calls().since(&calls_before);
    let dynamodb_calls: u64 = calls.values().sum();

    // Bare POSTs at the delivery function's concurrency, same body, same receiver.
    let started = Instant::now();
    let posts = (0..options.events).map(|_| {
        let (http, url, body) = (http.clone(), receiver.url.clone(), body.clone());
        async move {
            let reply = http.post(url).header("content-type", "application/json").body(body).send().await?;
            reply.bytes().await.map(|_| ())
        }
    });
    let results: Vec<_> = futures::stream::iter(posts).buffer_unordered(CONCURRENCY).collect().await;
    if results.iter().any(Result::is_err) {
        return Err("a bare POST failed".into());
    }
    let bare_rate = options.events as f64 / started.elapsed().as_secs_f64();
    stack.stop().await;

    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let mut md = String::new();
    let _ = writeln!(md, "# Webhook delivery benchmark\n");
    let _ = writeln!(
        md,
        "Local stack (moto for DynamoDB and SQS, single-threaded), {build} build, one receiver on 127.0.0.1 \
         answering 200; body {} bytes. Command: `make bench` (`webhook-bench --events {} --samples {}`).\n",
        body.len(),
        options.events,
        options.samples
    );
    let _ = writeln!(md, "## Per delivery, one at a time ({} samples)\n", options.samples);
    let _ = writeln!(md, "| path | median ms | p90 ms | p99 ms | mean ms |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for (label, s) in [
        ("bare POST (reqwest → receiver)", bare),
        ("delivery function: one message (BatchGetItem, sign, POST, UpdateItem)", handled),
        ("  of which the POST (as logged in the attempt)", post_only),
    ] {
        let _ = writeln!(md, "| {label} | {:.2} | {:.2} | {:.2} | {:.2} |", s.median, s.p90, s.p99, s.mean);
    }
    let _ = writeln!(
        md,
        "\nOverhead per delivery over a bare POST: {:.2} ms (median), {:.2} ms (mean): storage round trips \
         to the local stand-in, signing and logging.\n",
        handled.median - bare.median,
        handled.mean - bare.mean
    );
    let _ = writeln!(md, "## Throughput ({} events)\n", options.events);
    let _ = writeln!(md, "| path | deliveries/s | total s |");
    let _ = writeln!(md, "|---|---|---|");
    let _ = writeln!(
        md,
        "| through the stack: fan-out (8 at a time) → SQS → event source ({CONCURRENCY} in flight) → delivery function → receiver | {pipeline_rate:.1} | {:.2} |",
        pipeline_time.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "| bare POSTs, {CONCURRENCY} in flight | {bare_rate:.1} | {:.2} |",
        options.events as f64 / bare_rate
    );
    let _ = writeln!(
        md,
        "\nTarget: ≥ {THROUGHPUT_TARGET:.0} deliveries/s through the local stack: {pipeline_rate:.1}/s is {:.2}× the \
         target ({}).",
        pipeline_rate / THROUGHPUT_TARGET,
        if pipeline_rate >= THROUGHPUT_TARGET { "met" } else { "not met" }
    );
    let _ = writeln!(
        md,
        "\nFan-out alone (queue {} deliveries): {:.2} s. DynamoDB calls in the throughput phase: {dynamodb_calls} \
         ({:.1} per delivery: {}), plus SQS sends, receives, deletes. The local stand-in serves one request at a \
         time, so its per-call time bounds the local rate; in AWS each call is a few milliseconds and the event \
         source scales out.",
        options.events,
        enqueue_time.as_secs_f64(),
        dynamodb_calls as f64 / options.events as f64,
        calls.iter().map(|(op, n)| format!("{n} {op}")).collect::<Vec<_>>().join(", ")
    );
    let report = json!({
        "build": build,
        "body_bytes": body.len(),
        "per_delivery_ms": {
            "bare_post": {"median": bare.median, "p90": bare.p90, "p99": bare.p99, "mean": bare.mean},
            "delivery_function": {"median": handled.median, "p90": handled.p90, "p99": handled.p99, "mean": handled.mean},
            "logged_post": {"median": post_only.median, "p90": post_only.p90, "p99": post_only.p99, "mean": post_only.mean},
            "overhead_median": handled.median - bare.median,
        },
        "throughput": {
            "events": options.events,
            "pipeline_deliveries_per_s": pipeline_rate,
            "pipeline_seconds": pipeline_time.as_secs_f64(),
            "fan_out_seconds": enqueue_time.as_secs_f64(),
            "bare_posts_per_s": bare_rate,
            "dynamodb_calls": calls,
            "concurrency": CONCURRENCY,
            "target_deliveries_per_s": THROUGHPUT_TARGET,
        },
    });
    std::fs::create_dir_all(&options.out)
        .and_then(|_| std::fs::write(options.out.join("webhooks.md"), &md))
        .and_then(|_| std::fs::write(options.out.join("webhooks.json"), serde_json::to_string_pretty(&report).unwrap()))
        .map_err(|err| format!("writing results: {err}"))?;
    Ok(md)
}
