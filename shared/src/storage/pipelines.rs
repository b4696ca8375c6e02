//! Sales pipelines (`PIPELINE#<id>`, stages inside) and their board counters
//! (`COUNTS#PIPELINE#<id>`): per stage, the open deals' count, and their value and weighted value per
//! currency. Every deal transaction adds its deltas to the counters, so a board reads them with one
//! GetItem.
//!
//! A stage is removed only while no open deal is in it: the pipeline's write checks the stage's
//! counter in the same transaction, and deal writes check the pipeline's version, so a deal cannot
//! slip into a stage being removed.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::transaction::{Transaction, TransactionError};
use super::{Item, Store, StoreError, TenantScope, events::Event, keys, n, s};
use crate::domain::{
    deals::Stage,
    ids::{PipelineId, StageId, UserId, WorkspaceId},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pipeline {
    pub id: PipelineId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    /// In board order, left to right.
    pub stages: Vec<Stage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

impl Pipeline {
    pub fn stage(&self, id: StageId) -> Option<&Stage> {
        self.stages.iter().find(|stage| stage.id == id)
    }
}

#[derive(Debug)]
pub enum PipelineWriteError {
    /// Someone else changed the pipeline first.
    VersionConflict,
    /// A stage to be removed still holds open deals.
    StageNotEmpty {
        stage: StageId,
        open_deals: u64,
    },
    Store(StoreError),
}

impl From<StoreError> for PipelineWriteError {
    fn from(err: StoreError) -> Self {
        PipelineWriteError::Store(err)
    }
}

/// A board's counters as stored: attribute name → number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoardCounts {
    pub values: BTreeMap<String, i64>,
}

/// One owner's open deals in a pipeline: `(owner, count, [(currency, value, weighted)])`.
pub type OwnerTotals = (Option<UserId>, i64, Vec<(String, i64, i64)>);

impl BoardCounts {
    pub fn get(&self, name: &str) -> i64 {
        self.values.get(name).copied().unwrap_or(0)
    }

    /// Open deals in `stage`.
    pub fn count(&self, stage: StageId) -> i64 {
        self.get(&keys::stage_count_attr(stage))
    }

    /// `(currency, value, weighted hundredths)` of the open deals in `stage`, per currency, in code order;
    /// currencies whose deals all left the stage are left out.
    pub fn totals(&self, stage: StageId) -> Vec<(String, i64, i64)> {
        let prefix = format!("v#{stage}#");
        self.values
            .iter()
            .filter_map(|(name, value)| name.strip_prefix(&prefix).map(|currency| (currency.to_owned(), *value)))
            .map(|(currency, value)| {
                let weighted = self.get(&keys::stage_weighted_attr(stage, &currency));
                (currency, value, weighted)
            })
            .filter(|(_, value, weighted)| *value != 0 || *weighted != 0)
            .collect()
    }

    /// Per owner (None: unowned) with open deals in the pipeline: `(owner, count, totals)`, the totals
    /// as in [`BoardCounts::totals`]; owners without open deals are left out.
    pub fn owners(&self) -> Vec<OwnerTotals> {
        let none = keys::owner_count_attr(None);
        let prefix = none.trim_end_matches("none");
        self.values
            .iter()
            .filter(|(_, count)| **count != 0)
            .filter_map(|(name, count)| {
                let owner = name.strip_prefix(prefix)?;
                let owner = if *name == none { None } else { Some(owner.parse::<UserId>().ok()?) };
                Some((owner, *count))
            })
            .map(|(owner, count)| {
                let value_prefix = keys::owner_value_attr(owner, "");
                let totals = self
                    .values
                    .iter()
                    .filter_map(|(name, value)| name.strip_prefix(&value_prefix).map(|currency| (currency, *value)))
                    .map(|(currency, value)| {
                        (currency.to_owned(), value, self.get(&keys::owner_weighted_attr(owner, currency)))
                    })
                    .filter(|(_, value, weighted)| *value != 0 || *weighted != 0)
                    .collect();
                (owner, count, totals)
            })
            .collect()
    }
}

fn numbers(item: Option<Item>) -> BoardCounts {
    let values = item
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| match value {
            AttributeValue::N(number) => number.parse().ok().map(|number| (name, number)),
            _ => None,
        })
        .collect();
    BoardCounts { values }
}

