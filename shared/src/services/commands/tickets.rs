//! Ticket commands: opening a ticket, changing one, adding a message, and the inbox's filters.

use serde_json::Value;

use crate::api::{CreateMessageRequest, CreateTicketRequest, CustomerInput, UpdateTicketRequest};
use crate::domain::text::{TextKind, check_controls};
use crate::domain::{
    FieldError, Gather,
    email::Email,
    field,
    ids::{AttachmentId, CustomerId, UserId},
    optional_field, rule,
    ticket::{self, Author, Priority, Status},
};
use crate::services::handoff;

pub const MAX_CATEGORY_CHARS: usize = 64;
pub const MAX_CHANNEL_CHARS: usize = 32;
const MAX_CUSTOMER_NAME_CHARS: usize = 100;

fn parse_label(raw: &str, max: usize) -> Result<String, String> {
    let label = raw.trim();
    if label.is_empty() {
        return Err("must not be empty (use null to clear it)".to_owned());
    }
    if label.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    check_controls(label, TextKind::Line)?;
    Ok(label.to_owned())
}

/// A field whose `null` clears it: absent → None, null → Some(None), a value → Some(Some(parsed)).
fn clearable<T>(
    name: &str,
    raw: &Option<Option<String>>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<Option<T>>, FieldError> {
    match raw {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(raw)) => field(name, parse(raw)).map(|value| Some(Some(value))),
    }
}

/// Whose ticket it is: a customer given by id, or found (or created) by e-mail.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomerWanted {
    ById(CustomerId),
    ByEmail { email: Email, name: Option<String> },
}

impl CustomerWanted {
    fn parse(customer: Option<&CustomerInput>, customer_id: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let error = |name: &str, message: &str| vec![FieldError::new(name, message)];
        match (customer, customer_id) {
            (Some(_), Some(_)) => Err(error("customer", "give either customer or customer_id, not both")),
            (None, None) => Err(error("customer", "is required (or give customer_id)")),
            (None, Some(id)) => {
                id.parse().map(CustomerWanted::ById).map_err(|message: String| error("customer_id", &message))
            }
            (Some(input), None) => {
                let (email, name) = (
                    field("customer.email", Email::parse(&input.email)),
                    optional_field("customer.name", input.name.as_deref(), |raw| {
                        parse_label(raw, MAX_CUSTOMER_NAME_CHARS)
                    }),
                )
                    .gather()?;
                Ok(CustomerWanted::ByEmail { email, name })
            }
        }
    }
}

/// A ticket to open. Category and subcategory are well-formed labels; whether they belong to the
/// workspace's taxonomy is the use case's check.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTicket {
    pub subject: String,
    /// The customer's words: the first message.
    pub body: String,
    pub priority: Priority,
    pub category: Option<String>,
    pub subcategory: Option<String>,
    pub tags: Vec<String>,
    pub channel: String,
    pub customer: CustomerWanted,
}

impl TryFrom<CreateTicketRequest> for OpenTicket {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateTicketRequest) -> Result<Self, Self::Error> {
        let category =
            optional_field("category", request.category.as_deref(), |raw| parse_label(raw, MAX_CATEGORY_CHARS));
        let subcategory =
            optional_field("subcategory", request.subcategory.as_deref(), |raw| parse_label(raw, MAX_CATEGORY_CHARS));
        let has_subcategory = matches!(subcategory, Ok(Some(_)));
        let (subject, body, priority, category, subcategory, (), tags, channel, customer) = (
            field("subject", ticket::parse_subject(&request.subject)),
            field("body", ticket::parse_body(&request.body)),
            optional_field("priority", request.priority.as_deref(), Priority::parse),
            category,
            subcategory,
            rule("subcategory", !has_subcategory || request.category.is_some(), "needs a category"),
            optional_field("tags", request.tags.as_deref(), ticket::normalize_tags),
            optional_field("channel", request.channel.as_deref(), |raw| {
                parse_label(raw, MAX_CHANNEL_CHARS).map(|channel| channel.to_lowercase())
            }),
            CustomerWanted::parse(request.customer.as_ref(), request.customer_id.as_deref()),
        )
            .gather()?;
        Ok(OpenTicket {
            subject,
            body,
            priority: priority.unwrap_or(Priority::Normal),
            category,
            subcategory,
            tags: tags.unwrap_or_default(),
            channel: channel.unwrap_or_else(|| "api".to_owned()),
            customer,
        })
    }
}

