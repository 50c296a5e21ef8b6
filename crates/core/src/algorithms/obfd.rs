//! OBFD, Optimized Best-Fit Decreasing (Ding et al. 2024, "Fewer Truncations
//! Improve Language Modeling").
//!
//! Best-fit decreasing made fast by two observations about sequence lengths:
//! they are small integers (so a counting sort beats a comparison sort), and a
//! bin is fully described by its remaining capacity, also a small integer (so
//! "the fullest bin that still fits" is a successor query over `0..=C` on a
//! [`RemainingIndex`](crate::placement::RemainingIndex) instead of a scan).
//!
//! - Time: `O(n + C)` for the sort and index setup, `O(log64 C)` per item.
//! - Memory: `O(n + C)`; above [`DENSE_LIMIT`]
//!   the index switches to an ordered map so a capacity of `2^31` costs nothing extra.
//! - Ties: equal lengths are placed in ascending input index; among bins with
//!   equal remaining capacity the one that reached it last is chosen. The bins
//!   are exactly those of plain BFD with the same tie-breaks.
//!
//! ## OBFDP: the same bins on several threads
//!
//! [`obfd_packing_with`] places items *by runs* over the length histogram:
//! one index query per batch of equal-length items put in one bin, not per
//! item. What remains linear in `n` is plain data movement: validating the
//! input, counting the histogram, and attaching item indices to their slots
//! (a scatter); the metrics' lower bound reuses the histogram
//! ([`obfd_packing_profiled`]), `O(max_len)`. OBFDP (`obfdp`) runs exactly
//! those passes over input chunks on `T` [`Workers`] (chosen once, in
//! [`super::workers_for`]); the placement itself (`O(runs log64 C)`, a few
//! runs per bin) stays sequential. So the bins are *identical* to OBFD's for
//! every `T`, and the speedup is that of the linear passes.
//!
//! Why not the scheme of seqpacker and LightBinPack (deal the sorted items
//! round-robin to `T` workers, best-fit each share independently, repack the
//! least-full bins): their split exists because their placement is per item,
//! `O(n log C)` and inherently sequential, so the only way to use more cores
//! was to run `T` smaller BFDs. That costs bins (each worker leaves its own
//! partly filled tail) and still pays a full sort. Here the sequential part is
//! already small, so splitting the *placement* would only lose bins without
//! buying speed; splitting the *passes* loses nothing.
//!
//! - Time: `O(n / T + max_len * chunks + C)` plus `O(log64 C)` per run.
//! - Determinism: the result depends only on the input (not even on `T`:
//!   chunks cover the input in order and write disjoint output slots).
//! - `threads = 1` (and the adaptive default below 20k items) is OBFD itself,
//!   on the calling thread.

use super::{order, runs};
use crate::control::Control;
use crate::error::Result;
use crate::metrics::LengthProfile;
use crate::packing::{Assignment, Packing};
use crate::parallel::Workers;
use crate::placement::{self, BestFit, DenseIndex, SparseIndex, DENSE_LIMIT};

/// Packs `lengths` (validated, each in `1..=capacity`, largest `max_len`) and
/// returns the assignment in processing order: the generic
/// sort-then-[`best_fit`](placement::best_fit) composition. [`obfd_packing`]
/// produces the same bins faster; this form is the reference it is tested
/// against and the building block for callers that need an [`Assignment`].
pub fn obfd(lengths: &[u32], capacity: u32, max_len: u32, ctl: &Control) -> Result<Assignment> {
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    placement::best_fit(lengths, order, capacity, ctl)
}

/// OBFD straight to the flat [`Packing`]: the same bins, in the same in-bin
/// order, as `obfd(..).into_packing(..)`. Sequential; see
/// [`obfd_packing_with`].
pub fn obfd_packing(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    obfd_packing_with(lengths, capacity, max_len, &Workers::sequential(), ctl)
}

/// [`obfd_packing`] with its linear passes (histogram, scatter) split over
/// `workers`. The bins are identical for every worker count: only the
/// histogram and the attachment of item indices run in parallel, and both
/// are exact.
///
/// Best fit by runs of equal lengths ([`runs`]): one index query per run
/// (a bin taking a batch of one length), not per item, and the only `O(n)`
/// work (one histogram pass, one scatter pass) splits over `workers`.
/// Memory: the output plus three `u32` per run plus `O(max_len)` per chunk
/// and `O(C)`. Time `O(n + max_len + C)` plus `O(log64 C)` per run.
///
/// Huge, sparse length ranges and tiny inputs (where a histogram would cost
/// more than sorting, see [`order::histogram_pays`]) take the generic
/// sequential path; with at most [`TINY_ITEMS`](crate::placement::TINY_ITEMS)
/// items it searches a scanned list instead of an `O(C)` index.
pub fn obfd_packing_with(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    Ok(obfd_packing_profiled(lengths, capacity, max_len, workers, ctl)?.0)
}

