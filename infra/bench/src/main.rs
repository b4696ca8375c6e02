//! Cold-start benchmark for the function binaries (host release builds; `make bench`).
//!
//! For each binary: start a fake Lambda Runtime API, spawn the binary with a Lambda-like environment, and time
//! from spawn to its first answer (`/response` or `/error`), then kill it. Runs go round-robin over all binaries,
//! a bare lambda_runtime echo function (the floor) included, so background load spreads evenly; the first round
//! is a warm-up and is discarded. Results go to `bench/results/latest.{md,json}`.

mod events;
mod report;
mod runtime_api;

use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use events::EventKind;
use runtime_api::{Hit, Invocation, Outcome, RuntimeApi};

const USAGE: &str = "\
usage: coldstart [options] <binary[=http|authorizer|websocket]>...
  --runs N         measurements per binary, the first one discarded as warm-up (default 15)
  --bin-dir DIR    where the host binaries are (default target/release)
  --lambda-dir DIR where cargo-lambda put the bundles, for their sizes (default target/lambda)
  --out DIR        where latest.md and latest.json go (default bench/results)
  --floor NAME     the baseline binary in --bin-dir (default lambda-floor)
  --timeout-ms N   give up on a run after this long (default 10000)
A binary named authorizer gets a REQUEST authorizer event, any other an API Gateway REST proxy event
unless its kind is given (`realtime=websocket`: a WebSocket API `$disconnect`; `authorizer=apikey`: a
REQUEST authorizer event with an unknown API key, looked up with one DynamoDB call that the fake API answers).";

pub const DEFAULT_FLOOR: &str = "lambda-floor";
const DEFAULT_BINARIES: &[&str] = &["authorizer", "auth", "me", "users", "health", "api-docs", "platform"];

struct Options {
    runs: usize,
    bin_dir: PathBuf,
    lambda_dir: PathBuf,
    out_dir: PathBuf,
    floor: String,
    timeout: Duration,
    targets: Vec<Target>,
}

#[derive(Clone)]
pub struct Target {
    pub name: String,
    pub kind: EventKind,
    pub is_floor: bool,
}

/// One binary's measurements; times are from spawn.
pub struct Measured {
    pub target: Target,
    pub binary_bytes: Option<u64>,
    pub zip_bytes: Option<u64>,
    pub samples: Vec<Sample>,
    pub discarded: Vec<Sample>,
    pub failures: Vec<String>,
}

#[derive(Clone)]
pub struct Sample {
    pub first_answer: Duration,
    /// Until the first `GET /next`, i.e. the end of initialisation.
    pub init: Option<Duration>,
    pub peak_rss_kib: Option<u64>,
    pub answer: String,
    /// The DynamoDB operations called before the answer, in order.
    pub dynamodb_calls: Vec<String>,
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) if message == "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("coldstart: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("coldstart: {err}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        runs: 15,
        bin_dir: PathBuf::from("target/release"),
        lambda_dir: PathBuf::from("target/lambda"),
        out_dir: PathBuf::from("bench/results"),
        floor: DEFAULT_FLOOR.to_owned(),
        timeout: Duration::from_secs(10),
        targets: Vec::new(),
    };
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--runs" => options.runs = value("--runs")?.parse().map_err(|_| "--runs: not a number")?,
            "--bin-dir" => options.bin_dir = value("--bin-dir")?.into(),
            "--lambda-dir" => options.lambda_dir = value("--lambda-dir")?.into(),
            "--out" => options.out_dir = value("--out")?.into(),
            "--floor" => options.floor = value("--floor")?,
            "--timeout-ms" => {
                let millis = value("--timeout-ms")?.parse().map_err(|_| "--timeout-ms: not a number")?;
                options.timeout = Duration::from_millis(millis);
            }
            "-h" | "--help" => return Err("help".to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            spec => options.targets.push(parse_target(spec)?),
        }
    }
    if options.runs < 2 {
        return Err("--runs must be at least 2 (the first run is discarded)".to_owned());
    }
    if options.targets.is_empty() {
        options.targets = DEFAULT_BINARIES.iter().map(|name| parse_target(name)).collect::<Result<_, _>>()?;
    }
    options.targets.insert(0, Target { name: options.floor.clone(), kind: EventKind::Http, is_floor: true });
    Ok(options)
}

fn parse_target(spec: &str) -> Result<Target, String> {
    let (name, kind) = match spec.split_once('=') {
        Some((name, kind)) => (name, EventKind::parse(kind).ok_or_else(|| format!("unknown event kind in {spec:?}"))?),
        None if spec == "authorizer" => (spec, EventKind::Authorizer),
        None => (spec, EventKind::Http),
    };
    Ok(Target { name: name.to_owned(), kind, is_floor: false })
}

