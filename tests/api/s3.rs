//! A real S3-protocol server for a test: moto's server (`scripts/s3-server.sh`, pinned, installed
//! into `target/moto-venv` on first use), on a free loopback port, stopped when dropped.

use std::process::Command;

use crate::helpers::TestResult;

pub struct S3Server {
    pub endpoint: String,
    pid: String,
}

impl S3Server {
    pub fn start() -> TestResult<Self> {
        let root = env!("CARGO_MANIFEST_DIR");
        let pidfile = tempfile_path("s3-server.pid");
        let output =
            Command::new("bash").arg(format!("{root}/scripts/s3-server.sh")).arg("--start").arg(&pidfile).output()?;
        if !output.status.success() {
            return Err(format!("cannot start the S3 server: {}", String::from_utf8_lossy(&output.stderr)).into());
        }
        let endpoint = String::from_utf8(output.stdout)?.trim().to_owned();
        let pid = std::fs::read_to_string(&pidfile)?.trim().to_owned();
        let _ = std::fs::remove_file(pidfile);
        Ok(Self { endpoint, pid })
    }

    /// Creates `bucket`; returns the variables that point opsdeck's export store at
    /// `s3://bucket/exports` on this server.
    pub async fn bucket(&self, bucket: &str) -> TestResult<Vec<(&'static str, String)>> {
        let created = reqwest::Client::new().put(format!("{}/{bucket}", self.endpoint)).send().await?;
        if !created.status().is_success() {
            return Err(format!("cannot create bucket {bucket}: {}", created.status()).into());
        }
        Ok(vec![
            ("OPSDECK_EXPORT_STORE_URL", format!("s3://{bucket}/exports")),
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ALLOW_HTTP", "true".to_owned()),
            ("AWS_REGION", "us-east-1".to_owned()),
            ("AWS_ACCESS_KEY_ID", "opsdeck-test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "opsdeck-test-secret".to_owned()),
        ])
    }

    /// The keys of the objects in `bucket`, as the server lists them.
    pub async fn keys(&self, bucket: &str) -> TestResult<Vec<String>> {
        let listing = reqwest::get(format!("{}/{bucket}?list-type=2", self.endpoint)).await?.text().await?;
        Ok(listing
            .split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split_once("</Key>").map(|(key, _)| key.to_owned()))
            .collect())
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(&self.pid).status();
    }
}

fn tempfile_path(name: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    std::env::temp_dir().join(format!("opsdeck-{}-{nanos}-{name}", std::process::id()))
}
