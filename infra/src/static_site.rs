//! Serves the built web app (web/dist) from the gateway's origin, as CloudFront does in AWS: a file
//! when the path names one, and index.html for any other page so the app's own routes survive a
//! reload. The API (`/api/...`), the WebSocket endpoint (`/ws`) and the stack's test routes pass
//! through to the gateway untouched. `/config.json`, the app's runtime config, points at this origin
//! unless the build directory has one.

use std::path::PathBuf;
use std::sync::Arc;

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The two halves of the site: the build directory's files, and the answer for a path that names none.
#[derive(Clone)]
struct Site {
    files: Router,
    not_a_file: Router,
    /// Other origins the app talks to (the file store), for its Content-Security-Policy.
    connect: Arc<Vec<String>>,
}

/// Puts the web app in front of `router`; the app may also talk to the `connect` origins (the local
/// AWS stand-in, where uploads go).
pub fn serve_with(router: Router, dist: PathBuf, connect: Vec<String>) -> Router {
    let not_a_file = Router::new().fallback(not_a_file).with_state(Arc::new(dist.clone()));
    // A directory is not a page of its own: `/` and `/assets` get the app like any other page.
    let files = ServeDir::new(&dist).append_index_html_on_directories(false).fallback(not_a_file.clone());
    let site = Site { files: Router::new().fallback_service(files), not_a_file, connect: Arc::new(connect) };
    router.layer(axum::middleware::from_fn_with_state(site, serve))
}

fn belongs_to_backend(path: &str) -> bool {
    ["/api", "/ws", "/__local", "/@connections"]
        .iter()
        .any(|prefix| path == *prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')))
}

/// Hidden names (`.vite/` build metadata), escaped or not, are not part of the site.
fn is_hidden(path: &str) -> bool {
    percent_decode_str(path).decode_utf8_lossy().split('/').any(|segment| segment.starts_with('.'))
}

async fn serve(State(site): State<Site>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if !matches!(*request.method(), Method::GET | Method::HEAD) || belongs_to_backend(&path) {
        return next.run(request).await;
    }
    let host = request.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("127.0.0.1");
    // The socket is on this origin too; named, since older engines do not count ws: as 'self'.
    let mut connect = vec![format!("ws://{host}")];
    connect.extend(site.connect.iter().cloned());
    let connect: Vec<&str> = connect.iter().map(String::as_str).collect();
    let policy = shared::http::security_headers::app_content_security_policy(&connect);
    let site = if is_hidden(&path) { site.not_a_file } else { site.files };
    let Ok(mut response) = site.oneshot(request).await;
    let headers = response.headers_mut();
    // Hashed build assets never change; everything else is revalidated (the app's answers say so already).
    let cache = if path.starts_with("/assets/") { IMMUTABLE } else { REVALIDATE };
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(cache));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// A path no file names: the runtime config, a 404 for a missing file (a name with an extension), and
/// the app itself for any other path, which is one of its pages.
async fn not_a_file(State(dist): State<Arc<PathBuf>>, request: Request) -> Response {
    let path = request.uri().path();
    let mut response = if path == "/config.json" {
        runtime_config(&request)
    } else if path.rsplit('/').next().is_some_and(|last| last.contains('.')) {
        (StatusCode::NOT_FOUND, "Not found\n").into_response()
    } else {
        let Ok(index) = ServeFile::new(dist.join("index.html")).oneshot(request).await;
        if index.status() == StatusCode::NOT_FOUND {
            (StatusCode::NOT_FOUND, "The web app is not built yet: run `make web` (or `make dev`), then reload.\n")
                .into_response()
        } else {
            index.into_response()
        }
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response
}

/// The app's runtime config (in AWS a file written at deploy time): here the API and the WebSocket
/// endpoint share this origin; the event bus is the one the stack made in moto.
fn runtime_config(request: &Request) -> Response {
    let host = request.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("127.0.0.1");
    let event_bus = crate::resources::physical_name("EventBus");
    axum::Json(serde_json::json!({"api_url": "", "ws_url": format!("ws://{host}/ws"), "event_bus": event_bus}))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[test]
    fn api_websocket_and_test_routes_go_to_the_gateway() {
        for path in ["/api", "/api/v1/tickets", "/ws", "/__local/clock", "/@connections/abc"] {
            assert!(belongs_to_backend(path), "{path}");
        }
        for path in ["/", "/inbox", "/tickets/1", "/apiary", "/wsx", "/assets/index.js"] {
            assert!(!belongs_to_backend(path), "{path}");
        }
    }

    /// A build directory with a page, an asset and build metadata, beside a file outside it.
    struct Fixture {
        root: PathBuf,
        app: Router,
    }

    impl Fixture {
        fn new() -> Self {
            let root = std::env::temp_dir().join(format!("switchboard-site-{}", uuid::Uuid::new_v4()));
            let dist = root.join("dist");
            std::fs::create_dir_all(dist.join("assets")).unwrap();
            std::fs::create_dir_all(dist.join(".vite")).unwrap();
            std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
            std::fs::write(dist.join("assets/app.js"), "console.log(1)").unwrap();
            std::fs::write(dist.join(".vite/manifest.json"), "{}").unwrap();
            std::fs::write(root.join("secret.txt"), "secret").unwrap();
            let backend = Router::new().fallback(|| async { (StatusCode::IM_A_TEAPOT, "gateway") });
            Fixture { app: serve_with(backend, dist, vec![]), root }
        }

        async fn get(&self, path: &str) -> (StatusCode, Option<String>, String) {
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            let response = self.app.clone().oneshot(request).await.unwrap();
            let status = response.status();
            let cache = response.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
            let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
            (status, cache, String::from_utf8_lossy(&body).into_owned())
        }
    }

    impl Drop for Fixture {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }

    #[tokio::test]
    async fn paths_cannot_leave_the_build_directory() {
        let site = Fixture::new();
        for path in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]
        {
            let (_, _, body) = site.get(path).await;
            assert_ne!(body, "secret", "{path}");
        }
        for path in ["/.vite/manifest.json", "/%2evite/manifest.json"] {
            assert_eq!(site.get(path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[tokio::test]
    async fn serves_files_and_falls_back_to_the_app_for_pages() {
        let site = Fixture::new();
        let (status, cache, body) = site.get("/assets/app.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "console.log(1)"));
        assert_eq!(cache.as_deref(), Some(IMMUTABLE));
        let (status, cache, body) = site.get("/tickets/123").await;
        assert_eq!((status, cache.as_deref(), body.as_str()), (StatusCode::OK, Some(REVALIDATE), "<html>app</html>"));
        assert_eq!(site.get("/").await.2, "<html>app</html>");
        assert_eq!(site.get("/assets").await.2, "<html>app</html>");
        assert_eq!(site.get("/assets/page").await.1.as_deref(), Some(REVALIDATE));
        assert_eq!(site.get("/missing.js").await.0, StatusCode::NOT_FOUND);
        let config: serde_json::Value = serde_json::from_str(&site.get("/config.json").await.2).unwrap();
        assert_eq!(
            config,
            serde_json::json!({"api_url": "", "ws_url": "ws://127.0.0.1/ws", "event_bus": "switchboard-local-eventbus"})
        );
        assert_eq!(site.get("/api/v1/tickets").await.0, StatusCode::IM_A_TEAPOT);
        assert_eq!(site.get("/ws").await.0, StatusCode::IM_A_TEAPOT);
    }
}
