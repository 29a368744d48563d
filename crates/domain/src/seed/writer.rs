//! Batched multi-row INSERTs (bound values, built with sea-query) in periodically committed write
//! transactions, plus id reservation for tables whose ids the seeder assigns itself.

use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value,
    sea_query::{Expr, InsertStatement, Query},
};

use crate::{Db, DomainError};

/// Rows per INSERT, and bound values per INSERT: under SQLite's 32766 and PostgreSQL's 65535.
const MAX_ROWS_PER_STATEMENT: usize = 1000;
const MAX_VALUES_PER_STATEMENT: usize = 30_000;

/// Rows per transaction: enough to amortize commits, few enough to keep SQLite's WAL small.
pub(super) const ROWS_PER_TRANSACTION: usize = 50_000;

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

    /// Sends the pending rows, if any; returns how many.
    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<usize, DomainError> {
        if self.rows == 0 {
            return Ok(0);
        }
        conn.execute(&self.statement).await?;
        let sent = self.rows;
        self.statement = Self::empty(self.table, self.columns);
        self.rows = 0;
        Ok(sent)
    }
}

/// Loads one table: batches rows, commits every [`ROWS_PER_TRANSACTION`] rows.
pub(super) struct Loader<'a> {
    db: &'a Db,
    batch: Batch,
    txn: Option<DatabaseTransaction>,
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
            self.txn = Some(self.db.begin_write().await?);
        }
        let Some(txn) = self.txn.as_ref() else {
            return Err(internal(self.batch.table, "no transaction"));
        };
        let sent = self.batch.flush(txn).await?;
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

/// Refreshes the planner's statistics after the bulk load.
pub(super) async fn analyze(db: &Db) -> Result<(), DomainError> {
    let sql = match db.backend() {
        DbBackend::Postgres => "ANALYZE",
        // A sampled ANALYZE: exact statistics over a million rows are not worth the full scan.
        _ => "PRAGMA analysis_limit = 1000; ANALYZE",
    };
    db.conn().execute_unprepared(sql).await?;
    Ok(())
}
