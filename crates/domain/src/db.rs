//! Connecting to the database (SQLite by default, PostgreSQL in production) and migrating it.

use std::{collections::HashSet, str::FromStr, time::Duration};

use opsdeck_migrations::{Migrator, MigratorTrait};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbBackend, SqlxPostgresConnector, SqlxSqliteConnector, TransactionOptions,
    TransactionTrait,
};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use crate::error::DomainError;

/// A handle on the database; cheap to clone (a connection pool).
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
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
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
            SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(|e| ConnectError::BadUrl(e.to_string()))?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await
                .map_err(|e| ConnectError::Unreachable(e.to_string()))?;
            SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
        } else {
            return Err(ConnectError::BadUrl("expected a sqlite://… or postgres://… URL".to_owned()));
        };
        Ok(Self { conn })
    }

    /// Wraps an existing connection (e.g. one with a query-counting metric callback in tests).
    pub fn from_connection(conn: DatabaseConnection) -> Self {
        Self { conn }
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
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.conn.begin_with_options(options).await.map_err(DomainError::from)
    }

    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}
