//! Configuration, read once per process from the environment (see README "Configuration").
//! In AWS the secrets arrive through the template's dynamic references; locally the local stack sets them.

use std::time::Duration;

use thiserror::Error;

use crate::auth::tokens::{Audience, PublicKeys};
use crate::domain::webhooks::AllowedPorts;

/// The dead-letter queues the console's health reads, by what dies there and the variable holding
/// the queue's URL (template.yaml's Globals, `!Ref` of each queue).
const DEAD_LETTER_QUEUES: [(&str, &str); 8] = [
    ("webhook", "SWITCHBOARD_WEBHOOK_DLQ_URL"),
    ("email", "SWITCHBOARD_EMAIL_DLQ_URL"),
    ("export", "SWITCHBOARD_EXPORT_DLQ_URL"),
    ("email-events", "SWITCHBOARD_EMAIL_EVENTS_DLQ_URL"),
    ("email-inbound", "SWITCHBOARD_EMAIL_INBOUND_DLQ_URL"),
    ("search", "SWITCHBOARD_SEARCH_DLQ_URL"),
    ("outbox", "SWITCHBOARD_OUTBOX_DLQ_URL"),
    ("stripe-events", "SWITCHBOARD_STRIPE_EVENTS_DLQ_URL"),
];
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// Secret bytes (the cursor key): never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(pub Vec<u8>);

impl std::fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBytes(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// DynamoDB table holding every item (single-table design).
    pub table_name: String,
    /// The public keys tokens of each audience are verified with (JWK sets, `SWITCHBOARD_{MEMBER,STAFF,SOCKET}_TOKEN_KEYS`):
    /// only the authorizer has them in AWS. Empty: no token of that audience verifies.
    pub member_token_keys: PublicKeys,
    pub staff_token_keys: PublicKeys,
    pub socket_token_keys: PublicKeys,
    /// The Secrets Manager secret holding each audience's private key, for the function that issues
    /// that audience's tokens alone (`SWITCHBOARD_{MEMBER,STAFF,SOCKET}_SIGNING_SECRET`).
    pub signing_secrets: Vec<(Audience, String)>,
    /// The secret CloudFront adds to every request it forwards to the API (`SWITCHBOARD_ORIGIN_SECRET`);
    /// set, requests without it are refused (403). Unset: not checked.
    pub origin_secret: Option<SecretBytes>,
    /// The web address the app and API are served at (`SWITCHBOARD_PUBLIC_ORIGIN`, e.g.
    /// `https://app.example.com`): problem `type` URIs are absolute under it. Unset: they are relative.
    pub public_origin: Option<String>,
    /// The HMAC key that binds pagination cursors to their query (`SWITCHBOARD_CURSOR_KEY`, its own secret).
    pub cursor_key: SecretBytes,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Token issuer claim, e.g. the API's public URL.
    pub issuer: String,
    /// The private bucket holding ticket attachments (only the attachments function needs it).
    pub attachments_bucket: Option<String>,
    /// Use path-style S3 URLs (local S3 stand-ins need them; AWS uses virtual-hosted style).
    pub s3_path_style: bool,
    /// The queue carrying webhook deliveries (the outbox consumer sends, the delivery function retries).
    pub webhook_queue_url: Option<String>,
    /// The FIFO queue carrying search index changes, one message group per workspace (the outbox
    /// consumer and the search function send, the search indexer consumes).
    pub search_queue_url: Option<String>,
    /// The queue carrying agents' replies to send by e-mail (the outbox consumer sends, the e-mail sender
    /// consumes).
    pub email_queue_url: Option<String>,
    /// The queue of export jobs (the exports function sends, the export worker consumes).
    pub export_queue_url: Option<String>,
    /// The private bucket holding exported files, each kept a day.
    pub exports_bucket: Option<String>,
    /// The private bucket holding each workspace's search index object.
    pub search_bucket: Option<String>,
    /// The dead-letter queues whose depth the platform console's health shows (those configured).
    pub dead_letter_queues: Vec<crate::adapters::health::DeadLetterQueue>,
    /// Multiplies webhook retry waits and circuit-breaker times. 1 in AWS (the template never sets it);
    /// the local stack's tests compress days of retries into seconds with a tiny value.
    pub webhook_time_scale: f64,
    /// Lets deliveries reach loopback and private addresses. Never set in AWS (SSRF); the local stack
    /// sets it so tests can run a receiver on 127.0.0.1.
    pub webhook_allow_private_targets: bool,
    /// The ports deliveries may connect to (`SWITCHBOARD_WEBHOOK_PORTS`; 80 and 443 when unset, as in
    /// AWS). The local stack allows the unprivileged ports its loopback receivers listen on.
    pub webhook_ports: AllowedPorts,
    /// The KMS key that wraps the data keys sealing webhook and Slack URLs and signing secrets
    /// (`SWITCHBOARD_WEBHOOK_KEY_ID`); set only on the functions that manage or deliver webhooks.
    pub webhook_key_id: Option<String>,
    /// The KMS key that wraps the data keys sealing staff members' second-factor secrets
    /// (`SWITCHBOARD_STAFF_KEY_ID`); set only on the platform function.
    pub staff_key_id: Option<String>,
    /// API Gateway usage plans are found by the value of their API key: this prefix, then the plan tier
    /// (or `app` for signed-in people) and `-key` (template.yaml declares the keys).
    pub usage_key_prefix: Option<String>,
    /// The WebSocket API's connection management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`;
    /// locally the gateway's own URL). Unset: nothing is pushed to sockets.
    pub ws_management_endpoint: Option<String>,
    /// The domain of every workspace's forwarding address (`<slug>@<domain>`), where SES receives.
    pub inbound_domain: String,
    /// The bucket SES's receipt rule writes raw inbound messages to (only the inbound function reads it).
    pub inbound_mail_bucket: Option<String>,
    /// The EventBridge bus the outbox publishes committed events to (`SWITCHBOARD_EVENT_BUS_NAME`; only
    /// the outbox function has it). Unset: nothing is published.
    pub event_bus_name: Option<String>,
    /// The Google Contacts integration: set when its OAuth client is configured (docs/google-contacts.md).
    pub google: Option<GoogleConfig>,
    /// Stripe billing: set when its secret key is configured (docs/billing.md); only the billing
    /// functions have it.
    pub stripe: Option<StripeConfig>,
}

