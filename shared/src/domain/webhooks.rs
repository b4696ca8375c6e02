//! Outbound webhooks, the pure part: which events can be subscribed to, which URLs may be called,
//! Standard Webhooks signatures, the retry schedule, the circuit breaker rule and delivery ids.

use std::{net::IpAddr, time::Duration};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::events::EventKind;

/// The subscribed event types: at least one, each a kind an endpoint can subscribe to
/// ([`EventKind::webhook_subscribable`]), without repeats (order kept).
pub fn parse_event_types(raw: &[String]) -> Result<Vec<EventKind>, String> {
    if raw.is_empty() {
        return Err("must name at least one event type".to_owned());
    }
    let mut events = Vec::new();
    for name in raw {
        let name = name.trim();
        let Some(kind) = name.parse::<EventKind>().ok().filter(|kind| kind.webhook_subscribable()) else {
            let known: Vec<&str> =
                EventKind::ALL.iter().filter(|kind| kind.webhook_subscribable()).map(|kind| kind.as_str()).collect();
            return Err(format!("{name:?} is not an event type; use one of {}", known.join(", ")));
        };
        if !events.contains(&kind) {
            events.push(kind);
        }
    }
    Ok(events)
}

pub const MAX_URL_LEN: usize = 2048;

/// An endpoint URL: absolute http(s), with a host, without credentials (they would be logged and shown).
/// Whether the host may be called at all is decided when it is resolved ([`forbidden_target`]).
pub fn parse_url(raw: &str) -> Result<reqwest::Url, String> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let url = reqwest::Url::parse(raw).map_err(|err| format!("is not a valid URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; put secrets in the signing secret instead".to_owned());
    }
    Ok(url)
}

/// An endpoint URL as events show it: scheme and host (and a port other than the scheme's) only. The
/// path and query of a webhook or Slack URL often are the credential itself, and events are readable by
/// managers and API keys.
pub fn redacted_url(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{}://{host}:{port}", url.scheme()),
            (Some(host), None) => format!("{}://{host}", url.scheme()),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// Addresses a delivery must never reach in AWS (SSRF): loopback, private, link-local (which holds the
/// instance metadata service), carrier-grade NAT, IETF protocol assignments (192.0.0.0/24), the 6to4
/// relay anycast, unique-local, site-local, multicast, unspecified, discard-only, documentation and
/// benchmarking ranges, and every IPv6 form that embeds an IPv4 address (IPv4-mapped and IPv4-compatible
/// `::a.b.c.d`, NAT64 including the local-use 64:ff9b:1::/48, 6to4, Teredo).
pub fn forbidden_target(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240 // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_target(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            let first = segments[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || segments[..6].iter().all(|segment| *segment == 0) // IPv4-compatible ::a.b.c.d (deprecated)
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed inside some networks)
                || first == 0x0100 && segments[1..4].iter().all(|segment| *segment == 0) // discard-only 100::/64
                || first == 0x2001 && segments[1] == 0x0002 && segments[2] == 0 // benchmarking 2001:2::/48
                || first == 0x2001 && segments[1] == 0x0db8 // documentation
                || first == 0x2001 && segments[1] == 0x0000 // Teredo (embeds IPv4)
                || first == 0x0064 && segments[1] == 0xff9b // NAT64, well-known and local-use (embed IPv4)
                || first == 0x2002 // 6to4 (embeds IPv4)
        }
    }
}

/// The ports a delivery may connect to: 80 and 443 unless configured otherwise
/// (`SWITCHBOARD_WEBHOOK_PORTS`, a comma-separated list of ports and `low-high` ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedPorts(Vec<std::ops::RangeInclusive<u16>>);

impl Default for AllowedPorts {
    fn default() -> Self {
        Self(vec![80..=80, 443..=443])
    }
}

impl AllowedPorts {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut ranges = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            let port = |text: &str| {
                text.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|port| *port > 0)
                    .ok_or_else(|| format!("{text:?} is not a port"))
            };
            let range = match part.split_once('-') {
                Some((low, high)) => port(low)?..=port(high)?,
                None => port(part)?..=port(part)?,
            };
            if range.is_empty() {
                return Err(format!("{part:?} is an empty range"));
            }
            ranges.push(range);
        }
        if ranges.is_empty() {
            return Err("names no port".to_owned());
        }
        Ok(Self(ranges))
    }

    pub fn allows(&self, port: u16) -> bool {
        self.0.iter().any(|range| range.contains(&port))
    }
}

