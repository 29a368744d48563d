//! Tenants: staff list and read them, superadmins create and change them.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    admin::tenants::{self, NewTenant, TenantChanges},
    enums::TenantStatus,
    models,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::Json;
use crate::{
    auth::{Authorized, Meta, perm},
    problem::{ApiResult, Problem},
    routes::shared::Page,
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct Tenant {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<models::Tenant> for Tenant {
    fn from(t: models::Tenant) -> Self {
        Self {
            id: t.id,
            slug: t.slug,
            name: t.name,
            status: t.status,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenant {
    /// 2-63 of a-z, 0-9 and inner hyphens; unique.
    #[schema(min_length = 2, max_length = 63, pattern = "^[a-z0-9][a-z0-9-]*[a-z0-9]$")]
    pub slug: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenant {
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    pub status: Option<TenantStatus>,
}

/// List tenants (partners see their own).
#[utoipa::path(
    operation_id = "list_tenants",
    tag = "admin",
    responses(
        (status = 200, description = "Tenants by slug", body = Page<Tenant>),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TenantsRead::NAME))),
)]
#[get("/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    auth: Authorized<perm::TenantsRead>,
) -> ApiResult<web::Json<Page<Tenant>>> {
    let tenants = tenants::list(&state.db, &auth.caller).await?;
    Ok(web::Json(Page::whole(tenants.into_iter().map(Tenant::from).collect())))
}

/// Create a tenant.
#[utoipa::path(
    operation_id = "create_tenant",
    tag = "admin",
    responses(
        (status = 201, description = "Created", body = Tenant),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TenantsWrite::NAME))),
)]
#[post("/tenants")]
pub async fn create_tenant(
    state: web::Data<AppState>,
    auth: Authorized<perm::TenantsWrite>,
    meta: Meta,
    body: Json<CreateTenant>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let tenant =
        tenants::create(&state.db, &auth.caller, NewTenant { slug: body.slug, name: body.name }, &meta.0).await?;
    Ok(HttpResponse::Created().json(Tenant::from(tenant)))
}

/// One tenant.
#[utoipa::path(
    operation_id = "get_tenant",
    tag = "admin",
    responses(
        (status = 200, description = "The tenant", body = Tenant),
        (status = 404, description = "No such tenant in your scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TenantsRead::NAME))),
)]
#[get("/tenants/{id}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    auth: Authorized<perm::TenantsRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Tenant>> {
    Ok(web::Json(tenants::get(&state.db, &auth.caller, id.into_inner()).await?.into()))
}

/// Rename, suspend or reactivate a tenant.
#[utoipa::path(
    operation_id = "update_tenant",
    tag = "admin",
    responses(
        (status = 200, description = "Updated", body = Tenant),
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TenantsWrite::NAME))),
)]
#[patch("/tenants/{id}")]
pub async fn update_tenant(
    state: web::Data<AppState>,
    auth: Authorized<perm::TenantsWrite>,
    meta: Meta,
    id: web::Path<i64>,
    body: Json<UpdateTenant>,
) -> ApiResult<web::Json<Tenant>> {
    let body = body.into_inner();
    let changes = TenantChanges { name: body.name, status: body.status };
    Ok(web::Json(tenants::update(&state.db, &auth.caller, id.into_inner(), changes, &meta.0).await?.into()))
}
