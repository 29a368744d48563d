//! Refused requests leave a trace without letting anyone make the server write at will: per
//! source (a caller, or an address for anonymous requests) and action, the first refusal of a
//! minute is recorded at once and the rest are counted, then recorded as one entry with the
//! count when the minute ends (or the server stops). A loop of forged requests writes two audit
//! entries a minute per source, whatever its rate.

use std::{
    collections::HashMap,
    convert::Infallible,
    sync::Mutex,
    time::{Duration, Instant},
};

use opsdeck_domain::{
    Db,
    audit::{self, AuditActor, AuditEvent, RequestMeta},
};

/// How long refusals of one source and action are counted into one entry.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);
/// Sources tracked at once; refusals from further ones share one window, so a flood from many
/// addresses is bounded too.
const MAX_SOURCES: usize = 10_000;
const OTHER_SOURCES: &str = "*";

/// One refused request, as the audit log records it.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    pub actor: AuditActor,
    pub meta: RequestMeta,
    pub event: AuditEvent,
}

#[derive(Debug)]
struct Window {
    opened: Instant,
    /// Refusals after the first, not recorded yet.
    repeats: u64,
    latest: Refusal,
}

#[derive(Debug, Default)]
pub struct RefusalDigest {
    windows: Mutex<HashMap<(String, &'static str), Window>>,
}

impl RefusalDigest {
    /// The refusal back when it opens a window (record it now); `None` when it was counted.
    pub(crate) fn admit(&self, source: String, refusal: Refusal, now: Instant) -> Option<Refusal> {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut key = (source, refusal.event.action);
        if windows.len() >= MAX_SOURCES && !windows.contains_key(&key) {
            key.0 = OTHER_SOURCES.to_owned();
        }
        match windows.get_mut(&key) {
            Some(window) if now.duration_since(window.opened) < WINDOW => {
                window.repeats += 1;
                window.latest = refusal;
                None
            }
            // A window that ended while no summary ran: its count is recorded by the next one.
            Some(window) if window.repeats > 0 => {
                window.repeats += 1;
                window.latest = refusal;
                None
            }
            _ => {
                windows.insert(key, Window { opened: now, repeats: 0, latest: refusal.clone() });
                Some(refusal)
            }
        }
    }

    /// One entry per window that ended by `now` (every window when `now` is `None`) with
    /// refusals not recorded yet, carrying their count; ended windows are forgotten.
    pub(crate) fn close(&self, now: Option<Instant>) -> Vec<Refusal> {
        let mut windows = self.windows.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let ended = |window: &Window| now.is_none_or(|now| now.duration_since(window.opened) >= WINDOW);
        let keys: Vec<_> = windows.iter().filter(|(_, window)| ended(window)).map(|(key, _)| key.clone()).collect();
        keys.into_iter()
            .filter_map(|key| windows.remove(&key))
            .filter(|window| window.repeats > 0)
            .map(summary)
            .collect()
    }

    /// Records the summaries of ended windows every few seconds until the server stops.
    pub(crate) async fn record_ended_windows(&self, db: &Db) -> Infallible {
        let mut ticker = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticker.tick().await;
            record(db, self.close(Some(Instant::now()))).await;
        }
    }

    /// Records every count still open (at shutdown, so none is lost).
    pub(crate) async fn record_all(&self, db: &Db) {
        record(db, self.close(None)).await;
    }
}

fn summary(window: Window) -> Refusal {
    let Refusal { actor, meta, mut event } = window.latest;
    let mut metadata = match event.metadata {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    metadata.insert("repeated".to_owned(), window.repeats.into());
    metadata.insert("within_secs".to_owned(), WINDOW.as_secs().into());
    event.metadata = metadata.into();
    Refusal { actor, meta, event }
}

pub(crate) async fn record(db: &Db, refusals: Vec<Refusal>) {
    for Refusal { actor, meta, event } in refusals {
        if let Err(error) = audit::record(db, &actor, &meta, event).await {
            tracing::error!(%error, "could not record a refused request in the audit log");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(ip: &str) -> Refusal {
        let meta = RequestMeta { ip: Some(ip.to_owned()), status: Some(401), ..RequestMeta::default() };
        Refusal {
            actor: AuditActor::anonymous("anonymous"),
            meta,
            event: AuditEvent::refused("request.unauthenticated", "invalid_token"),
        }
    }

    #[test]
    fn a_flood_from_one_source_is_one_entry_now_and_one_count_when_the_minute_ends() {
        let digest = RefusalDigest::default();
        let start = Instant::now();
        assert!(digest.admit("192.0.2.1".to_owned(), refusal("192.0.2.1"), start).is_some());
        for second in 0..50 {
            let at = start + Duration::from_millis(second * 1000);
            assert!(digest.admit("192.0.2.1".to_owned(), refusal("192.0.2.1"), at).is_none());
        }
        assert!(digest.admit("192.0.2.2".to_owned(), refusal("192.0.2.2"), start).is_some(), "another source");
        assert!(digest.close(Some(start + Duration::from_secs(59))).is_empty(), "the minute is not over");

        let summaries = digest.close(Some(start + WINDOW));
        assert_eq!(summaries.len(), 1, "the lone refusal of the other source was recorded already");
        let summary = summaries.first().map(|refusal| &refusal.event.metadata);
        assert_eq!(summary.and_then(|metadata| metadata["repeated"].as_u64()), Some(50));
        assert!(digest.admit("192.0.2.1".to_owned(), refusal("192.0.2.1"), start + WINDOW).is_some(), "a new minute");
    }

    #[test]
    fn counts_still_open_at_shutdown_are_recorded() {
        let digest = RefusalDigest::default();
        let start = Instant::now();
        for _ in 0..3 {
            digest.admit("192.0.2.1".to_owned(), refusal("192.0.2.1"), start);
        }
        let summaries = digest.close(None);
        assert_eq!(summaries.first().and_then(|refusal| refusal.event.metadata["repeated"].as_u64()), Some(2));
    }
}
