//! A stand-in for Google's OAuth 2.0 and People API endpoints, served by the local stack under
//! `/__local/google` (no registry package plays Google). It behaves as the parts we use do:
//! - `GET /__local/google/o/oauth2/v2/auth`: consent is given at once for the account named by `login_hint`
//!   (or the demo account), redirecting to `redirect_uri` with `code` and `state`;
//! - `POST /__local/google/token`: `authorization_code` (the PKCE S256 verifier checked against the challenge,
//!   the client, the redirect URI; a code works once) and `refresh_token` grants, `invalid_grant` else;
//! - `POST /__local/google/revoke`: revokes a refresh token and its access tokens;
//! - `GET /__local/google/v1/people/me/connections`: paged listings, sync tokens (that can be made to expire:
//!   400 `EXPIRED_SYNC_TOKEN`), deleted contacts in incremental listings (`metadata.deleted`), 429s with
//!   Retry-After when injected, 401 for expired or revoked access tokens;
//! - `PATCH /__local/google/v1/people/{id}:updateContact`: the two-way write-back, with the `contacts`
//!   scope and the contact's current etag (400 FAILED_PRECONDITION otherwise);
//! - `POST /__local/google/v1/people:createContact`: the export of a new contact (the `contacts` scope);
//! - `GET /__local/google/v1/people/{id}`: one contact (any contacts scope), as a conflict re-reads it.
//!
//! The control surface the tests (and a developer) use, per account (`{account}` is its e-mail):
//! - `PUT /__local/google/control/accounts/{account}/contacts/{id}` `{name, email, phone, company, title}`
//!   creates or changes `people/{id}`; `DELETE …/contacts/{id}` deletes it; `GET …` shows it;
//! - `POST …/expire-sync-tokens`: every sync token issued so far expires;
//! - `POST …/faults` `{status, count, retry_after}`: the next `count` People calls answer `status`;
//! - `POST …/page-size` `{max}`: caps the page size (to make paging visible with a few contacts);
//! - `POST …/expire-access-tokens`: access tokens issued so far answer 401 (refresh needed);
//! - `POST …/contacts/{id}/edit-before-next-write` `{name, email, …}`: the next updateContact of that
//!   contact finds it edited in Google a moment before (so its etag is stale), as a real race would;
//! - `GET …`: the account's contacts and what happened (People calls, full and incremental listings,
//!   contacts created and updated through the API, grants and whether they are revoked, the tokens).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use serde::Deserialize;
use serde_json::{Value, json};

/// The OAuth client the local stack configures (SWITCHBOARD_GOOGLE_CLIENT_ID / _SECRET).
pub const CLIENT_ID: &str = "switchboard-local.apps.googleusercontent.example";
pub const CLIENT_SECRET: &str = "local-google-client-secret";
/// The account consent goes to when no `login_hint` is given; `make dev` seeds it with a few contacts.
pub const DEMO_ACCOUNT: &str = "demo.contacts@gmail.example";
const ACCESS_TOKEN_SECONDS: u64 = 3600;
const DEFAULT_PAGE_SIZE: usize = 100;

#[derive(Default)]
struct Contact {
    etag_version: u64,
    seq: u64,
    deleted: bool,
    fields: ContactFields,
}

#[derive(Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFields {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Default)]
struct Account {
    contacts: BTreeMap<String, Contact>,
    /// Raised by every change; sync tokens carry the value they were issued at.
    seq: u64,
    /// Sync tokens issued before this value are expired.
    sync_tokens_valid_from: u64,
    /// Access tokens issued before this generation answer 401.
    access_generation: u64,
    faults: Option<Fault>,
    max_page_size: Option<usize>,
    people_calls: u64,
    full_listings: u64,
    incremental_listings: u64,
    /// Contacts made by `createContact` and changed by `updateContact` calls.
    creates: u64,
    updates: u64,
    /// Edits applied just before the next updateContact of their contact (a race with the member).
    edits_before_write: HashMap<String, ContactFields>,
}

#[derive(Clone, Copy, Deserialize)]
struct Fault {
    status: u16,
    count: u32,
    #[serde(default)]
    retry_after: Option<u64>,
}

struct Code {
    account: String,
    challenge: String,
    redirect_uri: String,
    scope: String,
}

