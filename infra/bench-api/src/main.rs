//! `api-bench [--small N] [--large N] [--pages N] [--out DIR]`
//!
//! Runs against a local stack it starts itself and writes bench/results/api.md and api.json:
//! 1. DynamoDB calls per endpoint: each request of a scripted session, with the calls it made by
//!    operation (the authorizer's answer is cached, as in API Gateway, so its one GetItem per token
//!    and TTL is not in the rows).
//! 2. Inbox page latency with `small` and `large` tickets in one workspace, measured alternately
//!    in the same run. DynamoDB's cost per page does not depend on the workspace's size (one Query of
//!    an index partition, `limit` items); the stand-in's latency shows whether ours does.
//! 3. Warm request overhead: for the inbox page, ticket detail, create and reply, the function's time
//!    beyond its DynamoDB calls against the calls' own time, both measured in the gateway's process
//!    (the SDK interceptor times every call; `x-function-micros`, `x-dynamodb-call-micros`).

use std::{collections::BTreeMap, fmt::Write as _, path::PathBuf, time::Instant};

use reqwest::Method;
use serde_json::{Value, json};
use shared::{
    App,
    api::{CreateTicketRequest, CustomerInput},
    auth::MemberPrincipal,
    services::tickets,
    storage::call_count::{CALL_MICROS_HEADER, FUNCTION_MICROS_HEADER},
};
use switchboard_api_bench::{calls_text, median_p90, member_of, write_results};

struct Options {
    small: usize,
    large: usize,
    pages: usize,
    /// Requests of each kind timed for the warm overhead.
    warm: usize,
    out: PathBuf,
}

/// The function's own time and its calls' time in one request, in milliseconds.
#[derive(Debug, Clone, Copy)]
struct Timed {
    function_ms: f64,
    call_ms: f64,
}

/// The overhead target: the function's own time at most this share of its DynamoDB calls' time.
const OWN_TIME_TARGET: f64 = 0.10;

fn options() -> Result<Options, String> {
    let mut options = Options { small: 100, large: 10_000, pages: 30, warm: 30, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--small" => options.small = number("--small")?,
            "--large" => options.large = number("--large")?,
            "--pages" => options.pages = number("--pages")?,
            "--warm" => options.warm = number("--warm")?.max(1),
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Api {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// [`Api::call`], with the time the gateway measured the function take and wait on DynamoDB.
    async fn call_timed(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value, Timed) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let micros = |name: &str| -> f64 {
            let value = response.headers().get(name).and_then(|value| value.to_str().ok());
            value.and_then(|value| value.parse::<f64>().ok()).expect("the gateway times the function") / 1000.0
        };
        let timed = Timed { function_ms: micros(FUNCTION_MICROS_HEADER), call_ms: micros(CALL_MICROS_HEADER) };
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null), timed)
    }
}

async fn owner_of(app: &App, token: &str) -> MemberPrincipal {
    member_of(app, token).await.expect("the owner's token")
}

async fn signup(api: &Api, name: &str) -> Value {
    let email = format!("bench-{}@example.com", name.to_lowercase().replace(' ', "-"));
    let body = json!({"workspace_name": name, "name": "Bench Owner", "email": email, "password": "bench password 123"});
    let (status, session) = api.call(Method::POST, "/api/v1/auth/signup", Some(body)).await;
    assert_eq!(status, 201, "signup: {session}");
    session
}

