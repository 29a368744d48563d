//! Scheduled work that must run once per slot across every worker process: each run claims
//! its slot in `schedule_runs` (unique per schedule and slot), and only the winner runs it.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sea_orm::{
    ConnectionTrait,
    sea_query::{OnConflict, Query},
};

use crate::{Db, DomainError, audit::chain::storable_time};

/// Claims `slot_at` of `schedule`; `false` when another process already has it.
pub async fn claim_slot(db: &Db, schedule: &str, slot_at: DateTime<Utc>) -> Result<bool, DomainError> {
    let insert = Query::insert()
        .into_table("schedule_runs")
        .columns(["schedule", "slot_at", "started_at"])
        .values([schedule.into(), slot_at.into(), storable_time(Utc::now()).into()])
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .on_conflict(OnConflict::columns(["schedule", "slot_at"]).do_nothing().to_owned())
        .to_owned();
    Ok(db.conn().execute(&insert).await?.rows_affected() == 1)
}

/// The start of the hour `at` falls in: the slot of an hourly schedule.
pub fn hour_slot(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at)
}
