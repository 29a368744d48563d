//! Liveness, readiness and metrics for orchestrators and Prometheus.

use actix_web::{HttpResponse, get, http::StatusCode, web};
use serde::Serialize;
use utoipa::ToSchema;

use opsdeck_domain::{Db, jobs};

use crate::{
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
    extensions(("x-permission" = json!("public"))),
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
    extensions(("x-permission" = json!("public"))),
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
    responses((status = 200, description = "Metrics", body = String, content_type = "text/plain; version=0.0.4")),
    extensions(("x-permission" = json!("public"))),
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    exposition(&state.metrics, &state.db).await
}

/// The metrics with fresh job-queue gauges, in the text exposition format.
pub async fn exposition(registry: &Metrics, db: &Db) -> ApiResult<HttpResponse> {
    registry.set_jobs(&jobs::stats(db).await?);
    let body = registry.render().map_err(|e| ApiError::Domain(opsdeck_domain::DomainError::Internal(e.to_string())))?;
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body))
}
