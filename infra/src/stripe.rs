//! Stripe, locally: localstripe (PyPI, in the `stripe` venv) plays customers, subscriptions, invoices
//! and plans; what it lacks, Checkout and Billing Portal sessions, this stand-in answers, served by the
//! local stack under `/__local/stripe`. Billing's Stripe API base points here; every other `/v1/…` call
//! is passed on to localstripe as it is.
//!
//! - `POST /__local/stripe/v1/checkout/sessions` (form-encoded, as Stripe's clients send it): a
//!   subscription session for one price; its hosted page is `GET /__local/stripe/checkout/{id}`;
//! - `GET /__local/stripe/v1/checkout/sessions/{id}`: the session as Stripe would show it;
//! - `POST /__local/stripe/v1/billing_portal/sessions`: a portal session for an existing customer;
//! - `POST /__local/stripe/control/checkout/{id}/complete`: the customer pays. The customer is made in
//!   localstripe (unless the session named one) and the session is complete, with a subscription id. It
//!   answers the completed session; the caller (a test, `make dev`'s developer) signs and posts the
//!   `checkout.session.completed` event, as Stripe would.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// The secret key the local stack configures (SWITCHBOARD_STRIPE_SECRET_KEY).
pub const SECRET_KEY: &str = "sk_test_switchboard_local";
/// The webhook endpoint's signing secret (SWITCHBOARD_STRIPE_WEBHOOK_SECRET): tests sign events with it.
pub const WEBHOOK_SECRET: &str = "whsec_switchboard_local_signing_secret";
/// Where the stand-in is served on the gateway.
pub const PREFIX: &str = "/__local/stripe";

/// localstripe's server, from the project's `stripe` venv, on a free loopback port.
pub struct LocalStripe {
    pub endpoint: String,
    child: Child,
}

