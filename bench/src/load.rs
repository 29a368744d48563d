//! HTTP load on the GET endpoints with Debian's `wrk`: a fixed number of open connections for
//! a fixed time, latency percentiles reported by a Lua `done` hook as one JSON line.

use std::{path::Path, process::Command, time::Duration};

use anyhow::{Context, bail};
use serde::Deserialize;

use crate::stats::LoadFigures;

const REPORT_PREFIX: &str = "BENCH-JSON ";

/// wrk calls `done` once at the end with the whole run's summary and latency histogram.
const DONE_HOOK: &str = r#"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-JSON {\"requests\":%d,\"duration_us\":%d,\"socket_errors\":%d,\"non_2xx\":%d,\"p50_us\":%d,\"p99_us\":%d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99)))
end
"#;

#[derive(Deserialize)]
struct WrkReport {
    requests: u64,
    duration_us: u64,
    socket_errors: u64,
    non_2xx: u64,
    p50_us: u64,
    p99_us: u64,
}

/// The load generator, ready to run: its script lives in `work_dir`.
pub struct Wrk {
    script: std::path::PathBuf,
    connections: u32,
    duration: Duration,
}

impl Wrk {
    pub fn new(work_dir: &Path, connections: u32, duration: Duration) -> anyhow::Result<Self> {
        std::fs::create_dir_all(work_dir)?;
        let script = work_dir.join("report.lua");
        std::fs::write(&script, DONE_HOOK).context("cannot write the wrk script")?;
        Ok(Self { script, connections, duration })
    }

    /// GETs `url` with the bearer token from `connections` connections over two threads (one
    /// per core: wrk shares the machine with the server).
    pub async fn run(&self, url: &str, token: &str) -> anyhow::Result<LoadFigures> {
        let mut command = Command::new("wrk");
        command.args([
            "--threads",
            "2",
            "--connections",
            &self.connections.to_string(),
            "--duration",
            &format!("{}s", self.duration.as_secs()),
            "--timeout",
            "30s",
            "--script",
            &self.script.display().to_string(),
            "--header",
            &format!("Authorization: Bearer {token}"),
            url,
        ]);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await?
            .context("cannot run wrk (apt-get install wrk)")?;
        if !output.status.success() {
            bail!("wrk failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find_map(|line| line.strip_prefix(REPORT_PREFIX))
            .with_context(|| format!("no report in wrk's output: {stdout}"))?;
        let report: WrkReport = serde_json::from_str(line)?;
        Ok(LoadFigures::new(
            report.requests,
            report.socket_errors + report.non_2xx,
            report.duration_us as f64 / 1e6,
            report.p50_us as f64 / 1000.0,
            report.p99_us as f64 / 1000.0,
        ))
    }
}