/// A change to a ticket, based on the version the caller saw. `None` leaves a field as it is; for
/// assignee, category and subcategory `Some(None)` clears it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeTicket {
    pub version: u64,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub assignee: Option<Option<UserId>>,
    pub category: Option<Option<String>>,
    pub subcategory: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    /// The note for the new assignee; only with a reassignment to a member.
    pub handoff: Option<Value>,
}

impl ChangeTicket {
    /// The version comes from the body or, failing that, from `If-Match`.
    pub fn parse(request: UpdateTicketRequest, if_match: Option<u64>) -> Result<Self, Vec<FieldError>> {
        let assignee = clearable("assignee_id", &request.assignee_id, str::parse);
        let reassigned = matches!(assignee, Ok(Some(Some(_))));
        let (version, status, priority, assignee, category, subcategory, tags, handoff, ()) = (
            request
                .version
                .or(if_match)
                .ok_or_else(|| FieldError::new("version", "is required: send the version you saw (or If-Match)")),
            optional_field("status", request.status.as_deref(), Status::parse),
            optional_field("priority", request.priority.as_deref(), Priority::parse),
            assignee,
            clearable("category", &request.category, |raw| parse_label(raw, MAX_CATEGORY_CHARS)),
            clearable("subcategory", &request.subcategory, |raw| parse_label(raw, MAX_CATEGORY_CHARS)),
            optional_field("tags", request.tags.as_deref(), ticket::normalize_tags),
            optional_field("handoff", request.handoff.as_ref(), handoff::parse),
            rule(
                "handoff",
                request.handoff.is_none() || reassigned,
                "goes with a reassignment: set assignee_id to a member",
            ),
        )
            .gather()?;
        Ok(ChangeTicket { version, status, priority, assignee, category, subcategory, tags, handoff })
    }
}

/// A reply or an internal note.
#[derive(Debug, Clone, PartialEq)]
pub struct AddMessage {
    pub body: String,
    pub author: Author,
    pub internal: bool,
    pub draft_version: Option<u64>,
    pub confirm: bool,
    pub attachment_ids: Vec<AttachmentId>,
}

/// The most files one reply carries.
pub const MAX_REPLY_FILES: usize = 10;

impl TryFrom<CreateMessageRequest> for AddMessage {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateMessageRequest) -> Result<Self, Self::Error> {
        let author = field(
            "author",
            match request.author.as_deref() {
                None | Some("agent") => Ok(Author::Agent),
                Some("customer") => Ok(Author::Customer),
                Some(_) => Err("must be one of agent, customer".to_owned()),
            },
        );
        let by_customer = matches!(author, Ok(Author::Customer));
        let mut attachment_ids: Vec<AttachmentId> = Vec::new();
        for id in &request.attachment_ids {
            if !attachment_ids.contains(id) {
                attachment_ids.push(*id);
            }
        }
        let files_allowed = if attachment_ids.is_empty() {
            Ok(())
        } else if request.internal || by_customer {
            Err("only a reply to the customer carries files (attach them to the ticket instead)".to_owned())
        } else if attachment_ids.len() > MAX_REPLY_FILES {
            Err(format!("must be at most {MAX_REPLY_FILES} files"))
        } else {
            Ok(())
        };
        let (body, author, (), ()) = (
            field("body", ticket::parse_body(&request.body)),
            author,
            rule("internal", !(by_customer && request.internal), "customers cannot write internal notes"),
            field("attachment_ids", files_allowed),
        )
            .gather()?;
        Ok(AddMessage {
            body,
            author,
            internal: request.internal,
            draft_version: request.draft_version,
            confirm: request.confirm,
            attachment_ids,
        })
    }
}

/// The inbox query string, as sent.
#[derive(Debug, Default)]
pub struct InboxQuery {
    pub view: Option<String>,
    pub sort: Option<String>,
    pub status: Option<String>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub assignee: Option<String>,
    pub customer: Option<String>,
    /// A ticket number, `1042`.
    pub number: Option<String>,
    /// A search; for now a ticket number as shown, `#1042`.
    pub q: Option<String>,
}

