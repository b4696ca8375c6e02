//! What can happen: every kind of event the outbox records, with its wire name (the `type` stored in the
//! event item, shown in the activity log and sent in webhook bodies) and which consumers care about it.
//!
//! Adding a kind is one line in the list below; the compiler then names every decision it needs (the
//! matches here and in the consumers that read kind-specific data have no catch-all arm).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares [`EventKind`] with its wire names, and [`EventKind::ALL`] from the same list, so neither
/// can miss a kind.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
        }

        impl EventKind {
            /// Every kind, in the order declared.
            pub const ALL: &[EventKind] = &[$(EventKind::$variant,)*];

            /// The wire name, e.g. "ticket.created".
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $wire,)*
                }
            }
        }
    };
}

event_kinds! {
    /// Sign-up created the workspace.
    WorkspaceCreated => "workspace.created",
    /// The workspace moved to another plan.
    WorkspacePlanChanged => "workspace.plan_changed",
    /// The workspace became past due, suspended or active again (payment or platform staff).
    WorkspaceStandingChanged => "workspace.standing_changed",
    /// A member joined (the owner at sign-up, or an added member).
    UserCreated => "user.created",
    /// A member was renamed.
    UserUpdated => "user.updated",
    UserRoleChanged => "user.role_changed",
    UserDeactivated => "user.deactivated",
    UserReactivated => "user.reactivated",
    SettingsCategoriesUpdated => "settings.categories_updated",
    SettingsSlaPolicyUpdated => "settings.sla_policy_updated",
    /// The report time zone changed (days from then on are counted in it).
    SettingsReportsUpdated => "settings.reports_updated",
    /// The e-mail channel's addresses or blocked senders changed (or the forwarding address was assigned).
    SettingsEmailUpdated => "settings.email_updated",
    /// An inbound e-mail was not turned into a ticket message; `after` holds the reason.
    EmailRejected => "email.rejected",
    ApiKeyCreated => "api_key.created",
    ApiKeyRevoked => "api_key.revoked",
    ApiKeyRotated => "api_key.rotated",
    TicketCreated => "ticket.created",
    /// Status, priority, subject, category, subcategory or tags changed.
    TicketUpdated => "ticket.updated",
    TicketAssigned => "ticket.assigned",
    /// A customer merge moved the ticket to the target customer.
    TicketCustomerChanged => "ticket.customer_changed",
    /// A reply, customer message or internal note.
    MessageCreated => "message.created",
    /// A reply sent by e-mail moved on: sent, delivered, bounced, complained about or failed.
    MessageDeliveryUpdated => "message.delivery_updated",
    AttachmentAdded => "attachment.added",
    CustomerCreated => "customer.created",
    CustomerUpdated => "customer.updated",
    /// A merge started: the source points at the target.
    CustomerMerged => "customer.merged",
    /// A merge's last step: the source's tickets have moved.
    CustomerMergeCompleted => "customer.merge_completed",
    CustomerNoteAdded => "customer.note_added",
    SlaAtRisk => "sla.at_risk",
    SlaBreached => "sla.breached",
    SlaMet => "sla.met",
    WebhookCreated => "webhook.created",
    WebhookUpdated => "webhook.updated",
    WebhookDeleted => "webhook.deleted",
    WebhookSecretRotated => "webhook.secret_rotated",
    /// The circuit breaker paused an endpoint.
    WebhookEndpointPaused => "webhook.endpoint_paused",
    /// A paused endpoint answered a probe and was resumed.
    WebhookEndpointResumed => "webhook.endpoint_resumed",
    /// An admin made a lead-capture endpoint (Typeform, Zapier or generic JSON).
    LeadCaptureEndpointCreated => "lead_capture.endpoint_created",
    /// Its name, mapping, duplicate rule or state changed, or its secret was rotated.
    LeadCaptureEndpointUpdated => "lead_capture.endpoint_updated",
    LeadCaptureEndpointDeleted => "lead_capture.endpoint_deleted",
    /// A saved inbox view was created (personal or shared).
    ViewCreated => "view.created",
    ViewUpdated => "view.updated",
    ViewDeleted => "view.deleted",
    /// A macro (canned reply with actions) was created (personal or shared).
    MacroCreated => "macro.created",
    MacroUpdated => "macro.updated",
    MacroDeleted => "macro.deleted",
    /// A macro was applied to a ticket: its reply and changes, in the same change.
    TicketMacroApplied => "ticket.macro_applied",
    /// The ticket was merged into another as a duplicate: its conversation was copied there and it closed.
    TicketMerged => "ticket.merged",
    /// A duplicate was merged into this ticket: its messages now appear in this conversation.
    TicketDuplicateMerged => "ticket.duplicate_merged",
    /// The ticket's followers (members) or CC (e-mail addresses) changed.
    TicketFollowersChanged => "ticket.followers_changed",
    /// A sales pipeline was created (the workspace's first one on first use).
    PipelineCreated => "pipeline.created",
    /// A pipeline was renamed or its stages added, removed, renamed or reordered.
    PipelineUpdated => "pipeline.updated",
    DealCreated => "deal.created",
    /// Title, value, currency, expected close, probability, contacts, company or tags changed.
    DealUpdated => "deal.updated",
    /// The deal moved to another stage (or pipeline): the stage history.
    DealStageChanged => "deal.stage_changed",
    /// The deal's owner changed.
    DealAssigned => "deal.assigned",
    DealWon => "deal.won",
    /// Lost, with the reason.
    DealLost => "deal.lost",
    DealDeleted => "deal.deleted",
    DealNoteAdded => "deal.note_added",
    /// A won or lost deal went back to open, in a stage.
    DealReopened => "deal.reopened",
    /// A company (organisation record) was created.
    CompanyCreated => "company.created",
    /// A company's name, domain, phone, website, address, owner, tags or attributes changed.
    CompanyUpdated => "company.updated",
    CompanyDeleted => "company.deleted",
    CompanyNoteAdded => "company.note_added",
    /// A sales lead was created (by a person, an import or an integration).
    LeadCreated => "lead.created",
    /// A lead's details changed (name, e-mail, company, tags, score...; not status or owner).
    LeadUpdated => "lead.updated",
    /// A lead got an owner, another owner, or none.
    LeadAssigned => "lead.assigned",
    LeadStatusChanged => "lead.status_changed",
    /// A lead became a customer (new or matched by e-mail).
    LeadConverted => "lead.converted",
    /// A duplicate lead was merged into this one.
    LeadMerged => "lead.merged",
    LeadNoteAdded => "lead.note_added",
    LeadDeleted => "lead.deleted",
    /// The workspace's lead status set changed.
    LeadStatusesUpdated => "settings.lead_statuses_updated",
    /// A call, meeting, task or e-mail was logged on a lead, customer or deal (possibly done already).
    ActivityCreated => "activity.created",
    /// An activity was rescheduled, reassigned, reworded or reopened.
    ActivityUpdated => "activity.updated",
    /// An activity was ticked done.
    ActivityCompleted => "activity.completed",
    ActivityDeleted => "activity.deleted",
    /// A team chat message mentioned members: the channel, the message and who (never the text).
    ChatMentioned => "chat.mentioned",
}

