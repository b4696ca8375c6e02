//! `email-bench [--messages N] [--concurrency N] [--out DIR]`
//!
//! Inbound e-mail through a local stack it starts itself, over the same path as `make dev`'s
//! `POST /__local/inbound-email`: the raw message is stored in the inbound bucket as SES's receipt rule
//! does, the bucket's notification runs the inbound function, and the request answers once the function
//! has made the message a ticket message. Real MIME fixtures (tests/fixtures/mail), each with its own
//! Message-ID; writes bench/results/email.md and email.json:
//! 1. N/2 first messages from N/2 different senders: each opens a ticket (and finds or creates its
//!    customer).
//! 2. N/2 replies, one to each of those tickets, threaded by In-Reply-To.
//! 3. Outbound: one public agent reply per ticket through the API, until the local SES has sent them all.
//!
//! For each phase: messages per second end to end, per-message latency, and the DynamoDB and S3 calls
//! per message: those made while the messages were handled, and those once the stack is idle again (the
//! table's stream consumers: outbox, notifications, search feed, the auto-reply).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    path::PathBuf,
    time::{Duration, Instant},
};

use futures::StreamExt;
use serde_json::{Value, json};
use shared::App;
use switchboard_api_bench::{calls_text, median_p90, percentile, write_results};

struct Options {
    messages: usize,
    concurrency: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options { messages: 200, concurrency: 8, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).filter(|n| *n > 0).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--messages" => options.messages = number("--messages")?.max(2),
            "--concurrency" => options.concurrency = number("--concurrency")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// A fixture with its `{{FIELD}}` placeholders filled in.
fn fixture(name: &str, fields: &[(&str, &str)]) -> Result<String, String> {
    let path = format!("{}/../../tests/fixtures/mail/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut raw = std::fs::read_to_string(&path).map_err(|err| format!("{path}: {err}"))?;
    for (field, value) in fields {
        raw = raw.replace(&format!("{{{{{field}}}}}"), value);
    }
    Ok(raw)
}

fn unique(local: &str, domain: &str) -> String {
    format!("{local}-{}@{domain}", uuid::Uuid::new_v4().simple())
}

/// DynamoDB and S3 calls so far.
fn calls(app: &App) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    (app.store.calls().snapshot(), app.s3_calls.snapshot())
}

/// Waits until neither count has moved for a second: the stream consumers have caught up.
async fn settled(app: &App) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
    let mut last = calls(app);
    let mut still = 0;
    while still < 4 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = calls(app);
        still = if now == last { still + 1 } else { 0 };
        last = now;
    }
    last
}

fn delta(later: &BTreeMap<String, u64>, earlier: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    later
        .iter()
        .filter_map(|(operation, count)| {
            let delta = count - earlier.get(operation).copied().unwrap_or(0);
            (delta > 0).then_some((operation.clone(), delta))
        })
        .collect()
}

fn per_message(calls: &BTreeMap<String, u64>, messages: usize) -> f64 {
    calls.values().sum::<u64>() as f64 / messages as f64
}

/// What one phase measured.
struct Phase {
    label: &'static str,
    messages: usize,
    seconds: f64,
    latencies: Vec<f64>,
    dynamodb_handled: BTreeMap<String, u64>,
    s3_handled: BTreeMap<String, u64>,
    dynamodb_settled: BTreeMap<String, u64>,
    s3_settled: BTreeMap<String, u64>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.messages as f64 / self.seconds
    }

    fn json(&self) -> Value {
        let (median, p90) = median_p90(self.latencies.clone());
        let mut sorted = self.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        json!({
            "messages": self.messages,
            "seconds": self.seconds,
            "messages_per_s": self.rate(),
            "latency_ms": {"median": median, "p90": p90, "p99": percentile(&sorted, 99.0)},
            "while_handled": {
                "dynamodb": self.dynamodb_handled, "s3": self.s3_handled,
                "dynamodb_per_message": per_message(&self.dynamodb_handled, self.messages),
                "s3_per_message": per_message(&self.s3_handled, self.messages),
            },
            "until_idle": {
                "dynamodb": self.dynamodb_settled, "s3": self.s3_settled,
                "dynamodb_per_message": per_message(&self.dynamodb_settled, self.messages),
                "s3_per_message": per_message(&self.s3_settled, self.messages),
            },
        })
    }
}

