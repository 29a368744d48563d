//! A signed-in JSON client of the server under test.

use anyhow::{Context, bail};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base_url: String,
    pub token: String,
}

impl Api {
    pub async fn sign_in(base_url: &str, username: &str, password: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::new();
        let response = client
            .post(format!("{base_url}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        let token = body["access_token"].as_str().with_context(|| format!("sign-in failed: {status} {body}"))?;
        Ok(Self { client, base_url: base_url.to_owned(), token: token.to_owned() })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let response = self.client.get(self.url(path)).bearer_auth(&self.token).send().await?;
        expect(response, StatusCode::OK).await
    }

    pub async fn post(&self, path: &str, body: &Value, expected: StatusCode) -> anyhow::Result<Value> {
        let response = self.client.post(self.url(path)).bearer_auth(&self.token).json(body).send().await?;
        expect(response, expected).await
    }
}

async fn expect(response: reqwest::Response, expected: StatusCode) -> anyhow::Result<Value> {
    let status = response.status();
    let url = response.url().path().to_owned();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status != expected {
        bail!("{url} answered {status} (expected {expected}): {body}");
    }
    Ok(body)
}
