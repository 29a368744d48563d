//! opsdeck's domain: entities, services, tenant scoping and errors. Knows nothing of HTTP.

pub mod access;
pub mod admin;
pub mod audit;
pub mod auth;
pub mod config;
pub mod db;
pub mod entities;
pub mod error;
pub mod identity;
pub mod seed;

pub use db::Db;
pub use error::{DomainError, DomainResult, FieldError};
