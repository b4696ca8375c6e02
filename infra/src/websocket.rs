//! Plays API Gateway's WebSocket API for the routes in template.yaml, on the gateway's own port:
//!
//! - `GET /ws?token=...` is the handshake: the `$connect` route's REQUEST authorizer runs on the query
//!   parameter the template names, then the `$connect` integration; a refusal by either refuses the
//!   handshake with its status, as API Gateway does.
//! - each text frame is routed by the template's selection expression (`$request.body.<field>`) to its
//!   route, or `$default`; a two-way route's integration response goes back to the client.
//! - closing the socket runs `$disconnect`.
//! - `POST/GET/DELETE /@connections/{id}` is the connection management API the functions post
//!   through (the real aws-sdk-apigatewaymanagement client): a connection no longer open is
//!   `410 GoneException`, as in AWS.
//!
//! Limits as in AWS: a message over 128 KB closes the connection with status 1009; each event carries the
//! authorizer's context from the handshake.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use aws_lambda_events::apigw::{ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayWebsocketProxyRequest};
use axum::{
    Router,
    body::Bytes,
    extract::{
        Path, RawQuery, State,
        ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade},
    },
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use futures::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use shared::App;
use tokio::sync::mpsc;

use crate::registry::{AuthorizerHandler, Handler, WebSocketHandler};
use crate::template::Template;

/// API Gateway's limit on a WebSocket message (and on a management API post).
pub const MAX_MESSAGE_BYTES: usize = 128 * 1024;
/// The most the socket reads of one message: past [`MAX_MESSAGE_BYTES`] a message closes the connection
/// with 1009, and past this the reader gives up on it too (without holding it in memory).
const READ_LIMIT_BYTES: usize = 8 * MAX_MESSAGE_BYTES;
/// The close code for a message over the limit (RFC 6455 "message too big"), as API Gateway sends.
pub const CLOSE_TOO_BIG: u16 = 1009;
pub const PATH: &str = "/ws";
const API_ID: &str = "local-ws";

struct Route {
    handle: WebSocketHandler,
    two_way: bool,
}

struct ConnectAuthorizer {
    handle: AuthorizerHandler,
    query_parameter: String,
}

/// An open socket: where frames for it go, and what every event of it carries.
struct Live {
    outbox: mpsc::UnboundedSender<Message>,
    authorizer: Value,
    connected_at: jiff::Timestamp,
}

pub struct WebSocketGateway {
    app: &'static App,
    selection_field: String,
    routes: HashMap<String, Route>,
    authorizer: Option<ConnectAuthorizer>,
    live: Mutex<HashMap<String, Live>>,
}

impl WebSocketGateway {
    /// None when the template declares no WebSocket API.
    pub fn new(template: &Template, app: &'static App) -> Result<Option<Self>, String> {
        let Some(api) = &template.websocket else { return Ok(None) };
        let mut routes = HashMap::new();
        let mut authorizer = None;
        for route in &api.routes {
            let function = template
                .function(&route.function_logical_id)
                .ok_or_else(|| format!("WebSocket route {} targets no function", route.route_key))?;
            let Some(Handler::WebSocket { handle, .. }) = crate::registry::handler(&function.binary) else {
                return Err(format!("WebSocket route {} has no WebSocket handler", route.route_key));
            };
            routes.insert(route.route_key.clone(), Route { handle, two_way: route.two_way });
            if let Some(spec) = &route.authorizer {
                let function = template
                    .function(&spec.function_logical_id)
                    .ok_or_else(|| format!("authorizer {} is not a function", spec.function_logical_id))?;
                let Some(Handler::Authorizer(handle)) = crate::registry::handler(&function.binary) else {
                    return Err(format!("{} is not an authorizer", function.logical_id));
                };
                authorizer = Some(ConnectAuthorizer { handle, query_parameter: spec.query_parameter.clone() });
            }
        }
        Ok(Some(Self {
            app,
            selection_field: api.selection_field.clone(),
            routes,
            authorizer,
            live: Mutex::new(HashMap::new()),
        }))
    }

    pub fn router(self) -> Router {
        Router::new()
            .route(PATH, get(handshake))
            .route("/@connections/{id}", post(post_to_connection).get(get_connection).delete(delete_connection))
            .with_state(Arc::new(self))
    }

    /// The event API Gateway sends the integration.
    fn event(
        &self,
        route_key: &str,
        event_type: &str,
        connection_id: &str,
        authorizer: &Value,
        body: Option<String>,
    ) -> Value {
        let now = self.app.clock.now();
        json!({
            "headers": {},
            "multiValueHeaders": {},
            "requestContext": {
                "routeKey": route_key,
                "eventType": event_type,
                "messageDirection": "IN",
                "connectionId": connection_id,
                "connectedAt": now.as_millisecond(),
                "requestTimeEpoch": now.as_millisecond(),
                "requestId": uuid::Uuid::new_v4().to_string(),
                "apiId": API_ID,
                "stage": crate::gateway::STAGE,
                "domainName": "127.0.0.1",
                "identity": { "sourceIp": "127.0.0.1" },
                "authorizer": authorizer,
            },
            "body": body,
            "isBase64Encoded": false,
        })
    }

