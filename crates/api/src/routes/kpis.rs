//! Daily KPI series (from the rollup tables) and background rebuilds.

use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use opsdeck_domain::kpis::{self, DailyKpi, RebuildJob};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::{Json, Query};
use crate::{
    auth::{Authorized, Meta, perm},
    problem::{ApiResult, Problem},
    routes::catalog::TenantQuery,
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct RevenueView {
    /// ISO 4217.
    pub currency: String,
    /// Paid, not refunded, in minor units.
    pub amount_minor: i64,
    pub paid_orders: i64,
}

/// One day. A day without activity is zeros, never missing.
#[derive(Serialize, ToSchema)]
pub struct DailyKpiView {
    pub day: NaiveDate,
    pub signups: i64,
    /// Distinct customers who ordered, signed up or were seen that day.
    pub dau: i64,
    pub orders: i64,
    pub churned: i64,
    pub revenue: Vec<RevenueView>,
}

impl From<DailyKpi> for DailyKpiView {
    fn from(k: DailyKpi) -> Self {
        Self {
            day: k.day,
            signups: k.signups,
            dau: k.dau,
            orders: k.orders,
            churned: k.churned,
            revenue: k
                .revenue
                .into_iter()
                .map(|r| RevenueView { currency: r.currency, amount_minor: r.amount_minor, paid_orders: r.paid_orders })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KpiSeries {
    /// `null`: platform-wide (staff without `tenant_id`).
    pub tenant_id: Option<i64>,
    pub days: Vec<DailyKpiView>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// First day (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day, inclusive (default: today in the KPI time zone). At most 366 days in all.
    pub to: Option<NaiveDate>,
}

/// Daily KPIs: platform-wide for staff, or one tenant's (`tenant_id`; partners: always their own).
#[utoipa::path(
    operation_id = "get_daily_kpis", tag = "kpis", params(RangeQuery, TenantQuery),
    responses(
        (status = 200, description = "A dense series, oldest day first", body = KpiSeries),
        (status = 404, description = "A tenant outside your scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad or too long range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::KpisRead::NAME))),
)]
#[get("/kpis/daily")]
pub async fn get_daily_kpis(
    state: web::Data<AppState>,
    auth: Authorized<perm::KpisRead>,
    range: Query<RangeQuery>,
    tenant: Query<TenantQuery>,
) -> ApiResult<web::Json<KpiSeries>> {
    let scope = auth.scope.narrow(tenant.tenant_id)?;
    let to = range.to.unwrap_or_else(|| Utc::now().with_timezone(&state.settings.kpi.timezone).date_naive());
    let from = range.from.unwrap_or(to - Duration::days(29));
    let days = kpis::daily_series(state.db.conn(), scope, from, to).await?;
    Ok(web::Json(KpiSeries { tenant_id: scope.tenant_id(), days: days.into_iter().map(DailyKpiView::from).collect() }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebuildRequest {
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct RebuildJobView {
    pub id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// PENDING, RUNNING, DONE or FAILED.
    pub status: String,
    /// The next day to build when it resumes.
    pub next_day: Option<NaiveDate>,
    /// When it ended (DONE or FAILED).
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<RebuildJob> for RebuildJobView {
    fn from(job: RebuildJob) -> Self {
        Self {
            id: job.id,
            from: job.from_day,
            to: job.to_day,
            status: job.status.as_str().to_owned(),
            next_day: job.next_day,
            finished_at: job.finished_at,
        }
    }
}

/// Rebuild the KPIs of a range of days in the background (every tenant and the platform).
#[utoipa::path(
    operation_id = "rebuild_kpis", tag = "kpis",
    responses(
        (status = 202, description = "Queued", body = RebuildJobView),
        (status = 422, description = "A bad range", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::KpisRebuild::NAME))),
)]
#[post("/kpis/rebuild")]
pub async fn rebuild_kpis(
    state: web::Data<AppState>,
    auth: Authorized<perm::KpisRebuild>,
    meta: Meta,
    body: Json<RebuildRequest>,
) -> ApiResult<HttpResponse> {
    let max_attempts = state.settings.worker.max_attempts;
    let job = kpis::create_rebuild(&state.db, Some(&auth.caller), body.from, body.to, max_attempts, &meta.0).await?;
    Ok(HttpResponse::Accepted().json(RebuildJobView::from(job)))
}

/// One KPI rebuild job: follow a rebuild to its end (its changes also come through
/// `GET /events` as `kpi_rebuild_job.progress` and `kpi_rebuild_job.finished`).
#[utoipa::path(
    operation_id = "get_kpi_rebuild", tag = "kpis",
    responses(
        (status = 200, description = "The job", body = RebuildJobView),
        (status = 404, description = "No such rebuild", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])), extensions(("x-permission" = json!(perm::KpisRebuild::NAME))),
)]
#[get("/kpis/rebuilds/{id}")]
pub async fn get_kpi_rebuild(
    state: web::Data<AppState>,
    _auth: Authorized<perm::KpisRebuild>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<RebuildJobView>> {
    Ok(web::Json(RebuildJobView::from(kpis::get_rebuild(&state.db, id.into_inner()).await?)))
}
