//! Sales leads: creating them (with duplicate detection on e-mail), changing, assigning, deleting,
//! listing and counting them, merging duplicates, notes, the workspace's status set, and converting a
//! lead into a customer.
//!
//! Who may do what: `sales:read` sees every lead; `sales:write` creates leads, changes the ones it owns
//! or nobody owns, and takes unowned ones; `sales:manage` changes and reassigns any
//! (`domain::leads::may_change` / `may_assign`).

use serde_json::json;

use super::bulk::{self, BulkRecordOutcome};
use super::commands::leads::{ChangeLead, LeadBulkChange, MergeLead, NewLead, lead_query, lead_statuses};
use super::{ServiceError, ServiceResult};
use crate::api::{
    ConversionView, ConvertLeadRequest, CreateLeadRequest, CustomerView, EventList, EventView, LeadBulkRequest,
    LeadCounts, LeadList, LeadListParams, LeadStatusesView, LeadView, MergeLeadRequest, UpdateLeadRequest,
    UpdateLeadStatusesRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    FieldError,
    events::EventKind,
    ids::{CustomerId, LeadId, UserId},
    leads::{LeadSource, may_assign, may_change},
    plan::{LimitExceeded, LimitKind},
    rbac::Permission,
    records::RecordRef,
    ticket::MAX_TAGS,
};
use crate::storage::{
    PageParams, TenantScope,
    customers::Customer,
    events::Event,
    leads::{
        ConversionCustomer, Lead, LeadWriteError, MonthlyLeads, TOTAL_COUNTER, owner_counter, source_counter,
        status_counter,
    },
};

/// A merge moves the duplicate's notes in its one transaction; past this many it is refused.
pub const MAX_MERGED_NOTES: usize = 40;
/// Tries of a conversion when its customer changes (or appears) between the read and the write.
const CONVERT_TRIES: usize = 3;

/// What to do when a new lead's e-mail is already a lead's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// 409 `duplicate-lead`, naming the existing lead.
    #[default]
    Refuse,
    /// Add what is new to the existing lead (empty fields filled, tags and attributes added; nothing
    /// it holds is overwritten) and answer with it.
    Merge,
}

/// The answer to a create: the lead, and whether it is new (201) or the existing one enriched (200).
pub struct Created {
    pub lead: LeadView,
    pub new: bool,
}

pub(crate) fn details(lead: &Lead) -> serde_json::Value {
    json!({
        "name": lead.name, "email": lead.email, "phone": lead.phone, "company": lead.company,
        "title": lead.title, "source": lead.source, "status": lead.status, "owner_id": lead.owner_id,
        "tags": lead.tags, "attributes": lead.attributes, "score": lead.score,
    })
}

fn event(kind: EventKind, caller: &MemberPrincipal, lead: LeadId, at: jiff::Timestamp) -> Event {
    Event::new(kind, Some(caller.user_id), format!("lead/{lead}"), at).about_lead(lead)
}

fn not_found() -> ServiceError {
    ServiceError::NotFound("The lead")
}

async fn load(app: &App, scope: &TenantScope, id: LeadId) -> ServiceResult<Lead> {
    app.store.get_lead(scope, id).await?.ok_or_else(not_found)
}

/// A lead that still takes changes: not merged away, not converted.
fn changeable(lead: &Lead) -> ServiceResult<()> {
    if let Some(into) = lead.merged_into {
        return Err(ServiceError::Conflict(format!(
            "This lead was merged into lead {into} and takes no more changes; change that lead instead."
        )));
    }
    if let Some(customer) = lead.customer_id {
        return Err(ServiceError::Conflict(format!(
            "This lead was converted into customer {customer} and takes no more changes; change the customer instead."
        )));
    }
    Ok(())
}

fn require_change(caller: &MemberPrincipal, lead: &Lead) -> ServiceResult<()> {
    if may_change(caller.role, caller.user_id, lead.owner_id) {
        return Ok(());
    }
    Err(ServiceError::Forbidden(
        "This lead belongs to another member: with sales:write you change your own leads and unowned ones; \
         sales:manage changes any."
            .to_owned(),
    ))
}

