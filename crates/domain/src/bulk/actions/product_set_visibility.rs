//! `product.set_visibility`: `{"visibility": "visible" | "hidden"}`.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Action, Change, parse_params, wrong_row};
use crate::{
    DomainError,
    bulk::target::{TargetKind, TargetRow},
    entities::enums::ProductVisibility,
};

pub(crate) struct SetVisibility;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Params {
    visibility: ProductVisibility,
}

impl Action for SetVisibility {
    fn name(&self) -> &'static str {
        "product.set_visibility"
    }

    fn target(&self) -> TargetKind {
        TargetKind::Products
    }

    fn prepare(&self, params: &Value) -> Result<Box<dyn Change>, DomainError> {
        let params: Params = parse_params(params)?;
        Ok(Box::new(Visibility(params.visibility)))
    }
}

struct Visibility(ProductVisibility);

impl Change for Visibility {
    fn params(&self) -> Value {
        serde_json::json!({ "visibility": self.0 })
    }

    fn apply(&self, row: &TargetRow, _now: DateTime<Utc>) -> Result<Option<TargetRow>, String> {
        let TargetRow::Product(product) = row else { return Err(wrong_row(row)) };
        if product.visibility == self.0 {
            return Ok(None);
        }
        let mut changed = product.clone();
        changed.visibility = self.0;
        Ok(Some(TargetRow::Product(changed)))
    }
}
