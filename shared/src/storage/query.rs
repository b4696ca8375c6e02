//! Reading many items: what a Query asks ([`QuerySpec`]) and the few ways the store pages through it,
//! and BatchGetItem with its unprocessed keys asked again. Every Query and BatchGetItem of the store
//! goes through here, so paging and retries are written once.

use std::ops::ControlFlow;

use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};

use super::{Item, Page, Store, StoreError, TenantScope, backend, items_of, s};

/// What a Query asks DynamoDB: index, key condition, filter, placeholders, order. Where it starts and
/// how much it reads are up to the helper that runs it.
#[derive(Debug, Clone, Default)]
pub(crate) struct QuerySpec {
    index: Option<String>,
    key_condition: String,
    filter: Option<String>,
    projection: Option<String>,
    names: Vec<(String, String)>,
    values: Vec<(String, AttributeValue)>,
    consistent: bool,
    newest_first: bool,
}

impl QuerySpec {
    pub fn new(key_condition: impl Into<String>) -> Self {
        Self { key_condition: key_condition.into(), ..Self::default() }
    }

    /// Every item of the workspace partition whose sort key starts with `prefix`.
    pub fn under_prefix(scope: &TenantScope, prefix: impl Into<String>) -> Self {
        Self::new("PK = :pk AND begins_with(SK, :prefix)").value(":pk", s(scope.pk())).value(":prefix", s(prefix))
    }

    pub fn on_index(mut self, index: &str) -> Self {
        self.index = Some(index.to_owned());
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.push((placeholder.to_owned(), value));
        self
    }

    pub fn name(mut self, placeholder: &str, name: &str) -> Self {
        self.names.push((placeholder.to_owned(), name.to_owned()));
        self
    }

    /// Keeps only the items matching `expression` (DynamoDB still reads, and counts, the others).
    pub fn filter(mut self, expression: impl Into<String>) -> Self {
        self.filter = Some(expression.into());
        self
    }

    pub fn project(mut self, attributes: &str) -> Self {
        self.projection = Some(attributes.to_owned());
        self
    }

    /// A strongly consistent read (base table only).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }

    pub fn newest_first(mut self, newest_first: bool) -> Self {
        self.newest_first = newest_first;
        self
    }
}

/// How many times BatchGetItem is asked for keys it left unprocessed before giving up.
const BATCH_GET_ATTEMPTS: u32 = 5;
/// The most keys one BatchGetItem may ask for.
const BATCH_GET_MAX_KEYS: usize = 100;

