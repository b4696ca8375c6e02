//! The JSON shapes of integrations: webhook endpoints, their delivery log, API keys.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{ApiKeyId, DeliveryId, EventId, WebhookId};
use crate::storage::webhooks::{
    Attempt, Delivery, DeliveryStatus, EndpointKind, EndpointStatus, EndpointTarget, StoredSecret, WebhookEndpoint,
};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed: an http(s) URL on the public internet.
    pub url: String,
    /// The event types to deliver, e.g. `["ticket.created", "sla.breached"]`.
    pub events: Vec<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// An empty string removes it.
    #[serde(default)]
    pub description: Option<String>,
    /// `active` (re-enables a paused or disabled endpoint) or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
    /// The version read; a stale one answers 409.
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecretRequest {
    /// How long the previous secret stays valid beside the new one (default 24, at most 168).
    #[serde(default)]
    pub grace_period_hours: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailedRequest {
    /// Replays the endpoint's failed deliveries made at or after this time (RFC 3339).
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecretView {
    /// Only the first characters; the whole secret is shown once, when it is made.
    pub prefix: String,
    /// When a previous secret stops being valid; none for the current one.
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: WebhookId,
    pub kind: EndpointKind,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub status: EndpointStatus,
    pub secrets: Vec<SecretView>,
    /// Failed attempts in a row (the circuit breaker pauses the endpoint after several over hours).
    pub consecutive_failures: u32,
    pub paused_at: Option<Timestamp>,
    /// When a paused endpoint gets its next probe delivery.
    pub next_probe_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

fn secret_prefix(secret: &StoredSecret) -> String {
    secret.secret.chars().take(12).collect()
}

impl WebhookView {
    /// The endpoint as its managers see it, its target opened.
    pub fn of(endpoint: &WebhookEndpoint, target: &EndpointTarget) -> Self {
        Self {
            id: endpoint.id,
            kind: endpoint.kind,
            url: target.url.clone(),
            events: endpoint.events.clone(),
            description: endpoint.description.clone(),
            status: endpoint.status,
            secrets: target
                .secrets
                .iter()
                .map(|secret| SecretView { prefix: secret_prefix(secret), expires_at: secret.expires_at })
                .collect(),
            consecutive_failures: endpoint.consecutive_failures,
            paused_at: endpoint.paused_at,
            next_probe_at: endpoint.next_probe_at,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
            version: endpoint.version,
        }
    }
}

/// An endpoint as created (or with a rotated secret): the only time the signing secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecretView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_<base64>`: verify deliveries with it (docs/webhooks.md). Shown once.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookListView {
    pub items: Vec<WebhookView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// The `webhook-id` header of every attempt.
    pub id: DeliveryId,
    pub endpoint_id: WebhookId,
    pub event_id: EventId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    /// When the next attempt is due, while pending.
    pub next_retry_at: Option<Timestamp>,
    pub replays: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<&Delivery> for DeliveryView {
    fn from(delivery: &Delivery) -> Self {
        let next_retry_at = match delivery.status {
            DeliveryStatus::Pending => delivery.attempts.last().and_then(|attempt| attempt.next_retry_at),
            _ => None,
        };
        Self {
            id: delivery.id,
            endpoint_id: delivery.endpoint_id,
            event_id: delivery.event_id,
            event_type: delivery.event_type.clone(),
            status: delivery.status,
            attempts: delivery.attempts.clone(),
            next_retry_at,
            replays: delivery.replays,
            created_at: delivery.created_at,
            updated_at: delivery.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPageView {
    pub items: Vec<DeliveryView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayView {
    /// The deliveries queued again.
    pub replayed: Vec<DeliveryId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    pub name: String,
    /// Permission names the key may use, e.g. `["tickets:read", "tickets:write"]`; never more than its
    /// creator's role allows.
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

/// A key as created or rotated: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyWithSecretView {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// Send it as `Authorization: Bearer <key>`. Shown once; only its hash is stored.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyListView {
    pub items: Vec<ApiKeyView>,
}
