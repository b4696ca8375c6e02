//! `sla-bench [--small N] [--large N] [--near N] [--rounds N] [--out DIR]`
//!
//! The SLA scan's cost with `small` vs `large` open tickets of which the same number (`near`) reach their
//! deadline, measured side by side in one run: two local stacks (one per size), and in each round the
//! same steps in both. Writes bench/results/sla.md and sla.json.
//!
//! - `near` urgent tickets are created through the ticket service and their watches computed, as the
//!   outbox consumer would; the clock moves 61 minutes, past their one-hour first-response target.
//! - The other open tickets (normal priority, due in 48 hours) are bulk-loaded as the ticket and watch
//!   items the service would store, 1,000 per workspace.
//! - Each scan is timed, and its DynamoDB requests, items and read units are counted by the SDK
//!   interceptor. The stand-in answers an index Query from a sorted index kept per GSI
//!   (infra/moto/query_index.py), reading only the range it returns, as DynamoDB does; the one-query
//!   cost is measured apart so the scan's own part can be seen.

use std::{collections::BTreeMap, fmt::Write as _, path::PathBuf, time::Instant};

use jiff::SignedDuration;
use serde_json::json;
use shared::{
    App,
    api::{CreateTicketRequest, CustomerInput},
    auth::MemberPrincipal,
    domain::{
        ids::{CustomerId, TicketId},
        sla::{
            RawSlaPolicy,
            watch::{ClockKind, RadarState},
        },
        ticket::{Priority, Status},
    },
    services::{
        sla, sla_watch,
        sla_watch::{PolicyCache, ScanOptions},
        tickets,
    },
    storage::{
        sla_watch::{RadarEntry, SlaWatch},
        tickets::{StatusChange, Ticket},
    },
};
use switchboard_api_bench::{calls_text, median, write_results};

const TICKETS_PER_WORKSPACE: usize = 1_000;

struct Options {
    small: usize,
    large: usize,
    near: usize,
    rounds: usize,
    out: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut options =
        Options { small: 1_000, large: 100_000, near: 100, rounds: 3, out: PathBuf::from("bench/results") };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--small" => options.small = number("--small")?,
            "--large" => options.large = number("--large")?,
            "--near" => options.near = number("--near")?,
            "--rounds" => options.rounds = number("--rounds")?,
            "--out" => options.out = args.next().map(PathBuf::from).ok_or("--out needs a directory")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.near > TICKETS_PER_WORKSPACE || options.small < TICKETS_PER_WORKSPACE {
        return Err(format!("need near <= {TICKETS_PER_WORKSPACE} <= small"));
    }
    Ok(options)
}

struct Side {
    label: &'static str,
    open: usize,
    stack: local_stack::RunningStack,
    http: reqwest::Client,
    /// The workspace whose tickets fall due.
    owner: MemberPrincipal,
}

impl Side {
    fn app(&self) -> &'static App {
        self.stack.app
    }

    async fn advance_clock(&self, seconds: i64) {
        let url = format!("{}/__local/clock", self.stack.url);
        let reply = self.http.post(url).json(&json!({"advance_seconds": seconds})).send().await.unwrap();
        assert!(reply.status().is_success(), "moving the clock");
    }
}

async fn signup(http: &reqwest::Client, url: &str, app: &App, name: &str) -> MemberPrincipal {
    let email = format!("sla-bench-{}@example.com", uuid_like(name));
    let body = json!({"workspace_name": name, "name": "Bench Owner", "email": email, "password": "bench password 123"});
    let reply = http.post(format!("{url}/api/v1/auth/signup")).json(&body).send().await.unwrap();
    assert_eq!(reply.status().as_u16(), 201, "signup");
    let session: serde_json::Value = reply.json().await.unwrap();
    let token = session["access_token"].as_str().unwrap();
    let owner = switchboard_api_bench::member_of(app, token).await.expect("the owner's token");
    local_stack::seed::raise_plan(app, &owner).await.expect("raising the plan");
    let policy: RawSlaPolicy = serde_json::from_value(json!({"time_zone": "UTC", "targets": {
        "urgent": {"first_response_minutes": 60, "resolution_minutes": 600},
        "normal": {"first_response_minutes": 2880, "resolution_minutes": 10080}}}))
    .unwrap();
    sla::put_policy(app, &owner, policy, None).await.expect("setting the policy");
    owner
}

