//! Deals: create, read with the stage history, change, move between stages, win, lose, delete, list.
//!
//! Who may change a deal is `rbac::may_change_sales_record`: reps (`sales:write`) their own and unowned
//! deals, managers (`sales:manage`) anyone's, and only they hand a deal to someone else. Every change is
//! one transaction with its events and the board counters (storage/deals.rs).

use std::collections::HashMap;

use jiff::Timestamp;

use super::commands::customers::COMPANY_MIRRORS_LINK;
use super::commands::deals::{ChangeDeal, LoseDeal, MoveDeal, NewDeal, ReopenDeal, parse_deal_list};
use super::pipelines::ensure_pipelines;
use super::{ServiceError, ServiceResult};
use aws_sdk_dynamodb::types::TransactWriteItem;

use crate::api::{
    ConversionDealRequest, CreateDealRequest, DealList, DealListQuery, DealView, LoseDealRequest, MoveDealRequest,
    ReopenDealRequest, StageVisitView, UpdateDealRequest, WinDealRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::deals::{DealStatus, Stage};
use crate::domain::events::EventKind;
use crate::domain::ids::{CustomerId, DealId, PipelineId, StageId};
use crate::domain::{FieldError, rbac};
use crate::storage::{
    PageParams, TenantScope,
    companies::Company,
    deals::{Deal, DealChecks, DealWriteError, DealWriteFailure},
    events::Event,
    leads::Lead,
    pipelines::Pipeline,
};

/// What a deal event carries: enough for a webhook subscriber, a Slack line or a live board.
fn snapshot(deal: &Deal) -> serde_json::Value {
    serde_json::json!({
        "title": deal.title, "value": deal.value, "currency": deal.currency, "pipeline_id": deal.pipeline_id,
        "stage_id": deal.stage_id, "expected_close": deal.expected_close, "probability": deal.probability,
        "owner_id": deal.owner_id, "contact_ids": deal.contact_ids, "company": deal.company,
        "company_id": deal.company_id, "tags": deal.tags,
        "status": deal.status, "lost_reason": deal.lost_reason, "created_at": deal.created_at,
        "version": deal.version,
    })
}

fn event(kind: EventKind, caller: &MemberPrincipal, before: Option<&Deal>, after: &Deal, at: Timestamp) -> Event {
    Event::new(kind, Some(caller.user_id), format!("deal/{}", after.id), at)
        .with_change(before.map(snapshot), Some(snapshot(after)))
        .about_deal(after.id)
}

fn write_error(err: DealWriteFailure) -> ServiceError {
    match err {
        DealWriteFailure::Refused(DealWriteError::VersionConflict) => {
            ServiceError::VersionConflict { what: "The deal", current: None }
        }
        DealWriteFailure::Refused(DealWriteError::PipelineChanged) => {
            ServiceError::VersionConflict { what: "The deal's pipeline", current: None }
        }
        DealWriteFailure::Refused(DealWriteError::ContactMissing(id)) => {
            ServiceError::Validation(vec![FieldError::new(
                "contact_ids",
                format!("{id} is not a customer of this workspace"),
            )])
        }
        DealWriteFailure::Refused(DealWriteError::OwnerNotMember) => {
            ServiceError::Validation(vec![FieldError::new("owner_id", "must be an active member of this workspace")])
        }
        DealWriteFailure::Refused(DealWriteError::CompanyMissing) => ServiceError::Validation(vec![FieldError::new(
            "company_id",
            "is not a company of this workspace (it may have been deleted just now)",
        )]),
        DealWriteFailure::Store(err) => err.into(),
    }
}

/// Refuses a change the caller's role does not allow on this deal.
fn authorize(
    caller: &MemberPrincipal,
    deal: &Deal,
    new_owner: Option<crate::domain::ids::UserId>,
) -> ServiceResult<()> {
    if rbac::may_change_sales_record(caller.role, caller.user_id, deal.owner_id, new_owner) {
        return Ok(());
    }
    let detail = if new_owner != deal.owner_id && deal.owner_id.is_none_or(|owner| owner == caller.user_id) {
        "Giving a deal to someone else needs sales:manage."
    } else {
        "This deal belongs to another member: changing it needs sales:manage."
    };
    Err(ServiceError::Forbidden(detail.to_owned()))
}

fn stale(deal: &Deal, version: u64, now: Timestamp) -> ServiceResult<()> {
    if deal.version == version {
        return Ok(());
    }
    let current = serde_json::to_value(DealView::new(deal, None, now)).unwrap_or_default();
    Err(ServiceError::VersionConflict { what: "The deal", current: Some(current) })
}

async fn find(app: &App, scope: &TenantScope, id: DealId) -> ServiceResult<Deal> {
    app.store.get_deal(scope, id).await?.ok_or(ServiceError::NotFound("The deal"))
}

/// The stage's rotting days, if the deal's stage still exists.
fn rotting(pipeline: Option<&Pipeline>, stage: StageId) -> Option<u32> {
    pipeline.and_then(|pipeline| pipeline.stage(stage)).and_then(|stage| stage.rotting_days)
}

fn stage_in(pipeline: &Pipeline, stage: StageId) -> ServiceResult<&Stage> {
    pipeline.stage(stage).ok_or_else(|| {
        ServiceError::Validation(vec![FieldError::new(
            "stage_id",
            format!("is not a stage of pipeline {:?}", pipeline.name),
        )])
    })
}

async fn pipeline_named(app: &App, scope: &TenantScope, id: PipelineId) -> ServiceResult<Pipeline> {
    app.store.get_pipeline(scope, id).await?.ok_or_else(|| {
        ServiceError::Validation(vec![FieldError::new("pipeline_id", "is not a pipeline of this workspace")])
    })
}

pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateDealRequest) -> ServiceResult<DealView> {
    let new = NewDeal::try_from(request)?;
    let scope = caller.scope();
    let owner = new.owner.unwrap_or(caller.user_id);
    if !rbac::may_change_sales_record(caller.role, caller.user_id, None, Some(owner)) {
        return Err(ServiceError::Forbidden("Creating a deal for someone else needs sales:manage.".to_owned()));
    }
    let pipeline = match new.pipeline {
        Some(id) => pipeline_named(app, &scope, id).await?,
        None => ensure_pipelines(app, &scope, Some(caller.user_id)).await?.remove(0),
    };
    let stage = match new.stage {
        Some(id) => stage_in(&pipeline, id)?,
        None => &pipeline.stages[0],
    };
    let company = match new.company_id {
        Some(id) => Some(super::companies::to_link(app, &scope, id).await?.name),
        None => new.company,
    };
    let now = app.clock.now();
    let deal = Deal {
        id: DealId::generate(),
        workspace_id: caller.workspace_id,
        title: new.title,
        value: new.value,
        currency: new.currency,
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        expected_close: new.expected_close,
        probability: new.probability.unwrap_or(stage.probability),
        probability_overridden: new.probability.is_some(),
        owner_id: Some(owner),
        contact_ids: new.contacts.clone(),
        company,
        company_id: new.company_id,
        tags: new.tags,
        status: DealStatus::Open,
        lost_reason: None,
        stage_entered_at: now,
        closed_at: None,
        created_by: caller.user_id,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let checks =
        DealChecks { pipelines: vec![(pipeline.id, pipeline.version)], contacts: new.contacts, owner: Some(owner) };
    let created = event(EventKind::DealCreated, caller, None, &deal, now);
    app.store.write_deal(&scope, None, Some(&deal), &checks, &[created]).await.map_err(write_error)?;
    Ok(DealView::new(&deal, stage.rotting_days, now))
}

/// A deal a lead's conversion opens: the actions that write it join the conversion's transaction.
pub struct ConversionDeal {
    pub actions: Vec<TransactWriteItem>,
    pub view: DealView,
}

/// The deal for a converted lead, checked as `create` checks one, its bad fields named `deal.<field>`.
/// Its contact is the customer, its owner the lead's owner or the caller (the caller may convert the
/// lead, so may open its deal).
pub async fn for_conversion(
    app: &App,
    caller: &MemberPrincipal,
    lead: &Lead,
    customer: CustomerId,
    request: &ConversionDealRequest,
    now: Timestamp,
) -> ServiceResult<ConversionDeal> {
    conversion_deal(app, caller, lead, customer, request, now).await.map_err(|err| match err {
        ServiceError::Validation(errors) => ServiceError::Validation(
            errors.into_iter().map(|error| FieldError::new(format!("deal.{}", error.field), error.message)).collect(),
        ),
        err => err,
    })
}

async fn conversion_deal(
    app: &App,
    caller: &MemberPrincipal,
    lead: &Lead,
    customer: CustomerId,
    request: &ConversionDealRequest,
    now: Timestamp,
) -> ServiceResult<ConversionDeal> {
    let new = NewDeal::try_from(CreateDealRequest {
        title: request.title.clone().unwrap_or_else(|| lead.company.clone().unwrap_or_else(|| lead.name.clone())),
        value: request.value.unwrap_or(0),
        currency: request.currency.clone().unwrap_or_else(|| "EUR".to_owned()),
        pipeline_id: request.pipeline_id.clone(),
        stage_id: request.stage_id.clone(),
        expected_close: request.expected_close_date.clone(),
        probability: None,
        owner_id: None,
        contact_ids: Vec::new(),
        company: lead.company.clone(),
        company_id: None,
        tags: Vec::new(),
    })
    .map_err(|errors| {
        let rename =
            |field: &str| if field == "expected_close" { "expected_close_date".to_owned() } else { field.to_owned() };
        ServiceError::Validation(
            errors.into_iter().map(|error| FieldError::new(rename(&error.field), error.message)).collect(),
        )
    })?;
    let scope = caller.scope();
    let pipeline = match new.pipeline {
        Some(id) => pipeline_named(app, &scope, id).await?,
        None => ensure_pipelines(app, &scope, Some(caller.user_id)).await?.remove(0),
    };
    let stage = match new.stage {
        Some(id) => stage_in(&pipeline, id)?,
        None => &pipeline.stages[0],
    };
    let deal = Deal {
        id: DealId::generate(),
        workspace_id: caller.workspace_id,
        title: new.title,
        value: new.value,
        currency: new.currency,
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        expected_close: new.expected_close,
        probability: stage.probability,
        probability_overridden: false,
        owner_id: Some(lead.owner_id.unwrap_or(caller.user_id)),
        contact_ids: vec![customer],
        company: new.company,
        company_id: None,
        tags: new.tags,
        status: DealStatus::Open,
        lost_reason: None,
        stage_entered_at: now,
        closed_at: None,
        created_by: caller.user_id,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let created = event(EventKind::DealCreated, caller, None, &deal, now).about_customer(customer);
    let actions = app.store.new_deal_actions(&scope, &deal, pipeline.version, &[created])?;
    Ok(ConversionDeal { actions, view: DealView::new(&deal, stage.rotting_days, now) })
}

/// The stays in each stage, from the deal's creation and stage-change events (oldest first).
fn stage_history(events: &[Event]) -> Vec<StageVisitView> {
    let place = |event: &Event| -> Option<(PipelineId, StageId)> {
        let after = event.after.as_ref()?;
        let pipeline = after.get("pipeline_id")?.as_str()?.parse().ok()?;
        let stage = after.get("stage_id")?.as_str()?.parse().ok()?;
        Some((pipeline, stage))
    };
    let mut visits: Vec<StageVisitView> = Vec::new();
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|event| event.id);
    for event in events {
        if !matches!(event.kind, EventKind::DealCreated | EventKind::DealStageChanged | EventKind::DealReopened) {
            continue;
        }
        let Some((pipeline_id, stage_id)) = place(event) else { continue };
        // A deal reopened in the stage it closed in stays where it was.
        if visits.last().is_some_and(|last| (last.pipeline_id, last.stage_id) == (pipeline_id, stage_id)) {
            continue;
        }
        if let Some(last) = visits.last_mut() {
            last.left_at = Some(event.at);
        }
        visits.push(StageVisitView { pipeline_id, stage_id, entered_at: event.at, left_at: None });
    }
    visits
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: DealId) -> ServiceResult<DealView> {
    let scope = caller.scope();
    let (deal, events) = app.store.deal_with_history(&scope, id).await?.ok_or(ServiceError::NotFound("The deal"))?;
    let pipeline = app.store.get_pipeline(&scope, deal.pipeline_id).await?;
    let mut view = DealView::new(&deal, rotting(pipeline.as_ref(), deal.stage_id), app.clock.now());
    view.stage_history = Some(stage_history(&events));
    Ok(view)
}

pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: DealId,
    request: UpdateDealRequest,
) -> ServiceResult<DealView> {
    let change = ChangeDeal::try_from(request)?;
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    let now = app.clock.now();
    stale(&before, change.version, now)?;
    let owner = change.owner.unwrap_or(before.owner_id);
    authorize(caller, &before, owner)?;
    let pipeline = app.store.get_pipeline(&scope, before.pipeline_id).await?;
    let (probability, probability_overridden) = match change.probability {
        None => (before.probability, before.probability_overridden),
        Some(Some(probability)) => (probability, true),
        // Back to the stage's own probability (as it is now).
        Some(None) => match pipeline.as_ref().and_then(|pipeline| pipeline.stage(before.stage_id)) {
            Some(stage) => (stage.probability, false),
            None => (before.probability, false),
        },
    };
    let (company_id, company) = match change.company_id {
        Some(Some(id)) => (Some(id), Some(super::companies::to_link(app, &scope, id).await?.name)),
        Some(None) => (None, change.company.unwrap_or(None)),
        // While linked, the text is the company's name: sending it back unchanged is no change.
        None if before.company_id.is_some() && change.company.as_ref().is_some_and(|text| *text != before.company) => {
            return Err(ServiceError::Validation(vec![FieldError::new("company", COMPANY_MIRRORS_LINK)]));
        }
        None => (before.company_id, change.company.unwrap_or_else(|| before.company.clone())),
    };
    let after = Deal {
        title: change.title.unwrap_or_else(|| before.title.clone()),
        value: change.value.unwrap_or(before.value),
        currency: change.currency.unwrap_or(before.currency),
        expected_close: change.expected_close.unwrap_or(before.expected_close),
        probability,
        probability_overridden,
        owner_id: owner,
        contact_ids: change.contacts.unwrap_or_else(|| before.contact_ids.clone()),
        company,
        company_id,
        tags: change.tags.unwrap_or_else(|| before.tags.clone()),
        ..before.clone()
    };
    let rotting_days = rotting(pipeline.as_ref(), before.stage_id);
    if after == before {
        return Ok(DealView::new(&before, rotting_days, now));
    }
    let after = Deal { updated_at: now, version: before.version + 1, ..after };
    let mut events = Vec::new();
    let fields_changed = Deal { owner_id: before.owner_id, ..after.clone() }
        != Deal { updated_at: after.updated_at, version: after.version, ..before.clone() };
    if fields_changed {
        events.push(event(EventKind::DealUpdated, caller, Some(&before), &after, now));
    }
    if after.owner_id != before.owner_id {
        events.push(event(EventKind::DealAssigned, caller, Some(&before), &after, now));
    }
    let checks = DealChecks {
        pipelines: Vec::new(),
        contacts: after.contact_ids.iter().copied().filter(|id| !before.contact_ids.contains(id)).collect(),
        owner: after.owner_id.filter(|owner| before.owner_id != Some(*owner)),
    };
    app.store.write_deal(&scope, Some(&before), Some(&after), &checks, &events).await.map_err(write_error)?;
    Ok(DealView::new(&after, rotting_days, now))
}

