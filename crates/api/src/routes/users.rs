//! Staff users and their role bindings (superadmins only). Users are deactivated, never deleted.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use opsdeck_domain::{
    admin::{
        bindings,
        users::{self, CreateUser as NewUser, UserChanges, UserView},
    },
    enums::Role,
    models,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::extract::Json;
use crate::{
    auth::{Authorized, Meta, perm},
    problem::{ApiResult, Problem},
    routes::shared::Page,
    state::AppState,
};

#[derive(Serialize, ToSchema)]
pub struct RoleBinding {
    pub id: i64,
    pub role: Role,
    pub tenant_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<models::RoleBinding> for RoleBinding {
    fn from(b: models::RoleBinding) -> Self {
        Self { id: b.id, role: b.role, tenant_id: b.tenant_id, created_at: b.created_at }
    }
}

/// A staff user. Password hashes and TOTP secrets never leave the server.
#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub is_active: bool,
    pub mfa_enabled: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub roles: Vec<RoleBinding>,
}

impl From<UserView> for User {
    fn from(view: UserView) -> Self {
        let u = view.user;
        Self {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            email: u.email,
            is_active: u.is_active,
            mfa_enabled: u.totp_enabled_at.is_some(),
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            roles: view.bindings.into_iter().map(RoleBinding::from).collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[schema(min_length = 3, max_length = 100, pattern = "^[A-Za-z0-9._@-]+$")]
    pub username: String,
    #[schema(max_length = 200)]
    pub display_name: Option<String>,
    #[schema(max_length = 320)]
    pub email: Option<String>,
    /// 12-256 characters that pass the password policy: not easy to guess (a zxcvbn score of at
    /// least 3, with the user's names and email address as known words) and not containing the
    /// username or "opsdeck".
    #[schema(min_length = 12, max_length = 256)]
    pub password: String,
    pub role: Role,
    /// Required for partner roles, refused for staff roles.
    pub tenant_id: Option<i64>,
}

/// Absent means "unchanged"; `null` clears a nullable field.
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[schema(min_length = 1, max_length = 200)]
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 320)]
    pub email: Option<Option<String>>,
    /// `false` deactivates: sessions end and tokens stop working at once.
    pub is_active: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRole {
    pub role: Role,
    /// Required for partner roles, refused for staff roles.
    pub tenant_id: Option<i64>,
}

/// List users with their roles.
#[utoipa::path(
    operation_id = "list_users",
    tag = "admin",
    responses(
        (status = 200, description = "Users by username", body = Page<User>),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersRead::NAME))),
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersRead>,
) -> ApiResult<web::Json<Page<User>>> {
    let users = users::list(&state.db, &auth.caller).await?;
    Ok(web::Json(Page::whole(users.into_iter().map(User::from).collect())))
}

/// Create a user with a first role.
#[utoipa::path(
    operation_id = "create_user",
    tag = "admin",
    responses(
        (status = 201, description = "Created", body = User),
        (status = 409, description = "The username is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input; a password the policy refuses has a field error giving the reason and suggestions", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersWrite::NAME))),
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersWrite>,
    meta: Meta,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let new_user = NewUser {
        username: b.username,
        display_name: b.display_name,
        email: b.email,
        password: b.password,
        role: b.role,
        tenant_id: b.tenant_id,
    };
    let user = users::create(&state.db, &auth.caller, new_user, &meta.0).await?;
    Ok(HttpResponse::Created().json(User::from(user)))
}

/// One user.
#[utoipa::path(
    operation_id = "get_user",
    tag = "admin",
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersRead::NAME))),
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<User>> {
    Ok(web::Json(users::get(&state.db, &auth.caller, id.into_inner()).await?.into()))
}

/// Change a user's profile, or deactivate / reactivate them.
#[utoipa::path(
    operation_id = "update_user",
    tag = "admin",
    responses(
        (status = 200, description = "Updated", body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You cannot deactivate yourself", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersWrite::NAME))),
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersWrite>,
    meta: Meta,
    id: web::Path<i64>,
    body: Json<UpdateUser>,
) -> ApiResult<web::Json<User>> {
    let b = body.into_inner();
    let changes = UserChanges { display_name: b.display_name, email: b.email, is_active: b.is_active };
    Ok(web::Json(users::update(&state.db, &auth.caller, id.into_inner(), changes, &meta.0).await?.into()))
}

/// A user's role bindings.
#[utoipa::path(
    operation_id = "list_user_roles",
    tag = "admin",
    responses(
        (status = 200, description = "Bindings", body = Page<RoleBinding>),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersRead::NAME))),
)]
#[get("/users/{id}/roles")]
pub async fn list_user_roles(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersRead>,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Page<RoleBinding>>> {
    let list = bindings::list(&state.db, &auth.caller, id.into_inner()).await?;
    Ok(web::Json(Page::whole(list.into_iter().map(RoleBinding::from).collect())))
}

/// Grant a role. A user is staff or a partner of one tenant, never both.
#[utoipa::path(
    operation_id = "grant_user_role",
    tag = "admin",
    responses(
        (status = 201, description = "Granted", body = RoleBinding),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already granted, or mixing staff and partner scopes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid input", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersWrite::NAME))),
)]
#[post("/users/{id}/roles")]
pub async fn grant_user_role(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersWrite>,
    meta: Meta,
    id: web::Path<i64>,
    body: Json<GrantRole>,
) -> ApiResult<HttpResponse> {
    let binding = bindings::add(&state.db, &auth.caller, id.into_inner(), body.role, body.tenant_id, &meta.0).await?;
    Ok(HttpResponse::Created().json(RoleBinding::from(binding)))
}

/// Revoke a role binding.
#[utoipa::path(
    operation_id = "revoke_user_role",
    tag = "admin",
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such binding of this user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You cannot remove your own superadmin role", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(perm::UsersWrite::NAME))),
)]
#[delete("/users/{id}/roles/{binding_id}")]
pub async fn revoke_user_role(
    state: web::Data<AppState>,
    auth: Authorized<perm::UsersWrite>,
    meta: Meta,
    path: web::Path<(i64, i64)>,
) -> ApiResult<HttpResponse> {
    let (user_id, binding_id) = path.into_inner();
    bindings::remove(&state.db, &auth.caller, user_id, binding_id, &meta.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
