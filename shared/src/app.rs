//! The per-process context, built once per cold start (or once by the local stack) and shared by
//! every request the process handles.

use std::sync::Arc;

use crate::{
    adapters::{BlobStore, LazyClient, Queue, Sockets},
    auth::tokens::TokenService,
    clock::{Clock, SystemClock},
    config::Config,
    services::envelope::VaultSlot,
    storage::{Store, call_count::CallCount, cursor::CursorCodec},
};

#[derive(Debug, Clone)]
pub struct App {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenService,
    pub clock: Arc<dyn Clock>,
    /// The attachments bucket.
    pub attachments: BlobStore,
    /// The bucket of raw inbound e-mail (SES writes, the inbound function reads).
    pub inbound_mail: BlobStore,
    /// S3 calls made through every bucket above, by operation (what benchmarks report per message).
    pub s3_calls: CallCount,
    /// The queue of webhook deliveries (one message per attempt).
    pub webhook_queue: Queue,
    /// Export jobs to run (one message per job).
    pub export_queue: Queue,
    /// The exported files, each kept a day (the bucket's lifecycle rule).
    pub exports: BlobStore,
    /// Agents' replies to send by e-mail (one message per reply).
    pub email_queue: Queue,
    /// Search index changes (FIFO, a message group per workspace: one writer per workspace index).
    pub search_queue: Queue,
    /// Verified Stripe events waiting for the billing worker (the webhook answers before applying them).
    pub stripe_events: Queue,
    /// The per-workspace search index objects.
    pub search_indexes: BlobStore,
    /// The HTTP client for webhook deliveries, built on first use (most functions never deliver).
    pub webhook_http: Arc<std::sync::OnceLock<reqwest::Client>>,
    /// Posts frames to WebSocket connections (API Gateway's management API), when configured.
    pub sockets: Sockets,
    /// The AWS configuration every client is built from, for clients one function alone links (the
    /// outbox's EventBridge client).
    pub aws: aws_config::SdkConfig,
    /// The key service sealing webhook targets (URLs and signing secrets), installed by the functions
    /// that manage or deliver webhooks (the `switchboard-kms` crate); none elsewhere.
    pub webhook_vault: VaultSlot,
    /// The key service sealing staff members' second-factor secrets, installed by the platform function
    /// alone; none elsewhere.
    pub staff_vault: VaultSlot,
}

impl App {
    /// Every SDK client is built on its first use (see [`crate::adapters::LazyClient`]), so a function
    /// pays at cold start only for what it needs; all of them share `aws` (one credentials cache).
    pub fn new(config: Config, aws: &aws_config::SdkConfig, clock: Arc<dyn Clock>) -> Self {
        let cursors = CursorCodec::derive_from(&config.cursor_key.0);
        let s3_calls = CallCount::default();
        let s3 = {
            let (aws, path_style, counting) = (aws.clone(), config.s3_path_style, s3_calls.clone());
            LazyClient::new(move || {
                aws_sdk_s3::Client::from_conf(
                    aws_sdk_s3::config::Builder::from(&aws)
                        .force_path_style(path_style)
                        .interceptor(counting.clone())
                        .build(),
                )
            })
        };
        let sqs = {
            let aws = aws.clone();
            LazyClient::new(move || aws_sdk_sqs::Client::new(&aws))
        };
        let sockets = config.ws_management_endpoint.clone().map(|endpoint| {
            let aws = aws.clone();
            LazyClient::new(move || {
                aws_sdk_apigatewaymanagement::Client::from_conf(
                    aws_sdk_apigatewaymanagement::config::Builder::from(&aws).endpoint_url(&endpoint).build(),
                )
            })
        });
        Self {
            attachments: BlobStore::new(s3.clone(), config.attachments_bucket.clone(), "attachments"),
            inbound_mail: BlobStore::new(s3.clone(), config.inbound_mail_bucket.clone(), "inbound mail"),
            webhook_queue: Queue::new(sqs.clone(), config.webhook_queue_url.clone(), "webhook deliveries"),
            email_queue: Queue::new(sqs.clone(), config.email_queue_url.clone(), "e-mail replies"),
            stripe_events: Queue::new(
                sqs.clone(),
                config.stripe.as_ref().and_then(|stripe| stripe.events_queue_url.clone()),
                "Stripe events",
            ),
            export_queue: Queue::new(sqs.clone(), config.export_queue_url.clone(), "export jobs"),
            exports: BlobStore::new(s3.clone(), config.exports_bucket.clone(), "exports"),
            search_queue: Queue::new(sqs, config.search_queue_url.clone(), "search index changes"),
            search_indexes: BlobStore::new(s3, config.search_bucket.clone(), "search index"),
            s3_calls,
            sockets: Sockets::new(sockets),
            webhook_http: Arc::default(),
            webhook_vault: VaultSlot::default(),
            staff_vault: VaultSlot::default(),
            store: Store::new(aws, config.table_name.clone(), cursors),
            aws: aws.clone(),
            tokens: TokenService::new(&config),
            clock,
            config,
        }
    }

    /// Configuration from the environment; AWS clients from [`aws_from_env`].
    pub async fn from_env() -> Result<Self, crate::config::ConfigError> {
        let config = Config::from_env()?;
        let aws = aws_from_env().await;
        Ok(Self::new(config, &aws, Arc::new(SystemClock)))
    }
}

/// The AWS configuration of this process (which honours AWS_ENDPOINT_URL for local endpoints). In
/// Lambda the region and the role's credentials are environment variables, set for the sandbox's
/// life: they are taken as they are, instead of building the default region and credential chains
/// (profile files, web identity, the container and instance metadata clients), which every cold start
/// would otherwise pay for providers no function asks. Elsewhere the standard chains.
pub async fn aws_from_env() -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let set = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let loader = match (set("AWS_LAMBDA_RUNTIME_API"), set("AWS_REGION"), set("AWS_ACCESS_KEY_ID")) {
        (Some(_), Some(region), Some(_)) => loader
            .region(aws_config::Region::new(region))
            .credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new()),
        _ => loader,
    };
    loader.load().await
}
