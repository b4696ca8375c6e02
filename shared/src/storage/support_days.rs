//! The support report's day items: per workspace, day and breakdown cell (all, a channel, category,
//! priority or agent), counters and one duration sketch per metric and clock. The outbox consumer reads
//! the cells an event touches, adds to them and writes them back conditional on their revision, in one
//! transaction with its "applied" marker: a redelivered event counts once, and two writers never lose
//! each other's additions (the later one retries on the fresh items).

use std::collections::BTreeMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use super::reports::MARKER_TTL_SECS;
use super::transaction::{Transaction, TransactionError};
use super::{Item, QuerySpec, Store, StoreError, TenantScope, backend, keys, n, s, string_attr};
use crate::domain::ids::EventId;
use crate::domain::reports::sketch::DurationSketch;

/// How often a write that lost a race re-reads the cells before giving up (the batch is then retried).
const ATTEMPTS: usize = 8;

/// One day of one breakdown cell.
#[derive(Debug, Clone, Default)]
pub struct SupportDay {
    pub day: String,
    pub dimension: String,
    pub value: String,
    pub counters: BTreeMap<String, i64>,
    /// Per metric and clock, e.g. `first_reply.business`.
    pub sketches: BTreeMap<String, DurationSketch>,
    /// Unsolved tickets after the day's last change (`all` cells only).
    pub backlog: Option<i64>,
    pub(crate) revision: i64,
}

impl SupportDay {
    pub fn counter(&self, name: &str) -> i64 {
        self.counters.get(name).copied().unwrap_or(0)
    }
}

/// What one event adds to one cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CellChange {
    pub dimension: String,
    pub value: String,
    pub counters: BTreeMap<String, i64>,
    /// (metric and clock, seconds)
    pub observations: Vec<(String, i64)>,
}

enum SupportWrite {
    AppliedBefore,
    Raced,
}

