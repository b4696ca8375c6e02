//! Lead capture: admins make endpoints (Typeform, Zapier, generic JSON) with a secret and a field
//! mapping; senders post deliveries to the public inbound route, which checks the signature or secret,
//! maps the payload to a lead, and creates it, or updates or notes the lead that has its e-mail. Each
//! delivery is logged; the same delivery id twice makes one lead. Zapier's REST hooks subscribe
//! outgoing webhooks to lead events.
//!
//! Who may do what: `integrations:manage` (admins and owners) manages endpoints and reads their logs;
//! the inbound route is public and trusts only the endpoint's signature, its secret, or (Zapier) an
//! API key of the same workspace with `sales:write`.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::commands::leads::NewLead;
use super::{ServiceError, ServiceResult};
use crate::api::{
    CaptureDeliveryList, CaptureDeliveryView, CaptureEndpointList, CaptureEndpointView, CaptureEndpointWithSecretView,
    CaptureResult, CreateCaptureEndpointRequest, CreateLeadRequest, RestHookSubscribeRequest, RestHookView,
    TestMappingRequest, TestMappingResult, UpdateCaptureEndpointRequest, integrations::CreateWebhookRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::ids::{CaptureDeliveryId, CaptureEndpointId, LeadId, NoteId, WebhookId};
use crate::domain::lead_capture::{
    self as capture, CaptureKind, Captured, LeadField, Mapping, OnExistingLead, delivery_key, logged_payload,
};
use crate::domain::plan::{LimitExceeded, LimitKind};
use crate::domain::rbac::Permission;
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{FieldError, Gather, field};
use crate::storage::lead_capture::{
    CaptureDelivery, CaptureEffect, CaptureEndpoint, CaptureWriteError, DeliveryOutcome,
};
use crate::storage::leads::{Lead, Note};
use crate::storage::{PageParams, TenantScope, events::Event};

const WHAT: &str = "The lead-capture endpoint";
const MAX_NAME_CHARS: usize = 100;

fn check_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be 1 to {MAX_NAME_CHARS} characters"));
    }
    check_controls(name, TextKind::Line).map(|()| name.to_owned())
}

fn endpoint_event(kind: EventKind, caller: &MemberPrincipal, endpoint: &CaptureEndpoint, now: Timestamp) -> Event {
    Event::new(kind, Some(caller.user_id), format!("lead_capture/{}", endpoint.id), now)
}

/// What the audit trail keeps of an endpoint: never its secret.
fn snapshot(endpoint: &CaptureEndpoint) -> Value {
    json!({
        "name": endpoint.name, "kind": endpoint.kind, "mapping": endpoint.mapping,
        "on_existing_lead": endpoint.on_existing_lead, "enabled": endpoint.enabled,
    })
}

async fn load(app: &App, scope: &TenantScope, id: CaptureEndpointId) -> ServiceResult<CaptureEndpoint> {
    app.store.get_capture_endpoint(scope, id).await?.ok_or(ServiceError::NotFound(WHAT))
}