/// Moves an open deal to another stage (of its pipeline, or of `pipeline_id`). It takes the new stage's
/// probability unless its own was set; `deal.stage_changed` records the move in its history.
pub async fn move_to_stage(
    app: &App,
    caller: &MemberPrincipal,
    id: DealId,
    request: MoveDealRequest,
) -> ServiceResult<DealView> {
    let step = MoveDeal::try_from(request)?;
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    let now = app.clock.now();
    stale(&before, step.version, now)?;
    authorize(caller, &before, before.owner_id)?;
    if before.status != DealStatus::Open {
        return Err(ServiceError::Conflict(format!(
            "The deal is {}: only open deals move between stages.",
            before.status.as_str()
        )));
    }
    let pipeline = pipeline_named(app, &scope, step.pipeline.unwrap_or(before.pipeline_id)).await?;
    let stage = stage_in(&pipeline, step.stage)?;
    if stage.id == before.stage_id {
        return Ok(DealView::new(&before, stage.rotting_days, now));
    }
    let after = Deal {
        pipeline_id: pipeline.id,
        stage_id: stage.id,
        stage_entered_at: now,
        probability: if before.probability_overridden { before.probability } else { stage.probability },
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    let checks = DealChecks { pipelines: vec![(pipeline.id, pipeline.version)], ..DealChecks::default() };
    let moved = event(EventKind::DealStageChanged, caller, Some(&before), &after, now);
    app.store.write_deal(&scope, Some(&before), Some(&after), &checks, &[moved]).await.map_err(write_error)?;
    Ok(DealView::new(&after, stage.rotting_days, now))
}

async fn close(
    app: &App,
    caller: &MemberPrincipal,
    id: DealId,
    version: u64,
    outcome: DealStatus,
    reason: Option<String>,
) -> ServiceResult<DealView> {
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    let now = app.clock.now();
    stale(&before, version, now)?;
    authorize(caller, &before, before.owner_id)?;
    if before.status != DealStatus::Open {
        return Err(ServiceError::Conflict(format!("The deal is already {}.", before.status.as_str())));
    }
    let after = Deal {
        status: outcome,
        lost_reason: reason,
        closed_at: Some(now),
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    let kind = if outcome == DealStatus::Won { EventKind::DealWon } else { EventKind::DealLost };
    let closed = event(kind, caller, Some(&before), &after, now);
    app.store
        .write_deal(&scope, Some(&before), Some(&after), &DealChecks::default(), &[closed])
        .await
        .map_err(write_error)?;
    Ok(DealView::new(&after, None, now))
}

pub async fn win(app: &App, caller: &MemberPrincipal, id: DealId, request: WinDealRequest) -> ServiceResult<DealView> {
    close(app, caller, id, request.version, DealStatus::Won, None).await
}

pub async fn lose(
    app: &App,
    caller: &MemberPrincipal,
    id: DealId,
    request: LoseDealRequest,
) -> ServiceResult<DealView> {
    let LoseDeal { reason, version } = request.try_into()?;
    close(app, caller, id, version, DealStatus::Lost, Some(reason)).await
}

/// Reopens a won or lost deal: back to open in `stage_id` of its pipeline, or the stage it closed in
/// (the first stage, if that one was removed since). It is back on the board's counters in the same
/// transaction; `deal.reopened` joins its stage history as a stay in that stage. 409 on an open deal.
pub async fn reopen(
    app: &App,
    caller: &MemberPrincipal,
    id: DealId,
    request: ReopenDealRequest,
) -> ServiceResult<DealView> {
    let ReopenDeal { stage, version } = request.try_into()?;
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    let now = app.clock.now();
    stale(&before, version, now)?;
    authorize(caller, &before, before.owner_id)?;
    if before.status == DealStatus::Open {
        return Err(ServiceError::Conflict("The deal is open: only won or lost deals can be reopened.".to_owned()));
    }
    let pipeline = app.store.get_pipeline(&scope, before.pipeline_id).await?.ok_or_else(|| {
        ServiceError::Conflict("The deal's pipeline was removed: the deal cannot be reopened in it.".to_owned())
    })?;
    let stage = match stage {
        Some(stage) => stage_in(&pipeline, stage)?,
        None => pipeline.stage(before.stage_id).unwrap_or(&pipeline.stages[0]),
    };
    let after = Deal {
        status: DealStatus::Open,
        lost_reason: None,
        closed_at: None,
        stage_id: stage.id,
        stage_entered_at: if stage.id == before.stage_id { before.stage_entered_at } else { now },
        probability: if before.probability_overridden { before.probability } else { stage.probability },
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    let checks = DealChecks { pipelines: vec![(pipeline.id, pipeline.version)], ..DealChecks::default() };
    let reopened = event(EventKind::DealReopened, caller, Some(&before), &after, now);
    app.store.write_deal(&scope, Some(&before), Some(&after), &checks, &[reopened]).await.map_err(write_error)?;
    Ok(DealView::new(&after, stage.rotting_days, now))
}

/// Shows the linked company's current name on one deal (after a rename), unless the deal left the
/// company or shows it already. Conditional on the version read; retried when a concurrent change wins.
pub(crate) async fn mirror_company(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    id: DealId,
    company: &Company,
) -> ServiceResult<()> {
    const TRIES: usize = 5;
    for _ in 0..TRIES {
        let Some(before) = app.store.get_deal(scope, id).await? else { return Ok(()) };
        if before.company_id != Some(company.id) || before.company.as_deref() == Some(&company.name) {
            return Ok(());
        }
        let now = app.clock.now();
        let after = Deal {
            company: Some(company.name.clone()),
            updated_at: now,
            version: before.version + 1,
            ..before.clone()
        };
        let changed = event(EventKind::DealUpdated, caller, Some(&before), &after, now);
        match app.store.write_deal(scope, Some(&before), Some(&after), &DealChecks::default(), &[changed]).await {
            Ok(()) => return Ok(()),
            Err(DealWriteFailure::Refused(DealWriteError::VersionConflict)) => continue,
            Err(err) => return Err(write_error(err)),
        }
    }
    Err(ServiceError::VersionConflict { what: "A deal of the company", current: None })
}

/// Deletes the deal (at `version`, when given); its events stay in the activity log.
pub async fn delete(app: &App, caller: &MemberPrincipal, id: DealId, version: Option<u64>) -> ServiceResult<()> {
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    let now = app.clock.now();
    if let Some(version) = version {
        stale(&before, version, now)?;
    }
    authorize(caller, &before, before.owner_id)?;
    let deleted = event(EventKind::DealDeleted, caller, None, &before, now).with_change(Some(snapshot(&before)), None);
    app.store.write_deal(&scope, Some(&before), None, &DealChecks::default(), &[deleted]).await.map_err(write_error)
}

/// A page of deals by the filters and sort asked for (docs/deals.md says which index answers which).
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    raw: &DealListQuery,
    page: PageParams,
) -> ServiceResult<DealList> {
    let query = parse_deal_list(raw, caller.user_id)?;
    let scope = caller.scope();
    let (found, pipelines) = futures::try_join!(
        async {
            Ok::<_, ServiceError>(app.store.query_deals(&scope, &query, page.limit, page.cursor.as_deref()).await?)
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_history_is_read_from_creation_and_moves() {
        let (pipeline, first, second) = (PipelineId::generate(), StageId::generate(), StageId::generate());
        let at = |second: i64| Timestamp::from_second(1_800_000_000 + second).unwrap();
        let placed = |kind, stage: StageId, when| {
            Event::new(kind, None, "deal/x".into(), when)
                .with_change(None, Some(serde_json::json!({"pipeline_id": pipeline, "stage_id": stage})))
        };
        let events = vec![
            placed(EventKind::DealCreated, first, at(0)),
            placed(EventKind::DealUpdated, first, at(5)),
            placed(EventKind::DealStageChanged, second, at(60)),
        ];
        let history = stage_history(&events);
        assert_eq!(history.len(), 2);
        assert_eq!((history[0].stage_id, history[0].left_at), (first, Some(at(60))));
        assert_eq!((history[1].stage_id, history[1].entered_at, history[1].left_at), (second, at(60), None));
    }
}
