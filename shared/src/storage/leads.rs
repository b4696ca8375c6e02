//! Sales leads: one item each, an e-mail guard item per lead with an e-mail (duplicate detection), the
//! workspace's lead counters, its status set, and the notes on leads.
//!
//! A live lead carries the keys of four sparse listings: all leads by creation (GSI3), by status
//! (GSI4), by owner (GSI6), and by score (GSI5). A lead merged into another keeps its item (so its id
//! still answers, pointing at the survivor) but leaves every listing and every counter.
//!
//! Every write of a lead is one transaction with its counter deltas and its events, so the counts
//! (`GET /api/v1/leads/counts`) are exact at all times.

use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::customers::Customer;
use super::transaction::{Transaction, TransactionError};
use super::{Item, Page, PageQuery, QuerySpec, Store, StoreError, TenantScope, events::Event, keys, n, s, string_attr};
use crate::domain::{
    email::Email,
    ids::{CustomerId, LeadId, NoteId, UserId, WorkspaceId},
    leads::{LeadSource, LeadStatuses, Score},
    records::RecordRef,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Lead {
    pub id: LeadId,
    pub workspace_id: WorkspaceId,
    pub name: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub source: LeadSource,
    /// A key of the workspace's status set.
    pub status: String,
    pub owner_id: Option<UserId>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    pub score: Option<Score>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: u64,
    /// The customer this lead became (set once, by the conversion).
    #[serde(default)]
    pub customer_id: Option<CustomerId>,
    #[serde(default)]
    pub converted_at: Option<Timestamp>,
    /// Set when this lead was merged into another as a duplicate: the survivor.
    #[serde(default)]
    pub merged_into: Option<LeadId>,
    /// The duplicates merged into this lead.
    #[serde(default)]
    pub merged_ids: Vec<LeadId>,
}

impl Lead {
    /// Listed and counted: not merged away.
    pub fn is_live(&self) -> bool {
        self.merged_into.is_none()
    }
}

/// A note on a record (a lead, a customer or a deal): who wrote it, when, what.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Note {
    pub id: NoteId,
    /// `lead#<id>`, `customer#<id>`, `deal#<id>`: the record it is on.
    pub record: String,
    pub author_id: Option<UserId>,
    pub body: String,
    pub created_at: Timestamp,
}

/// Why a lead write wrote nothing, by the condition that failed.
#[derive(Debug)]
pub enum LeadWriteError {
    /// Another lead of the workspace holds the e-mail.
    Duplicate,
    /// The lead (or the other lead of a merge) changed since it was read.
    VersionConflict,
    /// A conversion's new customer lost its e-mail to a customer created meanwhile.
    CustomerEmailTaken,
    /// A conversion's existing customer changed (or was merged away) since it was read.
    CustomerChanged,
    /// The status set changed since it was read.
    StatusesChanged,
    /// The plan's new leads for the month are used up (the count then): nothing was written.
    MonthlyLimit {
        used: u64,
    },
    Store(StoreError),
}

/// The attribute of the month's usage item (`USAGE#<yyyy-mm>`) that counts new leads.
pub const LEADS_COUNTER: &str = "leads";

/// Where a new lead is counted: the month (`YYYY-MM`, UTC) and the plan's limit (None: unlimited).
#[derive(Debug, Clone, Copy)]
pub struct MonthlyLeads<'a> {
    pub month: &'a str,
    pub limit: Option<u64>,
}

impl From<StoreError> for LeadWriteError {
    fn from(err: StoreError) -> Self {
        LeadWriteError::Store(err)
    }
}

/// Why a note was not added.
#[derive(Debug)]
pub enum NoteWriteError {
    /// The record was deleted (or merged away) since it was read.
    RecordGone,
    Store(StoreError),
}

impl From<StoreError> for NoteWriteError {
    fn from(err: StoreError) -> Self {
        NoteWriteError::Store(err)
    }
}

