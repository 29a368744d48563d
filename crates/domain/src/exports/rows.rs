//! An export's rows, from the driver straight into CSV: the hot path of export jobs and of the
//! audit log download.
//!
//! Each keyset chunk is one SELECT of the exported columns only, built with sea-query from the
//! same scope and filters as every other read, run on the sqlx pool under sea-orm and
//! *streamed*: each row is written into the CSV writer as it arrives. No models, no chunk held
//! in memory, no `String` per cell (text is borrowed from the driver's row, integers and
//! timestamps are formatted on the stack), so memory does not grow with the chunk size, and the
//! database produces the next rows while these are rendered (sqlx-sqlite steps the statement on
//! its own thread, PostgreSQL sends while we parse).
//!
//! Why streamed, on one connection: sqlx-sqlite copies each row on the worker thread of the
//! pooled connection it runs on, so a chunk held in memory grows that thread's glibc arena to the
//! chunk's size for good, once per connection used. Streamed, an arena never holds more than
//! sqlx's row channel (50 rows), and an export job reads through one connection ([`Reader`]):
//! one worker thread, one arena. Per-cell allocations are avoided because on this path
//! allocating, not the database, is what the time would go to.
//!
//! Cells are rendered exactly as the `CsvRecord` impls render models (a test compares the two on
//! both engines): integers in decimal, timestamps as `canonical_time`, NULL as an empty cell,
//! text as stored, every cell neutralized against formula injection.

use std::io::Write;

use chrono::{DateTime, Datelike, Timelike, Utc};
use futures_util::TryStreamExt;
use sea_orm::{
    DbBackend, EntityTrait, QuerySelect, Select, Statement, Value, Values,
    sea_query::{Expr, OptionEnum},
};
use sqlx::{Arguments, AssertSqlSafe, ColumnIndex, Decode, Encode, Row, Type, pool::PoolConnection};

use crate::{
    Db, DomainError,
    audit::{chain::canonical_time, query::AuditEntry},
    entities::{customers, orders, products},
    exports::csv::{CsvRecord, looks_like_formula},
};

/// How a column is read and rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    /// BIGINT (any INTEGER on SQLite).
    Int,
    /// INTEGER: 32 bits on PostgreSQL.
    Int4,
    Text,
    Time,
}

/// The columns of a dataset's CSV: the header names them, in order (they are the table's
/// column names), and each has its kind.
pub(crate) struct Layout {
    pub header: &'static [&'static str],
    pub cells: &'static [Cell],
}

use Cell::{Int, Int4, Text, Time};

pub(crate) const AUDIT_LOG: Layout = Layout {
    header: AuditEntry::HEADER,
    cells: &[
        Int, Time, Text, Int, Text, Int, Text, Text, Text, Text, Text, Text, Text, Int4, Text, Text, Text, Text, Text,
        Int4,
    ],
};

pub(crate) const ORDERS: Layout =
    Layout { header: orders::Model::HEADER, cells: &[Int, Int, Int, Int, Text, Int, Text, Text, Time, Time, Time] };

pub(crate) const PRODUCTS: Layout =
    Layout { header: products::Model::HEADER, cells: &[Int, Int, Int, Text, Text, Int, Text, Text, Time, Time] };

pub(crate) const CUSTOMERS: Layout =
    Layout { header: customers::Model::HEADER, cells: &[Int, Int, Text, Text, Text, Time, Time, Time] };

impl Layout {
    /// `select` reading just these columns, in this order (the first one is the id).
    pub fn select<E: EntityTrait>(&self, select: Select<E>) -> Select<E> {
        self.header.iter().fold(select.select_only(), |select, column| select.expr(Expr::col(*column)))
    }
}

/// What one chunk wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub rows: u64,
    /// The id (first column) of the last row.
    pub last_id: Option<i64>,
}

#[derive(Debug)]
pub(crate) enum RowsError {
    Read(DomainError),
    Write(std::io::Error),
}

impl From<DomainError> for RowsError {
    fn from(error: DomainError) -> Self {
        Self::Read(error)
    }
}

impl From<csv::Error> for RowsError {
    fn from(error: csv::Error) -> Self {
        Self::Write(error.into())
    }
}

fn read_error(error: sqlx::Error) -> RowsError {
    RowsError::Read(DomainError::Internal(format!("reading export rows: {error}")))
}

/// Where an export's chunks run, one statement each in autocommit mode. On SQLite, a pooled
/// connection held from chunk to chunk (which holds no transaction and no snapshot): it keeps
/// an export job's reads on one sqlx-sqlite worker thread (see the module doc); the audit
/// download takes one per chunk instead, so a slow client never holds a connection. On
/// PostgreSQL rows are decoded on the calling task whichever connection reads them: the pool.
pub(crate) enum Reader {
    Sqlite(PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::PgPool),
}

