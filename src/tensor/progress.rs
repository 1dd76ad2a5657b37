//! Progress and cancellation shared between a background job and the UI.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Counts work done and carries a cancel flag; share it through an `Arc`.
#[derive(Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
    cancel: AtomicBool,
    /// Told (done, total) after every change (a web worker posts it to the page).
    observer: Option<Box<dyn Fn(u64, u64) + Send + Sync>>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (done, total) = self.counts();
        f.debug_struct("Progress")
            .field("done", &done)
            .field("total", &total)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl Progress {
    /// A fresh counter (nothing done, not cancelled).
    pub fn new() -> Progress {
        Progress::default()
    }

    /// A fresh counter that tells `observer` (done, total) after every change.
    pub fn observed(observer: impl Fn(u64, u64) + Send + Sync + 'static) -> Progress {
        Progress {
            observer: Some(Box::new(observer)),
            ..Progress::default()
        }
    }

    /// Add `n` to the amount of work the job will do.
    pub fn add_total(&self, n: u64) {
        self.total.fetch_add(n, Ordering::Relaxed);
        self.tell();
    }

    /// Record `n` units of work done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.tell();
    }

    /// Work done and total so far.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Take over counts reported from elsewhere (a web worker).
    pub fn set_counts(&self, done: u64, total: u64) {
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    fn tell(&self) {
        if let Some(observer) = &self.observer {
            let (done, total) = self.counts();
            observer(done, total);
        }
    }

    /// Fraction done, 0…1 (0 before any total is known).
    pub fn fraction(&self) -> f32 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            0.0
        } else {
            (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0) as f32
        }
    }

    /// Ask the job to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether the job should stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// The job was cancelled before it finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cancelled;
