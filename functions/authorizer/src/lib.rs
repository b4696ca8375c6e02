//! The REQUEST authorizer: turns `Authorization: Bearer <access token or API key>` into the principal
//! {workspace_id, user_id, role}, {staff_id}, or an API key's {workspace_id, user_id, role, scopes}
//! that handlers read from the request context. It also names the API Gateway usage plan that throttles
//! the request (API key source AUTHORIZER): the workspace's plan tier for API keys, `app` for people.
//!
//! API Gateway caches the answer per token for the TTL set in template.yaml (30 s), so a role change
//! or deactivation takes effect within that time: the role comes from storage, not from the token.

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use shared::App;
use shared::auth::Principal;
use shared::auth::tokens::Audience;
use shared::domain::standing::SuspensionReason;
use shared::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AuthorizerError {
    /// API Gateway answers 401 when the authorizer fails with exactly this message.
    #[error("Unauthorized")]
    Unauthorized,
    #[error("storage failure: {0}")]
    Store(#[from] StoreError),
}

pub async fn authorize(
    app: &App,
    request: ApiGatewayCustomAuthorizerRequestTypeRequest,
) -> Result<ApiGatewayCustomAuthorizerResponse, AuthorizerError> {
    let token = bearer_token(&request).ok_or(AuthorizerError::Unauthorized)?;
    let method_arn = request.method_arn.as_deref().unwrap_or("*");
    // REST requests come through CloudFront, which adds the origin secret; the WebSocket API is
    // reached directly. Denied (403), not cached as an allow: the header is part of the cache key.
    if !is_websocket_connect(&request) {
        let presented = request.headers.get(shared::http::origin::ORIGIN_HEADER).map(|value| value.as_bytes());
        if !shared::http::origin::came_through_the_edge(app.config.origin_secret.as_ref(), presented) {
            tracing::info!("a request without the origin secret denied");
            return Ok(deny(method_arn));
        }
    }
    if shared::domain::api_keys::looks_like_key(token) {
        let Some((key, tier, suspended)) = shared::services::api_keys::authenticate(app, token).await? else {
            tracing::info!("unknown, revoked or orphaned API key refused");
            return Err(AuthorizerError::Unauthorized);
        };
        let mut response = allow(&Principal::ApiKey(key), method_arn);
        mark_suspended(&mut response, suspended);
        response.usage_identifier_key = app.config.usage_key(tier.as_str());
        return Ok(response);
    }
    // The WebSocket handshake takes socket tokens alone; the REST API members' and staff's access tokens.
    let accepted: &[Audience] =
        if is_websocket_connect(&request) { &[Audience::Socket] } else { &[Audience::Member, Audience::Staff] };
    let principal =
        shared::services::accounts::authenticate(app, token, accepted).await?.ok_or(AuthorizerError::Unauthorized)?;
    let suspended = match &principal {
        Principal::Member(member) => {
            app.store.get_workspace(&member.scope()).await?.and_then(|workspace| workspace.standing.suspension())
        }
        Principal::ApiKey(_) | Principal::Staff { .. } => None,
    };
    // A suspended workspace's sockets were closed; new ones are refused at the handshake.
    if suspended.is_some() && is_websocket_connect(&request) {
        tracing::info!("a suspended workspace's socket refused");
        return Err(AuthorizerError::Unauthorized);
    }
    let mut response = allow(&principal, method_arn);
    mark_suspended(&mut response, suspended);
    response.usage_identifier_key = app.config.usage_key(USAGE_PLAN_OF_PEOPLE);
    Ok(response)
}

/// A suspended workspace's callers are let through to the function, which answers 403
/// `workspace-suspended` with the reason (`shared::http::suspension_refusal`): API Gateway's own 403 could
/// not say why.
fn mark_suspended(response: &mut ApiGatewayCustomAuthorizerResponse, suspended: Option<SuspensionReason>) {
    if let (Some(reason), Some(context)) = (suspended, response.context.as_object_mut()) {
        context.insert(shared::http::SUSPENDED_CONTEXT.to_owned(), reason.as_str().into());
    }
}

/// Signed-in people share one generous usage plan; API keys get their workspace's plan tier.
pub const USAGE_PLAN_OF_PEOPLE: &str = "app";

/// The access token: `Authorization: Bearer <token>`; on the WebSocket API's `$connect` also the
/// `token` query parameter (a socket token from POST /api/v1/me/socket-token), since browsers cannot
/// set headers on a WebSocket handshake.
fn bearer_token(request: &ApiGatewayCustomAuthorizerRequestTypeRequest) -> Option<&str> {
    let header = request
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
        .map(str::trim);
    header.or_else(|| is_websocket_connect(request).then(|| request.query_string_parameters.first("token")).flatten())
}

fn is_websocket_connect(request: &ApiGatewayCustomAuthorizerRequestTypeRequest) -> bool {
    request.method_arn.as_deref().is_some_and(|arn| arn.ends_with("/$connect"))
}

/// Allows every route of this API and stage, since the answer is cached per token, not per route.
fn allow(principal: &Principal, method_arn: &str) -> ApiGatewayCustomAuthorizerResponse {
    let api_and_stage: Vec<&str> = method_arn.splitn(3, '/').take(2).collect();
    let resource = if api_and_stage.len() == 2 { format!("{}/*", api_and_stage.join("/")) } else { "*".to_owned() };
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = IamPolicyEffect::Allow;
    statement.resource = vec![resource];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = principal.user_id().map(|id| id.to_string()).or_else(|| match principal {
        Principal::Staff { staff_id } => Some(staff_id.to_string()),
        Principal::Member(_) | Principal::ApiKey(_) => None,
    });
    response.policy_document = policy;
    response.context = serde_json::to_value(principal.to_context()).unwrap_or_default();
    response
}

/// Denies the request (API Gateway answers 403).
fn deny(method_arn: &str) -> ApiGatewayCustomAuthorizerResponse {
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = IamPolicyEffect::Deny;
    statement.resource = vec![method_arn.to_owned()];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = Some("edge-bypass".to_owned());
    response.policy_document = policy;
    response
}

/// API Gateway reads the error message: exactly "Unauthorized" becomes a 401; anything else a 500.
impl From<AuthorizerError> for lambda_runtime::Diagnostic {
    fn from(err: AuthorizerError) -> Self {
        if let AuthorizerError::Store(store) = &err {
            tracing::error!(error = %store, "authorizer could not read storage");
        }
        lambda_runtime::Diagnostic { error_type: "AuthorizerError".to_owned(), error_message: err.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::auth::MemberPrincipal;
    use shared::domain::ids::{UserId, WorkspaceId};
    use shared::domain::rbac::Role;

    fn request(arn: &str, query: &str) -> ApiGatewayCustomAuthorizerRequestTypeRequest {
        serde_json::from_value(serde_json::json!({
            "type": "REQUEST",
            "methodArn": arn,
            "headers": {},
            "queryStringParameters": {"token": query},
            "requestContext": {},
        }))
        .unwrap()
    }

    #[test]
    fn a_query_token_counts_on_the_websocket_handshake_only() {
        let connect = request("arn:aws:execute-api:eu-west-1:1:abc/prod/$connect", "t0k");
        assert_eq!(bearer_token(&connect), Some("t0k"));
        let rest = request("arn:aws:execute-api:eu-west-1:1:abc/prod/GET/api/v1/me", "t0k");
        assert_eq!(bearer_token(&rest), None, "REST requests carry the token in the Authorization header");
    }

    #[test]
    fn the_policy_covers_the_whole_stage_and_carries_the_principal() {
        let principal =
            Principal::Member(MemberPrincipal::for_tests(WorkspaceId::generate(), UserId::generate(), Role::Agent));
        let response = allow(&principal, "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/v1/me");
        let statement = &response.policy_document.statement[0];
        assert_eq!(statement.resource, vec!["arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*".to_owned()]);
        assert_eq!(statement.effect, IamPolicyEffect::Allow);
        assert_eq!(response.context["role"], "agent");
    }
}
