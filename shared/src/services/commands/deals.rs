//! Pipeline and deal commands: every field checked, every error named in one 422. Rules that need
//! stored state (the stage exists in the pipeline, the contacts and the owner exist) stay in the use
//! case and its transaction.

use jiff::civil::Date;

use super::companies::parse_company_id;
use super::customers::COMPANY_MIRRORS_LINK;
use super::views::parse_name;
use crate::api::{
    CreateDealRequest, CreatePipelineRequest, DealListQuery, LoseDealRequest, MoveDealRequest, ReopenDealRequest,
    ReplacePipelineRequest, StageRequest, UpdateDealRequest,
};
use crate::domain::deals::{
    Currency, DealStatus, MAX_COMPANY_CHARS, MAX_CONTACTS, MAX_DEAL_TITLE_CHARS, MAX_LOST_REASON_CHARS,
    MAX_PIPELINE_NAME_CHARS, MAX_STAGE_NAME_CHARS, MAX_STAGES, parse_probability, parse_rotting_days, parse_value,
};
use crate::domain::ids::{CompanyId, CustomerId, PipelineId, StageId, UserId, member_filter};
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{FieldError, Gather, field, optional_field, ticket};
use crate::storage::deals::{DealIndex, DealQuery};

/// One stage as asked for: `id` keeps an existing stage, None adds one.
#[derive(Debug, Clone, PartialEq)]
pub struct StageDraft {
    pub id: Option<StageId>,
    pub name: String,
    pub probability: u8,
    pub rotting_days: Option<u32>,
}

/// A pipeline's name and stages, each checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineDraft {
    pub name: String,
    pub stages: Vec<StageDraft>,
}