fn require_assign(caller: &MemberPrincipal, lead: Option<&Lead>, new_owner: Option<UserId>) -> ServiceResult<()> {
    let owner = lead.and_then(|lead| lead.owner_id);
    if may_assign(caller.role, caller.user_id, owner, new_owner) {
        return Ok(());
    }
    Err(ServiceError::Forbidden(
        "Only sales:manage assigns leads to others or releases them; with sales:write you take unowned leads \
         (owner_id: your own id)."
            .to_owned(),
    ))
}

/// An owner must be an active member who can sell.
async fn check_owner(app: &App, scope: &TenantScope, owner: Option<UserId>) -> ServiceResult<()> {
    let Some(owner) = owner else { return Ok(()) };
    let member = app.store.get_member(scope, owner).await?;
    if member.is_some_and(|member| member.is_active() && member.role.can(Permission::SalesWrite)) {
        return Ok(());
    }
    Err(vec![FieldError::new("owner_id", "must be an active member of this workspace who can sell")].into())
}

fn write_error(err: LeadWriteError) -> ServiceError {
    match err {
        LeadWriteError::VersionConflict => ServiceError::VersionConflict { what: "The lead", current: None },
        LeadWriteError::StatusesChanged => ServiceError::VersionConflict { what: "The lead statuses", current: None },
        LeadWriteError::CustomerEmailTaken | LeadWriteError::CustomerChanged => {
            ServiceError::VersionConflict { what: "The customer", current: None }
        }
        LeadWriteError::Duplicate => ServiceError::Conflict("Another lead has this e-mail.".to_owned()),
        // Creations map this themselves (they know the plan); nothing else counts new leads.
        LeadWriteError::MonthlyLimit { used } => {
            ServiceError::Conflict(format!("The plan's new leads for this month are used up ({used})."))
        }
        LeadWriteError::Store(err) => err.into(),
    }
}

