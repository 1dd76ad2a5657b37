//! The Bits panel: one value in one format, bit by bit.
//!
//! State lives in [`BitsPanel`]; `panel_ui()` draws it and collects [`Change`]s, which are applied
//! after drawing, so every view of the value is computed from the same state.

use super::bit_row::bit_row;
use super::change::Change;
use super::settings::BitsState;
use super::{compare_table, limits_table, sweep_plot};
use crate::app::widgets::layout::{format_index, pair};
use crate::app::widgets::{focus, rounding_picker};
use crate::export::Table;
use crate::formats::decimal::shortest_repr;
use crate::formats::parse::{Typed, parse_typed};
use crate::formats::{Analysis, Format, Kind, Rounder, RoundingMode, decode, encode};
use egui::{RichText, TextEdit};

/// Which entry of the format picker is selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    /// Index into [`Format::all`].
    Named(usize),
    /// The custom eXmY float built from the sliders.
    Custom,
}

/// Keys that flip bits 0–15: the hex digit of the bit's index.
const FLIP_KEYS: [egui::Key; 16] = {
    use egui::Key::*;
    [
        Num0, Num1, Num2, Num3, Num4, Num5, Num6, Num7, Num8, Num9, A, B, C, D, E, F,
    ]
};

/// State of the Bits panel.
pub struct BitsPanel {
    formats: Vec<Format>,
    choice: Choice,
    custom_exp: u32,
    custom_man: u32,
    custom_ieee: bool,
    format: Format,
    mode: RoundingMode,
    seed: u64,
    text: String,
    input: f64,
    bits: u64,
    message: Option<String>,
    sweep: sweep_plot::SweepView,
    /// finfo and iinfo tables (they never change).
    limits: (Table, Table),
    /// The compare table and the (input bits, mode, seed) it was made for.
    compare: Option<((u64, RoundingMode, u64), Table)>,
}

impl Default for BitsPanel {
    fn default() -> Self {
        let formats = Format::all();
        let bf16 = format_index(&formats, "bfloat16");
        let mut panel = BitsPanel {
            format: formats[bf16],
            formats,
            choice: Choice::Named(bf16),
            custom_exp: 4,
            custom_man: 3,
            custom_ieee: true,
            mode: RoundingMode::NearestEven,
            seed: 0,
            text: "1/3".into(),
            input: 0.0,
            bits: 0,
            message: None,
            sweep: sweep_plot::SweepView::default(),
            limits: (Table::default(), Table::default()),
            compare: None,
        };
        panel.limits = (
            limits_table::finfo_table(&panel.formats),
            limits_table::iinfo_table(&panel.formats),
        );
        panel.apply(Change::Text);
        panel.sweep.centre_on(&panel.analysis());
        panel
    }
}

impl Default for BitsState {
    /// The Bits panel's start state (1/3 in bfloat16, the sweep around it).
    fn default() -> Self {
        BitsPanel::default().state()
    }
}

impl BitsPanel {
    /// The current value in the current format.
    pub fn analysis(&self) -> Analysis {
        Analysis::of_bits(self.format, self.bits, self.input)
    }

    /// The current format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Select a catalogue format by name (no-op for unknown names).
    pub fn select_format(&mut self, name: &str) {
        if let Some(i) = self.formats.iter().position(|f| f.name() == name) {
            self.choice = Choice::Named(i);
            self.apply(Change::Format);
        }
    }

    /// Centre the sweep on the current value (±8 ulp), as its "±8 ulp" button does.
    pub fn centre_sweep(&mut self) {
        let a = self.analysis();
        self.sweep.centre_on(&a);
    }

    /// Put `text` in the value box, as if typed.
    pub fn set_text(&mut self, text: &str) {
        self.text = text.to_string();
        self.apply(Change::Text);
    }

    /// The settings worth saving.
    pub fn state(&self) -> BitsState {
        BitsState {
            format: match self.choice {
                Choice::Named(i) => self.formats[i].name(),
                Choice::Custom => "custom".into(),
            },
            custom_exp: self.custom_exp,
            custom_man: self.custom_man,
            custom_ieee: self.custom_ieee,
            rounding: self.mode.name().into(),
            seed: self.seed,
            value: self.text.clone(),
            sweep: self.sweep.range(),
        }
    }

    /// Restore saved settings; anything unknown or out of range keeps the default.
    pub fn restore(&mut self, s: &BitsState) {
        *self = BitsPanel::default();
        self.custom_exp = s.custom_exp.clamp(1, 11);
        self.custom_man = s.custom_man.min(52);
        self.custom_ieee = s.custom_ieee;
        if s.format == "custom" {
            self.choice = Choice::Custom;
        } else if let Some(i) = self.formats.iter().position(|f| f.name() == s.format) {
            self.choice = Choice::Named(i);
        }
        self.mode = RoundingMode::parse(&s.rounding).unwrap_or(self.mode);
        self.seed = s.seed;
        self.apply(Change::Format);
        self.set_text(&s.value);
        self.sweep.restore_range(s.sweep);
    }