/// Drops every message on the local inbound path, `concurrency` at a time; each must end as
/// `expected` (the inbound function's outcome). Returns (ticket id, latency ms) in input order.
async fn drop_all(
    http: &reqwest::Client,
    url: &str,
    messages: Vec<String>,
    concurrency: usize,
    expected: &str,
) -> Result<Vec<(String, f64)>, String> {
    let drops = messages.into_iter().enumerate().map(|(index, raw)| {
        let (http, url) = (http.clone(), format!("{url}/__local/inbound-email"));
        async move {
            let started = Instant::now();
            let reply = http
                .post(url)
                .header("content-type", "message/rfc822")
                .body(raw)
                .send()
                .await
                .map_err(|err| format!("dropping a message: {err}"))?;
            let status = reply.status();
            let body: Value = reply.json().await.map_err(|err| err.to_string())?;
            if !status.is_success() {
                return Err(format!("dropping a message: {status} {body}"));
            }
            let latency = started.elapsed().as_secs_f64() * 1000.0;
            let outcome = &body["handled"][0]["result"][0]["outcomes"][0];
            if outcome["outcome"] != expected {
                return Err(format!("a message ended as {outcome}, not {expected}: {body}"));
            }
            let ticket = outcome["ticket_id"].as_str().ok_or("no ticket id")?.to_owned();
            Ok::<_, String>((index, ticket, latency))
        }
    });
    let mut results: Vec<_> = futures::stream::iter(drops).buffer_unordered(concurrency).collect().await;
    results.sort_by_key(|result| result.as_ref().map_or(0, |(index, _, _)| *index));
    results.into_iter().map(|result| result.map(|(_, ticket, latency)| (ticket, latency))).collect()
}

async fn phase(
    app: &App,
    http: &reqwest::Client,
    url: &str,
    label: &'static str,
    messages: Vec<String>,
    concurrency: usize,
    expected: &str,
) -> Result<(Phase, Vec<String>), String> {
    let count = messages.len();
    let (dynamodb_before, s3_before) = settled(app).await;
    let started = Instant::now();
    let results = drop_all(http, url, messages, concurrency, expected).await?;
    let seconds = started.elapsed().as_secs_f64();
    let (dynamodb_handled, s3_handled) = calls(app);
    let (dynamodb_settled, s3_settled) = settled(app).await;
    let (tickets, latencies) = results.into_iter().unzip();
    Ok((
        Phase {
            label,
            messages: count,
            seconds,
            latencies,
            dynamodb_handled: delta(&dynamodb_handled, &dynamodb_before),
            s3_handled: delta(&s3_handled, &s3_before),
            dynamodb_settled: delta(&dynamodb_settled, &dynamodb_before),
            s3_settled: delta(&s3_settled, &s3_before),
        },
        tickets,
    ))
}

/// Messages the local SES has recorded so far.
async fn outbox_len(http: &reqwest::Client, url: &str) -> Result<usize, String> {
    let body: Value = http
        .get(format!("{url}/__local/outbox"))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|err| format!("the outbox: {err}"))?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    Ok(body["messages"].as_array().map_or(0, Vec::len))
}

