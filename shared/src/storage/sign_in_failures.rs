//! Failed sign-in counters (`SIGNIN#<attempt>#<e-mail digest>` / `FAILURES`, docs/data-model.md): read
//! before an attempt, written with a condition on what was read so two failures at once both count,
//! deleted on success, and removed by DynamoDB's TTL once they no longer matter.

use super::{Item, Store, StoreError, backend, counter_of, keys, n, s};
use crate::domain::sign_in_backoff::FailureCount;

fn key(attempt: &str, email_digest: &str) -> Item {
    [
        (keys::PK.to_owned(), s(keys::sign_in_failures_pk(attempt, email_digest))),
        (keys::SK.to_owned(), s(keys::SIGN_IN_FAILURES_SK)),
    ]
    .into_iter()
    .collect()
}

/// Whether a conditional write found the counter as it was read.
#[derive(Debug, PartialEq, Eq)]
pub enum CounterWrite {
    Written,
    /// Another attempt changed it meanwhile: read again and retry.
    Raced,
}

impl Store {
    /// The account's counter, if any failure is on record (a consistent read: the lock must hold at once).
    pub(crate) async fn sign_in_failures(
        &self,
        attempt: &str,
        email_digest: &str,
    ) -> Result<Option<FailureCount>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(attempt, email_digest)))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(output.item.map(|item| {
            let number = |name: &str| i64::try_from(counter_of(Some(&item), name)).unwrap_or(i64::MAX);
            FailureCount {
                failures: u32::try_from(counter_of(Some(&item), "failures")).unwrap_or(u32::MAX),
                last_failure: number("last_failure"),
                locked_until: number("locked_until"),
            }
        }))
    }

    /// Replaces `previous` (None: no item) with `next`, unless another attempt wrote first.
    pub(crate) async fn write_sign_in_failures(
        &self,
        attempt: &str,
        email_digest: &str,
        previous: Option<&FailureCount>,
        next: &FailureCount,
        expires_at: i64,
    ) -> Result<CounterWrite, StoreError> {
        let mut item = key(attempt, email_digest);
        item.insert("failures".to_owned(), n(next.failures));
        item.insert("last_failure".to_owned(), n(next.last_failure));
        item.insert("locked_until".to_owned(), n(next.locked_until));
        item.insert(keys::TTL.to_owned(), n(expires_at));
        let put = self.client.put_item().table_name(&self.table).set_item(Some(item));
        let put = match previous {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(seen) => put
                .condition_expression("failures = :failures AND last_failure = :last_failure")
                .expression_attribute_values(":failures", n(seen.failures))
                .expression_attribute_values(":last_failure", n(seen.last_failure)),
        };
        match put.send().await {
            Ok(_) => Ok(CounterWrite::Written),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(CounterWrite::Raced)
            }
            Err(err) => Err(backend(err)),
        }
    }

    /// Forgets the account's failures (a success).
    pub(crate) async fn clear_sign_in_failures(&self, attempt: &str, email_digest: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(attempt, email_digest)))
            .send()
            .await
            .map_err(backend)?;
        Ok(())
    }
}
