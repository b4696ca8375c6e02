//! Tickets: creating (finding or creating the customer), reading with history, changing with
//! optimistic concurrency and the lifecycle rules, replies and internal notes, the inbox and its counts.

use jiff::{Timestamp, tz::TimeZone};

use super::commands::tickets::{
    AddMessage, ChangeTicket, CustomerWanted, InboxFilter, InboxQuery, InboxView, OpenTicket,
};
use super::{ServiceError, ServiceResult, authors::AuthorNames, customers, settings};
use crate::api::{
    AttachmentView, CreateMessageRequest, CreateTicketRequest, EventList, EventView, InboxCountsView, InboxItemView,
    MessageView, PublicTicket, PublicTicketSummary, TicketDetail, TicketList, TicketView, UpdateTicketRequest,
};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::events::EventKind;
use crate::domain::{
    FieldError,
    ids::{CustomerId, MessageId, TicketId, UserId, WorkspaceId},
    plan::{LimitExceeded, LimitKind},
    rbac::{Permission, Role},
    ticket::{self, Author, Status},
};
use crate::storage::{
    PageParams, TenantScope,
    attachments::AttachmentStatus,
    customers::Customer,
    email::MailMarks,
    events::Event,
    tickets::{
        CreateTicketError, CustomerRef, InboxRow, Message, NewTicket, Requester, Ticket, TicketFilters, TicketIndex,
        TicketWriteError, mine_counter, status_counter,
    },
};

