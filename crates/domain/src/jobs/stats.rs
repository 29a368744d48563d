//! Queue health for `/metrics`: rows per kind and status, the due backlog and its age.

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Expr, ExprTrait, Func, Query},
};

use super::lease::PENDING;
use crate::{Db, DomainError, entities::enums::JobKind};

#[derive(Clone, Debug)]
pub struct KindStats {
    pub kind: JobKind,
    /// Rows per status.
    pub by_status: Vec<(String, i64)>,
    /// PENDING rows whose time has come: the queue depth.
    pub due: i64,
    /// How long the oldest due row has waited.
    pub oldest_due_seconds: f64,
}

/// Two grouped queries per kind, whatever the table sizes (index-only on `(status, run_after)`).
pub async fn stats(db: &Db) -> Result<Vec<KindStats>, DomainError> {
    let now = Utc::now();
    let mut all = Vec::new();
    for kind in JobKind::ALL {
        let grouped = Query::select()
            .column("status")
            .expr_as(Func::count(Expr::col("id")), "n")
            .from(kind.table())
            .group_by_col("status")
            .to_owned();
        let by_status = db
            .conn()
            .query_all(&grouped)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String>("", "status")?, row.try_get::<i64>("", "n")?)))
            .collect::<Result<Vec<_>, DomainError>>()?;
        let backlog = Query::select()
            .expr_as(Func::count(Expr::col("id")), "n")
            .expr_as(Func::min(Expr::col("run_after")), "oldest")
            .from(kind.table())
            .and_where(Expr::col("status").eq(PENDING))
            .and_where(Expr::col("run_after").lte(now))
            .to_owned();
        let row = db.conn().query_one(&backlog).await?.ok_or_else(|| DomainError::Internal("no backlog row".into()))?;
        let due: i64 = row.try_get("", "n")?;
        let oldest: Option<DateTime<Utc>> = row.try_get("", "oldest")?;
        let oldest_due_seconds = oldest.map_or(0.0, |at| Ord::max((now - at).num_milliseconds(), 0) as f64 / 1000.0);
        all.push(KindStats { kind, by_status, due, oldest_due_seconds });
    }
    Ok(all)
}
