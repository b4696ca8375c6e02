//! A ticket's e-mail conversation (`TICKET#<ticket>#MAIL#<message>`): one item per message that came or
//! went by e-mail, holding its Message-ID (the next reply's In-Reply-To and References) and, for an
//! agent's reply we send, its delivery state. A sent reply's Message-ID is also marked `MAILID#` like a
//! received one, so the customer's answer threads onto the ticket.

use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, TenantScope, applied, events::Event, keys, n, s};
use crate::domain::email::{DeliveryState, digest_hex};
use crate::domain::ids::{CustomerId, MessageId, TicketId};
use crate::domain::mail_template::NotificationKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThreadMail {
    pub ticket_id: TicketId,
    pub message_id: MessageId,
    pub direction: Direction,
    /// Outbound: the customer it went to (its events place it in their timeline too).
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    /// The Message-ID header, without angle brackets. An outbound message has one once SES accepted it
    /// (SES replaces the one we wrote).
    pub header_id: Option<String>,
    /// Inbound: who else the customer wrote to (the next reply copies them). Outbound: who it went to.
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    /// Outbound only.
    pub state: Option<DeliveryState>,
    /// Why it failed, bounced or was complained about.
    pub reason: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    /// Outbound notifications only ("received", "solved"): their texts, filled in when queued. A reply's
    /// text is its message's.
    #[serde(default)]
    pub notification: Option<NotificationMail>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A notification to the customer as it is sent (its templates filled in once, when it was queued).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NotificationMail {
    pub kind: NotificationKind,
    pub subject: String,
    pub text: String,
}

/// A move of a reply's delivery state: from one of `from` (else nothing is written) to `to`.
#[derive(Debug, Clone)]
pub struct DeliveryChange<'a> {
    pub ticket: TicketId,
    pub message: MessageId,
    pub from: &'a [DeliveryState],
    pub to: DeliveryState,
    pub reason: Option<&'a str>,
    pub now: Timestamp,
}

/// Why a delivery state was not recorded.
#[derive(Debug)]
pub enum DeliveryWriteError {
    /// The message is not in a state that may move (another run claimed or recorded it).
    NotInState,
    Store(StoreError),
}

impl From<StoreError> for DeliveryWriteError {
    fn from(err: StoreError) -> Self {
        DeliveryWriteError::Store(err)
    }
}

impl Store {
    fn thread_key(scope: &TenantScope, ticket: TicketId, message: MessageId) -> Item {
        Item::from([
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::mail_thread_sk(ticket, message))),
        ])
    }

    pub(crate) fn thread_mail_item(&self, scope: &TenantScope, mail: &ThreadMail) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(mail)?;
        item.extend(Self::thread_key(scope, mail.ticket_id, mail.message_id));
        Ok(item)
    }

    /// Records an outbound reply as queued unless it is recorded already; returns what was there.
    pub async fn put_outbound_if_absent(
        &self,
        scope: &TenantScope,
        mail: &ThreadMail,
    ) -> Result<Option<ThreadMail>, StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(self.thread_mail_item(scope, mail)?))
            .condition_expression("attribute_not_exists(PK)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match put {
            Ok(_) => Ok(None),
            Err(err) => match err.into_service_error() {
                aws_sdk_dynamodb::operation::put_item::PutItemError::ConditionalCheckFailedException(failed) => {
                    Ok(failed.item.map(serde_dynamo::from_item).transpose()?)
                }
                other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
            },
        }
    }

    pub async fn get_thread_mail(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        message: MessageId,
    ) -> Result<Option<ThreadMail>, StoreError> {
        self.get_record(scope.pk(), keys::mail_thread_sk(ticket, message)).await
    }

    /// One message of a ticket (the reply to send).
    pub async fn get_message(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        message: MessageId,
    ) -> Result<Option<super::tickets::Message>, StoreError> {
        self.get_record(scope.pk(), keys::message_sk(ticket, message)).await
    }

    /// A ticket's e-mail conversation in message order (one Query).
    pub async fn list_thread(&self, scope: &TenantScope, ticket: TicketId) -> Result<Vec<ThreadMail>, StoreError> {
        self.query_prefix(scope, &keys::mail_thread_prefix(ticket)).await
    }

    /// Moves a queued reply to `sending`, counting the attempt: only one run gets it.
    pub async fn claim_outbound(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        message: MessageId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Self::thread_key(scope, ticket, message)))
            .update_expression("SET #state = :sending, updated_at = :now ADD attempts :one")
            .condition_expression("#state = :queued")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s("sending"))
            .expression_attribute_values(":queued", s("queued"))
            .expression_attribute_values(":now", s(now.to_string()))
            .expression_attribute_values(":one", n(1))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    fn state_update(
        &self,
        scope: &TenantScope,
        change: &DeliveryChange<'_>,
        header_id: Option<&str>,
    ) -> Result<Update, StoreError> {
        let state_name =
            |state: DeliveryState| serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_owned));
        let mut set = vec!["#state = :to", "updated_at = :now"];
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(Self::thread_key(scope, change.ticket, change.message)))
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":to", s(state_name(change.to).unwrap_or_default()))
            .expression_attribute_values(":now", s(change.now.to_string()));
        if let Some(reason) = change.reason {
            set.push("reason = :reason");
            update = update.expression_attribute_values(":reason", s(reason));
        }
        if let Some(header_id) = header_id {
            set.push("header_id = :header");
            update = update.expression_attribute_values(":header", s(header_id));
        }
        let mut allowed = Vec::new();
        for (index, state) in change.from.iter().enumerate() {
            let placeholder = format!(":from{index}");
            update = update.expression_attribute_values(&placeholder, s(state_name(*state).unwrap_or_default()));
            allowed.push(placeholder);
        }
        Ok(update
            .update_expression(format!("SET {}", set.join(", ")))
            .condition_expression(format!("#state IN ({})", allowed.join(", ")))
            .build()?)
    }

    /// Moves a reply's delivery state, with its event when there is one (the ticket's live stream shows it).
    pub async fn set_delivery_state(
        &self,
        scope: &TenantScope,
        change: &DeliveryChange<'_>,
        event: Option<&Event>,
    ) -> Result<(), DeliveryWriteError> {
        let update = self.state_update(scope, change, None)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), DeliveryWriteError::NotInState);
        if let Some(event) = event {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Records that SES accepted a reply: `sent`, its Message-ID, and the `MAILID#` mark threading the
    /// customer's answer to the ticket, in one write.
    pub async fn record_sent(
        &self,
        scope: &TenantScope,
        ticket: TicketId,
        message: MessageId,
        header_id: &str,
        event: Option<&Event>,
        now: Timestamp,
    ) -> Result<(), DeliveryWriteError> {
        let change = DeliveryChange {
            ticket,
            message,
            from: &[DeliveryState::Sending],
            to: DeliveryState::Sent,
            reason: None,
            now,
        };
        let update = self.state_update(scope, &change, Some(header_id))?;
        let mark = Item::from([
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::mail_id_sk(&digest_hex(header_id)))),
            ("ticket_id".to_owned(), s(ticket.to_string())),
            ("message_id".to_owned(), s(message.to_string())),
            ("sent".to_owned(), aws_sdk_dynamodb::types::AttributeValue::Bool(true)),
        ]);
        let mark = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(mark))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), DeliveryWriteError::NotInState)
            .with(TransactWriteItem::builder().put(mark).build());
        if let Some(event) = event {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }
}
