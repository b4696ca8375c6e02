//! Lead capture, the pure part: what a capture endpoint is (its kind, its mapping, what it does with a
//! known e-mail), the path syntax of a mapping and how it reads a payload, Typeform's signature, and
//! which delivery id makes a delivery replay-safe.
//!
//! A mapping names, for each lead field, where its value sits in the payload:
//! - generic JSON and Zapier: a dotted path from the payload's root, with array indices
//!   (`contact.emails[0].value`, `answers[2]`); a key with dots or brackets in it is not addressable.
//! - Typeform: the `ref` of a question of the form; its answer's value (text, email, phone_number,
//!   url, number, boolean, date, choice label, choices' labels joined by ", ") is the field's value.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::leads::LeadSource;

/// The raw body of one inbound delivery is refused past this size (413), before any parsing.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
/// The delivery log keeps at most this much of a payload (the rest is cut, and marked so).
pub const MAX_LOGGED_PAYLOAD_BYTES: usize = 8 * 1024;
/// A mapping names at most this many custom attributes.
pub const MAX_MAPPED_ATTRIBUTES: usize = 20;
/// A path has at most this many segments.
pub const MAX_PATH_SEGMENTS: usize = 16;
/// Typeform's signature header.
pub const TYPEFORM_SIGNATURE: &str = "typeform-signature";
/// The header a Zapier (or any) sender puts the endpoint's secret in.
pub const SECRET_HEADER: &str = "x-capture-secret";
/// The header a sender may name its delivery by, so a retry is recognised.
pub const DELIVERY_ID_HEADER: &str = "x-delivery-id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaptureKind {
    /// Typeform webhooks: signed with `Typeform-Signature`, answers mapped by question ref.
    Typeform,
    /// Zapier's "create lead" action: the endpoint secret in `X-Capture-Secret` (or an API key with
    /// `sales:write`), fields mapped by path.
    Zapier,
    /// Any JSON sender: the endpoint secret in `X-Capture-Secret`, fields mapped by path.
    Json,
}

impl CaptureKind {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "typeform" => Ok(Self::Typeform),
            "zapier" => Ok(Self::Zapier),
            "json" => Ok(Self::Json),
            _ => Err("must be typeform, zapier or json".to_owned()),
        }
    }

    /// The source a lead captured this way is recorded with.
    pub fn lead_source(self) -> LeadSource {
        match self {
            Self::Typeform => LeadSource::Typeform,
            Self::Zapier => LeadSource::Zapier,
            Self::Json => LeadSource::WebForm,
        }
    }
}

/// What a delivery whose e-mail is already a lead's does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnExistingLead {
    /// The delivered fields replace the lead's (fields the delivery lacks are kept).
    #[default]
    Update,
    /// The lead is left as it is; a note on it records what was delivered.
    Note,
}

impl OnExistingLead {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "update" => Ok(Self::Update),
            "note" => Ok(Self::Note),
            _ => Err("must be update or note".to_owned()),
        }
    }
}

/// One step of a path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A parsed dotted path (`a.b[0].c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err("must not be empty".to_owned());
        }
        let mut segments = Vec::new();
        for part in raw.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(at) => (&part[..at], &part[at..]),
                None => (part, ""),
            };
            // Only a path's first part may start with an index (`[0].name`, for a payload that is a list).
            let leading_index = segments.is_empty() && !rest.is_empty();
            if key.is_empty() && !leading_index {
                return Err(format!("{raw:?} has an empty segment; write keys joined by dots, like contact.email"));
            }
            if key.contains(']') {
                return Err(format!("{raw:?} has a stray ]"));
            }
            if !key.is_empty() {
                segments.push(Segment::Key(key.to_owned()));
            }
            while !rest.is_empty() {
                let Some(close) = rest.find(']') else {
                    return Err(format!("{raw:?} has a [ without its ]"));
                };
                let index = rest[1..close]
                    .parse::<usize>()
                    .map_err(|_| format!("{raw:?}: an index is a whole number in brackets, like emails[0]"))?;
                segments.push(Segment::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(format!("{raw:?}: after ] comes a dot or another [index]"));
                }
            }
        }
        if segments.len() > MAX_PATH_SEGMENTS {
            return Err(format!("must have at most {MAX_PATH_SEGMENTS} segments"));
        }
        Ok(Self(segments))
    }

    /// The value at this path, if the payload has one there.
    pub fn find<'v>(&self, payload: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(payload, |value, segment| match segment {
            Segment::Key(key) => value.get(key.as_str()),
            Segment::Index(index) => value.get(*index),
        })
    }
}

