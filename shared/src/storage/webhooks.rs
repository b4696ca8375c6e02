//! Webhook endpoints (`WEBHOOK#<id>`) and their delivery log (partition `WS#<ws>#WEBHOOK#<endpoint>`,
//! `DELIVERY#<delivery>`, one item per delivery holding every attempt). Endpoints count against the plan through the workspace's
//! `webhooks_used` counter, kept exact by the transactions that create and delete them.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::applied;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, QuerySpec, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::ids::{DeliveryId, EventId, UserId, WebhookId};
use crate::domain::sealed::Sealed;
use crate::domain::standing::Standing;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKind {
    /// A receiver of signed Standard Webhooks requests.
    Webhook,
    /// A Slack incoming webhook: messages in Slack's block format.
    Slack,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    /// Deliveries go out.
    Active,
    /// The circuit breaker opened after repeated failures: only probes go out until one succeeds
    /// or an admin re-enables the endpoint.
    Paused,
    /// An admin turned it off: no new deliveries are made.
    Disabled,
}

/// A signing secret; during a rotation the previous one stays valid until `expires_at`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredSecret {
    pub secret: String,
    pub expires_at: Option<Timestamp>,
}

/// Where an endpoint's deliveries go and what signs them, in the clear: only in the memory of the
/// functions that manage or deliver webhooks, never in the table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EndpointTarget {
    pub url: String,
    /// The current secret first, then any previous one still in its grace period (none for Slack).
    pub secrets: Vec<StoredSecret>,
}

impl EndpointTarget {
    /// The secrets that sign a delivery at `now`: the current one and those still in their grace period.
    pub fn valid_secrets(&self, now: Timestamp) -> impl Iterator<Item = &StoredSecret> {
        self.secrets.iter().filter(move |secret| secret.expires_at.is_none_or(|expires| expires > now))
    }
}

/// An endpoint's target as the table holds it: sealed (`services::webhooks::target`), or, for an
/// endpoint written before targets were sealed, in the clear until its next write seals it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum StoredTarget {
    Sealed { sealed_target: Sealed },
    Plain { url: String, secrets: Vec<StoredSecret> },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WebhookEndpoint {
    pub id: WebhookId,
    pub kind: EndpointKind,
    /// The URL and signing secrets, sealed.
    #[serde(flatten)]
    pub target: StoredTarget,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub status: EndpointStatus,
    #[serde(default)]
    pub consecutive_failures: u32,
    #[serde(default)]
    pub failing_since: Option<Timestamp>,
    #[serde(default)]
    pub paused_at: Option<Timestamp>,
    #[serde(default)]
    pub next_probe_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<UserId>,
    pub version: u64,
    /// Made by a REST-hook subscription (Zapier): its subscriber may unsubscribe it with a key that
    /// could not delete other webhooks.
    #[serde(default)]
    pub rest_hook: bool,
}

