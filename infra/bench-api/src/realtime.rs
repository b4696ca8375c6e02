//! `realtime-bench [--sockets N] [--events N] [--out DIR]`
//!
//! Runs against a local stack it starts itself and writes bench/results/realtime.md and realtime.json:
//! 1. Event-to-socket latency: `N` sockets of one workspace connected to the WebSocket API; a ticket
//!    is changed over REST, one change at a time, and each socket's arrival of the `ticket.event` frame
//!    is timed from the moment the REST call returned (the change committed). The path is the table
//!    stream → outbox consumer → management API → socket; the local stream poller reads every 200 ms.
//! 2. The same for a team chat message, which the chat function pushes itself right after the write
//!    (timed from sending the POST).
//! 3. DynamoDB requests per fan-out: one committed event delivered to the `N` sockets, counted by the
//!    store's call counter.

use std::{
    collections::{BTreeMap, HashMap},
    fmt::Write as _,
    path::PathBuf,
    time::{Duration, Instant},
};

use futures::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use switchboard_api_bench::{calls_text, percentile, write_results};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

struct Options {
    sockets: usize,
    events: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options { sockets: 50, events: 40, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--sockets" => options.sockets = number("--sockets")?,
            "--events" => options.events = number("--events")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.sockets == 0 || options.events == 0 {
        return Err("--sockets and --events must be positive".to_owned());
    }
    Ok(options)
}

/// A frame's key and when a socket got it.
type Arrival = (String, Instant);

/// Connects one socket and forwards the keys of the frames it receives (event ids, chat message ids).
async fn connect(url: String, arrivals: mpsc::UnboundedSender<Arrival>) -> Result<(), String> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.map_err(|err| err.to_string())?;
    socket.send(Message::Text(json!({"action": "hello"}).to_string().into())).await.map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            let at = Instant::now();
            let Message::Text(text) = message else { continue };
            let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
            let key = match frame["type"].as_str() {
                Some("ticket.event") => frame["event_id"].as_str().map(str::to_owned),
                Some("chat.message.created") => frame["message"]["id"].as_str().map(str::to_owned),
                Some("welcome") => Some("welcome".to_owned()),
                _ => None,
            };
            if let Some(key) = key
                && arrivals.send((key, at)).is_err()
            {
                break;
            }
        }
    });
    Ok(())
}

/// Waits until `count` sockets got the frame keyed `key`; returns their latencies from `since`, in ms.
async fn await_all(
    arrivals: &mut mpsc::UnboundedReceiver<Arrival>,
    early: &mut HashMap<String, Vec<Instant>>,
    key: &str,
    count: usize,
    since: Instant,
) -> Result<Vec<f64>, String> {
    let mut times = early.remove(key).unwrap_or_default();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while times.len() < count {
        match tokio::time::timeout_at(deadline, arrivals.recv()).await {
            Ok(Some((got, at))) if got == key => times.push(at),
            Ok(Some((got, at))) => early.entry(got).or_default().push(at),
            Ok(None) => return Err("the sockets closed".to_owned()),
            Err(_) => return Err(format!("only {} of {count} sockets got {key} within 20 s", times.len())),
        }
    }
    Ok(times.iter().map(|at| at.saturating_duration_since(since).as_secs_f64() * 1000.0).collect())
}

fn summary(mut values: Vec<f64>) -> Value {
    values.sort_by(f64::total_cmp);
    json!({
        "deliveries": values.len(),
        "p50_ms": percentile(&values, 50.0),
        "p99_ms": percentile(&values, 99.0),
        "max_ms": values.last().copied().unwrap_or(0.0),
    })
}

