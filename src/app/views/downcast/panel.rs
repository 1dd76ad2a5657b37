//! The Downcast lab: a random tensor cast or quantized, recomputed in the background on every
//! change, with histograms, error statistics, dot products and memory.

use super::results as views;
use super::settings::DowncastState;
use crate::app::platform::job::Job;
use crate::app::widgets::layout::{
    BUSY_REPAINT_LAB, format_index, pair, scrolled_central, side_panel,
};
use crate::app::widgets::{focus, rounding_picker};
use crate::formats::{Format, RoundingMode};
use crate::ggml::GgmlType;
use crate::quant::block::BlockScheme;
use crate::quant::{Granularity, Mode, QType, Scheme};
use crate::tensor::Cancelled;
use crate::tensor::lab::{LabReport, LabRequest, Target};
use crate::tensor::random::{Distribution, KINDS, MAX_SIZE};
use std::sync::Arc;

type LabResult = Result<Result<LabReport, String>, Cancelled>;

/// Cast to a format, or quantize with a scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Cast every value.
    Cast,
    /// Linear / fp8 quantization.
    Quantize,
}

/// State of the Downcast panel.
pub struct DowncastPanel {
    dist: Distribution,
    size: usize,
    seed: u64,
    action: Action,
    formats: Vec<Format>,
    format: usize,
    qtype: QType,
    /// A block scheme instead of `qtype` (MX, NVFP4, NF4).
    block: Option<BlockScheme>,
    /// A ggml type instead of `qtype` or `block` (Q4_K …).
    ggml: Option<GgmlType>,
    /// NVFP4's per-tensor scale; NF4's double quantization.
    block_option: bool,
    /// The block shown in the block view.
    selected_block: usize,
    /// The sub-block chosen in a ggml block's view.
    selected_sub: usize,
    mode: Mode,
    per_group: bool,
    group: usize,
    rounding: RoundingMode,
    bins: usize,
    custom_range: bool,
    range: (f64, f64),
    job: Job<LabResult>,
    report: Option<Arc<LabReport>>,
    message: Option<String>,
    dirty: bool,
}

impl Default for DowncastPanel {
    fn default() -> Self {
        let formats = Format::all();
        let bf16 = format_index(&formats, "bfloat16");
        DowncastPanel {
            // The lesson: torch.rand(1000) cast to bfloat16.
            dist: Distribution::Uniform { lo: 0.0, hi: 1.0 },
            size: 1000,
            seed: 0,
            action: Action::Cast,
            formats,
            format: bf16,
            qtype: QType::Int8,
            block: None,
            ggml: None,
            block_option: false,
            selected_block: 0,
            selected_sub: 0,
            mode: Mode::Symmetric,
            per_group: false,
            group: 64,
            rounding: RoundingMode::NearestEven,
            bins: 60,
            custom_range: false,
            range: (0.0, 1.0),
            job: Job::default(),
            report: None,
            message: None,
            dirty: true,
        }
    }
}

impl Default for DowncastState {
    /// The Downcast lab's start state (`torch.rand(1000)` cast to bfloat16).
    fn default() -> Self {
        DowncastPanel::default().state()
    }
}

impl DowncastPanel {
    /// The request the controls describe.
    pub fn request(&self) -> LabRequest {
        let target = match self.action {
            Action::Cast => Target::Cast(self.formats[self.format]),
            Action::Quantize if self.ggml.is_some() => {
                Target::Ggml(self.ggml.unwrap_or(GgmlType::Q4_K))
            }
            Action::Quantize if self.block.is_some() => {
                Target::Block(match self.block.unwrap_or(BlockScheme::ALL[0]) {
                    BlockScheme::Nvfp4 { .. } => BlockScheme::Nvfp4 {
                        tensor_scale: self.block_option,
                    },
                    BlockScheme::Nf4 { .. } => BlockScheme::Nf4 {
                        double_quant: self.block_option,
                    },
                    other => other,
                })
            }
            Action::Quantize => Target::Quantize(Scheme {
                qtype: self.qtype,
                mode: self.mode,
                granularity: if self.per_group {
                    Granularity::Group(self.group.max(1))
                } else {
                    Granularity::Tensor
                },
            }),
        };
        LabRequest {
            dist: self.dist,
            size: self.size.clamp(1, MAX_SIZE),
            seed: self.seed,
            target,
            rounding: self.rounding,
            bins: self.bins,
            range: self.custom_range.then_some(self.range),
        }
    }

    /// The latest finished report.
    pub fn report(&self) -> Option<&LabReport> {
        self.report.as_deref()
    }

    /// Whether a computation is running or about to start.
    pub fn busy(&self) -> bool {
        self.dirty || self.job.status().is_some()
    }

