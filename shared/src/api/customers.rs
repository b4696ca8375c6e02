//! Customers: the people tickets come from, and merging duplicates.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::double_option;
use crate::domain::ids::{CompanyId, CustomerId, LeadId};
use crate::storage::customers::Customer;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCustomerRequest {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Free text; with `company_id` it is the company's name and may not be given.
    #[serde(default)]
    pub company: Option<String>,
    /// A company of the workspace; `company` then shows its name.
    #[serde(default)]
    pub company_id: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company: Option<Option<String>>,
    /// Links the customer to a company of the workspace (`company` becomes its name); `null` unlinks
    /// (`company` is then cleared unless given).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub company_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    /// Replaces the custom attributes.
    #[serde(default)]
    pub attributes: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub version: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerView {
    pub id: CustomerId,
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The company's display name: free text, or the linked company's name.
    pub company: Option<String>,
    /// The company the customer belongs to (`GET /api/v1/companies/{id}`).
    pub company_id: Option<CompanyId>,
    pub notes: Option<String>,
    pub attributes: BTreeMap<String, String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub version: u64,
    /// Set when this customer was merged into another: that customer now holds its tickets and e-mail.
    pub merged_into: Option<CustomerId>,
    /// Customers merged into this one; their timelines are part of this customer's timeline.
    pub merged_ids: Vec<CustomerId>,
    /// The sales leads converted into this customer (their notes: `GET /api/v1/leads/{id}/notes`).
    pub converted_from_leads: Vec<LeadId>,
}

impl From<&Customer> for CustomerView {
    fn from(customer: &Customer) -> Self {
        Self {
            id: customer.id,
            email: customer.email.to_string(),
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            company: customer.company.clone(),
            company_id: customer.company_id,
            notes: customer.notes.clone(),
            attributes: customer.attributes.clone(),
            created_at: customer.created_at,
            updated_at: customer.updated_at,
            version: customer.version,
            merged_into: customer.merged_into,
            merged_ids: customer.merged_ids.clone(),
            converted_from_leads: customer.converted_from_leads.clone(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeCustomerRequest {
    /// The customer merged into the one in the path: its tickets, e-mail and timeline move there.
    pub source_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<CustomerView>,
    pub next_cursor: Option<String>,
}
