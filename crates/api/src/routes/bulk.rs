//! Bulk jobs: preview (count, sample, confirmation token), start with the token (202), list,
//! read with progress, cancel, the failure report, and a retry of just the failed rows.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    DomainError,
    bulk::{
        self, BulkFailure, BulkJob, BulkListFilter, BulkRequest, Confirmation, ConfirmationKey, Preview, SampleRow,
        Target,
    },
    enums::BulkJobStatus,
    jobs::ErrorAudience,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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

/// The rows an action applies to: exactly one of `ids` or `filter`.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTarget {
    /// Explicit row ids (1-10,000). Ids outside your scope are reported in `foreign_ids` and
    /// never touched.
    pub ids: Option<Vec<i64>>,
    /// A filter over the action's table, resolved when the job is confirmed. Products:
    /// `shop_id`, `visibility`; articles: `status`; comments: `status`, `article_id`. `{}`: every
    /// row in your scope.
    #[schema(value_type = Option<std::collections::HashMap<String, Object>>, additional_properties)]
    pub filter: Option<serde_json::Map<String, Value>>,
}

impl BulkTarget {
    fn into_domain(self) -> Result<Target, DomainError> {
        match (self.ids, self.filter) {
            (Some(ids), None) => Ok(Target::Ids(ids)),
            (None, Some(filter)) => Ok(Target::Filter(filter)),
            _ => Err(DomainError::invalid_field("target", "give exactly one of `ids` or `filter`")),
        }
    }
}

