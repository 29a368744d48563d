//! Staff sign-in: login, refresh, logout, `/me`, one's own password, and TOTP settings.

use actix_web::{
    HttpRequest, HttpResponse,
    cookie::{Cookie, SameSite, time::Duration as CookieDuration},
    get, post, web,
};
use opsdeck_domain::{
    access::{Actor, Caller, Permission},
    admin::tenants,
    auth::{login, password_change, sessions, totp},
    enums::Role,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::Json;
use crate::{
    auth::{Authenticated, Meta},
    problem::{ApiResult, Problem},
    state::AppState,
};

pub const REFRESH_COOKIE: &str = "opsdeck_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 100)]
    pub username: String,
    #[schema(max_length = 1024)]
    pub password: String,
    /// The current code of the user's authenticator, when TOTP is on (`mfa_required`).
    #[schema(max_length = 16)]
    pub totp_code: Option<String>,
}

/// An access token. The refresh token travels only in the httpOnly `opsdeck_refresh` cookie.
#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

fn session_response(state: &AppState, session: sessions::Session) -> HttpResponse {
    let max_age = i64::try_from(state.settings.auth.refresh_token_ttl.as_secs()).unwrap_or(i64::MAX);
    let cookie = Cookie::build(REFRESH_COOKIE, session.refresh_token)
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(state.http.cookie_secure)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(max_age))
        .finish();
    HttpResponse::Ok().cookie(cookie).insert_header(("cache-control", "no-store")).json(AccessToken {
        access_token: session.access_token,
        token_type: "Bearer",
        expires_in: session.expires_in,
    })
}

fn user_agent(req: &HttpRequest) -> Option<&str> {
    req.headers().get("user-agent").and_then(|v| v.to_str().ok())
}

