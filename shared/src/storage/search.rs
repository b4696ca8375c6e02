//! What search keeps in the table: the version item of each workspace's index (which object is
//! current), and the Queries a rebuild reads the workspace's records with. The index itself lives in
//! S3 and is built by the search crate; nothing here knows how it is made.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

use super::events::Event;
use super::transaction::{Transaction, TransactionError};
use crate::domain::ids::EventId;

use super::{
    QuerySpec, Store, StoreError, TenantScope, backend,
    companies::Company,
    customers::Customer,
    deals::Deal,
    keys,
    leads::Lead,
    n, s,
    tickets::{Message, Ticket},
};

/// The current index of a workspace: its version (one more per write of the object), how many
/// records and bytes it holds (the bytes count against the workspace's storage), when it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchVersion {
    pub version: u64,
    pub records: u64,
    pub bytes: u64,
    pub written_at: i64,
    /// The newest event whose records the index holds: later events' records are read from the
    /// table at query time (read-your-writes).
    pub through: Option<EventId>,
}

/// Events read past an index's watermark at query time, at most.
pub const PENDING_EVENTS_READ: usize = 50;

/// The record kinds a rebuild reads, each under its own sort-key prefix of the workspace partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Customers,
    Companies,
    Leads,
    Deals,
}

impl SourceKind {
    fn prefix(self) -> &'static str {
        match self {
            SourceKind::Customers => keys::CUSTOMER_PREFIX,
            SourceKind::Companies => keys::COMPANY_PREFIX,
            SourceKind::Leads => keys::LEAD_PREFIX,
            SourceKind::Deals => keys::DEAL_PREFIX,
        }
    }
}

/// A record read for the index.
pub enum SourceRecord {
    Customer(Box<Customer>),
    Company(Box<Company>),
    Lead(Box<Lead>),
    Deal(Box<Deal>),
}

/// The record's own item, not one of its collection (`CUSTOMER#<id>`, not `CUSTOMER#<id>#NOTE#…`).
fn is_record_sk(sk: &str, prefix: &str) -> bool {
    sk.strip_prefix(prefix).is_some_and(|rest| !rest.is_empty() && !rest.contains('#'))
}

fn sk_of(item: &super::Item) -> String {
    super::string_attr(item, keys::SK).unwrap_or_default()
}

