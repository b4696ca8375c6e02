//! The web app's refresh token travels in a cookie script cannot read: `HttpOnly`, `Secure`,
//! `SameSite=Strict`, scoped to `/api/v1/auth` (the app and the API share one origin through CloudFront).
//! Browsers are told apart by the `Sec-Fetch-Site` header every current browser sends and no script can
//! forge: their sessions get the cookie and no refresh token in the body. Other clients (integrations,
//! scripts) keep receiving and sending it in the JSON body.

use lambda_http::{Request, http::HeaderValue};

pub const REFRESH_COOKIE: &str = "switchboard_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

/// The request came from a browser.
pub fn from_browser(req: &Request) -> bool {
    req.headers().contains_key("sec-fetch-site")
}

/// A browser request the app itself made (not another site's page, nor a link followed from one).
pub fn same_origin(req: &Request) -> bool {
    req.headers().get("sec-fetch-site").and_then(|value| value.to_str().ok()) == Some("same-origin")
}

/// The refresh token of the request's cookie, if any.
pub fn refresh_token(req: &Request) -> Option<String> {
    req.headers()
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == REFRESH_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// `Set-Cookie` holding `token` for `max_age_secs`.
pub fn set(token: &str, max_age_secs: u64) -> HeaderValue {
    cookie(token, max_age_secs)
}

/// `Set-Cookie` that removes the cookie.
pub fn clear() -> HeaderValue {
    cookie("", 0)
}

fn cookie(value: &str, max_age_secs: u64) -> HeaderValue {
    // Refresh tokens are URL-safe text (no `;`, `,` or spaces), so the value needs no quoting.
    let text = format!(
        "{REFRESH_COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("switchboard_refresh=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = lambda_http::http::Request::builder();
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(lambda_http::Body::Empty).unwrap()
    }

    #[test]
    fn the_cookie_is_out_of_reach_of_scripts_and_other_sites() {
        let set = set("abc.def", 2_592_000);
        let set = set.to_str().unwrap();
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age=2592000"] {
            assert!(set.contains(attribute), "{set} lacks {attribute}");
        }
        assert!(
            clear().to_str().unwrap().starts_with("switchboard_refresh=; ")
                && clear().to_str().unwrap().contains("Max-Age=0")
        );
    }

    #[test]
    fn reads_the_token_among_other_cookies_and_tells_browsers_apart() {
        let req = request(&[
            ("cookie", "theme=dark; switchboard_refresh=tok.en; other=1"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(refresh_token(&req).as_deref(), Some("tok.en"));
        assert!(from_browser(&req) && same_origin(&req));
        let cross = request(&[("cookie", "switchboard_refresh="), ("sec-fetch-site", "cross-site")]);
        assert_eq!(refresh_token(&cross), None, "an emptied cookie is no token");
        assert!(from_browser(&cross) && !same_origin(&cross));
        assert!(!from_browser(&request(&[])));
    }
}
