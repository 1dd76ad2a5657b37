//! Background work for panels: the newest request wins, older ones are cancelled, and the
//! UI thread only polls (never waits).

use crate::platform::{Duration, Instant};
#[cfg(target_arch = "wasm32")]
use crate::tasks::Output;
use crate::tasks::{Task, TaskResult};
use crate::tensor::Progress;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};

/// At most one running computation producing `R`.
pub struct Job<R> {
    running: Option<Running<R>>,
    /// Why the last job stopped without a result (it panicked), until taken.
    failed: Option<String>,
}

struct Running<R> {
    progress: Arc<Progress>,
    /// The result, or why the work stopped (a panic's message).
    rx: Receiver<Result<R, String>>,
    started: Instant,
    /// The web worker doing it (stopped if the job is dropped unfinished).
    #[cfg(target_arch = "wasm32")]
    _worker: Option<super::worker::Lease>,
}

impl<R> Running<R> {
    fn new(progress: Arc<Progress>, rx: Receiver<Result<R, String>>) -> Running<R> {
        Running {
            progress,
            rx,
            started: Instant::now(),
            #[cfg(target_arch = "wasm32")]
            _worker: None,
        }
    }
}

impl<R> Default for Job<R> {
    fn default() -> Self {
        Job {
            running: None,
            failed: None,
        }
    }
}

impl<R: Send + 'static> Job<R> {
    /// Cancel whatever runs and start `work` on a new thread; `ctx` is repainted when done.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> R + Send + 'static,
    ) {
        self.cancel();
        self.failed = None;
        let progress = Arc::new(Progress::new());
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let p = Arc::clone(&progress);
        crate::platform::spawn(move || {
            // A bug in the work must not take the app down: its message goes to the view.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&p)))
                .map_err(|payload| panic_message(payload.as_ref()));
            // The receiver is gone if a newer job replaced this one: nothing to do.
            let _ = tx.send(result);
            ctx.request_repaint();
        });
        self.running = Some(Running::new(progress, rx));
    }

    /// Cancel whatever runs and start `task`: on a thread on the desktop, in a web worker in
    /// the browser (on the page's thread if no worker can start), with the same result.
    pub fn start_task(&mut self, ctx: &egui::Context, task: Task)
    where
        R: TaskResult,
    {
        #[cfg(target_arch = "wasm32")]
        {
            self.cancel();
            self.failed = None;
            let progress = Arc::new(Progress::new());
            let (tx, rx) = channel();
            let repaint = ctx.clone();
            let done = move |output: Result<Output, String>| {
                let result = match output {
                    Ok(o) => R::from_output(o),
                    Err(why) => {
                        log::warn!("quantscope: background work failed: {why}");
                        Some(R::from_error(why))
                    }
                };
                if let Some(r) = result {
                    let _ = tx.send(Ok(r));
                }
                repaint.request_repaint();
            };
            match super::worker::start(&task, Arc::clone(&progress), ctx.clone(), done) {
                Ok(lease) => {
                    self.running = Some(Running {
                        _worker: Some(lease),
                        ..Running::new(progress, rx)
                    });
                    return;
                }
                Err(why) => log::warn!("quantscope: no web worker ({why}); working on the page"),
            }
        }
        self.start(ctx, move |p| {
            R::from_output(task.run(p)).unwrap_or_else(|| R::from_error("wrong result".into()))
        });
    }

    /// The result, once the job has finished (then the job is idle again). A job that
    /// stopped without one gives `None` and leaves its reason for [`Job::take_failure`].
    pub fn poll(&mut self) -> Option<R> {
        let r = self.running.as_ref()?.rx.try_recv();
        match r {
            Ok(Ok(result)) => {
                self.running = None;
                Some(result)
            }
            Ok(Err(why)) => {
                self.running = None;
                self.failed = Some(why);
                None
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.running = None;
                self.failed = Some("the background work stopped without a result".into());
                None
            }
        }
    }

    /// Why the last job stopped without a result (a bug, reported in the view that asked
    /// for the work while the app keeps running), once.
    pub fn take_failure(&mut self) -> Option<String> {
        self.failed.take()
    }

    /// Cancel the running job, if any.
    pub fn cancel(&mut self) {
        if let Some(r) = self.running.take() {
            r.progress.cancel();
        }
    }

    /// Progress (0…1) and time so far, while running.
    pub fn status(&self) -> Option<(f32, Duration)> {
        self.running
            .as_ref()
            .map(|r| (r.progress.fraction(), r.started.elapsed()))
    }
}

/// The message of a panic, for the view that shows it.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    format!("the background work failed (a bug in quantscope: {what}); the app keeps running")
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn wait<R: Send + 'static>(job: &mut Job<R>) -> Option<R> {
        for _ in 0..2000 {
            if let Some(r) = job.poll() {
                return Some(r);
            }
            job.status()?;
            std::thread::sleep(Duration::from_millis(2));
        }
        None
    }

    #[test]
    fn a_result_arrives() {
        let mut job = Job::default();
        job.start(&egui::Context::default(), |_| 41 + 1);
        assert_eq!(wait(&mut job), Some(42));
        assert_eq!(job.take_failure(), None);
    }

    #[test]
    fn a_panic_in_the_work_is_a_message_not_a_crash() {
        let mut job: Job<u32> = Job::default();
        job.start(&egui::Context::default(), |_| panic!("index out of range"));
        assert_eq!(wait(&mut job), None);
        let why = job.take_failure().unwrap_or_default();
        assert!(why.contains("index out of range"), "{why}");
        assert_eq!(job.take_failure(), None, "taken once");
        // The job works again afterwards.
        let mut job: Job<u32> = Job::default();
        job.start(&egui::Context::default(), |_| 7);
        assert_eq!(wait(&mut job), Some(7));
    }
}