impl LocalStripe {
    pub async fn start(python: &Path, launcher: &Path) -> Result<Self, String> {
        if !python.exists() {
            return Err(format!("{} is missing: run `make setup` first", python.display()));
        }
        let port = crate::free_port()?;
        let child = Command::new(python)
            .arg(launcher)
            .arg("127.0.0.1")
            .arg(port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|err| format!("starting localstripe: {err}"))?;
        let mut local = Self { endpoint: format!("http://127.0.0.1:{port}"), child };
        for _ in 0..300 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(local);
            }
            if let Ok(Some(status)) = local.child.try_wait() {
                return Err(format!("localstripe exited at start ({status})"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("localstripe did not start within 15 s".to_owned())
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

#[derive(Clone)]
struct StandIn {
    localstripe: String,
    public_url: String,
    http: reqwest::Client,
    sessions: Arc<Mutex<HashMap<String, Value>>>,
}

fn random_id(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let tail: String =
        (0..24).map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rng.random_range(0..36)])).collect();
    format!("{prefix}{tail}")
}

fn stripe_error(status: StatusCode, message: &str, param: Option<&str>) -> Response {
    let body = json!({"error": {"type": "invalid_request_error", "message": message, "param": param}});
    (status, Json(body)).into_response()
}

fn authorized(headers: &HeaderMap) -> bool {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
    bearer == Some(&format!("Bearer {SECRET_KEY}"))
}

fn unauthorized() -> Response {
    stripe_error(StatusCode::UNAUTHORIZED, "Invalid API Key provided.", None)
}

/// Stripe's form encoding, flat: `metadata[plan]=growth` stays under that key.
fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// The `<prefix>[key]=value` entries of a form, as a map.
fn nested(form: &HashMap<String, String>, prefix: &str) -> serde_json::Map<String, Value> {
    form.iter()
        .filter_map(|(key, value)| {
            let inner = key.strip_prefix(prefix)?.strip_prefix('[')?.strip_suffix(']')?;
            (!inner.contains('[')).then(|| (inner.to_owned(), Value::String(value.clone())))
        })
        .collect()
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// A Checkout session as Stripe's API shows it (the fields a client requires).
fn session_object(id: &str, url: &str, form: &HashMap<String, String>) -> Value {
    let created = now();
    json!({
        "id": id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": "open",
        "payment_status": "unpaid",
        "url": url,
        "success_url": form.get("success_url"),
        "cancel_url": form.get("cancel_url"),
        "client_reference_id": form.get("client_reference_id"),
        "customer": form.get("customer"),
        "customer_email": form.get("customer_email"),
        "subscription": null,
        "metadata": Value::Object(nested(form, "metadata")),
        "line_items_price": form.get("line_items[0][price]"),
        "subscription_metadata": Value::Object(nested(form, "subscription_data[metadata]")),
        "created": created,
        "expires_at": created + 86_400,
        "livemode": false,
        "automatic_tax": {"enabled": false, "liability": null, "provider": null, "status": null},
        "collected_information": null,
        "custom_fields": [],
        "custom_text": {"after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null},
        "payment_method_configuration_details": null,
        "payment_method_types": ["card"],
        "phone_number_collection": {"enabled": false},
        "saved_payment_method_options": null,
        "shipping_address_collection": null,
        "shipping_options": [],
        "amount_subtotal": null,
        "amount_total": null,
        "currency": null,
    })
}

async fn create_checkout(State(stand_in): State<StandIn>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let form = form(&body);
    if form.get("mode").map(String::as_str) != Some("subscription") {
        return stripe_error(StatusCode::BAD_REQUEST, "Only subscription sessions are played locally.", Some("mode"));
    }
    if form.get("line_items[0][price]").is_none_or(|price| !price.starts_with("price_")) {
        return stripe_error(StatusCode::BAD_REQUEST, "A line item needs a price (price_…).", Some("line_items"));
    }
    for required in ["success_url", "cancel_url"] {
        if !form.contains_key(required) {
            return stripe_error(
                StatusCode::BAD_REQUEST,
                &format!("Missing required param: {required}."),
                Some(required),
            );
        }
    }
    let id = random_id("cs_test_");
    let url = format!("{}{PREFIX}/checkout/{id}", stand_in.public_url);
    let session = session_object(&id, &url, &form);
    stand_in.sessions.lock().unwrap().insert(id, session.clone());
    Json(session).into_response()
}

async fn get_checkout(State(stand_in): State<StandIn>, headers: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    match stand_in.sessions.lock().unwrap().get(&id) {
        Some(session) => Json(session.clone()).into_response(),
        None => stripe_error(StatusCode::NOT_FOUND, &format!("No such checkout.session: '{id}'"), Some("id")),
    }
}

/// The hosted page: what the owner would see at Stripe.
async fn hosted_checkout(State(stand_in): State<StandIn>, UrlPath(id): UrlPath<String>) -> Response {
    match stand_in.sessions.lock().unwrap().get(&id) {
        Some(session) => Html(format!(
            "<!doctype html><title>Checkout (local Stripe)</title><h1>Local Stripe Checkout</h1><p>Session {id} for price \
             {}.</p><p>POST {PREFIX}/control/checkout/{id}/complete to pay.</p>",
            session["line_items_price"].as_str().unwrap_or("?")
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "no such session").into_response(),
    }
}

/// A customer made in localstripe, as Checkout makes one for a new subscriber.
async fn make_customer(stand_in: &StandIn, email: Option<String>, workspace: Option<String>) -> Option<String> {
    let mut form = vec![("description".to_owned(), "Checkout customer".to_owned())];
    if let Some(email) = email {
        form.push(("email".to_owned(), email));
    }
    if let Some(workspace) = workspace {
        form.push(("metadata[workspace_id]".to_owned(), workspace));
    }
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let reply = stand_in
        .http
        .post(format!("{}/v1/customers", stand_in.localstripe))
        .bearer_auth(SECRET_KEY)
        .header(header::CONTENT_TYPE.as_str(), "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .ok()?;
    let created: Value = reply.json().await.ok()?;
    created["id"].as_str().map(str::to_owned)
}

async fn complete_checkout(State(stand_in): State<StandIn>, UrlPath(id): UrlPath<String>) -> Response {
    let found = stand_in.sessions.lock().unwrap().get(&id).cloned();
    let Some(session) = found else {
        return stripe_error(StatusCode::NOT_FOUND, &format!("No such checkout.session: '{id}'"), Some("id"));
    };
    if session["status"] == "complete" {
        return Json(session).into_response();
    }
    let named = session["customer"].as_str().map(str::to_owned);
    let customer = match named {
        Some(customer) => customer,
        None => {
            let email = session["customer_email"].as_str().map(str::to_owned);
            let workspace = session["client_reference_id"].as_str().map(str::to_owned);
            match make_customer(&stand_in, email, workspace).await {
                Some(customer) => customer,
                None => return stripe_error(StatusCode::BAD_GATEWAY, "localstripe made no customer", None),
            }
        }
    };
    let completed = {
        let mut sessions = stand_in.sessions.lock().unwrap();
        sessions.get_mut(&id).map(|stored| {
            stored["status"] = json!("complete");
            stored["payment_status"] = json!("paid");
            stored["customer"] = json!(customer);
            stored["subscription"] = json!(random_id("sub_"));
            stored.clone()
        })
    };
    match completed {
        Some(session) => Json(session).into_response(),
        None => stripe_error(StatusCode::NOT_FOUND, "the session went away", None),
    }
}

async fn create_portal(State(stand_in): State<StandIn>, headers: HeaderMap, body: Bytes) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let form = form(&body);
    let Some(customer) = form.get("customer").filter(|customer| customer.starts_with("cus_")) else {
        return stripe_error(StatusCode::BAD_REQUEST, "Missing required param: customer.", Some("customer"));
    };
    let id = random_id("bps_");
    let created = now();
    Json(json!({
        "id": id,
        "object": "billing_portal.session",
        "configuration": "bpc_local",
        "created": created,
        "customer": customer,
        "customer_account": null,
        "flow": null,
        "livemode": false,
        "locale": null,
        "on_behalf_of": null,
        "return_url": form.get("return_url"),
        "url": format!("{}{PREFIX}/portal/{id}", stand_in.public_url),
    }))
    .into_response()
}

/// Everything else is localstripe's.
async fn pass_on(
    State(stand_in): State<StandIn>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().strip_prefix(PREFIX).unwrap_or(uri.path());
    let query = uri.query().map(|query| format!("?{query}")).unwrap_or_default();
    let mut request = stand_in
        .http
        .request(
            reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap_or(reqwest::Method::GET),
            format!("{}{path}{query}", stand_in.localstripe),
        )
        .body(body.to_vec());
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE] {
        if let Some(value) = headers.get(&name).and_then(|value| value.to_str().ok()) {
            request = request.header(name.as_str(), value);
        }
    }
    match request.send().await {
        Ok(reply) => {
            let status = StatusCode::from_u16(reply.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let bytes = reply.bytes().await.unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], bytes.to_vec()).into_response()
        }
        Err(err) => stripe_error(StatusCode::BAD_GATEWAY, &format!("localstripe did not answer: {err}"), None),
    }
}

pub fn routes(localstripe: &str, public_url: &str) -> Router {
    let stand_in = StandIn {
        localstripe: localstripe.to_owned(),
        public_url: public_url.to_owned(),
        http: reqwest::Client::new(),
        sessions: Arc::default(),
    };
    Router::new()
        .route(&format!("{PREFIX}/v1/checkout/sessions"), post(create_checkout))
        .route(&format!("{PREFIX}/v1/checkout/sessions/{{id}}"), get(get_checkout))
        .route(&format!("{PREFIX}/v1/billing_portal/sessions"), post(create_portal))
        .route(&format!("{PREFIX}/checkout/{{id}}"), get(hosted_checkout))
        .route(&format!("{PREFIX}/control/checkout/{{id}}/complete"), post(complete_checkout))
        .route(&format!("{PREFIX}/v1/{{*rest}}"), any(pass_on))
        .with_state(stand_in)
}