/// [`obfd_packing_with`] together with the lengths' multiset it sorted by
/// (the run engine's histogram, or the comparison/radix sort's distinct
/// sizes on the sparse path), for [`Metrics::compute_profiled`](crate::Metrics::compute_profiled).
pub fn obfd_packing_profiled(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    if !order::histogram_pays(lengths.len(), max_len) {
        let sorted = order::decreasing_sorted(lengths, max_len);
        ctl.check()?;
        let packing = placement::best_fit_packing_ordered(
            lengths,
            &sorted.order,
            &sorted.ordered,
            capacity,
            ctl,
        )?;
        return Ok((packing, sorted.profile));
    }
    let hist = runs::histogram(lengths, max_len, capacity, workers, ctl)?;
    if capacity <= DENSE_LIMIT {
        runs::pack_by_runs::<BestFit<DenseIndex>>(lengths, hist, capacity, workers, ctl)
    } else {
        runs::pack_by_runs::<BestFit<SparseIndex>>(lengths, hist, capacity, workers, ctl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both(lengths: &[u32], capacity: u32) -> (Packing, Packing) {
        let max = lengths.iter().copied().max().unwrap_or(0);
        let ctl = Control::none();
        let fast = obfd_packing(lengths, capacity, max, &ctl).unwrap();
        let reference = obfd(lengths, capacity, max, &ctl)
            .unwrap()
            .into_packing(lengths);
        (fast, reference)
    }

    proptest! {
        /// The run-based path must give the generic path's bins, byte for byte
        /// (same bins, same bin order, same order inside each bin).
        #[test]
        fn runs_equal_generic(cap in 1u32..600, raw in prop::collection::vec(any::<u32>(), 0..400)) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + x % cap).collect();
            let (fast, reference) = both(&lengths, cap);
            prop_assert_eq!(&fast, &reference);
            prop_assert_eq!(fast.verify(&lengths, cap), Ok(()));
        }

        /// Few distinct lengths: long runs, many ties among equal remaining values.
        #[test]
        fn runs_equal_generic_with_ties(cap in 2u32..64, raw in prop::collection::vec(0u32..4, 1..300)) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + x * (cap - 1) / 4).collect();
            let (fast, reference) = both(&lengths, cap);
            prop_assert_eq!(fast, reference);
        }
    }

    proptest! {
        /// Split into many tiny chunks (every boundary case of the per-chunk
        /// cursors), the parallel passes give the sequential bins exactly.
        #[test]
        fn chunked_passes_equal_sequential(
            cap in 1u32..300,
            raw in prop::collection::vec(any::<u32>(), 0..300),
            t in 2usize..5,
            min_chunk in 1usize..20,
        ) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + (x % cap) / (1 + x % 3)).collect();
            let max = lengths.iter().copied().max().unwrap_or(0);
            let ctl = Control::none();
            let workers = Workers::new(t).with_min_chunk(min_chunk);
            let par = obfd_packing_with(&lengths, cap, max, &workers, &ctl).unwrap();
            prop_assert_eq!(par, obfd_packing(&lengths, cap, max, &ctl).unwrap());
        }
    }

    /// Lengths over more than `runs::PREFETCH_SLOTS` histogram slots (the
    /// scatter prefetches cursors), sequential and on several workers, with
    /// the dense and the sparse index: the generic path's bins exactly.
    #[test]
    fn wide_length_ranges_agree() {
        let lengths: Vec<u32> = (0..20_000u64)
            .map(|i| 1 + ((i * 2_654_435_761) % 70_000) as u32)
            .collect();
        let max = *lengths.iter().max().unwrap();
        assert!(order::histogram_pays(lengths.len(), max) && max > 1 << 14);
        let ctl = Control::none();
        for cap in [1 << 20, DENSE_LIMIT * 4] {
            let (fast, reference) = both(&lengths, cap);
            assert_eq!(fast, reference);
            let workers = Workers::new(2).with_min_chunk(1000);
            let par = obfd_packing_with(&lengths, cap, max, &workers, &ctl).unwrap();
            assert_eq!(par, reference);
        }
    }

    #[test]
    fn sparse_index_and_fallback_paths_agree() {
        // Capacity above DENSE_LIMIT with small lengths: runs over SparseIndex.
        let lengths: Vec<u32> = (0..500u32).map(|i| 1 + (i * 7919) % 1000).collect();
        let (fast, reference) = both(&lengths, DENSE_LIMIT + 1);
        assert_eq!(fast, reference);
        // Lengths far larger than the item count: the comparison-sort fallback.
        let big: Vec<u32> = lengths.iter().map(|&l| l * 10_000).collect();
        let (fast, reference) = both(&big, u32::MAX);
        assert_eq!(fast, reference);
        assert_eq!(fast.verify(&big, u32::MAX), Ok(()));
    }
}
