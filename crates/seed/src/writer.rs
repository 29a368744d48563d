//! Batched multi-row INSERTs (bound values, built with sea-query) in periodically committed write
//! transactions, plus id reservation for tables whose ids the seeder assigns itself.

use std::sync::Arc;

use opsdeck_domain::{Db, DomainError};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement, Value,
    sea_query::{Expr, InsertStatement, Query},
};
use tokio::task::JoinHandle;

/// Rows per INSERT, and bound values per INSERT: under SQLite's 32766 and PostgreSQL's 65535.
const MAX_ROWS_PER_STATEMENT: usize = 1000;
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// Rows per transaction: enough to amortize commits (each rewrites the touched index pages),
/// few enough to keep SQLite's WAL file at about 150 MB.
pub(super) const ROWS_PER_TRANSACTION: usize = 100_000;

/// SQLite's page cache during a bulk transaction, in KiB. With the default 2 MB the random-order
/// indexes of a million-row table (the audit hashes) are spilled and re-read for every batch;
/// this cut the scale-1 load by about a quarter.
const SQLITE_BULK_CACHE_KIB: i64 = 256 * 1024;

/// A write transaction for bulk loading. Its INSERTs run in the background one at a time, so the
/// next batch is generated while the database executes the previous one. On SQLite it also has a
/// large page cache while it lasts.
pub(super) struct BulkTxn {
    txn: Arc<DatabaseTransaction>,
    in_flight: Option<JoinHandle<Result<(), DbErr>>>,
    /// The connection's own cache size, put back before the connection returns to the pool.
    restore_cache: Option<i64>,
}

impl BulkTxn {
    pub async fn begin(db: &Db) -> Result<Self, DomainError> {
        let txn = db.begin_write().await?;
        let backend = txn.get_database_backend();
        let mut restore_cache = None;
        if backend == DbBackend::Sqlite {
            let row = txn.query_one_raw(Statement::from_string(backend, "PRAGMA cache_size")).await?;
            let previous: i64 = row.ok_or_else(|| internal("cache_size", "no value"))?.try_get_by_index(0)?;
            txn.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")).await?;
            restore_cache = Some(previous);
        }
        Ok(Self { txn: Arc::new(txn), in_flight: None, restore_cache })
    }

    /// The transaction, for statements of the caller's own; call [`Self::drain`] before if
    /// an INSERT may be in flight.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Starts the INSERT once the previous one is done; statements run in order.
    pub async fn send(&mut self, statement: InsertStatement) -> Result<(), DomainError> {
        self.drain().await?;
        let txn = Arc::clone(&self.txn);
        self.in_flight = Some(tokio::spawn(async move { txn.execute(&statement).await.map(drop) }));
        Ok(())
    }

    /// Waits for the INSERT in flight, if any.
    pub async fn drain(&mut self) -> Result<(), DomainError> {
        if let Some(task) = self.in_flight.take() {
            task.await.map_err(|e| internal("insert task", e))??;
        }
        Ok(())
    }

    pub async fn commit(mut self) -> Result<(), DomainError> {
        self.drain().await?;
        if let Some(previous) = self.restore_cache {
            self.txn.execute_unprepared(&format!("PRAGMA cache_size = {previous}")).await?;
        }
        let txn = Arc::try_unwrap(self.txn).map_err(|_| internal("commit", "an insert is still running"))?;
        txn.commit().await?;
        Ok(())
    }
}

pub(super) fn internal(context: &str, error: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("seed: {context}: {error}"))
}

/// One multi-row INSERT being filled.
pub(super) struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    statement: InsertStatement,
    rows: usize,
    limit: usize,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        let limit = (MAX_VALUES_PER_STATEMENT / columns.len().max(1)).clamp(1, MAX_ROWS_PER_STATEMENT);
        Self { table, columns, statement: Self::empty(table, columns), rows: 0, limit }
    }

    fn empty(table: &'static str, columns: &'static [&'static str]) -> InsertStatement {
        Query::insert().into_table(table).columns(columns.iter().copied()).to_owned()
    }

    /// Adds a row; true when the statement is full and should be flushed.
    pub fn push<const N: usize>(&mut self, row: [Value; N]) -> Result<bool, DomainError> {
        self.statement.values(row.map(Expr::from)).map_err(|e| internal(self.table, e))?;
        self.rows += 1;
        Ok(self.rows >= self.limit)
    }

    /// The filled statement and its row count, leaving the batch empty.
    pub fn take(&mut self) -> Option<(InsertStatement, usize)> {
        if self.rows == 0 {
            return None;
        }
        let statement = std::mem::replace(&mut self.statement, Self::empty(self.table, self.columns));
        Some((statement, std::mem::take(&mut self.rows)))
    }

    /// Runs the pending rows, if any, and waits for them.
    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), DomainError> {
        if let Some((statement, _)) = self.take() {
            conn.execute(&statement).await?;
        }
        Ok(())
    }

    /// Hands the pending rows, if any, to the transaction's pipeline; returns how many.
    pub async fn send(&mut self, txn: &mut BulkTxn) -> Result<usize, DomainError> {
        let Some((statement, rows)) = self.take() else { return Ok(0) };
        txn.send(statement).await?;
        Ok(rows)
    }
}

