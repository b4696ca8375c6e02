//! Platform staff (super admins): outside every tenant partition, under `PLATFORM`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::plans::AuditEntry;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, applied, keys, n, s, string_attr};
use crate::domain::{email::Email, ids::StaffId, names::PersonName, sealed::Sealed};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Staff {
    pub id: StaffId,
    pub email: Email,
    pub name: PersonName,
    pub password_hash: String,
    pub active: bool,
    pub created_at: Timestamp,
    /// The second factor's secret, sealed under the staff key (services::staff_secret), from the start
    /// of enrolment on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp_sealed: Option<Sealed>,
    /// The secret in the clear (base32), as accounts enrolled before sealing hold it; the next write to
    /// their second factor seals it and removes this.
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

    /// The secret as the item holds it: sealed, or (enrolled before sealing) in the clear.
    pub fn held_secret(&self) -> Option<HeldSecret<'_>> {
        match (&self.totp_sealed, &self.totp_secret) {
            (Some(sealed), _) => Some(HeldSecret::Sealed(sealed)),
            (None, Some(clear)) => Some(HeldSecret::Clear(clear)),
            (None, None) => None,
        }
    }
}

/// A second-factor secret as stored.
#[derive(Debug, Clone, Copy)]
pub enum HeldSecret<'a> {
    Sealed(&'a Sealed),
    Clear(&'a str),
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

impl From<serde_dynamo::Error> for TotpWriteError {
    fn from(err: serde_dynamo::Error) -> Self {
        TotpWriteError::Store(err.into())
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

    /// Starts (or restarts) enrolment with a new sealed secret, unless enrolment is confirmed. A secret
    /// left in the clear by an earlier enrolment goes.
    pub async fn begin_staff_totp(&self, id: StaffId, sealed: &Sealed) -> Result<(), TotpWriteError> {
        let write = TotpWrite::new("attribute_exists(PK) AND attribute_not_exists(totp_confirmed_at)")
            .set(SEALED, serde_dynamo::to_attribute_value(sealed)?)
            .remove(CLEAR)
            .remove("totp_last_step");
        if self.write_staff_totp(id, write).await? { Ok(()) } else { Err(TotpWriteError::Refused) }
    }

    /// Confirms enrolment of the secret `held` (still the pending one) with the step of the code that
    /// proved it, and its audit entry, in one transaction; `sealing` seals a secret held in the clear.
    pub async fn confirm_staff_totp(
        &self,
        id: StaffId,
        held: HeldSecret<'_>,
        sealing: Option<&Sealed>,
        step: u64,
        at: Timestamp,
        audit: &AuditEntry,
    ) -> Result<(), TotpWriteError> {
        struct Refused;
        let write = TotpWrite::new("attribute_not_exists(totp_confirmed_at)")
            .holding(held)
            .set("totp_confirmed_at", s(at.to_string()))
            .set("totp_last_step", n(step))
            .sealing(sealing)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(self.staff_totp_update(id, write)?).build(), Refused)
            .with(self.put_audit(audit)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused, .. }) => Err(TotpWriteError::Refused),
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// Spends the code of `step`: true when no code of this step or a later one was accepted before
    /// (one conditional write, so two logins racing with one code get one session). `sealing` seals a
    /// secret held in the clear in the same write.
    pub async fn use_staff_totp_step(
        &self,
        id: StaffId,
        step: u64,
        sealing: Option<&Sealed>,
    ) -> Result<bool, StoreError> {
        let write = TotpWrite::new(
            "attribute_exists(totp_confirmed_at) AND (attribute_not_exists(totp_last_step) OR totp_last_step < :totp_last_step)",
        )
        .set("totp_last_step", n(step))
        .sealing(sealing)?;
        self.write_staff_totp(id, write).await
    }

    /// Removes the second factor (the recovery of a lost authenticator), with its audit entry.
    pub async fn reset_staff_totp(&self, id: StaffId, audit: &AuditEntry) -> Result<(), StoreError> {
        let write = TotpWrite::new("attribute_exists(PK)")
            .remove(SEALED)
            .remove(CLEAR)
            .remove("totp_confirmed_at")
            .remove("totp_last_step");
        let update = self.staff_totp_update(id, write)?;
        let transaction: Transaction<()> =
            Transaction::new().with(TransactWriteItem::builder().update(update).build()).with(self.put_audit(audit)?);
        self.transact(transaction).await.map_err(|err| match err {
            TransactionError::Store(err) => err,
            TransactionError::Failed { .. } => StoreError::Corrupt(format!("staff {id} vanished during a reset")),
        })
    }

    /// The write as one item of a transaction.
    fn staff_totp_update(&self, id: StaffId, write: TotpWrite) -> Result<Update, StoreError> {
        let (expression, condition, values) = write.into_parts();
        Ok(Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .build()?)
    }

    /// The write on its own: whether its condition held and it was made.
    async fn write_staff_totp(&self, id: StaffId, write: TotpWrite) -> Result<bool, StoreError> {
        let (expression, condition, values) = write.into_parts();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(keys::PLATFORM_PK))
            .key(keys::SK, s(keys::staff_sk(id)))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_values((!values.is_empty()).then_some(values))
            .send()
            .await;
        Ok(applied(result)?.is_some())
    }
}

/// The sealed secret's attribute, and the clear one accounts enrolled before sealing still hold.
const SEALED: &str = "totp_sealed";
const CLEAR: &str = "totp_secret";

/// One conditional write to a staff member's second factor: the attributes it sets (each under the
/// placeholder `:<attribute>`, which its condition may name too) and removes, and what must hold. Every
/// second-factor write is built here, so each seals a secret still in the clear the same way.
struct TotpWrite {
    set: Vec<(&'static str, AttributeValue)>,
    remove: Vec<&'static str>,
    condition: String,
    values: HashMap<String, AttributeValue>,
}

impl TotpWrite {
    fn new(condition: &str) -> Self {
        Self { set: Vec::new(), remove: Vec::new(), condition: condition.to_owned(), values: HashMap::new() }
    }

    fn set(mut self, attribute: &'static str, value: AttributeValue) -> Self {
        self.set.push((attribute, value));
        self
    }

    fn remove(mut self, attribute: &'static str) -> Self {
        self.remove.push(attribute);
        self
    }

    /// Requires the item to hold still exactly this secret (a restarted enrolment holds another).
    fn holding(mut self, held: HeldSecret<'_>) -> Self {
        let (path, value) = match held {
            HeldSecret::Sealed(sealed) => (format!("{SEALED}.ciphertext"), sealed.ciphertext.clone()),
            HeldSecret::Clear(secret) => (CLEAR.to_owned(), secret.to_owned()),
        };
        self.condition = format!("({}) AND {path} = :held", self.condition);
        self.values.insert(":held".to_owned(), s(value));
        self
    }

    /// Writes the sealed copy of a secret held in the clear and removes the clear one.
    fn sealing(self, sealed: Option<&Sealed>) -> Result<Self, StoreError> {
        Ok(match sealed {
            Some(sealed) => self.set(SEALED, serde_dynamo::to_attribute_value(sealed)?).remove(CLEAR),
            None => self,
        })
    }

    /// The update expression, the condition and every placeholder's value.
    fn into_parts(mut self) -> (String, String, HashMap<String, AttributeValue>) {
        let mut clauses = Vec::new();
        if !self.set.is_empty() {
            let sets: Vec<String> =
                self.set.iter().map(|(attribute, _)| format!("{attribute} = :{attribute}")).collect();
            clauses.push(format!("SET {}", sets.join(", ")));
        }
        self.remove.dedup();
        if !self.remove.is_empty() {
            clauses.push(format!("REMOVE {}", self.remove.join(", ")));
        }
        for (attribute, value) in self.set {
            self.values.insert(format!(":{attribute}"), value);
        }
        (clauses.join(" "), self.condition, self.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_that_seals_a_clear_secret_sets_the_sealed_copy_and_removes_the_clear_one() {
        let sealed = Sealed { format: 1, wrapped_key: "k".into(), nonce: "n".into(), ciphertext: "c".into() };
        let write = TotpWrite::new("attribute_exists(totp_confirmed_at)")
            .set("totp_last_step", n(7))
            .sealing(Some(&sealed))
            .unwrap();
        let (expression, condition, values) = write.into_parts();
        assert_eq!(expression, "SET totp_last_step = :totp_last_step, totp_sealed = :totp_sealed REMOVE totp_secret");
        assert_eq!(condition, "attribute_exists(totp_confirmed_at)");
        assert_eq!(values.len(), 2);
        assert!(matches!(&values[":totp_sealed"], AttributeValue::M(map) if map.contains_key("ciphertext")));
    }

    #[test]
    fn a_write_holding_a_secret_requires_that_very_secret() {
        let sealed = Sealed { format: 1, wrapped_key: "k".into(), nonce: "n".into(), ciphertext: "c1".into() };
        let (_, condition, values) =
            TotpWrite::new("attribute_not_exists(totp_confirmed_at)").holding(HeldSecret::Sealed(&sealed)).into_parts();
        assert_eq!(condition, "(attribute_not_exists(totp_confirmed_at)) AND totp_sealed.ciphertext = :held");
        assert_eq!(values[":held"], s("c1"));
        let (_, condition, values) = TotpWrite::new("x").holding(HeldSecret::Clear("ABC")).into_parts();
        assert_eq!(condition, "(x) AND totp_secret = :held");
        assert_eq!(values[":held"], s("ABC"));
    }
}