/// Log in with username and password (and TOTP code when enabled).
///
/// Answers `401 invalid_credentials` alike for an unknown user and a wrong password,
/// `401 mfa_required` when a TOTP code is needed, `403 tenant_suspended` to a partner of a
/// suspended tenant, and `429` with `Retry-After` once the account or the client address has
/// failed too often.
#[utoipa::path(
    operation_id = "create_session",
    tag = "auth",
    responses(
        (status = 200, description = "Signed in; the refresh cookie is set", body = AccessToken),
        (status = 401, description = "Wrong credentials or code", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user's tenant is suspended (`tenant_suspended`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[post("/auth/login")]
pub async fn login_user(
    state: web::Data<AppState>,
    req: HttpRequest,
    meta: Meta,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let credentials =
        login::Credentials { username: body.username, password: body.password, totp_code: body.totp_code };
    let session =
        login::login(&state.db, &state.keys, &state.settings.auth, credentials, &meta.0, user_agent(&req)).await?;
    Ok(session_response(&state, session))
}

fn refresh_cookie(req: &HttpRequest) -> Option<String> {
    req.cookie(REFRESH_COOKIE).map(|cookie| cookie.value().to_owned()).filter(|value| !value.is_empty())
}

/// Exchange the refresh cookie for a new access token (and a new refresh cookie).
///
/// Presenting a refresh token that was already used revokes its whole session family. A session
/// ends `OPSDECK_SESSION_LIFETIME_SECS` after its login however often it is refreshed. A partner
/// of a suspended tenant is refused (`403 tenant_suspended`) without spending the cookie.
#[utoipa::path(
    operation_id = "refresh_session",
    tag = "auth",
    responses(
        (status = 200, description = "A fresh access token; the cookie is rotated", body = AccessToken),
        (status = 401, description = "No, expired, revoked or reused refresh token, or a session past its lifetime", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user's tenant is suspended (`tenant_suspended`)", body = Problem, content_type = "application/problem+json"),
    ),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, req: HttpRequest, meta: Meta) -> ApiResult<HttpResponse> {
    let presented = refresh_cookie(&req).ok_or_else(|| {
        opsdeck_domain::DomainError::unauthenticated("invalid_refresh_token", "the session has ended; log in again")
    })?;
    let session =
        sessions::refresh(&state.db, &state.keys, &state.settings.auth, &presented, &meta.0, user_agent(&req)).await?;
    Ok(session_response(&state, session))
}

/// End the session of the refresh cookie and clear it.
#[utoipa::path(
    operation_id = "delete_session",
    tag = "auth",
    responses((status = 204, description = "Signed out (also when there was no session)")),
    extensions(("x-permission" = json!(crate::auth::PUBLIC))),
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, req: HttpRequest, meta: Meta) -> ApiResult<HttpResponse> {
    if let Some(presented) = refresh_cookie(&req) {
        sessions::logout(&state.db, &presented, &meta.0).await?;
    }
    let mut cleared = Cookie::build(REFRESH_COOKIE, "").path(COOKIE_PATH).http_only(true).finish();
    cleared.make_removal();
    Ok(HttpResponse::NoContent().cookie(cleared).finish())
}

#[derive(Serialize, ToSchema)]
pub struct RoleGrant {
    pub role: Role,
    /// The tenant of a partner role; `null` for staff roles.
    pub tenant_id: Option<i64>,
}

/// Who is calling, and what they may do. The SPA builds its menus from `permissions`.
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// `user` for a staff session, `token` for an integrator token.
    pub kind: &'static str,
    /// The user id (for a token: the user who created it).
    pub user_id: i64,
    /// The username, or the token's label.
    pub name: String,
    /// Role bindings: staff roles (every tenant) or partner roles with their tenant.
    pub roles: Vec<RoleGrant>,
    /// The one tenant this caller is confined to; `null` for staff (every tenant).
    pub tenant_id: Option<i64>,
    /// That tenant's name; `null` for staff.
    pub tenant_name: Option<String>,
    /// Effective permissions, e.g. `exports:retry`.
    pub permissions: Vec<Permission>,
    /// The roles this caller may give an integrator token: those granting nothing it lacks.
    pub delegable_roles: Vec<Role>,
    /// True until a user whose role requires TOTP enrols; until then only MFA setup works.
    pub mfa_enrollment_required: bool,
}

impl Me {
    fn new(caller: &Caller, tenant_name: Option<String>) -> Self {
        let kind = match caller.actor() {
            Actor::User { .. } => "user",
            Actor::Token { .. } => "token",
        };
        Self {
            kind,
            user_id: caller.user_id(),
            name: caller.label(),
            roles: caller
                .roles()
                .iter()
                .map(|role| RoleGrant {
                    role: *role,
                    tenant_id: if role.is_partner() { caller.scope().tenant_id() } else { None },
                })
                .collect(),
            tenant_id: caller.scope().tenant_id(),
            tenant_name,
            permissions: caller.permissions().collect(),
            delegable_roles: caller.delegable_roles(),
            mfa_enrollment_required: caller.mfa_enrollment_pending(),
        }
    }
}

