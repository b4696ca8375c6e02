//! Commands that act on several tickets or across tickets: a bulk change, a merge, followers and CC.

use crate::api::{BulkUpdateRequest, FollowersRequest, MergeTicketRequest};
use crate::domain::{
    FieldError, Gather,
    email::Email,
    field,
    ids::{TicketId, UserId},
    optional_field, rule,
    ticket::{self, Priority, Status},
};

/// The most tickets one bulk action takes.
pub const MAX_BULK_TICKETS: usize = 100;
/// The most leads one bulk action takes.
pub const MAX_BULK_LEADS: usize = 100;
pub const MAX_FOLLOWERS: usize = 50;
pub const MAX_CC: usize = 20;

/// One change made to many tickets, each at the version the caller saw.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkChange {
    pub tickets: Vec<(TicketId, u64)>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee: Option<Option<UserId>>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
}

impl BulkChange {
    /// The ticket's tags after this change.
    pub fn tags_for(&self, current: &[String]) -> Option<Vec<String>> {
        retag(current, &self.add_tags, &self.remove_tags)
    }
}

/// Tags after adding and removing some, without repeats; `None` when nothing is added or removed.
pub fn retag(current: &[String], add: &[String], remove: &[String]) -> Option<Vec<String>> {
    if add.is_empty() && remove.is_empty() {
        return None;
    }
    let mut tags: Vec<String> = current.iter().filter(|tag| !remove.contains(tag)).cloned().collect();
    tags.extend(add.iter().filter(|tag| !tags.contains(tag)).cloned().collect::<Vec<_>>());
    Some(tags)
}

fn parse_tickets(tickets: &[crate::api::TicketVersionRef]) -> Result<Vec<(TicketId, u64)>, Vec<FieldError>> {
    if tickets.is_empty() || tickets.len() > MAX_BULK_TICKETS {
        return Err(vec![FieldError::new("tickets", format!("must list 1 to {MAX_BULK_TICKETS} tickets"))]);
    }
    let mut errors = Vec::new();
    let mut parsed: Vec<(TicketId, u64)> = Vec::new();
    for (index, reference) in tickets.iter().enumerate() {
        match reference.id.parse::<TicketId>() {
            Ok(id) if parsed.iter().any(|(seen, _)| *seen == id) => {
                errors.push(FieldError::new(format!("tickets[{index}].id"), "is listed twice"));
            }
            Ok(id) => parsed.push((id, reference.version)),
            Err(message) => errors.push(FieldError::new(format!("tickets[{index}].id"), message)),
        }
    }
    if errors.is_empty() { Ok(parsed) } else { Err(errors) }
}

impl TryFrom<BulkUpdateRequest> for BulkChange {
    type Error = Vec<FieldError>;

    fn try_from(request: BulkUpdateRequest) -> Result<Self, Self::Error> {
        let changes = request.changes;
        let assignee = match &changes.assignee_id {
            None => Ok(None),
            Some(None) => Ok(Some(None)),
            Some(Some(raw)) => field("changes.assignee_id", raw.parse::<UserId>()).map(|user| Some(Some(user))),
        };
        let nothing = changes.status.is_none()
            && changes.priority.is_none()
            && changes.assignee_id.is_none()
            && changes.add_tags.as_ref().is_none_or(Vec::is_empty)
            && changes.remove_tags.as_ref().is_none_or(Vec::is_empty);
        let (tickets, status, priority, assignee, add_tags, remove_tags, ()) = (
            parse_tickets(&request.tickets),
            optional_field("changes.status", changes.status.as_deref(), Status::parse),
            optional_field("changes.priority", changes.priority.as_deref(), Priority::parse),
            assignee,
            optional_field("changes.add_tags", changes.add_tags.as_deref(), ticket::normalize_tags),
            optional_field("changes.remove_tags", changes.remove_tags.as_deref(), ticket::normalize_tags),
            rule("changes", !nothing, "must change something: status, priority, assignee_id, add_tags or remove_tags"),
        )
            .gather()?;
        Ok(BulkChange {
            tickets,
            status,
            priority,
            assignee,
            add_tags: add_tags.unwrap_or_default(),
            remove_tags: remove_tags.unwrap_or_default(),
        })
    }
}

/// A duplicate to merge into a target, each at the version the caller saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeTickets {
    pub duplicate: TicketId,
    pub version: u64,
    pub target: TicketId,
    pub target_version: u64,
}

