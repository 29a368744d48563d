//! Dense daily series read from the rollup tables: a day without activity is zeros.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::{
    DomainError,
    access::Scope,
    entities::{kpi_daily, kpi_daily_revenue},
};

/// The longest series one request may ask for.
pub const MAX_DAYS: i64 = 366;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Revenue {
    pub currency: String,
    pub amount_minor: i64,
    pub paid_orders: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DailyKpi {
    pub day: NaiveDate,
    pub signups: i64,
    pub dau: i64,
    pub orders: i64,
    pub churned: i64,
    /// Per currency, sorted by currency.
    pub revenue: Vec<Revenue>,
}

impl DailyKpi {
    fn zero(day: NaiveDate) -> Self {
        Self { day, signups: 0, dau: 0, orders: 0, churned: 0, revenue: Vec::new() }
    }
}

/// `[from, to]` for the scope: a tenant's rows, or the platform rows for staff.
pub async fn daily_series(
    conn: &impl ConnectionTrait,
    scope: Scope,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DailyKpi>, DomainError> {
    if to < from {
        return Err(DomainError::invalid_field("to", "must not be before from"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(DomainError::invalid_field("to", format!("a series spans at most {MAX_DAYS} days")));
    }
    let tenant_filter = |column: kpi_daily::Column| match scope.tenant_id() {
        Some(id) => column.eq(id),
        None => column.is_null(),
    };
    let rows = kpi_daily::Entity::find()
        .filter(tenant_filter(kpi_daily::Column::TenantId))
        .filter(kpi_daily::Column::Day.between(from, to))
        .order_by_asc(kpi_daily::Column::Day)
        .all(conn)
        .await?;
    let revenue_rows = kpi_daily_revenue::Entity::find()
        .filter(match scope.tenant_id() {
            Some(id) => kpi_daily_revenue::Column::TenantId.eq(id),
            None => kpi_daily_revenue::Column::TenantId.is_null(),
        })
        .filter(kpi_daily_revenue::Column::Day.between(from, to))
        .order_by_asc(kpi_daily_revenue::Column::Currency)
        .all(conn)
        .await?;

    let mut days: BTreeMap<NaiveDate, DailyKpi> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        days.insert(day, DailyKpi::zero(day));
        day += Duration::days(1);
    }
    for row in rows {
        if let Some(kpi) = days.get_mut(&row.day) {
            (kpi.signups, kpi.dau, kpi.orders, kpi.churned) = (row.signups, row.dau, row.orders, row.churned);
        }
    }
    for row in revenue_rows.into_iter().filter(|r| r.revenue_minor != 0 || r.paid_orders != 0) {
        if let Some(kpi) = days.get_mut(&row.day) {
            kpi.revenue.push(Revenue {
                currency: row.currency,
                amount_minor: row.revenue_minor,
                paid_orders: row.paid_orders,
            });
        }
    }
    Ok(days.into_values().collect())
}
