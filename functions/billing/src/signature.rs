//! Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]`, the
//! HMAC of `<t>.<raw body>` under the endpoint's signing secret. Any `v1` may match (Stripe sends two
//! while a secret is rolled); `t` must be within [`TOLERANCE_SECONDS`] of our clock, so a captured
//! delivery cannot be replayed later. The body is checked byte for byte as it arrived: API Gateway
//! base64-encodes bodies it deems binary, and the runtime decodes them before this sees them.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Stripe's own libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp `t` or no `v1` signature")]
    Malformed,
    #[error("no v1 signature matches the body")]
    Mismatch,
    #[error("the signature's timestamp is more than {TOLERANCE_SECONDS} s from now")]
    Stale,
}

/// Checks `header` against `body` under `secret` at `now` (Unix seconds).
pub fn verify(header: Option<&str>, body: &[u8], secret: &str, now: i64) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.extend(hex::decode(value).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // Constant-time comparison of each candidate.
    if !signatures.iter().any(|candidate| mac.clone().verify_slice(candidate).is_ok()) {
        return Err(SignatureError::Mismatch);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// The header Stripe would send for `body` at `timestamp` (the tests' and the benchmark's signer).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event"}"#;

    #[test]
    fn a_signature_of_the_body_within_the_tolerance_verifies() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(verify(Some(&header), BODY, SECRET, 1_000 + TOLERANCE_SECONDS), Ok(()));
        assert_eq!(verify(Some(&header), BODY, SECRET, 1_000 - TOLERANCE_SECONDS), Ok(()));
    }

    #[test]
    fn another_body_secret_or_time_is_refused() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(verify(Some(&header), b"{}", SECRET, 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(Some(&header), BODY, "whsec_other", 1_000), Err(SignatureError::Mismatch));
        assert_eq!(verify(Some(&header), BODY, SECRET, 1_000 + TOLERANCE_SECONDS + 1), Err(SignatureError::Stale));
        // The timestamp is signed: moving it breaks the signature.
        let moved = header.replace("t=1000", "t=1200");
        assert_eq!(verify(Some(&moved), BODY, SECRET, 1_200), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_v1_may_match_and_other_schemes_are_ignored() {
        let good = sign(BODY, SECRET, 7);
        let v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t=7,v0=abcd,v1={},v1={v1}", "00".repeat(32));
        assert_eq!(verify(Some(&header), BODY, SECRET, 7), Ok(()));
        assert_eq!(verify(Some("t=7,v0=abcd"), BODY, SECRET, 7), Err(SignatureError::Malformed));
        assert_eq!(verify(Some(&format!("v1={v1}")), BODY, SECRET, 7), Err(SignatureError::Malformed));
        assert_eq!(verify(None, BODY, SECRET, 7), Err(SignatureError::Missing));
    }
}
