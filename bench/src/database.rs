//! Direct access to the working copy with sqlx: the same driver and connection settings opsdeck
//! uses, without opsdeck in between. Statements are written with `$n` placeholders, which
//! SQLite reads as `?n`.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use chrono::{DateTime, Utc};
use sqlx::{
    AssertSqlSafe, PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

#[derive(Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    /// A pool like opsdeck's own (`Db::connect`): SQLite in WAL with synchronous=NORMAL, and no
    /// ping before handing out a connection (opsdeck pings only one idle for 30 s, which a
    /// measurement never leaves).
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        } else {
            let pool =
                PgPoolOptions::new().max_connections(max_connections).test_before_acquire(false).connect(url).await?;
            Ok(Self::Postgres(pool))
        }
    }

    /// The statement in this engine's placeholder syntax.
    fn sql(&self, statement: &str) -> AssertSqlSafe<String> {
        trusted(match self {
            Self::Sqlite(_) => statement.replace('$', "?"),
            Self::Postgres(_) => statement.to_owned(),
        })
    }

    /// Runs a query and receives every row it returns.
    pub async fn fetch_rows(&self, statement: &str) -> anyhow::Result<usize> {
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query(trusted(statement)).fetch_all(pool).await?.len(),
            Self::Postgres(pool) => sqlx::query(trusted(statement)).fetch_all(pool).await?.len(),
        })
    }

    /// How a read-only snapshot transaction begins: in one statement on PostgreSQL; SQLite's
    /// deferred transaction reads one snapshot of the WAL.
    pub fn snapshot_begin(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "BEGIN",
            Self::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        }
    }

    /// Runs queries on one connection in one read-only snapshot transaction, begun in one
    /// statement (the fewest round trips a client can make for it), as opsdeck's
    /// `Db::begin_snapshot_read`; the rows received.
    pub async fn read_snapshot(&self, statements: &[String]) -> anyhow::Result<usize> {
        let mut rows = 0;
        match self {
            Self::Sqlite(pool) => {
                let mut txn = pool.begin_with(trusted(self.snapshot_begin())).await?;
                for statement in statements {
                    rows += sqlx::query(trusted(statement.as_str())).fetch_all(&mut *txn).await?.len();
                }
                txn.commit().await?;
            }
            Self::Postgres(pool) => {
                let mut txn = pool.begin_with(trusted(self.snapshot_begin())).await?;
                for statement in statements {
                    rows += sqlx::query(trusted(statement.as_str())).fetch_all(&mut *txn).await?.len();
                }
                txn.commit().await?;
            }
        }
        Ok(rows)
    }

    /// The first column of the first row, as an integer.
    pub async fn scalar(&self, statement: &str) -> anyhow::Result<i64> {
        let value = match self {
            Self::Sqlite(pool) => sqlx::query_scalar::<_, i64>(trusted(statement)).fetch_optional(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar::<_, i64>(trusted(statement)).fetch_optional(pool).await?,
        };
        value.with_context(|| format!("no row from {statement}"))
    }

    pub async fn scalar_text(&self, statement: &str) -> anyhow::Result<String> {
        let value = match self {
            Self::Sqlite(pool) => sqlx::query_scalar::<_, String>(trusted(statement)).fetch_optional(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar::<_, String>(trusted(statement)).fetch_optional(pool).await?,
        };
        value.with_context(|| format!("no row from {statement}"))
    }

    pub async fn ids(&self, statement: &str) -> anyhow::Result<Vec<i64>> {
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query_scalar(trusted(statement)).fetch_all(pool).await?,
            Self::Postgres(pool) => sqlx::query_scalar(trusted(statement)).fetch_all(pool).await?,
        })
    }

    /// Runs a statement without parameters; the number of rows changed.
    pub async fn execute(&self, statement: &str) -> anyhow::Result<u64> {
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query(trusted(statement)).execute(pool).await?.rows_affected(),
            Self::Postgres(pool) => sqlx::query(trusted(statement)).execute(pool).await?.rows_affected(),
        })
    }

    /// Runs a statement with one timestamp parameter (`$1`); the number of rows changed.
    pub async fn execute_at(&self, statement: &str, at: DateTime<Utc>) -> anyhow::Result<u64> {
        let sql = self.sql(statement);
        Ok(match self {
            Self::Sqlite(pool) => sqlx::query(sql).bind(at).execute(pool).await?.rows_affected(),
            Self::Postgres(pool) => sqlx::query(sql).bind(at).execute(pool).await?.rows_affected(),
        })
    }

    /// Runs a statement with one timestamp parameter (`$1`) in a transaction of its own.
    pub async fn execute_in_transaction(&self, statement: &str, at: DateTime<Utc>) -> anyhow::Result<u64> {
        let sql = self.sql(statement);
        Ok(match self {
            Self::Sqlite(pool) => {
                let mut txn = pool.begin().await?;
                let changed = sqlx::query(sql).bind(at).execute(&mut *txn).await?.rows_affected();
                txn.commit().await?;
                changed
            }
            Self::Postgres(pool) => {
                let mut txn = pool.begin().await?;
                let changed = sqlx::query(sql).bind(at).execute(&mut *txn).await?.rows_affected();
                txn.commit().await?;
                changed
            }
        })
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Every statement the bench runs is its own text: constants, and ids, dates and names it
/// made or read itself; nothing from outside reaches it.
pub fn trusted(statement: impl Into<String>) -> AssertSqlSafe<String> {
    AssertSqlSafe(statement.into())
}
