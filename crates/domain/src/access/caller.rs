//! The authenticated caller of a request: who it is, what it may do, which tenants it sees.

use std::collections::BTreeSet;

use sea_orm::Iterable;

use crate::{
    DomainError,
    access::{Permission, Scope, TenantId, permissions_of},
    entities::enums::Role,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A staff user with a JWT.
    User { id: i64, username: String },
    /// An integrator token, acting with at most the rights of the user who created it.
    Token { id: i64, name: String, user_id: i64 },
}

#[derive(Clone, Debug)]
pub struct Caller {
    actor: Actor,
    roles: Vec<Role>,
    permissions: BTreeSet<Permission>,
    scope: Scope,
    mfa_enrollment_pending: bool,
    /// The sign-in session (refresh family) of a user's access token; integrator tokens have none.
    session_id: Option<String>,
}

impl Caller {
    /// A user's caller from their role bindings: any staff role sees every tenant; partner roles
    /// see their one tenant (bindings guarantee a user is staff or a partner of one tenant).
    pub fn new(actor: Actor, bindings: &[(Role, Option<i64>)]) -> Self {
        let staff = bindings.iter().any(|(role, _)| !role.is_partner());
        let scope = match bindings.iter().find_map(|(role, tenant)| tenant.filter(|_| role.is_partner())) {
            Some(tenant) if !staff => Scope::Tenant(TenantId(tenant)),
            _ => Scope::All,
        };
        let roles: Vec<Role> = bindings.iter().map(|(role, _)| *role).collect();
        Self::with(actor, roles, scope, false)
    }

    /// The permissions of `roles`, but never a platform-wide one inside a tenant scope: a caller
    /// confined to one tenant cannot administer the platform, whatever its roles say.
    fn with(actor: Actor, roles: Vec<Role>, scope: Scope, mfa_enrollment_pending: bool) -> Self {
        let permissions = roles
            .iter()
            .flat_map(|role| permissions_of(*role))
            .filter(|permission| scope == Scope::All || !permission.is_platform_wide())
            .collect();
        Self { actor, roles, permissions, scope, mfa_enrollment_pending, session_id: None }
    }

    /// Until a user whose role requires MFA enrols, every permission is withheld.
    pub fn with_mfa_enrollment_pending(mut self, pending: bool) -> Self {
        self.mfa_enrollment_pending = pending;
        self
    }

    pub fn mfa_enrollment_pending(&self) -> bool {
        self.mfa_enrollment_pending
    }

    pub fn in_session(mut self, session_id: String) -> Self {
        self.session_id = Some(session_id);
        self
    }

    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Whether this caller may hand `role` on (to an integrator token): judged by rights, not by
    /// name, so the role must grant nothing this caller lacks.
    pub fn can_delegate(&self, role: Role) -> bool {
        permissions_of(role).iter().all(|permission| self.permissions.contains(permission))
    }

    /// Every role [`Self::can_delegate`] allows, in the roles' order.
    pub fn delegable_roles(&self) -> Vec<Role> {
        Role::iter().filter(|role| self.can_delegate(*role)).collect()
    }

    /// Restricts this caller to the roles of `roles` it can delegate (an integrator token's role
    /// set, checked again on every request against the creator as they are now) and, optionally,
    /// to one tenant. Never widens anything.
    pub fn restricted_to(&self, actor: Actor, roles: &[Role], tenant: Option<i64>) -> Self {
        let kept: Vec<Role> = roles.iter().copied().filter(|role| self.can_delegate(*role)).collect();
        let scope = match (self.scope, tenant) {
            (Scope::All, Some(id)) => Scope::Tenant(TenantId(id)),
            (scope, _) => scope,
        };
        Self::with(actor, kept, scope, self.mfa_enrollment_pending)
    }

