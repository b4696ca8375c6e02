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
pub mod edge_limits;
pub mod gateway;
pub mod google;
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
pub mod stripe;
pub mod template;
pub mod token_keys;
pub mod websocket;

use std::{path::PathBuf, sync::Arc, time::Duration};

use aws_sdk_dynamodb::config::Credentials;
use shared::{App, clock::AdjustableClock, config::Config};

/// The edge stack's template (the CloudFront web ACL, deployed in us-east-1), relative to the root.
pub const EDGE_TEMPLATE: &str = "infra/edge.yaml";

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
    /// Play the web ACL's per-address rate limits (`make dev` does; the test suites, whose every request
    /// comes from one address, do not, except the tests of the limits themselves).
    pub edge_rate_limits: bool,
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
            edge_rate_limits: false,
        }
    }
}

pub struct RunningStack {
    pub url: String,
    pub aws_endpoint: String,
    pub app: &'static App,
    moto: Option<moto::Moto>,
    localstripe: stripe::LocalStripe,
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
        self.localstripe.stop().await;
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
    keys: &[token_keys::LocalKey],
    kms_keys: &resources::KmsKeys,
) -> Result<Config, String> {
    let local = local_values(options, gateway_url, keys, kms_keys);
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

/// What the local stack decides for itself, whatever the template says: among them this run's token
/// keys (the private ones by their secret's name) and a cursor key of its own.
fn local_values(
    options: &StackOptions,
    gateway_url: &str,
    keys: &[token_keys::LocalKey],
    kms_keys: &resources::KmsKeys,
) -> std::collections::BTreeMap<String, String> {
    use base64::Engine;
    use rand::RngCore;
    let mut cursor_key = [0u8; 32];
    rand::rng().fill_bytes(&mut cursor_key);
    let mut origin_secret = [0u8; 32];
    rand::rng().fill_bytes(&mut origin_secret);
    let mut values = vec![
        ("SWITCHBOARD_CURSOR_KEY", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(cursor_key)),
        // What the gateway adds to every request it forwards, as CloudFront does in AWS.
        ("SWITCHBOARD_ORIGIN_SECRET", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(origin_secret)),
        ("SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true".to_owned()),
        // Loopback receivers listen on ephemeral ports; AWS keeps the default, 80 and 443.
        ("SWITCHBOARD_WEBHOOK_PORTS", "80,443,1024-65535".to_owned()),
        ("SWITCHBOARD_TABLE", resources::physical_name("Table")),
        ("SWITCHBOARD_ISSUER", "switchboard-local".to_owned()),
        ("SWITCHBOARD_ATTACHMENTS_BUCKET", resources::physical_name("AttachmentsBucket")),
        ("SWITCHBOARD_INBOUND_MAIL_BUCKET", resources::physical_name("InboundMailBucket")),
        ("SWITCHBOARD_SEARCH_BUCKET", resources::physical_name("SearchIndexBucket")),
        ("SWITCHBOARD_EXPORTS_BUCKET", resources::physical_name("ExportsBucket")),
        ("SWITCHBOARD_S3_PATH_STYLE", "true".to_owned()),
        // The outbox publishes to the template's bus (`!Ref EventBus` on the outbox function in AWS).
        ("SWITCHBOARD_EVENT_BUS_NAME", resources::physical_name("EventBus")),
        // The gateway serves the WebSocket API's connection management endpoint itself.
        ("SWITCHBOARD_WS_MANAGEMENT_ENDPOINT", gateway_url.to_owned()),
        // The app and API are served from the gateway: problem type URIs resolve there.
        ("SWITCHBOARD_PUBLIC_ORIGIN", gateway_url.to_owned()),
        // Google is the stand-in the gateway serves under /__local/google (infra/src/google.rs); the token key
        // is the one the stack made in moto's KMS for template.yaml's TokenKey.
        ("SWITCHBOARD_GOOGLE_CLIENT_ID", google::CLIENT_ID.to_owned()),
        ("SWITCHBOARD_GOOGLE_CLIENT_SECRET", google::CLIENT_SECRET.to_owned()),
        ("SWITCHBOARD_GOOGLE_REDIRECT_URI", format!("{gateway_url}/settings/google-contacts/callback")),
        ("SWITCHBOARD_GOOGLE_AUTHORIZE_URL", format!("{gateway_url}/__local/google/o/oauth2/v2/auth")),
        ("SWITCHBOARD_GOOGLE_TOKEN_URL", format!("{gateway_url}/__local/google/token")),
        ("SWITCHBOARD_GOOGLE_REVOKE_URL", format!("{gateway_url}/__local/google/revoke")),
        ("SWITCHBOARD_GOOGLE_PEOPLE_URL", format!("{gateway_url}/__local/google")),
        ("SWITCHBOARD_GOOGLE_TOKEN_KEY_ID", kms_keys.token_key.clone()),
        // Stripe is localstripe behind the stand-in the gateway serves under /__local/stripe (infra/src/stripe.rs);
        // Checkout and the Billing Portal send the owner back to the web app the gateway serves.
        ("SWITCHBOARD_STRIPE_SECRET_KEY", stripe::SECRET_KEY.to_owned()),
        ("SWITCHBOARD_STRIPE_WEBHOOK_SECRET", stripe::WEBHOOK_SECRET.to_owned()),
        ("SWITCHBOARD_STRIPE_API_BASE", format!("{gateway_url}{}", stripe::PREFIX)),
        ("SWITCHBOARD_APP_URL", gateway_url.to_owned()),
        // Webhook and Slack targets are sealed under the key made in moto's KMS for template.yaml's WebhookKey.
        ("SWITCHBOARD_WEBHOOK_KEY_ID", kms_keys.webhook_key.clone()),
        // Staff second-factor secrets, under the key made for template.yaml's StaffKey.
        ("SWITCHBOARD_STAFF_KEY_ID", kms_keys.staff_key.clone()),
    ];
    if let Some(scale) = options.webhook_time_scale {
        values.push(("SWITCHBOARD_WEBHOOK_TIME_SCALE", scale.to_string()));
    }
    for key in keys {
        let (secret_variable, public_variable) = token_keys::variables(key.audience);
        values.push((secret_variable, key.secret_name.clone()));
        values.push((public_variable, key.public_keys.clone()));
    }
    values.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

/// Text CloudFormation would have replaced: a dynamic reference or an unresolved `${…}`.
fn holds_template_syntax(value: &str) -> bool {
    template::is_dynamic_reference(value) || value.contains("${")
}

pub async fn start(options: StackOptions) -> Result<RunningStack, String> {
    // The platform console's health reads this process's own counters (CloudWatch in AWS).
    shared::adapters::health::LocalCounters::install();
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
    // The `stripe` venv that bootstrap.sh installs; LOCAL_STRIPE_PYTHON names another Python with the same lock.
    let stripe_python = std::env::var_os("LOCAL_STRIPE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/stripe/bin/python"));
    let localstripe = stripe::LocalStripe::start(&stripe_python, &root.join("infra/stripe/server.py")).await?;
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
    let kms_keys = resources::create_kms_keys(&aws).await?;
    let keys = token_keys::for_this_run();
    token_keys::store(&aws, &keys).await?;
    let config = local_config(&template, &created, &options, &url, &keys, &kms_keys)?;
    let mut app = App::new(config, &aws, clock.clone());
    // The one context serves every function, so it may sign every audience's tokens (in AWS each
    // issuing function has its own secret alone).
    secrets::install(&mut app);
    kms::install(&mut app);
    let app: &'static App = Box::leak(Box::new(app));
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
    let mut gateway = gateway::Gateway::new(&template, app, options.authorizer_cache_ttl)?;
    if options.edge_rate_limits {
        let raw = std::fs::read_to_string(root.join(EDGE_TEMPLATE)).map_err(|err| err.to_string())?;
        gateway = gateway.with_edge_limits(edge_limits::EdgeLimiter::new(edge_limits::rules_of(&raw)?));
    }
    let mut router = gateway
        .router()
        .merge(schedules::routes(app, scheduled))
        .merge(google::routes(options.seed_demo))
        .merge(stripe::routes(&localstripe.endpoint, &url))
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
    Ok(RunningStack { url, aws_endpoint: endpoint, app, moto, localstripe, server, pollers })
}

/// The address a request's connection came from.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// How long a client may take to send a request's headers (also how long an idle keep-alive connection
/// stays open): a connection that stalls is closed, as API Gateway's front door does.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);

/// Serves HTTP/1.1 (with WebSocket upgrades) on `listener`, each connection with a header read timeout;
/// the gateway bounds body reads itself ([`gateway::BODY_READ_TIMEOUT`]).
async fn serve(listener: tokio::net::TcpListener, router: axum::Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(err) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %err, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // The client's address, for the per-address limits (what CloudFront's WAF sees as the source).
        let service =
            hyper_util::service::TowerToHyperService::new(router.clone().layer(axum::Extension(ClientAddr(peer))));
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

    fn config_for_this_run() -> (Config, Vec<token_keys::LocalKey>) {
        let template = template::Template::load(&repo_root().join("template.yaml")).unwrap();
        let created = resources::Created {
            queue_urls: template
                .queues
                .iter()
                .map(|q| (q.logical_id.clone(), format!("http://q/{}", q.logical_id)))
                .collect(),
        };
        let keys = token_keys::for_this_run();
        let config =
            local_config(&template, &created, &StackOptions::default(), "http://127.0.0.1:1", &keys, &test_kms_keys())
                .unwrap();
        (config, keys)
    }

    fn test_kms_keys() -> resources::KmsKeys {
        resources::KmsKeys {
            token_key: "local-token-key".to_owned(),
            webhook_key: "local-webhook-key".to_owned(),
            staff_key: "local-staff-key".to_owned(),
        }
    }

    #[test]
    fn the_local_stack_signs_with_keys_made_for_this_run_never_with_template_text() {
        use shared::auth::tokens::{Audience, TokenService, TokenSigner, TokenSubject};
        let ((first, first_keys), (second, _)) = (config_for_this_run(), config_for_this_run());
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let member = TokenSubject::Member {
            workspace_id: shared::domain::ids::WorkspaceId::generate(),
            user_id: shared::domain::ids::UserId::generate(),
        };
        let template_text =
            |text: &str| holds_template_syntax(text) || text.contains("resolve") || text.contains("secretsmanager");
        for config in [&first, &second] {
            let kids = [&config.member_token_keys, &config.staff_token_keys, &config.socket_token_keys]
                .into_iter()
                .flat_map(|keys| keys.kids().map(str::to_owned).collect::<Vec<_>>())
                .collect::<Vec<_>>();
            assert_eq!(kids.len(), 3, "one public key per audience");
            for text in kids.iter().map(String::as_str).chain(config.signing_secrets.iter().map(|(_, id)| id.as_str()))
            {
                assert!(!template_text(text), "{text:?}");
            }
            let cursor_key = String::from_utf8_lossy(&config.cursor_key.0).into_owned();
            assert!(!template_text(&cursor_key));
            assert_eq!(cursor_key.len(), 43, "32 random bytes, base64url");
            let origin_secret = config.origin_secret.as_ref().expect("the gateway adds an origin secret");
            let origin_secret = String::from_utf8_lossy(&origin_secret.0).into_owned();
            assert!(!template_text(&origin_secret) && origin_secret.len() == 43);
        }
        assert_ne!(first.cursor_key, second.cursor_key, "a new cursor key every run");
        assert_ne!(first.origin_secret, second.origin_secret, "a new origin secret every run");
        assert_ne!(
            first.member_token_keys.kids().collect::<Vec<_>>(),
            second.member_token_keys.kids().collect::<Vec<_>>(),
            "new token keys every run"
        );
        // What this run's secret signs verifies; the same claims under another run's key do not.
        let tokens = TokenService::new(&first);
        for key in &first_keys {
            assert!(!template_text(&key.secret_value));
            let subject = match key.audience {
                Audience::Staff => TokenSubject::Staff { staff_id: shared::domain::ids::StaffId::generate() },
                Audience::Member | Audience::Socket => member.clone(),
            };
            let signer = TokenSigner::from_secret(key.audience, &key.secret_value).unwrap();
            let token = signer.sign(&subject, &first.issuer, now, 60);
            assert!(tokens.verify(&token, &[key.audience], now).is_ok(), "{:?}", key.audience);
            assert!(TokenService::new(&second).verify(&token, &[key.audience], now).is_err(), "another run's key");
        }
        // Each signing secret is configured by its own name.
        let names: Vec<_> = first.signing_secrets.iter().map(|(audience, id)| (*audience, id.clone())).collect();
        assert_eq!(names.len(), 3);
        assert!(names.iter().all(|(audience, id)| id.contains(audience.name())));
    }

    #[test]
    fn no_local_setting_is_a_template_literal() {
        let (config, _) = config_for_this_run();
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
            "SWITCHBOARD_CURSOR_KEY: !Sub \"{{resolve:secretsmanager:switchboard/${Stage}/cursor-key}}\"",
            "SWITCHBOARD_CURSOR_KEY: \"{{resolve:secretsmanager:switchboard/dev/cursor-key}}\"",
        );
        assert_ne!(plain, raw, "the template still declares the cursor key as a dynamic reference");
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
        let err = local_config(
            &template,
            &created,
            &StackOptions::default(),
            "http://127.0.0.1:1",
            &token_keys::for_this_run(),
            &test_kms_keys(),
        )
        .map(|_| ())
        .unwrap_err();
        assert!(err.contains("SWITCHBOARD_USAGE_KEY_PREFIX"), "{err}");
    }
}