/// The duplicate that holds `email`, as a 409 naming it.
async fn duplicate_of(app: &App, scope: &TenantScope, lead: &Lead) -> ServiceResult<ServiceError> {
    let existing = match &lead.email {
        Some(email) => app.store.lead_id_by_email(scope, email).await?,
        None => None,
    };
    Ok(match existing {
        Some(existing) => ServiceError::DuplicateLead { existing },
        None => ServiceError::VersionConflict { what: "The lead with this e-mail", current: None },
    })
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateLeadRequest,
    on_duplicate: OnDuplicate,
) -> ServiceResult<Created> {
    let new = NewLead::try_from(request)?;
    let scope = caller.scope();
    let (statuses, _) = app.store.lead_statuses(&scope).await?;
    let status = match &new.status {
        Some(key) => statuses.settable(key).map_err(|message| vec![FieldError::new("status", message)])?,
        None => statuses.initial(),
    };
    if new.owner_id.is_some() {
        require_assign(caller, None, new.owner_id)?;
    }
    check_owner(app, &scope, new.owner_id).await?;
    let now = app.clock.now();
    let lead = Lead {
        id: LeadId::generate(),
        workspace_id: caller.workspace_id,
        name: new.name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        company: new.company.clone(),
        title: new.title.clone(),
        source: new.source,
        status: status.key.clone(),
        owner_id: new.owner_id,
        tags: new.tags.clone(),
        attributes: new.attributes.clone(),
        score: new.score,
        created_at: now,
        updated_at: now,
        version: 1,
        customer_id: None,
        converted_at: None,
        merged_into: None,
        merged_ids: Vec::new(),
    };
    let created = event(EventKind::LeadCreated, caller, lead.id, now).with_change(None, Some(details(&lead)));
    let (_, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let month = super::plans::month_of(now);
    let quota = MonthlyLeads { month: &month, limit: plan.limits.leads_per_month };
    match app.store.create_lead(&scope, &lead, &[created], quota).await {
        Ok(()) => Ok(Created { lead: (&lead).into(), new: true }),
        Err(LeadWriteError::MonthlyLimit { used }) => Err(ServiceError::PlanLimit(LimitExceeded {
            kind: LimitKind::LeadsPerMonth,
            limit: plan.limits.leads_per_month.unwrap_or(used),
            used,
            plan: plan.id.clone(),
        })),
        Err(LeadWriteError::Duplicate) => match (on_duplicate, duplicate_of(app, &scope, &lead).await?) {
            (OnDuplicate::Merge, ServiceError::DuplicateLead { existing }) => {
                let lead = enrich(app, caller, &scope, existing, &new).await?;
                Ok(Created { lead, new: false })
            }
            (_, refusal) => Err(refusal),
        },
        Err(err) => Err(write_error(err)),
    }
}

/// Adds what `new` knows and `existing` lacks to `existing`: empty fields filled, tags and attributes
/// added. Nothing the lead holds is overwritten, so any seller may do it, whoever owns the lead.
async fn enrich(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    existing: LeadId,
    new: &NewLead,
) -> ServiceResult<LeadView> {
    let before = load(app, scope, existing).await?;
    if before.merged_into.is_some() || before.customer_id.is_some() {
        return Ok((&before).into());
    }
    let mut tags = before.tags.clone();
    for tag in &new.tags {
        if !tags.contains(tag) && tags.len() < MAX_TAGS {
            tags.push(tag.clone());
        }
    }
    let mut attributes = before.attributes.clone();
    for (key, value) in &new.attributes {
        if attributes.len() < super::commands::customers::MAX_ATTRIBUTES {
            attributes.entry(key.clone()).or_insert_with(|| value.clone());
        }
    }
    let after = Lead {
        phone: before.phone.clone().or_else(|| new.phone.clone()),
        company: before.company.clone().or_else(|| new.company.clone()),
        title: before.title.clone().or_else(|| new.title.clone()),
        score: before.score.or(new.score),
        tags,
        attributes,
        ..before.clone()
    };
    if after == before {
        return Ok((&before).into());
    }
    let now = app.clock.now();
    let after = Lead { updated_at: now, version: before.version + 1, ..after };
    let updated = event(EventKind::LeadUpdated, caller, before.id, now)
        .with_change(Some(details(&before)), Some(details(&after)));
    app.store.save_lead(scope, Some(&before), Some(&after), &[updated]).await.map_err(write_error)?;
    Ok((&after).into())
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: LeadId) -> ServiceResult<LeadView> {
    Ok((&load(app, &caller.scope(), id).await?).into())
}

pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    params: &LeadListParams,
    page: PageParams,
) -> ServiceResult<LeadList> {
    let query = lead_query(params, caller.user_id)?;
    let scope = caller.scope();
    if let Some(status) = &query.status {
        let (statuses, _) = app.store.lead_statuses(&scope).await?;
        if statuses.get(status).is_none() {
            let keys: Vec<&str> = statuses.all().iter().map(|status| status.key.as_str()).collect();
            return Err(vec![FieldError::new("status", format!("must be one of {}", keys.join(", ")))].into());
        }
    }
    let page = app.store.query_leads(&scope, &query, page.limit, page.cursor.as_deref()).await?;
    Ok(LeadList { items: page.items.iter().map(LeadView::from).collect(), next_cursor: page.next_cursor })
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: LeadId,
    request: UpdateLeadRequest,
) -> ServiceResult<LeadView> {
    let change = ChangeLead::try_from(request)?;
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    changeable(&before)?;
    if let Some(version) = change.version
        && version != before.version
    {
        let current = serde_json::to_value(LeadView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The lead", current: Some(current) });
    }
    require_change(caller, &before)?;
    let status = match &change.status {
        Some(key) => {
            let (statuses, _) = app.store.lead_statuses(&scope).await?;
            let status = statuses.settable(key).map_err(|message| vec![FieldError::new("status", message)])?;
            status.key.clone()
        }
        None => before.status.clone(),
    };
    let owner_id = change.owner_id.unwrap_or(before.owner_id);
    if owner_id != before.owner_id {
        require_assign(caller, Some(&before), owner_id)?;
        check_owner(app, &scope, owner_id).await?;
    }
    let after = Lead {
        name: change.name.unwrap_or_else(|| before.name.clone()),
        email: change.email.unwrap_or_else(|| before.email.clone()),
        phone: change.phone.unwrap_or_else(|| before.phone.clone()),
        company: change.company.unwrap_or_else(|| before.company.clone()),
        title: change.title.unwrap_or_else(|| before.title.clone()),
        source: change.source.unwrap_or(before.source),
        status,
        owner_id,
        tags: change.tags.unwrap_or_else(|| before.tags.clone()),
        attributes: change.attributes.unwrap_or_else(|| before.attributes.clone()),
        score: change.score.unwrap_or(before.score),
        ..before.clone()
    };
    if after == before {
        return Ok((&before).into());
    }
    let now = app.clock.now();
    let after = Lead { updated_at: now, version: before.version + 1, ..after };
    let events = change_events(caller, &before, &after, now);
    match app.store.save_lead(&scope, Some(&before), Some(&after), &events).await {
        Ok(()) => Ok((&after).into()),
        Err(LeadWriteError::Duplicate) => Err(duplicate_of(app, &scope, &after).await?),
        Err(err) => Err(write_error(err)),
    }
}

/// The same change (status, owner, tags to add or remove) to up to 100 leads, each its own versioned
/// change through `update`: one stale or refused lead (a lead the caller may not change or reassign,
/// one of another workspace) fails alone, with the problem the single change would have answered.
pub async fn bulk_update(
    app: &App,
    caller: &MemberPrincipal,
    request: LeadBulkRequest,
) -> ServiceResult<Vec<(LeadId, BulkRecordOutcome<LeadView>)>> {
    let change = LeadBulkChange::try_from(request)?;
    if let Some(key) = &change.status {
        let (statuses, _) = app.store.lead_statuses(&caller.scope()).await?;
        statuses.settable(key).map_err(|message| vec![FieldError::new("changes.status", message)])?;
    }
    let change = &change;
    Ok(bulk::each(
        change.leads.clone(),
        |view: &LeadView| view.version,
        |id, version| bulk_change_one(app, caller, change, id, version),
    )
    .await)
}

async fn bulk_change_one(
    app: &App,
    caller: &MemberPrincipal,
    change: &LeadBulkChange,
    id: LeadId,
    version: u64,
) -> ServiceResult<LeadView> {
    // Adding and removing tags needs the lead's tags at the version the caller saw.
    let tags = if change.add_tags.is_empty() && change.remove_tags.is_empty() {
        None
    } else {
        let current = load(app, &caller.scope(), id).await?;
        if current.version != version {
            let current_view = serde_json::to_value(LeadView::from(&current)).unwrap_or_default();
            return Err(ServiceError::VersionConflict { what: "The lead", current: Some(current_view) });
        }
        change.tags_for(&current.tags)
    };
    let request = UpdateLeadRequest {
        name: None,
        email: None,
        phone: None,
        company: None,
        title: None,
        source: None,
        status: change.status.clone(),
        owner_id: change.owner_id.map(|owner| owner.map(|user| user.to_string())),
        tags,
        attributes: None,
        score: None,
        version: Some(version),
    };
    update(app, caller, id, request).await
}

/// One event per kind of change: status, owner, and the other details.
fn change_events(caller: &MemberPrincipal, before: &Lead, after: &Lead, now: jiff::Timestamp) -> Vec<Event> {
    let mut events = Vec::new();
    if before.status != after.status {
        events.push(
            event(EventKind::LeadStatusChanged, caller, after.id, now)
                .with_change(Some(json!({"status": before.status})), Some(json!({"status": after.status}))),
        );
    }
    if before.owner_id != after.owner_id {
        events.push(event(EventKind::LeadAssigned, caller, after.id, now).with_change(
            Some(json!({"owner_id": before.owner_id})),
            Some(json!({"owner_id": after.owner_id, "name": after.name, "company": after.company, "source": after.source})),
        ));
    }
    let same_details = Lead { status: before.status.clone(), owner_id: before.owner_id, ..after.clone() };
    if (Lead { updated_at: before.updated_at, version: before.version, ..same_details }) != *before {
        events.push(
            event(EventKind::LeadUpdated, caller, after.id, now)
                .with_change(Some(details(before)), Some(details(after))),
        );
    }
    events
}

pub async fn delete(app: &App, caller: &MemberPrincipal, id: LeadId) -> ServiceResult<()> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    changeable(&before)?;
    require_change(caller, &before)?;
    let deleted = event(EventKind::LeadDeleted, caller, id, app.clock.now()).with_change(Some(details(&before)), None);
    app.store.save_lead(&scope, Some(&before), None, &[deleted]).await.map_err(write_error)
}