impl Store {
    fn pipeline_item(&self, scope: &TenantScope, pipeline: &Pipeline) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(pipeline)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::pipeline_sk(pipeline.id)));
        Ok(item)
    }

    /// The workspace's pipelines, oldest first (one Query).
    pub async fn pipelines(&self, scope: &TenantScope) -> Result<Vec<Pipeline>, StoreError> {
        self.query_prefix(scope, keys::PIPELINE_PREFIX).await
    }

    pub async fn get_pipeline(&self, scope: &TenantScope, id: PipelineId) -> Result<Option<Pipeline>, StoreError> {
        self.get_record(scope.pk(), keys::pipeline_sk(id)).await
    }

    /// The workspace's first pipeline, made once: false when another request made it first.
    pub async fn seed_pipeline(
        &self,
        scope: &TenantScope,
        pipeline: &Pipeline,
        event: &Event,
    ) -> Result<bool, StoreError> {
        #[derive(Clone, Copy)]
        struct AlreadySeeded;
        let guard: Item = [(keys::PK.to_owned(), s(scope.pk())), (keys::SK.to_owned(), s(keys::PIPELINES_SEEDED_SK))]
            .into_iter()
            .collect();
        let transaction = Transaction::new()
            .with_named(self.put_new(guard)?, AlreadySeeded)
            .with(self.put_new(self.pipeline_item(scope, pipeline)?)?)
            .with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { failure: AlreadySeeded, .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    pub async fn create_pipeline(
        &self,
        scope: &TenantScope,
        pipeline: &Pipeline,
        event: &Event,
    ) -> Result<(), StoreError> {
        let transaction = Transaction::new()
            .with(self.put_new(self.pipeline_item(scope, pipeline)?)?)
            .with(self.put_event(scope, event)?);
        Ok(self.transact(transaction).await?)
    }

    /// Writes `after` over the pipeline still at `read_version`, provided each of `removed` holds no
    /// open deal at that moment.
    pub async fn replace_pipeline(
        &self,
        scope: &TenantScope,
        read_version: u64,
        after: &Pipeline,
        removed: &[StageId],
        event: &Event,
    ) -> Result<(), PipelineWriteError> {
        #[derive(Clone, Copy)]
        enum Refused {
            Changed,
            StageNotEmpty,
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(self.pipeline_item(scope, after)?))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(read_version))
            .build()
            .map_err(StoreError::from)?;
        let mut transaction =
            Transaction::new().with_named(TransactWriteItem::builder().put(put).build(), Refused::Changed);
        if !removed.is_empty() {
            let mut check = ConditionCheck::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::pipeline_counts_sk(after.id)))
                .expression_attribute_values(":zero", n(0))
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            let mut clauses = Vec::new();
            for (index, stage) in removed.iter().enumerate() {
                clauses.push(format!("(attribute_not_exists(#n{index}) OR #n{index} <= :zero)"));
                check = check.expression_attribute_names(format!("#n{index}"), keys::stage_count_attr(*stage));
            }
            // No counters item yet means no deal was ever in the pipeline. AND binds before OR.
            let condition = format!("attribute_not_exists(PK) OR {}", clauses.join(" AND "));
            let check = check.condition_expression(condition).build().map_err(StoreError::from)?;
            transaction = transaction
                .with_named(TransactWriteItem::builder().condition_check(check).build(), Refused::StageNotEmpty);
        }
        transaction = transaction.with(self.put_event(scope, event)?);
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: Refused::Changed, .. }) => Err(PipelineWriteError::VersionConflict),
            Err(TransactionError::Failed { failure: Refused::StageNotEmpty, item }) => {
                let counts = numbers(item);
                let (stage, open_deals) = removed
                    .iter()
                    .map(|stage| (*stage, counts.count(*stage)))
                    .find(|(_, count)| *count > 0)
                    .unwrap_or((removed[0], 0));
                Err(PipelineWriteError::StageNotEmpty { stage, open_deals: u64::try_from(open_deals).unwrap_or(0) })
            }
            Err(TransactionError::Store(err)) => Err(err.into()),
        }
    }

    /// The pipeline's board counters (one strongly consistent GetItem).
    pub async fn board_counts(&self, scope: &TenantScope, pipeline: PipelineId) -> Result<BoardCounts, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::pipeline_counts_sk(pipeline)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(numbers(output.item))
    }

    /// The transaction action that fails unless the pipeline is still at `version` (its stages as read).
    pub(crate) fn pipeline_unchanged_check(
        &self,
        scope: &TenantScope,
        pipeline: PipelineId,
        version: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::pipeline_sk(pipeline)))
            .condition_expression("version = :version")
            .expression_attribute_values(":version", n(version))
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// The transaction action adding `deltas` to a pipeline's board counters.
    pub(crate) fn board_counts_update(
        &self,
        scope: &TenantScope,
        pipeline: PipelineId,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::pipeline_counts_sk(pipeline)));
        let mut clauses = Vec::new();
        for (index, (name, delta)) in deltas.iter().enumerate() {
            clauses.push(format!("#c{index} :c{index}"));
            update = update
                .expression_attribute_names(format!("#c{index}"), name)
                .expression_attribute_values(format!(":c{index}"), n(delta));
        }
        let update = update.update_expression(format!("ADD {}", clauses.join(", "))).build()?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_totals_are_per_currency_and_skip_emptied_ones() {
        let (stage, other) = (StageId::generate(), StageId::generate());
        let counts = BoardCounts {
            values: [
                (keys::stage_count_attr(stage), 3),
                (keys::stage_value_attr(stage, "EUR"), 1000),
                (keys::stage_weighted_attr(stage, "EUR"), 50_000),
                (keys::stage_value_attr(stage, "USD"), 0),
                (keys::stage_weighted_attr(stage, "USD"), 0),
                (keys::stage_value_attr(other, "GBP"), 7),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(counts.count(stage), 3);
        assert_eq!(counts.totals(stage), [("EUR".to_owned(), 1000, 50_000)]);
        assert_eq!(counts.count(other), 0);
    }
}
