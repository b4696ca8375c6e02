//! Platform staff (super admins): outside every tenant partition, under `PLATFORM`.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, keys, s, string_attr};
use crate::domain::{email::Email, ids::StaffId, names::PersonName};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Staff {
    pub id: StaffId,
    pub email: Email,
    pub name: PersonName,
    pub password_hash: String,
    pub active: bool,
    pub created_at: Timestamp,
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
}