/// Creates tickets in process (the service the endpoint calls), raising the plan limit first.
async fn seed_tickets(app: &App, caller: &MemberPrincipal, count: usize) {
    for index in 0..count {
        let request = CreateTicketRequest {
            subject: format!("Seeded ticket {index}"),
            body: "Seeded for the inbox benchmark".to_owned(),
            customer: Some(CustomerInput { email: format!("customer{}@example.com", index % 200), name: None }),
            customer_id: None,
            priority: None,
            category: None,
            subcategory: None,
            tags: None,
            channel: None,
        };
        tickets::create(app, caller, request).await.expect("seeding a ticket");
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("api-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let stack = match local_stack::start(local_stack::StackOptions::default()).await {
        Ok(stack) => stack,
        Err(err) => {
            eprintln!("api-bench: the local stack did not start: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let app = stack.app;
    let mut api = Api { http: reqwest::Client::new(), base: stack.url.clone(), token: None };

    // ------------------------------------------------------------ calls per endpoint
    let session = signup(&api, "Bench Calls").await;
    api.token = Some(session["access_token"].as_str().unwrap().to_owned());
    api.call(Method::GET, "/api/v1/me", None).await; // warms the authorizer cache
    let mut rows: Vec<(String, u16, BTreeMap<String, u64>)> = Vec::new();
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let script: Vec<(&str, Method, String, Option<Value>)> = vec![
        ("GET /me", Method::GET, "/api/v1/me".into(), None),
        ("GET /users", Method::GET, "/api/v1/users".into(), None),
        (
            "POST /tickets (new customer)",
            Method::POST,
            "/api/v1/tickets".into(),
            Some(json!({"subject": "Printer on fire", "body": "Help", "customer": {"email": "ada@example.com"}})),
        ),
        (
            "POST /tickets (known customer)",
            Method::POST,
            "/api/v1/tickets".into(),
            Some(json!({"subject": "Again", "body": "Still on fire", "customer": {"email": "ada@example.com"}})),
        ),
    ];
    for (label, method, path, body) in script {
        let before = app.store.calls().snapshot();
        let (status, reply) = api.call(method, &path, body).await;
        rows.push((label.to_owned(), status, app.store.calls().since(&before)));
        if label.starts_with("POST /tickets") {
            ids.insert("ticket", reply["id"].as_str().unwrap_or_default().to_owned());
            ids.insert("customer", reply["customer_id"].as_str().unwrap_or_default().to_owned());
        }
    }
    let ticket = ids["ticket"].clone();
    let customer = ids["customer"].clone();
    let second: Vec<(&str, Method, String, Option<Value>)> = vec![
        ("GET /tickets/{id}", Method::GET, format!("/api/v1/tickets/{ticket}"), None),
        (
            "PATCH /tickets/{id}",
            Method::PATCH,
            format!("/api/v1/tickets/{ticket}"),
            Some(json!({"version": 1, "priority": "high"})),
        ),
        (
            "POST /tickets/{id}/messages",
            Method::POST,
            format!("/api/v1/tickets/{ticket}/messages"),
            Some(json!({"body": "On it", "internal": false})),
        ),
        ("GET /tickets (inbox page)", Method::GET, "/api/v1/tickets?limit=50".into(), None),
        ("GET /tickets/counts", Method::GET, "/api/v1/tickets/counts".into(), None),
        ("GET /customers/{id}", Method::GET, format!("/api/v1/customers/{customer}"), None),
        ("GET /customers/{id}/tickets", Method::GET, format!("/api/v1/customers/{customer}/tickets"), None),
        ("GET /customers/{id}/timeline", Method::GET, format!("/api/v1/customers/{customer}/timeline"), None),
        ("GET /activity", Method::GET, "/api/v1/activity".into(), None),
    ];
    for (label, method, path, body) in second {
        let before = app.store.calls().snapshot();
        let (status, _) = api.call(method, &path, body).await;
        rows.push((label.to_owned(), status, app.store.calls().since(&before)));
    }

    // ------------------------------------------------------------ warm request overhead
    local_stack::seed::raise_plan(app, &owner_of(app, api.token.as_deref().unwrap()).await)
        .await
        .expect("raising the plan");
    let mut warm: BTreeMap<&str, Vec<Timed>> = BTreeMap::new();
    for round in 0..=options.warm {
        let created =
            json!({"subject": format!("Warm {round}"), "body": "Timed", "customer": {"email": "ada@example.com"}});
        let reply = json!({"body": format!("Reply {round}"), "internal": false});
        let requests: [(&str, Method, String, Option<Value>, u16); 4] = [
            ("GET /tickets (inbox page)", Method::GET, "/api/v1/tickets?limit=50".into(), None, 200),
            ("GET /tickets/{id}", Method::GET, format!("/api/v1/tickets/{ticket}"), None, 200),
            ("POST /tickets", Method::POST, "/api/v1/tickets".into(), Some(created), 201),
            (
                "POST /tickets/{id}/messages",
                Method::POST,
                format!("/api/v1/tickets/{ticket}/messages"),
                Some(reply),
                201,
            ),
        ];
        for (label, method, path, body, expected) in requests {
            let (status, answer, timed) = api.call_timed(method, &path, body).await;
            assert_eq!(status, expected, "{label}: {answer}");
            // Round 0 warms every path (connections, first-use clients).
            if round > 0 {
                warm.entry(label).or_default().push(timed);
            }
        }
    }

    // ------------------------------------------------------------ inbox latency at two sizes
    let small = signup(&api, "Bench Small").await;
    let large = signup(&api, "Bench Large").await;
    let small_token = small["access_token"].as_str().unwrap().to_owned();
    let large_token = large["access_token"].as_str().unwrap().to_owned();
    let seeding = Instant::now();
    // Enterprise-sized workspaces: the free plan's monthly ticket limit would stop the seeding.
    for token in [&small_token, &large_token] {
        let owner = owner_of(app, token).await;
        local_stack::seed::raise_plan(app, &owner).await.expect("raising the plan");
    }
    seed_tickets(app, &owner_of(app, &small_token).await, options.small).await;
    seed_tickets(app, &owner_of(app, &large_token).await, options.large).await;
    let seeding = seeding.elapsed();
    let mut latency: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut page_calls: BTreeMap<&str, BTreeMap<String, u64>> = BTreeMap::new();
    for round in 0..=options.pages {
        for (label, token, size) in [("small", &small_token, options.small), ("large", &large_token, options.large)] {
            api.token = Some(token.clone());
            let before = app.store.calls().snapshot();
            let started = Instant::now();
            let (status, page) = api.call(Method::GET, "/api/v1/tickets?limit=50", None).await;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(status, 200, "inbox page: {page}");
            assert_eq!(page["items"].as_array().map(Vec::len), Some(size.min(50)));
            if round > 0 {
                // round 0 warms the authorizer cache and the connection
                latency.entry(label).or_default().push(elapsed);
                page_calls.insert(label, app.store.calls().since(&before));
            }
        }
    }
    let (small_median, small_p90) = median_p90(latency["small"].clone());
    let (large_median, large_p90) = median_p90(latency["large"].clone());

    // ------------------------------------------------------------ report
    let mut md = String::new();
    let _ = writeln!(md, "# API benchmark (local stack)\n");
    let _ = writeln!(
        md,
        "- command: `make bench` (`cargo run -p switchboard-api-bench -- --small {} --large {} --pages {}`)",
        options.small, options.large, options.pages
    );
    let _ = writeln!(
        md,
        "- store: the local DynamoDB stand-in (moto); latencies are the stand-in's, the call counts are what DynamoDB would see\n"
    );
    let _ = writeln!(md, "## DynamoDB calls per endpoint\n\n| request | status | DynamoDB calls |\n|---|---:|---|");
    for (label, status, calls) in &rows {
        let _ = writeln!(md, "| {label} | {status} | {} |", calls_text(calls));
    }
    let _ = writeln!(md, "\nThe authorizer adds one GetItem per token per cache TTL (30 s in AWS).\n");
    let _ = writeln!(md, "## Inbox page (`GET /api/v1/tickets?limit=50`), {} pages each, alternating\n", options.pages);
    let _ = writeln!(
        md,
        "| tickets in the workspace | median ms | p90 ms | DynamoDB calls per page |\n|---:|---:|---:|---|"
    );
    let _ = writeln!(
        md,
        "| {} | {small_median:.2} | {small_p90:.2} | {} |",
        options.small,
        calls_text(&page_calls["small"])
    );
    let _ = writeln!(
        md,
        "| {} | {large_median:.2} | {large_p90:.2} | {} |",
        options.large,
        calls_text(&page_calls["large"])
    );
    let _ = writeln!(
        md,
        "\nratio large/small (median): {:.2} (target: ≤ 1.5, as in DynamoDB); seeding took {:.1} s",
        large_median / small_median,
        seeding.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "\n## Warm request overhead ({} requests each)\n\nThe function's time in the gateway's process beyond \
         the time its DynamoDB calls were in flight, against that call time (target: ≤ {:.0} %). Command: \
         `make bench` (`api-bench --warm {}`).\n",
        options.warm,
        OWN_TIME_TARGET * 100.0,
        options.warm
    );
    let _ = writeln!(
        md,
        "| request | function median ms | calls median ms | own median ms | own / calls (sums) | target met |\n|---|---:|---:|---:|---:|---|"
    );
    let mut warm_report = Vec::new();
    for (label, samples) in &warm {
        let function = median_p90(samples.iter().map(|t| t.function_ms).collect()).0;
        let calls = median_p90(samples.iter().map(|t| t.call_ms).collect()).0;
        let own = median_p90(samples.iter().map(|t| t.function_ms - t.call_ms).collect()).0;
        let total_calls: f64 = samples.iter().map(|t| t.call_ms).sum();
        let ratio = samples.iter().map(|t| t.function_ms - t.call_ms).sum::<f64>() / total_calls.max(f64::EPSILON);
        let met = if ratio <= OWN_TIME_TARGET { "yes" } else { "no" };
        let _ = writeln!(md, "| {label} | {function:.2} | {calls:.2} | {own:.3} | {:.1} % | {met} |", ratio * 100.0);
        warm_report.push(json!({"request": label, "function_median_ms": function, "calls_median_ms": calls,
                                "own_median_ms": own, "own_over_calls": ratio, "target": OWN_TIME_TARGET}));
    }
    let report = json!({
        "warm_overhead": warm_report,
        "calls_per_endpoint": rows.iter().map(|(label, status, calls)| json!({"request": label, "status": status, "calls": calls})).collect::<Vec<_>>(),
        "inbox": {
            "small": {"tickets": options.small, "median_ms": small_median, "p90_ms": small_p90, "calls": page_calls["small"]},
            "large": {"tickets": options.large, "median_ms": large_median, "p90_ms": large_p90, "calls": page_calls["large"]},
            "ratio_median": large_median / small_median,
        },
    });
    if let Err(err) = write_results(&options.out, "api", &md, &report) {
        eprintln!("api-bench: writing results: {err}");
        return std::process::ExitCode::FAILURE;
    }
    print!("{md}");
    stack.stop().await;
    std::process::ExitCode::SUCCESS
}