/// A ticket number as a member types it: `1042` (`number`) or `#1042` (`q`).
fn ticket_number(number: Option<&str>, q: Option<&str>) -> Result<Option<u64>, FieldError> {
    let parse = |raw: &str| raw.trim().parse::<u64>().ok().filter(|number| *number > 0);
    match (number, q) {
        (Some(raw), _) => parse(raw)
            .map(Some)
            .ok_or_else(|| FieldError::new("number", "must be a ticket number, a whole number from 1 (e.g. 1042)")),
        (None, Some(raw)) => parse(raw.trim().trim_start_matches('#'))
            .map(Some)
            .ok_or_else(|| FieldError::new("q", "searches ticket numbers only for now, e.g. #1042")),
        (None, None) => Ok(None),
    }
}

/// Which tickets an inbox view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxView {
    Open,
    Unassigned,
    Mine,
    Solved,
}

impl InboxView {
    fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "open" => Ok(InboxView::Open),
            "unassigned" => Ok(InboxView::Unassigned),
            "mine" => Ok(InboxView::Mine),
            "solved" => Ok(InboxView::Solved),
            _ => Err("must be one of open, unassigned, mine, solved".to_owned()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InboxView::Open => "open",
            InboxView::Unassigned => "unassigned",
            InboxView::Mine => "mine",
            InboxView::Solved => "solved",
        }
    }

    /// Every view but `solved` shows tickets that still need work.
    pub fn unresolved(self) -> bool {
        self != InboxView::Solved
    }
}

/// An inbox listing: a view, its order, and the filters that narrow it. A status filter always fits
/// the view.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxFilter {
    pub view: InboxView,
    /// Most urgent first (then newest update), instead of newest update first.
    pub by_priority: bool,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub assignee: Option<UserId>,
    pub customer: Option<CustomerId>,
    /// One ticket by its number, whatever the view and the other filters.
    pub number: Option<u64>,
}

impl TryFrom<InboxQuery> for InboxFilter {
    type Error = Vec<FieldError>;

