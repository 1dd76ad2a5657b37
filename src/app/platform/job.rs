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
}

struct Running<R> {
    progress: Arc<Progress>,
    rx: Receiver<R>,
    started: Instant,
    /// The web worker doing it (stopped if the job is dropped unfinished).
    #[cfg(target_arch = "wasm32")]
    _worker: Option<super::worker::Lease>,
}

impl<R> Running<R> {
    fn new(progress: Arc<Progress>, rx: Receiver<R>) -> Running<R> {
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
        Job { running: None }
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
        let progress = Arc::new(Progress::new());
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let p = Arc::clone(&progress);
        crate::platform::spawn(move || {
            let result = work(&p);
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
                    let _ = tx.send(r);
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

    /// The result, once the job has finished (then the job is idle again).
    pub fn poll(&mut self) -> Option<R> {
        let r = self.running.as_ref()?.rx.try_recv();
        match r {
            Ok(result) => {
                self.running = None;
                Some(result)
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                // The worker panicked: drop it; the panel keeps its last result.
                self.running = None;
                None
            }
        }
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
