//! A closed loop of concurrent clients: each sends its next request as soon as the previous
//! one answered, until the time is up. Drives the webhook senders and the raw-SQL baselines,
//! so both see the same concurrency wrk gives the GET endpoints.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use crate::stats::LoadFigures;

/// Runs `request(client, n)` from `clients` tasks for `duration`; an `Err` counts as an error.
pub async fn run<F, Fut>(clients: u32, duration: Duration, request: F) -> anyhow::Result<LoadFigures>
where
    F: Fn(u32, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Instant::now();
    let deadline = started + duration;
    // Errors are counted; the first one is shown, so a broken run says why.
    let error_shown = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (request, error_shown) = (request.clone(), error_shown.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0u64);
                let mut n = 0u64;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match request(client, n).await {
                        Ok(()) => latencies.push(sent.elapsed()),
                        Err(error) => {
                            errors += 1;
                            if !error_shown.swap(true, Ordering::Relaxed) {
                                eprintln!("    first error: {error:#}");
                            }
                        }
                    }
                    n += 1;
                }
                (latencies, errors)
            })
        })
        .collect();
    let (mut latencies, mut errors) = (Vec::new(), 0u64);
    for task in tasks {
        let (task_latencies, task_errors) = task.await?;
        latencies.extend(task_latencies);
        errors += task_errors;
    }
    Ok(LoadFigures::from_latencies(latencies, errors, started.elapsed()))
}
