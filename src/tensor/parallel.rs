//! Splitting element-wise work over the machine's cores, in fixed-size chunks.

use super::progress::{Cancelled, Progress};

/// One unit of work: chunk index, input slice, output slice.
type Work<'a, A, B> = (usize, &'a [A], &'a mut [B]);

/// Run `f(chunk_index, input_chunk, output_chunk)` over `chunk`-sized pieces of `input` and
/// `out` on all cores. Chunk boundaries do not depend on the number of threads, so seeded
/// per-chunk work is reproducible. Stops early (with `Err(Cancelled)`) when `progress` is
/// cancelled; advances `progress` by the elements done.
pub fn for_each_chunk<A: Sync, B: Send>(
    input: &[A],
    out: &mut [B],
    chunk: usize,
    progress: &Progress,
    f: impl Fn(usize, &[A], &mut [B]) + Sync,
) -> Result<(), Cancelled> {
    progress.add_total(input.len() as u64);
    let work: Vec<Work<'_, A, B>> = input
        .chunks(chunk.max(1))
        .zip(out.chunks_mut(chunk.max(1)))
        .enumerate()
        .map(|(i, (a, b))| (i, a, b))
        .collect();
    let parts = crate::platform::split_parts(work);
    let cancelled = crate::platform::run_parts(parts, |mine| {
        for (index, src, dst) in mine {
            if progress.is_cancelled() {
                return true;
            }
            f(index, src, dst);
            progress.advance(src.len() as u64);
        }
        false
    });
    if cancelled { Err(Cancelled) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_is_visited_once_in_place() {
        let input: Vec<u32> = (0..100_003).collect();
        let mut out = vec![0u64; input.len()];
        let p = Progress::new();
        for_each_chunk(&input, &mut out, 1000, &p, |_, a, b| {
            for (x, y) in a.iter().zip(b.iter_mut()) {
                *y = *x as u64 * 2;
            }
        })
        .unwrap();
        assert!(out.iter().enumerate().all(|(i, &y)| y == 2 * i as u64));
        assert_eq!(p.fraction(), 1.0);
    }
}
