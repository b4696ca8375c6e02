//! Every route × every kind of caller, generated from template.yaml: anonymous callers, each of the five
//! roles, another workspace's owner, platform staff and API keys get what the role matrix
//! (docs/permissions.md, `rbac.rs`) and the API-key table (`api_keys::ROUTE_ACCESS`) say, and never a 5xx.
//! A route added to the template is swept here without a line of this file changing.
//!
//! Rules checked, route by route:
//! - no token → 401;
//! - a member whose role lacks the route's permission → 403; one whose role has it → neither 401 nor 403
//!   (ids that do not exist answer 404, bodies that say nothing 422: the permission check comes first);
//! - another workspace's owner, given this workspace's real ids → 404 (or 403 where their own role says
//!   no), never a 2xx: nothing of this workspace is read or changed;
//! - platform staff → 403 on every workspace route; members → 403 on every platform route;
//! - an API key → 403 on routes for people and on routes needing a scope it lacks; within its scope,
//!   neither 401 nor 403;
//! - a deactivated member → 401 everywhere, once the authorizer's cache has let go.
//!
//! Workspaces cannot be suspended yet (the platform console does not offer it), so no sweep covers that.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::json;
use shared::domain::api_keys::{KeyAccess, ROUTE_ACCESS};
use shared::domain::rbac::{Permission, Role};
use switchboard_tests::receiver::{Behaviour, Receiver};
use switchboard_tests::{Client, Member, PASSWORD, Reply, add_member, signup, stack, unique_email};

/// An id of the right shape that names nothing.
const NOTHING: &str = "01a1fc98-0000-7000-8000-000000000000";

struct Route {
    method: Method,
    path: String,
    access: &'static KeyAccess,
}

/// Every authorised route of the REST API, with what a key needs for it.
fn routes() -> Vec<Route> {
    let template = local_stack::template::Template::load(&local_stack::repo_root().join("template.yaml"))
        .expect("template.yaml reads");
    template
        .routes()
        .into_iter()
        .filter(|(_, (_, route))| route.authorized)
        .map(|((method, path), _)| {
            let access = ROUTE_ACCESS
                .iter()
                .find(|(m, p, _)| *m == method && *p == path)
                .map(|(_, _, access)| access)
                .unwrap_or_else(|| panic!("{method} {path} is not in ROUTE_ACCESS"));
            Route { method: method.parse().expect("an HTTP method"), path, access }
        })
        .collect()
}

fn is_platform(route: &Route) -> bool {
    route.path.starts_with("/api/v1/platform/")
}

/// The route's path with every `{param}` filled: the id `ids` holds for the collection it follows (the
/// segment before it), else an id that names nothing.
fn filled(path: &str, ids: &BTreeMap<&str, String>) -> String {
    let mut out = Vec::new();
    let mut previous = "";
    for segment in path.split('/') {
        if segment.starts_with('{') {
            let id = ids
                .get(previous)
                .cloned()
                .unwrap_or_else(|| if segment == "{number}" { "999999".to_owned() } else { NOTHING.to_owned() });
            out.push(id);
        } else {
            out.push(segment.to_owned());
        }
        previous = segment;
    }
    out.join("/")
}

/// Sends the route's method with an empty JSON object as the body of writes, waiting out the rate limit.
async fn call(client: &Client, method: &Method, path: &str) -> Reply {
    let body = (*method != Method::GET && *method != Method::DELETE).then(|| json!({}));
    for _ in 0..30 {
        let reply = client.send(method.clone(), path, body.as_ref()).await;
        if reply.status != 429 {
            return reply;
        }
        let wait: u64 = reply.headers.get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok()).unwrap_or(1);
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    }
    panic!("{method} {path} stayed rate-limited");
}

/// Runs every route for one caller and collects the breaches of `expected` (None: anything but a 5xx).
async fn sweep(
    who: &str,
    client: &Client,
    routes: &[Route],
    ids: &BTreeMap<&str, String>,
    expected: impl Fn(&Route, u16) -> Result<(), String>,
) -> Vec<String> {
    let mut breaches = Vec::new();
    for route in routes {
        // Ending the caller's own sessions would sign them out for the rest of the sweep.
        if route.path == "/api/v1/auth/logout" || route.path.ends_with("/sessions") {
            continue;
        }
        let path = filled(&route.path, ids);
        let reply = call(client, &route.method, &path).await;
        let status = reply.status.as_u16();
        if status >= 500 {
            breaches.push(format!("{who}: {} {} → {status} {}", route.method, route.path, reply.body));
        } else if let Err(why) = expected(route, status) {
            breaches.push(format!("{who}: {} {} → {status}, {why}", route.method, route.path));
        }
    }
    breaches
}

