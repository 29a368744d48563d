//! Who may do what, and to which tenants' data.
//!
//! A request's [`Caller`] carries its permissions and its [`Scope`]. Handlers call
//! [`Caller::authorize`] with the permission an operation needs and get back the scope that
//! every tenant-owned query must take; there is no other way to reach tenant data.

mod caller;
mod permission;
mod scope;

pub use caller::{Actor, Caller};
pub use permission::{Permission, Required, perm, permissions_of};
pub use scope::{Scope, TenantId};