struct Grant {
    account: String,
    scope: String,
    revoked: bool,
}

struct AccessToken {
    account: String,
    refresh_token: String,
    generation: u64,
}

#[derive(Default)]
struct Google {
    accounts: HashMap<String, Account>,
    codes: HashMap<String, Code>,
    grants: HashMap<String, Grant>,
    access_tokens: HashMap<String, AccessToken>,
    issued: u64,
}

impl Google {
    fn token(&mut self, kind: &str) -> String {
        self.issued += 1;
        let mut bytes = [0u8; 12];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        format!("{kind}-{}-{}", self.issued, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    fn account(&mut self, email: &str) -> &mut Account {
        self.accounts.entry(email.to_lowercase()).or_default()
    }

    fn issue_access_token(&mut self, account: &str, refresh_token: &str) -> String {
        let generation = self.account(account).access_generation;
        let access = self.token("ya29");
        self.access_tokens.insert(
            access.clone(),
            AccessToken { account: account.to_owned(), refresh_token: refresh_token.to_owned(), generation },
        );
        access
    }

    fn upsert(&mut self, account: &str, id: &str, fields: ContactFields) {
        let account = self.account(account);
        account.seq += 1;
        let seq = account.seq;
        let contact = account.contacts.entry(id.to_owned()).or_default();
        contact.etag_version += 1;
        contact.seq = seq;
        contact.deleted = false;
        contact.fields = fields;
    }
}

type Shared = Arc<Mutex<Google>>;

fn oauth_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error, "error_description": error }))).into_response()
}

fn google_error(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({ "error": {
        "code": status.as_u16(), "message": message, "status": reason,
    }});
    (status, Json(body)).into_response()
}

fn form(body: &str) -> HashMap<String, String> {
    form_urlencoded::parse(body.as_bytes()).into_owned().collect()
}

fn challenge_of(verifier: &str) -> String {
    use sha2::Digest;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

async fn authorize(State(google): State<Shared>, Query(query): Query<HashMap<String, String>>) -> Response {
    let param = |name: &str| query.get(name).cloned().unwrap_or_default();
    if param("client_id") != CLIENT_ID {
        return (StatusCode::BAD_REQUEST, "Error 401: invalid_client").into_response();
    }
    if param("response_type") != "code"
        || param("code_challenge_method") != "S256"
        || param("code_challenge").is_empty()
    {
        return (StatusCode::BAD_REQUEST, "Error 400: invalid_request (code with an S256 challenge expected)")
            .into_response();
    }
    let redirect = param("redirect_uri");
    let Ok(mut target) = url::Url::parse(&redirect) else {
        return (StatusCode::BAD_REQUEST, "Error 400: redirect_uri_mismatch").into_response();
    };
    let account = query.get("login_hint").cloned().unwrap_or_else(|| DEMO_ACCOUNT.to_owned()).to_lowercase();
    let mut google = google.lock().expect("stand-in state");
    google.account(&account);
    let code = google.token("4/code");
    google.codes.insert(
        code.clone(),
        Code { account, challenge: param("code_challenge"), redirect_uri: redirect, scope: param("scope") },
    );
    target.query_pairs_mut().append_pair("code", &code).append_pair("state", &param("state"));
    (StatusCode::FOUND, [(header::LOCATION, target.to_string())]).into_response()
}

async fn token(State(google): State<Shared>, body: String) -> Response {
    let params = form(&body);
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    if param("client_id") != CLIENT_ID || param("client_secret") != CLIENT_SECRET {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "invalid_client" }))).into_response();
    }
    let mut google = google.lock().expect("stand-in state");
    match param("grant_type").as_str() {
        "authorization_code" => {
            // A code is used up by its first exchange, whether or not that exchange succeeds.
            let Some(code) = google.codes.remove(&param("code")) else {
                return oauth_error("invalid_grant");
            };
            if code.redirect_uri != param("redirect_uri") || challenge_of(&param("code_verifier")) != code.challenge {
                return oauth_error("invalid_grant");
            }
            let refresh = google.token("1//refresh");
            google.grants.insert(
                refresh.clone(),
                Grant { account: code.account.clone(), scope: code.scope.clone(), revoked: false },
            );
            let access = google.issue_access_token(&code.account, &refresh);
            Json(json!({
                "access_token": access, "refresh_token": refresh, "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": code.scope, "token_type": "Bearer",
            }))
            .into_response()
        }
        "refresh_token" => {
            let refresh = param("refresh_token");
            let Some(grant) = google.grants.get(&refresh).filter(|grant| !grant.revoked) else {
                return oauth_error("invalid_grant");
            };
            let (account, scope) = (grant.account.clone(), grant.scope.clone());
            let access = google.issue_access_token(&account, &refresh);
            Json(json!({ "access_token": access, "expires_in": ACCESS_TOKEN_SECONDS, "scope": scope, "token_type": "Bearer" }))
                .into_response()
        }
        _ => oauth_error("unsupported_grant_type"),
    }
}

