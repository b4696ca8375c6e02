//! Serves the built web app (web/dist) from the gateway's origin, as CloudFront does in AWS: a file
//! when the path names one, and index.html for any other page so the app's own routes survive a
//! reload. The API (`/api/...`), the WebSocket endpoint (`/ws`) and the stack's test routes pass
//! through to the gateway untouched. `/config.json`, the app's runtime config, points at this origin
//! unless the build directory has one.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};

/// Puts the web app in front of `router`.
pub fn serve_with(router: axum::Router, dist: PathBuf) -> axum::Router {
    router.layer(axum::middleware::from_fn_with_state(Arc::new(dist), serve))
}

fn belongs_to_backend(path: &str) -> bool {
    ["/api", "/ws", "/__local", "/@connections"]
        .iter()
        .any(|prefix| path == *prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/')))
}

/// The file a request path names inside `dist`, refusing anything that could leave it.
fn file_for(dist: &Path, path: &str) -> Option<PathBuf> {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return Some(dist.join("index.html"));
    }
    let mut file = dist.to_path_buf();
    for segment in relative.split('/') {
        // Hidden names (., .., .vite/ build metadata) are not part of the site.
        if segment.is_empty() || segment.starts_with('.') || segment.contains(['\\', '%', '\0']) {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|ext| ext.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn respond(status: StatusCode, content_type: &str, cache: &'static str, body: Vec<u8>, head: bool) -> Response {
    let length = body.len();
    let mut response = Response::new(if head { Body::empty() } else { Body::from(body) });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).expect("content type"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    response
}

async fn serve(State(dist): State<Arc<PathBuf>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    if (method != Method::GET && method != Method::HEAD) || belongs_to_backend(&path) {
        return next.run(request).await;
    }
    let head = method == Method::HEAD;
    if let Some(file) = file_for(&dist, &path)
        && let Ok(bytes) = tokio::fs::read(&file).await
    {
        // Hashed build assets never change; everything else is revalidated.
        let cache = if path.starts_with("/assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return respond(StatusCode::OK, content_type(&file), cache, bytes, head);
    }
    if path == "/config.json" {
        // The app's runtime config (in AWS a file written at deploy time): here the API and the
        // WebSocket endpoint share this origin.
        let host = request.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("127.0.0.1");
        let config = serde_json::json!({"api_url": "", "ws_url": format!("ws://{host}/ws")});
        return respond(StatusCode::OK, "application/json", "no-cache", config.to_string().into_bytes(), head);
    }
    // A missing file (a name with an extension) is a 404; any other path is a page of the app.
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return respond(StatusCode::NOT_FOUND, "text/plain; charset=utf-8", "no-cache", b"Not found\n".to_vec(), head);
    }
    match tokio::fs::read(dist.join("index.html")).await {
        Ok(index) => respond(StatusCode::OK, "text/html; charset=utf-8", "no-cache", index, head),
        Err(_) => respond(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "no-cache",
            b"The web app is not built yet: run `make web` (or `make dev`), then reload.\n".to_vec(),
            head,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_websocket_and_test_routes_go_to_the_gateway() {
        for path in ["/api", "/api/v1/tickets", "/ws", "/__local/clock", "/@connections/abc"] {
            assert!(belongs_to_backend(path), "{path}");
        }
        for path in ["/", "/inbox", "/tickets/1", "/apiary", "/wsx", "/assets/index.js"] {
            assert!(!belongs_to_backend(path), "{path}");
        }
    }

    #[test]
    fn paths_cannot_leave_the_build_directory() {
        let dist = Path::new("/srv/dist");
        assert_eq!(file_for(dist, "/"), Some(dist.join("index.html")));
        assert_eq!(file_for(dist, "/assets/a.js"), Some(dist.join("assets/a.js")));
        for path in ["/../etc/passwd", "/assets/../../x", "/a//b", "/%2e%2e/x", "/a\\b", "/.vite/manifest.json"] {
            assert_eq!(file_for(dist, path), None, "{path}");
        }
    }

    #[tokio::test]
    async fn serves_files_and_falls_back_to_the_app_for_pages() {
        use tower::ServiceExt;
        let dist = std::env::temp_dir().join(format!("switchboard-site-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dist.join("assets")).unwrap();
        std::fs::write(dist.join("index.html"), "<html>app</html>").unwrap();
        std::fs::write(dist.join("assets/app.js"), "console.log(1)").unwrap();
        let backend = axum::Router::new().fallback(|| async { (StatusCode::IM_A_TEAPOT, "gateway") });
        let app = serve_with(backend, dist.clone());
        let get = |path: &str| {
            let app = app.clone();
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            async move {
                let response = app.oneshot(request).await.unwrap();
                let status = response.status();
                let cache = response.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap().to_owned());
                let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
                (status, cache, String::from_utf8_lossy(&body).into_owned())
            }
        };
        let (status, cache, body) = get("/assets/app.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "console.log(1)"));
        assert_eq!(cache.as_deref(), Some("public, max-age=31536000, immutable"));
        assert_eq!(get("/tickets/123").await.2, "<html>app</html>");
        assert_eq!(get("/").await.2, "<html>app</html>");
        assert_eq!(get("/missing.js").await.0, StatusCode::NOT_FOUND);
        let config: serde_json::Value = serde_json::from_str(&get("/config.json").await.2).unwrap();
        assert_eq!(config, serde_json::json!({"api_url": "", "ws_url": "ws://127.0.0.1/ws"}));
        assert_eq!(get("/api/v1/tickets").await.0, StatusCode::IM_A_TEAPOT);
        assert_eq!(get("/ws").await.0, StatusCode::IM_A_TEAPOT);
        std::fs::remove_dir_all(dist).unwrap();
    }
}