/// The exact counts: one read of the counters, every status and source listed.
pub async fn counts(app: &App, caller: &MemberPrincipal) -> ServiceResult<LeadCounts> {
    let scope = caller.scope();
    let counters = app.store.lead_counts(&scope).await?;
    let (statuses, _) = app.store.lead_statuses(&scope).await?;
    let get = |name: &str| counters.get(name).copied().unwrap_or(0);
    let by_status =
        statuses.all().iter().map(|status| (status.key.clone(), get(&status_counter(&status.key)))).collect();
    let by_source =
        LeadSource::ALL.iter().map(|source| (source.as_str().to_owned(), get(&source_counter(*source)))).collect();
    let owner_prefix = owner_counter(None).replace("none", "");
    let by_owner = counters
        .iter()
        .filter(|(_, count)| **count != 0)
        .filter_map(|(name, count)| name.strip_prefix(&owner_prefix).map(|owner| (owner.to_owned(), *count)))
        .collect();
    Ok(LeadCounts { total: get(TOTAL_COUNTER), by_status, by_source, by_owner })
}

pub async fn statuses(app: &App, caller: &MemberPrincipal) -> ServiceResult<LeadStatusesView> {
    let (statuses, version) = app.store.lead_statuses(&caller.scope()).await?;
    Ok(LeadStatusesView::new(&statuses, version))
}

