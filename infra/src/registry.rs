//! Which handler code runs for each function binary in template.yaml: the same library functions the
//! Lambda binaries' main.rs call.

use aws_lambda_events::apigw::{ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse};
use futures::future::BoxFuture;
use shared::App;
use shared::http::Route;

pub type AuthorizerHandler =
    fn(
        &'static App,
        ApiGatewayCustomAuthorizerRequestTypeRequest,
    ) -> BoxFuture<'static, Result<ApiGatewayCustomAuthorizerResponse, fn_authorizer::AuthorizerError>>;

pub type StreamHandler = fn(
    &'static App,
    aws_lambda_events::dynamodb::Event,
) -> BoxFuture<'static, aws_lambda_events::streams::DynamoDbEventResponse>;

pub type QueueHandler =
    fn(&'static App, aws_lambda_events::sqs::SqsEvent) -> BoxFuture<'static, aws_lambda_events::sqs::SqsBatchResponse>;
pub type WebSocketHandler = fn(
    &'static App,
    aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest,
) -> BoxFuture<'static, aws_lambda_events::apigw::ApiGatewayProxyResponse>;

/// A function invoked by S3 object notifications: the notification in, its result (or error text) out.
pub type BucketHandler = fn(&'static App, serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, String>>;

/// An EventBridge-scheduled function: the scheduled event in, its result (or error text) out.
pub type ScheduleHandler = fn(&'static App, serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, String>>;

#[derive(Clone, Copy)]
pub enum Handler {
    /// An SQS consumer (batches of messages, partial failures reported back).
    Queue(QueueHandler),
    /// A WebSocket API integration, with the route keys it says it serves.
    WebSocket { handle: WebSocketHandler, route_keys: &'static [&'static str] },
    /// Invoked by an EventBridge schedule.
    Schedule(ScheduleHandler),
    /// Invoked by S3 object notifications.
    Bucket(BucketHandler),
    /// A DynamoDB stream consumer (batches of records, partial failures reported back).
    Stream(StreamHandler),
    /// An API Gateway REST proxy function: its route table, which both serves and says what it serves.
    Http(&'static [Route]),
    /// The REQUEST authorizer.
    Authorizer(AuthorizerHandler),
}

/// Every function binary, by the name template.yaml gives it in Metadata.BuildProperties.Binary.
pub fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("authorizer", Handler::Authorizer(|app, request| Box::pin(fn_authorizer::authorize(app, request)))),
        ("outbox", Handler::Stream(|app, event| Box::pin(fn_outbox::handle(app, event)))),
        ("webhook-delivery", Handler::Queue(|app, event| Box::pin(fn_webhook_delivery::handle(app, event)))),
        ("webhook-dlq", Handler::Queue(|app, event| Box::pin(fn_webhook_dlq::handle(app, event)))),
        ("email-sender", Handler::Queue(|app, event| Box::pin(fn_email_sender::handle(app, event)))),
        ("email-dlq", Handler::Queue(|app, event| Box::pin(fn_email_sender::handle_dead_letters(app, event)))),
        ("billing-events", Handler::Queue(|app, event| Box::pin(fn_billing::events::handle(app, event)))),
        ("export-worker", Handler::Queue(|app, event| Box::pin(fn_export_worker::handle(app, event)))),
        ("export-dlq", Handler::Queue(|app, event| Box::pin(fn_export_worker::handle_dead_letters(app, event)))),
        ("exports", Handler::Http(fn_exports::ROUTES)),
        ("email-events", Handler::Queue(|app, event| Box::pin(fn_email_events::handle(app, event)))),
        ("search-indexer", Handler::Queue(|app, event| Box::pin(fn_search_indexer::handle(app, event)))),
        ("search", Handler::Http(fn_search::ROUTES)),
        ("api-keys", Handler::Http(fn_api_keys::ROUTES)),
        ("webhooks", Handler::Http(fn_webhooks::ROUTES)),
        (
            "realtime",
            Handler::WebSocket {
                handle: |app, event| Box::pin(fn_realtime::handle(app, event)),
                route_keys: &fn_realtime::ROUTE_KEYS,
            },
        ),
        ("chat", Handler::Http(fn_chat::ROUTES)),
        (
            "sla-scan",
            Handler::Schedule(|app, event| {
                Box::pin(async move {
                    let report = fn_sla_scan::handle(app, event).await.map_err(|err| err.to_string())?;
                    serde_json::to_value(report).map_err(|err| err.to_string())
                })
            }),
        ),
        (
            "email-inbound",
            Handler::Bucket(|app, event| {
                Box::pin(async move {
                    let event =
                        serde_json::from_value(event).map_err(|err| format!("not an S3 notification: {err}"))?;
                    fn_email_inbound::handle(app, event).await
                })
            }),
        ),
        ("google-contacts", Handler::Http(fn_google_contacts::ROUTES)),
        (
            "google-contacts-sync",
            Handler::Schedule(|app, event| {
                Box::pin(async move {
                    let report = fn_google_contacts_sync::handle(app, event).await.map_err(|err| err.to_string())?;
                    serde_json::to_value(report).map_err(|err| err.to_string())
                })
            }),
        ),
        ("sla", Handler::Http(fn_sla::ROUTES)),
        ("reports", Handler::Http(fn_reports::ROUTES)),
        ("auth", Handler::Http(fn_auth::ROUTES)),
        ("me", Handler::Http(fn_me::ROUTES)),
        ("users", Handler::Http(fn_users::ROUTES)),
        ("platform", Handler::Http(fn_platform::ROUTES)),
        ("billing", Handler::Http(fn_billing::ROUTES)),
        ("tickets", Handler::Http(fn_tickets::ROUTES)),
        ("customers", Handler::Http(fn_customers::ROUTES)),
        ("deals", Handler::Http(fn_deals::ROUTES)),
        ("leads", Handler::Http(fn_leads::ROUTES)),
        ("lead-capture", Handler::Http(fn_lead_capture::ROUTES)),
        ("activity", Handler::Http(fn_activity::ROUTES)),
        ("attachments", Handler::Http(fn_attachments::ROUTES)),
        ("settings", Handler::Http(fn_settings::ROUTES)),
        ("health", Handler::Http(fn_health::ROUTES)),
        ("api-docs", Handler::Http(fn_api_docs::ROUTES)),
    ]
}

pub fn handler(binary: &str) -> Option<Handler> {
    handlers().into_iter().find(|(name, _)| *name == binary).map(|(_, handler)| handler)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::template::Template;

    fn template() -> Template {
        Template::load(&crate::repo_root().join("template.yaml")).unwrap()
    }

    #[test]
    fn every_function_in_the_template_has_a_handler() {
        for function in template().functions {
            assert!(
                handler(&function.binary).is_some(),
                "{} (binary {}) has no handler",
                function.logical_id,
                function.binary
            );
        }
    }

    #[test]
    fn every_handler_is_in_the_template_with_exactly_its_routes() {
        let template = template();
        for (binary, handler) in handlers() {
            let function = template
                .functions
                .iter()
                .find(|function| function.binary == binary)
                .unwrap_or_else(|| panic!("handler {binary} is not a function in template.yaml"));
            if let Handler::Stream(_) = handler {
                assert!(!function.streams.is_empty(), "{binary} consumes no stream in template.yaml");
            }
            if let Handler::Queue(_) = handler {
                assert!(!function.queues.is_empty(), "{binary} consumes no queue in template.yaml");
            }
            if let Handler::Bucket(_) = handler {
                assert!(!function.buckets.is_empty(), "{binary} has no S3 event in template.yaml");
            }
            if let Handler::Schedule(_) = handler {
                assert!(!function.schedules.is_empty(), "{binary} has no schedule in template.yaml");
            }
            if let Handler::Http(routes) = handler {
                let declared: BTreeSet<(String, String)> =
                    function.routes.iter().map(|route| (route.method.clone(), route.path.clone())).collect();
                let served: BTreeSet<(String, String)> =
                    routes.iter().map(|route| (route.method.to_string(), route.path.to_owned())).collect();
                assert!(!served.is_empty(), "{binary} serves no route");
                assert_eq!(declared, served, "template.yaml routes of {binary} differ from what it serves");
            }
        }
    }

    #[test]
    fn every_function_crate_is_registered() {
        let functions_dir = crate::repo_root().join("functions");
        let registered: BTreeSet<&str> = handlers().into_iter().map(|(name, _)| name).collect();
        for entry in std::fs::read_dir(functions_dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(registered.contains(name.as_str()), "functions/{name} has no handler in the local stack");
        }
    }

    #[test]
    fn webhook_retries_end_in_the_dead_letter_queue_after_the_last_attempt() {
        let template = template();
        let delivery = template.functions.iter().find(|f| f.binary == "webhook-delivery").expect("delivery function");
        let source = delivery.queues.first().expect("an SQS event source");
        assert!(source.report_batch_item_failures, "only failed deliveries may stay in the queue");
        let queue = template.queues.iter().find(|q| q.logical_id == source.queue_logical_id).expect("the queue");
        let (dlq, max) = queue.redrive.clone().expect("a redrive policy");
        assert_eq!(max, i32::try_from(shared::domain::webhooks::ATTEMPTS).unwrap(), "maxReceiveCount = attempts");
        let dlq_consumer = template.functions.iter().find(|f| f.binary == "webhook-dlq").expect("DLQ consumer");
        assert_eq!(dlq_consumer.queues.first().map(|q| q.queue_logical_id.clone()), Some(dlq.clone()));
        let retention = template.queues.iter().find(|q| q.logical_id == dlq).and_then(|q| q.retention_secs);
        assert_eq!(retention, Some(1_209_600), "dead letters are kept 14 days");
        assert_eq!(queue.retention_secs, Some(1_209_600), "retries span days: messages must outlive them");
    }

    #[test]
    fn a_usage_plan_per_seed_plan_throttles_at_the_plans_api_rate() {
        let template = template();
        let prefix = template
            .env_subs
            .iter()
            .find(|(name, _)| name == "SWITCHBOARD_USAGE_KEY_PREFIX")
            .map(|(_, value)| value.clone())
            .expect("the usage key prefix is set for every function");
        for tier in shared::domain::plan::seed_catalog(jiff::Timestamp::UNIX_EPOCH) {
            let key = format!("{prefix}{}-key", tier.id);
            let plan = template.usage_plans.iter().find(|plan| plan.key_value.as_deref() == Some(&key));
            let plan = plan.unwrap_or_else(|| panic!("no usage plan has the key {key}"));
            let per_minute = tier.limits.api_requests_per_minute.expect("every tier has an API rate");
            assert_eq!(plan.rate_per_second * 60.0, per_minute as f64, "{} rate differs from plan.rs", tier.id);
            assert!(plan.burst >= 1);
        }
        let app = format!("{prefix}{}-key", fn_authorizer::USAGE_PLAN_OF_PEOPLE);
        assert!(template.usage_plans.iter().any(|plan| plan.key_value.as_deref() == Some(&app)), "people's plan");
    }

    #[test]
    fn every_authorised_route_says_what_an_api_key_needs() {
        let listed: BTreeSet<(String, String)> = shared::domain::api_keys::ROUTE_ACCESS
            .iter()
            .map(|(method, route, _)| ((*method).to_owned(), (*route).to_owned()))
            .collect();
        for ((method, path), (_, route)) in template().routes() {
            if route.authorized {
                assert!(
                    listed.contains(&(method.clone(), path.clone())),
                    "{method} {path} is missing from shared/src/domain/api_keys.rs ROUTE_ACCESS: decide what a key needs"
                );
            }
        }
    }

    #[test]
    fn every_websocket_route_has_a_websocket_handler_serving_exactly_those_keys() {
        let template = template();
        let api = template.websocket.as_ref().expect("template.yaml declares the WebSocket API");
        let mut declared: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
        for route in &api.routes {
            let function = template.function(&route.function_logical_id).unwrap_or_else(|| {
                panic!("route {} targets {}, not a function", route.route_key, route.function_logical_id)
            });
            let Some(Handler::WebSocket { .. }) = handler(&function.binary) else {
                panic!("route {} has no WebSocket handler (binary {})", route.route_key, function.binary)
            };
            declared.entry(function.binary.as_str()).or_default().insert(route.route_key.as_str());
            if let Some(authorizer) = &route.authorizer {
                assert_eq!(route.route_key, "$connect", "only the handshake is authorised");
                let authorizer = template.function(&authorizer.function_logical_id).expect("authorizer function");
                assert!(matches!(handler(&authorizer.binary), Some(Handler::Authorizer(_))));
            }
            if !route.route_key.starts_with("$c") && route.route_key != "$disconnect" {
                assert!(route.two_way, "action route {} must answer through a route response", route.route_key);
            }
        }
        let connect = api.routes.iter().find(|route| route.route_key == "$connect").expect("a $connect route");
        assert!(connect.authorizer.is_some(), "$connect must be authorised");
        for (binary, handler) in handlers() {
            if let Handler::WebSocket { route_keys, .. } = handler {
                let served: BTreeSet<&str> = route_keys.iter().copied().collect();
                assert_eq!(
                    declared.get(binary),
                    Some(&served),
                    "WebSocket routes of {binary} differ from what it serves"
                );
            }
        }
    }

    #[test]
    fn the_template_never_compresses_webhook_time_or_allows_private_targets() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        assert!(!raw.contains("SWITCHBOARD_WEBHOOK_TIME_SCALE"), "test-only setting in the template");
        assert!(!raw.contains("SWITCHBOARD_WEBHOOK_ALLOW_PRIVATE_TARGETS"), "SSRF guard off in the template");
        assert!(!raw.contains("SWITCHBOARD_WEBHOOK_PORTS"), "deliveries in AWS reach ports 80 and 443 only");
    }

    #[test]
    fn both_api_stages_write_access_logs_that_never_hold_a_query_string_or_token() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&raw).unwrap();
        for (resource, setting) in [("Api", "AccessLogSetting"), ("WebSocketStage", "AccessLogSettings")] {
            let logs = &doc["Resources"][resource]["Properties"][setting];
            assert!(!logs["DestinationArn"].is_null(), "{resource} has no access log destination");
            let format = logs["Format"].as_str().unwrap_or_else(|| panic!("{resource} has no access log format"));
            let fields: serde_json::Value = serde_json::from_str(format).expect("the format is one JSON object");
            assert!(fields["request_id"].as_str().is_some_and(|value| value == "$context.requestId"));
            let lower = format.to_ascii_lowercase();
            for leak in
                ["querystring", "$request", "$input", "uri", "authorization", "token", "$context.identity.apikey"]
            {
                assert!(!lower.contains(leak), "{resource}'s access log would hold {leak}");
            }
        }
    }

    #[test]
    fn exported_files_expire_with_their_jobs_and_failed_jobs_reach_their_dead_letter_consumer() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&raw).unwrap();
        let rules = doc["Resources"]["ExportsBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
            .as_sequence()
            .expect("the exports bucket has lifecycle rules");
        let expire = rules.iter().find(|rule| rule["Id"].as_str() == Some("ExpireExports")).expect("an expiry rule");
        assert_eq!(expire["ExpirationInDays"].as_i64(), Some(shared::domain::exports::KEEP_DAYS));
        let prefix = expire["Prefix"].as_str().expect("the rule names the prefix");
        let key = shared::storage::keys::export_object_key(
            shared::domain::ids::WorkspaceId::generate(),
            shared::domain::ids::ExportId::generate(),
            "tickets.csv",
        );
        assert!(key.starts_with(prefix), "{key} is outside the rule's {prefix}");

        let template = template();
        let worker = template.functions.iter().find(|f| f.binary == "export-worker").expect("the export worker");
        let source = worker.queues.first().expect("an SQS event source");
        assert!(source.report_batch_item_failures);
        let queue = template.queues.iter().find(|q| q.logical_id == source.queue_logical_id).expect("the queue");
        let worker_timeout = doc["Resources"]["ExportWorkerFunction"]["Properties"]["Timeout"].as_i64().unwrap();
        assert!(
            queue.visibility_timeout_secs.is_some_and(|secs| i64::from(secs) > worker_timeout),
            "never received twice at once"
        );
        let (dlq, _) = queue.redrive.clone().expect("a redrive policy");
        let consumer = template.functions.iter().find(|f| f.binary == "export-dlq").expect("the DLQ consumer");
        assert_eq!(consumer.queues.first().map(|q| q.queue_logical_id.clone()), Some(dlq));
    }

    #[test]
    fn the_authorizer_in_the_template_is_the_authorizer_handler() {
        let template = template();
        let authorizer = template.authorizer.as_ref().expect("the REST API has a default authorizer");
        let function = template.function(&authorizer.function_logical_id).expect("authorizer function exists");
        assert!(matches!(handler(&function.binary), Some(Handler::Authorizer(_))));
    }
}
