//! The answers every operation of a kind can give, added in one place so the document is exact without
//! each handler repeating them: the gateway, the authorizer and the request reader answer these
//! before or around any handler (docs/api.md, "Errors").
//!
//! - An operation behind the authorizer: 401 (no, expired or revoked token or key), 403 (the role or the
//!   key's scopes do not allow it), 429 (the workspace's rate limit, with `Retry-After`).
//! - An operation with a body: 400 (not JSON, or none), 413 (too large), 415 (not `application/json`),
//!   422 (a field is invalid).
//! - Path parameters: 404 (no such record here) and 422 (not an id); query parameters: 422. A path
//!   parameter named `id` or `<thing>_id` is a UUID (ids are UUIDv7, shared/src/domain/ids.rs).
//! - A POST behind the authorizer takes `Idempotency-Key` (409 while the first attempt runs, 422 when the
//!   key came with another request).
//!
//! - A versioned write (its body or query has `version`) takes `If-Match` and may answer 412; a
//!   successful answer holding a record with a `version` carries it as `ETag`
//!   (shared/src/http/preconditions.rs).
//!
//! Operation ids are made unique as `<tag>_<handler>`, and every response gets a description.

use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Applies the rules above to the document as JSON.
pub fn complete(doc: &mut Value) {
    let schemas = doc.pointer("/components/schemas").cloned().unwrap_or_default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for method in METHODS {
            if let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) {
                complete_operation(method, operation, &schemas);
            }
        }
    }
}

/// Whether a schema (or the component it refers to) has a top-level `version`.
fn has_version(schema: &Value, schemas: &Value) -> bool {
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference.strip_prefix("#/components/schemas/").and_then(|name| schemas.get(name)),
        None => Some(schema),
    };
    resolved.is_some_and(|schema| schema.pointer("/properties/version").is_some())
}

fn complete_operation(method: &str, operation: &mut Map<String, Value>, schemas: &Value) {
    let authorised = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|requirements| requirements.iter().any(|requirement| requirement.get("bearer").is_some()));
    let has_body = operation.contains_key("requestBody");
    let parameters_in = |place: &str| {
        operation
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|parameters| parameters.iter().any(|parameter| parameter["in"] == place))
    };
    let (has_path, has_query) = (parameters_in("path"), parameters_in("query"));
    let version_in_query = operation
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|parameters| parameters.iter().any(|parameter| parameter["name"] == "version"));
    let version_in_body = operation
        .get("requestBody")
        .and_then(|body| body.pointer("/content/application~1json/schema"))
        .is_some_and(|schema| has_version(schema, schemas));
    let versioned_write = method != "get" && (version_in_query || version_in_body);
    mark_path_ids(operation);

    let mut answers: Vec<(&str, &str)> = Vec::new();
    if authorised {
        answers.push(("401", "No access token or API key, or one that expired or was revoked"));
        answers.push(("403", "The caller's role or the key's scopes do not allow this"));
        answers.push(("429", "The workspace's rate limit is reached; retry after `Retry-After` seconds"));
    }
    if has_body {
        answers.push(("400", "The body is missing or is not JSON"));
        answers.push(("413", "The body is larger than the gateway takes"));
        answers.push(("415", "The body is not `application/json`"));
        answers.push(("422", "A field is invalid; `errors` names each one"));
    }
    if has_path {
        answers.push(("404", "No such record in this workspace"));
        answers.push(("422", "A path parameter is not a valid id"));
    }
    if has_query {
        answers.push(("422", "A query parameter is invalid; `errors` names each one"));
    }
    if versioned_write {
        add_header_parameter(
            operation,
            json!({
                "name": "If-Match",
                "in": "header",
                "required": false,
                "description": "The version read, as its ETag (`\"3\"`): stands for `version`; a stale one is 412.",
                "schema": { "type": "string", "pattern": "^(W/)?\"?[0-9]+\"?$" }
            }),
        );
        answers.push(("412", "The record changed since the version in `If-Match`; `current` holds it now"));
    }
    if authorised && method == "post" {
        add_idempotency_key(operation);
        answers
            .push(("409", "A request with this `Idempotency-Key` is still running; retry after `Retry-After` seconds"));
        answers.push(("422", "This `Idempotency-Key` came with another request"));
    }

    let responses = operation.entry("responses").or_insert_with(|| json!({}));
    let Some(responses) = responses.as_object_mut() else { return };
    for (status, description) in answers {
        responses.entry(status).or_insert_with(|| problem_response(description));
    }
    for (status, response) in responses.iter_mut() {
        let Some(response) = response.as_object_mut() else { continue };
        if response.get("description").and_then(Value::as_str).unwrap_or("").is_empty() {
            response.insert("description".into(), Value::String(reason_phrase(status).into()));
        }
        let record = response.get("content").and_then(|content| content.pointer("/application~1json/schema"));
        if status.starts_with('2') && record.is_some_and(|schema| has_version(schema, schemas)) {
            let headers = response.entry("headers").or_insert_with(|| json!({}));
            headers["ETag"] = json!({
                "description": "The record's version, for `If-Match`",
                "schema": { "type": "string" }
            });
        }
    }

    let tag = operation.get("tags").and_then(|tags| tags.get(0)).and_then(Value::as_str).map(str::to_owned);
    if let (Some(tag), Some(Value::String(id))) = (tag, operation.get_mut("operationId"))
        && !id.starts_with(&format!("{tag}_"))
    {
        *id = format!("{tag}_{id}");
    }
}

