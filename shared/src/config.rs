//! Configuration, read once per process from the environment (see README "Configuration").
//! In AWS the secrets arrive through the template's dynamic references; locally the local stack sets them.

use std::time::Duration;

use thiserror::Error;

use crate::domain::webhooks::AllowedPorts;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// One HMAC signing key for access tokens, named by its `kid` so keys can rotate.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// DynamoDB table holding every item (single-table design).
    pub table_name: String,
    /// Access-token keys; the first is used to sign, all are accepted to verify (rotation).
    pub signing_keys: Vec<SigningKey>,
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
    /// The private bucket holding each workspace's search index object.
    pub search_bucket: Option<String>,
    /// Multiplies webhook retry waits and circuit-breaker times. 1 in AWS (the template never sets it);
    /// the local stack's tests compress days of retries into seconds with a tiny value.
    pub webhook_time_scale: f64,
    /// Lets deliveries reach loopback and private addresses. Never set in AWS (SSRF); the local stack
    /// sets it so tests can run a receiver on 127.0.0.1.
    pub webhook_allow_private_targets: bool,
    /// The ports deliveries may connect to (`SWITCHBOARD_WEBHOOK_PORTS`; 80 and 443 when unset, as in
    /// AWS). The local stack allows the unprivileged ports its loopback receivers listen on.
    pub webhook_ports: AllowedPorts,
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
}

impl Config {
    /// The usage identifier the authorizer returns for `plan` (a tier name, or `app`).
    pub fn usage_key(&self, plan: &str) -> Option<String> {
        self.usage_key_prefix.as_ref().map(|prefix| format!("{prefix}{plan}-key"))
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
        let keys_raw = lookup("SWITCHBOARD_JWT_KEYS").ok_or(ConfigError::Missing("SWITCHBOARD_JWT_KEYS"))?;
        let signing_keys = parse_signing_keys(&keys_raw)?;
        let access_token_ttl = Duration::from_secs(parse_u64(&lookup, "SWITCHBOARD_ACCESS_TOKEN_TTL_SECS", 900)?);
        let refresh_token_ttl =
            Duration::from_secs(parse_u64(&lookup, "SWITCHBOARD_REFRESH_TOKEN_TTL_DAYS", 30)? * 86_400);
        let issuer = lookup("SWITCHBOARD_ISSUER").unwrap_or_else(|| "switchboard".to_owned());
        let attachments_bucket = lookup("SWITCHBOARD_ATTACHMENTS_BUCKET").filter(|bucket| !bucket.is_empty());
        let s3_path_style = lookup("SWITCHBOARD_S3_PATH_STYLE").is_some_and(|value| value == "true" || value == "1");
        let webhook_queue_url = lookup("SWITCHBOARD_WEBHOOK_QUEUE_URL").filter(|url| !url.is_empty());
        let search_queue_url = lookup("SWITCHBOARD_SEARCH_QUEUE_URL").filter(|url| !url.is_empty());
        let email_queue_url = lookup("SWITCHBOARD_EMAIL_QUEUE_URL").filter(|url| !url.is_empty());
        let search_bucket = lookup("SWITCHBOARD_SEARCH_BUCKET").filter(|bucket| !bucket.is_empty());
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
        Ok(Self {
            inbound_domain,
            inbound_mail_bucket,
            event_bus_name,
            usage_key_prefix,
            webhook_queue_url,
            search_queue_url,
            email_queue_url,
            search_bucket,
            webhook_time_scale,
            webhook_allow_private_targets,
            webhook_ports,
            ws_management_endpoint,
            table_name,
            signing_keys,
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

/// `kid1:secret1,kid2:secret2` — the first entry signs new tokens.
fn parse_signing_keys(raw: &str) -> Result<Vec<SigningKey>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { name: "SWITCHBOARD_JWT_KEYS", reason };
    // CloudFormation replaces a dynamic reference at deploy time; the text itself is public.
    if raw.contains("{{resolve:") {
        return Err(invalid("an unresolved dynamic reference is not a key".to_owned()));
    }
    let keys = raw
        .split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| {
            let (kid, secret) =
                entry.trim().split_once(':').ok_or_else(|| invalid("expected kid:secret pairs".to_owned()))?;
            if kid.is_empty() {
                return Err(invalid("a key id is empty".to_owned()));
            }
            if secret.len() < MIN_SECRET_BYTES {
                return Err(invalid(format!("the secret of key {kid:?} is shorter than {MIN_SECRET_BYTES} bytes")));
            }
            Ok(SigningKey { kid: kid.to_owned(), secret: secret.as_bytes().to_vec() })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(invalid("no keys given".to_owned()));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn reads_rotating_keys_in_order() {
        let config = Config::from_lookup(lookup(&[
            ("SWITCHBOARD_TABLE", "t"),
            ("SWITCHBOARD_JWT_KEYS", "new:0123456789abcdef0123456789abcdef,old:fedcba9876543210fedcba9876543210"),
        ]))
        .unwrap();
        assert_eq!(config.signing_keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["new", "old"]);
        assert_eq!(config.access_token_ttl.as_secs(), 900);
    }

    #[test]
    fn rejects_short_secrets_and_missing_values() {
        let short = Config::from_lookup(lookup(&[("SWITCHBOARD_TABLE", "t"), ("SWITCHBOARD_JWT_KEYS", "k:short")]));
        assert!(matches!(short, Err(ConfigError::Invalid { .. })));
        let missing = Config::from_lookup(lookup(&[("SWITCHBOARD_TABLE", "t")]));
        assert!(matches!(missing, Err(ConfigError::Missing("SWITCHBOARD_JWT_KEYS"))));
    }

    #[test]
    fn refuses_an_unresolved_dynamic_reference_as_the_signing_key() {
        let literal = Config::from_lookup(lookup(&[
            ("SWITCHBOARD_TABLE", "t"),
            ("SWITCHBOARD_JWT_KEYS", "{{resolve:secretsmanager:switchboard/dev/jwt-keys}}"),
        ]));
        assert!(matches!(literal, Err(ConfigError::Invalid { name: "SWITCHBOARD_JWT_KEYS", .. })));
    }
}
