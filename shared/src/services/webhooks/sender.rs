//! The HTTP side of a delivery: one POST, no redirects, 10 s, and (in AWS) never to a private,
//! loopback or link-local address: every address a host resolves to is checked before connecting,
//! by the client's resolver, so a DNS answer cannot smuggle in an internal target.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, Instant},
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::app::App;
use crate::config::Config;
use crate::domain::webhooks::{forbidden_target, snippet};

/// A receiver has this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's answer that is read.
const MAX_RESPONSE_BYTES: usize = 4096;

/// Why an attempt failed, as the delivery log stores it: a stable code, never the error text (which can
/// carry resolver answers and internal addresses back to whoever reads the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureCode {
    /// The URL no longer parses.
    InvalidUrl,
    /// The address (literal or resolved) is not public, or the port is not allowed.
    TargetForbidden,
    /// The host has no address.
    Dns,
    ConnectRefused,
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke in some other way.
    Connection,
    /// Answered with a redirect (never followed).
    Http3xx,
    Http4xx,
    Http5xx,
    /// A status outside 2xx to 5xx.
    HttpOther,
    /// The endpoint is paused by the circuit breaker; nothing was sent.
    EndpointPaused,
}

impl FailureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidUrl => "invalid_url",
            Self::TargetForbidden => "target_forbidden",
            Self::Dns => "dns",
            Self::ConnectRefused => "connect_refused",
            Self::Timeout => "timeout",
            Self::Tls => "tls",
            Self::Connection => "connection",
            Self::Http3xx => "http_3xx",
            Self::Http4xx => "http_4xx",
            Self::Http5xx => "http_5xx",
            Self::HttpOther => "http_other",
            Self::EndpointPaused => "endpoint_paused",
        }
    }

    /// The code of an answer that is not a success.
    pub fn of_status(code: u16) -> Self {
        match code {
            300..400 => Self::Http3xx,
            400..500 => Self::Http4xx,
            500..600 => Self::Http5xx,
            _ => Self::HttpOther,
        }
    }

    /// What a failed request came to, from the error and its sources.
    fn of_error(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            return Self::Timeout;
        }
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut text = String::new();
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<ResolveRefused>() {
                return refused.0;
            }
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                match io.kind() {
                    std::io::ErrorKind::ConnectionRefused => return Self::ConnectRefused,
                    std::io::ErrorKind::TimedOut => return Self::Timeout,
                    // rustls reports handshake failures as invalid data.
                    std::io::ErrorKind::InvalidData => return Self::Tls,
                    _ => {}
                }
            }
            text.push_str(&cause.to_string().to_ascii_lowercase());
            source = cause.source();
        }
        if ["tls", "certificate", "handshake"].iter().any(|word| text.contains(word)) {
            Self::Tls
        } else {
            Self::Connection
        }
    }
}

impl std::fmt::Display for FailureCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one POST came to.
#[derive(Debug, Clone, PartialEq)]
pub struct SendResult {
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub response: Option<String>,
    pub error: Option<FailureCode>,
}

impl SendResult {
    /// Any 2xx; a redirect is not followed and counts as a failure.
    pub fn delivered(&self) -> bool {
        self.status_code.is_some_and(|code| (200..300).contains(&code))
    }

    fn refused(error: FailureCode) -> Self {
        Self { status_code: None, latency_ms: 0, response: None, error: Some(error) }
    }
}

/// The resolver's refusal, found again in the request error's sources to tell it apart from a network
/// failure.
#[derive(Debug)]
struct ResolveRefused(FailureCode, String);

impl std::fmt::Display for ResolveRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.1)
    }
}

impl std::error::Error for ResolveRefused {}

/// Resolves with the system resolver and refuses the host if any of its addresses is forbidden.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let refused = |code, message: String| -> Box<dyn std::error::Error + Send + Sync> {
                Box::new(ResolveRefused(code, message))
            };
            let addrs: Vec<SocketAddr> = match tokio::net::lookup_host((host.as_str(), 0)).await {
                Ok(addrs) => addrs.collect(),
                Err(err) => return Err(refused(FailureCode::Dns, format!("{host} does not resolve: {err}"))),
            };
            if addrs.is_empty() {
                return Err(refused(FailureCode::Dns, format!("{host} has no address")));
            }
            if !allow_private && let Some(bad) = addrs.iter().find(|addr| forbidden_target(addr.ip())) {
                let message = format!("{host} resolves to {}, which deliveries may not reach", bad.ip());
                return Err(refused(FailureCode::TargetForbidden, message));
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

fn client(app: &App) -> &reqwest::Client {
    app.webhook_http.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .user_agent("Switchboard-Webhooks/1.0")
            .dns_resolver(Arc::new(GuardedResolver { allow_private: app.config.webhook_allow_private_targets }))
            .build()
            .expect("the webhook HTTP client builds")
    })
}

/// Whether `url` may be called at all before any lookup: its port must be allowed and a literal address
/// must be public (names are checked by the resolver). Registration and every attempt check it.
pub fn target_refused(url: &reqwest::Url, config: &Config) -> Option<String> {
    let port = url.port_or_known_default()?;
    if !config.webhook_ports.allows(port) {
        return Some(format!("port {port} is not allowed (use 443 or 80)"));
    }
    let ip: IpAddr = match url.host()? {
        url::Host::Ipv4(v4) => v4.into(),
        url::Host::Ipv6(v6) => v6.into(),
        url::Host::Domain(_) => return None,
    };
    (!config.webhook_allow_private_targets && forbidden_target(ip)).then(|| format!("{ip} is not a public address"))
}

