//! Login sessions: one item per refresh-token family, holding the hash of the current token.
//! Rotation is a conditional update on that hash, so two refreshes with the same token cannot both win.

use aws_sdk_dynamodb::types::{ReturnValuesOnConditionCheckFailure, TransactWriteItem};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::Transaction;
use super::{Item, Store, StoreError, TenantScope, keys, n, s};
use crate::domain::ids::{SessionId, UserId};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub token_hash: String,
    pub revoked: bool,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    /// Epoch seconds; also the table's TTL attribute, so expired sessions disappear by themselves.
    pub expires_at: i64,
}

#[derive(Debug)]
pub enum RotateError {
    /// No such session (never existed, or expired and removed).
    Unknown,
    Revoked,
    Expired,
    /// The presented token was already rotated out: someone replayed it. The session is now revoked.
    Reused,
    Store(StoreError),
}

impl Store {
    pub(crate) fn put_session(&self, scope: &TenantScope, session: &Session) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(session)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::session_sk(session.user_id, session.id)));
        self.put_new(item)
    }

    pub async fn create_session(&self, scope: &TenantScope, session: &Session) -> Result<(), StoreError> {
        Ok(self.transact(Transaction::new().with(self.put_session(scope, session)?)).await?)
    }

    /// Swaps the session's token hash from `presented` to `next`, if `presented` is current.
    pub async fn rotate_session(
        &self,
        scope: &TenantScope,
        user: UserId,
        session: SessionId,
        presented: &str,
        next: &str,
        now: Timestamp,
    ) -> Result<Session, RotateError> {
        use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::session_sk(user, session)))
            .update_expression("SET token_hash = :next, last_used_at = :now_text")
            .condition_expression("token_hash = :presented AND revoked = :false AND expires_at > :now")
            .expression_attribute_values(":next", s(next))
            .expression_attribute_values(":presented", s(presented))
            .expression_attribute_values(":false", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
            .expression_attribute_values(":now", n(now.as_second()))
            .expression_attribute_values(":now_text", s(now.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => serde_dynamo::from_item(output.attributes.unwrap_or_default())
                .map_err(|err| RotateError::Store(err.into())),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(failed) => {
                    let Some(old) = failed.item else { return Err(RotateError::Unknown) };
                    let current: Session =
                        serde_dynamo::from_item(old).map_err(|err| RotateError::Store(err.into()))?;
                    if current.revoked {
                        Err(RotateError::Revoked)
                    } else if current.expires_at <= now.as_second() {
                        Err(RotateError::Expired)
                    } else {
                        self.revoke_session(scope, user, session).await.map_err(RotateError::Store)?;
                        Err(RotateError::Reused)
                    }
                }
                other => Err(RotateError::Store(StoreError::Backend(
                    aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string(),
                ))),
            },
        }
    }

    /// Marks a session revoked (kept until its TTL, so a replayed token is recognised as revoked).
    pub async fn revoke_session(
        &self,
        scope: &TenantScope,
        user: UserId,
        session: SessionId,
    ) -> Result<(), StoreError> {
        self.revoke_session_if(scope, user, session, None).await
    }

    /// Revokes a session only if `presented` is its current token hash (logout): knowing a session's ids,
    /// which every old token of it carries, is not enough to end it.
    pub async fn revoke_session_holding(
        &self,
        scope: &TenantScope,
        user: UserId,
        session: SessionId,
        presented: &str,
    ) -> Result<(), StoreError> {
        self.revoke_session_if(scope, user, session, Some(presented)).await
    }

    async fn revoke_session_if(
        &self,
        scope: &TenantScope,
        user: UserId,
        session: SessionId,
        presented: Option<&str>,
    ) -> Result<(), StoreError> {
        use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::session_sk(user, session)))
            .update_expression("SET revoked = :true")
            .expression_attribute_values(":true", aws_sdk_dynamodb::types::AttributeValue::Bool(true));
        update = match presented {
            Some(hash) => update
                .condition_expression("attribute_exists(PK) AND token_hash = :presented")
                .expression_attribute_values(":presented", s(hash)),
            None => update.condition_expression("attribute_exists(PK)"),
        };
        let result = update.send().await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.into_service_error() {
                UpdateItemError::ConditionalCheckFailedException(_) => Ok(()),
                other => Err(StoreError::Backend(aws_sdk_dynamodb::error::DisplayErrorContext(other).to_string())),
            },
        }
    }

    /// Revokes every session of a member (deactivation). Paginates through the member's sessions only.
    pub async fn revoke_all_sessions(&self, scope: &TenantScope, user: UserId) -> Result<usize, StoreError> {
        let sessions: Vec<Session> = self.query_prefix(scope, &keys::session_prefix(user)).await?;
        let mut revoked = 0;
        for session in sessions.iter().filter(|session| !session.revoked) {
            self.revoke_session(scope, user, session.id).await?;
            revoked += 1;
        }
        Ok(revoked)
    }
}
