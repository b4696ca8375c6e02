//! Everything the Switchboard functions share.
//!
//! - [`domain`]: pure rules over plain types (ids, roles and permissions, plans, users). No AWS here.
//! - [`auth`]: password hashing, access and refresh tokens, the verified principal.
//! - [`storage`]: the single DynamoDB table; [`storage::keys`] is the only place key formats live.
//! - [`adapters`]: the other outside systems services act on (S3, SQS, the WebSocket management API).
//! - [`services`]: use cases that handlers call (sign up, log in, manage users...).
//! - [`http`]: request parsing, problem+json errors, responses, cursors, routing glue.
//! - [`api`]: the JSON shapes on the wire, which also feed the generated OpenAPI document.
//! - [`app`]: the per-process context (config, store, adapters, clock) built once per cold start.

pub mod adapters;
pub mod api;
pub mod app;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
mod layers;
pub mod lazy_client;
pub mod runtime;
pub mod services;
pub mod storage;
pub mod telemetry;

pub use app::App;
