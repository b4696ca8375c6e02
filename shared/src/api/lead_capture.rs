//! The JSON shapes of lead capture: endpoints, their delivery log, the mapping tester, the inbound
//! answer and Zapier's REST-hook subscriptions.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{CaptureDeliveryId, CaptureEndpointId, LeadId, WebhookId};
use crate::domain::lead_capture::{CaptureKind, OnExistingLead};
use crate::storage::lead_capture::{CaptureDelivery, CaptureEndpoint, DeliveryOutcome};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCaptureEndpointRequest {
    /// What the endpoint is for, e.g. "Pricing page form" (1 to 100 characters).
    pub name: String,
    /// `typeform`, `zapier` or `json`.
    pub kind: String,
    /// Lead field (`name`, `first_name`, `last_name`, `email`, `phone`, `company`, `title`,
    /// `attributes.<key>`) → where its value is: a question ref for Typeform, a dotted path with array
    /// indices (`contact.emails[0].value`) otherwise.
    pub mapping: BTreeMap<String, String>,
    /// `update` (default): a delivery whose e-mail is a lead's updates it; `note`: adds a note to it.
    #[serde(default)]
    pub on_existing_lead: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaptureEndpointRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub mapping: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub on_existing_lead: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The version read; a stale one answers 409.
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureEndpointView {
    pub id: CaptureEndpointId,
    pub name: String,
    pub kind: CaptureKind,
    pub mapping: BTreeMap<String, String>,
    pub on_existing_lead: OnExistingLead,
    pub enabled: bool,
    /// Where the sender posts: `/api/v1/inbound/leads/{id}` on this API's host.
    pub inbound_path: String,
    /// The secret's first characters; the whole secret is shown once, when made or rotated.
    pub secret_prefix: String,
    pub secret_rotated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl From<&CaptureEndpoint> for CaptureEndpointView {
    fn from(endpoint: &CaptureEndpoint) -> Self {
        Self {
            id: endpoint.id,
            name: endpoint.name.clone(),
            kind: endpoint.kind,
            mapping: endpoint.mapping.clone(),
            on_existing_lead: endpoint.on_existing_lead,
            enabled: endpoint.enabled,
            inbound_path: format!("/api/v1/inbound/leads/{}", endpoint.id),
            secret_prefix: endpoint.secret.chars().take(12).collect(),
            secret_rotated_at: endpoint.secret_rotated_at,
            created_at: endpoint.created_at,
            updated_at: endpoint.updated_at,
            version: endpoint.version,
        }
    }
}

/// An endpoint with its whole secret: the answer to creating it or rotating its secret, and the
/// only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureEndpointWithSecretView {
    pub endpoint: CaptureEndpointView,
    /// For Typeform, paste it as the webhook's secret; for Zapier and JSON senders, send it as
    /// `X-Capture-Secret`.
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureEndpointList {
    pub items: Vec<CaptureEndpointView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureDeliveryView {
    pub id: CaptureDeliveryId,
    pub received_at: Timestamp,
    pub outcome: DeliveryOutcome,
    pub lead_id: Option<LeadId>,
    pub detail: Option<String>,
    /// The raw body as received, cut at 8 KiB (`payload_truncated`).
    pub payload: String,
    pub payload_truncated: bool,
    pub payload_bytes: u64,
}

impl From<&CaptureDelivery> for CaptureDeliveryView {
    fn from(delivery: &CaptureDelivery) -> Self {
        Self {
            id: delivery.id,
            received_at: delivery.received_at,
            outcome: delivery.outcome,
            lead_id: delivery.lead_id,
            detail: delivery.detail.clone(),
            payload: delivery.payload.clone(),
            payload_truncated: delivery.payload_truncated,
            payload_bytes: delivery.payload_bytes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureDeliveryList {
    pub items: Vec<CaptureDeliveryView>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMappingRequest {
    /// `typeform`, `zapier` or `json`.
    pub kind: String,
    pub mapping: BTreeMap<String, String>,
    /// A sample delivery, as the sender would post it.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// What a mapping reads from a sample payload; nothing is saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestMappingResult {
    /// Lead field → the value the payload gives it.
    pub fields: BTreeMap<String, String>,
    /// The name the lead would get (`name`, else first and last name, else the e-mail).
    pub lead_name: Option<String>,
    /// Mapped fields the payload has no value for.
    pub missing: Vec<String>,
    /// Why this payload would be refused (no name, a bad e-mail...); none when it would make a lead.
    pub problems: Vec<String>,
}

/// The answer to an inbound delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaptureResult {
    pub delivery_id: Option<CaptureDeliveryId>,
    pub outcome: DeliveryOutcome,
    pub lead_id: Option<LeadId>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RestHookSubscribeRequest {
    /// Where Zapier wants lead events POSTed (its `bundle.targetUrl`).
    #[serde(alias = "targetUrl", alias = "hookUrl")]
    pub target_url: String,
    /// Lead event types, `lead.created` by default (any `lead.*` type).
    #[serde(default)]
    pub events: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RestHookView {
    /// The subscription's id: unsubscribe with `DELETE /api/v1/zapier/hooks/{id}`.
    pub id: WebhookId,
    pub target_url: String,
    pub events: Vec<String>,
}
