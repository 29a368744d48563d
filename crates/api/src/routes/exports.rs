//! Export jobs: create (202), list, read, retry one or many, download.

use actix_web::{
    HttpResponse, get,
    http::header::{ContentDisposition, DispositionParam, DispositionType},
    post, web,
};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    DomainError,
    enums::{ExportDataset, ExportJobStatus},
    exports::{self, ExportFilters, ExportJob, ExportListFilter, NewExport},
    jobs::ErrorAudience,
};
use serde::{Deserialize, Serialize, Serializer, ser::SerializeStruct};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Query};
use crate::{
    auth::{Authorized, Meta, perm},
    problem::{ApiResult, Problem},
    routes::{
        catalog::TenantQuery,
        shared::{Page, PageQuery},
    },
    state::AppState,
};

/// An export job and, once DONE, its file.
#[derive(Serialize, ToSchema)]
pub struct ExportJobView {
    pub id: i64,
    /// `null`: every tenant (staff only).
    pub tenant_id: Option<i64>,
    pub dataset: ExportDataset,
    /// Always `csv` for now.
    pub format: String,
    #[serde(serialize_with = "every_filter")]
    pub filters: ExportFilters,
    pub status: ExportJobStatus,
    /// Runs so far (a manual retry starts counting again).
    pub attempts: i32,
    pub max_attempts: i32,
    /// Why the last run failed.
    pub last_error: Option<String>,
    pub row_count: Option<i64>,
    pub byte_size: Option<i64>,
    pub checksum_sha256: Option<String>,
    /// True when `GET /export-jobs/{id}/download` will hand out the file.
    pub downloadable: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub requested_by_user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job's filters, every one present: an unset filter reads as `null`.
fn every_filter<S: Serializer>(filters: &ExportFilters, serializer: S) -> Result<S::Ok, S::Error> {
    // Destructured in full: a new filter does not compile until it is shown here too.
    let ExportFilters { status, from, to } = filters;
    let mut shown = serializer.serialize_struct("ExportFilterSet", 3)?;
    shown.serialize_field("status", status)?;
    shown.serialize_field("from", from)?;
    shown.serialize_field("to", to)?;
    shown.end()
}

impl ExportJobView {
    /// The job as `audience` may read it (a tenant reads its version of the error).
    pub fn new(job: ExportJob, audience: ErrorAudience) -> Result<Self, DomainError> {
        let downloadable = job.downloadable(Utc::now());
        Ok(Self {
            id: job.id,
            tenant_id: job.tenant_id,
            dataset: job.dataset,
            filters: job.filter_set()?,
            format: job.format,
            status: job.status,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            last_error: audience.read(job.last_error, job.public_error),
            row_count: job.row_count,
            byte_size: job.byte_size,
            checksum_sha256: job.checksum_sha256,
            downloadable,
            expires_at: job.expires_at,
            requested_by_user_id: job.requested_by_user_id,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExport {
    pub dataset: ExportDataset,
    /// Staff: one tenant, or omit for all. Partners: omit (always their own).
    pub tenant_id: Option<i64>,
    #[serde(default)]
    pub filters: ExportFilters,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub status: Option<ExportJobStatus>,
    pub dataset: Option<ExportDataset>,
    /// Jobs created at or after this instant.
    pub created_from: Option<DateTime<Utc>>,
    /// Jobs created before this instant.
    pub created_to: Option<DateTime<Utc>>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryExports {
    /// 1-500 job ids.
    #[schema(min_items = 1, max_items = 500)]
    pub ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SkippedExport {
    pub id: i64,
    /// `not_found` (no such job in your scope) or `not_failed` (only FAILED jobs are retried).
    pub code: &'static str,
    pub detail: String,
}

#[derive(Serialize, ToSchema)]
pub struct RetryResult {
    /// Back in the queue.
    pub retried: Vec<ExportJobView>,
    /// Left alone, each with the reason.
    pub skipped: Vec<SkippedExport>,
}

/// Start an export; the worker writes the CSV in the background.
#[utoipa::path(
    operation_id = "create_export_job", tag = "exports",
    responses(
        (status = 202, description = "Queued", body = ExportJobView),
        (status = 403, description = "Missing permission (an audit-log export also needs audit:export)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsCreate::NAME))),
)]
#[post("/export-jobs")]
pub async fn create_export_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsCreate>,
    meta: Meta,
    body: Json<CreateExport>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new = NewExport { dataset: body.dataset, tenant_id: body.tenant_id, filters: body.filters };
    let max_attempts = state.settings.worker.max_attempts;
    let job = exports::create(&state.db, &auth.caller, auth.scope, new, max_attempts, &meta.0).await?;
    Ok(HttpResponse::Accepted().json(ExportJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// List export jobs, newest first.
#[utoipa::path(
    operation_id = "list_export_jobs", tag = "exports", params(PageQuery, TenantQuery, ExportQuery),
    responses(
        (status = 200, description = "A page of jobs", body = Page<ExportJobView>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page or filter", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsRead::NAME))),
)]
#[get("/export-jobs")]
pub async fn list_export_jobs(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsRead>,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    filter: Query<ExportQuery>,
) -> ApiResult<web::Json<Page<ExportJobView>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let filter = ExportListFilter {
        status: filter.status,
        dataset: filter.dataset,
        created_from: filter.created_from,
        created_to: filter.created_to,
    };
    let jobs = exports::list(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::try_from_domain(jobs, |job| ExportJobView::new(job, ErrorAudience::of(&auth.caller)))?))
}

/// One export job.
#[utoipa::path(
    operation_id = "get_export_job", tag = "exports",
    responses(
        (status = 200, description = "The job", body = ExportJobView),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsRead::NAME))),
)]
#[get("/export-jobs/{id}")]
pub async fn get_export_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ExportJobView>> {
    let job = exports::get(&state.db, auth.scope, id.into_inner()).await?;
    Ok(web::Json(ExportJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// Retry a FAILED export job.
#[utoipa::path(
    operation_id = "retry_export_job", tag = "exports",
    responses(
        (status = 202, description = "Queued again", body = ExportJobView),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not FAILED", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsRetry::NAME))),
)]
#[post("/export-jobs/{id}/retry")]
pub async fn retry_export_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsRetry>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let job = exports::retry(&state.db, &auth.caller, auth.scope, id.into_inner(), &meta.0).await?;
    Ok(HttpResponse::Accepted().json(ExportJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// Retry several export jobs: the FAILED ones are queued again, the others reported.
#[utoipa::path(
    operation_id = "retry_export_jobs", tag = "exports",
    responses(
        (status = 200, description = "What was retried and what was skipped, and why", body = RetryResult),
        (status = 422, description = "No ids, or more than 500", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsRetry::NAME))),
)]
#[post("/export-jobs/retry")]
pub async fn retry_export_jobs(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsRetry>,
    meta: Meta,
    body: Json<RetryExports>,
) -> ApiResult<web::Json<RetryResult>> {
    let report = exports::retry_many(&state.db, &auth.caller, auth.scope, &body.ids, &meta.0).await?;
    Ok(web::Json(RetryResult {
        retried: report
            .retried
            .into_iter()
            .map(|job| ExportJobView::new(job, ErrorAudience::of(&auth.caller)))
            .collect::<Result<_, _>>()?,
        skipped: report
            .skipped
            .into_iter()
            .map(|s| SkippedExport { id: s.id, code: s.reason.code(), detail: s.detail })
            .collect(),
    }))
}

/// Download a DONE export's CSV. Every download is recorded in the audit log.
#[utoipa::path(
    operation_id = "download_export_job", tag = "exports",
    responses(
        (status = 200, description = "The CSV file", body = String, content_type = "text/csv"),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not DONE yet, or its file expired", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::ExportsDownload::NAME))),
)]
#[get("/export-jobs/{id}/download")]
pub async fn download_export_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::ExportsDownload>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let download =
        exports::download(&state.db, state.store.as_ref(), &auth.caller, auth.scope, id.into_inner(), &meta.0).await?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::mime::TEXT_CSV_UTF_8)
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(download.filename)],
        })
        .no_chunking(download.file.size)
        .streaming(download.file.body))
}