impl Config {
    /// The usage identifier the authorizer returns for `plan` (a tier name, or `app`).
    pub fn usage_key(&self, plan: &str) -> Option<String> {
        self.usage_key_prefix.as_ref().map(|prefix| format!("{prefix}{plan}-key"))
    }
}

/// Google's OAuth client and endpoints. Every URL is configuration: in `make dev` and the tests they
/// point at the local stand-in (infra/src/google.rs), in AWS at Google.
#[derive(Clone)]
pub struct GoogleConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Where Google sends the member back: the web app's callback page.
    pub redirect_uri: String,
    pub authorize_url: String,
    pub token_url: String,
    pub revoke_url: String,
    /// The People API base, e.g. `https://people.googleapis.com`.
    pub people_url: String,
    /// The KMS key that wraps the data keys of stored tokens.
    pub token_key_id: String,
}

impl std::fmt::Debug for GoogleConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field("people_url", &self.people_url)
            .finish_non_exhaustive()
    }
}

impl GoogleConfig {
    /// Present when `SWITCHBOARD_GOOGLE_CLIENT_ID` is set; then every other value must be too.
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let Some(client_id) = lookup("SWITCHBOARD_GOOGLE_CLIENT_ID").filter(|id| !id.is_empty()) else {
            return Ok(None);
        };
        let required =
            |name: &'static str| lookup(name).filter(|value| !value.is_empty()).ok_or(ConfigError::Missing(name));
        Ok(Some(Self {
            client_id,
            client_secret: required("SWITCHBOARD_GOOGLE_CLIENT_SECRET")?,
            redirect_uri: required("SWITCHBOARD_GOOGLE_REDIRECT_URI")?,
            authorize_url: required("SWITCHBOARD_GOOGLE_AUTHORIZE_URL")?,
            token_url: required("SWITCHBOARD_GOOGLE_TOKEN_URL")?,
            revoke_url: required("SWITCHBOARD_GOOGLE_REVOKE_URL")?,
            people_url: required("SWITCHBOARD_GOOGLE_PEOPLE_URL")?.trim_end_matches('/').to_owned(),
            token_key_id: required("SWITCHBOARD_GOOGLE_TOKEN_KEY_ID")?,
        }))
    }
}