    /// Apply one change to the state.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Text => match parse_typed(&self.text, &self.format) {
                Ok(Typed::Number(x)) => {
                    self.message = None;
                    self.input = x;
                    self.encode();
                }
                Ok(Typed::Bits(b)) => {
                    self.message = None;
                    self.bits = b;
                    self.input = decode(&self.format, b);
                }
                Err(e) => self.message = Some(e.0),
            },
            Change::Format => {
                self.format = self.chosen_format();
                if self.text_is_bits() {
                    self.text = shortest_repr(self.input);
                }
                self.message = None;
                self.encode();
            }
            Change::Rounding => self.encode(),
            Change::Flip(i) => self.show_bits(self.bits ^ (1u64 << i)),
            Change::Step(up) => {
                let a = self.analysis();
                if let Some(b) = if up { a.next_up() } else { a.next_down() } {
                    self.show_bits(b);
                }
            }
            Change::Sweep(x) => {
                self.input = x;
                self.text = shortest_repr(x);
                self.message = None;
                self.encode();
            }
        }
    }

    fn text_is_bits(&self) -> bool {
        let t = self.text.trim().to_ascii_lowercase();
        t.starts_with("0x") || t.starts_with("0b")
    }

    fn chosen_format(&mut self) -> Format {
        match self.choice {
            Choice::Named(i) => self.formats[i],
            Choice::Custom => Format::custom(self.custom_exp, self.custom_man, self.custom_ieee)
                .unwrap_or_else(|_| {
                    // e1mY / eXm0 cannot hold IEEE inf/NaN: fall back to the finite variant.
                    self.custom_ieee = false;
                    Format::custom(self.custom_exp, self.custom_man, false)
                        .unwrap_or(self.formats[0])
                }),
        }
    }

    fn encode(&mut self) {
        let mut rounder = Rounder::new(self.mode, self.seed);
        self.bits = encode(&self.format, self.input, &mut rounder);
    }

    /// Show a bit pattern the user made: the value box gets its value when that value
    /// stores back to the same bits (else the pattern itself, e.g. a NaN payload).
    fn show_bits(&mut self, bits: u64) {
        self.bits = bits & self.format.mask();
        let a = self.analysis();
        self.input = a.value;
        let text = match self.format.kind {
            Kind::Int(_) => a.exact(),
            Kind::Float(_) => shortest_repr(a.value),
        };
        let round_trips = encode(&self.format, a.value, &mut Rounder::nearest_even()) == a.bits;
        self.text = if round_trips { text } else { a.hex() };
        self.message = None;
    }

    /// Draw the panel.
    pub fn panel_ui(&mut self, ui: &mut egui::Ui) {
        let mut changes = Vec::new();
        // Arrow keys step to the neighbours and digits 0–9 / letters A–F flip bits 0–15,
        // unless a text box has the keyboard.
        if !ui.ctx().egui_wants_keyboard_input() {
            let width = self.format.bits();
            ui.input(|i| {
                for (index, key) in FLIP_KEYS.iter().enumerate() {
                    if (index as u32) < width && i.key_pressed(*key) {
                        changes.push(Change::Flip(index as u32));
                    }
                }
                if i.key_pressed(egui::Key::ArrowUp) || i.key_pressed(egui::Key::ArrowRight) {
                    changes.push(Change::Step(true));
                }
                if i.key_pressed(egui::Key::ArrowDown) || i.key_pressed(egui::Key::ArrowLeft) {
                    changes.push(Change::Step(false));
                }
            });
        }
        self.controls_ui(ui, &mut changes);
        if let Some(message) = &self.message {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
        ui.add_space(6.0);
        let a = self.analysis();
        if let Some(i) = focus::section(ui, "bits", |ui| bit_row(ui, &self.format, self.bits)) {
            changes.push(Change::Flip(i));
        }
        ui.add_space(6.0);
        // Side by side on a wide window; stacked when the lesson or a projector's zoom
        // leaves too little width for both (they would overlap).
        let (formats, compare, mode, seed) =
            (&self.formats, &mut self.compare, self.mode, self.seed);
        let sweep = &mut self.sweep;
        pair(
            ui,
            1100.0,
            |ui| {
                facts_ui(ui, &a, self.mode == RoundingMode::NearestEven, &mut changes);
                ui.add_space(8.0);
                sweep.ui(ui, &a, mode, seed, &mut changes);
            },
            |ui| {
                focus::section(ui, "compare", |ui| {
                    egui::CollapsingHeader::new("Compare formats")
                        .default_open(true)
                        .show(ui, |ui| {
                            let key = (a.input.to_bits(), mode, seed);
                            if compare.as_ref().is_none_or(|(k, _)| *k != key) {
                                let t = compare_table::table(formats, a.input, mode, seed);
                                *compare = Some((key, t));
                            }
                            if let Some((_, t)) = compare.as_ref() {
                                compare_table::ui(ui, t, formats, a.input, mode, seed);
                            }
                        });
                });
            },
        );
        ui.add_space(8.0);
        focus::section(ui, "limits", |ui| {
            egui::CollapsingHeader::new("Limits (finfo / iinfo)")
                .default_open(true)
                .show(ui, |ui| {
                    limits_table::ui(ui, &self.limits.0, &self.limits.1)
                });
        });
        for change in changes {
            self.apply(change);
        }
    }

    fn controls_ui(&mut self, ui: &mut egui::Ui, changes: &mut Vec<Change>) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Value");
            let edit = ui
                .add(
                    TextEdit::singleline(&mut self.text)
                        .desired_width(220.0)
                        .hint_text("1/3, 0.1, -inf, 0x3eab"),
                )
                .labelled_by(label.id)
                .on_hover_text("A decimal (0.1, -2.5e-3), a fraction (1/3), inf, nan, pi, or a bit pattern (0x3eab, 0b…)");
            if edit.changed() {
                changes.push(Change::Text);
            }
            ui.add_space(12.0);
            let before = self.choice;
            let selected = match self.choice {
                Choice::Named(i) => self.formats[i].name(),
                Choice::Custom => "custom eXmY".into(),
            };
            egui::ComboBox::from_label("Format")
                .selected_text(selected)
                .height(500.0)
                .show_ui(ui, |ui| {
                    for (i, f) in self.formats.iter().enumerate() {
                        ui.selectable_value(&mut self.choice, Choice::Named(i), f.name());
                    }
                    ui.selectable_value(&mut self.choice, Choice::Custom, "custom eXmY");
                });
            if self.choice != before {
                changes.push(Change::Format);
            }
            ui.add_space(12.0);
            if rounding_picker::combo(ui, &mut self.mode) {
                changes.push(Change::Rounding);
            }
            if self.mode == RoundingMode::Stochastic {
                ui.label(format!("seed {}", self.seed));
                if ui
                    .button("New seed")
                    .on_hover_text("Stochastic rounding rounds up with probability equal to the distance from the lower neighbour; a new seed draws again")
                    .clicked()
                {
                    self.seed = self.seed.wrapping_add(1);
                    changes.push(Change::Rounding);
                }
            }
        });
        if self.choice == Choice::Custom {
            ui.horizontal_wrapped(|ui| {
                let mut changed = false;
                changed |= ui
                    .add(egui::Slider::new(&mut self.custom_exp, 1..=11).text("exponent bits"))
                    .changed();
                changed |= ui
                    .add(egui::Slider::new(&mut self.custom_man, 0..=52).text("mantissa bits"))
                    .changed();
                changed |= ui
                    .checkbox(&mut self.custom_ieee, "inf/NaN (IEEE)")
                    .on_hover_text(
                        "Off: every exponent is finite (like the 'fn' formats), so the range grows",
                    )
                    .changed();
                if changed {
                    self.custom_ieee &= self.custom_exp >= 2 && self.custom_man >= 1;
                    changes.push(Change::Format);
                }
                ui.label(
                    RichText::new(format!(
                        "{} bits: 1 sign + {} exponent + {} mantissa",
                        1 + self.custom_exp + self.custom_man,
                        self.custom_exp,
                        self.custom_man
                    ))
                    .weak(),
                );
            });
        }
    }
}

