//! Headers that tell browsers how to treat every answer: no sniffing, no referrer, no caching of
//! anything that did not choose a cache policy itself (API answers carry personal data), a
//! Content-Security-Policy on HTML pages, and HSTS when the server is reached over TLS.

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
    web,
};

use crate::state::AppState;

/// The app loads only its own scripts, styles and API; it is never framed, and no injected
/// `<base>` or plugin can redirect it.
const APP_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Swagger UI (vendored, served by opsdeck) sets inline styles; its scripts stay its own files.
const API_DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Anything else (JSON, CSV, metrics) is never a document to render or frame.
const DATA_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

const HSTS: &str = "max-age=31536000; includeSubDomains";

pub(crate) async fn add(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let over_tls = req.app_data::<web::Data<AppState>>().is_some_and(|state| state.http.cookie_secure);
    let api_docs = req.path().starts_with("/api/docs");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let policy = match (is_html, api_docs) {
        (true, true) => API_DOCS_POLICY,
        (true, false) => APP_POLICY,
        (false, _) => DATA_POLICY,
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if over_tls {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(response)
}
