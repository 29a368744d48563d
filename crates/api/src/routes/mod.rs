//! Every route of the API, one module per resource. Registering a handler here through
//! `.service(...)` also documents it in the OpenAPI document.

use utoipa_actix_web::{scope, service_config::ServiceConfig};

pub mod audit;
pub mod auth;
pub mod bulk;
pub mod catalog;
pub mod dashboard;
pub mod events;
pub mod exports;
pub mod health;
pub mod kpis;
mod shared;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod webhook_events;
pub mod webhooks;

/// Operational endpoints at the root.
pub fn ops(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz).service(health::metrics);
}

/// The versioned JSON API.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(
        scope("/api/v1")
            .service(auth::login_user)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::me)
            .service(auth::change_password)
            .service(auth::enroll_mfa)
            .service(auth::confirm_mfa)
            .service(auth::disable_mfa)
            .service(tokens::list_tokens)
            .service(tokens::create_token)
            .service(tokens::revoke_token)
            .service(tenants::list_tenants)
            .service(tenants::create_tenant)
            .service(tenants::get_tenant)
            .service(tenants::update_tenant)
            .service(users::list_users)
            .service(users::create_user)
            .service(users::get_user)
            .service(users::update_user)
            .service(users::list_user_roles)
            .service(users::grant_user_role)
            .service(users::revoke_user_role)
            .service(dashboard::get_dashboard)
            .service(kpis::get_daily_kpis)
            .service(kpis::rebuild_kpis)
            .service(kpis::get_kpi_rebuild)
            .service(exports::create_export_job)
            .service(exports::list_export_jobs)
            .service(exports::retry_export_jobs)
            .service(exports::get_export_job)
            .service(exports::retry_export_job)
            .service(exports::download_export_job)
            .service(bulk::preview_bulk_job)
            .service(bulk::create_bulk_job)
            .service(bulk::list_bulk_jobs)
            .service(bulk::get_bulk_job)
            .service(bulk::cancel_bulk_job)
            .service(bulk::retry_failed_bulk_job)
            .service(bulk::list_bulk_job_failures)
            .service(events::stream_events)
            .service(webhooks::receive_webhook)
            .service(webhook_events::list_webhook_events)
            .service(webhook_events::reprocess_webhook_events)
            .service(webhook_events::get_webhook_event)
            .service(webhook_events::reprocess_webhook_event)
            .service(catalog::list_shops)
            .service(catalog::get_shop)
            .service(catalog::list_products)
            .service(catalog::get_product)
            .service(catalog::list_orders)
            .service(catalog::get_order)
            .service(catalog::list_customers)
            .service(catalog::get_customer)
            .service(catalog::list_articles)
            .service(catalog::get_article)
            .service(catalog::list_comments)
            .service(catalog::get_comment)
            .service(audit::list_audit_logs)
            .service(audit::export_audit_logs)
            // After the export: `/audit-logs/export` is not an id.
            .service(audit::get_audit_log),
    );
}
