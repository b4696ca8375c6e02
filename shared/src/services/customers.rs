//! Customers: profiles with unique e-mails, their ticket history and their timeline, and merging
//! duplicates.

use futures::{StreamExt, TryStreamExt};

use super::commands::customers::{AddCustomer, COMPANY_MIRRORS_LINK, ChangeCustomer, MergeCustomer};
use super::{ServiceError, ServiceResult};
use crate::api::{
    CreateCustomerRequest, CustomerList, CustomerView, EventList, EventView, InboxItemView, MergeCustomerRequest,
    TicketList, UpdateCustomerRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::FieldError;
use crate::domain::events::EventKind;
use crate::domain::ids::{CompanyId, CustomerId, TicketId};
use crate::storage::{
    PageParams, TenantScope,
    companies::Company,
    customers::{Customer, CustomerWriteError, MergeStart},
    events::Event,
    tickets::{Requester, Ticket, TicketFilters, TicketIndex, TicketWriteError},
};

/// At most this many customers can be merged into one: its timeline reads one index partition each.
pub const MAX_MERGED: usize = 50;
/// How many of a merged customer's tickets move at the same time.
const MOVE_CONCURRENCY: usize = 8;
/// How far `merged_into` is followed to find the customer a merged one stands for now.
const MAX_MERGE_HOPS: usize = 10;
/// Tries per ticket when a concurrent change keeps winning its version.
const MOVE_TRIES: usize = 5;

fn snapshot(customer: &Customer) -> serde_json::Value {
    serde_json::json!({
        "email": customer.email, "name": customer.name, "phone": customer.phone,
        "company": customer.company, "company_id": customer.company_id, "attributes": customer.attributes,
    })
}

fn write_error(err: CustomerWriteError, company: Option<CompanyId>) -> ServiceError {
    match err {
        CustomerWriteError::EmailTaken => ServiceError::EmailTaken,
        CustomerWriteError::VersionConflict => ServiceError::VersionConflict { what: "The customer", current: None },
        CustomerWriteError::CompanyMissing => match company {
            Some(company) => super::companies::company_missing(company),
            None => ServiceError::VersionConflict { what: "The customer's company", current: None },
        },
        CustomerWriteError::Store(err) => err.into(),
    }
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateCustomerRequest,
) -> ServiceResult<CustomerView> {
    let AddCustomer { email, name, phone, company, company_id, notes, attributes } = request.try_into()?;
    let company = match company_id {
        Some(id) => Some(super::companies::to_link(app, &caller.scope(), id).await?.name),
        None => company,
    };
    let now = app.clock.now();
    let customer = Customer {
        phone,
        company,
        company_id,
        notes,
        attributes,
        ..Customer::first_seen(caller.workspace_id, email, name, now)
    };
    let event = Event::new(EventKind::CustomerCreated, Some(caller.user_id), format!("customer/{}", customer.id), now)
        .with_change(None, Some(snapshot(&customer)))
        .about_customer(customer.id);
    app.store
        .create_customer(&caller.scope(), &customer, &event)
        .await
        .map_err(|err| write_error(err, customer.company_id))?;
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
    let change = ChangeCustomer::try_from(request)?;
    let scope = caller.scope();
    let before = app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    if let Some(into) = before.merged_into {
        return Err(ServiceError::Conflict(format!(
            "This customer was merged into customer {into} and takes no more changes; change that customer instead."
        )));
    }
    if let Some(version) = change.version
        && version != before.version
    {
        let current = serde_json::to_value(CustomerView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The customer", current: Some(current) });
    }
    let (company_id, company) = match change.company_id {
        Some(Some(id)) => (Some(id), Some(super::companies::to_link(app, &scope, id).await?.name)),
        Some(None) => (None, change.company.unwrap_or(None)),
        // While linked, the text is the company's name: sending it back unchanged is no change.
        None if before.company_id.is_some() && change.company.as_ref().is_some_and(|text| *text != before.company) => {
            return Err(ServiceError::Validation(vec![FieldError::new("company", COMPANY_MIRRORS_LINK)]));
        }
        None => (before.company_id, change.company.unwrap_or_else(|| before.company.clone())),
    };
    let after = Customer {
        email: change.email.unwrap_or_else(|| before.email.clone()),
        name: change.name.unwrap_or_else(|| before.name.clone()),
        phone: change.phone.unwrap_or_else(|| before.phone.clone()),
        company,
        company_id,
        notes: change.notes.unwrap_or_else(|| before.notes.clone()),
        attributes: change.attributes.unwrap_or_else(|| before.attributes.clone()),
        ..before.clone()
    };
    if after == before {
        return Ok((&before).into());
    }
    let now = app.clock.now();
    let after = Customer { updated_at: now, version: before.version + 1, ..after };
    let event = Event::new(EventKind::CustomerUpdated, Some(caller.user_id), format!("customer/{id}"), now)
        .with_change(Some(snapshot(&before)), Some(snapshot(&after)))
        .about_customer(id);
    app.store
        .update_customer(&scope, &before, &after, &event)
        .await
        .map_err(|err| write_error(err, after.company_id))?;
    Ok((&after).into())
}

/// Shows the linked company's current name on one customer (after a rename), unless the customer left
/// the company or shows it already. Conditional on the version read; re-read and retried when a
/// concurrent change wins.
pub(crate) async fn mirror_company(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    id: CustomerId,
    company: &Company,
) -> ServiceResult<()> {
    for _ in 0..MOVE_TRIES {
        let Some(before) = app.store.get_customer(scope, id).await? else { return Ok(()) };
        if before.company_id != Some(company.id) || before.company.as_deref() == Some(&company.name) {
            return Ok(());
        }
        let now = app.clock.now();
        let after = Customer {
            company: Some(company.name.clone()),
            updated_at: now,
            version: before.version + 1,
            ..before.clone()
        };
        let event = Event::new(EventKind::CustomerUpdated, Some(caller.user_id), format!("customer/{id}"), now)
            .with_change(Some(snapshot(&before)), Some(snapshot(&after)))
            .about_customer(id);
        match app.store.update_customer(scope, &before, &after, &event).await {
            Ok(()) => return Ok(()),
            Err(CustomerWriteError::VersionConflict) => continue,
            Err(err) => return Err(write_error(err, Some(company.id))),
        }
    }
    Err(ServiceError::VersionConflict { what: "A customer of the company", current: None })
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
    let items = page.items.iter().map(|ticket| InboxItemView::of(ticket, caller.user_id)).collect();
    Ok(TicketList { items, next_cursor: page.next_cursor })
}

/// Everything that happened to the customer and their tickets, and to the customers merged into them,
/// newest first.
pub async fn timeline(
    app: &App,
    caller: &MemberPrincipal,
    id: CustomerId,
    page: PageParams,
) -> ServiceResult<EventList> {
    let scope = caller.scope();
    let customer = app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    let page =
        app.store.customer_timeline(&scope, id, &customer.merged_ids, page.limit, page.cursor.as_deref()).await?;
    Ok(EventList { items: page.items.iter().map(EventView::from).collect(), next_cursor: page.next_cursor })
}

/// The customer `id` stands for now: itself, or the customer merges moved it into (following
/// `merged_into`). None when it does not exist in this workspace.
pub(crate) async fn resolve_merged(app: &App, scope: &TenantScope, id: CustomerId) -> ServiceResult<Option<Customer>> {
    let mut id = id;
    for _ in 0..MAX_MERGE_HOPS {
        let Some(customer) = app.store.get_customer(scope, id).await? else { return Ok(None) };
        match customer.merged_into {
            Some(next) => id = next,
            None => return Ok(Some(customer)),
        }
    }
    Ok(None)
}

fn merge_conflict(err: CustomerWriteError, what: &'static str) -> ServiceError {
    match err {
        CustomerWriteError::Store(err) => err.into(),
        CustomerWriteError::EmailTaken | CustomerWriteError::VersionConflict | CustomerWriteError::CompanyMissing => {
            ServiceError::VersionConflict { what, current: None }
        }
    }
}

/// Merges customer `source_id` into customer `id`. Every ticket and event is kept:
///
/// 1. one transaction marks the source (`merged_into`, `merge_pending`), adds it to the target's
///    `merged_ids`, points the source's e-mail guard at the target, and writes `customer.merged`;
/// 2. each of the source's tickets moves to the target on its own, conditional on its version and
///    retried on a conflict, with a `ticket.customer_changed` event;
/// 3. the source's `merge_pending` is cleared, with `customer.merge_completed`.
///
/// A call that stops after step 1 (a crash, a timeout) leaves the merge pending; the same call again
/// resumes it at step 2. Tickets already moved are skipped, so every step can run twice.
pub async fn merge(
    app: &App,
    caller: &MemberPrincipal,
    id: CustomerId,
    request: MergeCustomerRequest,
) -> ServiceResult<CustomerView> {
    let merge = MergeCustomer::parse(id, &request)?;
    let scope = caller.scope();
    let (source, target) = start_merge(app, caller, &scope, merge).await?;
    // Step 2. When resuming after the target itself was merged away, the tickets go where it went.
    let destination = match target.merged_into {
        None => id,
        Some(_) => resolve_merged(app, &scope, id).await?.map_or(id, |customer| customer.id),
    };
    // The index is eventually consistent: a ticket created just before step 1 may show only later, so
    // the partition is read again once the first pass is done.
    for _ in 0..2 {
        move_tickets(app, caller, &scope, merge.source, destination).await?;
    }
    complete_merge(app, caller, &scope, merge, &source).await?;
    let target = app.store.get_customer(&scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
    Ok((&target).into())
}

/// Step 1, retried when either customer changes between the reads and the write. Returns source and
/// target as written, or as found when resuming a pending merge.
async fn start_merge(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    merge: MergeCustomer,
) -> ServiceResult<(Customer, Customer)> {
    let MergeCustomer { source: source_id, target: id } = merge;
    let mut attempt = 0;
    loop {
        let target = app.store.get_customer(scope, id).await?.ok_or(ServiceError::NotFound("The customer"))?;
        let source =
            app.store.get_customer(scope, source_id).await?.ok_or(ServiceError::NotFound("The source customer"))?;
        if let Some(into) = source.merged_into {
            if into == id && source.merge_pending {
                return Ok((source, target));
            }
            return Err(ServiceError::Conflict(if into == id {
                format!("Customer {source_id} was already merged into this customer.")
            } else {
                format!("Customer {source_id} was already merged into customer {into}.")
            }));
        }
        if let Some(into) = target.merged_into {
            return Err(ServiceError::Conflict(format!(
                "This customer was merged into customer {into}; merge into that customer instead."
            )));
        }
        let merged_ids = merged_ids_after(&target, &source)?;
        let now = app.clock.now();
        let source_after = Customer {
            merged_into: Some(id),
            merge_pending: true,
            company_id: None,
            updated_at: now,
            version: source.version + 1,
            ..source.clone()
        };
        let target_after = Customer { merged_ids, updated_at: now, version: target.version + 1, ..target.clone() };
        // About the source, so it shows in the source's timeline and, through `merged_ids`, the target's.
        let event = Event::new(EventKind::CustomerMerged, Some(caller.user_id), format!("customer/{source_id}"), now)
            .with_change(
                Some(snapshot(&source)),
                Some(serde_json::json!({"source_id": source_id, "target_id": id, "email": source.email})),
            )
            .about_customer(source_id);
        let start = MergeStart {
            source_before: &source,
            source_after: &source_after,
            target_before: &target,
            target_after: &target_after,
            event: &event,
        };
        match app.store.start_customer_merge(scope, start).await {
            Ok(()) => return Ok((source_after, target_after)),
            Err(CustomerWriteError::VersionConflict) if attempt < 2 => attempt += 1,
            Err(err) => return Err(merge_conflict(err, "The customers")),
        }
    }
}

/// The target's `merged_ids` after taking in the source and everything merged into it, within bounds.
fn merged_ids_after(target: &Customer, source: &Customer) -> ServiceResult<Vec<CustomerId>> {
    let mut merged_ids = target.merged_ids.clone();
    for merged in std::iter::once(source.id).chain(source.merged_ids.iter().copied()) {
        if !merged_ids.contains(&merged) {
            merged_ids.push(merged);
        }
    }
    if merged_ids.len() > MAX_MERGED {
        return Err(ServiceError::Conflict(format!(
            "At most {MAX_MERGED} customers can be merged into one; this merge would make it {}.",
            merged_ids.len()
        )));
    }
    Ok(merged_ids)
}

/// Step 3: the source's `merge_pending` cleared, with `customer.merge_completed`.
async fn complete_merge(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    merge: MergeCustomer,
    source: &Customer,
) -> ServiceResult<()> {
    let MergeCustomer { source: source_id, target: id } = merge;
    let now = app.clock.now();
    let done = Customer { merge_pending: false, updated_at: now, version: source.version + 1, ..source.clone() };
    let event =
        Event::new(EventKind::CustomerMergeCompleted, Some(caller.user_id), format!("customer/{source_id}"), now)
            .with_change(None, Some(serde_json::json!({"source_id": source_id, "target_id": id})))
            .about_customer(source_id);
    if let Err(err) = app.store.update_customer(scope, source, &done, &event).await {
        // A concurrent call for the same merge may have completed it first.
        let current = app.store.get_customer(scope, source_id).await?;
        if !current.is_some_and(|current| current.merged_into == Some(id) && !current.merge_pending) {
            return Err(merge_conflict(err, "The source customer"));
        }
    }
    Ok(())
}

/// Moves every ticket of `from` to `to`, a few at a time.
async fn move_tickets(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    from: CustomerId,
    to: CustomerId,
) -> ServiceResult<()> {
    let mut tickets: Vec<TicketId> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app
            .store
            .query_tickets(
                scope,
                TicketIndex::Customer(from),
                &TicketFilters::default(),
                PageParams::MAX_LIMIT,
                cursor.as_deref(),
            )
            .await?;
        tickets.extend(page.items.iter().filter(|ticket| ticket.customer_id == from).map(|ticket| ticket.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    // The rows of the moved tickets show who asks now.
    let requester = app.store.get_customer(scope, to).await?.as_ref().map(Requester::from);
    let requester = requester.as_ref();
    futures::stream::iter(tickets)
        .map(|ticket| move_ticket(app, caller, scope, ticket, from, to, requester))
        .buffer_unordered(MOVE_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// Points one ticket at `to` (its customer's index partition moves with it), unless it no longer
/// belongs to `from`. Conditional on the version read; re-read and retried when a concurrent change
/// wins. `updated_at` is kept, so the inbox order does not change.
async fn move_ticket(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    ticket: TicketId,
    from: CustomerId,
    to: CustomerId,
    requester: Option<&Requester>,
) -> ServiceResult<()> {
    for _ in 0..MOVE_TRIES {
        let Some(before) = app.store.get_ticket(scope, ticket).await? else { return Ok(()) };
        if before.customer_id != from {
            return Ok(());
        }
        let mut after = Ticket { customer_id: to, version: before.version + 1, ..before.clone() };
        if let Some(requester) = requester {
            after.row.requester = Some(requester.clone());
        }
        let event = Event::new(
            EventKind::TicketCustomerChanged,
            Some(caller.user_id),
            format!("ticket/{ticket}"),
            app.clock.now(),
        )
        .with_change(Some(serde_json::json!({"customer_id": from})), Some(serde_json::json!({"customer_id": to})))
        .about_ticket(ticket, to);
        match app.store.save_ticket(scope, &before, &after, None, &[event]).await {
            Ok(()) => return Ok(()),
            Err(TicketWriteError::VersionConflict) => continue,
            Err(TicketWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "A ticket of the merged customer", current: None })
}
