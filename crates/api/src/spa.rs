//! Serving the single-page app's production build (`OPSDECK_STATIC_DIR`) at `/`.
//!
//! Files that exist are served as they are; any other `GET` outside the server's own paths gets
//! `index.html`, so that the app's client-side routes (`/exports/42`) survive a reload or a
//! shared link. The API, health, readiness and metrics paths never fall back to the app: an
//! unknown `/api/...` stays a 404 problem.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::{
    Error, ResponseError,
    body::MessageBody,
    dev::{HttpServiceFactory, ServiceRequest, ServiceResponse, fn_service},
    guard,
    http::header::{self, HeaderValue},
    middleware::{Next, from_fn},
    web,
};

use crate::problem::ApiError;

/// Paths the server answers itself; the app never stands in for them.
fn is_server_path(path: &str) -> bool {
    path == "/api"
        || path.starts_with("/api/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics")
        // A missing build asset (a stale tab asking for last release's chunk) must fail as
        // such, not receive an HTML page it would try to run as a script.
        || path.starts_with("/assets/")
}

/// The app's files, mounted at `/` behind every API route (register it last).
pub(crate) fn service(dir: &Path) -> impl HttpServiceFactory + 'static {
    let index = dir.join("index.html");
    // Only GET and HEAD reach the files; other methods fall through to the API's own 404/405.
    let files = Files::new("/", dir)
        .index_file("index.html")
        .guard(guard::Any(guard::Get()).or(guard::Head()))
        .default_handler(fn_service(move |req: ServiceRequest| serve_index(index.clone(), req)));
    web::scope("").wrap(from_fn(cache_headers)).service(files)
}

/// History fallback: `index.html` for a path the app may route itself.
async fn serve_index(index: PathBuf, req: ServiceRequest) -> Result<ServiceResponse, Error> {
    let (req, _) = req.into_parts();
    if is_server_path(req.path()) {
        return Ok(ServiceResponse::new(req, ApiError::not_found().error_response()));
    }
    let file = NamedFile::open_async(&index).await?;
    let response = file.into_response(&req);
    Ok(ServiceResponse::new(req, response))
}

/// `index.html` must be revalidated on every load, or a browser may keep an old one that names
/// build assets a new release has removed; the assets themselves carry a content hash in their
/// names (Vite), so they never change and may be cached for good.
async fn cache_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let hashed_asset = req.path().starts_with("/assets/");
    let mut response = next.call(req).await?;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = if hashed_asset && response.status().is_success() {
        Some("public, max-age=31536000, immutable")
    } else if is_html {
        Some("no-cache")
    } else {
        None
    };
    if let Some(policy) = policy {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::is_server_path;

    #[test]
    fn server_paths_never_fall_back_to_the_app() {
        for path in ["/api", "/api/v1/nothing", "/api/docs/x", "/healthz", "/readyz", "/metrics", "/assets/old.js"] {
            assert!(is_server_path(path), "{path}");
        }
        for path in ["/", "/exports/42", "/audit", "/apidocs", "/healthz-page"] {
            assert!(!is_server_path(path), "{path}");
        }
    }
}
