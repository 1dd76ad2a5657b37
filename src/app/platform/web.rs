//! The app as a web page (eframe's WebRunner on the `quantscope_canvas` canvas): it opens on
//! the deep link in the page's address, keeps the address (and the tab's title) in step with
//! what is on screen, and applies a link the user types into the address bar.

use std::cell::RefCell;

thread_local! {
    /// The fragment last read from or written to the address bar.
    static LAST_HASH: RefCell<String> = const { RefCell::new(String::new()) };
    /// The page title last written.
    static LAST_TITLE: RefCell<String> = const { RefCell::new(String::new()) };
    /// Whether the page was opened with `?bench` (redraw every frame to measure).
    static BENCH: bool = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|q| q.contains("bench"));
    /// CPU time of recent frames (ms), for the page's `data-frame-ms`.
    static FRAMES: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Milliseconds since the page started loading.
fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Set `data-NAME` on the page's body (read by the browser smoke test).
pub(crate) fn set_data(name: &str, value: &str) {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set(name, value);
    }
}

/// What the page keeps in step with: the app's deep link and title.
pub trait Page {
    /// Put the app in the state of a fragment the user typed into the address bar.
    fn open_link(&mut self, ctx: &egui::Context, fragment: &str);
    /// The fragment for what is on screen (without `#`).
    fn fragment(&self) -> String;
    /// The page title for what is on screen.
    fn title(&self) -> String;
}

/// Start the app that `make` builds (given the creation context and the fragment the page was
/// opened with, if any) on the page's canvas.
pub fn start<A: eframe::App + 'static>(
    make: impl FnOnce(&eframe::CreationContext<'_>, Option<String>) -> Box<A> + 'static,
) {
    let _ = log::set_logger(&CONSOLE);
    log::set_max_level(log::LevelFilter::Warn);
    let options = eframe::WebOptions::default();
    wasm_bindgen_futures::spawn_local(async move {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let canvas = document
            .get_element_by_id("quantscope_canvas")
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlCanvasElement>(e).ok());
        let Some(canvas) = canvas else {
            log::error!("quantscope: the page has no canvas with id quantscope_canvas");
            return;
        };
        let hash = location_hash();
        LAST_HASH.with(|h| *h.borrow_mut() = hash.clone());
        let started = eframe::WebRunner::new()
            .start(
                canvas,
                options,
                Box::new(move |cc| {
                    let link = (!hash.trim_start_matches('#').is_empty()).then_some(hash);
                    let app: Box<dyn eframe::App> = make(cc, link);
                    Ok(app)
                }),
            )
            .await;
        if let Err(e) = started {
            log::error!("quantscope could not start: {e:?}");
            if let Some(loading) = document.get_element_by_id("loading") {
                loading.set_inner_html(
                    "quantscope could not start in this browser (WebGL2 is needed).",
                );
            }
            return;
        }
        if let Some(loading) = document.get_element_by_id("loading") {
            loading.remove();
        }
        set_data("startedMs", &format!("{:.0}", now_ms()));
    });
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Once a frame: apply a fragment the user typed, else write the state's fragment into the
/// address bar (without a new history entry) and the state into the title.
pub fn sync(app: &mut impl Page, ctx: &egui::Context, cpu_seconds: Option<f32>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if LAST_TITLE.with(|t| t.borrow().is_empty()) {
        // The first frame drawn: time from the page's start.
        set_data("firstFrameMs", &format!("{:.0}", now_ms()));
    }
    // Background work queued by the panels runs now, after this frame's layout.
    if crate::platform::run_queued() {
        ctx.request_repaint();
    }
    // `?bench` in the address: draw continuously so frame times can be measured.
    if BENCH.with(|b| *b) {
        ctx.request_repaint();
    }
    if let Some(cpu) = cpu_seconds {
        FRAMES.with(|f| {
            let mut f = f.borrow_mut();
            f.push(cpu * 1000.0);
            if f.len() % 10 == 0 {
                set_data("frames", &f.len().to_string());
            }
            if f.len() % 30 == 0 {
                let recent = &f[f.len().saturating_sub(60)..];
                let mean = recent.iter().sum::<f32>() / recent.len() as f32;
                set_data("frameMs", &format!("{mean:.2}"));
            }
        });
    }
    let current = location_hash();
    let last = LAST_HASH.with(|h| h.borrow().clone());
    if current != last && !current.is_empty() {
        LAST_HASH.with(|h| *h.borrow_mut() = current.clone());
        app.open_link(ctx, &current);
        return;
    }
    let fragment = format!("#{}", app.fragment());
    if fragment != last {
        if let Ok(history) = window.history() {
            let _ =
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&fragment));
        }
        LAST_HASH.with(|h| *h.borrow_mut() = fragment);
    }
    let title = app.title();
    if LAST_TITLE.with(|t| *t.borrow() != title) {
        if let Some(document) = window.document() {
            document.set_title(&title);
        }
        LAST_TITLE.with(|t| *t.borrow_mut() = title);
    }
}

/// Warnings and errors to the browser's console.
struct Console;

static CONSOLE: Console = Console;

impl log::Log for Console {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let line = format!("{} {}: {}", record.level(), record.target(), record.args());
            web_sys::console::log_1(&line.into());
        }
    }

    fn flush(&self) {}
}
