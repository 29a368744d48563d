//! Integrator tokens: create (the secret is in this response only), list, revoke.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    auth::tokens::{self, NewToken, TokenInfo},
    enums::Role,
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
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it (`odk_…`).
    pub display_prefix: String,
    pub roles: Vec<Role>,
    pub tenant_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<TokenInfo> for ApiToken {
    fn from(token: TokenInfo) -> Self {
        Self {
            id: token.id,
            name: token.name,
            display_prefix: token.display_prefix,
            roles: token.roles,
            tenant_id: token.tenant_id,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
            created_at: token.created_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Roles granting no more than you hold (`delegable_roles` in `/me`). Partner roles need a
    /// tenant; roles that administer the platform cannot be bound to one.
    #[schema(min_items = 1, max_items = 5)]
    pub roles: Vec<Role>,
    /// Confine the token to one tenant (partners' tokens always are).
    pub tenant_id: Option<i64>,
    /// Lifetime in days, 1-365 (default 90).
    #[schema(minimum = 1, maximum = 365)]
    pub expires_in_days: Option<u32>,
    /// Your current password, to confirm it is you.
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

/// A new token. `secret` is shown here and never again.
#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// List your integrator tokens (administrators: everyone's; a caller bound to a tenant: only that tenant's).
#[utoipa::path(
    operation_id = "list_tokens",
    tag = "tokens",
    responses(
        (status = 200, description = "Tokens, newest first", body = Page<ApiToken>),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TokensManage::NAME))),
)]
#[get("/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    auth: Authorized<perm::TokensManage>,
) -> ApiResult<web::Json<Page<ApiToken>>> {
    let tokens = tokens::list(&state.db, &auth.caller).await?;
    Ok(web::Json(Page::whole(tokens.into_iter().map(ApiToken::from).collect())))
}

/// Create an integrator token bound to some of your roles (and optionally one tenant).
#[utoipa::path(
    operation_id = "create_token",
    tag = "tokens",
    responses(
        (status = 201, description = "Created; copy the secret now", body = CreatedToken),
        (status = 403, description = "Missing permission, or called with a token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input, roles beyond your own rights or a platform-wide role bound to a tenant (`validation_failed`), or not your current password (`wrong_password`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed password checks for this account or address (the login throttle)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TokensManage::NAME))),
)]
#[post("/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    auth: Authorized<perm::TokensManage>,
    meta: Meta,
    body: Json<CreateToken>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let new_token = NewToken {
        name: body.name,
        roles: body.roles,
        tenant_id: body.tenant_id,
        expires_in_days: body.expires_in_days,
        password: body.password,
    };
    let (token, secret) = tokens::create(&state.db, &state.settings.auth, &auth.caller, new_token, &meta.0).await?;
    Ok(HttpResponse::Created()
        .insert_header(("cache-control", "no-store"))
        .json(CreatedToken { token: token.into(), secret }))
}

/// Revoke a token at once.
#[utoipa::path(
    operation_id = "revoke_token",
    tag = "tokens",
    responses(
        (status = 204, description = "Revoked (or already revoked)"),
        (status = 404, description = "No such token among those you manage", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::TokensManage::NAME))),
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    auth: Authorized<perm::TokensManage>,
    meta: Meta,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    tokens::revoke(&state.db, &auth.caller, id.into_inner(), &meta.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