/// The facts about the stored value, with the next-up / next-down buttons.
fn facts_ui(ui: &mut egui::Ui, a: &Analysis, nearest: bool, changes: &mut Vec<Change>) {
    egui::Grid::new("bits_facts")
        .num_columns(2)
        .spacing([12.0, 6.0])
        .striped(true)
        .show(ui, |ui| {
            ui.label("Bits").on_hover_text("Keys 0–9 and A–F flip bits 0–15; arrow keys step to the neighbours");
            ui.horizontal(|ui| {
                ui.monospace(format!("{}   {}", a.hex(), a.binary()));
                if ui.small_button("Copy").on_hover_text("Copy the bits (hex)").clicked() {
                    ui.ctx().copy_text(a.hex());
                }
            });
            ui.end_row();

            ui.label("Fields").on_hover_text(bias_text(a));
            ui.label(fields_text(a));
            ui.end_row();

            ui.label("Class").on_hover_text(
                "normal: exponent field 1…max, value 1.m × 2^(e − bias)\nsubnormal: exponent field 0, value 0.m × 2^(1 − bias): gradual underflow down to the smallest step\nzero, inf, NaN: the special patterns",
            );
            ui.label(a.class.name());
            ui.end_row();

            ui.label("Formula");
            ui.add(egui::Label::new(RichText::new(a.formula()).monospace()).wrap());
            ui.end_row();

            ui.label("Stored value");
            ui.horizontal_wrapped(|ui| {
                ui.add(egui::Label::new(RichText::new(a.exact()).monospace().strong()).wrap())
                    .on_hover_text("The exact decimal expansion of the stored binary value: every binary float is a finite decimal");
                if ui.small_button("Copy").on_hover_text("Copy the exact decimal").clicked() {
                    ui.ctx().copy_text(a.exact());
                }
            });
            ui.end_row();

            // PyTorch and ml_dtypes store a double through float32: say so where that
            // double rounding differs from rounding once.
            if nearest
                && let Some((reference, direct)) =
                    crate::formats::codec::double_rounding(&a.format, a.input)
                && reference == a.bits
            {
                let value = |bits| shortest_repr(crate::formats::decode(&a.format, bits));
                let show = |bits| Analysis::of_bits(a.format, bits, a.input);
                ui.label("Double rounding").on_hover_text(
                    "PyTorch and ml_dtypes turn a Python float (f64) into a narrow format through float32: two roundings, which can land on another value than one correct rounding",
                );
                ui.add(
                    egui::Label::new(
                        RichText::new(format!(
                            "as PyTorch stores it (f64 → f32 → {}): {} {} = {} · correctly rounded: {} {} = {}",
                            a.format.name(),
                            show(reference).hex(),
                            show(reference).binary(),
                            value(reference),
                            show(direct).hex(),
                            show(direct).binary(),
                            value(direct)
                        ))
                        .monospace()
                        .color(ui.visuals().warn_fg_color),
                    )
                    .wrap(),
                );
                ui.end_row();
            }

            ui.label("Typed value");
            ui.add(egui::Label::new(RichText::new(input_exact(a)).monospace()).wrap())
                .on_hover_text("What you typed, as the nearest f64 (the reference for the error)");
            ui.end_row();

            ui.label("Error");
            ui.label(format!(
                "abs {}   rel {}",
                shortest_repr(a.abs_error()),
                shortest_repr(a.rel_error())
            ));
            ui.end_row();

            ui.label("ulp").on_hover_text(
                "Unit in the last place: the gap from this value to the next larger magnitude",
            );
            ui.label(shortest_repr(a.ulp()));
            ui.end_row();

            ui.label("Neighbours");
            ui.horizontal(|ui| {
                for (up, label, bits) in [
                    (false, "◀ Next down", a.next_down()),
                    (true, "Next up ▶", a.next_up()),
                ] {
                    if ui
                        .add_enabled(bits.is_some(), egui::Button::new(label))
                        .clicked()
                    {
                        changes.push(Change::Step(up));
                    }
                    ui.monospace(neighbour_text(a, bits));
                    ui.add_space(8.0);
                }
            });
            ui.end_row();
        });
}

