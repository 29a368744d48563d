//! Database schema of opsdeck, as sea-orm migrations that run unchanged on SQLite and PostgreSQL.
//!
//! Conventions: every tenant-owned table carries `tenant_id`; status columns are guarded by CHECK
//! constraints; timestamps are written by the application (never by database defaults) so both
//! engines store them in one format; every list filter and sort order has an index.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261121_000001_identity;
mod m20261121_000002_catalog;
mod m20261121_000003_jobs;
mod m20261121_000004_kpis;
mod m20261121_000005_audit;
mod m20261122_000006_audit_action_collation;
mod m20261123_000007_job_change_feed;
mod m20261207_000009_login_hardening;
mod m20261207_000010_public_job_errors;
mod m20261207_000011_job_change_notify;
mod m20261207_000012_idempotency_keys;
mod m20261207_000013_audit_outcome;

pub struct Migrator;

/// The migrations' own source text; tests fingerprint it to know when a cached, pre-migrated
/// template database is stale.
pub const SOURCES: &[&str] = &[
    include_str!("m20261121_000001_identity.rs"),
    include_str!("m20261121_000002_catalog.rs"),
    include_str!("m20261121_000003_jobs.rs"),
    include_str!("m20261121_000004_kpis.rs"),
    include_str!("m20261121_000005_audit.rs"),
    include_str!("m20261122_000006_audit_action_collation.rs"),
    include_str!("m20261123_000007_job_change_feed.rs"),
    include_str!("m20261207_000009_login_hardening.rs"),
    include_str!("m20261207_000010_public_job_errors.rs"),
    include_str!("m20261207_000011_job_change_notify.rs"),
    include_str!("m20261207_000012_idempotency_keys.rs"),
    include_str!("m20261207_000013_audit_outcome.rs"),
];

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_identity::Migration),
            Box::new(m20261121_000002_catalog::Migration),
            Box::new(m20261121_000003_jobs::Migration),
            Box::new(m20261121_000004_kpis::Migration),
            Box::new(m20261121_000005_audit::Migration),
            Box::new(m20261122_000006_audit_action_collation::Migration),
            Box::new(m20261123_000007_job_change_feed::Migration),
            Box::new(m20261207_000009_login_hardening::Migration),
            Box::new(m20261207_000010_public_job_errors::Migration),
            Box::new(m20261207_000011_job_change_notify::Migration),
            Box::new(m20261207_000012_idempotency_keys::Migration),
            Box::new(m20261207_000013_audit_outcome::Migration),
        ]
    }
}