    /// Select a catalogue format as the cast target.
    pub fn set_format(&mut self, name: &str) {
        if let Some(i) = self.formats.iter().position(|f| f.name() == name) {
            self.format = i;
            self.action = Action::Cast;
            self.dirty = true;
        }
    }

    /// Quantize (int8, as the controls say) instead of casting, or back.
    pub fn set_quantize(&mut self, on: bool) {
        self.action = if on { Action::Quantize } else { Action::Cast };
        self.dirty = true;
    }

    /// Quantize with a type (`int8` …) or block scheme (`mxfp4` …); unknown names are ignored.
    pub fn set_scheme(&mut self, name: &str) {
        if let Ok(b) = name.parse::<BlockScheme>() {
            self.block = Some(b);
            self.ggml = None;
        } else if let Some(t) = GgmlType::scheme(name) {
            self.ggml = Some(t);
            self.block = None;
        } else if let Ok(q) = name.parse::<QType>() {
            self.qtype = q;
            self.block = None;
            self.ggml = None;
        } else {
            return;
        }
        self.action = Action::Quantize;
        self.selected_block = 0;
        self.dirty = true;
    }

    /// Draw values from `dist`.
    pub fn set_distribution(&mut self, dist: Distribution) {
        if dist.validate().is_ok() {
            self.dist = dist;
            self.dirty = true;
        }
    }

    /// Set the generator seed.
    pub fn set_seed(&mut self, seed: u64) {
        self.seed = seed;
        self.dirty = true;
    }

    /// Set the size of the tensor.
    pub fn set_size(&mut self, size: usize) {
        self.size = size.clamp(1, MAX_SIZE);
        self.dirty = true;
    }

    /// The settings worth saving.
    pub fn state(&self) -> DowncastState {
        DowncastState {
            distribution: self.dist,
            size: self.size,
            seed: self.seed,
            quantize: self.action == Action::Quantize,
            format: self.formats[self.format].name(),
            qtype: self.scheme_name(),
            asymmetric: self.mode == Mode::Asymmetric,
            per_group: self.per_group,
            group: self.group,
            rounding: self.rounding.name().into(),
            bins: self.bins,
            range: self.custom_range.then_some(self.range),
        }
    }

    /// Restore saved settings; anything unknown or out of range keeps the default.
    pub fn restore(&mut self, s: &DowncastState) {
        *self = DowncastPanel::default();
        if s.distribution.validate().is_ok() {
            self.dist = s.distribution;
        }
        self.size = s.size.clamp(10, MAX_SIZE);
        self.seed = s.seed;
        self.action = if s.quantize {
            Action::Quantize
        } else {
            Action::Cast
        };
        if let Some(i) = self.formats.iter().position(|f| f.name() == s.format) {
            self.format = i;
        }
        if let Some(q) = QType::ALL.into_iter().find(|q| q.name() == s.qtype) {
            self.qtype = q;
        }
        self.block = s.qtype.parse::<BlockScheme>().ok();
        self.ggml = GgmlType::scheme(&s.qtype);
        self.mode = if s.asymmetric {
            Mode::Asymmetric
        } else {
            Mode::Symmetric
        };
        self.per_group = s.per_group;
        self.group = s.group.clamp(2, 4096);
        self.rounding = RoundingMode::parse(&s.rounding).unwrap_or(self.rounding);
        self.bins = s.bins.clamp(10, 400);
        if let Some((lo, hi)) = s.range
            && lo.is_finite()
            && hi.is_finite()
            && lo < hi
        {
            self.custom_range = true;
            self.range = (lo, hi);
        }
    }

    /// Take the background run's report when it is done (its error is drawn in place).
    pub fn poll_job(&mut self) {
        if let Some(result) = self.job.poll() {
            match result {
                Ok(Ok(report)) => {
                    self.report = Some(Arc::new(report));
                    self.message = None;
                }
                Ok(Err(message)) => self.message = Some(message),
                Err(Cancelled) => {}
            }
        }
        if let Some(why) = self.job.take_failure() {
            self.message = Some(why);
        }
    }

