//! Computing one day from raw rows and upserting its rollup rows.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter, Set,
    Statement, Value,
};

use crate::{
    Db, DomainError,
    audit::chain::storable_time,
    entities::{kpi_daily, kpi_daily_revenue},
};

/// The UTC instants a local calendar day spans: `[start, end)`. Across a DST change a day is 23
/// or 25 hours long; a midnight that does not exist locally starts at the first instant after.
pub fn day_bounds(day: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let local_start = |date: NaiveDate| {
        let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        tz.from_local_datetime(&midnight)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(midnight + chrono::Duration::hours(1))).earliest())
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
    };
    let next = day.succ_opt().unwrap_or(day);
    (local_start(day), local_start(next))
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    signups: i64,
    dau: i64,
    orders: i64,
    churned: i64,
}

/// `?` placeholders as the engine wants them.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 8);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `(tenant_id, count)` rows of a grouped count over the day.
async fn grouped(
    txn: &DatabaseTransaction,
    sql: &str,
    bounds: (DateTime<Utc>, DateTime<Utc>),
    repeats: usize,
) -> Result<Vec<(i64, i64)>, DomainError> {
    let values = (0..repeats).flat_map(|_| [bounds.0.into(), bounds.1.into()]).collect();
    let rows = txn.query_all_raw(statement(txn.get_database_backend(), sql, values)).await?;
    rows.iter().map(|row| Ok((row.try_get_by_index::<i64>(0)?, row.try_get_by_index::<i64>(1)?))).collect()
}

const SIGNUPS: &str =
    "SELECT tenant_id, COUNT(*) FROM customers WHERE signed_up_at >= ? AND signed_up_at < ? GROUP BY tenant_id";
const CHURNED: &str =
    "SELECT tenant_id, COUNT(*) FROM customers WHERE churned_at >= ? AND churned_at < ? GROUP BY tenant_id";
const ORDERS: &str =
    "SELECT tenant_id, COUNT(*) FROM orders WHERE created_at >= ? AND created_at < ? GROUP BY tenant_id";
const ACTIVE: &str = "SELECT tenant_id, COUNT(DISTINCT customer_id) FROM ( \
     SELECT tenant_id, customer_id FROM orders WHERE created_at >= ? AND created_at < ? AND customer_id IS NOT NULL \
     UNION SELECT tenant_id, id FROM customers WHERE signed_up_at >= ? AND signed_up_at < ? \
     UNION SELECT tenant_id, id FROM customers WHERE last_seen_at >= ? AND last_seen_at < ? \
   ) active GROUP BY tenant_id";
const REVENUE: &str = "SELECT tenant_id, currency, CAST(SUM(amount_minor) AS BIGINT), COUNT(*) FROM orders \
     WHERE paid_at >= ? AND paid_at < ? AND status = 'paid' GROUP BY tenant_id, currency";

/// Rebuilds one day's rollup rows (every tenant and the platform row).
pub async fn build_day(db: &Db, day: NaiveDate, tz: Tz) -> Result<(), DomainError> {
    let bounds = day_bounds(day, tz);
    let txn = db.begin_write().await?;
    let mut counts: BTreeMap<Option<i64>, Counts> = BTreeMap::new();
    for (tenant, n) in grouped(&txn, SIGNUPS, bounds, 1).await? {
        counts.entry(Some(tenant)).or_default().signups = n;
    }
    for (tenant, n) in grouped(&txn, CHURNED, bounds, 1).await? {
        counts.entry(Some(tenant)).or_default().churned = n;
    }
    for (tenant, n) in grouped(&txn, ORDERS, bounds, 1).await? {
        counts.entry(Some(tenant)).or_default().orders = n;
    }
    for (tenant, n) in grouped(&txn, ACTIVE, bounds, 3).await? {
        counts.entry(Some(tenant)).or_default().dau = n;
    }
    let platform = counts.values().fold(Counts::default(), |sum, c| Counts {
        signups: sum.signups + c.signups,
        dau: sum.dau + c.dau,
        orders: sum.orders + c.orders,
        churned: sum.churned + c.churned,
    });
    counts.insert(None, platform);

    let revenue_rows = txn
        .query_all_raw(statement(txn.get_database_backend(), REVENUE, vec![bounds.0.into(), bounds.1.into()]))
        .await?;
    let mut revenue: BTreeMap<(Option<i64>, String), (i64, i64)> = BTreeMap::new();
    for row in &revenue_rows {
        let (tenant, currency): (i64, String) = (row.try_get_by_index(0)?, row.try_get_by_index(1)?);
        let (sum, paid): (i64, i64) = (row.try_get_by_index(2)?, row.try_get_by_index(3)?);
        revenue.insert((Some(tenant), currency.clone()), (sum, paid));
        let platform = revenue.entry((None, currency)).or_default();
        platform.0 += sum;
        platform.1 += paid;
    }

    upsert_counts(&txn, day, counts).await?;
    upsert_revenue(&txn, day, revenue).await?;
    txn.commit().await?;
    Ok(())
}

