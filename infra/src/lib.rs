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
pub mod inbound_mail;
pub mod moto;
pub mod queues;
pub mod rate_limit;
pub mod registry;
pub mod resources;
pub mod schedules;
pub mod seed;
pub mod ses;
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

/// Local configuration, in this order: a variable set in the environment, then what the local stack owns
/// (a signing key made for this run, local resource names), then the template's own values (`!Ref` to a
/// declared queue, `!Sub` over names). A template value can never stand in for a secret: dynamic references
/// (`{{resolve:…}}`) are not values locally, and any value still holding template syntax stops the start.
/// Locally, webhook receivers may run on loopback and unprivileged ports (the SSRF guard stays on in AWS).
fn local_config(
    template: &template::Template,
    created: &resources::Created,
    options: &StackOptions,
    gateway_url: &str,
) -> Result<Config, String> {
    let local = local_values(options, gateway_url);
    let lookup = |name: &str| -> Option<String> {
        let from_template = || {
            let referenced = template
                .env_refs
                .iter()
                .find(|(variable, _)| variable == name)
                .and_then(|(_, target)| created.queue_urls.get(target).cloned());
            referenced.or_else(|| {
                template.env_subs.iter().find(|(variable, _)| variable == name).map(|(_, value)| value.clone())
            })
        };
        std::env::var(name).ok().or_else(|| local.get(name).cloned()).or_else(from_template)
    };
    let names = template.env_refs.iter().chain(&template.env_subs).map(|(name, _)| name.as_str());
    for name in names.chain(local.keys().map(String::as_str)) {
        if let Some(value) = lookup(name).filter(|value| holds_template_syntax(value)) {
            return Err(format!("{name} would be the template text {value:?}, not a value: set it in the environment"));
        }
    }
    Config::from_lookup(lookup).map_err(|err| err.to_string())
}

