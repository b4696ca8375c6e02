//! Macros: canned replies with placeholders and the ticket changes that go with them, a member's own
//! or shared with the team; previewed on a ticket and applied to it as one versioned change.

use jiff::Timestamp;

use super::commands::{
    macros::{ApplyMacro, MacroContent},
    tickets::ChangeTicket,
};
use super::drafts::{self, Draft};
use super::tickets::{change_events, changed, check_assignable, load, snapshot, view_json};
use super::{ServiceError, ServiceResult};
use crate::api::{MacroApplied, MacroList, MacroPreview, MacroRequest, MacroView};
use crate::app::App;
use crate::auth::MemberPrincipal;
use crate::domain::{
    FieldError,
    events::EventKind,
    ids::{MacroId, MessageId, TicketId, UserId},
    macros::{Placeholder, render},
    rbac::Permission,
    ticket::{self, Author},
};
use crate::storage::{
    TenantScope,
    events::Event,
    macros::{Macro, MacroAssignee},
    shelf::ShelfWriteError,
    tickets::{Message, Ticket, TicketWriteError},
};

/// The reference a ticket goes by in a reply, `{{ticket.number}}`: its number as shown, `#1042`; a
/// ticket from before numbers goes by its id.
fn ticket_number(ticket: &Ticket) -> String {
    match ticket.number {
        Some(number) => format!("#{number}"),
        None => ticket.id.to_string(),
    }
}

/// What each placeholder shows on one ticket, for the member applying the macro: the one resolver
/// every macro text goes through.
struct Placeholders {
    customer_name: String,
    ticket_number: String,
    agent_name: String,
}

impl Placeholders {
    async fn of(app: &App, scope: &TenantScope, caller: &MemberPrincipal, ticket: &Ticket) -> ServiceResult<Self> {
        let customer = app.store.get_customer(scope, ticket.customer_id).await?;
        let agent = app.store.get_member(scope, caller.user_id).await?;
        Ok(Self {
            // A customer known only by e-mail is greeted by it rather than by nothing.
            customer_name: customer
                .map(|customer| customer.name.unwrap_or_else(|| customer.email.to_string()))
                .unwrap_or_default(),
            ticket_number: ticket_number(ticket),
            agent_name: agent.map(|member| member.name.to_string()).unwrap_or_default(),
        })
    }

    fn fill(&self, placeholder: Placeholder) -> String {
        match placeholder {
            Placeholder::CustomerName => self.customer_name.clone(),
            Placeholder::TicketNumber => self.ticket_number.clone(),
            Placeholder::AgentName => self.agent_name.clone(),
        }
    }

    fn render(&self, template: &str) -> ServiceResult<String> {
        // Templates are checked when saved; one that fails here was stored by an older rule.
        render(template, |placeholder| self.fill(placeholder))
            .map_err(|message| ServiceError::Validation(vec![FieldError::new("macro.body", message)]))
    }
}

fn check_may_share(caller: &MemberPrincipal) -> ServiceResult<()> {
    if caller.can(Permission::SettingsManage) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden("Only admins can create or change macros shared with the team.".to_owned()))
    }
}

fn event(kind: EventKind, caller: &MemberPrincipal, found: &Macro, before: Option<&Macro>, at: Timestamp) -> Event {
    let snapshot = |found: &Macro| serde_json::to_value(MacroView::from(found)).unwrap_or_default();
    let after = (kind != EventKind::MacroDeleted).then(|| snapshot(found));
    Event::new(kind, Some(caller.user_id), format!("macro/{}", found.id), at).with_change(before.map(snapshot), after)
}

/// A macro that assigns to a given member needs someone who may assign, and a member who can work
/// tickets; checked when it is saved and again when it is applied.
async fn check_assignee(app: &App, caller: &MemberPrincipal, content: &MacroContent) -> ServiceResult<()> {
    let assignee = match content.assignee {
        None => return Ok(()),
        Some(MacroAssignee::Member(user)) => Some(user),
        Some(MacroAssignee::Me | MacroAssignee::Nobody) => None,
    };
    check_assignable(app, caller, &caller.scope(), assignee).await.map_err(|err| match err {
        ServiceError::Validation(_) => ServiceError::Validation(vec![FieldError::new(
            "assignee",
            "must be me, nobody or an active member of this workspace who can work tickets",
        )]),
        other => other,
    })
}

/// The caller's own macros, then the shared ones, each by name.
pub async fn list(app: &App, caller: &MemberPrincipal) -> ServiceResult<MacroList> {
    let (mut personal, mut shared) = app.store.macros_for(&caller.scope(), caller.user_id).await?;
    personal.sort_by_key(|found| found.name.to_lowercase());
    shared.sort_by_key(|found| found.name.to_lowercase());
    Ok(MacroList { items: personal.iter().chain(shared.iter()).map(MacroView::from).collect() })
}

