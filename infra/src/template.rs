//! Reads template.yaml: the functions with their routes and binaries, the REST API's authorizer,
//! and the table and buckets to create. CloudFormation tags (!Ref, !GetAtt, !Sub) are read as tagged values.

use std::{collections::BTreeMap, path::Path, time::Duration};

use serde_yaml_ng::Value;

#[derive(Debug, Clone)]
pub struct Template {
    pub functions: Vec<Function>,
    /// The REST API's default authorizer, if any.
    pub authorizer: Option<Authorizer>,
    pub tables: Vec<TableSpec>,
    pub buckets: Vec<String>,
    /// Buckets whose `VersioningConfiguration` is `Enabled` (the local stand-in enables it too: downloads
    /// are pinned to object versions).
    pub versioned_buckets: Vec<String>,
    pub queues: Vec<QueueSpec>,
    /// Custom EventBridge buses (`AWS::Events::EventBus`), by logical id.
    pub event_buses: Vec<String>,
    /// Globals.Function.Environment variables whose value is `!Ref <resource>` (e.g. a queue's URL):
    /// the local stack gives them the local resource's reference.
    pub env_refs: Vec<(String, String)>,
    /// Globals.Function.Environment variables given as `!Sub` over the stack name and parameters, resolved
    /// with the local stack's name.
    pub env_subs: Vec<(String, String)>,
    /// The REST API's usage plans (API Gateway throttling per plan tier).
    pub usage_plans: Vec<UsagePlanSpec>,
    /// The WebSocket API (AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET), if declared.
    pub websocket: Option<WebSocketApi>,
}

#[derive(Debug, Clone)]
pub struct WebSocketApi {
    pub logical_id: String,
    /// The JSON field of a client frame that selects its route (`$request.body.<field>`).
    pub selection_field: String,
    pub routes: Vec<WebSocketRoute>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketRoute {
    /// `$connect`, `$disconnect`, `$default` or an action name.
    pub route_key: String,
    /// The function behind the route's AWS_PROXY integration.
    pub function_logical_id: String,
    /// The REQUEST authorizer guarding the route (only `$connect` may have one).
    pub authorizer: Option<WebSocketAuthorizer>,
    /// Whether the integration's response goes back to the client (a `$default` route response).
    pub two_way: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSocketAuthorizer {
    pub function_logical_id: String,
    /// The query parameter carrying the token (`route.request.querystring.<name>`).
    pub query_parameter: String,
}

/// An SQS queue; `redrive` = (dead-letter queue's logical id, maxReceiveCount).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSpec {
    pub logical_id: String,
    pub visibility_timeout_secs: Option<i32>,
    pub retention_secs: Option<i32>,
    pub redrive: Option<(String, i32)>,
    /// FifoQueue: ordered per message group, deduplicated (its name ends in `.fifo`).
    pub fifo: bool,
}

/// An SQS event source of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSource {
    pub queue_logical_id: String,
    pub batch_size: i32,
    /// FunctionResponseTypes has ReportBatchItemFailures: only the failed messages stay in the queue.
    pub report_batch_item_failures: bool,
}

/// An S3 event source of a function (`Type: S3`): objects created in the bucket (under the prefix)
/// invoke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSource {
    pub bucket_logical_id: String,
    pub prefix: String,
}

/// A usage plan: which API key (by logical id) identifies it and its throttle.
#[derive(Debug, Clone, PartialEq)]
pub struct UsagePlanSpec {
    pub logical_id: String,
    pub rate_per_second: f64,
    pub burst: u32,
    /// The value of the API key bound to the plan (the usage identifier the authorizer returns).
    pub key_value: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    /// The cargo binary built for this function (Metadata.BuildProperties.Binary).
    pub binary: String,
    pub routes: Vec<Route>,
    /// DynamoDB stream event sources (`Type: DynamoDB`): which table's stream feeds the function.
    pub streams: Vec<StreamSource>,
    /// SQS event sources (`Type: SQS`).
    pub queues: Vec<QueueSource>,
    /// EventBridge schedules (`Type: Schedule`) that invoke the function.
    pub schedules: Vec<ScheduleSource>,
    /// S3 object notifications (`Type: S3`).
    pub buckets: Vec<BucketSource>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSource {
    /// The event's name in the template (e.g. `EveryMinute`).
    pub name: String,
    pub every: Duration,
    pub enabled: bool,
}

/// `rate(1 minute)`, `rate(5 minutes)`, `rate(1 hour)`, `rate(2 days)`; cron() is not supported locally.
pub fn parse_rate(expression: &str) -> Result<Duration, String> {
    let inner = expression
        .trim()
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| format!("schedule {expression:?}: only rate(...) expressions run locally"))?;
    let (value, unit) = inner.trim().split_once(' ').ok_or_else(|| format!("schedule {expression:?}: no unit"))?;
    let value: u64 = value.parse().map_err(|_| format!("schedule {expression:?}: bad value"))?;
    let unit_secs = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        other => return Err(format!("schedule {expression:?}: unknown unit {other:?}")),
    };
    if value == 0 {
        return Err(format!("schedule {expression:?}: the rate must be positive"));
    }
    Ok(Duration::from_secs(value * unit_secs))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSource {
    pub table_logical_id: String,
    pub batch_size: i32,
    /// TRIM_HORIZON or LATEST
    pub starting_position: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    pub path: String,
    /// Whether the default authorizer guards this route (`Auth: {Authorizer: NONE}` turns it off).
    pub authorized: bool,
}

