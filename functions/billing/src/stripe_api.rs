//! The Stripe API calls billing makes (async-stripe, linked by this function alone): a Checkout session
//! to subscribe, a Billing Portal session to manage payment methods, plan and cancellation. The client
//! is built once per process from the configuration; its base URL is the local stand-in in `make dev`
//! and the tests. Requests are made in the API version async-stripe targets ([`API_VERSION`]), the
//! version the webhook endpoint must be pinned to in Stripe (docs/billing.md).

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::Duration;

use shared::config::StripeConfig;
use shared::domain::ids::WorkspaceId;
use shared::domain::plan::PlanId;
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
};

/// The Stripe API version requests are made in and the webhook endpoint must be pinned to: the one
/// async-stripe's types are generated for (a test holds the two together).
pub const API_VERSION: &str = "2026-09-30.endive";

/// How long one Stripe call may take: the owner is waiting on it.
const TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Debug, thiserror::Error)]
pub enum StripeCallError {
    #[error("Stripe is not configured here")]
    NotConfigured,
    #[error("Stripe refused or did not answer: {0}")]
    Failed(String),
}

fn client(config: &StripeConfig) -> Result<&'static stripe::Client, StripeCallError> {
    static CLIENT: OnceLock<Result<stripe::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // The client appends `v1/<path>` to the base as written: it must end in a slash.
            stripe::ClientBuilder::new(&config.secret_key)
                .url(format!("{}/", config.api_base))
                .timeout(TIMEOUT)
                .build()
                .map_err(|err| err.to_string())
        })
        .as_ref()
        .map_err(|err| StripeCallError::Failed(err.clone()))
}

fn failed(err: stripe::StripeError) -> StripeCallError {
    StripeCallError::Failed(err.to_string())
}

/// A session's id and the hosted page to send the owner to.
pub struct HostedSession {
    pub id: String,
    pub url: String,
}

/// What a Checkout session for a workspace carries.
pub struct CheckoutFor<'a> {
    pub workspace_id: WorkspaceId,
    pub plan: &'a PlanId,
    pub price_id: &'a str,
    /// The workspace's Stripe customer if it has one; else Checkout makes one (asking for its e-mail).
    pub customer_id: Option<&'a str>,
}

/// A subscription Checkout session: `client_reference_id` and the subscription's metadata name the
/// workspace (so every later event of the subscription does), the metadata the plan.
pub async fn create_checkout(
    config: &StripeConfig,
    checkout: CheckoutFor<'_>,
) -> Result<HostedSession, StripeCallError> {
    let client = client(config)?;
    let metadata: HashMap<String, String> = [
        ("workspace_id".to_owned(), checkout.workspace_id.to_string()),
        ("plan".to_owned(), checkout.plan.to_string()),
    ]
    .into_iter()
    .collect();
    let mut line = CreateCheckoutSessionLineItems::new();
    line.price = Some(checkout.price_id.to_owned());
    line.quantity = Some(1);
    let mut subscription = CreateCheckoutSessionSubscriptionData::new();
    subscription.metadata = Some(metadata.clone());
    let billing_page = format!("{}/settings/plan", config.app_url);
    let mut request = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Subscription)
        .client_reference_id(checkout.workspace_id.to_string())
        .line_items(vec![line])
        .metadata(metadata)
        .subscription_data(subscription)
        .success_url(format!("{billing_page}?checkout=done"))
        .cancel_url(format!("{billing_page}?checkout=canceled"));
    if let Some(customer) = checkout.customer_id {
        request = request.customer(customer);
    }
    let session = request.send(client).await.map_err(failed)?;
    let url = session.url.ok_or_else(|| StripeCallError::Failed("the Checkout session has no URL".to_owned()))?;
    Ok(HostedSession { id: session.id.to_string(), url })
}

/// A Billing Portal session for the workspace's customer, returning to the billing page.
pub async fn create_portal(config: &StripeConfig, customer_id: &str) -> Result<HostedSession, StripeCallError> {
    let client = client(config)?;
    let session = CreateBillingPortalSession::new()
        .customer(customer_id)
        .return_url(format!("{}/settings/plan", config.app_url))
        .send(client)
        .await
        .map_err(failed)?;
    Ok(HostedSession { id: session.id.to_string(), url: session.url })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pinned_api_version_is_the_crates() {
        assert_eq!(super::API_VERSION, stripe_shared::version::VERSION.as_str());
    }
}