fn run(options: &Options) -> io::Result<bool> {
    for target in &options.targets {
        let exe = options.bin_dir.join(&target.name);
        if !exe.is_file() {
            return Err(io::Error::new(io::ErrorKind::NotFound, format!("{} is not built", exe.display())));
        }
    }
    let exe_dir = fs::canonicalize(&options.bin_dir)?;
    let log_dir = options.out_dir.join("logs");
    fs::create_dir_all(&log_dir)?;
    let secret = random_secret()?;
    let load_before = load_average();
    let started = Instant::now();

    let mut measured: Vec<Measured> = options
        .targets
        .iter()
        .map(|target| Measured {
            target: target.clone(),
            binary_bytes: fs::metadata(options.bin_dir.join(&target.name)).ok().map(|meta| meta.len()),
            zip_bytes: fs::metadata(options.lambda_dir.join(&target.name).join("bootstrap.zip")).ok().map(|m| m.len()),
            samples: Vec::new(),
            discarded: Vec::new(),
            failures: Vec::new(),
        })
        .collect();

    println!(
        "coldstart: {} binaries (floor: {}), {} runs each, round-robin, first round discarded",
        measured.len(),
        options.floor,
        options.runs,
    );
    for round in 0..options.runs {
        for entry in &mut measured {
            let run = Run { exe_dir: &exe_dir, log_dir: &log_dir, secret: &secret, options };
            match run.measure(&entry.target, round) {
                Ok(sample) if round == 0 => entry.discarded.push(sample),
                Ok(sample) => entry.samples.push(sample),
                Err(failure) => {
                    eprintln!("coldstart: {} run {round}: {failure}", entry.target.name);
                    entry.failures.push(format!("run {round}: {failure}"));
                }
            }
        }
        println!("  round {}/{} done", round + 1, options.runs);
    }

    let context = report::Context {
        runs: options.runs,
        floor: options.floor.clone(),
        bin_dir: options.bin_dir.display().to_string(),
        command: std::env::var("BENCH_COMMAND").unwrap_or_else(|_| std::env::args().collect::<Vec<_>>().join(" ")),
        elapsed: started.elapsed(),
        load_before,
        load_after: load_average(),
    };
    let markdown = report::markdown(&context, &measured);
    fs::create_dir_all(&options.out_dir)?;
    fs::write(options.out_dir.join("latest.md"), &markdown)?;
    let json = serde_json::to_string_pretty(&report::json(&context, &measured)).map_err(io::Error::other)?;
    fs::write(options.out_dir.join("latest.json"), json + "\n")?;
    println!("\n{markdown}");
    println!("coldstart: wrote {0}/latest.md and {0}/latest.json", options.out_dir.display());
    Ok(measured.iter().all(|entry| entry.failures.is_empty()))
}

struct Run<'a> {
    exe_dir: &'a Path,
    log_dir: &'a Path,
    secret: &'a str,
    options: &'a Options,
}

