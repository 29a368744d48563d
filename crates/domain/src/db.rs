//! Connecting to the database (SQLite by default, PostgreSQL in production) and migrating it.

use std::{collections::HashSet, str::FromStr, sync::Arc, time::Duration};

use opsdeck_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait, FromQueryResult,
    IsolationLevel, PartialModelTrait, QuerySelect, QueryTrait, Select, SqlxPostgresConnector, SqlxSqliteConnector,
    Statement, TransactionOptions, TransactionTrait, metric,
    sea_query::{PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder},
};
use sqlx::{
    pool::PoolConnectionMetadata,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::DomainError;

mod signals;
mod snapshot;
pub use signals::JobSignal;
pub use snapshot::SnapshotRead;

/// Reads a JSON column the domain wrote. Text that does not parse is a corrupt row: an internal
/// error naming the row (logged where it surfaces), never a default value.
pub(crate) fn json_column<T: serde::de::DeserializeOwned>(
    table: &str,
    column: &str,
    id: i64,
    text: &str,
) -> Result<T, DomainError> {
    serde_json::from_str(text)
        .map_err(|error| DomainError::Internal(format!("{table}.{column} of row {id} is unreadable: {error}")))
}

type Observer = Arc<dyn Fn(&metric::Info<'_>) + Send + Sync>;

/// A handle on the database; cheap to clone (a connection pool).
#[derive(Clone)]
pub struct Db {
    conn: DatabaseConnection,
    /// Told of every statement, on the pool and in snapshots (`Db::observed`).
    observer: Option<Observer>,
    /// Job row changes heard in this process, shared by every clone and worker pool.
    signals: Arc<signals::Signals>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.backend()).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("OPSDECK_DATABASE_URL: {0}")]
    BadUrl(String),
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database schema is newer than this binary (it has migrations this binary does not know: {0}); \
         upgrade opsdeck"
    )]
    SchemaNewerThanBinary(String),
    #[error("migration failed: {0}")]
    Failed(String),
}

/// A pooled connection idle for longer than this is pinged before it is handed out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

/// Checks a pooled connection before use only when it sat idle for a while (the server may have
/// dropped it since). The pool pings every connection on its way back anyway, so pinging it
/// again on the way out, as sqlx does by default, costs a database round trip per statement for
/// nothing.
fn ping_if_idle<C: sqlx::Connection>(
    conn: &mut C,
    meta: PoolConnectionMetadata,
) -> futures_util::future::BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async move {
        if meta.idle_for > PING_WHEN_IDLE_FOR {
            conn.ping().await?;
        }
        Ok(true)
    })
}