fn parse_stages(raw: &[StageRequest]) -> Result<Vec<StageDraft>, Vec<FieldError>> {
    if raw.is_empty() {
        return Err(vec![FieldError::new("stages", "must have at least one stage")]);
    }
    if raw.len() > MAX_STAGES {
        return Err(vec![FieldError::new("stages", format!("at most {MAX_STAGES} stages"))]);
    }
    let mut stages = Vec::new();
    let mut errors = Vec::new();
    for (index, stage) in raw.iter().enumerate() {
        let at = |name: &str| format!("stages[{index}].{name}");
        let parsed = (
            optional_field(&at("id"), stage.id.as_deref(), str::parse::<StageId>),
            field(&at("name"), parse_name(&stage.name, MAX_STAGE_NAME_CHARS)),
            field(&at("probability"), parse_probability(stage.probability)),
            optional_field(&at("rotting_days"), stage.rotting_days, parse_rotting_days),
        )
            .gather();
        match parsed {
            Ok((id, name, probability, rotting_days)) => {
                stages.push(StageDraft { id, name, probability, rotting_days })
            }
            Err(more) => errors.extend(more),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (index, stage) in stages.iter().enumerate() {
        if stages[..index].iter().any(|earlier| earlier.name.to_lowercase() == stage.name.to_lowercase()) {
            errors.push(FieldError::new(format!("stages[{index}].name"), "is the name of an earlier stage"));
        }
        if stage.id.is_some() && stages[..index].iter().any(|earlier| earlier.id == stage.id) {
            errors.push(FieldError::new(format!("stages[{index}].id"), "names a stage listed earlier"));
        }
    }
    if errors.is_empty() { Ok(stages) } else { Err(errors) }
}

impl TryFrom<CreatePipelineRequest> for PipelineDraft {
    type Error = Vec<FieldError>;

    fn try_from(request: CreatePipelineRequest) -> Result<Self, Self::Error> {
        let (name, stages) = (
            field("name", parse_name(&request.name, MAX_PIPELINE_NAME_CHARS)),
            parse_stages(&request.stages).and_then(|stages| match stages.iter().position(|stage| stage.id.is_some()) {
                Some(index) => {
                    Err(vec![FieldError::new(format!("stages[{index}].id"), "a new pipeline's stages have no id yet")])
                }
                None => Ok(stages),
            }),
        )
            .gather()?;
        Ok(PipelineDraft { name, stages })
    }
}

/// The pipeline as it should be, based on `version`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplacePipeline {
    pub draft: PipelineDraft,
    pub version: u64,
}

impl TryFrom<ReplacePipelineRequest> for ReplacePipeline {
    type Error = Vec<FieldError>;

    fn try_from(request: ReplacePipelineRequest) -> Result<Self, Self::Error> {
        let (name, stages) =
            (field("name", parse_name(&request.name, MAX_PIPELINE_NAME_CHARS)), parse_stages(&request.stages))
                .gather()?;
        Ok(ReplacePipeline { draft: PipelineDraft { name, stages }, version: request.version })
    }
}

fn parse_title(raw: &str) -> Result<String, String> {
    parse_name(raw, MAX_DEAL_TITLE_CHARS)
}

fn parse_date(raw: &str) -> Result<Date, String> {
    raw.trim().parse::<Date>().map_err(|_| "must be a date as YYYY-MM-DD".to_owned())
}

/// Free text, trimmed; empty means none.
fn parse_company(raw: &str) -> Result<Option<String>, String> {
    let company = raw.trim();
    if company.chars().count() > MAX_COMPANY_CHARS {
        return Err(format!("must be at most {MAX_COMPANY_CHARS} characters"));
    }
    check_controls(company, TextKind::Line)?;
    Ok((!company.is_empty()).then(|| company.to_owned()))
}

fn parse_contacts(raw: &[String]) -> Result<Vec<CustomerId>, String> {
    let mut contacts = Vec::new();
    for id in raw {
        let id: CustomerId = id.trim().parse().map_err(|_| format!("{id:?} is not a customer id"))?;
        if !contacts.contains(&id) {
            contacts.push(id);
        }
    }
    if contacts.len() > MAX_CONTACTS {
        return Err(format!("at most {MAX_CONTACTS} contacts"));
    }
    Ok(contacts)
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, String> {
    raw.trim().parse().map_err(|_| "is not a valid id".to_owned())
}

/// A new deal, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDeal {
    pub title: String,
    pub value: i64,
    pub currency: Currency,
    pub pipeline: Option<PipelineId>,
    pub stage: Option<StageId>,
    pub expected_close: Option<Date>,
    pub probability: Option<u8>,
    pub owner: Option<UserId>,
    pub contacts: Vec<CustomerId>,
    pub company: Option<String>,
    pub company_id: Option<CompanyId>,
    pub tags: Vec<String>,
}

impl TryFrom<CreateDealRequest> for NewDeal {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateDealRequest) -> Result<Self, Self::Error> {
        let linked = request.company_id.is_some();
        let (
            title,
            value,
            currency,
            pipeline,
            stage,
            expected_close,
            probability,
            owner,
            contacts,
            company,
            company_id,
            tags,
        ) = (
            field("title", parse_title(&request.title)),
            field("value", parse_value(request.value)),
            field("currency", Currency::parse(&request.currency)),
            optional_field("pipeline_id", request.pipeline_id.as_deref(), parse_id::<PipelineId>),
            optional_field("stage_id", request.stage_id.as_deref(), parse_id::<StageId>),
            optional_field("expected_close", request.expected_close.as_deref(), parse_date),
            optional_field("probability", request.probability, parse_probability),
            optional_field("owner_id", request.owner_id.as_deref(), parse_id::<UserId>),
            field("contact_ids", parse_contacts(&request.contact_ids)),
            optional_field("company", request.company.as_deref(), |raw| {
                parse_company(raw).and_then(|company| match company {
                    Some(_) if linked => Err(COMPANY_MIRRORS_LINK.to_owned()),
                    company => Ok(company),
                })
            }),
            optional_field("company_id", request.company_id.as_deref(), parse_company_id),
            field("tags", ticket::normalize_tags(&request.tags)),
        )
            .gather()?;
        Ok(NewDeal {
            title,
            value,
            currency,
            pipeline,
            stage,
            expected_close,
            probability,
            owner,
            contacts,
            company: company.flatten(),
            company_id,
            tags,
        })
    }
}

/// A change to a deal's fields; None leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeDeal {
    pub title: Option<String>,
    pub value: Option<i64>,
    pub currency: Option<Currency>,
    pub expected_close: Option<Option<Date>>,
    /// Some(None): back to the stage's probability.
    pub probability: Option<Option<u8>>,
    pub owner: Option<Option<UserId>>,
    pub contacts: Option<Vec<CustomerId>>,
    pub company: Option<Option<String>>,
    /// Some(None) unlinks.
    pub company_id: Option<Option<CompanyId>>,
    pub tags: Option<Vec<String>>,
    pub version: u64,
}

/// A field that may be absent (None), null (Some(None)) or a value to parse.
fn nullable<R, T>(
    name: &str,
    raw: Option<Option<R>>,
    parse: impl FnOnce(R) -> Result<T, String>,
) -> Result<Option<Option<T>>, FieldError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(raw)) => field(name, parse(raw)).map(|value| Some(Some(value))),
    }
}