/// POSTs `body` with `headers` to `url` once.
pub async fn post(app: &App, url: &str, headers: &[(&str, String)], body: &str) -> SendResult {
    let Ok(url) = reqwest::Url::parse(url) else { return SendResult::refused(FailureCode::InvalidUrl) };
    if let Some(refused) = target_refused(&url, &app.config) {
        tracing::info!(host = url.host_str(), reason = %refused, "webhook target refused");
        return SendResult::refused(FailureCode::TargetForbidden);
    }
    let mut request = client(app).post(url).header("content-type", "application/json").body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let started = Instant::now();
    let result = request.send().await;
    let mut response = match result {
        Ok(response) => response,
        Err(err) => {
            let latency_ms = started.elapsed().as_millis() as u64;
            let code = FailureCode::of_error(&err);
            // The whole chain goes to the function's log only; the delivery log keeps the code.
            tracing::info!(%code, error = ?err, "webhook request failed");
            return SendResult { status_code: None, latency_ms, response: None, error: Some(code) };
        }
    };
    let status_code = response.status().as_u16();
    let mut bytes = Vec::new();
    while bytes.len() < MAX_RESPONSE_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let latency_ms = started.elapsed().as_millis() as u64;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RESPONSE_BYTES)]).into_owned();
    SendResult {
        status_code: Some(status_code),
        latency_ms,
        response: (!text.is_empty()).then(|| snippet(&text)),
        error: (!(200..300).contains(&status_code)).then(|| FailureCode::of_status(status_code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(allow_private: bool, ports: &str) -> Config {
        let value = |name: &str| match name {
            "SWITCHBOARD_TABLE" => Some("table".to_owned()),
            "SWITCHBOARD_CURSOR_KEY" => Some("0123456789abcdef0123456789abcdef0123456789ab".to_owned()),
            "SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS" => Some(allow_private.to_string()),
            "SWITCHBOARD_WEBHOOK_PORTS" => Some(ports.to_owned()),
            _ => None,
        };
        Config::from_lookup(value).unwrap()
    }

    fn refused(raw: &str, config: &Config) -> Option<String> {
        target_refused(&reqwest::Url::parse(raw).unwrap(), config)
    }

    #[test]
    fn literal_private_addresses_are_refused_unless_allowed() {
        let (strict, local) = (config(false, ""), config(true, ""));
        assert!(refused("http://169.254.169.254/latest/meta-data", &strict).is_some());
        assert!(refused("http://169.254.169.254/latest/meta-data", &local).is_none());
        assert!(refused("http://[::1]/", &strict).is_some());
        assert!(refused("http://[::127.0.0.1]/", &strict).is_some(), "IPv4-compatible");
        assert!(refused("https://hooks.example.com/", &strict).is_none(), "names are checked when resolved");
    }

    #[test]
    fn only_ports_80_and_443_are_reached_unless_configured() {
        let strict = config(false, "");
        assert!(refused("https://hooks.example.com/in", &strict).is_none());
        assert!(refused("http://hooks.example.com/in", &strict).is_none());
        for url in ["https://hooks.example.com:8443/", "http://hooks.example.com:6379/", "http://93.184.216.34:22/"] {
            assert!(refused(url, &strict).is_some_and(|why| why.contains("port")), "{url}");
        }
        let local = config(true, "80,443,1024-65535");
        assert!(refused("http://127.0.0.1:40123/hooks", &local).is_none());
        assert!(refused("http://127.0.0.1:22/hooks", &local).is_some());
    }

    #[test]
    fn failures_are_stored_as_codes() {
        assert_eq!(FailureCode::of_status(503).as_str(), "http_5xx");
        assert_eq!(FailureCode::of_status(404).as_str(), "http_4xx");
        assert_eq!(FailureCode::of_status(301).as_str(), "http_3xx");
    }

    #[tokio::test]
    async fn a_refused_connection_is_connect_refused_not_its_error_text() {
        // A port nobody listens on: bind one, then close it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let client =
            reqwest::Client::builder().dns_resolver(Arc::new(GuardedResolver { allow_private: true })).build().unwrap();
        let err = client.get(format!("http://localhost:{port}/")).send().await.unwrap_err();
        assert_eq!(FailureCode::of_error(&err), FailureCode::ConnectRefused);
        let strict = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { allow_private: false }))
            .build()
            .unwrap();
        let err = strict.get(format!("http://localhost:{port}/")).send().await.unwrap_err();
        assert_eq!(FailureCode::of_error(&err), FailureCode::TargetForbidden);
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_of_private_addresses() {
        let resolver = GuardedResolver { allow_private: false };
        let refused = resolver.resolve("localhost".parse().unwrap()).await;
        assert!(refused.is_err_and(|err| err.to_string().contains("may not reach")));
        let allowed = GuardedResolver { allow_private: true }.resolve("localhost".parse().unwrap()).await;
        assert!(allowed.is_ok());
    }
}