/// Stripe's API, the webhook's signing secret and where its events are queued. The API base is
/// configuration: in `make dev` and the tests it is the local stand-in (infra/src/stripe.rs, in front of
/// localstripe), in AWS Stripe itself.
#[derive(Clone)]
pub struct StripeConfig {
    /// The API base, e.g. `https://api.stripe.com` (`SWITCHBOARD_STRIPE_API_BASE`).
    pub api_base: String,
    pub secret_key: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// Where verified events wait for the worker (the webhook answers before applying them).
    pub events_queue_url: Option<String>,
    /// The web app's origin: Checkout and the Billing Portal send the owner back to its billing page.
    pub app_url: String,
    /// How long a past-due workspace keeps working before it is suspended.
    pub grace: jiff::SignedDuration,
}

impl std::fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeConfig")
            .field("api_base", &self.api_base)
            .field("secret_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("events_queue_url", &self.events_queue_url)
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

/// Stripe's own API base, unless `SWITCHBOARD_STRIPE_API_BASE` says otherwise.
pub const STRIPE_API_BASE: &str = "https://api.stripe.com";

impl StripeConfig {
    /// Present when `SWITCHBOARD_STRIPE_SECRET_KEY` is set; then the webhook secret and app URL must be too.
    fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Self>, ConfigError> {
        let Some(secret_key) = lookup("SWITCHBOARD_STRIPE_SECRET_KEY").filter(|key| !key.is_empty()) else {
            return Ok(None);
        };
        refuse_dynamic_reference("SWITCHBOARD_STRIPE_SECRET_KEY", &secret_key)?;
        let required =
            |name: &'static str| lookup(name).filter(|value| !value.is_empty()).ok_or(ConfigError::Missing(name));
        let webhook_secret = required("SWITCHBOARD_STRIPE_WEBHOOK_SECRET")?;
        refuse_dynamic_reference("SWITCHBOARD_STRIPE_WEBHOOK_SECRET", &webhook_secret)?;
        let grace_hours = parse_u64(lookup, "SWITCHBOARD_PAYMENT_GRACE_HOURS", 7 * 24)?;
        let grace = i64::try_from(grace_hours)
            .ok()
            .filter(|hours| *hours <= 24 * 90)
            .map(jiff::SignedDuration::from_hours)
            .ok_or_else(|| ConfigError::Invalid {
                name: "SWITCHBOARD_PAYMENT_GRACE_HOURS",
                reason: "at most 2160 hours (90 days)".to_owned(),
            })?;
        Ok(Some(Self {
            api_base: lookup("SWITCHBOARD_STRIPE_API_BASE")
                .filter(|base| !base.is_empty())
                .unwrap_or_else(|| STRIPE_API_BASE.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            secret_key,
            webhook_secret,
            events_queue_url: lookup("SWITCHBOARD_STRIPE_EVENTS_QUEUE_URL").filter(|url| !url.is_empty()),
            app_url: required("SWITCHBOARD_APP_URL")?.trim_end_matches('/').to_owned(),
            grace,
        }))
    }
}

pub const MIN_SECRET_BYTES: usize = 32;

/// Where forwarding addresses live when the deployment names no inbound domain (and locally).
pub const DEFAULT_INBOUND_DOMAIN: &str = "inbound.switchboard.localhost";

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests and the local stack need not touch process env.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = lookup("SWITCHBOARD_TABLE").ok_or(ConfigError::Missing("SWITCHBOARD_TABLE"))?;
        let cursor_key =
            parse_cursor_key(&lookup("SWITCHBOARD_CURSOR_KEY").ok_or(ConfigError::Missing("SWITCHBOARD_CURSOR_KEY"))?)?;
        let public_keys = |name: &'static str| -> Result<PublicKeys, ConfigError> {
            let raw = lookup(name).unwrap_or_default();
            refuse_dynamic_reference(name, &raw)?;
            PublicKeys::parse(&raw).map_err(|err| ConfigError::Invalid { name, reason: err.0 })
        };
        let origin_secret = match lookup("SWITCHBOARD_ORIGIN_SECRET").filter(|raw| !raw.trim().is_empty()) {
            None => None,
            Some(raw) => Some(parse_secret("SWITCHBOARD_ORIGIN_SECRET", &raw)?),
        };
        let public_origin = lookup("SWITCHBOARD_PUBLIC_ORIGIN")
            .map(|raw| raw.trim().trim_end_matches('/').to_owned())
            .filter(|origin| !origin.is_empty());
        let member_token_keys = public_keys("SWITCHBOARD_MEMBER_TOKEN_KEYS")?;
        let staff_token_keys = public_keys("SWITCHBOARD_STAFF_TOKEN_KEYS")?;
        let socket_token_keys = public_keys("SWITCHBOARD_SOCKET_TOKEN_KEYS")?;
        let mut signing_secrets = Vec::new();
        for (audience, name) in [
            (Audience::Member, "SWITCHBOARD_MEMBER_SIGNING_SECRET"),
            (Audience::Staff, "SWITCHBOARD_STAFF_SIGNING_SECRET"),
            (Audience::Socket, "SWITCHBOARD_SOCKET_SIGNING_SECRET"),
        ] {
            if let Some(secret_id) = lookup(name).filter(|id| !id.trim().is_empty()) {
                refuse_dynamic_reference(name, &secret_id)?;
                signing_secrets.push((audience, secret_id));
            }
        }
        let access_token_ttl = Duration::from_secs(parse_u64(&lookup, "SWITCHBOARD_ACCESS_TOKEN_TTL_SECS", 900)?);
        let refresh_token_ttl =
            Duration::from_secs(parse_u64(&lookup, "SWITCHBOARD_REFRESH_TOKEN_TTL_DAYS", 30)? * 86_400);
        let issuer = lookup("SWITCHBOARD_ISSUER").unwrap_or_else(|| "switchboard".to_owned());
        let attachments_bucket = lookup("SWITCHBOARD_ATTACHMENTS_BUCKET").filter(|bucket| !bucket.is_empty());
        let s3_path_style = lookup("SWITCHBOARD_S3_PATH_STYLE").is_some_and(|value| value == "true" || value == "1");
        let webhook_queue_url = lookup("SWITCHBOARD_WEBHOOK_QUEUE_URL").filter(|url| !url.is_empty());
        let search_queue_url = lookup("SWITCHBOARD_SEARCH_QUEUE_URL").filter(|url| !url.is_empty());
        let email_queue_url = lookup("SWITCHBOARD_EMAIL_QUEUE_URL").filter(|url| !url.is_empty());
        let export_queue_url = lookup("SWITCHBOARD_EXPORT_QUEUE_URL").filter(|url| !url.is_empty());
        let exports_bucket = lookup("SWITCHBOARD_EXPORTS_BUCKET").filter(|bucket| !bucket.is_empty());
        let search_bucket = lookup("SWITCHBOARD_SEARCH_BUCKET").filter(|bucket| !bucket.is_empty());
        let dead_letter_queues = DEAD_LETTER_QUEUES
            .iter()
            .filter_map(|&(name, variable)| {
                let url = lookup(variable).filter(|url| !url.is_empty())?;
                Some(crate::adapters::health::DeadLetterQueue { name, url })
            })
            .collect();
        let event_bus_name = lookup("SWITCHBOARD_EVENT_BUS_NAME").filter(|name| !name.is_empty());
        let webhook_time_scale = match lookup("SWITCHBOARD_WEBHOOK_TIME_SCALE") {
            None => 1.0,
            Some(raw) => match raw.trim().parse::<f64>() {
                Ok(scale) if scale > 0.0 && scale <= 1.0 => scale,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "SWITCHBOARD_WEBHOOK_TIME_SCALE",
                        reason: format!("{raw:?} is not a number in (0, 1]"),
                    });
                }
            },
        };
        let webhook_allow_private_targets =
            lookup("SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS").is_some_and(|value| value == "true" || value == "1");
        let webhook_key_id = lookup("SWITCHBOARD_WEBHOOK_KEY_ID").filter(|id| !id.trim().is_empty());
        let staff_key_id = lookup("SWITCHBOARD_STAFF_KEY_ID").filter(|id| !id.trim().is_empty());
        let webhook_ports = match lookup("SWITCHBOARD_WEBHOOK_PORTS").filter(|raw| !raw.trim().is_empty()) {
            None => AllowedPorts::default(),
            Some(raw) => AllowedPorts::parse(&raw)
                .map_err(|reason| ConfigError::Invalid { name: "SWITCHBOARD_WEBHOOK_PORTS", reason })?,
        };
        let usage_key_prefix = lookup("SWITCHBOARD_USAGE_KEY_PREFIX").filter(|prefix| !prefix.is_empty());
        let ws_management_endpoint =
            lookup("SWITCHBOARD_WS_MANAGEMENT_ENDPOINT").filter(|endpoint| !endpoint.is_empty());
        let inbound_domain = lookup("SWITCHBOARD_INBOUND_DOMAIN")
            .map(|domain| domain.trim().to_lowercase())
            .filter(|domain| !domain.is_empty())
            .unwrap_or_else(|| DEFAULT_INBOUND_DOMAIN.to_owned());
        if crate::domain::email::Email::parse(&format!("x@{inbound_domain}")).is_err() {
            return Err(ConfigError::Invalid {
                name: "SWITCHBOARD_INBOUND_DOMAIN",
                reason: format!("{inbound_domain:?} is not a mail domain"),
            });
        }
        let inbound_mail_bucket = lookup("SWITCHBOARD_INBOUND_MAIL_BUCKET").filter(|bucket| !bucket.is_empty());
        let google = GoogleConfig::from_lookup(&lookup)?;
        let stripe = StripeConfig::from_lookup(&lookup)?;
        Ok(Self {
            google,
            stripe,
            inbound_domain,
            inbound_mail_bucket,
            event_bus_name,
            usage_key_prefix,
            webhook_queue_url,
            search_queue_url,
            email_queue_url,
            export_queue_url,
            exports_bucket,
            search_bucket,
            dead_letter_queues,
            webhook_time_scale,
            webhook_allow_private_targets,
            webhook_ports,
            webhook_key_id,
            staff_key_id,
            ws_management_endpoint,
            table_name,
            member_token_keys,
            staff_token_keys,
            socket_token_keys,
            signing_secrets,
            cursor_key,
            origin_secret,
            public_origin,
            access_token_ttl,
            refresh_token_ttl,
            issuer,
            attachments_bucket,
            s3_path_style,
        })
    }
}

fn parse_u64(lookup: &impl Fn(&str) -> Option<String>, name: &'static str, default: u64) -> Result<u64, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid { name, reason: format!("{raw:?} is not a whole number") }),
    }
}

/// CloudFormation replaces a dynamic reference at deploy time; the text itself is public, never a value.
fn refuse_dynamic_reference(name: &'static str, raw: &str) -> Result<(), ConfigError> {
    if raw.contains("{{resolve:") {
        return Err(ConfigError::Invalid { name, reason: "an unresolved dynamic reference is not a value".to_owned() });
    }
    Ok(())
}

fn parse_cursor_key(raw: &str) -> Result<SecretBytes, ConfigError> {
    parse_secret("SWITCHBOARD_CURSOR_KEY", raw)
}

/// At least [`MIN_SECRET_BYTES`] of secret text.
fn parse_secret(name: &'static str, raw: &str) -> Result<SecretBytes, ConfigError> {
    refuse_dynamic_reference(name, raw)?;
    let key = raw.trim();
    if key.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::Invalid { name, reason: format!("shorter than {MIN_SECRET_BYTES} bytes") });
    }
    Ok(SecretBytes(key.as_bytes().to_vec()))
}