/// What an event means for the tickets' SLA watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaEffect {
    /// The ticket's watch is recomputed from its history.
    RecomputeTicket,
    /// The policy changed: every unresolved ticket of the workspace needs a new watch.
    RewatchWorkspace,
}

impl EventKind {
    /// How the event changes SLA watches, if at all.
    pub fn sla_effect(self) -> Option<SlaEffect> {
        use EventKind::*;
        match self {
            TicketCreated | TicketUpdated | TicketAssigned | MessageCreated => Some(SlaEffect::RecomputeTicket),
            SettingsSlaPolicyUpdated => Some(SlaEffect::RewatchWorkspace),
            WorkspaceCreated
            | WorkspacePlanChanged
            | WorkspaceStandingChanged
            | UserCreated
            | UserUpdated
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | SettingsCategoriesUpdated
            | SettingsReportsUpdated
            | SettingsEmailUpdated
            | EmailRejected
            | MessageDeliveryUpdated
            | ApiKeyCreated
            | ApiKeyRevoked
            | ApiKeyRotated
            | CustomerCreated
            | CustomerUpdated
            | CustomerMerged
            | CustomerMergeCompleted
            | TicketCustomerChanged
            | AttachmentAdded
            | SlaAtRisk
            | SlaBreached
            | SlaMet
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | WebhookSecretRotated
            | WebhookEndpointPaused
            | WebhookEndpointResumed
            | LeadCaptureEndpointCreated
            | LeadCaptureEndpointUpdated
            | LeadCaptureEndpointDeleted
            | ViewCreated
            | ViewUpdated
            | ViewDeleted
            | MacroCreated
            | MacroUpdated
            | MacroDeleted
            | TicketMacroApplied
            | TicketMerged
            | TicketFollowersChanged
            | TicketDuplicateMerged
            | PipelineCreated
            | PipelineUpdated
            | DealCreated
            | DealUpdated
            | DealStageChanged
            | DealAssigned
            | DealWon
            | DealLost
            | DealDeleted
            | LeadCreated
            | LeadUpdated
            | LeadAssigned
            | LeadStatusChanged
            | LeadConverted
            | LeadMerged
            | LeadNoteAdded
            | CustomerNoteAdded
            | DealNoteAdded
            | LeadDeleted
            | LeadStatusesUpdated
            | ActivityCreated
            | ActivityUpdated
            | ActivityCompleted
            | ActivityDeleted
            | DealReopened
            | CompanyCreated
            | CompanyUpdated
            | CompanyDeleted
            | CompanyNoteAdded
            | ChatMentioned => None,
        }
    }

