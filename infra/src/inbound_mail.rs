//! Plays SES receiving mail: `POST /__local/inbound-email` takes a raw RFC 5322 message (an .eml file as
//! the body), stores it in the inbound bucket under `inbound/` as SES's receipt rule does, and sends the
//! bucket's ObjectCreated notification to every function template.yaml subscribes to it (with `Type: S3`),
//! as S3 invokes Lambda. It answers when the function has handled it, with what the function returned.
//!
//! Served by `make dev` and the tests' stack alike; AWS never runs this code.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::post,
};
use serde_json::{Value, json};
use shared::App;

use crate::registry::BucketHandler;

/// A function subscribed to objects created under `prefix` of the bucket.
#[derive(Clone)]
pub struct BucketSubscriber {
    pub logical_id: String,
    pub prefix: String,
    pub handler: BucketHandler,
}

#[derive(Clone)]
struct Inbound {
    app: &'static App,
    bucket: String,
    subscribers: Vec<BucketSubscriber>,
}

/// Where SES's receipt rule puts raw messages (template.yaml, InboundReceiptRule).
pub const KEY_PREFIX: &str = "inbound/";

/// SES accepts messages up to 40 MB; so does the drop.
const MAX_MESSAGE_BYTES: usize = 40 * 1024 * 1024;

/// The notification S3 sends for one created object (key URL-encoded, as S3 does).
pub fn notification(bucket: &str, key: &str, size: usize) -> Value {
    let encoded: String =
        percent_encoding::utf8_percent_encode(key, percent_encoding::NON_ALPHANUMERIC).to_string().replace("%2F", "/");
    json!({"Records": [{
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            "bucket": {"name": bucket, "arn": format!("arn:aws:s3:::{bucket}")},
            "object": {"key": encoded, "size": size},
        },
    }]})
}

pub fn routes(app: &'static App, bucket: String, subscribers: Vec<BucketSubscriber>) -> Router {
    Router::new()
        .route("/__local/inbound-email", post(drop_message))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
        .with_state(Inbound { app, bucket, subscribers })
}

async fn drop_message(State(inbound): State<Inbound>, body: Bytes) -> (StatusCode, Json<Value>) {
    if body.is_empty() {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"detail": "the body must be a raw message (.eml)"})));
    }
    let key = format!("{KEY_PREFIX}{}", uuid::Uuid::now_v7());
    let size = body.len();
    if let Err(err) = inbound.app.inbound_mail.write(&key, body.to_vec(), "message/rfc822").await {
        return (StatusCode::BAD_GATEWAY, Json(json!({"detail": format!("storing the message: {err}")})));
    }
    let mut results = Vec::new();
    for subscriber in inbound.subscribers.iter().filter(|subscriber| key.starts_with(&subscriber.prefix)) {
        let result = (subscriber.handler)(inbound.app, notification(&inbound.bucket, &key, size)).await;
        match result {
            Ok(value) => results.push(json!({"function": subscriber.logical_id, "result": value})),
            Err(error) => {
                tracing::error!(function = %subscriber.logical_id, %error, "inbound mail function failed");
                return (
                    StatusCode::BAD_GATEWAY,
                    Json(json!({"key": key, "function": subscriber.logical_id, "detail": error})),
                );
            }
        }
    }
    (StatusCode::OK, Json(json!({"key": key, "handled": results})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notifications_encode_keys_as_s3_does() {
        let event = notification("b", "inbound/a b+c", 3);
        assert_eq!(event["Records"][0]["s3"]["object"]["key"], "inbound/a%20b%2Bc");
    }
}
