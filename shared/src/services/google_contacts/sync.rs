//! One sync run of a connection, and the scheduled sweep over every connection.
//!
//! A run lists the member's contacts (a full listing without a sync token, the changes since it with
//! one), page by page, and lands each contact on its record through the customer and lead services as
//! the member (their events, validation and permissions apply). Progress is stored after every page, so
//! a run cut short (quota, timeout, a crash) goes on from the page it reached.

use std::collections::HashSet;
use std::time::Duration;

use futures::StreamExt;
use jiff::ToSpan;

use super::google::{ContactUpdate, Google, GoogleError, Person};
use super::{access_token, config, target_permission};
use crate::api::{CreateCustomerRequest, CreateLeadRequest, UpdateCustomerRequest, UpdateLeadRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::email::Email;
use crate::domain::ids::{CustomerId, LeadId, UserId, WorkspaceId};
use crate::domain::user::UserStatus;
use crate::services::envelope::KeyVault;
use crate::services::{ServiceError, ServiceResult, customers, leads};
use crate::storage::TenantScope;
use crate::storage::google_contacts::{
    ContactLink, DeletionPolicy, GoogleConnection, LinkedKind, SyncCounts, SyncTarget,
};
use crate::storage::keys;

/// Waits on Google's 429 within one run before it stops and leaves the rest for later.
const RATE_LIMIT_WAITS: u32 = 3;
/// The longest one wait within a run; a longer Retry-After ends the run and sets `resume_after`.
const MAX_WAIT: Duration = Duration::from_secs(8);
/// When Google sends no Retry-After, the run waits 1 s, 2 s, 4 s…; once those are spent, this long.
const DEFAULT_RESUME: Duration = Duration::from_secs(60);
/// Pages one run reads at most (200 contacts each); the next run goes on from there.
const MAX_PAGES_PER_RUN: usize = 50;
/// Connections the sweep syncs at the same time.
const SWEEP_CONCURRENCY: usize = 4;
/// Connections read per index page.
const INDEX_PAGE: usize = 100;
/// How long a run holds its connection at most (a run that crashed lets go after this).
const LEASE_SECS: i64 = 15 * 60;
/// How long "sync now" waits for a run already under way (the schedule's) before answering.
const LEASE_WAIT: Duration = Duration::from_secs(25);
/// Customers read per page by the export's walk, and contacts it makes per run at most (Google's write
/// quota is per minute; the next run goes on).
const EXPORT_PAGE: usize = 100;
const MAX_CREATES_PER_RUN: usize = 200;
/// How old a customer must be before the export's walk moves its mark past it.
const EXPORT_SETTLE_SECS: i64 = 60;
/// The attribute an archived record carries once its contact was deleted in Google.
pub const ARCHIVED_ATTRIBUTE: &str = "google_contact";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Trigger {
    Scheduled,
    OnDemand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applied {
    Imported,
    Updated,
    Deleted,
    Skipped,
    Unchanged,
    /// The plan's new leads for the month are used up: the run stops before this contact.
    LimitReached(u64),
}

impl SyncCounts {
    fn count(&mut self, applied: Applied) {
        match applied {
            Applied::Imported => self.imported += 1,
            Applied::Updated => self.updated += 1,
            Applied::Deleted => self.deleted += 1,
            Applied::Skipped => self.skipped += 1,
            Applied::Unchanged | Applied::LimitReached(_) => {}
        }
    }
}

/// What the scheduled sweep did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SweepReport {
    pub connections: usize,
    /// Runs that ended with an error recorded on their connection (quota, revoked grants included).
    pub stopped_short: usize,
    /// Connections that could not be synced at all (the table or the key service failed).
    pub failed: usize,
}

/// The scheduled sync: every connection on the sharded index, a few at a time.
pub async fn sync_all(app: &App, vault: &dyn KeyVault) -> ServiceResult<SweepReport> {
    let mut report = SweepReport::default();
    for shard in 0..keys::GOOGLE_CONNECTION_SHARDS {
        let mut start = None;
        loop {
            let (entries, next) = app.store.google_connections_page(shard, start, INDEX_PAGE).await?;
            let results: Vec<ServiceResult<bool>> = futures::stream::iter(entries)
                .map(|(workspace, user)| sync_one(app, vault, workspace, user))
                .buffer_unordered(SWEEP_CONCURRENCY)
                .collect()
                .await;
            for result in results {
                report.connections += 1;
                match result {
                    Ok(true) => {}
                    Ok(false) => report.stopped_short += 1,
                    Err(err) => {
                        tracing::error!(error = %err, "a Google Contacts sync failed");
                        report.failed += 1;
                    }
                }
            }
            match next {
                Some(next) => start = Some(next),
                None => break,
            }
        }
    }
    Ok(report)
}

/// Syncs one connection found on the index; true when the run recorded no error.
async fn sync_one(app: &App, vault: &dyn KeyVault, workspace: WorkspaceId, user: UserId) -> ServiceResult<bool> {
    let scope = TenantScope::for_system(workspace);
    let Some(connection) = app.store.get_google_connection(&scope, user).await? else {
        return Ok(true);
    };
    let after = sync_connection(app, vault, &scope, connection, Trigger::Scheduled).await?;
    Ok(after.is_none_or(|after| after.state.last_error.is_none()))
}

/// Writes the connection on the version it was read at; when a settings change or a token refresh
/// came between, keeps their settings and writes again. None: disconnected meanwhile.
async fn save(
    app: &App,
    scope: &TenantScope,
    mut connection: GoogleConnection,
) -> ServiceResult<Option<GoogleConnection>> {
    for _ in 0..3 {
        let read = connection.version;
        let next = GoogleConnection { version: read + 1, ..connection.clone() };
        if app.store.put_google_connection(scope, &next, Some(read)).await? {
            return Ok(Some(next));
        }
        let Some(current) = app.store.get_google_connection(scope, connection.user_id).await? else {
            return Ok(None);
        };
        if current.connected_at != connection.connected_at {
            // Connected again meanwhile: that grant's own first sync takes over.
            return Ok(Some(current));
        }
        connection = GoogleConnection {
            target: current.target,
            deletion: current.deletion,
            two_way: current.two_way,
            version: current.version,
            ..connection
        };
    }
    Err(ServiceError::VersionConflict { what: "The Google connection", current: None })
}

/// The member the run acts as, with their role now; None (and why) when they may no longer sync.
async fn acting_member(
    app: &App,
    scope: &TenantScope,
    connection: &GoogleConnection,
) -> ServiceResult<Result<MemberPrincipal, String>> {
    let member = app.store.get_member(scope, connection.user_id).await?;
    let Some(member) = member.filter(|member| member.status == UserStatus::Active) else {
        return Ok(Err("the member who connected is no longer active in the workspace".to_owned()));
    };
    let principal = MemberPrincipal::new(scope.workspace_id(), connection.user_id, member.role);
    let permission = target_permission(connection.target);
    if !principal.can(permission) {
        return Ok(Err(format!("the member's role no longer has {}", permission.as_str())));
    }
    Ok(Ok(principal))
}

/// One run. Returns the connection as stored after it (None when it was disconnected meanwhile).
pub(super) async fn sync_connection(
    app: &App,
    vault: &dyn KeyVault,
    scope: &TenantScope,
    connection: GoogleConnection,
    trigger: Trigger,
) -> ServiceResult<Option<GoogleConnection>> {
    let config = config(app)?;
    let google = Google::new(config);
    let Some(held) = hold(app, scope, connection, trigger).await? else {
        return Ok(None);
    };
    let (mut connection, held) = held;
    let started = app.clock.now();
    let resting = connection.state.resume_after.is_some_and(|resume| resume > started)
        || (trigger == Trigger::Scheduled && connection.state.needs_reconnect);
    if !held {
        return Ok(Some(connection));
    }
    if resting {
        connection.running_until = None;
        return save(app, scope, connection).await;
    }
    connection.state.last_sync_at = Some(started);
    connection.state.last_run = SyncCounts::default();
    connection.state.resume_after = None;
    let member = match acting_member(app, scope, &connection).await? {
        Ok(member) => member,
        Err(reason) => {
            connection.state.last_error = Some(reason);
            connection.running_until = None;
            return save(app, scope, connection).await;
        }
    };
    let (mut force_refresh, mut refreshed, mut restarted, mut waits, mut pages) = (false, false, false, 0u32, 0usize);
    let mut listing_counted = false;
    let outcome: Result<(), String> = loop {
        if connection.sync_token.is_none() && connection.page_token.is_none() && !listing_counted {
            connection.state.full_syncs += 1;
            listing_counted = true;
        }
        let force = std::mem::take(&mut force_refresh);
        let page = match access_token(app, vault, config, scope, &mut connection, force).await {
            Ok(token) => {
                google.connections(&token, connection.sync_token.as_deref(), connection.page_token.as_deref()).await
            }
            Err(err) => Err(err),
        };
        match page {
            Ok(page) => {
                let mut counts = SyncCounts::default();
                let mut limit_reached = None;
                for person in &page.connections {
                    match apply(app, &member, &connection, person).await? {
                        Applied::LimitReached(limit) => {
                            limit_reached = Some(limit);
                            break;
                        }
                        applied => counts.count(applied),
                    }
                }
                connection.state.last_run.add(counts);
                connection.state.totals.add(counts);
                if let Some(limit) = limit_reached {
                    // The page is read again by the next run (its contacts landed so far are unchanged
                    // then), so the contacts past the limit are imported once there is room.
                    break Err(format!(
                        "the plan's {limit} new leads this month are used up; the import goes on when there is room \
                         (next month, or on a larger plan)"
                    ));
                }
                pages += 1;
                match page.next_page_token {
                    Some(next) => connection.page_token = Some(next),
                    None => {
                        connection.page_token = None;
                        connection.sync_token = page.next_sync_token;
                        break Ok(());
                    }
                }
                connection = match save(app, scope, connection).await? {
                    Some(saved) => saved,
                    None => return Ok(None),
                };
                if pages >= MAX_PAGES_PER_RUN {
                    break Ok(());
                }
            }
            Err(GoogleError::ExpiredSyncToken) if !restarted => {
                // Google keeps sync tokens for a while only: list everything again; the mapping and the
                // e-mail match keep the new listing from duplicating anything.
                tracing::info!(member = %connection.user_id, "Google sync token expired; full resync");
                (connection.sync_token, connection.page_token, restarted, listing_counted) = (None, None, true, false);
            }
            Err(GoogleError::Unauthorized) if !refreshed => (force_refresh, refreshed) = (true, true),
            Err(GoogleError::RateLimited { retry_after }) if waits < RATE_LIMIT_WAITS => {
                waits += 1;
                let wait = retry_after.unwrap_or(Duration::from_secs(1 << (waits - 1)));
                if wait > MAX_WAIT {
                    connection.state.resume_after = Some(started + (wait.as_secs() as i64).seconds());
                    break Err(format!("Google's quota is exhausted; the sync goes on after {} s", wait.as_secs()));
                }
                tokio::time::sleep(wait).await;
            }
            Err(GoogleError::RateLimited { retry_after }) => {
                let wait = retry_after.unwrap_or(DEFAULT_RESUME);
                connection.state.resume_after = Some(app.clock.now() + (wait.as_secs() as i64).seconds());
                break Err(format!("Google's quota is exhausted; the sync goes on after {} s", wait.as_secs()));
            }
            Err(GoogleError::Refused(reason)) => {
                connection.state.needs_reconnect = true;
                break Err(format!("Google refused the stored grant ({reason}): connect again"));
            }
            Err(err) => break Err(err.to_string()),
        }
    };
    // Two-way: once the import is through (Google's changes applied first, so Google wins a conflict),
    // customers changed here since they were last synced are written back.
    let outcome = match outcome {
        Ok(()) if connection.two_way && connection.page_token.is_none() => {
            export(app, vault, config, &member, &mut connection).await?
        }
        other => other,
    };
    match outcome {
        Ok(()) => {
            connection.state.last_error = None;
            connection.state.needs_reconnect = false;
            connection.state.last_success_at = Some(app.clock.now());
        }
        Err(reason) => {
            tracing::warn!(member = %connection.user_id, reason, "Google Contacts sync stopped short");
            connection.state.last_error = Some(reason);
        }
    }
    connection.running_until = None;
    save(app, scope, connection).await
}

/// The two-way export, once the import is through (Google's changes applied first):
/// 1. linked customers whose version moved since their last sync are written back, each conditional on
///    the contact's etag. A contact changed in Google meanwhile (stale etag) is read again and applied
///    as the import would: Google wins the conflict, and the contact's new etag is kept;
/// 2. customers with no contact of this member's are made contacts (`createContact`), walking the
///    customers in creation order from where the last run stopped (`export_after`).
///
/// A crash between a write and its link is healed by the next import: the contact comes back in the
/// listing and is linked to its customer by e-mail, so nothing is made twice.
async fn export(
    app: &App,
    vault: &dyn KeyVault,
    config: &crate::config::GoogleConfig,
    member: &MemberPrincipal,
    connection: &mut GoogleConnection,
) -> ServiceResult<Result<(), String>> {
    let scope = member.scope();
    let google = Google::new(config);
    let links = app.store.contact_links(&scope, connection.user_id).await?;
    let mut linked: HashSet<String> = links.iter().map(|link| link.record_id.clone()).collect();
    for link in links.into_iter().filter(|link| link.kind == LinkedKind::Customer) {
        let Ok(id) = link.record_id.parse::<CustomerId>() else { continue };
        let Some(customer) = skip_missing(customers::get(app, member, id).await)? else { continue };
        if customer.version <= link.record_version {
            continue;
        }
        let token = match access_token(app, vault, config, &scope, connection, false).await {
            Ok(token) => token,
            Err(err) => return Ok(Err(err.to_string())),
        };
        let update = ContactUpdate {
            name: customer.name.as_deref(),
            phone: customer.phone.as_deref(),
            company: customer.company.as_deref(),
        };
        match google.update_contact(&token, &link.resource_name, &link.etag, &update).await {
            Ok(etag) => {
                let synced = ContactLink { etag, record_version: customer.version, ..link };
                app.store.put_contact_link(&scope, connection.user_id, &synced).await?;
                connection.state.last_run.exported += 1;
                connection.state.totals.exported += 1;
            }
            Err(GoogleError::StaleEtag) => match google.get_contact(&token, &link.resource_name).await {
                Ok(Some(person)) => {
                    apply(app, member, connection, &person).await?;
                    connection.state.last_run.conflicts += 1;
                    connection.state.totals.conflicts += 1;
                }
                // Deleted in Google meanwhile: the next listing brings the deletion and its policy.
                Ok(None) => {}
                Err(err) => return Ok(Err(export_stopped(app, connection, err))),
            },
            Err(err) => return Ok(Err(export_stopped(app, connection, err))),
        }
    }
    // New contacts for the customers this member's Google account does not have yet.
    let settled_before = app.clock.now() - EXPORT_SETTLE_SECS.seconds();
    let (mut created, mut cursor_moves) = (0usize, true);
    let mut after = connection.export_after;
    loop {
        let (page, more) = app.store.customers_after(&scope, after, EXPORT_PAGE).await?;
        for customer in &page {
            after = Some(customer.id);
            if customer.merged_into.is_none() && !linked.contains(&customer.id.to_string()) {
                if created >= MAX_CREATES_PER_RUN {
                    return Ok(Ok(()));
                }
                let token = match access_token(app, vault, config, &scope, connection, false).await {
                    Ok(token) => token,
                    Err(err) => return Ok(Err(err.to_string())),
                };
                let fields = ContactUpdate {
                    name: customer.name.as_deref(),
                    phone: customer.phone.as_deref(),
                    company: customer.company.as_deref(),
                };
                let contact = match google.create_contact(&token, customer.email.as_str(), &fields).await {
                    Ok(contact) => contact,
                    Err(err) => return Ok(Err(export_stopped(app, connection, err))),
                };
                let link = ContactLink {
                    resource_name: contact.resource_name,
                    kind: LinkedKind::Customer,
                    record_id: customer.id.to_string(),
                    etag: contact.etag,
                    record_version: customer.version,
                };
                app.store.put_contact_link(&scope, connection.user_id, &link).await?;
                linked.insert(link.record_id);
                created += 1;
                connection.state.last_run.exported += 1;
                connection.state.totals.exported += 1;
            }
            // The walk's mark trails the present: a customer whose id was drawn a moment ago may still
            // be committing behind one already seen, and must not be passed over for good.
            cursor_moves &= customer.created_at < settled_before;
            if cursor_moves {
                connection.export_after = Some(customer.id);
            }
        }
        if !more || page.is_empty() {
            return Ok(Ok(()));
        }
    }
}

/// Why the export stopped, recorded; a quota answer also rests the connection for a minute.
fn export_stopped(app: &App, connection: &mut GoogleConnection, err: GoogleError) -> String {
    if let GoogleError::RateLimited { retry_after } = &err {
        let wait = retry_after.unwrap_or(DEFAULT_RESUME);
        connection.state.resume_after = Some(app.clock.now() + (wait.as_secs() as i64).seconds());
    }
    format!("writing to Google stopped: {err}")
}

/// Takes the connection for one run: `(connection, true)` once held; `(connection, false)` when another
/// run holds it (the schedule skips it; "sync now" waits for that run, then answers what it did).
/// None: disconnected meanwhile.
async fn hold(
    app: &App,
    scope: &TenantScope,
    mut connection: GoogleConnection,
    trigger: Trigger,
) -> ServiceResult<Option<(GoogleConnection, bool)>> {
    let deadline = tokio::time::Instant::now() + LEASE_WAIT;
    let mut waited = false;
    loop {
        let now = app.clock.now();
        if connection.running_until.is_some_and(|until| until > now) {
            if trigger == Trigger::Scheduled || tokio::time::Instant::now() >= deadline {
                return Ok(Some((connection, false)));
            }
            waited = true;
            tokio::time::sleep(Duration::from_millis(250)).await;
        } else if waited {
            // The other run ended: what it did is the answer.
            return Ok(Some((connection, false)));
        } else {
            let read = connection.version;
            let held = GoogleConnection {
                running_until: Some(now + LEASE_SECS.seconds()),
                version: read + 1,
                ..connection.clone()
            };
            if app.store.put_google_connection(scope, &held, Some(read)).await? {
                return Ok(Some((held, true)));
            }
        }
        match app.store.get_google_connection(scope, connection.user_id).await? {
            Some(current) => connection = current,
            None => return Ok(None),
        }
    }
}

/// What Google's contact says, as record fields.
struct Fields {
    email: Option<String>,
    name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    title: Option<String>,
}

impl Fields {
    fn of(person: &Person) -> Self {
        let email = person.email().filter(|email| Email::parse(email).is_ok());
        Self { email, name: person.name(), phone: person.phone(), company: person.company(), title: person.title() }
    }
}

/// A value Google has that the record does not hold: the import overwrites with it (Google wins on
/// the fields it supplies), and never clears a field Google leaves empty.
fn changed(google: &Option<String>, ours: &Option<String>) -> Option<Option<String>> {
    match google {
        Some(value) if ours.as_deref() != Some(value) => Some(Some(value.clone())),
        _ => None,
    }
}

/// A record refused for what it holds (a field the record's rules refuse, another member's lead) is
/// skipped and counted; anything else stops the run.
fn skip_refusals<T>(result: ServiceResult<T>) -> ServiceResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(
            ServiceError::Validation(_)
            | ServiceError::Forbidden(_)
            | ServiceError::EmailTaken
            | ServiceError::DuplicateLead { .. },
        ) => Ok(None),
        Err(err) => Err(err),
    }
}