impl Store {
    /// One request of `query`, from `start`, reading at most `limit` items (before any filter) if given.
    async fn query_once(
        &self,
        query: &QuerySpec,
        start: Option<Item>,
        limit: Option<i32>,
    ) -> Result<QueryOutput, StoreError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.clone())
            .key_condition_expression(&query.key_condition)
            .set_filter_expression(query.filter.clone())
            .set_projection_expression(query.projection.clone())
            .scan_index_forward(!query.newest_first)
            .set_exclusive_start_key(start)
            .set_limit(limit);
        if query.consistent {
            request = request.consistent_read(true);
        }
        for (placeholder, name) in &query.names {
            request = request.expression_attribute_names(placeholder, name);
        }
        for (placeholder, value) in &query.values {
            request = request.expression_attribute_values(placeholder, value.clone());
        }
        request.send().await.map_err(backend)
    }

    /// Hands every item `query` matches to `visit`, page after page, until the items end or `visit`
    /// breaks.
    pub(crate) async fn query_each(
        &self,
        query: &QuerySpec,
        mut visit: impl FnMut(Item) -> Result<ControlFlow<()>, StoreError>,
    ) -> Result<(), StoreError> {
        let mut start = None;
        loop {
            let output = self.query_once(query, start, None).await?;
            for item in output.items.unwrap_or_default() {
                if visit(item)?.is_break() {
                    return Ok(());
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(());
            }
        }
    }

    /// How many items `query` matches, all pages, asking only for counts (`select` is `Count`).
    /// DynamoDB still reads (and bills) every item the key condition reaches, filtered or not.
    pub(crate) async fn query_count(
        &self,
        query: &QuerySpec,
        select: aws_sdk_dynamodb::types::Select,
    ) -> Result<u64, StoreError> {
        let mut start = None;
        let mut count = 0u64;
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.clone())
                .key_condition_expression(&query.key_condition)
                .set_filter_expression(query.filter.clone())
                .select(select.clone())
                .set_exclusive_start_key(start);
            for (placeholder, name) in &query.names {
                request = request.expression_attribute_names(placeholder, name);
            }
            for (placeholder, value) in &query.values {
                request = request.expression_attribute_values(placeholder, value.clone());
            }
            let output = request.send().await.map_err(backend)?;
            count += u64::try_from(output.count).unwrap_or(0);
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(count);
            }
        }
    }

    /// Every item `query` matches, all pages.
    pub(crate) async fn query_all(&self, query: &QuerySpec) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        self.query_each(query, |item| {
            items.push(item);
            Ok(ControlFlow::Continue(()))
        })
        .await?;
        Ok(items)
    }

    /// Every item under `prefix` in the workspace partition, all pages, as records.
    pub(crate) async fn query_prefix<T: serde::de::DeserializeOwned>(
        &self,
        scope: &TenantScope,
        prefix: &str,
    ) -> Result<Vec<T>, StoreError> {
        items_of(&self.query_all(&QuerySpec::under_prefix(scope, prefix)).await?)
    }

    /// Up to `limit` matching items from `start`: each request asks for what is still missing, and
    /// requests follow until that many matched, the items end, or `max_requests` were made (a filter
    /// may drop most of what a request read). Returns the items and the key to go on from (None at
    /// the end).
    pub(crate) async fn query_up_to(
        &self,
        query: &QuerySpec,
        mut start: Option<Item>,
        limit: usize,
        max_requests: usize,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let mut items = Vec::new();
        for _ in 0..max_requests {
            let missing = i32::try_from(limit - items.len()).unwrap_or(i32::MAX).max(1);
            let output = self.query_once(query, start.take(), Some(missing)).await?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() || items.len() >= limit {
                break;
            }
        }
        Ok((items, start))
    }

    /// One page of a listing, with an opaque cursor bound to the listing and its owner.
    pub(crate) async fn query_page(
        &self,
        query: PageQuery<'_>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let start = cursor.map(|cursor| self.cursors.decode(query.listing, &query.owner, cursor)).transpose()?;
        let mut spec = QuerySpec::new(query.key_condition).newest_first(query.newest_first);
        if let Some(index) = query.index {
            spec = spec.on_index(index);
        }
        for (placeholder, value) in query.values {
            spec = spec.value(placeholder, value);
        }
        let (items, last) = self.query_up_to(&spec, start, usize::try_from(limit).unwrap_or(0), 1).await?;
        let next_cursor = last.map(|key| self.cursors.encode(query.listing, &query.owner, &key));
        Ok((items, next_cursor))
    }

    /// [`Store::query_page`] with the items read as records.
    pub(crate) async fn query_records<T: serde::de::DeserializeOwned>(
        &self,
        query: PageQuery<'_>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<T>, StoreError> {
        let (items, next_cursor) = self.query_page(query, limit, cursor).await?;
        Ok(Page { items: items_of(&items)?, next_cursor })
    }

    /// The items at `keys` (strongly consistent reads), in no particular order; a key without an item
    /// is left out. Keys BatchGetItem leaves unprocessed (under load) are asked again, after a short
    /// pause, a few times; if some still are, that is an error rather than a silently short answer.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(BATCH_GET_MAX_KEYS) {
            let mut wanted =
                KeysAndAttributes::builder().set_keys(Some(chunk.to_vec())).consistent_read(true).build()?;
            let mut attempt = 0;
            loop {
                attempt += 1;
                let output =
                    self.client.batch_get_item().request_items(&self.table, wanted).send().await.map_err(backend)?;
                found.extend(output.responses.unwrap_or_default().remove(&self.table).unwrap_or_default());
                match output.unprocessed_keys.and_then(|mut left| left.remove(&self.table)) {
                    Some(left) if !left.keys().is_empty() => wanted = left,
                    _ => break,
                }
                if attempt >= BATCH_GET_ATTEMPTS {
                    return Err(StoreError::Backend("BatchGetItem left keys unprocessed after retries".to_owned()));
                }
                tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt))).await;
            }
        }
        Ok(found)
    }
}

/// A paginated listing: which listing (and whose) its cursors belong to, and what it asks DynamoDB.
pub(crate) struct PageQuery<'a> {
    pub listing: &'a str,
    pub owner: String,
    pub index: Option<&'a str>,
    pub key_condition: &'a str,
    pub values: Vec<(&'a str, AttributeValue)>,
    pub newest_first: bool,
}
