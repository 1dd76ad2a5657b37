//! Background work in the browser: the page has one thread, so a panel's [`Task`] runs in a
//! web worker running this same wasm module (`worker.js`), and the page stays responsive.
//! Tasks and results cross as [`crate::wire`] bytes; a checkpoint's files are sent to a
//! worker once and kept open there. A job replaced by a newer one stops its worker.
//!
//! Messages to a worker: `{seq, kind: "load", id, label, names, buffers}` and
//! `{seq, kind: "run", task}`; from it: `{seq, kind: "progress", done, total}`,
//! `{seq, kind: "done", bytes}` and `{seq, kind: "error", message}`.

use crate::tasks::{OpenModels, Output, Task};
use crate::tensor::Progress;
use js_sys::{Array, Object, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::*;

/// A worker and the checkpoints it has open (as its [`OpenModels`] keeps them).
struct Handle {
    worker: web_sys::Worker,
    loaded: VecDeque<u64>,
}

/// Idle workers kept for the next job.
const IDLE_KEPT: usize = 2;
/// Checkpoints a worker keeps open (as [`OpenModels`]).
const KEPT: usize = 2;

thread_local! {
    static IDLE: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
    static SEQ: Cell<u32> = const { Cell::new(0) };
    /// Results received from workers (the page's `data-worker-results`, for the smoke test).
    static RECEIVED: Cell<u32> = const { Cell::new(0) };
}

/// A worker busy with one job: dropping it before the job finished stops the worker; after,
/// the worker waits for the next job.
pub struct Lease {
    handle: Option<Handle>,
    finished: Rc<Cell<Finish>>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Finish {
    Running,
    Done,
    Failed,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(handle) = self.handle.take() else {
            return;
        };
        handle.worker.set_onmessage(None);
        let reusable = self.finished.get() == Finish::Done
            && IDLE.with(|idle| idle.borrow().len() < IDLE_KEPT);
        if reusable {
            IDLE.with(|idle| idle.borrow_mut().push(handle));
        } else {
            handle.worker.terminate();
        }
    }
}

fn js_err(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An idle worker, preferring one that has checkpoint `id` open, or a new one.
fn take_worker(id: Option<u64>) -> Result<Handle, String> {
    let reused = IDLE.with(|idle| {
        let mut idle = idle.borrow_mut();
        let pos = id
            .and_then(|id| idle.iter().position(|h| h.loaded.contains(&id)))
            .or_else(|| idle.len().checked_sub(1));
        pos.map(|p| idle.remove(p))
    });
    if let Some(h) = reused {
        return Ok(h);
    }
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options("./worker.js", &options).map_err(js_err)?;
    Ok(Handle {
        worker,
        loaded: VecDeque::new(),
    })
}

/// Send the checkpoint's files to the worker unless it has them open.
fn send_model(handle: &mut Handle, task: &Task, seq: u32) -> Result<(), String> {
    let Some(model) = task.model() else {
        return Ok(());
    };
    if handle.loaded.contains(&model.id) {
        return Ok(());
    }
    let files = model
        .files
        .as_ref()
        .ok_or("the checkpoint is not open on the page")?;
    let names = Array::new();
    let buffers = Array::new();
    for (name, bytes) in files.memory_files() {
        names.push(&JsValue::from_str(&name));
        buffers.push(&Uint8Array::from(bytes).buffer());
    }
    let msg = Object::new();
    set(&msg, "seq", seq);
    set(&msg, "kind", "load");
    set(&msg, "id", model.id as f64);
    set(&msg, "label", files.path.display().to_string());
    set(&msg, "names", names);
    set(&msg, "buffers", buffers.clone());
    handle
        .worker
        .post_message_with_transfer(&msg, &buffers)
        .map_err(js_err)?;
    handle.loaded.retain(|&i| i != model.id);
    handle.loaded.push_back(model.id);
    while handle.loaded.len() > KEPT {
        handle.loaded.pop_front();
    }
    Ok(())
}

/// Start `task` in a web worker; `progress` follows the worker's, and `done` gets the
/// output (or why there is none) on the page's thread, then `ctx` is repainted.
pub fn start(
    task: &Task,
    progress: Arc<Progress>,
    ctx: egui::Context,
    done: impl FnOnce(Result<Output, String>) + 'static,
) -> Result<Lease, String> {
    let bytes = crate::wire::encode(task)?;
    let seq = SEQ.with(|s| {
        let n = s.get().wrapping_add(1);
        s.set(n);
        n
    });
    let mut handle = take_worker(task.model().map(|m| m.id))?;
    let finished = Rc::new(Cell::new(Finish::Running));
    let flag = Rc::clone(&finished);
    let mut done = Some(done);
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            let data = e.data();
            let from = get(&data, "seq").as_f64();
            // -1: the worker itself failed to load.
            if from != Some(seq as f64) && from != Some(-1.0) {
                return;
            }
            let outcome = match get(&data, "kind").as_string().as_deref() {
                Some("progress") => {
                    let n = |k| get(&data, k).as_f64().unwrap_or(0.0) as u64;
                    progress.set_counts(n("done"), n("total"));
                    ctx.request_repaint();
                    return;
                }
                Some("done") => {
                    let bytes = Uint8Array::new(&get(&data, "bytes")).to_vec();
                    let n = RECEIVED.with(|r| {
                        r.set(r.get() + 1);
                        r.get()
                    });
                    super::web::set_data("workerResults", &n.to_string());
                    crate::wire::decode::<Output>(&bytes)
                }
                _ => Err(get(&data, "message")
                    .as_string()
                    .unwrap_or_else(|| "the worker stopped".into())),
            };
            flag.set(if outcome.is_ok() {
                Finish::Done
            } else {
                Finish::Failed
            });
            if let Some(done) = done.take() {
                done(outcome);
            }
        });
    handle
        .worker
        .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let sent = send_model(&mut handle, task, seq).and_then(|()| {
        let msg = Object::new();
        set(&msg, "seq", seq);
        set(&msg, "kind", "run");
        let task = Uint8Array::from(&bytes[..]);
        set(&msg, "task", task.clone());
        let transfer = Array::of1(&task.buffer());
        handle
            .worker
            .post_message_with_transfer(&msg, &transfer)
            .map_err(js_err)
    });
    match sent {
        Ok(()) => Ok(Lease {
            handle: Some(handle),
            finished,
            _on_message: on_message,
        }),
        Err(e) => {
            handle.worker.set_onmessage(None);
            handle.worker.terminate();
            Err(e)
        }
    }
}

