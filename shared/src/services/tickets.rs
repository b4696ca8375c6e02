//! Tickets: creating (finding or creating the customer), reading with history, changing with
//! optimistic concurrency and the lifecycle rules, replies and internal notes, the inbox and its counts.

use jiff::{Timestamp, tz::TimeZone};

use super::{ServiceError, ServiceResult, customers, settings};
use crate::api::{
    AttachmentView, CreateMessageRequest, CreateTicketRequest, EventList, EventView, InboxCountsView, MessageView,
    PublicTicket, PublicTicketSummary, TicketDetail, TicketList, TicketView, UpdateTicketRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::{
    FieldError, Validator,
    email::Email,
    ids::{CustomerId, MessageId, TicketId, UserId},
    plan::{LimitExceeded, LimitKind},
    rbac::{Permission, Role},
    ticket::{self, Author, Priority, Status},
};
use crate::storage::{
    PageParams, TenantScope,
    attachments::AttachmentStatus,
    customers::Customer,
    events::Event,
    tickets::{
        CreateTicketError, CustomerRef, Message, NewTicket, Ticket, TicketFilters, TicketIndex, TicketWriteError,
        mine_counter, status_counter,
    },
};

pub const MAX_CATEGORY_CHARS: usize = 64;
pub const MAX_CHANNEL_CHARS: usize = 32;

fn parse_label(raw: &str, max: usize) -> Result<String, String> {
    let label = raw.trim();
    if label.is_empty() {
        return Err("must not be empty (use null to clear it)".to_owned());
    }
    if label.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(label.to_owned())
}

fn snapshot(ticket: &Ticket) -> serde_json::Value {
    serde_json::json!({
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "subcategory": ticket.subcategory,
        "tags": ticket.tags,
        "assignee_id": ticket.assignee_id,
    })
}

fn view_json(ticket: &Ticket) -> serde_json::Value {
    serde_json::to_value(TicketView::from(ticket)).unwrap_or_default()
}

fn month_of(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).strftime("%Y-%m").to_string()
}

