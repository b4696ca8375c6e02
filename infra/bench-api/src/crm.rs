//! `crm-bench [--small N] [--large N] [--pages N] [--out DIR]`
//!
//! The sales CRM's reads at two workspace sizes, measured side by side in one run, and its writes' cost.
//! Writes bench/results/crm.md and crm.json:
//! 1. The leads list (`GET /api/v1/leads?limit=50`) and the kanban read (`GET /api/v1/pipelines/{id}/board`)
//!    with `small` and `large` leads and deals in a workspace, alternating request by request; the
//!    DynamoDB calls of each page (one Query for a list page; one GetItem and one Query per stage for the
//!    board, whatever the size).
//! 2. DynamoDB calls per lead conversion (with and without a new customer) and per stage move.
//!
//! Leads and deals are seeded through the services the endpoints call, so counters, guards and events are
//! what production would hold. The stream consumers do not run (see `main`).

use std::{collections::BTreeMap, fmt::Write as _, path::PathBuf, time::Instant};

use futures::{StreamExt, stream};
use reqwest::Method;
use serde_json::{Value, json};
use shared::{App, auth::MemberPrincipal, services, storage::call_count::CALLS_HEADER};
use switchboard_api_bench::{calls_text, median_p90, member_of, write_results};

struct Options {
    small: usize,
    large: usize,
    pages: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options { small: 100, large: 50_000, pages: 30, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--small" => options.small = number("--small")?,
            "--large" => options.large = number("--large")?,
            "--pages" => options.pages = number("--pages")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

struct Api {
    http: reqwest::Client,
    base: String,
}

/// What one request cost, from the gateway's calls header (`GetItem=1, Query=1`): the request's own
/// calls, apart from the outbox consumer and anything else running meanwhile.
fn request_calls(response: &reqwest::Response) -> BTreeMap<String, u64> {
    let header = response.headers().get(CALLS_HEADER).and_then(|value| value.to_str().ok()).unwrap_or_default();
    header
        .split(", ")
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(operation, count)| Some((operation.to_owned(), count.parse().ok()?)))
        .collect()
}

impl Api {
    async fn call(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, body, _) = self.counted(token, method, path, body).await;
        (status, body)
    }

    /// The answer and the DynamoDB calls the request made.
    async fn counted(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, BTreeMap<String, u64>) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let calls = request_calls(&response);
        (status, response.json().await.unwrap_or(Value::Null), calls)
    }
}

/// A workspace of the benchmark: its owner's token and principal, and its default pipeline.
struct Workspace {
    email: String,
    token: String,
    owner: MemberPrincipal,
    pipeline: String,
    stages: Vec<String>,
}

async fn workspace(app: &App, api: &Api, name: &str) -> Workspace {
    let email = format!("crm-bench-{}@example.com", name.to_lowercase().replace(' ', "-"));
    let body = json!({"workspace_name": name, "name": "Bench Owner", "email": email, "password": "bench password 123"});
    let response = api.http.post(format!("{}/api/v1/auth/signup", api.base)).json(&body).send().await.expect("signup");
    assert_eq!(response.status().as_u16(), 201, "signup");
    let session: Value = response.json().await.expect("a session");
    let token = session["access_token"].as_str().expect("an access token").to_owned();
    let owner = member_of(app, &token).await.expect("the owner's token");
    local_stack::seed::raise_plan(app, &owner).await.expect("raising the plan");
    let (status, pipelines) = api.call(&token, Method::GET, "/api/v1/pipelines", None).await;
    assert_eq!(status, 200, "pipelines: {pipelines}");
    let pipeline = &pipelines["items"][0];
    let stages = pipeline["stages"].as_array().expect("stages").iter();
    let stages = stages.map(|stage| stage["id"].as_str().expect("a stage id").to_owned()).collect();
    Workspace { email, token, owner, pipeline: pipeline["id"].as_str().expect("a pipeline id").to_owned(), stages }
}

async fn fresh_token(api: &Api, mut workspace: Workspace) -> Workspace {
    let body = json!({"email": workspace.email, "password": "bench password 123"});
    let response = api.http.post(format!("{}/api/v1/auth/login", api.base)).json(&body).send().await.expect("login");
    let session: Value = response.json().await.expect("a session");
    workspace.token = session["access_token"].as_str().expect("an access token").to_owned();
    workspace
}

