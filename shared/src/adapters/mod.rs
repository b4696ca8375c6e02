//! Adapters: one small client per outside system a use case causes a side effect in, besides the table
//! (that one is [`crate::storage`]). Each owns its SDK client and its piece of configuration, offers
//! methods named for what a service does (`attachments.presign_put`, `webhook_queue.send`,
//! `sockets.post_to_connection`) and has its own error enum; services never build an SDK request.
//! [`crate::services::ServiceError`] takes these errors in through its `From` conversions, in one place.
//!
//! - [`blob_store`]: a bucket of files (the attachments, in S3): presigned uploads and downloads.
//! - [`health`]: the platform's health readings (CloudWatch in AWS, the local stack's own counters).
//! - [`queue`]: one SQS queue (webhook deliveries): send a message, put off its redelivery.
//! - [`sockets`]: the WebSocket API's connections (API Gateway's management API): post a frame.
//!
//! Clients are [`LazyClient`]s, built on first use, so a function pays only for the systems it calls.
//!
//! A new outside system gets a file here and a field in [`crate::App`], built once per process: the
//! coming outbound e-mail (SES v2) as `mail.rs`, Stripe as `payments.rs`, the EventBridge bus as
//! `event_bus.rs`. Keep each one thin: it translates between the service's terms and the SDK's, and
//! names its failures; rules stay in the services.

pub mod blob_store;
pub mod health;
pub mod queue;
pub mod sockets;

pub use crate::lazy_client::LazyClient;
pub use blob_store::{BlobError, BlobStore, PresignedUrl};
pub use queue::{Queue, QueueError};
pub use sockets::{SocketError, Sockets};
