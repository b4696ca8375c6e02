//! Workspace settings: the ticket category taxonomy that admins configure and tickets are checked against.

use super::{ServiceError, ServiceResult};
use crate::api::{CategoriesView, CategoryView, ReplaceCategoriesRequest};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::categories::Taxonomy;
use crate::domain::events::EventKind;
use crate::storage::{
    TenantScope,
    events::Event,
    settings::{CategorySettings, SettingsWriteError},
};

const WHAT: &str = "The category taxonomy";

fn view(settings: Option<&CategorySettings>) -> CategoriesView {
    CategoriesView {
        categories: settings
            .map(|settings| settings.categories.categories())
            .unwrap_or_default()
            .iter()
            .map(|category| CategoryView { name: category.name.clone(), subcategories: category.subcategories.clone() })
            .collect(),
        version: settings.map_or(0, |settings| settings.version),
    }
}

fn conflict(current: Option<&CategorySettings>) -> ServiceError {
    let current = serde_json::to_value(view(current)).unwrap_or_default();
    ServiceError::VersionConflict { what: WHAT, current: Some(current) }
}

/// The taxonomy tickets are checked against; empty when none is configured.
pub(crate) async fn taxonomy(app: &App, scope: &TenantScope) -> ServiceResult<Taxonomy> {
    Ok(app.store.get_categories(scope).await?.map(|settings| settings.categories).unwrap_or_default())
}

pub async fn categories(app: &App, caller: &MemberPrincipal) -> ServiceResult<CategoriesView> {
    Ok(view(app.store.get_categories(&caller.scope()).await?.as_ref()))
}

/// Replaces the whole taxonomy. With `version`, only if it is still the current one (409 otherwise);
/// without, the last write wins.
pub async fn replace_categories(
    app: &App,
    caller: &MemberPrincipal,
    request: ReplaceCategoriesRequest,
) -> ServiceResult<CategoriesView> {
    let taxonomy = Taxonomy::parse(
        request.categories.iter().map(|category| (category.name.as_str(), category.subcategories.as_slice())),
    )
    .map_err(ServiceError::Validation)?;
    let scope = caller.scope();
    for _ in 0..3 {
        let before = app.store.get_categories(&scope).await?;
        let current_version = before.as_ref().map_or(0, |settings| settings.version);
        if request.version.is_some_and(|version| version != current_version) {
            return Err(conflict(before.as_ref()));
        }
        if before.as_ref().map(|settings| &settings.categories).unwrap_or(&Taxonomy::default()) == &taxonomy {
            return Ok(view(before.as_ref()));
        }
        let now = app.clock.now();
        let after = CategorySettings {
            categories: taxonomy.clone(),
            version: current_version + 1,
            updated_at: now,
            updated_by: Some(caller.user_id),
        };
        let event = Event::new(
            EventKind::SettingsCategoriesUpdated,
            Some(caller.user_id),
            "settings/categories".into(),
            now,
        )
        .with_change(
            Some(serde_json::json!({"categories": before.as_ref().map(|b| &b.categories), "version": current_version})),
            Some(serde_json::json!({"categories": &after.categories, "version": after.version})),
        );
        match app.store.put_categories(&scope, before.as_ref().map(|b| b.version), &after, &event).await {
            Ok(()) => return Ok(view(Some(&after))),
            // The caller based the change on a version that is gone now: show them the new one.
            Err(SettingsWriteError::VersionConflict) if request.version.is_some() => {
                return Err(conflict(app.store.get_categories(&scope).await?.as_ref()));
            }
            Err(SettingsWriteError::VersionConflict) => continue,
            Err(SettingsWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: WHAT, current: None })
}
