//! Entities, one module per table, in the shape sea-orm-cli generates (compact format).
//! Mirrors migrations/; keep in sync by hand or regenerate. Hand-written logic lives elsewhere.

pub mod enums;

pub mod api_tokens;
pub mod articles;
pub mod attempt_counters;
pub mod audit_chain;
pub mod audit_log;
pub mod bulk_job_items;
pub mod bulk_jobs;
pub mod comments;
pub mod customers;
pub mod export_jobs;
pub mod job_attempts;
pub mod kpi_daily;
pub mod kpi_daily_revenue;
pub mod kpi_rebuild_jobs;
pub mod orders;
pub mod products;
pub mod refresh_sessions;
pub mod role_bindings;
pub mod schedule_runs;
pub mod shops;
pub mod tenants;
pub mod users;
pub mod webhook_events;