/// Replaces the status set. A status still holding leads cannot be removed (409, with its count).
pub async fn set_statuses(
    app: &App,
    caller: &MemberPrincipal,
    request: UpdateLeadStatusesRequest,
) -> ServiceResult<LeadStatusesView> {
    let (statuses, version) = lead_statuses(request)?;
    let scope = caller.scope();
    let (current, current_version) = app.store.lead_statuses(&scope).await?;
    if version != current_version {
        let current = serde_json::to_value(LeadStatusesView::new(&current, current_version)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: "The lead statuses", current: Some(current) });
    }
    let counters = app.store.lead_counts(&scope).await?;
    for removed in current.all().iter().filter(|status| statuses.get(&status.key).is_none()) {
        let held = counters.get(&status_counter(&removed.key)).copied().unwrap_or(0);
        if held > 0 {
            return Err(ServiceError::Conflict(format!(
                "{held} lead(s) are {:?}: move them to another status before removing it.",
                removed.key
            )));
        }
    }
    let keys = |set: &crate::domain::leads::LeadStatuses| set.all().iter().map(|s| s.key.clone()).collect::<Vec<_>>();
    let changed = Event::new(
        EventKind::LeadStatusesUpdated,
        Some(caller.user_id),
        "settings/lead_statuses".to_owned(),
        app.clock.now(),
    )
    .with_change(Some(json!({"statuses": keys(&current)})), Some(json!({"statuses": keys(&statuses)})));
    app.store.put_lead_statuses(&scope, &statuses, version, &changed).await.map_err(write_error)?;
    Ok(LeadStatusesView::new(&statuses, version + 1))
}