/// A signing secret: 32 random bytes, shown as `whsec_<base64>` as Standard Webhooks libraries expect.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

pub const SECRET_PREFIX: &str = "whsec_";

impl SigningSecret {
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut bytes = vec![0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let encoded = raw.strip_prefix(SECRET_PREFIX).unwrap_or(raw);
        let bytes = B64.decode(encoded).map_err(|_| "is not a whsec_<base64> secret".to_owned())?;
        if bytes.len() < 24 || bytes.len() > 64 {
            return Err("must hold 24 to 64 bytes".to_owned());
        }
        Ok(Self(bytes))
    }

    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", B64.encode(&self.0))
    }

    /// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(..)")
    }
}

/// The `webhook-signature` header: one signature per valid secret, space-separated, so a receiver
/// holding either the old or the new secret verifies during a rotation's grace period.
pub fn signature_header(secrets: &[SigningSecret], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets.iter().map(|secret| secret.sign(id, timestamp, body)).collect::<Vec<_>>().join(" ")
}

/// How far a receiver should accept a timestamp from its own clock (Standard Webhooks recommends 5 min).
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 300;

/// What a receiver does (docs/webhooks.md shows it): whether any `v1` signature in `header` is the
/// secret's signature of this id, timestamp and body, and the timestamp is recent. Constant-time compare.
pub fn verify(secret: &SigningSecret, header: &str, id: &str, timestamp: i64, body: &[u8], now: i64) -> bool {
    if (now - timestamp).abs() > TIMESTAMP_TOLERANCE_SECS {
        return false;
    }
    let expected = secret.sign(id, timestamp, body);
    let expected = expected.as_bytes();
    header.split(' ').any(|candidate| {
        let candidate = candidate.as_bytes();
        candidate.len() == expected.len() && candidate.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

/// A delivery's id (the `webhook-id` header): derived from the event and the endpoint, so a redelivered
/// event never makes a second delivery, and time-ordered like the event (UUIDv7 layout: the event's
/// millisecond timestamp, then hash bits), so an endpoint's deliveries sort by time.
pub fn delivery_id(event: Uuid, endpoint: Uuid) -> Uuid {
    let digest = Sha256::new().chain_update(event.as_bytes()).chain_update(endpoint.as_bytes()).finalize();
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&event.as_bytes()[..6]);
    bytes[6..].copy_from_slice(&digest[..10]);
    uuid::Builder::from_bytes(bytes)
        .with_variant(uuid::Variant::RFC4122)
        .with_version(uuid::Version::SortRand)
        .into_uuid()
}

/// The smallest delivery id at or after `at` (for "deliveries since").
pub fn first_delivery_id_at(at: Timestamp) -> Uuid {
    let millis = u64::try_from(at.as_millisecond()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &[0; 10]).into_uuid()
}

/// Attempts per delivery: the first and the retries. The queue's redrive policy (maxReceiveCount in
/// template.yaml) equals it, so the message goes to the dead-letter queue after the last one.
pub const ATTEMPTS: u32 = 18;
const FIRST_RETRY_SECS: f64 = 30.0;
/// SQS's longest visibility timeout: the longest one wait can be.
pub const MAX_DELAY_SECS: f64 = 43_200.0;
/// Jitter spreads retries by up to ±10 %, so receivers coming back are not hit by every retry at once.
const JITTER: f64 = 0.1;

/// How long to wait after failed attempt `attempt` (1-based) before the next one; None after the last.
/// Exponential from 30 s, doubling, capped at 12 h, with `jitter` in [0, 1) mapped to ±10 %. Over the
/// 18 attempts the waits add up to more than three days (tested at the lowest jitter).
pub fn retry_delay(attempt: u32, jitter: f64) -> Option<Duration> {
    if attempt == 0 || attempt >= ATTEMPTS {
        return None;
    }
    let base = (FIRST_RETRY_SECS * 2f64.powi(i32::try_from(attempt - 1).unwrap_or(30))).min(MAX_DELAY_SECS);
    let factor = 1.0 - JITTER + 2.0 * JITTER * jitter.clamp(0.0, 1.0);
    Some(Duration::from_secs_f64((base * factor).min(MAX_DELAY_SECS)))
}

/// The circuit breaker: an endpoint is paused once it has failed this many attempts in a row...
pub const PAUSE_AFTER_FAILURES: u32 = 10;
/// ...over at least this long (so a short outage during a burst of events does not pause it).
pub const PAUSE_AFTER_FAILING_FOR: Duration = Duration::from_secs(12 * 3600);
/// A paused endpoint gets one probe delivery this often; a success resumes it.
pub const PROBE_EVERY: Duration = Duration::from_secs(3600);

/// Whether an endpoint failing `consecutive_failures` times since `failing_since` should be paused.
/// `scale` compresses time for the local stack's tests (1.0 in AWS).
pub fn should_pause(consecutive_failures: u32, failing_since: Timestamp, now: Timestamp, scale: f64) -> bool {
    let failing_for = now.duration_since(failing_since).as_secs_f64();
    consecutive_failures >= PAUSE_AFTER_FAILURES && failing_for >= PAUSE_AFTER_FAILING_FOR.as_secs_f64() * scale
}

/// How much of a receiver's answer the delivery log keeps.
pub const RESPONSE_SNIPPET_CHARS: usize = 256;

pub fn snippet(body: &str) -> String {
    body.chars().take(RESPONSE_SNIPPET_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_standard_webhooks_test_vector() {
        // The example in the Standard Webhooks specification.
        let secret = SigningSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = secret.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, br#"{"test": 2432232314}"#);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn verification_accepts_either_secret_during_rotation_and_refuses_tampering() {
        let (old, new) = (SigningSecret::generate(), SigningSecret::generate());
        let body = br#"{"type":"ticket.created"}"#;
        let header = signature_header(&[new.clone(), old.clone()], "msg_1", 1_800_000_000, body);
        assert!(verify(&old, &header, "msg_1", 1_800_000_000, body, 1_800_000_010));
        assert!(verify(&new, &header, "msg_1", 1_800_000_000, body, 1_800_000_010));
        assert!(!verify(&SigningSecret::generate(), &header, "msg_1", 1_800_000_000, body, 1_800_000_010));
        assert!(!verify(&new, &header, "msg_1", 1_800_000_000, b"{}", 1_800_000_010), "another body");
        assert!(!verify(&new, &header, "msg_2", 1_800_000_000, body, 1_800_000_010), "another id");
        assert!(!verify(&new, &header, "msg_1", 1_800_000_000, body, 1_800_000_000 + 301), "too old");
        assert_eq!(SigningSecret::parse(&new.expose()).unwrap(), new);
        assert!(new.expose().starts_with("whsec_"));
    }

    #[test]
    fn retries_back_off_exponentially_within_sqs_limits_for_more_than_three_days() {
        let delays: Vec<Duration> = (1..ATTEMPTS).map(|attempt| retry_delay(attempt, 0.5).unwrap()).collect();
        assert_eq!(delays[0], Duration::from_secs(30));
        assert_eq!(delays[1], Duration::from_secs(60));
        assert!(delays.windows(2).all(|pair| pair[1] >= pair[0]), "never shorter than the previous wait");
        for jitter in [0.0, 0.999] {
            let total: f64 = (1..ATTEMPTS).map(|a| retry_delay(a, jitter).unwrap().as_secs_f64()).sum();
            assert!(total >= 3.0 * 86_400.0, "retries end after {total} s, before three days");
            assert!(total <= 5.0 * 86_400.0, "retries last {total} s; the queue keeps messages 14 days");
            for attempt in 1..ATTEMPTS {
                assert!(retry_delay(attempt, jitter).unwrap().as_secs_f64() <= MAX_DELAY_SECS);
            }
        }
        assert_eq!(retry_delay(ATTEMPTS, 0.5), None, "the last attempt has no retry: the DLQ takes it");
        assert_eq!(retry_delay(0, 0.5), None);
    }

    #[test]
    fn jitter_spreads_a_retry_by_ten_percent() {
        let low = retry_delay(3, 0.0).unwrap().as_secs_f64();
        let high = retry_delay(3, 0.999).unwrap().as_secs_f64();
        assert!((low - 108.0).abs() < 0.01 && (high - 132.0).abs() < 0.1, "{low} {high}");
    }

    #[test]
    fn delivery_ids_are_deterministic_distinct_and_ordered_like_their_events() {
        let (first, second) = (Uuid::now_v7(), {
            std::thread::sleep(std::time::Duration::from_millis(2));
            Uuid::now_v7()
        });
        let endpoint = Uuid::now_v7();
        assert_eq!(delivery_id(first, endpoint), delivery_id(first, endpoint));
        assert_ne!(delivery_id(first, endpoint), delivery_id(first, Uuid::now_v7()));
        assert!(delivery_id(first, endpoint) < delivery_id(second, endpoint));
        assert_eq!(delivery_id(first, endpoint).get_version_num(), 7);
        let at = Timestamp::from_millisecond(i64::try_from(first.get_timestamp().unwrap().to_unix().0).unwrap() * 1000)
            .unwrap();
        assert!(first_delivery_id_at(at) <= delivery_id(first, endpoint));
    }

    #[test]
    fn only_public_addresses_are_targets() {
        for forbidden in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
            "192.0.0.1",
            "192.0.0.170",
            "192.88.99.1",
            "::127.0.0.1",
            "::169.254.169.254",
            "::8.8.8.8",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "64:ff9b::7f00:1",
            "64:ff9b:1::a9fe:a9fe",
            "2002:7f00:1::1",
            "fec0::1",
            "100::1",
            "2001:2::1",
        ] {
            assert!(forbidden_target(forbidden.parse().unwrap()), "{forbidden} must be refused");
        }
        for allowed in ["93.184.216.34", "8.8.8.8", "192.0.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888"] {
            assert!(!forbidden_target(allowed.parse().unwrap()), "{allowed} is public");
        }
    }

    #[test]
    fn only_web_ports_are_allowed_unless_configured() {
        let ports = AllowedPorts::default();
        assert!(ports.allows(80) && ports.allows(443));
        for port in [22, 25, 6379, 8080, 9200] {
            assert!(!ports.allows(port), "{port} must be refused by default");
        }
        let configured = AllowedPorts::parse("443, 8443,1024-65535").unwrap();
        assert!(
            configured.allows(8443) && configured.allows(40_000) && !configured.allows(80) && !configured.allows(22)
        );
        for bad in ["", "http", "0", "70000", "9-1", "80,x"] {
            assert!(AllowedPorts::parse(bad).is_err(), "{bad:?} is no port list");
        }
    }

    #[test]
    fn events_show_only_the_scheme_and_host_of_an_endpoint() {
        assert_eq!(redacted_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"), "https://hooks.slack.com");
        assert_eq!(redacted_url("http://127.0.0.1:4567/hooks?token=abc"), "http://127.0.0.1:4567");
        assert_eq!(redacted_url("https://example.com:443/in"), "https://example.com");
        assert_eq!(redacted_url("not a url"), "");
    }

    #[test]
    fn urls_are_http_or_https_with_a_host_and_no_credentials() {
        assert!(parse_url("https://hooks.example.com/in?x=1").is_ok());
        assert!(parse_url("http://127.0.0.1:8080/in").is_ok(), "addresses are checked when resolved");
        assert!(parse_url("ftp://example.com/").unwrap_err().contains("http"));
        assert!(parse_url("file:///etc/passwd").is_err());
        assert!(parse_url("https://user:pw@example.com/").unwrap_err().contains("credentials"));
        assert!(parse_url("not a url").is_err());
        assert!(parse_url(&format!("https://example.com/{}", "a".repeat(MAX_URL_LEN))).is_err());
    }

    #[test]
    fn event_types_must_be_known() {
        let parsed = parse_event_types(&["ticket.created".into(), "sla.breached".into(), "ticket.created".into()]);
        assert_eq!(parsed.unwrap(), [EventKind::TicketCreated, EventKind::SlaBreached]);
        assert!(
            parse_event_types(&["user.created".into()]).unwrap_err().contains("ticket.created"),
            "not subscribable"
        );
        assert!(parse_event_types(&[]).is_err());
        assert!(parse_event_types(&["ticket.exploded".into()]).unwrap_err().contains("ticket.created"));
    }

    #[test]
    fn the_breaker_opens_after_repeated_failures_over_time() {
        let since = Timestamp::from_second(1_800_000_000).unwrap();
        let later = |secs: i64| Timestamp::from_second(1_800_000_000 + secs).unwrap();
        assert!(!should_pause(PAUSE_AFTER_FAILURES - 1, since, later(86_400), 1.0));
        assert!(!should_pause(PAUSE_AFTER_FAILURES, since, later(60), 1.0), "a burst of failures is no outage");
        assert!(should_pause(PAUSE_AFTER_FAILURES, since, later(12 * 3600), 1.0));
        assert!(should_pause(PAUSE_AFTER_FAILURES, since, later(5), 0.0001), "scaled for tests");
    }
}
