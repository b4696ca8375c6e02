//! Real-time state: WebSocket connections (with their ticket subscriptions and typing state) and
//! soft claims on tickets. All of it lives in the workspace partition and expires by itself.
//!
//! A connection item carries everything the fan-out needs (user, role, subscribed tickets), so
//! delivering an event costs one Query of the workspace's connections, whatever the number of sockets.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Item, QuerySpec, Store, StoreError, TenantScope, backend, keys, n, s};
use crate::domain::{
    ids::{TicketId, UserId},
    rbac::Role,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Connection {
    pub connection_id: String,
    pub user_id: UserId,
    pub role: Role,
    pub connected_at: Timestamp,
    /// Epoch seconds: the presence deadline, pushed forward by heartbeats (also the TTL attribute).
    pub expires_at: i64,
    /// Tickets this socket has open (a string set; absent when empty).
    #[serde(default)]
    pub subscriptions: Vec<TicketId>,
    /// The ticket this socket is typing a reply on, until `typing_until` (epoch seconds).
    #[serde(default)]
    pub typing_ticket: Option<TicketId>,
    #[serde(default)]
    pub typing_until: Option<i64>,
}

impl Connection {
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at > now
    }

    pub fn is_subscribed(&self, ticket: TicketId) -> bool {
        self.subscriptions.contains(&ticket)
    }

    pub fn is_typing_on(&self, ticket: TicketId, now: i64) -> bool {
        self.typing_ticket == Some(ticket) && self.typing_until.is_some_and(|until| until > now)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claim {
    pub ticket_id: TicketId,
    pub user_id: UserId,
    pub claimed_at: Timestamp,
    /// Epoch seconds: when the claim lapses by itself (also the TTL attribute).
    pub expires_at: i64,
}

impl Claim {
    pub fn is_active(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// How a claim may be written over an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimMode {
    /// Only if nobody holds an active claim, or the caller holds it (renewal).
    IfFree,
    /// Regardless of the holder (a manager taking over).
    TakeOver,
}

impl Store {
    pub async fn put_connection(&self, scope: &TenantScope, connection: &Connection) -> Result<(), StoreError> {
        let mut item: Item = serde_dynamo::to_item(connection)?;
        item.remove("subscriptions");
        item.remove("typing_ticket");
        item.remove("typing_until");
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::connection_sk(&connection.connection_id)));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(backend)?;
        Ok(())
    }

    pub async fn get_connection(&self, scope: &TenantScope, id: &str) -> Result<Option<Connection>, StoreError> {
        self.get_record(scope.pk(), keys::connection_sk(id)).await
    }

    /// Deletes a connection; returns what it was (its subscriptions tell whose presence changed).
    pub async fn delete_connection(&self, scope: &TenantScope, id: &str) -> Result<Option<Connection>, StoreError> {
        let output = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::connection_sk(id)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(backend)?;
        output.attributes.map(serde_dynamo::from_item).transpose().map_err(StoreError::from)
    }

    /// Every connection item of the workspace, live or not yet removed by TTL (callers filter with
    /// [`Connection::is_live`]). One Query (more pages only past 1 MB, about 4,000 sockets).
    pub async fn workspace_connections(&self, scope: &TenantScope) -> Result<Vec<Connection>, StoreError> {
        self.query_prefix::<Connection>(scope, keys::CONNECTION_PREFIX).await
    }

    /// Applies `update` to an existing connection item; returns the item after it, or None when the
    /// connection is gone.
    async fn update_connection(
        &self,
        scope: &TenantScope,
        id: &str,
        update: &str,
        values: Vec<(&str, AttributeValue)>,
    ) -> Result<Option<Connection>, StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::connection_sk(id)))
            .update_expression(update)
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllNew);
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(output) => output.attributes.map(serde_dynamo::from_item).transpose().map_err(StoreError::from),
            Err(err) if is_condition_failure(&err) => Ok(None),
            Err(err) => Err(backend(err)),
        }
    }

    /// A heartbeat: the connection stays present until `expires_at`.
    pub async fn touch_connection(
        &self,
        scope: &TenantScope,
        id: &str,
        expires_at: i64,
    ) -> Result<Option<Connection>, StoreError> {
        self.update_connection(scope, id, "SET expires_at = :e", vec![(":e", n(expires_at))]).await
    }

    pub async fn subscribe(
        &self,
        scope: &TenantScope,
        id: &str,
        ticket: TicketId,
        expires_at: i64,
    ) -> Result<Option<Connection>, StoreError> {
        let set = AttributeValue::Ss(vec![ticket.to_string()]);
        self.update_connection(
            scope,
            id,
            "ADD subscriptions :t SET expires_at = :e",
            vec![(":t", set), (":e", n(expires_at))],
        )
        .await
    }

    pub async fn unsubscribe(
        &self,
        scope: &TenantScope,
        id: &str,
        ticket: TicketId,
    ) -> Result<Option<Connection>, StoreError> {
        let set = AttributeValue::Ss(vec![ticket.to_string()]);
        self.update_connection(scope, id, "DELETE subscriptions :t", vec![(":t", set)]).await
    }

    /// Marks the socket as typing on `ticket` until `until` (epoch seconds), or not typing (None).
    pub async fn set_typing(
        &self,
        scope: &TenantScope,
        id: &str,
        typing: Option<(TicketId, i64)>,
    ) -> Result<Option<Connection>, StoreError> {
        match typing {
            Some((ticket, until)) => {
                self.update_connection(
                    scope,
                    id,
                    "SET typing_ticket = :t, typing_until = :u",
                    vec![(":t", s(ticket.to_string())), (":u", n(until))],
                )
                .await
            }
            None => self.update_connection(scope, id, "REMOVE typing_ticket, typing_until", vec![]).await,
        }
    }

    pub async fn get_claim(&self, scope: &TenantScope, ticket: TicketId) -> Result<Option<Claim>, StoreError> {
        self.get_record(scope.pk(), keys::claim_sk(ticket)).await
    }

    /// Writes a claim. With [`ClaimMode::IfFree`] one conditional put decides between concurrent
    /// claimers: exactly one succeeds. Err(ConditionFailed(holder)) when another member holds it.
    pub async fn put_claim(&self, scope: &TenantScope, claim: &Claim, mode: ClaimMode) -> Result<(), StoreError> {
        let mut item: Item = serde_dynamo::to_item(claim)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::claim_sk(claim.ticket_id)));
        let mut request = self.client.put_item().table_name(&self.table).set_item(Some(item));
        if mode == ClaimMode::IfFree {
            request = request
                .condition_expression("attribute_not_exists(PK) OR expires_at <= :now OR user_id = :me")
                .expression_attribute_values(":now", n(claim.claimed_at.as_second()))
                .expression_attribute_values(":me", s(claim.user_id.to_string()))
                .return_values_on_condition_check_failure(
                    aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
                );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) => {
                let service = err.into_service_error();
                match service {
                    aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(failed) => {
                        Err(StoreError::ConditionFailed(failed.item.map(Box::new)))
                    }
                    other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
                }
            }
        }
    }

    /// The active claims `member` holds in the workspace, from whichever connection or session made
    /// them: one Query of the workspace's claims (at most one per ticket), filtered to the member.
    pub async fn member_claims(&self, scope: &TenantScope, member: UserId, now: i64) -> Result<Vec<Claim>, StoreError> {
        let query = QuerySpec::under_prefix(scope, keys::CLAIM_PREFIX)
            .filter("user_id = :member AND expires_at > :now")
            .value(":member", s(member.to_string()))
            .value(":now", n(now));
        super::items_of(&self.query_all(&query).await?)
    }

    /// Releases a claim held by `holder` (any holder when None); an expired claim is anyone's to clear.
    /// When another member holds it, nothing changes and the answer names them.
    pub async fn delete_claim(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        holder: Option<UserId>,
        now: i64,
    ) -> Result<Release, StoreError> {
        use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
        let mut request = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::claim_sk(ticket)));
        if let Some(holder) = holder {
            request = request
                .condition_expression("attribute_not_exists(PK) OR user_id = :me OR expires_at <= :now")
                .expression_attribute_values(":me", s(holder.to_string()))
                .expression_attribute_values(":now", n(now))
                .return_values_on_condition_check_failure(
                    aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
                );
        }
        match request.send().await {
            Ok(_) => Ok(Release::Released),
            Err(err) => match err.into_service_error() {
                DeleteItemError::ConditionalCheckFailedException(failed) => {
                    Ok(Release::HeldBy(failed.item.and_then(|item| serde_dynamo::from_item(item).ok())))
                }
                other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
            },
        }
    }
}

/// What releasing a claim came to.
#[derive(Debug)]
pub enum Release {
    Released,
    /// Another member holds it (and still does).
    HeldBy(Option<Claim>),
}

fn is_condition_failure<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    err: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}