fn write_error(err: CaptureWriteError) -> ServiceError {
    match err {
        CaptureWriteError::EndpointChanged => ServiceError::VersionConflict { what: WHAT, current: None },
        CaptureWriteError::Store(err) => err.into(),
        other => ServiceError::Conflict(format!("The endpoint could not be written: {other:?}")),
    }
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreateCaptureEndpointRequest,
) -> ServiceResult<CaptureEndpointWithSecretView> {
    let kind = CaptureKind::parse(&request.kind).map_err(|message| vec![FieldError::new("kind", message)])?;
    let (name, on_existing_lead, mapping) = (
        field("name", check_name(&request.name)),
        field(
            "on_existing_lead",
            request.on_existing_lead.as_deref().map_or(Ok(OnExistingLead::default()), OnExistingLead::parse),
        ),
        Mapping::parse(kind, &request.mapping),
    )
        .gather()?;
    let scope = caller.scope();
    let (_, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let limit = plan.limits.lead_capture_endpoints;
    let now = app.clock.now();
    let endpoint = CaptureEndpoint {
        id: CaptureEndpointId::generate(),
        name,
        kind,
        mapping: mapping.to_raw(),
        on_existing_lead,
        secret: capture::generate_secret(),
        enabled: true,
        created_at: now,
        updated_at: now,
        created_by: Some(caller.user_id),
        secret_rotated_at: None,
        version: 1,
    };
    let event = endpoint_event(EventKind::LeadCaptureEndpointCreated, caller, &endpoint, now)
        .with_change(None, Some(snapshot(&endpoint)));
    match app.store.create_capture_endpoint(&scope, &endpoint, limit, &event).await {
        Ok(()) => Ok(CaptureEndpointWithSecretView { endpoint: (&endpoint).into(), secret: endpoint.secret.clone() }),
        Err(CaptureWriteError::EndpointLimit { used }) => Err(ServiceError::PlanLimit(LimitExceeded {
            kind: LimitKind::LeadCaptureEndpoints,
            limit: limit.unwrap_or(u64::MAX),
            used,
            plan: plan.id.clone(),
        })),
        Err(err) => Err(write_error(err)),
    }
}

pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<CaptureEndpointList> {
    let mut endpoints = app.store.list_capture_endpoints(&caller.scope()).await?;
    endpoints.sort_by_key(|endpoint| endpoint.created_at);
    Ok(CaptureEndpointList { items: endpoints.iter().map(CaptureEndpointView::from).collect() })
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: CaptureEndpointId) -> ServiceResult<CaptureEndpointView> {
    Ok((&load(app, &caller.scope(), id).await?).into())
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: CaptureEndpointId,
    request: UpdateCaptureEndpointRequest,
) -> ServiceResult<CaptureEndpointView> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    if let Some(version) = request.version
        && version != before.version
    {
        let current = serde_json::to_value(CaptureEndpointView::from(&before)).unwrap_or_default();
        return Err(ServiceError::VersionConflict { what: WHAT, current: Some(current) });
    }
    let (name, on_existing_lead, mapping) = (
        field("name", request.name.as_deref().map_or(Ok(before.name.clone()), check_name)),
        field(
            "on_existing_lead",
            request.on_existing_lead.as_deref().map_or(Ok(before.on_existing_lead), OnExistingLead::parse),
        ),
        match &request.mapping {
            Some(raw) => Mapping::parse(before.kind, raw).map(|mapping| mapping.to_raw()),
            None => Ok(before.mapping.clone()),
        },
    )
        .gather()?;
    let after = CaptureEndpoint {
        name,
        on_existing_lead,
        mapping,
        enabled: request.enabled.unwrap_or(before.enabled),
        ..before.clone()
    };
    if after == before {
        return Ok((&before).into());
    }
    let now = app.clock.now();
    let after = CaptureEndpoint { updated_at: now, version: before.version + 1, ..after };
    let event = endpoint_event(EventKind::LeadCaptureEndpointUpdated, caller, &after, now)
        .with_change(Some(snapshot(&before)), Some(snapshot(&after)));
    app.store.update_capture_endpoint(&scope, before.version, &after, &event).await.map_err(write_error)?;
    Ok((&after).into())
}

/// A new secret, shown once; the previous one stops working at once (Typeform holds one secret per
/// webhook, so there is no overlap to offer: paste the new one right away).
pub async fn rotate_secret(
    app: &App,
    caller: &MemberPrincipal,
    id: CaptureEndpointId,
) -> ServiceResult<CaptureEndpointWithSecretView> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    let now = app.clock.now();
    let after = CaptureEndpoint {
        secret: capture::generate_secret(),
        secret_rotated_at: Some(now),
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    let event = endpoint_event(EventKind::LeadCaptureEndpointUpdated, caller, &after, now).with_change(
        Some(json!({"secret_rotated_at": before.secret_rotated_at})),
        Some(json!({"secret_rotated_at": now})),
    );
    app.store.update_capture_endpoint(&scope, before.version, &after, &event).await.map_err(write_error)?;
    Ok(CaptureEndpointWithSecretView { endpoint: (&after).into(), secret: after.secret.clone() })
}

pub async fn delete(app: &App, caller: &MemberPrincipal, id: CaptureEndpointId) -> ServiceResult<()> {
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    let event = endpoint_event(EventKind::LeadCaptureEndpointDeleted, caller, &before, app.clock.now())
        .with_change(Some(snapshot(&before)), None);
    app.store.delete_capture_endpoint(&scope, id, before.version, &event).await.map_err(write_error)
}

pub async fn deliveries(
    app: &App,
    caller: &MemberPrincipal,
    id: CaptureEndpointId,
    page: PageParams,
) -> ServiceResult<CaptureDeliveryList> {
    let scope = caller.scope();
    load(app, &scope, id).await?;
    let page = app.store.list_capture_deliveries(&scope, id, page.limit, page.cursor.as_deref()).await?;
    Ok(CaptureDeliveryList {
        items: page.items.iter().map(CaptureDeliveryView::from).collect(),
        next_cursor: page.next_cursor,
    })
}

