//! Google's OAuth 2.0 and People API endpoints, as configured ([`GoogleConfig`]): the token exchange
//! and refresh, revocation, and `people/me/connections` listings. Errors are named by what the sync
//! does about them.

use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::config::GoogleConfig;

/// Read-only access, or read and write for the two-way export.
pub const SCOPE_READONLY: &str = "https://www.googleapis.com/auth/contacts.readonly";
pub const SCOPE_READ_WRITE: &str = "https://www.googleapis.com/auth/contacts";
/// The fields the import reads.
pub const PERSON_FIELDS: &str = "names,emailAddresses,phoneNumbers,organizations,metadata";
/// Contacts per listing page (Google allows up to 1000).
pub const PAGE_SIZE: u32 = 200;
/// Google's answer to a request slower than this is not waited for.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum GoogleError {
    /// OAuth refused a grant (`invalid_grant`: a wrong code or verifier, a revoked refresh token).
    #[error("Google refused the grant: {0}")]
    Refused(String),
    /// The access token is no longer accepted (expired early, revoked).
    #[error("Google no longer accepts the access token")]
    Unauthorized,
    /// Quota: wait `retry_after` (Google's Retry-After when it sent one).
    #[error("Google's quota is exhausted for now")]
    RateLimited { retry_after: Option<Duration> },
    /// The sync token is too old (HTTP 400, reason EXPIRED_SYNC_TOKEN): list everything again.
    #[error("the sync token expired")]
    ExpiredSyncToken,
    /// A write-back carried an etag Google no longer has: the contact changed in Google meanwhile.
    #[error("the contact changed in Google meanwhile")]
    StaleEtag,
    /// Anything else: Google unreachable, a 5xx, an answer we cannot read.
    #[error("Google failed: {0}")]
    Unavailable(String),
}

/// Tokens from the token endpoint.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenGrant {
    pub access_token: String,
    /// Sent on the code exchange; a refresh may omit it (the old one stays valid).
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub resource_name: String,
    #[serde(default)]
    pub etag: String,
    #[serde(default)]
    pub metadata: PersonMetadata,
    #[serde(default)]
    pub names: Vec<Name>,
    #[serde(default)]
    pub email_addresses: Vec<Field>,
    #[serde(default)]
    pub phone_numbers: Vec<Field>,
    #[serde(default)]
    pub organizations: Vec<Organization>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct PersonMetadata {
    #[serde(default)]
    pub deleted: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Name {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Field {
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Organization {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionsPage {
    #[serde(default)]
    pub connections: Vec<Person>,
    #[serde(default)]
    pub next_page_token: Option<String>,
    #[serde(default)]
    pub next_sync_token: Option<String>,
}

/// A PKCE pair (RFC 7636): the verifier stays with us, Google gets the S256 challenge.
pub struct Pkce {
    pub verifier: String,
    pub challenge: String,
}

/// 32 random bytes, base64url: a verifier of 43 characters, or an OAuth `state`.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("the system random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Pkce {
    pub fn generate() -> Self {
        let verifier = random_token();
        let challenge = challenge_of(&verifier);
        Self { verifier, challenge }
    }
}

/// The S256 code challenge of a verifier.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    })
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        body.append_pair(name, value);
    }
    body.finish()
}

fn unavailable(err: impl std::fmt::Display) -> GoogleError {
    GoogleError::Unavailable(err.to_string())
}

/// Google's endpoints for one configuration.
pub struct Google<'a> {
    config: &'a GoogleConfig,
}

impl<'a> Google<'a> {
    pub fn new(config: &'a GoogleConfig) -> Self {
        Self { config }
    }