#[derive(Debug, Clone)]
pub struct Authorizer {
    pub function_logical_id: String,
    /// The header carrying the token (Identity.Headers).
    pub identity_header: String,
    pub cache_ttl: Duration,
}

#[derive(Debug, Clone)]
pub struct TableSpec {
    pub logical_id: String,
    pub attributes: Vec<(String, String)>,
    pub key_schema: Vec<(String, String)>,
    pub global_indexes: Vec<IndexSpec>,
    pub ttl_attribute: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IndexSpec {
    pub name: String,
    pub key_schema: Vec<(String, String)>,
    /// ALL, KEYS_ONLY or INCLUDE
    pub projection: String,
}

fn get<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |node, key| node.get(*key))
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The logical id of the function in a `!Sub "...${Function.Arn}..."` (a Lambda integration URI).
fn function_in_sub(value: Option<&Value>) -> Option<String> {
    let Some(Value::Tagged(tagged)) = value else { return None };
    if tagged.tag != "Sub" {
        return None;
    }
    let uri = text(&tagged.value)?;
    let end = uri.find(".Arn}")?;
    let start = uri[..end].rfind("${")? + 2;
    Some(uri[start..end].to_owned())
}

/// The logical id a `!Ref X` or a `!Sub "integrations/${X}"` names.
fn referenced(value: Option<&Value>) -> Option<String> {
    let Some(Value::Tagged(tagged)) = value else { return None };
    let raw = text(&tagged.value)?;
    if tagged.tag == "Ref" {
        Some(raw)
    } else if tagged.tag == "Sub" {
        raw.split("${").nth(1)?.split('}').next().map(str::to_owned)
    } else {
        None
    }
}

