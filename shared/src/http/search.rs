//! `GET /api/v1/search`: the request parsed into what the search function asks its index, with what
//! the caller may see decided here. The route's handler is in functions/search, the only function
//! linking the search engine; its OpenAPI description is on the parse step here, so the documentation
//! function takes it without linking the engine.

use std::collections::BTreeSet;

use lambda_http::Request;

use super::{Problem, query_param};
use crate::auth::{MemberPrincipal, Principal};
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
}

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
#[utoipa::path(get, path = "/api/v1/search", tag = "search", security(("bearer" = [])),
    params(
        ("q" = String, Query, description = "the words searched, 1 to 200 characters"),
        ("types" = Option<String>, Query, description = "comma-separated: tickets, customers, companies, leads, deals"),
        ("limit" = Option<i32>, Query, description = "1 to 50, default 20"),
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
    Ok((caller, SearchQuery { q, kinds, limit, internal }))
}