pub(super) fn snapshot(ticket: &Ticket) -> serde_json::Value {
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

pub(super) fn view_json(ticket: &Ticket) -> serde_json::Value {
    serde_json::to_value(TicketView::from(ticket)).unwrap_or_default()
}

/// How often one creation reads the number counter again after losing it to a concurrent one.
const MAX_NUMBER_TRIES: usize = 64;

fn month_of(at: Timestamp) -> String {
    at.to_zoned(TimeZone::UTC).strftime("%Y-%m").to_string()
}

/// Opens a ticket for a customer found (or created) by e-mail, or given by id.
pub async fn create(app: &App, caller: &MemberPrincipal, request: CreateTicketRequest) -> ServiceResult<TicketView> {
    let mut command = OpenTicket::try_from(request)?;
    let scope = caller.scope();
    (command.category, command.subcategory) =
        from_taxonomy(app, &scope, command.category.take(), command.subcategory.take()).await?;
    match open(app, &scope, Some(caller.user_id), &command, None).await? {
        Opened::Ticket(ticket) => Ok(ticket.as_ref().into()),
        // Only a mail's marks can make it a duplicate, and none were given.
        Opened::AlreadyHandled | Opened::StorageFull => {
            Err(ServiceError::Conflict("The ticket was opened already.".to_owned()))
        }
    }
}

/// What [`open`] did.
pub(crate) enum Opened {
    Ticket(Box<Ticket>),
    /// The inbound e-mail it was to open from was handled before: nothing was written.
    AlreadyHandled,
    /// The inbound e-mail's files would pass the storage limit: nothing was written.
    StorageFull,
}

/// Opens the ticket `command` describes, as `actor` (None: the customer, by e-mail), numbering it and
/// finding or creating its customer; with `mail`, marks the e-mail handled (and keeps its files, whose
/// records name the ticket: `mail.ticket_id` is then the new ticket's id) in the same write.
pub(crate) async fn open(
    app: &App,
    scope: &TenantScope,
    actor: Option<UserId>,
    command: &OpenTicket,
    mail: Option<&MailMarks>,
) -> ServiceResult<Opened> {
    let scope = *scope;
    let (workspace, plan) = super::plans::workspace_and_plan(app, &scope).await?;
    let monthly_limit = plan.limits.tickets_per_month;
    // A new customer's e-mail may be taken by a concurrent request: then look it up again, once. A
    // customer found by e-mail may have been merged into another one: then the ticket goes to that one.
    let (mut raced, mut redirect): (bool, Option<CustomerId>) = (false, None);
    let mut number_tries = 0;
    loop {
        let now = app.clock.now();
        let (customer_id, new_customer) =
            customer_for(app, &scope, &command.customer, redirect, workspace.id, now).await?;
        let requester = match &new_customer {
            Some(customer) => Some(Requester::from(customer)),
            None => app.store.get_customer(&scope, customer_id).await?.as_ref().map(Requester::from),
        };
        let (mut ticket, message) = opened_ticket(actor, command, workspace.id, customer_id, requester, now);
        if let Some(marks) = mail {
            ticket.id = marks.ticket_id;
        }
        let message = Message { ticket_id: ticket.id, ..message };
        let marks = mail.map(|marks| MailMarks { message_id: message.id, ..marks.clone() });
        // The number comes from the workspace's counter, taken in the creating transaction; a creation
        // that loses it to another one reads the counter again.
        let created = loop {
            let number = app.store.last_ticket_number(&scope).await? + 1;
            ticket.number = Some(number);
            let mut events = opening_events(actor, &ticket, new_customer.as_ref(), now);
            if let Some(marks) = &marks {
                events.extend(super::email::attachment_events(marks, ticket.customer_id, now));
            }
            let new = NewTicket {
                ticket: &ticket,
                first_message: &message,
                customer: match &new_customer {
                    Some(customer) => CustomerRef::New(customer),
                    None => CustomerRef::Existing(customer_id),
                },
                monthly_limit,
                month: month_of(now),
                number,
                events: &events,
                mail: marks.as_ref(),
            };
            match app.store.create_ticket(&scope, new).await {
                Err(CreateTicketError::NumberTaken) if number_tries < MAX_NUMBER_TRIES => {
                    number_tries += 1;
                    let jitter = u64::from(rand::random::<u8>() % 25);
                    tokio::time::sleep(std::time::Duration::from_millis(5 + jitter)).await;
                }
                result => break result,
            }
        };
        match created {
            Ok(()) => return Ok(Opened::Ticket(Box::new(ticket))),
            Err(CreateTicketError::MailDuplicate) => return Ok(Opened::AlreadyHandled),
            Err(CreateTicketError::MailStorageFull) => return Ok(Opened::StorageFull),
            Err(CreateTicketError::NumberTaken) => {
                return Err(ServiceError::Conflict(
                    "Too many tickets were opened at once to number this one; try again.".to_owned(),
                ));
            }
            Err(CreateTicketError::CustomerEmailRace) if !raced => raced = true,
            Err(CreateTicketError::CustomerEmailRace) => {
                return Err(ServiceError::VersionConflict { what: "The customer", current: None });
            }
            Err(CreateTicketError::CustomerNotFound) => {
                redirect = Some(customer_merged_away(app, &scope, &command.customer, customer_id, redirect).await?);
            }
            Err(CreateTicketError::MonthlyLimitReached { used }) => {
                return Err(ServiceError::PlanLimit(LimitExceeded {
                    kind: LimitKind::TicketsPerMonth,
                    limit: monthly_limit.unwrap_or(u64::MAX),
                    used,
                    plan: plan.id.clone(),
                }));
            }
            Err(CreateTicketError::Store(err)) => return Err(err.into()),
        }
    }
}

/// With a taxonomy configured, a category and subcategory must come from it (in its spelling).
async fn from_taxonomy(
    app: &App,
    scope: &TenantScope,
    category: Option<String>,
    subcategory: Option<String>,
) -> ServiceResult<(Option<String>, Option<String>)> {
    if category.is_none() && subcategory.is_none() {
        return Ok((None, None));
    }
    settings::taxonomy(app, scope)
        .await?
        .check(category.as_deref(), subcategory.as_deref())
        .map_err(|error| ServiceError::Validation(vec![error]))
}

/// Whose ticket it is: the customer given by id, the one a merge redirected to, the one found by
/// e-mail, or (second in the pair) a new customer to create with the ticket.
async fn customer_for(
    app: &App,
    scope: &TenantScope,
    wanted: &CustomerWanted,
    redirect: Option<CustomerId>,
    workspace: WorkspaceId,
    now: Timestamp,
) -> ServiceResult<(CustomerId, Option<Customer>)> {
    Ok(match (wanted, redirect) {
        (CustomerWanted::ById(id), _) => (*id, None),
        (CustomerWanted::ByEmail { .. }, Some(id)) => (id, None),
        (CustomerWanted::ByEmail { email, name }, None) => match app.store.customer_id_by_email(scope, email).await? {
            Some(id) => (id, None),
            None => {
                // A customer first met through a ticket: just an e-mail and maybe a name.
                let customer = Customer::first_seen(workspace, email.clone(), name.clone(), now);
                (customer.id, Some(customer))
            }
        },
    })
}

/// The new ticket and its first message, the customer's words.
fn opened_ticket(
    actor: Option<UserId>,
    command: &OpenTicket,
    workspace: WorkspaceId,
    customer_id: CustomerId,
    requester: Option<Requester>,
    now: Timestamp,
) -> (Ticket, Message) {
    let mut ticket = Ticket {
        id: TicketId::generate(),
        workspace_id: workspace,
        subject: command.subject.clone(),
        status: Status::New,
        priority: command.priority,
        category: command.category.clone(),
        subcategory: command.subcategory.clone(),
        tags: command.tags.clone(),
        channel: command.channel.clone(),
        customer_id,
        assignee_id: None,
        created_by: actor,
        created_at: now,
        updated_at: now,
        first_response_at: None,
        solved_at: None,
        version: 1,
        status_history: vec![],
        links: Default::default(),
        number: None,
        row: InboxRow { requester, ..InboxRow::default() },
        inbox_sla: None,
    };
    ticket.record_status(now);
    let message = Message {
        id: MessageId::generate(),
        ticket_id: ticket.id,
        author: Author::Customer,
        author_id: customer_id.to_string(),
        body: command.body.clone(),
        internal: false,
        created_at: now,
        merged_from: None,
        attachment_ids: Vec::new(),
    };
    // The customer's words are the first message: nobody has seen it yet.
    ticket.row.record_message(&message, None);
    (ticket, message)
}

/// `ticket.created`, after `customer.created` when the customer is new.
fn opening_events(
    actor: Option<UserId>,
    ticket: &Ticket,
    new_customer: Option<&Customer>,
    now: Timestamp,
) -> Vec<Event> {
    let mut events = Vec::new();
    if let Some(customer) = new_customer {
        events.push(
            Event::new(EventKind::CustomerCreated, actor, format!("customer/{}", customer.id), now)
                .with_change(None, Some(serde_json::json!({"email": customer.email, "name": customer.name})))
                .about_customer(customer.id),
        );
    }
    events.push(
        Event::new(EventKind::TicketCreated, actor, format!("ticket/{}", ticket.id), now)
            .with_change(None, Some(snapshot(ticket)))
            .about_ticket(ticket.id, ticket.customer_id)
            .at_version(ticket.version),
    );
    events
}

/// The customer a ticket was for is gone: merged into another one (found by e-mail, the ticket goes to
/// that one, once) or not a customer of this workspace. Returns the customer to retry with.
async fn customer_merged_away(
    app: &App,
    scope: &TenantScope,
    wanted: &CustomerWanted,
    customer_id: CustomerId,
    redirect: Option<CustomerId>,
) -> ServiceResult<CustomerId> {
    let now_stands_for = customers::resolve_merged(app, scope, customer_id).await?;
    match (wanted, now_stands_for) {
        (CustomerWanted::ByEmail { .. }, Some(customer)) if customer.id != customer_id && redirect.is_none() => {
            Ok(customer.id)
        }
        (CustomerWanted::ById(_), Some(customer)) if customer.id != customer_id => {
            Err(ServiceError::Validation(vec![FieldError::new(
                "customer_id",
                format!("was merged into customer {}: use that id", customer.id),
            )]))
        }
        (CustomerWanted::ById(_), _) => {
            Err(ServiceError::Validation(vec![FieldError::new("customer_id", "is not a customer of this workspace")]))
        }
        (CustomerWanted::ByEmail { .. }, _) => {
            Err(ServiceError::VersionConflict { what: "The customer", current: None })
        }
    }
}

pub(super) async fn load(app: &App, scope: &TenantScope, id: TicketId) -> ServiceResult<Ticket> {
    app.store.get_ticket(scope, id).await?.ok_or(ServiceError::NotFound("The ticket"))
}

/// The ticket, its whole conversation and timeline, from one Query of its item collection.
pub async fn get(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<TicketDetail> {
    let history =
        app.store.ticket_with_history(&caller.scope(), id).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let sla = super::sla::ticket_clocks(app, &caller.scope(), &history.ticket, &history.events).await?;
    let messages: Vec<&Message> = history.messages.iter().collect();
    let names = AuthorNames::of(app, &caller.scope(), &history.ticket, &messages).await?;
    Ok(TicketDetail {
        ticket: (&history.ticket).into(),
        messages: messages.iter().map(|message| names.view(message).with_delivery(&history.mail)).collect(),
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

/// The ticket that took `number` in the caller's workspace, with its conversation.
pub async fn get_by_number(app: &App, caller: &MemberPrincipal, number: u64) -> ServiceResult<TicketDetail> {
    let ticket =
        app.store.ticket_by_number(&caller.scope(), number).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    get(app, caller, ticket.id).await
}

/// Records that the caller viewed the ticket now: its inbox row stops being unread for them until the
/// next message.
pub async fn seen(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<()> {
    match app.store.mark_ticket_seen(&caller.scope(), id, caller.user_id, app.clock.now()).await? {
        true => Ok(()),
        false => Err(ServiceError::NotFound("The ticket")),
    }
}

/// What the customer may see: public messages only.
pub async fn public(app: &App, caller: &MemberPrincipal, id: TicketId) -> ServiceResult<PublicTicket> {
    let history =
        app.store.ticket_with_history(&caller.scope(), id).await?.ok_or(ServiceError::NotFound("The ticket"))?;
    let (ticket, messages) = (history.ticket, history.messages);
    let messages: Vec<&Message> = messages.iter().filter(|message| !message.internal).collect();
    let names = AuthorNames::of(app, &caller.scope(), &ticket, &messages).await?;
    Ok(PublicTicket {
        ticket: PublicTicketSummary {
            id: ticket.id,
            subject: ticket.subject.clone(),
            status: ticket.status,
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
        },
        messages: messages.iter().map(|message| names.view(message)).collect(),
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
    let change = ChangeTicket::parse(request, if_match)?;
    let scope = caller.scope();
    let before = load(app, &scope, id).await?;
    if before.version != change.version {
        return Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&before)) });
    }
    let reassigned_to = change.assignee.filter(|assignee| *assignee != before.assignee_id);
    if let Some(assignee) = reassigned_to {
        check_assignable(app, caller, &scope, assignee).await?;
    }
    let now = app.clock.now();
    let Some(after) = changed(app, &scope, &before, &change, now).await? else {
        return Ok((&before).into());
    };
    let events = change_events(caller, &before, &after, reassigned_to.is_some(), change.handoff.as_ref(), now);
    match app.store.save_ticket(&scope, &before, &after, None, &events).await {
        Ok(()) => Ok((&after).into()),
        Err(TicketWriteError::VersionConflict) => {
            let current = load(app, &scope, id).await?;
            Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&current)) })
        }
        Err(TicketWriteError::Store(err)) => Err(err.into()),
    }
}

