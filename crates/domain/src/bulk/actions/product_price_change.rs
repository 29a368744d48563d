//! `product.price_change`: changes prices by a percentage, `{"percent": -10}` for a 10%
//! discount.
//!
//! The percentage is a decimal with at most two places, from -100 to 1000, never 0. Prices are
//! integer minor units, and so is the result: the exact rational
//! `price × (100 + percent) / 100` is rounded half away from zero (a half cent goes up, since
//! prices are never negative), computed in i128 from the percentage in hundredths, so no
//! floating point is involved and nothing overflows mid-way. A price never goes below 0
//! (-100% makes it 0); a result too large to store fails that row, not the job.
//!
//! The runner applies it in SQL, `(price_minor × (10000 + hundredths) + 5000) / 10000` in
//! integers, on the rows where that cannot overflow (`0 <= price_minor <= bound`): for a
//! non-negative numerator, adding half the divisor and truncating is rounding half away from
//! zero. Larger prices (and any negative one) go through the Rust rule above.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use serde_json::Value;

use super::{Action, Change, SqlForm, parse_params, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
};

pub(crate) struct PriceChange;

/// Hundredths of a percent per whole.
const WHOLE: i128 = 10_000;
const MIN_HUNDREDTHS: i64 = -10_000;
const MAX_HUNDREDTHS: i64 = 100_000;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    percent: Value,
}

impl Action for PriceChange {
    fn name(&self) -> &'static str {
        "product.price_change"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Products
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        let params: Params = parse_params(params)?;
        Ok(Box::new(Percent(hundredths(&params.percent)?)))
    }
}

/// Reads `-10`, `12.5`, `"-7.25"` as hundredths of a percent, exactly: the number's decimal
/// text is parsed, never its binary float value.
fn hundredths(percent: &Value) -> Result<i64, DomainError> {
    let invalid = || {
        DomainError::invalid_field(
            "params.percent",
            "a number from -100 to 1000 with at most two decimal places, not 0 (e.g. -10 for a 10% discount)",
        )
    };
    let text = match percent {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => return Err(invalid()),
    };
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 4 || fraction.len() > 2 || !all_digits(whole) || !all_digits(fraction) {
        return Err(invalid());
    }
    let whole: i64 = whole.parse().map_err(|_| invalid())?;
    let fraction: i64 = format!("{fraction:0<2}").parse().map_err(|_| invalid())?;
    let magnitude = whole * 100 + fraction;
    let value = if negative { -magnitude } else { magnitude };
    if value == 0 || !(MIN_HUNDREDTHS..=MAX_HUNDREDTHS).contains(&value) {
        return Err(invalid());
    }
    Ok(value)
}

/// The change, in hundredths of a percent.
struct Percent(i64);

/// `numerator / denominator` rounded half away from zero; `denominator > 0`.
fn divide_rounding_half_away(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator { quotient + numerator.signum() } else { quotient }
}

/// The new price, or `None` when it does not fit the column.
pub(crate) fn new_price(price_minor: i64, hundredths: i64) -> Option<i64> {
    let scaled = i128::from(price_minor) * (WHOLE + i128::from(hundredths));
    i64::try_from(divide_rounding_half_away(scaled, WHOLE).max(0)).ok()
}

impl Percent {
    /// `10000 + hundredths`: what a price is multiplied by, before dividing by 10000 (0 to
    /// 110000).
    fn factor(&self) -> i64 {
        10_000 + self.0
    }

    /// The largest price the SQL form takes: `price × factor + 5000` stays within i64.
    fn sql_bound(&self) -> i64 {
        match self.factor() {
            factor if factor > 0 => (i64::MAX - 5000) / factor,
            _ => i64::MAX,
        }
    }
}

impl Change for Percent {
    fn params(&self) -> Value {
        if self.0 % 100 == 0 {
            serde_json::json!({ "percent": self.0 / 100 })
        } else {
            // Two decimal places survive the trip through f64: serde_json prints the shortest
            // text that reads back as the same float, i.e. the decimal we started from.
            serde_json::json!({ "percent": self.0 as f64 / 100.0 })
        }
    }

    fn apply(&self, row: &TargetRow, _now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
        let TargetRow::Product(product) = row else { return Err(wrong_row(row)) };
        let price = new_price(product.price_minor, self.0).ok_or_else(|| {
            format!("the new price of {} would exceed the largest storable amount", product.price_minor)
        })?;
        if price == product.price_minor {
            return Ok(None);
        }
        let mut changed = product.clone();
        changed.price_minor = price;
        Ok(Some(TargetRow::Product(changed)))
    }

