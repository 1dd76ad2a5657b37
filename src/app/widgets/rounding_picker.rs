//! The rounding-mode picker shared by the Bits panel and the Downcast lab: a combo box whose
//! entries explain themselves on hover.

use crate::formats::RoundingMode;

/// A "Rounding" combo box over every mode; true when the user picked another one.
pub fn combo(ui: &mut egui::Ui, mode: &mut RoundingMode) -> bool {
    let before = *mode;
    egui::ComboBox::from_label("Rounding")
        .selected_text(mode.name())
        .show_ui(ui, |ui| {
            for m in RoundingMode::ALL {
                ui.selectable_value(mode, m, m.name())
                    .on_hover_text(text(m));
            }
        })
        .response
        .on_hover_text(text(*mode));
    *mode != before
}

/// One line on what a rounding mode does.
pub fn text(m: RoundingMode) -> &'static str {
    match m {
        RoundingMode::NearestEven => {
            "nearest-even: the closer neighbour; on a tie, the one whose last bit is 0 (IEEE default, what PyTorch does)"
        }
        RoundingMode::NearestAway => {
            "nearest-away: the closer neighbour; on a tie, the one farther from zero"
        }
        RoundingMode::TowardZero => "toward-zero: drop the extra bits (truncate)",
        RoundingMode::Up => "up: the neighbour toward +infinity (ceiling)",
        RoundingMode::Down => "down: the neighbour toward −infinity (floor)",
        RoundingMode::Stochastic => {
            "stochastic: up with probability equal to the distance from the lower neighbour, so the error averages to zero (seeded)"
        }
    }
}
