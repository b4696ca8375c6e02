//! The local stack: runs template.yaml on one machine.
//!
//! - the local AWS stand-in (moto, from the project's venv) unless AWS_ENDPOINT_URL points elsewhere;
//! - the resources the template declares ([`resources`]);
//! - the gateway ([`gateway`]) playing API Gateway REST for every route, with the authorizer, calling
//!   the same handler code as the Lambda binaries ([`registry`]);
//! - the DynamoDB stream event sources ([`streams`]) and EventBridge schedules ([`schedules`]).
//!
//! - the WebSocket API ([`websocket`]) on the same port: `/ws` and the `@connections` management API;
//! - the table stream's consumers ([`streams`]).
//!
//! Further event sources (SQS queues, schedules) plug in the same way: the template parser reads them,
//! the registry maps their binaries to handlers, and a runner drives them.

pub mod clock_control;
pub mod gateway;
pub mod moto;
pub mod queues;
pub mod rate_limit;
pub mod registry;
pub mod resources;
pub mod schedules;
pub mod seed;
pub mod static_site;
pub mod streams;
pub mod template;
pub mod websocket;

use std::{path::PathBuf, sync::Arc, time::Duration};

use aws_sdk_dynamodb::config::Credentials;
use shared::{App, clock::AdjustableClock, config::Config};

/// The repository root (where template.yaml lives).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("infra/ is inside the repository").to_path_buf()
}

/// A free TCP port on loopback (bound and released; the window for a clash is tiny).
pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("finding a free port: {err}"))
}

#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Gateway port; 0 picks a free one.
    pub port: u16,
    /// Use this AWS endpoint instead of starting moto (DynamoDB Local, LocalStack...).
    pub aws_endpoint: Option<String>,
    /// Overrides the template's authorizer cache TTL (tests shorten it).
    pub authorizer_cache_ttl: Option<Duration>,
    pub seed_demo: bool,
    /// Serve `GET/POST /__local/clock` to move the stack's clock forward (tests only).
    pub clock_control: bool,
    /// Multiplies webhook retry waits and circuit-breaker times (tests compress days into seconds).
    pub webhook_time_scale: Option<f64>,
    /// The built web app to serve from the gateway's origin (web/dist), as CloudFront does in AWS.
    pub web_dist: Option<PathBuf>,
    /// Run the template's event sources (stream consumers, schedules). Benchmarks that drive a consumer
    /// themselves turn them off so background work does not skew the measurement.
    pub event_sources: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            port: 0,
            aws_endpoint: std::env::var("AWS_ENDPOINT_URL").ok(),
            authorizer_cache_ttl: None,
            seed_demo: false,
            clock_control: false,
            webhook_time_scale: None,
            web_dist: Some(repo_root().join("web/dist")),
            event_sources: true,
        }
    }
}

pub struct RunningStack {
    pub url: String,
    pub aws_endpoint: String,
    pub app: &'static App,
    moto: Option<moto::Moto>,
    server: tokio::task::JoinHandle<()>,
    pollers: Vec<tokio::task::JoinHandle<()>>,
}

impl RunningStack {
    pub async fn stop(self) {
        self.server.abort();
        for poller in &self.pollers {
            poller.abort();
        }
        if let Some(moto) = self.moto {
            moto.stop().await;
        }
    }
}