async fn revoke(State(google): State<Shared>, Query(query): Query<HashMap<String, String>>, body: String) -> Response {
    let params = form(&body);
    let Some(token) = params.get("token").or_else(|| query.get("token")).cloned() else {
        return oauth_error("invalid_request");
    };
    let mut google = google.lock().expect("stand-in state");
    let refresh = match google.access_tokens.get(&token) {
        Some(access) => access.refresh_token.clone(),
        None => token,
    };
    match google.grants.get_mut(&refresh) {
        Some(grant) if !grant.revoked => {
            grant.revoked = true;
            google.access_tokens.retain(|_, access| access.refresh_token != refresh);
            StatusCode::OK.into_response()
        }
        _ => oauth_error("invalid_token"),
    }
}

fn person(id: &str, contact: &Contact) -> Value {
    let resource = format!("people/{id}");
    let etag = format!("%Eg{}.{}", id, contact.etag_version);
    if contact.deleted {
        return json!({ "resourceName": resource, "etag": etag, "metadata": { "deleted": true } });
    }
    let fields = &contact.fields;
    let mut person = json!({
        "resourceName": resource, "etag": etag,
        "metadata": { "sources": [{ "type": "CONTACT", "id": id }], "objectType": "PERSON" },
    });
    if let Some(name) = &fields.name {
        let mut parts = name.splitn(2, ' ');
        person["names"] = json!([{ "displayName": name, "givenName": parts.next(), "familyName": parts.next() }]);
    }
    if let Some(email) = &fields.email {
        person["emailAddresses"] = json!([{ "value": email }]);
    }
    if let Some(phone) = &fields.phone {
        person["phoneNumbers"] = json!([{ "value": phone }]);
    }
    if fields.company.is_some() || fields.title.is_some() {
        person["organizations"] = json!([{ "name": fields.company, "title": fields.title }]);
    }
    person
}

/// Page tokens say what they page over: `full:<offset>:<snapshot>` or `inc:<since>:<offset>:<snapshot>`.
enum Listing {
    Full { offset: usize, snapshot: u64 },
    Incremental { since: u64, offset: usize, snapshot: u64 },
}

fn parse_page_token(token: &str) -> Option<Listing> {
    let parts: Vec<&str> = token.split(':').collect();
    match parts.as_slice() {
        ["full", offset, snapshot] => {
            Some(Listing::Full { offset: offset.parse().ok()?, snapshot: snapshot.parse().ok()? })
        }
        ["inc", since, offset, snapshot] => Some(Listing::Incremental {
            since: since.parse().ok()?,
            offset: offset.parse().ok()?,
            snapshot: snapshot.parse().ok()?,
        }),
        _ => None,
    }
}

