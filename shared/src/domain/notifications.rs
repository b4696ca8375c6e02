//! In-app notifications: which committed events tell which member something, and @mentions.
//!
//! [`recipients`] is the one place deciding who gets what. It reads only the event (kind, actor and
//! its before/after data), so the outbox consumer can apply it to any event, redelivered or not, and
//! get the same answer. Nobody is notified of their own action.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::events::EventKind;
use super::ids::UserId;

/// Declares [`NotificationKind`] with its wire names and [`NotificationKind::ALL`] from one list.
macro_rules! notification_kinds {
    ($($(#[$doc:meta])* $variant:ident => $wire:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum NotificationKind {
            $($(#[$doc])* $variant,)*
        }

        impl NotificationKind {
            pub const ALL: &[NotificationKind] = &[$(NotificationKind::$variant,)*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(NotificationKind::$variant => $wire,)*
                }
            }
        }
    };
}

notification_kinds! {
    /// A ticket was assigned to me (at creation or later).
    TicketAssigned => "ticket_assigned",
    /// The customer wrote on a ticket assigned to me.
    CustomerReplied => "customer_replied",
    /// Someone mentioned me in an internal note or a chat message.
    Mentioned => "mentioned",
    /// An SLA clock of a ticket assigned to me is close to running out.
    SlaAtRisk => "sla_at_risk",
    /// An SLA clock of a ticket assigned to me ran out.
    SlaBreached => "sla_breached",
    /// A lead was given to me.
    LeadAssigned => "lead_assigned",
    /// A deal I own moved to another stage.
    DealStageChanged => "deal_stage_changed",
}

impl NotificationKind {
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.iter().copied().find(|kind| kind.as_str() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|kind| kind.as_str()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

/// The most members one note or message can mention (more are ignored).
pub const MAX_MENTIONS: usize = 20;

/// The members a text mentions, in order of first appearance, each once. A mention is written
/// `@[Display name](member id)` (what the composers insert); the name is only for reading, the id
/// decides. Whether the ids are members of the workspace is for the caller to check.
pub fn parse_mentions(body: &str) -> Vec<UserId> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("@[") {
        rest = &rest[start + 2..];
        let Some(close) = rest.find("](") else { break };
        let name = &rest[..close];
        // A name never spans lines nor holds another mention's opening.
        if name.contains('\n') || name.contains("@[") {
            continue;
        }
        let after = &rest[close + 2..];
        let Some(end) = after.find(')') else { break };
        if let Ok(id) = after[..end].trim().parse::<UserId>()
            && !found.contains(&id)
        {
            found.push(id);
            if found.len() == MAX_MENTIONS {
                break;
            }
        }
        rest = &after[end..];
    }
    found
}

fn user_at(value: Option<&Value>, name: &str) -> Option<UserId> {
    value?.get(name)?.as_str()?.parse().ok()
}

/// Who an event notifies, and of what: at most one notification per member per event, never the
/// member who caused it. `before` and `after` are the event's data as recorded.
pub fn recipients(
    kind: EventKind,
    actor: Option<UserId>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<(UserId, NotificationKind)> {
    use EventKind::*;
    let mut out: Vec<(UserId, NotificationKind)> = Vec::new();
    let mut add = |user: Option<UserId>, what: NotificationKind| {
        if let Some(user) = user
            && Some(user) != actor
            && !out.iter().any(|(already, _)| *already == user)
        {
            out.push((user, what));
        }
    };
    match kind {
        TicketCreated => add(user_at(after, "assignee_id"), NotificationKind::TicketAssigned),
        TicketAssigned => {
            let to = user_at(after, "assignee_id");
            if to != user_at(before, "assignee_id") {
                add(to, NotificationKind::TicketAssigned);
            }
        }
        MessageCreated => {
            let after_data = after;
            let author = after_data.and_then(|data| data.get("author")).and_then(Value::as_str);
            let internal = after_data.and_then(|data| data.get("internal")).and_then(Value::as_bool) == Some(true);
            if internal {
                let mentions = after_data.and_then(|data| data.get("mentions")).and_then(Value::as_array);
                for id in mentions.into_iter().flatten() {
                    add(id.as_str().and_then(|id| id.parse().ok()), NotificationKind::Mentioned);
                }
            } else if author == Some("customer") {
                add(user_at(after_data, "assignee_id"), NotificationKind::CustomerReplied);
            }
        }
        SlaAtRisk => add(user_at(after, "assignee_id"), NotificationKind::SlaAtRisk),
        SlaBreached => add(user_at(after, "assignee_id"), NotificationKind::SlaBreached),
        LeadAssigned => {
            let to = user_at(after, "owner_id");
            if to != user_at(before, "owner_id") {
                add(to, NotificationKind::LeadAssigned);
            }
        }
        // Recorded only with mentions of members who may read the channel.
        ChatMentioned => {
            let mentions = after.and_then(|data| data.get("mentions")).and_then(Value::as_array);
            for id in mentions.into_iter().flatten() {
                add(id.as_str().and_then(|id| id.parse().ok()), NotificationKind::Mentioned);
            }
        }
        LeadCreated => add(user_at(after, "owner_id"), NotificationKind::LeadAssigned),
        DealStageChanged => add(user_at(after, "owner_id"), NotificationKind::DealStageChanged),
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
        | SettingsSlaPolicyUpdated
        | SettingsEmailUpdated
        | EmailRejected
        | MessageDeliveryUpdated
        | ApiKeyCreated
        | ApiKeyRevoked
        | ApiKeyRotated
        | TicketUpdated
        | TicketCustomerChanged
        | AttachmentAdded
        | CustomerCreated
        | CustomerUpdated
        | CustomerMerged
        | CustomerMergeCompleted
        | CustomerNoteAdded
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
        | TicketDuplicateMerged
        | TicketFollowersChanged
        | PipelineCreated
        | PipelineUpdated
        | DealCreated
        | DealUpdated
        | DealAssigned
        | DealWon
        | DealLost
        | DealDeleted
        | DealNoteAdded
        | DealReopened
        | CompanyCreated
        | CompanyUpdated
        | CompanyDeleted
        | CompanyNoteAdded
        | LeadUpdated
        | LeadStatusChanged
        | LeadConverted
        | LeadMerged
        | LeadNoteAdded
        | LeadDeleted
        | LeadStatusesUpdated
        | ActivityCreated
        | ActivityUpdated
        | ActivityCompleted
        | ActivityDeleted => {}
    }
    out
}

/// A member's choices: each kind on or off. Every kind is on until turned off.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    /// The kinds turned off.
    #[serde(default)]
    pub muted: Vec<NotificationKind>,
}

impl Preferences {
    pub fn wants(&self, kind: NotificationKind) -> bool {
        !self.muted.contains(&kind)
    }

    /// With `kind` on or off.
    pub fn with(mut self, kind: NotificationKind, on: bool) -> Self {
        self.muted.retain(|muted| *muted != kind);
        if !on {
            self.muted.push(kind);
            self.muted.sort();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> (UserId, UserId, UserId) {
        (UserId::generate(), UserId::generate(), UserId::generate())
    }

    #[test]
    fn an_assignment_notifies_the_new_assignee_unless_they_took_it_themselves() {
        let (manager, agent, _) = users();
        let before = json!({"assignee_id": null});
        let after = json!({"assignee_id": agent});
        let got = recipients(EventKind::TicketAssigned, Some(manager), Some(&before), Some(&after));
        assert_eq!(got, vec![(agent, NotificationKind::TicketAssigned)]);
        assert!(recipients(EventKind::TicketAssigned, Some(agent), Some(&before), Some(&after)).is_empty());
        let unassigned = json!({"assignee_id": null});
        assert!(recipients(EventKind::TicketAssigned, Some(manager), Some(&after), Some(&unassigned)).is_empty());
        let created = json!({"assignee_id": agent, "subject": "Help"});
        assert_eq!(
            recipients(EventKind::TicketCreated, Some(manager), None, Some(&created)),
            vec![(agent, NotificationKind::TicketAssigned)]
        );
    }

    #[test]
    fn a_customer_message_notifies_the_assignee_and_an_agent_reply_nobody() {
        let (agent, assignee, _) = users();
        let customer = json!({"author": "customer", "internal": false, "assignee_id": assignee});
        assert_eq!(
            recipients(EventKind::MessageCreated, None, None, Some(&customer)),
            vec![(assignee, NotificationKind::CustomerReplied)]
        );
        let reply = json!({"author": "agent", "internal": false, "assignee_id": assignee});
        assert!(recipients(EventKind::MessageCreated, Some(agent), None, Some(&reply)).is_empty());
        let unassigned = json!({"author": "customer", "internal": false, "assignee_id": null});
        assert!(recipients(EventKind::MessageCreated, None, None, Some(&unassigned)).is_empty());
    }

    #[test]
    fn a_note_notifies_each_mentioned_member_once_but_not_its_author() {
        let (author, a, b) = users();
        let note = json!({"author": "agent", "internal": true, "assignee_id": b, "mentions": [a, author, a, b]});
        assert_eq!(
            recipients(EventKind::MessageCreated, Some(author), None, Some(&note)),
            vec![(a, NotificationKind::Mentioned), (b, NotificationKind::Mentioned)]
        );
        let plain = json!({"author": "agent", "internal": true, "assignee_id": b});
        assert!(recipients(EventKind::MessageCreated, Some(author), None, Some(&plain)).is_empty());
        let chat = json!({"channel_id": "c", "message_id": "m", "seq": 4, "mentions": [b, author]});
        assert_eq!(
            recipients(EventKind::ChatMentioned, Some(author), None, Some(&chat)),
            vec![(b, NotificationKind::Mentioned)]
        );
        // A reply to the customer mentions nobody, whatever it carries.
        let reply = json!({"author": "agent", "internal": false, "mentions": [a]});
        assert!(recipients(EventKind::MessageCreated, Some(author), None, Some(&reply)).is_empty());
    }

    #[test]
    fn sla_moments_notify_the_assignee_and_a_met_clock_nobody() {
        let (_, assignee, _) = users();
        let data = json!({"clock": "first_response", "assignee_id": assignee});
        assert_eq!(
            recipients(EventKind::SlaAtRisk, None, None, Some(&data)),
            vec![(assignee, NotificationKind::SlaAtRisk)]
        );
        assert_eq!(
            recipients(EventKind::SlaBreached, None, None, Some(&data)),
            vec![(assignee, NotificationKind::SlaBreached)]
        );
        assert!(recipients(EventKind::SlaMet, None, None, Some(&data)).is_empty());
        let unassigned = json!({"clock": "first_response", "assignee_id": null});
        assert!(recipients(EventKind::SlaBreached, None, None, Some(&unassigned)).is_empty());
    }

    #[test]
    fn leads_notify_their_new_owner_and_deals_their_owner_on_a_stage_move() {
        let (manager, rep, _) = users();
        let before = json!({"owner_id": null});
        let after = json!({"owner_id": rep, "name": "Ada"});
        assert_eq!(
            recipients(EventKind::LeadAssigned, Some(manager), Some(&before), Some(&after)),
            vec![(rep, NotificationKind::LeadAssigned)]
        );
        assert!(recipients(EventKind::LeadAssigned, Some(rep), Some(&before), Some(&after)).is_empty());
        let released = json!({"owner_id": null});
        assert!(recipients(EventKind::LeadAssigned, Some(manager), Some(&after), Some(&released)).is_empty());
        let deal = json!({"owner_id": rep, "stage_id": "s2"});
        assert_eq!(
            recipients(EventKind::DealStageChanged, Some(manager), None, Some(&deal)),
            vec![(rep, NotificationKind::DealStageChanged)]
        );
        assert!(recipients(EventKind::DealStageChanged, Some(rep), None, Some(&deal)).is_empty());
        assert!(recipients(EventKind::DealUpdated, Some(manager), None, Some(&deal)).is_empty());
    }

    #[test]
    fn mentions_are_read_by_id_in_order_and_once() {
        let (a, b, _) = users();
        let body = format!("@[Ada L](  {a}) please look, and @[Bo](not-an-id) and @[Ben]({b}) and again @[Ada]({a})");
        assert_eq!(parse_mentions(&body), vec![a, b]);
        assert!(parse_mentions("mail me @ home, or @[unclosed](").is_empty());
        assert!(parse_mentions(&format!("@[two\nlines]({a})")).is_empty());
        let many: String = (0..30).map(|_| format!("@[x]({}) ", UserId::generate())).collect();
        assert_eq!(parse_mentions(&many).len(), MAX_MENTIONS);
    }

    #[test]
    fn preferences_turn_kinds_off_and_back_on() {
        let prefs = Preferences::default();
        assert!(NotificationKind::ALL.iter().all(|kind| prefs.wants(*kind)));
        let prefs = prefs.with(NotificationKind::SlaAtRisk, false).with(NotificationKind::SlaAtRisk, false);
        assert_eq!(prefs.muted, vec![NotificationKind::SlaAtRisk]);
        assert!(!prefs.wants(NotificationKind::SlaAtRisk) && prefs.wants(NotificationKind::Mentioned));
        assert!(prefs.with(NotificationKind::SlaAtRisk, true).muted.is_empty());
        assert_eq!(NotificationKind::parse("mentioned"), Ok(NotificationKind::Mentioned));
        assert!(NotificationKind::parse("everything").is_err());
    }
}