/// Merges the duplicate into the lead `id` (the survivor) in one transaction: the survivor keeps its
/// fields and gains the duplicate's tags; the duplicate's notes move to it; the duplicate leaves every
/// listing and count, and its e-mail finds the survivor from now on.
pub async fn merge(
    app: &App,
    caller: &MemberPrincipal,
    id: LeadId,
    request: MergeLeadRequest,
) -> ServiceResult<LeadView> {
    let MergeLead { survivor, duplicate } = MergeLead::parse(id, &request)?;
    let scope = caller.scope();
    let survivor = load(app, &scope, survivor).await?;
    let duplicate = app.store.get_lead(&scope, duplicate).await?.ok_or(ServiceError::NotFound("The duplicate lead"))?;
    changeable(&survivor)?;
    changeable(&duplicate)?;
    require_change(caller, &survivor)?;
    require_change(caller, &duplicate)?;
    let notes = app.store.all_notes(&scope, RecordRef::Lead(duplicate.id)).await?;
    if notes.len() > MAX_MERGED_NOTES {
        return Err(ServiceError::Conflict(format!(
            "The duplicate has {} notes; a merge moves at most {MAX_MERGED_NOTES} at once.",
            notes.len()
        )));
    }
    let mut tags = survivor.tags.clone();
    for tag in &duplicate.tags {
        if !tags.contains(tag) && tags.len() < MAX_TAGS {
            tags.push(tag.clone());
        }
    }
    let mut merged_ids = survivor.merged_ids.clone();
    for merged in std::iter::once(duplicate.id).chain(duplicate.merged_ids.iter().copied()) {
        if !merged_ids.contains(&merged) {
            merged_ids.push(merged);
        }
    }
    let now = app.clock.now();
    let survivor_after = Lead { tags, merged_ids, updated_at: now, version: survivor.version + 1, ..survivor.clone() };
    let duplicate_after =
        Lead { merged_into: Some(survivor.id), updated_at: now, version: duplicate.version + 1, ..duplicate.clone() };
    let merged = event(EventKind::LeadMerged, caller, survivor.id, now).with_change(
        Some(json!({"duplicate": details(&duplicate)})),
        Some(json!({"survivor_id": survivor.id, "duplicate_id": duplicate.id, "notes_moved": notes.len()})),
    );
    app.store
        .merge_leads(&scope, (&survivor, &survivor_after), (&duplicate, &duplicate_after), &notes, &[merged])
        .await
        .map_err(write_error)?;
    Ok((&survivor_after).into())
}

/// Everything that happened to the lead, newest first (its conversion is in the customer's timeline).
pub async fn timeline(app: &App, caller: &MemberPrincipal, id: LeadId, page: PageParams) -> ServiceResult<EventList> {
    let scope = caller.scope();
    load(app, &scope, id).await?;
    let page = app.store.lead_timeline(&scope, id, page.limit, page.cursor.as_deref()).await?;
    Ok(EventList { items: page.items.iter().map(EventView::from).collect(), next_cursor: page.next_cursor })
}

