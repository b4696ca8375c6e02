//! Plays API Gateway (REST, v1 proxy integration) for the routes in template.yaml: matches the route,
//! runs the REQUEST authorizer (caching its answer per token for the template's TTL), builds the same
//! proxy event API Gateway would send, and calls the function's handler in process.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequestTypeRequest;
use axum::{
    body::{Body as AxumBody, to_bytes},
    extract::State,
    http::{HeaderMap, Method, Request as AxumRequest, Response as AxumResponse},
};
use lambda_http::{Body as LambdaBody, request::LambdaRequest};
use serde_json::{Map, Value, json};
use shared::App;
use shared::http::{Problem, ProblemType};
use shared::storage::call_count::{CALL_MICROS_HEADER, CALLS_HEADER, CallCount, FUNCTION_MICROS_HEADER};

use crate::registry::{AuthorizerHandler, Handler};
use crate::template::Template;

/// API Gateway's payload limit.
const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;
/// How long a request's body may take to arrive once its headers have: a client declaring more than it
/// sends is answered 408 and its connection closed, instead of holding it open forever.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
pub const STAGE: &str = "local";

struct CompiledRoute {
    method: String,
    template: String,
    segments: Vec<Segment>,
    authorized: bool,
    /// The route table of the function that serves this route.
    function_routes: &'static [shared::http::Route],
}

enum Segment {
    Literal(String),
    Param(String),
    /// `{name+}`: the rest of the path
    Greedy(String),
}

struct RouteMatch<'a> {
    route: &'a CompiledRoute,
    params: Map<String, Value>,
}

struct AuthorizerRuntime {
    handle: AuthorizerHandler,
    identity_header: String,
    ttl: Duration,
    cache: Mutex<HashMap<String, CachedAnswer>>,
}

/// An authorizer answer kept per token: when, the context, and the usage plan's key it named.
type CachedAnswer = (Instant, Value, Option<String>);

pub struct Gateway {
    app: &'static App,
    routes: Vec<CompiledRoute>,
    authorizer: Option<AuthorizerRuntime>,
    limiter: crate::rate_limit::RateLimiter,
    /// The web ACL's rate-based rules, when played.
    edge: Option<crate::edge_limits::EdgeLimiter>,
}

impl Gateway {
    pub fn new(template: &Template, app: &'static App, authorizer_ttl: Option<Duration>) -> Result<Self, String> {
        let mut routes = Vec::new();
        for function in &template.functions {
            let handler = crate::registry::handler(&function.binary)
                .ok_or_else(|| format!("{} (binary {}) has no handler", function.logical_id, function.binary))?;
            if function.routes.is_empty() {
                continue;
            }
            let Handler::Http(function_routes) = handler else {
                return Err(format!("{} has API routes but is not an HTTP function", function.logical_id));
            };
            for route in &function.routes {
                routes.push(CompiledRoute {
                    method: route.method.clone(),
                    template: route.path.clone(),
                    segments: compile(&route.path),
                    authorized: route.authorized,
                    function_routes,
                });
            }
        }
        // Most specific first, as API Gateway matches: literals beat parameters beat greedy paths.
        routes.sort_by_key(|route| {
            route
                .segments
                .iter()
                .map(|segment| match segment {
                    Segment::Literal(_) => 0,
                    Segment::Param(_) => 1,
                    Segment::Greedy(_) => 2,
                })
                .collect::<Vec<_>>()
        });
        let authorizer = match &template.authorizer {
            None => None,
            Some(spec) => {
                let function = template.function(&spec.function_logical_id).ok_or_else(|| {
                    format!("authorizer function {} is not in the template", spec.function_logical_id)
                })?;
                let Some(Handler::Authorizer(handle)) = crate::registry::handler(&function.binary) else {
                    return Err(format!("{} is not an authorizer", function.logical_id));
                };
                Some(AuthorizerRuntime {
                    handle,
                    identity_header: spec.identity_header.to_ascii_lowercase(),
                    ttl: authorizer_ttl.unwrap_or(spec.cache_ttl),
                    cache: Mutex::new(HashMap::new()),
                })
            }
        };
        Ok(Self {
            app,
            routes,
            authorizer,
            limiter: crate::rate_limit::RateLimiter::from_template(template),
            edge: None,
        })
    }

    /// Plays the web ACL's per-address rate limits in front of every route.
    pub fn with_edge_limits(mut self, limiter: crate::edge_limits::EdgeLimiter) -> Self {
        self.edge = Some(limiter);
        self
    }

    pub fn router(self) -> axum::Router {
        axum::Router::new().fallback(serve).with_state(Arc::new(self))
    }

