//! `GET /api/v1/search`: the request parsed into what the search function asks its index, with what
//! the caller may see decided here. The route's handler is in functions/search, the only function
//! linking the search engine; its OpenAPI description is on the parse step here, so the documentation
//! function takes it without linking the engine.

use std::collections::BTreeSet;

use lambda_http::Request;

use super::{Problem, query_param};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::auth::{MemberPrincipal, Principal};
use crate::domain::ids::{UserId, member_filter};
use crate::domain::rbac::Permission;
use crate::services::search_feed::SearchKind;

/// The longest query taken (a pasted paragraph is cut, not refused).
pub const MAX_QUERY_CHARS: usize = 200;
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 50;

/// A search the caller may make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub q: String,
    /// The kinds searched: those asked for (all when `types` is left out) that the caller may read.
    pub kinds: BTreeSet<SearchKind>,
    pub limit: usize,
    /// Internal notes are searched: a signed-in member asks (not an API key, whose integration may
    /// face customers).
    pub internal: bool,
    pub filters: SearchFilters,
}

/// Narrowing beyond the kinds: each filter set keeps only records that have the field and match it
/// (a status filter leaves out customers and companies, which have none; an owner filter leaves out
/// customers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilters {
    /// Any of these statuses (a ticket's, a deal's, or a lead's status key).
    pub statuses: Vec<String>,
    /// The assignee (tickets) or owner (leads, deals, companies): a member, or `Some(None)` for nobody.
    pub owner: Option<Option<UserId>>,
    /// Created at or after this instant (the start of the `created_from` day, UTC).
    pub created_from: Option<Timestamp>,
    /// Created before this instant (the end of the `created_to` day, UTC).
    pub created_before: Option<Timestamp>,
}

/// The start of a `YYYY-MM-DD` day in UTC, or of the day after it.
fn day_start(raw: &str, next: bool) -> Result<Timestamp, String> {
    let date = raw.trim().parse::<Date>().map_err(|_| "must be a date as YYYY-MM-DD".to_owned())?;
    let date = if next { date.tomorrow().map_err(|_| "is out of range".to_owned())? } else { date };
    date.to_zoned(TimeZone::UTC).map(|zoned| zoned.timestamp()).map_err(|_| "is out of range".to_owned())
}

/// A status as filters take it: a ticket status, a deal status or a lead status key.
fn parse_status(raw: &str) -> Result<String, String> {
    crate::domain::leads::parse_status_key(raw).map_err(|_| format!("{raw:?} is not a status: {}", STATUSES_DOCUMENTED))
}

const STATUSES_DOCUMENTED: &str = "tickets: new, open, pending, on_hold, solved, closed; deals: open, won, lost; \
     leads: the workspace's status keys (by default new, contacted, qualified, unqualified, converted)";

/// The permission that reads records of a kind.
pub fn read_permission(kind: SearchKind) -> Permission {
    match kind {
        SearchKind::Tickets => Permission::TicketsRead,
        SearchKind::Customers | SearchKind::Companies => Permission::CustomersRead,
        SearchKind::Leads | SearchKind::Deals => Permission::SalesRead,
    }
}

/// Search
///
/// Ranked results across tickets, customers, companies, leads and deals, as you type: every word
/// must match, the last one also as a prefix; words of 4 characters or more tolerate one typo, of 8
/// or more two (a swap of neighbours is one); diacritics are folded (`zoe` finds `Zoë`). A whole
/// e-mail address, phone number, ticket reference (`#1042`) or web domain finds its record first.
/// Matches in a title or subject rank above matches elsewhere, exact words above typos. Each result
/// names the field it matched, with a snippet whose matching words are highlighted. Internal notes
/// are searched for signed-in members only, never through an API key. `types` narrows the kinds
/// (comma-separated); left out, every kind the caller can read is searched (leads and deals need
/// `sales:read`, customers and companies `customers:read`, tickets `tickets:read`; an API key needs
/// the scope as well); asking for a kind the caller cannot read is 403. Records changed in the last
/// moments are found at once, read from the table.
///
/// Filters narrow the results on top of `types`, in the index itself: `status` (comma-separated,
/// any of them; tickets: new, open, pending, on_hold, solved, closed; deals: open, won, lost; leads:
/// the workspace's status keys, by default new, contacted, qualified, unqualified, converted),
/// `owner` (`me`, `none` or a member id: a ticket's assignee, a lead's, deal's or company's owner)
/// and `created_from`/`created_to` (dates, inclusive, UTC). A filter keeps only records that have
/// the field: `status` leaves out customers and companies, `owner` leaves out customers.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", security(("bearer" = [])),
    params(
        ("q" = String, Query, description = "the words searched, 1 to 200 characters"),
        ("types" = Option<String>, Query, description = "comma-separated: tickets, customers, companies, leads, deals"),
        ("limit" = Option<i32>, Query, description = "1 to 50, default 20"),
        ("status" = Option<String>, Query, description = "comma-separated statuses; tickets: new, open, pending, on_hold, solved, closed; deals: open, won, lost; leads: the workspace's status keys (default set: new, contacted, qualified, unqualified, converted)"),
        ("owner" = Option<String>, Query, description = "`me`, `none` or a member id: the ticket's assignee, the lead's, deal's or company's owner"),
        ("created_from" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: created on or after this day (UTC)"),
        ("created_to" = Option<String>, Query, format = Date, description = "YYYY-MM-DD: created on or before this day (UTC)"),
    ),
    responses(
        (status = 200, body = crate::api::SearchResults),
        (status = 401, body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 403, body = super::ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = super::ProblemBody, content_type = "application/problem+json"),
    ))]
