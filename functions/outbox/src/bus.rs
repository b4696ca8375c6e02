//! The EventBridge client behind [`shared::services::event_bus::EventBus`]: built lazily, once per
//! process, from the process's AWS configuration (the local stack's points at moto).

use std::sync::OnceLock;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use futures::future::BoxFuture;
use shared::App;
use shared::adapters::LazyClient;
use shared::services::event_bus::{BusEntry, EventBus, PutOutcome, SOURCE};

pub struct EventBridgeBus {
    client: LazyClient<aws_sdk_eventbridge::Client>,
    bus_name: String,
}

impl EventBridgeBus {
    /// The process's bus, when `SWITCHBOARD_EVENT_BUS_NAME` names one.
    pub fn of(app: &App) -> Option<&'static EventBridgeBus> {
        static BUS: OnceLock<Option<EventBridgeBus>> = OnceLock::new();
        BUS.get_or_init(|| {
            let bus_name = app.config.event_bus_name.clone()?;
            let aws = app.aws.clone();
            let client = LazyClient::new(move || aws_sdk_eventbridge::Client::new(&aws));
            Some(EventBridgeBus { client, bus_name })
        })
        .as_ref()
    }
}

impl EventBus for EventBridgeBus {
    fn put<'a>(&'a self, entries: &'a [BusEntry]) -> BoxFuture<'a, PutOutcome> {
        Box::pin(async move {
            let request = entries.iter().fold(self.client.put_events(), |request, entry| {
                request.entries(
                    PutEventsRequestEntry::builder()
                        .event_bus_name(&self.bus_name)
                        .source(SOURCE)
                        .detail_type(&entry.detail_type)
                        .detail(&entry.detail)
                        .build(),
                )
            });
            let answer =
                request.send().await.map_err(|err| aws_sdk_eventbridge::error::DisplayErrorContext(err).to_string())?;
            if answer.failed_entry_count() > 0 {
                tracing::warn!(failed = answer.failed_entry_count(), "the event bus refused entries");
            }
            Ok(answer.entries().iter().map(|entry| entry.error_code().map(str::to_owned)).collect())
        })
    }
}