/// A lead field a mapping may fill.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum LeadField {
    Name,
    FirstName,
    LastName,
    Email,
    Phone,
    Company,
    Title,
    /// A custom attribute, by key.
    Attribute(String),
}

impl LeadField {
    pub const NAMES: &'static str = "name, first_name, last_name, email, phone, company, title, attributes.<key>";

    pub fn parse(raw: &str) -> Result<Self, String> {
        Ok(match raw {
            "name" => Self::Name,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "company" => Self::Company,
            "title" => Self::Title,
            other => match other.strip_prefix("attributes.") {
                Some(key)
                    if !key.is_empty()
                        && key.len() <= 64
                        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
                {
                    Self::Attribute(key.to_owned())
                }
                _ => return Err(format!("{other:?} is not a lead field; use any of {}", Self::NAMES)),
            },
        })
    }

    pub fn as_string(&self) -> String {
        match self {
            Self::Name => "name".to_owned(),
            Self::FirstName => "first_name".to_owned(),
            Self::LastName => "last_name".to_owned(),
            Self::Email => "email".to_owned(),
            Self::Phone => "phone".to_owned(),
            Self::Company => "company".to_owned(),
            Self::Title => "title".to_owned(),
            Self::Attribute(key) => format!("attributes.{key}"),
        }
    }
}

/// Where each lead field's value comes from: a path (generic JSON, Zapier) or a question ref (Typeform).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    kind: CaptureKind,
    fields: Vec<(LeadField, String, Option<FieldPath>)>,
}

impl Mapping {
    /// Parses `raw` (lead field → path or question ref) for an endpoint of `kind`; every bad entry is
    /// named under `mapping.<field>`.
    pub fn parse(kind: CaptureKind, raw: &BTreeMap<String, String>) -> Result<Self, Vec<super::FieldError>> {
        let mut errors = Vec::new();
        let mut fields = Vec::new();
        for (field, source) in raw {
            let name = format!("mapping.{field}");
            let lead_field = match LeadField::parse(field) {
                Ok(lead_field) => lead_field,
                Err(message) => {
                    errors.push(super::FieldError::new(name, message));
                    continue;
                }
            };
            match kind {
                CaptureKind::Typeform => {
                    let source = source.trim();
                    if source.is_empty() || source.len() > 255 {
                        errors.push(super::FieldError::new(name, "must be a question ref (1 to 255 characters)"));
                        continue;
                    }
                    fields.push((lead_field, source.to_owned(), None));
                }
                CaptureKind::Zapier | CaptureKind::Json => match FieldPath::parse(source) {
                    Ok(path) => fields.push((lead_field, source.trim().to_owned(), Some(path))),
                    Err(message) => errors.push(super::FieldError::new(name, message)),
                },
            }
        }
        let attributes = fields.iter().filter(|(field, ..)| matches!(field, LeadField::Attribute(_))).count();
        if attributes > MAX_MAPPED_ATTRIBUTES {
            errors.push(super::FieldError::new("mapping", format!("maps at most {MAX_MAPPED_ATTRIBUTES} attributes")));
        }
        let names_lead = fields.iter().any(|(field, ..)| {
            matches!(field, LeadField::Name | LeadField::FirstName | LeadField::LastName | LeadField::Email)
        });
        if errors.is_empty() && !names_lead {
            errors.push(super::FieldError::new(
                "mapping",
                "must map at least one of name, first_name, last_name or email: a lead needs a name",
            ));
        }
        if errors.is_empty() { Ok(Self { kind, fields }) } else { Err(errors) }
    }

