//! Report counters kept by the outbox consumer: one item per workspace and day, raised with `ADD`
//! together with an "applied" marker per event, so a redelivered event counts once.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};

use super::transaction::{Transaction, TransactionError};
use super::{Item, QuerySpec, Store, StoreError, TenantScope, keys, n, s, string_attr};
use crate::domain::ids::EventId;

/// How long an "applied" marker is kept: longer than the stream keeps records (24 hours).
pub const MARKER_TTL_SECS: i64 = 7 * 86_400;

impl Store {
    /// Adds `counters` to the day's statistics unless `consumer` already applied `event`.
    /// Returns whether it applied now.
    pub async fn apply_daily_counters(
        &self,
        scope: &TenantScope,
        consumer: &str,
        event: EventId,
        day: &str,
        counters: &BTreeMap<String, i64>,
        now_epoch: i64,
    ) -> Result<bool, StoreError> {
        let marker: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::applied_marker_sk(consumer, event))),
            (keys::TTL.to_owned(), n(now_epoch + MARKER_TTL_SECS)),
        ]
        .into_iter()
        .collect();
        struct AppliedBefore;
        let mut transaction = Transaction::new().with_named(self.put_new(marker)?, AppliedBefore);
        if !counters.is_empty() {
            let mut update = Update::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::daily_stats_sk(day)))
                .expression_attribute_values(":day", s(day));
            let mut clauses = Vec::new();
            for (index, (name, delta)) in counters.iter().enumerate() {
                clauses.push(format!("#c{index} :c{index}"));
                update = update
                    .expression_attribute_names(format!("#c{index}"), name)
                    .expression_attribute_values(format!(":c{index}"), n(delta));
            }
            let update = update
                .update_expression(format!("SET #day = :day ADD {}", clauses.join(", ")))
                .expression_attribute_names("#day", "day")
                .build()
                .map_err(StoreError::from)?;
            transaction = transaction.with(TransactWriteItem::builder().update(update).build());
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: AppliedBefore, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// The days from `from` to `to` (inclusive, `YYYY-MM-DD`) that have statistics.
    pub async fn daily_counters(
        &self,
        scope: &TenantScope,
        from: &str,
        to: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, i64>>, StoreError> {
        let query = QuerySpec::new("PK = :pk AND SK BETWEEN :from AND :to")
            .value(":pk", s(scope.pk()))
            .value(":from", s(keys::daily_stats_sk(from)))
            .value(":to", s(keys::daily_stats_sk(to)));
        let mut days = BTreeMap::new();
        for item in self.query_all(&query).await? {
            let Some(day) = string_attr(&item, "day") else { continue };
            let counters = item
                .into_iter()
                .filter_map(|(name, value)| match value {
                    AttributeValue::N(number) => number.parse().ok().map(|number| (name, number)),
                    _ => None,
                })
                .collect();
            days.insert(day, counters);
        }
        Ok(days)
    }
}