async fn connections(
    State(google): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let mut google = google.lock().expect("stand-in state");
    let Some(access) = google.access_tokens.get(bearer) else {
        return google_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        );
    };
    let (account_name, generation) = (access.account.clone(), access.generation);
    let account = google.account(&account_name);
    account.people_calls += 1;
    if generation < account.access_generation {
        return google_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        );
    }
    if let Some(fault) = account.faults.as_mut() {
        fault.count -= 1;
        let fault = *fault;
        if fault.count == 0 {
            account.faults = None;
        }
        let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            google_error(status, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Read requests'.");
        if let Some(seconds) = fault.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        return response;
    }
    if query.get("personFields").is_none_or(String::is_empty) {
        return google_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "personFields mask is required.");
    }
    let page_size = query
        .get("pageSize")
        .and_then(|size| size.parse::<usize>().ok())
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, 1000)
        .min(account.max_page_size.unwrap_or(usize::MAX));
    let sync_token = query.get("syncToken").map(String::as_str);
    let since = match sync_token {
        None => None,
        Some(token) => match token.strip_prefix("st:").and_then(|seq| seq.parse::<u64>().ok()) {
            Some(seq) if seq >= account.sync_tokens_valid_from => Some(seq),
            Some(_) => {
                let body = json!({ "error": {
                    "code": 400,
                    "message": "Sync token is expired. Clear local cache and retry call without the sync token.",
                    "status": "FAILED_PRECONDITION",
                    "details": [{
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "EXPIRED_SYNC_TOKEN", "domain": "people.googleapis.com",
                    }],
                }});
                return (StatusCode::BAD_REQUEST, Json(body)).into_response();
            }
            None => return google_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "Invalid sync token."),
        },
    };
    let listing = match query.get("pageToken") {
        Some(token) => match parse_page_token(token) {
            // A page token belongs to the listing it came from: an incremental one needs its sync token.
            Some(Listing::Incremental { since: from, .. }) if since != Some(from) => {
                return google_error(
                    StatusCode::BAD_REQUEST,
                    "INVALID_ARGUMENT",
                    "Page token does not match the sync token.",
                );
            }
            Some(listing) => listing,
            None => return google_error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", "Invalid page token."),
        },
        None => match since {
            None => Listing::Full { offset: 0, snapshot: account.seq },
            Some(since) => Listing::Incremental { since, offset: 0, snapshot: account.seq },
        },
    };
    let (offset, snapshot, mut matching): (usize, u64, Vec<(&String, &Contact)>) = match listing {
        Listing::Full { offset, snapshot } => {
            if offset == 0 {
                account.full_listings += 1;
            }
            (offset, snapshot, account.contacts.iter().filter(|(_, contact)| !contact.deleted).collect())
        }
        Listing::Incremental { since, offset, snapshot } => {
            if offset == 0 {
                account.incremental_listings += 1;
            }
            let changed = account.contacts.iter().filter(|(_, contact)| contact.seq > since && contact.seq <= snapshot);
            (offset, snapshot, changed.collect())
        }
    };
    if let Some(since) = since {
        let _ = since;
        matching.sort_by_key(|(_, contact)| contact.seq);
    }
    let total = matching.len();
    let page: Vec<Value> =
        matching.iter().skip(offset).take(page_size).map(|(id, contact)| person(id, contact)).collect();
    let next_offset = offset + page.len();
    let mut body = json!({ "connections": page, "totalPeople": total, "totalItems": total });
    if next_offset < total {
        body["nextPageToken"] = json!(match since {
            None => format!("full:{next_offset}:{snapshot}"),
            Some(since) => format!("inc:{since}:{next_offset}:{snapshot}"),
        });
    } else if query.get("requestSyncToken").is_some_and(|value| value == "true") || since.is_some() {
        body["nextSyncToken"] = json!(format!("st:{snapshot}"));
    }
    Json(body).into_response()
}

/// The account a People API call acts for, if its bearer token is live and (`write`) its grant has the
/// `contacts` scope; else Google's answer.
fn authorized(google: &mut Google, headers: &HeaderMap, write: bool) -> Result<String, Box<Response>> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    let unauthenticated =
        || google_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", "Request had invalid authentication credentials.");
    let Some(access) = google.access_tokens.get(bearer) else {
        return Err(Box::new(unauthenticated()));
    };
    let (account, refresh, generation) = (access.account.clone(), access.refresh_token.clone(), access.generation);
    let writable = google
        .grants
        .get(&refresh)
        .is_some_and(|grant| grant.scope.split(' ').any(|scope| scope == "https://www.googleapis.com/auth/contacts"));
    let entry = google.account(&account);
    entry.people_calls += 1;
    if generation < entry.access_generation {
        return Err(Box::new(unauthenticated()));
    }
    if write && !writable {
        return Err(Box::new(google_error(
            StatusCode::FORBIDDEN,
            "PERMISSION_DENIED",
            "Request had insufficient authentication scopes.",
        )));
    }
    Ok(account)
}

