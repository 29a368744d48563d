//! Administration for superadmins: tenants, users and their role bindings. Users are
//! deactivated, never deleted (the audit log keeps referring to them).

pub mod bindings;
pub mod tenants;
pub mod users;
