//! `Idempotency-Key`: the first outcome of a request per caller and key is kept for a day, so a
//! repeat (a double click, a client retrying after a timeout) gets that outcome again instead of
//! acting twice, on any API instance. A repeat with another body is a mistake of the client's, and
//! one arriving while the first still runs must wait for it.

use chrono::{TimeDelta, Utc};
use sea_orm::{
    ConnectionTrait, Value,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};

use crate::{Db, DomainError, access::Caller, audit::chain::storable_time};

const TABLE: &str = "idempotency_keys";
/// How long an outcome is answered again.
pub const KEPT_FOR: TimeDelta = TimeDelta::hours(24);
/// A first request still marked running after this long died with its process: its key is free.
const ABANDONED_AFTER: TimeDelta = TimeDelta::minutes(5);
pub const MAX_KEY_LENGTH: usize = 255;

/// A stored outcome: what the first request answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// The first request with this key: run it, then `finish` (or `forget`) it.
    First,
    /// Answered before: send this again.
    Replay(Outcome),
    /// The first request with this key is still running.
    Running,
    /// The key was used for a different request.
    Reused,
}

pub fn invalid_key() -> DomainError {
    DomainError::invalid(
        "invalid_idempotency_key",
        format!("Idempotency-Key must be 1-{MAX_KEY_LENGTH} visible ASCII characters"),
    )
}

/// Whether `key` is a usable key: 1-255 visible ASCII characters.
fn validate_key(key: &str) -> Result<(), DomainError> {
    if key.is_empty() || key.len() > MAX_KEY_LENGTH || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid_key());
    }
    Ok(())
}

/// Claims `key` for `caller`'s request (`digest` identifies it: method, path, body).
pub async fn start(db: &Db, caller: &Caller, key: &str, digest: &str) -> Result<Start, DomainError> {
    validate_key(key)?;
    let now = storable_time(Utc::now());
    let owner = caller.key();
    // Expired outcomes of this caller, and this key's abandoned run, make room.
    let stale = Query::delete()
        .from_table(TABLE)
        .and_where(Expr::col("caller").eq(owner.as_str()))
        .and_where(
            Expr::col("created_at").lt(now - KEPT_FOR).or(Expr::col("key")
                .eq(key)
                .and(Expr::col("status").is_null())
                .and(Expr::col("created_at").lt(now - ABANDONED_AFTER))),
        )
        .to_owned();
    db.conn().execute(&stale).await?;
    let claim = Query::insert()
        .into_table(TABLE)
        .columns(["caller", "key", "request_digest", "created_at"])
        .values([owner.as_str().into(), key.into(), digest.into(), now.into()])
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .on_conflict(OnConflict::columns(["caller", "key"]).do_nothing().to_owned())
        .to_owned();
    if db.conn().execute(&claim).await?.rows_affected() == 1 {
        return Ok(Start::First);
    }
    let read = Query::select()
        .columns(["request_digest", "status", "content_type", "body"])
        .from(TABLE)
        .and_where(Expr::col("caller").eq(owner.as_str()))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    let Some(row) = db.conn().query_one(&read).await? else {
        // Removed between the two statements (its first request failed): the caller may retry.
        return Ok(Start::Running);
    };
    let stored_digest: String = row.try_get("", "request_digest")?;
    let status: Option<i32> = row.try_get("", "status")?;
    Ok(match status {
        _ if stored_digest != digest => Start::Reused,
        None => Start::Running,
        Some(status) => Start::Replay(Outcome {
            status: u16::try_from(status).unwrap_or(500),
            content_type: row.try_get("", "content_type")?,
            body: row.try_get::<Option<String>>("", "body")?.unwrap_or_default(),
        }),
    })
}

/// Records the first request's outcome, to be answered to its repeats.
pub async fn finish(db: &Db, caller: &Caller, key: &str, outcome: &Outcome) -> Result<(), DomainError> {
    let update = Query::update()
        .table(TABLE)
        .value("status", i32::from(outcome.status))
        .value("content_type", Value::String(outcome.content_type.clone()))
        .value("body", outcome.body.as_str())
        .and_where(Expr::col("caller").eq(caller.key()))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    db.conn().execute(&update).await?;
    Ok(())
}

/// Frees the key: the first request failed on the server's side, so a repeat may run it again.
pub async fn forget(db: &Db, caller: &Caller, key: &str) -> Result<(), DomainError> {
    let delete = Query::delete()
        .from_table(TABLE)
        .and_where(Expr::col("caller").eq(caller.key()))
        .and_where(Expr::col("key").eq(key))
        .to_owned();
    db.conn().execute(&delete).await?;
    Ok(())
}
