//! Liveness, readiness and metrics for orchestrators and Prometheus.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, web};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use utoipa::ToSchema;

use opsdeck_domain::{Db, auth::secrets::sha256_hex, jobs};

use crate::{
    auth::bearer_token,
    metrics::Metrics,
    problem::{ApiError, ApiResult, Problem},
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when alive, `ready` when the database answers.
    pub status: &'static str,
}

/// Liveness: the process is up.
#[utoipa::path(
    operation_id = "get_healthz",
    tag = "ops",
    responses((status = 200, description = "The process is alive", body = Health)),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: the database answers.
#[utoipa::path(
    operation_id = "get_readyz",
    tag = "ops",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer", body = Problem,
            content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> ApiResult<web::Json<Health>> {
    readiness(&state.db).await
}

/// Ready when the database answers (the API's and the standalone worker's readiness alike).
pub async fn readiness(db: &Db) -> ApiResult<web::Json<Health>> {
    db.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        ApiError::http(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database does not answer")
    })?;
    Ok(web::Json(Health { status: "ready" }))
}

/// Prometheus metrics in the text exposition format: requests per route template, and the job
/// queues (rows per kind and status, due backlog and its age).
#[utoipa::path(
    operation_id = "get_metrics",
    tag = "ops",
    responses(
        (status = 200, description = "Metrics", body = String, content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`OPSDECK_METRICS_TOKEN` is set and this is not its bearer token; or none is set and the request came through a proxy or from another host",
            body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    allow_scrape(&req, state.http.metrics_token.as_ref())?;
    exposition(&state.metrics, &state.db).await
}

/// Metrics tell an attacker the routes, volumes and failures: with a token, only its bearer
/// reads them; without one, only a scraper on this host that no proxy forwarded.
fn allow_scrape(req: &HttpRequest, token: Option<&SecretString>) -> Result<(), ApiError> {
    let allowed = match token {
        // Comparing digests: how long a comparison takes says nothing about the token.
        Some(token) => bearer_token(req).is_some_and(|given| sha256_hex(&given) == sha256_hex(token.expose_secret())),
        None => {
            let forwarded = req.headers().contains_key("x-forwarded-for") || req.headers().contains_key("forwarded");
            !forwarded && req.peer_addr().is_some_and(|peer| peer.ip().is_loopback())
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::http(
            StatusCode::UNAUTHORIZED,
            "metrics_token_required",
            "metrics are served to the bearer of OPSDECK_METRICS_TOKEN (or, without one, on loopback only)",
        ))
    }
}

/// The metrics with fresh job-queue gauges, in the text exposition format.
pub async fn exposition(registry: &Metrics, db: &Db) -> ApiResult<HttpResponse> {
    registry.set_jobs(&jobs::stats(db).await?);
    let body = registry.render().map_err(|e| ApiError::Domain(opsdeck_domain::DomainError::Internal(e.to_string())))?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body))
}
