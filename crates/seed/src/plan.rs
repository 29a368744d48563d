//! Sizes, time and randomness shared by the generators.
//!
//! Timestamps are handled as microseconds since the epoch (the precision both engines keep), so
//! every generated instant is already storable and hashes exactly as it is stored.

use chrono::{DateTime, Utc};
use opsdeck_domain::audit::chain::storable_time;
use rand::{RngExt, SeedableRng, rngs::StdRng};

pub(super) const SECOND: i64 = 1_000_000;
pub(super) const MINUTE: i64 = 60 * SECOND;
pub(super) const HOUR: i64 = 60 * MINUTE;
pub(super) const DAY: i64 = 24 * HOUR;

/// Row counts for one scale; scale 1 is the benchmark dataset of the design document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counts {
    pub tenants: usize,
    pub products: usize,
    pub customers: usize,
    pub orders: usize,
    pub articles: usize,
    pub comments: usize,
    pub webhook_events: usize,
    pub export_jobs: usize,
    pub audit_rows: usize,
}

impl Counts {
    pub fn for_scale(scale: f64) -> Self {
        // Saturating casts: the caller bounds `scale`, so these stay far below usize::MAX.
        let n = |at_scale_one: f64| ((at_scale_one * scale).round() as usize).max(1);
        Self {
            tenants: ((20.0 * scale).round() as usize).clamp(2, 20),
            products: n(100_000.0),
            customers: n(50_000.0),
            orders: n(200_000.0),
            articles: n(5_000.0),
            comments: n(20_000.0),
            webhook_events: n(200_000.0),
            export_jobs: n(20_000.0),
            audit_rows: n(1_000_000.0),
        }
    }
}

/// Splits `total` in proportion to `weights` (largest remainder), so the parts add up exactly.
pub(super) fn split(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Ties broken by index keep the split deterministic.
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut missing = total.saturating_sub(parts.iter().sum());
    for i in order.into_iter().cycle() {
        if missing == 0 {
            break;
        }
        parts[i] += 1;
        missing -= 1;
    }
    parts
}

/// The instant everything is generated relative to, truncated to the microsecond.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    pub now: i64,
}

impl Clock {
    pub fn new(now: DateTime<Utc>) -> Self {
        Self { now: storable_time(now).timestamp_micros() }
    }

    /// Midnight (UTC) starting the current day.
    pub fn today(&self) -> i64 {
        self.now - self.now.rem_euclid(DAY)
    }
}

pub(super) fn at(micros: i64) -> DateTime<Utc> {
    // Generated instants lie within a few years of `now`, always representable.
    storable_time(DateTime::from_timestamp_micros(micros).unwrap_or_default())
}

pub(super) fn opt_at(micros: Option<i64>) -> Option<DateTime<Utc>> {
    micros.map(at)
}

/// One independent random stream per generator, so adding rows to one table leaves the others as
/// they were for the same seed.
pub(super) fn stream(seed: u64, stream: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A uniform index below `n`; 0 when `n` is 0 (callers check emptiness where it matters).
pub(super) fn below(rng: &mut StdRng, n: usize) -> usize {
    if n == 0 { 0 } else { rng.random_range(0..n) }
}

/// A uniform integer in `lo..hi`; `lo` when the range is empty.
pub(super) fn between(rng: &mut StdRng, lo: i64, hi: i64) -> i64 {
    if hi <= lo { lo } else { rng.random_range(lo..hi) }
}

pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    rng.random::<f64>() < p
}

pub(super) fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> Option<&'a T> {
    items.get(below(rng, items.len()))
}

/// Picks by weight; `None` only for an empty list.
pub(super) fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, f64)]) -> Option<&'a T> {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return Some(item);
        }
        x -= w;
    }
    items.last().map(|(item, _)| item)
}

