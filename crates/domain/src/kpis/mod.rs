//! Daily KPIs per tenant and platform-wide, rolled up into `kpi_daily` and `kpi_daily_revenue`
//! so that series never touch raw rows at request time.
//!
//! Definitions (a day is a calendar day in `OPSDECK_KPI_TIMEZONE`):
//! - signups: customers whose `signed_up_at` falls in the day;
//! - DAU: distinct customers active that day, where active means they placed an order, signed
//!   up, or were last seen that day (`last_seen_at`; a later visit moves it, so rebuilding an old
//!   day can only lower its DAU, never invent activity);
//! - orders: orders created that day;
//! - revenue: per currency, the sum of `amount_minor` of orders paid that day and not refunded
//!   (refunds land in the trailing rebuild window);
//! - churned: customers whose `churned_at` falls in the day.
//!
//! Building a day is an idempotent upsert: building it twice leaves identical rows.

mod build;
mod rebuild;
mod series;

pub use build::{build_day, day_bounds};
pub use rebuild::{MAX_REBUILD_DAYS, RebuildJob, create_rebuild, execute_rebuild, get_rebuild, schedule_nightly};
pub use series::{DailyKpi, Revenue, daily_series};
