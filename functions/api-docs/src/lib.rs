//! The API's own documentation: the OpenAPI 3 document generated from the handlers' annotations, and
//! an interactive reference page whose assets are compiled in from a registry crate (no downloads).

mod contract;
pub mod problems;

use std::sync::{Arc, LazyLock};

use lambda_http::{Body, Request, RequestExt, Response, http::StatusCode};
use shared::App;
use shared::http::{self, HandlerResult, Problem};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

pub const OPENAPI: &str = "/api/v1/openapi.json";
pub const DOCS: &str = "/api/docs";
pub const DOCS_ASSET: &str = "/api/docs/{proxy+}";
pub const PROBLEMS: &str = shared::http::PROBLEM_DOCS;
pub const PROBLEM: &str = "/api/v1/problems/{slug}";

pub const ROUTES: &[http::Route] = shared::routes![
    GET OPENAPI => openapi_json,
    GET DOCS => redirect_to_index,
    GET DOCS_ASSET => docs_asset,
    GET PROBLEMS => problems::list,
    GET PROBLEM => problems::one,
];

#[derive(OpenApi)]
#[openapi(
    info(title = "Switchboard API", description = "Helpdesk and sales CRM. Errors are RFC 9457 problem+json; see docs/api.md."),
    paths(
        fn_auth::signup, fn_auth::login, fn_auth::refresh, fn_auth::logout,
        fn_me::me, fn_me::tasks, fn_me::list_notifications, fn_me::read_one, fn_me::read_all,
        fn_me::preferences, fn_me::set_preferences, fn_me::socket_token,
        fn_users::list, fn_users::create, fn_users::get, fn_users::update, fn_users::directory,
        fn_platform::login, fn_platform::begin_totp, fn_platform::confirm_totp, fn_platform::workspaces, fn_platform::workspace,
        fn_platform::change_workspace_plan, fn_platform::suspend_workspace, fn_platform::reactivate_workspace,
        fn_platform::set_limit_extras, fn_platform::list_plans,
        fn_platform::create_plan, fn_platform::get_plan, fn_platform::replace_plan, fn_platform::audit_log,
        fn_platform::system_health,
        fn_billing::usage, fn_billing::overview, fn_billing::checkout, fn_billing::portal, fn_billing::stripe_webhook,
        fn_tickets::list, fn_tickets::create, fn_tickets::counts, fn_tickets::get, fn_tickets::public,
        fn_tickets::update, fn_tickets::add_message, fn_tickets::seen, fn_tickets::by_number, fn_tickets::reply_address,
        fn_tickets::actions::bulk_update, fn_tickets::actions::merge, fn_tickets::actions::set_followers,
        fn_tickets::views::list, fn_tickets::views::create, fn_tickets::views::update, fn_tickets::views::delete,
        fn_tickets::macros::list, fn_tickets::macros::create, fn_tickets::macros::replace, fn_tickets::macros::delete,
        fn_tickets::macros::preview, fn_tickets::macros::apply,
        fn_customers::list, fn_customers::create, fn_customers::get, fn_customers::update,
        fn_customers::tickets, fn_customers::timeline, fn_customers::merge, fn_customers::notes, fn_customers::add_note,
        fn_customers::companies::list, fn_customers::companies::create, fn_customers::companies::get,
        fn_customers::companies::update, fn_customers::companies::delete, fn_customers::companies::customers,
        fn_customers::companies::deals, fn_customers::companies::notes, fn_customers::companies::add_note,
        fn_customers::companies::timeline,
        fn_customers::activities, fn_customers::add_activity,
        fn_deals::list_pipelines, fn_deals::create_pipeline, fn_deals::get_pipeline, fn_deals::replace_pipeline,
        fn_deals::board, fn_deals::stage_deals, fn_deals::list, fn_deals::create, fn_deals::get, fn_deals::update,
        fn_deals::delete, fn_deals::move_deal, fn_deals::win, fn_deals::lose, fn_deals::reopen, fn_deals::notes, fn_deals::add_note,
        fn_deals::activities, fn_deals::add_activity,
        fn_leads::list, fn_leads::create, fn_leads::bulk_update, fn_leads::counts, fn_leads::statuses, fn_leads::set_statuses,
        fn_leads::get, fn_leads::update, fn_leads::delete, fn_leads::merge, fn_leads::convert,
        fn_leads::notes, fn_leads::add_note, fn_leads::timeline,
        fn_leads::activities, fn_leads::add_activity, fn_leads::update_activity, fn_leads::delete_activity,
        fn_lead_capture::list, fn_lead_capture::create, fn_lead_capture::test_mapping, fn_lead_capture::get,
        fn_lead_capture::update, fn_lead_capture::delete, fn_lead_capture::rotate_secret,
        fn_lead_capture::deliveries, fn_lead_capture::receive, fn_lead_capture::subscribe,
        fn_lead_capture::unsubscribe,
        fn_activity::activity,
        fn_attachments::create, fn_attachments::confirm, fn_attachments::download,
        fn_reports::daily_tickets, fn_reports::sla_compliance, fn_reports::sales, fn_reports::support, fn_reports::agents,
        fn_exports::create, fn_exports::get,
        fn_sla::get_policy, fn_sla::put_policy, fn_sla::radar,
        fn_settings::categories, fn_settings::replace_categories, fn_settings::report_settings,
        fn_settings::update_report_settings,
        fn_settings::email_settings, fn_settings::update_email_settings, fn_settings::rejected_email,
        fn_settings::email_domain,
        fn_webhooks::list, fn_webhooks::create, fn_webhooks::get, fn_webhooks::update, fn_webhooks::delete,
        fn_webhooks::rotate_secret, fn_webhooks::deliveries, fn_webhooks::replay_delivery,
        fn_webhooks::replay_failed, fn_webhooks::connect_slack,
        fn_api_keys::list, fn_api_keys::create, fn_api_keys::revoke, fn_api_keys::rotate,
        fn_google_contacts::status, fn_google_contacts::authorize, fn_google_contacts::callback,
        fn_google_contacts::configure, fn_google_contacts::sync_now, fn_google_contacts::disconnect,
        fn_chat::list_channels, fn_chat::create_channel, fn_chat::direct, fn_chat::add_member, fn_chat::history,
        fn_chat::post_message, fn_chat::edit_message, fn_chat::delete_message, fn_chat::mark_read,
        shared::http::search::search_query,
        fn_health::health,
        problems::list, problems::one,
    ),
    components(schemas(shared::api::schema::RawId, shared::api::schema::MemberFilter, shared::api::schema::CurrencyCode)),
    modifiers(&BearerAuth),
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The OpenAPI document, as served.
/// The document the handlers' annotations make, before [`contract::complete`].
fn annotated() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The OpenAPI document, as served: the annotations, completed with the answers every operation of a
/// kind gives (contract.rs). JSON, because utoipa's types do not read every schema back.
pub fn openapi() -> serde_json::Value {
    let mut doc = serde_json::to_value(annotated()).expect("the OpenAPI document serialises");
    contract::complete(&mut doc);
    doc
}

