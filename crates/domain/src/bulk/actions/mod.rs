//! The bulk actions, as a registry: each action is one module here plus one line in
//! [`REGISTRY`]. An action names the rows it targets, checks its parameters, and turns a row
//! into its changed form. It never writes: the runner diffs before and after and writes the
//! changed columns, update-only, so an action cannot insert or delete anything.
//!
//! An action may also give its change as SQL ([`Change::sql`]), for the rows where the SQL
//! computes exactly what [`Change::apply`] does: the runner then changes those rows with one
//! set-based UPDATE, without reading them, and only the others go through `apply`. The preview
//! always uses `apply`; a test of the action proves the two agree.

mod article_publish;
mod article_unpublish;
mod comment_approve;
mod comment_remove;
mod product_price_change;
mod product_set_visibility;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::SimpleExpr;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
};

/// One kind of bulk change.
pub(crate) trait Action: Sync {
    /// The stable name clients send, `<table>.<verb>`.
    fn name(&self) -> &'static str;
    fn target(&self) -> TargetKind;
    /// Checks the parameters and returns the change they describe.
    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError>;
}

/// An action with checked parameters, ready to apply to rows.
pub(crate) trait Change: Send + Sync {
    /// The parameters in canonical form: what the confirmation token signs and the job shows.
    fn params(&self) -> Value;
    /// The row as the change leaves it. `Ok(None)`: already so, nothing to write (which is what
    /// makes re-applying harmless). `Err(reason)`: this row cannot take the change.
    fn apply(&self, row: &TargetRow, now: DateTime<Utc>) -> Result<Option<TargetRow>, String>;
    /// The same change as SQL over the action's table, if it has one; `None`: every row goes
    /// through `apply`.
    fn sql(&self) -> Option<SqlForm> {
        None
    }
}

/// A change as SQL expressions over the target table's current row (columns qualified with
/// the table's name). On every row where `exact` holds, `changes` must hold exactly when
/// `apply` gives `Ok(Some(after))`, and `set` must compute `after`'s changed columns; `apply`
/// must not fail there. Rows where `exact` does not hold (e.g. where the SQL could overflow)
/// are read and go through `apply`.
pub(crate) struct SqlForm {
    /// `column = expression`, the changed columns (`updated_at` is the runner's).
    pub set: Vec<(&'static str, SimpleExpr)>,
    pub exact: SimpleExpr,
    pub changes: SimpleExpr,
}

const REGISTRY: &[&dyn Action] = &[
    &product_price_change::PriceChange,
    &product_set_visibility::SetVisibility,
    &article_publish::Publish,
    &article_unpublish::Unpublish,
    &comment_approve::Approve,
    &comment_remove::Remove,
];

/// The names of every action, for error messages and documentation.
pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|action| action.name()).collect()
}

pub(crate) fn find(name: &str) -> Result<&'static dyn Action, DomainError> {
    REGISTRY.iter().copied().find(|action| action.name() == name).ok_or_else(|| DomainError::Invalid {
        code: "unknown_action",
        detail: format!("unknown bulk action {name:?}; known: {}", names().join(", ")),
        errors: vec![crate::FieldError::new("action", "unknown action")],
    })
}

/// Parses parameters into the action's own type; `null` counts as `{}`.
fn parse_params<T: DeserializeOwned>(params: &Value) -> Result<T, DomainError> {
    let value = if params.is_null() { Value::Object(Default::default()) } else { params.clone() };
    serde_json::from_value(value).map_err(|e| DomainError::invalid_field("params", e.to_string()))
}

/// The reason given for a row of the wrong table (a broken invariant, not a user error).
fn wrong_row(row: &TargetRow) -> String {
    format!("row {} is not of the table this action changes", row.id())
}

/// Parameters of actions that take none.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// The change of an action without parameters: a function from row to changed row.
struct Fixed(fn(&TargetRow, DateTime<Utc>) -> Result<Option<TargetRow>, String>);

impl Change for Fixed {
    fn params(&self) -> Value {
        Value::Object(Default::default())
    }

    fn apply(&self, row: &TargetRow, now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
        (self.0)(row, now)
    }
}

fn fixed(
    params: &Value,
    apply: fn(&TargetRow, DateTime<Utc>) -> Result<Option<TargetRow>, String>,
) -> Result<Box<dyn Change>, DomainError> {
    parse_params::<NoParams>(params)?;
    Ok(Box::new(Fixed(apply)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let all = names();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(all.len(), unique.len());
        for name in all {
            assert_eq!(find(name).ok().map(|a| a.name()), Some(name));
        }
        assert!(matches!(find("product.delete"), Err(DomainError::Invalid { code: "unknown_action", .. })));
    }

    #[test]
    fn parameterless_actions_refuse_parameters() {
        assert!(find("comment.approve").and_then(|a| a.prepare(&serde_json::json!({}))).is_ok());
        assert!(find("comment.approve").and_then(|a| a.prepare(&Value::Null)).is_ok());
        assert!(find("comment.approve").and_then(|a| a.prepare(&serde_json::json!({"x": 1}))).is_err());
    }
}