    fn sql(&self) -> Option<SqlForm> {
        let price = || Expr::col((TargetKind::Products.table(), "price_minor"));
        let new_price = || -> SimpleExpr { price().mul(self.factor()).add(5000i64).div(WHOLE as i64) };
        Some(SqlForm {
            set: vec![("price_minor", new_price())],
            exact: price().between(0i64, self.sql_bound()),
            changes: ExprTrait::ne(new_price(), price()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{bulk::target::ProductRow, entities::enums::ProductVisibility};
    use serde_json::json;

    #[test]
    fn percentages_are_read_exactly() {
        for (input, expected) in [
            (json!(-10), -1000),
            (json!(12.5), 1250),
            (json!(-7.25), -725),
            (json!("-7.25"), -725),
            (json!(0.01), 1),
            (json!(-100), -10_000),
            (json!(1000), 100_000),
            (json!(33.3), 3330),
        ] {
            assert_eq!(hundredths(&input).ok(), Some(expected), "{input}");
        }
        for bad in [json!(0), json!(-100.01), json!(1000.01), json!(1.234), json!("ten"), json!(null), json!("1e2")] {
            assert!(hundredths(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_params_read_back_to_the_same_change() {
        for hundredths_value in [-10_000, -1000, -725, 1, 1250, 3330, 100_000] {
            let canonical = Percent(hundredths_value).params();
            assert_eq!(hundredths(&canonical["percent"]).ok(), Some(hundredths_value), "{canonical}");
        }
        assert_eq!(Percent(-1000).params(), json!({"percent": -10}));
    }

    #[test]
    fn rounding_is_half_away_from_zero_on_the_exact_result() {
        // -10%: 1999 × 0.9 = 1799.1 → 1799; 1995 × 0.9 = 1795.5 → 1796; 5 × 0.9 = 4.5 → 5.
        assert_eq!(new_price(1999, -1000), Some(1799));
        assert_eq!(new_price(1995, -1000), Some(1796));
        assert_eq!(new_price(5, -1000), Some(5));
        assert_eq!(new_price(1, -1000), Some(1));
        // -50%: 1 × 0.5 = 0.5 → 1; 3 × 0.5 = 1.5 → 2.
        assert_eq!(new_price(1, -5000), Some(1));
        assert_eq!(new_price(3, -5000), Some(2));
        // +12.5%: 100 × 1.125 = 112.5 → 113; 99 × 1.125 = 111.375 → 111.
        assert_eq!(new_price(100, 1250), Some(113));
        assert_eq!(new_price(99, 1250), Some(111));
        // -33.33%: 300 × 0.6667 = 200.01 → 200.
        assert_eq!(new_price(300, -3333), Some(200));
        // +0.01% on a small price changes nothing.
        assert_eq!(new_price(999, 1), Some(999));
    }

    #[test]
    fn a_price_never_goes_below_zero_nor_overflows() {
        assert_eq!(new_price(12_345, -10_000), Some(0));
        assert_eq!(new_price(0, 100_000), Some(0));
        assert_eq!(new_price(i64::MAX, -1000), Some(8_301_034_833_169_298_226));
        assert_eq!(new_price(i64::MAX, 1), None);
        assert_eq!(new_price(i64::MAX / 11, 100_000), Some(i64::MAX / 11 * 11));
    }

    /// The SQL form next to the Rust rule, on the engine: for any percentage and prices of
    /// every size (small ones, halves, the SQL form's bound and around it, the largest), the
    /// rows the SQL form takes get the price the Rust rule computes, change exactly when the
    /// rule changes them, and are exactly those where the SQL cannot overflow.
    #[test]
    fn the_sql_form_computes_what_the_rust_rule_does() {
        use proptest::{prelude::*, test_runner::TestRunner};
        use sea_orm::{ConnectionTrait, Database, DatabaseConnection, TransactionTrait, sea_query::Query};

        async fn check(conn: &DatabaseConnection, hundredths: i64, prices: &[i64]) -> Result<(), String> {
            let fail = |e: sea_orm::DbErr| e.to_string();
            let change = Percent(hundredths);
            let sql = change.sql().ok_or("no SQL form")?;
            let txn = conn.begin().await.map_err(fail)?;
            txn.execute_unprepared(
                "CREATE TEMPORARY TABLE products (id BIGINT PRIMARY KEY, price_minor BIGINT NOT NULL)",
            )
            .await
            .map_err(fail)?;
            let mut insert = Query::insert();
            insert.into_table("products").columns(["id", "price_minor"]);
            for (id, price) in prices.iter().enumerate() {
                insert.values_panic([(id as i64).into(), (*price).into()]);
            }
            txn.execute(&insert).await.map_err(fail)?;
            let exact = Query::select().column("id").expr(sql.exact.clone()).from("products").to_owned();
            for row in txn.query_all(&exact).await.map_err(fail)? {
                let (id, exact): (i64, bool) =
                    (row.try_get_by_index(0).map_err(fail)?, row.try_get_by_index(1).map_err(fail)?);
                let price = prices[id as usize];
                let expected = (0..=change.sql_bound()).contains(&price);
                if exact != expected {
                    return Err(format!("{price} at {hundredths}: exact is {exact}"));
                }
            }
            let (_, new) = sql.set.first().cloned().ok_or("no column set")?;
            let changed = Query::select()
                .column("id")
                .expr(new)
                .expr(sql.changes.clone())
                .from("products")
                .and_where(sql.exact.clone())
                .to_owned();
            for row in txn.query_all(&changed).await.map_err(fail)? {
                let id: i64 = row.try_get_by_index(0).map_err(fail)?;
                let (new, changes): (i64, bool) =
                    (row.try_get_by_index(1).map_err(fail)?, row.try_get_by_index(2).map_err(fail)?);
                let price = prices[id as usize];
                let row = TargetRow::Product(ProductRow {
                    id,
                    tenant_id: 1,
                    name: "p".into(),
                    price_minor: price,
                    currency: "EUR".into(),
                    visibility: ProductVisibility::Visible,
                });
                let rust = match change.apply(&row, Utc::now()) {
                    Ok(Some(TargetRow::Product(after))) => Some(after.price_minor),
                    Ok(None) => None,
                    other => return Err(format!("{price} at {hundredths}: the rule gave {other:?}")),
                };
                if changes != rust.is_some() || new != rust.unwrap_or(price) {
                    return Err(format!("{price} at {hundredths}: SQL {new} (changes: {changes}), Rust {rust:?}"));
                }
            }
            txn.rollback().await.map_err(fail)?;
            Ok(())
        }

        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let mut engines = vec![runtime.block_on(Database::connect("sqlite::memory:")).unwrap()];
        if let Ok(url) = std::env::var("OPSDECK_TEST_POSTGRES_URL") {
            engines.push(runtime.block_on(Database::connect(url)).unwrap());
        }
        let percent = prop_oneof![
            Just(-10_000i64),
            Just(-5000i64),
            Just(-1000i64),
            Just(1i64),
            Just(100_000i64),
            (MIN_HUNDREDTHS..=MAX_HUNDREDTHS).prop_filter("0 is not a change", |h| *h != 0),
        ];
        let case = percent.prop_flat_map(|hundredths| {
            let bound = Percent(hundredths).sql_bound();
            let price = prop_oneof![
                0i64..2000,
                (0i64..1_000_000).prop_map(|p| p / 10 * 10 + 5),
                0i64..=i64::MAX,
                bound.saturating_sub(3)..=bound.saturating_add(3),
                Just(i64::MAX),
                Just(0i64),
            ];
            (Just(hundredths), proptest::collection::vec(price, 1..40))
        });
        for engine in &engines {
            let mut runner = TestRunner::new(ProptestConfig { cases: 300, ..ProptestConfig::default() });
            runner
                .run(&case, |(hundredths, prices)| {
                    runtime.block_on(check(engine, hundredths, &prices)).map_err(TestCaseError::fail)
                })
                .unwrap();
        }
    }

    #[test]
    fn the_rounding_helper_handles_both_signs() {
        assert_eq!(divide_rounding_half_away(15, 10), 2);
        assert_eq!(divide_rounding_half_away(-15, 10), -2);
        assert_eq!(divide_rounding_half_away(14, 10), 1);
        assert_eq!(divide_rounding_half_away(-14, 10), -1);
        assert_eq!(divide_rounding_half_away(0, 10), 0);
    }
}
