//! The per-process context, built once per cold start (or once by the local stack) and shared by
//! every request the process handles.

use std::sync::Arc;

use crate::{
    adapters::{BlobStore, Queue, Sockets},
    auth::tokens::TokenService,
    clock::{Clock, SystemClock},
    config::Config,
    storage::{Store, cursor::CursorCodec},
};

#[derive(Debug, Clone)]
pub struct App {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenService,
    pub clock: Arc<dyn Clock>,
    /// The attachments bucket.
    pub attachments: BlobStore,
    /// The queue of webhook deliveries (one message per attempt).
    pub webhook_queue: Queue,
    /// The HTTP client for webhook deliveries, built on first use (most functions never deliver).
    pub webhook_http: Arc<std::sync::OnceLock<reqwest::Client>>,
    /// Posts frames to WebSocket connections (API Gateway's management API), when configured.
    pub sockets: Sockets,
}

impl App {
    pub fn new(config: Config, aws: &aws_config::SdkConfig, clock: Arc<dyn Clock>) -> Self {
        let cursors = CursorCodec::derive_from(&config.signing_keys[0].secret);
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(aws).force_path_style(config.s3_path_style).build(),
        );
        let sockets = config.ws_management_endpoint.as_ref().map(|endpoint| {
            aws_sdk_apigatewaymanagement::Client::from_conf(
                aws_sdk_apigatewaymanagement::config::Builder::from(aws).endpoint_url(endpoint).build(),
            )
        });
        Self {
            attachments: BlobStore::new(s3, config.attachments_bucket.clone(), "attachments"),
            webhook_queue: Queue::new(
                aws_sdk_sqs::Client::new(aws),
                config.webhook_queue_url.clone(),
                "webhook deliveries",
            ),
            sockets: Sockets::new(sockets),
            webhook_http: Arc::default(),
            store: Store::new(aws, config.table_name.clone(), cursors),
            tokens: TokenService::new(&config),
            clock,
            config,
        }
    }

    /// Configuration from the environment; AWS clients from the standard provider chain
    /// (which honours AWS_ENDPOINT_URL for local endpoints).
    pub async fn from_env() -> Result<Self, crate::config::ConfigError> {
        let config = Config::from_env()?;
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(config, &aws, Arc::new(SystemClock)))
    }
}
