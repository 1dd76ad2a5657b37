//! One-line definitions of the terms the panels show, for hover explanations (GUI-free, so a
//! translation or the CLI can use them too).

/// Term (lower case, as a column header or label reads) → definition.
const TERMS: &[(&str, &str)] = &[
    ("bits", "Total width of the format in bits"),
    ("sign", "The top bit: 0 = positive, 1 = negative"),
    (
        "exponent",
        "The power of two, stored with a bias: 2^(stored − bias)",
    ),
    (
        "mantissa",
        "The fraction bits after the implicit leading 1 (or 0 for subnormals): they set the precision",
    ),
    (
        "bias",
        "Subtracted from the stored exponent: 2^(exponent bits − 1) − 1, so exponents can be negative",
    ),
    (
        "eps",
        "Machine epsilon: the gap between 1 and the next larger value, 2^−(mantissa bits)",
    ),
    (
        "ulp",
        "Unit in the last place: the gap from a value to its next neighbour in the format",
    ),
    ("max", "Largest finite value (min = −max for floats)"),
    ("min", "Smallest value"),
    (
        "smallest normal",
        "2^emin, the smallest value with full precision (torch calls it tiny)",
    ),
    (
        "smallest subnormal",
        "2^(emin − mantissa bits): below the normals, values lose precision step by step (gradual underflow) down to this one",
    ),
    (
        "subnormal",
        "Exponent field 0: value 0.m × 2^(1 − bias), smaller than every normal and with fewer significant bits",
    ),
    (
        "resolution",
        "10^−(decimal digits the format always holds), as torch.finfo reports it",
    ),
    ("finfo", "torch.finfo: the limits of a floating-point type"),
    ("iinfo", "torch.iinfo: the limits of an integer type"),
    ("format", "The number format the value is stored in"),
    (
        "stored value",
        "The value the format actually holds after rounding",
    ),
    ("abs error", "|stored − input|"),
    ("rel error", "|stored − input| / |input|"),
    ("error", "stored − original"),
    ("mean", "Average of the values"),
    ("std", "Standard deviation (torch.std: divides by n − 1)"),
    ("zeros", "How many values are exactly 0"),
    (
        "nan",
        "Not a Number: what 0/0 or inf − inf give; a special pattern with an all-ones exponent",
    ),
    (
        "inf",
        "Infinity: the result of overflow in formats that have it",
    ),
    ("mean |error|", "Average of |stored − original|"),
    ("max |error|", "Largest |stored − original|"),
    (
        "rmse",
        "Root mean squared error: √(mean (stored − original)²)",
    ),
    ("max rel. error", "Largest |stored − original| / |original|"),
    (
        "sqnr",
        "Signal-to-quantization-noise ratio: 10·log10(Σx² / Σ(x − x′)²) in dB; higher is better, about +6 dB per extra bit",
    ),
    ("exact", "Values stored without any error"),
    ("underflow → 0", "Non-zero values so small they became zero"),
    (
        "overflow → inf/nan",
        "Finite values too large for the format: they became inf (or NaN in formats without inf)",
    ),
    (
        "saturated",
        "Saturation: values beyond the largest finite value, clipped to ±max instead of becoming inf",
    ),
    (
        "stochastic",
        "Stochastic rounding: round up with probability equal to the distance from the lower neighbour, so the error averages to zero",
    ),
    (
        "scale",
        "Quantization step: real value = scale × (q − zero point)",
    ),
    (
        "zero point",
        "The integer q that stands for 0.0 (0 for symmetric quantization)",
    ),
    (
        "per tensor",
        "One scale (and zero point) for the whole tensor: one outlier stretches every step",
    ),
    (
        "per channel",
        "One scale per output channel (row of a weight matrix): an outlier only hurts its own channel",
    ),
    (
        "per group",
        "One scale per run of G consecutive values: finer still, at the cost of more scales to store",
    ),
    ("original (f32)", "The generated value, in float32"),
    ("stored", "The value after the cast or quantization"),
    (
        "how",
        "Input format, accumulation format and summation order",
    ),
    ("result", "The dot product as that computation returns it"),
    (
        "precision",
        "How the weights (and activations) are stored and computed",
    ),
    ("mb", "Megabytes (10^6 bytes)"),
    (
        "vs fp32",
        "Size relative to storing every float tensor in float32",
    ),
    ("tensor", "A named array in the checkpoint"),
    ("params", "Number of values (parameters) in the tensor"),
    ("dtype", "The type the tensor is stored in"),
    ("shape", "The tensor's dimensions"),
    ("bytes", "Size on disk"),
    ("top-1", "The class with the highest logit"),
    ("p", "Softmax probability of the top class"),
    ("logit", "The model's raw score for a class, before softmax"),
    (
        "mean |δlogit|",
        "Average absolute difference of the logits from FP32",
    ),
    (
        "max |δlogit|",
        "Largest absolute difference of the logits from FP32",
    ),
    ("agrees", "Whether the top class is the same as FP32's"),
    ("weights", "Memory of the weights in this precision"),
    (
        "latency",
        "Wall-clock time of one forward pass on this machine's CPU",
    ),
    (
        "int8",
        "8-bit integers −128…127 with a scale: 4× smaller than float32",
    ),
    (
        "fp8",
        "8-bit floats (e4m3: 4 exponent bits, 3 mantissa bits, max 448; e5m2: max 57344)",
    ),
    (
        "bf16",
        "bfloat16: float32's 8 exponent bits with 7 mantissa bits: same range, less precision",
    ),
    (
        "fp16",
        "float16: 5 exponent bits, 10 mantissa bits: more precision than bf16, max 65504",
    ),
];

/// The definition of `term`, if the glossary has it (case and surrounding spaces ignored;
/// a sort arrow or trailing unit in brackets is ignored too).
pub fn definition(term: &str) -> Option<&'static str> {
    let key = term
        .trim_end_matches([' ', '▲', '▼'])
        .trim()
        .to_lowercase()
        .replace('Δ', "δ");
    TERMS.iter().find(|(t, _)| *t == key).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_ignores_case_and_arrows() {
        assert!(definition("SQNR").unwrap().contains("10·log10"));
        assert!(definition(" eps ▲").unwrap().contains("2^−(mantissa bits)"));
        assert!(definition("mean |Δlogit|").is_some());
        assert_eq!(definition("no such term"), None);
    }

    #[test]
    fn every_term_once_in_lower_case() {
        assert!(TERMS.iter().all(|(t, _)| t.to_lowercase() == *t));
        let mut names: Vec<String> = TERMS.iter().map(|(t, _)| t.to_string()).collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
