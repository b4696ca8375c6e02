//! Lead commands: a new lead, a change to one, a merge, a note, a new status set. Whether a status is
//! in the workspace's set and whether an owner is a member need stored state: the use case checks those.

use std::collections::BTreeMap;

use super::customers::{MAX_FIELD_CHARS, attributes, optional_text};
use crate::domain::text::TextKind;
use jiff::Timestamp;

use super::ticket_actions::{MAX_BULK_LEADS, retag};
use crate::api::{
    CreateLeadRequest, CreateNoteRequest, LeadBulkRequest, LeadListParams, MergeLeadRequest, UpdateLeadRequest,
    UpdateLeadStatusesRequest,
};
use crate::domain::{
    FieldError, Gather,
    email::Email,
    field,
    ids::{LeadId, UserId, member_filter},
    leads::{LeadSource, LeadStatus, LeadStatuses, MAX_STATUS_LABEL_CHARS, Score, parse_status_key},
    optional_field, rule,
    ticket::normalize_tags,
};
use crate::storage::leads::{LeadQuery, LeadSort};

const MAX_NAME_CHARS: usize = 100;
const MAX_PHONE_CHARS: usize = 40;
pub const MAX_NOTE_CHARS: usize = 10_000;

fn name(raw: &str) -> Result<String, String> {
    optional_text(Some(raw), MAX_NAME_CHARS, TextKind::Line)?.ok_or_else(|| "must not be empty".to_owned())
}

fn optional_email(raw: Option<&str>) -> Result<Option<Email>, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => Email::parse(raw).map(Some),
    }
}

fn owner(raw: &str) -> Result<UserId, String> {
    raw.trim().parse()
}

/// A lead as given.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLead {
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: LeadSource,
    pub status: Option<String>,
    pub owner_id: Option<UserId>,
    pub tags: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub score: Option<Score>,
}

impl TryFrom<CreateLeadRequest> for NewLead {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateLeadRequest) -> Result<Self, Self::Error> {
        let (name, email, phone, company, title, source, status, owner_id, tags, attributes, score) = (
            field("name", name(&request.name)),
            field("email", optional_email(request.email.as_deref())),
            field("phone", optional_text(request.phone.as_deref(), MAX_PHONE_CHARS, TextKind::Line)),
            field("company", optional_text(request.company.as_deref(), MAX_FIELD_CHARS, TextKind::Line)),
            field("title", optional_text(request.title.as_deref(), MAX_FIELD_CHARS, TextKind::Line)),
            field("source", request.source.as_deref().map_or(Ok(LeadSource::Manual), LeadSource::parse)),
            optional_field("status", request.status.as_deref(), parse_status_key),
            optional_field("owner_id", request.owner_id.as_deref(), owner),
            field("tags", normalize_tags(&request.tags.unwrap_or_default())),
            field("attributes", attributes(&request.attributes.unwrap_or_default())),
            optional_field("score", request.score, Score::parse),
        )
            .gather()?;
        Ok(NewLead { name, email, phone, company, title, source, status, owner_id, tags, attributes, score })
    }
}

/// A change to a lead: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeLead {
    pub name: Option<String>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<String>>,
    pub company: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub source: Option<LeadSource>,
    pub status: Option<String>,
    pub owner_id: Option<Option<UserId>>,
    pub tags: Option<Vec<String>>,
    pub attributes: Option<BTreeMap<String, String>>,
    pub score: Option<Option<Score>>,
    pub version: Option<u64>,
}

impl TryFrom<UpdateLeadRequest> for ChangeLead {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateLeadRequest) -> Result<Self, Self::Error> {
        let text = |name: &'static str, raw: Option<Option<String>>, max: usize| {
            optional_field(name, raw, move |raw| optional_text(raw.as_deref(), max, TextKind::Line))
        };
        let (name, email, phone, company, title, source, status, owner_id, tags, attributes, score) = (
            optional_field("name", request.name.as_deref(), name),
            optional_field("email", request.email, |raw| optional_email(raw.as_deref())),
            text("phone", request.phone, MAX_PHONE_CHARS),
            text("company", request.company, MAX_FIELD_CHARS),
            text("title", request.title, MAX_FIELD_CHARS),
            optional_field("source", request.source.as_deref(), LeadSource::parse),
            optional_field("status", request.status.as_deref(), parse_status_key),
            optional_field("owner_id", request.owner_id, |raw| raw.as_deref().map(owner).transpose()),
            optional_field("tags", request.tags.as_deref(), normalize_tags),
            optional_field("attributes", request.attributes.as_ref(), attributes),
            optional_field("score", request.score, |raw| raw.map(Score::parse).transpose()),
        )
            .gather()?;
        Ok(ChangeLead {
            name,
            email,
            phone,
            company,
            title,
            source,
            status,
            owner_id,
            tags,
            attributes,
            score,
            version: request.version,
        })
    }
}