/// Applies what an update or create body says to a contact's fields (the fields the export writes).
fn write_fields(fields: &mut ContactFields, body: &Value) {
    let first = |list: &str, field: &str| body[list][0][field].as_str().map(str::to_owned);
    fields.name = first("names", "unstructuredName");
    fields.phone = first("phoneNumbers", "value");
    fields.company = first("organizations", "name");
}

/// `GET /v1/people/{id}`: one contact.
async fn get_person(State(google): State<Shared>, headers: HeaderMap, Path(call): Path<String>) -> Response {
    let mut google = google.lock().expect("stand-in state");
    let account = match authorized(&mut google, &headers, false) {
        Ok(account) => account,
        Err(response) => return *response,
    };
    match google.account(&account).contacts.get(&call).filter(|contact| !contact.deleted) {
        Some(contact) => Json(person(&call, contact)).into_response(),
        None => google_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Requested entity was not found."),
    }
}

/// `POST /v1/people:createContact`: a new contact (the `contacts` scope).
async fn create_contact(State(google): State<Shared>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let mut google = google.lock().expect("stand-in state");
    let account = match authorized(&mut google, &headers, true) {
        Ok(account) => account,
        Err(response) => return *response,
    };
    let mut fields = ContactFields {
        email: body["emailAddresses"][0]["value"].as_str().map(str::to_owned),
        ..ContactFields::default()
    };
    write_fields(&mut fields, &body);
    let id = format!("x{}", google.issued + 1);
    google.issued += 1;
    google.upsert(&account, &id, fields);
    let entry = google.account(&account);
    entry.creates += 1;
    Json(person(&id, &entry.contacts[&id])).into_response()
}

/// `PATCH /v1/people/{id}:updateContact`: needs the `contacts` scope and the contact's current etag.
async fn update_contact(
    State(google): State<Shared>,
    headers: HeaderMap,
    Path(call): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    let Some(id) = call.strip_suffix(":updateContact").map(str::to_owned) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut google = google.lock().expect("stand-in state");
    let account = match authorized(&mut google, &headers, true) {
        Ok(account) => account,
        Err(response) => return *response,
    };
    if let Some(edit) = google.account(&account).edits_before_write.remove(&id) {
        google.upsert(&account, &id, edit);
    }
    let entry = google.account(&account);
    let current = match entry.contacts.get(&id).filter(|contact| !contact.deleted) {
        Some(contact) => format!("%Eg{}.{}", id, contact.etag_version),
        None => return google_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Requested entity was not found."),
    };
    if body["etag"].as_str() != Some(current.as_str()) {
        return google_error(
            StatusCode::BAD_REQUEST,
            "FAILED_PRECONDITION",
            "Request person.etag is different than the current person.etag.",
        );
    }
    entry.seq += 1;
    entry.updates += 1;
    let seq = entry.seq;
    let contact = entry.contacts.get_mut(&id).expect("checked above");
    write_fields(&mut contact.fields, &body);
    contact.etag_version += 1;
    contact.seq = seq;
    Json(person(&id, contact)).into_response()
}

