//! Tenant scoping. Every domain function over tenant-owned data takes a [`Scope`].

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};

use crate::DomainError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(pub i64);

/// Which tenants' rows a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Staff: every tenant.
    All,
    /// A partner, or staff narrowed to one tenant.
    Tenant(TenantId),
}

impl Scope {
    /// Applies an optional `tenant_id` filter. Staff may narrow to any tenant; a partner asking
    /// for another tenant is answered as if it did not exist.
    pub fn narrow(self, tenant_id: Option<i64>) -> Result<Scope, DomainError> {
        match (self, tenant_id) {
            (scope, None) => Ok(scope),
            (Scope::All, Some(id)) => Ok(Scope::Tenant(TenantId(id))),
            (Scope::Tenant(own), Some(id)) if own.0 == id => Ok(self),
            (Scope::Tenant(_), Some(_)) => Err(DomainError::NotFound("tenant")),
        }
    }

    pub fn tenant_id(self) -> Option<i64> {
        match self {
            Scope::All => None,
            Scope::Tenant(id) => Some(id.0),
        }
    }

    /// Whether a row of `tenant_id` lies inside this scope.
    pub fn contains(self, tenant_id: Option<i64>) -> bool {
        match self {
            Scope::All => true,
            Scope::Tenant(own) => tenant_id == Some(own.0),
        }
    }

    /// Restricts a query over a tenant-owned entity to this scope.
    pub fn filter<E, C>(self, select: Select<E>, tenant_column: C) -> Select<E>
    where
        E: EntityTrait,
        C: ColumnTrait,
    {
        match self {
            Scope::All => select,
            Scope::Tenant(id) => select.filter(tenant_column.eq(id.0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_narrow_to_any_tenant_partners_only_to_their_own() {
        assert_eq!(Scope::All.narrow(Some(3)).ok(), Some(Scope::Tenant(TenantId(3))));
        assert_eq!(Scope::All.narrow(None).ok(), Some(Scope::All));
        let partner = Scope::Tenant(TenantId(3));
        assert_eq!(partner.narrow(Some(3)).ok(), Some(partner));
        assert!(matches!(partner.narrow(Some(4)), Err(DomainError::NotFound(_))));
    }

    #[test]
    fn containment() {
        assert!(Scope::All.contains(None));
        assert!(Scope::Tenant(TenantId(1)).contains(Some(1)));
        assert!(!Scope::Tenant(TenantId(1)).contains(Some(2)));
        assert!(!Scope::Tenant(TenantId(1)).contains(None));
    }
}