/// Assigning needs the permission, and an assignee who is an active member able to work tickets.
pub(super) async fn check_assignable(
    app: &App,
    caller: &MemberPrincipal,
    scope: &TenantScope,
    assignee: Option<UserId>,
) -> ServiceResult<()> {
    if !caller.can(Permission::TicketsAssign) {
        return Err(ServiceError::Forbidden("Your role cannot assign tickets.".to_owned()));
    }
    if let Some(user) = assignee {
        let member = app.store.get_member(scope, user).await?;
        let assignable = member.is_some_and(|member| member.is_active() && member.role != Role::Viewer);
        if !assignable {
            return Err(ServiceError::Validation(vec![FieldError::new(
                "assignee_id",
                "must be an active member of this workspace who can work tickets",
            )]));
        }
    }
    Ok(())
}

/// The ticket after the change, under the lifecycle and taxonomy rules; None when nothing changes.
pub(super) async fn changed(
    app: &App,
    scope: &TenantScope,
    before: &Ticket,
    change: &ChangeTicket,
    now: Timestamp,
) -> ServiceResult<Option<Ticket>> {
    let mut after = before.clone();
    if let Some(priority) = change.priority {
        after.priority = priority;
    }
    if let Some(category) = &change.category {
        after.category = category.clone();
    }
    if let Some(subcategory) = &change.subcategory {
        after.subcategory = subcategory.clone();
    }
    if after.subcategory.is_some() && after.category.is_none() {
        return Err(ServiceError::Validation(vec![FieldError::new("subcategory", "needs a category")]));
    }
    // A changed category or subcategory must come from the taxonomy, if one is configured. Labels set
    // before it was configured stay until they are changed.
    if (&after.category, &after.subcategory) != (&before.category, &before.subcategory) {
        (after.category, after.subcategory) = settings::taxonomy(app, scope)
            .await?
            .check(after.category.as_deref(), after.subcategory.as_deref())
            .map_err(|error| ServiceError::Validation(vec![error]))?;
    }
    if let Some(tags) = &change.tags {
        after.tags = tags.clone();
    }
    let assignee_changed = change.assignee.is_some_and(|assignee| assignee != before.assignee_id);
    if let Some(assignee) = change.assignee {
        after.assignee_id = assignee;
    }
    if before.status == Status::Closed && (change.status.is_some_and(|s| s != Status::Closed) || after != *before) {
        return Err(ServiceError::InvalidTransition(ticket::InvalidTransition {
            from: Status::Closed,
            to: change.status.unwrap_or(Status::Closed),
        }));
    }
    after.status = match change.status {
        Some(to) => ticket::transition(before.status, to).map_err(ServiceError::InvalidTransition)?,
        None if assignee_changed && after.assignee_id.is_some() => ticket::status_after_assignment(before.status),
        None => before.status,
    };
    after.record_status(now);
    if after == *before {
        return Ok(None);
    }
    if after.status == Status::Solved && before.status != Status::Solved {
        after.solved_at = Some(now);
    }
    if assignee_changed {
        after.row.assignee_name = match after.assignee_id {
            Some(user) => app.store.get_member(scope, user).await?.map(|member| member.name.to_string()),
            None => None,
        };
    }
    after.row.last_activity_at = Some(now);
    after.updated_at = now;
    after.version = before.version + 1;
    Ok(Some(after))
}

