//! What differs between the desktop and the browser, behind one small seam: threads, the
//! clock, and where saved files go. Cores and panels call these instead of `std::thread`
//! and `std::time::Instant` (which panic on `wasm32-unknown-unknown`).

pub use web_time::{Duration, Instant};

/// How many threads element-wise work is split over (1 in the browser: no threads).
pub fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Run `work` in the background: on a new thread on the desktop; in the browser, right now
/// (the caller polls for the result either way).
pub fn spawn(work: impl FnOnce() + Send + 'static) {
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::spawn(work);
    #[cfg(target_arch = "wasm32")]
    work();
}

/// Run each of `parts` with `f`, on scoped threads when there is more than one thread, else
/// one after the other on this thread. Returns whether any part reported `true`.
pub fn run_parts<T: Send>(parts: Vec<T>, f: impl Fn(T) -> bool + Sync) -> bool {
    if threads() == 1 || parts.len() <= 1 {
        // Every part runs even after one reports, as the threaded path does.
        return parts.into_iter().map(&f).fold(false, |a, b| a | b);
    }
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = parts.into_iter().map(|p| s.spawn(move || f(p))).collect();
        handles.into_iter().any(|h| h.join().unwrap_or(true))
    })
}
