//! A read-only snapshot transaction begun in one statement. sea-orm begins a PostgreSQL
//! transaction with `BEGIN` and then sets its isolation and access mode with a second
//! statement, a round trip each while the transaction holds a pooled connection; on the
//! dashboard, the request every ops person opens first, that was one round trip in twelve. Here
//! the transaction is sqlx's own, begun with the whole `BEGIN ISOLATION LEVEL REPEATABLE READ
//! READ ONLY`, and it runs sea-orm's statements and hands back sea-orm's rows, so every query
//! written for a `ConnectionTrait` reads through it unchanged.

use std::time::Instant;

use futures_util::lock::Mutex;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr, Statement, metric,
    sea_query::Values,
};
use sea_query_sqlx::SqlxValues;
use sqlx::{AssertSqlSafe, Postgres, Sqlite, Transaction};

use super::Observer;

const POSTGRES_BEGIN: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// Statements run on one connection and see the database as of one instant: REPEATABLE READ
/// READ ONLY on PostgreSQL, a deferred read transaction (one snapshot of the WAL) on SQLite.
/// It only reads: a write is refused before it reaches the database. Dropped without
/// [`SnapshotRead::commit`], it is rolled back.
pub struct SnapshotRead {
    backend: DbBackend,
    txn: Mutex<Txn>,
    observer: Option<Observer>,
}

enum Txn {
    Postgres(Transaction<'static, Postgres>),
    Sqlite(Transaction<'static, Sqlite>),
}

impl SnapshotRead {
    pub(super) async fn begin(conn: &DatabaseConnection, observer: Option<Observer>) -> Result<Self, DbErr> {
        let backend = conn.get_database_backend();
        let txn = match backend {
            DbBackend::Postgres => {
                Txn::Postgres(conn.get_postgres_connection_pool().begin_with(POSTGRES_BEGIN).await.map_err(conn_err)?)
            }
            DbBackend::Sqlite => Txn::Sqlite(conn.get_sqlite_connection_pool().begin().await.map_err(conn_err)?),
            other => return Err(DbErr::BackendNotSupported { db: other.as_str(), ctx: "SnapshotRead" }),
        };
        Ok(Self { backend, txn: Mutex::new(txn), observer })
    }

    /// Ends the transaction; it wrote nothing, so this only hands the connection back.
    pub async fn commit(self) -> Result<(), DbErr> {
        match self.txn.into_inner() {
            Txn::Postgres(txn) => txn.commit().await,
            Txn::Sqlite(txn) => txn.commit().await,
        }
        .map_err(conn_err)
    }

    async fn fetch_all(&self, statement: &Statement) -> Result<Vec<QueryResult>, DbErr> {
        if !is_read(&statement.sql) {
            return Err(DbErr::Custom(format!("a snapshot read runs only SELECTs, not: {}", statement.sql)));
        }
        let started = Instant::now();
        let values = SqlxValues(statement.values.clone().unwrap_or(Values(Vec::new())));
        let sql = AssertSqlSafe(statement.sql.as_str());
        let rows = match &mut *self.txn.lock().await {
            Txn::Postgres(txn) => sqlx::query_with(sql, values)
                .fetch_all(&mut **txn)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect()),
            Txn::Sqlite(txn) => sqlx::query_with(sql, values)
                .fetch_all(&mut **txn)
                .await
                .map(|rows| rows.into_iter().map(QueryResult::from).collect()),
        }
        .map_err(|e| DbErr::Query(RuntimeErr::SqlxError(e.into())));
        if let Some(observe) = &self.observer {
            observe(&metric::Info { elapsed: started.elapsed(), statement, failed: rows.is_err() });
        }
        rows
    }
}

fn conn_err(error: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(error.into()))
}

/// A statement that only reads, as sea-orm's `Select` builds them. PostgreSQL would refuse a
/// write in a READ ONLY transaction anyway; SQLite would not.
fn is_read(sql: &str) -> bool {
    sql.trim_start().get(..7).is_some_and(|start| start.eq_ignore_ascii_case("SELECT "))
}

#[async_trait::async_trait]
impl ConnectionTrait for SnapshotRead {
    fn get_database_backend(&self) -> DbBackend {
        self.backend
    }

    async fn execute_raw(&self, statement: Statement) -> Result<ExecResult, DbErr> {
        Err(DbErr::Custom(format!("a snapshot read does not write: {}", statement.sql)))
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        Err(DbErr::Custom(format!("a snapshot read does not write: {sql}")))
    }

    async fn query_one_raw(&self, statement: Statement) -> Result<Option<QueryResult>, DbErr> {
        Ok(self.fetch_all(&statement).await?.into_iter().next())
    }

    async fn query_all_raw(&self, statement: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.fetch_all(&statement).await
    }
}