/// The lead a captured payload would make, as a create request (so it is checked by the same rules as
/// `POST /api/v1/leads`).
fn lead_request(kind: CaptureKind, captured: &Captured) -> CreateLeadRequest {
    let get = |field: LeadField| captured.get(&field).map(str::to_owned);
    let attributes = captured.attributes();
    CreateLeadRequest {
        name: captured.name().unwrap_or_default(),
        email: get(LeadField::Email),
        phone: get(LeadField::Phone),
        company: get(LeadField::Company),
        title: get(LeadField::Title),
        source: Some(kind.lead_source().as_str().to_owned()),
        status: None,
        owner_id: None,
        tags: None,
        attributes: (!attributes.is_empty()).then_some(attributes),
        score: None,
    }
}

fn problems_of(errors: &[FieldError]) -> Vec<String> {
    errors
        .iter()
        .map(|error| match error.field.as_str() {
            "name" => format!("name: {} (the payload gave no name, first or last name, or e-mail)", error.message),
            _ => format!("{}: {}", error.field, error.message),
        })
        .collect()
}

/// Applies a mapping to a sample payload without saving anything: what the UI shows before saving.
pub fn test_mapping(request: TestMappingRequest) -> ServiceResult<TestMappingResult> {
    let kind = CaptureKind::parse(&request.kind).map_err(|message| vec![FieldError::new("kind", message)])?;
    let mapping = Mapping::parse(kind, &request.mapping)?;
    let captured = mapping.apply(&request.payload);
    let problems = match NewLead::try_from(lead_request(kind, &captured)) {
        Ok(_) => Vec::new(),
        Err(errors) => problems_of(&errors),
    };
    Ok(TestMappingResult {
        fields: captured.values.iter().map(|(field, value)| (field.as_string(), value.clone())).collect(),
        lead_name: captured.name(),
        missing: captured.missing,
        problems,
    })
}

/// One inbound delivery as it arrived: the headers that matter, and the raw body.
pub struct Inbound<'a> {
    /// `Typeform-Signature`.
    pub signature: Option<&'a str>,
    /// `X-Capture-Secret`.
    pub secret: Option<&'a str>,
    /// `Authorization` (Zapier may send an API key).
    pub authorization: Option<&'a str>,
    /// `X-Delivery-Id`.
    pub delivery_id: Option<&'a str>,
    pub body: &'a [u8],
}

/// Why an inbound delivery was refused, for the edge to answer (and already logged where it says so).
#[derive(Debug)]
pub enum Refusal {
    /// No such endpoint, or it is disabled (404, not logged: it may be anyone's guess).
    UnknownEndpoint,
    /// Over `MAX_PAYLOAD_BYTES` (413, not logged).
    TooLarge {
        bytes: usize,
    },
    /// Bad or missing signature or secret (401, logged).
    Unauthorized(&'static str),
    /// Not JSON, or no lead in it (422, logged).
    Invalid(Vec<FieldError>),
    /// The month's captured leads are used up (402, logged).
    Limit(LimitExceeded),
    Service(ServiceError),
}

impl From<ServiceError> for Refusal {
    fn from(err: ServiceError) -> Self {
        Refusal::Service(err)
    }
}

impl From<crate::storage::StoreError> for Refusal {
    fn from(err: crate::storage::StoreError) -> Self {
        Refusal::Service(err.into())
    }
}

/// Whether the delivery proves it comes from the endpoint's sender.
async fn authenticated(
    app: &App,
    endpoint: &CaptureEndpoint,
    scope: &TenantScope,
    inbound: &Inbound<'_>,
) -> ServiceResult<Result<(), &'static str>> {
    if endpoint.kind == CaptureKind::Typeform {
        return Ok(match inbound.signature {
            None => Err("The Typeform-Signature header is missing: set the endpoint's secret on the Typeform webhook."),
            Some(header) if capture::typeform_signature_valid(&endpoint.secret, inbound.body, header) => Ok(()),
            Some(_) => Err("The Typeform-Signature does not match the body signed with this endpoint's secret."),
        });
    }
    if let Some(secret) = inbound.secret {
        return Ok(if capture::secret_matches(&endpoint.secret, secret) {
            Ok(())
        } else {
            Err("The X-Capture-Secret is not this endpoint's secret.")
        });
    }
    if endpoint.kind == CaptureKind::Zapier
        && let Some(key) = inbound.authorization.and_then(|value| value.strip_prefix("Bearer "))
    {
        let principal = super::api_keys::authenticate(app, key.trim()).await?;
        return Ok(match principal {
            Some((_, _, Some(_))) => Err("This workspace is suspended: its API keys are refused."),
            Some((key, _, None))
                if key.member.workspace_id == scope.workspace_id()
                    && key.scopes.contains(&Permission::SalesWrite)
                    && key.member.can(Permission::SalesWrite) =>
            {
                Ok(())
            }
            Some(_) => {
                Err("This API key may not create leads here: it needs sales:write in this endpoint's workspace.")
            }
            None => Err("The API key is unknown or revoked."),
        });
    }
    Ok(Err("Send the endpoint's secret as X-Capture-Secret (or, for Zapier, an API key with sales:write)."))
}

