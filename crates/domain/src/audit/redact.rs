//! Secrets and personal data never reach the audit log: values under sensitive keys are
//! replaced before an entry is stored, at any depth.

use serde_json::Value;

pub const REDACTED: &str = "[redacted]";

/// Key fragments (lower-case) whose values are withheld.
const SENSITIVE: &[&str] =
    &["password", "secret", "token", "totp", "otp", "code", "email", "authorization", "cookie", "signature", "key"];

fn is_sensitive(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SENSITIVE.iter().any(|fragment| key.contains(fragment))
}

pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if is_sensitive(&key) { Value::String(REDACTED.to_owned()) } else { redact(value) };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_keys_are_withheld_at_any_depth() {
        let redacted = redact(json!({
            "username": "alice",
            "password": "hunter2hunter2",
            "nested": {"totp_code": "123456", "Email": "a@example.com", "items": [{"api_token": "odk_x"}]},
            "roles": ["ops"],
        }));
        assert_eq!(
            redacted,
            json!({
                "username": "alice",
                "password": REDACTED,
                "nested": {"totp_code": REDACTED, "Email": REDACTED, "items": [{"api_token": REDACTED}]},
                "roles": ["ops"],
            })
        );
    }
}
