//! The API answers only requests that came through CloudFront: the distribution adds a secret header
//! to every request it forwards ([`ORIGIN_HEADER`], template.yaml `OriginCustomHeaders`), and requests
//! to the execute-api URL directly lack it. A resource policy cannot test a header, so the check is
//! here, for every route of every HTTP function, and in the authorizer (whose cached answers are keyed
//! on the header too). Unconfigured (`SWITCHBOARD_ORIGIN_SECRET` unset) nothing is checked. Locally the
//! gateway plays CloudFront and adds it.

use sha2::{Digest, Sha256};

use crate::config::SecretBytes;

/// The header CloudFront adds with the origin secret (lower case, as the proxy event carries it).
pub const ORIGIN_HEADER: &str = "x-origin-verify";

/// Whether a request carrying `presented` (the header's value, if any) may be served.
pub fn came_through_the_edge(secret: Option<&SecretBytes>, presented: Option<&[u8]>) -> bool {
    let Some(secret) = secret else { return true };
    // Digests compared, so the time taken says nothing about how much of the secret matched.
    presented.is_some_and(|value| Sha256::digest(value) == Sha256::digest(&secret.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_secret_passes_and_nothing_is_checked_unconfigured() {
        let secret = SecretBytes(b"0123456789abcdef0123456789abcdef".to_vec());
        assert!(came_through_the_edge(Some(&secret), Some(b"0123456789abcdef0123456789abcdef")));
        assert!(!came_through_the_edge(Some(&secret), None), "missing");
        assert!(!came_through_the_edge(Some(&secret), Some(b"0123456789abcdef")), "a prefix");
        assert!(!came_through_the_edge(Some(&secret), Some(b"")), "empty");
        assert!(came_through_the_edge(None, None));
    }
}
