//! Resident memory of the server process, read from `/proc/<pid>/status` (Linux only).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;

/// How often a sampler reads VmRSS: often enough to catch the peak of a multi-second job.
const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// A field of `/proc/<pid>/status` in KiB (`VmRSS`: resident now, `VmHWM`: resident peak).
pub fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    kib_field(&format!("/proc/{pid}/status"), field)
}

/// The machine's memory, in KiB.
pub fn total_kib() -> anyhow::Result<u64> {
    kib_field("/proc/meminfo", "MemTotal")
}

/// `Field:   1234 kB` lines, as /proc writes them.
fn kib_field(path: &str, field: &str) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {field} in {path}"))
}

pub fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    Ok(status_kib(pid, "VmRSS")? as f64 / 1024.0)
}

/// Samples VmRSS in the background until stopped, keeping the highest value seen.
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl PeakSampler {
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let (stop, peak_kib) = (stop.clone(), peak_kib.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(kib) = status_kib(pid, "VmRSS") {
                        peak_kib.fetch_max(kib, Ordering::Relaxed);
                    }
                    tokio::time::sleep(SAMPLE_EVERY).await;
                }
            }
        });
        Self { stop, peak_kib, task }
    }

    /// The highest VmRSS seen, in MiB.
    pub async fn finish(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        // A sampler that panicked has still recorded what it saw.
        let _ = self.task.await;
        self.peak_kib.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_own_resident_memory() {
        let pid = std::process::id();
        assert!(status_kib(pid, "VmRSS").unwrap() > 0);
        assert!(status_kib(pid, "VmHWM").unwrap() >= status_kib(pid, "VmRSS").unwrap() / 2);
        assert!(status_kib(pid, "NoSuchField").is_err());
        assert!(total_kib().unwrap() > 0);
    }
}