const SOURCES: [&str; 5] = ["web_form", "typeform", "zapier", "referral", "manual"];

/// `count` leads and `count` open deals spread over the pipeline's stages, eight writes at a time.
async fn seed(app: &App, workspace: &Workspace, count: usize) {
    let leads = stream::iter(0..count).map(|index| async move {
        let request = json!({
            "name": format!("Seeded lead {index}"),
            "email": format!("lead{index}@example.com"),
            "source": SOURCES[index % SOURCES.len()],
            "tags": [format!("batch{}", index % 10)],
        });
        let request = serde_json::from_value(request).expect("a lead request");
        services::leads::create(app, &workspace.owner, request, services::leads::OnDuplicate::Refuse)
            .await
            .expect("seeding a lead");
    });
    leads.buffer_unordered(8).collect::<Vec<_>>().await;
    let deals = stream::iter(0..count).map(|index| async move {
        let request = json!({
            "title": format!("Seeded deal {index}"),
            "value": 1_000 + (index as i64 % 97) * 100,
            "currency": if index % 3 == 0 { "USD" } else { "EUR" },
            "pipeline_id": workspace.pipeline,
            "stage_id": workspace.stages[index % workspace.stages.len()],
        });
        let request = serde_json::from_value(request).expect("a deal request");
        services::deals::create(app, &workspace.owner, request).await.expect("seeding a deal");
    });
    deals.buffer_unordered(8).collect::<Vec<_>>().await;
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("crm-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    // Without the stream consumers: the reads and writes measured do not depend on them (the counters
    // the board and the lists read are kept by the writes' own transactions), and their catching up on
    // the seeding's events would load the stand-in while it answers.
    let options_stack = local_stack::StackOptions { event_sources: false, ..Default::default() };
    let stack = match local_stack::start(options_stack).await {
        Ok(stack) => stack,
        Err(err) => {
            eprintln!("crm-bench: the local stack did not start: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let app = stack.app;
    let api = Api { http: reqwest::Client::new(), base: stack.url.clone() };

    let small = workspace(app, &api, "CRM Small").await;
    let large = workspace(app, &api, "CRM Large").await;
    let seeding = Instant::now();
    seed(app, &small, options.small).await;
    seed(app, &large, options.large).await;
    let seeding = seeding.elapsed();
    // Seeding a large workspace outlasts an access token: log in again for the measured requests.
    let (small, large) = (fresh_token(&api, small).await, fresh_token(&api, large).await);

    // ------------------------------------------------------------ reads at two sizes, alternating
    let board_path = |workspace: &Workspace| format!("/api/v1/pipelines/{}/board", workspace.pipeline);
    let reads = [("leads list", "/api/v1/leads?limit=50".to_owned(), None), ("kanban board", String::new(), Some(()))];
    let mut latency: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    let mut calls: BTreeMap<(&str, &str), BTreeMap<String, u64>> = BTreeMap::new();
    for round in 0..=options.pages {
        for (read, path, board) in &reads {
            for (size, workspace, count) in [("small", &small, options.small), ("large", &large, options.large)] {
                let path = if board.is_some() { board_path(workspace) } else { path.clone() };
                let started = Instant::now();
                let (status, page, page_calls) = api.counted(&workspace.token, Method::GET, &path, None).await;
                let elapsed = started.elapsed().as_secs_f64() * 1000.0;
                assert_eq!(status, 200, "{read}: {page}");
                if board.is_some() {
                    let open: u64 = page["columns"]
                        .as_array()
                        .map(|columns| columns.iter().filter_map(|column| column["count"].as_u64()).sum())
                        .unwrap_or_default();
                    assert_eq!(open, count as u64, "the board counts every open deal: {page}");
                } else {
                    assert_eq!(page["items"].as_array().map(Vec::len), Some(count.min(50)), "a full page");
                }
                if round > 0 {
                    // round 0 warms the authorizer cache and the connection
                    latency.entry((read, size)).or_default().push(elapsed);
                    calls.insert((read, size), page_calls);
                }
            }
        }
    }

    // ------------------------------------------------------------ DynamoDB calls per write
    let mut writes: Vec<(String, u16, BTreeMap<String, u64>)> = Vec::new();
    let mut measure = async |label: &str, method: Method, path: String, body: Value| -> Value {
        let (status, reply, calls) = api.counted(&small.token, method, &path, Some(body)).await;
        writes.push((label.to_owned(), status, calls));
        reply
    };
    let (_, lead) = api
        .call(&small.token, Method::POST, "/api/v1/leads", Some(json!({"name": "Ada", "email": "ada@bench.example"})))
        .await;
    let lead = lead["id"].as_str().unwrap_or_default().to_owned();
    measure(
        "POST /leads/{id}/convert (new customer)",
        Method::POST,
        format!("/api/v1/leads/{lead}/convert"),
        json!({}),
    )
    .await;
    api.call(&small.token, Method::POST, "/api/v1/customers", Some(json!({"email": "bo@bench.example", "name": "Bo"})))
        .await;
    let (_, lead) = api
        .call(&small.token, Method::POST, "/api/v1/leads", Some(json!({"name": "Bo", "email": "bo@bench.example"})))
        .await;
    let lead = lead["id"].as_str().unwrap_or_default().to_owned();
    measure(
        "POST /leads/{id}/convert (customer matched by e-mail)",
        Method::POST,
        format!("/api/v1/leads/{lead}/convert"),
        json!({}),
    )
    .await;
    let (_, deal) = api
        .call(
            &small.token,
            Method::POST,
            "/api/v1/deals",
            Some(json!({"title": "Bench deal", "value": 5000, "currency": "EUR", "pipeline_id": small.pipeline})),
        )
        .await;
    let deal_id = deal["id"].as_str().unwrap_or_default().to_owned();
    let version = deal["version"].as_u64().unwrap_or(1);
    measure(
        "POST /deals/{id}/move",
        Method::POST,
        format!("/api/v1/deals/{deal_id}/move"),
        json!({"stage_id": small.stages[1], "version": version}),
    )
    .await;

    // ------------------------------------------------------------ report
    let figure = |read: &str, size: &str| median_p90(latency[&(read, size)].clone());
    let mut md = String::new();
    let _ = writeln!(md, "# Sales CRM benchmark (local stack)\n");
    let _ = writeln!(
        md,
        "- command: `make bench` (`cargo run -p switchboard-api-bench --bin crm-bench -- --small {} --large {} --pages {}`)",
        options.small, options.large, options.pages
    );
    let _ = writeln!(
        md,
        "- each workspace holds that many leads and that many open deals (one pipeline, spread over its stages); \
         seeding through the services took {:.1} s",
        seeding.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "- store: the local DynamoDB stand-in (moto); latencies are the stand-in's, the call counts are what DynamoDB would see\n"
    );
    let _ = writeln!(
        md,
        "## Reads at two sizes ({} of each, alternating)\n\n| read | records | median ms | p90 ms | DynamoDB calls |\n|---|---:|---:|---:|---|",
        options.pages
    );
    let mut report_reads = Vec::new();
    for (read, _, _) in &reads {
        for (size, count) in [("small", options.small), ("large", options.large)] {
            let (median, p90) = figure(read, size);
            let _ =
                writeln!(md, "| {read} | {count} | {median:.2} | {p90:.2} | {} |", calls_text(&calls[&(*read, size)]));
            report_reads.push(json!({"read": read, "records": count, "median_ms": median, "p90_ms": p90, "calls": calls[&(*read, size)]}));
        }
    }
    let _ = writeln!(md);
    let mut ratios = serde_json::Map::new();
    for (read, _, _) in &reads {
        let ratio = figure(read, "large").0 / figure(read, "small").0;
        let _ = writeln!(md, "ratio large/small (median), {read}: {ratio:.2}");
        ratios.insert((*read).to_owned(), json!(ratio));
    }
    let _ = writeln!(md, "\n## DynamoDB calls per write\n\n| request | status | DynamoDB calls |\n|---|---:|---|");
    for (label, status, calls) in &writes {
        let _ = writeln!(md, "| {label} | {status} | {} |", calls_text(calls));
    }
    let report = json!({
        "reads": report_reads,
        "ratio_median": ratios,
        "writes": writes.iter().map(|(label, status, calls)| json!({"request": label, "status": status, "calls": calls})).collect::<Vec<_>>(),
        "seeding_seconds": seeding.as_secs_f64(),
    });
    if let Err(err) = write_results(&options.out, "crm", &md, &report) {
        eprintln!("crm-bench: writing results: {err}");
        return std::process::ExitCode::FAILURE;
    }
    print!("{md}");
    stack.stop().await;
    std::process::ExitCode::SUCCESS
}