    /// Draw the panel; starts a background run when something changed.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui) {
        side_panel(ui, "downcast_controls", 290.0, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| self.controls_ui(ui));
        });
        scrolled_central(ui, |ui| self.results_ui(ui));
        if self.dirty {
            self.dirty = false;
            self.job
                .start_task(ui.ctx(), crate::tasks::Task::Lab(self.request()));
        }
        if self.job.status().is_some() {
            ui.ctx().request_repaint_after(BUSY_REPAINT_LAB);
        }
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui) {
        let mut changed = false;
        ui.heading("Tensor");
        let mut kind = self.dist.kind();
        egui::ComboBox::from_label("Distribution")
            .selected_text(kind)
            .show_ui(ui, |ui| {
                for k in KINDS {
                    ui.selectable_value(&mut kind, k, k);
                }
            });
        if kind != self.dist.kind() {
            self.dist = Distribution::named(kind).unwrap_or(self.dist);
            changed = true;
        }
        changed |= distribution_params(ui, &mut self.dist);
        changed |= ui
            .add(
                egui::Slider::new(&mut self.size, 10..=MAX_SIZE)
                    .logarithmic(true)
                    .text("values"),
            )
            .changed();
        ui.horizontal(|ui| {
            changed |= ui
                .add(egui::DragValue::new(&mut self.seed).prefix("seed "))
                .changed();
            if ui.button("New seed").clicked() {
                self.seed = self.seed.wrapping_add(1);
                changed = true;
            }
        });
        ui.separator();
        ui.heading("Downcast");
        ui.horizontal(|ui| {
            changed |= ui
                .selectable_value(&mut self.action, Action::Cast, "Cast")
                .changed();
            changed |= ui
                .selectable_value(&mut self.action, Action::Quantize, "Quantize")
                .changed();
        });
        match self.action {
            Action::Cast => {
                let before = self.format;
                egui::ComboBox::from_label("Target format")
                    .selected_text(self.formats[self.format].name())
                    .height(500.0)
                    .show_ui(ui, |ui| {
                        for (i, f) in self.formats.iter().enumerate() {
                            ui.selectable_value(&mut self.format, i, f.name());
                        }
                    });
                changed |= before != self.format;
                changed |= rounding_picker::combo(ui, &mut self.rounding);
            }
            Action::Quantize => changed |= self.quant_controls(ui),
        }
        ui.separator();
        changed |= ui
            .add(egui::Slider::new(&mut self.bins, 10..=400).text("bins"))
            .changed();
        ui.horizontal(|ui| {
            changed |= ui
                .checkbox(&mut self.custom_range, "histogram range")
                .on_hover_text("Off: the range of the values")
                .changed();
            if self.custom_range {
                let (lo, hi) = &mut self.range;
                changed |= ui.add(egui::DragValue::new(lo).speed(0.01)).changed();
                changed |= ui.add(egui::DragValue::new(hi).speed(0.01)).changed();
            }
        });
        if let Some((fraction, elapsed)) = self.job.status()
            && elapsed.as_millis() > 150
        {
            ui.add(egui::ProgressBar::new(fraction).show_percentage());
        }
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        self.dirty |= changed;
    }

    /// The scheme's name as links and the state file spell it.
    pub fn scheme_name(&self) -> String {
        match (self.ggml, self.block) {
            (Some(t), _) => t.scheme_name(),
            (None, Some(b)) => b.name().into(),
            (None, None) => self.qtype.name().into(),
        }
    }

    fn quant_controls(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        let before = (self.qtype, self.mode, self.block, self.ggml, self.block_option);
        let shown = self.scheme_name();
        egui::ComboBox::from_label("Type")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for q in QType::ALL {
                    if ui
                        .selectable_label(self.block.is_none() && self.qtype == q, q.name())
                        .clicked()
                    {
                        self.qtype = q;
                        self.block = None;
                        self.ggml = None;
                    }
                }
                ui.separator();
                ui.label(egui::RichText::new("block-scaled").weak());
                for b in BlockScheme::ALL {
                    let on = self.ggml.is_none() && self.block.map(|x| x.name()) == Some(b.name());
                    if ui.selectable_label(on, b.name()).clicked() {
                        self.block = Some(b);
                        self.ggml = None;
                    }
                }
                ui.separator();
                ui.label(egui::RichText::new("ggml (llama.cpp, no imatrix)").weak());
                for t in crate::ggml::quant::QUANTIZABLE {
                    if ui
                        .selectable_label(self.ggml == Some(t), t.scheme_name())
                        .on_hover_text(format!(
                            "{t}: blocks of {} values in {} bytes, {} bits per value, as llama-quantize writes them",
                            t.block_size(),
                            t.type_size(),
                            t.bits_per_value()
                        ))
                        .clicked()
                    {
                        self.ggml = Some(t);
                        self.block = None;
                    }
                }
            });
        if let Some(t) = self.ggml {
            changed |= before != (self.qtype, self.mode, self.block, self.ggml, self.block_option);
            ui.label(format!(
                "ggml {t}: blocks of {} in {} bytes · {} bits per value",
                t.block_size(),
                t.type_size(),
                t.bits_per_value()
            ));
            return changed;
        }
        if let Some(b) = self.block {
            changed |= before != (self.qtype, self.mode, self.block, self.ggml, self.block_option);
            ui.label(format!(
                "blocks of {} · {} scale · {} bits per value",
                b.block_size(),
                b.scale_format().name(),
                b.bits_per_value()
            ));
            match b {
                BlockScheme::Nvfp4 { .. } => {
                    changed |= ui
                        .checkbox(&mut self.block_option, "per-tensor scale too")
                        .on_hover_text("two-level NVFP4: an f32 scale amax / (448 · 6) for the whole tensor, so tiny tensors do not underflow to zero")
                        .changed();
                }
                BlockScheme::Nf4 { .. } => {
                    changed |= ui
                        .checkbox(&mut self.block_option, "double quantization")
                        .on_hover_text("QLoRA: the absmax scales themselves stored in 8 bits (blocks of 256): 4.127 bits per value instead of 4.5")
                        .changed();
                }
                _ => {}
            }
            if changed {
                self.selected_block = 0;
            }
            return changed;
        }
        if self.qtype.is_int() {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.mode, Mode::Symmetric, "symmetric")
                    .on_hover_text("scale = max|w| / qmax, zero point 0");
                ui.selectable_value(&mut self.mode, Mode::Asymmetric, "asymmetric")
                    .on_hover_text("scale = (max − min) / (qmax − qmin), with a zero point");
            });
        } else {
            self.mode = Mode::Symmetric;
        }
        // Unsigned types only make sense asymmetric.
        if matches!(self.qtype, QType::UInt8 | QType::UInt4) {
            self.mode = Mode::Asymmetric;
        }
        changed |= before != (self.qtype, self.mode, self.block, self.ggml, self.block_option);
        ui.horizontal(|ui| {
            changed |= ui
                .selectable_value(&mut self.per_group, false, "per tensor")
                .on_hover_text("one scale (and zero point) for the whole tensor: one outlier stretches every step")
                .changed();
            changed |= ui
                .selectable_value(&mut self.per_group, true, "per group")
                .on_hover_text("one scale per run of G values along the last axis (per-channel does the same per output channel): outliers only hurt their own group")
                .changed();
        });
        if self.per_group {
            changed |= ui
                .add(
                    egui::Slider::new(&mut self.group, 2..=4096)
                        .logarithmic(true)
                        .text("group size"),
                )
                .changed();
        }
        changed
    }

    fn results_ui(&mut self, ui: &mut egui::Ui) {
        let Some(report) = self.report.clone() else {
            ui.spinner();
            return;
        };
        views::summary_ui(ui, &report);
        ui.add_space(8.0);
        let grid = report.blocks.as_ref().map_or(Vec::new(), |b| {
            super::block_view::block_grid(b, self.selected_block.min(b.scales.len().max(1) - 1))
        });
        focus::section(ui, "plots", |ui| views::plots_ui(ui, &report, &grid));
        if let Some(blocks) = &report.blocks {
            ui.add_space(8.0);
            focus::section(ui, "blocks", |ui| {
                super::block_view::block_view_ui(ui, blocks, &mut self.selected_block)
            });
        }
        if let Some(g) = &report.ggml_blocks {
            ui.add_space(8.0);
            focus::section(ui, "blocks", |ui| {
                super::block_view::ggml_blocks_ui(
                    ui,
                    g,
                    &mut self.selected_block,
                    &mut self.selected_sub,
                )
            });
        }
        ui.add_space(8.0);
        // The cards' grids need about 1100 points side by side; narrower (lesson panel open,
        // presentation zoom) they stack instead of overlapping.
        pair(
            ui,
            1100.0,
            |ui| views::first_values_ui(ui, &report),
            |ui| {
                focus::section(ui, "dot", |ui| views::dot_card_ui(ui, &report));
                ui.add_space(8.0);
                views::memory_card_ui(ui, &report);
            },
        );
    }
}