/// `ticket.updated`, and `ticket.assigned` (with the handoff note, if any) on a reassignment.
pub(super) fn change_events(
    caller: &MemberPrincipal,
    before: &Ticket,
    after: &Ticket,
    reassigned: bool,
    handoff: Option<&serde_json::Value>,
    now: Timestamp,
) -> Vec<Event> {
    let subject = format!("ticket/{}", before.id);
    let mut events = vec![
        Event::new(EventKind::TicketUpdated, Some(caller.user_id), subject.clone(), now)
            .with_change(Some(snapshot(before)), Some(snapshot(after)))
            .about_ticket(before.id, before.customer_id)
            .at_version(after.version),
    ];
    if reassigned {
        events.push(
            Event::new(EventKind::TicketAssigned, Some(caller.user_id), subject, now)
                .with_change(
                    Some(serde_json::json!({"assignee_id": before.assignee_id})),
                    Some(super::handoff::assigned_after(after.assignee_id, handoff)),
                )
                .about_ticket(before.id, before.customer_id)
                .at_version(after.version),
        );
    }
    events
}

/// Adds a reply or an internal note. Replies never fail on a concurrent change of other fields: the
/// write is retried on the fresh ticket (the message itself has no version to conflict with).
pub async fn add_message(
    app: &App,
    caller: &MemberPrincipal,
    id: TicketId,
    request: CreateMessageRequest,
) -> ServiceResult<MessageView> {
    let request = AddMessage::try_from(request)?;
    let author = request.author;
    let scope = caller.scope();
    let draft = super::drafts::Draft {
        author,
        internal: request.internal,
        draft_version: request.draft_version,
        confirm: request.confirm,
    };
    // Only an internal note mentions: a reply goes to the customer, who has no use for member ids.
    let mentions = if request.internal {
        super::notifications::mentioned_members(app, &scope, &request.body, |member| {
            member.role.can(crate::domain::rbac::Permission::TicketsRead)
        })
        .await?
    } else {
        Vec::new()
    };
    super::attachments::check_reply_files(app, &scope, id, &request.attachment_ids).await?;
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
            body: request.body.clone(),
            internal: request.internal,
            created_at: now,
            merged_from: None,
            attachment_ids: request.attachment_ids.clone(),
        };
        let mut after = before.clone();
        after.status = status;
        after.record_status(now);
        after.updated_at = now;
        after.version = before.version + 1;
        if author == Author::Agent && !request.internal && before.first_response_at.is_none() {
            after.first_response_at = Some(now);
        }
        // Whoever wrote it (also when relaying the customer's words) has seen it.
        after.row.record_message(&message, Some(caller.user_id));
        let mut data = serde_json::json!({
            "message_id": message.id, "author": author, "internal": request.internal,
            "assignee_id": before.assignee_id,
        });
        if !mentions.is_empty() {
            data["mentions"] = serde_json::json!(mentions);
        }
        let mut events = vec![
            Event::new(EventKind::MessageCreated, Some(caller.user_id), format!("ticket/{id}"), now)
                .with_change(None, Some(data))
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
            Ok(()) => return super::authors::view(app, &scope, &after, &message).await,
            Err(TicketWriteError::VersionConflict) => continue,
            Err(TicketWriteError::Store(err)) => return Err(err.into()),
        }
    }
    Err(ServiceError::VersionConflict { what: "The ticket", current: None })
}

