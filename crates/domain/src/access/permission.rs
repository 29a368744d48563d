//! Named permissions, and which roles hold them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::entities::enums::Role;

/// The one list of permissions: each variant with its name. It generates [`Permission`] (its
/// serialized names, [`Permission::ALL`], [`Permission::as_str`]) and one marker type per
/// permission in [`perm`], so adding or removing a permission is one line here. A name is taken
/// as `tt`, not `literal`: utoipa does not see a serde rename given as a `literal` fragment and
/// would document the variant's name instead.
macro_rules! permissions {
    ($($variant:ident => $name:tt),+ $(,)?) => {
        /// A named right. Every operation of the API requires exactly one (or none, when public).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
        pub enum Permission {
            $(
                #[serde(rename = $name)]
                $variant,
            )+
        }

        impl Permission {
            pub const ALL: [Permission; [$($name),+].len()] = [$(Permission::$variant),+];

            /// The name used in `x-permission`, `/me` and the README.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $name,)+
                }
            }
        }

        /// Marker types, one per permission, so that a type can name one:
        /// `Authorized<perm::ExportsRetry>` in a handler's signature.
        pub mod perm {
            use super::{Permission, Required};

            $(
                pub struct $variant;

                impl $variant {
                    pub const NAME: &'static str = Permission::$variant.as_str();
                }

                impl Required for $variant {
                    const PERMISSION: Permission = Permission::$variant;
                }
            )+
        }
    };
}

permissions! {
    DashboardRead => "dashboard:read",
    TenantsRead => "tenants:read",
    TenantsWrite => "tenants:write",
    UsersRead => "users:read",
    UsersWrite => "users:write",
    TokensManage => "tokens:manage",
    CatalogRead => "catalog:read",
    ExportsRead => "exports:read",
    ExportsCreate => "exports:create",
    ExportsRetry => "exports:retry",
    ExportsDownload => "exports:download",
    WebhooksRead => "webhooks:read",
    WebhooksReprocess => "webhooks:reprocess",
    BulkRead => "bulk:read",
    BulkRun => "bulk:run",
    AuditRead => "audit:read",
    AuditExport => "audit:export",
    KpisRead => "kpis:read",
    KpisRebuild => "kpis:rebuild",
}

/// A permission named at the type level (see [`perm`]).
pub trait Required {
    const PERMISSION: Permission;
}

use Permission::*;

impl Permission {
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Administration of the platform itself (tenants, users, roles): it reaches every tenant
    /// by nature, so a caller confined to one tenant never holds it.
    pub fn is_platform_wide(self) -> bool {
        matches!(self, TenantsWrite | UsersRead | UsersWrite)
    }
}

const SUPPORT: &[Permission] = &[
    DashboardRead,
    TenantsRead,
    TokensManage,
    CatalogRead,
    ExportsRead,
    ExportsDownload,
    WebhooksRead,
    BulkRead,
    AuditRead,
    KpisRead,
];

const PARTNER_ADMIN: &[Permission] = &[
    DashboardRead,
    TokensManage,
    CatalogRead,
    ExportsRead,
    ExportsCreate,
    ExportsRetry,
    ExportsDownload,
    BulkRead,
    BulkRun,
    AuditRead,
    AuditExport,
    KpisRead,
];

const PARTNER_VIEWER: &[Permission] =
    &[DashboardRead, TokensManage, CatalogRead, ExportsRead, ExportsDownload, BulkRead, AuditRead, KpisRead];

/// The permissions a role grants. `ops` is everything but administration of tenants and users;
/// `support` and `partner_viewer` only read.
pub fn permissions_of(role: Role) -> Vec<Permission> {
    match role {
        Role::Superadmin => Permission::ALL.to_vec(),
        Role::Ops => {
            Permission::ALL.into_iter().filter(|p| !matches!(p, TenantsWrite | UsersRead | UsersWrite)).collect()
        }
        Role::Support => SUPPORT.to_vec(),
        Role::PartnerAdmin => PARTNER_ADMIN.to_vec(),
        Role::PartnerViewer => PARTNER_VIEWER.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for permission in Permission::ALL {
            assert_eq!(Permission::from_name(permission.as_str()), Some(permission));
            assert_eq!(serde_json::to_value(permission).ok(), Some(permission.as_str().into()));
        }
    }

    #[test]
    fn read_only_roles_hold_no_write_permission() {
        let writes = [TenantsWrite, UsersWrite, ExportsCreate, ExportsRetry, WebhooksReprocess, BulkRun];
        for role in [Role::Support, Role::PartnerViewer] {
            let granted = permissions_of(role);
            assert!(writes.iter().all(|w| !granted.contains(w)), "{role:?}");
        }
    }

    #[test]
    fn only_superadmins_manage_users() {
        assert!(permissions_of(Role::Superadmin).contains(&UsersWrite));
        assert!(!permissions_of(Role::Ops).contains(&UsersWrite));
        assert!(permissions_of(Role::Ops).contains(&WebhooksReprocess));
    }
}