    /// Whether a ticket's event of this kind goes live to every socket of the workspace (it changes the
    /// inbox views); the other ticket events go only to the sockets subscribed to that ticket.
    pub fn reaches_every_inbox(self) -> bool {
        use EventKind::*;
        match self {
            TicketCreated | TicketUpdated | TicketAssigned | TicketMerged => true,
            WorkspaceCreated
            | WorkspacePlanChanged
            | WorkspaceStandingChanged
            | UserCreated
            | UserUpdated
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | SettingsCategoriesUpdated
            | SettingsReportsUpdated
            | SettingsEmailUpdated
            | EmailRejected
            | MessageDeliveryUpdated
            | SettingsSlaPolicyUpdated
            | ApiKeyCreated
            | ApiKeyRevoked
            | ApiKeyRotated
            | CustomerCreated
            | CustomerUpdated
            | CustomerMerged
            | CustomerMergeCompleted
            | TicketCustomerChanged
            | MessageCreated
            | AttachmentAdded
            | SlaAtRisk
            | SlaBreached
            | SlaMet
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | WebhookSecretRotated
            | WebhookEndpointPaused
            | WebhookEndpointResumed
            | LeadCaptureEndpointCreated
            | LeadCaptureEndpointUpdated
            | LeadCaptureEndpointDeleted
            | ViewCreated
            | ViewUpdated
            | ViewDeleted
            | MacroCreated
            | MacroUpdated
            | MacroDeleted
            | TicketMacroApplied
            | TicketDuplicateMerged
            | TicketFollowersChanged
            | PipelineCreated
            | PipelineUpdated
            | DealCreated
            | DealUpdated
            | DealStageChanged
            | DealAssigned
            | DealWon
            | DealLost
            | DealDeleted
            | LeadCreated
            | LeadUpdated
            | LeadAssigned
            | LeadStatusChanged
            | LeadConverted
            | LeadMerged
            | LeadNoteAdded
            | CustomerNoteAdded
            | DealNoteAdded
            | LeadDeleted
            | LeadStatusesUpdated
            | ActivityCreated
            | ActivityUpdated
            | ActivityCompleted
            | ActivityDeleted
            | DealReopened
            | CompanyCreated
            | CompanyUpdated
            | CompanyDeleted
            | CompanyNoteAdded
            | ChatMentioned => false,
        }
    }