/// Converts a lead into a customer in one transaction: a customer named in the request, else the
/// customer with the lead's e-mail, else a new one from the lead's details. The lead takes the
/// workspace's converted status and points at the customer; the customer lists the lead in
/// `converted_from_leads`. Converting twice is 409; a conversion racing a change of the lead: one wins.
pub async fn convert(
    app: &App,
    caller: &MemberPrincipal,
    id: LeadId,
    request: ConvertLeadRequest,
) -> ServiceResult<ConversionView> {
    let customer_id: Option<CustomerId> = request
        .customer_id
        .as_deref()
        .map(|raw| raw.trim().parse().map_err(|message: String| vec![FieldError::new("customer_id", message)]))
        .transpose()?;
    let scope = caller.scope();
    let mut tries = 0;
    loop {
        tries += 1;
        let before = load(app, &scope, id).await?;
        if let Some(customer) = before.customer_id {
            return Err(ServiceError::Conflict(format!("This lead was already converted into customer {customer}.")));
        }
        changeable(&before)?;
        if let Some(version) = request.version
            && version != before.version
        {
            let current = serde_json::to_value(LeadView::from(&before)).unwrap_or_default();
            return Err(ServiceError::VersionConflict { what: "The lead", current: Some(current) });
        }
        require_change(caller, &before)?;
        let existing = find_customer(app, &scope, &before, customer_id).await?;
        let (statuses, _) = app.store.lead_statuses(&scope).await?;
        let now = app.clock.now();
        let (customer_before, customer_after) = match existing {
            Some(customer) => {
                let mut after = Customer { updated_at: now, version: customer.version + 1, ..customer.clone() };
                after.converted_from_leads.push(id);
                (Some(customer), after)
            }
            None => {
                let Some(email) = before.email.clone() else {
                    return Err(vec![FieldError::new(
                        "customer_id",
                        "the lead has no e-mail to make a customer from: name an existing customer",
                    )]
                    .into());
                };
                let customer = Customer {
                    phone: before.phone.clone(),
                    company: before.company.clone(),
                    converted_from_leads: vec![id],
                    ..Customer::first_seen(caller.workspace_id, email, Some(before.name.clone()), now)
                };
                (None, customer)
            }
        };
        let after = Lead {
            status: statuses.converted().key.clone(),
            customer_id: Some(customer_after.id),
            converted_at: Some(now),
            updated_at: now,
            version: before.version + 1,
            ..before.clone()
        };
        let deal = match &request.deal {
            Some(deal) => Some(super::deals::for_conversion(app, caller, &before, customer_after.id, deal, now).await?),
            None => None,
        };
        let converted = event(EventKind::LeadConverted, caller, id, now)
            .with_change(
                Some(json!({"status": before.status})),
                Some(json!({
                    "status": after.status, "customer_id": customer_after.id, "customer_created": customer_before.is_none(),
                    "name": before.name, "source": before.source, "owner_id": before.owner_id,
                    "deal_id": deal.as_ref().map(|deal| deal.view.id),
                })),
            )
            .about_customer(customer_after.id);
        let customer = match &customer_before {
            Some(customer_before) => ConversionCustomer::Existing { before: customer_before, after: &customer_after },
            None => ConversionCustomer::New(&customer_after),
        };
        // A deal opened on conversion joins this transaction: the deal, its board counters and its event.
        let (also, deal) = match deal {
            Some(deal) => (deal.actions, Some(deal.view)),
            None => (Vec::new(), None),
        };
        match app.store.convert_lead(&scope, &before, &after, customer, &converted, also).await {
            Ok(()) => {
                return Ok(ConversionView {
                    lead: (&after).into(),
                    customer: CustomerView::from(&customer_after),
                    customer_created: customer_before.is_none(),
                    deal,
                });
            }
            Err(LeadWriteError::CustomerEmailTaken | LeadWriteError::CustomerChanged) if tries < CONVERT_TRIES => {}
            Err(err) => return Err(write_error(err)),
        }
    }
}

/// The customer a conversion goes to, if one exists: the one named, or the one with the lead's e-mail.
async fn find_customer(
    app: &App,
    scope: &TenantScope,
    lead: &Lead,
    named: Option<CustomerId>,
) -> ServiceResult<Option<Customer>> {
    let id = match named {
        Some(id) => Some(id),
        None => match &lead.email {
            Some(email) => app.store.customer_id_by_email(scope, email).await?,
            None => None,
        },
    };
    let Some(id) = id else { return Ok(None) };
    match super::customers::resolve_merged(app, scope, id).await? {
        Some(customer) => Ok(Some(customer)),
        None if named.is_some() => Err(ServiceError::NotFound("The customer")),
        None => Ok(None),
    }
}
