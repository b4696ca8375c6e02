//! Counts DynamoDB calls by operation, so benchmarks and tests can see what an endpoint costs
//! (a ticket page should be one Query, a change one transaction), and the read units the reads would
//! be billed (DynamoDB's item-size rules, since a stand-in's own figures are made up). One lock per
//! call: noise next to a network round trip.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_sdk_dynamodb::{
    config::{
        ConfigBag, Intercept,
        interceptors::{
            AfterDeserializationInterceptorContextRef, BeforeDeserializationInterceptorContextRef,
            BeforeTransmitInterceptorContextRef, FinalizerInterceptorContextRef,
        },
    },
    operation::{batch_get_item::BatchGetItemOutput, get_item::GetItemOutput, query::QueryOutput},
    types::AttributeValue,
};
use aws_smithy_runtime_api::{
    box_error::BoxError,
    client::{orchestrator::Metadata, runtime_components::RuntimeComponents},
};
use aws_smithy_types::config_bag::{Storable, StoreReplace};

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

/// The response headers in which the local stack's gateway reports, in microseconds, how long the
/// function took and how much of it DynamoDB calls were in flight (see [`CallCount::counting_timed`]).
pub const FUNCTION_MICROS_HEADER: &str = "x-function-micros";
pub const CALL_MICROS_HEADER: &str = "x-dynamodb-call-micros";

tokio::task_local! {
    /// The calls of the piece of work being counted on its own (one request), if any.
    static COUNTED: Arc<Mutex<Counted>>;
}

/// What one piece of work has called so far.
#[derive(Debug, Default)]
struct Counted {
    calls: BTreeMap<String, u64>,
    /// Requests sent and not yet answered; while any is, the work waits on DynamoDB.
    in_flight: u32,
    waiting_since: Option<Instant>,
    waited: Duration,
}

impl Counted {
    fn sent(&mut self, now: Instant) {
        if self.in_flight == 0 {
            self.waiting_since = Some(now);
        }
        self.in_flight += 1;
    }

    fn answered(&mut self, now: Instant) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if self.in_flight == 0
            && let Some(since) = self.waiting_since.take()
        {
            self.waited += now - since;
        }
    }
}

/// A piece of work counted on its own: its DynamoDB calls, its time, and how much of that time at least
/// one call was in flight (concurrent calls count once), so `elapsed - call_time` is the work's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountedWork {
    pub calls: BTreeMap<String, u64>,
    pub elapsed: Duration,
    pub call_time: Duration,
}

impl CountedWork {
    /// The time spent beyond the calls (serialising, signing, deciding, rendering).
    pub fn own_time(&self) -> Duration {
        self.elapsed.saturating_sub(self.call_time)
    }
}

/// Marks a request of this attempt as sent (the interceptor's state between its hooks).
#[derive(Debug, Clone)]
struct Sent;

impl Storable for Sent {
    type Storer = StoreReplace<Self>;
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
        let (output, counted) = Self::counting_timed(work).await;
        (output, counted.calls)
    }

    /// [`Self::counting`], also timing the work and the calls it waited on.
    pub async fn counting_timed<F: std::future::Future>(work: F) -> (F::Output, CountedWork) {
        let counted = Arc::new(Mutex::new(Counted::default()));
        let started = Instant::now();
        let output = COUNTED.scope(counted.clone(), work).await;
        let elapsed = started.elapsed();
        let counted = counted.lock().expect("call count lock");
        (output, CountedWork { calls: counted.calls.clone(), elapsed, call_time: counted.waited })
    }

    /// The request of this attempt (sent, see `read_before_transmit`) has its answer, or has failed.
    fn answered(cfg: &mut ConfigBag) {
        if cfg.load::<Sent>().is_none() {
            return;
        }
        cfg.interceptor_state().unset::<Sent>();
        let now = Instant::now();
        let _outside_counted_work = COUNTED.try_with(|counted| counted.lock().expect("call count lock").answered(now));
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
        let now = Instant::now();
        let _outside_counted_work = COUNTED.try_with(|counted| {
            let mut counted = counted.lock().expect("call count lock");
            *counted.calls.entry(operation.clone()).or_insert(0) += 1;
            counted.sent(now);
        });
        cfg.interceptor_state().store_put(Sent);
        *self.calls.lock().expect("call count lock").entry(operation).or_insert(0) += 1;
        Ok(())
    }

    /// The answer has arrived (its parsing is the function's own time).
    fn read_before_deserialization(
        &self,
        _context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        Self::answered(cfg);
        Ok(())
    }

    /// An attempt that got no answer (a connection failure, a timeout) ends here.
    fn read_after_attempt(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        Self::answered(cfg);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_calls_count_their_overlap_once() {
        let start = Instant::now();
        let at = |millis| start + Duration::from_millis(millis);
        let mut counted = Counted::default();
        // Two calls at once from 0 to 10 and 5 to 20, then one alone from 30 to 35.
        counted.sent(at(0));
        counted.sent(at(5));
        counted.answered(at(10));
        counted.answered(at(20));
        counted.sent(at(30));
        counted.answered(at(35));
        assert_eq!(counted.waited, Duration::from_millis(25));
        // An answer without its request (never sent) changes nothing.
        counted.answered(at(40));
        assert_eq!(counted.waited, Duration::from_millis(25));
    }

    #[test]
    fn own_time_is_what_the_calls_leave() {
        let work = CountedWork {
            calls: BTreeMap::new(),
            elapsed: Duration::from_millis(12),
            call_time: Duration::from_millis(10),
        };
        assert_eq!(work.own_time(), Duration::from_millis(2));
    }
}