/// One change made to many leads, each at the version the caller saw.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadBulkChange {
    pub leads: Vec<(LeadId, u64)>,
    pub status: Option<String>,
    pub owner_id: Option<Option<UserId>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
}

impl LeadBulkChange {
    /// The lead's tags after this change.
    pub fn tags_for(&self, current: &[String]) -> Option<Vec<String>> {
        retag(current, &self.add_tags, &self.remove_tags)
    }
}

fn bulk_leads(leads: &[crate::api::LeadVersionRef]) -> Result<Vec<(LeadId, u64)>, Vec<FieldError>> {
    if leads.is_empty() || leads.len() > MAX_BULK_LEADS {
        return Err(vec![FieldError::new("leads", format!("must list 1 to {MAX_BULK_LEADS} leads"))]);
    }
    let mut errors = Vec::new();
    let mut parsed: Vec<(LeadId, u64)> = Vec::new();
    for (index, reference) in leads.iter().enumerate() {
        match reference.id.trim().parse::<LeadId>() {
            Ok(id) if parsed.iter().any(|(seen, _)| *seen == id) => {
                errors.push(FieldError::new(format!("leads[{index}].id"), "is listed twice"));
            }
            Ok(id) => parsed.push((id, reference.version)),
            Err(message) => errors.push(FieldError::new(format!("leads[{index}].id"), message)),
        }
    }
    if errors.is_empty() { Ok(parsed) } else { Err(errors) }
}

impl TryFrom<LeadBulkRequest> for LeadBulkChange {
    type Error = Vec<FieldError>;

    fn try_from(request: LeadBulkRequest) -> Result<Self, Self::Error> {
        let changes = request.changes;
        let nothing = changes.status.is_none()
            && changes.owner_id.is_none()
            && changes.add_tags.as_ref().is_none_or(Vec::is_empty)
            && changes.remove_tags.as_ref().is_none_or(Vec::is_empty);
        let (leads, status, owner_id, add_tags, remove_tags, ()) = (
            bulk_leads(&request.leads),
            optional_field("changes.status", changes.status.as_deref(), parse_status_key),
            optional_field("changes.owner_id", changes.owner_id, |raw| raw.as_deref().map(owner).transpose()),
            optional_field("changes.add_tags", changes.add_tags.as_deref(), normalize_tags),
            optional_field("changes.remove_tags", changes.remove_tags.as_deref(), normalize_tags),
            rule("changes", !nothing, "must change something: status, owner_id, add_tags or remove_tags"),
        )
            .gather()?;
        Ok(LeadBulkChange {
            leads,
            status,
            owner_id,
            add_tags: add_tags.unwrap_or_default(),
            remove_tags: remove_tags.unwrap_or_default(),
        })
    }
}

/// Which lead to merge into the survivor: another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeLead {
    pub survivor: LeadId,
    pub duplicate: LeadId,
}

impl MergeLead {
    pub fn parse(survivor: LeadId, request: &MergeLeadRequest) -> Result<Self, Vec<FieldError>> {
        let duplicate: LeadId = request
            .duplicate_id
            .trim()
            .parse()
            .map_err(|message: String| vec![FieldError::new("duplicate_id", message)])?;
        if duplicate == survivor {
            return Err(vec![FieldError::new("duplicate_id", "must be another lead: a lead cannot absorb itself")]);
        }
        Ok(MergeLead { survivor, duplicate })
    }
}

/// A note's text: trimmed, 1 to 10,000 characters, no control characters but tabs and line breaks.
pub fn note_body(request: &CreateNoteRequest) -> Result<String, Vec<FieldError>> {
    field("body", optional_text(Some(&request.body), MAX_NOTE_CHARS, TextKind::Body))
        .and_then(|body| body.ok_or_else(|| FieldError::new("body", "must not be empty")))
        .map_err(|error| vec![error])
}

