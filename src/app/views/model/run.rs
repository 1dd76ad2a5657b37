//! The Model panel's Run view: pick an image (bundled samples, a file, or draw one), run the
//! model in every precision in the background, and compare them with FP32 down to each layer.

use super::canvas::Canvas;
use crate::app::platform::file_chooser::{Chosen, FileChooser};
use crate::app::platform::job::Job;
use crate::app::style::palette;
use crate::app::widgets::layout::BUSY_REPAINT_MODEL;
use crate::browse::Wanted;
use crate::export::Table;
use crate::formats::decimal::compact;
use crate::infer::Precision;
use crate::infer::preprocess::{decode_image, load_image};
use crate::infer::run::Classifier;
use egui::RichText;
use egui_plot::{Legend, Line, Plot, PlotPoints};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::infer::compare::RunResult;

type RunOutcome = Result<RunResult, String>;

/// Where the input comes from.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    Sample(usize),
    File(PathBuf),
    /// An image read in the browser: its name and bytes.
    Bytes(String, Arc<Vec<u8>>),
    Drawing,
}

/// The bundled held-out digits, part of the binary (and so of the web page).
const SAMPLES: [&[u8]; 10] = [
    include_bytes!("../../../../assets/samples/digit_0.png"),
    include_bytes!("../../../../assets/samples/digit_1.png"),
    include_bytes!("../../../../assets/samples/digit_2.png"),
    include_bytes!("../../../../assets/samples/digit_3.png"),
    include_bytes!("../../../../assets/samples/digit_4.png"),
    include_bytes!("../../../../assets/samples/digit_5.png"),
    include_bytes!("../../../../assets/samples/digit_6.png"),
    include_bytes!("../../../../assets/samples/digit_7.png"),
    include_bytes!("../../../../assets/samples/digit_8.png"),
    include_bytes!("../../../../assets/samples/digit_9.png"),
];

/// State of the Run view.
pub struct InferView {
    source: Source,
    canvas: Canvas,
    pixels: Option<(Vec<f32>, [usize; 3])>,
    /// The input as the 8-bit RGB picture it was made from, when the model has one.
    preview_rgb: Option<Vec<[u8; 3]>>,
    message: Option<String>,
    job: Job<RunOutcome>,
    result: Option<RunResult>,
    chooser: FileChooser,
    /// The input shown as a texture (made once per input).
    preview: Option<egui::TextureHandle>,
    /// Images opened this session, newest first.
    recent: Vec<PathBuf>,
    dirty: bool,
}

impl Default for InferView {
    fn default() -> Self {
        InferView {
            source: Source::Sample(7),
            canvas: Canvas::default(),
            pixels: None,
            preview_rgb: None,
            message: None,
            job: Job::default(),
            result: None,
            chooser: FileChooser::default(),
            preview: None,
            recent: Vec::new(),
            dirty: true,
        }
    }
}

impl InferView {
    /// The latest results.
    pub fn result(&self) -> Option<&RunResult> {
        self.result.as_ref()
    }

    /// The error shown, if any.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether a run is pending or going on.
    pub fn busy(&self) -> bool {
        self.dirty || self.job.status().is_some()
    }