    /// The mapping as it is stored and shown: lead field → path or question ref.
    pub fn to_raw(&self) -> BTreeMap<String, String> {
        self.fields.iter().map(|(field, source, _)| (field.as_string(), source.clone())).collect()
    }

    /// The lead fields this mapping reads from `payload`. A field whose value is missing, null or not
    /// a scalar is left out (and said so in `missing`).
    pub fn apply(&self, payload: &Value) -> Captured {
        let answers = match self.kind {
            CaptureKind::Typeform => typeform_answers(payload),
            _ => BTreeMap::new(),
        };
        let mut captured = Captured::default();
        for (field, source, path) in &self.fields {
            let value = match path {
                Some(path) => path.find(payload).and_then(scalar_text),
                None => answers.get(source).cloned(),
            };
            match value.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty()) {
                Some(text) => {
                    captured.values.insert(field.clone(), text);
                }
                None => captured.missing.push(field.as_string()),
            }
        }
        captured
    }
}

/// What a mapping read from one payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    pub values: BTreeMap<LeadField, String>,
    /// The mapped fields the payload had no value for.
    pub missing: Vec<String>,
}

impl Captured {
    pub fn get(&self, field: &LeadField) -> Option<&str> {
        self.values.get(field).map(String::as_str)
    }

    /// The lead's name: `name`, else first and last name joined, else the e-mail.
    pub fn name(&self) -> Option<String> {
        if let Some(name) = self.get(&LeadField::Name) {
            return Some(name.to_owned());
        }
        let parts: Vec<&str> =
            [LeadField::FirstName, LeadField::LastName].iter().filter_map(|field| self.get(field)).collect();
        if !parts.is_empty() {
            return Some(parts.join(" "));
        }
        self.get(&LeadField::Email).map(str::to_owned)
    }

    pub fn attributes(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .filter_map(|(field, value)| match field {
                LeadField::Attribute(key) => Some((key.clone(), value.clone())),
                _ => None,
            })
            .collect()
    }
}

/// A JSON scalar as text (strings as they are, numbers and booleans printed); objects, arrays and
/// null have no text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The answers of a Typeform `form_response`, by question ref, as text.
pub fn typeform_answers(payload: &Value) -> BTreeMap<String, String> {
    let Some(answers) = payload.pointer("/form_response/answers").and_then(Value::as_array) else {
        return BTreeMap::new();
    };
    answers
        .iter()
        .filter_map(|answer| {
            let reference = answer.pointer("/field/ref").and_then(Value::as_str)?;
            let kind = answer.get("type").and_then(Value::as_str)?;
            let value = match kind {
                "choice" => answer.pointer("/choice/label").and_then(scalar_text),
                "choices" => {
                    let labels: Vec<String> = answer
                        .pointer("/choices/labels")
                        .and_then(Value::as_array)?
                        .iter()
                        .filter_map(scalar_text)
                        .collect();
                    Some(labels.join(", "))
                }
                other => answer.get(other).and_then(scalar_text),
            }?;
            Some((reference.to_owned(), value))
        })
        .collect()
}