/// Local configuration: the template's settings with local resource names and a signing key made
/// for this run (never a literal). Variables set in the environment win.
/// Locally, webhook receivers may run on loopback (the SSRF guard stays on in AWS).
fn local_config(
    template: &template::Template,
    created: &resources::Created,
    options: &StackOptions,
    gateway_url: &str,
) -> Result<Config, String> {
    use base64::Engine;
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let generated_keys = format!("local:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    let table = resources::physical_name("Table");
    let time_scale = options.webhook_time_scale.map(|scale| scale.to_string());
    Config::from_lookup(|name| {
        let from_template = template
            .env_refs
            .iter()
            .find(|(variable, _)| variable == name)
            .and_then(|(_, target)| created.queue_urls.get(target).cloned());
        let substituted =
            template.env_subs.iter().find(|(variable, _)| variable == name).map(|(_, value)| value.clone());
        std::env::var(name).ok().or(from_template).or(substituted).or_else(|| match name {
            "SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS" => Some("true".to_owned()),
            "SWITCHBOARD_WEBHOOK_TIME_SCALE" => time_scale.clone(),
            "SWITCHBOARD_TABLE" => Some(table.clone()),
            "SWITCHBOARD_JWT_KEYS" => Some(generated_keys.clone()),
            "SWITCHBOARD_ISSUER" => Some("switchboard-local".to_owned()),
            "SWITCHBOARD_ATTACHMENTS_BUCKET" => Some(resources::physical_name("AttachmentsBucket")),
            "SWITCHBOARD_S3_PATH_STYLE" => Some("true".to_owned()),
            // The gateway serves the WebSocket API's connection management endpoint itself.
            "SWITCHBOARD_WS_MANAGEMENT_ENDPOINT" => Some(gateway_url.to_owned()),
            _ => None,
        })
    })
    .map_err(|err| err.to_string())
}

pub async fn start(options: StackOptions) -> Result<RunningStack, String> {
    let root = repo_root();
    let template = template::Template::load(&root.join("template.yaml"))?;
    let (moto, endpoint) = match options.aws_endpoint.clone() {
        Some(endpoint) => (None, endpoint),
        None => {
            let python = root.join(".venv/stack/bin/python");
            let moto = moto::Moto::start(&python, &root.join("infra/moto/server.py")).await?;
            let endpoint = moto.endpoint.clone();
            (Some(moto), endpoint)
        }
    };
    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "local-stack"))
        .load()
        .await;
    let created = resources::create_all(&template, &aws).await?;
    // Bound first: the functions need the gateway's URL to post to sockets.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
        .await
        .map_err(|err| format!("binding port {}: {err}", options.port))?;
    let port = listener.local_addr().map_err(|err| err.to_string())?.port();
    let url = format!("http://127.0.0.1:{port}");
    let clock = Arc::new(AdjustableClock::default());
    let config = local_config(&template, &created, &options, &url)?;
    let app: &'static App = Box::leak(Box::new(App::new(config, &aws, clock.clone())));
    if options.seed_demo {
        seed::seed(app).await?;
    }
    let mut pollers = Vec::new();
    for function in template.functions.iter().filter(|_| options.event_sources) {
        for source in &function.streams {
            let Some(registry::Handler::Stream(handler)) = registry::handler(&function.binary) else {
                return Err(format!("{} consumes a stream but is not a stream handler", function.logical_id));
            };
            let consumer = streams::StreamConsumer {
                name: function.logical_id.clone(),
                handler,
                batch_size: source.batch_size,
                starting_position: source.starting_position.clone(),
            };
            pollers.push(streams::spawn(app, &aws, resources::physical_name(&source.table_logical_id), consumer));
        }
    }
    for function in template.functions.iter().filter(|_| options.event_sources) {
        for source in &function.queues {
            let Some(registry::Handler::Queue(handler)) = registry::handler(&function.binary) else {
                return Err(format!("{} consumes a queue but is not a queue handler", function.logical_id));
            };
            let queue_url = created
                .queue_urls
                .get(&source.queue_logical_id)
                .ok_or_else(|| {
                    format!("{}: queue {} is not in the template", function.logical_id, source.queue_logical_id)
                })?
                .clone();
            let name = resources::physical_name(&source.queue_logical_id);
            let consumer = queues::QueueConsumer {
                name: function.logical_id.clone(),
                handler,
                queue_arn: format!("arn:aws:sqs:us-east-1:123456789012:{name}"),
                queue_url,
                batch_size: source.batch_size,
                report_batch_item_failures: source.report_batch_item_failures,
            };
            pollers.push(queues::spawn(app, &aws, consumer));
        }
    }
    let mut scheduled = Vec::new();
    for function in &template.functions {
        for schedule in function.schedules.iter().filter(|schedule| schedule.enabled) {
            let Some(registry::Handler::Schedule(handler)) = registry::handler(&function.binary) else {
                return Err(format!("{} has a schedule but is not a scheduled handler", function.logical_id));
            };
            let function = schedules::ScheduledFunction {
                logical_id: function.logical_id.clone(),
                rule: format!("{}-{}", function.logical_id, schedule.name),
                every: schedule.every,
                handler,
            };
            if options.event_sources {
                pollers.push(schedules::spawn(app, function.clone()));
            }
            scheduled.push(function);
        }
    }
    let mut router = gateway::Gateway::new(&template, app, options.authorizer_cache_ttl)?
        .router()
        .merge(schedules::routes(app, scheduled));
    if let Some(websocket) = websocket::WebSocketGateway::new(&template, app)? {
        router = websocket.router().merge(router);
    }
    if options.clock_control {
        router = clock_control::routes(clock).merge(router);
    }
    if let Some(dist) = options.web_dist.clone() {
        router = static_site::serve_with(router, dist);
    }
    let server = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            tracing::error!(error = %err, "gateway stopped");
        }
    });
    Ok(RunningStack { url, aws_endpoint: endpoint, app, moto, server, pollers })
}