/// A new status set, and the version it replaces.
pub fn lead_statuses(request: UpdateLeadStatusesRequest) -> Result<(LeadStatuses, u64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut statuses = Vec::new();
    for (index, status) in request.statuses.into_iter().enumerate() {
        let key = field(&format!("statuses[{index}].key"), parse_status_key(&status.key));
        let label = field(
            &format!("statuses[{index}].label"),
            optional_text(Some(&status.label), MAX_STATUS_LABEL_CHARS, TextKind::Line)
                .and_then(|label| label.ok_or_else(|| "must not be empty".to_owned())),
        );
        match (key, label).gather() {
            Ok((key, label)) => statuses.push(LeadStatus { key, label, meaning: status.meaning }),
            Err(bad) => errors.extend(bad),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    LeadStatuses::new(statuses)
        .map(|statuses| (statuses, request.version))
        .map_err(|message| vec![FieldError::new("statuses", message)])
}

fn instant(raw: &str) -> Result<Timestamp, String> {
    raw.trim().parse().map_err(|_| "must be an RFC 3339 instant, e.g. 2026-12-01T00:00:00Z".to_owned())
}

/// A lead listing as asked: filters, range and sort, for `caller` (`owner=me`). Combinations no index
/// answers are refused here, naming the field (docs/data-model.md says why).
pub fn lead_query(params: &LeadListParams, caller: UserId) -> Result<LeadQuery, Vec<FieldError>> {
    let owner = |raw: &str| member_filter(raw, caller);
    let sort = |raw: &str| match raw.trim() {
        "newest" => Ok(LeadSort::Newest),
        "score" => Ok(LeadSort::Score),
        _ => Err("must be newest or score".to_owned()),
    };
    let tag = |raw: &str| normalize_tags(&[raw.to_owned()]).map(|mut tags| tags.remove(0));
    let (status, owner, source, tag, created_from, created_to, sort) = (
        optional_field("status", params.status.as_deref(), parse_status_key),
        optional_field("owner", params.owner.as_deref(), owner),
        optional_field("source", params.source.as_deref(), LeadSource::parse),
        optional_field("tag", params.tag.as_deref(), tag),
        optional_field("created_from", params.created_from.as_deref(), instant),
        optional_field("created_to", params.created_to.as_deref(), instant),
        field("sort", params.sort.as_deref().map_or(Ok(LeadSort::Newest), sort)),
    )
        .gather()?;
    let ranged = created_from.is_some() || created_to.is_some();
    (
        rule(
            "sort",
            !(ranged && sort == LeadSort::Score),
            "a created range lists newest first only: the score order has no index by creation time",
        ),
        rule(
            "created_to",
            created_from.zip(created_to).is_none_or(|(from, to)| from <= to),
            "must not be before created_from",
        ),
    )
        .gather()?;
    Ok(LeadQuery { status, owner, source, tag, created_from, created_to, sort })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn a_new_lead_names_every_bad_field() {
        let request = json!({
            "name": " ", "email": "nope", "phone": "1".repeat(41), "company": "c".repeat(201),
            "title": "t".repeat(201), "source": "fax", "status": "Hot Lead", "owner_id": "me",
            "tags": [""], "attributes": {" ": "v"}, "score": 101,
        });
        let errors = NewLead::try_from(serde_json::from_value::<CreateLeadRequest>(request).unwrap()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                "name",
                "email",
                "phone",
                "company",
                "title",
                "source",
                "status",
                "owner_id",
                "tags",
                "attributes",
                "score"
            ]
        );
    }

    #[test]
    fn a_new_lead_is_manual_with_normalised_tags_by_default() {
        let request = json!({"name": " Ada ", "email": "Ada@Example.com", "tags": ["VIP", "vip"], "score": 70});
        let lead = NewLead::try_from(serde_json::from_value::<CreateLeadRequest>(request).unwrap()).unwrap();
        assert_eq!(lead.name, "Ada");
        assert_eq!(lead.email.unwrap().as_str(), "ada@example.com");
        assert_eq!(lead.source, LeadSource::Manual);
        assert_eq!(lead.tags, ["vip"]);
        assert_eq!(lead.score.unwrap().value(), 70);
    }

    #[test]
    fn a_change_clears_with_null_and_releases_the_owner() {
        let change = |body| ChangeLead::try_from(serde_json::from_value::<UpdateLeadRequest>(body).unwrap());
        let command = change(json!({"owner_id": null, "score": null, "email": null, "version": 3})).unwrap();
        assert_eq!((command.owner_id, command.score, command.email), (Some(None), Some(None), Some(None)));
        assert_eq!(command.version, Some(3));
        assert_eq!(command.name, None);
        assert_eq!(
            fields(&change(json!({"name": "", "score": -1, "source": "x"})).unwrap_err()),
            ["name", "source", "score"]
        );
    }

    #[test]
    fn a_listing_refuses_what_no_index_answers() {
        let me = UserId::generate();
        let params = LeadListParams {
            created_from: Some("2026-12-01T00:00:00Z".into()),
            sort: Some("score".into()),
            ..LeadListParams::default()
        };
        assert_eq!(fields(&lead_query(&params, me).unwrap_err()), ["sort"]);
        let backwards = LeadListParams {
            created_from: Some("2026-12-02T00:00:00Z".into()),
            created_to: Some("2026-12-01T00:00:00Z".into()),
            ..LeadListParams::default()
        };
        assert_eq!(fields(&lead_query(&backwards, me).unwrap_err()), ["created_to"]);
        let bad = LeadListParams {
            owner: Some("someone".into()),
            source: Some("fax".into()),
            created_to: Some("yesterday".into()),
            sort: Some("oldest".into()),
            ..LeadListParams::default()
        };
        assert_eq!(fields(&lead_query(&bad, me).unwrap_err()), ["owner", "source", "created_to", "sort"]);
        let mine = LeadListParams { owner: Some("me".into()), tag: Some("VIP".into()), ..LeadListParams::default() };
        let query = lead_query(&mine, me).unwrap();
        assert_eq!((query.owner, query.tag.as_deref()), (Some(Some(me)), Some("vip")));
    }

    #[test]
    fn a_lead_cannot_absorb_itself() {
        let id = LeadId::generate();
        let errors = MergeLead::parse(id, &MergeLeadRequest { duplicate_id: id.to_string() }).unwrap_err();
        assert_eq!(fields(&errors), ["duplicate_id"]);
        assert!(MergeLead::parse(id, &MergeLeadRequest { duplicate_id: "x".into() }).is_err());
    }

    #[test]
    fn a_status_set_names_bad_keys_and_broken_meanings() {
        let request = |statuses| {
            serde_json::from_value::<UpdateLeadStatusesRequest>(json!({"statuses": statuses, "version": 0})).unwrap()
        };
        let bad = lead_statuses(request(json!([{"key": "Bad Key", "label": "", "meaning": "open"}]))).unwrap_err();
        assert_eq!(fields(&bad), ["statuses[0].key", "statuses[0].label"]);
        let broken = lead_statuses(request(json!([
            {"key": "a", "label": "A", "meaning": "open"},
            {"key": "b", "label": "B", "meaning": "open"},
            {"key": "c", "label": "C", "meaning": "converted"},
        ])))
        .unwrap_err();
        assert_eq!(fields(&broken), ["statuses"]);
        assert!(broken[0].message.contains("unqualified"));
    }

    #[test]
    fn control_characters_are_refused_in_lead_lines_and_notes_keep_tabs_and_line_breaks() {
        let request = json!({
            "name": "Ada\u{0}", "phone": "+44\u{1b}[2J", "company": "Acme\nLtd", "title": "CTO",
            "attributes": {"plan": "gold\u{7}"},
        });
        let errors = NewLead::try_from(serde_json::from_value::<CreateLeadRequest>(request).unwrap()).unwrap_err();
        assert_eq!(fields(&errors), ["name", "phone", "company", "attributes"]);
        assert!(errors.iter().all(|error| error.message.contains("control characters")), "{errors:?}");

        let note = |body: &str| note_body(&CreateNoteRequest { body: body.to_owned() });
        assert_eq!(note("Called.\r\n\tWants a demo.").unwrap(), "Called.\r\n\tWants a demo.");
        assert_eq!(fields(&note("Called\u{0}").unwrap_err()), ["body"]);

        let statuses = serde_json::from_value::<UpdateLeadStatusesRequest>(json!({"version": 0, "statuses": [
            {"key": "new", "label": "New\u{0}", "meaning": "open"},
        ]}))
        .unwrap();
        assert_eq!(fields(&lead_statuses(statuses).unwrap_err()), ["statuses[0].label"]);
    }
}