/// What the local stack decides for itself, whatever the template says.
fn local_values(options: &StackOptions, gateway_url: &str) -> std::collections::BTreeMap<String, String> {
    use base64::Engine;
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let signing_keys = format!("local:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
    let mut values = vec![
        ("SWITCHBOARD_JWT_KEYS", signing_keys),
        ("SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true".to_owned()),
        // Loopback receivers listen on ephemeral ports; AWS keeps the default, 80 and 443.
        ("SWITCHBOARD_WEBHOOK_PORTS", "80,443,1024-65535".to_owned()),
        ("SWITCHBOARD_TABLE", resources::physical_name("Table")),
        ("SWITCHBOARD_ISSUER", "switchboard-local".to_owned()),
        ("SWITCHBOARD_ATTACHMENTS_BUCKET", resources::physical_name("AttachmentsBucket")),
        ("SWITCHBOARD_INBOUND_MAIL_BUCKET", resources::physical_name("InboundMailBucket")),
        ("SWITCHBOARD_SEARCH_BUCKET", resources::physical_name("SearchIndexBucket")),
        ("SWITCHBOARD_S3_PATH_STYLE", "true".to_owned()),
        // The outbox publishes to the template's bus (`!Ref EventBus` on the outbox function in AWS).
        ("SWITCHBOARD_EVENT_BUS_NAME", resources::physical_name("EventBus")),
        // The gateway serves the WebSocket API's connection management endpoint itself.
        ("SWITCHBOARD_WS_MANAGEMENT_ENDPOINT", gateway_url.to_owned()),
    ];
    if let Some(scale) = options.webhook_time_scale {
        values.push(("SWITCHBOARD_WEBHOOK_TIME_SCALE", scale.to_string()));
    }
    values.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

/// Text CloudFormation would have replaced: a dynamic reference or an unresolved `${…}`.
fn holds_template_syntax(value: &str) -> bool {
    template::is_dynamic_reference(value) || value.contains("${")
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
    // The workspaces' replies are sent from their forwarding addresses, on the inbound domain.
    let ses = ses::LocalSes::new(&endpoint);
    if let Err(err) = ses.verify_domain(&app.config.inbound_domain).await {
        if moto.is_some() {
            return Err(err);
        }
        tracing::warn!(error = %err, "the AWS endpoint has no local SES controls: verify the sending domain yourself");
    }
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
            let name = template
                .queues
                .iter()
                .find(|queue| queue.logical_id == source.queue_logical_id)
                .map_or_else(|| resources::physical_name(&source.queue_logical_id), resources::queue_physical_name);
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
    // SES's mailbox simulator and event publishing, into the queue the template subscribes to SES's events.
    if options.event_sources
        && let Some(queue_url) = created.queue_urls.get(ses::EVENTS_QUEUE)
    {
        pollers.push(ses::spawn_simulator(ses.clone(), aws_sdk_sqs::Client::new(&aws), queue_url.clone()));
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
    // S3 notifications: the local inbound-mail drop stores a message and invokes the bucket's subscribers.
    let mut subscribers = Vec::new();
    for function in &template.functions {
        for source in function.buckets.iter().filter(|source| source.bucket_logical_id == "InboundMailBucket") {
            let Some(registry::Handler::Bucket(handler)) = registry::handler(&function.binary) else {
                return Err(format!("{} has an S3 event but is not a bucket handler", function.logical_id));
            };
            subscribers.push(inbound_mail::BucketSubscriber {
                logical_id: function.logical_id.clone(),
                prefix: source.prefix.clone(),
                handler,
            });
        }
    }
    let mut router = gateway::Gateway::new(&template, app, options.authorizer_cache_ttl)?
        .router()
        .merge(schedules::routes(app, scheduled))
        .merge(inbound_mail::routes(app, resources::physical_name("InboundMailBucket"), subscribers))
        .merge(ses::routes(ses));
    if let Some(websocket) = websocket::WebSocketGateway::new(&template, app)? {
        router = websocket.router().merge(router);
    }
    if options.clock_control {
        router = clock_control::routes(clock).merge(router);
    }
    if let Some(dist) = options.web_dist.clone() {
        router = static_site::serve_with(router, dist, vec![endpoint.clone()]);
    }
    let server = tokio::spawn(serve(listener, router));
    Ok(RunningStack { url, aws_endpoint: endpoint, app, moto, server, pollers })
}

/// How long a client may take to send a request's headers (also how long an idle keep-alive connection
/// stays open): a connection that stalls is closed, as API Gateway's front door does.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// Serves HTTP/1.1 (with WebSocket upgrades) on `listener`, each connection with a header read timeout;
/// the gateway bounds body reads itself ([`gateway::BODY_READ_TIMEOUT`]).
async fn serve(listener: tokio::net::TcpListener, router: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %err, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
            if let Err(err) = builder.serve_connection(TokioIo::new(stream), service).with_upgrades().await {
                tracing::debug!(error = %err, "connection ended");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_for_this_run() -> Config {
        let template = template::Template::load(&repo_root().join("template.yaml")).unwrap();
        let created = resources::Created {
            queue_urls: template
                .queues
                .iter()
                .map(|q| (q.logical_id.clone(), format!("http://q/{}", q.logical_id)))
                .collect(),
        };
        local_config(&template, &created, &StackOptions::default(), "http://127.0.0.1:1").unwrap()
    }

    #[test]
    fn the_local_stack_signs_with_a_key_made_for_this_run_never_with_template_text() {
        let (first, second) = (config_for_this_run(), config_for_this_run());
        for config in [&first, &second] {
            for key in &config.signing_keys {
                let secret = String::from_utf8_lossy(&key.secret);
                for text in [key.kid.as_str(), secret.as_ref()] {
                    assert!(
                        !holds_template_syntax(text) && !text.contains("resolve") && !text.contains("secretsmanager")
                    );
                }
            }
        }
        assert_ne!(first.signing_keys[0].secret, second.signing_keys[0].secret, "a new key every run");
        assert_eq!(first.signing_keys[0].secret.len(), 43, "32 random bytes, base64url");
    }

    #[test]
    fn no_local_setting_is_a_template_literal() {
        let config = config_for_this_run();
        let settings = [
            Some(config.table_name.clone()),
            Some(config.issuer.clone()),
            config.attachments_bucket.clone(),
            config.webhook_queue_url.clone(),
            config.search_queue_url.clone(),
            config.search_bucket.clone(),
            config.usage_key_prefix.clone(),
            config.ws_management_endpoint.clone(),
        ];
        for value in settings.into_iter().flatten() {
            assert!(!holds_template_syntax(&value) && !value.contains("{{"), "{value:?} is template text");
        }
        assert_eq!(config.issuer, "switchboard-local", "the local issuer, not the deployed stage's");
    }

    #[test]
    fn template_text_for_a_secret_stops_the_start_instead_of_becoming_the_key() {
        let raw = std::fs::read_to_string(repo_root().join("template.yaml")).unwrap();
        // A dynamic reference written as a plain string is not a value either.
        let plain = raw.replace(
            "SWITCHBOARD_JWT_KEYS: !Sub \"{{resolve:secretsmanager:switchboard/${Stage}/jwt-keys}}\"",
            "SWITCHBOARD_JWT_KEYS: \"{{resolve:secretsmanager:switchboard/dev/jwt-keys}}\"",
        );
        assert_ne!(plain, raw, "the template still declares the signing keys as a dynamic reference");
        for text in [&raw, &plain] {
            let template = template::Template::parse(text).unwrap();
            assert!(
                template.env_subs.iter().all(|(_, value)| !template::is_dynamic_reference(value)),
                "a dynamic reference was read as a value"
            );
        }
        // A `${…}` the local stack cannot fill is refused, not passed on.
        let mut template = template::Template::parse(&raw).unwrap();
        template.env_subs.insert(0, ("SWITCHBOARD_USAGE_KEY_PREFIX".to_owned(), "${Unknown}-".to_owned()));
        let created = resources::Created { queue_urls: Default::default() };
        let err =
            local_config(&template, &created, &StackOptions::default(), "http://127.0.0.1:1").map(|_| ()).unwrap_err();
        assert!(err.contains("SWITCHBOARD_USAGE_KEY_PREFIX"), "{err}");
    }
}
