//! Latency and throughput figures of one measured run, whoever produced them (wrk, a sender
//! loop, a raw-SQL loop), so every row of the report is read the same way.

use std::time::Duration;

use serde::Serialize;

/// Requests (or statements, or deliveries) completed in a timed run under fixed concurrency.
#[derive(Clone, Debug, Serialize)]
pub struct LoadFigures {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl LoadFigures {
    pub fn new(requests: u64, errors: u64, seconds: f64, p50_ms: f64, p99_ms: f64) -> Self {
        let per_second = if seconds > 0.0 { requests as f64 / seconds } else { 0.0 };
        Self { requests, errors, seconds, per_second, p50_ms, p99_ms }
    }

    /// From every single latency observed; `elapsed` is the whole run's wall time.
    pub fn from_latencies(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        Self::new(
            latencies.len() as u64,
            errors,
            elapsed.as_secs_f64(),
            percentile_ms(&latencies, 0.50),
            percentile_ms(&latencies, 0.99),
        )
    }
}

/// Nearest-rank percentile of sorted latencies, in milliseconds (0 when nothing was measured).
fn percentile_ms(sorted: &[Duration], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// Rows handled by one job (ours or the baseline) and the time it took.
#[derive(Clone, Debug, Serialize)]
pub struct Throughput {
    pub rows: u64,
    pub seconds: f64,
    pub rows_per_second: f64,
}

impl Throughput {
    pub fn new(rows: u64, seconds: f64) -> Self {
        Self { rows, seconds, rows_per_second: if seconds > 0.0 { rows as f64 / seconds } else { 0.0 } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let latencies: Vec<Duration> = (1..=100).rev().map(Duration::from_millis).collect();
        let figures = LoadFigures::from_latencies(latencies, 0, Duration::from_secs(2));
        assert_eq!((figures.p50_ms, figures.p99_ms), (50.0, 99.0));
        assert_eq!((figures.requests, figures.per_second), (100, 50.0));
        assert_eq!(LoadFigures::from_latencies(Vec::new(), 3, Duration::ZERO).p99_ms, 0.0);
    }
}