    /// What the event means to a webhook subscriber, for the kinds an endpoint can subscribe to
    /// (docs/webhooks.md lists them); None for the rest (sign-ups, settings, key changes...).
    pub fn webhook_description(self) -> Option<&'static str> {
        use EventKind::*;
        match self {
            TicketCreated => Some("A ticket was opened"),
            TicketUpdated => Some("A ticket's status, priority, subject, category or tags changed"),
            TicketAssigned => Some("A ticket was assigned or reassigned"),
            MessageCreated => Some("A reply, customer message or internal note was added to a ticket"),
            CustomerCreated => Some("A customer was created"),
            CustomerUpdated => Some("A customer's details changed"),
            CustomerMerged => Some("A customer was merged into another"),
            SlaAtRisk => Some("A ticket's SLA target is close to being missed"),
            SlaBreached => Some("A ticket's SLA target was missed"),
            SlaMet => Some("A ticket's SLA clock was met (whether in time is in the data)"),
            WebhookEndpointPaused => Some("An endpoint failed repeatedly and its deliveries are paused"),
            WebhookEndpointResumed => Some("A paused endpoint answered again and its deliveries resumed"),
            DealCreated => Some("A deal was created"),
            DealUpdated => {
                Some("A deal's title, value, expected close, probability, contacts, company or tags changed")
            }
            DealStageChanged => Some("A deal moved to another stage"),
            DealAssigned => Some("A deal was given to another owner"),
            DealWon => Some("A deal was won"),
            DealLost => Some("A deal was lost (the reason is in the data)"),
            DealDeleted => Some("A deal was deleted"),
            LeadCreated => Some("A sales lead was created"),
            LeadUpdated => Some("A lead's details changed"),
            LeadAssigned => Some("A lead was assigned, reassigned or released"),
            LeadStatusChanged => Some("A lead's status changed"),
            LeadConverted => Some("A lead was converted into a customer"),
            LeadMerged => Some("A duplicate lead was merged into another"),
            LeadNoteAdded => Some("A note was added to a lead"),
            CustomerNoteAdded => Some("A note was added to a customer"),
            DealNoteAdded => Some("A note was added to a deal"),
            LeadDeleted => Some("A lead was deleted"),
            ActivityCreated => Some("A call, meeting, task or e-mail was logged on a lead, customer or deal"),
            ActivityUpdated => Some("An activity was rescheduled, reassigned, changed or reopened"),
            ActivityCompleted => Some("An activity was marked done"),
            ActivityDeleted => Some("An activity was deleted"),
            DealReopened => Some("A won or lost deal was reopened"),
            CompanyCreated => Some("A company was created"),
            CompanyUpdated => Some("A company's details changed"),
            CompanyDeleted => Some("A company was deleted"),
            CompanyNoteAdded => Some("A note was added to a company"),
            WorkspaceCreated
            | WorkspacePlanChanged
            | WorkspaceStandingChanged
            | UserCreated
            | UserUpdated
            | UserRoleChanged
            | UserDeactivated
            | UserReactivated
            | SettingsCategoriesUpdated
            | SettingsReportsUpdated
            | SettingsEmailUpdated
            | EmailRejected
            | MessageDeliveryUpdated
            | SettingsSlaPolicyUpdated
            | ApiKeyCreated
            | ApiKeyRevoked
            | ApiKeyRotated
            | CustomerMergeCompleted
            | TicketCustomerChanged
            | AttachmentAdded
            | WebhookCreated
            | WebhookUpdated
            | WebhookDeleted
            | WebhookSecretRotated
            | ViewCreated
            | ViewUpdated
            | ViewDeleted
            | MacroCreated
            | MacroUpdated
            | MacroDeleted
            | TicketMacroApplied
            | TicketMerged
            | TicketFollowersChanged
            | TicketDuplicateMerged
            | PipelineCreated
            | PipelineUpdated
            | LeadStatusesUpdated
            | LeadCaptureEndpointCreated
            | LeadCaptureEndpointUpdated
            | LeadCaptureEndpointDeleted
            | ChatMentioned => None,
        }
    }

    /// Whether the event changes what a sales board shows: it goes live to every socket of the workspace
    /// allowed to see deals, so a teammate's kanban follows.
    pub fn reaches_sales_boards(self) -> bool {
        use EventKind::*;
        matches!(
            self,
            PipelineCreated
                | PipelineUpdated
                | DealCreated
                | DealUpdated
                | DealStageChanged
                | DealAssigned
                | DealWon
                | DealLost
                | DealDeleted
                | DealReopened
        )
    }

    pub fn webhook_subscribable(self) -> bool {
        self.webhook_description().is_some()
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A wire name that names no kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an event type")]
pub struct UnknownEventKind(pub String);

impl FromStr for EventKind {
    type Err = UnknownEventKind;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EventKind::ALL.iter().copied().find(|kind| kind.as_str() == name).ok_or_else(|| UnknownEventKind(name.into()))
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_unique_and_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(serde_json::from_value::<EventKind>(kind.as_str().into()).unwrap(), *kind);
        }
        // The webhook kinds are listed (in API errors and docs) in this order.
        let subscribable: Vec<&str> =
            EventKind::ALL.iter().filter(|kind| kind.webhook_subscribable()).map(|kind| kind.as_str()).collect();
        assert_eq!(subscribable[..4], ["ticket.created", "ticket.updated", "ticket.assigned", "message.created"]);
        let mut names: Vec<&str> = EventKind::ALL.iter().map(|kind| kind.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventKind::ALL.len());
    }

    #[test]
    fn unknown_names_are_refused() {
        assert!("ticket.exploded".parse::<EventKind>().is_err());
        assert!(serde_json::from_value::<EventKind>("ticket.exploded".into()).is_err());
    }

    #[test]
    fn stored_names_stay_as_they_were() {
        // Event items in the table and webhook bodies carry these names: they never change.
        assert_eq!(EventKind::TicketCreated.as_str(), "ticket.created");
        assert_eq!(EventKind::SettingsSlaPolicyUpdated.as_str(), "settings.sla_policy_updated");
        assert_eq!(EventKind::WebhookEndpointResumed.as_str(), "webhook.endpoint_resumed");
        assert_eq!(EventKind::ALL.len(), 79);
        assert_eq!(EventKind::EmailRejected.as_str(), "email.rejected");
        assert_eq!(EventKind::DealStageChanged.as_str(), "deal.stage_changed");
    }

    /// Every `` `name` `` written in the first column of a markdown table, split at " / " and ", ".
    fn documented(markdown: &str) -> Vec<String> {
        markdown
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|line| line.split(" |").next())
            .flat_map(|cell| {
                cell.split(['/', ',']).map(|name| name.trim().trim_matches('`').to_owned()).collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_docs_list_every_kind() {
        let data_model = documented(include_str!("../../../docs/data-model.md"));
        for kind in EventKind::ALL {
            assert!(data_model.iter().any(|name| name == kind.as_str()), "docs/data-model.md lacks {kind}");
        }
        let webhooks = documented(include_str!("../../../docs/webhooks.md"));
        let subscribable: Vec<&str> =
            EventKind::ALL.iter().filter(|kind| kind.webhook_subscribable()).map(|kind| kind.as_str()).collect();
        let listed: Vec<&str> =
            webhooks.iter().map(String::as_str).filter(|name| name.parse::<EventKind>().is_ok()).collect();
        assert_eq!(listed, subscribable, "docs/webhooks.md lists the subscribable kinds");
    }

    #[test]
    fn consumers_care_about_the_kinds_they_did() {
        assert_eq!(EventKind::MessageCreated.sla_effect(), Some(SlaEffect::RecomputeTicket));
        assert_eq!(EventKind::SettingsSlaPolicyUpdated.sla_effect(), Some(SlaEffect::RewatchWorkspace));
        assert_eq!(EventKind::SlaBreached.sla_effect(), None);
        assert!(EventKind::TicketAssigned.reaches_every_inbox());
        assert!(!EventKind::MessageCreated.reaches_every_inbox());
        let subscribable = EventKind::ALL.iter().filter(|kind| kind.webhook_subscribable()).count();
        assert_eq!(subscribable, 38);
        assert!(EventKind::DealWon.webhook_subscribable() && !EventKind::PipelineUpdated.webhook_subscribable());
        assert!(EventKind::DealStageChanged.reaches_sales_boards() && !EventKind::TicketUpdated.reaches_sales_boards());
        assert!(!EventKind::UserCreated.webhook_subscribable());
    }
}
