//! How many live-event streams each caller holds open on this server: each one is a
//! connection and a poll loop, so one caller (or a stolen token) opening hundreds would take
//! them from everyone else.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

#[derive(Debug, Default)]
pub struct OpenStreams {
    per_caller: Mutex<HashMap<String, u32>>,
}

/// One open stream; dropping it (the stream ended or the client went away) frees its place.
#[derive(Debug)]
pub(crate) struct StreamSlot {
    streams: Arc<OpenStreams>,
    caller: String,
}

impl OpenStreams {
    /// A place for one more stream of `caller`, unless it holds `limit` already.
    pub(crate) fn take(self: &Arc<Self>, caller: String, limit: u32) -> Option<StreamSlot> {
        let mut per_caller = self.per_caller.lock().unwrap_or_else(PoisonError::into_inner);
        let open = per_caller.entry(caller.clone()).or_default();
        if *open >= limit {
            return None;
        }
        *open += 1;
        Some(StreamSlot { streams: self.clone(), caller })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut per_caller = self.streams.per_caller.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(open) = per_caller.get_mut(&self.caller) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                per_caller.remove(&self.caller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_holds_at_most_the_limit_and_a_closed_stream_frees_its_place() {
        let streams = Arc::new(OpenStreams::default());
        let held: Vec<_> = (0..3).filter_map(|_| streams.take("user:1".to_owned(), 3)).collect();
        assert_eq!(held.len(), 3);
        assert!(streams.take("user:1".to_owned(), 3).is_none());
        assert!(streams.take("user:2".to_owned(), 3).is_some(), "another caller is not affected");
        drop(held);
        assert!(streams.take("user:1".to_owned(), 3).is_some());
    }
}
