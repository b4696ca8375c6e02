//! What billing keeps of Stripe: which events were taken in (by id, so a retried or duplicated delivery
//! is queued once), which workspace a Stripe customer is, the workspace's subscription as last heard
//! and its invoices. Every write of Stripe's state is conditional on the Stripe event's `created` time
//! being no older than the one that wrote it last, so events applied out of order end in the newest state.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::query::QuerySpec;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, TenantScope, applied, backend, items_of, keys, n, s};
use crate::domain::ids::WorkspaceId;

/// How long an event id is remembered: Stripe retries a delivery for up to three days.
const EVENT_KEEP_SECONDS: i64 = 30 * 86_400;
/// The invoices `GET /api/v1/billing` lists (two years of monthly invoices).
pub const INVOICES_LISTED: usize = 24;

/// The workspace's subscription as the newest Stripe event applied said.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BillingRecord {
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub subscription_id: Option<String>,
    /// Stripe's subscription status (`active`, `trialing`, `past_due`, `unpaid`, `canceled`, …).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub price_id: Option<String>,
    #[serde(default)]
    pub current_period_start: Option<Timestamp>,
    #[serde(default)]
    pub current_period_end: Option<Timestamp>,
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// `created` (Unix seconds) of the event the subscription fields came from.
    #[serde(default)]
    pub subscription_at: Option<i64>,
    /// `created` of the event whose payment signal (subscription status or invoice outcome) was applied last.
    #[serde(default)]
    pub signal_at: Option<i64>,
}

/// A subscription's state as one event carried it.
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionState {
    pub customer_id: String,
    pub subscription_id: String,
    pub status: String,
    pub price_id: Option<String>,
    pub current_period_start: Option<Timestamp>,
    pub current_period_end: Option<Timestamp>,
    pub cancel_at_period_end: bool,
}

/// One invoice as the workspace's owner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub id: String,
    #[serde(default)]
    pub number: Option<String>,
    /// In the currency's smallest unit (cents).
    pub amount_due: i64,
    pub amount_paid: i64,
    pub currency: String,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    pub status: String,
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
    #[serde(default)]
    pub invoice_pdf: Option<String>,
    pub created: Timestamp,
    /// `created` of the event that wrote it.
    pub event_at: i64,
}

fn event_key(event_id: &str) -> Item {
    [(keys::PK.to_owned(), s(keys::stripe_event_pk(event_id))), (keys::SK.to_owned(), s(keys::STRIPE_EVENT_SK))]
        .into_iter()
        .collect()
}

