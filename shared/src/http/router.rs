//! Each HTTP function's route table: one list of (method, path template, handler) that both serves
//! requests ([`dispatch`]) and tells the wiring tests which routes the function answers, so the two
//! cannot disagree.

use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response, http::Method};

use super::Problem;
use super::{HandlerResult, idempotency, no_route, preconditions, route, serve};
use crate::App;

/// A handler as a table holds it: an `async fn(&App, &Request) -> HandlerResult`, its future boxed
/// (the [`routes!`](crate::routes) macro does the boxing).
pub type HandlerFn = for<'a> fn(&'a App, &'a Request) -> BoxFuture<'a, HandlerResult>;

/// One route: the method and the path template API Gateway matched (`/api/v1/tickets/{id}`).
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub handle: HandlerFn,
}

/// Serves one request through [`serve`] with the route of `routes` API Gateway matched; any other
/// method or path is [`no_route`]. A workspace's request is counted as one of its API calls, beside
/// the handler ([`crate::services::api_calls`]).
pub async fn dispatch(app: &App, req: Request, routes: &[Route]) -> Response<Body> {
    let workspace = super::principal(&req).ok().and_then(|caller| caller.workspace_id());
    // Problem `type` URIs are absolute under this deployment's public origin.
    let origin = app.config.public_origin.as_deref().unwrap_or("");
    let served = super::with_public_origin(origin, Box::pin(serve_route(app, req, routes)));
    match workspace {
        Some(workspace) => futures::join!(served, crate::services::api_calls::count(app, workspace)).0,
        None => served.await,
    }
}

async fn serve_route(app: &App, req: Request, routes: &[Route]) -> Response<Body> {
    serve(req, async |req| {
        let presented = req.headers().get(super::origin::ORIGIN_HEADER).map(|value| value.as_bytes());
        if !super::origin::came_through_the_edge(app.config.origin_secret.as_ref(), presented) {
            return Err(Problem::forbidden("The API is served through its public URL only."));
        }
        let (method, path) = route(&req);
        match find(routes, &method, &path) {
            Some(route) => {
                preconditions::guarded(&req, async || {
                    idempotency::guarded(app, &req, async || (route.handle)(app, &req).await).await
                })
                .await
            }
            None => Err(no_route(&method, &path)),
        }
    })
    .await
}

fn find<'r>(routes: &'r [Route], method: &Method, path: &str) -> Option<&'r Route> {
    routes.iter().find(|route| route.method == method && route.path == path)
}

/// A function's route table, one `METHOD PATH => handler` a line:
///
/// ```ignore
/// pub const ROUTES: &[Route] = shared::routes![
///     GET TICKETS => list,
///     POST TICKETS => create,
/// ];
/// ```
#[macro_export]
macro_rules! routes {
    ($($method:ident $path:expr => $handler:path),* $(,)?) => {
        &[$($crate::http::Route {
            method: $crate::http::Method::$method,
            path: $path,
            handle: |app, req| ::std::boxed::Box::pin($handler(app, req)),
        }),*]
    };
}

#[cfg(test)]
mod tests {
    use lambda_http::http::StatusCode;

    use super::*;
    use crate::http::json;

    const HEALTH: &str = "/api/v1/health";

    async fn ok(_app: &App, _req: &Request) -> HandlerResult {
        Ok(json(StatusCode::OK, &"ok"))
    }

    const ROUTES: &[Route] = crate::routes![GET HEALTH => ok];

    #[test]
    fn a_table_names_its_routes() {
        let served: Vec<(&str, &str)> = ROUTES.iter().map(|route| (route.method.as_str(), route.path)).collect();
        assert_eq!(served, [("GET", HEALTH)]);
    }

    fn app(origin_secret: Option<&str>) -> App {
        let config = crate::config::Config::from_lookup(|name| match name {
            "SWITCHBOARD_TABLE" => Some("t".to_owned()),
            "SWITCHBOARD_CURSOR_KEY" => Some("c".repeat(43)),
            "SWITCHBOARD_ORIGIN_SECRET" => origin_secret.map(str::to_owned),
            _ => None,
        })
        .unwrap();
        let aws = aws_config::SdkConfig::builder().behavior_version(aws_config::BehaviorVersion::latest()).build();
        App::new(config, &aws, std::sync::Arc::new(crate::clock::SystemClock))
    }

    fn request(origin: Option<&str>) -> Request {
        let mut builder =
            lambda_http::http::Request::builder().method("GET").uri(format!("https://api.example{HEALTH}"));
        if let Some(origin) = origin {
            builder = builder.header(crate::http::origin::ORIGIN_HEADER, origin);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[tokio::test]
    async fn a_request_without_the_edges_secret_is_refused_when_one_is_configured() {
        let secret = "s".repeat(40);
        let guarded = app(Some(&secret));
        assert_eq!(dispatch(&guarded, request(None), ROUTES).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(dispatch(&guarded, request(Some("guess")), ROUTES).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(dispatch(&guarded, request(Some(&secret)), ROUTES).await.status(), StatusCode::OK);
        let open = app(None);
        assert_eq!(dispatch(&open, request(None), ROUTES).await.status(), StatusCode::OK);
    }

    #[test]
    fn only_the_method_and_template_of_a_route_find_it() {
        assert!(find(ROUTES, &Method::GET, HEALTH).is_some());
        // The gateway answers 405 for a method the template does not declare; a function that is
        // reached anyway answers 404, as for a path it does not serve.
        assert!(find(ROUTES, &Method::DELETE, HEALTH).is_none());
        assert!(find(ROUTES, &Method::GET, "/api/v1/health/{id}").is_none());
    }
}