/// Opens a ticket for a customer found (or created) by e-mail, or given by id.
pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateTicketRequest) -> ServiceResult<TicketView> {
    let mut v = Validator::new();
    let subject = v.check("subject", ticket::parse_subject(&request.subject));
    let body = v.check("body", ticket::parse_body(&request.body));
    let priority = match request.priority.as_deref() {
        None => Some(Priority::Normal),
        Some(raw) => v.check("priority", Priority::parse(raw)),
    };
    let category =
        request.category.as_deref().and_then(|raw| v.check("category", parse_label(raw, MAX_CATEGORY_CHARS)));
    let subcategory =
        request.subcategory.as_deref().and_then(|raw| v.check("subcategory", parse_label(raw, MAX_CATEGORY_CHARS)));
    if subcategory.is_some() && category.is_none() && request.category.is_none() {
        v.check::<()>("subcategory", Err("needs a category".to_owned()));
    }
    let tags = match &request.tags {
        None => Some(Vec::new()),
        Some(raw) => v.check("tags", ticket::normalize_tags(raw)),
    };
    let channel = match request.channel.as_deref() {
        None => Some("api".to_owned()),
        Some(raw) => v.check("channel", parse_label(raw, MAX_CHANNEL_CHARS).map(|c| c.to_lowercase())),
    };
    enum Wanted {
        ById(CustomerId),
        ByEmail(Email, Option<String>),
    }
    let wanted = match (&request.customer, &request.customer_id) {
        (Some(_), Some(_)) => v.check("customer", Err("give either customer or customer_id, not both".to_owned())),
        (None, None) => v.check("customer", Err("is required (or give customer_id)".to_owned())),
        (None, Some(id)) => v.check("customer_id", id.parse().map(Wanted::ById)),
        (Some(input), None) => {
            let email = v.check("customer.email", Email::parse(&input.email));
            let name = match input.name.as_deref() {
                None => Some(None),
                Some(raw) => v.check("customer.name", parse_label(raw, 100).map(Some)),
            };
            email.zip(name).map(|(email, name)| Wanted::ByEmail(email, name))
        }
    };
    v.finish().map_err(ServiceError::Validation)?;
    let (Some(subject), Some(body), Some(priority), Some(tags), Some(channel), Some(wanted)) =
        (subject, body, priority, tags, channel, wanted)
    else {
        unreachable!("validator finished without errors")
    };

    let scope = caller.scope();
    // With a taxonomy configured, the category and subcategory must come from it (in its spelling).
    let (category, subcategory) = if category.is_some() || subcategory.is_some() {
        settings::taxonomy(app, &scope)
            .await?
            .check(category.as_deref(), subcategory.as_deref())
            .map_err(|error| ServiceError::Validation(vec![error]))?
    } else {
        (None, None)
    };
    let workspace = app.store.get_workspace(&scope).await?.ok_or(ServiceError::NotFound("The workspace"))?;
    let monthly_limit = workspace.plan.limits().tickets_per_month;
    // A new customer's e-mail may be taken by a concurrent request: then look it up again, once. A
    // customer found by e-mail may have been merged into another one: then the ticket goes to that one.
    let (mut raced, mut redirect): (bool, Option<CustomerId>) = (false, None);
    loop {
        let now = app.clock.now();
        let (customer_id, new_customer) = match (&wanted, redirect) {
            (Wanted::ById(id), _) => (*id, None),
            (Wanted::ByEmail(..), Some(id)) => (id, None),
            (Wanted::ByEmail(email, name), None) => match app.store.customer_id_by_email(&scope, email).await? {
                Some(id) => (id, None),
                None => {
                    let customer = Customer {
                        id: CustomerId::generate(),
                        workspace_id: workspace.id,
                        email: email.clone(),
                        name: name.clone(),
                        phone: None,
                        company: None,
                        notes: None,
                        attributes: Default::default(),
                        created_at: now,
                        updated_at: now,
                        version: 1,
                        merged_into: None,
                        merge_pending: false,
                        merged_ids: Vec::new(),
                    };
                    (customer.id, Some(customer))
                }
            },
        };
        let mut ticket = Ticket {
            id: TicketId::generate(),
            workspace_id: workspace.id,
            subject: subject.clone(),
            status: Status::New,
            priority,
            category: category.clone(),
            subcategory: subcategory.clone(),
            tags: tags.clone(),
            channel: channel.clone(),
            customer_id,
            assignee_id: None,
            created_by: Some(caller.user_id),
            created_at: now,
            updated_at: now,
            first_response_at: None,
            solved_at: None,
            version: 1,
            status_history: vec![],
        };
        ticket.record_status(now);
        let message = Message {
            id: MessageId::generate(),
            ticket_id: ticket.id,
            author: Author::Customer,
            author_id: customer_id.to_string(),
            body: body.clone(),
            internal: false,
            created_at: now,
        };
        let mut events = Vec::new();
        if let Some(customer) = &new_customer {
            events.push(
                Event::new(EventKind::CustomerCreated, Some(caller.user_id), format!("customer/{}", customer.id), now)
                    .with_change(None, Some(serde_json::json!({"email": customer.email, "name": customer.name})))
                    .about_customer(customer.id),
            );
        }
        events.push(
            Event::new(EventKind::TicketCreated, Some(caller.user_id), format!("ticket/{}", ticket.id), now)
                .with_change(None, Some(snapshot(&ticket)))
                .about_ticket(ticket.id, customer_id)
                .at_version(ticket.version),
        );
        let customer_ref = match &new_customer {
            Some(customer) => CustomerRef::New(customer),
            None => CustomerRef::Existing(customer_id),
        };
        let new = NewTicket {
            ticket: &ticket,
            first_message: &message,
            customer: customer_ref,
            monthly_limit,
            month: month_of(now),
            events: &events,
        };
        match app.store.create_ticket(&scope, new).await {
            Ok(()) => return Ok((&ticket).into()),
            Err(CreateTicketError::CustomerEmailRace) if !raced => raced = true,
            Err(CreateTicketError::CustomerEmailRace) => {
                return Err(ServiceError::VersionConflict { what: "The customer", current: None });
            }
            Err(CreateTicketError::CustomerNotFound) => {
                let now_stands_for = customers::resolve_merged(app, &scope, customer_id).await?;
                match (&wanted, now_stands_for) {
                    (Wanted::ByEmail(..), Some(customer)) if customer.id != customer_id && redirect.is_none() => {
                        redirect = Some(customer.id);
                    }
                    (Wanted::ById(_), Some(customer)) if customer.id != customer_id => {
                        return Err(ServiceError::Validation(vec![FieldError::new(
                            "customer_id",
                            format!("was merged into customer {}: use that id", customer.id),
                        )]));
                    }
                    (Wanted::ById(_), _) => {
                        return Err(ServiceError::Validation(vec![FieldError::new(
                            "customer_id",
                            "is not a customer of this workspace",
                        )]));
                    }
                    (Wanted::ByEmail(..), _) => {
                        return Err(ServiceError::VersionConflict { what: "The customer", current: None });
                    }
                }
            }
            Err(CreateTicketError::MonthlyLimitReached { used }) => {
                return Err(ServiceError::PlanLimit(LimitExceeded {
                    kind: LimitKind::TicketsPerMonth,
                    limit: monthly_limit.unwrap_or(u64::MAX),
                    used,
                    tier: workspace.plan,
                }));
            }
            Err(CreateTicketError::Store(err)) => return Err(err.into()),
        }
    }
}

