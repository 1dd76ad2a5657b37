//! SimpleCNN: the project's own small digit classifier (28×28 grayscale → 10 classes).
//!
//! conv1 (1→8, 3×3, pad 1) → ReLU → max-pool 2 → conv2 (8→16, 3×3, pad 1) → ReLU →
//! max-pool 2 → flatten (16·7·7 = 784) → fc1 (784→64) → ReLU → fc2 (64→10).
//! Weight names follow PyTorch's `nn.Module` attributes: `conv1.weight`, `fc2.bias` …

use super::precision::Precision;
use candle_core::{Result, Tensor};

/// Tensor names and shapes of SimpleCNN.
pub const TENSORS: [(&str, &[usize]); 8] = [
    ("conv1.weight", &[8, 1, 3, 3]),
    ("conv1.bias", &[8]),
    ("conv2.weight", &[16, 8, 3, 3]),
    ("conv2.bias", &[16]),
    ("fc1.weight", &[64, 784]),
    ("fc1.bias", &[64]),
    ("fc2.weight", &[10, 64]),
    ("fc2.bias", &[10]),
];

/// Input side length.
pub const SIZE: usize = 28;

/// SimpleCNN's weights in one precision.
#[derive(Clone, Debug)]
pub struct SimpleCnn {
    /// The 8 tensors, in [`TENSORS`] order.
    pub w: Vec<Tensor>,
    /// The precision the weights were prepared for.
    pub precision: Precision,
}

impl SimpleCnn {
    /// Build from tensors in [`TENSORS`] order (shapes must match).
    pub fn new(w: Vec<Tensor>, precision: Precision) -> std::result::Result<SimpleCnn, String> {
        if w.len() != TENSORS.len() {
            return Err(format!(
                "SimpleCNN needs {} tensors, got {}",
                TENSORS.len(),
                w.len()
            ));
        }
        for (t, (name, shape)) in w.iter().zip(TENSORS) {
            if t.dims() != shape {
                return Err(format!(
                    "tensor '{name}' has shape {:?}, SimpleCNN needs {shape:?}",
                    t.dims()
                ));
            }
        }
        Ok(SimpleCnn { w, precision })
    }

    /// Logits [B, 10] of `x` [B, 1, 28, 28] (in the precision's carrier dtype), with the
    /// output of each layer (`conv1`, `conv2`, `fc1`, `fc2`) when `capture` is given.
    pub fn forward(
        &self,
        x: &Tensor,
        mut capture: Option<&mut Vec<(String, Tensor)>>,
    ) -> Result<Tensor> {
        let p = self.precision;
        let w = &self.w;
        let mut keep = |name: &str, t: &Tensor| {
            if let Some(c) = capture.as_deref_mut() {
                c.push((name.to_string(), t.clone()));
            }
        };
        let conv = |x: &Tensor, k: &Tensor, b: &Tensor| -> Result<Tensor> {
            let y = p.round(x.conv2d(k, 1, 1, 1, 1)?)?;
            let c = b.dims()[0];
            p.round(y.broadcast_add(&b.reshape((1, c, 1, 1))?)?)
        };
        let linear = |x: &Tensor, k: &Tensor, b: &Tensor| -> Result<Tensor> {
            let y = p.round(x.matmul(&k.t()?)?)?;
            p.round(y.broadcast_add(b)?)
        };
        let h = conv(x, &w[0], &w[1])?.relu()?;
        keep("conv1", &h);
        let h = h.max_pool2d(2)?;
        let h = conv(&h, &w[2], &w[3])?.relu()?;
        keep("conv2", &h);
        let h = h.max_pool2d(2)?.flatten_from(1)?;
        let h = linear(&h, &w[4], &w[5])?.relu()?;
        keep("fc1", &h);
        let logits = linear(&h, &w[6], &w[7])?;
        keep("fc2", &logits);
        Ok(logits)
    }
}

impl super::layers::Network for SimpleCnn {
    fn forward(&self, x: &Tensor, capture: Option<&mut Vec<(String, Tensor)>>) -> Result<Tensor> {
        SimpleCnn::forward(self, x, capture)
    }
}