async fn apply(
    app: &App,
    member: &MemberPrincipal,
    connection: &GoogleConnection,
    person: &Person,
) -> ServiceResult<Applied> {
    let scope = member.scope();
    let user = connection.user_id;
    let link = app.store.get_contact_link(&scope, user, &person.resource_name).await?;
    if person.metadata.deleted {
        let Some(link) = link else {
            return Ok(Applied::Unchanged);
        };
        match (connection.deletion, link.kind) {
            (DeletionPolicy::Ignore, _) => {}
            (DeletionPolicy::Delete, LinkedKind::Lead) => {
                if let Ok(id) = link.record_id.parse::<LeadId>() {
                    match leads::delete(app, member, id).await {
                        Ok(()) | Err(ServiceError::NotFound(_)) => {}
                        Err(err) => return skip_refusals::<()>(Err(err)).map(|_| Applied::Skipped),
                    }
                }
            }
            (DeletionPolicy::Archive | DeletionPolicy::Delete, _) => archive(app, member, &link).await?,
        }
        app.store.delete_contact_link(&scope, user, &person.resource_name).await?;
        return Ok(Applied::Deleted);
    }
    if link.as_ref().is_some_and(|link| !person.etag.is_empty() && link.etag == person.etag) {
        return Ok(Applied::Unchanged);
    }
    let fields = Fields::of(person);
    let kind = match (&link, connection.target) {
        (Some(link), _) => link.kind,
        (None, SyncTarget::Customers) => LinkedKind::Customer,
        (None, SyncTarget::Leads) => LinkedKind::Lead,
    };
    let landed = match kind {
        LinkedKind::Customer => land_customer(app, member, link.as_ref(), &fields).await?,
        LinkedKind::Lead => land_lead(app, member, link.as_ref(), &fields).await?,
    };
    let Some((applied, record_id, record_version)) = landed else {
        return Ok(Applied::Skipped);
    };
    if let Applied::LimitReached(_) = applied {
        return Ok(applied);
    }
    let link = ContactLink {
        resource_name: person.resource_name.clone(),
        kind,
        record_id,
        etag: person.etag.clone(),
        record_version,
    };
    app.store.put_contact_link(&scope, user, &link).await?;
    Ok(applied)
}