impl TryFrom<UpdateDealRequest> for ChangeDeal {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateDealRequest) -> Result<Self, Self::Error> {
        let linking = matches!(request.company_id, Some(Some(_)));
        let (title, value, currency, expected_close, probability, owner, contacts, company, company_id, tags) = (
            optional_field("title", request.title.as_deref(), parse_title),
            optional_field("value", request.value, parse_value),
            optional_field("currency", request.currency.as_deref(), Currency::parse),
            nullable("expected_close", request.expected_close, |raw: String| parse_date(&raw)),
            nullable("probability", request.probability, parse_probability),
            nullable("owner_id", request.owner_id, |raw: String| parse_id::<UserId>(&raw)),
            optional_field("contact_ids", request.contact_ids.as_deref(), parse_contacts),
            nullable("company", request.company, |raw: String| {
                parse_company(&raw).and_then(|company| match company {
                    Some(_) if linking => Err(COMPANY_MIRRORS_LINK.to_owned()),
                    company => Ok(company),
                })
            }),
            nullable("company_id", request.company_id, |raw: String| parse_company_id(&raw)),
            optional_field("tags", request.tags.as_deref(), ticket::normalize_tags),
        )
            .gather()?;
        Ok(ChangeDeal {
            title,
            value,
            currency,
            expected_close,
            probability,
            owner,
            contacts,
            company: company.map(Option::flatten),
            company_id,
            tags,
            version: request.version,
        })
    }
}

/// A stage move, at the version the member saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoveDeal {
    pub stage: StageId,
    pub pipeline: Option<PipelineId>,
    pub version: u64,
}

impl TryFrom<MoveDealRequest> for MoveDeal {
    type Error = Vec<FieldError>;

    fn try_from(request: MoveDealRequest) -> Result<Self, Self::Error> {
        let (stage, pipeline) = (
            field("stage_id", parse_id::<StageId>(&request.stage_id)),
            optional_field("pipeline_id", request.pipeline_id.as_deref(), parse_id::<PipelineId>),
        )
            .gather()?;
        Ok(MoveDeal { stage, pipeline, version: request.version })
    }
}

/// Reopening a closed deal: in which stage (None: the one it closed in), at the version the member saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReopenDeal {
    pub stage: Option<StageId>,
    pub version: u64,
}

impl TryFrom<ReopenDealRequest> for ReopenDeal {
    type Error = Vec<FieldError>;

    fn try_from(request: ReopenDealRequest) -> Result<Self, Self::Error> {
        let (stage,) = (optional_field("stage_id", request.stage_id.as_deref(), parse_id::<StageId>),).gather()?;
        Ok(ReopenDeal { stage, version: request.version })
    }
}

/// Losing a deal: why, at the version the member saw.
#[derive(Debug, Clone, PartialEq)]
pub struct LoseDeal {
    pub reason: String,
    pub version: u64,
}

fn parse_reason(raw: &str) -> Result<String, String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err("is required: say why the deal was lost".to_owned());
    }
    if reason.chars().count() > MAX_LOST_REASON_CHARS {
        return Err(format!("must be at most {MAX_LOST_REASON_CHARS} characters"));
    }
    check_controls(reason, TextKind::Body)?;
    Ok(reason.to_owned())
}

impl TryFrom<LoseDealRequest> for LoseDeal {
    type Error = Vec<FieldError>;

    fn try_from(request: LoseDealRequest) -> Result<Self, Self::Error> {
        let (reason,) = (field("reason", parse_reason(&request.reason)),).gather()?;
        Ok(LoseDeal { reason, version: request.version })
    }
}