fn member_rule(role: Role) -> impl Fn(&Route, u16) -> Result<(), String> {
    move |route, status| {
        if is_platform(route) {
            return if status == 403 { Ok(()) } else { Err("members are refused the platform API".into()) };
        }
        if status == 401 {
            return Err("a signed-in member is authenticated".into());
        }
        match route.access {
            KeyAccess::Scope(permission) if !role.can(*permission) => {
                if status == 403 {
                    Ok(())
                } else {
                    Err(format!("{} lacks {}", role.as_str(), permission.as_str()))
                }
            }
            KeyAccess::Scope(permission) => {
                if status == 403 {
                    Err(format!("{} has {}", role.as_str(), permission.as_str()))
                } else {
                    Ok(())
                }
            }
            // Routes for people and for any key: what a role may do there is the handler's own rule.
            KeyAccess::AnyKey | KeyAccess::People => Ok(()),
        }
    }
}

/// A workspace holding one record of every kind a route's path can name; their ids by collection.
async fn furnished(owner: &Member) -> BTreeMap<&'static str, String> {
    let client = owner.client();
    let id = |reply: Reply| reply.body["id"].as_str().expect("an id").to_owned();
    let mut ids = BTreeMap::new();
    let ticket = client
        .post("/api/v1/tickets", json!({"subject": "Matrix", "body": "B", "customer": {"email": unique_email("c")}}))
        .await
        .expect(201);
    ids.insert("by-number", ticket.body["number"].to_string());
    ids.insert("customers", ticket.body["customer_id"].as_str().expect("the ticket's customer").to_owned());
    ids.insert("tickets", id(ticket));
    ids.insert("leads", id(client.post("/api/v1/leads", json!({"name": "Matrix lead"})).await.expect(201)));
    ids.insert(
        "deals",
        id(client.post("/api/v1/deals", json!({"title": "Matrix", "value": 1, "currency": "EUR"})).await.expect(201)),
    );
    let pipelines = client.get("/api/v1/pipelines").await.expect(200);
    ids.insert("pipelines", pipelines.body["items"][0]["id"].as_str().expect("the default pipeline").to_owned());
    ids.insert("users", add_member(owner, "agent").await.user_id);
    ids.insert(
        "api-keys",
        id(client.post("/api/v1/api-keys", json!({"name": "Matrix", "scopes": ["tickets:read"]})).await.expect(201)),
    );
    ids.insert("channels", id(client.post("/api/v1/chat/channels", json!({"name": "matrix"})).await.expect(201)));
    ids.insert("macros", id(client.post("/api/v1/macros", json!({"name": "Matrix", "body": "Hi"})).await.expect(201)));
    ids.insert("views", id(client.post("/api/v1/views", json!({"name": "Matrix", "filters": {}})).await.expect(201)));
    let capture = client
        .post(
            "/api/v1/lead-capture-endpoints",
            json!({"name": "Matrix", "kind": "json", "mapping": {"email": "email"}}),
        )
        .await
        .expect(201);
    ids.insert("lead-capture-endpoints", capture.body["endpoint"]["id"].as_str().expect("an endpoint id").to_owned());
    ids.insert("companies", id(client.post("/api/v1/companies", json!({"name": "Matrix Co"})).await.expect(201)));
    ids.insert("exports", id(client.post("/api/v1/exports", json!({"kind": "customers"})).await.expect(202)));
    let receiver = Receiver::start(Behaviour::Succeed).await;
    ids.insert(
        "webhooks",
        id(client
            .post("/api/v1/webhooks", json!({"url": receiver.url, "events": ["ticket.created"]}))
            .await
            .expect(201)),
    );
    ids
}

/// Moves the workspace to a plan with seats for every role and a key rate that does not hold the sweep up.
async fn with_a_larger_plan(owner: &Member) {
    let principal = shared::auth::MemberPrincipal::for_tests(
        owner.workspace_id.parse().unwrap(),
        owner.user_id.parse().unwrap(),
        Role::Owner,
    );
    local_stack::seed::raise_plan(stack().app, &principal).await.expect("raising the plan");
}

fn report(breaches: Vec<String>) {
    assert!(breaches.is_empty(), "{} answers differ from the matrix:\n{}", breaches.len(), breaches.join("\n"));
}

#[tokio::test]
async fn no_token_is_401_on_every_authorised_route() {
    let routes = routes();
    assert!(routes.len() > 100, "the template's routes are read ({})", routes.len());
    let breaches = sweep("anonymous", &Client::new(), &routes, &BTreeMap::new(), |_, status| {
        if status == 401 { Ok(()) } else { Err("no token".into()) }
    })
    .await;
    report(breaches);
}