/// Receives one delivery on endpoint `id`: see the module notes.
pub async fn receive(app: &App, id: CaptureEndpointId, inbound: Inbound<'_>) -> Result<CaptureResult, Refusal> {
    if inbound.body.len() > capture::MAX_PAYLOAD_BYTES {
        return Err(Refusal::TooLarge { bytes: inbound.body.len() });
    }
    let Some(workspace) = app.store.capture_endpoint_workspace(id).await? else {
        return Err(Refusal::UnknownEndpoint);
    };
    // The workspace comes from the committed route item of the endpoint the URL names.
    let scope = TenantScope::for_system(workspace);
    let endpoint = match app.store.get_capture_endpoint(&scope, id).await? {
        Some(endpoint) if endpoint.enabled => endpoint,
        _ => return Err(Refusal::UnknownEndpoint),
    };
    let now = app.clock.now();
    let (payload, payload_truncated) = logged_payload(inbound.body);
    let mut delivery = CaptureDelivery {
        id: CaptureDeliveryId::generate(),
        endpoint_id: id,
        received_at: now,
        outcome: DeliveryOutcome::Unauthorized,
        lead_id: None,
        detail: None,
        payload,
        payload_truncated,
        payload_bytes: inbound.body.len() as u64,
    };
    let log = async |delivery: &CaptureDelivery| app.store.log_capture_delivery(&scope, delivery).await;

    if let Err(reason) = authenticated(app, &endpoint, &scope, &inbound).await? {
        tracing::warn!(endpoint = %id, workspace = %workspace, reason, "lead capture refused: unauthenticated");
        delivery.detail = Some(reason.to_owned());
        log(&delivery).await?;
        return Err(Refusal::Unauthorized(reason));
    }
    let parsed: Result<Value, _> = serde_json::from_slice(inbound.body);
    let key = delivery_key(endpoint.kind, parsed.as_ref().ok(), inbound.delivery_id, inbound.body);
    let payload = match parsed {
        Ok(payload) => payload,
        Err(err) => {
            let errors = vec![FieldError::new("body", format!("is not JSON: {err}"))];
            return refuse_invalid(log, delivery, errors).await;
        }
    };
    // A replay is answered before any work: the lead it made is the answer again.
    if let Some((earlier, lead)) = app.store.capture_seen(&scope, id, &key).await? {
        return replayed(log, delivery, earlier, lead).await;
    }
    let mapping = Mapping::parse(endpoint.kind, &endpoint.mapping).map_err(ServiceError::from)?;
    let captured = mapping.apply(&payload);
    let new = match NewLead::try_from(lead_request(endpoint.kind, &captured)) {
        Ok(new) => new,
        Err(errors) => return refuse_invalid(log, delivery, errors).await,
    };
    if !captured.missing.is_empty() {
        delivery.detail = Some(format!("The payload had no value for: {}", captured.missing.join(", ")));
    }
    for _ in 0..3 {
        let existing = match &new.email {
            Some(email) => app.store.lead_id_by_email(&scope, email).await?,
            None => None,
        };
        let written = match existing {
            None => capture_new(app, &scope, &mut delivery, &key, &new, now).await,
            Some(existing) => {
                capture_existing(app, &scope, &endpoint, &mut delivery, &key, existing, &new, &captured, now).await
            }
        };
        match written {
            Ok(()) => {
                return Ok(CaptureResult {
                    delivery_id: Some(delivery.id),
                    outcome: delivery.outcome,
                    lead_id: delivery.lead_id,
                });
            }
            Err(CaptureWriteError::Replayed { delivery: earlier, lead }) => {
                return replayed(log, delivery, earlier, lead).await;
            }
            Err(CaptureWriteError::MonthlyLimit { used }) => {
                let (_, plan) = super::plans::workspace_and_plan(app, &scope).await?;
                let exceeded = LimitExceeded {
                    kind: LimitKind::LeadsPerMonth,
                    limit: plan.limits.leads_per_month.unwrap_or(used),
                    used,
                    plan: plan.id,
                };
                delivery.outcome = DeliveryOutcome::LimitReached;
                delivery.lead_id = None;
                delivery.detail = Some(format!("The plan's {} new leads this month are used up.", exceeded.limit));
                log(&delivery).await?;
                return Err(Refusal::Limit(exceeded));
            }
            // The e-mail's lead appeared, changed or went meanwhile: read again and redo.
            Err(CaptureWriteError::Duplicate | CaptureWriteError::LeadChanged) => continue,
            Err(err) => return Err(Refusal::Service(write_error(err))),
        }
    }
    Err(Refusal::Service(ServiceError::Conflict(
        "The lead with this e-mail kept changing while the delivery was written; send it again.".to_owned(),
    )))
}

