//! Webhook ingest: concurrent senders deliver signed Standard Webhooks events, each with a
//! webhook-id of its own, to `/api/v1/webhooks/bench`.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, bail};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::StatusCode;
use serde_json::json;
use sha2::Sha256;

use crate::{closed_loop, opsdeck::WEBHOOK_PROVIDER, stats::LoadFigures};

/// Signs deliveries the way providers do: HMAC-SHA256 over `{id}.{timestamp}.{body}`, keyed
/// with the base64 part of the `whsec_` secret.
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl Signer {
    pub fn new(secret: &str) -> anyhow::Result<Self> {
        let encoded = secret.strip_prefix("whsec_").context("a webhook secret starts with whsec_")?;
        Ok(Self { key: STANDARD.decode(encoded).context("the webhook secret is not base64")? })
    }

    pub fn sign(&self, id: &str, timestamp: i64, body: &str) -> anyhow::Result<String> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key)?;
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
    }
}

/// A signup for a seeded tenant: the event every sender delivers (the baseline stores it too).
pub fn event_body(tenant_slug: &str, customer_id: &str) -> String {
    json!({
        "type": "customer.created",
        "timestamp": Utc::now().to_rfc3339(),
        "data": {"tenant": tenant_slug, "customer_id": customer_id, "name": "Bench Customer"},
    })
    .to_string()
}

/// Posts one signup event for `tenant_slug`, signed, with webhook-id `id`.
pub async fn send_signed(
    client: &reqwest::Client,
    url: &str,
    signer: &Signer,
    tenant_slug: &str,
    id: &str,
) -> anyhow::Result<reqwest::Response> {
    let body = event_body(tenant_slug, id);
    let timestamp = Utc::now().timestamp();
    Ok(client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signer.sign(id, timestamp, &body)?)
        .body(body)
        .send()
        .await?)
}

/// Delivers events from `senders` concurrent senders for `duration`; anything but a 202 (a
/// new event, stored) is an error.
pub async fn deliver(
    base_url: &str,
    signer: Signer,
    tenant_slug: &str,
    senders: u32,
    duration: Duration,
) -> anyhow::Result<LoadFigures> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(senders as usize).build()?;
    let url: Arc<str> = format!("{base_url}/api/v1/webhooks/{WEBHOOK_PROVIDER}").into();
    let tenant_slug: Arc<str> = tenant_slug.into();
    // Unique across runs too, so a delivery is never a duplicate of an earlier one.
    let run = Utc::now().timestamp_micros();
    closed_loop::run(senders, duration, move |sender, n| {
        let (client, url, signer, tenant_slug) = (client.clone(), url.clone(), signer.clone(), tenant_slug.clone());
        async move {
            let id = format!("msg_bench_{run}_{sender}_{n}");
            let response = send_signed(&client, &url, &signer, &tenant_slug, &id).await?;
            match response.status() {
                StatusCode::ACCEPTED => Ok(()),
                status => bail!("delivery answered {status}: {}", response.text().await.unwrap_or_default()),
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let signer = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        let signature = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(Signer::new("nope").is_err());
    }
}