async fn call(http: &reqwest::Client, base: &str, token: &str, method: Method, path: &str, body: Value) -> Value {
    let response =
        http.request(method, format!("{base}{path}")).bearer_auth(token).json(&body).send().await.expect("answers");
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("realtime-bench: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let options = options()?;
    let stack = local_stack::start(local_stack::StackOptions::default()).await?;
    let app = stack.app;
    let http = reqwest::Client::new();
    let base = stack.url.clone();
    let signup = json!({"workspace_name": "Bench Live", "name": "Bench Owner", "email": "live-bench@example.com", "password": "bench password 123"});
    let session = call(&http, &base, "", Method::POST, "/api/v1/auth/signup", signup).await;
    let token = session["access_token"].as_str().ok_or("no token")?.to_owned();
    let owner = switchboard_api_bench::member_of(app, &token).await?;
    local_stack::seed::raise_plan(app, &owner).await?;

    let (sender, mut arrivals) = mpsc::unbounded_channel();
    for _ in 0..options.sockets {
        // A socket token per socket (they last a minute), as the web app gets one per connection.
        let socket = call(&http, &base, &token, Method::POST, "/api/v1/me/socket-token", json!({})).await;
        let socket_token = socket["token"].as_str().ok_or("no socket token")?;
        let ws_url = format!("{}/ws?token={socket_token}", base.replacen("http://", "ws://", 1));
        connect(ws_url, sender.clone()).await?;
    }
    drop(sender);
    let mut early: HashMap<String, Vec<Instant>> = HashMap::new();
    await_all(&mut arrivals, &mut early, "welcome", options.sockets, Instant::now()).await?;

    // ------------------------------------------------------------ ticket events through the outbox
    let ticket = call(
        &http,
        &base,
        &token,
        Method::POST,
        "/api/v1/tickets",
        json!({"subject": "Live bench", "body": "x", "customer": {"email": "bench-customer@example.com"}}),
    )
    .await;
    let path = format!("/api/v1/tickets/{}", ticket["id"].as_str().ok_or("no ticket id")?);
    let mut version = ticket["version"].as_u64().ok_or("no version")?;
    let mut event_latencies = Vec::new();
    let mut slowest_socket = Vec::new();
    for round in 0..=options.events {
        let priority = if round % 2 == 0 { "high" } else { "low" };
        let changed =
            call(&http, &base, &token, Method::PATCH, &path, json!({"version": version, "priority": priority})).await;
        let committed = Instant::now();
        version = changed["version"].as_u64().ok_or("no version")?;
        // The event just committed: the newest of the workspace's activity log.
        let latest = app.store.activity(&owner.scope(), 1, None).await.map_err(|err| err.to_string())?;
        let event_id = latest.items.first().ok_or("no event")?.id.to_string();
        let latencies = await_all(&mut arrivals, &mut early, &event_id, options.sockets, committed).await?;
        if round > 0 {
            // round 0 warms the stream poller, the authorizer cache and the connections
            slowest_socket.push(latencies.iter().copied().fold(0.0, f64::max));
            event_latencies.extend(latencies);
        }
    }

    // ------------------------------------------------------------ chat messages, pushed directly
    let channel = call(&http, &base, &token, Method::POST, "/api/v1/chat/channels", json!({"name": "bench"})).await;
    let messages = format!("/api/v1/chat/channels/{}/messages", channel["id"].as_str().ok_or("no channel")?);
    let mut chat_latencies = Vec::new();
    let mut chat_calls = BTreeMap::new();
    for round in 0..=options.events {
        let started = Instant::now();
        let before = app.store.calls().snapshot();
        let message = call(&http, &base, &token, Method::POST, &messages, json!({"body": format!("m{round}")})).await;
        let calls = app.store.calls().since(&before);
        let id = message["id"].as_str().ok_or("no message id")?.to_owned();
        let latencies = await_all(&mut arrivals, &mut early, &id, options.sockets, started).await?;
        if round > 0 {
            chat_latencies.extend(latencies);
            chat_calls = calls;
        }
    }

    // ------------------------------------------------------------ DynamoDB requests per fan-out
    let event = app.store.activity(&owner.scope(), 1, None).await.map_err(|err| err.to_string())?.items.remove(0);
    let before = app.store.calls().snapshot();
    let delivery = shared::services::realtime::fanout::deliver_event(app, &owner.scope(), &event)
        .await
        .map_err(|err| err.to_string())?;
    let fanout_calls = app.store.calls().since(&before);
    if delivery.delivered != options.sockets {
        return Err(format!("the fan-out reached {} of {} sockets", delivery.delivered, options.sockets));
    }

    // ------------------------------------------------------------ report
    let events = summary(event_latencies);
    let slowest = summary(slowest_socket);
    let chat = summary(chat_latencies);
    let mut md = String::new();
    let _ = writeln!(md, "# Real-time benchmark (local stack)\n");
    let _ = writeln!(
        md,
        "- command: `make bench` (`cargo run -p switchboard-api-bench --bin realtime-bench -- --sockets {} --events {}`)",
        options.sockets, options.events
    );
    let _ = writeln!(
        md,
        "- {} WebSocket clients of one workspace on the local WebSocket API. Ticket events: from the REST call's \
         return (the change committed) to the frame's arrival at each socket; the local stream poller reads every \
         200 ms (Lambda's DynamoDB event source polls a shard 4 times a second). Chat: from sending the POST to the \
         frame's arrival\n",
        options.sockets
    );
    let _ = writeln!(md, "| path | deliveries | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|");
    for (label, stats) in [
        ("ticket change → `ticket.event` (stream → outbox → @connections)", &events),
        ("same, slowest of the sockets per event", &slowest),
        ("chat message → `chat.message.created` (pushed by the chat function)", &chat),
    ] {
        let _ = writeln!(
            md,
            "| {label} | {} | {:.1} | {:.1} | {:.1} |",
            stats["deliveries"],
            stats["p50_ms"].as_f64().unwrap_or(0.0),
            stats["p99_ms"].as_f64().unwrap_or(0.0),
            stats["max_ms"].as_f64().unwrap_or(0.0)
        );
    }
    let _ = writeln!(md, "\n## DynamoDB requests\n\n| what | DynamoDB calls |\n|---|---|");
    let _ =
        writeln!(md, "| one ticket event fanned out to {} sockets | {} |", options.sockets, calls_text(&fanout_calls));
    let _ =
        writeln!(md, "| POST a chat message, pushed to {} sockets | {} |", options.sockets, calls_text(&chat_calls));
    let _ = writeln!(md, "\nPosts to sockets go to API Gateway's management API, not DynamoDB: one per socket.");
    let report = json!({
        "sockets": options.sockets,
        "events": options.events,
        "ticket_event_to_socket": events,
        "ticket_event_slowest_socket": slowest,
        "chat_message_to_socket": chat,
        "dynamodb_calls_per_fanout": fanout_calls,
        "dynamodb_calls_per_chat_post": chat_calls,
    });
    write_results(&options.out, "realtime", &md, &report).map_err(|err| format!("writing results: {err}"))?;
    print!("{md}");
    stack.stop().await;
    Ok(())
}