/// Declares a request body that carries a bulk request: the body's own fields, then those of the
/// request, declared here once.
macro_rules! bulk_request_body {
    ($(#[$attr:meta])* $name:ident { $($(#[$field_attr:meta])* $field:ident: $type:ty,)* }) => {
        $(#[$attr])*
        #[derive(Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_attr])* pub $field: $type,)*
            /// `product.price_change` (`{"percent": -10}`: a decimal from -100 to 1000 with at most two
            /// places; new prices are rounded half away from zero to whole minor units),
            /// `product.set_visibility` (`{"visibility": "visible" | "hidden"}`), `article.publish`,
            /// `article.unpublish`, `comment.approve`, `comment.remove` (no parameters).
            #[schema(example = "product.price_change", max_length = 64)]
            pub action: String,
            #[serde(default)]
            #[schema(value_type = std::collections::HashMap<String, Object>, additional_properties)]
            pub params: Value,
            pub target: BulkTarget,
            /// Staff: one tenant's rows, or omit for all tenants. Partners: omit (always their own).
            pub tenant_id: Option<i64>,
        }

        impl $name {
            fn request(self) -> Result<BulkRequest, DomainError> {
                Ok(BulkRequest {
                    action: self.action,
                    params: self.params,
                    target: self.target.into_domain()?,
                    tenant_id: self.tenant_id,
                })
            }
        }
    };
}

bulk_request_body!(
    /// What to change.
    BulkJobRequest {}
);

bulk_request_body!(
    /// A confirmed preview: the same request, plus the preview's token.
    CreateBulkJob {
        /// From `POST /bulk-jobs/preview`; good for one job, for 10 minutes, for exactly the
        /// previewed request and caller.
        #[schema(max_length = 1024)]
        confirmation_token: String,
    }
);

/// A row before and after the change.
#[derive(Serialize, ToSchema)]
pub struct SampleRowView {
    pub id: i64,
    pub tenant_id: i64,
    #[schema(value_type = std::collections::HashMap<String, Object>, additional_properties)]
    pub before: Value,
    /// `null` when the row cannot take the change (`error` says why); equal to `before` when
    /// the row is already as the action would leave it.
    #[schema(value_type = Option<std::collections::HashMap<String, Object>>, additional_properties)]
    pub after: Option<Value>,
    pub error: Option<String>,
}

impl From<SampleRow> for SampleRowView {
    fn from(row: SampleRow) -> Self {
        Self { id: row.id, tenant_id: row.tenant_id, before: row.before, after: row.after, error: row.error }
    }
}

/// What a job would do, and the token that starts it.
#[derive(Serialize, ToSchema)]
pub struct BulkPreview {
    pub action: String,
    /// The parameters as they will be applied (normalized).
    #[schema(value_type = std::collections::HashMap<String, Object>, additional_properties)]
    pub params: Value,
    /// Rows in your scope the job would act on (a filter is resolved again at confirmation).
    pub total: i64,
    /// Up to 10 rows, lowest ids first.
    pub sample: Vec<SampleRowView>,
    /// Requested ids outside your scope (another tenant's, or none at all): never touched.
    pub foreign_ids: Vec<i64>,
    pub confirmation_token: String,
    pub expires_at: DateTime<Utc>,
}

impl From<Preview> for BulkPreview {
    fn from(p: Preview) -> Self {
        Self {
            action: p.action,
            params: p.params,
            total: p.total,
            sample: p.sample.into_iter().map(SampleRowView::from).collect(),
            foreign_ids: p.foreign_ids,
            confirmation_token: p.confirmation_token,
            expires_at: p.expires_at,
        }
    }
}

/// A bulk job and its progress.
#[derive(Serialize, ToSchema)]
pub struct BulkJobView {
    pub id: i64,
    /// `null`: rows of every tenant (staff only).
    pub tenant_id: Option<i64>,
    pub action: String,
    #[schema(value_type = std::collections::HashMap<String, Object>, additional_properties)]
    pub params: Value,
    /// The target as confirmed (`{"ids": [...]}`, `{"filter": {...}}`, or for a retry
    /// `{"failed_rows_of": id}`).
    #[schema(value_type = std::collections::HashMap<String, Object>, additional_properties)]
    pub target: Value,
    pub status: BulkJobStatus,
    /// Rows in the frozen target set.
    pub total: i64,
    /// Rows done so far (succeeded + failed).
    pub processed: i64,
    pub succeeded: i64,
    /// Rows that could not be changed; see `GET /bulk-jobs/{id}/failures`.
    pub failed: i64,
    /// `processed / total`, 0-100.
    pub percent: f64,
    /// Rows per second since the current run started (for a finished job: until it ended).
    pub rate_per_second: Option<f64>,
    /// Seconds to go at that rate, while RUNNING.
    pub eta_seconds: Option<f64>,
    /// Rows per transaction.
    pub chunk_size: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    /// The job whose failed rows this one retries.
    pub retry_of_id: Option<i64>,
    pub cancel_requested_at: Option<DateTime<Utc>>,
    pub requested_by_user_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl BulkJobView {
    /// The job as `audience` may read it (a tenant reads its version of the error).
    pub fn new(job: BulkJob, audience: ErrorAudience) -> Result<Self, DomainError> {
        let progress = bulk::progress(&job, Utc::now());
        Ok(Self {
            params: job.params_value()?,
            target: job.target_value()?,
            id: job.id,
            tenant_id: job.tenant_id,
            action: job.action,
            status: job.status,
            total: job.total,
            processed: job.processed,
            succeeded: job.succeeded,
            failed: job.failed,
            percent: progress.percent,
            rate_per_second: progress.rate_per_second,
            eta_seconds: progress.eta_seconds,
            chunk_size: job.chunk_size,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            last_error: audience.read(job.last_error, job.public_error),
            retry_of_id: job.retry_of_id,
            cancel_requested_at: job.cancel_requested_at,
            requested_by_user_id: job.requested_by_user_id,
            created_at: job.created_at,
            started_at: job.started_at,
            finished_at: job.finished_at,
            updated_at: job.updated_at,
        })
    }
}

/// A row the job could not change.
#[derive(Serialize, ToSchema)]
pub struct BulkFailureView {
    /// The row's place in the job's frozen target set.
    pub position: i64,
    /// The id of the product, article or comment.
    pub target_id: i64,
    pub error: Option<String>,
}

impl From<BulkFailure> for BulkFailureView {
    fn from(f: BulkFailure) -> Self {
        Self { position: f.position, target_id: f.target_id, error: f.error }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BulkJobQuery {
    pub status: Option<BulkJobStatus>,
    /// e.g. `product.price_change`.
    #[param(max_length = 64)]
    pub action: Option<String>,
}

fn confirmation_key(state: &AppState) -> ConfirmationKey {
    ConfirmationKey::new(state.keys.derive_key(bulk::token::KEY_PURPOSE))
}

/// Preview a bulk job: how many rows, a sample before -> after, and the token that starts it.
/// Changes nothing.
#[utoipa::path(
    operation_id = "preview_bulk_job", tag = "bulk",
    responses(
        (status = 200, description = "What the job would do", body = BulkPreview),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown action, bad parameters or target", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRun::NAME))),
)]
#[post("/bulk-jobs/preview")]
pub async fn preview_bulk_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRun>,
    body: Json<BulkJobRequest>,
) -> ApiResult<web::Json<BulkPreview>> {
    let request = body.into_inner().request()?;
    let preview = bulk::preview(&state.db, &confirmation_key(&state), &auth.caller, auth.scope, &request).await?;
    Ok(web::Json(preview.into()))
}

/// Start a previewed bulk job with its confirmation token. The target set is frozen now; the
/// worker applies the change in chunks.
#[utoipa::path(
    operation_id = "create_bulk_job", tag = "bulk",
    responses(
        (status = 202, description = "Queued", body = BulkJobView),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`token_used`: this token already started a job", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`confirmation_token_invalid` (altered), `confirmation_token_expired`, `confirmation_token_mismatch` (another caller or request), `empty_target`, or bad input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRun::NAME))),
)]
#[post("/bulk-jobs")]
pub async fn create_bulk_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRun>,
    meta: Meta,
    body: Json<CreateBulkJob>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let token = body.confirmation_token.clone();
    let confirmation = Confirmation { request: body.request()?, token };
    let key = confirmation_key(&state);
    let job =
        bulk::start(&state.db, &key, &auth.caller, auth.scope, &confirmation, &state.settings.worker, &meta.0).await?;
    Ok(HttpResponse::Accepted().json(BulkJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// List bulk jobs, newest first.
#[utoipa::path(
    operation_id = "list_bulk_jobs", tag = "bulk", params(PageQuery, TenantQuery, BulkJobQuery),
    responses(
        (status = 200, description = "A page of jobs", body = Page<BulkJobView>),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRead::NAME))),
)]
#[get("/bulk-jobs")]
pub async fn list_bulk_jobs(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRead>,
    page: Query<PageQuery>,
    tenant: Query<TenantQuery>,
    query: Query<BulkJobQuery>,
) -> ApiResult<web::Json<Page<BulkJobView>>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let query = query.into_inner();
    let filter = BulkListFilter { status: query.status, action: query.action };
    let jobs = bulk::list(&state.db, scope, &filter, page.request()?).await?;
    Ok(web::Json(Page::try_from_domain(jobs, |job| BulkJobView::new(job, ErrorAudience::of(&auth.caller)))?))
}

