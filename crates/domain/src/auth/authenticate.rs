//! Turning a bearer credential (an access JWT or an `odk_` integrator token) into a
//! [`Caller`]. The user, their roles, their tenant's status and (for an access token) its session
//! are read on every request, in one query, so deactivating a user, changing their roles,
//! suspending their tenant or ending their session takes effect at once, for their access tokens
//! and their integrator tokens alike.

use chrono::{Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel, JoinType,
    QueryFilter, QuerySelect, RelationTrait, Set,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{
    Db, DomainError,
    access::{Actor, Caller},
    audit::chain::storable_time,
    auth::{jwt::KeyRing, secrets::sha256_hex, tokens::TOKEN_PREFIX},
    config::AuthSettings,
    entities::{
        api_tokens,
        enums::{Role, TenantStatus},
        refresh_sessions, role_bindings, tenants, users,
    },
};

fn invalid_token() -> DomainError {
    DomainError::unauthenticated("invalid_token", "the access token is invalid or expired")
}

/// How often `last_used_at` is written for a busy token.
const LAST_USED_GRANULARITY: Duration = Duration::minutes(1);

pub async fn caller_from_bearer(
    db: &Db,
    keys: &KeyRing,
    settings: &AuthSettings,
    bearer: &str,
) -> Result<Caller, DomainError> {
    if bearer.starts_with(TOKEN_PREFIX) {
        caller_from_api_token(db, settings, bearer).await
    } else {
        let verified = keys.verify(bearer)?;
        let account = Account::load(db.conn(), verified.user_id, Some(&verified.session_id)).await?;
        if !account.session_live {
            return Err(invalid_token());
        }
        account.refuse_if_suspended()?;
        Ok(account.caller(settings).in_session(verified.session_id))
    }
}

async fn caller_from_api_token(db: &Db, settings: &AuthSettings, secret: &str) -> Result<Caller, DomainError> {
    let now = storable_time(Utc::now());
    let token = api_tokens::Entity::find()
        .filter(api_tokens::Column::TokenHash.eq(sha256_hex(secret)))
        .one(db.conn())
        .await?
        .ok_or_else(invalid_token)?;
    if token.revoked_at.is_some() || token.expires_at.is_some_and(|at| at <= now) {
        return Err(invalid_token());
    }
    let roles: Vec<Role> = serde_json::from_str(&token.roles).map_err(|_| invalid_token())?;
    let account = Account::load(db.conn(), token.user_id, None).await?;
    account.refuse_if_suspended()?;
    // The creator as they are now, pending MFA enrolment included: a token is refused like them.
    let creator = account.caller(settings);
    let actor = Actor::Token { id: token.id, name: token.name.clone(), user_id: token.user_id };
    let caller = creator.restricted_to(actor, &roles, token.tenant_id);
    if token.last_used_at.is_none_or(|at| now - at > LAST_USED_GRANULARITY) {
        let mut active = token.into_active_model();
        active.last_used_at = Set(Some(now));
        active.update(db.conn()).await?;
    }
    Ok(caller)
}

/// An active user as a request sees them.
pub(crate) struct Account {
    id: i64,
    username: String,
    totp_enrolled: bool,
    bindings: Vec<(Role, Option<i64>)>,
    /// A partner (no staff role) of a tenant that is suspended.
    tenant_suspended: bool,
    /// The access token's session is neither revoked nor unknown (always true without one).
    session_live: bool,
}

#[derive(FromQueryResult)]
struct AccountRow {
    id: i64,
    username: String,
    is_active: bool,
    totp_enabled_at: Option<chrono::DateTime<Utc>>,
    role: Option<Role>,
    tenant_id: Option<i64>,
    tenant_status: Option<TenantStatus>,
    session_live: bool,
}

impl Account {
    /// The user, their role bindings with their tenants' status, and whether `session_id` is a
    /// live session of theirs: one query (users LEFT JOIN role_bindings LEFT JOIN tenants, the
    /// session as an EXISTS), since it runs on every authenticated request. A missing or
    /// deactivated user is `invalid_token`.
    pub(crate) async fn load(
        conn: &impl ConnectionTrait,
        user_id: i64,
        session_id: Option<&str>,
    ) -> Result<Self, DomainError> {
        let session_live = match session_id {
            Some(session_id) => Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from(refresh_sessions::Entity)
                    .and_where(Expr::col((refresh_sessions::Entity, refresh_sessions::Column::FamilyId)).eq(session_id))
                    .and_where(
                        Expr::col((refresh_sessions::Entity, refresh_sessions::Column::UserId))
                            .equals((users::Entity, users::Column::Id)),
                    )
                    .and_where(Expr::col((refresh_sessions::Entity, refresh_sessions::Column::RevokedAt)).is_null())
                    .to_owned(),
            ),
            None => Expr::val(true),
        };
        let rows = users::Entity::find_by_id(user_id)
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Username)
            .column(users::Column::IsActive)
            .column(users::Column::TotpEnabledAt)
            .column(role_bindings::Column::Role)
            .column(role_bindings::Column::TenantId)
            .column_as(tenants::Column::Status, "tenant_status")
            .expr_as(session_live, "session_live")
            .join(JoinType::LeftJoin, users::Relation::RoleBindings.def())
            .join(JoinType::LeftJoin, role_bindings::Relation::Tenants.def())
            .into_model::<AccountRow>()
            .all(conn)
            .await?;
        let first = rows.first().filter(|row| row.is_active).ok_or_else(invalid_token)?;
        let mut account = Self {
            id: first.id,
            username: first.username.clone(),
            totp_enrolled: first.totp_enabled_at.is_some(),
            bindings: Vec::new(),
            tenant_suspended: false,
            session_live: first.session_live,
        };
        let mut suspended_partner = false;
        for row in rows {
            let Some(role) = row.role else { continue };
            suspended_partner |= role.is_partner() && row.tenant_status == Some(TenantStatus::Suspended);
            account.bindings.push((role, row.tenant_id));
        }
        let staff = account.bindings.iter().any(|(role, _)| !role.is_partner());
        account.tenant_suspended = suspended_partner && !staff;
        Ok(account)
    }

    /// Partners of a suspended tenant get nothing; staff keep working on its data.
    pub(crate) fn refuse_if_suspended(&self) -> Result<(), DomainError> {
        if self.tenant_suspended { Err(DomainError::TenantSuspended) } else { Ok(()) }
    }

    /// The caller this user is: their roles, and every permission withheld until a required
    /// MFA enrolment is done.
    fn caller(self, settings: &AuthSettings) -> Caller {
        let pending = !self.totp_enrolled
            && self.bindings.iter().any(|(role, _)| settings.mfa_required_roles.iter().any(|r| r == role.as_str()));
        let actor = Actor::User { id: self.id, username: self.username };
        Caller::new(actor, &self.bindings).with_mfa_enrollment_pending(pending)
    }
}
