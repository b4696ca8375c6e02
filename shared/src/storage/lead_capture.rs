//! Lead-capture endpoints (`LCEP#<id>` in the workspace partition, with a route item `LCROUTE#<id>`
//! outside every workspace that tells the public inbound route whose endpoint an id is), their delivery
//! log and replay guards (partition `WS#<ws>#LCEP#<id>`: `LCDELIVERY#<delivery>` and `LCSEEN#<sha256 of
//! the delivery id>`). Endpoints count against the plan through the workspace's
//! `lead_capture_endpoints_used`; a captured new lead counts in the month's new leads (usage item `leads`).
//! A captured lead, its replay guard, the month's count and the log entry are one transaction.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::leads::{LEADS_COUNTER, Lead, LeadWriteError, MonthlyLeads, Note};
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, Store, StoreError, TenantScope, events::Event, keys, n, s, string_attr};
use crate::domain::ids::{CaptureDeliveryId, CaptureEndpointId, LeadId, UserId, WorkspaceId};
use crate::domain::lead_capture::{CaptureKind, OnExistingLead};
use crate::domain::records::RecordRef;

const ENDPOINTS_COUNTER: &str = "lead_capture_endpoints_used";
const DELIVERIES_LISTING: &str = "capture-deliveries";
/// Log entries and replay guards expire after this many days (DynamoDB's TTL removes them).
pub const DELIVERY_RETENTION_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaptureEndpoint {
    pub id: CaptureEndpointId,
    pub name: String,
    pub kind: CaptureKind,
    /// Lead field → path (generic JSON, Zapier) or question ref (Typeform).
    pub mapping: BTreeMap<String, String>,
    pub on_existing_lead: OnExistingLead,
    /// Kept as it is: Typeform's HMAC is computed with the secret itself. Shown once, when made.
    pub secret: String,
    /// Disabled endpoints answer 404 to deliveries (and log nothing).
    pub enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<UserId>,
    pub secret_rotated_at: Option<Timestamp>,
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// A new lead was made.
    Created,
    /// The e-mail was a lead's; the lead was updated with the delivered fields.
    Updated,
    /// The e-mail was a lead's; a note on it records the delivery.
    Noted,
    /// The same delivery id came before: nothing was written again.
    Replayed,
    /// The signature or secret was missing or wrong (401): nothing was written.
    Unauthorized,
    /// The payload was not JSON, or gave no lead (422): nothing was written.
    Invalid,
    /// The plan's captured leads for the month are used up (429): nothing was written.
    LimitReached,
}

/// One inbound delivery as its log shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CaptureDelivery {
    pub id: CaptureDeliveryId,
    pub endpoint_id: CaptureEndpointId,
    pub received_at: Timestamp,
    pub outcome: DeliveryOutcome,
    pub lead_id: Option<LeadId>,
    /// Why a delivery was refused, or which mapped fields the payload lacked.
    pub detail: Option<String>,
    /// The raw body, cut at `MAX_LOGGED_PAYLOAD_BYTES`.
    pub payload: String,
    pub payload_truncated: bool,
    pub payload_bytes: u64,
}