impl Store {
    /// The workspace's index version; None before its first index was written.
    pub async fn search_version(&self, scope: &TenantScope) -> Result<Option<SearchVersion>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::SEARCH_VERSION_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(backend)?;
        let Some(item) = output.item else { return Ok(None) };
        let number = |name: &str| super::counter_of(Some(&item), name);
        Ok(Some(SearchVersion {
            version: number("version"),
            records: number("records"),
            bytes: number("bytes"),
            written_at: i64::try_from(number("written_at")).unwrap_or(i64::MAX),
            through: super::string_attr(&item, "through").and_then(|id| id.parse().ok()),
        }))
    }

    /// Records `next` as current if the current version is still `expected` (None: no index yet),
    /// and sets the workspace's `search_index_bytes` to the new object's size, in one transaction
    /// (what storage counts is always the published index). False when another write got there
    /// first (nothing written).
    pub async fn put_search_version(
        &self,
        scope: &TenantScope,
        expected: Option<u64>,
        next: SearchVersion,
    ) -> Result<bool, StoreError> {
        let mut set = "SET #version = :next, records = :records, bytes = :bytes, written_at = :at".to_owned();
        let mut version = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::SEARCH_VERSION_SK))
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":next", n(next.version))
            .expression_attribute_values(":records", n(next.records))
            .expression_attribute_values(":bytes", n(next.bytes))
            .expression_attribute_values(":at", n(next.written_at));
        if let Some(through) = next.through {
            set.push_str(", through = :through");
            version = version.expression_attribute_values(":through", s(through.to_string()));
        }
        version = match expected {
            None => version.condition_expression("attribute_not_exists(PK)"),
            Some(current) => version
                .condition_expression("#version = :expected")
                .expression_attribute_values(":expected", n(current)),
        };
        let usage = Update::builder()
            .table_name(&self.table)
            .key(keys::PK, s(scope.pk()))
            .key(keys::SK, s(keys::WORKSPACE_SK))
            .update_expression("SET search_index_bytes = :bytes")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":bytes", n(next.bytes))
            .build()?;
        let transaction = Transaction::new()
            .with_named(TransactWriteItem::builder().update(version.update_expression(set).build()?).build(), ())
            .with(TransactWriteItem::builder().update(usage).build());
        match self.transact(transaction).await {
            Ok(()) => Ok(true),
            Err(TransactionError::Failed { .. }) => Ok(false),
            Err(TransactionError::Store(err)) => Err(err),
        }
    }

    /// The workspace's events after `through` (all of them when None), newest first, at most
    /// `limit`: one Query of the activity log (GSI1). The newest event's id is the first's.
    pub async fn search_events_after(
        &self,
        scope: &TenantScope,
        through: Option<EventId>,
        limit: usize,
    ) -> Result<Vec<Event>, StoreError> {
        let mut query = QuerySpec::new(match through {
            Some(_) => "GSI1PK = :pk AND GSI1SK > :through",
            None => "GSI1PK = :pk",
        })
        .on_index(keys::GSI1)
        .value(":pk", s(keys::activity_gsi1pk(scope.workspace_id())))
        .newest_first(true);
        if let Some(through) = through {
            query = query.value(":through", s(keys::activity_gsi1sk(through)));
        }
        let (items, _) = self.query_up_to(&query, None, limit, 1).await?;
        super::items_of(&items)
    }

    /// Every ticket of the workspace with its messages, one ticket at a time: Queries of the ticket
    /// item collections (`begins_with(SK, "TICKET#")`), page after page. For rebuilding an index.
    pub async fn search_each_ticket(
        &self,
        scope: &TenantScope,
        mut visit: impl FnMut(Ticket, Vec<Message>),
    ) -> Result<(), StoreError> {
        let mut current: Option<(Ticket, Vec<Message>)> = None;
        let query = QuerySpec::under_prefix(scope, keys::TICKET_PREFIX);
        self.query_each(&query, |item| {
            let sk = sk_of(&item);
            if is_record_sk(&sk, keys::TICKET_PREFIX) {
                if let Some((ticket, messages)) = current.take() {
                    visit(ticket, messages);
                }
                current = Some((serde_dynamo::from_item(item)?, Vec::new()));
            } else if sk.contains("#MSG#")
                && let Some((_, messages)) = current.as_mut()
            {
                messages.push(serde_dynamo::from_item(item)?);
            }
            Ok(ControlFlow::Continue(()))
        })
        .await?;
        if let Some((ticket, messages)) = current {
            visit(ticket, messages);
        }
        Ok(())
    }

    /// Every record of `kind` in the workspace (their own items only), page after page.
    pub async fn search_each_record(
        &self,
        scope: &TenantScope,
        kind: SourceKind,
        mut visit: impl FnMut(SourceRecord),
    ) -> Result<(), StoreError> {
        let prefix = kind.prefix();
        let query = QuerySpec::under_prefix(scope, prefix);
        self.query_each(&query, |item| {
            if is_record_sk(&sk_of(&item), prefix) {
                visit(match kind {
                    SourceKind::Customers => SourceRecord::Customer(Box::new(serde_dynamo::from_item(item)?)),
                    SourceKind::Companies => SourceRecord::Company(Box::new(serde_dynamo::from_item(item)?)),
                    SourceKind::Leads => SourceRecord::Lead(Box::new(serde_dynamo::from_item(item)?)),
                    SourceKind::Deals => SourceRecord::Deal(Box::new(serde_dynamo::from_item(item)?)),
                });
            }
            Ok(ControlFlow::Continue(()))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_records_own_item_is_read_as_the_record() {
        assert!(is_record_sk("CUSTOMER#01J0", keys::CUSTOMER_PREFIX));
        assert!(!is_record_sk("CUSTOMER#01J0#NOTE#01J1", keys::CUSTOMER_PREFIX));
        assert!(!is_record_sk("CUSTOMER_EMAIL#a@b.c", keys::CUSTOMER_PREFIX));
        assert!(!is_record_sk("CUSTOMER#", keys::CUSTOMER_PREFIX));
    }
}