/// Reads the WebSocket API and its routes, integrations, authorizer and route responses.
fn websocket_api(resources: &serde_yaml_ng::Mapping) -> Result<Option<WebSocketApi>, String> {
    fn of_type<'a>(
        resources: &'a serde_yaml_ng::Mapping,
        kind: &'a str,
    ) -> impl Iterator<Item = (String, &'a Value)> + 'a {
        resources
            .iter()
            .filter(move |(_, resource)| resource.get("Type").and_then(text).as_deref() == Some(kind))
            .filter_map(|(id, resource)| Some((text(id)?, resource.get("Properties")?)))
    }
    let Some((api_id, api)) = of_type(resources, "AWS::ApiGatewayV2::Api")
        .find(|(_, props)| props.get("ProtocolType").and_then(text).as_deref() == Some("WEBSOCKET"))
    else {
        return Ok(None);
    };
    let expression = api.get("RouteSelectionExpression").and_then(text).unwrap_or_default();
    let selection_field = expression
        .strip_prefix("$request.body.")
        .filter(|field| !field.is_empty() && !field.contains('.'))
        .ok_or_else(|| format!("{api_id}: the local stack reads RouteSelectionExpression $request.body.<field> only"))?
        .to_owned();
    let integrations: BTreeMap<String, String> = of_type(resources, "AWS::ApiGatewayV2::Integration")
        .filter_map(|(id, props)| Some((id, function_in_sub(props.get("IntegrationUri"))?)))
        .collect();
    let authorizers: BTreeMap<String, WebSocketAuthorizer> = of_type(resources, "AWS::ApiGatewayV2::Authorizer")
        .filter_map(|(id, props)| {
            let function_logical_id = function_in_sub(props.get("AuthorizerUri"))?;
            let source = props.get("IdentitySource")?.as_sequence()?.first().and_then(text)?;
            let query_parameter = source.strip_prefix("route.request.querystring.")?.to_owned();
            Some((id, WebSocketAuthorizer { function_logical_id, query_parameter }))
        })
        .collect();
    let with_response: Vec<String> = of_type(resources, "AWS::ApiGatewayV2::RouteResponse")
        .filter(|(_, props)| props.get("RouteResponseKey").and_then(text).as_deref() == Some("$default"))
        .filter_map(|(_, props)| referenced(props.get("RouteId")))
        .collect();
    let mut routes = Vec::new();
    for (id, props) in of_type(resources, "AWS::ApiGatewayV2::Route") {
        if referenced(props.get("ApiId")).as_deref() != Some(api_id.as_str()) {
            continue;
        }
        let route_key = props.get("RouteKey").and_then(text).ok_or_else(|| format!("{id} has no RouteKey"))?;
        let integration = referenced(props.get("Target"))
            .ok_or_else(|| format!("{id}: Target must be integrations/${{Integration}}"))?;
        let function_logical_id = integrations
            .get(&integration)
            .cloned()
            .ok_or_else(|| format!("{id}: integration {integration} is not a Lambda proxy integration"))?;
        let authorizer = match props.get("AuthorizationType").and_then(text).as_deref() {
            Some("CUSTOM") => {
                let name = referenced(props.get("AuthorizerId"))
                    .ok_or_else(|| format!("{id}: CUSTOM without AuthorizerId"))?;
                Some(authorizers.get(&name).cloned().ok_or_else(|| {
                    format!("{id}: authorizer {name} is not a REQUEST authorizer on a query parameter")
                })?)
            }
            _ => None,
        };
        let two_way = props.get("RouteResponseSelectionExpression").is_some() && with_response.contains(&id);
        routes.push(WebSocketRoute { route_key, function_logical_id, authorizer, two_way });
    }
    Ok(Some(WebSocketApi { logical_id: api_id, selection_field, routes }))
}

fn key_schema(value: Option<&Value>) -> Vec<(String, String)> {
    value
        .and_then(Value::as_sequence)
        .map(|keys| {
            keys.iter().filter_map(|key| Some((text(key.get("AttributeName")?)?, text(key.get("KeyType")?)?))).collect()
        })
        .unwrap_or_default()
}

/// The local stack's name, where the template uses `${AWS::StackName}`.
pub const LOCAL_STACK_NAME: &str = "switchboard-local";

/// The resource named by `!GetAtt Resource.Attribute`.
fn get_att_target(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::Tagged(tagged)) if tagged.tag == "GetAtt" => {
            text(&tagged.value).and_then(|target| target.split('.').next().map(str::to_owned))
        }
        _ => None,
    }
}

/// A CloudFormation dynamic reference (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm:…}}`): text that only
/// CloudFormation turns into a value at deploy time. Taken literally it would be a secret anyone with the
/// repository knows.
pub fn is_dynamic_reference(value: &str) -> bool {
    value.contains("{{resolve:")
}