/// The inbox: a view (open, unassigned, mine, solved) narrowed by filters, newest update first or
/// (`sort=priority`) most urgent first, then newest update.
pub async fn list(
    app: &App,
    caller: &MemberPrincipal,
    query: InboxQuery,
    page: PageParams,
) -> ServiceResult<TicketList> {
    let inbox = InboxFilter::try_from(query)?;
    if let Some(number) = inbox.number {
        // A number names one ticket, whatever the view: two GetItems, no Query.
        let found = app.store.ticket_by_number(&caller.scope(), number).await?;
        let items = found.iter().map(|ticket| InboxItemView::of(ticket, caller.user_id)).collect();
        return Ok(TicketList { items, next_cursor: None });
    }
    let unresolved = inbox.view.unresolved();
    let (index, filters) = inbox_index(&inbox, caller.user_id);
    let page = app.store.query_tickets(&caller.scope(), index, &filters, page.limit, page.cursor.as_deref()).await?;
    let items = page
        .items
        .iter()
        .filter(|ticket| !matches!(index, TicketIndex::Customer(_)) || ticket.status.is_unresolved() == unresolved)
        .map(|ticket| InboxItemView::of(ticket, caller.user_id))
        .collect();
    Ok(TicketList { items, next_cursor: page.next_cursor })
}