    /// Use an image file as the input.
    pub fn set_image(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path.clone());
        self.recent.truncate(8);
        self.source = Source::File(path);
        self.dirty = true;
    }

    /// Use an image read in the browser (picked or dropped) as the input.
    pub fn set_image_bytes(&mut self, name: String, bytes: Vec<u8>) {
        self.source = Source::Bytes(name, Arc::new(bytes));
        self.dirty = true;
    }

    /// The image file used as input, if that is the input.
    pub fn image(&self) -> Option<&Path> {
        match &self.source {
            Source::File(p) => Some(p),
            _ => None,
        }
    }

    /// Poll the image dialog and draw its picker (call before any panel is laid out).
    pub fn dialogs(&mut self, ctx: &egui::Context) {
        match self.chooser.ui(ctx) {
            Some(Chosen::Path(p)) => self.set_image(p),
            Some(Chosen::Files(files)) => {
                if let Some((name, bytes)) = files.into_iter().next() {
                    self.set_image_bytes(name, bytes);
                }
            }
            None => {}
        }
    }

    /// Whether the image dialog or picker is open.
    pub fn choosing(&self) -> bool {
        self.chooser.busy()
    }

    /// The bundled sample used as input, if that is the input.
    pub fn sample(&self) -> Option<usize> {
        match self.source {
            Source::Sample(n) => Some(n),
            _ => None,
        }
    }

    /// Use bundled sample `n` as the input.
    pub fn set_sample(&mut self, n: usize) {
        self.source = Source::Sample(n);
        self.dirty = true;
    }

    /// Use the drawing (adding `stroke` to it) as the input.
    pub fn draw(&mut self, stroke: &[egui::Pos2]) {
        self.canvas.add_stroke(stroke);
        self.source = Source::Drawing;
        self.dirty = true;
    }

    /// Ask for a new run (the model changed).
    pub fn invalidate(&mut self) {
        self.dirty = true;
    }

    fn load_pixels(&self, model: &Classifier) -> Result<Vec<f32>, String> {
        match &self.source {
            Source::Sample(n) => {
                let bytes = SAMPLES.get(*n).ok_or("there are ten samples, 0 to 9")?;
                Ok(model.preprocess(&decode_image(bytes)?))
            }
            Source::File(p) => Ok(model.preprocess(&load_image(p)?)),
            Source::Bytes(name, bytes) => {
                Ok(model.preprocess(&decode_image(bytes).map_err(|e| format!("{name}: {e}"))?))
            }
            Source::Drawing => {
                Ok(model.preprocess(&image::DynamicImage::ImageLuma8(self.canvas.raster())))
            }
        }
    }

    /// Draw the view for `model` (None: the open checkpoint is not a classifier, `why`).
    pub fn ui(&mut self, ui: &mut egui::Ui, model: Result<Arc<Classifier>, String>) {
        if let Some(outcome) = self.job.poll() {
            match outcome {
                Ok(r) => {
                    self.result = Some(r);
                    self.message = None;
                }
                Err(e) => self.message = Some(e),
            }
        }
        if let Some(why) = self.job.take_failure() {
            self.message = Some(why);
        }
        let model = match model {
            Ok(m) => m,
            Err(why) => {
                // Nothing to run until a classifier opens (which asks for a run again).
                self.dirty = false;
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    format!("Cannot run this checkpoint: {why}"),
                );
                ui.label(
                    "Inspect shows any safetensors checkpoint; Run executes these model_types:",
                );
                for (model_type, what) in crate::infer::run::SUPPORTED {
                    ui.label(format!("• {model_type}: {what}"));
                }
                ui.label("The bundled SimpleCNN is under Bundled SimpleCNN.");
                return;
            }
        };
        // The input beside the results on a wide window, above them on a narrow one.
        if ui.available_width() >= 1000.0 {
            ui.columns(2, |cols| {
                self.input_ui(&mut cols[0]);
                self.results_ui(&mut cols[1], &model);
            });
        } else {
            self.input_ui(ui);
            ui.add_space(8.0);
            self.results_ui(ui, &model);
        }
        if self.dirty {
            self.dirty = false;
            match self.load_pixels(&model) {
                Ok(px) => {
                    self.pixels = Some((px.clone(), model.input));
                    self.preview_rgb = model.input_rgb(&px);
                    self.preview = None;
                    let task = crate::tasks::Task::Classify {
                        model: crate::tasks::ModelRef::classifier(&model),
                        pixels: px,
                    };
                    self.job.start_task(ui.ctx(), task);
                }
                Err(e) => self.message = Some(e),
            }
        }
        if self.busy() {
            ui.ctx().request_repaint_after(BUSY_REPAINT_MODEL);
        }
    }

    fn input_ui(&mut self, ui: &mut egui::Ui) {
        ui.heading("Input");
        ui.horizontal_wrapped(|ui| {
            ui.label("Samples");
            for n in 0..10 {
                let on = self.source == Source::Sample(n);
                if ui
                    .selectable_label(on, n.to_string())
                    .on_hover_text(format!("held-out digit {n}"))
                    .clicked()
                {
                    self.set_sample(n);
                }
            }
        });
        ui.horizontal(|ui| {
            let start = self.recent.first().cloned();
            if ui.button("Open image…").clicked() {
                self.chooser
                    .open(ui.ctx(), Wanted::Image, start.clone(), &self.recent);
            }
            if !cfg!(target_arch = "wasm32")
                && ui
                    .button("Type a path…")
                    .on_hover_text("quantscope's own file picker, with Tab completion")
                    .clicked()
            {
                self.chooser.browse(Wanted::Image, start, &self.recent);
            }
            self.chooser.status_ui(ui);
            if ui.button("Clear drawing").clicked() {
                self.canvas.clear();
            }
        });
        ui.label(RichText::new("Draw a digit below, or drop an image on the window").weak());
        if self.canvas.ui(ui) && !self.canvas.is_empty() {
            self.source = Source::Drawing;
            self.dirty = true;
        }
        if let Some((px, shape)) = &self.pixels {
            let [_, h, w] = *shape;
            ui.label(format!("What the model sees ({h} × {w}):"));
            // One texture per input (not a rectangle per pixel every frame).
            let texture = self.preview.get_or_insert_with(|| {
                ui.ctx().load_texture(
                    "model_input",
                    preview_image(px, *shape, self.preview_rgb.as_deref()),
                    egui::TextureOptions::NEAREST,
                )
            });
            let side = 112.0_f32.max(h.max(w) as f32 * 0.5).min(256.0);
            let scale = side / h.max(w).max(1) as f32;
            ui.image((texture.id(), egui::vec2(w as f32 * scale, h as f32 * scale)));
        }
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
    }

    fn results_ui(&mut self, ui: &mut egui::Ui, model: &Classifier) {
        ui.horizontal(|ui| {
            ui.heading(format!("{} in every precision", model.architecture));
            if let Some((f, _)) = self.job.status() {
                ui.add(egui::ProgressBar::new(f).desired_width(120.0));
            }
        });
        let Some(r) = &self.result else {
            ui.spinner();
            return;
        };
        let header = [
            "precision",
            "top-1",
            "p",
            "mean |Δlogit|",
            "max |Δlogit|",
            "agrees",
            "weights",
            "ms",
            "prepare ms",
        ];
        crate::app::widgets::table::table_title(ui, "Predictions", None, || {
            results_table(r, &header)
        });
        crate::app::widgets::table::scroll_wide(ui, "infer_results_scroll", |ui| {
            egui::Grid::new("infer_results")
                .striped(true)
                .spacing([12.0, 4.0])
                .show(ui, |ui| {
                    for h in header {
                        crate::app::widgets::table::header_cell(ui, h);
                    }
                    ui.end_row();
                    for (p, d) in r.predictions.iter().zip(&r.differences) {
                        let label = p
                            .dtype
                            .parse::<Precision>()
                            .map_or(p.dtype.clone(), |x| x.label().to_string());
                        ui.label(label);
                        let top = &p.top5[0];
                        ui.label(RichText::new(&top.label).strong());
                        ui.monospace(format!("{:.4}", top.prob));
                        ui.monospace(compact(d.mean_abs));
                        ui.monospace(compact(d.max_abs));
                        ui.label(if d.top1_agrees {
                            RichText::new("yes").color(palette::GOOD)
                        } else {
                            RichText::new("NO").color(palette::BAD).strong()
                        });
                        ui.monospace(format!("{:.1} KB", p.weight_bytes as f64 / 1e3));
                        ui.monospace(format!("{:.2}", p.ms));
                        ui.monospace(if p.prepare_ms > 0.0 {
                            format!("{:.2}", p.prepare_ms)
                        } else {
                            "cached".into()
                        });
                        ui.end_row();
                    }
                });
        });
        let cache = model.cache.stats();
        ui.label(
            RichText::new(format!(
                "ms: the forward pass; prepare ms: casting / quantizing the weights, once per precision \
                 (then cached: {} precision(s), {:.1} MB of {:.0} MB)",
                cache.entries,
                cache.bytes as f64 / 1e6,
                crate::infer::cache::CACHE_BUDGET as f64 / 1e6
            ))
            .weak(),
        );
        ui.add_space(6.0);
        crate::app::widgets::table::table_title(ui, "Top-5 per precision", None, || top5_table(r));
        crate::app::widgets::table::scroll_wide(ui, "infer_top5_scroll", |ui| {
            egui::Grid::new("infer_top5")
                .spacing([10.0, 2.0])
                .show(ui, |ui| {
                    for p in &r.predictions {
                        ui.label(&p.dtype);
                        for t in &p.top5 {
                            // The class, then its probability as a bar with the percentage.
                            ui.horizontal(|ui| {
                                ui.label(RichText::new(&t.label).strong());
                                ui.add(
                                    egui::ProgressBar::new(t.prob as f32)
                                        .desired_width(64.0)
                                        .text(format!("{:.0}%", t.prob * 100.0)),
                                );
                            });
                        }
                        ui.end_row();
                    }
                });
        });
        ui.add_space(6.0);
        let names: Vec<String> = r.differences.first().map_or(Vec::new(), |d| {
            d.layer_rel_error.iter().map(|(n, _)| n.clone()).collect()
        });
        let width = palette::Look::of(ui.ctx()).line(2.0);
        let height = crate::app::widgets::plots::plot_height(ui.ctx(), 200.0);
        crate::app::widgets::focus::section(ui, "layers", |ui| {
            crate::app::widgets::table::titled_plot(
                ui,
                "Relative error against FP32, layer by layer",
                Some(
                    "‖out − FP32 out‖ / ‖FP32 out‖ after each layer: where error enters and how it grows",
                ),
                |ui| {
                    Plot::new("infer_layers")
                        .height(height)
                        .legend(Legend::default())
                        .x_axis_formatter(move |m, _| {
                            names.get(m.value as usize).cloned().unwrap_or_default()
                        })
                        .y_axis_label("relative error")
                        .show(ui, |plot| {
                            for (p, d) in r.predictions.iter().zip(&r.differences).skip(1) {
                                let pts: PlotPoints = d
                                    .layer_rel_error
                                    .iter()
                                    .enumerate()
                                    .map(|(i, (_, e))| [i as f64, *e])
                                    .collect();
                                plot.line(Line::new(p.dtype.clone(), pts).width(width));
                            }
                        })
                        .response
                },
            )
        });
    }
}

