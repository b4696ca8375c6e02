//! Companies (organisation records): create, read, change, delete, list by name; the customers and
//! deals linked to one; its timeline. Handlers check `customers:read` / `customers:write` (companies
//! sit with customers), and `sales:read` for a company's deals.
//!
//! Customers and deals name a company with `company_id`; their `company` text then mirrors the
//! company's name. Linking counts the record on the company in the record's own transaction, and a
//! company is deleted only while nothing names it (409 otherwise: unlink or move them first).

use std::collections::HashMap;

use futures::{StreamExt, TryStreamExt};

use super::commands::companies::{AddCompany, ChangeCompany, parse_company_list};
use super::{ServiceError, ServiceResult};
use crate::api::{
    CompanyList, CompanyView, CreateCompanyRequest, CustomerList, CustomerView, DealList, DealView, EventList,
    EventView, UpdateCompanyRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::FieldError;
use crate::domain::events::EventKind;
use crate::domain::ids::{CompanyId, StageId};
use crate::storage::{
    PageParams, TenantScope,
    companies::{Company, CompanyWriteError},
    events::Event,
};

/// What a company event carries: enough for a webhook subscriber or an audit line.
fn snapshot(company: &Company) -> serde_json::Value {
    serde_json::json!({
        "name": company.name, "domain": company.domain, "phone": company.phone, "website": company.website,
        "address": company.address, "owner_id": company.owner_id, "tags": company.tags,
        "attributes": company.attributes, "version": company.version,
    })
}

fn event(kind: EventKind, caller: &MemberPrincipal, company: CompanyId, now: jiff::Timestamp) -> Event {
    Event::new(kind, Some(caller.user_id), format!("company/{company}"), now).about_company(company)
}

async fn find(app: &App, scope: &TenantScope, id: CompanyId) -> ServiceResult<Company> {
    app.store.get_company(scope, id).await?.ok_or(ServiceError::NotFound("The company"))
}

/// The company a customer or deal is being linked to: one of the workspace's, or 422 on `company_id`
/// (another workspace's company is not found here, so it reads the same as one that does not exist).
pub(crate) async fn to_link(app: &App, scope: &TenantScope, id: CompanyId) -> ServiceResult<Company> {
    app.store.get_company(scope, id).await?.ok_or_else(|| company_missing(id))
}

pub(crate) fn company_missing(id: CompanyId) -> ServiceError {
    ServiceError::Validation(vec![FieldError::new("company_id", format!("{id} is not a company of this workspace"))])
}

/// A taken domain, named by the company holding it (read again: the guard says who).
async fn domain_taken(app: &App, scope: &TenantScope, company: &Company) -> ServiceResult<ServiceError> {
    let Some(domain) = &company.domain else { return Ok(ServiceError::Conflict("The domain is taken.".into())) };
    Ok(match app.store.company_id_by_domain(scope, domain).await? {
        Some(existing) => ServiceError::DomainTaken { existing, domain: domain.to_string() },
        // Released meanwhile: trying again may succeed.
        None => ServiceError::VersionConflict { what: "The company's domain", current: None },
    })
}

async fn write_error(app: &App, scope: &TenantScope, company: &Company, err: CompanyWriteError) -> ServiceError {
    match err {
        CompanyWriteError::DomainTaken => domain_taken(app, scope, company).await.unwrap_or_else(|err| err),
        CompanyWriteError::VersionConflict => ServiceError::VersionConflict { what: "The company", current: None },
        CompanyWriteError::OwnerNotMember => {
            ServiceError::Validation(vec![FieldError::new("owner_id", "must be an active member of this workspace")])
        }
        CompanyWriteError::InUse => match app.store.company_links(scope, company.id).await {
            Ok(links) => in_use(links.customers, links.deals),
            Err(err) => err.into(),
        },
        CompanyWriteError::Store(err) => err.into(),
    }
}

fn in_use(customers: i64, deals: i64) -> ServiceError {
    ServiceError::Conflict(format!(
        "{customers} customer(s) and {deals} deal(s) name this company: unlink them (company_id: null) or link \
         them to another company before deleting it."
    ))
}

pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateCompanyRequest) -> ServiceResult<CompanyView> {
    let AddCompany { name, domain, phone, website, address, owner, tags, attributes } = request.try_into()?;
    let scope = caller.scope();
    let now = app.clock.now();
    let company = Company {
        id: CompanyId::generate(),
        workspace_id: caller.workspace_id,
        name,
        domain,
        phone,
        website,
        address,
        owner_id: owner,
        tags,
        attributes,
        created_by: Some(caller.user_id),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let created = event(EventKind::CompanyCreated, caller, company.id, now).with_change(None, Some(snapshot(&company)));
    if let Err(err) = app.store.create_company(&scope, &company, &created).await {
        return Err(write_error(app, &scope, &company, err).await);
    }
    Ok(CompanyView::from(&company).with_links(Default::default()))
}

/// The company, with how many customers and deals name it.
pub async fn get(app: &App, caller: &MemberPrincipal, id: CompanyId) -> ServiceResult<CompanyView> {
    let scope = caller.scope();
    let (company, links) = futures::try_join!(async { find(app, &scope, id).await }, async {
        Ok::<_, ServiceError>(app.store.company_links(&scope, id).await?)
    },)?;
    Ok(CompanyView::from(&company).with_links(links))
}

/// A page of companies in name order: all, or one owner's (`me`, `none`, a member id); optionally
/// with a tag.
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    owner: Option<String>,
    tag: Option<String>,
    page: PageParams,
) -> ServiceResult<CompanyList> {
    let query = parse_company_list(owner.as_deref(), tag.as_deref(), caller.user_id)?;
    let found = app.store.list_companies(&caller.scope(), &query, page.limit, page.cursor.as_deref()).await?;
    Ok(CompanyList { items: found.items.iter().map(CompanyView::from).collect(), next_cursor: found.next_cursor })
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: CompanyId,
    request: UpdateCompanyRequest,
) -> ServiceResult<CompanyView> {
    let change = ChangeCompany::try_from(request)?;
    let renaming = change.name.is_some();
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    if change.version != before.version {
        let current = serde_json::to_value(CompanyView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The company", current: Some(current) });
    }
    let after = Company {
        name: change.name.unwrap_or_else(|| before.name.clone()),
        domain: change.domain.unwrap_or_else(|| before.domain.clone()),
        phone: change.phone.unwrap_or_else(|| before.phone.clone()),
        website: change.website.unwrap_or_else(|| before.website.clone()),
        address: change.address.unwrap_or_else(|| before.address.clone()),
        owner_id: change.owner.unwrap_or(before.owner_id),
        tags: change.tags.unwrap_or_else(|| before.tags.clone()),
        attributes: change.attributes.unwrap_or_else(|| before.attributes.clone()),
        ..before.clone()
    };
    let after = if after == before {
        before
    } else {
        let now = app.clock.now();
        let after = Company { updated_at: now, version: before.version + 1, ..after };
        let changed = event(EventKind::CompanyUpdated, caller, id, now)
            .with_change(Some(snapshot(&before)), Some(snapshot(&after)));
        if let Err(err) = app.store.update_company(&scope, &before, &after, &changed).await {
            return Err(write_error(app, &scope, &after, err).await);
        }
        after
    };
    // Sent again with the same name, a rename that stopped half-way finishes: records already showing
    // the name are skipped.
    if renaming {
        mirror_name(app, caller, &scope, &after).await?;
    }
    let links = app.store.company_links(&scope, id).await?;
    Ok(CompanyView::from(&after).with_links(links))
}

/// How many linked records are brought up to date at the same time.
const MIRROR_CONCURRENCY: usize = 8;

/// Brings the `company` text of every customer and deal linked to the company to its name, each with
/// its own versioned write and `customer.updated` / `deal.updated` event.
async fn mirror_name(app: &App, caller: &MemberPrincipal, scope: &TenantScope, company: &Company) -> ServiceResult<()> {
    let mut customers = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = app.store.company_customers(scope, company.id, PageParams::MAX_LIMIT, cursor.as_deref()).await?;
        customers.extend(
            page.items.iter().filter(|customer| customer.company.as_deref() != Some(&company.name)).map(|c| c.id),
        );
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let mut deals = Vec::new();
    loop {
        let page = app.store.company_deals(scope, company.id, PageParams::MAX_LIMIT, cursor.as_deref()).await?;
        deals.extend(page.items.iter().filter(|deal| deal.company.as_deref() != Some(&company.name)).map(|d| d.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    futures::stream::iter(customers)
        .map(|customer| super::customers::mirror_company(app, caller, scope, customer, company))
        .buffer_unordered(MIRROR_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    futures::stream::iter(deals)
        .map(|deal| super::deals::mirror_company(app, caller, scope, deal, company))
        .buffer_unordered(MIRROR_CONCURRENCY)
        .try_collect::<Vec<()>>()
        .await?;
    Ok(())
}

/// Deletes the company at `version` (when given), only while no customer or deal names it. Its notes
/// and events stay in the activity log.
pub async fn delete(app: &App, caller: &MemberPrincipal, id: CompanyId, version: Option<u64>) -> ServiceResult<()> {
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    if let Some(version) = version
        && version != before.version
    {
        let current = serde_json::to_value(CompanyView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The company", current: Some(current) });
    }
    let links = app.store.company_links(&scope, id).await?;
    if links.customers > 0 || links.deals > 0 {
        return Err(in_use(links.customers, links.deals));
    }
    let deleted =
        event(EventKind::CompanyDeleted, caller, id, app.clock.now()).with_change(Some(snapshot(&before)), None);
    match app.store.delete_company(&scope, &before, &deleted).await {
        Ok(()) => Ok(()),
        Err(err) => Err(write_error(app, &scope, &before, err).await),
    }
}

/// The company's customers, by e-mail.
pub async fn customers(
    app: &App,
    caller: &MemberPrincipal,
    id: CompanyId,
    page: PageParams,
) -> ServiceResult<CustomerList> {
    let scope = caller.scope();
    find(app, &scope, id).await?;
    let found = app.store.company_customers(&scope, id, page.limit, page.cursor.as_deref()).await?;
    Ok(CustomerList { items: found.items.iter().map(CustomerView::from).collect(), next_cursor: found.next_cursor })
}

/// The company's deals, every status, newest first.
pub async fn deals(app: &App, caller: &MemberPrincipal, id: CompanyId, page: PageParams) -> ServiceResult<DealList> {
    let scope = caller.scope();
    find(app, &scope, id).await?;
    let (found, pipelines) = futures::try_join!(
        async { Ok::<_, ServiceError>(app.store.company_deals(&scope, id, page.limit, page.cursor.as_deref()).await?) },
        async { Ok::<_, ServiceError>(app.store.pipelines(&scope).await?) },
    )?;
    let rotting: HashMap<StageId, Option<u32>> = pipelines
        .iter()
        .flat_map(|pipeline| pipeline.stages.iter().map(|stage| (stage.id, stage.rotting_days)))
        .collect();
    let now = app.clock.now();
    Ok(DealList {
        items: found
            .items
            .iter()
            .map(|deal| DealView::new(deal, rotting.get(&deal.stage_id).copied().flatten(), now))
            .collect(),
        next_cursor: found.next_cursor,
    })
}

/// The company's timeline: what happened to it (created, changed, noted), newest first.
pub async fn timeline(
    app: &App,
    caller: &MemberPrincipal,
    id: CompanyId,
    page: PageParams,
) -> ServiceResult<EventList> {
    let scope = caller.scope();
    find(app, &scope, id).await?;
    let found = app.store.company_timeline(&scope, id, page.limit, page.cursor.as_deref()).await?;
    Ok(EventList { items: found.items.iter().map(EventView::from).collect(), next_cursor: found.next_cursor })
}