impl Store {
    /// Adds `changes` to the cells of `day` and `backlog_delta` to the running backlog (stamped on the
    /// day's `all` cell), unless `consumer` already applied `event`. `seed_backlog` gives the backlog to
    /// start from when the running state does not exist yet. Returns whether it applied now.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_support_changes(
        &self,
        scope: &TenantScope,
        consumer: &str,
        event: EventId,
        day: &str,
        changes: &[CellChange],
        backlog_delta: i64,
        seed_backlog: impl Future<Output = Result<i64, StoreError>> + Send,
        now_epoch: i64,
    ) -> Result<bool, StoreError> {
        if changes.is_empty() && backlog_delta == 0 {
            return Ok(true);
        }
        // Read at most once, and only when the state is missing.
        let mut seed_backlog = Some(seed_backlog);
        let mut seeded = None;
        for _ in 0..ATTEMPTS {
            let mut cells = Vec::new();
            for change in changes {
                let sk = keys::support_day_sk(&change.dimension, day, &change.value);
                let mut cell = self.support_day(scope, &sk).await?.unwrap_or_else(|| SupportDay {
                    day: day.to_owned(),
                    dimension: change.dimension.clone(),
                    value: change.value.clone(),
                    ..SupportDay::default()
                });
                for (name, delta) in &change.counters {
                    *cell.counters.entry(name.clone()).or_insert(0) += delta;
                }
                for (metric, seconds) in &change.observations {
                    cell.sketches.entry(metric.clone()).or_default().add_seconds(*seconds);
                }
                cells.push((sk, cell));
            }
            let mut state = None;
            if backlog_delta != 0 {
                let (revision, backlog) = match self.support_state(scope).await? {
                    Some(found) => found,
                    None => {
                        if let Some(seed) = seed_backlog.take() {
                            seeded = Some(seed.await?);
                        }
                        (0, seeded.unwrap_or(0) - backlog_delta)
                    }
                };
                let backlog = (backlog + backlog_delta).max(0);
                state = Some((revision, backlog));
                let all = cells.iter_mut().find(|(_, cell)| cell.dimension == "all");
                match all {
                    Some((_, cell)) => cell.backlog = Some(backlog),
                    None => {
                        let sk = keys::support_day_sk("all", day, "-");
                        let mut cell = self.support_day(scope, &sk).await?.unwrap_or_else(|| SupportDay {
                            day: day.to_owned(),
                            dimension: "all".to_owned(),
                            value: "-".to_owned(),
                            ..SupportDay::default()
                        });
                        cell.backlog = Some(backlog);
                        cells.push((sk, cell));
                    }
                }
            }
            let marker: Item = [
                (keys::PK.to_owned(), s(scope.pk())),
                (keys::SK.to_owned(), s(keys::applied_marker_sk(consumer, event))),
                (keys::TTL.to_owned(), n(now_epoch + MARKER_TTL_SECS)),
            ]
            .into_iter()
            .collect();
            let mut transaction = Transaction::new().with_named(self.put_new(marker)?, SupportWrite::AppliedBefore);
            for (sk, cell) in &cells {
                transaction = transaction.with_named(self.revised_put(scope, sk, cell)?, SupportWrite::Raced);
            }
            if let Some((revision, backlog)) = state {
                let item: Item = [
                    (keys::PK.to_owned(), s(scope.pk())),
                    (keys::SK.to_owned(), s(keys::SUPPORT_STATE_SK)),
                    ("backlog".to_owned(), n(backlog)),
                    ("revision".to_owned(), n(revision + 1)),
                ]
                .into_iter()
                .collect();
                transaction = transaction.with_named(self.put_at_revision(item, revision)?, SupportWrite::Raced);
            }
            match self.transact(transaction).await {
                Ok(()) => return Ok(true),
                Err(TransactionError::Failed { failure: SupportWrite::AppliedBefore, .. }) => return Ok(false),
                Err(TransactionError::Failed { failure: SupportWrite::Raced, .. }) => continue,
                Err(TransactionError::Store(err)) => return Err(err),
            }
        }
        Err(StoreError::Backend("support report cells kept changing; retried later".to_owned()))
    }

    /// Starts a new workspace's running state at an empty backlog (kept if it exists already), so its
    /// backlog is exact from the first ticket on.
    pub async fn start_support_state(&self, scope: &TenantScope) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(keys::PK, s(scope.pk()))
            .item(keys::SK, s(keys::SUPPORT_STATE_SK))
            .item("backlog", n(0))
            .item("revision", n(0))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException") => {
                Ok(())
            }
            Err(err) => Err(backend(err)),
        }
    }

    /// A put that succeeds only over the revision it read (or where no item was).
    fn put_at_revision(&self, item: Item, revision: i64) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR #revision = :revision")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":revision", n(revision))
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn revised_put(&self, scope: &TenantScope, sk: &str, cell: &SupportDay) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(sk)),
            ("day".to_owned(), s(&cell.day)),
            ("dimension".to_owned(), s(&cell.dimension)),
            ("value".to_owned(), s(&cell.value)),
            ("revision".to_owned(), n(cell.revision + 1)),
            (
                "counters".to_owned(),
                AttributeValue::M(cell.counters.iter().map(|(name, value)| (name.clone(), n(value))).collect()),
            ),
            (
                "sketches".to_owned(),
                AttributeValue::M(
                    cell.sketches
                        .iter()
                        .map(|(name, sketch)| (name.clone(), AttributeValue::B(Blob::new(sketch.encode()))))
                        .collect(),
                ),
            ),
        ]
        .into_iter()
        .collect();
        if let Some(backlog) = cell.backlog {
            item.insert("backlog".to_owned(), n(backlog));
        }
        self.put_at_revision(item, cell.revision)
    }

    async fn support_day(&self, scope: &TenantScope, sk: &str) -> Result<Option<SupportDay>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        output.item.map(support_day_of).transpose()
    }

    /// (revision, backlog) of the running state.
    async fn support_state(&self, scope: &TenantScope) -> Result<Option<(i64, i64)>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::SUPPORT_STATE_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        Ok(output.item.map(|item| (number(&item, "revision"), number(&item, "backlog"))))
    }

    /// The cells of `dimension` from `from` to `to` (inclusive, `YYYY-MM-DD`): one Query.
    pub async fn support_days(
        &self,
        scope: &TenantScope,
        dimension: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<SupportDay>, StoreError> {
        let query = QuerySpec::new("PK = :pk AND SK BETWEEN :from AND :to")
            .value(":pk", s(scope.pk()))
            .value(":from", s(format!("{}{dimension}#{from}#", keys::SUPPORT_DAY_PREFIX)))
            .value(":to", s(format!("{}{dimension}#{to}#\u{10FFFF}", keys::SUPPORT_DAY_PREFIX)));
        self.query_all(&query).await?.into_iter().map(support_day_of).collect()
    }

    /// The backlog at the end of the last day before `day` that had a change (None: none before).
    pub async fn support_backlog_before(&self, scope: &TenantScope, day: &str) -> Result<Option<i64>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :to")
            .expression_attribute_values(":pk", s(scope.pk()))
            .expression_attribute_values(":from", s(format!("{}all#", keys::SUPPORT_DAY_PREFIX)))
            .expression_attribute_values(":to", s(format!("{}all#{day}#", keys::SUPPORT_DAY_PREFIX)))
            .filter_expression("attribute_exists(backlog)")
            .scan_index_forward(false)
            .send()
            .await
            .map_err(backend)?;
        // Newest first: the first with a backlog (days without a backlog change carry none).
        Ok(output.items.unwrap_or_default().first().map(|item| number(item, "backlog")))
    }
}

fn number(item: &Item, name: &str) -> i64 {
    item.get(name).and_then(|value| value.as_n().ok()).and_then(|value| value.parse().ok()).unwrap_or(0)
}

fn support_day_of(item: Item) -> Result<SupportDay, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("support day item without {what}"));
    let counters = match item.get("counters") {
        Some(AttributeValue::M(map)) => map
            .iter()
            .filter_map(|(name, value)| value.as_n().ok()?.parse().ok().map(|value| (name.clone(), value)))
            .collect(),
        _ => BTreeMap::new(),
    };
    let mut sketches = BTreeMap::new();
    if let Some(AttributeValue::M(map)) = item.get("sketches") {
        for (name, value) in map {
            let AttributeValue::B(bytes) = value else { return Err(corrupt("binary sketches")) };
            let sketch = DurationSketch::decode(bytes.as_ref()).map_err(StoreError::Corrupt)?;
            sketches.insert(name.clone(), sketch);
        }
    }
    Ok(SupportDay {
        day: string_attr(&item, "day").ok_or_else(|| corrupt("day"))?,
        dimension: string_attr(&item, "dimension").ok_or_else(|| corrupt("dimension"))?,
        value: string_attr(&item, "value").ok_or_else(|| corrupt("value"))?,
        backlog: item.get("backlog").map(|_| number(&item, "backlog")),
        revision: number(&item, "revision"),
        counters,
        sketches,
    })
}