fn uuid_like(name: &str) -> String {
    format!("{}-{}", name.to_lowercase().replace(' ', "-"), TicketId::generate())
}

/// Loads `count` open normal tickets with their watches (next look in 36 hours) into the workspace.
async fn load_far_tickets(app: &App, owner: &MemberPrincipal, count: usize) {
    let now = app.clock.now();
    let scope = owner.scope();
    let mut items = Vec::with_capacity(count * 2);
    for index in 0..count {
        let ticket = Ticket {
            id: TicketId::generate(),
            workspace_id: owner.workspace_id(),
            subject: format!("Open ticket {index}"),
            status: Status::New,
            priority: Priority::Normal,
            category: None,
            subcategory: None,
            tags: vec![],
            channel: "email".to_owned(),
            customer_id: CustomerId::generate(),
            assignee_id: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            solved_at: None,
            version: 1,
            status_history: vec![StatusChange { at: now, status: Status::New }],
            links: Default::default(),
            number: None,
            row: Default::default(),
            inbox_sla: None,
        };
        let watch = SlaWatch {
            workspace_id: owner.workspace_id(),
            ticket_id: ticket.id,
            rev: 1,
            ticket_version: 1,
            marks: Default::default(),
            next_check: Some(now + SignedDuration::from_hours(36)),
            radar: Some(RadarEntry {
                state: RadarState::OnTrack,
                clock: ClockKind::FirstResponse,
                due: now + SignedDuration::from_hours(48),
                subject: ticket.subject.clone(),
                status: ticket.status,
                priority: ticket.priority,
                category: None,
                assignee_id: None,
            }),
            updated_at: now,
        };
        items.push(app.store.ticket_item(&scope, &ticket).unwrap());
        items.push(app.store.sla_watch_item(&scope, &watch).unwrap());
    }
    app.store.batch_put(items).await.expect("loading tickets");
}

/// Creates `count` urgent tickets through the service and computes their watches.
async fn create_near_tickets(app: &App, owner: &MemberPrincipal, count: usize, round: usize) {
    let mut policies = PolicyCache::default();
    for index in 0..count {
        let request = CreateTicketRequest {
            subject: format!("Urgent {round}.{index}"),
            body: "Everything is down".to_owned(),
            customer: Some(CustomerInput { email: format!("near{}@example.com", index % 50), name: None }),
            customer_id: None,
            priority: Some("urgent".to_owned()),
            category: None,
            subcategory: None,
            tags: None,
            channel: None,
        };
        let ticket = tickets::create(app, owner, request).await.expect("creating a ticket");
        sla_watch::recompute(app, &owner.scope(), ticket.id, &mut policies).await.expect("watching it");
    }
}