    async fn invoke(&self, route: &Route, event: Value) -> Result<(i64, Option<String>), String> {
        let event: ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(event).map_err(|err| format!("WebSocket event: {err}"))?;
        let response = (route.handle)(self.app, event).await;
        let body = response.body.map(|body| match body {
            aws_lambda_events::encodings::Body::Text(text) => text,
            aws_lambda_events::encodings::Body::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            _ => String::new(),
        });
        Ok((response.status_code, body))
    }

    /// Runs the `$connect` authorizer on the handshake's query; Ok = its context.
    async fn authorize(&self, query: &HashMap<String, String>, connection_id: &str) -> Result<Value, StatusCode> {
        let Some(authorizer) = &self.authorizer else { return Ok(Value::Object(Map::new())) };
        // API Gateway refuses a handshake without the identity source before calling the authorizer.
        let Some(token) = query.get(&authorizer.query_parameter) else { return Err(StatusCode::UNAUTHORIZED) };
        let request = json!({
            "type": "REQUEST",
            "methodArn": format!("arn:aws:execute-api:local:000000000000:{API_ID}/{}/$connect", crate::gateway::STAGE),
            "headers": {},
            "queryStringParameters": { authorizer.query_parameter.clone(): token },
            "requestContext": { "routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id, "apiId": API_ID, "stage": crate::gateway::STAGE },
        });
        let request: ApiGatewayCustomAuthorizerRequestTypeRequest =
            serde_json::from_value(request).map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        match (authorizer.handle)(self.app, request).await {
            Ok(response) => {
                let allowed = response
                    .policy_document
                    .statement
                    .iter()
                    .any(|statement| statement.effect == aws_lambda_events::iam::IamPolicyEffect::Allow);
                if !allowed {
                    return Err(StatusCode::FORBIDDEN);
                }
                let mut context = match response.context {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                if let Some(principal_id) = response.principal_id {
                    context.insert("principalId".to_owned(), principal_id.into());
                }
                Ok(Value::Object(context))
            }
            Err(fn_authorizer::AuthorizerError::Unauthorized) => Err(StatusCode::UNAUTHORIZED),
            Err(err) => {
                tracing::error!(error = %err, "WebSocket authorizer failed");
                Err(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    /// The route a frame selects: the selection field's value if a route has that key (a frame that is
    /// not JSON, or names no route, goes to `$default`).
    fn select(&self, body: &str) -> Option<(String, &Route)> {
        let named = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|value| value.get(&self.selection_field).and_then(Value::as_str).map(str::to_owned))
            .filter(|key| !key.starts_with('$'));
        match named.and_then(|key| self.routes.get(&key).map(|route| (key, route))) {
            Some(found) => Some(found),
            None => self.routes.get("$default").map(|route| ("$default".to_owned(), route)),
        }
    }
}

fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes()).into_owned().collect()
}

/// An id shaped like API Gateway's (base64 with a trailing `=`).
fn new_connection_id() -> String {
    use base64::Engine;
    let bytes = uuid::Uuid::new_v4().into_bytes();
    base64::engine::general_purpose::STANDARD.encode(&bytes[..10])
}

async fn handshake(
    State(gateway): State<Arc<WebSocketGateway>>,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    let connection_id = new_connection_id();
    let query = query_map(query.as_deref());
    let authorizer = match gateway.authorize(&query, &connection_id).await {
        Ok(context) => context,
        Err(status) => return status.into_response(),
    };
    if let Some(route) = gateway.routes.get("$connect") {
        let event = gateway.event("$connect", "CONNECT", &connection_id, &authorizer, None);
        match gateway.invoke(route, event).await {
            Ok((status, _)) if (200..300).contains(&status) => {}
            Ok((status, _)) => {
                return StatusCode::from_u16(u16::try_from(status).unwrap_or(500))
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                    .into_response();
            }
            Err(err) => {
                tracing::error!(error = %err, "$connect failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    upgrade
        .max_message_size(READ_LIMIT_BYTES)
        .max_frame_size(READ_LIMIT_BYTES)
        .on_upgrade(move |socket| run(gateway, socket, connection_id, authorizer))
}

/// Serves one open socket until it closes, then runs `$disconnect`.
async fn run(gateway: Arc<WebSocketGateway>, socket: WebSocket, connection_id: String, authorizer: Value) {
    let (mut sink, mut stream) = socket.split();
    let (outbox, mut outgoing) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
    });
    gateway.live.lock().expect("live sockets").insert(
        connection_id.clone(),
        Live { outbox: outbox.clone(), authorizer: authorizer.clone(), connected_at: gateway.app.clock.now() },
    );
    let mut too_big = false;
    while let Some(read) = stream.next().await {
        let message = match read {
            Ok(message) => message,
            Err(err) => {
                // tungstenite's capacity errors: a message or frame past even the read limit.
                too_big = err.to_string().contains("too long") || err.to_string().contains("Space limit");
                break;
            }
        };
        let size = match &message {
            Message::Text(text) => text.len(),
            Message::Binary(bytes) => bytes.len(),
            _ => 0,
        };
        if size > MAX_MESSAGE_BYTES {
            too_big = true;
            break;
        }
        let body = match message {
            Message::Text(text) => text.to_string(),
            Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        let Some((key, route)) = gateway.select(&body) else {
            // What API Gateway answers when no route matches and there is no $default.
            let refusal = json!({"message": "Forbidden", "connectionId": connection_id});
            let _ = outbox.send(Message::Text(refusal.to_string().into()));
            continue;
        };
        let event = gateway.event(&key, "MESSAGE", &connection_id, &authorizer, Some(body));
        match gateway.invoke(route, event).await {
            Ok((_, Some(reply))) if route.two_way && !reply.is_empty() => {
                let _ = outbox.send(Message::Text(reply.into()));
            }
            Ok(_) => {}
            Err(err) => {
                tracing::error!(error = %err, "WebSocket integration failed");
                let failure = json!({"message": "Internal server error", "connectionId": connection_id});
                let _ = outbox.send(Message::Text(failure.to_string().into()));
            }
        }
    }
    gateway.live.lock().expect("live sockets").remove(&connection_id);
    if too_big {
        let close = CloseFrame { code: CLOSE_TOO_BIG, reason: "Message too big".into() };
        let _ = outbox.send(Message::Close(Some(close)));
        drop(outbox);
        // The writer stops after sending the close frame; give it a moment to get it out.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), writer).await;
    } else {
        drop(outbox);
        writer.abort();
    }
    if let Some(route) = gateway.routes.get("$disconnect") {
        let event = gateway.event("$disconnect", "DISCONNECT", &connection_id, &authorizer, None);
        if let Err(err) = gateway.invoke(route, event).await {
            tracing::error!(error = %err, "$disconnect failed");
        }
    }
}

/// API Gateway's error shape for the management API: the type in `x-amzn-errortype`.
fn management_error(status: StatusCode, kind: &str, message: &str) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert("x-amzn-errortype", kind.parse().expect("a header value"));
    headers.insert("content-type", "application/json".parse().expect("a header value"));
    (status, headers, json!({"message": message}).to_string()).into_response()
}

fn gone() -> Response {
    management_error(StatusCode::GONE, "GoneException", "The connection is gone")
}

async fn post_to_connection(
    State(gateway): State<Arc<WebSocketGateway>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if body.len() > MAX_MESSAGE_BYTES {
        return management_error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException", "Message too long");
    }
    let live = gateway.live.lock().expect("live sockets");
    let Some(socket) = live.get(&id) else { return gone() };
    let message = match std::str::from_utf8(&body) {
        Ok(text) => Message::Text(text.to_owned().into()),
        Err(_) => Message::Binary(body),
    };
    match socket.outbox.send(message) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(_) => gone(),
    }
}

async fn get_connection(State(gateway): State<Arc<WebSocketGateway>>, Path(id): Path<String>) -> Response {
    let live = gateway.live.lock().expect("live sockets");
    let Some(socket) = live.get(&id) else { return gone() };
    let body = json!({
        "connectedAt": socket.connected_at.to_string(),
        "lastActiveAt": gateway.app.clock.now().to_string(),
        "identity": {"sourceIp": "127.0.0.1", "userAgent": null},
        "principalId": socket.authorizer.get("principalId"),
    });
    (StatusCode::OK, [("content-type", "application/json")], body.to_string()).into_response()
}

async fn delete_connection(State(gateway): State<Arc<WebSocketGateway>>, Path(id): Path<String>) -> Response {
    let live = gateway.live.lock().expect("live sockets");
    let Some(socket) = live.get(&id) else { return gone() };
    let _ = socket.outbox.send(Message::Close(None));
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_handshake_query() {
        let query = query_map(Some("token=a%2Bb.c&x=1+2"));
        assert_eq!(query["token"], "a+b.c");
        assert_eq!(query["x"], "1 2");
        assert!(query_map(None).is_empty());
    }

    #[test]
    fn connection_ids_look_like_api_gateways() {
        let id = new_connection_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
    }
}
