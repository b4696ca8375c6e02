//! Plays SES sending mail. The functions send through the stand-in's SES v2 (moto records every raw
//! message); this module verifies the sending domain as a deployment does (moto, like SES, refuses
//! unverified senders) and serves `GET /__local/outbox`, the messages sent so far, oldest first, each
//! with its SES message id, sender, recipients, message tags and raw MIME: what a developer reads to
//! see what a customer would get, and what the tests assert on.
//!
//! Served by `make dev` and the tests' stack alike; AWS never runs this code.

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One message moto's SES recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentMessage {
    /// Its place in the order of sending, from 1.
    pub seq: u64,
    pub message_id: String,
    pub source: Option<String>,
    pub destinations: Vec<String>,
    pub raw: String,
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct SentList {
    messages: Vec<SentMessage>,
}

#[derive(Clone)]
pub struct LocalSes {
    endpoint: String,
    http: reqwest::Client,
}

impl LocalSes {
    pub fn new(endpoint: &str) -> Self {
        Self { endpoint: endpoint.trim_end_matches('/').to_owned(), http: reqwest::Client::new() }
    }

    /// Verifies `domain` as a sending identity (the deployment's DKIM setup, locally).
    pub async fn verify_domain(&self, domain: &str) -> Result<(), String> {
        let url = format!("{}/__switchboard/ses/verify-domain?domain={domain}", self.endpoint);
        let response = self.http.post(url).send().await.map_err(|err| format!("verifying {domain}: {err}"))?;
        if !response.status().is_success() {
            return Err(format!("verifying {domain}: {}", response.status()));
        }
        Ok(())
    }

    /// The messages sent after the `after`th.
    pub async fn sent_after(&self, after: u64) -> Result<Vec<SentMessage>, String> {
        let url = format!("{}/__switchboard/ses/sent?after={after}", self.endpoint);
        let response = self.http.get(url).send().await.map_err(|err| format!("reading sent mail: {err}"))?;
        if !response.status().is_success() {
            return Err(format!("reading sent mail: {}", response.status()));
        }
        let list: SentList = response.json().await.map_err(|err| format!("reading sent mail: {err}"))?;
        Ok(list.messages)
    }
}

pub fn routes(ses: LocalSes) -> Router {
    Router::new().route("/__local/outbox", get(outbox)).with_state(ses)
}

async fn outbox(State(ses): State<LocalSes>) -> (StatusCode, Json<Value>) {
    match ses.sent_after(0).await {
        Ok(messages) => (StatusCode::OK, Json(json!({ "messages": messages }))),
        Err(detail) => (StatusCode::BAD_GATEWAY, Json(json!({ "detail": detail }))),
    }
}