/// Parameter editors for the distribution; true when one changed.
fn distribution_params(ui: &mut egui::Ui, dist: &mut Distribution) -> bool {
    let mut changed = false;
    let mut drag = |ui: &mut egui::Ui, v: &mut f32, label: &str, speed: f64| {
        changed |= ui
            .add(
                egui::DragValue::new(v)
                    .speed(speed)
                    .prefix(format!("{label} ")),
            )
            .changed();
    };
    ui.horizontal_wrapped(|ui| match dist {
        Distribution::Uniform { lo, hi } => {
            drag(ui, lo, "from", 0.01);
            drag(ui, hi, "to", 0.01);
        }
        Distribution::Normal { mean, std } => {
            drag(ui, mean, "mean", 0.01);
            drag(ui, std, "std", 0.01);
        }
        Distribution::Laplace { loc, scale } => {
            drag(ui, loc, "loc", 0.01);
            drag(ui, scale, "b", 0.01);
        }
        Distribution::StudentT { dof, scale } => {
            drag(ui, dof, "dof", 0.05);
            drag(ui, scale, "scale", 0.01);
        }
        Distribution::Outliers {
            std,
            fraction,
            factor,
        } => {
            drag(ui, std, "std", 0.01);
            drag(ui, fraction, "fraction", 0.0005);
            drag(ui, factor, "×", 1.0);
        }
    });
    changed
}
