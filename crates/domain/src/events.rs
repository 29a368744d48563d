//! The job change feed behind the live event stream (`GET /api/v1/events`): bulk and export
//! jobs in a scope whose row changed since a given instant.
//!
//! Polling the state rows (not an in-process channel) is what makes the stream work when the
//! worker runs in another process or on another host: the rows are the truth, wherever they
//! were written.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    Db, DomainError,
    access::Scope,
    audit::chain::storable_time,
    bulk::BulkJob,
    entities::{bulk_jobs, export_jobs},
    exports::ExportJob,
};

/// Which kinds of jobs a subscriber may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feeds {
    pub bulk: bool,
    pub exports: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobChange {
    Bulk(BulkJob),
    Export(ExportJob),
}

impl JobChange {
    pub fn updated_at(&self) -> DateTime<Utc> {
        match self {
            JobChange::Bulk(job) => job.updated_at,
            JobChange::Export(job) => job.updated_at,
        }
    }
}

/// Jobs in `scope` whose row changed at or after `since`, oldest change first; at most
/// `limit` per kind (the most recent ones), so one poll stays bounded.
pub async fn changed_since(
    db: &Db,
    scope: Scope,
    feeds: Feeds,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<JobChange>, DomainError> {
    // Stored timestamps have microsecond precision; compare like with like.
    let since = storable_time(since);
    let mut changes = Vec::new();
    if feeds.bulk {
        let jobs = scope
            .filter(bulk_jobs::Entity::find(), bulk_jobs::Column::TenantId)
            .filter(bulk_jobs::Column::UpdatedAt.gte(since))
            .order_by_desc(bulk_jobs::Column::UpdatedAt)
            .limit(limit)
            .all(db.conn())
            .await?;
        changes.extend(jobs.into_iter().map(JobChange::Bulk));
    }
    if feeds.exports {
        let jobs = scope
            .filter(export_jobs::Entity::find(), export_jobs::Column::TenantId)
            .filter(export_jobs::Column::UpdatedAt.gte(since))
            .order_by_desc(export_jobs::Column::UpdatedAt)
            .limit(limit)
            .all(db.conn())
            .await?;
        changes.extend(jobs.into_iter().map(JobChange::Export));
    }
    changes.sort_by_key(JobChange::updated_at);
    Ok(changes)
}