async fn refuse_invalid<T>(
    log: impl AsyncFnOnce(&CaptureDelivery) -> Result<(), crate::storage::StoreError>,
    mut delivery: CaptureDelivery,
    errors: Vec<FieldError>,
) -> Result<T, Refusal> {
    delivery.outcome = DeliveryOutcome::Invalid;
    delivery.detail = Some(problems_of(&errors).join("; "));
    log(&delivery).await?;
    Err(Refusal::Invalid(errors))
}

async fn replayed(
    log: impl AsyncFnOnce(&CaptureDelivery) -> Result<(), crate::storage::StoreError>,
    mut delivery: CaptureDelivery,
    earlier: Option<CaptureDeliveryId>,
    lead: Option<LeadId>,
) -> Result<CaptureResult, Refusal> {
    delivery.outcome = DeliveryOutcome::Replayed;
    delivery.lead_id = lead;
    delivery.detail = Some(match earlier {
        Some(earlier) => format!("The same delivery id came before (delivery {earlier}); nothing was written again."),
        None => "The same delivery id came before; nothing was written again.".to_owned(),
    });
    log(&delivery).await?;
    Ok(CaptureResult { delivery_id: Some(delivery.id), outcome: DeliveryOutcome::Replayed, lead_id: lead })
}

fn lead_event(kind: EventKind, lead: LeadId, at: Timestamp) -> Event {
    Event::new(kind, None, format!("lead/{lead}"), at).about_lead(lead)
}

async fn capture_new(
    app: &App,
    scope: &TenantScope,
    delivery: &mut CaptureDelivery,
    key: &str,
    new: &NewLead,
    now: Timestamp,
) -> Result<(), CaptureWriteError> {
    let (statuses, _) = app.store.lead_statuses(scope).await?;
    let (_, plan) = super::plans::workspace_and_plan(app, scope).await.map_err(|err| match err {
        ServiceError::Store(err) => CaptureWriteError::Store(err),
        other => CaptureWriteError::Store(crate::storage::StoreError::Corrupt(other.to_string())),
    })?;
    let lead = Lead {
        id: LeadId::generate(),
        workspace_id: scope.workspace_id(),
        name: new.name.clone(),
        email: new.email.clone(),
        phone: new.phone.clone(),
        company: new.company.clone(),
        title: new.title.clone(),
        source: new.source,
        status: statuses.initial().key.clone(),
        owner_id: None,
        tags: Vec::new(),
        attributes: new.attributes.clone(),
        score: None,
        created_at: now,
        updated_at: now,
        version: 1,
        customer_id: None,
        converted_at: None,
        merged_into: None,
        merged_ids: Vec::new(),
    };
    let created =
        lead_event(EventKind::LeadCreated, lead.id, now).with_change(None, Some(super::leads::details(&lead)));
    delivery.outcome = DeliveryOutcome::Created;
    delivery.lead_id = Some(lead.id);
    let month = super::plans::month_of(now);
    let effect = CaptureEffect::NewLead {
        lead: &lead,
        events: std::slice::from_ref(&created),
        month: &month,
        monthly_limit: plan.limits.leads_per_month,
    };
    app.store.capture_lead(scope, delivery, key, effect).await
}

