//! What differs between the desktop and the browser, behind one small seam: threads, the
//! clock, and where saved files go. Cores and panels call these instead of `std::thread`
//! and `std::time::Instant` (which panic on `wasm32-unknown-unknown`).

pub use web_time::{Duration, Instant};

/// How many threads element-wise work is split over (1 in the browser: no threads). Asked
/// of the system once: on Linux the answer reads cgroup files, too slow for every kernel call.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        if cfg!(target_arch = "wasm32") {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    })
}

/// Run `work` in the background: on a new thread on the desktop; in the browser, queued to
/// run on the page's thread after the current frame is shown (so the frame that asked for
/// it paints its progress first; see [`run_queued`]). The caller polls for the result
/// either way.
pub fn spawn(work: impl FnOnce() + Send + 'static) {
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::spawn(work);
    #[cfg(target_arch = "wasm32")]
    {
        let frame = FRAME.with(|f| f.get());
        QUEUE.with(|q| q.borrow_mut().push_back((frame, Box::new(work))));
    }
}

/// Work queued in one frame, waiting for the page's thread.
#[cfg(target_arch = "wasm32")]
type Queued = (u64, Box<dyn FnOnce()>);

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// Work waiting for the page's thread, oldest first, with the frame that queued it.
    static QUEUE: std::cell::RefCell<std::collections::VecDeque<Queued>> =
        std::cell::RefCell::default();
    /// Frames seen by [`run_queued`].
    static FRAME: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// In the browser, once a frame after its layout: run the oldest piece of work queued in an
/// earlier frame (so the frame that asked for it has been painted, progress and all).
/// Returns whether more is waiting (then ask for another frame).
#[cfg(target_arch = "wasm32")]
pub fn run_queued() -> bool {
    let now = FRAME.with(|f| f.get());
    let ready = QUEUE.with(|q| q.borrow().front().is_some_and(|(frame, _)| *frame < now));
    if ready && let Some((_, work)) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        work();
    }
    FRAME.with(|f| f.set(now + 1));
    QUEUE.with(|q| !q.borrow().is_empty())
}

/// `items` in at most [`threads`] runs of consecutive items, for [`run_parts`].
pub fn split_parts<T>(mut items: Vec<T>) -> Vec<Vec<T>> {
    let per = items.len().div_ceil(threads()).max(1);
    let mut parts = Vec::new();
    while !items.is_empty() {
        let rest = items.split_off(per.min(items.len()));
        parts.push(std::mem::replace(&mut items, rest));
    }
    parts
}

/// Run each of `parts` with `f`, on the shared thread pool (rayon's, which candle's matmul
/// uses too, so the two never compete for the cores) when there is more than one thread,
/// else one after the other on this thread. Returns whether any part reported `true`.
pub fn run_parts<T: Send>(parts: Vec<T>, f: impl Fn(T) -> bool + Sync) -> bool {
    if threads() == 1 || parts.len() <= 1 {
        // Every part runs even after one reports, as the threaded path does.
        return parts.into_iter().map(&f).fold(false, |a, b| a | b);
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        parts.into_par_iter().map(&f).reduce(|| false, |a, b| a | b)
    }
    #[cfg(target_arch = "wasm32")]
    unreachable!("one thread in the browser")
}

/// `(a(), b())`, the two on two threads of the shared pool when there are threads (rayon's
/// join), one after the other otherwise.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    if threads() > 1 {
        return rayon::join(a, b);
    }
    (a(), b())
}

/// Keep freed memory for reuse instead of handing large blocks back to the system: glibc
/// maps every block over its threshold (128 KB at first) freshly, and each page of a fresh
/// map costs a page fault when first written. A forward pass allocates and frees tens of
/// megabytes of activations per run, so that cost showed up as 1 GB/s copies and doubled
/// layers. Call once at start-up; elsewhere a no-op.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is safe to call at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 30);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}

/// Full screen on or off: the window on the desktop; in the browser the page, through the
/// Fullscreen API (browsers allow it only shortly after a click or key press, which is when
/// presentation mode is switched).
pub fn set_fullscreen(ctx: &egui::Context, on: bool) {
    #[cfg(not(target_arch = "wasm32"))]
    ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(on));
    #[cfg(target_arch = "wasm32")]
    {
        let _ = ctx;
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let is_full = document.fullscreen_element().is_some();
        if on && !is_full {
            if let Some(root) = document.document_element() {
                // Refused without a recent user gesture: presentation still zooms.
                let _ = root.request_fullscreen();
            }
        } else if !on && is_full {
            document.exit_fullscreen();
        }
    }
}

/// Offer `bytes` as a download named `file_name` (the browser's way of saving a file).
#[cfg(target_arch = "wasm32")]
pub fn download(file_name: &str, bytes: &[u8]) -> Result<(), String> {
    use wasm_bindgen::JsCast as _;
    let fail = |what: &str| format!("cannot download {file_name}: {what}");
    let window = web_sys::window().ok_or_else(|| fail("no window"))?;
    let document = window.document().ok_or_else(|| fail("no document"))?;
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(|_| fail("no blob"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| fail("no URL"))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| fail("no link element"))?
        .dyn_into()
        .map_err(|_| fail("no link element"))?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
