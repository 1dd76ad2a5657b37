//! What the user did to the Bits panel this frame, applied after drawing.

/// Something the user did this frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Change {
    /// The value box changed.
    Text,
    /// Another format (or custom layout) was picked.
    Format,
    /// Rounding mode or seed changed.
    Rounding,
    /// A bit was clicked.
    Flip(u32),
    /// Next up (`true`) or next down.
    Step(bool),
    /// The sweep slider moved to this input.
    Sweep(f64),
}
