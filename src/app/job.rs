//! Background work for panels: the newest request wins, older ones are cancelled, and the
//! UI thread only polls (never waits).

use crate::platform::{Duration, Instant};
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
        self.running = Some(Running {
            progress,
            rx,
            started: Instant::now(),
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