fn neighbour_text(a: &Analysis, bits: Option<u64>) -> String {
    bits.map(|b| shortest_repr(decode(&a.format, b)))
        .unwrap_or_else(|| "—".into())
}

fn input_exact(a: &Analysis) -> String {
    crate::formats::decimal::exact_decimal(a.input)
}

/// `sign 0 (+) · exponent 125 → 2^-2 · mantissa 43` and the like.
fn fields_text(a: &Analysis) -> String {
    match a.format.kind {
        Kind::Float(f) if !f.signed() => match a.unbiased_exponent() {
            Some(e) => format!("no sign · exponent {} → 2^{e} · no mantissa", a.exponent),
            None => format!("no sign · exponent {} (NaN)", a.exponent),
        },
        Kind::Float(_) => {
            let sign = if a.sign == 1 { "−" } else { "+" };
            let exp = match a.unbiased_exponent() {
                Some(e) => format!("{} → 2^{e}", a.exponent),
                None => a.exponent.to_string(),
            };
            format!(
                "sign {} ({sign}) · exponent {exp} · mantissa {}",
                a.sign, a.mantissa
            )
        }
        Kind::Int(i) if i.signed => format!("sign {} · value bits {}", a.sign, a.mantissa),
        Kind::Int(_) => format!("value bits {}", a.mantissa),
    }
}

/// The bias, with this format's numbers.
fn bias_text(a: &Analysis) -> String {
    match a.format.float() {
        Some(f) => format!(
            "bias = 2^(exponent bits − 1) − 1 = {}: the stored exponent {} means 2^({} − {}) for normal values",
            f.bias, a.exponent, a.exponent, f.bias
        ),
        None => "integers: two's complement, the top bit weighs −2^(n−1)".into(),
    }
}