    fn try_from(query: InboxQuery) -> Result<Self, Self::Error> {
        let (view, by_priority, status, priority, assignee, customer, tag, number) = (
            field("view", InboxView::parse(query.view.as_deref().unwrap_or("open"))),
            field(
                "sort",
                match query.sort.as_deref().unwrap_or("updated") {
                    "updated" => Ok(false),
                    "priority" => Ok(true),
                    _ => Err("must be one of updated, priority".to_owned()),
                },
            ),
            optional_field("status", query.status.as_deref(), Status::parse),
            optional_field("priority", query.priority.as_deref(), Priority::parse),
            optional_field("assignee", query.assignee.as_deref(), str::parse),
            optional_field("customer", query.customer.as_deref(), str::parse),
            optional_field("tag", query.tag.as_deref(), |raw| {
                ticket::normalize_tags(&[raw.to_owned()]).map(|mut tags| tags.remove(0))
            }),
            ticket_number(query.number.as_deref(), query.q.as_deref()),
        )
            .gather()?;
        if let Some(status) = status
            && status.is_unresolved() != view.unresolved()
        {
            return Err(vec![FieldError::new(
                "status",
                format!("{} tickets are not in the {} view", status.as_str(), view.as_str()),
            )]);
        }
        Ok(InboxFilter {
            view,
            by_priority,
            status,
            priority,
            category: query.category,
            tag,
            assignee,
            customer,
            number,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|error| error.field.as_str()).collect()
    }

    fn open(body: serde_json::Value) -> Result<OpenTicket, Vec<FieldError>> {
        OpenTicket::try_from(serde_json::from_value::<CreateTicketRequest>(body).expect("request shape"))
    }

    #[test]
    fn a_ticket_to_open_gets_the_defaults() {
        let command = open(json!({"subject": " Printer on fire ", "body": "Help", "customer": {"email": "a@b.co"}}))
            .expect("valid request");
        assert_eq!(command.subject, "Printer on fire");
        assert_eq!((command.priority, command.channel.as_str()), (Priority::Normal, "api"));
        assert!(command.tags.is_empty());
        assert!(matches!(command.customer, CustomerWanted::ByEmail { name: None, .. }));
    }

    #[test]
    fn opening_names_every_bad_field_at_once() {
        let errors = open(json!({
            "subject": " ", "body": "", "priority": "asap", "category": " ", "tags": [""], "channel": "\u{7}",
            "customer": {"email": "nope", "name": "x".repeat(101)},
        }))
        .unwrap_err();
        assert_eq!(
            fields(&errors),
            ["subject", "body", "priority", "category", "tags", "channel", "customer.email", "customer.name"]
        );
        assert_eq!(errors[0].message, "is required");
        assert_eq!(errors[2].message, "must be one of low, normal, high, urgent");
    }

    #[test]
    fn a_subcategory_needs_a_category_and_a_customer_is_given_once() {
        let errors =
            open(json!({"subject": "s", "body": "b", "subcategory": "Refunds", "customer_id": "x", "customer": {"email": "a@b.co"}}))
                .unwrap_err();
        assert_eq!(fields(&errors), ["subcategory", "customer"]);
        assert_eq!(errors[0].message, "needs a category");
        assert_eq!(errors[1].message, "give either customer or customer_id, not both");
        let errors = open(json!({"subject": "s", "body": "b"})).unwrap_err();
        assert_eq!(errors, [FieldError::new("customer", "is required (or give customer_id)")]);
    }

    fn change(body: serde_json::Value, if_match: Option<u64>) -> Result<ChangeTicket, Vec<FieldError>> {
        ChangeTicket::parse(serde_json::from_value(body).expect("request shape"), if_match)
    }

    #[test]
    fn a_change_takes_its_version_from_the_body_or_if_match() {
        assert_eq!(change(json!({"version": 3}), Some(9)).unwrap().version, 3);
        assert_eq!(change(json!({}), Some(9)).unwrap().version, 9);
        let errors = change(json!({"status": "done"}), None).unwrap_err();
        assert_eq!(fields(&errors), ["version", "status"]);
    }

    #[test]
    fn null_clears_and_absent_keeps() {
        let command = change(json!({"version": 1, "assignee_id": null, "category": null}), None).unwrap();
        assert_eq!((command.assignee, command.category, command.subcategory), (Some(None), Some(None), None));
    }

    #[test]
    fn a_handoff_goes_with_a_reassignment() {
        let note = json!({"context": "c", "next_step": "n"});
        let errors = change(json!({"version": 1, "handoff": note, "assignee_id": "not-an-id"}), None).unwrap_err();
        assert_eq!(fields(&errors), ["assignee_id", "handoff"]);
        assert_eq!(errors[1].message, "goes with a reassignment: set assignee_id to a member");
        let member = UserId::generate().to_string();
        let command = change(json!({"version": 1, "handoff": note, "assignee_id": member}), None).unwrap();
        assert!(command.handoff.is_some());
    }

    #[test]
    fn customers_write_no_internal_notes() {
        let message = |body| AddMessage::try_from(serde_json::from_value::<CreateMessageRequest>(body).unwrap());
        let errors = message(json!({"body": " ", "author": "customer", "internal": true})).unwrap_err();
        assert_eq!(fields(&errors), ["body", "internal"]);
        assert_eq!(fields(&message(json!({"body": "hi", "author": "bot"})).unwrap_err()), ["author"]);
        assert_eq!(message(json!({"body": "hi"})).unwrap().author, Author::Agent);
    }

    #[test]
    fn the_inbox_filter_fits_its_view() {
        let query = |view: &str, status: &str| InboxQuery {
            view: Some(view.to_owned()),
            status: Some(status.to_owned()),
            ..Default::default()
        };
        let errors = InboxFilter::try_from(InboxQuery {
            view: Some("all".to_owned()),
            sort: Some("age".to_owned()),
            tag: Some("a;b".to_owned()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(fields(&errors), ["view", "sort", "tag"]);
        let errors = InboxFilter::try_from(query("open", "solved")).unwrap_err();
        assert_eq!(errors, [FieldError::new("status", "solved tickets are not in the open view")]);
        let inbox = InboxFilter::try_from(query("solved", "closed")).unwrap();
        assert_eq!((inbox.view, inbox.status, inbox.by_priority), (InboxView::Solved, Some(Status::Closed), false));
    }

    #[test]
    fn a_ticket_number_is_given_plain_or_as_shown() {
        let number = |number: Option<&str>, q: Option<&str>| {
            InboxFilter::try_from(InboxQuery {
                number: number.map(str::to_owned),
                q: q.map(str::to_owned),
                ..Default::default()
            })
            .map(|inbox| inbox.number)
        };
        assert_eq!(number(Some("1042"), None), Ok(Some(1042)));
        assert_eq!(number(None, Some(" #1042 ")), Ok(Some(1042)));
        assert_eq!(number(None, None), Ok(None));
        assert_eq!(fields(&number(Some("0"), None).unwrap_err()), ["number"]);
        assert_eq!(fields(&number(None, Some("printer")).unwrap_err()), ["q"]);
    }
}