fn mark_path_ids(operation: &mut Map<String, Value>) {
    let Some(parameters) = operation.get_mut("parameters").and_then(Value::as_array_mut) else { return };
    for parameter in parameters {
        let is_id = parameter["name"].as_str().is_some_and(|name| name == "id" || name.ends_with("_id"));
        if parameter["in"] == "path" && is_id && parameter["schema"]["type"] == "string" {
            parameter["schema"]["format"] = Value::String("uuid".into());
        }
    }
}

fn add_header_parameter(operation: &mut Map<String, Value>, parameter: Value) {
    let parameters = operation.entry("parameters").or_insert_with(|| json!([]));
    let Some(parameters) = parameters.as_array_mut() else { return };
    if !parameters.iter().any(|existing| existing["name"] == parameter["name"]) {
        parameters.push(parameter);
    }
}

fn add_idempotency_key(operation: &mut Map<String, Value>) {
    add_header_parameter(
        operation,
        json!({
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "Makes a retry safe: the same key with the same request gets the first answer again \
                            (with `Idempotent-Replayed: true`) for 24 hours; see docs/api.md.",
            "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$" }
        }),
    );
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemBody" } } }
    })
}

fn reason_phrase(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "202" => "Accepted",
        "204" => "No content",
        "302" => "Found",
        "400" => "Bad request",
        "401" => "Unauthenticated",
        "402" => "A plan limit is reached",
        "403" => "Forbidden",
        "404" => "Not found",
        "409" => "Conflict",
        "412" => "Precondition failed",
        "413" => "Payload too large",
        "415" => "Unsupported media type",
        "422" => "Unprocessable content",
        "429" => "Too many requests",
        _ => "Answer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_authorised_post_with_a_body_gets_every_answer_and_the_key() {
        let mut doc = json!({"paths": {"/api/v1/things": {"post": {
            "tags": ["things"], "operationId": "create", "security": [{"bearer": []}],
            "requestBody": {"content": {}}, "responses": {"201": {"description": ""}}
        }}}});
        complete(&mut doc);
        let operation = &doc["paths"]["/api/v1/things"]["post"];
        let statuses: Vec<&String> = operation["responses"].as_object().unwrap().keys().collect();
        assert_eq!(statuses, ["201", "400", "401", "403", "409", "413", "415", "422", "429"]);
        assert_eq!(operation["responses"]["201"]["description"], "Created");
        assert_eq!(operation["operationId"], "things_create");
        assert_eq!(operation["parameters"][0]["name"], "Idempotency-Key");
    }

    #[test]
    fn a_public_get_keeps_its_own_answers() {
        let mut doc = json!({"paths": {"/api/v1/health": {"get": {
            "tags": ["health"], "operationId": "health", "responses": {"200": {"description": "Up"}}
        }}}});
        complete(&mut doc);
        let operation = &doc["paths"]["/api/v1/health"]["get"];
        assert_eq!(operation["responses"].as_object().unwrap().len(), 1);
        assert!(operation.get("parameters").is_none());
    }
}
