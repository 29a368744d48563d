//! What a provider sends: `{"type": "order.paid", "timestamp": "...", "data": {...}}`, and the
//! tenant it concerns, found through `data.tenant` (a slug) or `data.tenant_id`.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::{DomainError, entities::tenants};

/// `webhook_events.event_type` holds this many characters.
const MAX_TYPE_LENGTH: usize = 128;

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Envelope {
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened at the provider; handlers use it when `data` names no time.
    pub timestamp: DateTime<Utc>,
    pub data: Map<String, Value>,
}

impl Envelope {
    /// The reason is meant for the sender.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        let envelope: Self = serde_json::from_str(text).map_err(|e| {
            format!("the body must be JSON {{\"type\": string, \"timestamp\": RFC 3339 time, \"data\": object}}: {e}")
        })?;
        let length = envelope.event_type.chars().count();
        if length == 0 || length > MAX_TYPE_LENGTH || envelope.event_type.chars().any(char::is_control) {
            return Err(format!("`type` must be 1-{MAX_TYPE_LENGTH} printable characters"));
        }
        Ok(envelope)
    }

    /// The tenant named by `data.tenant` (slug) or `data.tenant_id`; `None` when neither names
    /// an existing tenant.
    pub async fn tenant(&self, conn: &impl ConnectionTrait) -> Result<Option<i64>, DomainError> {
        let query = match (self.data.get("tenant"), self.data.get("tenant_id")) {
            (Some(Value::String(slug)), _) => tenants::Entity::find().filter(tenants::Column::Slug.eq(slug.as_str())),
            (_, Some(Value::Number(id))) => match id.as_i64() {
                Some(id) => tenants::Entity::find().filter(tenants::Column::Id.eq(id)),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let id: Option<i64> = query.select_only().column(tenants::Column::Id).into_tuple().one(conn).await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_body_parses() {
        let body = br#"{"type": "order.paid", "timestamp": "2026-01-02T03:04:05Z", "data": {"order_id": "o-1"}}"#;
        let envelope = Envelope::parse(body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(envelope.event_type, "order.paid");
        assert_eq!(envelope.data.get("order_id"), Some(&Value::from("o-1")));
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for body in [
            &b"not json"[..],
            br#"[1, 2]"#,
            br#"{"type": "x", "timestamp": "2026-01-02T03:04:05Z"}"#,
            br#"{"type": "x", "timestamp": "yesterday", "data": {}}"#,
            br#"{"type": "", "timestamp": "2026-01-02T03:04:05Z", "data": {}}"#,
            br#"{"type": "x", "timestamp": "2026-01-02T03:04:05Z", "data": []}"#,
            b"{\"type\": \"\xff\"}",
        ] {
            assert!(Envelope::parse(body).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }
}
