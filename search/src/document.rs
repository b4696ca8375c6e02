//! What of each record is searchable: its title, the other fields by name (each in a section that
//! says how much a match there weighs, and who may match it), and its exact keys.

use jiff::Timestamp;
use shared::domain::ids::UserId;
use shared::services::search_feed::{SearchKind, SearchTarget};
use shared::storage::{
    companies::Company,
    customers::Customer,
    deals::Deal,
    leads::Lead,
    tickets::{Message, Ticket},
};

use crate::text;

/// Where a field's words count: the title weighs most; internal notes only for members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    Title,
    Body,
    Internal,
}

/// A named field of a record, as shown in results (`subject`, `message`, `email`, ...).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NamedField {
    pub name: String,
    pub section: Section,
    pub text: String,
}

/// A record as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub target: SearchTarget,
    /// What a result shows as its title.
    pub title: String,
    pub fields: Vec<NamedField>,
    /// Whole-value keys (`email:…`, `phone:…`, `ticket:…`, `domain:…`), each with the field it is.
    pub keys: Vec<(String, String)>,
    /// What filters narrow by.
    pub facets: Facets,
}

/// The fields a search filters on, as the index keeps them (indexed, not scored).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Facets {
    /// A ticket's, deal's or lead's status; customers and companies have none.
    pub status: Option<String>,
    /// The assignee or owner: `Some(None)` for a record that could have one and has nobody; `None`
    /// for kinds that have no owner (customers).
    pub owner: Option<Option<UserId>>,
    /// When the record was created, in seconds since the epoch.
    pub created: i64,
}

impl SearchDoc {
    fn new(kind: SearchKind, id: String, title: String) -> Self {
        Self {
            target: SearchTarget { kind, id },
            title,
            fields: Vec::new(),
            keys: Vec::new(),
            facets: Facets::default(),
        }
    }

    fn facets(&mut self, status: Option<&str>, owner: Option<Option<UserId>>, created: Timestamp) {
        self.facets = Facets { status: status.map(str::to_owned), owner, created: created.as_second() };
    }

    fn field(&mut self, name: &str, section: Section, text: Option<&str>) {
        if let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) {
            self.fields.push(NamedField { name: name.to_owned(), section, text: text.to_owned() });
        }
    }

    fn key(&mut self, key: Option<String>, field: &str) {
        if let Some(key) = key {
            self.keys.push((key, field.to_owned()));
        }
    }

    /// The text of a section, for the index (fields one after another).
    pub fn section_text(&self, section: Section) -> String {
        let parts: Vec<&str> =
            self.fields.iter().filter(|field| field.section == section).map(|f| f.text.as_str()).collect();
        parts.join("\n")
    }
}

/// Messages longer than this are indexed by their beginning (a pasted log should not bloat the index).
const MESSAGE_CHARS: usize = 2_000;

fn clip(text: &str) -> &str {
    match text.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

pub fn ticket(ticket: &Ticket, messages: &[Message]) -> SearchDoc {
    let mut doc = SearchDoc::new(SearchKind::Tickets, ticket.id.to_string(), ticket.subject.clone());
    doc.facets(Some(ticket.status.as_str()), Some(ticket.assignee_id), ticket.created_at);
    doc.field("subject", Section::Title, Some(&ticket.subject));
    if let Some(number) = ticket.number {
        doc.field("reference", Section::Body, Some(&format!("#{number}")));
        doc.key(Some(text::ticket_number_key(number)), "reference");
    }
    doc.field("tags", Section::Body, Some(&ticket.tags.join(" ")));
    doc.field("category", Section::Body, ticket.category.as_deref());
    for message in messages {
        let section = if message.internal { Section::Internal } else { Section::Body };
        let name = if message.internal { "internal_note" } else { "message" };
        doc.field(name, section, Some(clip(&message.body)));
    }
    doc
}

/// None for a customer merged into another (its tickets and e-mail moved there).
pub fn customer(customer: &Customer) -> Option<SearchDoc> {
    if customer.merged_into.is_some() {
        return None;
    }
    let email = customer.email.to_string();
    let title = customer.name.clone().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| email.clone());
    let mut doc = SearchDoc::new(SearchKind::Customers, customer.id.to_string(), title);
    doc.facets(None, None, customer.created_at);
    doc.field("name", Section::Title, customer.name.as_deref());
    doc.field("email", Section::Body, Some(&email));
    doc.key(Some(text::email_key(&email)), "email");
    doc.field("phone", Section::Body, customer.phone.as_deref());
    doc.key(customer.phone.as_deref().and_then(text::phone_key), "phone");
    doc.field("company", Section::Body, customer.company.as_deref());
    doc.field("notes", Section::Body, customer.notes.as_deref());
    Some(doc)
}

pub fn company(company: &Company) -> SearchDoc {
    let mut doc = SearchDoc::new(SearchKind::Companies, company.id.to_string(), company.name.clone());
    doc.facets(None, Some(company.owner_id), company.created_at);
    doc.field("name", Section::Title, Some(&company.name));
    let domain = company.domain.as_ref().map(|domain| domain.to_string());
    doc.field("domain", Section::Body, domain.as_deref());
    doc.key(domain.as_deref().map(text::domain_key), "domain");
    doc.field("website", Section::Body, company.website.as_deref());
    doc.field("phone", Section::Body, company.phone.as_deref());
    doc.key(company.phone.as_deref().and_then(text::phone_key), "phone");
    doc.field("address", Section::Body, company.address.as_deref());
    doc.field("tags", Section::Body, Some(&company.tags.join(" ")));
    doc
}

/// None for a lead merged into another as its duplicate.
pub fn lead(lead: &Lead) -> Option<SearchDoc> {
    if !lead.is_live() {
        return None;
    }
    let mut doc = SearchDoc::new(SearchKind::Leads, lead.id.to_string(), lead.name.clone());
    doc.facets(Some(&lead.status), Some(lead.owner_id), lead.created_at);
    doc.field("name", Section::Title, Some(&lead.name));
    let email = lead.email.as_ref().map(|email| email.to_string());
    doc.field("email", Section::Body, email.as_deref());
    doc.key(email.as_deref().map(text::email_key), "email");
    doc.field("phone", Section::Body, lead.phone.as_deref());
    doc.key(lead.phone.as_deref().and_then(text::phone_key), "phone");
    doc.field("company", Section::Body, lead.company.as_deref());
    doc.field("job_title", Section::Body, lead.title.as_deref());
    doc.field("tags", Section::Body, Some(&lead.tags.join(" ")));
    Some(doc)
}

pub fn deal(deal: &Deal) -> SearchDoc {
    let mut doc = SearchDoc::new(SearchKind::Deals, deal.id.to_string(), deal.title.clone());
    doc.facets(Some(deal.status.as_str()), Some(deal.owner_id), deal.created_at);
    doc.field("title", Section::Title, Some(&deal.title));
    doc.field("company", Section::Body, deal.company.as_deref());
    doc.field("tags", Section::Body, Some(&deal.tags.join(" ")));
    doc.field("lost_reason", Section::Body, deal.lost_reason.as_deref());
    doc
}