/// One bulk job with its progress: processed of total, succeeded, failed, rate and ETA.
#[utoipa::path(
    operation_id = "get_bulk_job", tag = "bulk",
    responses(
        (status = 200, description = "The job", body = BulkJobView),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRead::NAME))),
)]
#[get("/bulk-jobs/{id}")]
pub async fn get_bulk_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<BulkJobView>> {
    let job = bulk::get(&state.db, auth.scope, id.into_inner()).await?;
    Ok(web::Json(BulkJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// Cancel a bulk job: a PENDING job at once, a RUNNING one after its current chunk (it ends
/// CANCELLED and keeps what was done).
#[utoipa::path(
    operation_id = "cancel_bulk_job", tag = "bulk",
    responses(
        (status = 202, description = "Cancelled, or cancellation requested", body = BulkJobView),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`job_finished`: the job has already ended", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRun::NAME))),
)]
#[post("/bulk-jobs/{id}/cancel")]
pub async fn cancel_bulk_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRun>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let job = bulk::cancel(&state.db, &auth.caller, auth.scope, id.into_inner(), &meta.0).await?;
    Ok(HttpResponse::Accepted().json(BulkJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// Start a new job over just the rows a finished job failed on (once per job).
#[utoipa::path(
    operation_id = "retry_failed_bulk_job", tag = "bulk",
    responses(
        (status = 202, description = "The new job, queued", body = BulkJobView),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`job_not_finished`, `no_failed_rows` or `already_retried`", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRun::NAME))),
)]
#[post("/bulk-jobs/{id}/retry-failed")]
pub async fn retry_failed_bulk_job(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRun>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let job = bulk::retry_failed(&state.db, &auth.caller, auth.scope, id.into_inner(), &state.settings.worker, &meta.0)
        .await?;
    Ok(HttpResponse::Accepted().json(BulkJobView::new(job, ErrorAudience::of(&auth.caller))?))
}

/// The failure report: the rows a job could not change, and why; last position first.
#[utoipa::path(
    operation_id = "list_bulk_job_failures", tag = "bulk", params(PageQuery),
    responses(
        (status = 200, description = "A page of failed rows", body = Page<BulkFailureView>),
        (status = 404, description = "No such job in your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad page", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::BulkRead::NAME))),
)]
#[get("/bulk-jobs/{id}/failures")]
pub async fn list_bulk_job_failures(
    state: web::Data<AppState>,
    auth: Authorized<perm::BulkRead>,
    id: web::Path<i64>,
    page: Query<PageQuery>,
) -> ApiResult<web::Json<Page<BulkFailureView>>> {
    let failures = bulk::failures(&state.db, auth.scope, id.into_inner(), page.request()?).await?;
    Ok(web::Json(Page::from_domain(failures, BulkFailureView::from)))
}