/// The resource or parameter named by `!Ref Name`.
fn ref_target(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => text(&tagged.value),
        _ => None,
    }
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, String> {
        let raw = std::fs::read_to_string(path).map_err(|err| format!("reading {}: {err}", path.display()))?;
        Self::parse(&raw)
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let doc: Value = serde_yaml_ng::from_str(raw).map_err(|err| format!("template.yaml: {err}"))?;
        let parameters = get(&doc, &["Parameters"]).cloned().unwrap_or(Value::Null);
        let resources =
            get(&doc, &["Resources"]).and_then(Value::as_mapping).ok_or("template.yaml has no Resources")?;
        // Resolves a literal or a !Ref to a parameter (its default), the only forms the local stack needs.
        let resolve = |value: &Value| -> Option<String> {
            match value {
                Value::Tagged(tagged) if tagged.tag == "Ref" => {
                    let name = text(&tagged.value)?;
                    text(get(&parameters, &[name.as_str(), "Default"])?)
                }
                // `!Sub` over the stack name and parameters (their defaults), the forms used for names.
                // A dynamic reference (`{{resolve:…}}`, a secret) only CloudFormation can resolve: it is not
                // a value here, so the local stack must supply its own.
                Value::Tagged(tagged) if tagged.tag == "Sub" => {
                    let raw = text(&tagged.value)?;
                    if is_dynamic_reference(&raw) {
                        return None;
                    }
                    let mut out = raw.replace("${AWS::StackName}", LOCAL_STACK_NAME);
                    while let Some(start) = out.find("${") {
                        let end = start + out[start..].find('}')?;
                        let name = &out[start + 2..end];
                        let value = text(get(&parameters, &[name, "Default"])?)?;
                        out.replace_range(start..=end, &value);
                    }
                    Some(out)
                }
                other => text(other).filter(|value| !is_dynamic_reference(value)),
            }
        };

        let mut functions = Vec::new();
        let mut authorizer = None;
        let mut tables = Vec::new();
        let mut buckets = Vec::new();
        let mut versioned_buckets = Vec::new();
        let mut event_buses = Vec::new();
        let mut queues = Vec::new();
        let mut api_keys = BTreeMap::new();
        let mut plan_keys = BTreeMap::new();
        let mut usage_plans: Vec<UsagePlanSpec> = Vec::new();
        for (id, resource) in resources {
            let id = text(id).ok_or("a resource id is not a string")?;
            let kind = resource.get("Type").and_then(text).unwrap_or_default();
            match kind.as_str() {
                "AWS::Serverless::Function" => {
                    let binary = get(resource, &["Metadata", "BuildProperties", "Binary"])
                        .and_then(text)
                        .ok_or_else(|| format!("{id} has no Metadata.BuildProperties.Binary"))?;
                    let mut routes = Vec::new();
                    let mut streams = Vec::new();
                    let mut queues = Vec::new();
                    let mut schedules = Vec::new();
                    let mut bucket_sources = Vec::new();
                    if let Some(events) = get(resource, &["Properties", "Events"]).and_then(Value::as_mapping) {
                        for (event_name, event) in events {
                            if event.get("Type").and_then(text).as_deref() == Some("S3") {
                                let props = event
                                    .get("Properties")
                                    .ok_or_else(|| format!("{id}: S3 event without Properties"))?;
                                let bucket_logical_id = props
                                    .get("Bucket")
                                    .and_then(ref_target)
                                    .ok_or_else(|| format!("{id}: S3 event Bucket must be !Ref Bucket"))?;
                                let prefix = get(props, &["Filter", "S3Key", "Rules"])
                                    .and_then(Value::as_sequence)
                                    .and_then(|rules| {
                                        rules
                                            .iter()
                                            .find(|rule| rule.get("Name").and_then(text).as_deref() == Some("prefix"))
                                    })
                                    .and_then(|rule| rule.get("Value").and_then(text))
                                    .unwrap_or_default();
                                bucket_sources.push(BucketSource { bucket_logical_id, prefix });
                                continue;
                            }
                            if event.get("Type").and_then(text).as_deref() == Some("Schedule") {
                                let props = event
                                    .get("Properties")
                                    .ok_or_else(|| format!("{id}: Schedule event without Properties"))?;
                                let expression = props
                                    .get("Schedule")
                                    .and_then(text)
                                    .ok_or_else(|| format!("{id}: Schedule event without Schedule"))?;
                                schedules.push(ScheduleSource {
                                    name: text(event_name).unwrap_or_default(),
                                    every: parse_rate(&expression).map_err(|err| format!("{id}: {err}"))?,
                                    enabled: props.get("Enabled").and_then(Value::as_bool).unwrap_or(true),
                                });
                                continue;
                            }
                            if event.get("Type").and_then(text).as_deref() == Some("DynamoDB") {
                                let props = event
                                    .get("Properties")
                                    .ok_or_else(|| format!("{id}: DynamoDB event without Properties"))?;
                                let table_logical_id = match props.get("Stream") {
                                    Some(Value::Tagged(tagged)) if tagged.tag == "GetAtt" => text(&tagged.value)
                                        .and_then(|target| target.split('.').next().map(str::to_owned))
                                        .ok_or_else(|| format!("{id}: Stream must be !GetAtt Table.StreamArn"))?,
                                    _ => return Err(format!("{id}: Stream must be !GetAtt Table.StreamArn")),
                                };
                                streams.push(StreamSource {
                                    table_logical_id,
                                    batch_size: props
                                        .get("BatchSize")
                                        .and_then(text)
                                        .and_then(|v| v.parse().ok())
                                        .unwrap_or(100),
                                    starting_position: props
                                        .get("StartingPosition")
                                        .and_then(text)
                                        .unwrap_or_else(|| "LATEST".to_owned()),
                                });
                                continue;
                            }
                            if event.get("Type").and_then(text).as_deref() == Some("SQS") {
                                let props = event
                                    .get("Properties")
                                    .ok_or_else(|| format!("{id}: SQS event without Properties"))?;
                                let queue_logical_id = get_att_target(props.get("Queue"))
                                    .ok_or_else(|| format!("{id}: Queue must be !GetAtt Queue.Arn"))?;
                                let report_batch_item_failures = props
                                    .get("FunctionResponseTypes")
                                    .and_then(Value::as_sequence)
                                    .is_some_and(|types| {
                                        types.iter().any(|t| text(t).as_deref() == Some("ReportBatchItemFailures"))
                                    });
                                queues.push(QueueSource {
                                    queue_logical_id,
                                    batch_size: props
                                        .get("BatchSize")
                                        .and_then(text)
                                        .and_then(|v| v.parse().ok())
                                        .unwrap_or(10),
                                    report_batch_item_failures,
                                });
                                continue;
                            }
                            if event.get("Type").and_then(text).as_deref() != Some("Api") {
                                continue;
                            }
                            let props =
                                event.get("Properties").ok_or_else(|| format!("{id}: Api event without Properties"))?;
                            let method = props
                                .get("Method")
                                .and_then(text)
                                .ok_or_else(|| format!("{id}: Api event without Method"))?;
                            let path = props
                                .get("Path")
                                .and_then(text)
                                .ok_or_else(|| format!("{id}: Api event without Path"))?;
                            let authorized =
                                get(props, &["Auth", "Authorizer"]).and_then(text).as_deref() != Some("NONE");
                            routes.push(Route { method: method.to_uppercase(), path, authorized });
                        }
                    }
                    functions.push(Function {
                        logical_id: id,
                        binary,
                        routes,
                        streams,
                        queues,
                        schedules,
                        buckets: bucket_sources,
                    });
                }
                "AWS::Serverless::Api" => {
                    let auth = get(resource, &["Properties", "Auth"]);
                    let default = auth.and_then(|auth| auth.get("DefaultAuthorizer")).and_then(text);
                    if let Some(default) = default {
                        let spec = auth
                            .and_then(|auth| get(auth, &["Authorizers", default.as_str()]))
                            .ok_or_else(|| format!("authorizer {default} is not defined"))?;
                        let function_logical_id = match spec.get("FunctionArn") {
                            Some(Value::Tagged(tagged)) if tagged.tag == "GetAtt" => text(&tagged.value)
                                .and_then(|target| target.split('.').next().map(str::to_owned))
                                .ok_or("authorizer FunctionArn must be !GetAtt Function.Arn")?,
                            _ => return Err("authorizer FunctionArn must be !GetAtt Function.Arn".to_owned()),
                        };
                        let identity_header = get(spec, &["Identity", "Headers"])
                            .and_then(Value::as_sequence)
                            .and_then(|headers| headers.first())
                            .and_then(text)
                            .unwrap_or_else(|| "Authorization".to_owned());
                        let ttl = get(spec, &["Identity", "ReauthorizeEvery"])
                            .and_then(resolve)
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(300);
                        authorizer = Some(Authorizer {
                            function_logical_id,
                            identity_header,
                            cache_ttl: Duration::from_secs(ttl),
                        });
                    }
                }
                "AWS::DynamoDB::Table" => {
                    let props = resource.get("Properties").ok_or_else(|| format!("{id} has no Properties"))?;
                    let attributes = props
                        .get("AttributeDefinitions")
                        .and_then(Value::as_sequence)
                        .map(|attrs| {
                            attrs
                                .iter()
                                .filter_map(|a| Some((text(a.get("AttributeName")?)?, text(a.get("AttributeType")?)?)))
                                .collect()
                        })
                        .unwrap_or_default();
                    let global_indexes = props
                        .get("GlobalSecondaryIndexes")
                        .and_then(Value::as_sequence)
                        .map(|indexes| {
                            indexes
                                .iter()
                                .filter_map(|index| {
                                    Some(IndexSpec {
                                        name: text(index.get("IndexName")?)?,
                                        key_schema: key_schema(index.get("KeySchema")),
                                        projection: get(index, &["Projection", "ProjectionType"])
                                            .and_then(text)
                                            .unwrap_or_else(|| "ALL".to_owned()),
                                    })
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let ttl_attribute = get(props, &["TimeToLiveSpecification", "AttributeName"]).and_then(text);
                    tables.push(TableSpec {
                        logical_id: id,
                        attributes,
                        key_schema: key_schema(props.get("KeySchema")),
                        global_indexes,
                        ttl_attribute,
                    });
                }
                "AWS::S3::Bucket" => {
                    let versioning = resource
                        .get("Properties")
                        .and_then(|props| get(props, &["VersioningConfiguration", "Status"]).and_then(text));
                    if versioning.as_deref() == Some("Enabled") {
                        versioned_buckets.push(id.clone());
                    }
                    buckets.push(id);
                }
                "AWS::Events::EventBus" => event_buses.push(id),
                "AWS::SQS::Queue" => {
                    let props = resource.get("Properties");
                    let number =
                        |name: &str| props.and_then(|p| p.get(name)).and_then(text).and_then(|v| v.parse().ok());
                    let redrive = props.and_then(|p| p.get("RedrivePolicy")).map(|policy| {
                        let target = get_att_target(policy.get("deadLetterTargetArn"))
                            .ok_or_else(|| format!("{id}: deadLetterTargetArn must be !GetAtt Queue.Arn"))?;
                        let max = policy
                            .get("maxReceiveCount")
                            .and_then(text)
                            .and_then(|v| v.parse().ok())
                            .ok_or_else(|| format!("{id}: RedrivePolicy without maxReceiveCount"))?;
                        Ok::<_, String>((target, max))
                    });
                    queues.push(QueueSpec {
                        logical_id: id,
                        visibility_timeout_secs: number("VisibilityTimeout"),
                        retention_secs: number("MessageRetentionPeriod"),
                        redrive: redrive.transpose()?,
                        fifo: props.and_then(|p| p.get("FifoQueue")).and_then(text).as_deref() == Some("true"),
                    });
                }
                "AWS::ApiGateway::ApiKey" => {
                    if let Some(value) = get(resource, &["Properties", "Value"]).and_then(resolve) {
                        api_keys.insert(id, value);
                    }
                }
                "AWS::ApiGateway::UsagePlanKey" => {
                    let key = get(resource, &["Properties", "KeyId"]).and_then(ref_target);
                    let plan = get(resource, &["Properties", "UsagePlanId"]).and_then(ref_target);
                    if let (Some(key), Some(plan)) = (key, plan) {
                        plan_keys.insert(plan, key);
                    }
                }
                "AWS::ApiGateway::UsagePlan" => {
                    let throttle = get(resource, &["Properties", "Throttle"]);
                    let rate = throttle.and_then(|t| t.get("RateLimit")).and_then(text).and_then(|v| v.parse().ok());
                    let burst = throttle.and_then(|t| t.get("BurstLimit")).and_then(text).and_then(|v| v.parse().ok());
                    let (Some(rate_per_second), Some(burst)) = (rate, burst) else {
                        return Err(format!("{id}: a usage plan needs Throttle.RateLimit and BurstLimit"));
                    };
                    usage_plans.push(UsagePlanSpec { logical_id: id, rate_per_second, burst, key_value: None });
                }
                _ => {}
            }
        }
        for plan in &mut usage_plans {
            plan.key_value = plan_keys.get(&plan.logical_id).and_then(|key| api_keys.get(key)).cloned();
        }
        let globals = get(&doc, &["Globals", "Function", "Environment", "Variables"]).and_then(Value::as_mapping);
        let env_refs = globals
            .map(|variables| {
                variables
                    .iter()
                    .filter_map(|(name, value)| Some((text(name)?, ref_target(value)?)))
                    .filter(|(_, target)| resources.contains_key(Value::String(target.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let env_subs = globals
            .map(|variables| {
                variables
                    .iter()
                    .filter(|(_, value)| matches!(value, Value::Tagged(tagged) if tagged.tag == "Sub"))
                    .filter_map(|(name, value)| Some((text(name)?, resolve(value)?)))
                    .collect()
            })
            .unwrap_or_default();
        let websocket = websocket_api(resources)?;
        Ok(Self {
            functions,
            authorizer,
            tables,
            buckets,
            event_buses,
            versioned_buckets,
            queues,
            env_refs,
            env_subs,
            usage_plans,
            websocket,
        })
    }

    pub fn function(&self, logical_id: &str) -> Option<&Function> {
        self.functions.iter().find(|function| function.logical_id == logical_id)
    }

    /// Every route with the function serving it.
    pub fn routes(&self) -> BTreeMap<(String, String), (&Function, &Route)> {
        self.functions
            .iter()
            .flat_map(|function| {
                function.routes.iter().map(move |route| ((route.method.clone(), route.path.clone()), (function, route)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_websocket_api_and_refuses_an_unsupported_selection_expression() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let api = Template::parse(&raw).unwrap().websocket.expect("the WebSocket API");
        assert_eq!(api.selection_field, "action");
        let connect = api.routes.iter().find(|route| route.route_key == "$connect").unwrap();
        assert_eq!(connect.function_logical_id, "RealtimeFunction");
        assert_eq!(connect.authorizer.as_ref().unwrap().query_parameter, "token");
        assert!(!connect.two_way, "$connect answers with its status only");
        let subscribe = api.routes.iter().find(|route| route.route_key == "subscribe").unwrap();
        assert!(subscribe.two_way);
        let odd = raw
            .replace("RouteSelectionExpression: $request.body.action", "RouteSelectionExpression: $request.header.x");
        assert!(Template::parse(&odd).unwrap_err().contains("RouteSelectionExpression"));
    }

    /// The attachments bucket: TLS only, browsers from the app's origin only, uploads never confirmed
    /// expire, and it is versioned (downloads are pinned to the checked version).
    #[test]
    fn the_attachments_bucket_takes_tls_only_the_apps_origin_and_expires_unconfirmed_uploads() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let template = Template::parse(&raw).unwrap();
        assert!(template.versioned_buckets.iter().any(|bucket| bucket == "AttachmentsBucket"));
        let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
        let bucket = get(&doc, &["Resources", "AttachmentsBucket", "Properties"]).unwrap();
        let text_of = |value: &Value| serde_yaml_ng::to_string(value).unwrap();
        let cors = text_of(bucket.get("CorsConfiguration").unwrap());
        assert!(!cors.contains("'*'") && !cors.contains("\"*\""), "no wildcard origin: {cors}");
        assert!(cors.contains("AppOrigin"), "{cors}");
        let lifecycle = text_of(bucket.get("LifecycleConfiguration").unwrap());
        assert!(lifecycle.contains("unconfirmed") && lifecycle.contains("ExpirationInDays"), "{lifecycle}");
        assert!(lifecycle.contains("NoncurrentVersionExpiration"), "{lifecycle}");
        let policy = text_of(get(&doc, &["Resources", "AttachmentsBucketPolicy", "Properties"]).unwrap());
        assert!(policy.contains("aws:SecureTransport") && policy.contains("Deny"), "{policy}");
        assert!(!raw.contains("S3CrudPolicy"), "no function may change ACLs or lifecycle rules");
    }

    /// The edge: a CLOUDFRONT web ACL with AWS's managed rule groups and per-address rate limits on
    /// sign-in and the platform API, attached to the distribution; the API origin gets the origin
    /// secret the functions and the authorizer check.
    #[test]
    fn the_distribution_has_a_web_acl_with_managed_rules_and_rate_limits_and_adds_the_origin_secret() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
        let edge_raw = std::fs::read_to_string(crate::repo_root().join(crate::EDGE_TEMPLATE)).unwrap();
        let edge: Value = serde_yaml_ng::from_str(&edge_raw).unwrap();
        let acl = get(&edge, &["Resources", "EdgeWebAcl"]).expect("the web ACL");
        let exported =
            format!("{:?}", get(&edge, &["Outputs", "EdgeWebAclArn", "Value"]).expect("the ACL's ARN output"));
        assert!(exported.contains("EdgeWebAcl.Arn"), "{exported}");
        assert_eq!(get(acl, &["Type"]).and_then(text).as_deref(), Some("AWS::WAFv2::WebACL"));
        assert_eq!(get(acl, &["Properties", "Scope"]).and_then(text).as_deref(), Some("CLOUDFRONT"));
        let rules = get(acl, &["Properties", "Rules"]).and_then(Value::as_sequence).expect("rules");
        let managed: Vec<String> = rules
            .iter()
            .filter_map(|rule| get(rule, &["Statement", "ManagedRuleGroupStatement", "Name"]).and_then(text))
            .collect();
        for group in [
            "AWSManagedRulesCommonRuleSet",
            "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList",
        ] {
            assert!(managed.iter().any(|name| name == group), "{group} missing from {managed:?}");
        }
        for prefix in ["/api/v1/auth/", "/api/v1/platform/"] {
            let rule = rules
                .iter()
                .find(|rule| {
                    get(
                        rule,
                        &[
                            "Statement",
                            "RateBasedStatement",
                            "ScopeDownStatement",
                            "ByteMatchStatement",
                            "SearchString",
                        ],
                    )
                    .and_then(text)
                    .as_deref()
                        == Some(prefix)
                })
                .unwrap_or_else(|| panic!("no rate-based rule on {prefix}"));
            let rate = get(rule, &["Statement", "RateBasedStatement"]).unwrap();
            assert_eq!(get(rate, &["AggregateKeyType"]).and_then(text).as_deref(), Some("IP"));
            assert!(get(rate, &["Limit"]).and_then(Value::as_u64).is_some_and(|limit| limit >= 10));
            let code = get(rule, &["Action", "Block", "CustomResponse", "ResponseCode"]).and_then(Value::as_u64);
            assert_eq!(code, Some(429), "{prefix}: blocked with 429");
        }
        let distribution = get(&doc, &["Resources", "WebDistribution", "Properties", "DistributionConfig"]).unwrap();
        let attached = format!("{:?}", get(distribution, &["WebACLId"]).expect("the distribution names a web ACL"));
        assert!(attached.contains("EdgeWebAclArn"), "{attached}");
        // A prod stack cannot be deployed without the edge stack's ACL (a CloudFormation rule).
        let rule = format!("{:?}", get(&doc, &["Rules", "ProductionHasEdgeWebAcl"]).expect("the prod rule"));
        assert!(rule.contains("prod") && rule.contains("EdgeWebAclArn"), "{rule}");
        let origins = get(distribution, &["Origins"]).and_then(Value::as_sequence).unwrap();
        let api = origins.iter().find(|origin| get(origin, &["Id"]).and_then(text).as_deref() == Some("api")).unwrap();
        let headers = format!("{:?}", get(api, &["OriginCustomHeaders"]).expect("the API origin adds a header"));
        assert!(headers.to_lowercase().contains(shared::http::origin::ORIGIN_HEADER), "{headers}");
        assert!(headers.contains("origin-secret"), "{headers}");
        let globals = format!(
            "{:?}",
            get(&doc, &["Globals", "Function", "Environment", "Variables", "SWITCHBOARD_ORIGIN_SECRET"])
        );
        assert!(globals.contains("origin-secret"), "the functions check the same secret: {globals}");
        let identity = format!(
            "{:?}",
            get(
                &doc,
                &["Resources", "Api", "Properties", "Auth", "Authorizers", "BearerAuthorizer", "Identity", "Headers"]
            )
        );
        assert!(
            identity.to_lowercase().contains(shared::http::origin::ORIGIN_HEADER),
            "cached per origin header: {identity}"
        );
    }

    /// CloudFront sends the app the same Content-Security-Policy the local gateway does.
    #[test]
    fn the_apps_content_security_policy_in_aws_is_the_one_in_code() {
        let raw = std::fs::read_to_string(crate::repo_root().join("template.yaml")).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&raw).unwrap();
        let path =
            ["Resources", "WebSecurityHeaders", "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig"];
        let policy =
            get(&doc, &path).and_then(|config| get(config, &["ContentSecurityPolicy", "ContentSecurityPolicy"]));
        let Some(Value::Tagged(tagged)) = policy else { panic!("the policy is a !Sub") };
        let expected = shared::http::security_headers::app_content_security_policy(&[
            "wss://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com",
            "https://${AttachmentsBucket.RegionalDomainName}",
        ]);
        assert_eq!(text(&tagged.value).as_deref(), Some(expected.as_str()));
    }

    #[test]
    fn schedule_rates_read_as_eventbridge_writes_them() {
        assert_eq!(parse_rate("rate(1 minute)"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_rate("rate(5 minutes)"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_rate("rate(2 hours)"), Ok(Duration::from_secs(7200)));
        assert!(parse_rate("rate(0 minutes)").is_err());
        assert!(parse_rate("cron(0 12 * * ? *)").is_err());
        assert!(parse_rate("rate(1 fortnight)").is_err());
    }

    #[test]
    fn the_sla_scan_runs_every_minute() {
        let template = Template::load(&crate::repo_root().join("template.yaml")).unwrap();
        let scan = template.function("SlaScanFunction").expect("the SLA scan is in the template");
        assert_eq!(scan.schedules.len(), 1);
        assert_eq!(scan.schedules[0].every, Duration::from_secs(60));
        assert!(scan.schedules[0].enabled);
    }
}
