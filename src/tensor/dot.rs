//! Dot products with a chosen input format, accumulation format and summation order, so a
//! class sees where `333.4022` (fp32) becomes `334` (bf16).
//!
//! Every product and every partial sum is rounded to the accumulation format (nearest even),
//! then the result is rounded to the input format, as `torch.dot` returns its input dtype.
//! PyTorch's CPU `dot` for bfloat16 / float16 multiplies and adds in fp32 ("opmath") and
//! rounds once at the end (`dot_naive` with `opmath_t` in ATen's BlasKernel.cpp; newer
//! versions vectorise `bf16_dot_with_fp32_arith`, still with fp32 lanes): that is
//! [`DotSpec::torch_like`]. Accumulating in bf16 itself stalls once the sum's ulp exceeds
//! the terms.

use super::cast::cast_values;
use super::progress::Progress;
use crate::formats::{Format, Rounder, RoundingMode, decode, encode};
use serde::{Deserialize, Serialize};

/// Order of the additions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Summation {
    /// Left to right, one running sum (error grows like n).
    Naive,
    /// Recursive halves (error grows like log n), as NumPy's `sum` does.
    Pairwise,
}

/// How a dot product is computed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DotSpec {
    /// Format the inputs are cast to first.
    pub inputs: Format,
    /// Format of products and partial sums.
    pub accumulate: Format,
    /// Order of the additions.
    pub summation: Summation,
}

impl DotSpec {
    /// What PyTorch does on CPU for `dot` in `inputs`: fp32 accumulation, one final rounding.
    pub fn torch_like(inputs: Format) -> DotSpec {
        let accumulate = if inputs.bits() > 32 {
            inputs
        } else {
            Format::named("float32")
        };
        DotSpec {
            inputs,
            accumulate,
            summation: Summation::Naive,
        }
    }

    /// A short label: `bfloat16 × bfloat16, float32 accumulate, naive`.
    pub fn label(&self) -> String {
        format!(
            "{} inputs, {} accumulate, {}",
            self.inputs.name(),
            self.accumulate.name(),
            match self.summation {
                Summation::Naive => "naive",
                Summation::Pairwise => "pairwise",
            }
        )
    }
}

/// One dot product's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DotResult {
    /// Description of the computation.
    pub label: String,
    /// Input format.
    pub inputs: String,
    /// Accumulation format.
    pub accumulate: String,
    /// Summation order.
    pub summation: Summation,
    /// The result, in the input format.
    pub value: f64,
    /// The accumulator before the final rounding to the input format.
    pub accumulator: f64,
    /// value − exact (the f64 dot of the original f32 values).
    pub error: f64,
}

/// The exact-enough reference: f64 products (exact for f32 inputs) summed pairwise in f64.
pub fn reference_dot(a: &[f32], b: &[f32]) -> f64 {
    let products: Vec<f64> = a
        .iter()
        .zip(b)
        .map(|(&x, &y)| x as f64 * y as f64)
        .collect();
    pairwise(&products, &|x| x)
}

/// Dot product of `a` and `b` computed as `spec` says.
pub fn dot(a: &[f32], b: &[f32], spec: &DotSpec) -> DotResult {
    dot_against(a, b, spec, reference_dot(a, b))
}

/// [`dot`] with its error measured against a given `reference` (computed once by callers
/// that make several dots of the same data, or that compare other data with it).
pub fn dot_against(a: &[f32], b: &[f32], spec: &DotSpec, reference: f64) -> DotResult {
    let progress = Progress::new();
    let cast = |v: &[f32]| {
        cast_values(v, &spec.inputs, RoundingMode::NearestEven, 0, &progress).unwrap_or_default()
    };
    let (xa, xb) = (cast(a), cast(b));
    let round_acc = round_fn(spec.accumulate);
    let products: Vec<f64> = xa
        .iter()
        .zip(&xb)
        .map(|(&x, &y)| round_acc(x * y))
        .collect();
    let accumulator = match spec.summation {
        Summation::Naive => products.iter().fold(0.0, |s, &p| round_acc(s + p)),
        Summation::Pairwise => pairwise(&products, &round_acc),
    };
    let value = round_fn(spec.inputs)(accumulator);
    DotResult {
        label: spec.label(),
        inputs: spec.inputs.name(),
        accumulate: spec.accumulate.name(),
        summation: spec.summation,
        value,
        accumulator,
        error: value - reference,
    }
}