/// The counter names of the lead counters item.
pub fn status_counter(status: &str) -> String {
    format!("status.{status}")
}
pub fn source_counter(source: LeadSource) -> String {
    format!("source.{}", source.as_str())
}
pub fn owner_counter(owner: Option<UserId>) -> String {
    format!("owner.{}", owner.map_or_else(|| "none".to_owned(), |owner| owner.to_string()))
}
pub const TOTAL_COUNTER: &str = "total";

/// What a lead adds to the counters: a live lead counts once in total, its status, source and owner.
fn contributions(lead: &Lead) -> Vec<(String, i64)> {
    if !lead.is_live() {
        return Vec::new();
    }
    vec![
        (TOTAL_COUNTER.to_owned(), 1),
        (status_counter(&lead.status), 1),
        (source_counter(lead.source), 1),
        (owner_counter(lead.owner_id), 1),
    ]
}

/// Counter deltas between two states of a lead (either may be absent).
pub fn counter_deltas(before: Option<&Lead>, after: Option<&Lead>) -> BTreeMap<String, i64> {
    let mut deltas = BTreeMap::new();
    for (name, value) in after.map(contributions).unwrap_or_default() {
        *deltas.entry(name).or_insert(0) += value;
    }
    for (name, value) in before.map(contributions).unwrap_or_default() {
        *deltas.entry(name).or_insert(0) -= value;
    }
    deltas.retain(|_, delta| *delta != 0);
    deltas
}

/// How a lead listing is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadSort {
    #[default]
    Newest,
    /// Highest score first; unscored leads last.
    Score,
}

/// What a lead listing asks for. docs/data-model.md says which index answers which combination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadQuery {
    pub status: Option<String>,
    /// Some(None): leads nobody owns.
    pub owner: Option<Option<UserId>>,
    pub source: Option<LeadSource>,
    pub tag: Option<String>,
    /// Created in this range (inclusive); with the newest-first sort only.
    pub created_from: Option<Timestamp>,
    pub created_to: Option<Timestamp>,
    pub sort: LeadSort,
}

impl LeadQuery {
    /// The one Query that answers it: the narrowest index for the filters given (status, then owner,
    /// then all leads; the score index for the score sort), the created range as a key condition, and
    /// the remaining filters as a filter on that index partition.
    fn spec(&self, ws: WorkspaceId) -> QuerySpec {
        let (index, sk_name, pk, filters_status, filters_owner) = match (self.sort, &self.status, self.owner) {
            (LeadSort::Score, _, _) => (keys::GSI5, "GSI5SK", keys::leads_gsi3pk(ws), true, true),
            (LeadSort::Newest, Some(status), _) => {
                (keys::GSI4, "GSI4SK", keys::lead_status_gsi4pk(ws, status), false, true)
            }
            (LeadSort::Newest, None, Some(owner)) => {
                (keys::GSI6, "GSI6SK", keys::lead_owner_gsi6pk(ws, owner), false, false)
            }
            (LeadSort::Newest, None, None) => (keys::GSI3, "GSI3SK", keys::leads_gsi3pk(ws), false, false),
        };
        let pk_name = format!("{}PK", &sk_name[..4]);
        let mut query = QuerySpec::new(format!("{pk_name} = :pk")).on_index(index).newest_first(true);
        if self.sort == LeadSort::Newest && (self.created_from.is_some() || self.created_to.is_some()) {
            let (from, to) = keys::lead_created_range(self.created_from, self.created_to);
            query = QuerySpec::new(format!("{pk_name} = :pk AND {sk_name} BETWEEN :from AND :to"))
                .on_index(index)
                .newest_first(true)
                .value(":from", s(from))
                .value(":to", s(to));
        }
        query = query.value(":pk", s(pk));
        let mut conditions = Vec::new();
        if let (true, Some(status)) = (filters_status, &self.status) {
            conditions.push("#status = :status");
            query = query.name("#status", "status").value(":status", s(status));
        }
        if let (true, Some(owner)) = (filters_owner, self.owner) {
            query = query.name("#owner", "owner_id");
            match owner {
                Some(owner) => {
                    conditions.push("#owner = :owner");
                    query = query.value(":owner", s(owner.to_string()));
                }
                None => {
                    conditions.push("(attribute_not_exists(#owner) OR attribute_type(#owner, :null))");
                    query = query.value(":null", s("NULL"));
                }
            }
        }
        if let Some(source) = self.source {
            conditions.push("#source = :source");
            query = query.name("#source", "source").value(":source", s(source.as_str()));
        }
        if let Some(tag) = &self.tag {
            conditions.push("contains(#tags, :tag)");
            query = query.name("#tags", "tags").value(":tag", s(tag));
        }
        if !conditions.is_empty() {
            query = query.filter(conditions.join(" AND "));
        }
        query
    }
}