async fn land_customer(
    app: &App,
    member: &MemberPrincipal,
    link: Option<&ContactLink>,
    fields: &Fields,
) -> ServiceResult<Option<(Applied, String, u64)>> {
    let scope = member.scope();
    let mut existing = None;
    if let Some(id) = link.and_then(|link| link.record_id.parse::<CustomerId>().ok()) {
        existing = skip_missing(customers::get(app, member, id).await)?;
    }
    if existing.is_none()
        && let Some(email) = fields.email.as_deref().and_then(|email| Email::parse(email).ok())
        && let Some(id) = app.store.customer_id_by_email(&scope, &email).await?
    {
        existing = skip_missing(customers::get(app, member, id).await)?;
    }
    let Some(customer) = existing else {
        let Some(email) = fields.email.clone() else {
            return Ok(None);
        };
        let request = CreateCustomerRequest {
            email,
            name: fields.name.clone(),
            phone: fields.phone.clone(),
            company: fields.company.clone(),
            ..CreateCustomerRequest::default()
        };
        let created = skip_refusals(customers::create(app, member, request).await)?;
        return Ok(created.map(|customer| (Applied::Imported, customer.id.to_string(), customer.version)));
    };
    let request = UpdateCustomerRequest {
        name: changed(&fields.name, &customer.name),
        phone: changed(&fields.phone, &customer.phone),
        // A customer linked to a company shows that company's name; Google's text does not replace it.
        company: if customer.company_id.is_some() { None } else { changed(&fields.company, &customer.company) },
        version: Some(customer.version),
        ..UpdateCustomerRequest::default()
    };
    if request.name.is_none() && request.phone.is_none() && request.company.is_none() {
        let applied = if link.is_some() { Applied::Unchanged } else { Applied::Updated };
        return Ok(Some((applied, customer.id.to_string(), customer.version)));
    }
    let updated = skip_refusals(customers::update(app, member, customer.id, request).await)?;
    Ok(updated.map(|customer| (Applied::Updated, customer.id.to_string(), customer.version)))
}

