//! Which handler code runs for each function binary in template.yaml: the same library functions the
//! Lambda binaries' main.rs call.

use aws_lambda_events::apigw::{ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse};
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use shared::App;

pub type HttpHandler = fn(&'static App, Request) -> BoxFuture<'static, Response<Body>>;
pub type AuthorizerHandler =
    fn(
        &'static App,
        ApiGatewayCustomAuthorizerRequestTypeRequest,
    ) -> BoxFuture<'static, Result<ApiGatewayCustomAuthorizerResponse, fn_authorizer::AuthorizerError>>;

pub type StreamHandler = fn(
    &'static App,
    aws_lambda_events::dynamodb::Event,
) -> BoxFuture<'static, aws_lambda_events::streams::DynamoDbEventResponse>;

pub type WebSocketHandler = fn(
    &'static App,
    aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest,
) -> BoxFuture<'static, aws_lambda_events::apigw::ApiGatewayProxyResponse>;

/// An EventBridge-scheduled function: the scheduled event in, its result (or error text) out.
pub type ScheduleHandler = fn(&'static App, serde_json::Value) -> BoxFuture<'static, Result<serde_json::Value, String>>;

#[derive(Clone, Copy)]
pub enum Handler {
    /// A WebSocket API integration, with the route keys it says it serves.
    WebSocket { handle: WebSocketHandler, route_keys: &'static [&'static str] },
    /// Invoked by an EventBridge schedule.
    Schedule(ScheduleHandler),
    /// A DynamoDB stream consumer (batches of records, partial failures reported back).
    Stream(StreamHandler),
    /// An API Gateway REST proxy function, with the routes it says it serves.
    Http { handle: HttpHandler, routes: &'static [(&'static str, &'static str)] },
    /// The REQUEST authorizer.
    Authorizer(AuthorizerHandler),
}

/// Every function binary, by the name template.yaml gives it in Metadata.BuildProperties.Binary.
pub fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("authorizer", Handler::Authorizer(|app, request| Box::pin(fn_authorizer::authorize(app, request)))),
        ("outbox", Handler::Stream(|app, event| Box::pin(fn_outbox::handle(app, event)))),
        (
            "realtime",
            Handler::WebSocket {
                handle: |app, event| Box::pin(fn_realtime::handle(app, event)),
                route_keys: fn_realtime::ROUTE_KEYS,
            },
        ),
        ("chat", Handler::Http { handle: |app, req| Box::pin(fn_chat::handle(app, req)), routes: fn_chat::ROUTES }),
        (
            "sla-scan",
            Handler::Schedule(|app, event| {
                Box::pin(async move {
                    let report = fn_sla_scan::handle(app, event).await.map_err(|err| err.to_string())?;
                    serde_json::to_value(report).map_err(|err| err.to_string())
                })
            }),
        ),
        ("sla", Handler::Http { handle: |app, req| Box::pin(fn_sla::handle(app, req)), routes: fn_sla::ROUTES }),
        (
            "reports",
            Handler::Http { handle: |app, req| Box::pin(fn_reports::handle(app, req)), routes: fn_reports::ROUTES },
        ),
        ("auth", Handler::Http { handle: |app, req| Box::pin(fn_auth::handle(app, req)), routes: fn_auth::ROUTES }),
        ("me", Handler::Http { handle: |app, req| Box::pin(fn_me::handle(app, req)), routes: fn_me::ROUTES }),
        ("users", Handler::Http { handle: |app, req| Box::pin(fn_users::handle(app, req)), routes: fn_users::ROUTES }),
        (
            "platform",
            Handler::Http { handle: |app, req| Box::pin(fn_platform::handle(app, req)), routes: fn_platform::ROUTES },
        ),
        (
            "tickets",
            Handler::Http { handle: |app, req| Box::pin(fn_tickets::handle(app, req)), routes: fn_tickets::ROUTES },
        ),
        (
            "customers",
            Handler::Http { handle: |app, req| Box::pin(fn_customers::handle(app, req)), routes: fn_customers::ROUTES },
        ),
        (
            "activity",
            Handler::Http { handle: |app, req| Box::pin(fn_activity::handle(app, req)), routes: fn_activity::ROUTES },
        ),
        (
            "attachments",
            Handler::Http {
                handle: |app, req| Box::pin(fn_attachments::handle(app, req)),
                routes: fn_attachments::ROUTES,
            },
        ),
        (
            "settings",
            Handler::Http { handle: |app, req| Box::pin(fn_settings::handle(app, req)), routes: fn_settings::ROUTES },
        ),
        (
            "health",
            Handler::Http { handle: |app, req| Box::pin(fn_health::handle(app, req)), routes: fn_health::ROUTES },
        ),
        (
            "api-docs",
            Handler::Http { handle: |app, req| Box::pin(fn_api_docs::handle(app, req)), routes: fn_api_docs::ROUTES },
        ),
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
            if let Handler::Schedule(_) = handler {
                assert!(!function.schedules.is_empty(), "{binary} has no schedule in template.yaml");
            }
            if let Handler::Http { routes, .. } = handler {
                let declared: BTreeSet<(String, String)> =
                    function.routes.iter().map(|route| (route.method.clone(), route.path.clone())).collect();
                let served: BTreeSet<(String, String)> =
                    routes.iter().map(|(method, path)| ((*method).to_owned(), (*path).to_owned())).collect();
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
    fn the_authorizer_in_the_template_is_the_authorizer_handler() {
        let template = template();
        let authorizer = template.authorizer.as_ref().expect("the REST API has a default authorizer");
        let function = template.function(&authorizer.function_logical_id).expect("authorizer function exists");
        assert!(matches!(handler(&function.binary), Some(Handler::Authorizer(_))));
    }
}
