//! Sales pipelines: several per workspace (the first made on first use), their stages, and the kanban
//! board read from the counters the deal transactions keep.

use super::commands::deals::{PipelineDraft, ReplacePipeline};
use super::{ServiceError, ServiceResult};
use crate::api::{
    BoardColumn, BoardView, CreatePipelineRequest, DealList, DealView, MoneyTotal, PipelineList, PipelineView,
    ReplacePipelineRequest, StageView,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::deals::{DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, DealStatus, Stage, check_stages, removed_stages};
use crate::domain::events::EventKind;
use crate::domain::ids::{PipelineId, StageId, UserId};
use crate::domain::{FieldError, ids::WorkspaceId};
use crate::storage::{
    PageParams, TenantScope,
    deals::{DealIndex, DealQuery},
    events::Event,
    pipelines::{Pipeline, PipelineWriteError},
};

/// How many deals each column of a board shows before its cursor.
pub const BOARD_PAGE: i32 = 20;

fn snapshot(pipeline: &Pipeline) -> serde_json::Value {
    serde_json::to_value(PipelineView::from(pipeline)).unwrap_or_default()
}

fn event(kind: EventKind, actor: Option<UserId>, before: Option<&Pipeline>, after: &Pipeline) -> Event {
    Event::new(kind, actor, format!("pipeline/{}", after.id), after.updated_at)
        .with_change(before.map(snapshot), Some(snapshot(after)))
}

fn default_pipeline(workspace_id: WorkspaceId, now: jiff::Timestamp) -> Pipeline {
    let stages = DEFAULT_STAGES
        .iter()
        .map(|(name, probability)| Stage {
            id: StageId::generate(),
            name: (*name).to_owned(),
            probability: *probability,
            rotting_days: None,
        })
        .collect();
    Pipeline {
        id: PipelineId::generate(),
        workspace_id,
        name: DEFAULT_PIPELINE_NAME.to_owned(),
        stages,
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// The workspace's pipelines; a workspace without any gets its first one now (once, even when two
/// requests arrive together).
pub(crate) async fn ensure_pipelines(
    app: &App,
    scope: &TenantScope,
    actor: Option<UserId>,
) -> ServiceResult<Vec<Pipeline>> {
    let found = app.store.pipelines(scope).await?;
    if !found.is_empty() {
        return Ok(found);
    }
    let pipeline = default_pipeline(scope.workspace_id(), app.clock.now());
    let created = event(EventKind::PipelineCreated, actor, None, &pipeline);
    app.store.seed_pipeline(scope, &pipeline, &created).await?;
    Ok(app.store.pipelines(scope).await?)
}

pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<PipelineList> {
    let pipelines = ensure_pipelines(app, &caller.scope(), Some(caller.user_id)).await?;
    Ok(PipelineList { items: pipelines.iter().map(PipelineView::from).collect() })
}

pub(crate) async fn find(app: &App, scope: &TenantScope, id: PipelineId) -> ServiceResult<Pipeline> {
    app.store.get_pipeline(scope, id).await?.ok_or(ServiceError::NotFound("The pipeline"))
}

pub async fn get(app: &App, caller: &MemberPrincipal, id: PipelineId) -> ServiceResult<PipelineView> {
    Ok((&find(app, &caller.scope(), id).await?).into())
}

pub async fn create(
    app: &App,
    caller: &MemberPrincipal,
    request: CreatePipelineRequest,
) -> ServiceResult<PipelineView> {
    let PipelineDraft { name, stages } = request.try_into()?;
    let now = app.clock.now();
    let stages = stages
        .into_iter()
        .map(|draft| Stage {
            id: StageId::generate(),
            name: draft.name,
            probability: draft.probability,
            rotting_days: draft.rotting_days,
        })
        .collect();
    let pipeline = Pipeline {
        id: PipelineId::generate(),
        workspace_id: caller.workspace_id,
        name,
        stages,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let scope = caller.scope();
    // A workspace's first pipeline may be made by hand: it is then the one deals default to.
    app.store
        .create_pipeline(&scope, &pipeline, &event(EventKind::PipelineCreated, Some(caller.user_id), None, &pipeline))
        .await?;
    Ok((&pipeline).into())
}

/// Replaces the pipeline's name and stages at the version the caller saw. Stages listed by id keep
/// their deals; a stage left out is removed only while no open deal is in it (409 naming the count).
/// A changed probability applies to deals entering the stage from now on.
pub async fn replace(
    app: &App,
    caller: &MemberPrincipal,
    id: PipelineId,
    request: ReplacePipelineRequest,
) -> ServiceResult<PipelineView> {
    let ReplacePipeline { draft, version } = request.try_into()?;
    let scope = caller.scope();
    let before = find(app, &scope, id).await?;
    if version != before.version {
        return Err(ServiceError::VersionConflict { what: "The pipeline", current: Some(snapshot(&before)) });
    }
    let mut errors = Vec::new();
    let mut stages = Vec::new();
    for (index, stage) in draft.stages.into_iter().enumerate() {
        let id = match stage.id {
            Some(id) if before.stage(id).is_none() => {
                errors.push(FieldError::new(format!("stages[{index}].id"), "is not a stage of this pipeline"));
                id
            }
            Some(id) => id,
            None => StageId::generate(),
        };
        stages.push(Stage { id, name: stage.name, probability: stage.probability, rotting_days: stage.rotting_days });
    }
    if let Err(message) = check_stages(&stages) {
        errors.push(FieldError::new("stages", message));
    }
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let after = Pipeline {
        name: draft.name,
        stages,
        updated_at: app.clock.now(),
        version: before.version + 1,
        ..before.clone()
    };
    if after.name == before.name && after.stages == before.stages {
        return Ok((&before).into());
    }
    let removed = removed_stages(&before.stages, &after.stages);
    let updated = event(EventKind::PipelineUpdated, Some(caller.user_id), Some(&before), &after);
    app.store.replace_pipeline(&scope, before.version, &after, &removed, &updated).await.map_err(|err| match err {
        PipelineWriteError::VersionConflict => ServiceError::VersionConflict { what: "The pipeline", current: None },
        PipelineWriteError::StageNotEmpty { stage, open_deals } => ServiceError::StageNotEmpty { stage, open_deals },
        PipelineWriteError::Store(err) => err.into(),
    })?;
    Ok((&after).into())
}

/// The kanban: per stage, the open deals' count and totals per currency from the board counters (one
/// GetItem), and the first page of the stage's deals (one Query per column, all at once).
pub async fn board(app: &App, caller: &MemberPrincipal, id: PipelineId) -> ServiceResult<BoardView> {
    let scope = caller.scope();
    let pipeline = find(app, &scope, id).await?;
    let now = app.clock.now();
    let (counts, pages) = futures::try_join!(
        async { Ok::<_, ServiceError>(app.store.board_counts(&scope, id).await?) },
        futures::future::try_join_all(pipeline.stages.iter().map(|stage| {
            let query = DealQuery { index: DealIndex::Stage(stage.id), status: DealStatus::Open, tag: None };
            async move { app.store.query_deals(&scope, &query, BOARD_PAGE, None).await.map_err(ServiceError::from) }
        })),
    )?;
    let columns = pipeline
        .stages
        .iter()
        .zip(pages)
        .map(|(stage, page)| BoardColumn {
            stage: StageView::from(stage),
            count: counts.count(stage.id),
            totals: counts
                .totals(stage.id)
                .into_iter()
                .map(|(currency, value, weighted)| MoneyTotal::new(currency, value, weighted))
                .collect(),
            deals: page.items.iter().map(|deal| DealView::new(deal, stage.rotting_days, now)).collect(),
            next_cursor: page.next_cursor,
        })
        .collect();
    Ok(BoardView { pipeline: (&pipeline).into(), columns })
}

/// One column of the board, a page at a time: the stage's deals of `status` (open by default), newest
/// first.
pub async fn stage_deals(
    app: &App,
    caller: &MemberPrincipal,
    id: PipelineId,
    stage: StageId,
    status: Option<String>,
    page: PageParams,
) -> ServiceResult<DealList> {
    let status = match status {
        None => DealStatus::Open,
        Some(raw) => DealStatus::parse(&raw).map_err(|message| vec![FieldError::new("status", message)])?,
    };
    let scope = caller.scope();
    let pipeline = find(app, &scope, id).await?;
    let stage = pipeline.stage(stage).ok_or(ServiceError::NotFound("The stage"))?;
    let query = DealQuery { index: DealIndex::Stage(stage.id), status, tag: None };
    let found = app.store.query_deals(&scope, &query, page.limit, page.cursor.as_deref()).await?;
    let now = app.clock.now();
    Ok(DealList {
        items: found.items.iter().map(|deal| DealView::new(deal, stage.rotting_days, now)).collect(),
        next_cursor: found.next_cursor,
    })
}