/// The lab's dot-product card: fp32, the target the torch way, and the target accumulating
/// in itself, naive and pairwise.
pub fn standard_dots(a: &[f32], b: &[f32], target: Format) -> Vec<DotResult> {
    let f32f = Format::named("float32");
    let mut specs = vec![DotSpec::torch_like(f32f)];
    if target.float().is_some() && target != f32f {
        specs.push(DotSpec::torch_like(target));
        for summation in [Summation::Naive, Summation::Pairwise] {
            specs.push(DotSpec {
                inputs: target,
                accumulate: target,
                summation,
            });
        }
    }
    let reference = reference_dot(a, b);
    specs
        .iter()
        .map(|s| dot_against(a, b, s, reference))
        .collect()
}

/// Round an f64 to `format`, nearest even (native for f64 / f32; bit arithmetic for the
/// normal numbers of other floats, the codec for the rest).
fn round_fn(format: Format) -> Box<dyn Fn(f64) -> f64 + Sync> {
    let codec = move |x| decode(&format, encode(&format, x, &mut Rounder::nearest_even()));
    match format.name().as_str() {
        "float64" => Box::new(|x| x),
        "float32" => Box::new(|x| x as f32 as f64),
        _ => match crate::formats::normal_round::NormalRounder::new(&format) {
            Some(r) => Box::new(move |x| r.round(x).unwrap_or_else(|| codec(x))),
            None => Box::new(codec),
        },
    }
}

fn pairwise(v: &[f64], round: &dyn Fn(f64) -> f64) -> f64 {
    match v.len() {
        0 => 0.0,
        1 => v[0],
        n => {
            let (l, r) = v.split_at(n / 2);
            round(pairwise(l, round) + pairwise(r, round))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::random::{Distribution, generate};

    #[test]
    fn bf16_dot_of_rand_1000_rounds_to_an_even_integer_near_333() {
        // The lesson: torch.dot of torch.rand(1000) with itself is 333.4022 in fp32 and 334
        // in bf16. Our generator differs from torch's, so the values differ, but the
        // mechanism is the same: E[x²] = 1/3, and bf16's ulp in [256, 512) is 2.
        let x = generate(&Distribution::Uniform { lo: 0.0, hi: 1.0 }, 1000, 0).unwrap();
        let dots = standard_dots(&x, &x, Format::named("bfloat16"));
        let fp32 = dots[0].value;
        assert!((300.0..370.0).contains(&fp32), "{fp32}");
        let torch_bf16 = dots[1].value;
        assert_eq!(torch_bf16 % 2.0, 0.0);
        assert!(
            (torch_bf16 - fp32).abs() <= 1.0 + 0.02,
            "{torch_bf16} vs {fp32}"
        );
        // bf16 accumulation stalls: once the sum passes 256 its ulp is 2, and terms < 1 are lost.
        let naive_bf16 = dots[2].value;
        assert!(naive_bf16 < 300.0, "{naive_bf16}");
        let pairwise_bf16 = dots[3].value;
        assert!((pairwise_bf16 - fp32).abs() < (naive_bf16 - fp32).abs());
    }

    #[test]
    fn float32_naive_is_the_f32_loop() {
        let a: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..5000).map(|i| (i as f32 * 0.11).cos()).collect();
        let mut s = 0.0f32;
        for (x, y) in a.iter().zip(&b) {
            s += x * y;
        }
        let r = dot(&a, &b, &DotSpec::torch_like(Format::named("float32")));
        assert_eq!(r.value, s as f64);
    }

    #[test]
    fn lesson_values_cast_like_the_notebook() {
        // Source: the lesson: tensor_fp32[0] = 0.8892 prints 0.8906 in bf16 (4-digit print).
        let stored = cast_values(
            &[0.8892],
            &Format::named("bfloat16"),
            RoundingMode::NearestEven,
            0,
            &Progress::new(),
        )
        .unwrap();
        assert_eq!(stored[0], 0.890625);
    }
}
