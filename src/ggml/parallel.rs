//! Decoding and quantizing on all cores: the blocks of a tensor are independent, so pieces of
//! 256 blocks go to the threads and each runs the one-thread code — the same bytes and values
//! as [`super::dequantize`] and [`super::quantize`], whatever the thread count.

use super::types::GgmlType;

/// Blocks per piece of work.
const PIECE: usize = 256;

/// [`super::dequantize`] on all cores.
pub fn dequantize_par(t: GgmlType, bytes: &[u8], out: &mut [f32]) -> Result<(), String> {
    let (bs, ts) = (t.block_size(), t.type_size());
    if !out.len().is_multiple_of(bs) || bytes.len() != out.len() / bs * ts {
        // The one-thread code says what is wrong.
        return super::dequantize(t, bytes, out);
    }
    let work: Vec<(&[u8], &mut [f32])> = bytes
        .chunks(PIECE * ts)
        .zip(out.chunks_mut(PIECE * bs))
        .collect();
    let failed = crate::platform::run_parts(crate::platform::split_parts(work), |part| {
        part.into_iter()
            .any(|(b, o)| super::dequantize(t, b, o).is_err())
    });
    if failed {
        Err(format!("{t} is not decoded yet"))
    } else {
        Ok(())
    }
}

/// [`super::quantize`] on all cores.
pub fn quantize_par(t: GgmlType, x: &[f32], n_per_row: usize) -> Result<Vec<u8>, String> {
    let (bs, ts) = (t.block_size(), t.type_size());
    if n_per_row == 0
        || !n_per_row.is_multiple_of(bs)
        || !x.len().is_multiple_of(n_per_row)
        || !super::quant::QUANTIZABLE.contains(&t)
    {
        // The one-thread code says what is wrong.
        return super::quantize(t, x, n_per_row);
    }
    let mut out = vec![0u8; x.len() / bs * ts];
    let work: Vec<(&[f32], &mut [u8])> = x
        .chunks(PIECE * bs)
        .zip(out.chunks_mut(PIECE * ts))
        .collect();
    let errors = std::sync::Mutex::new(None);
    crate::platform::run_parts(crate::platform::split_parts(work), |part| {
        for (xs, o) in part {
            if let Err(e) = super::quant::quantize_into(t, xs, o) {
                if let Ok(mut first) = errors.lock() {
                    first.get_or_insert(e);
                }
                return true;
            }
        }
        false
    });
    match errors.into_inner().ok().flatten() {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_cores_give_the_one_thread_bytes_and_values() {
        let x: Vec<f32> = (0..256 * 600)
            .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i % 97) as f32))
            .collect();
        for t in crate::ggml::quant::QUANTIZABLE {
            let one = super::super::quantize(t, &x, 2048).unwrap();
            let all = quantize_par(t, &x, 2048).unwrap();
            assert_eq!(one, all, "{t}");
            let mut a = vec![0f32; x.len()];
            let mut b = vec![0f32; x.len()];
            super::super::dequantize(t, &one, &mut a).unwrap();
            dequantize_par(t, &one, &mut b).unwrap();
            assert!(
                a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
                "{t}"
            );
        }
        assert!(quantize_par(GgmlType::Q4_K, &x[..300], 300).is_err());
        assert!(quantize_par(GgmlType::IQ2_XXS, &x[..256], 256).is_err());
    }
}
