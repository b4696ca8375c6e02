//! The owner's billing page: the subscription as Stripe last told us, the invoices, and the Checkout and
//! Billing Portal sessions that send the owner to Stripe.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::plan::PlanId;
use crate::domain::standing::Standing;
use crate::storage::billing::{BillingRecord, InvoiceRecord};

#[derive(Debug, Serialize, ToSchema)]
pub struct BillingView {
    pub plan: PlanId,
    pub plan_name: String,
    /// Whether the workspace may be used, and the grace deadline while past due.
    pub standing: Standing,
    /// Null until the workspace subscribed through Checkout.
    pub subscription: Option<SubscriptionView>,
    /// When the next invoice is due: the end of the current period, unless the subscription ends then.
    pub next_invoice: Option<NextInvoiceView>,
    /// Newest first, at most 24.
    pub invoices: Vec<InvoiceView>,
    /// Whether a Billing Portal session can be opened (the workspace is a Stripe customer).
    pub portal_available: bool,
    /// The catalog plans Checkout can subscribe to (available, with a Stripe price).
    pub plans_for_sale: Vec<PlanOfferView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanOfferView {
    pub id: PlanId,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    /// Stripe's status: `active`, `trialing`, `past_due`, `unpaid`, `canceled`, `incomplete`, ….
    pub status: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub current_period_start: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub current_period_end: Option<Timestamp>,
    /// The subscription ends at the period's end (canceled in the Billing Portal).
    pub cancel_at_period_end: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextInvoiceView {
    #[schema(value_type = String, format = DateTime)]
    pub date: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceView {
    pub id: String,
    pub number: Option<String>,
    /// In the currency's smallest unit (cents).
    pub amount_due: i64,
    pub amount_paid: i64,
    /// ISO 4217, lower case (`usd`).
    pub currency: String,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    pub status: String,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created: Timestamp,
}

impl From<InvoiceRecord> for InvoiceView {
    fn from(invoice: InvoiceRecord) -> Self {
        Self {
            id: invoice.id,
            number: invoice.number,
            amount_due: invoice.amount_due,
            amount_paid: invoice.amount_paid,
            currency: invoice.currency,
            status: invoice.status,
            hosted_invoice_url: invoice.hosted_invoice_url,
            invoice_pdf: invoice.invoice_pdf,
            created: invoice.created,
        }
    }
}

impl SubscriptionView {
    pub fn of(record: &BillingRecord) -> Option<Self> {
        record.status.clone().map(|status| Self {
            status,
            current_period_start: record.current_period_start,
            current_period_end: record.current_period_end,
            cancel_at_period_end: record.cancel_at_period_end,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// The catalog plan to subscribe to; it must be available and sold through Stripe.
    pub plan: String,
}

/// Where to send the owner: Stripe's hosted page.
#[derive(Debug, Serialize, ToSchema)]
pub struct StripeSessionView {
    pub id: String,
    pub url: String,
}
