//! Company commands: adding a company, changing one, listing them, and linking a record to one.

use std::collections::BTreeMap;

use super::customers::{attributes, optional_text};
use super::views::parse_name;
use crate::api::{CreateCompanyRequest, UpdateCompanyRequest};
use crate::domain::companies::{Domain, MAX_ADDRESS_CHARS, MAX_COMPANY_NAME_CHARS, MAX_PHONE_CHARS, MAX_WEBSITE_CHARS};
use crate::domain::ids::{CompanyId, UserId, member_filter};
use crate::domain::text::TextKind;
use crate::domain::{FieldError, Gather, field, optional_field, ticket};
use crate::storage::companies::CompanyQuery;

fn parse_domain(raw: Option<&str>) -> Result<Option<Domain>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => Domain::parse(raw).map(Some),
    }
}

fn parse_owner(raw: &str) -> Result<UserId, String> {
    raw.trim().parse().map_err(|_| "is not a valid member id".to_owned())
}

/// A company id named on another record (`company_id` of a customer or a deal).
pub fn parse_company_id(raw: &str) -> Result<CompanyId, String> {
    raw.trim().parse().map_err(|_| "is not a valid company id".to_owned())
}

/// A company as given.
#[derive(Debug, Clone, PartialEq)]
pub struct AddCompany {
    pub name: String,
    pub domain: Option<Domain>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub owner: Option<UserId>,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
}

impl TryFrom<CreateCompanyRequest> for AddCompany {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateCompanyRequest) -> Result<Self, Self::Error> {
        let (name, domain, phone, website, address, owner, tags, attributes) = (
            field("name", parse_name(&request.name, MAX_COMPANY_NAME_CHARS)),
            field("domain", parse_domain(request.domain.as_deref())),
            field("phone", optional_text(request.phone.as_deref(), MAX_PHONE_CHARS, TextKind::Line)),
            field("website", optional_text(request.website.as_deref(), MAX_WEBSITE_CHARS, TextKind::Line)),
            field("address", optional_text(request.address.as_deref(), MAX_ADDRESS_CHARS, TextKind::Body)),
            optional_field("owner_id", request.owner_id.as_deref(), parse_owner),
            field("tags", ticket::normalize_tags(&request.tags)),
            field("attributes", attributes(&request.attributes.unwrap_or_default())),
        )
            .gather()?;
        Ok(AddCompany { name, domain, phone, website, address, owner, tags, attributes })
    }
}

/// A change to a company: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeCompany {
    pub name: Option<String>,
    pub domain: Option<Option<Domain>>,
    pub phone: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub owner: Option<Option<UserId>>,
    pub tags: Option<Vec<String>>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub version: u64,
}

impl TryFrom<UpdateCompanyRequest> for ChangeCompany {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateCompanyRequest) -> Result<Self, Self::Error> {
        let text = |name: &'static str, raw: Option<Option<String>>, max: usize, kind: TextKind| {
            optional_field(name, raw, move |raw| optional_text(raw.as_deref(), max, kind))
        };
        let (name, domain, phone, website, address, owner, tags, attributes) = (
            optional_field("name", request.name.as_deref(), |raw| parse_name(raw, MAX_COMPANY_NAME_CHARS)),
            optional_field("domain", request.domain, |raw| parse_domain(raw.as_deref())),
            text("phone", request.phone, MAX_PHONE_CHARS, TextKind::Line),
            text("website", request.website, MAX_WEBSITE_CHARS, TextKind::Line),
            text("address", request.address, MAX_ADDRESS_CHARS, TextKind::Body),
            optional_field("owner_id", request.owner_id, |raw| raw.as_deref().map(parse_owner).transpose()),
            optional_field("tags", request.tags.as_deref(), ticket::normalize_tags),
            optional_field("attributes", request.attributes.as_ref(), attributes),
        )
            .gather()?;
        Ok(ChangeCompany { name, domain, phone, website, address, owner, tags, attributes, version: request.version })
    }
}

/// `GET /companies` filters: `owner_id` (`me`, `none` or a member id) and `tag`.
pub fn parse_company_list(
    owner: Option<&str>,
    tag: Option<&str>,
    caller: UserId,
) -> Result<CompanyQuery, Vec<FieldError>> {
    let (owner, tag) = (
        optional_field("owner_id", owner, |raw: &str| member_filter(raw, caller)),
        optional_field("tag", tag, |raw: &str| {
            ticket::normalize_tags(&[raw.to_owned()]).map(|tags| tags.into_iter().next().unwrap_or_default())
        }),
    )
        .gather()?;
    Ok(CompanyQuery { owner, tag })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn a_company_names_every_bad_field() {
        let request: CreateCompanyRequest = serde_json::from_value(serde_json::json!({
            "name": "  ", "domain": "not a domain", "phone": "x".repeat(41), "owner_id": "nobody",
            "tags": [""], "attributes": {"": "v"},
        }))
        .unwrap();
        assert_eq!(
            fields(&AddCompany::try_from(request).unwrap_err()),
            ["name", "domain", "phone", "owner_id", "tags", "attributes"]
        );
    }

    #[test]
    fn a_company_keeps_its_domain_in_canonical_form_and_blank_fields_as_none() {
        let request: CreateCompanyRequest = serde_json::from_value(serde_json::json!({
            "name": " Acme GmbH ", "domain": "https://www.ACME.com/", "website": " ", "tags": ["Key Account"],
        }))
        .unwrap();
        let company = AddCompany::try_from(request).unwrap();
        assert_eq!(company.name, "Acme GmbH");
        assert_eq!(company.domain.unwrap().as_str(), "acme.com");
        assert_eq!(company.website, None);
        assert_eq!(company.tags, ["key-account"]);
    }

    #[test]
    fn a_change_tells_absent_from_null() {
        let request: UpdateCompanyRequest =
            serde_json::from_value(serde_json::json!({"domain": null, "owner_id": null, "version": 4})).unwrap();
        let change = ChangeCompany::try_from(request).unwrap();
        assert_eq!((change.domain, change.owner, change.name, change.version), (Some(None), Some(None), None, 4));
        let missing_version = serde_json::from_value::<UpdateCompanyRequest>(serde_json::json!({"name": "x"}));
        assert!(missing_version.is_err());
    }

    #[test]
    fn lists_read_me_none_or_a_member() {
        let me = UserId::generate();
        assert_eq!(parse_company_list(Some("me"), None, me).unwrap().owner, Some(Some(me)));
        assert_eq!(
            parse_company_list(Some("none"), Some("VIP"), me).unwrap(),
            CompanyQuery { owner: Some(None), tag: Some("vip".into()) }
        );
        assert_eq!(fields(&parse_company_list(Some("x"), Some(""), me).unwrap_err()), ["owner_id", "tag"]);
    }
}