/// Whether `header` (`sha256=<base64 HMAC-SHA256 of the raw body>`) signs `body` with `secret`;
/// compared in constant time.
pub fn typeform_signature_valid(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(encoded) = header.trim().strip_prefix("sha256=") else { return false };
    let Ok(signature) = B64.decode(encoded) else { return false };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// Whether `presented` is `secret`, compared in constant time (through their HMACs under one key, so
/// neither length nor content leaks through timing).
pub fn secret_matches(secret: &str, presented: &str) -> bool {
    let digest = |text: &str| {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
        mac.update(text.as_bytes());
        mac
    };
    let expected = digest(secret).finalize().into_bytes();
    digest(presented).verify_slice(&expected).is_ok()
}

/// A new endpoint secret: 32 random bytes, base64url, prefixed so scanners can recognise it.
pub fn generate_secret() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("lcsec_{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// What names a delivery, so the same one twice makes one lead: Typeform's `event_id`, else the
/// sender's `X-Delivery-Id`, else the SHA-256 of the raw body. Hashed, so any id fits a key.
pub fn delivery_key(kind: CaptureKind, payload: Option<&Value>, header: Option<&str>, body: &[u8]) -> String {
    let named = match kind {
        CaptureKind::Typeform => payload.and_then(|payload| payload.get("event_id")).and_then(Value::as_str),
        _ => None,
    }
    .or(header.map(str::trim).filter(|id| !id.is_empty()));
    let digest = match named {
        Some(id) => Sha256::new().chain_update(b"id:").chain_update(id.as_bytes()).finalize(),
        None => Sha256::new().chain_update(b"body:").chain_update(body).finalize(),
    };
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// At most `MAX_LOGGED_PAYLOAD_BYTES` of a payload, cut on a character boundary; and whether it was cut.
pub fn logged_payload(body: &[u8]) -> (String, bool) {
    let text = String::from_utf8_lossy(body);
    if text.len() <= MAX_LOGGED_PAYLOAD_BYTES {
        return (text.into_owned(), false);
    }
    let mut end = MAX_LOGGED_PAYLOAD_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn mapping(kind: CaptureKind, pairs: &[(&str, &str)]) -> Mapping {
        let raw = pairs.iter().map(|(field, source)| ((*field).to_owned(), (*source).to_owned())).collect();
        Mapping::parse(kind, &raw).unwrap()
    }

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        format!("sha256={}", B64.encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn paths_read_nested_keys_and_array_indices() {
        let payload = json!({"contact": {"emails": [{"value": "a@x.io"}, {"value": "b@x.io"}], "age": 41}, "ok": true});
        let find = |raw: &str| FieldPath::parse(raw).unwrap().find(&payload).cloned();
        assert_eq!(find("contact.emails[1].value"), Some(json!("b@x.io")));
        assert_eq!(find("contact.age"), Some(json!(41)));
        assert_eq!(find("contact.emails[5].value"), None);
        assert_eq!(find("missing.key"), None);
        let list = json!([[1, 2], [3, 4]]);
        assert_eq!(FieldPath::parse("[1][0]").unwrap().find(&list), Some(&json!(3)));
    }

    #[test]
    fn malformed_paths_are_refused_with_a_reason() {
        for raw in ["", "a..b", "a.", ".a", "a[", "a[x]", "a[0]b", "a]b"] {
            assert!(FieldPath::parse(raw).is_err(), "{raw:?} should be refused");
        }
        let long = vec!["k"; MAX_PATH_SEGMENTS + 1].join(".");
        assert!(FieldPath::parse(&long).is_err());
    }

    #[test]
    fn a_mapping_fills_lead_fields_and_names_what_the_payload_lacked() {
        let mapping = mapping(
            CaptureKind::Json,
            &[
                ("first_name", "person.first"),
                ("last_name", "person.last"),
                ("email", "person.email"),
                ("phone", "tel"),
                ("attributes.plan", "meta.plan"),
            ],
        );
        let captured = mapping.apply(
            &json!({"person": {"first": "Ada", "last": "Lovelace", "email": " ada@x.io "}, "meta": {"plan": 3}}),
        );
        assert_eq!(captured.name().as_deref(), Some("Ada Lovelace"));
        assert_eq!(captured.get(&LeadField::Email), Some("ada@x.io"));
        assert_eq!(captured.attributes().get("plan").map(String::as_str), Some("3"));
        assert_eq!(captured.missing, vec!["phone".to_owned()]);
    }

    #[test]
    fn a_mapping_without_a_name_or_email_or_with_unknown_fields_is_refused() {
        let raw = |pairs: &[(&str, &str)]| pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        let errors = Mapping::parse(CaptureKind::Json, &raw(&[("phone", "tel")])).unwrap_err();
        assert_eq!(errors[0].field, "mapping");
        let errors =
            Mapping::parse(CaptureKind::Json, &raw(&[("email", "a"), ("salary", "b"), ("name", "x[")])).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, vec!["mapping.name", "mapping.salary"]);
    }

    #[test]
    fn typeform_answers_are_read_by_question_ref_whatever_their_type() {
        let payload = json!({"event_id": "01H", "form_response": {"answers": [
            {"type": "text", "text": "Grace Hopper", "field": {"ref": "name_q", "type": "short_text"}},
            {"type": "email", "email": "grace@navy.mil", "field": {"ref": "email_q", "type": "email"}},
            {"type": "phone_number", "phone_number": "+15551234567", "field": {"ref": "phone_q"}},
            {"type": "choice", "choice": {"label": "Enterprise"}, "field": {"ref": "size_q"}},
            {"type": "choices", "choices": {"labels": ["Email", "Phone"]}, "field": {"ref": "channels_q"}},
            {"type": "number", "number": 42, "field": {"ref": "seats_q"}},
        ]}});
        let mapping = mapping(
            CaptureKind::Typeform,
            &[
                ("name", "name_q"),
                ("email", "email_q"),
                ("phone", "phone_q"),
                ("attributes.size", "size_q"),
                ("attributes.channels", "channels_q"),
                ("attributes.seats", "seats_q"),
                ("company", "company_q"),
            ],
        );
        let captured = mapping.apply(&payload);
        assert_eq!(captured.get(&LeadField::Name), Some("Grace Hopper"));
        assert_eq!(captured.get(&LeadField::Email), Some("grace@navy.mil"));
        assert_eq!(captured.get(&LeadField::Phone), Some("+15551234567"));
        let attributes = captured.attributes();
        assert_eq!(attributes["size"], "Enterprise");
        assert_eq!(attributes["channels"], "Email, Phone");
        assert_eq!(attributes["seats"], "42");
        assert_eq!(captured.missing, vec!["company".to_owned()]);
    }

    #[test]
    fn a_typeform_signature_holds_only_for_the_same_body_and_secret() {
        let body = br#"{"event_id":"x","form_response":{}}"#;
        let header = sign("s3cret", body);
        assert!(typeform_signature_valid("s3cret", body, &header));
        assert!(!typeform_signature_valid("other", body, &header));
        assert!(!typeform_signature_valid("s3cret", br#"{"event_id":"y","form_response":{}}"#, &header));
        assert!(!typeform_signature_valid("s3cret", body, header.trim_start_matches("sha256=")));
        assert!(!typeform_signature_valid("s3cret", body, "sha256=not base64!"));
    }

    #[test]
    fn secrets_match_only_themselves() {
        assert!(secret_matches("lcsec_abc", "lcsec_abc"));
        assert!(!secret_matches("lcsec_abc", "lcsec_abd"));
        assert!(!secret_matches("lcsec_abc", ""));
    }

    #[test]
    fn a_delivery_is_named_by_typeforms_event_id_then_the_header_then_the_body() {
        let payload = json!({"event_id": "E1"});
        let typeform = delivery_key(CaptureKind::Typeform, Some(&payload), None, b"one");
        assert_eq!(typeform, delivery_key(CaptureKind::Typeform, Some(&payload), None, b"two"));
        let by_header = delivery_key(CaptureKind::Json, Some(&payload), Some("D1"), b"one");
        assert_eq!(by_header, delivery_key(CaptureKind::Json, None, Some("D1"), b"two"));
        assert_ne!(by_header, typeform);
        let by_body = delivery_key(CaptureKind::Json, None, None, b"one");
        assert_eq!(by_body, delivery_key(CaptureKind::Json, None, None, b"one"));
        assert_ne!(by_body, delivery_key(CaptureKind::Json, None, None, b"two"));
    }

    #[test]
    fn a_logged_payload_is_cut_on_a_character_boundary() {
        let body = "é".repeat(MAX_LOGGED_PAYLOAD_BYTES);
        let (logged, cut) = logged_payload(body.as_bytes());
        assert!(cut);
        assert!(logged.len() <= MAX_LOGGED_PAYLOAD_BYTES);
        assert_eq!(logged_payload(b"{}"), ("{}".to_owned(), false));
    }
}