/// Which index answers an inbox filter for `me`, and what narrows it there.
pub fn inbox_index(inbox: &InboxFilter, me: UserId) -> (TicketIndex, TicketFilters) {
    let (unresolved, by_priority) = (inbox.view.unresolved(), inbox.by_priority);
    let mut filters = TicketFilters {
        status: inbox.status,
        priority: inbox.priority,
        category: inbox.category.clone(),
        tag: inbox.tag.clone(),
        ..Default::default()
    };
    let index = match (inbox.view, inbox.assignee, inbox.customer) {
        (InboxView::Mine, _, _) => {
            filters.customer = inbox.customer;
            TicketIndex::Assignee { assignee: Some(me), unresolved: true, by_priority }
        }
        (InboxView::Unassigned, _, _) => {
            filters.customer = inbox.customer;
            TicketIndex::Assignee { assignee: None, unresolved: true, by_priority }
        }
        (_, Some(user), _) => {
            filters.customer = inbox.customer;
            TicketIndex::Assignee { assignee: Some(user), unresolved, by_priority }
        }
        // The customer's own index holds every status; the view's statuses are kept by the caller.
        (_, None, Some(customer)) => TicketIndex::Customer(customer),
        _ => TicketIndex::Queue { unresolved, by_priority },
    };
    (index, filters)
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