static OPENAPI_JSON: LazyLock<String> =
    LazyLock::new(|| serde_json::to_string_pretty(&openapi()).expect("the OpenAPI document serialises"));

async fn openapi_json(_app: &App, _req: &Request) -> HandlerResult {
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(Body::Text(OPENAPI_JSON.clone()))
        .expect("static response parts are valid"))
}

/// Swagger UI loads its assets relative to the page, so the page lives at /api/docs/index.html.
/// Relative locations keep working behind an API Gateway stage prefix (/prod/api/docs).
async fn redirect_to_index(_app: &App, _req: &Request) -> HandlerResult {
    Ok(Response::builder()
        .status(StatusCode::FOUND)
        .header("location", "docs/index.html")
        .body(Body::Empty)
        .expect("static response parts are valid"))
}

async fn docs_asset(_app: &App, req: &Request) -> HandlerResult {
    // The path parameter, not the URI: behind a stage the URI carries the stage name too.
    let path = req.path_parameters_ref().and_then(|params| params.first("proxy")).unwrap_or("index.html");
    // Relative to /api/docs/index.html, so a stage prefix is kept.
    let config = Arc::new(utoipa_swagger_ui::Config::from("../v1/openapi.json"));
    match utoipa_swagger_ui::serve(path, config) {
        Ok(Some(file)) => {
            let mut response = Response::builder()
                .status(StatusCode::OK)
                .header("content-type", file.content_type)
                .header("cache-control", "public, max-age=3600")
                // Swagger UI: its own files, styles it sets from script, data: images; nothing inline.
                .header(
                    "content-security-policy",
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
                );
            if file.gzpipped {
                response = response.header("content-encoding", "gzip");
            }
            Ok(response.body(Body::Binary(file.bytes.into_owned())).expect("static response parts are valid"))
        }
        Ok(None) => Err(Problem::not_found(&format!("The documentation asset {path}"))),
        Err(err) => {
            tracing::error!(error = %err, "swagger ui asset failed");
            Err(Problem::internal())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_of_every_function_is_documented() {
        let doc = annotated();
        let documented: Vec<(String, String)> = doc
            .paths
            .paths
            .iter()
            .flat_map(|(path, item)| {
                let mut methods = Vec::new();
                if item.get.is_some() {
                    methods.push("GET");
                }
                if item.post.is_some() {
                    methods.push("POST");
                }
                if item.patch.is_some() {
                    methods.push("PATCH");
                }
                if item.put.is_some() {
                    methods.push("PUT");
                }
                if item.delete.is_some() {
                    methods.push("DELETE");
                }
                methods.into_iter().map(move |m| (m.to_owned(), path.clone()))
            })
            .collect();
        for routes in [
            fn_auth::ROUTES,
            fn_me::ROUTES,
            fn_users::ROUTES,
            fn_platform::ROUTES,
            fn_billing::ROUTES,
            fn_health::ROUTES,
            fn_tickets::ROUTES,
            fn_customers::ROUTES,
            fn_deals::ROUTES,
            fn_leads::ROUTES,
            fn_lead_capture::ROUTES,
            fn_activity::ROUTES,
            fn_attachments::ROUTES,
            fn_reports::ROUTES,
            fn_exports::ROUTES,
            fn_sla::ROUTES,
            fn_settings::ROUTES,
            fn_webhooks::ROUTES,
            fn_api_keys::ROUTES,
            fn_google_contacts::ROUTES,
            fn_chat::ROUTES,
            // A dev-dependency only: the documentation binary never links the search engine.
            fn_search::ROUTES,
        ] {
            for route in routes {
                let (method, path) = (route.method.as_str(), route.path);
                assert!(
                    documented.contains(&(method.to_owned(), path.to_owned())),
                    "{method} {path} is served but not in the OpenAPI document"
                );
            }
        }
    }

    #[test]
    fn docs_openapi_json_matches_the_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let generated = format!("{}\n", serde_json::to_string_pretty(&openapi()).unwrap());
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert_eq!(on_disk, generated, "docs/openapi.json is stale: run `make docs`");
    }
}