async fn load(app: &App, scope: &TenantScope, id: TicketId) -> ServiceResult<Ticket> {
    app.store.get_ticket(scope, id).await?.ok_or(ServiceError::NotFound("The ticket"))
}

/// The ticket, its whole conversation and timeline, from one Query of its item collection.
pub async fn get(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<TicketDetail> {
    let history =
        app.store.ticket_with_history(&caller.scope(), id).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let sla = super::sla::ticket_clocks(app, &caller.scope(), &history.ticket, &history.events).await?;
    Ok(TicketDetail {
        ticket: (&history.ticket).into(),
        messages: history.messages.iter().map(MessageView::from).collect(),
        timeline: history.events.iter().map(EventView::from).collect(),
        attachments: history
            .attachments
            .iter()
            .filter(|attachment| attachment.status == AttachmentStatus::Uploaded)
            .map(AttachmentView::from)
            .collect(),
        sla,
        handoff: super::handoff::current(&history.ticket, &history.events),
    })
}

/// What the customer may see: public messages only.
pub async fn public(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<PublicTicket> {
    let history =
        app.store.ticket_with_history(&caller.scope(), id).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let (ticket, messages) = (history.ticket, history.messages);
    Ok(PublicTicket {
        ticket: PublicTicketSummary {
            id: ticket.id,
            subject: ticket.subject.clone(),
            status: ticket.status,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
        },
        messages: messages.iter().filter(|message| !message.internal).map(MessageView::from).collect(),
    })
}

/// Changes status, priority, assignee, category, tags, based on the version the caller saw.
pub async fn update(
    app: &App,
    caller: &MemberPrincipal,
    id: TicketId,
    request: UpdateTicketRequest,
    if_match: Option<u64>,
) -> ServiceResult<TicketView> {
    let mut v = Validator::new();
    let version = request.version.or(if_match);
    if version.is_none() {
        v.check::<()>("version", Err("is required: send the version you saw (or If-Match)".to_owned()));
    }
    let status = request.status.as_deref().and_then(|raw| v.check("status", Status::parse(raw)));
    let priority = request.priority.as_deref().and_then(|raw| v.check("priority", Priority::parse(raw)));
    let assignee: Option<Option<UserId>> = match &request.assignee_id {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => v.check("assignee_id", raw.parse().map(Some)),
    };
    let category = match &request.category {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => v.check("category", parse_label(raw, MAX_CATEGORY_CHARS).map(Some)),
    };
    let subcategory = match &request.subcategory {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => v.check("subcategory", parse_label(raw, MAX_CATEGORY_CHARS).map(Some)),
    };
    let tags = request.tags.as_ref().and_then(|raw| v.check("tags", ticket::normalize_tags(raw)));
    let handoff = request.handoff.as_ref().and_then(|note| v.check("handoff", super::handoff::parse(note)));
    if request.handoff.is_some() && !matches!(assignee, Some(Some(_))) {
        v.check::<()>("handoff", Err("goes with a reassignment: set assignee_id to a member".to_owned()));
    }
    v.finish().map_err(ServiceError::Validation)?;
    let version = version.expect("checked above");

    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    if before.version != version {
        return Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&before)) });
    }
    if let Some(assignee) = assignee
        && assignee != before.assignee_id
    {
        if !caller.can(Permission::TicketsAssign) {
            return Err(ServiceError::Forbidden("Your role cannot assign tickets.".to_owned()));
        }
        if let Some(user) = assignee {
            let member = app.store.get_member(&scope, user).await?;
            let assignable = member.is_some_and(|member| member.is_active() && member.role != Role::Viewer);
            if !assignable {
                return Err(ServiceError::Validation(vec![FieldError::new(
                    "assignee_id",
                    "must be an active member of this workspace who can work tickets",
                )]));
            }
        }
    }

    let now = app.clock.now();
    let mut after = before.clone();
    if let Some(priority) = priority {
        after.priority = priority;
    }
    if let Some(category) = category {
        after.category = category;
    }
    if let Some(subcategory) = subcategory {
        after.subcategory = subcategory;
    }
    if after.subcategory.is_some() && after.category.is_none() {
        return Err(ServiceError::Validation(vec![FieldError::new("subcategory", "needs a category")]));
    }
    // A changed category or subcategory must come from the taxonomy, if one is configured. Labels set
    // before it was configured stay until they are changed.
    if (&after.category, &after.subcategory) != (&before.category, &before.subcategory) {
        (after.category, after.subcategory) = settings::taxonomy(app, &scope)
            .await?
            .check(after.category.as_deref(), after.subcategory.as_deref())
            .map_err(|error| ServiceError::Validation(vec![error]))?;
    }
    if let Some(tags) = tags {
        after.tags = tags;
    }
    let assignee_changed = assignee.is_some_and(|assignee| assignee != before.assignee_id);
    if let Some(assignee) = assignee {
        after.assignee_id = assignee;
    }
    if before.status == Status::Closed && (status.is_some_and(|s| s != Status::Closed) || after != before) {
        return Err(ServiceError::InvalidTransition(ticket::InvalidTransition {
            from: Status::Closed,
            to: status.unwrap_or(Status::Closed),
        }));
    }
    after.status = match status {
        Some(to) => ticket::transition(before.status, to).map_err(ServiceError::InvalidTransition)?,
        None if assignee_changed && after.assignee_id.is_some() => ticket::status_after_assignment(before.status),
        None => before.status,
    };
    after.record_status(now);
    if after == before {
        return Ok((&before).into());
    }
    if after.status == Status::Solved && before.status != Status::Solved {
        after.solved_at = Some(now);
    }
    after.updated_at = now;
    after.version = before.version + 1;

    let subject = format!("ticket/{id}");
    let mut events = vec![
        Event::new(EventKind::TicketUpdated, Some(caller.user_id), subject.clone(), now)
            .with_change(Some(snapshot(&before)), Some(snapshot(&after)))
            .about_ticket(id, before.customer_id)
            .at_version(after.version),
    ];
    if assignee_changed {
        events.push(
            Event::new(EventKind::TicketAssigned, Some(caller.user_id), subject, now)
                .with_change(
                    Some(serde_json::json!({"assignee_id": before.assignee_id})),
                    Some(super::handoff::assigned_after(after.assignee_id, handoff.as_ref())),
                )
                .about_ticket(id, before.customer_id)
                .at_version(after.version),
        );
    }
    match app.store.save_ticket(&scope, &before, &after, None, &events).await {
        Ok(()) => Ok((&after).into()),
        Err(TicketWriteError::VersionConflict) => {
            let current = load(app, &scope, id).await?;
            Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&current)) })
        }
        Err(TicketWriteError::Store(err)) => Err(err.into()),
    }
}

