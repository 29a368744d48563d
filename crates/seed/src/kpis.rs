//! A year of daily KPIs, computed from the generated customers and orders themselves (so a later
//! rebuild tells the same story), per tenant and platform-wide (`tenant_id` NULL).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use opsdeck_domain::{Db, DomainError, enums::OrderStatus};
use rand::{RngExt, rngs::StdRng};
use sea_orm::{ConnectionTrait, Statement, Value};

use super::{
    commerce::Orders,
    customers::Customers,
    plan::{Clock, DAY, HOUR, MINUTE, at, between},
    tenants::Tenant,
    writer::Loader,
};

pub(super) const DAYS: usize = 365;

#[derive(Clone, Default)]
struct Day {
    signups: i64,
    dau: i64,
    orders: i64,
    churned: i64,
    revenue_minor: i64,
    paid_orders: i64,
}

pub(super) struct Kpis {
    first_day: i64,
    /// Per tenant, one entry per day.
    tenants: Vec<Vec<Day>>,
    computed_at: Vec<i64>,
}

fn day_index(first_day: i64, t: i64) -> Option<usize> {
    let d = (t - first_day).div_euclid(DAY);
    usize::try_from(d).ok().filter(|&d| d < DAYS)
}

/// The 365 complete days before today.
pub(super) fn compute(
    rng: &mut StdRng,
    clock: &Clock,
    tenant_count: usize,
    customers: &Customers,
    orders: &Orders,
) -> Kpis {
    let first_day = clock.today() - DAYS as i64 * DAY;
    let mut tenants = vec![vec![Day::default(); DAYS]; tenant_count];
    // Customers active at the end of each day: those from before the window, plus the changes.
    let mut base = vec![0_i64; tenant_count];
    let mut delta = vec![vec![0_i64; DAYS]; tenant_count];
    for c in &customers.list {
        let (Some(days), Some(base), Some(delta)) =
            (tenants.get_mut(c.tenant), base.get_mut(c.tenant), delta.get_mut(c.tenant))
        else {
            continue;
        };
        for (t, step) in [(Some(c.signed_up_at), 1), (c.churned_at, -1)] {
            let Some(t) = t else { continue };
            if t < first_day {
                *base += step;
            } else if let Some(d) = day_index(first_day, t) {
                delta[d] += step;
                let day = &mut days[d];
                if step > 0 { day.signups += 1 } else { day.churned += 1 }
            }
        }
    }
    for o in &orders.list {
        let Some(days) = tenants.get_mut(o.tenant) else { continue };
        if let Some(d) = day_index(first_day, o.created_at) {
            days[d].orders += 1;
        }
        if o.status == OrderStatus::Paid
            && let Some(d) = o.paid_at.and_then(|t| day_index(first_day, t))
        {
            days[d].revenue_minor += o.amount_minor;
            days[d].paid_orders += 1;
        }
    }
    for ((days, base), delta) in tenants.iter_mut().zip(&base).zip(&delta) {
        let mut active = *base;
        for (d, (day, change)) in days.iter_mut().zip(delta).enumerate() {
            active += change;
            // About one active customer in six shows up on a weekday, fewer at weekends.
            let weekday = ((first_day / DAY) + d as i64 + 3).rem_euclid(7);
            let rate = if weekday >= 5 { 0.11 } else { 0.17 } * rng.random_range(0.85..1.15);
            day.dau = ((active as f64 * rate).round() as i64).max(day.orders.min(active)).max(0);
        }
    }
    let computed_at = (0..DAYS as i64)
        .map(|d| (first_day + (d + 1) * DAY + 2 * HOUR + between(rng, 0, 15 * MINUTE)).min(clock.now))
        .collect();
    Kpis { first_day, tenants, computed_at }
}

fn date(t: i64) -> NaiveDate {
    at(t).date_naive()
}

pub(super) async fn load(db: &Db, tenants: &[Tenant], kpis: &Kpis) -> Result<u64, DomainError> {
    clear_platform_rows(db, kpis).await?;

    // Rows are collected first (a few thousand): each table is then loaded by its own writer,
    // one write transaction at a time.
    let mut daily_rows: Vec<[Value; 7]> = Vec::new();
    let mut revenue_rows: Vec<[Value; 6]> = Vec::new();
    for d in 0..DAYS {
        let day = date(kpis.first_day + d as i64 * DAY);
        let computed_at = at(kpis.computed_at.get(d).copied().unwrap_or(kpis.first_day));
        let mut platform = Day::default();
        let mut platform_revenue: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for (tenant, days) in tenants.iter().zip(&kpis.tenants) {
            let Some(k) = days.get(d) else { continue };
            daily_rows.push([
                day.into(),
                Some(tenant.id).into(),
                k.signups.into(),
                k.dau.into(),
                k.orders.into(),
                k.churned.into(),
                computed_at.into(),
            ]);
            revenue_rows.push([
                day.into(),
                Some(tenant.id).into(),
                tenant.currency.into(),
                k.revenue_minor.into(),
                k.paid_orders.into(),
                computed_at.into(),
            ]);
            platform.signups += k.signups;
            platform.dau += k.dau;
            platform.orders += k.orders;
            platform.churned += k.churned;
            let sum = platform_revenue.entry(tenant.currency).or_default();
            sum.0 += k.revenue_minor;
            sum.1 += k.paid_orders;
        }
        daily_rows.push([
            day.into(),
            Value::from(None::<i64>),
            platform.signups.into(),
            platform.dau.into(),
            platform.orders.into(),
            platform.churned.into(),
            computed_at.into(),
        ]);
        for (currency, (revenue_minor, paid_orders)) in platform_revenue {
            revenue_rows.push([
                day.into(),
                Value::from(None::<i64>),
                currency.into(),
                revenue_minor.into(),
                paid_orders.into(),
                computed_at.into(),
            ]);
        }
    }
    let mut daily =
        Loader::new(db, "kpi_daily", &["day", "tenant_id", "signups", "dau", "orders", "churned", "computed_at"]);
    for row in daily_rows {
        daily.push(row).await?;
    }
    daily.finish().await?;
    let mut revenue = Loader::new(
        db,
        "kpi_daily_revenue",
        &["day", "tenant_id", "currency", "revenue_minor", "paid_orders", "computed_at"],
    );
    for row in revenue_rows {
        revenue.push(row).await?;
    }
    revenue.finish().await?;
    Ok(DAYS as u64)
}

/// Platform rows may exist already (the nightly job ran before any tenant existed). They are
/// derived data, all zeros then: the seeded ones replace them rather than collide with them.
async fn clear_platform_rows(db: &Db, kpis: &Kpis) -> Result<(), DomainError> {
    let backend = db.backend();
    let (from, to) = (date(kpis.first_day), date(kpis.first_day + (DAYS as i64 - 1) * DAY));
    let txn = db.begin_write().await?;
    for table in ["kpi_daily", "kpi_daily_revenue"] {
        let sql = match backend {
            sea_orm::DbBackend::Postgres => {
                format!("DELETE FROM {table} WHERE tenant_id IS NULL AND day BETWEEN $1 AND $2")
            }
            _ => format!("DELETE FROM {table} WHERE tenant_id IS NULL AND day BETWEEN ? AND ?"),
        };
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, [from.into(), to.into()])).await?;
    }
    txn.commit().await?;
    Ok(())
}