impl WebhookEndpoint {
    pub fn subscribes_to(&self, kind: &str) -> bool {
        self.events.iter().any(|event| event == kind)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Queued or between retries.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed; the message went to the dead-letter queue. Replayable.
    Failed,
    /// The endpoint was disabled or deleted before it was delivered.
    Cancelled,
    /// The workspace is suspended: kept, and queued again when it is reactivated.
    Held,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    Delivered,
    Failed,
    /// Not sent: the endpoint was paused (its circuit breaker open).
    Skipped,
}

/// One attempt, as the delivery log shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct Attempt {
    /// 1 for the first attempt of the delivery (or of a replay), then 2, 3...
    pub attempt: u32,
    pub at: Timestamp,
    pub outcome: AttemptOutcome,
    /// The receiver's HTTP status, when it answered.
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    /// The start of the receiver's answer, when it answered.
    pub response: Option<String>,
    /// Why the attempt failed, as a code: `invalid_url`, `target_forbidden`, `dns`, `connect_refused`,
    /// `timeout`, `tls`, `connection`, `http_3xx`, `http_4xx`, `http_5xx`, `http_other` or
    /// `endpoint_paused` (never the network error's text).
    #[schema(example = "connect_refused")]
    pub error: Option<String>,
    /// When the next attempt is due; none after a success or the last attempt.
    pub next_retry_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Delivery {
    pub id: DeliveryId,
    pub endpoint_id: WebhookId,
    pub event_id: EventId,
    pub event_type: String,
    /// The exact body sent on every attempt (signatures cover it).
    pub payload: String,
    pub status: DeliveryStatus,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    #[serde(default)]
    pub replays: u32,
}

/// How long the delivery log keeps a delivery.
pub const DELIVERY_TTL_SECS: i64 = 30 * 86_400;
/// A delivery can be replayed this many times (each replay may add a full series of attempts).
pub const MAX_REPLAYS: u32 = 10;

const DELIVERIES_LISTING: &str = "webhook-deliveries";

#[derive(Debug)]
pub enum WebhookWriteError {
    /// The workspace has as many endpoints as its plan allows (the count at the time).
    LimitReached {
        used: u64,
    },
    /// The endpoint changed or disappeared since it was read.
    VersionConflict,
    Store(StoreError),
}

impl From<StoreError> for WebhookWriteError {
    fn from(err: StoreError) -> Self {
        WebhookWriteError::Store(err)
    }
}

impl From<serde_dynamo::Error> for WebhookWriteError {
    fn from(err: serde_dynamo::Error) -> Self {
        WebhookWriteError::Store(err.into())
    }
}

impl Store {
    fn endpoint_item(&self, scope: &TenantScope, endpoint: &WebhookEndpoint) -> Result<Item, StoreError> {
        if !matches!(endpoint.target, StoredTarget::Sealed { .. }) {
            return Err(StoreError::Corrupt(format!(
                "webhook {} would be written with its target in the clear",
                endpoint.id
            )));
        }
        let mut item: Item = serde_dynamo::to_item(endpoint)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::webhook_sk(endpoint.id)));
        Ok(item)
    }

    fn webhooks_counter(
        &self,
        scope: &TenantScope,
        delta: i64,
        limit: Option<u64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("ADD webhooks_used :delta")
            .expression_attribute_values(":delta", n(delta))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        update = match (delta > 0, limit) {
            (true, Some(limit)) => update
                .condition_expression(
                    "attribute_exists(PK) AND (attribute_not_exists(webhooks_used) OR webhooks_used < :limit)",
                )
                .expression_attribute_values(":limit", n(limit)),
            _ => update.condition_expression("attribute_exists(PK)"),
        };
        let update = update.build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Creates an endpoint if the plan's `limit` allows one more, with its event.
    pub async fn create_webhook(
        &self,
        scope: &TenantScope,
        endpoint: &WebhookEndpoint,
        limit: Option<u64>,
        event: &Event,
    ) -> Result<(), WebhookWriteError> {
        struct LimitReached;
        let transaction = Transaction::new()
            .with_named(self.webhooks_counter(scope, 1, limit)?, LimitReached)
            .with(self.put_new(self.endpoint_item(scope, endpoint)?)?)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: LimitReached, item }) => {
                Err(WebhookWriteError::LimitReached { used: super::counter_of(item.as_ref(), "webhooks_used") })
            }
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    pub async fn get_webhook(&self, scope: &TenantScope, id: WebhookId) -> Result<Option<WebhookEndpoint>, StoreError> {
        self.get_record(scope.pk(), keys::webhook_sk(id)).await
    }

    /// Every endpoint of the workspace (the plan caps them at a hundred).
    pub async fn list_webhooks(&self, scope: &TenantScope) -> Result<Vec<WebhookEndpoint>, StoreError> {
        self.query_prefix::<WebhookEndpoint>(scope, keys::WEBHOOK_PREFIX).await
    }

    /// Replaces what an admin controls (the sealed URL and secrets, events, description, status) if the
    /// endpoint is still at `read_version`, with its event; a target kept in the clear before sealing is
    /// removed. The delivery health fields are left as they are, unless `reset_health` (re-enabling
    /// clears the breaker).
    pub async fn update_webhook(
        &self,
        scope: &TenantScope,
        read_version: u64,
        endpoint: &WebhookEndpoint,
        reset_health: bool,
        event: &Event,
    ) -> Result<(), WebhookWriteError> {
        let StoredTarget::Sealed { sealed_target } = &endpoint.target else {
            return Err(StoreError::Corrupt(format!(
                "webhook {} would be written with its target in the clear",
                endpoint.id
            ))
            .into());
        };
        let mut expression = "SET sealed_target = :sealed_target, events = :events, description = :description, \
             #status = :status, updated_at = :updated_at, version = :version"
            .to_owned();
        if reset_health {
            expression.push_str(", consecutive_failures = :zero");
        }
        expression.push_str(" REMOVE #url, secrets");
        if reset_health {
            expression.push_str(", failing_since, paused_at, next_probe_at");
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(endpoint.id)))
            .update_expression(expression)
            .condition_expression("version = :read_version")
            .expression_attribute_names("#url", "url")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":sealed_target", serde_dynamo::to_attribute_value(sealed_target)?)
            .expression_attribute_values(":events", serde_dynamo::to_attribute_value(&endpoint.events)?)
            .expression_attribute_values(":description", serde_dynamo::to_attribute_value(&endpoint.description)?)
            .expression_attribute_values(":status", serde_dynamo::to_attribute_value(endpoint.status)?)
            .expression_attribute_values(":updated_at", serde_dynamo::to_attribute_value(endpoint.updated_at)?)
            .expression_attribute_values(":version", n(endpoint.version))
            .expression_attribute_values(":read_version", n(read_version));
        if reset_health {
            update = update.expression_attribute_values(":zero", n(0));
        }
        let update = update.build().map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), WebhookWriteError::VersionConflict)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Deletes an endpoint still at `read_version`, freeing its place in the plan, with its event. Its
    /// delivery log stays until it expires.
    pub async fn delete_webhook(
        &self,
        scope: &TenantScope,
        id: WebhookId,
        read_version: u64,
        event: &Event,
    ) -> Result<(), WebhookWriteError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(id)))
            .condition_expression("version = :read_version")
            .expression_attribute_values(":read_version", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().delete(delete).build(), WebhookWriteError::VersionConflict)
            .with(self.webhooks_counter(scope, -1, None)?)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// A failed attempt: counts it and notes since when the endpoint fails. Returns the endpoint after.
    pub async fn note_endpoint_failure(
        &self,
        scope: &TenantScope,
        id: WebhookId,
        now: Timestamp,
    ) -> Result<Option<WebhookEndpoint>, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(id)))
            .update_expression("ADD consecutive_failures :one SET failing_since = if_not_exists(failing_since, :now)")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", serde_dynamo::to_attribute_value(now)?)
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match applied(output)? {
            Some(output) => output.attributes.map(serde_dynamo::from_item).transpose().map_err(StoreError::from),
            None => Ok(None),
        }
    }

    /// A successful attempt: the failure streak ends. Cheap when there was none (the condition fails).
    pub async fn note_endpoint_success(&self, scope: &TenantScope, id: WebhookId) -> Result<(), StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(id)))
            .update_expression("SET consecutive_failures = :zero REMOVE failing_since")
            .condition_expression("consecutive_failures > :zero")
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        // Refused by the condition: nothing to do.
        applied(output)?;
        Ok(())
    }

    /// Moves an endpoint between active and paused (the circuit breaker) at the event's time, with the
    /// event, unless it is no longer in `from` (someone else did it, or an admin changed it). Returns
    /// whether it moved.
    pub async fn switch_endpoint_circuit(
        &self,
        scope: &TenantScope,
        id: WebhookId,
        from: EndpointStatus,
        to: EndpointStatus,
        next_probe_at: Option<Timestamp>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(id)))
            .condition_expression("#status = :from")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", serde_dynamo::to_attribute_value(from)?)
            .expression_attribute_values(":to", serde_dynamo::to_attribute_value(to)?);
        update = match to {
            EndpointStatus::Paused => update
                .update_expression("SET #status = :to, paused_at = :now, next_probe_at = :probe")
                .expression_attribute_values(":now", serde_dynamo::to_attribute_value(event.at)?)
                .expression_attribute_values(":probe", serde_dynamo::to_attribute_value(next_probe_at)?),
            _ => update
                .update_expression(
                    "SET #status = :to, consecutive_failures = :zero REMOVE paused_at, next_probe_at, failing_since",
                )
                .expression_attribute_values(":zero", n(0)),
        };
        let update = update.build().map_err(StoreError::from)?;
        struct StatusChanged;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), StatusChanged)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: StatusChanged, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// Moves a paused endpoint's next probe (a probe is being sent now). Returns whether this caller won it.
    pub async fn claim_probe(
        &self,
        scope: &TenantScope,
        id: WebhookId,
        due: Timestamp,
        next: Timestamp,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::webhook_sk(id)))
            .update_expression("SET next_probe_at = :next")
            .condition_expression("next_probe_at = :due")
            .expression_attribute_values(":due", serde_dynamo::to_attribute_value(due)?)
            .expression_attribute_values(":next", serde_dynamo::to_attribute_value(next)?)
            .send()
            .await;
        Ok(applied(output)?.is_some())
    }

    fn delivery_key(scope: &TenantScope, endpoint: WebhookId, delivery: DeliveryId) -> [(String, AttributeValue); 2] {
        [
            (keys::PK.to_owned(), s(keys::deliveries_pk(scope.workspace_id(), endpoint))),
            (keys::SK.to_owned(), s(keys::delivery_sk(delivery))),
        ]
    }

    /// Writes a new delivery unless it exists; returns the existing one if it does (a redelivered event).
    pub async fn put_delivery_if_absent(
        &self,
        scope: &TenantScope,
        delivery: &Delivery,
        now_epoch: i64,
    ) -> Result<Option<Delivery>, StoreError> {
        let mut item: Item = serde_dynamo::to_item(delivery)?;
        item.extend(Self::delivery_key(scope, delivery.endpoint_id, delivery.id));
        item.insert(keys::TTL.to_owned(), n(now_epoch + DELIVERY_TTL_SECS));
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match put {
            Ok(_) => Ok(None),
            Err(err) => match err.into_service_error() {
                aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(failed) => {
                    Ok(failed.item.map(serde_dynamo::from_item).transpose()?)
                }
                other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
            },
        }
    }

    /// A delivery, its endpoint and the workspace's standing in one consistent BatchGetItem (the
    /// delivery function's read).
    pub async fn delivery_with_endpoint(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
    ) -> Result<(Option<Delivery>, Option<WebhookEndpoint>, Standing), StoreError> {
        let key = |pk: String, sk: String| -> Item {
            [(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))].into_iter().collect()
        };
        let endpoint_key = key(scope.pk(), keys::webhook_sk(endpoint));
        let workspace_key = key(scope.pk(), keys::WORKSPACE_SK.to_owned());
        let delivery_key: Item = Self::delivery_key(scope, endpoint, delivery).into_iter().collect();
        let (mut found_delivery, mut found_endpoint, mut standing) = (None, None, Standing::Active);
        for item in self.batch_get(vec![endpoint_key, workspace_key, delivery_key]).await? {
            match super::string_attr(&item, keys::SK) {
                Some(sk) if sk.starts_with(keys::WEBHOOK_PREFIX) => {
                    found_endpoint = Some(serde_dynamo::from_item(item)?)
                }
                Some(sk) if sk == keys::WORKSPACE_SK => {
                    let workspace: super::workspaces::Workspace = serde_dynamo::from_item(item)?;
                    standing = workspace.standing;
                }
                _ => found_delivery = Some(serde_dynamo::from_item(item)?),
            }
        }
        Ok((found_delivery, found_endpoint, standing))
    }

    /// The ids of an endpoint's held deliveries (its workspace was suspended), oldest first.
    pub async fn held_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
    ) -> Result<Vec<DeliveryId>, StoreError> {
        let query = QuerySpec::new("PK = :pk")
            .filter("#status = :held")
            .project("id")
            .name("#status", "status")
            .value(":pk", s(keys::deliveries_pk(scope.workspace_id(), endpoint)))
            .value(":held", serde_dynamo::to_attribute_value(DeliveryStatus::Held)?);
        let mut ids = Vec::new();
        self.query_each(&query, |item| {
            if let Some(id) = super::string_attr(&item, "id").and_then(|id| id.parse().ok()) {
                ids.push(id);
            }
            Ok(ControlFlow::Continue(()))
        })
        .await?;
        Ok(ids)
    }

    /// Makes a held delivery pending again; false when it is no longer held (released by someone else).
    pub async fn release_held_delivery(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::delivery_key(scope, endpoint, delivery).into_iter().collect()))
            .update_expression("SET #status = :pending, updated_at = :at")
            .condition_expression("attribute_exists(PK) AND #status = :held")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", serde_dynamo::to_attribute_value(DeliveryStatus::Pending)?)
            .expression_attribute_values(":held", serde_dynamo::to_attribute_value(DeliveryStatus::Held)?)
            .expression_attribute_values(":at", serde_dynamo::to_attribute_value(now)?)
            .send()
            .await;
        Ok(applied(output)?.is_some())
    }

    pub async fn get_delivery(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
    ) -> Result<Option<Delivery>, StoreError> {
        self.get_record(keys::deliveries_pk(scope.workspace_id(), endpoint), keys::delivery_sk(delivery)).await
    }

    /// Appends an attempt and sets the delivery's status. A delivery already delivered stays so (a
    /// duplicate message may still be attempted); returns false then.
    pub async fn record_attempt(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
        attempt: &Attempt,
        status: DeliveryStatus,
    ) -> Result<bool, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::delivery_key(scope, endpoint, delivery).into_iter().collect()))
            .update_expression(
                "SET attempts = list_append(if_not_exists(attempts, :empty), :attempt), #status = :status, \
                 updated_at = :at",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
            .expression_attribute_values(
                ":attempt",
                AttributeValue::L(vec![serde_dynamo::to_attribute_value(attempt)?]),
            )
            .expression_attribute_values(":status", serde_dynamo::to_attribute_value(status)?)
            .expression_attribute_values(":at", serde_dynamo::to_attribute_value(attempt.at)?);
        request = if status == DeliveryStatus::Delivered {
            request.condition_expression("attribute_exists(PK)")
        } else {
            request
                .condition_expression("attribute_exists(PK) AND #status <> :delivered")
                .expression_attribute_values(":delivered", serde_dynamo::to_attribute_value(DeliveryStatus::Delivered)?)
        };
        Ok(applied(request.send().await)?.is_some())
    }

    /// Sets the final status of a delivery that is not delivered (failed from the DLQ, or cancelled).
    /// Returns false if it was delivered after all or is gone.
    pub async fn finish_delivery(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
        status: DeliveryStatus,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::delivery_key(scope, endpoint, delivery).into_iter().collect()))
            .update_expression("SET #status = :status, updated_at = :at")
            .condition_expression("attribute_exists(PK) AND #status <> :delivered")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", serde_dynamo::to_attribute_value(status)?)
            .expression_attribute_values(":delivered", serde_dynamo::to_attribute_value(DeliveryStatus::Delivered)?)
            .expression_attribute_values(":at", serde_dynamo::to_attribute_value(now)?)
            .send()
            .await;
        Ok(applied(output)?.is_some())
    }

    /// Marks a delivery pending again for a replay, unless it is pending already (in flight) or was
    /// replayed too often. Returns the delivery as it was, or None when the condition refused it.
    pub async fn start_replay(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        delivery: DeliveryId,
        now: Timestamp,
    ) -> Result<Option<Delivery>, StoreError> {
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::delivery_key(scope, endpoint, delivery).into_iter().collect()))
            .update_expression("SET #status = :pending, updated_at = :at ADD replays :one")
            .condition_expression(
                "attribute_exists(PK) AND #status <> :pending AND (attribute_not_exists(replays) OR replays < :max)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", serde_dynamo::to_attribute_value(DeliveryStatus::Pending)?)
            .expression_attribute_values(":at", serde_dynamo::to_attribute_value(now)?)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(MAX_REPLAYS))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match applied(output)? {
            Some(output) => Ok(output.attributes.map(serde_dynamo::from_item).transpose()?),
            None => Ok(None),
        }
    }

    /// An endpoint's delivery log, newest first.
    pub async fn list_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Delivery>, StoreError> {
        let query = PageQuery {
            listing: DELIVERIES_LISTING,
            owner: format!("{}/{endpoint}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk",
            values: vec![(":pk", s(keys::deliveries_pk(scope.workspace_id(), endpoint)))],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }

    /// The ids of an endpoint's failed deliveries made at or after `since`, oldest first, at most `max`.
    pub async fn failed_deliveries_since(
        &self,
        scope: &TenantScope,
        endpoint: WebhookId,
        since: Timestamp,
        max: usize,
    ) -> Result<Vec<DeliveryId>, StoreError> {
        let from = keys::delivery_sk(DeliveryId::first_at(since));
        // Every delivery key sorts below the prefix followed by "~".
        let to = format!("{}~", keys::DELIVERY_PREFIX);
        let query = QuerySpec::new("PK = :pk AND SK BETWEEN :from AND :to")
            .filter("#status = :failed")
            .project("id")
            .name("#status", "status")
            .value(":pk", s(keys::deliveries_pk(scope.workspace_id(), endpoint)))
            .value(":from", s(from))
            .value(":to", s(to))
            .value(":failed", serde_dynamo::to_attribute_value(DeliveryStatus::Failed)?);
        let mut ids = Vec::new();
        self.query_each(&query, |item| {
            if let Some(id) = super::string_attr(&item, "id").and_then(|id| id.parse().ok()) {
                ids.push(id);
            }
            Ok(if ids.len() >= max { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
        })
        .await?;
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(target: StoredTarget) -> WebhookEndpoint {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        WebhookEndpoint {
            id: WebhookId::generate(),
            kind: EndpointKind::Webhook,
            target,
            events: vec!["ticket.created".to_owned()],
            description: None,
            status: EndpointStatus::Active,
            consecutive_failures: 3,
            failing_since: None,
            paused_at: None,
            next_probe_at: None,
            created_at: now,
            updated_at: now,
            created_by: None,
            version: 7,
            rest_hook: false,
        }
    }

    #[test]
    fn a_sealed_target_is_stored_as_its_sealed_form_alone_and_read_back() {
        let sealed = Sealed {
            format: 1,
            wrapped_key: "d3JhcHBlZA==".to_owned(),
            nonce: "bm9uY2U=".to_owned(),
            ciphertext: "Y2lwaGVy".to_owned(),
        };
        let stored = endpoint(StoredTarget::Sealed { sealed_target: sealed });
        let item: Item = serde_dynamo::to_item(&stored).unwrap();
        assert!(item.contains_key("sealed_target"));
        assert!(!item.contains_key("url") && !item.contains_key("secrets"), "{item:?}");
        let read: WebhookEndpoint = serde_dynamo::from_item(item).unwrap();
        assert_eq!(read, stored);
    }

    #[test]
    fn an_item_written_before_sealing_reads_as_a_target_in_the_clear() {
        let plain = StoredTarget::Plain {
            url: "https://crm.example.com/hooks?token=t".to_owned(),
            secrets: vec![StoredSecret { secret: "whsec_abc".to_owned(), expires_at: None }],
        };
        let item: Item = serde_dynamo::to_item(endpoint(plain.clone())).unwrap();
        assert_eq!(item["url"], AttributeValue::S("https://crm.example.com/hooks?token=t".to_owned()));
        let read: WebhookEndpoint = serde_dynamo::from_item(item).unwrap();
        assert_eq!(read.target, plain);
        assert_eq!(read.consecutive_failures, 3);
        assert_eq!(read.version, 7);
    }
}
