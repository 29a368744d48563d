//! Background work: export jobs, webhook events, bulk jobs (with their frozen target sets), KPI
//! rebuilds, attempt history and schedule runs.
//!
//! Every job table carries the same lease columns: the row's `status` is the truth, a worker
//! claims it by a conditional update that writes a fresh `claim_token`, keeps `heartbeat_at`
//! fresh while it runs, and every later state change is fenced by that token.

use sea_orm_migration::{prelude::*, schema::*};

use crate::helpers::{create_indexes, drop_tables, fk, index, one_of, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The lease and retry columns shared by every job table.
fn job_table(table: &'static str, statuses: &[&'static str]) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(big_pk_auto("id"))
        .col(string_len("status", 16))
        .check(one_of(table, "status", statuses))
        .col(integer("attempts").default(0))
        .col(integer("max_attempts"))
        .col(text_null("last_error"))
        .col(string_len_null("claim_token", 36))
        .col(timestamp_with_time_zone_null("heartbeat_at"))
        .col(timestamp_with_time_zone("run_after"))
        // When the sweeper last handed the row to the queue; NULL when a push is due.
        .col(timestamp_with_time_zone_null("enqueued_at"))
        .col(timestamp_with_time_zone_null("started_at"))
        .col(timestamp_with_time_zone_null("finished_at"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .to_owned()
}

/// Who asked for a job: a staff user, or an integrator token (and then its user too).
fn requested_by(table: &'static str, statement: &mut TableCreateStatement) -> TableCreateStatement {
    statement
        .col(big_integer_null("requested_by_user_id"))
        .col(big_integer_null("requested_by_token_id"))
        .foreign_key(&mut fk(table, "requested_by_user_id", "users", ForeignKeyAction::SetNull))
        .foreign_key(&mut fk(table, "requested_by_token_id", "api_tokens", ForeignKeyAction::SetNull))
        .to_owned()
}

/// `tenant_id` is NULL for platform-wide work started by staff.
fn optional_tenant(table: &'static str, statement: &mut TableCreateStatement) -> TableCreateStatement {
    statement
        .col(big_integer_null("tenant_id"))
        .foreign_key(&mut fk(table, "tenant_id", "tenants", ForeignKeyAction::Restrict))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite DDL is transactional too: a failed migration leaves nothing half-applied.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut exports = job_table("export_jobs", &["PENDING", "RUNNING", "DONE", "FAILED"]);
        optional_tenant("export_jobs", &mut exports);
        requested_by("export_jobs", &mut exports);
        exports
            .col(string_len("dataset", 32))
            .check(one_of("export_jobs", "dataset", &["orders", "products", "customers", "audit_log"]))
            .col(string_len("format", 8))
            .check(one_of("export_jobs", "format", &["csv"]))
            .col(text("filters"))
            .col(big_integer_null("row_count"))
            .col(big_integer_null("byte_size"))
            .col(string_len_null("checksum_sha256", 64))
            .col(string_len_null("storage_key", 255))
            .col(timestamp_with_time_zone_null("expires_at"))
            .col(timestamp_with_time_zone_null("file_deleted_at"));
        manager.create_table(exports).await?;

        let mut webhooks = job_table("webhook_events", &["PENDING", "RUNNING", "PROCESSED", "IGNORED", "FAILED"]);
        optional_tenant("webhook_events", &mut webhooks);
        webhooks
            .col(string_len("provider", 64))
            .col(string_len("event_id", 255))
            .col(string_len("event_type", 128))
            // The body exactly as received and verified; processing reads it from here.
            .col(text("payload"))
            .col(timestamp_with_time_zone("received_at"))
            .col(timestamp_with_time_zone_null("processed_at"));
        manager.create_table(webhooks).await?;

        let mut bulk = job_table("bulk_jobs", &["PENDING", "RUNNING", "DONE", "FAILED", "CANCELLED"]);
        optional_tenant("bulk_jobs", &mut bulk);
        requested_by("bulk_jobs", &mut bulk);
        bulk.col(string_len("action", 64))
            .col(text("params"))
            .col(text("target"))
            // Hash of the confirmation token: a token is good for exactly one job.
            .col(string_len_uniq("confirmation_hash", 64))
            .col(big_integer("total"))
            .col(big_integer("processed").default(0))
            .col(big_integer("succeeded").default(0))
            .col(big_integer("failed").default(0))
            // Position in bulk_job_items of the last committed chunk's final row.
            .col(big_integer("checkpoint").default(-1))
            .col(integer("chunk_size"))
            .col(big_integer_null("retry_of_id"))
            .col(timestamp_with_time_zone_null("cancel_requested_at"))
            .foreign_key(&mut fk("bulk_jobs", "retry_of_id", "bulk_jobs", ForeignKeyAction::SetNull));
        manager.create_table(bulk).await?;

        manager
            .create_table(
                Table::create()
                    .table("bulk_job_items")
                    .col(big_integer("bulk_job_id"))
                    .col(big_integer("position"))
                    .col(big_integer("target_id"))
                    .col(string_len_null("outcome", 16))
                    .check(Check::named(
                        "ck_bulk_job_items_outcome",
                        Expr::col("outcome").is_null().or(Expr::col("outcome").is_in(["succeeded", "failed"])),
                    ))
                    .col(text_null("error"))
                    .primary_key(Index::create().col("bulk_job_id").col("position"))
                    .foreign_key(&mut fk("bulk_job_items", "bulk_job_id", "bulk_jobs", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;

        let mut kpi_rebuilds = job_table("kpi_rebuild_jobs", &["PENDING", "RUNNING", "DONE", "FAILED"]);
        requested_by("kpi_rebuild_jobs", &mut kpi_rebuilds);
        kpi_rebuilds.col(date("from_day")).col(date("to_day")).col(date_null("next_day"));
        manager.create_table(kpi_rebuilds).await?;

        manager
            .create_table(
                Table::create()
                    .table("job_attempts")
                    .col(big_pk_auto("id"))
                    .col(string_len("job_kind", 16))
                    .check(one_of("job_attempts", "job_kind", &["export", "webhook", "bulk", "kpi_rebuild"]))
                    .col(big_integer("job_id"))
                    .col(integer("attempt"))
                    .col(string_len("claim_token", 36))
                    .col(string_len("worker", 128))
                    .col(timestamp_with_time_zone("started_at"))
                    .col(timestamp_with_time_zone_null("finished_at"))
                    .col(string_len_null("outcome", 16))
                    .check(Check::named(
                        "ck_job_attempts_outcome",
                        Expr::col("outcome").is_null().or(Expr::col("outcome").is_in([
                            "succeeded",
                            "retry",
                            "failed",
                            "lost",
                            "cancelled",
                        ])),
                    ))
                    .col(text_null("error"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("schedule_runs")
                    .col(big_pk_auto("id"))
                    .col(string_len("schedule", 64))
                    // The scheduled instant this run stands for; unique so a slot runs once.
                    .col(timestamp_with_time_zone("slot_at"))
                    .col(timestamp_with_time_zone("started_at"))
                    .to_owned(),
            )
            .await?;

        create_indexes(
            manager,
            vec![
                index("export_jobs", &["status", "run_after"]),
                index("export_jobs", &["tenant_id", "id"]),
                index("export_jobs", &["tenant_id", "status", "id"]),
                index("export_jobs", &["status", "id"]),
                index("export_jobs", &["dataset", "id"]),
                index("export_jobs", &["created_at"]),
                index("export_jobs", &["expires_at"]),
                unique("webhook_events", &["provider", "event_id"]),
                index("webhook_events", &["status", "run_after"]),
                index("webhook_events", &["status", "id"]),
                index("webhook_events", &["tenant_id", "id"]),
                index("webhook_events", &["tenant_id", "status", "id"]),
                index("webhook_events", &["provider", "id"]),
                index("webhook_events", &["event_type", "id"]),
                index("webhook_events", &["received_at"]),
                index("bulk_jobs", &["status", "run_after"]),
                index("bulk_jobs", &["status", "id"]),
                index("bulk_jobs", &["tenant_id", "id"]),
                index("bulk_jobs", &["tenant_id", "status", "id"]),
                index("bulk_job_items", &["bulk_job_id", "outcome", "position"]),
                index("kpi_rebuild_jobs", &["status", "run_after"]),
                index("job_attempts", &["job_kind", "job_id", "id"]),
                unique("schedule_runs", &["schedule", "slot_at"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "schedule_runs",
                "job_attempts",
                "kpi_rebuild_jobs",
                "bulk_job_items",
                "bulk_jobs",
                "webhook_events",
                "export_jobs",
            ],
        )
        .await
    }
}
