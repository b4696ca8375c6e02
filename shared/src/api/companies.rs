//! Companies (organisation records) on the wire: the company, and the customers and deals linked to it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::double_option;
use crate::domain::ids::{CompanyId, UserId};
use crate::storage::companies::{Company, CompanyLinks};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompanyRequest {
    pub name: String,
    /// A web domain (`acme.com`; `https://www.acme.com/` is read as `acme.com`), unique per workspace.
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    /// A member of the workspace; nobody when left out.
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
}

/// Only the fields present change; `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCompanyRequest {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub owner_id: Option<Option<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Replaces the custom attributes.
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    /// The version this change is based on.
    pub version: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyView {
    pub id: CompanyId,
    pub name: String,
    pub domain: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub owner_id: Option<UserId>,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    /// How many customers name this company (only on `GET /companies/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_count: Option<i64>,
    /// How many deals name this company (only on `GET /companies/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deal_count: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
}

impl CompanyView {
    pub fn with_links(mut self, links: CompanyLinks) -> Self {
        self.customer_count = Some(links.customers);
        self.deal_count = Some(links.deals);
        self
    }
}

impl From<&Company> for CompanyView {
    fn from(company: &Company) -> Self {
        Self {
            id: company.id,
            name: company.name.clone(),
            domain: company.domain.as_ref().map(ToString::to_string),
            phone: company.phone.clone(),
            website: company.website.clone(),
            address: company.address.clone(),
            owner_id: company.owner_id,
            tags: company.tags.clone(),
            attributes: company.attributes.clone(),
            customer_count: None,
            deal_count: None,
            created_at: company.created_at,
            updated_at: company.updated_at,
            version: company.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompanyList {
    pub items: Vec<CompanyView>,
    pub next_cursor: Option<String>,
}