/// Whether this code runs in a web worker (not on the page).
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<web_sys::DedicatedWorkerGlobalScope>()
        .is_ok()
}

thread_local! {
    /// Checkpoints open in this worker.
    static MODELS: RefCell<OpenModels> = RefCell::default();
    /// Why a checkpoint could not be opened here, by id.
    static LOAD_FAILED: RefCell<Vec<(u64, String)>> = const { RefCell::new(Vec::new()) };
    /// The job running in this worker (for the panic message).
    static CURRENT: Cell<f64> = const { Cell::new(-1.0) };
}

fn post(msg: &Object, transfer: Option<&Array>) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = match transfer {
        Some(t) => scope.post_message_with_transfer(msg, t),
        None => scope.post_message(msg),
    };
}

fn post_error(seq: f64, message: &str) {
    let msg = Object::new();
    set(&msg, "seq", seq);
    set(&msg, "kind", "error");
    set(&msg, "message", message);
    post(&msg, None);
}

/// Set up this wasm instance as a worker: a panic is reported to the page as an error.
pub fn worker_init() {
    std::panic::set_hook(Box::new(|info| {
        post_error(
            CURRENT.with(Cell::get),
            &format!("quantscope panicked: {info}"),
        );
    }));
}

/// A message from the page to this worker (called by `worker.js`).
#[wasm_bindgen]
pub fn worker_message(data: JsValue) {
    let seq = get(&data, "seq").as_f64().unwrap_or(0.0);
    match get(&data, "kind").as_string().as_deref() {
        Some("load") => {
            let id = get(&data, "id").as_f64().unwrap_or(0.0) as u64;
            let label = get(&data, "label").as_string().unwrap_or_default();
            let names = Array::from(&get(&data, "names"));
            let buffers = Array::from(&get(&data, "buffers"));
            let files: Vec<(String, Vec<u8>)> = names
                .iter()
                .zip(buffers.iter())
                .map(|(n, b)| {
                    (
                        n.as_string().unwrap_or_default(),
                        Uint8Array::new(&b).to_vec(),
                    )
                })
                .collect();
            let loaded = MODELS.with(|m| m.borrow_mut().load(id, &label, files));
            LOAD_FAILED.with(|f| {
                let mut f = f.borrow_mut();
                f.retain(|(i, _)| *i != id);
                if let Err(e) = loaded {
                    f.push((id, e));
                }
            });
        }
        Some("run") => {
            CURRENT.with(|c| c.set(seq));
            let task = Uint8Array::new(&get(&data, "task")).to_vec();
            let last = std::sync::atomic::AtomicU64::new(u64::MAX);
            let progress = Progress::observed(move |done, total| {
                // Post at most every 0.5 % (and at the end).
                let permille = (done * 1000).checked_div(total).unwrap_or(0);
                let before = last.swap(permille, std::sync::atomic::Ordering::Relaxed);
                if permille / 5 == before / 5 && done < total {
                    return;
                }
                let msg = Object::new();
                set(&msg, "seq", seq);
                set(&msg, "kind", "progress");
                set(&msg, "done", done as f64);
                set(&msg, "total", total as f64);
                post(&msg, None);
            });
            let out =
                MODELS.with(|m| crate::tasks::run_encoded(&mut m.borrow_mut(), &task, &progress));
            match out {
                Ok(bytes) => {
                    let msg = Object::new();
                    set(&msg, "seq", seq);
                    set(&msg, "kind", "done");
                    let array = Uint8Array::from(&bytes[..]);
                    set(&msg, "bytes", array.clone());
                    post(&msg, Some(&Array::of1(&array.buffer())));
                }
                Err(e) => {
                    let why = LOAD_FAILED.with(|f| f.borrow().last().map(|(_, w)| w.clone()));
                    post_error(seq, &why.unwrap_or(e));
                }
            }
        }
        other => post_error(seq, &format!("unknown message {other:?}")),
    }
}