    /// The route for the method and path, or else the methods the path does take (empty: no such path).
    /// As in API Gateway, the most specific resource that matches is the one asked for: `PATCH
    /// /leads/counts` is a 405 from `/leads/counts`, not a call to `/leads/{id}`.
    fn find(&self, method: &Method, path: &str) -> Result<RouteMatch<'_>, Vec<&str>> {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let kinds = |route: &CompiledRoute| route.segments.iter().map(std::mem::discriminant).collect::<Vec<_>>();
        let mut resource = None;
        let mut allowed = Vec::new();
        // Routes are sorted most specific first, so the first match names the resource.
        for route in &self.routes {
            let Some(params) = match_segments(&route.segments, &parts) else { continue };
            let route_kinds = kinds(route);
            match &resource {
                None => resource = Some(route_kinds),
                Some(kinds) if *kinds != route_kinds => break,
                Some(_) => {}
            }
            if route.method == method.as_str() {
                return Ok(RouteMatch { route, params });
            }
            allowed.push(route.method.as_str());
        }
        Err(allowed)
    }

    /// Runs the authorizer (or answers from its cache). Ok = the authorizer's context for the request and
    /// the usage plan key it named.
    async fn authorize(&self, headers: &HeaderMap, event_base: &Value) -> Result<(Value, Option<String>), Problem> {
        let Some(authorizer) = &self.authorizer else { return Ok((Value::Object(Map::new()), None)) };
        let Some(token) = headers.get(&authorizer.identity_header).and_then(|v| v.to_str().ok()).map(str::to_owned)
        else {
            return Err(Problem::unauthenticated("Send a valid access token as `Authorization: Bearer <token>`."));
        };
        if let Some((at, context, usage_key)) = authorizer.cache.lock().expect("cache lock").get(&token)
            && at.elapsed() < authorizer.ttl
        {
            return Ok((context.clone(), usage_key.clone()));
        }
        let mut event = event_base.clone();
        event["type"] = "REQUEST".into();
        let method = event_base["httpMethod"].as_str().unwrap_or("GET").to_owned();
        let path = event_base["path"].as_str().unwrap_or("/").to_owned();
        event["methodArn"] = format!("arn:aws:execute-api:local:000000000000:local/{STAGE}/{method}{path}").into();
        let request: ApiGatewayCustomAuthorizerRequestTypeRequest =
            serde_json::from_value(event).map_err(|err| internal(format!("authorizer event: {err}")))?;
        match (authorizer.handle)(self.app, request).await {
            Ok(response) => {
                let allowed = response
                    .policy_document
                    .statement
                    .iter()
                    .any(|statement| statement.effect == aws_lambda_events::iam::IamPolicyEffect::Allow);
                if !allowed {
                    return Err(Problem::forbidden("The access token does not grant this request."));
                }
                let mut context = match response.context {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                if let Some(principal_id) = response.principal_id {
                    context.insert("principalId".to_owned(), principal_id.into());
                }
                let context = Value::Object(context);
                let usage_key = response.usage_identifier_key;
                if authorizer.ttl > Duration::ZERO {
                    authorizer
                        .cache
                        .lock()
                        .expect("cache lock")
                        .insert(token, (Instant::now(), context.clone(), usage_key.clone()));
                }
                Ok((context, usage_key))
            }
            Err(fn_authorizer::AuthorizerError::Unauthorized) => {
                Err(Problem::unauthenticated("Send a valid access token as `Authorization: Bearer <token>`."))
            }
            Err(err) => Err(internal(format!("authorizer failed: {err}"))),
        }
    }
}

fn internal(detail: String) -> Problem {
    tracing::error!(%detail, "local gateway error");
    Problem::internal()
}

fn compile(path: &str) -> Vec<Segment> {
    path.trim_start_matches('/')
        .split('/')
        .map(|part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if name.ends_with('+') => Segment::Greedy(name.trim_end_matches('+').to_owned()),
            Some(name) => Segment::Param(name.to_owned()),
            None => Segment::Literal(part.to_owned()),
        })
        .collect()
}

fn match_segments(segments: &[Segment], parts: &[&str]) -> Option<Map<String, Value>> {
    let mut params = Map::new();
    for (index, segment) in segments.iter().enumerate() {
        match segment {
            Segment::Literal(literal) => {
                if parts.get(index) != Some(&literal.as_str()) {
                    return None;
                }
            }
            Segment::Param(name) => {
                let part = parts.get(index).filter(|part| !part.is_empty())?;
                params.insert(name.clone(), decode(part).into());
            }
            Segment::Greedy(name) => {
                let rest = parts.get(index..).filter(|rest| !rest.is_empty() && !rest[0].is_empty())?;
                params.insert(name.clone(), decode(&rest.join("/")).into());
                return Some(params);
            }
        }
    }
    (segments.len() == parts.len()).then_some(params)
}