/// Reads a deal list's filters into the one index that answers them. Each sort has its index; a
/// filter another index holds is refused by name rather than answered by reading more than a page.
pub fn parse_deal_list(raw: &DealListQuery, caller: UserId) -> Result<DealQuery, Vec<FieldError>> {
    let number =
        |raw: &str| raw.trim().parse::<i64>().map_err(|_| "must be a whole number".to_owned()).and_then(parse_value);
    let owner = |raw: &str| member_filter(raw, caller);
    let (status, sort, pipeline, stage, owner, tag, currency, min, max, from, to) = (
        optional_field("status", raw.status.as_deref(), DealStatus::parse),
        optional_field("sort", raw.sort.as_deref(), |raw: &str| match raw.trim() {
            sort @ ("newest" | "value" | "expected_close") => Ok(sort.to_owned()),
            _ => Err("must be newest, value or expected_close".to_owned()),
        }),
        optional_field("pipeline_id", raw.pipeline_id.as_deref(), parse_id::<PipelineId>),
        optional_field("stage_id", raw.stage_id.as_deref(), parse_id::<StageId>),
        optional_field("owner_id", raw.owner_id.as_deref(), owner),
        optional_field("tag", raw.tag.as_deref(), |raw: &str| {
            ticket::normalize_tags(&[raw.to_owned()]).map(|tags| tags.into_iter().next().unwrap_or_default())
        }),
        optional_field("currency", raw.currency.as_deref(), Currency::parse),
        optional_field("min_value", raw.min_value.as_deref(), number),
        optional_field("max_value", raw.max_value.as_deref(), number),
        optional_field("close_from", raw.close_from.as_deref(), parse_date),
        optional_field("close_to", raw.close_to.as_deref(), parse_date),
    )
        .gather()?;
    let status = status.unwrap_or(DealStatus::Open);
    let sort = sort.unwrap_or_else(|| "newest".to_owned());
    let mut errors = Vec::new();
    let mut refuse = |field: &str, present: bool, message: &str| {
        if present {
            errors.push(FieldError::new(field, message));
        }
    };
    let narrowing = [("pipeline_id", pipeline.is_some()), ("stage_id", stage.is_some()), ("owner_id", owner.is_some())];
    let index = match sort.as_str() {
        "value" => {
            for (field, present) in narrowing {
                refuse(field, present, "is not offered with sort=value: the value index spans the workspace");
            }
            refuse("close_from", from.is_some(), "needs sort=expected_close");
            refuse("close_to", to.is_some(), "needs sort=expected_close");
            match currency {
                Some(currency) => {
                    let range = (min.is_some() || max.is_some())
                        .then(|| (min.unwrap_or(0), max.unwrap_or(crate::domain::deals::MAX_VALUE_MINOR)));
                    DealIndex::Value { currency, range }
                }
                None => {
                    errors.push(FieldError::new(
                        "currency",
                        "is required with sort=value: values in different currencies do not compare",
                    ));
                    DealIndex::All
                }
            }
        }
        "expected_close" => {
            for (field, present) in narrowing {
                refuse(
                    field,
                    present,
                    "is not offered with sort=expected_close: the close-date index spans the workspace",
                );
            }
            for (field, present) in
                [("currency", currency.is_some()), ("min_value", min.is_some()), ("max_value", max.is_some())]
            {
                refuse(field, present, "needs sort=value");
            }
            let range = (from.is_some() || to.is_some())
                .then(|| (from.unwrap_or(Date::constant(1, 1, 1)), to.unwrap_or(Date::constant(9999, 12, 31))));
            DealIndex::ExpectedClose { range }
        }
        _ => {
            for (field, present) in
                [("currency", currency.is_some()), ("min_value", min.is_some()), ("max_value", max.is_some())]
            {
                refuse(field, present, "needs sort=value (with a currency)");
            }
            refuse("close_from", from.is_some(), "needs sort=expected_close");
            refuse("close_to", to.is_some(), "needs sort=expected_close");
            match (pipeline, stage, owner) {
                (None, None, None) => DealIndex::All,
                (Some(pipeline), None, None) => DealIndex::Pipeline(pipeline),
                (None, Some(stage), None) => DealIndex::Stage(stage),
                (None, None, Some(owner)) => DealIndex::Owner(owner),
                _ => {
                    errors.push(FieldError::new(
                        "owner_id",
                        "combine at most one of pipeline_id, stage_id and owner_id: each is an index of its own",
                    ));
                    DealIndex::All
                }
            }
        }
    };
    if errors.is_empty() { Ok(DealQuery { index, status, tag }) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn a_deal_names_every_bad_field() {
        let request: CreateDealRequest = serde_json::from_value(serde_json::json!({
            "title": " ", "value": -5, "currency": "EURO", "stage_id": "x", "expected_close": "31/12/2026",
            "probability": 120, "contact_ids": ["nope"], "tags": [""],
        }))
        .unwrap();
        let errors = NewDeal::try_from(request).unwrap_err();
        assert_eq!(
            fields(&errors),
            ["title", "value", "currency", "stage_id", "expected_close", "probability", "contact_ids", "tags"]
        );
    }

    #[test]
    fn control_characters_are_refused_in_the_company_and_the_lost_reason() {
        let request: CreateDealRequest = serde_json::from_value(serde_json::json!({
            "title": "Renewal", "value": 100, "currency": "EUR", "company": "Acme\u{0}",
        }))
        .unwrap();
        assert_eq!(fields(&NewDeal::try_from(request).unwrap_err()), ["company"]);
        let lose = |reason: &str| LoseDeal::try_from(LoseDealRequest { reason: reason.to_owned(), version: 1 });
        assert_eq!(fields(&lose("Price\u{1b}[2J").unwrap_err()), ["reason"]);
        assert_eq!(lose("Price.\nChose a rival.").unwrap().reason, "Price.\nChose a rival.");
    }

    #[test]
    fn a_deal_keeps_its_values_and_drops_repeated_contacts() {
        let contact = CustomerId::generate();
        let request: CreateDealRequest = serde_json::from_value(serde_json::json!({
            "title": "Acme renewal", "value": 125_000, "currency": "eur", "expected_close": "2026-12-31",
            "contact_ids": [contact.to_string(), contact.to_string()], "company": "  ", "tags": ["Enterprise"],
        }))
        .unwrap();
        let deal = NewDeal::try_from(request).unwrap();
        assert_eq!((deal.currency.as_str(), deal.value), ("EUR", 125_000));
        assert_eq!(deal.contacts, [contact]);
        assert_eq!(deal.company, None, "blank company is none");
        assert_eq!(deal.tags, ["enterprise"]);
        assert_eq!(deal.expected_close, Some("2026-12-31".parse().unwrap()));
    }

    #[test]
    fn stages_are_checked_one_by_one_and_together() {
        let request: CreatePipelineRequest = serde_json::from_value(serde_json::json!({
            "name": "Enterprise",
            "stages": [
                {"name": "Discovery", "probability": 10},
                {"name": "discovery", "probability": 101, "rotting_days": 0},
            ],
        }))
        .unwrap();
        let errors = PipelineDraft::try_from(request).unwrap_err();
        assert_eq!(fields(&errors), ["stages[1].probability", "stages[1].rotting_days"]);
        let request: CreatePipelineRequest = serde_json::from_value(serde_json::json!({
            "name": "Enterprise",
            "stages": [{"name": "Discovery", "probability": 10}, {"name": "discovery", "probability": 20}],
        }))
        .unwrap();
        assert_eq!(fields(&PipelineDraft::try_from(request).unwrap_err()), ["stages[1].name"]);
        let empty: CreatePipelineRequest =
            serde_json::from_value(serde_json::json!({"name": "", "stages": []})).unwrap();
        assert_eq!(fields(&PipelineDraft::try_from(empty).unwrap_err()), ["name", "stages"]);
    }

    #[test]
    fn each_sort_reads_its_own_index_and_refuses_filters_it_cannot_answer() {
        let me = UserId::generate();
        let query = |raw: DealListQuery| parse_deal_list(&raw, me);
        let mine = query(DealListQuery { owner_id: Some("me".into()), ..Default::default() }).unwrap();
        assert_eq!((mine.index, mine.status), (DealIndex::Owner(Some(me)), DealStatus::Open));
        let by_value = query(DealListQuery {
            sort: Some("value".into()),
            currency: Some("usd".into()),
            min_value: Some("1000".into()),
            status: Some("won".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(by_value.index, DealIndex::Value { range: Some((1000, _)), .. }));
        let no_currency = query(DealListQuery { sort: Some("value".into()), ..Default::default() }).unwrap_err();
        assert_eq!(fields(&no_currency), ["currency"]);
        let mixed = query(DealListQuery {
            sort: Some("expected_close".into()),
            owner_id: Some("none".into()),
            min_value: Some("5".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&mixed), ["owner_id", "min_value"]);
        let two = query(DealListQuery {
            pipeline_id: Some(PipelineId::generate().to_string()),
            owner_id: Some("me".into()),
            ..Default::default()
        });
        assert_eq!(fields(&two.unwrap_err()), ["owner_id"]);
        let bad =
            query(DealListQuery { sort: Some("oldest".into()), status: Some("closed".into()), ..Default::default() });
        assert_eq!(fields(&bad.unwrap_err()), ["status", "sort"]);
    }

    #[test]
    fn an_update_tells_absent_from_null() {
        let request: UpdateDealRequest =
            serde_json::from_value(serde_json::json!({"probability": null, "company": "Acme", "version": 3})).unwrap();
        let change = ChangeDeal::try_from(request).unwrap();
        assert_eq!(change.probability, Some(None));
        assert_eq!(change.company, Some(Some("Acme".to_owned())));
        assert_eq!((change.owner, change.title, change.version), (None, None, 3));
    }
}