/// An instant within `span` before `end` on a growing business: the density of events rises
/// exponentially, `growth` times higher at `end` than at `end - span` (1 = uniform).
pub(super) fn grown(rng: &mut StdRng, end: i64, span: i64, growth: f64) -> i64 {
    let u = rng.random::<f64>();
    let k = growth.max(1.0).ln();
    // Inverse of the CDF of a density proportional to e^(k x) on [0, 1].
    let x = if k < 1e-9 { u } else { (1.0 + u * (growth.max(1.0) - 1.0)).ln() / k };
    end - span + (span as f64 * x) as i64
}

/// Like [`grown`], with the rhythm of people at work: busy office hours, quiet nights and weekends.
pub(super) fn busy(rng: &mut StdRng, end: i64, span: i64, growth: f64) -> i64 {
    let mut t = grown(rng, end, span, growth);
    for _ in 0..16 {
        if rng.random::<f64>() < activity(t) {
            break;
        }
        t = grown(rng, end, span, growth);
    }
    t
}

fn activity(t: i64) -> f64 {
    const HOURLY: [f64; 24] = [
        0.12, 0.08, 0.06, 0.06, 0.08, 0.14, 0.3, 0.5, 0.75, 0.9, 1.0, 1.0, 0.92, 0.97, 1.0, 0.95, 0.9, 0.82, 0.72,
        0.62, 0.52, 0.4, 0.3, 0.2,
    ];
    let hour = (t.rem_euclid(DAY) / HOUR) as usize;
    // Day 0 (1970-01-01) was a Thursday: (days + 3) % 7 numbers Monday as 0.
    let weekday = (t.div_euclid(DAY) + 3).rem_euclid(7);
    let weekend = if weekday >= 5 { 0.55 } else { 1.0 };
    HOURLY.get(hour).copied().unwrap_or(1.0) * weekend
}

/// Log-uniform in `lo..hi`: prices, sizes and amounts spread over orders of magnitude.
pub(super) fn log_uniform(rng: &mut StdRng, lo: f64, hi: f64) -> f64 {
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

pub(super) fn hex(rng: &mut StdRng, len: usize) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    (0..len).map(|_| char::from(DIGITS[below(rng, 16)])).collect()
}

pub(super) fn alnum(rng: &mut StdRng, len: usize) -> String {
    const CHARS: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    (0..len).map(|_| char::from(CHARS[below(rng, CHARS.len())])).collect()
}

/// A random UUID-shaped string (claim tokens, request ids).
pub(super) fn uuid_like(rng: &mut StdRng) -> String {
    format!("{}-{}-4{}-{}-{}", hex(rng, 8), hex(rng, 4), hex(rng, 3), hex(rng, 4), hex(rng, 12))
}

/// Indices into a time-sorted list of rows that already existed at `t`.
pub(super) fn existing_at(times: &[i64], t: i64) -> usize {
    times.partition_point(|&created| created <= t)
}

/// One of the first `k` rows, preferring the most recent ones (people act on fresh things).
pub(super) fn recent_index(rng: &mut StdRng, k: usize) -> Option<usize> {
    if k == 0 {
        return None;
    }
    let back = (k as f64 * rng.random::<f64>().powi(3)) as usize;
    Some(k - 1 - back.min(k - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_adds_up() {
        let parts = split(1001, &[1.0, 0.5, 0.25]);
        assert_eq!(parts.iter().sum::<usize>(), 1001);
        assert!(parts[0] > parts[1] && parts[1] > parts[2]);
    }

    #[test]
    fn counts_scale_linearly_with_bounds() {
        let one = Counts::for_scale(1.0);
        assert_eq!((one.tenants, one.products, one.audit_rows), (20, 100_000, 1_000_000));
        let small = Counts::for_scale(0.01);
        assert_eq!((small.tenants, small.products, small.audit_rows), (2, 1000, 10_000));
        assert_eq!(Counts::for_scale(5.0).tenants, 20);
        assert_eq!(Counts::for_scale(0.000_001).articles, 1);
    }
}
