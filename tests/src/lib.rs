//! The black-box test harness: one local stack per test binary (moto and the gateway on free ports),
//! started on first use, and a small HTTP client speaking to it like any API user would.

pub mod receiver;
pub mod socket;
pub mod stripe;

use std::{sync::OnceLock, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The authorizer cache TTL the test stack uses, so deactivation tests need not wait 30 s.
pub const AUTHORIZER_TTL: Duration = Duration::from_secs(2);

/// Webhook retry waits and breaker times in the test stack, as a share of the real ones: the days of
/// retries pass in seconds (docs/webhooks.md).
pub const WEBHOOK_TIME_SCALE: f64 = 0.00001;

pub struct TestStack {
    pub url: String,
    pub app: &'static shared::App,
}

/// The stack, started once per test binary on a runtime of its own (tests come and go with theirs).
/// moto exits by itself when this process does.
pub fn stack() -> &'static TestStack {
    static STACK: OnceLock<TestStack> = OnceLock::new();
    STACK.get_or_init(|| {
        // Server logs go to stderr when asked for (RUST_LOG=info cargo test ...).
        if std::env::var_os("RUST_LOG").is_some() {
            shared::telemetry::init();
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let options = local_stack::StackOptions {
                    authorizer_cache_ttl: Some(AUTHORIZER_TTL),
                    // Only tests in a binary of their own move it (tests/tests/time.rs): one stack per binary.
                    clock_control: true,
                    webhook_time_scale: Some(WEBHOOK_TIME_SCALE),
                    ..local_stack::StackOptions::default()
                };
                match local_stack::start(options).await {
                    Ok(running) => {
                        sender.send(Ok(TestStack { url: running.url.clone(), app: running.app })).unwrap();
                        // Keep the stack (and its moto child) alive for the life of the test binary.
                        std::future::pending::<()>().await;
                        drop(running);
                    }
                    Err(err) => sender.send(Err(err)).unwrap(),
                }
            });
        });
        receiver.recv().unwrap().unwrap_or_else(|err| panic!("the local stack did not start: {err}"))
    })
}

/// A response as a test sees it.
/// Whether `value` is the problem `type` of `slug` as answers carry it: an absolute URI ending in
/// `/api/v1/problems/<slug>`, where it resolves to the type's documentation. (The origin is the
/// stack's; a test that starts a second stack in this process may see either, so it is not compared.)
pub fn is_problem_type(value: &Value, slug: &str) -> bool {
    value.as_str().is_some_and(|uri| {
        (uri.starts_with("http://") || uri.starts_with("https://"))
            && uri.ends_with(&format!("/api/v1/problems/{slug}"))
    })
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }

    /// Asserts an RFC 9457 problem of the given status and type slug.
    #[track_caller]
    pub fn expect_problem(self, status: u16, slug: &str) -> Self {
        let reply = self.expect(status);
        assert_eq!(reply.headers["content-type"], "application/problem+json", "body: {}", reply.body);
        assert!(is_problem_type(&reply.body["type"], slug), "not a {slug} problem: {}", reply.body);
        assert_eq!(reply.body["status"], status);
        assert!(reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "a problem says what was wrong");
        reply
    }

    pub fn field_errors(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Self {
        Self { http: reqwest::Client::new(), base: stack().url.clone(), token: None }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Self { token: Some(token.to_owned()), ..self.clone() }
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.send_with(method, path, body, &[]).await
    }

    /// As [`Client::send`], with extra request headers.
    pub async fn send_with(&self, method: Method, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        read(request.send().await.expect("the gateway answers")).await
    }

    /// Sends a raw body with a chosen content type (for malformed-input tests).
    pub async fn send_raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.expect("the gateway answers")).await
    }

    /// As [`Client::send_raw`], with extra request headers (signed webhook deliveries).
    pub async fn send_raw_with(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{path}", self.base)).header("content-type", content_type).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        read(request.send().await.expect("the gateway answers")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PUT, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }
}

async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply { status, headers, body }
}

/// A unique e-mail, so tests never collide in the shared stack.
pub fn unique_email(label: &str) -> String {
    format!("{label}-{}@example.com", uuid::Uuid::new_v4().simple())
}

