//! Who wrote each message, by name: the member's display name for agent messages, the customer's name
//! for customer messages. Read once per conversation (one BatchGetItem of the members who wrote in it;
//! the customer's name is on the ticket's inbox row), never once per message.

use std::collections::{BTreeMap, BTreeSet};

use super::ServiceResult;
use crate::api::MessageView;
use crate::app::App;
use crate::domain::{ids::UserId, ticket::Author};
use crate::storage::{
    TenantScope,
    tickets::{Message, Ticket},
};

/// The names of a conversation's authors.
#[derive(Debug, Default)]
pub struct AuthorNames {
    members: BTreeMap<String, String>,
    /// The ticket's customer: every customer message on a ticket is theirs (a customer merge moves the
    /// ticket to the customer the old one became).
    customer: Option<String>,
}

impl AuthorNames {
    /// The names for `messages` of `ticket`.
    pub async fn of(app: &App, scope: &TenantScope, ticket: &Ticket, messages: &[&Message]) -> ServiceResult<Self> {
        let members: BTreeSet<UserId> = messages
            .iter()
            .filter(|message| message.author == Author::Agent)
            .filter_map(|message| message.author_id.parse().ok())
            .collect();
        let members = app
            .store
            .members_by_id(scope, members.into_iter().collect())
            .await?
            .into_iter()
            .map(|member| (member.id.to_string(), member.name.to_string()))
            .collect();
        let wants_customer = messages.iter().any(|message| message.author == Author::Customer);
        let customer = match &ticket.row.requester {
            _ if !wants_customer => None,
            Some(requester) if requester.id == ticket.customer_id => requester.name.clone(),
            // Tickets from before rows carried the requester: read the customer.
            _ => app.store.get_customer(scope, ticket.customer_id).await?.and_then(|customer| customer.name),
        };
        Ok(Self { members, customer })
    }

    pub fn name(&self, message: &Message) -> Option<String> {
        match message.author {
            Author::Agent => self.members.get(&message.author_id).cloned(),
            Author::Customer => self.customer.clone(),
        }
    }

    pub fn view(&self, message: &Message) -> MessageView {
        MessageView::new(message, self.name(message))
    }
}

/// One message's view with its author's name (a reply just written, for its response).
pub async fn view(app: &App, scope: &TenantScope, ticket: &Ticket, message: &Message) -> ServiceResult<MessageView> {
    Ok(AuthorNames::of(app, scope, ticket, &[message]).await?.view(message))
}
