//! Headers every API answer carries (unless the handler set its own): JSON is never sniffed as HTML,
//! framed, cached by a shared cache or sent with a referrer, and a response opened as a page runs
//! nothing. The web app's own policy (a strict CSP for the SPA) is set where the app is served: the
//! local gateway's static site and the CloudFront response headers policy in template.yaml.

use lambda_http::http::{HeaderMap, HeaderName, HeaderValue};

/// A JSON API needs no sources at all.
pub const API_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The web app's policy: its own scripts and styles only (no inline code, no eval), no frames, no plugins;
/// it talks to its origin and to `connect` (the WebSocket API's and the attachments bucket's origins, when
/// they are not this one). The local gateway and the CloudFront response headers policy both send this
/// (a test holds template.yaml to it).
pub fn app_content_security_policy(connect: &[&str]) -> String {
    let connect = std::iter::once("'self'").chain(connect.iter().copied()).collect::<Vec<_>>().join(" ");
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src {connect}; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

const HEADERS: &[(&str, &str)] = &[
    ("content-security-policy", API_CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("strict-transport-security", "max-age=63072000; includeSubDomains"),
    ("cross-origin-resource-policy", "same-origin"),
];

/// Adds the headers a response lacks (the gateway's own answers get them too).
pub fn add(headers: &mut HeaderMap) {
    for (name, value) in HEADERS {
        let name = HeaderName::from_static(name);
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}
