//! Customer commands: adding a customer, changing one, and merging one into another.

use std::collections::BTreeMap;

use super::companies::parse_company_id;
use crate::api::{CreateCustomerRequest, MergeCustomerRequest, UpdateCustomerRequest};
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{
    FieldError, Gather,
    email::Email,
    field,
    ids::{CompanyId, CustomerId},
    optional_field,
};

/// Free text and a linked company do not go together: the company's name is the text.
pub(crate) const COMPANY_MIRRORS_LINK: &str =
    "is the linked company's name while company_id is set: rename the company, or unlink it first";

pub const MAX_FIELD_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 5_000;
pub const MAX_ATTRIBUTES: usize = 50;
const MAX_NAME_CHARS: usize = 100;
const MAX_PHONE_CHARS: usize = 40;

/// Trimmed text of `kind`; empty means none.
pub(crate) fn optional_text(raw: Option<&str>, max: usize, kind: TextKind) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => Err(format!("must be at most {max} characters")),
        Some(text) => check_controls(text, kind).map(|()| Some(text.to_owned())),
    }
}

pub(crate) fn attributes(raw: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
    if raw.len() > MAX_ATTRIBUTES {
        return Err(format!("at most {MAX_ATTRIBUTES} attributes"));
    }
    for (key, value) in raw {
        if key.trim().is_empty() || key.chars().count() > 64 {
            return Err("keys must be 1 to 64 characters".to_owned());
        }
        if value.chars().count() > MAX_FIELD_CHARS {
            return Err(format!("values must be at most {MAX_FIELD_CHARS} characters"));
        }
        check_controls(key, TextKind::Line).map_err(|message| format!("keys {message}"))?;
        check_controls(value, TextKind::Line).map_err(|message| format!("values {message}"))?;
    }
    Ok(raw.clone())
}

/// A customer's profile as given.
#[derive(Debug, Clone, PartialEq)]
pub struct AddCustomer {
    pub email: Email,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub company_id: Option<CompanyId>,
    pub notes: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

impl TryFrom<CreateCustomerRequest> for AddCustomer {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateCustomerRequest) -> Result<Self, Self::Error> {
        let linked = request.company_id.is_some();
        let (email, name, phone, company, company_id, notes, attributes) = (
            field("email", Email::parse(&request.email)),
            field("name", optional_text(request.name.as_deref(), MAX_NAME_CHARS, TextKind::Line)),
            field("phone", optional_text(request.phone.as_deref(), MAX_PHONE_CHARS, TextKind::Line)),
            field(
                "company",
                optional_text(request.company.as_deref(), MAX_FIELD_CHARS, TextKind::Line).and_then(|company| {
                    if linked && company.is_some() { Err(COMPANY_MIRRORS_LINK.to_owned()) } else { Ok(company) }
                }),
            ),
            optional_field("company_id", request.company_id.as_deref(), parse_company_id),
            field("notes", optional_text(request.notes.as_deref(), MAX_NOTES_CHARS, TextKind::Body)),
            field("attributes", attributes(&request.attributes.unwrap_or_default())),
        )
            .gather()?;
        Ok(AddCustomer { email, name, phone, company, company_id, notes, attributes })
    }
}

/// A change to a customer: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCustomer {
    pub email: Option<Email>,
    pub name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub company: Option<Option<String>>,
    /// Some(None) unlinks.
    pub company_id: Option<Option<CompanyId>>,
    pub notes: Option<Option<String>>,
    pub attributes: Option<BTreeMap<String, String>>,
    /// The version the change is based on, when the caller sends one.
    pub version: Option<u64>,
}

impl TryFrom<UpdateCustomerRequest> for ChangeCustomer {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateCustomerRequest) -> Result<Self, Self::Error> {
        let text = |name: &'static str, raw: Option<Option<String>>, max: usize, kind: TextKind| {
            optional_field(name, raw, move |raw| optional_text(raw.as_deref(), max, kind))
        };
        let linking = matches!(request.company_id, Some(Some(_)));
        let (email, name, phone, company, company_id, notes, attributes) = (
            optional_field("email", request.email.as_deref(), Email::parse),
            text("name", request.name, MAX_NAME_CHARS, TextKind::Line),
            text("phone", request.phone, MAX_PHONE_CHARS, TextKind::Line),
            text("company", request.company, MAX_FIELD_CHARS, TextKind::Line).and_then(|company| match company {
                Some(Some(_)) if linking => Err(FieldError::new("company", COMPANY_MIRRORS_LINK)),
                company => Ok(company),
            }),
            optional_field("company_id", request.company_id, |raw| raw.as_deref().map(parse_company_id).transpose()),
            text("notes", request.notes, MAX_NOTES_CHARS, TextKind::Body),
            optional_field("attributes", request.attributes.as_ref(), attributes),
        )
            .gather()?;
        Ok(ChangeCustomer { email, name, phone, company, company_id, notes, attributes, version: request.version })
    }
}

/// Which customer to merge into the target: another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeCustomer {
    pub source: CustomerId,
    pub target: CustomerId,
}

impl MergeCustomer {
    pub fn parse(target: CustomerId, request: &MergeCustomerRequest) -> Result<Self, Vec<FieldError>> {
        let source: CustomerId =
            request.source_id.trim().parse().map_err(|message: String| vec![FieldError::new("source_id", message)])?;
        if source == target {
            return Err(vec![FieldError::new(
                "source_id",
                "must be another customer: a customer cannot be merged into itself",
            )]);
        }
        Ok(MergeCustomer { source, target })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn adding_a_customer_names_every_bad_field() {
        let long = "x".repeat(MAX_NOTES_CHARS + 1);
        let request = json!({
            "email": "nope", "name": "n".repeat(101), "phone": "1".repeat(41), "company": long,
            "notes": long, "attributes": {" ": "v"},
        });
        let errors =
            AddCustomer::try_from(serde_json::from_value::<CreateCustomerRequest>(request).unwrap()).unwrap_err();
        assert_eq!(fields(&errors), ["email", "name", "phone", "company", "notes", "attributes"]);
        assert_eq!(errors[5].message, "keys must be 1 to 64 characters");
    }

    #[test]
    fn a_customer_change_clears_with_null_or_empty_text() {
        let change = |body| ChangeCustomer::try_from(serde_json::from_value::<UpdateCustomerRequest>(body).unwrap());
        let command = change(json!({"name": null, "phone": "  ", "version": 2})).unwrap();
        assert_eq!((command.name, command.phone, command.company), (Some(None), Some(None), None));
        assert_eq!(command.version, Some(2));
        assert_eq!(
            fields(&change(json!({"email": "nope", "notes": "x".repeat(5_001)})).unwrap_err()),
            ["email", "notes"]
        );
    }

    #[test]
    fn a_customer_is_not_merged_into_itself() {
        let target = CustomerId::generate();
        let request = |source: String| MergeCustomerRequest { source_id: source };
        let errors = MergeCustomer::parse(target, &request(target.to_string())).unwrap_err();
        assert_eq!(errors[0].message, "must be another customer: a customer cannot be merged into itself");
        assert_eq!(fields(&MergeCustomer::parse(target, &request("x".to_owned())).unwrap_err()), ["source_id"]);
        let source = CustomerId::generate();
        assert_eq!(MergeCustomer::parse(target, &request(format!(" {source} "))).unwrap().source, source);
    }
}