/// A conversion's customer: a new one, or an existing one (matched by e-mail) as read and as it will be.
pub enum ConversionCustomer<'a> {
    New(&'a Customer),
    Existing { before: &'a Customer, after: &'a Customer },
}

const LEADS_LISTING: &str = "leads";
const NOTES_LISTING: &str = "notes";

impl Store {
    /// The lead item as stored, with the listing keys of a live lead.
    pub fn lead_item(&self, scope: &TenantScope, lead: &Lead) -> Result<Item, StoreError> {
        let mut item: Item = serde_dynamo::to_item(lead)?;
        let ws = scope.workspace_id();
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::lead_sk(lead.id)));
        if lead.is_live() {
            let created = keys::lead_created_sk(lead.created_at, lead.id);
            item.insert(keys::GSI3PK.to_owned(), s(keys::leads_gsi3pk(ws)));
            item.insert(keys::GSI3SK.to_owned(), s(created.clone()));
            item.insert(keys::GSI4PK.to_owned(), s(keys::lead_status_gsi4pk(ws, &lead.status)));
            item.insert(keys::GSI4SK.to_owned(), s(created.clone()));
            item.insert(keys::GSI6PK.to_owned(), s(keys::lead_owner_gsi6pk(ws, lead.owner_id)));
            item.insert(keys::GSI6SK.to_owned(), s(created));
            let by_score = keys::lead_score_gsi5sk(lead.score.map(Score::value), lead.created_at, lead.id);
            item.insert(keys::GSI5PK.to_owned(), s(keys::leads_gsi3pk(ws)));
            item.insert(keys::GSI5SK.to_owned(), s(by_score));
        }
        Ok(item)
    }

    /// Writes `after` over `before` if its version is unchanged (or writes it new when `before` is None).
    fn lead_put(
        &self,
        scope: &TenantScope,
        before: Option<&Lead>,
        after: &Lead,
    ) -> Result<TransactWriteItem, StoreError> {
        let item = self.lead_item(scope, after)?;
        match before {
            None => self.put_new(item),
            Some(before) => {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("version = :version")
                    .expression_attribute_values(":version", n(before.version))
                    .build()?;
                Ok(TransactWriteItem::builder().put(put).build())
            }
        }
    }

    /// Points the e-mail's guard at `lead`: fails if another lead holds the e-mail (`may_take` names a
    /// lead whose guard may be taken over, for merges).
    fn lead_guard_put(
        &self,
        scope: &TenantScope,
        email: &Email,
        lead: LeadId,
        may_take: Option<LeadId>,
    ) -> Result<TransactWriteItem, StoreError> {
        let guard: Item = [
            (keys::PK.to_owned(), s(scope.pk())),
            (keys::SK.to_owned(), s(keys::lead_email_sk(email))),
            ("lead_id".to_owned(), s(lead.to_string())),
        ]
        .into_iter()
        .collect();
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(guard))
            .condition_expression("attribute_not_exists(PK) OR lead_id = :lead OR lead_id = :other")
            .expression_attribute_values(":lead", s(lead.to_string()));
        put = put.expression_attribute_values(":other", s(may_take.unwrap_or(lead).to_string()));
        Ok(TransactWriteItem::builder().put(put.build()?).build())
    }

    /// Removes the e-mail's guard if it still names `lead`.
    fn lead_guard_delete(
        &self,
        scope: &TenantScope,
        email: &Email,
        lead: LeadId,
    ) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::lead_email_sk(email)))
            .condition_expression("attribute_not_exists(PK) OR lead_id = :lead")
            .expression_attribute_values(":lead", s(lead.to_string()))
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// `ADD` the deltas to the lead counters (created on first use).
    fn lead_counters_update(
        &self,
        scope: &TenantScope,
        deltas: &BTreeMap<String, i64>,
    ) -> Result<Option<TransactWriteItem>, StoreError> {
        if deltas.is_empty() {
            return Ok(None);
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::LEAD_COUNTS_SK));
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

    /// The guard changes when a lead's e-mail goes from `before` to `after`.
    fn lead_guard_changes(
        &self,
        scope: &TenantScope,
        before: Option<&Lead>,
        after: Option<&Lead>,
    ) -> Result<(Vec<TransactWriteItem>, Vec<TransactWriteItem>), StoreError> {
        let email_of = |lead: Option<&Lead>| lead.filter(|lead| lead.is_live()).and_then(|lead| lead.email.clone());
        let (old, new) = (email_of(before), email_of(after));
        let mut puts = Vec::new();
        let mut deletes = Vec::new();
        if old != new {
            if let (Some(email), Some(lead)) = (&new, after) {
                puts.push(self.lead_guard_put(scope, email, lead.id, None)?);
            }
            if let (Some(email), Some(lead)) = (&old, before) {
                deletes.push(self.lead_guard_delete(scope, email, lead.id)?);
            }
        }
        Ok((puts, deletes))
    }

    /// Writes a lead change: the lead (new when `before` is None, otherwise conditional on its
    /// version; removed when `after` is None), its e-mail guard, the counter deltas and the events.
    /// One more new lead in the month's count, conditional on the plan's limit, for the new lead's own
    /// transaction: concurrent creations at the limit cannot overshoot it. On failure the old item
    /// (`ALL_OLD`) gives the count.
    pub(crate) fn count_new_lead(
        &self,
        scope: &TenantScope,
        quota: MonthlyLeads<'_>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut usage = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::usage_sk(quota.month)))
            .update_expression(format!("ADD {LEADS_COUNTER} :one"))
            .expression_attribute_values(":one", n(1))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            );
        if let Some(limit) = quota.limit {
            usage = usage
                .condition_expression(format!("attribute_not_exists({LEADS_COUNTER}) OR {LEADS_COUNTER} < :limit"))
                .expression_attribute_values(":limit", n(limit));
        }
        Ok(TransactWriteItem::builder().update(usage.build()?).build())
    }

    /// Creates a lead, counted in the month's new leads against the plan's limit, in one transaction.
    pub async fn create_lead(
        &self,
        scope: &TenantScope,
        lead: &Lead,
        events: &[Event],
        quota: MonthlyLeads<'_>,
    ) -> Result<(), LeadWriteError> {
        // The count goes last: a lead whose e-mail is taken is named a duplicate first (and may then be
        // merged, which is not a new lead), even when the month is full.
        let transaction = self
            .lead_change(scope, None, Some(lead), events)?
            .unwrap_or_else(Transaction::new)
            .with_named(self.count_new_lead(scope, quota)?, LeadWriteError::MonthlyLimit { used: 0 });
        match self.transact(transaction).await {
            Ok(()) => Ok(()),
            Err(TransactionError::Failed { failure: LeadWriteError::MonthlyLimit { .. }, item }) => {
                Err(LeadWriteError::MonthlyLimit { used: super::counter_of(item.as_ref(), LEADS_COUNTER) })
            }
            Err(err) => Err(err.into_error()),
        }
    }

    pub async fn save_lead(
        &self,
        scope: &TenantScope,
        before: Option<&Lead>,
        after: Option<&Lead>,
        events: &[Event],
    ) -> Result<(), LeadWriteError> {
        match self.lead_change(scope, before, after, events)? {
            Some(transaction) => self.transact(transaction).await.map_err(TransactionError::into_error),
            None => Ok(()),
        }
    }

    /// The actions of a lead change (see [`Store::save_lead`]), for a transaction that also writes
    /// something else; None when there is nothing to write.
    pub(crate) fn lead_change(
        &self,
        scope: &TenantScope,
        before: Option<&Lead>,
        after: Option<&Lead>,
        events: &[Event],
    ) -> Result<Option<Transaction<LeadWriteError>>, LeadWriteError> {
        let mut transaction = Transaction::new();
        match (before, after) {
            (before, Some(after)) => {
                transaction =
                    transaction.with_named(self.lead_put(scope, before, after)?, LeadWriteError::VersionConflict);
            }
            (Some(before), None) => {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .key(keys::PK, s(scope.pk()))
                    .key(keys::SK, s(keys::lead_sk(before.id)))
                    .condition_expression("version = :version")
                    .expression_attribute_values(":version", n(before.version))
                    .build()
                    .map_err(StoreError::from)?;
                transaction = transaction
                    .with_named(TransactWriteItem::builder().delete(delete).build(), LeadWriteError::VersionConflict);
            }
            (None, None) => return Ok(None),
        }
        let (guard_puts, guard_deletes) = self.lead_guard_changes(scope, before, after)?;
        for guard in guard_puts {
            transaction = transaction.with_named(guard, LeadWriteError::Duplicate);
        }
        transaction = transaction.with_all(guard_deletes);
        transaction = transaction.with_all(self.lead_counters_update(scope, &counter_deltas(before, after))?);
        for event in events {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        Ok(Some(transaction))
    }

    pub async fn get_lead(&self, scope: &TenantScope, id: LeadId) -> Result<Option<Lead>, StoreError> {
        self.get_record(scope.pk(), keys::lead_sk(id)).await
    }

    /// The lead holding `email` in this workspace, if any (one GetItem on the guard).
    pub async fn lead_id_by_email(&self, scope: &TenantScope, email: &Email) -> Result<Option<LeadId>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::lead_email_sk(email)))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output.item.as_ref().and_then(|item| string_attr(item, "lead_id")).and_then(|id| id.parse().ok()))
    }

    /// One page of leads for `query`. Filters read only the chosen index's partition; a page keeps
    /// querying (bounded) until it is full or the partition ends.
    pub async fn query_leads(
        &self,
        scope: &TenantScope,
        query: &LeadQuery,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Lead>, StoreError> {
        const MAX_ROUND_TRIPS: usize = 8;
        let listing = format!("{LEADS_LISTING}:{query:?}");
        let owner = scope.workspace_id().to_string();
        let start = cursor.map(|cursor| self.cursors.decode(&listing, &owner, cursor)).transpose()?;
        let spec = query.spec(scope.workspace_id());
        let wanted = usize::try_from(limit).unwrap_or(0);
        let (items, start) = self.query_up_to(&spec, start, wanted, MAX_ROUND_TRIPS).await?;
        let next_cursor = start.map(|key| self.cursors.encode(&listing, &owner, &key));
        Ok(Page { items: super::items_of(&items)?, next_cursor })
    }

    /// The lead counters (one GetItem): `total`, `status.<key>`, `source.<source>`, `owner.<id|none>`.
    pub async fn lead_counts(&self, scope: &TenantScope) -> Result<BTreeMap<String, i64>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::LEAD_COUNTS_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(super::backend)?;
        Ok(output
            .item
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(name, value)| match value {
                AttributeValue::N(number) => number.parse().ok().map(|number| (name, number)),
                _ => None,
            })
            .collect())
    }

    /// The workspace's status set and its version (0 and the default set before any change).
    pub async fn lead_statuses(&self, scope: &TenantScope) -> Result<(LeadStatuses, u64), StoreError> {
        #[derive(Deserialize)]
        struct Stored {
            statuses: LeadStatuses,
            version: u64,
        }
        let stored: Option<Stored> = self.get_record(scope.pk(), keys::LEAD_STATUSES_SK).await?;
        Ok(stored.map_or_else(|| (LeadStatuses::default(), 0), |stored| (stored.statuses, stored.version)))
    }

    /// Replaces the status set if still at `version`, with its event.
    pub async fn put_lead_statuses(
        &self,
        scope: &TenantScope,
        statuses: &LeadStatuses,
        version: u64,
        event: &Event,
    ) -> Result<(), LeadWriteError> {
        #[derive(Serialize)]
        struct Stored<'a> {
            statuses: &'a LeadStatuses,
            version: u64,
        }
        let mut item: Item =
            serde_dynamo::to_item(Stored { statuses, version: version + 1 }).map_err(StoreError::from)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::LEAD_STATUSES_SK));
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK) OR version = :version")
            .expression_attribute_values(":version", n(version))
            .build()
            .map_err(StoreError::from)?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().put(put).build(), LeadWriteError::StatusesChanged)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Fails the transaction unless the lead exists and was not merged away.
    pub(crate) fn lead_live_check(&self, scope: &TenantScope, lead: LeadId) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::lead_sk(lead)))
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(merged_into) OR attribute_type(merged_into, :null))",
            )
            .expression_attribute_values(":null", s("NULL"))
            .build()?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Adds a note to a record, if the record is still there (and, for leads and customers, not merged
    /// away), with its event.
    pub async fn add_note(
        &self,
        scope: &TenantScope,
        record: RecordRef,
        note: &Note,
        event: &Event,
    ) -> Result<(), NoteWriteError> {
        let record_check = match record {
            RecordRef::Lead(lead) => self.lead_live_check(scope, lead)?,
            RecordRef::Customer(customer) => self.customer_exists_check(scope, customer)?,
            RecordRef::Deal(deal) => self.deal_exists_check(scope, deal)?,
            RecordRef::Company(company) => self.company_exists_check(scope, company)?,
        };
        let transaction = Transaction::new()
            .with_named(record_check, NoteWriteError::RecordGone)
            .with(self.note_put(scope, record, note)?)
            .with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// The put of a new note on `record` (the caller checks the record is there).
    pub(crate) fn note_put(
        &self,
        scope: &TenantScope,
        record: RecordRef,
        note: &Note,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item: Item = serde_dynamo::to_item(note)?;
        item.insert(keys::PK.to_owned(), s(scope.pk()));
        item.insert(keys::SK.to_owned(), s(keys::note_sk(record, note.id)));
        self.put_new(item)
    }

    /// The notes on a record, oldest first.
    pub async fn list_notes(
        &self,
        scope: &TenantScope,
        record: RecordRef,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Note>, StoreError> {
        let query = PageQuery {
            listing: NOTES_LISTING,
            owner: format!("{}/{record}", scope.workspace_id()),
            index: None,
            key_condition: "PK = :pk AND begins_with(SK, :prefix)",
            values: vec![(":pk", s(scope.pk())), (":prefix", s(keys::notes_prefix(record)))],
            newest_first: false,
        };
        self.query_records(query, limit, cursor).await
    }

    /// Every note on a record (for a merge, which moves them).
    pub async fn all_notes(&self, scope: &TenantScope, record: RecordRef) -> Result<Vec<Note>, StoreError> {
        self.query_prefix(scope, &keys::notes_prefix(record)).await
    }

    /// Merges `duplicate` into `survivor` in one transaction: both leads (each conditional on the
    /// version read), the duplicate's e-mail guard now naming the survivor, the duplicate's notes moved
    /// onto the survivor, the counter deltas and the events.
    pub async fn merge_leads(
        &self,
        scope: &TenantScope,
        survivor: (&Lead, &Lead),
        duplicate: (&Lead, &Lead),
        notes: &[Note],
        events: &[Event],
    ) -> Result<(), LeadWriteError> {
        let ((survivor_before, survivor_after), (duplicate_before, duplicate_after)) = (survivor, duplicate);
        let mut transaction = Transaction::new()
            .with_named(self.lead_put(scope, Some(survivor_before), survivor_after)?, LeadWriteError::VersionConflict)
            .with_named(
                self.lead_put(scope, Some(duplicate_before), duplicate_after)?,
                LeadWriteError::VersionConflict,
            );
        if let Some(email) = &duplicate_before.email
            && survivor_after.email.as_ref() != Some(email)
        {
            let guard = self.lead_guard_put(scope, email, survivor_after.id, Some(duplicate_before.id))?;
            transaction = transaction.with_named(guard, LeadWriteError::VersionConflict);
        }
        for note in notes {
            let moved = Note { record: RecordRef::Lead(survivor_after.id).to_string(), ..note.clone() };
            let mut item: Item = serde_dynamo::to_item(&moved).map_err(StoreError::from)?;
            item.insert(keys::PK.to_owned(), s(scope.pk()));
            item.insert(keys::SK.to_owned(), s(keys::note_sk(RecordRef::Lead(survivor_after.id), note.id)));
            let delete = Delete::builder()
                .table_name(&self.table)
                .key(keys::PK, s(scope.pk()))
                .key(keys::SK, s(keys::note_sk(RecordRef::Lead(duplicate_before.id), note.id)))
                .condition_expression("attribute_exists(PK)")
                .build()
                .map_err(StoreError::from)?;
            transaction = transaction
                .with(self.put_new(item)?)
                .with_named(TransactWriteItem::builder().delete(delete).build(), LeadWriteError::VersionConflict);
        }
        let mut deltas = counter_deltas(Some(survivor_before), Some(survivor_after));
        for (name, delta) in counter_deltas(Some(duplicate_before), Some(duplicate_after)) {
            *deltas.entry(name).or_insert(0) += delta;
        }
        deltas.retain(|_, delta| *delta != 0);
        transaction = transaction.with_all(self.lead_counters_update(scope, &deltas)?);
        for event in events {
            transaction = transaction.with(self.put_event(scope, event)?);
        }
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }

    /// Converts a lead in one transaction: the lead as converted (conditional on its version), the
    /// customer new (with its e-mail guard) or updated (conditional on its version), the counter
    /// deltas, the event, and `also`: what else must commit with the conversion or not at all
    /// (the extension point for opening a deal on conversion; each action carries its own condition).
    pub async fn convert_lead(
        &self,
        scope: &TenantScope,
        before: &Lead,
        after: &Lead,
        customer: ConversionCustomer<'_>,
        event: &Event,
        also: Vec<TransactWriteItem>,
    ) -> Result<(), LeadWriteError> {
        let mut transaction = Transaction::new()
            .with_named(self.lead_put(scope, Some(before), after)?, LeadWriteError::VersionConflict)
            .with_all(also);
        match customer {
            ConversionCustomer::New(customer) => {
                let [put_customer, put_guard] = self.put_new_customer_actions(scope, customer)?;
                transaction = transaction
                    .with_named(put_customer, LeadWriteError::CustomerEmailTaken)
                    .with_named(put_guard, LeadWriteError::CustomerEmailTaken);
            }
            ConversionCustomer::Existing { before, after } => {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(self.customer_item(scope, after)?))
                    .condition_expression(
                        "version = :version AND (attribute_not_exists(merged_into) OR attribute_type(merged_into, :null))",
                    )
                    .expression_attribute_values(":version", n(before.version))
                    .expression_attribute_values(":null", s("NULL"))
                    .build()
                    .map_err(StoreError::from)?;
                transaction = transaction
                    .with_named(TransactWriteItem::builder().put(put).build(), LeadWriteError::CustomerChanged);
            }
        }
        transaction =
            transaction.with_all(self.lead_counters_update(scope, &counter_deltas(Some(before), Some(after)))?);
        transaction = transaction.with(self.put_event(scope, event)?);
        self.transact(transaction).await.map_err(TransactionError::into_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(status: &str, owner: Option<UserId>) -> Lead {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        Lead {
            id: LeadId::generate(),
            workspace_id: WorkspaceId::generate(),
            name: "Ada".to_owned(),
            email: None,
            phone: None,
            company: None,
            title: None,
            source: LeadSource::WebForm,
            status: status.to_owned(),
            owner_id: owner,
            tags: Vec::new(),
            attributes: BTreeMap::new(),
            score: None,
            created_at: now,
            updated_at: now,
            version: 1,
            customer_id: None,
            converted_at: None,
            merged_into: None,
            merged_ids: Vec::new(),
        }
    }

    #[test]
    fn a_new_lead_counts_in_total_status_source_and_owner() {
        let deltas = counter_deltas(None, Some(&lead("new", None)));
        assert_eq!(deltas.get("total"), Some(&1));
        assert_eq!(deltas.get("status.new"), Some(&1));
        assert_eq!(deltas.get("source.web_form"), Some(&1));
        assert_eq!(deltas.get("owner.none"), Some(&1));
    }

    #[test]
    fn a_status_change_moves_one_count_and_leaves_the_total() {
        let before = lead("new", None);
        let after = Lead { status: "contacted".to_owned(), ..before.clone() };
        let deltas = counter_deltas(Some(&before), Some(&after));
        assert_eq!(deltas, BTreeMap::from([("status.contacted".to_owned(), 1), ("status.new".to_owned(), -1)]));
    }

    #[test]
    fn a_merged_or_deleted_lead_leaves_every_count() {
        let before = lead("qualified", Some(UserId::generate()));
        let merged = Lead { merged_into: Some(LeadId::generate()), ..before.clone() };
        let deltas = counter_deltas(Some(&before), Some(&merged));
        assert_eq!(deltas.values().copied().collect::<Vec<_>>(), [-1, -1, -1, -1]);
        assert_eq!(counter_deltas(Some(&before), None), deltas);
    }

    #[test]
    fn the_status_index_answers_a_status_filter_and_the_rest_filters_it() {
        let ws = WorkspaceId::generate();
        let query = LeadQuery {
            status: Some("new".to_owned()),
            source: Some(LeadSource::Referral),
            tag: Some("vip".to_owned()),
            ..LeadQuery::default()
        };
        let spec = format!("{:?}", query.spec(ws));
        assert!(spec.contains("GSI4"), "{spec}");
        assert!(spec.contains("#source = :source AND contains(#tags, :tag)"), "{spec}");
        assert!(!spec.contains("#status = :status"), "the key condition already picks the status: {spec}");
        let by_owner = LeadQuery { owner: Some(None), ..LeadQuery::default() };
        assert!(format!("{:?}", by_owner.spec(ws)).contains("GSI6"));
        let by_score = LeadQuery { sort: LeadSort::Score, status: Some("new".to_owned()), ..LeadQuery::default() };
        let spec = format!("{:?}", by_score.spec(ws));
        assert!(spec.contains("GSI5") && spec.contains("#status = :status"), "{spec}");
        let in_range = LeadQuery { created_from: Some(Timestamp::UNIX_EPOCH), ..LeadQuery::default() };
        assert!(format!("{:?}", in_range.spec(ws)).contains("GSI3SK BETWEEN :from AND :to"));
    }
}