/// Updates rows whose values changed, inserts missing ones, zeroes rows that lost their activity.
async fn upsert_counts(
    txn: &DatabaseTransaction,
    day: NaiveDate,
    mut counts: BTreeMap<Option<i64>, Counts>,
) -> Result<(), DomainError> {
    let now = storable_time(Utc::now());
    let existing = kpi_daily::Entity::find().filter(kpi_daily::Column::Day.eq(day)).all(txn).await?;
    for row in existing {
        let fresh = counts.remove(&row.tenant_id).unwrap_or_default();
        let stored = Counts { signups: row.signups, dau: row.dau, orders: row.orders, churned: row.churned };
        if fresh != stored {
            let mut active: kpi_daily::ActiveModel = row.into();
            active.signups = Set(fresh.signups);
            active.dau = Set(fresh.dau);
            active.orders = Set(fresh.orders);
            active.churned = Set(fresh.churned);
            active.computed_at = Set(now);
            active.update(txn).await?;
        }
    }
    for (tenant_id, c) in counts {
        kpi_daily::ActiveModel {
            day: Set(day),
            tenant_id: Set(tenant_id),
            signups: Set(c.signups),
            dau: Set(c.dau),
            orders: Set(c.orders),
            churned: Set(c.churned),
            computed_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

async fn upsert_revenue(
    txn: &DatabaseTransaction,
    day: NaiveDate,
    mut revenue: BTreeMap<(Option<i64>, String), (i64, i64)>,
) -> Result<(), DomainError> {
    let now = storable_time(Utc::now());
    let existing = kpi_daily_revenue::Entity::find().filter(kpi_daily_revenue::Column::Day.eq(day)).all(txn).await?;
    let mut seen = BTreeSet::new();
    for row in existing {
        let key = (row.tenant_id, row.currency.clone());
        let fresh = revenue.remove(&key).unwrap_or_default();
        seen.insert(key);
        if fresh != (row.revenue_minor, row.paid_orders) {
            let mut active: kpi_daily_revenue::ActiveModel = row.into();
            active.revenue_minor = Set(fresh.0);
            active.paid_orders = Set(fresh.1);
            active.computed_at = Set(now);
            active.update(txn).await?;
        }
    }
    for ((tenant_id, currency), (sum, paid)) in revenue {
        kpi_daily_revenue::ActiveModel {
            day: Set(day),
            tenant_id: Set(tenant_id),
            currency: Set(currency),
            revenue_minor: Set(sum),
            paid_orders: Set(paid),
            computed_at: Set(now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_in_a_non_utc_zone_starts_at_local_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default();
        let (start, end) = day_bounds(day, chrono_tz::Europe::Berlin);
        assert_eq!(start.to_rfc3339(), "2026-06-30T22:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-07-01T22:00:00+00:00");
    }

    #[test]
    fn dst_days_are_23_and_25_hours_long() {
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default();
        let (start, end) = day_bounds(spring, chrono_tz::Europe::Berlin);
        assert_eq!((end - start).num_hours(), 23);
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default();
        let (start, end) = day_bounds(autumn, chrono_tz::Europe::Berlin);
        assert_eq!((end - start).num_hours(), 25);
    }

    #[test]
    fn postgres_placeholders_are_numbered() {
        let s = statement(DbBackend::Postgres, "a = ? AND b = ?", vec![1.into(), 2.into()]);
        assert_eq!(s.sql, "a = $1 AND b = $2");
    }
}