    /// Where the member's browser goes to consent.
    pub fn authorize_url(&self, scope: &str, state: &str, challenge: &str, login_hint: Option<&str>) -> String {
        let mut url = url::Url::parse(&self.config.authorize_url).expect("SWITCHBOARD_GOOGLE_AUTHORIZE_URL is a URL");
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("client_id", &self.config.client_id)
                .append_pair("redirect_uri", &self.config.redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", scope)
                .append_pair("state", state)
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256")
                // A refresh token, and consent asked again so a new grant always carries one.
                .append_pair("access_type", "offline")
                .append_pair("prompt", "consent");
            if let Some(hint) = login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        url.into()
    }

    async fn token_request(&self, pairs: &[(&str, &str)]) -> Result<TokenGrant, GoogleError> {
        let response = http()
            .post(&self.config.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(pairs))
            .send()
            .await
            .map_err(unavailable)?;
        let status = response.status();
        let body = response.text().await.map_err(unavailable)?;
        if status.is_success() {
            return serde_json::from_str(&body).map_err(unavailable);
        }
        #[derive(Deserialize)]
        struct OAuthError {
            error: String,
        }
        match serde_json::from_str::<OAuthError>(&body) {
            Ok(err) if status.is_client_error() => Err(GoogleError::Refused(err.error)),
            _ => Err(GoogleError::Unavailable(format!("token endpoint answered {status}"))),
        }
    }

    /// The authorization code and its PKCE verifier, for tokens.
    pub async fn exchange_code(&self, code: &str, verifier: &str) -> Result<TokenGrant, GoogleError> {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", &self.config.redirect_uri),
            ("client_id", &self.config.client_id),
            ("client_secret", &self.config.client_secret),
        ])
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenGrant, GoogleError> {
        self.token_request(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &self.config.client_id),
            ("client_secret", &self.config.client_secret),
        ])
        .await
    }

    /// Revokes the grant (revoking the refresh token revokes its access tokens too). A token Google no
    /// longer knows (already revoked) is not an error.
    pub async fn revoke(&self, token: &str) -> Result<(), GoogleError> {
        let response = http()
            .post(&self.config.revoke_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("token", token)]))
            .send()
            .await
            .map_err(unavailable)?;
        match response.status() {
            status if status.is_success() || status == reqwest::StatusCode::BAD_REQUEST => Ok(()),
            status => Err(GoogleError::Unavailable(format!("revoke endpoint answered {status}"))),
        }
    }

    /// One page of the member's contacts: a full listing (no `sync_token`, asking for one at its end),
    /// or the changes since `sync_token` (deleted contacts included, `metadata.deleted`).
    pub async fn connections(
        &self,
        access_token: &str,
        sync_token: Option<&str>,
        page_token: Option<&str>,
    ) -> Result<ConnectionsPage, GoogleError> {
        let mut url =
            url::Url::parse(&format!("{}/v1/people/me/connections", self.config.people_url)).map_err(unavailable)?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("personFields", PERSON_FIELDS)
                .append_pair("pageSize", &PAGE_SIZE.to_string())
                .append_pair("requestSyncToken", "true");
            if let Some(token) = sync_token {
                query.append_pair("syncToken", token);
            }
            if let Some(token) = page_token {
                query.append_pair("pageToken", token);
            }
        }
        let response = http().get(url).bearer_auth(access_token).send().await.map_err(unavailable)?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.text().await.map_err(unavailable)?;
        match status.as_u16() {
            200 => serde_json::from_str(&body).map_err(unavailable),
            401 => Err(GoogleError::Unauthorized),
            429 => Err(GoogleError::RateLimited { retry_after }),
            // Google names the expired sync token in the error's details (google.rpc.ErrorInfo reason).
            400 if body.contains("EXPIRED_SYNC_TOKEN") => Err(GoogleError::ExpiredSyncToken),
            _ => Err(GoogleError::Unavailable(format!("the People API answered {status}"))),
        }
    }
}

/// What the two-way export writes to a contact.
pub struct ContactUpdate<'a> {
    pub name: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub company: Option<&'a str>,
}

impl ContactUpdate<'_> {
    /// The person body the People API takes for these fields.
    fn body(&self) -> serde_json::Value {
        let list = |value: Option<&str>, field: &str| match value {
            Some(value) => serde_json::json!([{ field: value }]),
            None => serde_json::json!([]),
        };
        serde_json::json!({
            "names": list(self.name, "unstructuredName"),
            "phoneNumbers": list(self.phone, "value"),
            "organizations": list(self.company, "name"),
        })
    }
}

/// A write's answer, by what the export does about it.
fn write_outcome(status: reqwest::StatusCode, text: &str, call: &str) -> Result<Person, GoogleError> {
    match status.as_u16() {
        200 => serde_json::from_str::<Person>(text).map_err(unavailable),
        // Google answers a stale etag with 400 FAILED_PRECONDITION (412 on some surfaces).
        400 if text.contains("FAILED_PRECONDITION") => Err(GoogleError::StaleEtag),
        412 => Err(GoogleError::StaleEtag),
        401 => Err(GoogleError::Unauthorized),
        429 => Err(GoogleError::RateLimited { retry_after: None }),
        _ => Err(GoogleError::Unavailable(format!("{call} answered {status}"))),
    }
}