pub async fn create(app: &App, caller: &MemberPrincipal, request: MacroRequest) -> ServiceResult<MacroView> {
    let content = MacroContent::try_from(request)?;
    if content.version.is_some() {
        return Err(ServiceError::Validation(vec![FieldError::new("version", "is only sent with a change")]));
    }
    let shared = content.shared.unwrap_or(false);
    if shared {
        check_may_share(caller)?;
    }
    check_assignee(app, caller, &content).await?;
    let now = app.clock.now();
    let found = Macro {
        id: MacroId::generate(),
        workspace_id: caller.scope().workspace_id(),
        owner: (!shared).then_some(caller.user_id),
        name: content.name,
        body: content.body,
        internal: content.internal,
        status: content.status,
        priority: content.priority,
        add_tags: content.add_tags,
        assignee: content.assignee,
        created_by: caller.user_id,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let event = event(EventKind::MacroCreated, caller, &found, None, now);
    match app.store.put_macro(&caller.scope(), &found, None, &event).await {
        Ok(()) => Ok((&found).into()),
        Err(ShelfWriteError::VersionConflict) => Err(ServiceError::Conflict("A macro with this id exists.".to_owned())),
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}

async fn usable(app: &App, caller: &MemberPrincipal, id: MacroId) -> ServiceResult<Macro> {
    app.store.macro_for(&caller.scope(), caller.user_id, id).await?.ok_or(ServiceError::NotFound("The macro"))
}

/// A macro the caller may change: their own, or a shared one if they may share.
async fn changeable(app: &App, caller: &MemberPrincipal, id: MacroId) -> ServiceResult<Macro> {
    let found = usable(app, caller, id).await?;
    if found.owner.is_none() {
        check_may_share(caller)?;
    }
    Ok(found)
}

fn conflict(current: Option<&Macro>) -> ServiceError {
    ServiceError::VersionConflict {
        what: "The macro",
        current: current.map(|found| serde_json::to_value(MacroView::from(found)).unwrap_or_default()),
    }
}

/// Replaces a macro's name, text and actions, based on the version the caller saw.
pub async fn replace(
    app: &App,
    caller: &MemberPrincipal,
    id: MacroId,
    request: MacroRequest,
) -> ServiceResult<MacroView> {
    let content = MacroContent::try_from(request)?;
    let Some(version) = content.version else {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "version",
            "is required: send the version you saw",
        )]));
    };
    let before = changeable(app, caller, id).await?;
    if content.shared.is_some_and(|shared| shared != before.owner.is_none()) {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "shared",
            "cannot change: a macro stays personal or shared; create a new one instead",
        )]));
    }
    if before.version != version {
        return Err(conflict(Some(&before)));
    }
    check_assignee(app, caller, &content).await?;
    let after = Macro {
        name: content.name,
        body: content.body,
        internal: content.internal,
        status: content.status,
        priority: content.priority,
        add_tags: content.add_tags,
        assignee: content.assignee,
        updated_at: app.clock.now(),
        version: before.version + 1,
        ..before.clone()
    };
    let event = event(EventKind::MacroUpdated, caller, &after, Some(&before), after.updated_at);
    match app.store.put_macro(&caller.scope(), &after, Some(before.version), &event).await {
        Ok(()) => Ok((&after).into()),
        Err(ShelfWriteError::VersionConflict) => {
            Err(conflict(app.store.macro_for(&caller.scope(), caller.user_id, id).await?.as_ref()))
        }
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}

pub async fn delete(app: &App, caller: &MemberPrincipal, id: MacroId) -> ServiceResult<()> {
    let found = changeable(app, caller, id).await?;
    let event = event(EventKind::MacroDeleted, caller, &found, Some(&found), app.clock.now());
    match app.store.delete_macro(&caller.scope(), &found, &event).await {
        Ok(()) => Ok(()),
        Err(ShelfWriteError::VersionConflict) => Err(conflict(None)),
        Err(ShelfWriteError::Store(err)) => Err(err.into()),
    }
}

/// The macro filled in for this ticket, as the composer shows it before sending.
pub async fn preview(
    app: &App,
    caller: &MemberPrincipal,
    ticket_id: TicketId,
    id: MacroId,
) -> ServiceResult<MacroPreview> {
    let scope = caller.scope();
    let found = usable(app, caller, id).await?;
    let ticket = load(app, &scope, ticket_id).await?;
    let placeholders = Placeholders::of(app, &scope, caller, &ticket).await?;
    Ok(MacroPreview {
        macro_id: found.id,
        name: found.name.clone(),
        body: placeholders.render(&found.body)?,
        internal: found.internal,
        actions: (&found).into(),
        ticket_version: ticket.version,
    })
}

