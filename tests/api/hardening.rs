//! What the browser is told about every answer: the app cannot be framed nor run foreign
//! script, nothing personal is cached or leaks through a referrer, and HSTS once behind TLS.

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult};
use opsdeck_domain::enums::Role;

fn header_of<'a>(response: &'a reqwest::Response, name: &header::HeaderName) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn the_app_page_runs_only_its_own_scripts_and_is_never_framed() -> TestResult {
    let build = crate::spa::BuildDir::new()?;
    let dir = build.path().display().to_string();
    let app = TestApp::spawn_with(&[("OPSDECK_STATIC_DIR", dir.as_str())]).await?;

    for path in ["/", "/exports/42", "/api/docs/"] {
        let page = app.get(path).await?;
        assert!(header_of(&page, &header::CONTENT_TYPE).starts_with("text/html"), "{path}");
        let policy = header_of(&page, &header::CONTENT_SECURITY_POLICY);
        for directive in ["script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"] {
            assert!(policy.split(';').any(|d| d.trim() == directive), "{path}: {directive} missing from {policy:?}");
        }
        assert_eq!(header_of(&page, &header::X_FRAME_OPTIONS), "DENY", "{path}");
        assert_eq!(header_of(&page, &header::REFERRER_POLICY), "no-referrer", "{path}");
        assert_eq!(header_of(&page, &header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{path}");
    }
    Ok(())
}

#[tokio::test]
async fn answers_with_personal_data_are_never_stored_by_a_browser_or_proxy() -> TestResult {
    let app = TestApp::spawn().await?;
    let root = app.signed_in("root", Role::Superadmin, None).await?;

    for path in ["/api/v1/me", "/api/v1/users", "/api/v1/audit-logs"] {
        let answer = app.get_as(&root, path).await?;
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        assert_eq!(header_of(&answer, &header::CACHE_CONTROL), "no-store", "{path}");
        assert_eq!(header_of(&answer, &header::REFERRER_POLICY), "no-referrer", "{path}");
    }
    let refused = app.get("/api/v1/me").await?;
    assert_eq!(header_of(&refused, &header::CACHE_CONTROL), "no-store");
    Ok(())
}

#[tokio::test]
async fn strict_transport_security_is_sent_only_when_served_over_tls() -> TestResult {
    let plain = TestApp::spawn().await?;
    let answer = plain.get("/healthz").await?;
    assert!(answer.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none(), "HSTS over plain HTTP");

    let behind_tls = TestApp::spawn_with(&[("OPSDECK_COOKIE_SECURE", "true")]).await?;
    let answer = behind_tls.get("/healthz").await?;
    assert!(header_of(&answer, &header::STRICT_TRANSPORT_SECURITY).starts_with("max-age=31536000"));
    Ok(())
}

/// Refused requests leave a trace, but a loop of them cannot make the server write at will:
/// forty forged webhook posts from one address within the minute are one audit entry.
#[tokio::test]
async fn a_flood_of_refused_requests_writes_one_audit_entry_per_source_and_minute() -> TestResult {
    let app = TestApp::spawn().await?;
    let before = app.count("SELECT COUNT(*) FROM audit_log").await?;
    for _ in 0..40 {
        let refused = app.post_json("/api/v1/webhooks/nope", &json!({"type": "order.paid"})).await?;
        assert!(refused.status().is_client_error(), "{}", refused.status());
    }
    let written = app.count("SELECT COUNT(*) FROM audit_log").await? - before;
    assert_eq!(written, 1, "the first refusal is recorded, the rest are counted");
    Ok(())
}

/// Each open live-event stream is a connection and a poll loop: one caller gets a few, not all.
#[tokio::test]
async fn a_caller_may_hold_only_a_few_live_event_streams_open() -> TestResult {
    let app = TestApp::spawn_with(&[("OPSDECK_EVENT_STREAMS_PER_CALLER", "2")]).await?;
    let ops = app.signed_in("olga", Role::Ops, None).await?;
    let other = app.signed_in("otto", Role::Ops, None).await?;
    let open = |token: &str| app.client.get(app.url("/api/v1/events")).bearer_auth(token).send();

    let first = open(&ops).await?;
    let second = open(&ops).await?;
    assert_eq!((first.status(), second.status()), (StatusCode::OK, StatusCode::OK));
    let third = open(&ops).await?;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let problem: Value = third.json().await?;
    assert_eq!(problem["code"], "too_many_streams");
    assert_eq!(open(&other).await?.status(), StatusCode::OK, "another caller has places of their own");
    drop((first, second));
    Ok(())
}

/// Metrics name every route and how often it fails: behind a token when one is set, and
/// without one only for a scraper on the same host that no proxy forwarded.
#[tokio::test]
async fn metrics_are_served_only_to_their_scraper() -> TestResult {
    let token = "scrape-me-if-you-can-0123456789";
    let app = TestApp::spawn_with(&[("OPSDECK_METRICS_TOKEN", token)]).await?;
    assert_eq!(app.get("/metrics").await?.status(), StatusCode::UNAUTHORIZED);
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("scrape-me-if-you-can-0123456780").send().await?;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let scraped = app.client.get(app.url("/metrics")).bearer_auth(token).send().await?;
    assert_eq!(scraped.status(), StatusCode::OK);
    assert!(scraped.text().await?.contains("http_requests_total"));

    let local_only = TestApp::spawn().await?;
    assert_eq!(local_only.get("/metrics").await?.status(), StatusCode::OK, "a scraper on this host");
    let forwarded =
        local_only.client.get(local_only.url("/metrics")).header("x-forwarded-for", "203.0.113.9").send().await?;
    assert_eq!(forwarded.status(), StatusCode::UNAUTHORIZED, "a request a proxy forwarded from elsewhere");
    Ok(())
}