/// What a captured delivery writes besides its log entry and replay guard.
pub enum CaptureEffect<'a> {
    /// A new lead, counted against the month's limit (`None`: unlimited).
    NewLead { lead: &'a Lead, events: &'a [Event], month: &'a str, monthly_limit: Option<u64> },
    /// An existing lead changed (`after` None when the delivery changed nothing).
    UpdatedLead { before: &'a Lead, after: Option<&'a Lead>, events: &'a [Event] },
    /// A note on an existing lead.
    Note { lead: LeadId, note: &'a Note, event: &'a Event },
}

/// Why a capture wrote nothing.
#[derive(Debug)]
pub enum CaptureWriteError {
    /// The delivery id was seen before: the earlier delivery's log entry id and lead.
    Replayed {
        delivery: Option<CaptureDeliveryId>,
        lead: Option<LeadId>,
    },
    /// The month's captured leads reached the limit (the count then).
    MonthlyLimit {
        used: u64,
    },
    /// Another lead took the e-mail meanwhile.
    Duplicate,
    /// The lead changed, or was deleted or merged away, since it was read.
    LeadChanged,
    /// The workspace has as many endpoints as its plan allows (the count then).
    EndpointLimit {
        used: u64,
    },
    /// The endpoint changed or disappeared since it was read.
    EndpointChanged,
    Store(StoreError),
}

impl From<StoreError> for CaptureWriteError {
    fn from(err: StoreError) -> Self {
        CaptureWriteError::Store(err)
    }
}

impl From<serde_dynamo::Error> for CaptureWriteError {
    fn from(err: serde_dynamo::Error) -> Self {
        CaptureWriteError::Store(err.into())
    }
}

#[derive(Debug, Clone, Copy)]
enum Refused {
    Replayed,
    MonthlyLimit,
    Duplicate,
    LeadChanged,
}

fn expires_at(now: Timestamp) -> i64 {
    now.as_second() + DELIVERY_RETENTION_DAYS * 24 * 3600
}

impl Store {
    /// A lead change's actions, its failures named for a capture.
    fn captured_lead_change(
        &self,
        scope: &TenantScope,
        before: Option<&Lead>,
        after: Option<&Lead>,
        events: &[Event],
    ) -> Result<Option<Transaction<Refused>>, CaptureWriteError> {
        match self.lead_change(scope, before, after, events) {
            Ok(change) => Ok(change.map(|change| {
                change.map_failures(|err| match err {
                    LeadWriteError::Duplicate => Refused::Duplicate,
                    _ => Refused::LeadChanged,
                })
            })),
            Err(LeadWriteError::Store(err)) => Err(err.into()),
            Err(_) => Err(CaptureWriteError::LeadChanged),
        }
    }

    fn capture_endpoint_item(&self, scope: &TenantScope, endpoint: &CaptureEndpoint) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(endpoint)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::capture_endpoint_sk(endpoint.id)));
        Ok(item)
    }

    fn capture_endpoints_counter(
        &self,
        scope: &TenantScope,
        delta: i64,
        limit: Option<u64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression(format!("ADD {ENDPOINTS_COUNTER} :delta"))
            .expression_attribute_values(":delta", n(delta))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        update = match (delta > 0, limit) {
            (true, Some(limit)) => update
                .condition_expression(format!(
                    "attribute_exists(PK) AND (attribute_not_exists({ENDPOINTS_COUNTER}) OR {ENDPOINTS_COUNTER} < :limit)"
                ))
                .expression_attribute_values(":limit", n(limit)),
            _ => update.condition_expression("attribute_exists(PK)"),
        };
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Creates an endpoint and its route item if the plan's `limit` allows one more, with its event.
    pub async fn create_capture_endpoint(
        &self,
        scope: &TenantScope,
        endpoint: &CaptureEndpoint,
        limit: Option<u64>,
        event: &Event,
    ) -> Result<(), CaptureWriteError> {
        struct LimitReached;
        let mut route: Item = Item::new();
        route.insert(keys::PK.to_owned(), s(keys::capture_route_pk(endpoint.id)));
        route.insert(keys::SK.to_owned(), s(keys::CAPTURE_ROUTE_SK));
        route.insert("workspace_id".to_owned(), s(scope.workspace_id().to_string()));
        let transaction = Transaction::new()
            .with_named(self.capture_endpoints_counter(scope, 1, limit)?, LimitReached)
            .with(self.put_new(self.capture_endpoint_item(scope, endpoint)?)?)
            .with(self.put_new(route)?)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: LimitReached, item }) => {
                Err(CaptureWriteError::EndpointLimit { used: super::counter_of(item.as_ref(), ENDPOINTS_COUNTER) })
            }
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    pub async fn get_capture_endpoint(
        &self,
        scope: &TenantScope,
        id: CaptureEndpointId,
    ) -> Result<Option<CaptureEndpoint>, StoreError> {
        self.get_record(scope.pk(), keys::capture_endpoint_sk(id)).await
    }

    /// The workspace an endpoint id belongs to (the public inbound route knows only the id).
    pub async fn capture_endpoint_workspace(&self, id: CaptureEndpointId) -> Result<Option<WorkspaceId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::capture_route_pk(id)))
            .key(keys::SK, s(keys::CAPTURE_ROUTE_SK))
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output.item.as_ref().and_then(|item| string_attr(item, "workspace_id")).and_then(|id| id.parse().ok()))
    }

    /// Every endpoint of the workspace (the plan caps them).
    pub async fn list_capture_endpoints(&self, scope: &TenantScope) -> Result<Vec<CaptureEndpoint>, StoreError> {
        self.query_prefix(scope, keys::CAPTURE_ENDPOINT_PREFIX).await
    }

    /// Replaces an endpoint if it is still at `read_version`, with its event.
    pub async fn update_capture_endpoint(
        &self,
        scope: &TenantScope,
        read_version: u64,
        endpoint: &CaptureEndpoint,
        event: &Event,
    ) -> Result<(), CaptureWriteError> {
        struct Changed;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.capture_endpoint_item(scope, endpoint)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), Changed)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Changed, .. }) => Err(CaptureWriteError::EndpointChanged),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// Removes an endpoint at `read_version` and its route item, giving its place back to the plan.
    /// Its log and guards expire by themselves.
    pub async fn delete_capture_endpoint(
        &self,
        scope: &TenantScope,
        id: CaptureEndpointId,
        read_version: u64,
        event: &Event,
    ) -> Result<(), CaptureWriteError> {
        struct Changed;
        let endpoint = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::capture_endpoint_sk(id)))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        let route = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::capture_route_pk(id)))
            .key(keys::SK, s(keys::CAPTURE_ROUTE_SK))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().delete(endpoint).build(), Changed)
            .with(TransactWriteItem::builder().delete(route).build())
            .with(self.capture_endpoints_counter(scope, -1, None)?)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Changed, .. }) => Err(CaptureWriteError::EndpointChanged),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    fn capture_delivery_item(&self, scope: &TenantScope, delivery: &CaptureDelivery) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(delivery)?;
        item.insert(keys::PK.to_owned(), s(keys::capture_deliveries_pk(scope.workspace_id(), delivery.endpoint_id)));
        item.insert(keys::SK.to_owned(), s(keys::capture_delivery_sk(delivery.id)));
        item.insert("expires_at".to_owned(), n(expires_at(delivery.received_at)));
        Ok(item)
    }

    /// Logs a delivery that wrote nothing else (refused, or a replay).
    pub async fn log_capture_delivery(
        &self,
        scope: &TenantScope,
        delivery: &CaptureDelivery,
    ) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.capture_delivery_item(scope, delivery)?))
            .send()
            .await
            .map_err(super::backend)?;
        Ok(())
    }

    /// Writes what a delivery captured, its replay guard (conditional: a delivery id seen before writes
    /// nothing) and its log entry, in one transaction.
    pub async fn capture_lead(
        &self,
        scope: &TenantScope,
        delivery: &CaptureDelivery,
        delivery_key: &str,
        effect: CaptureEffect<'_>,
    ) -> Result<(), CaptureWriteError> {
        let mut guard = Item::new();
        guard.insert(keys::PK.to_owned(), s(keys::capture_deliveries_pk(scope.workspace_id(), delivery.endpoint_id)));
        guard.insert(keys::SK.to_owned(), s(keys::capture_seen_sk(delivery_key)));
        guard.insert("delivery_id".to_owned(), s(delivery.id.to_string()));
        if let Some(lead) = delivery.lead_id {
            guard.insert("lead_id".to_owned(), s(lead.to_string()));
        }
        guard.insert("expires_at".to_owned(), n(expires_at(delivery.received_at)));
        let guard = Put::builder()
            .table_name(&self.table)
            .set_item(Some(guard))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(guard).build(), Refused::Replayed)
            .with(self.put_new(self.capture_delivery_item(scope, delivery)?)?);
        match effect {
            CaptureEffect::NewLead { lead, events, month, monthly_limit } => {
                if let Some(change) = self.captured_lead_change(scope, None, Some(lead), events)? {
                    transaction = transaction.with_all_of(change);
                }
                // After the lead: an e-mail taken meanwhile is named first (the delivery then updates
                // that lead, which is not a new one), even when the month is full.
                let usage = self.count_new_lead(scope, MonthlyLeads { month, limit: monthly_limit })?;
                transaction = transaction.with_named(usage, Refused::MonthlyLimit);
            }
            CaptureEffect::UpdatedLead { before, after: Some(after), events } => {
                if let Some(change) = self.captured_lead_change(scope, Some(before), Some(after), events)? {
                    transaction = transaction.with_all_of(change);
                }
            }
            CaptureEffect::UpdatedLead { before, after: None, .. } => {
                transaction = transaction.with_named(self.lead_live_check(scope, before.id)?, Refused::LeadChanged);
            }
            CaptureEffect::Note { lead, note, event } => {
                transaction = transaction
                    .with_named(self.lead_live_check(scope, lead)?, Refused::LeadChanged)
                    .with(self.note_put(scope, RecordRef::Lead(lead), note)?)
                    .with(self.put_event(scope, event)?);
            }
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure, item }) => Err(match failure {
                Refused::Replayed => CaptureWriteError::Replayed {
                    delivery: item
                        .as_ref()
                        .and_then(|item| string_attr(item, "delivery_id"))
                        .and_then(|id| id.parse().ok()),
                    lead: item.as_ref().and_then(|item| string_attr(item, "lead_id")).and_then(|id| id.parse().ok()),
                },
                Refused::MonthlyLimit => {
                    CaptureWriteError::MonthlyLimit { used: super::counter_of(item.as_ref(), LEADS_COUNTER) }
                }
                Refused::Duplicate => CaptureWriteError::Duplicate,
                Refused::LeadChanged => CaptureWriteError::LeadChanged,
            }),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// A delivery id's replay guard, if that id was captured before: the delivery and its lead.
    pub async fn capture_seen(
        &self,
        scope: &TenantScope,
        endpoint: CaptureEndpointId,
        delivery_key: &str,
    ) -> Result<Option<(Option<CaptureDeliveryId>, Option<LeadId>)>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::capture_deliveries_pk(scope.workspace_id(), endpoint)))
            .key(keys::SK, s(keys::capture_seen_sk(delivery_key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output.item.map(|item| {
            (
                string_attr(&item, "delivery_id").and_then(|id| id.parse().ok()),
                string_attr(&item, "lead_id").and_then(|id| id.parse().ok()),
            )
        }))
    }

    /// An endpoint's delivery log, newest first.
    pub async fn list_capture_deliveries(
        &self,
        scope: &TenantScope,
        endpoint: CaptureEndpointId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<CaptureDelivery>, StoreError> {
        let query = PageQuery {
            listing: DELIVERIES_LISTING,
            owner: format!("{}/{endpoint}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![
                (":pk", s(keys::capture_deliveries_pk(scope.workspace_id(), endpoint))),
                (":prefix", s(keys::CAPTURE_DELIVERY_PREFIX)),
            ],
            newest_first: true,
        };
        self.query_records(query, limit, cursor).await
    }
}
