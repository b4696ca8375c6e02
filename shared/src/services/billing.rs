//! Stripe's events applied to a workspace, and the owner's view of its billing. The webhook (functions/
//! billing) verifies an event's signature, takes its id in once and queues it; the worker calls
//! [`apply`]. Only the fields used are read from the event, as plain JSON, so the parse does not depend
//! on Stripe's generated types for every object.
//!
//! Order: Stripe does not promise delivery order. Every write compares the event's `created` with the
//! one that wrote last (per workspace: the subscription's fields, the payment signal; per invoice: its
//! row), so an older event arriving late changes nothing. Two events of the same second apply in the
//! order they arrive.

use jiff::Timestamp;
use serde_json::Value;

use super::plans::{self, PlanChanger};
use super::{ServiceError, ServiceResult};
use crate::api::{
    BillingView, ChangePlanRequest, CheckoutRequest, InvoiceView, NextInvoiceView, PlanOfferView, SubscriptionView,
};
use crate::app::App;
use crate::auth::principal::MemberPrincipal;
use crate::domain::FieldError;
use crate::domain::ids::WorkspaceId;
use crate::domain::plan::PlanId;
use crate::domain::standing::{DEFAULT_GRACE, PaymentSignal};
use crate::storage::TenantScope;
use crate::storage::billing::{InvoiceRecord, SubscriptionState};

/// The events the worker applies; the webhook acknowledges every other type without queueing it.
pub const HANDLED_EVENTS: [&str; 7] = [
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "invoice.finalized",
];

/// The envelope of a Stripe event: what the webhook needs to take it in.
#[derive(Debug, Clone, PartialEq)]
pub struct StripeEvent {
    pub id: String,
    pub kind: String,
    /// Unix seconds, Stripe's clock.
    pub created: i64,
    /// `data.object`.
    pub object: Value,
}

/// Reads an event's envelope; `Err` says what is missing.
pub fn parse_event(body: &[u8]) -> Result<StripeEvent, String> {
    let value: Value = serde_json::from_slice(body).map_err(|err| format!("not JSON: {err}"))?;
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let id = text("id").filter(|id| id.starts_with("evt_")).ok_or("no event id (`evt_…`)")?;
    let kind = text("type").ok_or("no event type")?;
    let created = value.get("created").and_then(Value::as_i64).ok_or("no `created` time")?;
    let object = value.get("data").and_then(|data| data.get("object")).cloned().ok_or("no `data.object`")?;
    if !object.is_object() {
        return Err("`data.object` is not an object".to_owned());
    }
    Ok(StripeEvent { id, kind, created, object })
}

/// What applying an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Written (in whole or in part: an older part may have been left alone).
    Applied,
    /// A newer event had written everything it carries: nothing changed.
    Stale,
    /// Not an event billing acts on, or one about something that is not a workspace's subscription.
    Ignored,
}

/// Why an event could not be applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The event can never be applied (malformed, or about a workspace that does not exist).
    #[error("unusable Stripe event: {0}")]
    Unusable(String),
    /// Not yet: which workspace it is about is unknown until the Checkout session's event is applied,
    /// or the store failed. Retried.
    #[error("Stripe event not applied yet: {0}")]
    NotYet(String),
}

impl From<ServiceError> for ApplyError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound(what) => ApplyError::Unusable(format!("{what} does not exist")),
            other => ApplyError::NotYet(other.to_string()),
        }
    }
}

impl From<crate::storage::StoreError> for ApplyError {
    fn from(err: crate::storage::StoreError) -> Self {
        ApplyError::NotYet(err.to_string())
    }
}

fn text_at<'a>(object: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut at = object;
    for name in path {
        at = at.get(*name)?;
    }
    at.as_str().filter(|text| !text.is_empty())
}

fn time_at(object: &Value, path: &[&str]) -> Option<Timestamp> {
    let mut at = object;
    for name in path {
        at = at.get(*name)?;
    }
    at.as_i64().and_then(|seconds| Timestamp::from_second(seconds).ok())
}

