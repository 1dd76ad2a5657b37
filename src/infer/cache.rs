//! Prepared weights kept per precision, so a new image or drawing runs without casting or
//! quantizing the weights again. Bounded: the least recently used precision goes first when
//! the prepared weights would take more than the budget.

use super::Precision;
use super::layers::Network;
use std::sync::{Arc, Mutex};

/// Most bytes of prepared weights kept (all five precisions of a model up to ~100 M
/// parameters; larger models keep the most recent ones).
pub const CACHE_BUDGET: u64 = 2 << 30;

/// A model prepared in one precision.
pub type Prepared = Box<dyn Network>;

/// What the cache holds, for the UI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Precisions held.
    pub entries: usize,
    /// Bytes of prepared weights held.
    pub bytes: u64,
    /// Weight preparations done so far (a hit does none).
    pub preparations: usize,
}

#[derive(Default)]
struct Inner {
    /// Least recently used first.
    entries: Vec<(Precision, Arc<Prepared>, u64)>,
    preparations: usize,
}

/// The prepared weights of one checkpoint, shared by clones of its classifier.
#[derive(Clone, Default)]
pub struct WeightCache {
    inner: Arc<Mutex<Inner>>,
    budget: u64,
}

impl std::fmt::Debug for WeightCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeightCache({:?})", self.stats())
    }
}

impl WeightCache {
    /// An empty cache of `budget` bytes.
    pub fn new(budget: u64) -> Self {
        WeightCache {
            inner: Arc::default(),
            budget,
        }
    }

    /// The model in `precision`: from the cache, or made by `prepare` (then kept, within
    /// the budget). The flag says whether it was prepared now.
    pub fn get_or_prepare(
        &self,
        precision: Precision,
        bytes: u64,
        prepare: impl FnOnce() -> Result<Prepared, String>,
    ) -> Result<(Arc<Prepared>, bool), String> {
        if let Ok(mut inner) = self.inner.lock()
            && let Some(i) = inner.entries.iter().position(|(p, _, _)| *p == precision)
        {
            let hit = inner.entries.remove(i);
            let model = Arc::clone(&hit.1);
            inner.entries.push(hit);
            return Ok((model, false));
        }
        // Prepared outside the lock: another precision may be asked for meanwhile.
        let model = Arc::new(prepare()?);
        if let Ok(mut inner) = self.inner.lock() {
            inner.preparations += 1;
            inner.entries.retain(|(p, _, _)| *p != precision);
            inner.entries.push((precision, Arc::clone(&model), bytes));
            while inner.entries.len() > 1
                && inner.entries.iter().map(|e| e.2).sum::<u64>() > self.budget
            {
                inner.entries.remove(0);
            }
        }
        Ok((model, true))
    }

    /// What the cache holds now.
    pub fn stats(&self) -> CacheStats {
        self.inner
            .lock()
            .map_or(CacheStats::default(), |i| CacheStats {
                entries: i.entries.len(),
                bytes: i.entries.iter().map(|e| e.2).sum(),
                preparations: i.preparations,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::simple_cnn::SimpleCnn;

    fn tiny() -> Result<Prepared, String> {
        let w = super::super::simple_cnn::TENSORS
            .iter()
            .map(|(_, s)| {
                candle_core::Tensor::zeros(*s, candle_core::DType::F32, &candle_core::Device::Cpu)
                    .map_err(|e| e.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Box::new(SimpleCnn::new(w, Precision::F32)?))
    }

    #[test]
    fn a_second_run_prepares_nothing_and_the_budget_evicts_the_oldest() {
        let cache = WeightCache::new(250);
        let (_, fresh) = cache.get_or_prepare(Precision::F32, 100, tiny).unwrap();
        assert!(fresh);
        let (_, fresh) = cache.get_or_prepare(Precision::F32, 100, tiny).unwrap();
        assert!(!fresh, "a hit");
        assert_eq!(cache.stats().preparations, 1);
        cache.get_or_prepare(Precision::BF16, 100, tiny).unwrap();
        // F32 is used again, so BF16 is the least recently used when FP16 comes.
        cache.get_or_prepare(Precision::F32, 100, tiny).unwrap();
        cache.get_or_prepare(Precision::F16, 100, tiny).unwrap();
        let s = cache.stats();
        assert_eq!((s.entries, s.bytes, s.preparations), (2, 200, 3));
        let (_, fresh) = cache.get_or_prepare(Precision::F32, 100, tiny).unwrap();
        assert!(!fresh, "F32 was kept");
        let (_, fresh) = cache.get_or_prepare(Precision::BF16, 100, tiny).unwrap();
        assert!(fresh, "BF16 was evicted");
        // A failed preparation leaves nothing behind.
        assert!(
            cache
                .get_or_prepare(Precision::Int8, 10, || Err("bad".into()))
                .is_err()
        );
        assert_eq!(cache.stats().preparations, 4);
    }
}