/// Percent-decodes a path segment, as API Gateway does for path parameters.
fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned()
}

fn query_maps(query: Option<&str>) -> (Map<String, Value>, Map<String, Value>) {
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        single.insert(key.clone(), value.clone().into());
        multi.entry(key).or_insert_with(|| Value::Array(Vec::new())).as_array_mut().expect("array").push(value.into());
    }
    (single, multi)
}

fn problem_response(problem: Problem, request_id: &str) -> AxumResponse<AxumBody> {
    let mut response = problem.into_response(request_id);
    if let Ok(value) = request_id.parse() {
        response.headers_mut().insert(shared::http::REQUEST_ID_HEADER, value);
    }
    shared::http::security_headers::add(response.headers_mut());
    to_axum(response)
}

fn to_axum(response: lambda_http::Response<LambdaBody>) -> AxumResponse<AxumBody> {
    let (parts, body) = response.into_parts();
    let body = match body {
        LambdaBody::Empty => AxumBody::empty(),
        LambdaBody::Text(text) => AxumBody::from(text),
        LambdaBody::Binary(bytes) => AxumBody::from(bytes),
        _ => AxumBody::empty(),
    };
    AxumResponse::from_parts(parts, body)
}

/// Serves one REST request and counts its outcome for the platform console's health (API Gateway's
/// `Count`, `5XXError` and the throttles in AWS).
async fn serve(gateway: State<Arc<Gateway>>, request: AxumRequest<AxumBody>) -> AxumResponse<AxumBody> {
    use shared::adapters::health::{Counter, record};
    let origin = gateway.app.config.public_origin.clone().unwrap_or_default();
    // Boxed: the request's future is large, and the scope would otherwise carry it on the stack.
    let response = shared::http::with_public_origin(&origin, Box::pin(serve_request(gateway, request))).await;
    record(Counter::ApiRequest);
    if response.status().is_server_error() {
        record(Counter::ApiServerError);
    } else if response.status() == axum::http::StatusCode::TOO_MANY_REQUESTS {
        record(Counter::ApiThrottled);
    }
    response
}