impl Run<'_> {
    fn measure(&self, target: &Target, round: usize) -> Result<Sample, String> {
        let function_name = format!("switchboard-bench-{}", target.name);
        let request_id = format!("bench-{}-{round}", target.name);
        let body = serde_json::to_vec(&target.kind.event(&request_id)).map_err(|err| err.to_string())?;
        let function_arn = format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}");
        let invocation = Invocation { request_id: request_id.clone(), function_arn, body };
        let (api, hits) = RuntimeApi::start(invocation).map_err(|err| format!("runtime API: {err}"))?;
        self.spawn_and_wait(target, &api, &function_name, &request_id, &hits)
    }

    fn spawn_and_wait(
        &self,
        target: &Target,
        api: &RuntimeApi,
        function_name: &str,
        request_id: &str,
        hits: &Receiver<Hit>,
    ) -> Result<Sample, String> {
        let log_name = match target.kind {
            EventKind::ApiKey => format!("{}-{}.log", target.name, target.kind.name()),
            _ => format!("{}.log", target.name),
        };
        let log = File::create(self.log_dir.join(log_name)).map_err(|err| err.to_string())?;
        let log_err = log.try_clone().map_err(|err| err.to_string())?;
        let mut command = Command::new(self.exe_dir.join(&target.name));
        command
            .env_clear()
            .envs(self.lambda_env(api, function_name))
            .current_dir(self.exe_dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            // Its own process group, so that whatever it started goes down with it.
            .process_group(0);

        let spawned = Instant::now();
        let mut child = command.spawn().map_err(|err| format!("spawn failed: {err}"))?;
        let result = wait_for_answer(&mut child, spawned, request_id, hits, self.options.timeout);
        kill_group(&mut child);
        result
    }

    /// What Lambda (provided.al2023) sets, plus the function configuration of template.yaml.
    fn lambda_env(&self, api: &RuntimeApi, function_name: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_LAMBDA_RUNTIME_API", api.authority()),
            ("AWS_LAMBDA_FUNCTION_NAME", function_name.to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "1".to_owned()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{function_name}")),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[1]00000000000000000000000000000000".to_owned()),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
            ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "AKIABENCHMARKDUMMY00".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "bench-dummy-secret-access-key-not-used-anywhere".to_owned()),
            ("AWS_SESSION_TOKEN", "bench-dummy-session-token".to_owned()),
            ("LAMBDA_TASK_ROOT", self.exe_dir.display().to_string()),
            ("_HANDLER", "bootstrap".to_owned()),
            ("TZ", ":UTC".to_owned()),
            ("LANG", "en_US.UTF-8".to_owned()),
            ("SWITCHBOARD_TABLE", "bench".to_owned()),
            ("SWITCHBOARD_CURSOR_KEY", self.secret.to_owned()),
            ("SWITCHBOARD_ISSUER", "switchboard-bench".to_owned()),
            ("SWITCHBOARD_ACCESS_TOKEN_TTL_SECS", "900".to_owned()),
            ("SWITCHBOARD_REFRESH_TOKEN_TTL_DAYS", "30".to_owned()),
            ("RUST_LOG", "info".to_owned()),
            // Not set in AWS; here DynamoDB calls go to the fake API, which answers them (see runtime_api).
            ("AWS_ENDPOINT_URL", format!("http://{}", api.authority())),
        ]
    }
}

fn wait_for_answer(
    child: &mut Child,
    spawned: Instant,
    request_id: &str,
    hits: &Receiver<Hit>,
    timeout: Duration,
) -> Result<Sample, String> {
    let mut init = None;
    let mut dynamodb_calls = Vec::new();
    loop {
        let hit = match hits.recv_timeout(Duration::from_millis(5)) {
            Ok(hit) => hit,
            Err(RecvTimeoutError::Disconnected) => return Err("runtime API went away".to_owned()),
            Err(RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = child.try_wait() {
                    // An answer may have landed between the timeout and the exit check.
                    match hits.try_recv() {
                        Ok(hit) => hit,
                        Err(_) => return Err(format!("exited ({status}) before answering; see its log")),
                    }
                } else if spawned.elapsed() > timeout {
                    return Err(format!("no answer within {timeout:?}"));
                } else {
                    continue;
                }
            }
        };
        match hit {
            Hit::NextRequested(at) => init = Some(at.duration_since(spawned)),
            Hit::DynamoDb { operation } => dynamodb_calls.push(operation),
            Hit::InitError { body } => return Err(format!("init error: {}", String::from_utf8_lossy(&body))),
            Hit::Answered { at, request_id: answered, outcome, body } if answered == request_id => {
                return Ok(Sample {
                    first_answer: at.duration_since(spawned),
                    init,
                    peak_rss_kib: peak_rss_kib(child.id()),
                    answer: describe_answer(outcome, &body),
                    dynamodb_calls,
                });
            }
            Hit::Answered { request_id: answered, .. } => {
                return Err(format!("answered request {answered:?}, expected {request_id:?}"));
            }
        }
    }
}

/// SIGKILL to the child's process group (it leads it), then reaps the child.
fn kill_group(child: &mut Child) {
    let _ = child.kill();
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
    let _ = child.wait();
}

/// `response 200`, `response 404` (API Gateway proxy status) or `error Unauthorized`.
fn describe_answer(outcome: Outcome, body: &[u8]) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    match outcome {
        Outcome::Response => match parsed.as_ref().and_then(|value| value.get("statusCode")) {
            Some(status) => format!("response {status}"),
            None => "response".to_owned(),
        },
        Outcome::Error => {
            let message = parsed.as_ref().and_then(|value| value.get("errorMessage")).and_then(|m| m.as_str());
            format!("error {}", message.unwrap_or("?"))
        }
    }
}

/// High-water mark of the resident set so far (Linux), read while the process is still alive.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn load_average() -> Option<String> {
    let raw = fs::read_to_string("/proc/loadavg").ok()?;
    Some(raw.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// 43 URL-safe characters (258 bits) from the OS, fresh per run, for `SWITCHBOARD_CURSOR_KEY`.
fn random_secret() -> io::Result<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bytes = [0u8; 43];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|byte| char::from(ALPHABET[usize::from(byte & 63)])).collect())
}
