//! opsdeck's domain: entities, services, tenant scoping and errors. Knows nothing of HTTP.

pub mod access;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod bulk;
pub mod catalog;
pub mod config;
pub mod dashboard;
pub mod db;
// Entities stay inside the domain crate: outside code reads rows through services that take a
// caller's scope, so tenant data cannot be queried without one.
#[allow(dead_code)] // Generated: mirrors every table, whether or not a service reads it yet.
pub(crate) mod entities;
pub use entities::enums;

/// Read-only row types that services hand out.
pub mod models {
    pub use crate::entities::{
        api_tokens::Model as ApiToken, articles::Model as Article, comments::Model as Comment,
        customers::Model as Customer, orders::Model as Order, products::Model as Product,
        role_bindings::Model as RoleBinding, shops::Model as Shop, tenants::Model as Tenant, users::Model as User,
    };
}
pub mod error;
pub mod events;
pub mod exports;
pub mod idempotency;
pub mod identity;
pub mod jobs;
pub mod kpis;
pub mod pagination;
pub mod schedule;
mod tenant_owned;
pub mod webhooks;

pub use db::Db;
pub use error::{DomainError, DomainResult, FieldError};
