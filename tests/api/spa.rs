//! The single-page app's build served at `/` (`OPSDECK_STATIC_DIR`): files as they are, the
//! app's own routes through the history fallback, and the server's paths untouched by it.

use std::path::{Path, PathBuf};

use reqwest::{StatusCode, header};
use serde_json::Value;

use crate::helpers::{TestApp, TestResult};

const INDEX_HTML: &str = "<!doctype html><title>opsdeck</title><div id=\"root\"></div>";
const ASSET_JS: &str = "console.log('opsdeck');";

/// A stand-in for `frontend/dist`, removed when dropped.
pub(crate) struct BuildDir(PathBuf);

impl BuildDir {
    pub(crate) fn new() -> TestResult<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos();
        let dir = std::env::temp_dir().join(format!("opsdeck-spa-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir.join("assets"))?;
        std::fs::write(dir.join("index.html"), INDEX_HTML)?;
        std::fs::write(dir.join("assets/index-3f2a1b.js"), ASSET_JS)?;
        Ok(Self(dir))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for BuildDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn spawn_serving(build: &BuildDir) -> TestResult<TestApp> {
    let dir = build.path().display().to_string();
    TestApp::spawn_with(&[("OPSDECK_STATIC_DIR", dir.as_str())]).await
}

fn header_of(response: &reqwest::Response, name: header::HeaderName) -> &str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_app_is_served_at_the_root_and_for_its_own_routes() -> TestResult {
    let build = BuildDir::new()?;
    let app = spawn_serving(&build).await?;

    for path in ["/", "/exports/42", "/audit?action_prefix=auth.", "/dashboard/"] {
        let response = app.get(path).await?;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(header_of(&response, header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        // Revalidated on every load, so a new release's index.html is picked up at once.
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache", "{path}");
        assert_eq!(response.text().await?, INDEX_HTML, "{path}");
    }

    let asset = app.get("/assets/index-3f2a1b.js").await?;
    assert_eq!(asset.status(), StatusCode::OK);
    assert!(header_of(&asset, header::CONTENT_TYPE).contains("javascript"));
    assert!(header_of(&asset, header::CACHE_CONTROL).contains("immutable"));
    assert_eq!(asset.text().await?, ASSET_JS);
    Ok(())
}

#[tokio::test]
async fn server_paths_keep_answering_as_without_the_app() -> TestResult {
    let build = BuildDir::new()?;
    let app = spawn_serving(&build).await?;

    for path in ["/api/v1/no-such-collection", "/api/no-such-thing", "/assets/removed-in-this-release.js"] {
        let response = app.get(path).await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(header_of(&response, header::CONTENT_TYPE), "application/problem+json", "{path}");
        assert_eq!(response.json::<Value>().await?["code"], "not_found", "{path}");
    }

    let health = app.get("/healthz").await?;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<Value>().await?["status"], "ok");
    let ready = app.get("/readyz").await?;
    assert_eq!(ready.json::<Value>().await?["status"], "ready");
    let metrics = app.get("/metrics").await?;
    assert!(metrics.text().await?.contains("opsdeck_http_requests_total"));
    let document = app.get("/api/openapi.json").await?.json::<Value>().await?;
    assert_eq!(document["openapi"], "3.1.0");

    // The API still refuses a signed-out caller with a problem, not the app's page.
    let me = app.get("/api/v1/me").await?;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header_of(&me, header::CONTENT_TYPE), "application/problem+json");

    // Only GET and HEAD reach the app's page; another method on its path is a 405 problem.
    let post = app.client.post(app.url("/exports/42")).send().await?;
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header_of(&post, header::CONTENT_TYPE), "application/problem+json");
    let unknown_api_post = app.client.post(app.url("/api/v1/no-such-collection")).send().await?;
    assert_eq!(unknown_api_post.status(), StatusCode::NOT_FOUND);
    assert_eq!(unknown_api_post.json::<Value>().await?["code"], "not_found");
    let wrong_method = app.client.delete(app.url("/healthz")).send().await?;
    assert_eq!(wrong_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    Ok(())
}

#[tokio::test]
async fn without_a_static_dir_the_root_is_a_404_problem() -> TestResult {
    let app = TestApp::spawn().await?;

    let response = app.get("/exports/42").await?;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header_of(&response, header::CONTENT_TYPE), "application/problem+json");
    Ok(())
}
