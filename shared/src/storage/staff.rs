//! Platform staff (super admins): outside every tenant partition, under `PLATFORM`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::plans::AuditEntry;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, applied, keys, n, s, string_attr};
use crate::domain::{email::Email, ids::StaffId, names::PersonName};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Staff {
    pub id: StaffId,
    pub email: Email,
    pub name: PersonName,
    pub password_hash: String,
    pub active: bool,
    pub created_at: Timestamp,
    /// The second factor's secret (base32), from the start of enrolment on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_secret: Option<String>,
    /// When a code proved the enrolment; from then on a login needs a code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_confirmed_at: Option<Timestamp>,
    /// The last time step whose code was accepted: a code of this step or an earlier one is a replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_last_step: Option<u64>,
}

impl Staff {
    pub fn has_second_factor(&self) -> bool {
        self.totp_confirmed_at.is_some()
    }
}

#[derive(Debug)]
pub enum TotpWriteError {
    /// Enrolment is confirmed already (starting again needs the recovery in docs/operations.md), or
    /// the secret being confirmed is no longer the one enrolment started with.
    Refused,
    Store(StoreError),
}

impl From<StoreError> for TotpWriteError {
    fn from(err: StoreError) -> Self {
        TotpWriteError::Store(err)
    }
}

impl Store {
    /// Adds a staff member unless one with that e-mail exists; returns whether it was added.
    pub async fn create_staff_if_absent(&self, staff: &Staff) -> Result<bool, StoreError> {
        let mut item: Item = serde_dynamo::to_item(staff)?;
        item.insert(keys::PK.to_owned(), s(keys::PLATFORM_PK));
        item.insert(keys::SK.to_owned(), s(keys::staff_sk(staff.id)));
        let guard: Item = [
            (keys::PK.to_owned(), s(keys::PLATFORM_PK)),
            (keys::SK.to_owned(), s(keys::staff_email_sk(&staff.email))),
            ("staff_id".to_owned(), s(staff.id.to_string())),
        ]
        .into_iter()
        .collect();
        struct EmailTaken;
        let transaction = Transaction::new().with(self.put_new(item)?).with_named(self.put_new(guard)?, EmailTaken);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: EmailTaken, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    pub async fn get_staff(&self, id: StaffId) -> Result<Option<Staff>, StoreError> {
        self.get_record(keys::PLATFORM_PK, keys::staff_sk(id)).await
    }

    pub async fn staff_by_email(&self, email: &Email) -> Result<Option<Staff>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_email_sk(email)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        let Some(id) = output.item.as_ref().and_then(|item| string_attr(item, "staff_id")) else { return Ok(None) };
        let id = id.parse().map_err(|_| StoreError::Corrupt(format!("staff e-mail guard names {id:?}")))?;
        self.get_staff(id).await
    }

    /// Starts (or restarts) enrolment with a new secret, unless enrolment is confirmed.
    pub async fn begin_staff_totp(&self, id: StaffId, secret: &str) -> Result<(), TotpWriteError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression("SET totp_secret = :secret REMOVE totp_last_step")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(totp_confirmed_at)")
            .expression_attribute_values(":secret", s(secret))
            .send()
            .await;
        match applied(result)? {
            Some(_) => Ok(()),
            None => Err(TotpWriteError::Refused),
        }
    }

    /// Confirms enrolment of `secret` (still the pending one) with the step of the code that proved
    /// it, and its audit entry, in one transaction.
    pub async fn confirm_staff_totp(
        &self,
        id: StaffId,
        secret: &str,
        step: u64,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<(), TotpWriteError> {
        struct Refused;
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression("SET totp_confirmed_at = :at, totp_last_step = :step")
            .condition_expression("totp_secret = :secret AND attribute_not_exists(totp_confirmed_at)")
            .expression_attribute_values(":at", s(at.to_string()))
            .expression_attribute_values(":step", n(step))
            .expression_attribute_values(":secret", s(secret))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(update).build(), Refused)
            .with(self.put_audit(audit)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused, .. }) => Err(TotpWriteError::Refused),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// Spends the code of `step`: true when no code of this step or a later one was accepted before
    /// (one conditional write, so two logins racing with one code get one session).
    pub async fn use_staff_totp_step(&self, id: StaffId, step: u64) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression("SET totp_last_step = :step")
            .condition_expression(
                "attribute_exists(totp_confirmed_at) AND (attribute_not_exists(totp_last_step) OR totp_last_step < :step)",
            )
            .expression_attribute_values(":step", n(step))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }

    /// Removes the second factor (the recovery of a lost authenticator), with its audit entry.
    pub async fn reset_staff_totp(&self, id: StaffId, audit: &AuditEntry) -> Result<(), StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression("REMOVE totp_secret, totp_confirmed_at, totp_last_step")
            .condition_expression("attribute_exists(PK)")
            .build()?;
        let transaction: Transaction<()> =
            Transaction::new().with(TransactWriteItem::builder().update(update).build()).with(self.put_audit(audit)?);
        self.transact(transaction).await.map_err(|err| match err {
            TransactionError::Store(err) => err,
            TransactionError::Failed { .. } => StoreError::Corrupt(format!("staff {id} vanished during a reset")),
        })
    }
}