impl Db {
    /// Opens a pool. SQLite files are created if missing and run in WAL mode with foreign keys on.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, ConnectError> {
        let conn = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| ConnectError::BadUrl(e.to_string()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .before_acquire(ping_if_idle)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(|e| ConnectError::BadUrl(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .before_acquire(ping_if_idle)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        } else {
            return Err(ConnectError::BadUrl("expected a sqlite://… or postgres://… URL".to_owned()));
        };
        Ok(Self { conn, observer: None, signals: Arc::default() })
    }

    /// This database with a pool of its own of up to `max_connections`, opened lazily by the
    /// runtime that first uses it: a PostgreSQL connection's socket is driven by the runtime
    /// that opened it. SQLite's connections run on threads of their own, so SQLite keeps the
    /// one pool.
    pub fn with_own_pool(&self, max_connections: u32) -> Db {
        if self.backend() != DbBackend::Postgres {
            return self.clone();
        }
        let shared = self.conn.get_postgres_connection_pool();
        let pool = shared
            .options()
            .clone()
            .max_connections(max_connections)
            .connect_lazy_with((*shared.connect_options()).clone());
        let worker = Self {
            conn: SqlxPostgresConnector::from_sqlx_postgres_pool(pool),
            observer: None,
            signals: self.signals.clone(),
        };
        match &self.observer {
            Some(observer) => worker.with_observer(observer.clone()),
            None => worker,
        }
    }

    /// The same pool, calling `observe` after every statement it runs (e.g. to count queries).
    pub fn observed(&self, observe: impl Fn(&metric::Info<'_>) + Send + Sync + 'static) -> Self {
        self.with_observer(Arc::new(observe))
    }

    fn with_observer(&self, observer: Observer) -> Self {
        let mut conn = self.conn.clone();
        let on_pool = observer.clone();
        conn.set_metric_callback(move |info| on_pool(info));
        Self { conn, observer: Some(observer), signals: self.signals.clone() }
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// Applies pending migrations; a no-op when there are none. Refuses a newer schema.
    pub async fn migrate(&self) -> Result<usize, MigrateError> {
        let failed = |e: sea_orm::DbErr| MigrateError::Failed(e.to_string());
        let known: HashSet<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let applied = Migrator::get_migration_models(&self.conn).await.map_err(failed)?;
        let unknown: Vec<String> =
            applied.iter().filter(|m| !known.contains(&m.version)).map(|m| m.version.clone()).collect();
        if !unknown.is_empty() {
            return Err(MigrateError::SchemaNewerThanBinary(unknown.join(", ")));
        }
        let pending = known.len() - (applied.len());
        Migrator::up(&self.conn, None).await.map_err(failed)?;
        Ok(pending)
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), DomainError> {
        self.conn.ping().await.map_err(DomainError::from)
    }

    /// A write transaction. On SQLite it takes the write lock up front (IMMEDIATE), so two
    /// writers queue on `busy_timeout` instead of failing when one upgrades a read lock.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DomainError> {
        self.begin_with(None).await
    }

    /// A write transaction that sees one snapshot throughout. On PostgreSQL it is REPEATABLE
    /// READ: a row that someone else changed after the snapshot fails the statement that would
    /// change it ([`DomainError::Transient`]) instead of being skipped or overwritten unseen, so
    /// what the transaction read still holds when it writes, without locking rows up front.
    /// SQLite's write transaction (IMMEDIATE) excludes every other writer anyway.
    pub async fn begin_snapshot_write(&self) -> Result<DatabaseTransaction, DomainError> {
        self.begin_with(Some(IsolationLevel::RepeatableRead)).await
    }

    /// A read-only transaction: its statements see the database as of one instant (REPEATABLE
    /// READ READ ONLY on PostgreSQL; a SQLite read transaction is a snapshot in WAL mode) and
    /// run on one pooled connection. Begun in one statement: see [`SnapshotRead`].
    pub async fn begin_snapshot_read(&self) -> Result<SnapshotRead, DomainError> {
        SnapshotRead::begin(&self.conn, self.observer.clone()).await.map_err(DomainError::from)
    }

    /// Begins a write transaction (IMMEDIATE on SQLite). The isolation level is PostgreSQL's;
    /// SQLite has none (sea-orm would warn).
    async fn begin_with(&self, isolation_level: Option<IsolationLevel>) -> Result<DatabaseTransaction, DomainError> {
        let options = match self.backend() {
            DbBackend::Postgres => TransactionOptions { isolation_level, ..Default::default() },
            _ => TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            },
        };
        self.conn.begin_with_options(options).await.map_err(DomainError::from)
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// Reading the first `n` rows of a query whose every value is the server's own (enum constants,
/// the caller's tenant id, dates, `n`) with those values written into the SQL, as a raw query
/// would be: never for a value that came with a request. A bound value leaves the database a
/// choice between two bad plans: PostgreSQL either plans the statement again on every execution
/// (it always does for a bound `LIMIT $n`) or keeps a generic plan made without the value (e.g.
/// walking the primary key past thousands of rows for `status = $1` where an index on (status,
/// id) finds rare FAILED rows at once); with the values in the text it plans once per connection
/// and for the values it runs with.
pub trait ConstantRead<E: EntityTrait> {
    /// `self.limit(n).all(conn)`.
    fn first_rows<C: ConnectionTrait>(
        self,
        n: u64,
        conn: &C,
    ) -> impl Future<Output = Result<Vec<E::Model>, DbErr>> + Send;

    /// `self.into_partial_model::<M>().limit(n).all(conn)`.
    fn first_rows_as<M: PartialModelTrait + Send, C: ConnectionTrait>(
        self,
        n: u64,
        conn: &C,
    ) -> impl Future<Output = Result<Vec<M>, DbErr>> + Send;
}

impl<E: EntityTrait> ConstantRead<E> for Select<E> {
    async fn first_rows<C: ConnectionTrait>(self, n: u64, conn: &C) -> Result<Vec<E::Model>, DbErr> {
        let statement = with_values_written(self.into_query(), n, conn.get_database_backend());
        E::Model::find_by_statement(statement).all(conn).await
    }

    async fn first_rows_as<M: PartialModelTrait + Send, C: ConnectionTrait>(
        self,
        n: u64,
        conn: &C,
    ) -> Result<Vec<M>, DbErr> {
        let query = M::select_cols(QuerySelect::select_only(self)).into_query();
        M::find_by_statement(with_values_written(query, n, conn.get_database_backend())).all(conn).await
    }
}

/// The statement with its values rendered by sea-query (quoted and escaped by the backend's
/// rules) instead of bound.
fn with_values_written(mut query: SelectStatement, n: u64, backend: DbBackend) -> Statement {
    query.limit(n);
    let sql = match backend {
        DbBackend::Postgres => query.to_string(PostgresQueryBuilder),
        _ => query.to_string(SqliteQueryBuilder),
    };
    Statement::from_string(backend, sql)
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    /// On PostgreSQL (`OPSDECK_TEST_POSTGRES_URL`): a row changed by someone else after the
    /// snapshot write transaction first read fails its update as `Transient`, where a plain
    /// write transaction would silently update the newer row.
    #[tokio::test]
    async fn a_snapshot_write_refuses_to_change_a_row_changed_since_it_looked() {
        let Ok(url) = std::env::var("OPSDECK_TEST_POSTGRES_URL") else { return };
        let db = Db::connect(&url, 2).await.unwrap();
        let table = format!("snapshot_probe_{}", std::process::id());
        db.conn().execute_unprepared(&format!("CREATE TABLE {table} (id BIGINT PRIMARY KEY, v BIGINT)")).await.unwrap();
        let attempt = |snapshot: bool| {
            let (db, table) = (db.clone(), table.clone());
            async move {
                db.conn()
                    .execute_unprepared(&format!("DELETE FROM {table}; INSERT INTO {table} VALUES (1, 10)"))
                    .await?;
                let txn = if snapshot { db.begin_snapshot_write().await? } else { db.begin_write().await? };
                txn.execute_unprepared(&format!("SELECT v FROM {table} WHERE id = 1")).await?;
                db.conn().execute_unprepared(&format!("UPDATE {table} SET v = 20 WHERE id = 1")).await?;
                txn.execute_unprepared(&format!("UPDATE {table} SET v = v + 1 WHERE id = 1")).await?;
                txn.commit().await?;
                Ok::<_, DomainError>(())
            }
        };
        let plain = attempt(false).await;
        let snapshot = attempt(true).await;
        db.conn().execute_unprepared(&format!("DROP TABLE {table}")).await.unwrap();
        assert!(plain.is_ok(), "{plain:?}");
        assert!(matches!(snapshot, Err(DomainError::Transient(_))), "{snapshot:?}");
    }

    /// `ConstantRead` reads exactly what `.limit(n).all()` reads, with every value in the SQL
    /// text and none bound.
    #[tokio::test]
    async fn a_constant_read_reads_what_the_bound_query_reads_with_its_values_in_the_sql() {
        use std::sync::{Arc, Mutex};

        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

        use crate::entities::{enums::TenantStatus, tenants};

        let dir = std::env::temp_dir().join(format!("opsdeck-first-rows-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}/probe.db", dir.display()), 1).await.unwrap();
        db.migrate().await.unwrap();
        for slug in ["first", "second", "third"] {
            db.conn()
                .execute_unprepared(&format!(
                    "INSERT INTO tenants (slug, name, status, created_at, updated_at) \
                     VALUES ('{slug}', '{slug}', 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
                ))
                .await
                .unwrap();
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut conn = db.conn().clone();
        let log = seen.clone();
        conn.set_metric_callback(move |info| log.lock().unwrap().push(info.statement.clone()));
        let newest = || {
            tenants::Entity::find()
                .filter(tenants::Column::Status.eq(TenantStatus::Active))
                .order_by_desc(tenants::Column::Id)
        };

        let literal = newest().first_rows(2, &conn).await.unwrap();
        let bound = newest().limit(2).all(&conn).await.unwrap();

        assert_eq!(literal.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>(), ["third", "second"]);
        assert_eq!(literal, bound);
        let statements = seen.lock().unwrap().clone();
        let values = |s: &Statement| s.values.as_ref().map_or(0, |v| v.0.len());
        assert!(
            statements[0].sql.ends_with("= 'active' ORDER BY \"tenants\".\"id\" DESC LIMIT 2"),
            "{}",
            statements[0].sql
        );
        assert_eq!((values(&statements[0]), values(&statements[1])), (0, 2), "nothing is bound");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A snapshot read sees one instant: a change committed between two of its statements is
    /// not seen by the second; it refuses to write (on SQLite, and on PostgreSQL when
    /// configured, where it is also READ ONLY to the database itself).
    #[tokio::test]
    async fn a_snapshot_read_sees_one_instant_and_writes_nothing() {
        let dir = std::env::temp_dir().join(format!("opsdeck-snapshot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut urls = vec![format!("sqlite://{}/probe.db", dir.display())];
        urls.extend(std::env::var("OPSDECK_TEST_POSTGRES_URL").ok());
        let table = format!("snapshot_read_probe_{}", std::process::id());
        for url in urls {
            let db = Db::connect(&url, 2).await.unwrap();
            let sql = |statement: String| {
                let db = db.clone();
                async move { db.conn().execute_unprepared(&statement).await.unwrap() }
            };
            sql(format!("CREATE TABLE {table} (id BIGINT PRIMARY KEY, v BIGINT)")).await;
            sql(format!("INSERT INTO {table} VALUES (1, 10)")).await;
            let read = Statement::from_string(db.backend(), format!("SELECT v FROM {table} WHERE id = 1"));
            let txn = db.begin_snapshot_read().await.unwrap();
            let before: i64 = txn.query_one_raw(read.clone()).await.unwrap().unwrap().try_get_by_index(0).unwrap();
            sql(format!("UPDATE {table} SET v = 20 WHERE id = 1")).await;
            let after: i64 = txn.query_one_raw(read.clone()).await.unwrap().unwrap().try_get_by_index(0).unwrap();
            let write = txn.execute_unprepared(&format!("UPDATE {table} SET v = 30 WHERE id = 1")).await;
            let sneaked = txn.query_all_raw(Statement::from_string(db.backend(), format!("DELETE FROM {table}"))).await;
            if db.backend() == DbBackend::Postgres {
                let mode = Statement::from_string(
                    db.backend(),
                    "SELECT current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only')",
                );
                let mode: String = txn.query_one_raw(mode).await.unwrap().unwrap().try_get_by_index(0).unwrap();
                assert_eq!(mode, "repeatable read on");
            }
            txn.commit().await.unwrap();
            let now: i64 = db.conn().query_one_raw(read).await.unwrap().unwrap().try_get_by_index(0).unwrap();
            sql(format!("DROP TABLE {table}")).await;
            assert_eq!((before, after, now), (10, 10, 20), "{:?}", db.backend());
            assert!(write.is_err() && sneaked.is_err(), "{:?}: a snapshot read wrote", db.backend());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A worker's pool on PostgreSQL is its own, of the size asked, and opens nothing until
    /// used (so its connections belong to the worker that uses them); SQLite shares the pool.
    #[tokio::test]
    async fn a_worker_pool_is_its_own_and_opens_connections_when_first_used() {
        let dir = std::env::temp_dir().join(format!("opsdeck-worker-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let sqlite = Db::connect(&format!("sqlite://{}/probe.db", dir.display()), 4).await.unwrap();
        let shared = sqlite.with_own_pool(2);
        assert_eq!(shared.conn().get_sqlite_connection_pool().options().get_max_connections(), 4);
        let _ = std::fs::remove_dir_all(&dir);

        let Ok(url) = std::env::var("OPSDECK_TEST_POSTGRES_URL") else { return };
        let db = Db::connect(&url, 4).await.unwrap();
        let worker = db.with_own_pool(2);
        let pool = worker.conn().get_postgres_connection_pool();
        assert_eq!((pool.options().get_max_connections(), pool.size()), (2, 0));
        worker.ping().await.unwrap();
        assert_eq!(pool.size(), 1);
        assert!(!std::ptr::eq(pool, db.conn().get_postgres_connection_pool()));
    }
}