impl Google<'_> {
    /// Writes a customer's name, phone and company to its contact, if Google still has `etag`; answers
    /// the contact's new etag.
    pub async fn update_contact(
        &self,
        access_token: &str,
        resource_name: &str,
        etag: &str,
        update: &ContactUpdate<'_>,
    ) -> Result<String, GoogleError> {
        let url = format!(
            "{}/v1/{resource_name}:updateContact?updatePersonFields=names,phoneNumbers,organizations",
            self.config.people_url
        );
        let mut body = update.body();
        body["resourceName"] = serde_json::json!(resource_name);
        body["etag"] = serde_json::json!(etag);
        let response = http().patch(url).bearer_auth(access_token).json(&body).send().await.map_err(unavailable)?;
        let status = response.status();
        let text = response.text().await.map_err(unavailable)?;
        write_outcome(status, &text, "updateContact").map(|person| person.etag)
    }

    /// Makes a contact of a customer (its e-mail and the update's fields); answers the new contact (its
    /// resource name and etag).
    pub async fn create_contact(
        &self,
        access_token: &str,
        email: &str,
        fields: &ContactUpdate<'_>,
    ) -> Result<Person, GoogleError> {
        let url = format!("{}/v1/people:createContact?personFields={PERSON_FIELDS}", self.config.people_url);
        let mut body = fields.body();
        body["emailAddresses"] = serde_json::json!([{ "value": email }]);
        let response = http().post(url).bearer_auth(access_token).json(&body).send().await.map_err(unavailable)?;
        let status = response.status();
        let text = response.text().await.map_err(unavailable)?;
        write_outcome(status, &text, "createContact")
    }

    /// One contact as Google has it now (a conflict's re-read); None when it is gone.
    pub async fn get_contact(&self, access_token: &str, resource_name: &str) -> Result<Option<Person>, GoogleError> {
        let url = format!("{}/v1/{resource_name}?personFields={PERSON_FIELDS}", self.config.people_url);
        let response = http().get(url).bearer_auth(access_token).send().await.map_err(unavailable)?;
        let status = response.status();
        let text = response.text().await.map_err(unavailable)?;
        match status.as_u16() {
            404 => Ok(None),
            _ => write_outcome(status, &text, "people.get").map(Some),
        }
    }
}

impl Person {
    /// The first e-mail Google lists, lower-cased.
    pub fn email(&self) -> Option<String> {
        self.email_addresses
            .iter()
            .filter_map(|field| field.value.as_deref())
            .map(|value| value.trim().to_lowercase())
            .find(|value| !value.is_empty())
    }

    pub fn name(&self) -> Option<String> {
        let name = self.names.first()?;
        let joined = || {
            let parts: Vec<&str> =
                [name.given_name.as_deref(), name.family_name.as_deref()].into_iter().flatten().collect();
            Some(parts.join(" "))
        };
        name.display_name.clone().or_else(joined).map(|name| name.trim().to_owned()).filter(|name| !name.is_empty())
    }

    pub fn phone(&self) -> Option<String> {
        self.phone_numbers
            .iter()
            .filter_map(|field| field.value.clone())
            .map(|v| v.trim().to_owned())
            .find(|v| !v.is_empty())
    }

    pub fn company(&self) -> Option<String> {
        self.organizations
            .iter()
            .filter_map(|org| org.name.clone())
            .map(|v| v.trim().to_owned())
            .find(|v| !v.is_empty())
    }

    pub fn title(&self) -> Option<String> {
        self.organizations
            .iter()
            .filter_map(|org| org.title.clone())
            .map(|v| v.trim().to_owned())
            .find(|v| !v.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_s256_of_the_verifier_as_rfc_7636_shows() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pkce = Pkce::generate();
        assert_eq!(pkce.verifier.len(), 43);
        assert_eq!(challenge_of(&pkce.verifier), pkce.challenge);
    }

    #[test]
    fn a_person_reads_as_its_first_usable_values() {
        let person: Person = serde_json::from_value(serde_json::json!({
            "resourceName": "people/c1", "etag": "e1",
            "names": [{ "givenName": "Ada", "familyName": "Lovelace" }],
            "emailAddresses": [{ "value": " " }, { "value": "Ada@Example.com" }],
            "organizations": [{ "name": "Analytical Engines", "title": "Countess" }]
        }))
        .unwrap();
        assert_eq!(person.name().as_deref(), Some("Ada Lovelace"));
        assert_eq!(person.email().as_deref(), Some("ada@example.com"));
        assert_eq!(person.company().as_deref(), Some("Analytical Engines"));
        assert!(!person.metadata.deleted);
    }
}