/// Who the macro leaves the ticket assigned to: None leaves it as it is.
fn assignee_after(found: &Macro, caller: UserId) -> Option<Option<UserId>> {
    found.assignee.map(|assignee| match assignee {
        MacroAssignee::Me => Some(caller),
        MacroAssignee::Nobody => None,
        MacroAssignee::Member(user) => Some(user),
    })
}

/// Applies a macro: its text as a reply (or note), and its status, priority, tags and assignee, in
/// one change of the ticket at the version the agent saw, with every event in the same transaction.
pub async fn apply(
    app: &App,
    caller: &MemberPrincipal,
    ticket_id: TicketId,
    id: MacroId,
    request: crate::api::ApplyMacroRequest,
) -> ServiceResult<MacroApplied> {
    let command = ApplyMacro::try_from(request)?;
    let scope = caller.scope();
    let found = usable(app, caller, id).await?;
    let before = load(app, &scope, ticket_id).await?;
    if before.version != command.version {
        return Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&before)) });
    }
    let draft =
        Draft { author: Author::Agent, internal: found.internal, draft_version: None, confirm: command.confirm };
    drafts::check(app, caller, &before, &draft).await?;
    let body = match command.body {
        Some(body) => body,
        None => Placeholders::of(app, &scope, caller, &before).await?.render(&found.body)?,
    };
    let assignee = assignee_after(&found, caller.user_id);
    let reassigned_to = assignee.filter(|assignee| *assignee != before.assignee_id);
    if let Some(assignee) = reassigned_to {
        check_assignable(app, caller, &scope, assignee).await?;
    }
    let now = app.clock.now();
    let mut after = after_macro(app, &scope, &before, &found, assignee, now).await?;
    let message = Message {
        id: MessageId::generate(),
        ticket_id,
        author: Author::Agent,
        author_id: caller.user_id.to_string(),
        body,
        internal: found.internal,
        created_at: now,
        merged_from: None,
        attachment_ids: Vec::new(),
    };
    after.row.record_message(&message, Some(caller.user_id));
    let mut events = vec![
        Event::new(EventKind::MessageCreated, Some(caller.user_id), format!("ticket/{ticket_id}"), now)
            .with_change(
                None,
                Some(
                    serde_json::json!({"message_id": message.id, "author": Author::Agent, "internal": found.internal, "assignee_id": before.assignee_id}),
                ),
            )
            .about_ticket(ticket_id, before.customer_id)
            .at_version(after.version)
            .internal(found.internal),
    ];
    if snapshot(&before) != snapshot(&after) {
        events.extend(change_events(caller, &before, &after, reassigned_to.is_some(), None, now));
    }
    events.push(
        Event::new(EventKind::TicketMacroApplied, Some(caller.user_id), format!("ticket/{ticket_id}"), now)
            .with_change(
                None,
                Some(serde_json::json!({"macro_id": found.id, "name": found.name, "message_id": message.id})),
            )
            .about_ticket(ticket_id, before.customer_id)
            .at_version(after.version),
    );
    match app.store.save_ticket(&scope, &before, &after, Some(&message), &events).await {
        Ok(()) => {
            let message = super::authors::view(app, &scope, &after, &message).await?;
            Ok(MacroApplied { ticket: (&after).into(), message })
        }
        Err(TicketWriteError::VersionConflict) => {
            let current = load(app, &scope, ticket_id).await?;
            Err(ServiceError::VersionConflict { what: "The ticket", current: Some(view_json(&current)) })
        }
        Err(TicketWriteError::Store(err)) => Err(err.into()),
    }
}

/// The ticket after the macro: first what its message does (a first public reply opens a new ticket
/// and is the first response), then its changes under the lifecycle rules, as one new version.
async fn after_macro(
    app: &App,
    scope: &TenantScope,
    before: &Ticket,
    found: &Macro,
    assignee: Option<Option<UserId>>,
    now: Timestamp,
) -> ServiceResult<Ticket> {
    let mut replied = before.clone();
    replied.status =
        ticket::after_message(before.status, Author::Agent, found.internal).map_err(ServiceError::InvalidTransition)?;
    replied.record_status(now);
    if !found.internal && before.first_response_at.is_none() {
        replied.first_response_at = Some(now);
    }
    let mut tags = before.tags.clone();
    tags.extend(found.add_tags.iter().filter(|tag| !before.tags.contains(tag)).cloned());
    let tags = ticket::normalize_tags(&tags)
        .map_err(|message| ServiceError::Validation(vec![FieldError::new("macro.add_tags", message)]))?;
    let change = ChangeTicket {
        version: before.version,
        status: found.status,
        priority: found.priority,
        assignee,
        category: None,
        subcategory: None,
        tags: Some(tags),
        handoff: None,
    };
    let mut after = changed(app, scope, &replied, &change, now).await?.unwrap_or(replied);
    after.updated_at = now;
    after.version = before.version + 1;
    Ok(after)
}
