//! Saved view commands: a name and a filter set that parses as an inbox filter.

use super::tickets::{InboxFilter, InboxQuery};
use crate::api::{CreateViewRequest, UpdateViewRequest, ViewFiltersInput};
use crate::domain::{FieldError, Gather, field, optional_field};
use crate::storage::views::ViewFilters;

pub const MAX_VIEW_NAME_CHARS: usize = 60;

/// A name people pick from a list: required, one line, at most `max` characters.
pub(crate) fn parse_name(raw: &str, max: usize) -> Result<String, String> {
    crate::domain::text::parse_line(raw, max)
}

/// The filters as the inbox would take them, normalised; errors are named `filters.<name>`.
fn parse_filters(input: &ViewFiltersInput) -> Result<(ViewFilters, InboxFilter), Vec<FieldError>> {
    let query = InboxQuery {
        view: input.view.clone(),
        sort: input.sort.clone(),
        status: input.status.clone(),
        priority: input.priority.clone(),
        category: input.category.clone(),
        tag: input.tag.clone(),
        assignee: input.assignee.clone(),
        ..InboxQuery::default()
    };
    let inbox = InboxFilter::try_from(query).map_err(|errors| {
        errors
            .into_iter()
            .map(|error| FieldError::new(format!("filters.{}", error.field), error.message))
            .collect::<Vec<_>>()
    })?;
    Ok((ViewFilters::of(&inbox), inbox))
}

impl ViewFilters {
    /// The normalised spelling of an inbox filter, as a view keeps it.
    pub fn of(inbox: &InboxFilter) -> Self {
        Self {
            view: inbox.view.as_str().to_owned(),
            sort: if inbox.by_priority { "priority" } else { "updated" }.to_owned(),
            status: inbox.status.map(|status| status.as_str().to_owned()),
            priority: inbox.priority.map(|priority| priority.as_str().to_owned()),
            category: inbox.category.clone(),
            tag: inbox.tag.clone(),
            assignee: inbox.assignee.map(|user| user.to_string()),
        }
    }

    /// Back to the inbox filter it was saved from (it parsed then, so it parses now).
    pub fn inbox(&self) -> Result<InboxFilter, Vec<FieldError>> {
        InboxFilter::try_from(InboxQuery {
            view: Some(self.view.clone()),
            sort: Some(self.sort.clone()),
            status: self.status.clone(),
            priority: self.priority.clone(),
            category: self.category.clone(),
            tag: self.tag.clone(),
            assignee: self.assignee.clone(),
            ..InboxQuery::default()
        })
    }
}

/// A view to save.
#[derive(Debug, Clone)]
pub struct NewView {
    pub name: String,
    pub filters: ViewFilters,
    pub shared: bool,
}

impl TryFrom<CreateViewRequest> for NewView {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateViewRequest) -> Result<Self, Self::Error> {
        let (name, (filters, _)) =
            (field("name", parse_name(&request.name, MAX_VIEW_NAME_CHARS)), parse_filters(&request.filters))
                .gather()?;
        Ok(NewView { name, filters, shared: request.shared })
    }
}

/// A change to a view, based on the version the caller saw.
#[derive(Debug, Clone)]
pub struct ChangeView {
    pub version: u64,
    pub name: Option<String>,
    pub filters: Option<ViewFilters>,
}

impl TryFrom<UpdateViewRequest> for ChangeView {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateViewRequest) -> Result<Self, Self::Error> {
        let (name, filters) = (
            optional_field("name", request.name.as_deref(), |raw| parse_name(raw, MAX_VIEW_NAME_CHARS)),
            request.filters.as_ref().map(parse_filters).transpose(),
        )
            .gather()?;
        Ok(ChangeView { version: request.version, name, filters: filters.map(|(filters, _)| filters) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(body: serde_json::Value) -> Result<NewView, Vec<FieldError>> {
        NewView::try_from(serde_json::from_value::<CreateViewRequest>(body).expect("request shape"))
    }

    #[test]
    fn a_view_keeps_its_filters_normalised() {
        let view = create(
            serde_json::json!({"name": " Urgent billing ", "filters": {"priority": "urgent", "tag": "Billing"}}),
        )
        .unwrap();
        assert_eq!(view.name, "Urgent billing");
        assert_eq!((view.filters.view.as_str(), view.filters.sort.as_str()), ("open", "updated"));
        assert_eq!(view.filters.tag.as_deref(), Some("billing"));
        assert!(!view.shared);
        assert_eq!(view.filters.inbox().unwrap().priority.map(|p| p.as_str()), Some("urgent"));
    }

    #[test]
    fn bad_filters_are_named_under_filters() {
        let errors =
            create(serde_json::json!({"name": "", "filters": {"view": "all", "priority": "asap"}})).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["name", "filters.view", "filters.priority"]);
    }
}