pub fn search_query(req: &Request) -> Result<(MemberPrincipal, SearchQuery), Problem> {
    // A key reads what its scopes and its creator's role both allow, and never internal notes: keys
    // serve integrations, which may face customers.
    let (caller, scopes) = match super::principal(req)? {
        Principal::Member(member) => (member, None),
        Principal::ApiKey(key) => (key.member, Some(key.scopes)),
        Principal::Staff { .. } => return Err(Problem::forbidden("Platform staff act through the platform API only.")),
    };
    let may_read = |kind: SearchKind| {
        let permission = read_permission(kind);
        caller.can(permission) && scopes.as_ref().is_none_or(|scopes| scopes.contains(&permission))
    };
    let mut errors = Vec::new();
    let q = query_param(req, "q").unwrap_or_default();
    let q: String = q.trim().chars().take(MAX_QUERY_CHARS).collect();
    if q.is_empty() {
        errors.push(crate::domain::FieldError::new("q", "is required: the words to search for"));
    }
    let asked: Option<BTreeSet<SearchKind>> = match query_param(req, "types").filter(|raw| !raw.trim().is_empty()) {
        None => None,
        Some(raw) => {
            let mut kinds = BTreeSet::new();
            for name in raw.split(',').map(str::trim).filter(|name| !name.is_empty()) {
                match SearchKind::parse(name) {
                    Some(kind) => {
                        kinds.insert(kind);
                    }
                    None => errors.push(crate::domain::FieldError::new(
                        "types",
                        format!("{name:?} is not one of tickets, customers, companies, leads, deals"),
                    )),
                }
            }
            Some(kinds)
        }
    };
    let limit = match query_param(req, "limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => match raw.parse::<usize>() {
            Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => limit,
            _ => {
                errors.push(crate::domain::FieldError::new("limit", format!("must be 1 to {MAX_LIMIT}")));
                DEFAULT_LIMIT
            }
        },
    };
    let mut filters = SearchFilters::default();
    if let Some(raw) = query_param(req, "status").filter(|raw| !raw.trim().is_empty()) {
        for name in raw.split(',').map(str::trim).filter(|name| !name.is_empty()) {
            match parse_status(name) {
                Ok(status) if !filters.statuses.contains(&status) => filters.statuses.push(status),
                Ok(_) => {}
                Err(message) => errors.push(crate::domain::FieldError::new("status", message)),
            }
        }
    }
    if let Some(raw) = query_param(req, "owner").filter(|raw| !raw.trim().is_empty()) {
        match member_filter(&raw, caller.user_id) {
            Ok(owner) => filters.owner = Some(owner),
            Err(message) => errors.push(crate::domain::FieldError::new("owner", message)),
        }
    }
    for (name, next) in [("created_from", false), ("created_to", true)] {
        if let Some(raw) = query_param(req, name).filter(|raw| !raw.trim().is_empty()) {
            match day_start(&raw, next) {
                Ok(at) if next => filters.created_before = Some(at),
                Ok(at) => filters.created_from = Some(at),
                Err(message) => errors.push(crate::domain::FieldError::new(name, message)),
            }
        }
    }
    if let (Some(from), Some(before)) = (filters.created_from, filters.created_before)
        && from >= before
    {
        errors.push(crate::domain::FieldError::new("created_to", "must not be before created_from"));
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let kinds = match asked {
        Some(kinds) => {
            if let Some(kind) = kinds.iter().find(|kind| !may_read(**kind)) {
                let permission = read_permission(*kind);
                return Err(Problem::forbidden(format!(
                    "Reading {} needs the permission {}.",
                    kind.as_str(),
                    permission.as_str()
                ))
                .with("permission", permission.as_str()));
            }
            kinds
        }
        None => SearchKind::ALL.into_iter().filter(|kind| may_read(*kind)).collect(),
    };
    if kinds.is_empty() {
        return Err(Problem::forbidden("You may read none of the records search finds."));
    }
    let internal = scopes.is_none();
    Ok((caller, SearchQuery { q, kinds, limit, internal, filters }))
}
