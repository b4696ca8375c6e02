//! Identifiers. Time-ordered UUIDv7 so items sort by creation; newtypes so a user id cannot be
//! passed where a workspace id is expected.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::try_parse(s).map(Self).map_err(|_| "is not a valid id".to_owned())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::Custom("uuid".to_owned())))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

impl MessageId {
    /// The id of the notification mail an event caused (the same event delivered again names the same
    /// mail, so it is recorded and sent once). Not the id of a ticket message.
    pub fn of_notification(event: EventId) -> Self {
        Self(event.as_uuid())
    }
}

id_type!(
    /// A workspace: one tenant.
    WorkspaceId
);
id_type!(
    /// A member of one workspace. The same person in two workspaces has two user ids.
    UserId
);
id_type!(
    /// A platform staff member (super admin), outside every workspace.
    StaffId
);
id_type!(
    /// A login session: one refresh-token family, rotated on every refresh.
    SessionId
);
id_type!(
    /// An immutable event in the outbox.
    EventId
);
id_type!(
    /// A support ticket.
    TicketId
);
id_type!(
    /// An outbound webhook endpoint (or a Slack connection) of a workspace.
    WebhookId
);
id_type!(
    /// One event's delivery to one endpoint; the `webhook-id` its receiver sees on every attempt.
    DeliveryId
);
id_type!(
    /// An API key of a workspace.
    ApiKeyId
);
id_type!(
    /// A lead-capture endpoint of a workspace: the `{id}` of its inbound URL.
    CaptureEndpointId
);
id_type!(
    /// One inbound delivery to a lead-capture endpoint, as its delivery log shows it.
    CaptureDeliveryId
);

impl DeliveryId {
    /// The one delivery of `event` to `endpoint` (see [`super::webhooks::delivery_id`]).
    pub fn of(event: EventId, endpoint: WebhookId) -> Self {
        Self(super::webhooks::delivery_id(event.as_uuid(), endpoint.as_uuid()))
    }

    /// The smallest delivery id at or after `at`.
    pub fn first_at(at: jiff::Timestamp) -> Self {
        Self(super::webhooks::first_delivery_id_at(at))
    }
}
id_type!(
    /// A reply or internal note on a ticket.
    MessageId
);
id_type!(
    /// A team chat channel (public, private, or a direct conversation between two members).
    ChannelId
);
id_type!(
    /// A message in a team chat channel.
    ChatMessageId
);
id_type!(
    /// A customer of a workspace (the people tickets come from).
    CustomerId
);
id_type!(
    /// A file attached to a ticket.
    AttachmentId
);
id_type!(
    /// A saved inbox view: a member's own filter set, or one an admin shares with the team.
    ViewId
);
id_type!(
    /// A macro: a canned reply with the ticket changes that go with it.
    MacroId
);
id_type!(
    /// A sales pipeline: an ordered list of stages deals move through.
    PipelineId
);
id_type!(
    /// A stage of a pipeline; unique across the workspace's pipelines.
    StageId
);
id_type!(
    /// A sales deal: an opportunity with a value, moving through a pipeline's stages.
    DealId
);
id_type!(
    /// A company (an organisation record) grouping customers and deals.
    CompanyId
);

id_type!(
    /// A sales lead: someone who might buy, before they become a customer.
    LeadId
);
id_type!(
    /// A note on a sales record (a lead now; customers and deals share the storage).
    NoteId
);
id_type!(
    /// An inbound e-mail message as received (its entry in the rejected-mail log).
    InboundMailId
);
id_type!(
    /// An activity on a sales record: a call, meeting, task or e-mail, with a due date and an assignee.
    ActivityId
);
id_type!(
    /// An export job: a report or list written to a file in S3 for one member to download.
    ExportId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let id = UserId::generate();
        assert_eq!(id.to_string().parse::<UserId>().unwrap(), id);
        assert!("not-an-id".parse::<UserId>().is_err());
    }

    #[test]
    fn ids_sort_by_creation() {
        let first = EventId::generate();
        let second = EventId::generate();
        assert!(first.to_string() < second.to_string());
    }
}

/// A member filter in a list's query: `me` (the caller), `none` (no one: `Ok(None)`) or a member id.
/// The API document shows it as `MemberFilter` (api/schema.rs).
pub fn member_filter(raw: &str, caller: UserId) -> Result<Option<UserId>, String> {
    match raw.trim() {
        "me" => Ok(Some(caller)),
        "none" => Ok(None),
        id => id.parse::<UserId>().map(Some).map_err(|_| "must be `me`, `none` or a member id".to_owned()),
    }
}

#[cfg(test)]
mod member_filter_tests {
    use super::*;

    #[test]
    fn me_none_or_an_id() {
        let caller = UserId::generate();
        let other = UserId::generate();
        assert_eq!(member_filter("me", caller), Ok(Some(caller)));
        assert_eq!(member_filter(" none ", caller), Ok(None));
        assert_eq!(member_filter(&other.to_string(), caller), Ok(Some(other)));
        assert!(member_filter("someone", caller).is_err());
    }
}