async fn land_lead(
    app: &App,
    member: &MemberPrincipal,
    link: Option<&ContactLink>,
    fields: &Fields,
) -> ServiceResult<Option<(Applied, String, u64)>> {
    let scope = member.scope();
    let mut existing = None;
    if let Some(id) = link.and_then(|link| link.record_id.parse::<LeadId>().ok()) {
        existing = skip_missing(leads::get(app, member, id).await)?;
    }
    if existing.is_none()
        && let Some(email) = fields.email.as_deref().and_then(|email| Email::parse(email).ok())
        && let Some(id) = app.store.lead_id_by_email(&scope, &email).await?
    {
        existing = skip_missing(leads::get(app, member, id).await)?;
    }
    let Some(lead) = existing else {
        let Some(name) = fields.name.clone().or_else(|| fields.email.clone()) else {
            return Ok(None);
        };
        let request = CreateLeadRequest {
            name,
            email: fields.email.clone(),
            phone: fields.phone.clone(),
            company: fields.company.clone(),
            title: fields.title.clone(),
            source: Some("import".to_owned()),
            ..CreateLeadRequest::default()
        };
        let created = match leads::create(app, member, request, leads::OnDuplicate::Merge).await {
            Err(ServiceError::PlanLimit(exceeded)) => {
                return Ok(Some((Applied::LimitReached(exceeded.limit), String::new(), 0)));
            }
            other => skip_refusals(other)?,
        };
        return Ok(created.map(|created| {
            let applied = if created.new { Applied::Imported } else { Applied::Updated };
            (applied, created.lead.id.to_string(), created.lead.version)
        }));
    };
    let request = UpdateLeadRequest {
        name: fields.name.clone().filter(|name| *name != lead.name),
        phone: changed(&fields.phone, &lead.phone),
        company: changed(&fields.company, &lead.company),
        title: changed(&fields.title, &lead.title),
        version: Some(lead.version),
        ..UpdateLeadRequest::default()
    };
    if request.name.is_none() && request.phone.is_none() && request.company.is_none() && request.title.is_none() {
        let applied = if link.is_some() { Applied::Unchanged } else { Applied::Updated };
        return Ok(Some((applied, lead.id.to_string(), lead.version)));
    }
    let updated = skip_refusals(leads::update(app, member, lead.id, request).await)?;
    Ok(updated.map(|lead| (Applied::Updated, lead.id.to_string(), lead.version)))
}