/// The caller: identity, roles, tenant and effective permissions.
#[utoipa::path(
    operation_id = "get_me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = Me),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, caller: Authenticated) -> ApiResult<web::Json<Me>> {
    let tenant_name = tenants::own_name(&state.db, &caller.0).await?;
    Ok(web::Json(Me::new(&caller.0, tenant_name)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now (step-up).
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// 12-256 characters that pass the password policy: not easy to guess (a zxcvbn score of at
    /// least 3, with your names and email address as known words), not containing your username
    /// or "opsdeck", and not the current password.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// Change your own password.
///
/// Needs the current password (step-up; a wrong one counts against the login throttle). Every
/// other session of yours ends; this one stays signed in. Integrator tokens are refused.
#[utoipa::path(
    operation_id = "change_password",
    tag = "auth",
    responses(
        (status = 204, description = "Changed; your other sessions have ended"),
        (status = 403, description = "`user_only`: called with an integrator token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`wrong_password`: the current password is wrong; `validation_failed`: the new password is refused by the policy (the field error gives the reason and suggestions). Nothing changed.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed password checks for this account or address (the login throttle)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Authenticated,
    meta: Meta,
    body: Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let change =
        password_change::PasswordChange { current_password: body.current_password, new_password: body.new_password };
    password_change::change_own_password(&state.db, &state.settings.auth, &caller.0, change, &meta.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct MfaEnrollment {
    /// Base32 secret, to type into an authenticator app.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaCode {
    /// The current 6-digit code.
    #[schema(max_length = 16)]
    pub code: String,
}

/// The current password, asked again before the second factor changes (step-up).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaEnrollRequest {
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MfaDisableRequest {
    /// The current password (step-up).
    #[schema(max_length = 1024)]
    pub password: String,
    /// The current 6-digit code.
    #[schema(max_length = 16)]
    pub code: String,
}

/// Start TOTP enrolment: a new secret, confirmed by `POST /auth/mfa/confirm`.
///
/// Needs the current password (step-up); a wrong one counts against the login throttle.
#[utoipa::path(
    operation_id = "enroll_mfa",
    tag = "auth",
    responses(
        (status = 200, description = "The secret to put into an authenticator", body = MfaEnrollment),
        (status = 409, description = "`mfa_already_enabled`: MFA is already on", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`wrong_password`: the current password is wrong (nothing changed); `user_only`: tokens have no MFA", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed password or code checks for this account or address", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[post("/auth/mfa/enroll")]
pub async fn enroll_mfa(
    state: web::Data<AppState>,
    caller: Authenticated,
    meta: Meta,
    body: Json<MfaEnrollRequest>,
) -> ApiResult<web::Json<MfaEnrollment>> {
    let enrollment = totp::enroll(&state.db, &state.settings.auth, &caller.0, &body.password, &meta.0).await?;
    Ok(web::Json(MfaEnrollment { secret: enrollment.secret, otpauth_uri: enrollment.otpauth_uri }))
}

/// Turn TOTP on with a code from the enrolled authenticator.
///
/// A code is accepted once; a wrong one counts against the login throttle.
#[utoipa::path(
    operation_id = "confirm_mfa",
    tag = "auth",
    responses(
        (status = 204, description = "MFA is on"),
        (status = 409, description = "`mfa_not_enrolled`, or `mfa_state`: already on", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong, expired or already used code", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed password or code checks for this account or address", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[post("/auth/mfa/confirm")]
pub async fn confirm_mfa(
    state: web::Data<AppState>,
    caller: Authenticated,
    meta: Meta,
    body: Json<MfaCode>,
) -> ApiResult<HttpResponse> {
    totp::confirm(&state.db, &state.settings.auth, &caller.0, &body.code, &meta.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Turn TOTP off, with the current password and a current code.
///
/// Refused for a user whose role requires MFA. A wrong password or code counts against the
/// login throttle.
#[utoipa::path(
    operation_id = "disable_mfa",
    tag = "auth",
    responses(
        (status = 204, description = "MFA is off"),
        (status = 409, description = "`mfa_state`: MFA is not on; `mfa_required_by_role`: the user's role requires MFA", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`wrong_password`, or a wrong, expired or already used code (nothing changed)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed password or code checks for this account or address", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])),
    extensions(("x-permission" = json!(Authenticated::NAME))),
)]
#[post("/auth/mfa/disable")]
pub async fn disable_mfa(
    state: web::Data<AppState>,
    caller: Authenticated,
    meta: Meta,
    body: Json<MfaDisableRequest>,
) -> ApiResult<HttpResponse> {
    totp::disable(&state.db, &state.settings.auth, &caller.0, &body.password, &body.code, &meta.0).await?;
    Ok(HttpResponse::NoContent().finish())
}