struct Sample {
    ms: f64,
    marks: usize,
    calls: BTreeMap<String, u64>,
    items: u64,
    units: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("sla-bench: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut sides = Vec::new();
    let loading = Instant::now();
    for (label, open) in [("small", options.small), ("large", options.large)] {
        let stack_options =
            local_stack::StackOptions { clock_control: true, event_sources: false, ..Default::default() };
        let stack = match local_stack::start(stack_options).await {
            Ok(stack) => stack,
            Err(err) => {
                eprintln!("sla-bench: the local stack did not start: {err}");
                return std::process::ExitCode::FAILURE;
            }
        };
        let http = reqwest::Client::new();
        let owner = signup(&http, &stack.url, stack.app, &format!("Due {label}")).await;
        // The due workspace's other tickets, then whole workspaces of open tickets.
        load_far_tickets(stack.app, &owner, TICKETS_PER_WORKSPACE - options.near).await;
        let mut loaded = TICKETS_PER_WORKSPACE;
        let mut workspace = 0;
        while loaded < open {
            workspace += 1;
            let other = signup(&http, &stack.url, stack.app, &format!("Busy {label} {workspace}")).await;
            let count = TICKETS_PER_WORKSPACE.min(open - loaded);
            load_far_tickets(stack.app, &other, count).await;
            loaded += count;
        }
        eprintln!("sla-bench: {label}: {open} open tickets loaded");
        sides.push(Side { label, open, stack, http, owner });
    }
    let loading = loading.elapsed();

    let mut samples: BTreeMap<&str, Vec<Sample>> = BTreeMap::new();
    let mut empty_query_ms: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for round in 0..options.rounds {
        for side in &sides {
            create_near_tickets(side.app(), &side.owner, options.near, round).await;
            side.advance_clock(61 * 60).await;
        }
        for side in &sides {
            let app = side.app();
            let (calls, reads) = (app.store.calls().snapshot(), app.store.calls().reads());
            let started = Instant::now();
            let report = sla_watch::scan(app, ScanOptions::default()).await.expect("the scan");
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let after = app.store.calls().reads();
            assert_eq!(report.failed, 0, "{report:?}");
            samples.entry(side.label).or_default().push(Sample {
                ms,
                marks: report.marks,
                calls: app.store.calls().since(&calls),
                items: after.items - reads.items,
                units: after.units - reads.units,
            });
            // What the stand-in charges for one index Query that finds nothing.
            let now = app.clock.now();
            let started = Instant::now();
            app.store.due_sla_watches(0, now, 100, None).await.expect("an index query");
            empty_query_ms.entry(side.label).or_default().push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }

    let mut md = String::new();
    let _ = writeln!(md, "# SLA scan benchmark (local stack)\n");
    let _ = writeln!(
        md,
        "- command: `make bench` (`cargo run --release -p switchboard-api-bench --bin sla-bench -- --small {} --large {} --near {} --rounds {}`)",
        options.small, options.large, options.near, options.rounds
    );
    let _ = writeln!(
        md,
        "- each round: {} urgent tickets created and watched in both stacks, the clock moved 61 minutes, one scan per stack; loading took {:.0} s\n",
        options.near,
        loading.as_secs_f64()
    );
    let _ = writeln!(
        md,
        "| open tickets | scans | breaches recorded (last scan) | DynamoDB requests (last scan) | items read (last scan) | median read units (4 KB) | median scan ms | stand-in ms per empty index query |"
    );
    let _ = writeln!(md, "|---:|---:|---:|---|---:|---:|---:|---:|");
    let mut json_rows = Vec::new();
    let mut medians = BTreeMap::new();
    for side in &sides {
        let runs = &samples[side.label];
        let last = runs.last().unwrap();
        let scan_ms = median(&runs.iter().map(|s| s.ms).collect::<Vec<_>>());
        let units = median(&runs.iter().map(|s| s.units as f64).collect::<Vec<_>>()) as u64;
        let query_ms = median(&empty_query_ms[side.label]);
        medians.insert(side.label, (scan_ms, units));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {units} | {scan_ms:.0} | {query_ms:.1} |",
            side.open,
            runs.len(),
            last.marks,
            calls_text(&last.calls),
            last.items,
        );
        json_rows.push(json!({
            "open_tickets": side.open, "near_deadline": options.near,
            "runs": runs.iter().map(|s| json!({"ms": s.ms, "marks": s.marks, "calls": s.calls, "items": s.items, "read_units": s.units})).collect::<Vec<_>>(),
            "median_ms": scan_ms, "empty_index_query_ms": query_ms,
        }));
    }
    let (small_ms, small_units) = medians["small"];
    let (large_ms, large_units) = medians["large"];
    let _ = writeln!(
        md,
        "\nratio large/small: read units {:.2}, scan time {:.2} (target: scan time ≤ 1.5; DynamoDB reads the same index entries and items at both sizes, and so does the stand-in)",
        large_units as f64 / small_units.max(1) as f64,
        large_ms / small_ms
    );
    let report = json!({"sizes": json_rows, "ratio_read_units": large_units as f64 / small_units.max(1) as f64, "ratio_time": large_ms / small_ms});
    if let Err(err) = write_results(&options.out, "sla", &md, &report) {
        eprintln!("sla-bench: writing results: {err}");
        return std::process::ExitCode::FAILURE;
    }
    print!("{md}");
    for side in sides {
        side.stack.stop().await;
    }
    std::process::ExitCode::SUCCESS
}
