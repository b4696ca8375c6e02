//! Deals (`DEAL#<id>`, with their events under `DEAL#<id>#EVENT#<e>`), their list indexes and the board
//! counters each write keeps exact.
//!
//! Every write is one transaction: the deal (conditional on its version), the counter deltas of the
//! pipelines it leaves and enters, a check that each pipeline still has the stages the service read,
//! a check that each newly named contact and owner exists, and the events.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem};
use jiff::{Timestamp, civil::Date};
use serde::{Deserialize, Serialize};

use super::companies::LinkKind;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, QuerySpec, Store, StoreError, TenantScope, events::Event, items_of, keys, n, s};
use crate::domain::{
    deals::{Currency, DealStatus, weighted_hundredths},
    ids::{CompanyId, CustomerId, DealId, PipelineId, StageId, UserId, WorkspaceId},
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Deal {
    pub id: DealId,
    pub workspace_id: WorkspaceId,
    pub title: String,
    /// In minor units of `currency` (cents for EUR).
    pub value: i64,
    pub currency: Currency,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub expected_close: Option<Date>,
    /// The win probability in percent: the stage's when the deal entered it, unless overridden.
    pub probability: u8,
    /// Whether `probability` was set on the deal rather than taken from its stage.
    #[serde(default)]
    pub probability_overridden: bool,
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub contact_ids: Vec<CustomerId>,
    /// The display name of the deal's company: free text, or the linked company's name.
    pub company: Option<String>,
    /// The company (organisation record) the deal is with.
    #[serde(default)]
    pub company_id: Option<CompanyId>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: DealStatus,
    pub lost_reason: Option<String>,
    /// When the deal entered its current stage.
    pub stage_entered_at: Timestamp,
    /// When it was won or lost.
    pub closed_at: Option<Timestamp>,
    pub created_by: UserId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
}

/// What an open deal adds to its pipeline's board counters: to its stage's, and to its owner's.
fn contributions(deal: &Deal) -> Vec<(String, i64)> {
    if deal.status != DealStatus::Open {
        return Vec::new();
    }
    let currency = deal.currency.as_str();
    let weighted = weighted_hundredths(deal.value, deal.probability);
    vec![
        (keys::stage_count_attr(deal.stage_id), 1),
        (keys::stage_value_attr(deal.stage_id, currency), deal.value),
        (keys::stage_weighted_attr(deal.stage_id, currency), weighted),
        (keys::owner_count_attr(deal.owner_id), 1),
        (keys::owner_value_attr(deal.owner_id, currency), deal.value),
        (keys::owner_weighted_attr(deal.owner_id, currency), weighted),
    ]
}

/// Board counter deltas between two states of a deal (either may be absent), per pipeline.
pub fn board_deltas(before: Option<&Deal>, after: Option<&Deal>) -> BTreeMap<PipelineId, BTreeMap<String, i64>> {
    let mut deltas: BTreeMap<PipelineId, BTreeMap<String, i64>> = BTreeMap::new();
    for (deal, sign) in [(after, 1), (before, -1)] {
        let Some(deal) = deal else { continue };
        let pipeline = deltas.entry(deal.pipeline_id).or_default();
        for (name, value) in contributions(deal) {
            *pipeline.entry(name).or_insert(0) += sign * value;
        }
    }
    for pipeline in deltas.values_mut() {
        pipeline.retain(|_, delta| *delta != 0);
    }
    deltas.retain(|_, pipeline| !pipeline.is_empty());
    deltas
}

/// What must still hold when a deal is written: the pipelines whose stages were read (id, version),
/// and the contacts and owner newly named on it.
#[derive(Debug, Clone, Default)]
pub struct DealChecks {
    pub pipelines: Vec<(PipelineId, u64)>,
    pub contacts: Vec<CustomerId>,
    pub owner: Option<UserId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealWriteError {
    /// Someone else changed (or deleted) the deal first.
    VersionConflict,
    /// A pipeline changed between reading its stages and writing the deal.
    PipelineChanged,
    /// A contact is not a customer of the workspace (or was merged away).
    ContactMissing(CustomerId),
    /// The owner is not an active member of the workspace.
    OwnerNotMember,
    /// The company named is not one of the workspace's (or was deleted meanwhile).
    CompanyMissing,
}

/// Why a deal write failed: a named refusal, or the store's error.
#[derive(Debug)]
pub enum DealWriteFailure {
    Refused(DealWriteError),
    Store(StoreError),
}

impl From<StoreError> for DealWriteFailure {
    fn from(err: StoreError) -> Self {
        DealWriteFailure::Store(err)
    }
}

/// Which index a deal list reads.
#[derive(Debug, Clone, PartialEq)]
pub enum DealIndex {
    /// One stage's deals, newest first (a kanban column).
    Stage(StageId),
    /// One pipeline's deals, newest first.
    Pipeline(PipelineId),
    /// One owner's deals (None: unowned), newest first.
    Owner(Option<UserId>),
    /// Every deal, newest first.
    All,
    /// Deals in one currency, highest value first, optionally within a value range (inclusive).
    Value { currency: Currency, range: Option<(i64, i64)> },
    /// Deals with an expected close date, soonest first, optionally within a date range (inclusive).
    ExpectedClose { range: Option<(Date, Date)> },
}

/// A deal list: an index, the status its partition holds, and an optional tag.
#[derive(Debug, Clone, PartialEq)]
pub struct DealQuery {
    pub index: DealIndex,
    pub status: DealStatus,
    pub tag: Option<String>,
}

const DEALS_LISTING: &str = "deals";
/// A tag is a filter on the partition the index reads: a page reads at most this many times its
/// size before it is returned short (with a cursor to go on).
const TAG_FILTER_REQUESTS: usize = 4;

impl Store {
    /// The deal item with its list index keys (also for bulk loads through [`Store::batch_put`]).
    pub fn deal_item(&self, scope: &TenantScope, deal: &Deal) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(deal)?;
        let ws = scope.workspace_id();
        let status = deal.status.as_str();
        let newest = keys::deal_newest_sk(deal.id);
        let mut set = |name: &str, value: String| {
            item.insert(name.to_owned(), s(value));
        };
        set(keys::PK, scope.pk());
        set(keys::SK, keys::deal_sk(deal.id));
        set(keys::GSI1PK, keys::deals_by_stage_gsi1pk(ws, deal.stage_id, status));
        set(keys::GSI1SK, newest.clone());
        set(keys::GSI2PK, keys::deals_by_pipeline_gsi2pk(ws, deal.pipeline_id, status));
        set(keys::GSI2SK, newest.clone());
        set(keys::GSI3PK, keys::deals_by_owner_gsi3pk(ws, deal.owner_id, status));
        set(keys::GSI3SK, newest.clone());
        set(keys::GSI4PK, keys::deals_gsi4pk(ws, status));
        set(keys::GSI4SK, newest);
        set(keys::GSI5PK, keys::deals_by_value_gsi5pk(ws, status, deal.currency.as_str()));
        set(keys::GSI5SK, keys::deal_value_gsi5sk(deal.value, deal.id));
        if let Some(date) = deal.expected_close {
            set(keys::GSI6PK, keys::deals_by_close_gsi6pk(ws, status));
            set(keys::GSI6SK, keys::deal_close_gsi6sk(date, deal.id));
        }
        // Sparse: only a linked deal is in its company's deal list (every status in one partition).
        if let Some(company) = deal.company_id {
            set(keys::GSI8PK, keys::company_deals_gsi8pk(ws, company));
            set(keys::GSI8SK, keys::deal_newest_sk(deal.id));
        }
        Ok(item)
    }

    /// Fails the transaction unless the deal exists.
    pub(crate) fn deal_exists_check(&self, scope: &TenantScope, deal: DealId) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::deal_sk(deal)))
            .condition_expression("attribute_exists(PK)")
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    pub(crate) fn member_active_check(
        &self,
        scope: &TenantScope,
        user: UserId,
    ) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::user_sk(user)))
            .condition_expression("attribute_exists(PK) AND #status = :active")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s("active"))
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Writes a deal change: `before` → `after` (None before: a new deal; None after: deleted), with
    /// the board counters, the `checks` and the events, in one transaction.
    pub async fn write_deal(
        &self,
        scope: &TenantScope,
        before: Option<&Deal>,
        after: Option<&Deal>,
        checks: &DealChecks,
        events: &[Event],
    ) -> Result<(), DealWriteFailure> {
        use DealWriteError::*;
        let deal_action = match (before, after) {
            (None, Some(after)) => self.put_new(self.deal_item(scope, after)?)?,
            (Some(before), Some(after)) => {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(self.deal_item(scope, after)?))
                    .condition_expression("version = :version")
                    .expression_attribute_values(":version", n(before.version))
                    .build()
                    .map_err(StoreError::from)?;
                TransactWriteItem::builder().put(put).build()
            }
            (Some(before), None) => {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .key(keys::PK, s(scope.pk()))
                    .key(keys::SK, s(keys::deal_sk(before.id)))
                    .condition_expression("version = :version")
                    .expression_attribute_values(":version", n(before.version))
                    .build()
                    .map_err(StoreError::from)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            (None, None) => return Ok(()),
        };
        let mut transaction = Transaction::new().with_named(deal_action, VersionConflict);
        for (pipeline, version) in &checks.pipelines {
            transaction =
                transaction.with_named(self.pipeline_unchanged_check(scope, *pipeline, *version)?, PipelineChanged);
        }
        for contact in &checks.contacts {
            transaction =
                transaction.with_named(self.customer_exists_check(scope, *contact)?, ContactMissing(*contact));
        }
        if let Some(owner) = checks.owner {
            transaction = transaction.with_named(self.member_active_check(scope, owner)?, OwnerNotMember);
        }
        for (pipeline, deltas) in board_deltas(before, after) {
            transaction = transaction.with_all(self.board_counts_update(scope, pipeline, &deltas)?);
        }
        let company = |deal: Option<&Deal>| deal.and_then(|deal| deal.company_id);
        let (unlink, link) = self.company_relink_actions(scope, LinkKind::Deals, company(before), company(after))?;
        transaction = transaction.with_all(unlink);
        if let Some(link) = link {
            transaction = transaction.with_named(link, CompanyMissing);
        }
        for event in events {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure, .. }) => Err(DealWriteFailure::Refused(failure)),
            Err(TransactionError::Store(err)) => Err(DealWriteFailure::Store(err)),
        }
    }

    /// The actions that create `deal` inside another use case's transaction (a lead's conversion):
    /// the deal, its pipeline as read, its owner still a member, the board counters and its events.
    /// Its contacts are not checked: the transaction writes them itself.
    pub fn new_deal_actions(
        &self,
        scope: &TenantScope,
        deal: &Deal,
        pipeline_version: u64,
        events: &[Event],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut actions = vec![
            self.put_new(self.deal_item(scope, deal)?)?,
            self.pipeline_unchanged_check(scope, deal.pipeline_id, pipeline_version)?,
        ];
        if let Some(owner) = deal.owner_id {
            actions.push(self.member_active_check(scope, owner)?);
        }
        for (pipeline, deltas) in board_deltas(None, Some(deal)) {
            actions.extend(self.board_counts_update(scope, pipeline, &deltas)?);
        }
        if let Some(company) = deal.company_id {
            actions.push(self.company_link_update(scope, company, LinkKind::Deals, 1)?);
        }
        for event in events {
            actions.push(self.put_event(scope, event)?);
        }
        Ok(actions)
    }

    pub async fn get_deal(&self, scope: &TenantScope, id: DealId) -> Result<Option<Deal>, StoreError> {
        self.get_record(scope.pk(), keys::deal_sk(id)).await
    }

    /// The deal and its events (oldest first): one Query of the deal's collection.
    pub async fn deal_with_history(
        &self,
        scope: &TenantScope,
        id: DealId,
    ) -> Result<Option<(Deal, Vec<Event>)>, StoreError> {
        let query = QuerySpec::under_prefix(scope, keys::deal_sk(id)).consistent();
        let items = self.query_all(&query).await?;
        let deal_key = keys::deal_sk(id);
        let mut deal = None;
        let mut events = Vec::new();
        for item in items {
            let sk = super::string_attr(&item, keys::SK).unwrap_or_default();
            if sk == deal_key {
                deal = Some(serde_dynamo::from_item(item)?);
            } else {
                events.push(serde_dynamo::from_item(item)?);
            }
        }
        Ok(deal.map(|deal| (deal, events)))
    }

    /// One page of a deal list: one Query of the index partition (a few, when a tag filter drops most
    /// of what they read).
    pub async fn query_deals(
        &self,
        scope: &TenantScope,
        query: &DealQuery,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Deal>, StoreError> {
        let ws = scope.workspace_id();
        let status = query.status.as_str();
        let (index, pk_name, sk_name, pk, newest_first, range) = match &query.index {
            DealIndex::Stage(stage) => {
                (keys::GSI1, keys::GSI1PK, keys::GSI1SK, keys::deals_by_stage_gsi1pk(ws, *stage, status), true, None)
            }
            DealIndex::Pipeline(pipeline) => (
                keys::GSI2,
                keys::GSI2PK,
                keys::GSI2SK,
                keys::deals_by_pipeline_gsi2pk(ws, *pipeline, status),
                true,
                None,
            ),
            DealIndex::Owner(owner) => {
                (keys::GSI3, keys::GSI3PK, keys::GSI3SK, keys::deals_by_owner_gsi3pk(ws, *owner, status), true, None)
            }
            DealIndex::All => (keys::GSI4, keys::GSI4PK, keys::GSI4SK, keys::deals_gsi4pk(ws, status), true, None),
            DealIndex::Value { currency, range } => (
                keys::GSI5,
                keys::GSI5PK,
                keys::GSI5SK,
                keys::deals_by_value_gsi5pk(ws, status, currency.as_str()),
                true,
                range.map(|(min, max)| keys::deal_value_gsi5sk_range(min, max)),
            ),
            DealIndex::ExpectedClose { range } => (
                keys::GSI6,
                keys::GSI6PK,
                keys::GSI6SK,
                keys::deals_by_close_gsi6pk(ws, status),
                false,
                range.map(|(from, to)| keys::deal_close_gsi6sk_range(from, to)),
            ),
        };
        let condition = match range {
            None => format!("{pk_name} = :pk"),
            Some(_) => format!("{pk_name} = :pk AND {sk_name} BETWEEN :from AND :to"),
        };
        let mut spec = QuerySpec::new(condition).on_index(index).value(":pk", s(pk.clone())).newest_first(newest_first);
        if let Some((from, to)) = range {
            spec = spec.value(":from", s(from)).value(":to", s(to));
        }
        let mut requests = 1;
        if let Some(tag) = &query.tag {
            spec = spec.filter("contains(tags, :tag)").value(":tag", s(tag.clone()));
            requests = TAG_FILTER_REQUESTS;
        }
        // The cursor belongs to this partition and these filters: another list cannot continue from it.
        let owner = format!("{pk}|{:?}|{:?}", query.tag, query.index);
        let start = cursor.map(|cursor| self.cursors.decode(DEALS_LISTING, &owner, cursor)).transpose()?;
        let limit = usize::try_from(limit).unwrap_or(0);
        let (items, last) = self.query_up_to(&spec, start, limit, requests).await?;
        let next_cursor = last.map(|key| self.cursors.encode(DEALS_LISTING, &owner, &key));
        Ok(Page { items: items_of(&items)?, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deal(stage: StageId, value: i64, probability: u8, currency: &str) -> Deal {
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        Deal {
            id: DealId::generate(),
            workspace_id: WorkspaceId::generate(),
            title: "Renewal".into(),
            value,
            currency: Currency::parse(currency).unwrap(),
            pipeline_id: PipelineId::generate(),
            stage_id: stage,
            expected_close: None,
            probability,
            probability_overridden: false,
            owner_id: None,
            contact_ids: Vec::new(),
            company: None,
            company_id: None,
            tags: Vec::new(),
            status: DealStatus::Open,
            lost_reason: None,
            stage_entered_at: at,
            closed_at: None,
            created_by: UserId::generate(),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn a_move_shifts_count_value_and_weight_between_stages() {
        let (from, to) = (StageId::generate(), StageId::generate());
        let before = deal(from, 10_000, 20, "EUR");
        let after = Deal { stage_id: to, probability: 60, ..before.clone() };
        let deltas = board_deltas(Some(&before), Some(&after));
        let pipeline = &deltas[&before.pipeline_id];
        assert_eq!(pipeline[&keys::stage_count_attr(from)], -1);
        assert_eq!(pipeline[&keys::stage_count_attr(to)], 1);
        assert_eq!(pipeline[&keys::stage_value_attr(to, "EUR")], 10_000);
        assert_eq!(pipeline[&keys::stage_weighted_attr(from, "EUR")], -200_000);
        assert_eq!(pipeline[&keys::stage_weighted_attr(to, "EUR")], 600_000);
    }

    #[test]
    fn winning_or_deleting_takes_a_deal_off_the_board_and_no_change_writes_nothing() {
        let open = deal(StageId::generate(), 500, 50, "USD");
        let won = Deal { status: DealStatus::Won, ..open.clone() };
        let off = board_deltas(Some(&open), Some(&won));
        assert_eq!(off[&open.pipeline_id][&keys::stage_count_attr(open.stage_id)], -1);
        assert_eq!(board_deltas(Some(&open), None), off);
        assert!(board_deltas(Some(&open), Some(&open)).is_empty());
        assert!(board_deltas(Some(&won), None).is_empty(), "a closed deal was never on the board");
    }

    #[test]
    fn an_owner_change_moves_count_value_and_weight_between_owners_and_a_move_leaves_them() {
        let stage = StageId::generate();
        let (alice, bob) = (UserId::generate(), UserId::generate());
        let before = Deal { owner_id: Some(alice), ..deal(stage, 10_000, 20, "EUR") };
        let handed = Deal { owner_id: Some(bob), probability: 50, ..before.clone() };
        let deltas = board_deltas(Some(&before), Some(&handed));
        let pipeline = &deltas[&before.pipeline_id];
        assert_eq!(pipeline[&keys::owner_count_attr(Some(alice))], -1);
        assert_eq!(pipeline[&keys::owner_count_attr(Some(bob))], 1);
        assert_eq!(pipeline[&keys::owner_value_attr(Some(bob), "EUR")], 10_000);
        assert_eq!(pipeline[&keys::owner_weighted_attr(Some(alice), "EUR")], -200_000);
        assert_eq!(pipeline[&keys::owner_weighted_attr(Some(bob), "EUR")], 500_000);
        let moved = Deal { stage_id: StageId::generate(), ..before.clone() };
        let deltas = board_deltas(Some(&before), Some(&moved));
        assert!(!deltas[&before.pipeline_id].contains_key(&keys::owner_count_attr(Some(alice))));
        let unowned = deal(stage, 1, 10, "USD");
        let created = board_deltas(None, Some(&unowned));
        assert_eq!(created[&unowned.pipeline_id][&keys::owner_count_attr(None)], 1);
    }

    #[test]
    fn moving_to_another_pipeline_touches_both_boards() {
        let before = deal(StageId::generate(), 100, 10, "GBP");
        let after = Deal { pipeline_id: PipelineId::generate(), stage_id: StageId::generate(), ..before.clone() };
        let deltas = board_deltas(Some(&before), Some(&after));
        assert_eq!(deltas.len(), 2);
        assert_eq!(deltas[&after.pipeline_id][&keys::stage_count_attr(after.stage_id)], 1);
    }
}