/// One public reply per ticket through the API, until the local SES has recorded every one.
async fn outbound(
    app: &App,
    http: &reqwest::Client,
    url: &str,
    token: &str,
    tickets: &[String],
    concurrency: usize,
) -> Result<(Phase, usize), String> {
    let (dynamodb_before, s3_before) = settled(app).await;
    let before = outbox_len(http, url).await?;
    let started = Instant::now();
    let posts = tickets.iter().map(|ticket| {
        let (http, path) = (http.clone(), format!("{url}/api/v1/tickets/{ticket}/messages"));
        async move {
            let started = Instant::now();
            http.post(path)
                .bearer_auth(token)
                .json(&json!({"body": "A technician is on the way.", "internal": false}))
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|err| format!("posting a reply: {err}"))?;
            Ok::<_, String>(started.elapsed().as_secs_f64() * 1000.0)
        }
    });
    let results: Vec<_> = futures::stream::iter(posts).buffer_unordered(concurrency).collect().await;
    let latencies = results.into_iter().collect::<Result<Vec<_>, _>>()?;
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut sent = outbox_len(http, url).await? - before;
    while sent < tickets.len() {
        if Instant::now() > deadline {
            return Err(format!("only {sent} of {} replies were sent", tickets.len()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        sent = outbox_len(http, url).await? - before;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (dynamodb_handled, s3_handled) = calls(app);
    let (dynamodb_settled, s3_settled) = settled(app).await;
    Ok((
        Phase {
            label: "public agent reply",
            messages: tickets.len(),
            seconds,
            latencies,
            dynamodb_handled: delta(&dynamodb_handled, &dynamodb_before),
            s3_handled: delta(&s3_handled, &s3_before),
            dynamodb_settled: delta(&dynamodb_settled, &dynamodb_before),
            s3_settled: delta(&s3_settled, &s3_before),
        },
        sent,
    ))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("email-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(md) => {
            print!("{md}");
            std::process::ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("email-bench: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<String, String> {
    let stack = local_stack::start(local_stack::StackOptions::default()).await?;
    let app = stack.app;
    let http = reqwest::Client::new();

    // A workspace signed up through the API; its forwarding address is where customers' mail arrives.
    let session: Value = http
        .post(format!("{}/api/v1/auth/signup", stack.url))
        .json(&json!({"workspace_name": "Email Bench", "name": "Bench Owner",
                      "email": unique("bench", "example.com"),
                      "password": "correct horse battery staple"}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|err| format!("signup: {err}"))?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    let token = session["access_token"].as_str().ok_or("no access token")?.to_owned();
    let settings: Value = http
        .get(format!("{}/api/v1/settings/email", stack.url))
        .bearer_auth(&token)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|err| format!("e-mail settings: {err}"))?
        .json()
        .await
        .map_err(|err| err.to_string())?;
    // The free plan's monthly ticket limit would stop the run.
    let owner = switchboard_api_bench::member_of(app, &token).await?;
    local_stack::seed::raise_plan(app, &owner).await?;
    let to = settings["forwarding_address"].as_str().ok_or("no forwarding address")?.to_owned();

    // Warm the path (connections, the workspace's address lookups) with one message of each kind.
    let (warm_from, warm_id) = (unique("warm", "customer.example"), unique("warm", "mail.example.com"));
    let warm = fixture("multipart-alternative.eml", &[("FROM", &warm_from), ("TO", &to), ("MESSAGE_ID", &warm_id)])?;
    drop_all(&http, &stack.url, vec![warm], 1, "opened").await?;
    let warm_reply = fixture(
        "gmail-reply.eml",
        &[
            ("FROM", &warm_from),
            ("TO", &to),
            ("MESSAGE_ID", &unique("warm-reply", "mail.example.com")),
            ("IN_REPLY_TO", &warm_id),
            ("SUBJECT", "The printer is on fire"),
        ],
    )?;
    drop_all(&http, &stack.url, vec![warm_reply], 1, "threaded").await?;

    // ------------------------------------------------------------ 1. first messages: new tickets
    let tickets_wanted = options.messages / 2;
    let senders: Vec<(String, String)> = (0..tickets_wanted)
        .map(|index| (unique(&format!("customer{index}"), "customer.example"), unique("first", "mail.example.com")))
        .collect();
    let firsts = senders
        .iter()
        .map(|(from, id)| fixture("multipart-alternative.eml", &[("FROM", from), ("TO", &to), ("MESSAGE_ID", id)]))
        .collect::<Result<Vec<_>, _>>()?;
    let (opened, tickets) = phase(app, &http, &stack.url, "new ticket", firsts, options.concurrency, "opened").await?;

    // ------------------------------------------------------------ 2. replies threaded by In-Reply-To
    let replies = senders
        .iter()
        .map(|(from, first_id)| {
            fixture(
                "gmail-reply.eml",
                &[
                    ("FROM", from),
                    ("TO", &to),
                    ("MESSAGE_ID", &unique("reply", "mail.example.com")),
                    ("IN_REPLY_TO", first_id),
                    ("SUBJECT", "The printer is on fire"),
                ],
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (threaded, threaded_into) =
        phase(app, &http, &stack.url, "threaded reply", replies, options.concurrency, "threaded").await?;
    if threaded_into != tickets {
        return Err("a reply threaded into another ticket than its first message's".into());
    }
    // ------------------------------------------------------------ 3. outbound: public agent replies
    let (outbound, outbound_sent) = outbound(app, &http, &stack.url, &token, &tickets, options.concurrency).await?;
    stack.stop().await;

    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let total = opened.messages + threaded.messages;
    let overall_rate = total as f64 / (opened.seconds + threaded.seconds);
    let mut md = String::new();
    let _ = writeln!(md, "# E-mail benchmark\n");
    let _ = writeln!(
        md,
        "Local stack (moto for DynamoDB, S3 and SQS, single-threaded), {build} build. Each message goes the \
         local inbound path (`POST /__local/inbound-email`: the raw message stored in the inbound bucket as \
         SES's receipt rule does, the bucket notification runs the inbound function) and counts once the \
         function has made it a ticket message; {} in flight. New tickets: tests/fixtures/mail/multipart-alternative.eml \
         from {} different senders; replies: gmail-reply.eml, one to each, threaded by In-Reply-To. \
         Command: `make bench` (`email-bench --messages {} --concurrency {}`).\n",
        options.concurrency, opened.messages, options.messages, options.concurrency
    );
    let _ = writeln!(md, "| messages | count | messages/s | median ms | p90 ms | p99 ms | total s |");
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    for phase in [&opened, &threaded] {
        let (median, p90) = median_p90(phase.latencies.clone());
        let mut sorted = phase.latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {median:.1} | {p90:.1} | {:.1} | {:.2} |",
            phase.label,
            phase.messages,
            phase.rate(),
            percentile(&sorted, 99.0),
            phase.seconds
        );
    }
    let _ = writeln!(md, "| all | {total} | {overall_rate:.1} | | | | {:.2} |\n", opened.seconds + threaded.seconds);
    let _ = writeln!(md, "## Calls per message\n");
    let _ = writeln!(
        md,
        "\"While handled\": calls made from the first drop to the last answer (the stored raw message, the \
         inbound function). \"Until idle\": plus what the table's stream set off afterwards (outbox, \
         notifications, search feed, the ticket-received auto-reply when it is on), counted once no call \
         has been made for a second. The raw message's PutObject is SES's write in AWS, not ours.\n"
    );
    let _ =
        writeln!(md, "| messages | DynamoDB while handled | S3 while handled | DynamoDB until idle | S3 until idle |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for phase in [&opened, &threaded] {
        let _ = writeln!(
            md,
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} |",
            phase.label,
            per_message(&phase.dynamodb_handled, phase.messages),
            per_message(&phase.s3_handled, phase.messages),
            per_message(&phase.dynamodb_settled, phase.messages),
            per_message(&phase.s3_settled, phase.messages),
        );
    }
    let _ = writeln!(md, "\nBy operation, whole phase until idle:\n");
    for phase in [&opened, &threaded] {
        let _ = writeln!(
            md,
            "- {} ({} messages): DynamoDB {}; S3 {}",
            phase.label,
            phase.messages,
            calls_text(&phase.dynamodb_settled),
            calls_text(&phase.s3_settled)
        );
    }
    let _ = writeln!(md, "\n## Outbound\n");
    let _ = writeln!(
        md,
        "One public reply per ticket posted through the API ({} in flight), until the local SES has recorded \
         {outbound_sent} sent messages (the reply is committed, the stream queues it, the sending function \
         builds and sends it). Latency is the API call's; calls count the API request, the stream and the \
         sending function.\n",
        options.concurrency
    );
    let (median, p90) = median_p90(outbound.latencies.clone());
    let _ = writeln!(
        md,
        "| replies | sent/s | POST median ms | POST p90 ms | total s | DynamoDB / S3 calls until sent | DynamoDB / S3 calls until idle |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|");
    let _ = writeln!(
        md,
        "| {} | {:.1} | {median:.1} | {p90:.1} | {:.2} | {:.2} / {:.2} | {:.2} / {:.2} |",
        outbound.messages,
        outbound.rate(),
        outbound.seconds,
        per_message(&outbound.dynamodb_handled, outbound.messages),
        per_message(&outbound.s3_handled, outbound.messages),
        per_message(&outbound.dynamodb_settled, outbound.messages),
        per_message(&outbound.s3_settled, outbound.messages),
    );
    let _ = writeln!(
        md,
        "\nBy operation, until idle: DynamoDB {}; S3 {}",
        calls_text(&outbound.dynamodb_settled),
        calls_text(&outbound.s3_settled)
    );
    let _ = writeln!(
        md,
        "\nThe local stand-in serves one request at a time, so its per-call time bounds the local rate; in \
         AWS each call is a few milliseconds and S3 invokes one function per message."
    );
    let report = json!({
        "build": build,
        "concurrency": options.concurrency,
        "messages_per_s": overall_rate,
        "new_ticket": opened.json(),
        "threaded_reply": threaded.json(),
        "outbound_reply": outbound.json(),
    });
    write_results(&options.out, "email", &md, &report).map_err(|err| format!("writing results: {err}"))?;
    Ok(md)
}
