//! A member's notifications and their preferences.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::ids::{DealId, EventId, LeadId, TicketId, UserId};
use crate::domain::notifications::{NotificationKind, Preferences};
use crate::storage::notifications::Notification;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    /// The id of the event that caused it.
    pub id: EventId,
    pub kind: NotificationKind,
    /// The event's type, e.g. "ticket.assigned".
    #[schema(example = "ticket.assigned")]
    pub event_type: String,
    /// Who caused it; null for the system (SLA moments) or a customer.
    pub actor_id: Option<UserId>,
    /// What it is about, e.g. "ticket/<id>".
    pub subject: String,
    pub ticket_id: Option<TicketId>,
    pub lead_id: Option<LeadId>,
    pub deal_id: Option<DealId>,
    /// The event's data after the change (the SLA clock, the lead's name, the deal's stage...).
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
    pub at: Timestamp,
    /// Null while unread.
    pub read_at: Option<Timestamp>,
}

impl From<&Notification> for NotificationView {
    fn from(found: &Notification) -> Self {
        Self {
            id: found.id,
            kind: found.kind,
            event_type: found.event_type.as_str().to_owned(),
            actor_id: found.actor_id,
            subject: found.subject.clone(),
            ticket_id: found.ticket_id,
            lead_id: found.lead_id,
            deal_id: found.deal_id,
            data: found.data.clone(),
            at: found.at,
            read_at: found.read_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub items: Vec<NotificationView>,
    pub next_cursor: Option<String>,
    /// The caller's unread notifications, all pages.
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationReadResponse {
    pub notification: NotificationView,
    pub unread: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsReadAllResponse {
    /// How many were marked read now.
    pub marked: u64,
    pub unread: u64,
}

/// One kind and whether it is on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreference {
    /// `ticket_assigned`, `customer_replied`, `mentioned`, `sla_at_risk`, `sla_breached`,
    /// `lead_assigned` or `deal_stage_changed`.
    #[schema(value_type = String, example = "sla_at_risk")]
    pub kind: String,
    pub enabled: bool,
}

/// Every kind with whether it is on (all are until turned off).
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreferences {
    pub kinds: Vec<NotificationPreference>,
}

impl From<&Preferences> for NotificationPreferences {
    fn from(preferences: &Preferences) -> Self {
        let kinds = NotificationKind::ALL
            .iter()
            .map(|kind| NotificationPreference { kind: kind.as_str().to_owned(), enabled: preferences.wants(*kind) })
            .collect();
        Self { kinds }
    }
}

/// The kinds to turn on or off; kinds not named keep their setting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNotificationPreferencesRequest {
    pub kinds: Vec<NotificationPreference>,
}