/// An id field that may be a string or an expanded object.
fn id_at(object: &Value, name: &str) -> Option<String> {
    match object.get(name)? {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Object(expanded) => expanded.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

/// What the subscription's status means for the workspace's standing (None: no signal, e.g. `incomplete`).
pub fn signal_of_status(status: &str) -> Option<PaymentSignal> {
    match status {
        "active" | "trialing" => Some(PaymentSignal::Paid),
        "past_due" => Some(PaymentSignal::PastDue),
        "unpaid" | "canceled" | "incomplete_expired" => Some(PaymentSignal::Lapsed),
        _ => None,
    }
}

/// Applies one verified event.
pub async fn apply(app: &App, event: &StripeEvent) -> Result<Applied, ApplyError> {
    match event.kind.as_str() {
        "checkout.session.completed" => checkout_completed(app, event).await,
        "customer.subscription.created" | "customer.subscription.updated" | "customer.subscription.deleted" => {
            subscription_changed(app, event).await
        }
        "invoice.paid" | "invoice.payment_failed" | "invoice.finalized" => invoice_changed(app, event).await,
        _ => Ok(Applied::Ignored),
    }
}

fn grace(app: &App) -> jiff::SignedDuration {
    app.config.stripe.as_ref().map_or(DEFAULT_GRACE, |stripe| stripe.grace)
}

/// The workspace an object bills: the customer's link (written when its Checkout completed), else the
/// `workspace_id` metadata our Checkout sessions put on the subscription.
async fn workspace_of(app: &App, customer: Option<&str>, metadata: Option<&str>) -> Result<WorkspaceId, ApplyError> {
    if let Some(customer) = customer
        && let Some(workspace) = app.store.stripe_customer_workspace(customer).await?
    {
        return Ok(workspace);
    }
    match metadata {
        Some(raw) => {
            raw.parse().map_err(|_| ApplyError::Unusable(format!("workspace_id metadata {raw:?} is no workspace id")))
        }
        None => Err(ApplyError::NotYet(format!("no workspace known for customer {customer:?} yet"))),
    }
}

/// Applies a payment signal unless a newer event's signal was applied already.
async fn signal(app: &App, scope: &TenantScope, at: i64, signal: PaymentSignal) -> Result<bool, ApplyError> {
    if !app.store.claim_payment_signal(scope, at).await? {
        return Ok(false);
    }
    super::standing::apply_payment(app, scope.workspace_id(), signal, grace(app)).await?;
    Ok(true)
}

/// Moves the workspace to the catalog plan billed by `price` (a plan change made in the Billing Portal).
async fn follow_price(app: &App, workspace_id: WorkspaceId, price: &str) -> Result<(), ApplyError> {
    let catalog = app.store.list_plans().await?;
    let Some(plan) = catalog.iter().find(|plan| plan.stripe_price_id.as_deref() == Some(price)) else {
        tracing::warn!(%workspace_id, price, "a subscription's price bills no catalog plan: the plan is left as it is");
        return Ok(());
    };
    move_to_plan(app, workspace_id, &plan.id).await
}

async fn move_to_plan(app: &App, workspace_id: WorkspaceId, plan: &PlanId) -> Result<(), ApplyError> {
    let request = ChangePlanRequest { plan: plan.to_string() };
    match plans::change_workspace_plan(app, PlanChanger::Payments, workspace_id, request).await {
        Ok(_) => Ok(()),
        // Withdrawn from sale since: the subscription still stands; staff decide.
        Err(ServiceError::Validation(_)) => {
            tracing::warn!(%workspace_id, %plan, "the paid plan is no longer available: the plan is left as it is");
            Ok(())
        }
        Err(err) => Err(err.into()),
    }
}

async fn checkout_completed(app: &App, event: &StripeEvent) -> Result<Applied, ApplyError> {
    let session = &event.object;
    if text_at(session, &["mode"]) != Some("subscription") {
        return Ok(Applied::Ignored);
    }
    let reference = text_at(session, &["client_reference_id"]).ok_or_else(|| {
        ApplyError::Unusable("a subscription Checkout session without client_reference_id".to_owned())
    })?;
    let workspace_id: WorkspaceId = reference
        .parse()
        .map_err(|_| ApplyError::Unusable(format!("client_reference_id {reference:?} is no workspace id")))?;
    let customer = id_at(session, "customer")
        .ok_or_else(|| ApplyError::Unusable("a completed subscription Checkout session without a customer".into()))?;
    let scope = TenantScope::for_system(workspace_id);
    app.store
        .get_workspace(&scope)
        .await?
        .ok_or_else(|| ApplyError::Unusable(format!("no workspace {workspace_id}")))?;
    if !app.store.link_stripe_customer(&customer, workspace_id).await? {
        return Err(ApplyError::Unusable(format!("customer {customer} already bills another workspace")));
    }
    app.store.set_billing_customer(&scope, &customer).await?;
    let billing = app.store.get_billing(&scope).await?;
    let mut applied = false;
    // The plan bought, unless a newer subscription event (a later change in the portal) said otherwise.
    if billing.subscription_at.is_none_or(|at| at <= event.created)
        && let Some(plan) = text_at(session, &["metadata", "plan"])
        && let Ok(plan) = PlanId::parse(plan)
    {
        move_to_plan(app, workspace_id, &plan).await?;
        applied = true;
    }
    let paid = matches!(text_at(session, &["payment_status"]), Some("paid" | "no_payment_required"));
    if paid {
        applied |= signal(app, &scope, event.created, PaymentSignal::Paid).await?;
    }
    Ok(if applied { Applied::Applied } else { Applied::Stale })
}

async fn subscription_changed(app: &App, event: &StripeEvent) -> Result<Applied, ApplyError> {
    let subscription = &event.object;
    let subscription_id =
        id_at(subscription, "id").ok_or_else(|| ApplyError::Unusable("a subscription without an id".to_owned()))?;
    let customer = id_at(subscription, "customer")
        .ok_or_else(|| ApplyError::Unusable("a subscription without a customer".into()))?;
    let workspace_id = workspace_of(app, Some(&customer), text_at(subscription, &["metadata", "workspace_id"])).await?;
    let scope = TenantScope::for_system(workspace_id);
    let deleted = event.kind == "customer.subscription.deleted";
    let status = if deleted { "canceled" } else { text_at(subscription, &["status"]).unwrap_or("incomplete") };
    // Since API version 2025-03-31 the period is on the subscription's items.
    let item = subscription.pointer("/items/data/0").unwrap_or(&Value::Null);
    let state = SubscriptionState {
        customer_id: customer,
        subscription_id,
        status: status.to_owned(),
        price_id: text_at(item, &["price", "id"]).or_else(|| text_at(item, &["plan", "id"])).map(str::to_owned),
        current_period_start: time_at(item, &["current_period_start"])
            .or_else(|| time_at(subscription, &["current_period_start"])),
        current_period_end: time_at(item, &["current_period_end"])
            .or_else(|| time_at(subscription, &["current_period_end"])),
        cancel_at_period_end: subscription.get("cancel_at_period_end").and_then(Value::as_bool).unwrap_or(false),
    };
    if !app.store.record_subscription(&scope, &state, event.created).await? {
        return Ok(Applied::Stale);
    }
    if !deleted && let Some(price) = &state.price_id {
        follow_price(app, workspace_id, price).await?;
    }
    if let Some(payment) = signal_of_status(&state.status) {
        signal(app, &scope, event.created, payment).await?;
    }
    Ok(Applied::Applied)
}

async fn invoice_changed(app: &App, event: &StripeEvent) -> Result<Applied, ApplyError> {
    let invoice = &event.object;
    let id = id_at(invoice, "id").ok_or_else(|| ApplyError::Unusable("an invoice without an id".to_owned()))?;
    let customer = id_at(invoice, "customer");
    let metadata = text_at(invoice, &["parent", "subscription_details", "metadata", "workspace_id"])
        .or_else(|| text_at(invoice, &["subscription_details", "metadata", "workspace_id"]));
    let workspace_id = workspace_of(app, customer.as_deref(), metadata).await?;
    let scope = TenantScope::for_system(workspace_id);
    let amount = |name: &str| invoice.get(name).and_then(Value::as_i64).unwrap_or(0);
    let record = InvoiceRecord {
        id,
        number: text_at(invoice, &["number"]).map(str::to_owned),
        amount_due: amount("amount_due"),
        amount_paid: amount("amount_paid"),
        currency: text_at(invoice, &["currency"]).unwrap_or("usd").to_lowercase(),
        status: text_at(invoice, &["status"]).unwrap_or("open").to_owned(),
        hosted_invoice_url: text_at(invoice, &["hosted_invoice_url"]).map(str::to_owned),
        invoice_pdf: text_at(invoice, &["invoice_pdf"]).map(str::to_owned),
        created: time_at(invoice, &["created"]).unwrap_or_else(|| app.clock.now()),
        event_at: event.created,
    };
    let recorded = app.store.record_invoice(&scope, &record).await?;
    let payment = match event.kind.as_str() {
        "invoice.paid" => Some(PaymentSignal::Paid),
        "invoice.payment_failed" => Some(PaymentSignal::PastDue),
        _ => None,
    };
    let signalled = match payment {
        Some(payment) => signal(app, &scope, event.created, payment).await?,
        None => false,
    };
    Ok(if recorded || signalled { Applied::Applied } else { Applied::Stale })
}

/// What a Checkout session is opened for, once the request is known to be sound.
#[derive(Debug, Clone)]
pub struct CheckoutPlan {
    pub plan: PlanId,
    pub price_id: String,
    /// The workspace's Stripe customer, when it had a subscription before.
    pub customer_id: Option<String>,
}

/// Statuses of a subscription that still stands: its plan is changed in the Billing Portal, not by a
/// second Checkout (which would bill twice).
fn subscription_stands(status: Option<&str>) -> bool {
    matches!(status, Some("active" | "trialing" | "past_due" | "unpaid" | "incomplete"))
}

/// Checks a Checkout request: an available catalog plan sold through Stripe, and no subscription standing.
pub async fn checkout_plan(
    app: &App,
    caller: &MemberPrincipal,
    request: &CheckoutRequest,
) -> ServiceResult<CheckoutPlan> {
    let invalid = |reason: &str| ServiceError::Validation(vec![FieldError::new("plan", reason)]);
    let plan_id = PlanId::parse(&request.plan).map_err(|reason| invalid(&reason))?;
    let plan = plans::get(app, &plan_id)
        .await?
        .filter(|plan| plan.available)
        .ok_or_else(|| invalid("must be an available plan of the catalog"))?;
    let price_id = plan.stripe_price_id.clone().ok_or_else(|| invalid("is not sold through Stripe"))?;
    let billing = app.store.get_billing(&caller.scope()).await?;
    if subscription_stands(billing.status.as_deref()) {
        return Err(ServiceError::Conflict(
            "The workspace has a subscription: change its plan in the billing portal.".to_owned(),
        ));
    }
    Ok(CheckoutPlan { plan: plan.id, price_id, customer_id: billing.customer_id })
}

/// The workspace's Stripe customer, for a Billing Portal session.
pub async fn portal_customer(app: &App, caller: &MemberPrincipal) -> ServiceResult<String> {
    app.store.get_billing(&caller.scope()).await?.customer_id.ok_or_else(|| {
        ServiceError::Conflict("The workspace has no subscription yet: subscribe to a plan first.".to_owned())
    })
}

/// The owner's billing page: plan, standing, the subscription, the next invoice, the invoices and the
/// plans for sale. GetItems of the workspace, its plan and its billing item; a Query each of the
/// invoices and the catalog.
pub async fn view(app: &App, caller: &MemberPrincipal) -> ServiceResult<BillingView> {
    let scope = caller.scope();
    let (workspace, plan) = plans::workspace_and_plan(app, &scope).await?;
    let billing = app.store.get_billing(&scope).await?;
    let invoices = app.store.list_invoices(&scope).await?;
    let plans_for_sale = app
        .store
        .list_plans()
        .await?
        .into_iter()
        .filter(|plan| plan.available && plan.stripe_price_id.is_some())
        .map(|plan| PlanOfferView { id: plan.id, name: plan.name })
        .collect();
    let subscription = SubscriptionView::of(&billing);
    let renews = subscription.as_ref().is_some_and(|subscription| {
        !subscription.cancel_at_period_end && matches!(subscription.status.as_str(), "active" | "trialing" | "past_due")
    });
    Ok(BillingView {
        plan: plan.id.clone(),
        plan_name: plan.name.clone(),
        standing: workspace.standing,
        next_invoice: billing.current_period_end.filter(|_| renews).map(|date| NextInvoiceView { date }),
        subscription,
        invoices: invoices.into_iter().map(InvoiceView::from).collect(),
        portal_available: billing.customer_id.is_some(),
        plans_for_sale,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_needs_its_id_type_time_and_object() {
        let event = parse_event(br#"{"id":"evt_1","type":"invoice.paid","created":5,"data":{"object":{"id":"in_1"}}}"#)
            .unwrap();
        assert_eq!((event.id.as_str(), event.kind.as_str(), event.created), ("evt_1", "invoice.paid", 5));
        assert!(parse_event(br#"{"id":"evt_1","type":"invoice.paid","data":{"object":{}}}"#).is_err(), "no created");
        assert!(parse_event(br#"{"id":"in_1","type":"invoice.paid","created":5,"data":{"object":{}}}"#).is_err());
        assert!(parse_event(br#"{"id":"evt_1","type":"x","created":5,"data":{"object":3}}"#).is_err());
        assert!(parse_event(b"not json").is_err());
    }

    #[test]
    fn subscription_statuses_map_to_payment_signals() {
        assert_eq!(signal_of_status("active"), Some(PaymentSignal::Paid));
        assert_eq!(signal_of_status("trialing"), Some(PaymentSignal::Paid));
        assert_eq!(signal_of_status("past_due"), Some(PaymentSignal::PastDue));
        for lapsed in ["unpaid", "canceled", "incomplete_expired"] {
            assert_eq!(signal_of_status(lapsed), Some(PaymentSignal::Lapsed), "{lapsed}");
        }
        assert_eq!(signal_of_status("incomplete"), None, "not paid yet, not lapsed either");
    }
}
