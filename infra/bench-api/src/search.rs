//! Search through the local stack at two sizes of one workspace: query latency (p50/p95/p99, warm),
//! recall on queries one or two edits away from known records (share of targets in the top 10), the
//! lag from a commit to its record being in the index, and index bytes per record. The measured
//! workspaces' leads (generated two-word names, so every target is told apart by its words) are
//! batch-written into the table and indexed by the indexer's rebuild from the table, as a backfill;
//! the lag is measured on leads made through the lead service, indexed from the outbox as in AWS.

use std::{fmt::Write as _, path::PathBuf, time::Duration, time::Instant};

use futures::{StreamExt, stream};
use serde_json::{Value, json};
use shared::{App, auth::MemberPrincipal, services};
use switchboard_api_bench::{member_of, percentile, write_results};

struct Options {
    small: usize,
    large: usize,
    queries: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options = Options { small: 1_000, large: 10_000, queries: 300, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--small" => options.small = number("--small")?,
            "--large" => options.large = number("--large")?,
            "--queries" => options.queries = number("--queries")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// A small deterministic generator (the same names and edits every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ra", "ten", "vos", "bel", "dru", "sa", "nor", "fi", "gal", "hu", "jes", "qua", "ril", "sto",
    "ven", "wy", "zor", "ma", "pel", "tri", "xo",
];

fn word(rng: &mut Rng, syllables: usize) -> String {
    (0..syllables).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect()
}

/// A name of two words of 6 to 12 letters, capitalised.
fn name(rng: &mut Rng) -> String {
    let cap = |w: String| {
        let mut chars = w.chars();
        chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
    };
    let first_syllables = 2 + rng.below(2);
    let first = word(rng, first_syllables);
    let last_syllables = 3 + rng.below(2);
    let last = word(rng, last_syllables);
    format!("{} {}", cap(first), cap(last))
}

/// One random edit (insert, delete, replace, or swap neighbours) of a word.
fn edit(rng: &mut Rng, word: &str) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = rng.below(chars.len().max(1));
    let letter = (b'a' + rng.below(26) as u8) as char;
    match rng.below(4) {
        0 => chars.insert(at, letter),
        1 if chars.len() > 1 => {
            chars.remove(at);
        }
        2 if at + 1 < chars.len() => chars.swap(at, at + 1),
        _ => chars[at] = letter,
    }
    chars.into_iter().collect()
}

/// The query for a name with the typos the rules allow: one edit to a word of 4 to 7 letters, two
/// to a word of 8 or more; one or two edits in all, on one or both words.
fn misspelled(rng: &mut Rng, name: &str) -> String {
    let words: Vec<String> = name.to_lowercase().split(' ').map(str::to_owned).collect();
    let total_edits = 1 + rng.below(2);
    let mut out = words.clone();
    for _ in 0..total_edits {
        let which = rng.below(out.len());
        let allowed = if words[which].len() >= 8 { 2 } else { 1 };
        let done = out[which].chars().zip(words[which].chars()).filter(|(a, b)| a != b).count()
            + out[which].len().abs_diff(words[which].len());
        if done < allowed {
            out[which] = edit(rng, &out[which]);
        }
    }
    out.join(" ")
}

struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    async fn search(&self, token: &str, query: &str) -> (Value, f64) {
        let started = Instant::now();
        let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let response = self
            .http
            .get(format!("{}/api/v1/search?q={encoded}&limit=10", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("the gateway answers");
        assert_eq!(response.status().as_u16(), 200, "search {query:?}");
        let body: Value = response.json().await.expect("a JSON answer");
        (body, started.elapsed().as_secs_f64() * 1000.0)
    }
}

struct Workspace {
    token: String,
    owner: MemberPrincipal,
    workspace_id: String,
    email: String,
    signed_in_at: Instant,
}

/// An access token lives minutes; seeding 100k records (and timing hundreds of queries at that size)
/// takes longer, so a measurement signs in again after seeding and whenever the token is 10 minutes old.
async fn keep_signed_in(api: &Api, workspace: &mut Workspace) {
    if workspace.signed_in_at.elapsed() > Duration::from_secs(600) {
        sign_in_again(api, workspace).await;
    }
}

async fn sign_in_again(api: &Api, workspace: &mut Workspace) {
    let body = json!({"email": workspace.email, "password": PASSWORD});
    let response = api.http.post(format!("{}/api/v1/auth/login", api.base)).json(&body).send().await.expect("login");
    assert_eq!(response.status().as_u16(), 200, "login");
    let session: Value = response.json().await.expect("a session");
    workspace.token = session["access_token"].as_str().expect("an access token").to_owned();
    workspace.signed_in_at = Instant::now();
}

const PASSWORD: &str = "bench password 123";

async fn workspace(app: &App, api: &Api, label: &str) -> Workspace {
    let email = format!("search-bench-{label}-{}@example.com", uuid::Uuid::new_v4().simple());
    let body = json!({"workspace_name": format!("Search {label}"), "name": "Bench Owner", "email": email, "password": PASSWORD});
    let response = api.http.post(format!("{}/api/v1/auth/signup", api.base)).json(&body).send().await.expect("signup");
    assert_eq!(response.status().as_u16(), 201, "signup");
    let session: Value = response.json().await.expect("a session");
    let token = session["access_token"].as_str().expect("an access token").to_owned();
    let workspace_id = session["workspace"]["id"].as_str().expect("a workspace").to_owned();
    let owner = member_of(app, &token).await.expect("the owner's token");
    local_stack::seed::raise_plan(app, &owner).await.expect("raising the plan");
    Workspace { token, owner, workspace_id, email, signed_in_at: Instant::now() }
}

/// Seeds `names` as leads through the lead service (events, outbox, indexer); their ids in order.
async fn seed(app: &App, workspace: &Workspace, names: &[String]) -> Vec<String> {
    stream::iter(names.iter().cloned())
        .map(|name| async move {
            let request = serde_json::from_value(json!({"name": name})).expect("a lead request");
            let created = services::leads::create(app, &workspace.owner, request, services::leads::OnDuplicate::Refuse)
                .await
                .expect("seeding a lead");
            created.lead.id.to_string()
        })
        .buffered(8)
        .collect()
        .await
}

/// Seeds `names` as leads written straight into the table in batches (no events), then has the
/// indexer rebuild the workspace's index from the table, as a backfill does; waits until the index
/// holds them all. Their ids in order.
async fn bulk_seed(app: &App, workspace: &Workspace, names: &[String]) -> Vec<String> {
    let workspace_id: shared::domain::ids::WorkspaceId = workspace.workspace_id.parse().expect("a workspace id");
    let scope = shared::storage::TenantScope::for_system(workspace_id);
    let now = jiff::Timestamp::now();
    let mut ids = Vec::with_capacity(names.len());
    let mut items = Vec::with_capacity(names.len());
    for name in names {
        let lead = shared::storage::leads::Lead {
            id: shared::domain::ids::LeadId::generate(),
            workspace_id,
            name: name.clone(),
            email: None,
            phone: None,
            company: None,
            title: None,
            source: shared::domain::leads::LeadSource::Import,
            status: "new".to_owned(),
            owner_id: None,
            tags: Vec::new(),
            attributes: Default::default(),
            score: None,
            created_at: now,
            updated_at: now,
            version: 1,
            customer_id: None,
            converted_at: None,
            merged_into: None,
            merged_ids: Vec::new(),
        };
        ids.push(lead.id.to_string());
        items.push(app.store.lead_item(&scope, &lead).expect("a lead item"));
    }
    // Batches side by side: each call is 25 items, moto answers several at once.
    let chunks: Vec<Vec<_>> = items.chunks(500).map(<[_]>::to_vec).collect();
    stream::iter(chunks)
        .map(|chunk| async { app.store.batch_put(chunk).await.expect("batch-writing leads") })
        .buffer_unordered(4)
        .collect::<Vec<()>>()
        .await;
    services::search_feed::request_rebuild(app, workspace_id).await.expect("asking for a rebuild");
    loop {
        let version = app.store.search_version(&scope).await.expect("the version item");
        if version.is_some_and(|version| version.records as usize >= names.len()) {
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Waits until the index holds everything committed (no change pending); the seconds it took.
async fn settle(api: &Api, token: &str) -> f64 {
    let started = Instant::now();
    loop {
        let (body, _) = api.search(token, "settle").await;
        if body["pending"] == 0 && body["index_version"].as_u64().unwrap_or(0) > 0 {
            return started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

struct Measured {
    records: usize,
    p50: f64,
    p95: f64,
    p99: f64,
    recall: f64,
    bytes: u64,
    settle_seconds: f64,
}

async fn measure(app: &App, api: &Api, label: &str, count: usize, queries: usize, rng: &mut Rng) -> Measured {
    let mut ws = workspace(app, api, label).await;
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    while names.len() < count {
        let candidate = name(rng);
        if seen.insert(candidate.to_lowercase()) {
            names.push(candidate);
        }
    }
    let seeding = Instant::now();
    let ids = bulk_seed(app, &ws, &names).await;
    eprintln!("search-bench: {label}: {count} leads written and indexed in {:.0} s", seeding.elapsed().as_secs_f64());
    sign_in_again(api, &mut ws).await;
    settle(api, &ws.token).await;
    let settle_seconds = seeding.elapsed().as_secs_f64();
    // Warm the cache, then time queries: half exact names, half misspelled ones (the recall set).
    api.search(&ws.token, &names[0]).await;
    let (mut latencies, mut hits) = (Vec::new(), 0usize);
    for round in 0..queries {
        keep_signed_in(api, &mut ws).await;
        let target = rng.below(names.len());
        let query = misspelled(rng, &names[target]);
        let (body, ms) = api.search(&ws.token, &query).await;
        latencies.push(ms);
        let top: Vec<&str> = body["results"].as_array().unwrap().iter().filter_map(|hit| hit["id"].as_str()).collect();
        if top.contains(&ids[target].as_str()) {
            hits += 1;
        } else if round < 5 {
            eprintln!("search-bench: missed {:?} for {:?}", names[target], query);
        }
        let (_, ms) = api.search(&ws.token, &names[target]).await;
        latencies.push(ms);
    }
    latencies.sort_by(f64::total_cmp);
    let scope = shared::storage::TenantScope::for_system(ws.workspace_id.parse().expect("a workspace id"));
    let version = app.store.search_version(&scope).await.expect("the version item").expect("an index");
    Measured {
        records: version.records as usize,
        p50: percentile(&latencies, 50.0),
        p95: percentile(&latencies, 95.0),
        p99: percentile(&latencies, 99.0),
        recall: hits as f64 / queries as f64,
        bytes: version.bytes,
        settle_seconds,
    }
}

/// Seconds from a lead's commit until the index holds it (no change pending), for `count` leads
/// made one after another in a settled workspace.
async fn lags(app: &App, api: &Api, count: usize, rng: &mut Rng) -> Vec<f64> {
    let mut ws = workspace(app, api, "lag").await;
    seed(app, &ws, &[name(rng)]).await;
    settle(api, &ws.token).await;
    let mut lags = Vec::new();
    for _ in 0..count {
        keep_signed_in(api, &mut ws).await;
        let lead = name(rng);
        let started = Instant::now();
        seed(app, &ws, std::slice::from_ref(&lead)).await;
        loop {
            let (body, _) = api.search(&ws.token, &lead).await;
            if body["pending"] == 0 && !body["results"].as_array().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        lags.push(started.elapsed().as_secs_f64());
    }
    lags.sort_by(f64::total_cmp);
    lags
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("search-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let stack = match local_stack::start(local_stack::StackOptions::default()).await {
        Ok(stack) => stack,
        Err(err) => {
            eprintln!("search-bench: the local stack did not start: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let app = stack.app;
    let api = Api { http: reqwest::Client::new(), base: stack.url.clone() };
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let started = Instant::now();
    let small = measure(app, &api, "small", options.small, options.queries, &mut rng).await;
    let large = measure(app, &api, "large", options.large, options.queries, &mut rng).await;
    let lag = lags(app, &api, 20, &mut rng).await;
    let (lag50, lag95) = (percentile(&lag, 50.0), percentile(&lag, 95.0));

    let mut md = String::new();
    let _ = writeln!(md, "# Search benchmark (local stack)\n");
    let _ = writeln!(
        md,
        "Generated by `make bench` (`search-bench --small {} --large {} --queries {}`). One workspace per size, \
         leads with generated two-word names batch-written into the table, the index then rebuilt from the table \
         by the indexer (a backfill); the lag is measured on leads made through the lead service and indexed \
         from the outbox, as in AWS. Queries go through the local gateway (HTTP, authorizer, the search \
         function with its cached index, the version GetItem and the pending-events Query against moto), warm, \
         one at a time; half are exact names, half the recall set. Built with the {} profile.\n",
        options.small,
        options.large,
        options.queries,
        if cfg!(debug_assertions) { "debug (unoptimised)" } else { "release" }
    );
    let _ = writeln!(md, "| | {} records | {} records |\n|---|---:|---:|", small.records, large.records);
    let _ = writeln!(md, "| query p50 (ms) | {:.1} | {:.1} |", small.p50, large.p50);
    let _ = writeln!(md, "| query p95 (ms) | {:.1} | {:.1} |", small.p95, large.p95);
    let _ = writeln!(md, "| query p99 (ms) | {:.1} | {:.1} |", small.p99, large.p99);
    let _ = writeln!(
        md,
        "| recall, 1–2 edits, target in top 10 | {:.1}% | {:.1}% |",
        small.recall * 100.0,
        large.recall * 100.0
    );
    let _ = writeln!(md, "| index bytes | {} | {} |", small.bytes, large.bytes);
    let _ = writeln!(
        md,
        "| index bytes per record | {:.0} | {:.0} |",
        small.bytes as f64 / small.records.max(1) as f64,
        large.bytes as f64 / large.records.max(1) as f64
    );
    let _ = writeln!(
        md,
        "| batch write and rebuild to fully indexed (s) | {:.1} | {:.1} |",
        small.settle_seconds, large.settle_seconds
    );
    let _ = writeln!(
        md,
        "\nIndexing lag, commit to in the index (no change pending), 20 leads one after another: p50 {:.2} s, p95 {:.2} s \
         (the record is found at once either way: changes past the index are read from the table).\n\nTotal run {:.0} s.",
        lag50,
        lag95,
        started.elapsed().as_secs_f64()
    );
    let report = json!({
        "small": {"records": small.records, "p50_ms": small.p50, "p95_ms": small.p95, "p99_ms": small.p99, "recall": small.recall, "bytes": small.bytes},
        "large": {"records": large.records, "p50_ms": large.p50, "p95_ms": large.p95, "p99_ms": large.p99, "recall": large.recall, "bytes": large.bytes},
        "lag_seconds": {"p50": lag50, "p95": lag95},
    });
    print!("{md}");
    if let Err(err) = write_results(&options.out, "search", &md, &report) {
        eprintln!("search-bench: writing results: {err}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
