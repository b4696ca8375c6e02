//! Search across tickets, customers, companies, leads and deals (see switchboard-search): the request
//! parsed and checked against the caller's role in shared (`shared::http::search`, which also carries
//! the route's OpenAPI description), answered from the workspace's index.

use lambda_http::{Request, http::StatusCode};
use shared::App;
use shared::http::{self, HandlerResult};
use switchboard_search::engine;

pub const SEARCH: &str = "/api/v1/search";

pub const ROUTES: &[http::Route] = shared::routes![
    GET SEARCH => search,
];

pub async fn search(app: &App, req: &Request) -> HandlerResult {
    let (caller, query) = http::search::search_query(req)?;
    Ok(http::json(StatusCode::OK, &engine::search(app, &caller.scope(), &query).await?))
}
