//! Counts DynamoDB calls by operation, so benchmarks and tests can see what an endpoint costs
//! (a ticket page should be one Query, a change one transaction), and the read units the reads would
//! be billed (DynamoDB's item-size rules, since a stand-in's own figures are made up). One lock per
//! call: noise next to a network round trip.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::{
    config::{
        ConfigBag, Intercept,
        interceptors::{AfterDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef},
    },
    operation::{batch_get_item::BatchGetItemOutput, get_item::GetItemOutput, query::QueryOutput},
    types::AttributeValue,
};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{orchestrator::Metadata, runtime_components::RuntimeComponents},
};

/// What reads cost, as DynamoDB bills them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCost {
    pub items: u64,
    pub bytes: u64,
    /// 4 KB units, each request's bytes rounded up (a strongly consistent read; eventually consistent
    /// ones, like every index read, bill half).
    pub units: u64,
}

/// The response header in which the local stack's gateway reports what one request cost, e.g.
/// `GetItem=1, Query=1` (see [`CallCount::counting`]).
pub const CALLS_HEADER: &str = "x-dynamodb-calls";

tokio::task_local! {
    /// The calls of the piece of work being counted on its own (one request), if any.
    static COUNTED: Arc<Mutex<BTreeMap<String, u64>>>;
}

#[derive(Debug, Clone, Default)]
pub struct CallCount {
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
    reads: Arc<Mutex<ReadCost>>,
}

/// An attribute value's size by DynamoDB's rules (approximate for numbers).
fn value_size(value: &AttributeValue) -> u64 {
    match value {
        AttributeValue::S(text) => text.len() as u64,
        AttributeValue::N(number) => (number.trim_start_matches('-').len() as u64).div_ceil(2) + 1,
        AttributeValue::B(bytes) => bytes.as_ref().len() as u64,
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::M(map) => 3 + map.iter().map(|(name, v)| name.len() as u64 + value_size(v) + 1).sum::<u64>(),
        AttributeValue::L(list) => 3 + list.iter().map(|v| value_size(v) + 1).sum::<u64>(),
        AttributeValue::Ss(set) => set.iter().map(|v| v.len() as u64).sum(),
        AttributeValue::Ns(set) => set.iter().map(|v| (v.len() as u64).div_ceil(2) + 1).sum(),
        AttributeValue::Bs(set) => set.iter().map(|v| v.as_ref().len() as u64).sum(),
        _ => 0,
    }
}

/// An item's size: every attribute's name plus its value.
pub fn item_size(item: &std::collections::HashMap<String, AttributeValue>) -> u64 {
    item.iter().map(|(name, value)| name.len() as u64 + value_size(value)).sum()
}

impl CallCount {
    /// Calls so far, by operation name (e.g. "Query", "TransactWriteItems").
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("call count lock").clone()
    }

    /// Reads so far.
    pub fn reads(&self) -> ReadCost {
        *self.reads.lock().expect("read cost lock")
    }

    /// Runs `work` and counts the calls it made, by operation, apart from anything else running at
    /// the same time (other requests, other tests): the count follows the task, not the store.
    pub async fn counting<F: std::future::Future>(work: F) -> (F::Output, BTreeMap<String, u64>) {
        let counted = Arc::new(Mutex::new(BTreeMap::new()));
        let output = COUNTED.scope(counted.clone(), work).await;
        let calls = counted.lock().expect("call count lock").clone();
        (output, calls)
    }

    /// Calls as [`CALLS_HEADER`] spells them: `GetItem=1, Query=1` (empty: none).
    pub fn describe(calls: &BTreeMap<String, u64>) -> String {
        calls.iter().map(|(operation, count)| format!("{operation}={count}")).collect::<Vec<_>>().join(", ")
    }

    /// What happened between two snapshots.
    pub fn since(&self, earlier: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
        self.snapshot()
            .into_iter()
            .filter_map(|(operation, count)| {
                let delta = count - earlier.get(&operation).copied().unwrap_or(0);
                (delta > 0).then_some((operation, delta))
            })
            .collect()
    }
}

impl Intercept for CallCount {
    fn name(&self) -> &'static str {
        "CallCount"
    }

    /// Counts requests as they are sent (a retried call counts as two, as DynamoDB bills it).
    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The JSON protocol names the operation in a header ("DynamoDB_20120810.Query"); REST protocols
        // (S3) do not, so there the SDK's operation metadata names it ("PutObject").
        let operation = match context.request().headers().get("x-amz-target") {
            Some(target) => target.rsplit('.').next().unwrap_or(target).to_owned(),
            None => cfg.load::<Metadata>().map_or("unknown", Metadata::name).to_owned(),
        };
        let _outside_counted_work = COUNTED.try_with(|counted| {
            *counted.lock().expect("call count lock").entry(operation.clone()).or_insert(0) += 1;
        });
        *self.calls.lock().expect("call count lock").entry(operation).or_insert(0) += 1;
        Ok(())
    }

    /// Adds up what reads returned (GetItem, BatchGetItem and Query; nothing else here reads in bulk).
    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(output) = context.output_or_error() else { return Ok(()) };
        // A Query is billed on the sum of its items; GetItem and BatchGetItem per item, each rounded up.
        let (sizes, per_item): (Vec<u64>, bool) = if let Some(query) = output.downcast_ref::<QueryOutput>() {
            (query.items().iter().map(item_size).collect(), false)
        } else if let Some(get) = output.downcast_ref::<GetItemOutput>() {
            (get.item().map(item_size).into_iter().collect(), true)
        } else if let Some(batch) = output.downcast_ref::<BatchGetItemOutput>() {
            let tables = batch.responses().into_iter().flat_map(|tables| tables.values());
            (tables.flat_map(|items| items.iter().map(item_size)).collect(), true)
        } else {
            return Ok(());
        };
        let bytes: u64 = sizes.iter().sum();
        let units = if per_item { sizes.iter().map(|size| size.div_ceil(4096)).sum() } else { bytes.div_ceil(4096) };
        let mut reads = self.reads.lock().expect("read cost lock");
        reads.items += sizes.len() as u64;
        reads.bytes += bytes;
        // Every read request costs at least one unit, even when it finds nothing.
        reads.units += units.max(1);
        Ok(())
    }
}