async fn get_contact(State(google): State<Shared>, Path((account, id)): Path<(String, String)>) -> Response {
    let mut google = google.lock().expect("stand-in state");
    match google.account(&account).contacts.get(&id) {
        Some(contact) => Json(person(&id, contact)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn put_contact(
    State(google): State<Shared>,
    Path((account, id)): Path<(String, String)>,
    Json(fields): Json<ContactFields>,
) -> Response {
    google.lock().expect("stand-in state").upsert(&account, &id, fields);
    Json(json!({ "resourceName": format!("people/{id}") })).into_response()
}

async fn delete_contact(State(google): State<Shared>, Path((account, id)): Path<(String, String)>) -> Response {
    let mut google = google.lock().expect("stand-in state");
    let account = google.account(&account);
    account.seq += 1;
    let seq = account.seq;
    match account.contacts.get_mut(&id) {
        Some(contact) if !contact.deleted => {
            contact.deleted = true;
            contact.seq = seq;
            contact.etag_version += 1;
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST …/contacts/{id}/edit-before-next-write`: the member edits the contact in Google just before our
/// next write to it lands.
async fn edit_before_next_write(
    State(google): State<Shared>,
    Path((account, id, action)): Path<(String, String, String)>,
    Json(fields): Json<ContactFields>,
) -> Response {
    if action != "edit-before-next-write" {
        return StatusCode::NOT_FOUND.into_response();
    }
    google.lock().expect("stand-in state").account(&account).edits_before_write.insert(id, fields);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct PageSize {
    max: usize,
}

async fn control(
    State(google): State<Shared>,
    Path((account, action)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let mut google = google.lock().expect("stand-in state");
    let body = body.map(|Json(body)| body).unwrap_or(Value::Null);
    let entry = google.account(&account);
    match action.as_str() {
        "expire-sync-tokens" => entry.sync_tokens_valid_from = entry.seq + 1,
        "expire-access-tokens" => entry.access_generation += 1,
        "faults" => match serde_json::from_value::<Fault>(body) {
            Ok(fault) if fault.count > 0 => entry.faults = Some(fault),
            _ => {
                return (StatusCode::UNPROCESSABLE_ENTITY, "{status, count > 0, retry_after?} expected")
                    .into_response();
            }
        },
        "page-size" => match serde_json::from_value::<PageSize>(body) {
            Ok(size) if size.max > 0 => entry.max_page_size = Some(size.max),
            _ => return (StatusCode::UNPROCESSABLE_ENTITY, "{max > 0} expected").into_response(),
        },
        _ => return StatusCode::NOT_FOUND.into_response(),
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn account_state(State(google): State<Shared>, Path(account): Path<String>) -> Response {
    let mut google = google.lock().expect("stand-in state");
    let account = account.to_lowercase();
    // The token values are shown so a test can look for them where they must not be (the table).
    let grants: Vec<Value> = google
        .grants
        .iter()
        .filter(|(_, grant)| grant.account == account)
        .map(|(refresh, grant)| json!({ "refresh_token": refresh, "scope": grant.scope, "revoked": grant.revoked }))
        .collect();
    let access_tokens: Vec<&String> =
        google.access_tokens.iter().filter(|(_, access)| access.account == account).map(|(token, _)| token).collect();
    let access_tokens = json!(access_tokens);
    let entry = google.account(&account);
    let people: Vec<Value> = entry
        .contacts
        .iter()
        .filter(|(_, contact)| !contact.deleted)
        .map(|(id, contact)| person(id, contact))
        .collect();
    Json(json!({
        "people": people,
        "people_calls": entry.people_calls,
        "full_listings": entry.full_listings,
        "incremental_listings": entry.incremental_listings,
        "creates": entry.creates,
        "updates": entry.updates,
        "contacts": entry.contacts.values().filter(|contact| !contact.deleted).count(),
        "grants": grants,
        "access_tokens": access_tokens,
    }))
    .into_response()
}

/// The stand-in's routes, with the demo account's contacts when `seed_demo`.
pub fn routes(seed_demo: bool) -> Router {
    let mut google = Google::default();
    if seed_demo {
        for (id, name, email, company) in [
            ("c1001", "Grace Hopper", "grace@navy.example", "US Navy"),
            ("c1002", "Katherine Johnson", "katherine@nasa.example", "NASA"),
            ("c1003", "Alan Turing", "alan@bletchley.example", "Bletchley Park"),
        ] {
            let fields = ContactFields {
                name: Some(name.to_owned()),
                email: Some(email.to_owned()),
                company: Some(company.to_owned()),
                ..ContactFields::default()
            };
            google.upsert(DEMO_ACCOUNT, id, fields);
        }
    }
    Router::new()
        .route("/__local/google/o/oauth2/v2/auth", get(authorize))
        .route("/__local/google/token", post(token))
        .route("/__local/google/revoke", post(revoke))
        .route("/__local/google/v1/people/me/connections", get(connections))
        .route("/__local/google/v1/people:createContact", post(create_contact))
        .route("/__local/google/v1/people/{call}", get(get_person).patch(update_contact))
        .route("/__local/google/control/accounts/{account}", get(account_state))
        .route(
            "/__local/google/control/accounts/{account}/contacts/{id}",
            get(get_contact).put(put_contact).delete(delete_contact),
        )
        .route("/__local/google/control/accounts/{account}/contacts/{id}/{action}", post(edit_before_next_write))
        .route("/__local/google/control/accounts/{account}/{action}", post(control))
        .with_state(Arc::new(Mutex::new(google)))
}