#[tokio::test]
async fn each_role_gets_exactly_the_routes_its_permissions_name() {
    let routes = routes();
    let owner = signup("Matrix Roles").await;
    with_a_larger_plan(&owner).await;
    let mut members = Vec::new();
    for role in [Role::Admin, Role::Manager, Role::Agent, Role::Viewer] {
        members.push((role, add_member(&owner, role.as_str()).await));
    }
    let mut breaches = sweep("owner", &owner.client(), &routes, &BTreeMap::new(), member_rule(Role::Owner)).await;
    for (role, member) in &members {
        breaches.extend(sweep(role.as_str(), &member.client(), &routes, &BTreeMap::new(), member_rule(*role)).await);
    }
    report(breaches);
}

#[tokio::test]
async fn another_workspaces_owner_reaches_nothing_by_its_ids() {
    let routes: Vec<Route> = routes().into_iter().filter(|route| route.path.contains('{')).collect();
    let acme = signup("Matrix Acme").await;
    let ids = furnished(&acme).await;
    let globex = signup("Matrix Globex").await;
    let breaches = sweep("another workspace's owner", &globex.client(), &routes, &ids, |route, status| {
        match status {
            404 => Ok(()),
            403 if is_platform(route) => Ok(()),
            // A body checked before the record is looked up still changes nothing.
            422 => Ok(()),
            _ => Err("another workspace's record must be not found".into()),
        }
    })
    .await;
    report(breaches);
    // Everything is still there for its own workspace.
    for (collection, path) in
        [("tickets", "/api/v1/tickets/"), ("leads", "/api/v1/leads/"), ("deals", "/api/v1/deals/")]
    {
        acme.client().get(&format!("{path}{}", ids[collection])).await.expect(200);
    }
}

#[tokio::test]
async fn platform_staff_reach_no_workspace_route() {
    let routes = routes();
    let email = unique_email("staff");
    shared::services::platform::ensure_staff(stack().app, &email, "Pat Platform", PASSWORD).await.unwrap();
    let login = Client::new()
        .post("/api/v1/platform/auth/login", json!({"email": email, "password": PASSWORD}))
        .await
        .expect(200);
    let staff = Client::new().with_token(login.body["access_token"].as_str().unwrap());
    let breaches = sweep("platform staff", &staff, &routes, &BTreeMap::new(), |route, status| {
        match (is_platform(route), status) {
            (false, 403) => Ok(()),
            (false, _) => Err("staff see no tenant data".into()),
            (true, 401 | 403) => Err("staff use the platform API".into()),
            (true, _) => Ok(()),
        }
    })
    .await;
    report(breaches);
}

#[tokio::test]
async fn an_api_key_reaches_its_scopes_routes_and_no_others() {
    let routes = routes();
    let owner = signup("Matrix Keys").await;
    with_a_larger_plan(&owner).await;
    let scopes = [Permission::TicketsRead, Permission::SalesWrite];
    let key = owner
        .client()
        .post("/api/v1/api-keys", json!({"name": "Matrix", "scopes": scopes.map(Permission::as_str)}))
        .await
        .expect(201);
    let client = Client::new().with_token(key.body["secret"].as_str().unwrap());
    let breaches = sweep("an API key", &client, &routes, &BTreeMap::new(), |route, status| match route.access {
        KeyAccess::People if status == 403 => Ok(()),
        KeyAccess::People => Err("keys are refused on routes for people".into()),
        KeyAccess::Scope(permission) if !scopes.contains(permission) => {
            if status == 403 {
                Ok(())
            } else {
                Err(format!("the key lacks {}", permission.as_str()))
            }
        }
        _ if status == 401 || status == 403 => Err("within the key's scopes".into()),
        _ => Ok(()),
    })
    .await;
    report(breaches);
}

#[tokio::test]
async fn a_deactivated_member_is_401_on_every_route() {
    let routes = routes();
    let owner = signup("Matrix Leavers").await;
    let agent = add_member(&owner, "agent").await;
    owner
        .client()
        .patch(&format!("/api/v1/users/{}", agent.user_id), json!({"status": "deactivated"}))
        .await
        .expect(200);
    let locked_out = switchboard_tests::eventually(
        switchboard_tests::AUTHORIZER_TTL + std::time::Duration::from_secs(3),
        async || agent.client().get("/api/v1/me").await.status == 401,
    )
    .await;
    assert!(locked_out, "the deactivated agent's token still works");
    let breaches = sweep("a deactivated member", &agent.client(), &routes, &BTreeMap::new(), |_, status| {
        if status == 401 { Ok(()) } else { Err("a deactivated member is signed out".into()) }
    })
    .await;
    report(breaches);
}