/// The predictions table as text (what the grid shows).
fn results_table(r: &RunResult, header: &[&str]) -> Table {
    let mut t = Table::new("predictions", header);
    for (p, d) in r.predictions.iter().zip(&r.differences) {
        let top = &p.top5[0];
        t.push(vec![
            p.dtype.clone(),
            top.label.clone(),
            format!("{:.4}", top.prob),
            format!("{:.3e}", d.mean_abs),
            format!("{:.3e}", d.max_abs),
            if d.top1_agrees { "yes" } else { "no" }.into(),
            p.weight_bytes.to_string(),
            format!("{:.3}", p.ms),
            format!("{:.3}", p.prepare_ms),
        ]);
    }
    t
}

/// The top-5 classes of every precision: one row per (precision, rank).
fn top5_table(r: &RunResult) -> Table {
    let mut t = Table::new("top5", &["precision", "rank", "class", "p"]);
    for p in &r.predictions {
        for (i, c) in p.top5.iter().enumerate() {
            t.push(vec![
                p.dtype.clone(),
                (i + 1).to_string(),
                c.label.clone(),
                format!("{:.6}", c.prob),
            ]);
        }
    }
    t
}

/// The model's input as a picture: the image processor's 8-bit RGB when the model has one,
/// else the values stretched to the full range (grayscale, or colour for 3 channels read as
/// BGR).
fn preview_image(px: &[f32], [c, h, w]: [usize; 3], rgb: Option<&[[u8; 3]]>) -> egui::ColorImage {
    if let Some(rgb) = rgb.filter(|rgb| rgb.len() == h * w) {
        let pixels = rgb
            .iter()
            .map(|&[r, g, b]| palette::pixel_rgb(r, g, b))
            .collect();
        return egui::ColorImage::new([w, h], pixels);
    }
    let (lo, hi) = px
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let span = (hi - lo).max(1e-6);
    let level = |v: f32| (((v - lo) / span) * 255.0) as u8;
    let plane = h * w;
    let pixels = (0..plane)
        .map(|i| {
            if c == 3 && px.len() >= 3 * plane {
                palette::pixel_rgb(level(px[2 * plane + i]), level(px[plane + i]), level(px[i]))
            } else {
                palette::pixel_gray(px.get(i).map_or(0, |&v| level(v)))
            }
        })
        .collect();
    egui::ColorImage::new([w, h], pixels)
}