/// Loads one table: batches rows, commits every [`ROWS_PER_TRANSACTION`] rows.
pub(super) struct Loader<'a> {
    db: &'a Db,
    batch: Batch,
    txn: Option<BulkTxn>,
    in_txn: usize,
    total: u64,
}

impl<'a> Loader<'a> {
    pub fn new(db: &'a Db, table: &'static str, columns: &'static [&'static str]) -> Self {
        Self { db, batch: Batch::new(table, columns), txn: None, in_txn: 0, total: 0 }
    }

    pub async fn push<const N: usize>(&mut self, row: [Value; N]) -> Result<(), DomainError> {
        if self.batch.push(row)? {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), DomainError> {
        if self.txn.is_none() {
            self.txn = Some(BulkTxn::begin(self.db).await?);
        }
        let Some(txn) = self.txn.as_mut() else {
            return Err(internal(self.batch.table, "no transaction"));
        };
        let sent = self.batch.send(txn).await?;
        self.in_txn += sent;
        self.total += sent as u64;
        if self.in_txn >= ROWS_PER_TRANSACTION {
            self.commit().await?;
        }
        Ok(())
    }

    async fn commit(&mut self) -> Result<(), DomainError> {
        if let Some(txn) = self.txn.take() {
            txn.commit().await?;
        }
        self.in_txn = 0;
        Ok(())
    }

    /// Sends what is left and commits; returns the number of rows written.
    pub async fn finish(mut self) -> Result<u64, DomainError> {
        self.flush().await?;
        self.commit().await?;
        Ok(self.total)
    }
}

/// Reserves `count` consecutive ids of `table` and returns the first one.
///
/// The seeder sets ids itself so children can point at their parents without reading them back.
/// Moving the table's id generator past the range keeps later inserts (which use the generator)
/// from colliding with it, even while the seeder's later transactions are still to come.
pub(super) async fn reserve_ids(
    txn: &DatabaseTransaction,
    table: &'static str,
    count: usize,
) -> Result<i64, DomainError> {
    let count = i64::try_from(count).map_err(|e| internal(table, e))?;
    let backend = txn.get_database_backend();
    let last = match backend {
        DbBackend::Postgres => {
            // setval is not transactional: the reservation holds even for concurrent writers.
            let sql = format!(
                "SELECT setval(q.s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), \
                 COALESCE(pg_sequence_last_value(q.s), 0)) + $1) AS last \
                 FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS s) AS q"
            );
            let row = txn.query_one_raw(Statement::from_sql_and_values(backend, sql, [count.into()])).await?;
            let last: i64 = row.ok_or_else(|| internal(table, "setval returned nothing"))?.try_get("", "last")?;
            last - count
        }
        _ => {
            // AUTOINCREMENT tables take max(rowid, sqlite_sequence.seq) + 1: raise seq past the range.
            let sql = format!(
                "SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0)) AS last"
            );
            let row = txn.query_one_raw(Statement::from_string(backend, sql)).await?;
            let last: i64 = row.ok_or_else(|| internal(table, "no max id"))?.try_get("", "last")?;
            let values = [Value::from(last + count), Value::from(table)];
            let updated = txn
                .execute_raw(Statement::from_sql_and_values(
                    backend,
                    "UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                    values.clone(),
                ))
                .await?;
            if updated.rows_affected() == 0 {
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    "INSERT INTO sqlite_sequence (seq, name) VALUES (?, ?)",
                    values,
                ))
                .await?;
            }
            last
        }
    };
    Ok(last + 1)
}

/// On PostgreSQL, moves the id sequence of `table` past rows inserted with explicit ids.
pub(super) async fn bump_sequence(conn: &impl ConnectionTrait, table: &'static str) -> Result<(), DomainError> {
    let backend = conn.get_database_backend();
    if backend != DbBackend::Postgres {
        // SQLite's AUTOINCREMENT already accounts for explicit rowids.
        return Ok(());
    }
    let sql = format!(
        "SELECT setval(q.s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), \
         COALESCE(pg_sequence_last_value(q.s), 0), 1)) \
         FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS s) AS q"
    );
    conn.query_one_raw(Statement::from_string(backend, sql)).await?;
    Ok(())
}

/// Refreshes the planner's statistics after the bulk load; on SQLite also empties the WAL file
/// the load grew, so the database is one compact file again.
pub(super) async fn analyze(db: &Db) -> Result<(), DomainError> {
    let sql = match db.backend() {
        DbBackend::Postgres => "ANALYZE",
        // A sampled ANALYZE: exact statistics over a million rows are not worth the full scan.
        _ => "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)",
    };
    db.conn().execute_unprepared(sql).await?;
    Ok(())
}