#[allow(clippy::too_many_arguments)]
async fn capture_existing(
    app: &App,
    scope: &TenantScope,
    endpoint: &CaptureEndpoint,
    delivery: &mut CaptureDelivery,
    key: &str,
    existing: LeadId,
    new: &NewLead,
    captured: &Captured,
    now: Timestamp,
) -> Result<(), CaptureWriteError> {
    let Some(before) = app.store.get_lead(scope, existing).await? else { return Err(CaptureWriteError::LeadChanged) };
    delivery.lead_id = Some(before.id);
    match endpoint.on_existing_lead {
        OnExistingLead::Note => {
            let note = Note {
                id: NoteId::generate(),
                record: crate::domain::records::RecordRef::Lead(before.id).to_string(),
                author_id: None,
                body: note_body(endpoint, captured),
                created_at: now,
            };
            let excerpt: String = note.body.chars().take(140).collect();
            let event = lead_event(EventKind::LeadNoteAdded, before.id, now)
                .with_change(None, Some(json!({"note_id": note.id, "excerpt": excerpt})));
            delivery.outcome = DeliveryOutcome::Noted;
            app.store
                .capture_lead(scope, delivery, key, CaptureEffect::Note { lead: before.id, note: &note, event: &event })
                .await
        }
        OnExistingLead::Update => {
            let mut attributes = before.attributes.clone();
            attributes.extend(new.attributes.clone());
            // A name made up from the e-mail never replaces a lead's real name.
            let name = match captured.get(&LeadField::Name) {
                Some(_) => new.name.clone(),
                None if captured.get(&LeadField::FirstName).is_some()
                    || captured.get(&LeadField::LastName).is_some() =>
                {
                    new.name.clone()
                }
                None => before.name.clone(),
            };
            let after = Lead {
                name,
                phone: new.phone.clone().or_else(|| before.phone.clone()),
                company: new.company.clone().or_else(|| before.company.clone()),
                title: new.title.clone().or_else(|| before.title.clone()),
                attributes,
                ..before.clone()
            };
            delivery.outcome = DeliveryOutcome::Updated;
            // A merged-away or converted lead takes no changes: the delivery is logged against it unchanged.
            if after == before || before.merged_into.is_some() || before.customer_id.is_some() {
                return app
                    .store
                    .capture_lead(
                        scope,
                        delivery,
                        key,
                        CaptureEffect::UpdatedLead { before: &before, after: None, events: &[] },
                    )
                    .await;
            }
            let after = Lead { updated_at: now, version: before.version + 1, ..after };
            let updated = lead_event(EventKind::LeadUpdated, before.id, now)
                .with_change(Some(super::leads::details(&before)), Some(super::leads::details(&after)));
            let effect = CaptureEffect::UpdatedLead {
                before: &before,
                after: Some(&after),
                events: std::slice::from_ref(&updated),
            };
            app.store.capture_lead(scope, delivery, key, effect).await
        }
    }
}

fn note_body(endpoint: &CaptureEndpoint, captured: &Captured) -> String {
    let mut lines =
        vec![format!("New submission through {} ({}):", endpoint.name, endpoint.kind.lead_source().as_str())];
    lines.extend(captured.values.iter().map(|(field, value)| format!("{}: {value}", field.as_string())));
    lines.join("\n")
}

/// Zapier's REST hook subscribe: an outgoing webhook to `target_url` for lead events, which the same
/// delivery machinery signs, retries and logs (Zapier dedupes on the payload's `id`).
pub async fn subscribe(
    app: &App,
    caller: &MemberPrincipal,
    request: RestHookSubscribeRequest,
) -> ServiceResult<RestHookView> {
    let events = request.events.unwrap_or_else(|| vec![EventKind::LeadCreated.as_str().to_owned()]);
    let allowed = |raw: &[String]| -> Result<Vec<String>, String> {
        let events = super::webhooks::webhook_events(raw)?;
        match events.iter().find(|event| !event.starts_with("lead.")) {
            Some(other) => Err(format!("{other} is not a lead event; a REST hook carries lead.* events only")),
            None => Ok(events),
        }
    };
    let request =
        CreateWebhookRequest { url: request.target_url, events, description: Some("Zapier REST hook".to_owned()) };
    let made = super::webhooks::create_rest_hook(app, caller, request, allowed).await?;
    Ok(RestHookView { id: made.webhook.id, target_url: made.webhook.url, events: made.webhook.events })
}

/// Zapier's REST hook unsubscribe: removes a subscription made by [`subscribe`] (and no other webhook).
pub async fn unsubscribe(app: &App, caller: &MemberPrincipal, id: WebhookId) -> ServiceResult<()> {
    super::webhooks::delete_rest_hook(app, caller, id).await
}