pub const PASSWORD: &str = "correct horse battery staple";

/// A signed-in member of a workspace.
#[derive(Debug, Clone)]
pub struct Member {
    pub email: String,
    pub user_id: String,
    pub workspace_id: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl Member {
    pub fn client(&self) -> Client {
        Client::new().with_token(&self.access_token)
    }

    fn from_session(email: &str, body: &Value) -> Self {
        Self {
            email: email.to_owned(),
            user_id: body["user"]["id"].as_str().expect("user id").to_owned(),
            workspace_id: body["workspace"]["id"].as_str().expect("workspace id").to_owned(),
            access_token: body["access_token"].as_str().expect("access token").to_owned(),
            refresh_token: body["refresh_token"].as_str().expect("refresh token").to_owned(),
        }
    }
}

/// Signs up a new workspace; returns its owner.
pub async fn signup(workspace_name: &str) -> Member {
    let email = unique_email("owner");
    signup_as(workspace_name, &email).await
}

pub async fn signup_as(workspace_name: &str, email: &str) -> Member {
    let reply = Client::new()
        .post(
            "/api/v1/auth/signup",
            json!({"workspace_name": workspace_name, "name": "Olivia Owner", "email": email, "password": PASSWORD}),
        )
        .await
        .expect(201);
    Member::from_session(email, &reply.body)
}

/// Adds a member with `role` as `admin`, then logs them in.
pub async fn add_member(admin: &Member, role: &str) -> Member {
    let email = unique_email(role);
    admin
        .client()
        .post("/api/v1/users", json!({"email": email, "name": format!("A {role}"), "role": role, "password": PASSWORD}))
        .await
        .expect(201);
    login(&email, Some(&admin.workspace_id)).await
}

pub async fn login(email: &str, workspace_id: Option<&str>) -> Member {
    let reply = Client::new()
        .post("/api/v1/auth/login", json!({"email": email, "password": PASSWORD, "workspace_id": workspace_id}))
        .await
        .expect(200);
    Member::from_session(email, &reply.body)
}

/// Polls `check` until it holds or `within` passes; returns whether it held.
pub async fn eventually(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Delivers a workspace's committed event items to the outbox consumer again, as a retried stream batch
/// would (read straight from the table, as the stream carries them). Returns how many were delivered.
pub async fn replay_events(app: &shared::App, workspace_id: &str, _listed: &Value) -> usize {
    let event = stream_batch(app, workspace_id).await;
    let response = shared::services::outbox::consume(app, &event.records, None).await;
    assert!(response.batch_item_failures.is_empty(), "the replay failed");
    event.records.len()
}

/// A workspace's committed event items as one stream batch (sequence numbers are their indexes).
pub async fn stream_batch(app: &shared::App, workspace_id: &str) -> aws_lambda_events::dynamodb::Event {
    let scope = shared::storage::TenantScope::for_system(workspace_id.parse().expect("a workspace id"));
    let items = app.store.event_items(&scope).await.expect("reading the event items");
    let records: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let image: serde_dynamo::Item = item.clone().into();
            json!({
                "eventID": format!("replay-{index}"),
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "NewImage": image,
                    "SequenceNumber": format!("{index}"),
                    "SizeBytes": 0,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records })).expect("a stream event")
}

/// Moves the test stack's clock forward (tests that do live in a test binary of their own, since the
/// whole stack of that binary sees the new time).
pub async fn advance_clock(seconds: i64) {
    let reply = Client::new().post("/__local/clock", json!({ "advance_seconds": seconds })).await;
    assert_eq!(reply.status.as_u16(), 200, "moving the clock: {}", reply.body);
}

/// Runs a scheduled function of template.yaml now (as its EventBridge rule would); returns its result.
pub async fn run_schedule(function_logical_id: &str) -> Value {
    let reply = Client::new().send(Method::POST, &format!("/__local/schedules/{function_logical_id}"), None).await;
    assert_eq!(reply.status.as_u16(), 200, "running {function_logical_id}: {}", reply.body);
    reply.body
}
