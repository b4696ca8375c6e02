//! Members of a workspace, their e-mail guard, and the seat and owner counters that keep plan limits
//! and the last-owner rule exact under concurrent requests.

use aws_sdk_dynamodb::types::{Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, QuerySpec, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{
    email::Email,
    ids::{UserId, WorkspaceId},
    names::PersonName,
    rbac::Role,
    user::UserStatus,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Member {
    pub id: UserId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub name: PersonName,
    pub role: Role,
    pub status: UserStatus,
    pub password_hash: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Incremented on every change; updates are conditional on it (no lost updates).
    pub version: u64,
}

impl Member {
    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }

    /// Whether this member takes a seat / counts as an owner.
    fn counts(&self) -> (i64, i64) {
        let seat = i64::from(self.is_active());
        (seat, seat * i64::from(self.role == Role::Owner))
    }
}

#[derive(Debug)]
pub enum CreateMemberError {
    EmailTaken,
    SeatLimitReached { used: u64 },
    Store(StoreError),
}

#[derive(Debug)]
pub enum UpdateMemberError {
    /// Someone else changed the member first.
    VersionConflict,
    /// The change would leave the workspace without an active owner.
    LastOwner,
    SeatLimitReached {
        used: u64,
    },
    Store(StoreError),
}

const USERS_LISTING: &str = "users";

impl Store {
    fn member_item(&self, member: &Member) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(member)?;
        item.insert(keys::PK.to_owned(), s(keys::workspace_pk(member.workspace_id)));
        item.insert(keys::SK.to_owned(), s(keys::user_sk(member.id)));
        item.insert(keys::GSI1PK.to_owned(), s(keys::login_gsi1pk(&member.email)));
        item.insert(keys::GSI1SK.to_owned(), s(keys::login_gsi1sk(member.workspace_id)));
        Ok(item)
    }

    /// The member item and its e-mail guard; both must be new.
    pub(crate) fn put_member_actions(
        &self,
        scope: &TenantScope,
        member: &Member,
    ) -> Result<[TransactWriteItem; 2], StoreError> {
        let put_member = self.put_new(self.member_item(member)?)?;
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::member_email_sk(&member.email))),
            ("user_id".to_owned(), s(member.id.to_string())),
        ]
        .into_iter()
        .collect();
        let put_guard = self.put_new(guard)?;
        Ok([put_member, put_guard])
    }

    /// Adjusts the workspace's seat and owner counters, refusing to pass `seat_limit` when seats grow
    /// and to drop below one owner when owners shrink.
    fn counters_action(
        &self,
        scope: &TenantScope,
        seats_delta: i64,
        owners_delta: i64,
        seat_limit: Option<u64>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut conditions = vec!["attribute_exists(PK)".to_owned()];
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("SET seats_used = seats_used + :seats, owners = owners + :owners")
            .expression_attribute_values(":seats", n(seats_delta))
            .expression_attribute_values(":owners", n(owners_delta))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let (true, Some(limit)) = (seats_delta > 0, seat_limit) {
            conditions.push("seats_used < :seat_limit".to_owned());
            update = update.expression_attribute_values(":seat_limit", n(limit));
        }
        if owners_delta < 0 {
            conditions.push("owners > :one".to_owned());
            update = update.expression_attribute_values(":one", n(1));
        }
        let update = update.condition_expression(conditions.join(" AND ")).build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Adds a member, taking a seat within `seat_limit` (None = unlimited), atomically with its event.
    pub async fn create_member(
        &self,
        scope: &TenantScope,
        member: &Member,
        seat_limit: Option<u64>,
        event: &Event,
    ) -> Result<(), CreateMemberError> {
        /// What a failed condition of the creation means.
        #[derive(Clone, Copy)]
        enum Refused {
            SeatLimit,
            EmailTaken,
        }
        let (seats, owners) = member.counts();
        let build = || -> Result<Transaction<Refused>, StoreError> {
            Ok(Transaction::new()
                .with_named(self.counters_action(scope, seats, owners, seat_limit)?, Refused::SeatLimit)
                .with_all_named(self.put_member_actions(scope, member)?, Refused::EmailTaken)
                .with(self.put_event(scope, event)?))
        };
        let transaction = build().map_err(CreateMemberError::Store)?;
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::SeatLimit, item }) => {
                Err(CreateMemberError::SeatLimitReached { used: super::counter_of(item.as_ref(), "seats_used") })
            }
            Err(TransactionError::Failed { failure: Refused::EmailTaken, .. }) => Err(CreateMemberError::EmailTaken),
            Err(TransactionError::Store(err)) => Err(CreateMemberError::Store(err)),
        }
    }

    /// Replaces `before` with `after` if nobody changed it meanwhile, keeping counters exact.
    pub async fn update_member(
        &self,
        scope: &TenantScope,
        before: &Member,
        after: &Member,
        seat_limit: Option<u64>,
        event: &Event,
    ) -> Result<(), UpdateMemberError> {
        let (seats_before, owners_before) = before.counts();
        let (seats_after, owners_after) = after.counts();
        let (seats_delta, owners_delta) = (seats_after - seats_before, owners_after - owners_before);
        /// What a failed condition of the change means.
        enum Refused {
            Changed,
            SeatLimit,
            LastOwner,
        }
        let build = || -> Result<Transaction<Refused>, StoreError> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(self.member_item(after)?))
                .condition_expression("version = :version")
                .expression_attribute_values(":version", n(before.version))
                .build()
                .map_err(StoreError::from)?;
            let mut transaction =
                Transaction::new().with_named(TransactWriteItem::builder().put(put).build(), Refused::Changed);
            if seats_delta != 0 || owners_delta != 0 {
                // The counters refuse either a seat past the limit or losing the last owner, never both.
                let refused = if owners_delta < 0 { Refused::LastOwner } else { Refused::SeatLimit };
                transaction = transaction
                    .with_named(self.counters_action(scope, seats_delta, owners_delta, seat_limit)?, refused);
            }
            Ok(transaction.with(self.put_event(scope, event)?))
        };
        let transaction = build().map_err(UpdateMemberError::Store)?;
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::Changed, .. }) => Err(UpdateMemberError::VersionConflict),
            Err(TransactionError::Failed { failure: Refused::LastOwner, .. }) => Err(UpdateMemberError::LastOwner),
            Err(TransactionError::Failed { failure: Refused::SeatLimit, item }) => {
                Err(UpdateMemberError::SeatLimitReached { used: super::counter_of(item.as_ref(), "seats_used") })
            }
            Err(TransactionError::Store(err)) => Err(UpdateMemberError::Store(err)),
        }
    }

    pub async fn get_member(&self, scope: &TenantScope, user: UserId) -> Result<Option<Member>, StoreError> {
        self.get_record(scope.pk(), keys::user_sk(user)).await
    }

    /// Members of the workspace in creation order, one page at a time.
    pub async fn list_members(
        &self,
        scope: &TenantScope,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Member>, StoreError> {
        let query = PageQuery {
            listing: USERS_LISTING,
            owner: scope.workspace_id().to_string(),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::USER_PREFIX))],
            newest_first: false,
        };
        self.query_records(query, limit, cursor).await
    }

    /// Every member of the workspace, deactivated ones included: one Query (more pages only past
    /// DynamoDB's 1 MB, some thousands of members).
    pub async fn all_members(&self, scope: &TenantScope) -> Result<Vec<Member>, StoreError> {
        self.query_prefix(scope, keys::USER_PREFIX).await
    }

    /// The members with these ids (those that exist): one BatchGetItem, consistent.
    pub async fn members_by_id(&self, scope: &TenantScope, ids: Vec<UserId>) -> Result<Vec<Member>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids
            .into_iter()
            .map(|id| [(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(keys::user_sk(id)))].into())
            .collect();
        super::items_of(&self.batch_get(keys).await?)
    }

    /// Every membership of an e-mail across workspaces, for login (before any principal exists).
    /// Bounded: nobody belongs to more workspaces than this in practice, and login verifies each.
    pub async fn memberships_for_login(&self, email: &Email) -> Result<Vec<(TenantScope, Member)>, StoreError> {
        const MAX_MEMBERSHIPS: usize = 20;
        let query = QuerySpec::new("GSI1PK = :pk").on_index(keys::GSI1).value(":pk", s(keys::login_gsi1pk(email)));
        let (items, _) = self.query_up_to(&query, None, MAX_MEMBERSHIPS, 1).await?;
        items
            .into_iter()
            .map(|item| {
                let member: Member = serde_dynamo::from_item(item)?;
                Ok((TenantScope::new(member.workspace_id), member))
            })
            .collect()
    }
}
