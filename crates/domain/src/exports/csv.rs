//! CSV rendering shared by the streamed audit download and export jobs.

use crate::{
    audit::{chain::canonical_time, query::AuditEntry},
    entities::{customers, orders, products},
};

/// A row type that can be written as CSV.
pub trait CsvRecord {
    const HEADER: &'static [&'static str];
    fn record(&self) -> Vec<String>;
}

/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as
/// a formula (CSV injection), and exported text is partly chosen by outsiders (names, paths).
/// Such cells get a leading `'`, as OWASP recommends.
pub fn neutralize(cell: String) -> String {
    if looks_like_formula(cell.as_bytes()) { format!("'{cell}") } else { cell }
}

/// Whether a spreadsheet would run this cell as a formula: the one rule behind [`neutralize`]
/// and the export's byte-level writer.
pub fn looks_like_formula(cell: &[u8]) -> bool {
    matches!(cell.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn number(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn time(value: Option<chrono::DateTime<chrono::Utc>>) -> String {
    value.map(canonical_time).unwrap_or_default()
}

impl CsvRecord for AuditEntry {
    const HEADER: &'static [&'static str] = &[
        "id",
        "occurred_at",
        "actor_type",
        "actor_id",
        "actor_label",
        "tenant_id",
        "ip",
        "method",
        "path",
        "action",
        "target_type",
        "target_id",
        "request_id",
        "status",
        "outcome",
        "reason",
        "metadata",
        "prev_hash",
        "hash",
        "hash_version",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            canonical_time(self.occurred_at),
            self.actor_type.as_str().to_owned(),
            number(self.actor_id),
            self.actor_label.clone(),
            number(self.tenant_id),
            text(&self.ip),
            text(&self.method),
            text(&self.path),
            self.action.clone(),
            text(&self.target_type),
            text(&self.target_id),
            text(&self.request_id),
            number(self.status.map(i64::from)),
            self.outcome.as_str().to_owned(),
            text(&self.reason),
            self.metadata.clone(),
            self.prev_hash.clone(),
            self.hash.clone(),
            self.hash_version.to_string(),
        ]
    }
}

impl CsvRecord for orders::Model {
    const HEADER: &'static [&'static str] = &[
        "id",
        "tenant_id",
        "shop_id",
        "customer_id",
        "external_ref",
        "amount_minor",
        "currency",
        "status",
        "created_at",
        "paid_at",
        "refunded_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.tenant_id.to_string(),
            self.shop_id.to_string(),
            number(self.customer_id),
            self.external_ref.clone(),
            self.amount_minor.to_string(),
            self.currency.clone(),
            sea_orm::ActiveEnum::to_value(&self.status),
            canonical_time(self.created_at),
            time(self.paid_at),
            time(self.refunded_at),
        ]
    }
}

impl CsvRecord for products::Model {
    const HEADER: &'static [&'static str] = &[
        "id",
        "tenant_id",
        "shop_id",
        "sku",
        "name",
        "price_minor",
        "currency",
        "visibility",
        "created_at",
        "updated_at",
    ];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.tenant_id.to_string(),
            self.shop_id.to_string(),
            self.sku.clone(),
            self.name.clone(),
            self.price_minor.to_string(),
            self.currency.clone(),
            sea_orm::ActiveEnum::to_value(&self.visibility),
            canonical_time(self.created_at),
            canonical_time(self.updated_at),
        ]
    }
}

impl CsvRecord for customers::Model {
    const HEADER: &'static [&'static str] =
        &["id", "tenant_id", "external_ref", "name", "email", "signed_up_at", "last_seen_at", "churned_at"];

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.tenant_id.to_string(),
            self.external_ref.clone(),
            self.name.clone(),
            self.email.clone(),
            canonical_time(self.signed_up_at),
            time(self.last_seen_at),
            time(self.churned_at),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")".to_owned()), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("-12".to_owned()), "'-12");
        assert_eq!(neutralize("plain".to_owned()), "plain");
        for cell in ["+1", "@SUM(A1)", "\tx", "\rx", "=", "-"] {
            assert_eq!(neutralize(cell.to_owned()), format!("'{cell}"));
        }
        for cell in ["", " =1", "a=b", "'=1", "1-2", "\u{ff1d}1"] {
            assert_eq!(neutralize(cell.to_owned()), cell);
        }
    }
}