/// A record deleted (or merged away) in Switchboard since it was linked: as if there were none.
fn skip_missing<T>(result: ServiceResult<T>) -> ServiceResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ServiceError::NotFound(_)) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Marks the record the deleted contact landed as (`google_contact` = `deleted`); it stays.
async fn archive(app: &App, member: &MemberPrincipal, link: &ContactLink) -> ServiceResult<()> {
    match link.kind {
        LinkedKind::Customer => {
            let Ok(id) = link.record_id.parse::<CustomerId>() else { return Ok(()) };
            let Some(customer) = skip_missing(customers::get(app, member, id).await)? else { return Ok(()) };
            let mut attributes = customer.attributes.clone();
            attributes.insert(ARCHIVED_ATTRIBUTE.to_owned(), "deleted".to_owned());
            let request = UpdateCustomerRequest {
                attributes: Some(attributes),
                version: Some(customer.version),
                ..Default::default()
            };
            skip_refusals(customers::update(app, member, id, request).await)?;
        }
        LinkedKind::Lead => {
            let Ok(id) = link.record_id.parse::<LeadId>() else { return Ok(()) };
            let Some(lead) = skip_missing(leads::get(app, member, id).await)? else { return Ok(()) };
            let mut attributes = lead.attributes.clone();
            attributes.insert(ARCHIVED_ATTRIBUTE.to_owned(), "deleted".to_owned());
            let request =
                UpdateLeadRequest { attributes: Some(attributes), version: Some(lead.version), ..Default::default() };
            skip_refusals(leads::update(app, member, id, request).await)?;
        }
    }
    Ok(())
}