impl MergeTickets {
    pub fn parse(duplicate: TicketId, request: &MergeTicketRequest) -> Result<Self, Vec<FieldError>> {
        let target = field("into", request.into.parse::<TicketId>()).map_err(|error| vec![error])?;
        rule("into", target != duplicate, "must be another ticket: a ticket cannot merge into itself")
            .map_err(|error| vec![error])?;
        Ok(MergeTickets { duplicate, version: request.version, target, target_version: request.target_version })
    }
}

/// A ticket's whole follower and CC lists.
#[derive(Debug, Clone, PartialEq)]
pub struct SetFollowers {
    pub version: u64,
    pub followers: Vec<UserId>,
    pub cc: Vec<Email>,
}

fn each<T: PartialEq>(
    name: &str,
    raw: &[String],
    max: usize,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, Vec<FieldError>> {
    if raw.len() > max {
        return Err(vec![FieldError::new(name, format!("must list at most {max}"))]);
    }
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (index, raw) in raw.iter().enumerate() {
        match parse(raw) {
            Ok(value) if !values.contains(&value) => values.push(value),
            Ok(_) => {}
            Err(message) => errors.push(FieldError::new(format!("{name}[{index}]"), message)),
        }
    }
    if errors.is_empty() { Ok(values) } else { Err(errors) }
}

impl TryFrom<FollowersRequest> for SetFollowers {
    type Error = Vec<FieldError>;

    fn try_from(request: FollowersRequest) -> Result<Self, Self::Error> {
        let (followers, cc) = (
            each("followers", &request.followers, MAX_FOLLOWERS, |raw| raw.trim().parse::<UserId>()),
            each("cc", &request.cc, MAX_CC, Email::parse),
        )
            .gather()?;
        Ok(SetFollowers { version: request.version, followers, cc })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(body: serde_json::Value) -> Result<BulkChange, Vec<FieldError>> {
        BulkChange::try_from(serde_json::from_value::<BulkUpdateRequest>(body).expect("request shape"))
    }

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    #[test]
    fn a_bulk_change_names_each_bad_ticket_and_field() {
        let id = TicketId::generate().to_string();
        let errors = bulk(serde_json::json!({
            "tickets": [{"id": id, "version": 1}, {"id": "nope", "version": 1}, {"id": id, "version": 2}],
            "changes": {"status": "done", "assignee_id": "x"},
        }))
        .unwrap_err();
        assert_eq!(fields(&errors), ["tickets[1].id", "tickets[2].id", "changes.status", "changes.assignee_id"]);
        assert_eq!(errors[1].message, "is listed twice");
        let errors = bulk(serde_json::json!({"tickets": [], "changes": {}})).unwrap_err();
        assert_eq!(fields(&errors), ["tickets", "changes"]);
    }

    #[test]
    fn bulk_tags_are_added_and_removed_without_repeats() {
        let change = bulk(serde_json::json!({
            "tickets": [{"id": TicketId::generate().to_string(), "version": 3}],
            "changes": {"add_tags": ["VIP", "billing"], "remove_tags": ["old"], "assignee_id": null},
        }))
        .unwrap();
        assert_eq!(change.assignee, Some(None));
        let current = ["old".to_owned(), "billing".to_owned()];
        assert_eq!(change.tags_for(&current), Some(vec!["billing".to_owned(), "vip".to_owned()]));
    }

    #[test]
    fn a_ticket_merges_into_another_one() {
        let duplicate = TicketId::generate();
        let request = |into: String| MergeTicketRequest { into, version: 1, target_version: 1 };
        let errors = MergeTickets::parse(duplicate, &request(duplicate.to_string())).unwrap_err();
        assert_eq!(fields(&errors), ["into"]);
        assert_eq!(fields(&MergeTickets::parse(duplicate, &request("x".into())).unwrap_err()), ["into"]);
    }

    #[test]
    fn followers_and_cc_are_checked_one_by_one() {
        let member = UserId::generate().to_string();
        let request = FollowersRequest {
            version: 1,
            followers: vec![member.clone(), member, "bad".into()],
            cc: vec!["a@b.co".into(), "nope".into()],
        };
        let errors = SetFollowers::try_from(request).unwrap_err();
        assert_eq!(fields(&errors), ["followers[2]", "cc[1]"]);
    }
}
