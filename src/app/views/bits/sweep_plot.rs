//! The sweep: a slider that moves the input across a range, and plots of the stored value
//! (a staircase) and the rounding error (a sawtooth that grows with the magnitude).

use super::change::Change;
use crate::app::widgets::table::titled_plot;
use crate::formats::decimal::shortest_repr;
use crate::formats::parse::parse_number;
use crate::formats::sweep::{SweepPoint, distinct_levels, sweep};
use crate::formats::{Analysis, Format, RoundingMode};
use egui_plot::{Line, Plot, PlotPoints, VLine};

/// Samples per sweep: enough for a crisp staircase, cheap enough to redo on every change.
const SAMPLES: usize = 2001;

/// Sweep range, slider and cached samples.
pub struct SweepView {
    lo: f64,
    hi: f64,
    lo_text: String,
    hi_text: String,
    message: Option<String>,
    cache: Option<(Key, Vec<SweepPoint>)>,
}

#[derive(Clone, Copy, PartialEq)]
struct Key {
    format: Format,
    mode: RoundingMode,
    seed: u64,
    lo: f64,
    hi: f64,
}

impl Default for SweepView {
    fn default() -> Self {
        let mut v = SweepView {
            lo: 0.0,
            hi: 1.0,
            lo_text: String::new(),
            hi_text: String::new(),
            message: None,
            cache: None,
        };
        v.set_range(0.0, 1.0);
        v
    }
}

impl SweepView {
    fn set_range(&mut self, lo: f64, hi: f64) {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        self.lo = lo;
        self.hi = if hi > lo { hi } else { lo + 1.0 };
        self.lo_text = shortest_repr(self.lo);
        self.hi_text = shortest_repr(self.hi);
        self.message = None;
    }

    /// The range shown.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// Show a saved range (ignored unless both ends are finite).
    pub fn restore_range(&mut self, (lo, hi): (f64, f64)) {
        if lo.is_finite() && hi.is_finite() {
            self.set_range(lo, hi);
        }
    }

    /// Range of ±8 ulps around the stored value (or 0…1 where that means nothing).
    pub fn centre_on(&mut self, a: &Analysis) {
        let ulp = a.ulp();
        if a.value.is_finite() && ulp.is_finite() && ulp > 0.0 {
            self.set_range(a.value - 8.0 * ulp, a.value + 8.0 * ulp);
        } else {
            self.set_range(0.0, 1.0);
        }
    }

    fn points(&mut self, key: Key) -> &[SweepPoint] {
        if self.cache.as_ref().is_none_or(|(k, _)| *k != key) {
            let pts = sweep(&key.format, key.lo, key.hi, SAMPLES, key.mode, key.seed);
            self.cache = Some((key, pts));
        }
        self.cache.as_ref().map_or(&[], |(_, p)| p.as_slice())
    }

    /// Draw range controls, the slider and the two plots.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        a: &Analysis,
        mode: RoundingMode,
        seed: u64,
        changes: &mut Vec<Change>,
    ) {
        ui.strong("Sweep the input");
        ui.horizontal_wrapped(|ui| {
            let from = ui.label("from");
            let r1 = ui
                .add(egui::TextEdit::singleline(&mut self.lo_text).desired_width(90.0))
                .labelled_by(from.id);
            let to = ui.label("to");
            let r2 = ui
                .add(egui::TextEdit::singleline(&mut self.hi_text).desired_width(90.0))
                .labelled_by(to.id);
            if r1.lost_focus() || r2.lost_focus() {
                match (parse_number(&self.lo_text), parse_number(&self.hi_text)) {
                    (Ok(lo), Ok(hi)) if lo.is_finite() && hi.is_finite() => self.set_range(lo, hi),
                    _ => self.message = Some("the range needs two finite numbers".into()),
                }
            }
            if ui
                .button("±8 ulp")
                .on_hover_text("Zoom to 8 representable steps either side of the value")
                .clicked()
            {
                self.centre_on(a);
            }
            if ui
                .button("0 … 4")
                .on_hover_text("A wide range: the error grows with each power of two")
                .clicked()
            {
                self.set_range(0.0, 4.0);
            }
        });
        if let Some(m) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, m);
        }
        let mut x = if a.input.is_finite() {
            a.input.clamp(self.lo, self.hi)
        } else {
            self.lo
        };
        let slider = ui.add(
            egui::Slider::new(&mut x, self.lo..=self.hi)
                .text("input")
                .clamping(egui::SliderClamping::Never)
                .max_decimals(12),
        );
        if slider.changed() {
            changes.push(Change::Sweep(x));
        }
        let key = Key {
            format: a.format,
            mode,
            seed,
            lo: self.lo,
            hi: self.hi,
        };
        let pts = self.points(key);
        ui.label(
            egui::RichText::new(format!(
                "{} distinct stored values in this range",
                distinct_levels(pts)
            ))
            .weak(),
        );
        let stored: PlotPoints = pts.iter().map(|p| [p.input, p.stored]).collect();
        let ideal: PlotPoints = [[key.lo, key.lo], [key.hi, key.hi]].into_iter().collect();
        let error: PlotPoints = pts.iter().map(|p| [p.input, p.error]).collect();
        let plot_id = (key.lo.to_bits(), key.hi.to_bits());
        let height = crate::app::widgets::plots::plot_height(ui.ctx(), 170.0);
        let marker = a.input;
        let look = crate::app::style::palette::Look::of(ui.ctx());
        let stored_lines = vec![
            Line::new("exact", ideal).width(look.line(1.0)),
            Line::new("stored", stored).width(look.line(2.0)),
        ];
        titled_plot(ui, "Stored value across the range", None, |ui| {
            fixed_plot(
                ui,
                ("sweep_stored", plot_id),
                height,
                "stored",
                stored_lines,
                marker,
            )
        });
        let error_lines = vec![Line::new("error", error).width(look.line(1.5))];
        titled_plot(ui, "Rounding error across the range", None, |ui| {
            fixed_plot(
                ui,
                ("sweep_error", plot_id),
                height,
                "stored − input",
                error_lines,
                marker,
            )
        });
    }
}

/// A plot over the sweep's input axis with a marker at the current input; no pan or zoom,
/// so it always shows the whole range.
fn fixed_plot(
    ui: &mut egui::Ui,
    id: impl egui::AsIdSalt,
    height: f32,
    y_label: &str,
    lines: Vec<Line<'_>>,
    marker: f64,
) -> egui::Response {
    Plot::new(id)
        .height(height)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label("input")
        .y_axis_label(y_label)
        .show(ui, |p| {
            for line in lines {
                p.line(line);
            }
            if marker.is_finite() {
                p.vline(VLine::new("input", marker));
            }
        })
        .response
}