async fn serve_request(State(gateway): State<Arc<Gateway>>, request: AxumRequest<AxumBody>) -> AxumResponse<AxumBody> {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (mut parts, body) = request.into_parts();
    let client = parts.extensions.get::<crate::ClientAddr>().map(|addr| addr.0.ip());
    if let (Some(edge), Some(client)) = (&gateway.edge, client)
        && let Some(wait) = edge.take(client, parts.uri.path(), std::time::Instant::now())
    {
        let detail = "Too many requests from this address: wait before trying again.";
        let problem = Problem::new(ProblemType::RateLimited, detail).with_header("retry-after", wait.to_string());
        return problem_response(problem, &request_id);
    }
    // The gateway plays CloudFront too: it adds the origin secret to what it forwards, replacing any
    // value a client sent, as CloudFront's origin custom headers do.
    parts.headers.remove(shared::http::origin::ORIGIN_HEADER);
    if let Some(secret) = &gateway.app.config.origin_secret
        && let Ok(value) = axum::http::HeaderValue::from_bytes(&secret.0)
    {
        parts.headers.insert(shared::http::origin::ORIGIN_HEADER, value);
    }
    let path = parts.uri.path().to_owned();
    let found = match gateway.find(&parts.method, &path) {
        Ok(found) => found,
        Err(allowed) if allowed.is_empty() => {
            return problem_response(Problem::not_found(&format!("The route {path}")), &request_id);
        }
        Err(mut allowed) => {
            // RFC 9110 §15.5.6: a 405 lists the methods the resource does take.
            allowed.sort_unstable();
            allowed.dedup();
            let detail = format!("{} is not allowed on {path}; it takes {}.", parts.method, allowed.join(", "));
            let problem = Problem::new(ProblemType::MethodNotAllowed, detail).with_header("allow", allowed.join(", "));
            return problem_response(problem, &request_id);
        }
    };
    let body = match tokio::time::timeout(BODY_READ_TIMEOUT, to_bytes(body, MAX_PAYLOAD_BYTES)).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return problem_response(
                Problem::new(ProblemType::PayloadTooLarge, format!("The limit is {MAX_PAYLOAD_BYTES} bytes.")),
                &request_id,
            );
        }
        Err(_) => {
            let detail = format!("The body did not arrive within {} s.", BODY_READ_TIMEOUT.as_secs());
            let mut response = problem_response(Problem::new(ProblemType::RequestTimeout, detail), &request_id);
            // The rest of the body will not be read: the connection cannot carry another request.
            response.headers_mut().insert(axum::http::header::CONNECTION, "close".parse().expect("a header value"));
            return response;
        }
    };

    let mut headers = Map::new();
    let mut multi_headers: Map<String, Value> = Map::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers.insert(name.as_str().to_owned(), value.clone().into());
        multi_headers
            .entry(name.as_str().to_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("array")
            .push(value.into());
    }
    let (query, multi_query) = query_maps(parts.uri.query());
    let (text_body, is_base64) = match std::str::from_utf8(&body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => {
            use base64::Engine;
            (base64::engine::general_purpose::STANDARD.encode(&body), true)
        }
    };
    let mut event = json!({
        "resource": found.route.template,
        "path": path,
        "httpMethod": parts.method.as_str(),
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": if query.is_empty() { Value::Null } else { Value::Object(query) },
        "multiValueQueryStringParameters": if multi_query.is_empty() { Value::Null } else { Value::Object(multi_query) },
        "pathParameters": if found.params.is_empty() { Value::Null } else { Value::Object(found.params.clone()) },
        "stageVariables": null,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "resourcePath": found.route.template,
            "httpMethod": parts.method.as_str(),
            "requestId": request_id,
            "stage": STAGE,
            "path": format!("/{STAGE}{path}"),
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": gateway.app.clock.now().as_millisecond(),
            "identity": { "sourceIp": client.map_or_else(|| "127.0.0.1".to_owned(), |ip| ip.to_string()) },
        },
        "body": if body.is_empty() { Value::Null } else { Value::String(text_body) },
        "isBase64Encoded": is_base64,
    });
    let mut throttle = None;
    if found.route.authorized {
        match gateway.authorize(&parts.headers, &event).await {
            Ok((context, usage_key)) => {
                // Usage plans throttle per workspace locally (per plan key in AWS).
                let subject = context["workspace_id"].as_str().or(context["principalId"].as_str()).unwrap_or("");
                throttle = usage_key.and_then(|key| gateway.limiter.take(&key, subject));
                event["requestContext"]["authorizer"] = context;
            }
            Err(problem) => return problem_response(problem, &request_id),
        }
    }
    if let Some(decision) = throttle.as_ref().filter(|decision| !decision.allowed) {
        let mut problem = Problem::new(
            ProblemType::RateLimited,
            format!(
                "The plan allows {} requests at once, refilling over time; retry after {} s.",
                decision.limit, decision.retry_after_secs
            ),
        );
        for (name, value) in decision.headers() {
            problem = problem.with_header(name, value);
        }
        return problem_response(problem, &request_id);
    }
    let request: LambdaRequest = match serde_json::from_value(event) {
        Ok(request) => request,
        Err(err) => return problem_response(internal(format!("proxy event: {err}")), &request_id),
    };
    // What the function's work cost in DynamoDB calls (the authorizer's are not counted), and how long
    // it took with how much of that waiting on them, in headers.
    let dispatched = shared::http::dispatch(gateway.app, request.into(), found.route.function_routes);
    let (mut response, counted) = CallCount::counting_timed(dispatched).await;
    if let Ok(value) = CallCount::describe(&counted.calls).parse() {
        response.headers_mut().insert(CALLS_HEADER, value);
    }
    for (name, time) in [(FUNCTION_MICROS_HEADER, counted.elapsed), (CALL_MICROS_HEADER, counted.call_time)] {
        response.headers_mut().insert(name, axum::http::HeaderValue::from(time.as_micros() as u64));
    }
    if let Some(decision) = throttle {
        for (name, value) in decision.headers() {
            if let Ok(value) = value.parse() {
                response.headers_mut().insert(name, value);
            }
        }
    }
    to_axum(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_literals_params_and_greedy_paths() {
        let parts = |path: &str| path.trim_start_matches('/').split('/').map(str::to_owned).collect::<Vec<_>>();
        let p = parts("/api/v1/users/abc");
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        let params = match_segments(&compile("/api/v1/users/{id}"), &p).unwrap();
        assert_eq!(params["id"], "abc");
        assert!(match_segments(&compile("/api/v1/users"), &p).is_none());
        let d = parts("/api/docs/a/b.css");
        let d: Vec<&str> = d.iter().map(String::as_str).collect();
        assert_eq!(match_segments(&compile("/api/docs/{proxy+}"), &d).unwrap()["proxy"], "a/b.css");
        let bare = ["api", "docs"];
        assert!(match_segments(&compile("/api/docs/{proxy+}"), &bare).is_none());
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(decode("a%20b"), "a b");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz"), "%zz");
    }
}