    /// The one check every handler makes: the permission, or 403; then the scope to query with.
    pub fn authorize(&self, permission: Permission) -> Result<Scope, DomainError> {
        if self.mfa_enrollment_pending {
            Err(DomainError::MfaEnrollmentRequired)
        } else if self.permissions.contains(&permission) {
            Ok(self.scope)
        } else {
            Err(DomainError::Forbidden(permission.as_str()))
        }
    }

    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    pub fn permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        self.permissions.iter().copied()
    }

    pub fn holds(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The user behind the request (a token's creator for integrator tokens).
    pub fn user_id(&self) -> i64 {
        match &self.actor {
            Actor::User { id, .. } => *id,
            Actor::Token { user_id, .. } => *user_id,
        }
    }

    /// Who to record as having asked for a job: the user, and the integrator token if one was used.
    pub fn requested_by(&self) -> (Option<i64>, Option<i64>) {
        match &self.actor {
            Actor::User { id, .. } => (Some(*id), None),
            Actor::Token { id, user_id, .. } => (Some(*user_id), Some(*id)),
        }
    }

    /// A stable key for what is counted or stored per caller (open streams, idempotency keys):
    /// `user:<id>` or `token:<id>`.
    pub fn key(&self) -> String {
        match &self.actor {
            Actor::User { id, .. } => format!("user:{id}"),
            Actor::Token { id, .. } => format!("token:{id}"),
        }
    }

    /// How the audit log names this caller.
    pub fn label(&self) -> String {
        match &self.actor {
            Actor::User { username, .. } => username.clone(),
            Actor::Token { id, name, .. } => format!("token {name} (#{id})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Actor {
        Actor::User { id: 1, username: "u".to_owned() }
    }

    #[test]
    fn a_partner_is_scoped_to_their_tenant() {
        let caller = Caller::new(user(), &[(Role::PartnerAdmin, Some(7))]);
        assert_eq!(caller.authorize(Permission::ExportsRetry).ok(), Some(Scope::Tenant(TenantId(7))));
        assert!(matches!(caller.authorize(Permission::WebhooksReprocess), Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn staff_see_every_tenant() {
        let caller = Caller::new(user(), &[(Role::Support, None)]);
        assert_eq!(caller.authorize(Permission::AuditRead).ok(), Some(Scope::All));
        assert!(caller.authorize(Permission::ExportsRetry).is_err());
    }

    #[test]
    fn a_token_never_exceeds_its_creator() {
        let creator = Caller::new(user(), &[(Role::Support, None)]);
        let token = Actor::Token { id: 2, name: "ci".to_owned(), user_id: 1 };
        let restricted = creator.restricted_to(token.clone(), &[Role::Support, Role::Superadmin], Some(5));
        assert_eq!(restricted.roles(), &[Role::Support]);
        assert!(restricted.authorize(Permission::UsersWrite).is_err());
        assert_eq!(restricted.scope(), Scope::Tenant(TenantId(5)));

        let partner = Caller::new(user(), &[(Role::PartnerViewer, Some(3))]);
        assert_eq!(partner.restricted_to(token, &[Role::PartnerViewer], Some(9)).scope(), Scope::Tenant(TenantId(3)));
    }

    #[test]
    fn roles_are_delegated_by_rights() {
        let partner_admin = Caller::new(user(), &[(Role::PartnerAdmin, Some(3))]);
        assert_eq!(partner_admin.delegable_roles(), [Role::PartnerAdmin, Role::PartnerViewer]);
        let support = Caller::new(user(), &[(Role::Support, None)]);
        assert_eq!(support.delegable_roles(), [Role::Support, Role::PartnerViewer]);
        let superadmin = Caller::new(user(), &[(Role::Superadmin, None)]);
        assert_eq!(superadmin.delegable_roles().len(), 5);
    }

    #[test]
    fn a_caller_bound_to_a_tenant_never_administers_the_platform() {
        let superadmin = Caller::new(user(), &[(Role::Superadmin, None)]);
        let token = Actor::Token { id: 2, name: "ci".to_owned(), user_id: 1 };
        let bound = superadmin.restricted_to(token, &[Role::Superadmin], Some(5));
        for permission in [Permission::UsersRead, Permission::UsersWrite, Permission::TenantsWrite] {
            assert!(matches!(bound.authorize(permission), Err(DomainError::Forbidden(_))), "{permission:?}");
        }
        assert_eq!(bound.authorize(Permission::ExportsRetry).ok(), Some(Scope::Tenant(TenantId(5))));
        assert!(!bound.can_delegate(Role::Superadmin));
    }
}
