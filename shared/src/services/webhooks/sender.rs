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
use crate::domain::webhooks::{forbidden_target, snippet};

/// A receiver has this long to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a receiver's answer that is read.
const MAX_RESPONSE_BYTES: usize = 4096;

/// What one POST came to.
#[derive(Debug, Clone, PartialEq)]
pub struct SendResult {
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub response: Option<String>,
    pub error: Option<String>,
}

impl SendResult {
    /// Any 2xx; a redirect is not followed and counts as a failure.
    pub fn delivered(&self) -> bool {
        self.status_code.is_some_and(|code| (200..300).contains(&code))
    }

    fn refused(error: String) -> Self {
        Self { status_code: None, latency_ms: 0, response: None, error: Some(error) }
    }
}

/// Resolves with the system resolver and refuses the host if any of its addresses is forbidden.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no address").into());
            }
            if !allow_private && let Some(bad) = addrs.iter().find(|addr| forbidden_target(addr.ip())) {
                return Err(format!("{host} resolves to {}, which deliveries may not reach", bad.ip()).into());
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

/// Whether `url` may be called at all before any lookup: a literal address must be public (names are
/// checked by the resolver). Registration and every attempt check it.
pub fn literal_target_refused(url: &reqwest::Url, allow_private: bool) -> Option<String> {
    let ip: IpAddr = match url.host()? {
        url::Host::Ipv4(v4) => v4.into(),
        url::Host::Ipv6(v6) => v6.into(),
        url::Host::Domain(_) => return None,
    };
    (!allow_private && forbidden_target(ip)).then(|| format!("{ip} is not a public address"))
}

/// POSTs `body` with `headers` to `url` once.
pub async fn post(app: &App, url: &str, headers: &[(&str, String)], body: &str) -> SendResult {
    let url = match reqwest::Url::parse(url) {
        Ok(url) => url,
        Err(err) => return SendResult::refused(format!("invalid URL: {err}")),
    };
    if let Some(refused) = literal_target_refused(&url, app.config.webhook_allow_private_targets) {
        return SendResult::refused(refused);
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
            let error = if err.is_timeout() {
                format!("no answer within {} s", TIMEOUT.as_secs())
            } else {
                // The source chain says why (refused address, connection refused, TLS...).
                let mut message = err.to_string();
                let mut source = std::error::Error::source(&err);
                while let Some(cause) = source {
                    message = format!("{message}: {cause}");
                    source = cause.source();
                }
                message
            };
            return SendResult { status_code: None, latency_ms, response: None, error: Some(error) };
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
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_private_addresses_are_refused_unless_allowed() {
        let url = reqwest::Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        assert!(literal_target_refused(&url, false).is_some());
        assert!(literal_target_refused(&url, true).is_none());
        let url = reqwest::Url::parse("http://[::1]:8080/").unwrap();
        assert!(literal_target_refused(&url, false).is_some());
        let url = reqwest::Url::parse("https://hooks.example.com/").unwrap();
        assert!(literal_target_refused(&url, false).is_none(), "names are checked when resolved");
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
