//! Customers: profiles with unique e-mails, their ticket history and their timeline.

use std::collections::BTreeMap;

use super::{ServiceError, ServiceResult};
use crate::api::{
    CreateCustomerRequest, CustomerList, CustomerView, EventList, EventView, TicketList, TicketView,
    UpdateCustomerRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{Validator, email::Email, ids::CustomerId};
use crate::http::PageParams;
use crate::storage::{
    customers::{Customer, CustomerWriteError},
    events::Event,
    tickets::{TicketFilters, TicketIndex},
};

pub const MAX_FIELD_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 5_000;
pub const MAX_ATTRIBUTES: usize = 50;

fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => Err(format!("must be at most {max} characters")),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

fn attributes(raw: &BTreeMap<String, String>) -> Result<BTreeMap<String, String>, String> {
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
    }
    Ok(raw.clone())
}

fn snapshot(customer: &Customer) -> serde_json::Value {
    serde_json::json!({
        "email": customer.email, "name": customer.name, "phone": customer.phone,
        "company": customer.company, "attributes": customer.attributes,
    })
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateCustomerRequest,
) -> ServiceResult<CustomerView> {
    let mut v = Validator::new();
    let email = v.check("email", Email::parse(&request.email));
    let name = v.check("name", optional_text(request.name.as_deref(), 100));
    let phone = v.check("phone", optional_text(request.phone.as_deref(), 40));
    let company = v.check("company", optional_text(request.company.as_deref(), MAX_FIELD_CHARS));
    let notes = v.check("notes", optional_text(request.notes.as_deref(), MAX_NOTES_CHARS));
    let attributes = v.check("attributes", attributes(&request.attributes.unwrap_or_default()));
    v.finish().map_err(ServiceError::Validation)?;
    let (Some(email), Some(name), Some(phone), Some(company), Some(notes), Some(attributes)) =
        (email, name, phone, company, notes, attributes)
    else {
        unreachable!("validator finished without errors")
    };
    let now = app.clock.now();
    let customer = Customer {
        id: CustomerId::generate(),
        workspace_id: caller.workspace_id,
        email,
        name,
        phone,
        company,
        notes,
        attributes,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let event = Event::new("customer.created", Some(caller.user_id), format!("customer/{}", customer.id), now)
        .with_change(None, Some(snapshot(&customer)))
        .about_customer(customer.id);
    app.store.create_customer(&caller.scope(), &customer, &event).await.map_err(|err| match err {
        CustomerWriteError::EmailTaken => ServiceError::EmailTaken,
        CustomerWriteError::VersionConflict => ServiceError::VersionConflict { what: "The customer", current: None },
        CustomerWriteError::Store(err) => err.into(),
    })?;
    Ok((&customer).into())
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: CustomerId) -> ServiceResult<CustomerView> {
    let customer = app.store.get_customer(&caller.scope(), id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    Ok((&customer).into())
}

/// All customers (creation order), or those whose e-mail starts with `email_prefix`.
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    email_prefix: Option<String>,
    page: PageParams,
) -> ServiceResult<CustomerList> {
    let scope = caller.scope();
    let page = match email_prefix.map(|prefix| prefix.trim().to_lowercase()).filter(|prefix| !prefix.is_empty()) {
        Some(prefix) => {
            app.store.search_customers_by_email(&scope, &prefix, page.limit, page.cursor.as_deref()).await?
        }
        None => app.store.list_customers(&scope, page.limit, page.cursor.as_deref()).await?,
    };
    Ok(CustomerList { items: page.items.iter().map(CustomerView::from).collect(), next_cursor: page.next_cursor })
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: CustomerId,
    request: UpdateCustomerRequest,
) -> ServiceResult<CustomerView> {
    let mut v = Validator::new();
    let email = request.email.as_deref().and_then(|raw| v.check("email", Email::parse(raw)));
    let name = request.name.as_ref().and_then(|raw| v.check("name", optional_text(raw.as_deref(), 100)));
    let phone = request.phone.as_ref().and_then(|raw| v.check("phone", optional_text(raw.as_deref(), 40)));
    let company =
        request.company.as_ref().and_then(|raw| v.check("company", optional_text(raw.as_deref(), MAX_FIELD_CHARS)));
    let notes = request.notes.as_ref().and_then(|raw| v.check("notes", optional_text(raw.as_deref(), MAX_NOTES_CHARS)));
    let attributes = request.attributes.as_ref().and_then(|raw| v.check("attributes", attributes(raw)));
    v.finish().map_err(ServiceError::Validation)?;

    let scope = caller.scope();
    let before = app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    if let Some(version) = request.version
        && version != before.version
    {
        let current = serde_json::to_value(CustomerView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The customer", current: Some(current) });
    }
    let mut after = before.clone();
    if let Some(email) = email {
        after.email = email;
    }
    if let Some(name) = name {
        after.name = name;
    }
    if let Some(phone) = phone {
        after.phone = phone;
    }
    if let Some(company) = company {
        after.company = company;
    }
    if let Some(notes) = notes {
        after.notes = notes;
    }
    if let Some(attributes) = attributes {
        after.attributes = attributes;
    }
    if after == before {
        return Ok((&before).into());
    }
    let now = app.clock.now();
    after.updated_at = now;
    after.version = before.version + 1;
    let event = Event::new("customer.updated", Some(caller.user_id), format!("customer/{id}"), now)
        .with_change(Some(snapshot(&before)), Some(snapshot(&after)))
        .about_customer(id);
    app.store.update_customer(&scope, &before, &after, &event).await.map_err(|err| match err {
        CustomerWriteError::EmailTaken => ServiceError::EmailTaken,
        CustomerWriteError::VersionConflict => ServiceError::VersionConflict { what: "The customer", current: None },
        CustomerWriteError::Store(err) => err.into(),
    })?;
    Ok((&after).into())
}

/// The customer's tickets, newest first.
pub async fn tickets(
    app: &App,
    caller: &MemberPrincipal,
    id: CustomerId,
    page: PageParams,
) -> ServiceResult<TicketList> {
    let scope = caller.scope();
    app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    let page = app
        .store
        .query_tickets(&scope, TicketIndex::Customer(id), &TicketFilters::default(), page.limit, page.cursor.as_deref())
        .await?;
    Ok(TicketList { items: page.items.iter().map(TicketView::from).collect(), next_cursor: page.next_cursor })
}

/// Everything that happened to the customer and their tickets, newest first.
pub async fn timeline(
    app: &App,
    caller: &MemberPrincipal,
    id: CustomerId,
    page: PageParams,
) -> ServiceResult<EventList> {
    let scope = caller.scope();
    app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    let page = app.store.customer_timeline(&scope, id, page.limit, page.cursor.as_deref()).await?;
    Ok(EventList { items: page.items.iter().map(EventView::from).collect(), next_cursor: page.next_cursor })
}