impl Store {
    /// Takes in a Stripe event id: true the first time, false when it was taken in before.
    pub async fn claim_stripe_event(&self, event_id: &str, kind: &str, now: Timestamp) -> Result<bool, StoreError> {
        let mut item = event_key(event_id);
        item.insert("type".to_owned(), s(kind));
        item.insert("received_at".to_owned(), s(now.to_string()));
        item.insert(keys::TTL.to_owned(), n(now.as_second() + EVENT_KEEP_SECONDS));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(backend(err)),
        }
    }

    /// Forgets an event id taken in whose queueing failed, so Stripe's retry is taken in again.
    pub async fn release_stripe_event(&self, event_id: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(event_key(event_id)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Records which workspace a Stripe customer bills; a customer never moves to another workspace.
    pub async fn link_stripe_customer(&self, customer_id: &str, workspace_id: WorkspaceId) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::stripe_customer_pk(customer_id)))
            .key(keys::SK, s(keys::STRIPE_CUSTOMER_SK))
            .update_expression("SET workspace_id = :ws")
            .condition_expression("attribute_not_exists(workspace_id) OR workspace_id = :ws")
            .expression_attribute_values(":ws", s(workspace_id.to_string()))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    /// The workspace a Stripe customer bills, if known.
    pub async fn stripe_customer_workspace(&self, customer_id: &str) -> Result<Option<WorkspaceId>, StoreError> {
        #[derive(Deserialize)]
        struct Link {
            workspace_id: WorkspaceId,
        }
        let link: Option<Link> =
            self.get_record(keys::stripe_customer_pk(customer_id), keys::STRIPE_CUSTOMER_SK).await?;
        Ok(link.map(|link| link.workspace_id))
    }

    pub async fn get_billing(&self, scope: &TenantScope) -> Result<BillingRecord, StoreError> {
        Ok(self.get_record(scope.pk(), keys::BILLING_SK).await?.unwrap_or_default())
    }

    /// Sets the workspace's Stripe customer (from the Checkout session that created it).
    pub async fn set_billing_customer(&self, scope: &TenantScope, customer_id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::BILLING_SK))
            .update_expression("SET customer_id = :customer")
            .expression_attribute_values(":customer", s(customer_id))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Writes the subscription's state from an event created at `at` (Unix seconds), with the workspace's
    /// `subscription_status`, unless a newer event wrote it already: false then, nothing written.
    pub async fn record_subscription(
        &self,
        scope: &TenantScope,
        state: &SubscriptionState,
        at: i64,
    ) -> Result<bool, StoreError> {
        #[derive(Clone, Copy)]
        enum Refused {
            Newer,
        }
        let optional_time = |time: Option<Timestamp>| time.map_or_else(|| s(""), |time| s(time.to_string()));
        let billing = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::BILLING_SK))
            .update_expression(
                "SET customer_id = :customer, subscription_id = :subscription, #status = :status, price_id = :price, \
                 current_period_start = :start, current_period_end = :end, cancel_at_period_end = :cancel, \
                 subscription_at = :at",
            )
            .condition_expression("attribute_not_exists(subscription_at) OR subscription_at <= :at")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":customer", s(&state.customer_id))
            .expression_attribute_values(":subscription", s(&state.subscription_id))
            .expression_attribute_values(":status", s(&state.status))
            .expression_attribute_values(":price", state.price_id.as_deref().map_or_else(|| s(""), s))
            .expression_attribute_values(":start", optional_time(state.current_period_start))
            .expression_attribute_values(":end", optional_time(state.current_period_end))
            .expression_attribute_values(
                ":cancel",
                aws_sdk_dynamodb::types::AttributeValue::Bool(state.cancel_at_period_end),
            )
            .expression_attribute_values(":at", n(at))
            .build()?;
        let workspace = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("SET subscription_status = :status")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":status", s(&state.status))
            .build()?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(billing).build(), Refused::Newer)
            .with(TransactWriteItem::builder().update(workspace).build());
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: Refused::Newer, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// Claims the right to apply a payment signal from an event created at `at`: false when a signal
    /// of a newer event was applied already (the older one is then ignored).
    pub async fn claim_payment_signal(&self, scope: &TenantScope, at: i64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::BILLING_SK))
            .update_expression("SET signal_at = :at")
            .condition_expression("attribute_not_exists(signal_at) OR signal_at <= :at")
            .expression_attribute_values(":at", n(at))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    /// Writes an invoice as an event created at `at` shows it, unless a newer event wrote it: false then.
    pub async fn record_invoice(&self, scope: &TenantScope, invoice: &InvoiceRecord) -> Result<bool, StoreError> {
        let mut item: Item = serde_dynamo::to_item(invoice)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::invoice_sk(invoice.created, &invoice.id)));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR event_at <= :at")
            .expression_attribute_values(":at", n(invoice.event_at))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(false),
            Err(err) => Err(backend(err)),
        }
    }

    /// The workspace's invoices, newest first (at most [`INVOICES_LISTED`]): one Query.
    pub async fn list_invoices(&self, scope: &TenantScope) -> Result<Vec<InvoiceRecord>, StoreError> {
        let query = QuerySpec::under_prefix(scope, keys::INVOICE_PREFIX).consistent().newest_first(true);
        let (items, _) = self.query_up_to(&query, None, INVOICES_LISTED, 1).await?;
        items_of(&items)
    }
}