impl Reader {
    pub async fn acquire(db: &Db) -> Result<Self, DomainError> {
        let unavailable = |e: sqlx::Error| DomainError::Internal(format!("no database connection for an export: {e}"));
        match db.backend() {
            DbBackend::Sqlite => {
                Ok(Self::Sqlite(db.conn().get_sqlite_connection_pool().acquire().await.map_err(unavailable)?))
            }
            DbBackend::Postgres => Ok(Self::Postgres(db.conn().get_postgres_connection_pool().clone())),
            other => Err(DomainError::Internal(format!("exports do not run on {other:?}"))),
        }
    }
}

/// Runs `statement` (a SELECT whose columns are `cells`, id first) and writes every row it
/// returns into `out`, one CSV record each, as the rows arrive.
pub(crate) async fn write_chunk<W: Write>(
    reader: &mut Reader,
    statement: Statement,
    cells: &[Cell],
    out: &mut csv::Writer<W>,
) -> Result<Chunk, RowsError> {
    let sql = AssertSqlSafe(statement.sql);
    let mut chunk = Chunk::default();
    let mut cell = CellBuffer::default();
    match reader {
        Reader::Sqlite(connection) => {
            let arguments = arguments::<sqlx::Sqlite>(statement.values)?;
            let mut rows = sqlx::query_with(sql, arguments).fetch(&mut **connection);
            while let Some(row) = rows.try_next().await.map_err(read_error)? {
                chunk.last_id = Some(write_row(&row, cells, out, &mut cell)?);
                chunk.rows += 1;
            }
        }
        Reader::Postgres(pool) => {
            let arguments = arguments::<sqlx::Postgres>(statement.values)?;
            let mut rows = sqlx::query_with(sql, arguments).fetch(&*pool);
            while let Some(row) = rows.try_next().await.map_err(read_error)? {
                chunk.last_id = Some(write_row(&row, cells, out, &mut cell)?);
                chunk.rows += 1;
            }
        }
    }
    Ok(chunk)
}

/// sea-query's parameters as sqlx arguments. An export binds ids, tenant ids, timestamps, strings
/// (an order status, the audit filters) and its limit, nothing else.
fn arguments<DB>(values: Option<Values>) -> Result<DB::Arguments, DomainError>
where
    DB: sqlx::Database,
    for<'q> i32: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> DateTime<Utc>: Encode<'q, DB> + Type<DB>,
{
    let mut arguments = DB::Arguments::default();
    for value in values.map(|values| values.0).unwrap_or_default() {
        let added = match value {
            Value::Int(Some(value)) => arguments.add(value),
            Value::BigInt(Some(value)) => arguments.add(value),
            // LIMIT.
            Value::BigUnsigned(Some(value)) => arguments
                .add(i64::try_from(value).map_err(|_| DomainError::Internal(format!("an export's limit is {value}")))?),
            Value::String(Some(value)) => arguments.add(value),
            Value::Enum(OptionEnum::Some(value)) => arguments.add(value.value.into_owned()),
            Value::ChronoDateTimeUtc(Some(value)) => arguments.add(value),
            other => return Err(DomainError::Internal(format!("an export cannot bind {other:?}"))),
        };
        added.map_err(|e| DomainError::Internal(format!("binding an export parameter: {e}")))?;
    }
    Ok(arguments)
}

/// Writes one row as a CSV record; returns its id (the first column).
fn write_row<R, W>(row: &R, cells: &[Cell], out: &mut csv::Writer<W>, cell: &mut CellBuffer) -> Result<i64, RowsError>
where
    R: Row,
    W: Write,
    usize: ColumnIndex<R>,
    for<'r> &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i32: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    let decode = |index: usize, error: sqlx::Error| {
        RowsError::Read(DomainError::Internal(format!("decoding export column {index}: {error}")))
    };
    let id: i64 = row.try_get(0).map_err(|e| decode(0, e))?;
    for (index, kind) in cells.iter().enumerate() {
        match kind {
            Cell::Int => match row.try_get::<Option<i64>, _>(index).map_err(|e| decode(index, e))? {
                Some(value) => cell.write_int(out, value)?,
                None => out.write_field([])?,
            },
            Cell::Int4 => match row.try_get::<Option<i32>, _>(index).map_err(|e| decode(index, e))? {
                Some(value) => cell.write_int(out, i64::from(value))?,
                None => out.write_field([])?,
            },
            Cell::Text => match row.try_get::<Option<&str>, _>(index).map_err(|e| decode(index, e))? {
                Some(text) => cell.write_text(out, text.as_bytes())?,
                None => out.write_field([])?,
            },
            Cell::Time => match row.try_get::<Option<DateTime<Utc>>, _>(index).map_err(|e| decode(index, e))? {
                Some(at) => cell.write_time(out, at)?,
                None => out.write_field([])?,
            },
        }
    }
    out.write_record(None::<&[u8]>)?;
    Ok(id)
}

/// Room to format a cell without allocating (and, rarely, to prefix a formula-looking one).
#[derive(Default)]
struct CellBuffer {
    digits: [u8; 20],
    time: [u8; 27],
    prefixed: Vec<u8>,
}

