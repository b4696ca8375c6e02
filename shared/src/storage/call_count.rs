//! Counts DynamoDB calls by operation, so benchmarks and tests can see what an endpoint costs
//! (a ticket page should be one Query, a change one transaction). One lock per call: noise next to
//! a network round trip.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

use aws_sdk_dynamodb::config::{ConfigBag, Intercept, interceptors::BeforeTransmitInterceptorContextRef};
use aws_smithy_runtime_api::{box_error::BoxError, client::runtime_components::RuntimeComponents};

#[derive(Debug, Clone, Default)]
pub struct CallCount {
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CallCount {
    /// Calls so far, by operation name (e.g. "Query", "TransactWriteItems").
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.calls.lock().expect("call count lock").clone()
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
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The JSON protocol names the operation in a header: "DynamoDB_20120810.Query".
        let target = context.request().headers().get("x-amz-target").unwrap_or("unknown");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        *self.calls.lock().expect("call count lock").entry(operation).or_insert(0) += 1;
        Ok(())
    }
}
