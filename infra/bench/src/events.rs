//! The events sent to the functions: what API Gateway (REST, v1 proxy) would send for `GET /api/v1/health`,
//! a REQUEST authorizer event without an `Authorization` header, the same with an unknown API key (the
//! authorizer looks it up in DynamoDB, so the first answer includes building the client and one call),
//! and a WebSocket API `$disconnect` without an authorizer context (the realtime function answers it
//! without touching storage).

use serde_json::{Value, json};

const ACCOUNT: &str = "123456789012";
const API_ID: &str = "b3nchap1id";
const STAGE: &str = "dev";
const PATH: &str = "/api/v1/health";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// API Gateway REST proxy integration (payload v1).
    Http,
    /// API Gateway REQUEST authorizer.
    Authorizer,
    /// API Gateway REQUEST authorizer with `Authorization: Bearer <an unknown API key>`: one DynamoDB
    /// Query (answered by the fake API, see `AWS_ENDPOINT_URL`) before the refusal.
    ApiKey,
    /// API Gateway WebSocket API integration.
    WebSocket,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Http => "http",
            EventKind::Authorizer => "authorizer",
            EventKind::ApiKey => "apikey",
            EventKind::WebSocket => "websocket",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "http" => Some(EventKind::Http),
            "authorizer" => Some(EventKind::Authorizer),
            "apikey" => Some(EventKind::ApiKey),
            "websocket" => Some(EventKind::WebSocket),
            _ => None,
        }
    }

    pub fn event(self, request_id: &str) -> Value {
        match self {
            EventKind::Http => rest_proxy_event(request_id),
            EventKind::Authorizer => authorizer_event(request_id, headers()),
            EventKind::ApiKey => {
                let mut headers = headers();
                // Well formed (the key prefix), and in no table: the lookup finds nothing.
                headers["Authorization"] = json!("Bearer sbk_YmVuY2gta2V5LW5vdC1pbi1hbnktdGFibGUtYXQtYWxs");
                authorizer_event(request_id, headers)
            }
            EventKind::WebSocket => websocket_event(request_id),
        }
    }
}

fn headers() -> Value {
    json!({
        "Accept": "application/json",
        "Host": format!("{API_ID}.execute-api.us-east-1.amazonaws.com"),
        "User-Agent": "switchboard-bench",
        "X-Amzn-Trace-Id": "Root=1-00000000-000000000000000000000000",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https"
    })
}

fn multi_value(headers: &Value) -> Value {
    let object =
        headers.as_object().map(|map| map.iter().map(|(name, value)| (name.clone(), json!([value]))).collect());
    Value::Object(object.unwrap_or_default())
}

fn request_context(request_id: &str) -> Value {
    json!({
        "accountId": ACCOUNT,
        "apiId": API_ID,
        "resourceId": "abc123",
        "resourcePath": PATH,
        "httpMethod": "GET",
        "path": format!("/{STAGE}{PATH}"),
        "protocol": "HTTP/1.1",
        "stage": STAGE,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "requestTime": "01/Jan/2026:00:00:00 +0000",
        "requestTimeEpoch": 1_767_225_600_000_i64,
        "domainName": format!("{API_ID}.execute-api.us-east-1.amazonaws.com"),
        "identity": { "sourceIp": "203.0.113.7", "userAgent": "switchboard-bench" }
    })
}

fn rest_proxy_event(request_id: &str) -> Value {
    let headers = headers();
    json!({
        "resource": PATH,
        "path": PATH,
        "httpMethod": "GET",
        "multiValueHeaders": multi_value(&headers),
        "headers": headers,
        "queryStringParameters": null,
        "multiValueQueryStringParameters": null,
        "pathParameters": null,
        "stageVariables": null,
        "requestContext": request_context(request_id),
        "body": null,
        "isBase64Encoded": false
    })
}

fn authorizer_event(request_id: &str, headers: Value) -> Value {
    json!({
        "type": "REQUEST",
        "methodArn": format!("arn:aws:execute-api:us-east-1:{ACCOUNT}:{API_ID}/{STAGE}/GET{PATH}"),
        "resource": PATH,
        "path": PATH,
        "httpMethod": "GET",
        "multiValueHeaders": multi_value(&headers),
        "headers": headers,
        "queryStringParameters": {},
        "multiValueQueryStringParameters": {},
        "pathParameters": {},
        "stageVariables": {},
        "requestContext": request_context(request_id)
    })
}

fn websocket_event(request_id: &str) -> Value {
    json!({
        "headers": {},
        "multiValueHeaders": {},
        "isBase64Encoded": false,
        "requestContext": {
            "routeKey": "$disconnect",
            "eventType": "DISCONNECT",
            "messageDirection": "IN",
            "connectionId": "YmVuY2gtY29ubg=",
            "connectedAt": 1_767_225_600_000_i64,
            "requestTimeEpoch": 1_767_225_600_000_i64,
            "requestId": request_id,
            "apiId": API_ID,
            "stage": STAGE,
            "domainName": format!("{API_ID}.execute-api.us-east-1.amazonaws.com"),
            "identity": { "sourceIp": "203.0.113.7" },
            "disconnectStatusCode": 1001,
            "disconnectReason": "Going away"
        }
    })
}