impl CellBuffer {
    /// A cell as stored, neutralized like [`crate::exports::csv::neutralize`].
    fn write_text<W: Write>(&mut self, out: &mut csv::Writer<W>, cell: &[u8]) -> csv::Result<()> {
        if looks_like_formula(cell) {
            self.prefixed.clear();
            self.prefixed.push(b'\'');
            self.prefixed.extend_from_slice(cell);
            out.write_field(&self.prefixed)
        } else {
            out.write_field(cell)
        }
    }

    fn write_int<W: Write>(&mut self, out: &mut csv::Writer<W>, value: i64) -> csv::Result<()> {
        let mut start = self.digits.len();
        let mut rest = value.unsigned_abs();
        loop {
            start -= 1;
            self.digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if value < 0 {
            start -= 1;
            self.digits[start] = b'-';
            // A negative number looks like a formula to a spreadsheet, as it did before.
            let digits = self.digits;
            return self.write_text(out, &digits[start..]);
        }
        out.write_field(&self.digits[start..])
    }

    /// `canonical_time(at)`: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    fn write_time<W: Write>(&mut self, out: &mut csv::Writer<W>, at: DateTime<Utc>) -> csv::Result<()> {
        match canonical_time_into(at, &mut self.time) {
            Some(text) => out.write_field(text),
            // Years past 9999 (or a leap second): chrono's own formatting.
            None => self.write_text(out, canonical_time(at).as_bytes()),
        }
    }
}

/// `canonical_time` on the stack, for years 0-9999 outside leap seconds.
fn canonical_time_into(at: DateTime<Utc>, buffer: &mut [u8; 27]) -> Option<&[u8]> {
    let year = u32::try_from(at.year()).ok().filter(|year| *year <= 9999)?;
    let micros = Some(at.nanosecond()).filter(|nanos| *nanos < 1_000_000_000)? / 1000;
    let fields: [(u32, usize, u8); 7] = [
        (year, 4, b'-'),
        (at.month(), 2, b'-'),
        (at.day(), 2, b'T'),
        (at.hour(), 2, b':'),
        (at.minute(), 2, b':'),
        (at.second(), 2, b'.'),
        (micros, 6, b'Z'),
    ];
    let mut position = 0;
    for (value, width, separator) in fields {
        let mut rest = value;
        for slot in buffer[position..position + width].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        buffer[position + width] = separator;
        position += width + 1;
    }
    Some(&buffer[..position])
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn rendered(write: impl FnOnce(&mut CellBuffer, &mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        write(&mut CellBuffer::default(), &mut out).unwrap();
        out.write_record(None::<&[u8]>).unwrap();
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn timestamps_render_as_canonical_time() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut samples = vec![
            Utc.timestamp_opt(0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 6, 30, 23, 59, 59).unwrap() + chrono::Duration::nanoseconds(999_999_999),
            // A leap second, which chrono writes as second 60.
            Utc.timestamp_opt(1_483_228_799, 1_500_000_000).unwrap(),
        ];
        for _ in 0..10_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let micros = i64::try_from(seed % 8_000_000_000_000_000).unwrap() - 1_000_000_000_000_000;
            samples.push(DateTime::from_timestamp_micros(micros).unwrap() + chrono::Duration::nanoseconds(789));
        }
        for at in samples {
            // As the model path wrote it: `neutralize(canonical_time(..))` ('+10000-..', '-0001-..').
            let expected = crate::exports::csv::neutralize(canonical_time(at));
            assert_eq!(rendered(|cell, out| cell.write_time(out, at)), format!("{expected}\n"), "{at:?}");
        }
    }

    #[test]
    fn integers_render_in_decimal_and_negative_ones_are_defused() {
        for value in [0, 7, 10, 1_234_567, i64::MAX, -1, -10, i64::MIN] {
            let expected = crate::exports::csv::neutralize(value.to_string());
            assert_eq!(rendered(|cell, out| cell.write_int(out, value)), format!("{expected}\n"));
        }
    }

    #[test]
    fn text_is_quoted_as_needed_and_formulas_defused() {
        let cells: [&[u8]; 3] = [b"a,b", b"=HYPERLINK(\"x\")", b"{\"k\":1}"];
        let text = rendered(|cell, out| cells.iter().try_for_each(|text| cell.write_text(out, text)));
        assert_eq!(text, "\"a,b\",\"'=HYPERLINK(\"\"x\"\")\",\"{\"\"k\"\":1}\"\n");
    }

    #[test]
    fn layouts_read_the_columns_their_header_names() {
        use sea_orm::{IdenStatic, Iterable};
        fn names<E: EntityTrait>() -> Vec<String> {
            E::Column::iter().map(|column| column.as_str().to_owned()).collect()
        }
        let all = [
            (&AUDIT_LOG, names::<crate::entities::audit_log::Entity>()),
            (&ORDERS, names::<orders::Entity>()),
            (&PRODUCTS, names::<products::Entity>()),
            (&CUSTOMERS, names::<customers::Entity>()),
        ];
        for (layout, columns) in all {
            assert_eq!(layout.header.len(), layout.cells.len());
            assert_eq!(layout.header.first(), Some(&"id"));
            for name in layout.header {
                assert!(columns.iter().any(|column| column == name), "{name} is not a column");
            }
        }
    }
}