/// Adds a reply or an internal note. Replies never fail on a concurrent change of other fields: the
/// write is retried on the fresh ticket (the message itself has no version to conflict with).
pub async fn add_message(
    app: &App,
    caller: &MemberPrincipal,
    id: TicketId,
    request: CreateMessageRequest,
) -> ServiceResult<MessageView> {
    let mut v = Validator::new();
    let body = v.check("body", ticket::parse_body(&request.body));
    let author = match request.author.as_deref() {
        None | Some("agent") => Some(Author::Agent),
        Some("customer") => Some(Author::Customer),
        Some(_) => v.check("author", Err("must be one of agent, customer".to_owned())),
    };
    if author == Some(Author::Customer) && request.internal {
        v.check::<()>("internal", Err("customers cannot write internal notes".to_owned()));
    }
    v.finish().map_err(ServiceError::Validation)?;
    let (Some(body), Some(author)) = (body, author) else { unreachable!("validator finished without errors") };

    let scope = caller.scope();
    let draft = super::drafts::Draft {
        author,
        internal: request.internal,
        draft_version: request.draft_version,
        confirm: request.confirm,
    };
    for _ in 0..3 {
        let before = load(app, &scope, id).await?;
        // Checked again on a retry: the write that beat this one may be the very message to warn about.
        super::drafts::check(app, caller, &before, &draft).await?;
        let status =
            ticket::after_message(before.status, author, request.internal).map_err(ServiceError::InvalidTransition)?;
        let now = app.clock.now();
        let message = Message {
            id: MessageId::generate(),
            ticket_id: id,
            author,
            author_id: match author {
                Author::Agent => caller.user_id.to_string(),
                Author::Customer => before.customer_id.to_string(),
            },
            body: body.clone(),
            internal: request.internal,
            created_at: now,
        };
        let mut after = before.clone();
        after.status = status;
        after.record_status(now);
        after.updated_at = now;
        after.version = before.version + 1;
        if author == Author::Agent && !request.internal && before.first_response_at.is_none() {
            after.first_response_at = Some(now);
        }
        let mut events = vec![
            Event::new(EventKind::MessageCreated, Some(caller.user_id), format!("ticket/{id}"), now)
                .with_change(
                    None,
                    Some(serde_json::json!({"message_id": message.id, "author": author, "internal": request.internal})),
                )
                .about_ticket(id, before.customer_id)
                .at_version(after.version)
                .internal(request.internal),
        ];
        if after.status != before.status {
            events.push(
                Event::new(EventKind::TicketUpdated, Some(caller.user_id), format!("ticket/{id}"), now)
                    .with_change(Some(snapshot(&before)), Some(snapshot(&after)))
                    .about_ticket(id, before.customer_id)
                    .at_version(after.version),
            );
        }
        match app.store.save_ticket(&scope, &before, &after, Some(&message), &events).await {
            Ok(()) => return Ok((&message).into()),
            Err(TicketWriteError::VersionConflict) => continue,
            Err(TicketWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "The ticket", current: None })
}

/// The inbox: a view (open, unassigned, mine, solved) narrowed by filters, newest update first or
/// (`sort=priority`) most urgent first, then newest update.
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
}

pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    query: InboxQuery,
    page: PageParams,
) -> ServiceResult<TicketList> {
    let mut v = Validator::new();
    let view = v.check(
        "view",
        match query.view.as_deref().unwrap_or("open") {
            view @ ("open" | "unassigned" | "mine" | "solved") => Ok(view.to_owned()),
            _ => Err("must be one of open, unassigned, mine, solved".to_owned()),
        },
    );
    let by_priority = v.check(
        "sort",
        match query.sort.as_deref().unwrap_or("updated") {
            "updated" => Ok(false),
            "priority" => Ok(true),
            _ => Err("must be one of updated, priority".to_owned()),
        },
    );
    let status = query.status.as_deref().and_then(|raw| v.check("status", Status::parse(raw)));
    let priority = query.priority.as_deref().and_then(|raw| v.check("priority", Priority::parse(raw)));
    let assignee: Option<UserId> = query.assignee.as_deref().and_then(|raw| v.check("assignee", raw.parse()));
    let customer: Option<CustomerId> = query.customer.as_deref().and_then(|raw| v.check("customer", raw.parse()));
    let tag = query
        .tag
        .as_deref()
        .and_then(|raw| v.check("tag", ticket::normalize_tags(&[raw.to_owned()]).map(|mut tags| tags.remove(0))));
    v.finish().map_err(ServiceError::Validation)?;
    let view = view.expect("checked above");
    let by_priority = by_priority.expect("checked above");
    let unresolved = view != "solved";
    if let Some(status) = status
        && status.is_unresolved() != unresolved
    {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "status",
            format!("{} tickets are not in the {view} view", status.as_str()),
        )]));
    }
    let mut filters = TicketFilters { status, priority, category: query.category.clone(), tag, ..Default::default() };
    let index = match (view.as_str(), assignee, customer) {
        ("mine", _, _) => {
            filters.customer = customer;
            TicketIndex::Assignee { assignee: Some(caller.user_id), unresolved: true, by_priority }
        }
        ("unassigned", _, _) => {
            filters.customer = customer;
            TicketIndex::Assignee { assignee: None, unresolved: true, by_priority }
        }
        (_, Some(user), _) => {
            filters.customer = customer;
            TicketIndex::Assignee { assignee: Some(user), unresolved, by_priority }
        }
        // The customer's own index holds every status; the view's statuses are kept below.
        (_, None, Some(customer)) => TicketIndex::Customer(customer),
        _ => TicketIndex::Queue { unresolved, by_priority },
    };
    let page = app.store.query_tickets(&caller.scope(), index, &filters, page.limit, page.cursor.as_deref()).await?;
    let items = page
        .items
        .iter()
        .filter(|ticket| !matches!(index, TicketIndex::Customer(_)) || ticket.status.is_unresolved() == unresolved)
        .map(TicketView::from)
        .collect();
    Ok(TicketList { items, next_cursor: page.next_cursor })
}

/// Exact inbox counts, one read.
pub async fn counts(app: &App, caller: &MemberPrincipal) -> ServiceResult<InboxCountsView> {
    let counts = app.store.inbox_counts(&caller.scope()).await?;
    Ok(InboxCountsView {
        open: counts.get("open"),
        unassigned: counts.get("unassigned"),
        mine: counts.get(&mine_counter(caller.user_id)),
        by_status: Status::ALL
            .into_iter()
            .map(|status| (status.as_str().to_owned(), counts.get(&status_counter(status))))
            .collect(),
    })
}

/// The workspace's activity log, newest first.
pub async fn activity(app: &App, caller: &MemberPrincipal, page: PageParams) -> ServiceResult<EventList> {
    let page = app.store.activity(&caller.scope(), page.limit, page.cursor.as_deref()).await?;
    Ok(EventList { items: page.items.iter().map(EventView::from).collect(), next_cursor: page.next_cursor })
}
