//! The WebSocket API's function: `$connect` (after the authorizer accepted the token), `$disconnect`,
//! and every client action (`$request.body.action`, with `$default` for the rest). Each action frame is
//! answered through the route response; broadcasts go out through the connection management API.

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use shared::App;
use shared::auth::{MemberPrincipal, Principal};
use shared::services::realtime::{error_frame, socket};

/// The connection's own route keys: the handshake (after the authorizer accepted the token), the
/// goodbye, and `$default` for frames whose action is unknown or unreadable.
const CONNECTION_KEYS: [&str; 3] = ["$connect", "$disconnect", "$default"];

/// The route keys template.yaml declares for this function: the connection's own and one per client
/// action the socket service answers.
pub const ROUTE_KEYS: [&str; CONNECTION_KEYS.len() + socket::ACTIONS.len()] = {
    let mut keys = [""; CONNECTION_KEYS.len() + socket::ACTIONS.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] =
            if i < CONNECTION_KEYS.len() { CONNECTION_KEYS[i] } else { socket::ACTIONS[i - CONNECTION_KEYS.len()] };
        i += 1;
    }
    keys
};

fn response(status: i64, body: Option<String>) -> ApiGatewayProxyResponse {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = status;
    response.body = body.map(Body::Text);
    response
}

fn frame(value: &serde_json::Value) -> ApiGatewayProxyResponse {
    response(200, Some(value.to_string()))
}

pub async fn handle(app: &App, event: ApiGatewayWebsocketProxyRequest) -> ApiGatewayProxyResponse {
    let context = &event.request_context;
    let Some(connection_id) = context.connection_id.as_deref() else {
        tracing::error!("a WebSocket event without a connection id");
        return response(400, None);
    };
    // The authorizer's context travels with every event of the connection.
    let caller: Option<MemberPrincipal> = match Principal::from_context(&context.authorizer.fields) {
        Some(Principal::Member(member)) => Some(member),
        _ => None,
    };
    let route = context.route_key.as_deref().unwrap_or("$default");
    match (route, caller) {
        // Platform staff have no workspace to watch: refused at the handshake.
        ("$connect", None) => response(403, None),
        ("$connect", Some(caller)) => match socket::connect(app, &caller, connection_id).await {
            Ok(()) => response(200, None),
            Err(err) => {
                tracing::error!(error = %err, "storing a connection failed");
                response(500, None)
            }
        },
        ("$disconnect", Some(caller)) => {
            if let Err(err) = socket::disconnect(app, &caller, connection_id).await {
                tracing::error!(error = %err, "removing a connection failed; its TTL will");
            }
            response(200, None)
        }
        ("$disconnect", None) => response(200, None),
        (_, None) => frame(&error_frame("forbidden", "This connection has no member principal.", None)),
        (_, Some(caller)) => {
            let body = event.body.as_deref().unwrap_or("");
            frame(&socket::message(app, &caller, connection_id, body).await)
        }
    }
}
