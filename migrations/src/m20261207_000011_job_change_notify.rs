//! PostgreSQL tells every listening process when a job row changes, once the change commits:
//! `pg_notify('opsdeck_jobs', '<kind>:<id>:<status>')` from a trigger on each job table. The
//! live-event feed reads the changed rows when told (instead of every stream polling), and a
//! worker claims a PENDING row at once (instead of at its next poll). The feed's tables notify
//! on insert and on every visible change (`updated_at` or `status` moved; a heartbeat is
//! silent); webhook events only when they become PENDING, since only workers listen for them.
//! SQLite runs in one process, which tells itself (`Db::job_changed`): nothing to do there.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, kind as in the payload, notify on updates that leave the row not PENDING).
const TABLES: [(&str, &str, bool); 4] = [
    ("bulk_jobs", "bulk", true),
    ("export_jobs", "export", true),
    ("kpi_rebuild_jobs", "kpi_rebuild", true),
    ("webhook_events", "webhook", false),
];

const FUNCTION: &str = "CREATE FUNCTION opsdeck_job_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('opsdeck_jobs', TG_ARGV[0] || ':' || NEW.id || ':' || NEW.status);
    RETURN NULL;
END
$$";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(FUNCTION).await?;
        for (table, kind, every_change) in TABLES {
            let update_when = if every_change {
                "NEW.updated_at IS DISTINCT FROM OLD.updated_at OR NEW.status IS DISTINCT FROM OLD.status"
            } else {
                "NEW.status = 'PENDING' AND OLD.status IS DISTINCT FROM 'PENDING'"
            };
            let insert_when = if every_change { "TRUE" } else { "NEW.status = 'PENDING'" };
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_inserted_notify AFTER INSERT ON {table} FOR EACH ROW \
                 WHEN ({insert_when}) EXECUTE FUNCTION opsdeck_job_changed('{kind}')"
            ))
            .await?;
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {table}_changed_notify AFTER UPDATE ON {table} FOR EACH ROW \
                 WHEN ({update_when}) EXECUTE FUNCTION opsdeck_job_changed('{kind}')"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        for (table, _, _) in TABLES {
            for trigger in ["inserted", "changed"] {
                db.execute_unprepared(&format!("DROP TRIGGER {table}_{trigger}_notify ON {table}")).await?;
            }
        }
        db.execute_unprepared("DROP FUNCTION opsdeck_job_changed()").await?;
        Ok(())
    }
}
